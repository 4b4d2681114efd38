package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
	"go.uber.org/goleak"
)

// TestMain lets this test binary serve as its own worker process: a Host
// spawning process isolates re-executes it, and WorkerMain takes over.
func TestMain(m *testing.M) {
	engine.WorkerMain(
		engine.WithSetup(bindings.Setup(bindings.Config{})),
		// Test-only ways to end a worker as a Go fatal error would.
		engine.WithFunc("crashPanic", func(context.Context, []any) (any, error) {
			go func() { panic("worker crash") }()
			time.Sleep(time.Second)
			return nil, nil
		}),
		engine.WithFunc("hugeAlloc", func(context.Context, []any) (any, error) {
			b := make([]byte, 1<<30)
			return len(b), nil
		}),
		engine.WithFunc("tryEscape", func(context.Context, []any) (any, error) {
			res := map[string]any{}
			note := func(name string, err error) {
				if err != nil {
					res[name] = err.Error()
				} else {
					res[name] = "ok"
				}
			}
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
			if err == nil {
				syscall.Close(fd)
			}
			note("socket", err)
			note("exec", exec.Command("/bin/true").Run())
			note("create", os.WriteFile(filepath.Join(os.TempDir(), "isobox-confine-probe"), []byte("x"), 0o600))
			_, err = os.ReadFile("/proc/self/status")
			note("read", err)
			return res, nil
		}),
		engine.WithFunc("crashStack", func(context.Context, []any) (any, error) {
			debug.SetMaxStack(1 << 20) // overflow fast
			var f func(int) int
			f = func(n int) int { return f(n+1) + 1 }
			go f(0)
			time.Sleep(5 * time.Second)
			return nil, nil
		}),
	)
	if os.Getenv("ISOBOX_TEST_PARENT") == "1" {
		os.Exit(serveAsParent())
	}
	os.Exit(m.Run())
}

// serveAsParent is the host side of TestProcessDiesWithParent: it starts a
// process isolate, prints its worker's pid and waits to be killed.
func serveAsParent() int {
	h := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})), engine.WithStdout(io.Discard))
	iso, err := h.Spawn(engine.FunctionSource(`() => { new ReceivePort(); }`), engine.WithProcess(""))
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println(iso.Pid())
	time.Sleep(time.Minute)
	return 0
}

func processHost(t *testing.T, opts ...engine.HostOption) (*engine.Host, *strings.Builder) {
	t.Helper()
	var out strings.Builder
	h := engine.NewHost(append([]engine.HostOption{
		engine.WithStdout(&syncWriter{b: &out}), engine.WithStderr(&syncWriter{b: &out}),
		engine.WithSetup(bindings.Setup(bindings.Config{})),
	}, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return h, &out
}

func recv(t *testing.T, p *engine.Port) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := p.RecvValue(ctx)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return v
}

func wait(t *testing.T, iso *engine.Isolate) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := iso.Wait(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("isolate did not end")
	}
	return err
}

func TestProcessMessagesBothWays(t *testing.T) {
	h, out := processHost(t)
	replies := h.NewPort("replies")
	msg, _ := engine.MessageFromGo(map[string]any{"reply": replies.SendPort(), "n": 21})
	iso, err := h.Spawn(engine.FunctionSource(`({reply, n}) => {
		const rp = new ReceivePort();
		rp.listen(m => { reply.send({echo: m, pid: typeof process}); rp.close(); });
		reply.send({doubled: n * 2, port: rp.sendPort});
		console.log("hello from the worker");
	}`), engine.WithMessage(msg), engine.WithProcess(""))
	if err != nil {
		t.Fatal(err)
	}
	first := recv(t, replies).(map[string]any)
	if fmt.Sprint(first["doubled"]) != "42" {
		t.Fatalf("first reply: %#v", first)
	}
	port, ok := first["port"].(*engine.SendPort)
	if !ok {
		t.Fatalf("port did not arrive as a SendPort: %#v", first["port"])
	}
	if err := port.SendValue(map[string]any{"x": []any{1, "two"}}); err != nil {
		t.Fatal(err)
	}
	second := recv(t, replies).(map[string]any)
	echo := second["echo"].(map[string]any)["x"].([]any)
	if len(echo) != 2 || echo[1] != "two" {
		t.Fatalf("echo: %#v", second)
	}
	if err := wait(t, iso); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if !strings.Contains(out.String(), "hello from the worker") {
		t.Errorf("output: %q", out.String())
	}
}

func TestProcessKillBusyWorker(t *testing.T) {
	h, _ := processHost(t)
	exits := h.NewPort("exits")
	for _, p := range []engine.Priority{engine.Immediate, engine.BeforeNextEvent} {
		iso, err := h.Spawn(engine.FunctionSource(`() => { const rp = new ReceivePort(); }`), engine.WithProcess(""),
			engine.WithOnExit(exits.SendPort(), nil))
		if err != nil {
			t.Fatal(err)
		}
		iso.Kill(p)
		if err := wait(t, iso); !errors.Is(err, engine.ErrKilled) {
			t.Errorf("%v kill: %v, want ErrKilled", p, err)
		}
		recv(t, exits)
	}
	// A worker stuck in a loop that never checks for a kill in time is
	// SIGKILLed after the grace.
	iso, err := h.Spawn(engine.FunctionSource(`() => { while (true) {} }`), engine.WithProcess(""))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	iso.Kill(engine.Immediate)
	if err := wait(t, iso); !errors.Is(err, engine.ErrKilled) {
		t.Errorf("busy kill: %v, want ErrKilled", err)
	}
}

// TestProcessCrashContained ends workers the ways a Go process dies: a panic
// nothing recovers, a Go stack overflow, SIGKILL from outside. Each takes
// only its own isolate, which gets a ProcessError and then its exit; a
// sibling in-process isolate and another worker go on.
func TestProcessCrashContained(t *testing.T) {
	h, _ := processHost(t)
	errs := h.NewPort("errors")
	sibling, err := h.Spawn(engine.FunctionSource(`() => { const rp = new ReceivePort(); }`), engine.WithProcess("other"))
	if err != nil {
		t.Fatal(err)
	}
	local, err := h.Spawn(engine.FunctionSource(`() => { const rp = new ReceivePort(); }`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, fn, want string
	}{
		{"panic", "crashPanic", "panic: worker crash"},
		{"stack overflow", "crashStack", "fatal error: stack overflow"},
		{"sigkill", "", "signal: killed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := `() => { const rp = new ReceivePort(); }`
			if tc.fn != "" {
				code = `() => { setTimeout(() => host.` + tc.fn + `(), 10); }`
			}
			iso, err := h.Spawn(engine.FunctionSource(code), engine.WithProcess(""), engine.WithOnError(errs.SendPort()),
				engine.WithCapabilities(engine.Capabilities{Funcs: []string{tc.fn}}))
			if err != nil {
				t.Fatal(err)
			}
			if tc.fn == "" {
				pid := workerPid(t, iso)
				if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
			}
			payload := recv(t, errs).(map[string]any)
			if payload["name"] != "ProcessError" || !strings.Contains(payload["message"].(string), tc.want) {
				t.Errorf("error payload %#v, want ProcessError with %q", payload, tc.want)
			}
			for _, k := range []string{"message", "stack"} {
				if s, _ := payload[k].(string); strings.Contains(s, "goroutine") || strings.Contains(s, ".go:") {
					t.Errorf("%s leaks the Go stack: %q", k, s)
				}
			}
			var se *engine.ScriptError
			if err := wait(t, iso); !errors.As(err, &se) || se.Name != "ProcessError" {
				t.Errorf("exit: %v", err)
			}
		})
	}
	if sibling.State() == engine.StateDead || local.State() == engine.StateDead {
		t.Error("a crash took another isolate down")
	}
}

// TestProcessConfinement: a worker cannot open sockets, run programs or
// write files, even from a host function; it can still read. With
// confinement off (WithWorkerConfinement(false)) the same calls work.
func TestProcessConfinement(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the seccomp filter is written for linux/amd64")
	}
	if raceEnabled {
		t.Skip("race-detector builds do not confine their workers (TSAN needs what the filter denies)")
	}
	defer os.Remove(filepath.Join(os.TempDir(), "isobox-confine-probe"))
	for _, confined := range []bool{true, false} {
		h, _ := processHost(t, engine.WithWorkerConfinement(confined))
		results := make(chan any, 1)
		iso, err := h.Spawn(engine.FunctionSource(`() => host.tryEscape()`), engine.WithProcess(""),
			engine.WithCapabilities(engine.Capabilities{Funcs: []string{"tryEscape"}}),
			engine.WithResult(func(m *engine.Message, err error) {
				if err != nil {
					results <- err
					return
				}
				v, _ := m.ToGo()
				results <- v
			}))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := (<-results).(map[string]any)
		if !ok {
			t.Fatalf("result: %#v", got)
		}
		wait(t, iso)
		for _, k := range []string{"socket", "exec", "create"} {
			if denied := strings.Contains(fmt.Sprint(got[k]), "operation not permitted"); denied != confined {
				t.Errorf("confined=%v: %s gave %v", confined, k, got[k])
			}
		}
		if got["read"] != "ok" {
			t.Errorf("confined=%v: read gave %v", confined, got["read"])
		}
	}
}

// TestProcessDiesWithParent: a worker never outlives its host process.
func TestProcessDiesWithParent(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ISOBOX_TEST_PARENT=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil || pid <= 0 {
		t.Fatalf("no worker pid from the parent: %v", err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("worker %d not running: %v", pid, err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("worker %d outlived its parent", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func workerPid(t *testing.T, iso *engine.Isolate) int {
	t.Helper()
	pid := iso.Pid()
	if pid <= 0 {
		t.Fatalf("no worker pid: %d", pid)
	}
	return pid
}

// TestProcessMemoryLimit: memoryMb on a process isolate is a hard limit
// enforced from outside the worker.
func TestProcessMemoryLimit(t *testing.T) {
	h, out := processHost(t)
	iso, err := h.Spawn(engine.FunctionSource(`() => {
		const keep = [];
		setInterval(() => { for (let i = 0; i < 1e5; i++) keep.push({i, s: "x" + i}); }, 1);
	}`), engine.WithProcess(""), engine.WithLimits(engine.Limits{MemoryMb: 64}))
	if err != nil {
		t.Fatal(err)
	}
	var le *engine.LimitError
	if err := wait(t, iso); !errors.As(err, &le) || le.Limit != "memoryMb" {
		t.Fatalf("exit: %v, want a memoryMb limit error", err)
	}
	if raceEnabled {
		return // no RLIMIT_DATA in race-detector builds (see raceBuild)
	}
	// One huge step: the kernel refuses the mapping (RLIMIT_DATA) before
	// any of it is touched, the worker dies of Go's out-of-memory, and that
	// is reported as the limit too. (A Go host function is the only way to
	// ask for it: the guards stop the JS ways first.)
	iso, err = h.Spawn(engine.FunctionSource(`() => host.hugeAlloc()`), engine.WithProcess(""),
		engine.WithLimits(engine.Limits{MemoryMb: 64}), engine.WithCapabilities(engine.Capabilities{Funcs: []string{"hugeAlloc"}}))
	if err != nil {
		t.Fatal(err)
	}
	if err := wait(t, iso); !errors.As(err, &le) || le.Limit != "memoryMb" {
		t.Fatalf("huge allocation: %v, want a memoryMb limit error; host output:\n%s", err, out)
	}
}

// TestProcessGarbageFromWorker: a worker that writes garbage is killed and
// its isolate gets a clear error; the host goes on.
func TestProcessGarbageFromWorker(t *testing.T) {
	for _, script := range []string{
		`printf 'garbage that is not a frame' >&3; sleep 5`,
		`printf '\377\377\377\177' >&3; sleep 5`,
		`exit 0`,
	} {
		h, _ := processHost(t, engine.WithWorkerCommand("/bin/sh", "-c", script))
		_, err := h.Spawn(engine.FunctionSource(`() => 1`), engine.WithProcess(""))
		var se *engine.ScriptError
		if !errors.As(err, &se) || se.Name != "ProcessError" {
			t.Errorf("%s: spawn error %v, want a ProcessError", script, err)
		}
	}
}

func TestProcessRunResultAndErrors(t *testing.T) {
	h, _ := processHost(t)
	results := make(chan any, 1)
	iso, err := h.Spawn(engine.FunctionSource(`(n) => ({sum: n + 1, when: new Date(0)})`), engine.WithProcess(""),
		engine.WithMessage(mustMessage(t, 41)),
		engine.WithResult(func(m *engine.Message, err error) {
			if err != nil {
				results <- err
				return
			}
			v, _ := m.ToGo()
			results <- v
		}))
	if err != nil {
		t.Fatal(err)
	}
	if v := <-results; fmt.Sprint(v.(map[string]any)["sum"]) != "42" {
		t.Errorf("result: %#v", v)
	}
	wait(t, iso)

	errs := h.NewPort("errors")
	iso, err = h.Spawn(engine.FunctionSource(`() => { throw new TypeError("bad thing") }`), engine.WithProcess(""),
		engine.WithOnError(errs.SendPort()))
	if err != nil {
		t.Fatal(err)
	}
	payload := recv(t, errs).(map[string]any)
	if payload["name"] != "TypeError" || payload["message"] != "bad thing" {
		t.Errorf("error payload: %#v", payload)
	}
	var se *engine.ScriptError
	if err := wait(t, iso); !errors.As(err, &se) || se.Name != "TypeError" {
		t.Errorf("exit: %v", err)
	}

	// A syntax error is reported by the worker, which compiled the source.
	_, err = h.Spawn(engine.FunctionSource(`() => {`), engine.WithProcess(""))
	if !errors.As(err, &se) || se.Name != "SyntaxError" {
		t.Errorf("syntax error: %v", err)
	}
}

// syncWriter is a goroutine-safe strings.Builder writer.
type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func mustMessage(t *testing.T, v any) *engine.Message {
	t.Helper()
	m, err := engine.MessageFromGo(v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestProcessPoolAndShutdown: pooled workers serve spawns, and after
// Shutdown no worker process (nor zombie) and no goroutine is left.
func TestProcessPoolAndShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	h := engine.NewHost(engine.WithStdout(io.Discard), engine.WithSetup(bindings.Setup(bindings.Config{})), engine.WithWorkerPool(2))
	replies := h.NewPort("replies")
	var pids []int
	for i := 0; i < 4; i++ {
		iso, err := h.Spawn(engine.FunctionSource(`(p) => { p.send(1); new ReceivePort(); }`), engine.WithProcess(""),
			engine.WithMessage(mustMessage(t, replies.SendPort())))
		if err != nil {
			t.Fatal(err)
		}
		recv(t, replies)
		pids = append(pids, iso.Pid())
	}
	g, err := h.Spawn(engine.FunctionSource(`() => { new ReceivePort(); }`), engine.WithProcess("g"))
	if err != nil {
		t.Fatal(err)
	}
	g2, err := h.Spawn(engine.FunctionSource(`() => { new ReceivePort(); }`), engine.WithProcess("g"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Pid() != g2.Pid() || g.Pid() == pids[0] {
		t.Errorf("group pids %d %d, first %d", g.Pid(), g2.Pid(), pids[0])
	}
	pids = append(pids, g.Pid())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	replies.Close()
	for _, pid := range pids {
		// Reaped: the pid no longer exists (a zombie would still answer).
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("worker %d still exists after Shutdown", pid)
		}
	}
}

// TestProcessToProcessPorts: a port of one worker's isolate reaches an
// isolate in another worker through the host, and messages flow directly
// between them (routed by the host), in order.
func TestProcessToProcessPorts(t *testing.T) {
	h, _ := processHost(t)
	done := h.NewPort("done")
	a, err := h.Spawn(engine.FunctionSource(`(done) => {
		const rp = new ReceivePort();
		const got = [];
		rp.listen(m => { got.push(m); if (got.length === 3) { done.send({a: got}); rp.close(); } });
		done.send({port: rp.sendPort});
	}`), engine.WithProcess("A"), engine.WithMessage(mustMessage(t, done.SendPort())))
	if err != nil {
		t.Fatal(err)
	}
	first := recv(t, done).(map[string]any)
	aPort := first["port"].(*engine.SendPort)
	b, err := h.Spawn(engine.FunctionSource(`({to, done}) => { for (let i = 0; i < 3; i++) to.send({i, from: "B"}); done.send("sent"); }`),
		engine.WithProcess("B"), engine.WithMessage(mustMessage(t, map[string]any{"to": aPort, "done": done.SendPort()})))
	if err != nil {
		t.Fatal(err)
	}
	if a.Pid() == b.Pid() {
		t.Fatal("A and B share a worker")
	}
	var got []any
	for got == nil {
		switch v := recv(t, done).(type) {
		case map[string]any:
			got, _ = v["a"].([]any)
		case string:
		}
	}
	for i, m := range got {
		if fmt.Sprint(m.(map[string]any)["i"]) != fmt.Sprint(i) {
			t.Fatalf("out of order: %#v", got)
		}
	}
	wait(t, a)
	wait(t, b)
}

// TestProcessCapabilities: a Capability crosses to a worker and back equal
// to the original, and a process isolate paused with one is resumed with
// the same.
func TestProcessCapabilities(t *testing.T) {
	h, _ := processHost(t)
	replies := h.NewPort("replies")
	c := engine.NewCapability()
	iso, err := h.Spawn(engine.FunctionSource(`({c, reply}) => {
		const rp = new ReceivePort();
		rp.listen(m => { reply.send({back: m, same: m.equals(c) && m.id === c.id}); rp.close(); });
		reply.send({c, again: c, port: rp.sendPort});
	}`), engine.WithProcess(""), engine.WithMessage(mustMessage(t, map[string]any{"c": c, "reply": replies.SendPort()})))
	if err != nil {
		t.Fatal(err)
	}
	first := recv(t, replies).(map[string]any)
	if first["c"] != c || first["again"] != c {
		t.Fatalf("capability did not come back as the original: %#v", first)
	}
	port := first["port"].(*engine.SendPort)
	pause := iso.Pause(c)
	if err := port.SendValue(c); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	if v, err := replies.RecvValue(ctx); err == nil {
		t.Fatalf("a paused isolate handled a message: %#v", v)
	}
	cancel()
	iso.Resume(pause)
	second := recv(t, replies).(map[string]any)
	if second["back"] != c || second["same"] != true {
		t.Fatalf("second: %#v", second)
	}
	wait(t, iso)
}

// TestProcessBroadcastChannel: a BroadcastChannel post reaches the members
// of every process of the host: the parent's, and those of each worker
// process, whichever side posts.
func TestProcessBroadcastChannel(t *testing.T) {
	h, _ := processHost(t)
	ready := h.NewPort("ready")
	member := func(name string) string {
		return `(ready) => {
			const bc = new BroadcastChannel("c");
			bc.onmessage = (e) => {
				if (e.data === "ping") bc.postMessage("pong-` + name + `");
				else if (e.data === "stop") bc.close();
				else if (e.data.startsWith("pong-") && !e.data.endsWith("` + name + `")) bc.postMessage("` + name + ` saw " + e.data);
			};
			ready.send("` + name + `");
		}`
	}
	var isos []*engine.Isolate
	for _, g := range []string{"A", "B"} {
		iso, err := h.Spawn(engine.FunctionSource(member(g)), engine.WithProcess(g), engine.WithMessage(mustMessage(t, ready.SendPort())))
		if err != nil {
			t.Fatal(err)
		}
		isos = append(isos, iso)
	}
	for range isos {
		recv(t, ready)
	}
	if isos[0].Pid() == isos[1].Pid() || isos[0].Pid() == 0 {
		t.Fatal("A and B do not have workers of their own")
	}
	got := h.NewPort("got")
	main, err := h.Spawn(engine.FunctionSource(`(got) => {
		const bc = new BroadcastChannel("c"), seen = [];
		bc.onmessage = (e) => {
			seen.push(e.data);
			if (seen.length === 4) { got.send(seen.sort().join(",")); bc.postMessage("stop"); bc.close(); }
		};
		bc.postMessage("ping");
	}`), engine.WithMessage(mustMessage(t, got.SendPort())))
	if err != nil {
		t.Fatal(err)
	}
	if v := recv(t, got); v != "A saw pong-B,B saw pong-A,pong-A,pong-B" {
		t.Fatalf("got %v", v)
	}
	for _, iso := range append(isos, main) {
		wait(t, iso)
	}
}

// TestProcessBatchedSendsLeaveDuringLongTask: sends from a task are
// batched until the task ends (batch.go), but a task that sends and then
// runs on does not hold its message back: it leaves within the batch's
// wait, long before the task ends.
func TestProcessBatchedSendsLeaveDuringLongTask(t *testing.T) {
	h, _ := processHost(t)
	port := h.NewPort("out")
	iso, err := h.Spawn(engine.FunctionSource(`(p) => {
		p.send("early");
		const t = Date.now();
		while (Date.now() - t < 3000) {}
		p.send("late");
	}`), engine.WithProcess(""), engine.WithMessage(mustMessage(t, port.SendPort())))
	if err != nil {
		t.Fatal(err)
	}
	if v := recv(t, port); v != "early" {
		t.Fatalf("first message %v", v)
	}
	t0 := time.Now()
	if v := recv(t, port); v != "late" {
		t.Fatalf("second message %v", v)
	}
	if gap := time.Since(t0); gap < time.Second {
		t.Fatalf("early and late arrived %v apart: early waited for the task to end", gap)
	}
	wait(t, iso)
}

// TestProcessEchoWithAndWithoutPolling runs an ordered stream of round
// trips through a process isolate with the channel's polling on (the
// default), off, and at its longest window: every reply arrives, in order,
// either way.
func TestProcessEchoWithAndWithoutPolling(t *testing.T) {
	for _, poll := range []time.Duration{engine.DefaultChannelPoll, 0, time.Millisecond} {
		t.Run(poll.String(), func(t *testing.T) {
			h, _ := processHost(t, engine.WithChannelPoll(poll))
			replies := h.NewPort("replies")
			msg, _ := engine.MessageFromGo(replies.SendPort())
			if _, err := h.Spawn(engine.FunctionSource(`(p) => {
				const r = new ReceivePort();
				r.listen((m) => { p.send(m); if (m === 499) r.close(); });
				p.send(r.sendPort);
			}`), engine.WithMessage(msg), engine.WithProcess("")); err != nil {
				t.Fatal(err)
			}
			sp := recv(t, replies).(*engine.SendPort)
			for i := 0; i < 500; i++ {
				if i%100 == 99 {
					time.Sleep(2 * time.Millisecond) // let both readers park
				}
				if err := sp.SendValue(i); err != nil {
					t.Fatal(err)
				}
				if got := recv(t, replies); fmt.Sprint(got) != fmt.Sprint(i) {
					t.Fatalf("reply %d: got %v", i, got)
				}
			}
		})
	}
}

// TestProcessMemoryLimitCgroup runs memory-limited process isolates under
// a delegated cgroup v2 (this process's own, when it enables the memory
// controller for its children; skipped elsewhere, as on a cgroup v1
// machine): a grower and a huge step (which memory.max alone stops, with the
// RSS watch and RLIMIT_DATA beside it) both die with a memoryMb error, and
// no worker cgroup is left behind.
func TestProcessMemoryLimitCgroup(t *testing.T) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Skip(err)
	}
	var dir string
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			dir = filepath.Join("/sys/fs/cgroup", p)
		}
	}
	ctl, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if dir == "" || err != nil || !strings.Contains(" "+string(ctl)+" ", " memory ") {
		t.Skip("no delegated cgroup v2 with the memory controller here")
	}
	h, _ := processHost(t, engine.WithWorkerCgroup(dir))
	for _, src := range []string{
		`() => { const keep = []; setInterval(() => { for (let i = 0; i < 1e5; i++) keep.push({i, s: "x" + i}); }, 1); }`,
		`() => host.hugeAlloc()`,
	} {
		iso, err := h.Spawn(engine.FunctionSource(src), engine.WithProcess(""),
			engine.WithLimits(engine.Limits{MemoryMb: 64}), engine.WithCapabilities(engine.Capabilities{Funcs: []string{"hugeAlloc"}}))
		if err != nil {
			t.Fatal(err)
		}
		var le *engine.LimitError
		if err := wait(t, iso); !errors.As(err, &le) || le.Limit != "memoryMb" {
			t.Fatalf("%s: %v, want a memoryMb limit error", src, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("isobox-%d-*", os.Getpid())))
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker cgroups left behind: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
