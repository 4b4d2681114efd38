package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// pendingWebGlobals are declared in types/isobox.d.ts but installed by
// branches not merged yet (the Web surface). When one of them lands, the
// test fails until its name is removed from this list.
var pendingWebGlobals = []string{}

// undeclaredGlobals are globals of an isolate that the declarations leave
// out on purpose (none today).
var undeclaredGlobals = []string{}

var declRE = regexp.MustCompile(`(?m)^declare\s+(?:var|let|const|function|class|abstract\s+class|namespace|enum)\s+([A-Za-z_$][\w$]*)`)

// declaredGlobals returns the names types/isobox.d.ts declares as values.
func declaredGlobals(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("types/isobox.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != typesDecl {
		t.Fatal("the embedded declarations differ from types/isobox.d.ts: rebuild")
	}
	seen := map[string]bool{}
	for _, m := range declRE.FindAllStringSubmatch(string(b), -1) {
		seen[m[1]] = true
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// isolateGlobals returns the globals a fresh main isolate (granted stdin,
// exit, args and a host function) has beyond plain ECMAScript (a bare goja
// runtime's globals).
func isolateGlobals(t *testing.T) []string {
	t.Helper()
	bare := map[string]bool{}
	vm := goja.New()
	v, err := vm.RunString(`Object.getOwnPropertyNames(globalThis)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range v.Export().([]any) {
		bare[n.(string)] = true
	}
	host := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})),
		engine.WithFunc("f", func(context.Context, []any) (any, error) { return nil, nil }))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = host.Shutdown(ctx)
	}()
	port := host.NewPort("globals")
	defer port.Close()
	msg, err := engine.MessageFromGo(port.SendPort())
	if err != nil {
		t.Fatal(err)
	}
	_, err = host.Spawn(engine.FunctionSource(`(p) => p.send(Object.getOwnPropertyNames(globalThis))`),
		engine.WithMessage(msg), engine.WithCapabilities(engine.Capabilities{
			Stdin: true, Exit: true, Args: []string{}, Funcs: []string{"f"},
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := port.RecvValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	extra := map[string]bool{}
	for _, n := range got.([]any) {
		if !bare[n.(string)] {
			extra[n.(string)] = true
		}
	}
	return sortedKeys(extra)
}

// TestTypesGlobals compares the declared globals with a fresh isolate's,
// both ways, through the explicit lists above.
func TestTypesGlobals(t *testing.T) {
	declared := declaredGlobals(t)
	actual := isolateGlobals(t)
	if len(declared) < 20 || len(actual) < 15 {
		t.Fatalf("implausibly few globals: declared %v, actual %v", declared, actual)
	}
	for _, n := range actual {
		if !slices.Contains(declared, n) && !slices.Contains(undeclaredGlobals, n) {
			t.Errorf("global %s exists in an isolate but types/isobox.d.ts does not declare it", n)
		}
		if slices.Contains(pendingWebGlobals, n) {
			t.Errorf("global %s is installed now: remove it from pendingWebGlobals", n)
		}
	}
	for _, n := range declared {
		if !slices.Contains(actual, n) && !slices.Contains(pendingWebGlobals, n) {
			t.Errorf("types/isobox.d.ts declares %s, which no isolate has (or add it to pendingWebGlobals)", n)
		}
	}
}

// tsc returns the TypeScript compiler to use, or skips the test.
func tsc(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ISOBOX_TSC"); p != "" {
		return p
	}
	p, err := exec.LookPath("tsc")
	if err != nil {
		t.Skip("tsc not found: the typed examples are not type-checked here (npm install -g typescript, or set ISOBOX_TSC; .ci/run installs it)")
	}
	return p
}

// TestTypesCompile type-checks the typed examples and the TypeScript
// gallery against types/isobox.d.ts with tsc --noEmit, and checks that
// tsc rejects code the declarations must refuse.
func TestTypesCompile(t *testing.T) {
	bin := tsc(t)
	run := func(project string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, "--noEmit", "-p", project).CombinedOutput()
		return string(out), err
	}
	if out, err := run(filepath.Join("types", "examples", "tsconfig.json")); err != nil {
		t.Errorf("tsc rejects the typed examples: %v\n%s", err, out)
	}
	out, err := run(filepath.Join("types", "examples", "bad", "tsconfig.json"))
	if err == nil {
		t.Fatal("tsc accepted types/examples/bad/wrong.ts")
	}
	for _, line := range []string{"wrong.ts(3,", "wrong.ts(4,", "wrong.ts(5,"} {
		if !strings.Contains(out, line) {
			t.Errorf("tsc did not reject %s...:\n%s", line, out)
		}
	}
}
