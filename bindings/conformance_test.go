package bindings_test

import (
	"strings"
	"testing"
)

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

// tryT prints the error name of f, or what f returned.
const tryT = `
	const t = f => { try { const r = f(); console.log("ok", r); } catch (e) { console.log(e.name); } };
	const mk = () => { const b = new ArrayBuffer(8); new Uint8Array(b)[0] = 7; return b; };
`

// Transfer lists are WebIDL sequence<object>: any iterable of objects;
// anything else is a TypeError, and on any error nothing is sent or
// detached.
var transferCases = []jsCase{
	{"structuredClone rejects a transfer that is not an iterable", tryT + `
		const b = mk();
		t(() => structuredClone(b, {transfer: null}));
		t(() => structuredClone(b, {transfer: {}}));
		t(() => structuredClone(b, {transfer: 5}));
		t(() => structuredClone(b, {transfer: "ab"}));
		t(() => structuredClone(b, {transfer: {[Symbol.iterator]: 1}}));
		t(() => structuredClone(b, 5));
		t(() => structuredClone(b, {transfer: [b, 1]}));
		t(() => structuredClone(b, {transfer: [{}]}));
		console.log(b.byteLength);
	`, "TypeError\nTypeError\nTypeError\nTypeError\nTypeError\nTypeError\nTypeError\nDataCloneError\n8\n"},
	{"structuredClone takes any iterable and uses it", tryT + `
		const b1 = mk(), b2 = mk(), b3 = mk(), b4 = mk();
		const c1 = structuredClone(b1, {transfer: new Set([b1])});
		const c2 = structuredClone(b2, {transfer: (function* () { yield b2; })()});
		const c3 = structuredClone(b3, {transfer: [b3]});
		const c4 = structuredClone([b4], {transfer: {[Symbol.iterator]: () => [b4].values()}});
		console.log(b1.byteLength, c1.byteLength, b2.byteLength, new Uint8Array(c2)[0], b3.byteLength, c3.byteLength, b4.byteLength, c4[0].byteLength);
	`, "0 8 0 7 0 8 0 8\n"},
	{"structuredClone options without transfer copy", tryT + `
		const b = mk();
		t(() => structuredClone(b, {}).byteLength);
		t(() => structuredClone(b, undefined).byteLength);
		t(() => structuredClone(b, null).byteLength);
		t(() => structuredClone(b, {transfer: undefined}).byteLength);
		t(() => structuredClone(b, [b]).byteLength);
		console.log(b.byteLength);
	`, "ok 8\nok 8\nok 8\nok 8\nok 8\n8\n"},
	{"an iterator that throws detaches nothing", tryT + `
		const b = mk();
		t(() => structuredClone(b, {transfer: (function* () { yield b; throw new RangeError("gen"); })()}));
		console.log(b.byteLength);
	`, "RangeError\n8\n"},
	{"an endless transfer iterable is bounded", tryT + `
		const b = mk();
		t(() => structuredClone(b, {transfer: (function* () { for (;;) yield b; })()}));
		console.log(b.byteLength);
	`, "TypeError\n8\n"},
	{"SendPort.send validates and uses the transfer list", tryT + `
		const rp = new ReceivePort(); const got = [];
		rp.listen(m => { if (m === "end") { console.log(got.join(",")); rp.close(); } else got.push(m.byteLength); });
		const sp = rp.sendPort;
		const b = mk();
		t(() => sp.send(b, {transfer: null}));
		t(() => sp.send(b, {transfer: {}}));
		t(() => sp.send(b, "x"));
		t(() => sp.send(b, 5));
		t(() => sp.postMessage(b, {transfer: [b, null]}));
		console.log(b.byteLength);
		const s1 = mk(), s2 = mk(), s3 = mk();
		sp.send(s1, new Set([s1]));
		sp.send(s2, {transfer: (function* () { yield s2; })()});
		sp.postMessage(s3, null);
		console.log(s1.byteLength, s2.byteLength, s3.byteLength);
		sp.send("end");
	`, "TypeError\nTypeError\nTypeError\nTypeError\nTypeError\n8\n0 0 8\n8,8,8\n"},
	{"a send refused by a full mailbox detaches nothing", `
		Isolate.run(() => {
			const r = new ReceivePort(); r.keepAlive = false;
			r.sendPort.send(1);
			const b = new ArrayBuffer(8);
			try { r.sendPort.send(b, [b]); return ["sent", b.byteLength]; } catch (e) { return [e.name, e.limit, b.byteLength]; }
		}, null, {limits: {maxQueue: 1}}).then(r => console.log(r.join(" ")));
	`, "ResourceLimitError maxQueue 8\n"},
}

func TestTransferLists(t *testing.T) { runCases(t, transferCases) }

// Built-in ordinary objects clone as ordinary objects (own enumerable
// properties); the isolate's global, a platform object, does not.
var builtinCloneCases = []jsCase{
	{"built-in prototypes and namespaces clone as ordinary objects", `
		const show = v => { const c = structuredClone(v); return (Array.isArray(c) ? "array" : typeof c) + ":" + Object.keys(c).join("|"); };
		Math.answer = 42;
		console.log(show(Object.prototype), show(Math), show(Array.prototype), show(JSON), show(Date.prototype), show(Error.prototype));
		console.log(structuredClone(Math).answer, structuredClone(Number.prototype) instanceof Number);
	`, "object: object:answer array: object: object: object:\n42 true\n"},
	{"the global object is a DataCloneError", `
		for (const v of [globalThis, {g: globalThis}, [1, globalThis]]) {
			try { structuredClone(v); console.log("cloned?!"); } catch (e) { console.log(e.name, e.message); }
		}
	`, strings.Repeat("DataCloneError the global object could not be cloned\n", 3)},
	{"an unsendable host object is named by its class", `
		const rp = new ReceivePort(); const t = new Timer(1000, () => {});
		for (const v of [rp, {t}]) {
			try { structuredClone(v); console.log("cloned?!"); } catch (e) { console.log(e.name, e.message); }
		}
		rp.close(); t.cancel();
	`, "DataCloneError ReceivePort could not be cloned\nDataCloneError Timer could not be cloned\n"},
}

func TestBuiltinClone(t *testing.T) { runCases(t, builtinCloneCases) }

// Capability and Isolate handles cross isolates, as in Dart: an Isolate
// arrives as a working handle to the same isolate, with the same control
// rights; a Capability arrives equal to the original.
var hostRefCases = []jsCase{
	{"structuredClone of an Isolate handle is a handle to the same isolate", `
		const c = structuredClone(Isolate.current);
		console.log(c instanceof Isolate, c.id === Isolate.current.id, c.name, c.pauseCapability.equals(Isolate.current.pauseCapability));
	`, "true true main true\n"},
	{"structuredClone of a Capability is equal, and one object per message", `
		const cap = new Capability(), other = new Capability();
		const r = structuredClone({a: cap, b: cap, o: other});
		console.log(r.a instanceof Capability, r.a === r.b, r.a.equals(cap), cap.equals(r.b), r.o.equals(cap), r.a.id === cap.id, typeof cap.id);
		console.log(cap.equals(cap), cap.equals(other), cap.equals({}), cap.equals(null));
	`, "true true true true false true number\ntrue false false false\n"},
	{"a Capability sent to another isolate and back is equal to the original", `
		const cap = new Capability();
		Isolate.run(x => [x.a === x.b, x.a instanceof Capability, x.a], {a: cap, b: cap}).then(([same, isCap, back]) => {
			console.log(same, isCap, back.equals(cap), back === cap);
		});
	`, "true true true false\n"},
	{"an Isolate handle sent away can kill, and its capabilities are the same", `
		(async () => {
			const c = await Isolate.spawn(() => { new ReceivePort(); }, null, {name: "target"});
			const info = await Isolate.run(iso => [iso.name, iso.id, iso.pauseCapability], c);
			console.log(info[0], info[1] === c.id, info[2].equals(c.pauseCapability));
			await Isolate.run(iso => { iso.kill(); return 0; }, c);
			await c.exited;
			console.log("killed by the other isolate");
		})();
	`, "target true true\nkilled by the other isolate\n"},
	{"a pause with a capability received in a message is resumed with the original", `
		(async () => {
			const rp = new ReceivePort();
			const c = await Isolate.spawn(p => {
				const r = new ReceivePort();
				r.listen(m => { p.send("echo " + m); r.close(); });
				p.send(r.sendPort);
			}, rp.sendPort);
			const msgs = []; let wake;
			rp.listen(m => { msgs.push(m); if (wake) wake(); });
			const next = () => msgs.length ? Promise.resolve(msgs.shift()) : new Promise(r => { wake = () => { wake = null; r(msgs.shift()); }; });
			const port = await next();
			const cap = new Capability();
			console.log(await Isolate.run(([iso, cap]) => { iso.pause(cap); return "paused by another isolate"; }, [c, cap]));
			port.send("hi");
			c.resume(cap);
			console.log(await next());
			rp.close();
		})();
	`, "paused by another isolate\necho hi\n"},
	{"an Isolate handle in a port message works for exit listeners", `
		(async () => {
			const rp = new ReceivePort(); const ev = new ReceivePort();
			rp.listen(iso => {
				iso.addOnExitListener(ev.sendPort, {response: "gone " + iso.name});
				iso.kill();
				rp.close();
			});
			ev.listen(m => { console.log(m); ev.close(); });
			Isolate.spawn(p => { new ReceivePort(); p.send(Isolate.current); }, rp.sendPort, {name: "w"});
		})();
	`, "gone w\n"},
}

func TestHostRefs(t *testing.T) { runCases(t, hostRefCases) }
