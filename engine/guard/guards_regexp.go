package guard

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// The RegExp methods that list every match in one Go step.
//
// RegExp.prototype[Symbol.match] and [Symbol.replace] of a global regexp,
// and [Symbol.split], find every match of the whole subject before they
// build the first piece of the result (goja's fast path: one find-all; its
// generic path: every exec result kept in a Go slice), ~160 bytes a match,
// up to one a character, with no interrupt check:
// "x".repeat(2 ** 23).match(/x/g) ran 5.4 s and took 1.4 GB of RSS past
// memoryMb 64, and at the string cap (2 ** 27 units) it would need ~20 GB,
// which ends the process. Nothing short of goja can make that loop stop
// (a generic path with a stepping exec was measured: quadratic on a
// non-ASCII subject), so the host ceiling is what holds: on a subject of
// regexpReserveMin units or more, these methods reserve the most their
// matches can take (Config.Reserve) for as long as they run, and a
// reservation the ceiling refuses is a RangeError before any match is
// made. A shorter subject lists at most regexpReserveMin matches (~160 MB).
const (
	regexpReserveMin = 1 << 20
	costMatch        = 160 // bytes a match holds while the list is built, measured
)

// installRegExpGuards wraps RegExp.prototype[Symbol.match] and
// [Symbol.split] (guardReplace wraps [Symbol.replace] and calls
// reserveMatches).
func (g *guards) installRegExpGuards() {
	g.onRegExpProto(g.installRegExpProto)
}

func (g *guards) installRegExpProto(rp *goja.Object) {
	re, ok := g.globalGuardOf("RegExp").value.(*goja.Object) // the wrapper
	if !ok {
		return
	}
	rg := &replaceGuard{g: g}
	g.installRegExpWork(rp, rg)
	g.reProto, g.reCtor = rp, re
	if d, err := g.gopd(goja.Undefined(), re, goja.SymSpecies); err == nil {
		if do, ok := d.(*goja.Object); ok {
			g.reSpecies = do.Get("get")
		}
	}
	for _, m := range []struct {
		sym    *goja.Symbol
		length int
		what   string
	}{{goja.SymMatch, 1, "RegExp.prototype[Symbol.match]"}, {goja.SymSplit, 2, "RegExp.prototype[Symbol.split]"}} {
		m := m
		g.wrapWith(rp, m.sym, m.length, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			if _, ok := c.This.(*goja.Object); !ok {
				return call(orig, c.This, c.Arguments...) // the TypeError, before ToString
			}
			args := append([]goja.Value(nil), c.Arguments...)
			if len(args) == 0 {
				args = append(args, goja.Undefined())
			}
			s := rg.stringOfValue(args[0]) // ToString once; the original gets the string
			args[0] = s
			if m.sym == goja.SymSplit && !g.plainSplitter(c.This) {
				return g.genericSplit(c.This, s, c.Argument(1)) // regexp_split.go
			}
			defer g.reserveMatches(s, m.what)()
			if ri, ok := gojax.RegexpOf(c.This.(*goja.Object)); ok {
				g.boundRegexpWork(ri, s, m.sym == goja.SymSplit || ri.Global) // regexp_work.go
			}
			return call(orig, c.This, args...)
		})
	}
}

// installRegExpWork bounds the single searches (regexp_work.go):
// RegExp.prototype.test and [Symbol.search] are wrapped (and so counted
// as native levels, as countedBuiltins would); exec, which goja's fast
// paths watch (a replaced exec sends every regexp down the generic
// paths), keeps its function object and gets the guard inside it
// (gojax.ReplaceNative). Without the layout exec is wrapped as the
// others, and the fast paths are lost. goja's generic paths and the
// matchAll iterator call exec from a Go loop, once a match, so exec
// also takes a JS step whenever the searches since the last one may
// have taken regexpTick NFA steps (every call, for regexp2's).
func (g *guards) installRegExpWork(rp *goja.Object, rg *replaceGuard) {
	// guarded runs orig after the work bound, for this's compiled form
	// ri. A this that is no RegExp (ok false) goes to orig as it is: its
	// TypeError comes before any conversion of the argument, as the spec
	// orders them.
	guarded := func(orig func(this goja.Value, arg goja.Value) goja.Value, this, arg goja.Value, ri gojax.RegexpInfo, ok bool) goja.Value {
		if s, short := arg.(goja.String); !ok || short && s.Length() < 16 {
			return orig(this, arg) // (16 characters: at most 16 steps an instruction)
		}
		s := rg.stringOfValue(arg)
		g.boundRegexpWork(ri, s, false)
		return orig(this, s)
	}
	regexpOf := func(v goja.Value) (gojax.RegexpInfo, bool) {
		if o, ok := v.(*goja.Object); ok {
			return gojax.RegexpOf(o)
		}
		return gojax.RegexpInfo{}, false
	}
	for _, m := range []struct {
		key any
		len int
	}{{"test", 1}, {goja.SymSearch, 1}} {
		g.wrapWith(rp, m.key, m.len, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			ri, ok := regexpOf(c.This) // a generic receiver (its exec is called), or the TypeError: orig
			return guarded(func(this, arg goja.Value) goja.Value { return call(orig, this, arg) }, c.This, c.Argument(0), ri, ok)
		})
	}
	ex, ok := rp.Get("exec").(*goja.Object)
	if !ok {
		return
	}
	var since float64 // NFA steps the calls since the last JS step may have taken
	step := func(ri gojax.RegexpInfo, arg goja.Value) {
		n := 16.0
		if s, ok := arg.(goja.String); ok {
			n = float64(s.Length())
		}
		if ri.Go == nil {
			since = regexpTick // regexp2: up to MaxRegexpMatch a call
		} else {
			since += float64(g.rxInfoOf(ri.Go).insts) * (n + 1)
		}
		if since >= regexpTick {
			since = 0
			g.jsStep()
		}
	}
	exec := func(orig func(this, arg goja.Value) goja.Value, c goja.FunctionCall) goja.Value {
		ri, ok := regexpOf(c.This)
		if ok {
			step(ri, c.Argument(0))
		}
		return guarded(orig, c.This, c.Argument(0), ri, ok)
	}
	var origExec func(goja.FunctionCall) goja.Value
	direct := func(this, arg goja.Value) goja.Value {
		return origExec(goja.FunctionCall{This: this, Arguments: []goja.Value{arg}})
	}
	if origExec, ok = gojax.ReplaceNative(ex, func(c goja.FunctionCall) goja.Value { return exec(direct, c) }); ok {
		if wrapperMade != nil {
			wrapperMade(g.vm, ex) // a guard now, to the tests (lazy.go)
		}
		return
	}
	g.wrapWith(rp, "exec", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		return exec(func(this, arg goja.Value) goja.Value { return call(orig, this, arg) }, c)
	})
}

// reserveMatches reserves what listing the matches of a regexp in s can
// hold, when s is long (see above); the release is the caller's.
func (g *guards) reserveMatches(s goja.String, what string) func() {
	n := s.Length()
	if n < regexpReserveMin {
		return noRelease
	}
	return g.reserve(int64(n+1)*costMatch, fmt.Sprintf("%s on a %d-character subject", what, n))
}
