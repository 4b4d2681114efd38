package guard

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func TestRenameImports(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"var a = 1;", "var a = 1;"},
		{"f(import(x));", "f($mport(x));"},
		{"a.import(x); ({ import(y) { return 1 } }); var s = 'import(x)'; // import(z)\nimport (q)", "a.import(x); ({ import(y) { return 1 } }); var s = 'import(x)'; // import(z)\n$mport (q)"},
		{"x = `${import(a)}` + /import(/.source;\nawait import(b)", "x = `${$mport(a)}` + /import(/.source;\nawait $mport(b)"},
		{"import /* c */ (a); import //\n(b)", "$mport /* c */ (a); $mport //\n(b)"},
		{"var x = ;", "var x = ;"}, // a real syntax error is left to the compiler
	} {
		got, _, err := renameImports("(async function(){" + c.in + "\n})")
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if want := "(async function(){" + c.want + "\n})"; got != want {
			t.Errorf("renameImports(%q) =\n%q, want\n%q", c.in, got, want)
		}
	}
	many := "(async function(){" + strings.Repeat("import(x);", MaxDynamicImports+1) + "})"
	if _, _, err := renameImports(many); err == nil {
		t.Error("no error past MaxDynamicImports")
	}
}

// TestRewriteImports: every import() call reaches Config.Import with its
// evaluated arguments, in every kind of source; what is not a valid
// import() call stays the SyntaxError it is.
func TestRewriteImports(t *testing.T) {
	for _, c := range []struct {
		src, want string // want: the calls seen, or "SyntaxError"
	}{
		{`import("a")`, `a|undefined`},
		{`import("a", {with: {type: "json"}})`, `a|[object Object]`},
		{`import ( "a" , )`, `a|undefined`},
		{`var n = 1n, m = 2n; import(String(n << m)); import(String(2n ** 3n))`, `4|undefined;8|undefined`},
		{`"use strict"; (() => import(import("n")))()`, `n|undefined;p|undefined`},
		{"import /* c */ (`t`)", `t|undefined`},
		{`var import_ = 1; x = { import(q) { return q } }.import(1)`, ``},
		{`new import("a")`, `SyntaxError`},
		{`import(...["a"])`, `SyntaxError`},
		{`import()`, `SyntaxError`},
		{`import("a", 1, 2)`, `SyntaxError`},
		{`import.meta`, `SyntaxError`},
		{`let f = import; f("a")`, `SyntaxError`},
	} {
		vm := goja.New()
		var seen []string
		cfg := Config{Import: func(s, o goja.Value) goja.Value {
			seen = append(seen, s.String()+"|"+o.String())
			return vm.ToValue("p")
		}}
		if err := Install(vm, cfg); err != nil {
			t.Fatal(err)
		}
		vm.Set("a", vm.NewObject())
		out, err := RewriteOps(c.src)
		if err == nil {
			_, err = vm.RunString(out)
		}
		got := strings.Join(seen, ";")
		if err != nil {
			got = err.Error()
			if strings.Contains(got, "SyntaxError") {
				got = "SyntaxError"
			}
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q (rewritten %q)", c.src, got, c.want, out)
		}
	}
}

// TestImportWithoutLoader: a runtime with no Config.Import rejects.
func TestImportWithoutLoader(t *testing.T) {
	vm := goja.New()
	if err := Install(vm, Config{}); err != nil {
		t.Fatal(err)
	}
	out, err := RewriteOps(`var r; import("x").catch(e => { r = e.name + ": " + e.message })`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vm.RunString(out); err != nil {
		t.Fatal(err)
	}
	if got := vm.Get("r").String(); !strings.HasPrefix(got, "TypeError: import()") {
		t.Errorf("got %q", got)
	}
}

// FuzzRenameImports: any text, never a panic, and the output differs from
// the input only where "import" became importName.
func FuzzRenameImports(f *testing.F) {
	for _, s := range []string{"import(x)", "a.import(b)", "`${import(a)}`", "import.meta", "'import('", "/import(/", "import\n(x)", "(import)(x)", "import/**/(x)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<12 {
			return
		}
		code := "(async function(){" + s + "\n})"
		if CheckNesting(code, DefaultMaxNesting) != nil {
			return
		}
		got, _, err := renameImports(code)
		if err != nil {
			return
		}
		if len(got) != len(code) {
			t.Fatalf("length changed: %q -> %q", code, got)
		}
		for i := 0; i < len(code); i++ {
			if got[i] != code[i] {
				if !strings.HasPrefix(code[i:], "import") || !strings.HasPrefix(got[i:], importName) {
					t.Fatalf("changed at %d: %q -> %q", i, code, got)
				}
				i += len("import") - 1
			}
		}
		if _, err := RewriteOps(code); err != nil && !strings.Contains(err.Error(), "guard:") {
			t.Fatalf("RewriteOps(%q): %v", code, err)
		}
	})
}
