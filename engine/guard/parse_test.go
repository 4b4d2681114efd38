package guard

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// A source map named by URL in a script is never read, by any compile
// path (a file, eval, the Function constructors, RunString); one inline in
// the source still maps. The control, goja.Compile, shows the map file is
// one goja would use.
func TestSourceMapURLNotLoaded(t *testing.T) {
	dir := t.TempDir()
	mapFile, name := filepath.Join(dir, "leak.map"), filepath.Join(dir, "x.js")
	if err := os.WriteFile(mapFile, []byte(`{"version":3,"sources":["LEAKED.js"],"names":[],"mappings":"AAAA;AACA;AACA;AACA"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tail := "\n//# sourceMappingURL=" + mapFile
	thrower := "function f() { throw new Error('x') }\ntry { f() } catch (e) { e.stack }" + tail
	stackOf := func(p *goja.Program, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		v, err := goja.New().RunProgram(p)
		if err != nil {
			t.Fatal(err)
		}
		return v.String()
	}
	if s := stackOf(goja.Compile(name, thrower, false)); !strings.Contains(s, "LEAKED") {
		t.Fatalf("control: goja.Compile did not use the map file: %s", s)
	}
	if s := stackOf(Compile(name, thrower, false)); strings.Contains(s, "LEAKED") {
		t.Errorf("Compile read the map file: %s", s)
	}
	if prg, err := ParseFile(name, thrower); err != nil {
		t.Fatal(err)
	} else if p, err := goja.CompileAST(prg, false); strings.Contains(stackOf(p, err), "LEAKED") {
		t.Error("ParseFile read the map file")
	}
	vm := guardedVM(t, Config{})
	vm.Set("tail", tail)
	for _, src := range []string{
		thrower,
		`eval("function f() { throw new Error('x') }\ntry { f() } catch (e) { e.stack }" + tail)`,
		`Function("try { throw new Error('x') } catch (e) { return e.stack }" + tail)()`,
		`(0, eval)("try { throw new Error('x') } catch (e) { e.stack }\n" + tail)`,
	} {
		v, err := vm.RunScript(name, src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if strings.Contains(v.String(), "LEAKED") {
			t.Errorf("%s: read the map file: %s", src, v)
		}
	}
	// Inline: still used.
	inline := "function f() { throw new Error('x') }\ntry { f() } catch (e) { e.stack }\n//# sourceMappingURL=data:application/json;base64," +
		"eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIklOTElORS5qcyJdLCJuYW1lcyI6W10sIm1hcHBpbmdzIjoiQUFBQTtBQUNBO0FBQ0E7QUFDQSJ9"
	if s := stackOf(Compile(name, inline, false)); !strings.Contains(s, "INLINE.js") {
		t.Errorf("an inline map was not used: %s", s)
	}
}

// Every parse of a script's text in the module goes through ParseFile or
// Compile: goja's default loader reads the file a sourceMappingURL names,
// and its parser panics on \u{10FFFF} (escapes.go).
func TestNoDefaultParserOptions(t *testing.T) {
	re := regexp.MustCompile(`\bgoja\.Compile\(|\bgoja\.Parse\(|\bparser\.ParseFile\(`)
	n := 0
	walkModuleGo(t, func(p string, lines []string) {
		for _, line := range lines {
			if !re.MatchString(line) || strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			n++
			if strings.HasSuffix(p, "engine/guard/parse.go") || strings.HasSuffix(line, "// a constant source") {
				continue
			}
			t.Errorf("%s: %s: parse through guard.ParseFile / guard.Compile", p, strings.TrimSpace(line))
		}
	})
	if n < 4 {
		t.Errorf("found only %d parse calls: is the walk looking at the module?", n)
	}
}

// walkModuleGo calls fn with the lines of every non-test Go file of the
// module (testdata and node_modules aside).
func walkModuleGo(t *testing.T, fn func(path string, lines []string)) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fn(p, strings.Split(string(src), "\n"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A source goja's parser panics on (found by FuzzRewriteOps) is a
// catchable SyntaxError on every compile path inside the runtime, with no
// Go panic text in its message.
func TestParserPanicIsSyntaxError(t *testing.T) {
	const bad = `class!08!0([...[`
	if _, err, panicked := rawParse(bad); !panicked {
		t.Skipf("goja's parser no longer panics on %q (%v): pick another input", bad, err)
	}
	vm := guardedVM(t, Config{})
	for _, src := range []string{
		`eval(BAD)`, `(0, eval)(BAD)`, `new Function(BAD)`, `Function("a", BAD)`,
		`Object.getPrototypeOf(async function () {}).constructor(BAD)`,
		`Object.getPrototypeOf(function* () {}).constructor(BAD)`,
	} {
		v, err := vm.RunString(`var BAD = ` + "`" + bad + "`" + `; try { ` + src + `; "no error" } catch (e) { e.name + ": " + e.message }`)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := v.String(); got != "SyntaxError: the parser failed on this source" {
			t.Errorf("%s: %s", src, got)
		}
	}
	if _, err := RewriteOps(bad); !errors.Is(err, ErrParserFailed) || strings.Contains(err.Error(), "runtime error") {
		t.Errorf("RewriteOps: %v", err)
	}
}
