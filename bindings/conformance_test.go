package bindings_test

import "testing"

// jsCase is a script run as the main isolate; its stdout must equal want.
type jsCase struct {
	name string
	src  string
	want string
}

func runCases(t *testing.T, cases []jsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runJSWith(t, tc.src, "")
			if res.stdout != tc.want {
				t.Errorf("stdout:\n%q\nwant:\n%q\nstderr:\n%s\nerr: %v", res.stdout, tc.want, res.stderr, res.err)
			}
		})
	}
}

// listenerPrelude spawns a child that stays alive (an open port) and
// defines report(): it sends "end" through rp after everything the test
// caused was delivered (exit messages are sent before exited resolves,
// and a port delivers in order), then prints what rp received.
const listenerPrelude = `
	const rp = new ReceivePort(); const got = [];
	rp.listen(m => { if (m === "end") { console.log(JSON.stringify(got)); rp.close(); } else got.push(m !== null && typeof m === "object" ? m.message : m); });
	const spawnChild = opts => Isolate.spawn(() => { new ReceivePort(); }, null, opts);
	const report = () => rp.sendPort.send("end");
`

// Exit and error listeners are sets keyed by port, as in Dart
// (Isolate.addOnExitListener, addErrorListener); pings are not listeners.
var listenerCases = []jsCase{
	{"exit listener added twice sends once with the latest response", listenerPrelude + `
		(async () => {
			const iso = await spawnChild();
			iso.addOnExitListener(rp.sendPort, {response: "R1"});
			iso.addOnExitListener(rp.sendPort, {response: "R2"});
			iso.kill(); await iso.exited; report();
		})();
	`, "[\"R2\"]\n"},
	{"exit listener added twice is removed by one remove", listenerPrelude + `
		(async () => {
			const iso = await spawnChild();
			iso.addOnExitListener(rp.sendPort, {response: "R1"});
			iso.addOnExitListener(rp.sendPort, {response: "R2"});
			iso.removeOnExitListener(rp.sendPort);
			iso.kill(); await iso.exited; report();
		})();
	`, "[]\n"},
	{"onExit at spawn and an added listener on the same port are one", listenerPrelude + `
		(async () => {
			const iso = await spawnChild({onExit: rp.sendPort});
			iso.addOnExitListener(rp.sendPort, {response: "later"});
			iso.kill(); await iso.exited; report();
		})();
	`, "[\"later\"]\n"},
	{"onExit at spawn is removed by removeOnExitListener", listenerPrelude + `
		(async () => {
			const iso = await spawnChild({onExit: rp.sendPort});
			iso.removeOnExitListener(rp.sendPort);
			iso.kill(); await iso.exited; report();
		})();
	`, "[]\n"},
	{"distinct ports each get the exit message", listenerPrelude + `
		(async () => {
			const other = new ReceivePort();
			other.listen(m => { got.push("other:" + m); other.close(); });
			const iso = await spawnChild();
			iso.addOnExitListener(rp.sendPort, {response: "a"});
			iso.addOnExitListener(other.sendPort, {response: "b"});
			iso.kill(); await iso.exited; setTimeout(report, 0);
		})();
	`, "[\"a\",\"other:b\"]\n"},
	{"error listener added twice receives each error once", listenerPrelude + `
		(async () => {
			const iso = await Isolate.spawn(p => {
				setTimeout(() => { throw new Error("boom"); }, 0);
				setTimeout(() => p.send("end"), 0);
			}, rp.sendPort, {errorsAreFatal: false, paused: true, onError: rp.sendPort});
			iso.addErrorListener(rp.sendPort);
			iso.addErrorListener(rp.sendPort);
			iso.resume(iso.pauseCapability);
		})();
	`, "[\"boom\"]\n"},
	{"error listener added twice is removed by one remove", listenerPrelude + `
		(async () => {
			const iso = await Isolate.spawn(p => {
				setTimeout(() => { throw new Error("boom"); }, 0);
				setTimeout(() => p.send("end"), 0);
			}, rp.sendPort, {errorsAreFatal: false, paused: true});
			iso.addErrorListener(rp.sendPort);
			iso.addErrorListener(rp.sendPort);
			iso.removeErrorListener(rp.sendPort);
			iso.resume(iso.pauseCapability);
		})();
	`, "[]\n"},
	{"ping is not a listener: two pings answer twice", listenerPrelude + `
		(async () => {
			const iso = await spawnChild();
			iso.ping(rp.sendPort, {response: "p"});
			iso.ping(rp.sendPort, {response: "p"});
			iso.kill(); await iso.exited; report();
		})();
	`, "[\"p\",\"p\"]\n"},
}

func TestListenerSets(t *testing.T) { runCases(t, listenerCases) }
