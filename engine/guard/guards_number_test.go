package guard

import (
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// parseFloat of a long argument is read by the guard's scanner, with
// goja's results on its grammar's corners, through both names of the one
// function, whichever is touched first.
func TestParseFloatLong(t *testing.T) {
	pad := strings.Repeat(" ", parseFloatMin)
	var cases []string
	for _, in := range []string{
		"1.5e3xyz", "-.5", "+Infinityx", "-Infinity", "Infinit", "0x10", "1.e5", ".", "+.", "-", "+", "", "1e", "1e+", "1E-3",
		"\u00a0\u2028\ufeff42", "007.70", "1_000", "inf", "NaN", "1e400", "-1e400", "4.9e-325", "123456789012345678901234567890",
	} {
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\u00a0", `\u00a0`, "\u2028", `\u2028`, "\ufeff", `\ufeff`).Replace(in)
		cases = append(cases, `parseFloat("`+esc+`")`, `parseFloat(P + "`+esc+`")`, `parseFloat("`+esc+`" + P.replace(/ /g, "9"))`)
	}
	cases = append(cases, `Number.parseFloat(P + "2.5")`, `[Number.parseFloat === parseFloat, parseFloat.name, parseFloat.length].join()`,
		`parseFloat({toString() { return P + "-7" }})`, `try { parseFloat(Symbol()) } catch (e) { e.name }`)
	src := func(expr string) string { return `var P = "` + pad + `"; String(` + expr + `)` }
	for _, mode := range []string{"lazy", "eager", "no layout"} {
		for _, first := range []string{"", "Number.parseFloat; "} {
			for _, c := range cases {
				var vm *goja.Runtime
				switch mode {
				case "lazy":
					vm = guardedVM(t, Config{})
				case "eager":
					vm = guardedVM(t, Config{Eager: true})
				default:
					restore := gojax.Disable()
					vm = guardedVM(t, Config{})
					restore()
				}
				plain, guarded := outcome(goja.New(), first+src(c)), outcome(vm, first+src(c))
				if plain != guarded {
					t.Errorf("%s: %s%s\nplain:   %s\nguarded: %s", mode, first, c, plain, guarded)
				}
			}
		}
	}
}

// The scanner is linear and the result a step: a long argument is not
// read by goja's regexp. (What it costs: BenchmarkParseFloat.)
func BenchmarkParseFloat(b *testing.B) {
	benchGuarded(b, `var s = "1".repeat(2**20)`, []benchCase{
		{"unguarded", false, "parseFloat(s)"},
		{"guarded", true, "parseFloat(s)"},
	})
}
