package bindings_test

import (
	"strings"
	"testing"
)

// Each route by which a fresh isolate gets a buffer or typed array the
// bindings or the clone codec made, taken before the script touches any
// buffer global, reaches the guarded constructors: a construction over the
// isolate's cap (32 MiB at memoryMb 16: harmless were it not guarded) is a
// RangeError, and the constructor is the global one.
func TestBufferConstructorsGuardedByEveryRoute(t *testing.T) {
	for _, tc := range []struct{ name, route, args string }{
		{"TextEncoder", `new TextEncoder().encode("a").constructor`, "null"},
		{"TextEncoder-buffer", `new TextEncoder().encode("a").buffer.constructor`, "null"},
		{"TextEncoder-proto", `Object.getPrototypeOf(new TextEncoder().encode("a")).constructor`, "null"},
		{"digest", `(await crypto.subtle.digest("SHA-256", arg)).constructor`, "buf"},
		{"spawn-arg-buffer", `arg.constructor`, "buf"},
		{"spawn-arg-buffer-proto", `Object.getPrototypeOf(arg).constructor`, "buf"},
		{"spawn-arg-view", `arg.constructor`, "new Int16Array(buf)"},
		{"spawn-arg-view-buffer", `arg.buffer.constructor`, "new Int16Array(buf)"},
		{"message", `(await new Promise(res => { const q = new ReceivePort(); q.listen(m => { q.close(); res(m) }); q.sendPort.send(arg) })).constructor`, "buf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `
				const rp = new ReceivePort();
				rp.listen(m => { console.log(m); rp.close(); });
				const buf = new ArrayBuffer(8);
				Isolate.spawn(async ([arg, p]) => {
					let r;
					try {
						const c = ` + tc.route + `;
						try { new c(2**25); r = "no error" } catch (e) { r = e instanceof RangeError ? "RangeError" : String(e) }
						r += " " + (c === globalThis[c.name]);
					} catch (e) { r = "route threw " + e }
					p.send(r);
				}, [` + tc.args + `, rp.sendPort], {limits: {memoryMb: 16}});
			`
			res := runJS(t, src)
			if got := strings.TrimSpace(res.stdout); got != "RangeError true" {
				t.Errorf("%s: got %q, want RangeError true\nstderr: %s\nerr: %v", tc.route, got, res.stderr, res.err)
			}
		})
	}
}
