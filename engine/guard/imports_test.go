package guard

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
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
	for _, c := range []string{"ximport(x); $import(y); o?.import(z); class A { #import() {} static import(x) {} }", "new import(x)", "function import(x) {}", "import(x); var y = ;"} {
		code := "(async function(){" + c + "\n})"
		got, _, err := renameImports(code)
		ref, _, rerr := renameImportsSlow(code)
		if err != nil || rerr != nil {
			t.Errorf("%q: %v, %v", c, err, rerr)
			continue
		}
		if _, perr := parser.ParseFile(nil, "", ref, 0); perr == nil && got != ref {
			t.Errorf("renameImports(%q) = %q, the reference %q", c, got, ref)
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

// renameImportsSlow is the rename as it was before 2026-12-02: one parse
// per call, renaming the keyword the parser stops at. The reference for
// renameImports (FuzzRenameImports).
func renameImportsSlow(src string) (string, map[int]bool, error) {
	var offs map[int]bool
	for i := 0; ; i++ {
		_, err := parser.ParseFile(nil, "", src, 0, parser.WithDisableSourceMaps)
		if err == nil {
			return src, offs, nil
		}
		var list parser.ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			return src, nil, nil
		}
		pos := list[0].Position
		off := offsetOf(src, pos.Line, pos.Column)
		if off < 0 || !strings.HasPrefix(src[off:], "import") || !callFollows(src[off+len("import"):]) {
			return src, nil, nil
		}
		if i >= MaxDynamicImports {
			return "", nil, fmt.Errorf("guard: more than %d import() calls in one source", MaxDynamicImports)
		}
		if offs == nil {
			offs = map[int]bool{}
		}
		offs[off] = true
		src = src[:off] + importName + src[off+len("import"):]
	}
}

// offsetOf returns the byte offset of 1-based line:col, counting line
// terminators as goja does, or -1.
func offsetOf(code string, line, col int) int {
	l, start := 1, 0
	for i := 0; i < len(code) && l < line; i++ {
		switch code[i] {
		case '\n':
			l, start = l+1, i+1
		case '\r':
			if i+1 < len(code) && code[i+1] == '\n' {
				i++
			}
			l, start = l+1, i+1
		case 0xe2:
			if strings.HasPrefix(code[i:], "\u2028") || strings.HasPrefix(code[i:], "\u2029") {
				i += 2
				l, start = l+1, i+1
			}
		}
	}
	if l != line {
		return -1
	}
	off := start + col - 1
	if off < 0 || off > len(code) {
		return -1
	}
	return off
}

// FuzzRenameImports: any text, never a panic, and the output differs from
// the input only where "import" became importName.
func FuzzRenameImports(f *testing.F) {
	for _, s := range []string{"import(x)", "a.import(b)", "`${import(a)}`", "import.meta", "'import('", "/import(/", "import\n(x)", "(import)(x)", "import/**/(x)", "ximport(x)", "class A { #import() {} static import(x) {} }", "new import(x)", "function import(x) {}", "a\nimport(x)", "o?.import(x); import(y)"} {
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
		// The same renames as the one-parse-per-call reference, wherever
		// that one ends with a source that parses.
		if ref, _, rerr := renameImportsSlow(code); rerr == nil {
			if _, perr := parser.ParseFile(nil, "", ref, 0); perr == nil && ref != got {
				t.Fatalf("renameImports(%q) = %q, the reference %q", code, got, ref)
			}
		}
		if _, err := RewriteOps(code); err != nil && !strings.Contains(err.Error(), "guard:") {
			t.Fatalf("RewriteOps(%q): %v", code, err)
		}
	})
}

// TestRenameImportsParsesTwice: the rename costs two parses whatever the
// number of calls. It parsed once per call, each parse up to the next
// call: 250 calls at the end of a 3.5 MB eval source ran for minutes in
// one step that no limit could stop.
func TestRenameImportsParsesTwice(t *testing.T) {
	n := 0
	prev := parseImports
	parseImports = func(src string) (*ast.Program, error) { n++; return prev(src) }
	defer func() { parseImports = prev }()
	src := strings.Repeat("a = 1;\n", 1000) + strings.Repeat("x => import(x);\n", 200) + "o.import(y); 'import(z)'"
	out, offs, err := renameImports(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(offs) != 200 || strings.Count(out, importName+"(") != 200 {
		t.Fatalf("%d renamed", len(offs))
	}
	if n > 2 {
		t.Errorf("%d parses for 200 calls", n)
	}
}
