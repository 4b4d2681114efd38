package bindings_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// errorCases: what a child throws reaches its parent as a copy of the thrown
// value (Isolate.run, error listeners), limits keep their numbers, and
// nothing a script can read names a Go type or shows a Go stack. Each case
// is a script run as the main isolate; its stdout must equal want.
var errorCases = []struct {
	name string
	src  string
	want string
}{
	// Isolate.run rejects with a copy of what was thrown.
	{"run: standard class, message, stack, cause and own data", `
		Isolate.run(() => { const e = new TypeError("bad", {cause: new RangeError("why")}); e.code = "E_BAD"; e.errno = -2; throw e; })
			.catch(e => console.log(e instanceof TypeError, e.name, e.message, e.code, e.errno, e.cause instanceof RangeError, e.cause.message, e.stack.startsWith("TypeError: bad\n"), Object.keys(e).join()));
	`, "true TypeError bad E_BAD -2 true why true code,errno\n"},
	{"run: each standard class", `
		(async () => {
			for (const C of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
				const e = await Isolate.run(n => { throw new globalThis[n]("m") }, C.name).catch(e => e);
				console.log(e instanceof C, e.name);
			}
		})();
	`, "true Error\ntrue EvalError\ntrue RangeError\ntrue ReferenceError\ntrue SyntaxError\ntrue TypeError\ntrue URIError\n"},
	{"run: rejection keeps the error", `
		Isolate.run(async () => { await null; throw Object.assign(new URIError("u"), {code: 7}); }).catch(e => console.log(e instanceof URIError, e.code));
	`, "true 7\n"},
	{"run: custom name", `
		Isolate.run(() => { class MyError extends Error {}; MyError.prototype.name = "MyError"; throw new MyError("mine"); })
			.catch(e => console.log(e instanceof Error, e.name, e.message, String(e)));
	`, "true MyError mine MyError: mine\n"},
	{"run: throw 2 rejects with 2", `Isolate.run(() => { throw 2; }).catch(e => console.log(typeof e, e));`, "number 2\n"},
	{"run: rejecting with a string", `Isolate.run(() => Promise.reject("no")).catch(e => console.log(typeof e, e));`, "string no\n"},
	{"run: plain object arrives as its clone", `
		Isolate.run(() => { throw {code: 1, list: [1, 2], when: new Date(0)}; }).catch(e => console.log(e.code, e.list.length, e.when instanceof Date, e instanceof Error));
	`, "1 2 true false\n"},
	{"run: unclonable thrown value", `
		Isolate.run(() => { throw () => 1; }).catch(e => console.log(e instanceof Error, e.name, e.message.includes("could not be cloned")));
	`, "true Error true\n"},
	{"run: error caught and rethrown from a clone failure keeps DataCloneError", `
		Isolate.run(() => { try { structuredClone(() => 1) } catch (e) { throw e } }).catch(e => console.log(e.name, e.message));
	`, "DataCloneError function could not be cloned\n"},
	{"structuredClone keeps the HTML algorithm", `
		const e = Object.assign(new TypeError("t"), {code: "X"}); Object.defineProperty(e, "name", {value: "Odd"});
		const c = structuredClone(e);
		console.log(c instanceof Error, c.name, c.code);
	`, "true Error undefined\n"},
	{"error listener payload keeps its shape and adds the copy", `
		const ev = new ReceivePort();
		ev.listen(m => {
			if (m === null) { ev.close(); return; }
			console.log(m.name, m.message, typeof m.stack, m.error instanceof TypeError, m.error.code, m.error.message);
		});
		Isolate.spawn(() => { throw Object.assign(new TypeError("lis"), {code: "L"}); }, null, {onError: ev.sendPort, onExit: ev.sendPort});
	`, "TypeError lis string true L lis\n"},
	{"error listener payload of a thrown primitive", `
		const ev = new ReceivePort();
		ev.listen(m => { if (m === null) { ev.close(); return; } console.log(m.error, typeof m.message); });
		Isolate.spawn(() => { throw 42; }, null, {onError: ev.sendPort, onExit: ev.sendPort});
	`, "42 string\n"},

	// ResourceLimitError keeps limit, max, seen and unit on every path.
	{"limit through Isolate.run", `
		Isolate.run(() => { while (true) {} }, null, {limits: {maxTaskMs: 30}})
			.catch(e => console.log(e instanceof Error, e.name, e.limit, e.max, e.seen >= 30, e.unit, e.message.startsWith("maxTaskMs exceeded: limit 30 ms, saw ")));
	`, "true ResourceLimitError maxTaskMs 30 true ms true\n"},
	{"limit through an error listener", `
		const ev = new ReceivePort();
		ev.listen(m => {
			if (m === null) { ev.close(); return; }
			console.log(m.name, m.limit, m.max, m.seen >= 30, m.unit, m.error.name, m.error.limit, m.error.max, m.error.unit);
		});
		Isolate.spawn(() => { while (true) {} }, null, {onError: ev.sendPort, onExit: ev.sendPort, limits: {maxTaskMs: 30}});
	`, "ResourceLimitError maxTaskMs 30 true ms ResourceLimitError maxTaskMs 30 ms\n"},
	{"limit caught and rethrown in the child", `
		Isolate.run(() => { try { setTimeout(() => {}); setTimeout(() => {}); } catch (e) { throw e; } }, null, {limits: {maxTimers: 1}})
			.catch(e => console.log(e.name, e.limit, e.max, e.seen, e.unit, e.message));
	`, "ResourceLimitError maxTimers 1 2 timers maxTimers exceeded: limit 1 timers, saw 2 timers\n"},
	{"limit caught and rethrown, seen by an error listener", `
		const ev = new ReceivePort();
		ev.listen(m => { if (m === null) { ev.close(); return; } console.log(m.limit, m.max, m.seen, m.unit, m.message, m.error.seen); });
		Isolate.spawn(() => { try { setTimeout(() => {}); setTimeout(() => {}); } catch (e) { throw e; } }, null, {onError: ev.sendPort, onExit: ev.sendPort, limits: {maxTimers: 1}});
	`, "maxTimers 1 2 timers maxTimers exceeded: limit 1 timers, saw 2 timers 2\n"},
	{"limit thrown into the script has its numbers", `
		try { structuredClone; const rp = new ReceivePort(); try { rp.sendPort.send("x".repeat(100)) } finally { rp.close() } } catch (e) { console.log(e.name) }
		Isolate.run(() => { try { setTimeout(() => {}); setTimeout(() => {}); } catch (e) { return [e.name, e.limit, e.max, e.seen, e.unit, Object.keys(e).join()]; } }, null, {limits: {maxTimers: 1}}).then(v => console.log(v.join(" ")));
	`, "ResourceLimitError maxTimers 1 2 timers limit,max,seen,unit\n"},
	{"stack overflow through Isolate.run", `
		Isolate.run(() => { function f() { f(); } f(); }, null, {limits: {maxStackDepth: 100}})
			.catch(e => console.log(e instanceof RangeError, e.limit, e.max, e.unit, e.stack.startsWith("RangeError: Maximum call stack size exceeded")));
	`, "true maxStackDepth 100 frames true\n"},

	// No Go names.
	{"host objects name their JS class when they cannot be cloned", `
		// Isolate handles and Capabilities are sendable, as in Dart.
		const rp = new ReceivePort();
		for (const v of [Isolate.current, rp, new Capability(), new Timer(0, () => {}), Isolate.current.pauseCapability]) {
			try { structuredClone({v}); console.log("sendable") } catch (e) { console.log(e.name, e.message) }
		}
		rp.close();
	`, "sendable\nDataCloneError ReceivePort could not be cloned\nsendable\nDataCloneError Timer could not be cloned\nsendable\n"},
	{"sending a host object names its class", `
		const rp = new ReceivePort();
		try { rp.sendPort.send([rp]) } catch (e) { console.log(e.message) }
		Isolate.run(() => { const r = new ReceivePort(); r.close(); return r; }).catch(e => console.log(e.message));
		rp.close();
	`, "ReceivePort could not be cloned\nReceivePort could not be cloned\n"},
	{"native frames have JS names", `
		const stacks = [];
		queueMicrotask(() => stacks.push(new Error("micro").stack));
		const port = new ReceivePort();
		try { port.sendPort.send(() => 1) } catch (e) { stacks.push(e.stack) }
		port.close();
		try { setTimeout(1) } catch (e) { stacks.push(e.stack) }
		try { new ReceivePort().listen(3) } catch (e) { stacks.push(e.stack) }
		Isolate.spawn(5).catch(e => {
			stacks.push(e.stack);
			const all = stacks.join("\n");
			console.log(all.includes("at SendPort.send (native)"), all.includes("at setTimeout (native)"), all.includes("at ReceivePort.listen (native)"), all.includes("at Isolate.spawn (native)"), all.includes("at queueMicrotask (native)"));
			console.log(/github\.com|\(\*|-fm|\.func\d/.test(all));
			exit(0);
		});
	`, "true true true true true\nfalse\n"},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			res := runJS(t, tc.src)
			if res.stdout != tc.want {
				t.Errorf("stdout:\n%q\nwant:\n%q\nstderr:\n%s\nerr: %v", res.stdout, tc.want, res.stderr, res.err)
			}
		})
	}
}

// goish matches what must never reach a script: Go source paths, goroutine
// dumps, Go package paths and method values.
func goish(s string) bool {
	for _, bad := range []string{".go:", "goroutine ", "github.com/", "runtime/", "-fm", "panic("} {
		if strings.Contains(s, bad) {
			return true
		}
	}
	return false
}

// TestGoPanicIsInternalError: a Go panic under a native (here a host
// function) becomes "InternalError: <one line>" with a JS stack; the Go
// stack goes to the host's debug log only.
func TestGoPanicIsInternalError(t *testing.T) {
	cases := []struct {
		name, src string
		check     func(t *testing.T, res result)
	}{
		{"uncaught in main", "function f() { host.boom(); }\nf();\n", func(t *testing.T, res result) {
			var se *engine.ScriptError
			if !errors.As(res.err, &se) {
				t.Fatalf("err = %v, want a ScriptError", res.err)
			}
			if se.Name != "InternalError" || se.Message != "kaboom" {
				t.Errorf("got %s: %q, want InternalError: kaboom", se.Name, se.Message)
			}
			if goish(se.Stack) || !strings.HasPrefix(se.Stack, "InternalError: kaboom\n") || !strings.Contains(se.Stack, "at host.boom (native)") || !strings.Contains(se.Stack, "at f (test.js:1:") {
				t.Errorf("stack %q: want a JS stack only", se.Stack)
			}
			var pe *engine.PanicError
			if !errors.As(res.err, &pe) || !strings.Contains(pe.Stack, "goroutine ") {
				t.Errorf("the Go side lost the panic: %v", res.err)
			}
		}},
		{"through Isolate.run", `Isolate.run(() => host.boom()).catch(e => console.log(e.name, e.message, e.stack.split("\n")[0], /\.go:|goroutine|github\.com/.test(e.stack)));`, func(t *testing.T, res result) {
			if res.stdout != "InternalError kaboom InternalError: kaboom false\n" {
				t.Errorf("stdout %q", res.stdout)
			}
		}},
		{"through an error listener", `
			const ev = new ReceivePort();
			ev.listen(m => { if (m === null) { ev.close(); return; } console.log(m.name, m.message, m.error.name, /\.go:|goroutine|github\.com/.test(m.stack + m.error.stack)); });
			Isolate.spawn(() => host.boom(), null, {onError: ev.sendPort, onExit: ev.sendPort});
		`, func(t *testing.T, res result) {
			if res.stdout != "InternalError kaboom InternalError false\n" {
				t.Errorf("stdout %q", res.stdout)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var debug syncBuffer
			res := runJSFuncs(t, tc.src, []string{"boom"},
				engine.WithFunc("boom", func(context.Context, []any) (any, error) { panic("kaboom\nsecond line") }),
				engine.WithDebugLog(&debug))
			tc.check(t, res)
			if goish(res.stdout) || goish(res.stderr) {
				t.Errorf("Go details reached the script's output:\n%s\n%s", res.stdout, res.stderr)
			}
			if log := debug.String(); !strings.Contains(log, "kaboom") || !strings.Contains(log, "goroutine ") {
				t.Errorf("debug log lacks the Go stack:\n%s", log)
			}
		})
	}
}

// uncaughtCases: what an isolate prints on stderr for an uncaught error that
// nobody listens to.
var uncaughtCases = []struct {
	name, src, stderr string
}{
	{"non-fatal main, thrown string", `Isolate.current.setErrorsFatal(false); setTimeout(() => { throw "Oh no!"; }, 0);`, "Uncaught 'Oh no!'\n    at test.js:1:"},
	{"non-fatal main, thrown object", `Isolate.current.setErrorsFatal(false); setTimeout(() => { throw {a: 1}; }, 0);`, "Uncaught { a: 1 }\n"},
	{"non-fatal main, thrown error", `Isolate.current.setErrorsFatal(false); setTimeout(() => { throw new TypeError("t"); }, 0);`, "Uncaught TypeError: t\n    at test.js:1:"},
	{"child says which isolate", `Isolate.spawn(() => { throw new RangeError("kid"); }, null, {name: "w1"}).then(iso => iso.exited);`, "[2 w1] Uncaught RangeError: kid\n    at "},
	{"child, thrown string", `Isolate.spawn(() => { throw "s"; }, null, {name: "w2"}).then(iso => iso.exited);`, "[2 w2] Uncaught 's'\n"},
}

func TestUncaughtOutput(t *testing.T) {
	for _, tc := range uncaughtCases {
		t.Run(tc.name, func(t *testing.T) {
			res := runJS(t, tc.src)
			if !strings.HasPrefix(res.stderr, tc.stderr) {
				t.Errorf("stderr %q, want it to start with %q", res.stderr, tc.stderr)
			}
		})
	}
}

// TestSyntaxErrorSaysItOnce: a compile error's text names SyntaxError once,
// wherever it is shown.
func TestSyntaxErrorSaysItOnce(t *testing.T) {
	cases := []struct {
		name string
		src  engine.Source
	}{
		{"parser error", engine.ScriptSource("bad.js", "let x = ;")},
		{"compiler error", engine.ScriptSource("bad.js", "return 1")},
		{"function source", engine.FunctionSource("() => { let x = ; }")},
	}
	host := engine.NewHost(engine.WithSetup(setupForTest()))
	defer func() { _ = host.Shutdown(context.Background()) }()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := host.Spawn(tc.src)
			var se *engine.ScriptError
			if !errors.As(err, &se) || se.Name != "SyntaxError" {
				t.Fatalf("err = %v, want a SyntaxError", err)
			}
			for _, text := range []string{se.Error(), bindings.FormatError(se), bindings.FormatSyntaxError(se)} {
				if n := strings.Count(text, "SyntaxError"); n != 1 {
					t.Errorf("%q names SyntaxError %d times", text, n)
				}
			}
		})
	}
}
