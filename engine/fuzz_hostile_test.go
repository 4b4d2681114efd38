package engine_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// The generative hostile fuzzer (hardening issue, "find the next class
// before a user does").
//
// FuzzHostileGrammar decodes its input into a small hostile program: one to
// three statements, each a built-in call from a grammar of the natives goja
// runs in Go (array, string, function, reflect, JSON, collection, promise,
// typed-array, BigInt, RegExp and compile paths), applied to hostile
// arguments (huge lengths, array-likes, sparse arrays, cycles, Proxies,
// getters, objects with toString/valueOf, BigInts, deep nesting, endless
// iterators), inside a control-flow wrapper (try, loops, promise jobs,
// timers, async functions, generators, deep JS recursion). Each program
// runs in an isolate with tight limits, in a child process, so that a Go
// fatal error (stack overflow, out of memory) is detected, not suffered.
// The property: the program returns or throws a JS error, or is stopped
// by a limit, within hostileFuzzBound; the child process survives.
//
// Run it for real with
//
//	ISOBOX_FUZZ_FINDINGS=/tmp/findings go test -run '^$' -fuzz FuzzHostileGrammar -fuzztime 30m ./engine
//
// With ISOBOX_FUZZ_FINDINGS set, an InternalError (a Go panic inside goja,
// caught: it ends only that isolate) and an isolate that outlives its kill
// by seconds are appended to that file and the run goes on; a dead child
// process or a Go stack reaching the script stops it. Without the
// variable every bad verdict fails.
// Without -fuzz, `go test` runs the committed seeds
// (testdata/fuzz/FuzzHostileGrammar) and the f.Add ones through the same
// child, so CI checks the harness and the known cases.

// hostileFuzzLimits are the child isolates' limits, as the attack used.
var hostileFuzzLimits = engine.Limits{MaxTaskMs: 200, CPUMs: 2000, MemoryMb: 64}

// hostileFuzzBound is how long one program may take, wall time, before the
// fuzzer calls it a hang: well over the limits (the child kills a program
// still running after a second), so a loaded machine does not make it
// flaky, and under the ten seconds after which Go's fuzzing engine calls
// the worker itself hung. A real hang (an uninterruptible loop) runs
// minutes.
const hostileFuzzBound = 9 * time.Second

var fuzzTargets = []string{
	"Array.prototype.join.call(@A, @B)", "Array.prototype.concat.call([], @A, @B)", "[@A].flat(Infinity)",
	"Array.prototype.flatMap.call(@A, x => x)", "Array.prototype.map.call(@A, x => x)", "Array.prototype.sort.call(@A)",
	"Array.prototype.fill.call(@A, @B)", "Array.prototype.includes.call(@A, @B)", "Array.prototype.slice.call(@A)",
	"Array.prototype.splice.call(@A, 0, @N, @B)", "Array.prototype.reverse.call(@A)", "Array.prototype.toSorted.call(@A)",
	"Array.prototype.with.call(@A, 0, @B)", "Array.prototype.copyWithin.call(@A, 0, 1)", "Array.prototype.reduce.call(@A, (a, b) => a, 0)",
	"Array.prototype.lastIndexOf.call(@A, @B)", "Array.prototype.unshift.call(@A, @B)", "Array.prototype.toString.call(@A)",
	"String.prototype.repeat.call(@A, @N)", "String.prototype.padStart.call(@A, @N, @B)", "String.prototype.split.call(@A, @B)",
	"String.prototype.normalize.call(@A, 'NFKD')", "String.prototype.replace.call(@A, @B, @A)", "String.prototype.replaceAll.call(@A, '', @A)",
	"String.prototype.match.call(@A, @B)", "[...String.prototype.matchAll.call(@A, /(?:)/g)]", "String.prototype.search.call(@A, @B)",
	"String.prototype.concat.call(@A, @B, @A)", "String.prototype.toUpperCase.call(@A)", "String.prototype.localeCompare.call(@A, @B)",
	"(function () {}).apply(null, @A)", "Reflect.apply(Math.max, null, @A)", "Reflect.construct(Array, @A)",
	"Function.prototype.bind.apply(Math.max, [null].concat(@A))", "String.raw({raw: @A}, @B)", "String.fromCharCode(...@A)",
	"Math.max(...@A)", "JSON.stringify(@A)", "JSON.stringify(@A, null, @N)", "JSON.parse(String(@A))", "JSON.parse(@B, (k, v) => @A)",
	"structuredClone(@A)", "Object.keys(@A)", "Object.entries(@A)", "Object.values(@A)", "Object.fromEntries(@A)",
	"Object.assign({}, @A)", "Object.getOwnPropertyNames(@A)", "Reflect.ownKeys(@A)", "Object.getOwnPropertyDescriptors(@A)",
	"new Set(@A)", "new Map(@A)", "new WeakSet(@A)", "Array.from(@A)", "Array.from(@A, x => @B)", "Promise.all(@A)",
	"Promise.allSettled(@A)", "Promise.race(@A)", "Promise.any(@A)", "[...@A]", "[...@A, ...@B]", "new Uint8Array(@A)",
	"new Float64Array(@A)", "new ArrayBuffer(@N)", "new Uint8Array(@N).join(@B)", "Object.keys(new Uint8Array(@N))",
	"Array.from(new Uint8Array(@N))", "new Uint8Array(@N).sort()", "new Uint8Array(@N).toString()",
	"BigInt.asUintN(@N, -1n)", "BigInt.asIntN(@N, @A)", "BigInt(@A)", "(2n ** 64n).toString(@N)", "@A + ''", "String(@A)",
	"`${@A}${@B}`", "@A == @B", "@A < @B", "@A * @B", "+@A", "new RegExp(@A)", "new RegExp(String(@A))", "/(a+)+$/.test(@A)",
	"eval(String(@A))", "new Function(String(@A))", "Object.setPrototypeOf(@A, @B)", "@A instanceof Object",
	"Object.prototype.toString.call(@A)", "Object.prototype.toLocaleString.call(@A)", "Date.prototype.toJSON.call(@A)",
	"RegExp.prototype.toString.call(@A)", "Error.prototype.toString.call(@A)", "new Error(@A, {cause: @B}).toString()",
	"Atomics.load(new Int32Array(@N), 0)", "new DataView(new ArrayBuffer(@N)).getFloat64(0)", "Array(@N).join(@B)",
	"Array(@N).fill(@A)", "new Array(@N).keys().next()", "Symbol.for(String(@A))", "Object.freeze(@A)", "@A.constructor(@B)",
	"@A << @B", "@A >> @B", "@A ** @B", "({...@A})", "({a: 1, ...@A, ...@B})", "(() => { let x = @A; x **= @B; return x })()",
	"(() => { const o = {p: @A}; o.p <<= @B; o['p'] >>= @B; return o })()", "eval('(a, b) => a << b')(@A, @B)",
	// 2026-12-03: string +, templates and the compile paths.
	"@A + @A + @B", "`${@A}${@A}${@B}`", "(() => { let s = @A; s += s; s += @B; return s })()", "[@A, @A].join(@B)",
	"(() => { const o = {p: @A}; o.p += o.p; return o.p })()", "eval(String(@A) + '\\n//# sourceMappingURL=/dev/zero')",
	"eval(\"'\\\\u{10FFFF}'\" + ';' + String(@A))", "eval('0,'.repeat(@N) + '0')", "new Function('a;'.repeat(@N))",
	"new Uint8Array(@N).fill(1).join(@B)",
	// 2026-12-03 (third): Go's regexp work and program size.
	"String.prototype.replace.call(@A, /.*b|a/g, '')", "String.prototype.match.call(@A, new RegExp(String(@B), 'g'))",
	"new RegExp(String(@A)).exec(@B)", "String.prototype.split.call(@A, /.*b|(?<!x)a/)", "[...String.prototype.matchAll.call(@A, /.*b|a/g)]",
	"new RegExp(String(@A)).test(@B)", "String.prototype.search.call(@A, new RegExp(String(@B), 'u'))",
}

var fuzzValues = []string{
	"({length: 2**40})", "({length: 2**32 - 1})", "Array(2**32 - 1)", "Array(2**26)", "new Uint8Array(2**24)",
	"'x'.repeat(2**24)", "'x'.repeat(2**20)", "[,,,1]", "(() => { const a = []; a[0] = a; return a })()",
	"(() => { const o = {}; o.o = o; return o })()", "new Proxy({}, {get: (t, k, r) => r})", "new Proxy([], {})",
	"new Proxy({}, {ownKeys: () => ({length: 2**40})})", "({get length() { throw new Error('g') }})",
	"({toString() { return 'x'.repeat(2**20) }})", "({valueOf() { return 2**40 }})",
	"({[Symbol.isConcatSpreadable]: true, length: 2**40})", "2n ** 64n", "-1n", "'['.repeat(1e5)", "'('.repeat(1e5)",
	"'[a-[a-[a-['.repeat(1e4)", "'{\"a\":'.repeat(1e5)", "({[Symbol.iterator]() { return {next() { return {done: false, value: 1} }} }})",
	"Symbol()", "null", "undefined", "NaN", "-0", "2**53", "() => {}", "function f() { return f }",
	"(() => { let f = () => 1; for (let i = 0; i < 1e5; i++) f = f.bind(null); return f })()",
	"(() => { const e = new Error(); e.name = e; return e })()", "(() => { const r = /a/; r.source; return r })()",
	"(() => { let p = {}; for (let i = 0; i < 1e5; i++) p = Object.create(p); return p })()",
	"(() => { let a = []; for (let i = 0; i < 1e5; i++) a = [a]; return a })()", "new Map([[1, 2]])", "new Set('ab'.repeat(1e3))",
	"Array(2**32 - 1).keys()", "'ab'.repeat(2**22)", "{toString: null, valueOf: null}", "new Date(NaN)", "/(?:)/g",
	"{}", "[]", "'\\u2028//'", "({toJSON() { return this }})", "new Uint8Array(8).subarray(1)",
	"BigInt(2**40)", "-(2n ** 40n)", "2n ** 100000n", "({valueOf() { return 2n ** 40n }})", "new String('x'.repeat(2**20))",
	"'a'.repeat(1e5)", "'\\u00e9'.repeat(1e5)", "'x{1000}'.repeat(3000)", "'a'.repeat(2**16)", "'(?:ab|cd){1000}'.repeat(300)",
}

var fuzzNumbers = []string{"0", "-1", "2**31", "2**32", "2**40", "Infinity", "NaN", "1e6", "2**26", "64", "36"}

var fuzzWrappers = []string{
	"@X;", "try { @X } catch (e) {}", "for (let i = 0; i < 3; i++) { @X }", "Promise.resolve().then(() => { @X });",
	"(function r(d) { if (d > 0) return r(d - 1); return @X })(2000);", "setTimeout(() => { @X }, 0);",
	"(async () => { await null; @X })();", "for (const _ of function* () { yield @X }()) ;",
	"[1].forEach(() => { @X });", "JSON.parse('[1]', () => { @X });", "new Promise(r => r(@X));",
	"try { @X } finally { @X }", "queueMicrotask(() => { @X });", "({get p() { return @X }}).p;",
}

// fuzzDecoder reads choices from the fuzz input, one byte each; past the
// end every choice is 0.
type fuzzDecoder struct {
	data []byte
	i    int
}

func (d *fuzzDecoder) pick(list []string) string {
	var b byte
	if d.i < len(d.data) {
		b = d.data[d.i]
	}
	d.i++
	return list[int(b)%len(list)]
}

// hostileProgram turns fuzz input into a program. Deterministic.
func hostileProgram(data []byte) string {
	d := &fuzzDecoder{data: data}
	n := 1
	if len(data) > 0 {
		n += int(data[0]) % 3
		d.i = 1
	}
	var b strings.Builder
	for s := 0; s < n; s++ {
		t := d.pick(fuzzTargets)
		t = strings.ReplaceAll(t, "@A", "("+d.pick(fuzzValues)+")")
		t = strings.ReplaceAll(t, "@B", "("+d.pick(fuzzValues)+")")
		t = strings.ReplaceAll(t, "@N", "("+d.pick(fuzzNumbers)+")")
		b.WriteString(strings.ReplaceAll(d.pick(fuzzWrappers), "@X", t))
		b.WriteByte('\n')
	}
	return b.String()
}

// fuzzChild is the child process that runs programs, one at a time.
type fuzzChild struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *tailBuffer
	died   chan struct{}
}

var (
	fuzzChildMu sync.Mutex
	fuzzChildP  *fuzzChild
)

func startFuzzChild(t testing.TB) *fuzzChild {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileGrammarChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), "ISOBOX_FUZZ_CHILD=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &fuzzChild{cmd: cmd, in: in, out: bufio.NewReader(out), stderr: &tailBuffer{max: 8 << 10}, died: make(chan struct{})}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(c.died) }()
	return c
}

// run sends one program and returns the child's verdict line.
func (c *fuzzChild) run(prog string) (string, error) {
	type res struct {
		line string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		if _, err := fmt.Fprintf(c.in, "%d\n%s", len(prog), prog); err != nil {
			ch <- res{"", err}
			return
		}
		line, err := c.out.ReadString('\n')
		ch <- res{strings.TrimSpace(line), err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			<-c.died
			return "", fmt.Errorf("the child process died: %v (%s)\nstderr tail:\n%s", c.cmd.ProcessState, r.err, c.stderr.String())
		}
		return r.line, nil
	case <-time.After(hostileFuzzBound):
		_ = c.cmd.Process.Kill()
		<-c.died
		return "", fmt.Errorf("%w: no verdict within %v", errFuzzSlow, hostileFuzzBound)
	}
}

// errFuzzSlow is a child that gave no verdict within hostileFuzzBound.
var errFuzzSlow = errors.New("a hang")

func FuzzHostileGrammar(f *testing.F) {
	if os.Getenv("ISOBOX_FUZZ_CHILD") != "" {
		f.Skip("in the child")
	}
	for _, seed := range [][]byte{
		{0}, {0, 0, 0, 0, 0}, {1, 30, 3, 0, 0, 2}, {2, 31, 0, 1, 1, 4, 52, 2, 3, 4, 1}, {0, 57, 2, 0, 0, 0},
		{0, 40, 5, 0, 0, 3}, {0, 64, 18, 0, 0, 6}, {0, 1, 16, 0, 0, 0}, {0, 45, 8, 0, 0, 4}, {0, 78, 0, 0, 3, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		prog := hostileProgram(data)
		fuzzChildMu.Lock()
		defer fuzzChildMu.Unlock()
		if fuzzChildP == nil {
			fuzzChildP = startFuzzChild(t)
		}
		findings := os.Getenv("ISOBOX_FUZZ_FINDINGS")
		verdict, err := fuzzChildP.run(prog)
		if errors.Is(err, errFuzzSlow) && findings != "" {
			fuzzChildP = nil // killed by run
			appendFinding(t, findings, prog, err.Error())
			return
		}
		if err != nil {
			fuzzChildP = nil
			t.Fatalf("program:\n%s\n%v", prog, err)
		}
		t.Logf("%s=> %s", prog, verdict)
		switch {
		case findings == "":
		case strings.HasPrefix(verdict, "bad InternalError"), strings.HasPrefix(verdict, "bad still alive"):
			// A Go panic caught as an InternalError ends only the isolate,
			// and an isolate that outlives its kill by seconds (a long
			// native under a loaded machine, or a real hang) is noted for a
			// second look: in a long campaign the run goes on looking for
			// what ends the process.
			if strings.HasPrefix(verdict, "bad still alive") {
				_ = fuzzChildP.cmd.Process.Kill()
				<-fuzzChildP.died
				fuzzChildP = nil
			}
			appendFinding(t, findings, prog, verdict)
			return
		}
		if !strings.HasPrefix(verdict, "ok ") {
			fuzzChildP = nil
			t.Fatalf("program:\n%s\nverdict: %s", prog, verdict)
		}
	})
}

// TestHostileGrammarChild is the child's loop: it reads length-prefixed
// programs on stdin and writes one verdict line per program on stdout:
// "ok <how it ended>", or "bad <why>" when the isolate outlived the bound
// or an error was not a JS error.
func TestHostileGrammarChild(t *testing.T) {
	if os.Getenv("ISOBOX_FUZZ_CHILD") == "" {
		t.Skip("the fuzzer's child process (FuzzHostileGrammar)")
	}
	host := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})),
		engine.WithStdout(io.Discard), engine.WithStderr(io.Discard), engine.WithMemoryLimit(512))
	defer func() { _ = host.Shutdown(context.Background()) }()
	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || n < 0 || n > 1<<20 {
			fmt.Println("bad framing")
			return
		}
		prog := make([]byte, n)
		if _, err := io.ReadFull(in, prog); err != nil {
			return
		}
		fmt.Println(runHostileProgram(host, string(prog)))
	}
}

func runHostileProgram(host *engine.Host, prog string) string {
	iso, err := host.Spawn(engine.ScriptSource("fuzz.js", prog), engine.WithLimits(hostileFuzzLimits))
	if err != nil {
		if strings.Contains(err.Error(), "SyntaxError") {
			return "bad the grammar made a syntax error: " + firstLine(err.Error()) // a generator bug
		}
		return "ok refused at spawn: " + firstLine(err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), hostileFuzzBound-3*time.Second)
	defer cancel()
	// A program that leaves timers or ports open would live on; what it
	// queued gets a moment, then it is killed, as a parent would.
	select {
	case <-iso.Done():
	case <-time.After(time.Second):
		iso.Kill(engine.Immediate)
	}
	err = iso.Wait(ctx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "bad still alive after kill"
	case err == nil:
		return "ok returned"
	}
	var le *engine.LimitError
	var se *engine.ScriptError
	switch {
	case errors.As(err, &le):
		return "ok limit " + le.Limit
	case errors.Is(err, engine.ErrKilled):
		return "ok killed"
	case errors.As(err, &se):
		if se.Name == "InternalError" || strings.Contains(se.Message, "goroutine ") || strings.Contains(se.Message, ".go:") {
			return "bad " + firstLine(se.Error())
		}
		return "ok threw " + se.Name
	}
	return "ok " + firstLine(err.Error())
}

// appendFinding adds one program and its verdict to the findings file.
func appendFinding(t *testing.T, path, prog, verdict string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s=> %s\n\n", prog, verdict)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
