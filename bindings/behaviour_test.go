package bindings_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/isobox/isobox/engine"
)

// Each case is a script run as the main isolate; its stdout must equal want.
// The cases follow the Dart isolate suite's behaviours.
var behaviourCases = []struct {
	name string
	src  string
	want string
}{
	{"hello", `console.log("hi", 1+1)`, "hi 2\n"},
	{"spawn gets message and replies", `
		const rp = new ReceivePort();
		rp.listen(m => { console.log("got", m); rp.close(); });
		Isolate.spawn(p => p.send(21 * 2), rp.sendPort);
	`, "got 42\n"},
	{"ports deliver in FIFO order", `
		const rp = new ReceivePort(); const seen = [];
		rp.listen(m => { seen.push(m); if (m === 999) { console.log(seen.length, seen.every((v, i) => v === i)); rp.close(); } });
		Isolate.spawn(p => { for (let i = 0; i < 1000; i++) p.send(i); }, rp.sendPort);
	`, "1000 true\n"},
	{"messages before listen are buffered", `
		const rp = new ReceivePort();
		rp.sendPort.send(1); rp.sendPort.send(2);
		setTimeout(() => { rp.sendPort.send(3); rp.listen(m => { console.log(m); if (m === 3) rp.close(); }); }, 20);
	`, "1\n2\n3\n"},
	{"first resolves and closes", `
		const rp = new ReceivePort();
		Isolate.spawn(p => { p.send("a"); p.send("b"); }, rp.sendPort);
		rp.first.then(v => console.log(v, rp.closed));
	`, "a true\n"},
	{"send to closed port is dropped silently", `
		const rp = new ReceivePort(); const sp = rp.sendPort; rp.close();
		sp.send(1); console.log("ok");
	`, "ok\n"},
	{"keepAlive false lets the isolate exit", `
		const rp = new ReceivePort(); rp.keepAlive = false; rp.listen(() => {});
		console.log(rp.keepAlive);
	`, "false\n"},
	{"kill in handler stops later queued messages", `
		const rp = new ReceivePort(); const done = new ReceivePort();
		done.first.then(() => { console.log("exit"); rp.close(); });
		Isolate.spawn(([p, d]) => {
			const r = new ReceivePort();
			Isolate.current.addOnExitListener(d);
			r.listen(m => { stdout.writeln("child " + m); if (m === 2) Isolate.current.kill(); });
			p.send(r.sendPort);
		}, [rp.sendPort, done.sendPort]);
		rp.listen(sp => { for (let i = 1; i <= 5; i++) sp.send(i); });
	`, "child 1\nchild 2\nexit\n"},
	{"beforeNextEvent finishes the current event", `
		const done = new ReceivePort();
		done.first.then(() => console.log("exited"));
		Isolate.spawn(d => {
			Isolate.current.addOnExitListener(d);
			setTimeout(() => stdout.writeln("never"), 0);
			Isolate.current.kill({priority: Isolate.beforeNextEvent});
			stdout.writeln("rest of event");
		}, done.sendPort);
	`, "rest of event\nexited\n"},
	{"self kill immediate is synchronous", `
		const done = new ReceivePort();
		done.first.then(() => console.log("exited"));
		Isolate.spawn(d => {
			Isolate.current.addOnExitListener(d);
			try { Isolate.current.kill({priority: Isolate.immediate}); stdout.writeln("after"); } finally { stdout.writeln("finally"); }
		}, done.sendPort);
	`, "exited\n"},
	{"kill immediate interrupts a busy loop", `
		(async () => {
			const iso = await Isolate.spawn(() => { while (true) {} });
			setTimeout(() => iso.kill({priority: Isolate.immediate}), 20);
			await iso.exited;
			console.log("dead");
		})();
	`, "dead\n"},
	{"kill is idempotent", `
		(async () => {
			const iso = await Isolate.spawn(() => { new ReceivePort(); });
			iso.kill(); iso.kill({priority: Isolate.immediate}); iso.kill();
			await iso.exited; iso.kill();
			console.log("ok");
		})();
	`, "ok\n"},
	{"pause queues and resume delivers in order", `
		(async () => {
			const rp = new ReceivePort(); const got = [];
			const iso = await Isolate.spawn(p => {
				const r = new ReceivePort();
				r.listen(m => { p.send(m); if (m === 3) r.close(); });
				p.send(r.sendPort);
			}, rp.sendPort);
			rp.listen(m => {
				if (typeof m !== "number") {
					const cap = iso.pause(); const cap2 = iso.pause(cap);
					m.send(1); m.send(2); m.send(3);
					setTimeout(() => { console.log("while paused", got.length); iso.resume(cap); setTimeout(() => { console.log("after one resume", got.length); iso.resume(cap2); }, 30); }, 30);
					return;
				}
				got.push(m);
				if (got.length === 3) { console.log(got.join(",")); rp.close(); }
			});
		})();
	`, "while paused 0\nafter one resume 0\n1,2,3\n"},
	{"spawn paused runs entry after resume", `
		(async () => {
			const rp = new ReceivePort();
			const iso = await Isolate.spawn(p => p.send("ran"), rp.sendPort, {paused: true});
			setTimeout(() => { console.log("resuming"); iso.resume(iso.pauseCapability); }, 20);
			console.log(await rp.first);
		})();
	`, "resuming\nran\n"},
	{"ping immediate and beforeNextEvent", `
		(async () => {
			const rp = new ReceivePort(); const got = [];
			const iso = await Isolate.spawn(() => { new ReceivePort(); });
			rp.listen(m => { got.push(m); if (got.length === 2) { console.log(got.sort().join(",")); rp.close(); iso.kill(); } });
			iso.ping(rp.sendPort, {response: "a", priority: Isolate.immediate});
			iso.ping(rp.sendPort, {response: "b"});
		})();
	`, "a,b\n"},
	{"onExit and onError at spawn are active before the entry runs", `
		const ev = new ReceivePort(); const got = [];
		ev.listen(m => { got.push(m === null ? "exit" : m.name + ":" + m.message); if (m === null) { console.log(got.join(" | ")); ev.close(); } });
		Isolate.spawn(() => { throw new TypeError("boom"); }, null, {onExit: ev.sendPort, onError: ev.sendPort});
	`, "TypeError:boom | exit\n"},
	{"exit message comes after the last error", `
		const ev = new ReceivePort(); const got = [];
		ev.listen(m => { got.push(m === "bye" ? "exit" : m.message); if (m === "bye") { console.log(got.join(",")); ev.close(); } });
		(async () => {
			const iso = await Isolate.spawn(() => {
				setTimeout(() => { throw new Error("e1"); }, 1);
				setTimeout(() => { throw new Error("e2"); }, 5);
				setTimeout(() => {}, 10);
			}, null, {errorsAreFatal: false, paused: true});
			iso.addErrorListener(ev.sendPort);
			iso.addOnExitListener(ev.sendPort, {response: "bye"});
			iso.resume(iso.pauseCapability);
		})();
	`, "e1,e2,exit\n"},
	{"errors not fatal: next timer still fires", `
		const rp = new ReceivePort(); const errs = new ReceivePort(); errs.keepAlive = false;
		rp.listen(m => { console.log(m); if (m === "tick 2") rp.close(); });
		Isolate.spawn(p => {
			let n = 0;
			const t = Timer.periodic(5, () => { n++; if (n === 1) throw new Error("x"); p.send("tick " + n); if (n === 2) t.cancel(); });
		}, rp.sendPort, {errorsAreFatal: false, onError: errs.sendPort});
	`, "tick 2\n"},
	{"unhandled rejection is an isolate error", `
		const ev = new ReceivePort();
		ev.listen(m => { if (m) console.log(m.name, m.message); else ev.close(); });
		Isolate.spawn(() => { Promise.reject(new RangeError("nope")); }, null, {onError: ev.sendPort, onExit: ev.sendPort});
	`, "RangeError nope\n"},
	{"enclosing-scope variable names the ReferenceError", `
		const secret = 1;
		const ev = new ReceivePort();
		ev.listen(m => { if (m) console.log(m.name, m.message); else ev.close(); });
		Isolate.spawn(() => secret + 1, null, {onError: ev.sendPort, onExit: ev.sendPort});
	`, "ReferenceError secret is not defined (isolate entry functions cannot capture variables from the spawning scope; pass them in the message)\n"},
	{"Isolate.run result", `Isolate.run(x => x * 2, 21).then(v => console.log(v));`, "42\n"},
	{"Isolate.run awaits a promise", `Isolate.run(async x => { await null; return {v: x}; }, 7).then(v => console.log(v.v));`, "7\n"},
	{"Isolate.run awaits timers", `Isolate.run(() => new Promise(r => setTimeout(() => r("late"), 20))).then(console.log);`, "late\n"},
	{"Isolate.run error keeps name and message", `Isolate.run(() => { throw new TypeError("bad"); }).catch(e => console.log(e.name, e.message, e instanceof Error));`, "TypeError bad true\n"},
	{"Isolate.run rejection", `Isolate.run(async () => { throw new SyntaxError("rej"); }).catch(e => console.log(e.name, e.message));`, "SyntaxError rej\n"},
	{"Isolate.run without result", `Isolate.run(() => { Isolate.exit(); }).catch(e => console.log(e.message));`, "Isolate.run: the isolate exited without producing a result\n"},
	{"Isolate.run never-settling promise", `Isolate.run(() => new Promise(() => {})).catch(e => console.log(e.message));`, "Isolate.run: the isolate exited without producing a result\n"},
	{"Isolate.run unclonable result", `Isolate.run(() => () => 1).catch(e => console.log(e.name));`, "DataCloneError\n"},
	{"globals changed in a child are unchanged in the parent", `
		globalThis.shared = "parent";
		Object.prototype.polluted = 1;
		Isolate.run(() => { globalThis.shared = "child"; Array.prototype.push = null; return typeof polluted; }).then(t => {
			console.log(shared, t, [].push !== null);
		});
	`, "parent undefined true\n"},
	{"Isolate.exit delivers the message before exit listeners", `
		const rp = new ReceivePort(); const got = [];
		rp.listen(m => { got.push(String(m)); if (m === null) { console.log(got.join(",")); rp.close(); } });
		Isolate.spawn(p => { Isolate.exit(p, "last"); stdout.writeln("never"); }, rp.sendPort, {onExit: rp.sendPort});
	`, "last,null\n"},
	{"SendPort sent away and back still reaches its port", `
		const rp = new ReceivePort();
		rp.listen(m => { if (m instanceof SendPort) { m.send("home"); } else { console.log(m); rp.close(); } });
		Isolate.spawn(p => p.send(p), rp.sendPort);
	`, "home\n"},
	{"SendPort is not constructible", `try { new SendPort() } catch (e) { console.log(e.name) } const r = new ReceivePort(); console.log(r.sendPort instanceof SendPort); r.close();`, "TypeError\ntrue\n"},
	{"isolate handle fields", `
		Isolate.spawn(() => { new ReceivePort() }, null, {name: "w1"}).then(iso => { console.log(iso.name, typeof iso.id, iso.id > Isolate.current.id); iso.kill(); });
	`, "w1 number true\n"},
	// The order between the interval's third tick and the 10 ms timeout is not
	// asserted: on a loaded machine the loop may wake late, and then both are
	// due at once. Timers due together run in deadline order, which is.
	{"setTimeout order and args", `
		setTimeout((a, b) => console.log("b", a, b), 10, 1, 2);
		setTimeout(() => console.log("a"), 0);
		const id = setTimeout(() => console.log("never"), 5); clearTimeout(id);
	`, "a\nb 1 2\n"},
	{"setInterval ticks until cleared", `
		let n = 0;
		setTimeout(() => console.log("first", n), 0);
		const iv = setInterval(() => { if (++n === 3) { clearInterval(iv); console.log("interval", n); } }, 1);
	`, "first 0\ninterval 3\n"},
	{"queueMicrotask runs before the next task", `
		setTimeout(() => console.log("task"), 0);
		queueMicrotask(() => console.log("micro"));
		Promise.resolve().then(() => console.log("promise"));
		console.log("sync");
	`, "sync\nmicro\npromise\ntask\n"},
	{"Timer class", `
		const t = Timer.periodic(2, timer => { if (timer.tick === 3) { timer.cancel(); console.log("tick", timer.tick, timer.isActive); } });
		new Timer(1, () => console.log("once"));
	`, "once\ntick 3 false\n"},
	{"DOMException", `
		const e = new DOMException("m", "AbortError");
		console.log(e.name, e.message, e.code, e instanceof Error, e instanceof DOMException, String(e));
		console.log(Object.keys(e).length, Object.prototype.toString.call(e), e.stack.split("\n")[0]);
		const d = new DOMException();
		console.log(JSON.stringify([d.name, d.message, d.code]), DOMException.length, DOMException.DATA_CLONE_ERR, e.ABORT_ERR);
		console.log(new DOMException("x", {name: "TimeoutError", cause: 7}).code, new DOMException("x", {name: "TimeoutError", cause: 7}).cause);
		console.log(new DOMException("x", "NoSuchName").code, new DOMException("x", "SyntaxError").code);
		try { Object.getOwnPropertyDescriptor(DOMException.prototype, "code").get.call({}) } catch (x) { console.log(x.name) }
		class X extends DOMException { constructor() { super("sub", "NotFoundError") } }
		const x = new X(); console.log(x instanceof X, x instanceof DOMException, x.code);
		DOMException = null;
		try { structuredClone(() => 1) } catch (c) { console.log(c.name, c.code, c instanceof Error, c.message) }
	`, "AbortError m 20 true true AbortError: m\n0 [object DOMException] AbortError: m\n[\"Error\",\"\",0] 0 25 20\n23 7\n0 12\nTypeError\ntrue true 8\nDataCloneError 25 true function could not be cloned\n"},
	{"structuredClone", `
		const o = {a: [1, 2], m: new Map([[1, "x"]])}; o.self = o;
		const c = structuredClone(o);
		console.log(c !== o, c.self === c, c.m.get(1), c.a.length);
		try { structuredClone({f() {}}) } catch (e) { console.log(e.name) }
	`, "true true x 2\nDataCloneError\n"},
	{"unclonable send throws synchronously and sends nothing", `
		const rp = new ReceivePort(); let n = 0;
		rp.listen(m => { n++; });
		for (const bad of [() => 1, Symbol("s"), new WeakMap(), Promise.resolve(), new Proxy({}, {})]) {
			try { rp.sendPort.send({bad}); console.log("sent?!") } catch (e) { console.log(e.name) }
		}
		setTimeout(() => { console.log("received", n); rp.close(); }, 10);
	`, "DataCloneError\nDataCloneError\nDataCloneError\nDataCloneError\nDataCloneError\nreceived 0\n"},
	{"getter that throws makes send throw", `
		const rp = new ReceivePort();
		try { rp.sendPort.send({get x() { throw new Error("getter") }}) } catch (e) { console.log(e.message) }
		rp.close();
	`, "getter\n"},
	{"transfer detaches the sender's buffer", `
		const rp = new ReceivePort();
		const buf = new ArrayBuffer(8); new Uint8Array(buf)[0] = 7;
		rp.listen(m => { console.log(m.byteLength, new Uint8Array(m)[0], buf.byteLength); rp.close(); });
		rp.sendPort.send(buf, [buf]);
		try { rp.sendPort.send(buf, [buf]); } catch (e) { console.log(e.name) }
	`, "DataCloneError\n8 7 0\n"},
	{"cycles, shared refs, Map order and typed arrays survive a round trip", `
		(async () => {
			const shared = {s: 1};
			const buf = new ArrayBuffer(16);
			const o = {a: shared, b: shared, m: new Map([["z", 1], ["a", 2]]), u8: new Uint8Array(buf, 4, 4), f64: new Float64Array(buf, 8, 1)};
			o.self = o; o.u8[0] = 9;
			const r = await Isolate.run(x => { x.u8[1] = 5; return x; }, o);
			console.log(r.self === r, r.a === r.b, [...r.m.keys()].join(""), r.u8.buffer === r.f64.buffer, r.u8[0], r.u8[1], r.u8.byteOffset);
		})();
	`, "true true za true 9 5 4\n"},
	{"args and exit", `console.log(args.join(",")); exit(3); console.log("never");`, "a,b\n"},
	{"stdin lines", `(async () => { console.log(await stdin.readLine(), await stdin.readLine(), await stdin.readLine()); })();`, "one two null\n"},
	{"children have no stdin, exit or args", `Isolate.run(() => [typeof stdin, typeof exit, typeof args, typeof console]).then(v => console.log(v.join(",")));`, "undefined,undefined,undefined,object\n"},
	{"Isolate.spawnFile needs a readable path", `Isolate.spawnFile("/etc/passwd").catch(e => console.log(e.message.includes("permission denied")));`, "true\n"},
	{"bad arguments are TypeErrors", `
		for (const f of [() => setTimeout(1), () => Isolate.current.kill({priority: "soon"}), () => Isolate.current.ping(5), () => { const r = new ReceivePort(); try { r.listen(3) } finally { r.close() } }, () => SendPort.prototype.send.call({}, 1), () => Isolate.current.resume({}), () => structuredClone()]) {
			try { f(); console.log("no throw") } catch (e) { console.log(e.name) }
		}
	`, strings.Repeat("TypeError\n", 7)},
	{"spawn options are validated", `Isolate.spawn(() => 1, null, {onExit: 5}).catch(e => console.log(e.name, e.message));`, "TypeError options.onExit must be a SendPort\n"},
	{"limits over their maximum are refused, naming it", `
		for (const lim of [{maxStackDepth: 1e6}, {maxStackDepth: 50001}, {maxTaskMs: 2**62}])
			Isolate.spawn(() => 1, null, {limits: lim}).catch(e => console.log(e.name, e.message));
		Isolate.run(() => 7, null, {limits: {maxStackDepth: 50000}}).then(console.log);
	`, "TypeError limits.maxStackDepth 1000000 is over the maximum 50000\nTypeError limits.maxStackDepth 50001 is over the maximum 50000\nTypeError limits.maxTaskMs 4611686018427387904 is over the maximum 9223372036854\n7\n"},
	{"exited keeps the caller alive", `Isolate.spawn(() => { setTimeout(() => {}, 30) }).then(iso => iso.exited).then(() => console.log("child done"));`, "child done\n"},
}

func TestBehaviour(t *testing.T) {
	for _, tc := range behaviourCases {
		t.Run(tc.name, func(t *testing.T) {
			res := runJSWith(t, tc.src, "one\ntwo\n")
			if res.stdout != tc.want {
				t.Errorf("stdout:\n%q\nwant:\n%q\nstderr:\n%s\nerr: %v", res.stdout, tc.want, res.stderr, res.err)
			}
		})
	}
}

func TestUncaughtErrorEndsMain(t *testing.T) {
	res := runJS(t, `console.log("before"); null.x;`)
	var se *engine.ScriptError
	if !errors.As(res.err, &se) || se.Name != "TypeError" {
		t.Fatalf("err = %v, want a TypeError ScriptError", res.err)
	}
	if !strings.Contains(se.Stack, "test.js:1:") {
		t.Errorf("stack %q lacks the position", se.Stack)
	}
}

func TestExitCode(t *testing.T) {
	res := runJS(t, `exit(7)`)
	if !res.exited || res.exitCode != 7 {
		t.Fatalf("exit = %v %d, want 7", res.exited, res.exitCode)
	}
}
