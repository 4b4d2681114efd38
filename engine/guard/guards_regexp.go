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
	re, ok := g.vm.Get("RegExp").(*goja.Object)
	if !ok {
		return
	}
	rp, ok := re.Get("prototype").(*goja.Object)
	if !ok {
		return
	}
	rg := &replaceGuard{g: g}
	g.installRegExpWork(rp, rg)
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
			defer g.reserveMatches(s, m.what)()
			ri, _ := gojax.RegexpOf(c.This.(*goja.Object))
			g.boundRegexpWork(c.This, s, m.sym == goja.SymSplit || ri.Global) // regexp_work.go
			return call(orig, c.This, args...)
		})
	}
}

// installRegExpWork bounds the single searches: RegExp.prototype.test
// and [Symbol.search] are wrapped; exec, which goja's fast paths watch
// (a replaced exec sends every regexp down the generic paths), keeps its
// function object and gets the guard inside it (gojax.ReplaceNative).
// Without the layout exec is wrapped as the others, and the fast paths
// are lost. The matchAll iterator calls exec. (regexp_work.go)
func (g *guards) installRegExpWork(rp *goja.Object, rg *replaceGuard) {
	single := func(orig func(goja.Value, goja.String) goja.Value) func(goja.Value, goja.Value) goja.Value {
		return func(this, arg goja.Value) goja.Value {
			s := rg.stringOfValue(arg)
			g.boundRegexpWork(this, s, false)
			return orig(this, s)
		}
	}
	isGoRegexp := func(v goja.Value) bool {
		o, ok := v.(*goja.Object)
		if !ok {
			return false
		}
		ri, ok := gojax.RegexpOf(o)
		return ok && ri.Go != nil
	}
	for _, m := range []struct {
		key any
		len int
	}{{"test", 1}, {goja.SymSearch, 1}} {
		g.wrapWith(rp, m.key, m.len, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			if !isGoRegexp(c.This) {
				return call(orig, c.This, c.Arguments...)
			}
			return single(func(this goja.Value, s goja.String) goja.Value { return call(orig, this, s) })(c.This, c.Argument(0))
		})
	}
	ex, ok := rp.Get("exec").(*goja.Object)
	if !ok {
		return
	}
	var origExec func(goja.FunctionCall) goja.Value
	guarded := single(func(this goja.Value, s goja.String) goja.Value {
		return origExec(goja.FunctionCall{This: this, Arguments: []goja.Value{s}})
	})
	if origExec, ok = gojax.ReplaceNative(ex, func(c goja.FunctionCall) goja.Value {
		// goja's generic paths (a subclass, an own exec...) call exec
		// from a Go loop, once a match: each call takes a step.
		g.jsStep()
		if !isGoRegexp(c.This) {
			return origExec(c)
		}
		return guarded(c.This, c.Argument(0))
	}); ok {
		if wrapperMade != nil {
			wrapperMade(g.vm, ex) // a guard now, to the tests (lazy.go)
		}
		return
	}
	g.wrapWith(rp, "exec", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if !isGoRegexp(c.This) {
			return call(orig, c.This, c.Arguments...)
		}
		return single(func(this goja.Value, s goja.String) goja.Value { return call(orig, this, s) })(c.This, c.Argument(0))
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
