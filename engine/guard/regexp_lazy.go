package guard

import (
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/dop251/goja"
)

// RegExp's guards, made on first use.
//
// RegExp, its prototype and its wrappers are a sixth of a spawn's cost
// (~22 KB), and many small programs never make a regular expression.
// Unlike the globals of globals.go, goja makes RegExp.prototype by routes
// that bypass the global: a regular-expression literal (evaluated against
// goja's intrinsic prototype) and String.prototype.match, matchAll and
// search given a pattern that is not a RegExp. So the family is installed
// (ensureRegExp, all installers of "RegExp" in globals.go's sense) by
// whichever of these comes first:
//
//   - the global RegExp, by any access (gojax.HookGlobal);
//   - a program about to run that may hold a literal (Guards.Prepare): one
//     compiled by Compile from a source without a "/" cannot; any other
//     may;
//   - eval and the Function constructors, given a source with a "/";
//   - String.prototype.match, matchAll and search, at every call;
//   - the other ways goja makes regexps all start from one already made.
//
// So a literal is never evaluated before the family is in place, as long
// as every program is run through Prepare: the engine runs each one it
// compiles that way. Config.Eager, or a goja layout gojax does not
// recognize, installs the family at the end of Install.

// ensureRegExp installs RegExp's guards if they are not yet installed.
// vm's goroutine.
func (g *guards) ensureRegExp() { g.ensureGlobal("RegExp") }

// onRegExpProto registers f to run on RegExp.prototype with the family.
func (g *guards) onRegExpProto(f func(rp *goja.Object)) {
	g.onGlobal("RegExp", func(re *goja.Object) {
		if rp, ok := re.Get("prototype").(*goja.Object); ok {
			f(rp)
		}
	})
}

// slashFree holds, weakly, the programs Compile made from a source
// without a "/": no regular-expression literal, so Prepare need not
// install RegExp's guards for them.
var slashFree sync.Map // weak.Pointer[goja.Program] -> struct{}

func noteSlashFree(p *goja.Program, src string) {
	if strings.IndexByte(src, '/') >= 0 {
		return
	}
	wp := weak.Make(p)
	slashFree.Store(wp, struct{}{})
	runtime.AddCleanup(p, func(wp weak.Pointer[goja.Program]) { slashFree.Delete(wp) }, wp)
}

// mayHoldRegExpLiteral reports whether p may evaluate a
// regular-expression literal: unless Compile saw its source had none.
func mayHoldRegExpLiteral(p *goja.Program) bool {
	_, free := slashFree.Load(weak.Make(p))
	return !free
}

// Guards is the handle of one runtime's guards, for what its owner does
// after Install.
type Guards struct{ g *guards }

// Prepare readies the guards for running p, a program a script wrote:
// it installs those that p may need at once (RegExp's, for a
// regular-expression literal). Every program that is not this package's
// or its caller's own must be prepared before vm.RunProgram(p); a nil p
// prepares for anything. A failure (an interrupt) is returned as the
// error RunProgram would return, and nothing is half installed. Call it
// on the goroutine that owns the runtime.
func (gs *Guards) Prepare(p *goja.Program) (err error) {
	if gs == nil || gs.g == nil {
		return nil
	}
	if p != nil && !mayHoldRegExpLiteral(p) {
		return nil
	}
	if ex := gs.g.vm.Try(gs.g.ensureRegExp); ex != nil {
		return ex
	}
	return nil
}

// ensureRegExpFor is ensureRegExp before the source text src is compiled
// by eval or a Function constructor.
func (g *guards) ensureRegExpFor(src string) {
	if strings.IndexByte(src, '/') >= 0 {
		g.ensureRegExp()
	}
}
