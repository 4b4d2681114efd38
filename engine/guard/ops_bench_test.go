package guard

import (
	"testing"

	"github.com/dop251/goja"
)

// opCase is one loop body of an operator benchmark.
type opCase struct{ name, body string }

// benchOps runs each body in a loop compiled as it is and through
// RewriteOps, in a guarded runtime: each op is one iteration. vars are
// the loop function's variables; a body in literal is not rewritten.
func benchOps(b *testing.B, vars string, cases []opCase, literal map[string]bool) {
	for _, c := range cases {
		for _, rewrite := range []bool{false, true} {
			name := c.name + "/as-is"
			if rewrite {
				name = c.name + "/rewritten"
			}
			b.Run(name, func(b *testing.B) {
				vm := goja.New()
				if err := Install(vm, Config{}); err != nil {
					b.Fatal(err)
				}
				// The loop's own i < n and i++ are never rewritten.
				src := "function f(n) { var " + vars + "; for (var i = 0; i < n; i++) { " + c.body + " } return s }"
				if rewrite {
					out, err := RewriteOps(src)
					if err != nil {
						b.Fatal(err)
					}
					if out == src && !literal[c.name] {
						b.Fatal("not rewritten")
					}
					src = out
				}
				if _, err := vm.RunString(src); err != nil {
					b.Fatal(err)
				}
				f, _ := goja.AssertFunction(vm.Get("f"))
				b.ReportAllocs()
				b.ResetTimer()
				if _, err := f(goja.Undefined(), vm.ToValue(b.N)); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}

// BenchmarkMultiply measures what the * rewrite costs a loop (a load, a
// multiply, an add).
func BenchmarkMultiply(b *testing.B) {
	benchOps(b, "x = 1.5, y = 2.5, s = 0, a = [1.5, 2.5]", []opCase{
		{"names", "s += x * y"},
		{"members", "s += a[0] * a[1]"},
		{"literal", "s += x * 2"},
	}, map[string]bool{"literal": true})
}

// BenchmarkAdd measures what the + and template rewrite costs a loop:
// bound names that hold Numbers take the inline typeof path; strings,
// members and templates go through the helper.
func BenchmarkAdd(b *testing.B) {
	benchOps(b, "x = 1.5, s = 0, a = [1.5], c = 'ab', d = 'cd', t", []opCase{
		{"numbers", "s = s + x"},
		{"compound", "s += x"},
		{"member", "s = s + a[0]"},
		{"strings", "t = c + d"},
		{"template", "t = `${c}-${d}`"},
	}, nil)
}
