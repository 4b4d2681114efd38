package module

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestIsModulePath(t *testing.T) {
	for _, c := range []struct {
		path string
		want bool
	}{
		{"a.mjs", true}, {"a.mts", true}, {"a.ts", true}, {"A.TSX", true}, {"a.jsx", true},
		{"a.js", false}, {"a.cjs", false}, {"a.json", false}, {"mjs", false}, {"dir.ts/a.js", false},
	} {
		if got := IsModulePath(c.path); got != c.want {
			t.Errorf("IsModulePath(%q) = %v, want %v", c.path, got, c.want)
		}
	}
}

func TestBuiltinName(t *testing.T) {
	for spec, want := range map[string]string{
		"node:fs": "node:fs", "fs": "fs", "fs/promises": "fs/promises", "node:anything": "node:anything",
		"path": "path", "./fs": "", "fsx": "", "lodash": "", "@scope/fs": "",
	} {
		if got := builtinName(spec); got != want {
			t.Errorf("builtinName(%q) = %q, want %q", spec, got, want)
		}
	}
}

func TestFileURLPath(t *testing.T) {
	for _, c := range []struct{ url, want, err string }{
		{"file:///a/b.mjs", "/a/b.mjs", ""},
		{"file://localhost/a/b.mjs", "/a/b.mjs", ""},
		{"file:///a%20b/c%2Fd.mjs?x=1#h", "/a b/c/d.mjs", ""},
		{"file:relative.mjs", "", "not an absolute file: URL"},
		{"file:///a/b/../c.mjs", "/a/c.mjs", ""},
		{"file:///a/b/%2e%2e/%2E%2E/c.mjs", "/c.mjs", ""},
		{"file:///a//b/./c.mjs", "/a/b/c.mjs", ""},
	} {
		got, err := fileURLPath(c.url)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want %q", c.url, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.url, got, err, c.want)
		}
	}
}

// A file: URL with .. after a symbolic link to a directory outside the
// read roots: the read check cleans the path (root/x), the system opened
// it as written (outside/x).
func TestFileURLDotDotAfterSymlink(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	for _, d := range []string{root, filepath.Join(outside, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.mjs"), []byte("export const s = 'TOPSECRET';\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "sub"), filepath.Join(root, "link")); err != nil {
		t.Skip(err)
	}
	// The engine's check: cleaned, symbolic links resolved, under root.
	canRead := func(p string) bool {
		abs, err := filepath.Abs(p)
		if err != nil {
			return false
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		rel, err := filepath.Rel(root, abs)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	for _, spec := range []string{"link/../secret.mjs", "link/%2e%2e/secret.mjs", "link/%2E%2E/secret.mjs"} {
		url := "file://" + filepath.ToSlash(root) + "/" + spec
		for _, text := range []string{"import { s } from " + strconv.Quote(url) + ";\nexport { s };\n", "export * from " + strconv.Quote(url) + ";\n"} {
			entry := filepath.Join(root, "a.mjs")
			if err := os.WriteFile(entry, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Build(Entry{Path: entry}, Options{CanRead: canRead})
			if err == nil {
				t.Errorf("%s: built, reading %v", spec, res.Inputs)
				continue
			}
			if strings.Contains(err.Error(), "TOPSECRET") {
				t.Errorf("%s: %v", spec, err)
			}
		}
	}
}

// data: URL modules go through Check as files do: esbuild loaded them
// itself, and a deeply nested one overflowed its parser's stack (a Go
// fatal error, which ends the process).
func TestDataURLModules(t *testing.T) {
	dir := t.TempDir()
	deep := strings.Repeat("(", 300000) + "1" + strings.Repeat(")", 300000)
	check := func(name, text string) error {
		if strings.HasPrefix(text, "((((") { // the data: URL's text, not the file naming it
			return &Error{Message: "too deep: " + name}
		}
		return nil
	}
	for _, c := range []struct{ text, err string }{
		{`import x from "data:text/javascript,` + deep + `"; export { x };`, "too deep: data:text/javascript,"},
		{`import x from "data:text/javascript;base64,ZXhwb3J0IGRlZmF1bHQgNDI="; import j from "data:application/json,%7B%22b%22%3A2%7D"; export { x, j };`, ""},
		{`import x from "data:text/css,a{}"; export { x };`, "of type text/javascript and application/json"},
		{`import x from "data:text/javascript;base64,!!"; export { x };`, "illegal base64"},
	} {
		entry := filepath.Join(dir, "a.mjs")
		if err := os.WriteFile(entry, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := Build(Entry{Path: entry}, Options{CanRead: func(string) bool { return true }, Check: check})
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%.60s: %v", c.text, err)
		case c.err == "" && !strings.Contains(res.Code, "42"):
			t.Errorf("%.60s: %s", c.text, res.Code)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%.60s: err %v, want %q", c.text, err, c.err)
		}
	}
}

func TestVLQ(t *testing.T) {
	for _, vals := range [][]int{{0}, {1, -1, 15, -16}, {16, 1000000, -1000000}, {0, 0, 0, 0, 0}} {
		enc := encodeVLQ(vals)
		dec, ok := decodeVLQ(enc)
		if !ok || len(dec) != len(vals) {
			t.Fatalf("%v -> %q -> %v, %v", vals, enc, dec, ok)
		}
		for i := range vals {
			if dec[i] != vals[i] {
				t.Errorf("%v -> %q -> %v", vals, enc, dec)
			}
		}
	}
	if _, ok := decodeVLQ("g"); ok { // a continuation bit with nothing after it
		t.Error("decodeVLQ accepted a truncated value")
	}
	if _, ok := decodeVLQ("!"); ok {
		t.Error("decodeVLQ accepted a non-base64 byte")
	}
}

func TestShiftColumns(t *testing.T) {
	// Line 1: a segment at generated column 0 from source 0, line 0,
	// column 0, then one 4 columns on, 2 source columns on. Line 2: one
	// segment at column 2, source column back by 1.
	in := encodeVLQ([]int{0, 0, 0, 0}) + "," + encodeVLQ([]int{4, 0, 0, 2}) + ";" + encodeVLQ([]int{2, 0, 1, -1})
	out := shiftColumns(in)
	lines := strings.Split(out, ";")
	want := [][][]int{{{1, 0, 0, 1}, {4, 0, 0, 2}}, {{3, 0, 1, -1}}}
	for i, line := range lines {
		for j, seg := range strings.Split(line, ",") {
			got, ok := decodeVLQ(seg)
			if !ok || len(got) != 4 {
				t.Fatalf("segment %d.%d: %q", i, j, seg)
			}
			for k := range got {
				if got[k] != want[i][j][k] {
					t.Errorf("segment %d.%d = %v, want %v", i, j, got, want[i][j])
				}
			}
		}
	}
	if got := shiftColumns("!!;x"); got != "!!;x" {
		t.Errorf("a bad mapping was changed: %q", got)
	}
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("syntax.ts", "let a: number = 1;\nlet b = ;\n")
	write("ok.mjs", "import './syntax.ts';\n")
	write("style.mjs", "import './x.css';\n")
	write("x.css", "a {}\n")
	all := Options{CanRead: func(string) bool { return true }}
	_, err := Build(Entry{Path: filepath.Join(dir, "ok.mjs"), Display: "d/ok.mjs"}, all)
	e, ok := err.(*Error)
	if !ok || !e.Syntax || e.File != "d/syntax.ts" || e.Line != 2 || e.Column != 9 {
		t.Errorf("syntax error = %#v", err)
	}
	_, err = Build(Entry{Path: filepath.Join(dir, "style.mjs")}, all)
	if err == nil || !strings.Contains(err.Error(), "isobox imports .js, .mjs") {
		t.Errorf("css import: %v", err)
	}
	_, err = Build(Entry{Path: filepath.Join(dir, "ok.mjs")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "outside the directories this isolate may read") {
		t.Errorf("nil CanRead: %v", err)
	}
	_, err = Build(Entry{Path: filepath.Join(dir, "ok.mjs")}, Options{CanRead: all.CanRead, Check: func(name, text string) error {
		return &Error{Message: "refused " + filepath.Base(name)}
	}})
	if err == nil || !strings.Contains(err.Error(), "refused ok.mjs") {
		t.Errorf("Check: %v", err)
	}
}
