package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI runs modules and TypeScript, with errors at their TS positions.
func TestRunModules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"throw.ts":   "interface P { x: number }\nfunction f(p: P): void {\n  throw new TypeError(\"bad \" + p.x);\n}\nf({ x: 1 });\n",
		"syntax.ts":  "const a: number = 1;\nlet b: string = ;\n",
		"ok.mjs":     "import { v } from './v.ts';\nconsole.log(v, args);\n",
		"v.ts":       "export const v: string = 'typed';\n",
		"tla.mjs":    "await new Promise((r) => setTimeout(r, 5));\nthrow new RangeError('late');\n",
		"refuse.mjs": "import '../outside.mjs';\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.mjs"), []byte("console.log('outside ran')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := func(n string) string { return filepath.Join(dir, n) }
	for _, c := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{path("throw.ts")}, 1, "", "Uncaught TypeError: bad 1\n    at f (" + path("throw.ts") + ":3:9)\n    at " + path("throw.ts") + ":5:1\n"},
		{[]string{path("syntax.ts")}, 1, "", path("syntax.ts") + ":2:17: SyntaxError: Unexpected \";\"\n"},
		{[]string{path("ok.mjs"), "a"}, 0, "typed [ 'a' ]\n", ""},
		{[]string{"--process", path("ok.mjs"), "b"}, 0, "typed [ 'b' ]\n", ""},
		{[]string{path("tla.mjs")}, 1, "", "Uncaught RangeError: late\n"},
		{[]string{path("refuse.mjs")}, 1, "", "Error: cannot import " + filepath.Join(filepath.Dir(dir), "outside.mjs")},
		{[]string{path("nope.ts")}, 1, "", "isobox: cannot find file " + path("nope.ts") + "\n"},
	} {
		r := isobox(t, "", c.args...)
		if r.code != c.code || r.stdout != c.stdout || !strings.HasPrefix(r.stderr, c.stderr) {
			t.Errorf("isobox %q: code %d, stdout %q, stderr %q; want %d, %q, %q...", c.args, r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
		}
	}
}

// Relative file names resolve against the working directory, with
// --process too (the worker runs in /): import() in a classic script, and
// a .js file detected as a module.
func TestRelativeImports(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args   []string
		stdout string
	}{
		{[]string{"testdata/imports/classic.js"}, "classic lib [object Module]\n"},
		{[]string{"--process", "testdata/imports/classic.js"}, "classic lib [object Module]\n"},
		{[]string{"testdata/imports/esm.js"}, "esm lib\n"},
		{[]string{"--process", "testdata/imports/esm.js"}, "esm lib\n"},
	} {
		r := isobox(t, "", c.args...)
		if r.code != 0 || r.stdout != c.stdout {
			t.Errorf("isobox %q: code %d, stdout %q, stderr %q; want 0, %q", c.args, r.code, r.stdout, r.stderr, c.stdout)
		}
	}
}

// --module-cache keeps the built graph in a directory the next run reads.
func TestModuleCacheFlag(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	for i := 0; i < 2; i++ {
		r := isobox(t, "", "--module-cache", cache, "testdata/imports/esm.js")
		if r.code != 0 || r.stdout != "esm lib\n" {
			t.Fatalf("run %d: code %d, stdout %q, stderr %q", i, r.code, r.stdout, r.stderr)
		}
	}
	if files, _ := filepath.Glob(filepath.Join(cache, "*.json")); len(files) == 0 {
		t.Error("nothing was written to the cache directory")
	}
	if r := isobox(t, "", "--module-cache"); r.code != 2 {
		t.Errorf("--module-cache without a directory: code %d", r.code)
	}
}

// isobox types prints types/isobox.d.ts.
func TestTypesCommand(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("types/isobox.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	r := isobox(t, "", "types")
	if r.code != 0 || r.stdout != string(want) {
		t.Errorf("isobox types: code %d, %d bytes, want %d bytes", r.code, len(r.stdout), len(want))
	}
	if r := isobox(t, "", "types", "x"); r.code != exitUsage {
		t.Errorf("isobox types x: code %d", r.code)
	}
}

// The REPL's .load and .spawn take modules and TypeScript.
func TestREPLModules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, in, want string }{
		{"load a module", ".load testdata/repl/mod.mjs\n", "mod loaded\n[Module: null prototype] { answer: [Getter] }\n"},
		{"import() in a loaded script resolves from its file", ".load testdata/imports/loader.js\n(await loadLib()).v\n", "[Function (anonymous)]\n'lib'\n"},
		{"load it again: not run twice", ".load testdata/repl/mod.mjs\n.load testdata/repl/mod.mjs\n", "mod loaded\n[Module: null prototype] { answer: [Getter] }\n[Module: null prototype] { answer: [Getter] }\n"},
		{"load a classic TS script", ".load testdata/repl/classic.ts\nfromTS\n", "'typed global'\n"},
		{"load a TS syntax error", ".load testdata/repl/bad.ts\n", "Uncaught SyntaxError: Unexpected \";\"\n    at testdata/repl/bad.ts:2:19\n"},
		{"spawn a module", ".spawn testdata/repl/worker.mjs w\n", "spawned 2 w\n+worker main 42\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := isobox(t, c.in, "repl")
			ok := r.stdout == c.want
			if a, b, unordered := strings.Cut(c.want, "+"); unordered { // lines in either order
				ok = len(r.stdout) == len(a)+len(b) && strings.Contains(r.stdout, a) && strings.Contains(r.stdout, b)
			}
			if r.code != 0 || !ok {
				t.Errorf("input:\n%s\ncode %d, stdout:\n%q\nwant:\n%q\nstderr: %q", c.in, r.code, r.stdout, c.want, r.stderr)
			}
		})
	}
}
