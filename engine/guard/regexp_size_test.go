package guard

import (
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/dop251/goja/parser"
)

// The estimate follows the program Go compiles, within a few
// instructions per node, for patterns with and without counted
// repetitions; a pattern without one, or one goja gives regexp2, is 0.
func TestRegexpInstsEstimate(t *testing.T) {
	for _, p := range []string{
		`x{1000}`, `x{10,1000}`, `x{5,}`, `(?:ab|cd){100}`, `(a(b)c){3,7}d*`, `[a-z]{50}\d{2,4}`,
		`(?:(?:a|b){10}c){10}`, `a{0,100}`, `(?:x{10}|y{20}|z){30}`, strings.Repeat(`\w{100}`, 50),
	} {
		re2, err := parser.TransformRegExp(p, false, false)
		if err != nil {
			t.Fatal(err)
		}
		ast, err := syntax.Parse(re2, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := syntax.Compile(ast.Simplify())
		if err != nil {
			t.Fatal(err)
		}
		got, real := regexpInsts(p, ""), float64(len(prog.Inst))
		if got < real || got > 1.5*real {
			t.Errorf("%s: estimate %.0f, program %.0f", p, got, real)
		}
	}
	for _, p := range []string{`abc`, `a{`, `a{x}`, `(?<=a)b{1000}`, `(a)\1{1000}`} {
		if n := regexpInsts(p, ""); n != 0 {
			t.Errorf("%s: %v, want 0", p, n)
		}
	}
}

// A pattern whose repetitions compile to more than the allocation cap
// allows is refused before Go compiles it, on every run-time path and in
// a source; one under it compiles.
func TestRegexpProgramSize(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 16 << 20}) // 64 Ki instructions
	big := `"x{1000}".repeat(70)`
	expectRangeErrors(t, vm, []string{
		`new RegExp(` + big + `)`,
		`RegExp(` + big + `, "gi")`,
		`/x/.compile(` + big + `)`,
		`"abc".match(` + big + `)`,
		`"abc".matchAll(` + big + `)`,
		`"abc".search({toString() { return ` + big + ` }})`,
		`new RegExp({[Symbol.match]: true, source: ` + big + `, flags: ""})`,
		`new RegExp("(?:ab|cd){1000}".repeat(30))`,
	})
	v, err := vm.RunString(`!new RegExp("x{1000}".repeat(50)).test("y")`)
	if err != nil || !v.ToBoolean() {
		t.Errorf("a program under the cap: %v %v", v, err)
	}
	for _, src := range []string{
		"var r = /" + strings.Repeat("x{1000}", 1500) + "/;",
		strings.Repeat("var r = /"+strings.Repeat("x{1000}", 200)+"/g;\n", 11),
		"/(?:ab|cd){1000}/.test(''); /" + strings.Repeat("(?:ab|cd){1000}", 300) + "/;" + strings.Repeat(" ", 6000),
	} {
		if err := CheckNesting(src, 0); err == nil || !strings.Contains(err.Error(), "instructions") {
			t.Errorf("%.60s...: %v, want the literals refused", src, err)
		}
	}
	if err := CheckNesting("var r = /x{1000}/, s = `${1}`;", 0); err != nil {
		t.Errorf("a small literal: %v", err)
	}
	// A short source is not scanned: many ambiguous slashes in one are
	// not refused for it.
	short := strings.Repeat("if (a) {} /x{2}/.test(b);\n", 40)
	if err := CheckNesting(short, 0); err != nil {
		t.Errorf("a short source with many ambiguous slashes: %v", err)
	}
}
