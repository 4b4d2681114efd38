package bindings_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// TestModulesTest262 runs test262's module tests (language/module-code,
// expressions/dynamic-import, language/import, language/export) through
// the module pipeline, each as the CLI would run it: the harness as a
// classic script that then import()s the test file. It fails for every
// test that fails and is not listed in testdata/test262-modules-known.txt
// (the known differences, README "Limits and known differences"), and for
// every listed test that now passes, so that the list stays true. Proposals
// (import defer, source phase imports, text and bytes imports) and async
// generators (which goja lacks in classic scripts) are left out.
//
// It needs a test262 checkout: ISOBOX_TEST262=/path/to/test262 (with
// harness/ and test/); without it the test skips. It writes its runner
// files next to the tests (they import their fixtures by relative path),
// and removes them. ISOBOX_TEST262_WRITE=1 rewrites the known list.
func TestModulesTest262(t *testing.T) {
	root := os.Getenv("ISOBOX_TEST262")
	if root == "" {
		t.Skip("set ISOBOX_TEST262 to a test262 checkout to run the module conformance check")
	}
	knownFile := filepath.Join("testdata", "test262-modules-known.txt")
	known := map[string]bool{}
	if b, err := os.ReadFile(knownFile); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				known[l] = true
			}
		}
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return string(b)
	}
	var files []string
	for _, d := range []string{"test/language/module-code", "test/language/expressions/dynamic-import", "test/language/import", "test/language/export"} {
		_ = filepath.Walk(filepath.Join(root, d), func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && strings.HasSuffix(p, ".js") && !strings.Contains(p, "_FIXTURE") && !strings.HasPrefix(info.Name(), "__isobox_run_") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Fatalf("no test files under %s", root)
	}
	host := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = host.Shutdown(ctx)
	}()
	skipFeature := regexp.MustCompile(`\b(import-defer|source-phase-imports|import-text|import-bytes|async-iteration)\b`)
	var mu sync.Mutex
	var failed []string
	ran := 0
	run := func(p string) {
		src := read(p)
		m := parseT262Meta(src)
		if m.flags["raw"] || skipFeature.MatchString(m.features) {
			return
		}
		var sb strings.Builder
		sb.WriteString("var print = function (s) { console.log(String(s)) };\n")
		for _, inc := range append([]string{"assert.js", "sta.js"}, m.includes...) {
			sb.WriteString(read(filepath.Join(root, "harness", inc)) + "\n")
		}
		if m.flags["async"] {
			sb.WriteString(read(filepath.Join(root, "harness", "doneprintHandle.js")) + "\n")
		}
		runner := filepath.Join(filepath.Dir(p), "__isobox_run_"+filepath.Base(p))
		if m.flags["module"] {
			fmt.Fprintf(&sb, "import(%q).then(function () { console.log('T262:OK') }, function (e) { console.log('T262:ERR ' + (e && e.constructor && e.constructor.name)) });\n", "./"+filepath.Base(p))
		} else {
			head := sb.String()
			sb.Reset()
			if m.flags["onlyStrict"] {
				sb.WriteString("'use strict';\n")
			}
			sb.WriteString(head + src + "\n;console.log('T262:OK');\n")
		}
		if err := os.WriteFile(runner, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(runner)
		out := &syncBuffer{}
		rel, _ := filepath.Rel(root, p)
		pass := false
		if s, err := engine.FileSource(runner); err == nil {
			iso, err := host.Spawn(s, engine.WithOutput(out, out), engine.WithCapabilities(engine.Capabilities{ReadRoots: []string{root}}))
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				werr := iso.Wait(ctx)
				cancel()
				iso.Kill(engine.Immediate)
				o := out.String()
				switch {
				case m.negType != "":
					pass = strings.Contains(o, "T262:ERR "+m.negType) || (werr != nil && strings.Contains(werr.Error(), m.negType))
				case m.flags["async"]:
					pass = strings.Contains(o, "Test262:AsyncTestComplete") && !strings.Contains(o, "Test262:AsyncTestFailure")
				default:
					pass = strings.Contains(o, "T262:OK") && !strings.Contains(o, "T262:ERR") && werr == nil
				}
			} else if m.negType != "" {
				pass = strings.Contains(err.Error(), m.negType)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		ran++
		if !pass {
			failed = append(failed, filepath.ToSlash(rel))
		}
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				run(p)
			}
		}()
	}
	for _, p := range files {
		work <- p
	}
	close(work)
	wg.Wait()
	sort.Strings(failed)
	t.Logf("ran %d test262 module tests, %d fail (%d known)", ran, len(failed), len(known))
	if os.Getenv("ISOBOX_TEST262_WRITE") == "1" {
		text := "# test262 module tests that fail, by design or not yet fixed (TestModulesTest262)\n" + strings.Join(failed, "\n") + "\n"
		if err := os.WriteFile(knownFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	fails := map[string]bool{}
	for _, f := range failed {
		fails[f] = true
		if !known[f] {
			t.Errorf("fails and is not a known difference: %s", f)
		}
	}
	for k := range known {
		if !fails[k] {
			t.Errorf("listed as known but passes now (remove it from %s): %s", knownFile, k)
		}
	}
}

type t262Meta struct {
	flags    map[string]bool
	includes []string
	features string
	negType  string
}

var (
	t262Flags    = regexp.MustCompile(`flags:\s*\[([^\]]*)\]`)
	t262Includes = regexp.MustCompile(`includes:\s*\[([^\]]*)\]`)
	t262IncList  = regexp.MustCompile(`(?s)includes:\s*\n((?:\s+-\s*\S+\n)+)`)
	t262Features = regexp.MustCompile(`(?s)features:(.*?)(\n\w|$)`)
	t262Negative = regexp.MustCompile(`(?s)negative:\s*\n\s*phase:\s*\S+\s*\n\s*type:\s*(\S+)`)
)

func parseT262Meta(src string) t262Meta {
	m := t262Meta{flags: map[string]bool{}}
	i, j := strings.Index(src, "/*---"), strings.Index(src, "---*/")
	if i < 0 || j < i {
		return m
	}
	meta := src[i+5 : j]
	if r := t262Flags.FindStringSubmatch(meta); r != nil {
		for _, f := range strings.Split(r[1], ",") {
			m.flags[strings.TrimSpace(f)] = true
		}
	}
	if r := t262Includes.FindStringSubmatch(meta); r != nil {
		for _, f := range strings.Split(r[1], ",") {
			if f = strings.TrimSpace(f); f != "" {
				m.includes = append(m.includes, f)
			}
		}
	} else if r := t262IncList.FindStringSubmatch(meta); r != nil {
		for _, l := range strings.Split(r[1], "\n") {
			if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "-")); l != "" {
				m.includes = append(m.includes, l)
			}
		}
	}
	if r := t262Features.FindStringSubmatch(meta); r != nil {
		m.features = r[1]
	}
	if r := t262Negative.FindStringSubmatch(meta); r != nil {
		m.negType = r[1]
	}
	return m
}
