package gojax

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// FuncSource finds each function's program text and start; the text goja
// keeps may be short of closing parentheses, but the program's text at
// start always begins with it.
func TestFuncSource(t *testing.T) {
	if err := FuncLayout(); err != nil {
		t.Fatalf("goja function layout not recognized: %v", err)
	}
	const src = "var fs = [\n  x => (x),\n  function named(a) { return a },\n  async (o) => ({ s: o }),\n  ({ m() {} }).m,\n  (class { static s() {} }).s,\n  function* g() {},\n  (class { static #p() {} static q() { return this.#p } }).q(),\n  x => x,\n  x => x,\n];\nfs"
	prg, err := goja.Compile("prog.js", src, false)
	if err != nil {
		t.Fatal(err)
	}
	r := goja.New()
	v, err := r.RunProgram(prg)
	if err != nil {
		t.Fatal(err)
	}
	arr := v.(*goja.Object)
	cases := []struct {
		text string // what goja keeps
		at   string // the function's whole text, found in src
		nth  int    // which occurrence of at in src
	}{
		{"x => (x", "x => (x)", 0},
		{"function named(a) { return a }", "function named(a) { return a }", 0},
		{"async (o) => ({ s: o }", "async (o) => ({ s: o })", 0},
		{"m() {}", "m() {}", 0},
		{"s() {}", "s() {}", 0},
		{"function* g() {}", "function* g() {}", 0},
		{"#p() {}", "#p() {}", 0},
		{"x => x", "x => x,", 0}, // same text twice: told apart by position
		{"x => x", "x => x,", 1},
	}
	for i, c := range cases {
		fl, start, text, ok := FuncSource(arr.Get(string(rune('0' + i))).(*goja.Object))
		want := strings.Index(src, c.at)
		if c.nth == 1 {
			want += 1 + strings.Index(src[want+1:], c.at)
		}
		if !ok || fl.Name() != "prog.js" || text != c.text || start != want {
			t.Errorf("%d: FuncSource = %v %q at %d, want %q at %d", i, ok, text, start, c.text, want)
		}
	}
	for _, s := range []string{"Math.max", "(function(){}).bind(null)", "({})", "[]"} {
		if _, _, _, ok := FuncSource(run(t, r, s)); ok {
			t.Errorf("%s: FuncSource ok for a non-script function", s)
		}
	}
	restore := Disable()
	_, _, _, ok := FuncSource(arr.Get("0").(*goja.Object))
	restore()
	if ok {
		t.Error("FuncSource ok while disabled")
	}
}
