package bindings_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// fuzzLimits keep a fuzz input from hanging or eating the machine.
var fuzzLimits = engine.Limits{MaxTaskMs: 300, MemoryMb: 128, MaxTimers: 100, MaxQueue: 1000, MaxMessageBytes: 1 << 20}

// fuzzAPIs are the global API calls FuzzBindingArgs exercises; each takes
// the fuzz-chosen arguments as an array a.
var fuzzAPIs = []string{
	`setTimeout(...a)`, `setInterval(...a)`, `clearTimeout(...a)`, `clearInterval(...a)`,
	`new ReceivePort(...a)`, `new ReceivePort().sendPort.send(...a)`, `(() => { const r = new ReceivePort(); r.listen(...a); r.close() })()`,
	`Isolate.spawn(...a)`, `Isolate.spawn(() => {}, ...a)`, `Isolate.run(...a)`, `Isolate.spawnFile(...a)`,
	`Isolate.current.kill(...a)`, `Isolate.current.pause(...a)`, `Isolate.current.resume(...a)`, `Isolate.current.ping(...a)`,
	`Isolate.current.addOnExitListener(...a)`, `Isolate.current.removeOnExitListener(...a)`,
	`Isolate.current.addErrorListener(...a)`, `Isolate.current.removeErrorListener(...a)`, `Isolate.current.setErrorsFatal(...a)`,
	`console.log(...a)`, `console.error(...a)`, `stdout.write(...a)`, `stdout.writeln(...a)`, `stderr.write(...a)`,
	`typeof structuredClone === "function" && structuredClone(...a)`, `new Capability(...a)`, `Isolate.exit(...a)`,
	`'x'.repeat(...a)`, `'x'.padStart(...a)`, `new ArrayBuffer(...a)`, `new Float64Array(...a)`, `Array.from(...a)`, `[1, 2].join(...a)`,
}

// fuzzValues are the argument values a fuzz byte picks from.
var fuzzValues = []string{
	`undefined`, `null`, `NaN`, `-1`, `0`, `1`, `1e3`, `-Infinity`, `Infinity`, `2**31`, `2**53`, `2**62`, `-(2**62)`, `0.5`,
	`""`, `"x"`, `"\u0000"`, `true`, `false`, `10n`, `Symbol("s")`, `{}`, `[]`, `[1, [2]]`, `() => 1`, `async () => { throw 1 }`,
	`{valueOf() { throw new Error("v") }}`, `{toString() { return "t" }}`, `new Proxy({}, {get() { throw new Error("p") }})`,
	`{length: 2**40}`, `{priority: Isolate.immediate}`, `{priority: 7}`, `{limits: {maxTaskMs: -5}}`, `{limits: {memoryMb: NaN}}`,
	`{limits: {nope: 1}}`, `{onExit: 1}`, `{onError: new ReceivePort().sendPort}`, `new ReceivePort().sendPort`, `new ReceivePort()`,
	`Isolate.current`, `Isolate.current.pauseCapability`, `new ArrayBuffer(8)`, `new Uint8Array(4)`, `Object.create(null)`,
	`(() => { const o = {}; o.o = o; return o })()`, `{get x() { Isolate.current.kill({priority: Isolate.immediate}) }}`,
}

func fuzzScript(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	var b strings.Builder
	for len(data) > 0 {
		api := fuzzAPIs[int(data[0])%len(fuzzAPIs)]
		n := 0
		if len(data) > 1 {
			n = int(data[1]) % 4
		}
		data = data[min(2, len(data)):]
		args := make([]string, 0, n)
		for i := 0; i < n && len(data) > 0; i++ {
			args = append(args, fuzzValues[int(data[0])%len(fuzzValues)])
			data = data[1:]
		}
		b.WriteString("try { const a = [" + strings.Join(args, ", ") + "]; const r = " + api + "; if (r && typeof r.then === 'function') r.then(x => x && typeof x.kill === 'function' && x.kill(), () => {}) } catch (e) {}\n")
	}
	return b.String()
}

// runFuzzHost runs fn against a fresh host and tears it down; any Go panic
// that reached an isolate (an InternalError) fails the input.
func runFuzzHost(t *testing.T, fn func(h *engine.Host)) {
	var out syncBuffer
	h := engine.NewHost(engine.WithStdout(&out), engine.WithStderr(&out),
		engine.WithSetup(bindings.Setup(bindings.Config{})), engine.WithDefaultLimits(fuzzLimits), engine.WithMaxIsolates(20))
	fn(h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if strings.Contains(out.String(), "InternalError") {
		t.Fatalf("a Go panic reached the script:\n%s", out.String())
	}
}

func checkNoPanic(t *testing.T, err error) {
	var pe *engine.PanicError
	if errors.As(err, &pe) {
		t.Fatalf("Go panic: %v\n%s", pe.Value, pe.Stack)
	}
}

// FuzzBindingArgs calls the global APIs with fuzz-chosen arguments: no
// input may panic the process or reach a Go panic.
func FuzzBindingArgs(f *testing.F) {
	f.Add([]byte{0, 2, 3, 24})
	f.Add([]byte{7, 1, 24, 8, 2, 0, 30})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64 {
			data = data[:64]
		}
		src := fuzzScript(data)
		runFuzzHost(t, func(h *engine.Host) {
			iso, err := h.Spawn(engine.ScriptSource("fuzz.js", src), engine.WithName("fuzz"))
			if err != nil {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			checkNoPanic(t, iso.Wait(ctx))
		})
	})
}

// FuzzReplLine feeds one line to a REPL session (and to Incomplete and
// Complete): no input may panic the process.
func FuzzReplLine(f *testing.F) {
	for _, s := range []string{"1+1", "let x = 1", "x.", "await 1", "{", "Isolate.current.kill()", "while(true){}", "throw 1", "class A {}", "`${", "/re", "Isolate.current.pause()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if len(line) > 512 {
			line = line[:512]
		}
		_ = bindings.Incomplete(line)
		runFuzzHost(t, func(h *engine.Host) {
			iso, err := h.Spawn(engine.ScriptSource("<repl>", ""), engine.WithName("main"), engine.WithErrorsAreFatal(false), engine.WithPaused(true))
			if err != nil {
				return
			}
			release := iso.Hold()
			defer release()
			iso.Resume(iso.PauseCapability())
			s := bindings.NewSession(iso, bindings.REPLOptions{})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			res, err := s.Eval(ctx, line)
			checkNoPanic(t, err)
			if res.Err != nil {
				checkNoPanic(t, res.Err)
			}
			_, _ = s.Complete(ctx, line)
		})
	})
}
