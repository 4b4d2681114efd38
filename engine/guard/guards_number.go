package guard

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/isobox/isobox/internal/gojax"
)

// parseFloat: goja matches a Go regexp over the whole trimmed argument
// (parseFloatRegexp) before it parses the prefix it found, in one Go
// step: 85-150 ns a character, ~19 s at the string cap. The guard puts
// its own code inside the one function object goja makes for both
// parseFloat and Number.parseFloat (gojax.ReplaceNative, when goja first
// makes either, through the global template's hook and the Number
// template's deferral): an argument of parseFloatMin characters or more
// is read by a hand-written scanner of the same grammar, in one linear
// pass, and its number parsed as goja parses it (strconv.ParseFloat).
const parseFloatMin = 1 << 12

func (g *guards) installParseFloatGuard() {
	var done bool
	guard := func(orig goja.Value) goja.Value {
		o, ok := orig.(*goja.Object)
		if !ok || done {
			return orig
		}
		var origF func(goja.FunctionCall) goja.Value
		var ok2 bool
		origF, ok2 = gojax.ReplaceNative(o, func(c goja.FunctionCall) goja.Value {
			s, p, ok := (&replaceGuard{g: g}).toStr(c.Argument(0)) // ToString, once
			if !ok {
				return origF(goja.FunctionCall{This: c.This, Arguments: []goja.Value{p}}) // its TypeError
			}
			if s.Length() < parseFloatMin {
				return origF(goja.FunctionCall{This: c.This, Arguments: []goja.Value{s}})
			}
			return g.vm.ToValue(parseFloat(s.String()))
		})
		if ok2 {
			done = true
			if wrapperMade != nil {
				wrapperMade(g.vm, o)
			}
		}
		return orig
	}
	if g.hooks && gojax.RegexpLayout() == nil {
		number, _ := g.vm.Get("Number").(*goja.Object)
		if gojax.HookGlobal(g.vm, "parseFloat", guard) && number != nil &&
			gojax.DeferProperty(g.vm, number, "parseFloat", guard) {
			return
		}
	}
	guard(g.vm.Get("parseFloat"))
	if done {
		return
	}
	// Without the layout: one wrapper for both names, as goja has one
	// function for both.
	g.wrapWith(g.vm.GlobalObject(), "parseFloat", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		s, p, ok := (&replaceGuard{g: g}).toStr(c.Argument(0))
		if !ok {
			return call(orig, c.This, p)
		}
		if s.Length() < parseFloatMin {
			return call(orig, c.This, s)
		}
		return g.vm.ToValue(parseFloat(s.String()))
	})
	if number, ok := g.vm.Get("Number").(*goja.Object); ok {
		_ = number.DefineDataProperty("parseFloat", g.vm.Get("parseFloat"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// parseFloat is goja's parseFloat of s, in one linear pass: the longest
// prefix of s without its leading white space that matches
// [+-]?(Infinity|[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?), then
// strconv.ParseFloat of it (NaN if it fails other than by range).
// (bindings/inspect has its own port for util.format, as it imports
// nothing of isobox's.)
func parseFloat(s string) float64 {
	s = strings.TrimLeft(s, parser.WhitespaceChars) // goja's trim
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	digits := func() {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	digits()
	if i < len(s) && s[i] == '.' {
		i++
		digits()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = j
			digits()
		}
	}
	m := s[:i]
	if m == "" || m == "+" || m == "-" {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(m, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return math.NaN()
		}
	}
	return f
}
