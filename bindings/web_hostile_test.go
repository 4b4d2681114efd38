package bindings_test

import (
	"strings"
	"testing"

	"github.com/isobox/isobox/engine"
)

// TestWebGlobalsHostile feeds the Web globals inputs meant to exhaust
// memory or time, each in an isolate limited to memoryMb 64 (so the
// single-allocation cap is 64 MB): every one must end in a catchable JS
// error (or a limit error), never a Go panic or an out-of-memory crash.
func TestWebGlobalsHostile(t *testing.T) {
	cases := []struct {
		name, body string
		want       string // what the isolate returns: the error's name, or a result ("a|b": either)
	}{
		{"TextEncoder.encode over the cap", `const s = "\u20ac".repeat(30e6); return new TextEncoder().encode(s).length`, "RangeError"},
		{"TextDecoder.decode over the cap", `return new TextDecoder().decode(new Uint8Array(40e6)).length`, "RangeError"},
		{"btoa over the cap", `return btoa("a".repeat(30e6)).length`, "RangeError"},
		{"getRandomValues huge", `return crypto.getRandomValues(new Uint8Array(50e6)).length`, "QuotaExceededError"},
		{"digest of a big buffer", `return crypto.subtle.digest("SHA-256", new Uint8Array(16e6)).then(b => b.byteLength)`, "32"},
		{"performance entry flood", `for (let i = 0; ; i++) performance.mark("m" + i)`, "QuotaExceededError"},
		{"URL of a long input", `return new URL("http://h/" + "a".repeat(1e6)).pathname.length`, "1000001"},
		{"searchParams flood", `const p = new URLSearchParams("a=1&".repeat(2e5)); return p.size`, "200000"},
		{"console.table huge", `const a = []; for (let i = 0; i < 3e4; i++) a.push({i}); console.table(a); return "ok"`, "ok"},
		{"console.table cyclic and deep", `let o = {}; for (let i = 0; i < 1e5; i++) o = {o}; const c = {o}; c.c = c; console.table([c, o]); console.table(c); return "ok"`, "ok"},
		{"console.dir deep unlimited", `let o = {}; for (let i = 0; i < 1e5; i++) o = {o}; console.dir(o, {depth: Infinity}); return "ok"`, "ok|ResourceLimitError"},
		{"atob huge garbage", `try { atob("\u00ff".repeat(1e7)) } catch (e) { return e.name }`, "InvalidCharacterError"},
		{"TextDecoder stream flood", `const d = new TextDecoder(); const b = new Uint8Array([0xF0]); for (let i = 0; i < 1e5; i++) d.decode(b, {stream: true}); return d.decode().length`, "1"},
	}
	var src strings.Builder
	src.WriteString("(async () => {\n")
	for _, c := range cases {
		src.WriteString("  try { stdout.writeln(" + jsString(c.name) + " + ': ' + await Isolate.run(async () => { try { return await (async () => { " + c.body + " })() } catch (e) { return e.name } }, undefined, {limits: {memoryMb: 64, maxTaskMs: 20000}})) } catch (e) { stdout.writeln(" + jsString(c.name) + " + ': ' + e.name) }\n")
	}
	src.WriteString("})()\n")
	r := runJS(t, src.String(), engine.WithStderr(discard{}))
	if r.err != nil {
		t.Fatalf("error: %v\n%s", r.err, r.stderr)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			got[k] = v
		}
	}
	for _, c := range cases {
		g := got[c.name]
		// A memoryMb stop is as good as a RangeError: what matters is that
		// the isolate failed cleanly. (The 1000-level console.dir builds
		// O(depth^2) garbage and may meet the memoryMb limit first.)
		ok := false
		for _, w := range strings.Split(c.want, "|") {
			ok = ok || g == w
		}
		if !ok && !(c.want == "RangeError" && g == "ResourceLimitError") {
			t.Errorf("%s: got %q, want %q", c.name, g, c.want)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func jsString(s string) string {
	return "\"" + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + "\""
}
