package guard

import (
	"fmt"

	"github.com/dop251/goja"
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
			return call(orig, c.This, args...)
		})
	}
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
