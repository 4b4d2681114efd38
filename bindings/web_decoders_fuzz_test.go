package bindings_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// FuzzWebDecoders feeds fuzz bytes to TextDecoder (every supported kind of
// encoding, fatal or not, streamed in two chunks) and to atob, in a script:
// each call must return a string or throw the spec's error (TypeError,
// RangeError, an InvalidCharacterError DOMException). Anything else (an
// InternalError, which is what a Go panic in a native becomes) fails.
func FuzzWebDecoders(f *testing.F) {
	f.Add([]byte{0xE2, 0x82, 0xAC}, uint8(1), uint8(0))
	f.Add([]byte("YQ=="), uint8(0), uint8(5))
	f.Add([]byte{0xF0, 0x9F, 0x98}, uint8(2), uint8(3))
	f.Add([]byte{0xFF, 0xFE, 0x00, 0xD8}, uint8(3), uint8(1))
	labels := []string{"utf-8", "utf-16le", "utf-16be", "latin1", "iso-8859-3", "x-user-defined", "koi8-u", "windows-874",
		"gbk", "gb18030", "big5", "euc-jp", "csiso2022jp", "sjis", "euc-kr"}
	f.Fuzz(func(t *testing.T, data []byte, sel, split uint8) {
		if len(data) > 4096 {
			return
		}
		nums := make([]string, len(data))
		for i, b := range data {
			nums[i] = fmt.Sprint(b)
		}
		var units []string
		for _, r := range string(data) {
			units = append(units, fmt.Sprint(int(r)&0xFFFF))
		}
		src := fmt.Sprintf(`
			const bytes = new Uint8Array([%s]);
			const str = String.fromCharCode(%s);
			const ok = e => e instanceof TypeError || e instanceof RangeError || (e instanceof DOMException && e.name === "InvalidCharacterError");
			const check = f => { try { const r = f(); if (typeof r !== "string") throw new Error("not a string: " + typeof r) } catch (e) { if (!ok(e)) { stdout.writeln("BAD " + e.name + ": " + e.message); } } };
			const label = %q, fatal = %v, split = %d %% (bytes.length + 1);
			check(() => new TextDecoder(label, {fatal}).decode(bytes));
			check(() => { const d = new TextDecoder(label, {fatal, ignoreBOM: !fatal}); return d.decode(bytes.subarray(0, split), {stream: true}) + d.decode(new DataView(bytes.buffer, split)) });
			check(() => atob(str));
			check(() => btoa(str));
			check(() => new TextDecoder(str));
			check(() => new URLSearchParams(str).toString());
			check(() => { try { return new URL(str, "http://h/").href } catch (e) { return "" } });
			stdout.writeln("done");
		`, strings.Join(nums, ","), strings.Join(units, ","), labels[int(sel)%len(labels)], sel&0x80 != 0, split)
		var out syncBuffer
		h := engine.NewHost(engine.WithStdout(&out), engine.WithStderr(&out),
			engine.WithSetup(bindings.Setup(bindings.Config{})), engine.WithDefaultLimits(fuzzLimits))
		iso, err := h.Spawn(engine.ScriptSource("fuzz.js", src), engine.WithName("fuzz"))
		if err != nil {
			t.Fatalf("spawn: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = iso.Wait(ctx)
		checkNoPanic(t, err)
		if serr := h.Shutdown(ctx); serr != nil {
			t.Fatalf("shutdown: %v", serr)
		}
		if err != nil || out.String() != "done\n" {
			t.Fatalf("err %v\noutput:\n%s", err, out.String())
		}
	})
}

// TestConsoleStderr checks what the console writes to stderr, in order
// with stdout's lines where they interleave: warn/error/assert/trace go to
// stderr, Node's process warnings for missing labels too (without the
// group indentation), and trace shows JS frames only.
func TestConsoleStderr(t *testing.T) {
	r := runJS(t, `
		function inner() { console.trace("at %s", "inner") }
		console.group("g");
		inner();
		console.warn("w\nx");
		console.error({a: 1});
		console.assert(false, "bad");
		console.timeEnd("nope");
		console.countReset("c");
		console.time("t"); console.time("t");
		console.groupEnd();
		console.trace();
	`)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "  Trace: at inner\n      at inner (test.js:2:35)\n      at test.js:4:8\n" +
		"  w\n  x\n  { a: 1 }\n  Assertion failed: bad\n" +
		"(isobox) Warning: No such label 'nope' for console.timeEnd()\n" +
		"(isobox) Warning: Count for 'c' does not exist\n" +
		"(isobox) Warning: Label 't' already exists for console.time()\n" +
		"Trace\n    at test.js:12:16\n"
	if r.stderr != want {
		t.Errorf("stderr:\n%q\nwant:\n%q", r.stderr, want)
	}
	if r.stdout != "g\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	if strings.Contains(r.stderr, ".go:") {
		t.Errorf("a Go frame reached the script's output: %s", r.stderr)
	}
}
