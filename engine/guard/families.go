package guard

import (
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/dop251/goja"
)

// Families of guards a program can need only by its text, made on first
// use.
//
// RegExp, its prototype and its wrappers are a sixth of a spawn's cost
// (~22 KB); the async and generator functions' prototypes and their
// Function constructors' wrappers ~17 KB. Many small programs never make
// a regular expression, an async function or a generator. Unlike the
// globals of globals.go, goja makes these objects by routes that bypass
// the global object: a regular-expression literal (evaluated against
// goja's intrinsic prototype), String.prototype.match, matchAll and
// search given a pattern that is not a RegExp, and an async or generator
// function (literal, method, arrow), whose prototype's constructor is the
// unguarded constructor. So each family is installed by whichever of
// these comes first:
//
//   - RegExp: the global RegExp, by any access (gojax.HookGlobal, through
//     globals.go: every installer of "RegExp");
//   - a program about to run that may need the family (Guards.Prepare):
//     one compiled by Compile from a source without a "/" holds no
//     regular-expression literal, one without a "*" no generator, one
//     without "async" (nor "\u", in case an escape ever spelled it) no
//     async function; any other program may need all three;
//   - eval and the Function constructors, given such a source;
//   - String.prototype.match, matchAll and search, at every call (RegExp);
//   - the other ways goja makes these objects all start from one already
//     made.
//
// So none of them reaches a script before its guards are in place, as
// long as every program is prepared before it runs: Install prepares for
// any program (RunString is safe after it), and the engine prepares each
// program it runs. Config.Eager, or a goja layout gojax does not
// recognize, installs the families at boot.

// The families, as bits of a program's needs.
const (
	fnAsync     = 0 // the async Function constructor (also an index of fnChecks)
	fnGenerator = 1 // the generator Function constructor

	needAsync     = 1 << fnAsync
	needGenerator = 1 << fnGenerator
	needRegExp    = 4
	needAll       = needAsync | needGenerator | needRegExp
)

// needsOf reports which families a source text may need.
func needsOf(src string) uint8 {
	var n uint8
	if strings.IndexByte(src, '/') >= 0 {
		n |= needRegExp
	}
	if strings.IndexByte(src, '*') >= 0 {
		n |= needGenerator
	}
	if strings.Contains(src, "async") || strings.Contains(src, `\u`) {
		n |= needAsync
	}
	return n
}

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

// ensureFnFamily wraps the async (fnAsync) or generator (fnGenerator)
// Function constructor, once: the wrapper is made first (JS: it can be
// interrupted), then put in place, so a failure changes nothing. vm's
// goroutine.
func (g *guards) ensureFnFamily(kind int) {
	if g.fnDone[kind] {
		return
	}
	fv, err := g.vm.RunProgram(fnProtoProgs[kind])
	if err != nil {
		panic(err)
	}
	proto := fv.(*goja.Object).Prototype() // not Object.getPrototypeOf: a script may have replaced Object
	if proto == nil {
		panic(g.vm.NewTypeError("guard: no function prototype"))
	}
	ov, ok := proto.Get("constructor").(*goja.Object)
	if !ok {
		panic(g.vm.NewTypeError("guard: no function constructor"))
	}
	w, p := g.makeCtorWrapper(ov, "constructor", ctorCheckBoth, g.fnChecks[kind])
	g.replaceConstructor(p, w)
	g.unhide(w, nil, false)
	g.fnDone[kind] = true
}

// ensure installs the families of needs not yet installed.
func (g *guards) ensure(needs uint8) {
	needs &^= g.ready
	if needs&needRegExp != 0 {
		g.ensureRegExp()
		g.ready |= needRegExp
	}
	if needs&needAsync != 0 {
		g.ensureGlobal("Promise") // an async function makes promises
		g.ensureFnFamily(fnAsync)
		g.ready |= needAsync
	}
	if needs&needGenerator != 0 {
		g.ensureFnFamily(fnGenerator)
		g.ready |= needGenerator
	}
}

// ensureFor is ensure before the source text src is compiled by eval or a
// Function constructor.
func (g *guards) ensureFor(src string) {
	if n := needsOf(src); n != 0 {
		g.ensure(n)
	}
}

// programNeeds holds, weakly, what the programs Compile made may need,
// when that is less than everything.
var programNeeds sync.Map // weak.Pointer[goja.Program] -> uint8

func noteNeeds(p *goja.Program, src string) {
	n := needsOf(src)
	if n == needAll {
		return
	}
	wp := weak.Make(p)
	programNeeds.Store(wp, n)
	runtime.AddCleanup(p, func(wp weak.Pointer[goja.Program]) { programNeeds.Delete(wp) }, wp)
}

// needsOfProgram is what p may need: everything, unless Compile made it.
func needsOfProgram(p *goja.Program) uint8 {
	if p == nil {
		return needAll
	}
	if n, ok := programNeeds.Load(weak.Make(p)); ok {
		return n.(uint8)
	}
	return needAll
}

// EnsurePromise installs the guards of Promise.prototype if they are not
// yet. A promise is made by the Promise global (hooked), an async
// function (the async family, above) or Go code: the caller calls this
// before it makes one (vm.NewPromise) or runs a program of its own that
// does, and before it hands one to a script. Go only: it cannot be
// interrupted. Call it on the goroutine that owns the runtime.
func (gs *Guards) EnsurePromise() {
	if gs != nil && gs.g != nil {
		gs.g.ensureGlobal("Promise")
	}
}

// Guards is the handle of one runtime's guards, for what its owner does
// after Install.
type Guards struct{ g *guards }

// Prepare readies the guards for running p, a program a script wrote: it
// installs those that p may need (see above) and are not installed yet.
// Every program that is not this package's or its caller's own must be
// prepared before vm.RunProgram(p); a nil p prepares for anything. A
// failure (an interrupt) is returned as the error RunProgram would
// return, and nothing is left half installed. Call it on the goroutine
// that owns the runtime.
func (gs *Guards) Prepare(p *goja.Program) (err error) {
	if gs == nil || gs.g == nil {
		return nil
	}
	if gs.g.ready == needAll {
		return nil // the common case once a program has needed everything
	}
	n := needsOfProgram(p) &^ gs.g.ready
	if n == 0 {
		return nil
	}
	// An interrupt or a stack overflow is uncatchable: vm.Try passes it
	// on as a panic; it is returned here, as RunProgram returns it.
	defer func() {
		if x := recover(); x != nil {
			switch e := x.(type) {
			case *goja.InterruptedError:
				err = e
			case *goja.StackOverflowError:
				err = e
			default:
				panic(x)
			}
		}
	}()
	if ex := gs.g.vm.Try(func() { gs.g.ensure(n) }); ex != nil {
		return ex
	}
	return nil
}
