package bindings_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/isobox/isobox/engine"
)

// TestProcessOption: {process: true | "NAME"} runs an isolate in a worker
// process with the same API: messages, ports both ways, run, kill, exit
// and error listeners, groups; and bad values are TypeErrors.
func TestProcessOption(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"run", `Isolate.run((n) => n * 2, 21, {process: true}).then(console.log)`, "42\n"},
		{"run rejects with the thrown copy", `Isolate.run(() => { const e = new TypeError("no"); e.code = 7; throw e }, null, {process: true})
			.catch(e => console.log(e instanceof TypeError, e.message, e.code))`, "true no 7\n"},
		{"spawn and ports both ways", `
			const rp = new ReceivePort();
			let n = 0;
			rp.listen(m => {
				if (m instanceof SendPort) { m.send("ping"); return; }
				console.log("got", m); rp.close();
			});
			Isolate.spawn((p) => {
				const mine = new ReceivePort();
				mine.listen(m => { p.send(m + "-pong"); mine.close(); });
				p.send(mine.sendPort);
			}, rp.sendPort, {process: true});`, "got ping-pong\n"},
		{"kill and exit listener", `
			const rp = new ReceivePort();
			rp.listen(m => { console.log("exit", m); rp.close(); });
			Isolate.spawn(() => { while (true) {} }, null, {process: true, onExit: rp.sendPort})
				.then(iso => setTimeout(() => iso.kill({priority: Isolate.immediate}), 20));`, "exit null\n"},
		{"error listener", `
			const rp = new ReceivePort();
			rp.listen(m => { console.log(m.name, m.message); rp.close(); });
			Isolate.spawn(() => { throw new TypeError("boom") }, null, {process: true, onError: rp.sendPort});`, "TypeError boom\n"},
		{"group", `
			Promise.all([Isolate.run(() => 1, null, {process: "g"}), Isolate.run(() => 2, null, {process: "g"})]).then(v => console.log(...v))`, "1 2\n"},
		{"process: false", `Isolate.run(() => 3, null, {process: false}).then(console.log)`, "3\n"},
		{"bad value", `Isolate.spawn(() => 1, null, {process: 1}).catch(e => console.log(e.name, e.message))`,
			"TypeError Isolate.spawn: options.process must be true, false or a group name\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runJS(t, tc.src)
			if r.stdout != tc.want || strings.Contains(r.stderr, "goroutine") {
				t.Errorf("stdout %q (stderr %q), want %q", r.stdout, r.stderr, tc.want)
			}
		})
	}
}

// TestProcessDefault: with WithProcessDefault every spawned isolate is in a
// worker unless it says process: false.
func TestProcessDefault(t *testing.T) {
	pid := engine.WithFunc("pid", func(context.Context, []any) (any, error) { return os.Getpid(), nil })
	r := runJSFuncs(t, `
		const here = host.pid();
		Promise.all([Isolate.run(() => host.pid()), Isolate.run(() => host.pid(), null, {process: false})])
			.then(([worker, local]) => console.log(worker !== here, local === here));
	`, []string{"pid"}, pid, engine.WithProcessDefault(true))
	if r.stdout != "true true\n" {
		t.Errorf("stdout %q stderr %q", r.stdout, r.stderr)
	}
}
