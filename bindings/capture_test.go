package bindings_test

import (
	"strings"
	"testing"
)

const captureHint = " (isolate entry functions cannot capture variables from the spawning scope; pass them in the message)"

// A "X is not defined" ReferenceError in an isolate whose entry is a
// function from the spawner says why, once; other errors, other isolates
// and other ReferenceErrors are left alone.
func TestCaptureHint(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"Isolate.run", `const secret = 1; Isolate.run(() => secret).catch(e => console.log(e.name + ": " + e.message));`,
			"ReferenceError: secret is not defined" + captureHint},
		{"async Isolate.run", `const secret = 1; Isolate.run(async () => { await 0; return secret }).catch(e => console.log(e.message));`,
			"secret is not defined" + captureHint},
		{"error listener", `
			const key = 1, ev = new ReceivePort();
			ev.listen(m => { if (m) console.log(m.message); else ev.close(); });
			Isolate.spawn(() => { setTimeout(() => key, 0) }, null, {onError: ev.sendPort, onExit: ev.sendPort});`,
			"key is not defined" + captureHint},
		{"nested Isolate.run reports it once", `const s = 1; Isolate.run(() => Isolate.run(() => s)).catch(e => console.log(e.message));`,
			"s is not defined" + captureHint},
		{"the stack's first line agrees, once", `const s = 1; Isolate.run(() => s).catch(e => console.log(e.stack.split("cannot capture").length - 1, e.stack.startsWith(e.name + ": " + e.message + "\n")));`,
			"1 true"},
		{"not in the main script", `try { nope } catch (e) { console.log(e.message) }`, "nope is not defined"},
		{"not a caught error", `Isolate.run(() => { try { nope } catch (e) { return e.message } }).then(console.log);`, "nope is not defined"},
		{"not another ReferenceError", `Isolate.run(() => { x; let x = 1 }).catch(e => console.log(e.name, e.message.includes("cannot capture")));`, "ReferenceError false"},
		{"not another error", `Isolate.run(() => null.x).catch(e => console.log(e.message.includes("cannot capture")));`, "false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runJS(t, c.src)
			if got := strings.TrimSuffix(res.stdout, "\n"); got != c.want {
				t.Errorf("got %q, want %q (stderr %q)", got, c.want, res.stderr)
			}
		})
	}
}
