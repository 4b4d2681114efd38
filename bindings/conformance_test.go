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

// optionErrors runs each thunk and prints the error's name and whether its
// message names the offending key and lists a valid one.
const optionErrors = `
	const rp = new ReceivePort();
	const check = async (f, key, valid) => {
		try { await f(); console.log("no error"); }
		catch (e) { console.log(e.name, key === null || e.message.includes(JSON.stringify(key)), e.message.includes(valid)); }
	};
`

// Unknown option names are TypeErrors that name the key and the valid ones.
var optionCases = []jsCase{
	{"spawn rejects an unknown option", optionErrors + `
		(async () => {
			await check(() => Isolate.spawn(() => {}, null, {onExt: rp.sendPort}), "onExt", "onExit");
			await check(() => Isolate.spawn(() => {}, null, {nmae: "x"}), "nmae", "name");
			await check(() => Isolate.spawnFile("x.js", null, {nmae: "x"}), "nmae", "name");
			await check(() => Isolate.run(() => 1, null, {errorsAreFatall: true}), "errorsAreFatall", "errorsAreFatal");
			await check(() => Isolate.spawn(() => {}, null, {limits: {maxTaskMS: 5}}), "maxTaskMS", "maxTaskMs");
			await check(() => Isolate.spawn(() => {}, null, {limits: {maxTaskMS: undefined}}), "maxTaskMS", "maxTaskMs");
			rp.close();
		})();
	`, "TypeError true true\nTypeError true true\nTypeError true true\nTypeError true true\nTypeError true true\nTypeError true true\n"},
	{"kill, ping and listener options reject unknown keys", optionErrors + `
		(async () => {
			const iso = await Isolate.spawn(() => { new ReceivePort(); });
			await check(() => iso.kill({priorty: Isolate.immediate}), "priorty", "priority");
			await check(() => iso.ping(rp.sendPort, {respnse: 1}), "respnse", "response");
			await check(() => iso.addOnExitListener(rp.sendPort, {reponse: 1}), "reponse", "response");
			await check(() => iso.kill(5), null, "options");
			iso.kill(); await iso.exited; rp.close();
		})();
	`, "TypeError true true\nTypeError true true\nTypeError true true\nTypeError true true\n"},
	{"valid options still work", `
		(async () => {
			const rp = new ReceivePort();
			const iso = await Isolate.spawn(() => { new ReceivePort(); }, null, {name: "w", paused: false, errorsAreFatal: true, limits: {maxTaskMs: 1000, cpuMs: undefined}});
			iso.addOnExitListener(rp.sendPort, {response: "bye"});
			iso.ping(rp.sendPort, {response: "pong", priority: Isolate.immediate});
			iso.kill({priority: Isolate.beforeNextEvent});
			rp.listen(m => { console.log(m); if (m === "bye") rp.close(); });
			console.log(iso.name);
		})();
	`, "w\npong\nbye\n"},
	{"onmessage on a ReceivePort says to use listen", `
		"use strict";
		const rp = new ReceivePort();
		try { rp.onmessage = () => {}; console.log("no error"); } catch (e) { console.log(e.name, e.message.includes("listen")); }
		(function () { try { rp.onmessage = () => {}; console.log("no error"); } catch (e) { console.log(e.name, e.message.includes("listen")); } })();
		rp.close();
	`, "TypeError true\nTypeError true\n"},
}

func TestOptionValidation(t *testing.T) { runCases(t, optionCases) }
