package engine

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// sleepHost is a host whose isolates get a global sleep(ms) that blocks
// the loop goroutine in Go, as a slow host call does.
func sleepHost() *Host {
	return NewHost(WithStdout(io.Discard), WithStderr(io.Discard), WithSetup(func(iso *Isolate) error {
		return iso.Runtime().Set("sleep", func(ms int64) { time.Sleep(time.Duration(ms) * time.Millisecond) })
	}))
}

func waitIso(t *testing.T, iso *Isolate) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := iso.Wait(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("isolate did not end")
	}
	return err
}

// maxTaskMs counts CPU time: a task that spends 300 ms of wall time asleep
// in a host call uses almost no CPU and is not stopped by maxTaskMs: 200,
// while maxTaskWallMs: 200 stops the same task.
func TestMaxTaskMsCountsCPUNotWall(t *testing.T) {
	h := sleepHost()
	defer h.Shutdown(context.Background())
	iso, err := h.Spawn(ScriptSource("sleep.js", `sleep(300)`), WithLimits(Limits{MaxTaskMs: 200}))
	if err != nil {
		t.Fatal(err)
	}
	if err := waitIso(t, iso); err != nil {
		t.Fatalf("maxTaskMs: 200 stopped a task that slept 300 ms: %v", err)
	}
	if st := iso.cpu; st >= 200*time.Millisecond {
		t.Errorf("charged %v of CPU for a sleep", st)
	}

	iso, err = h.Spawn(ScriptSource("sleep.js", `sleep(300)`), WithLimits(Limits{MaxTaskWallMs: 200}))
	if err != nil {
		t.Fatal(err)
	}
	var le *LimitError
	if err := waitIso(t, iso); !errors.As(err, &le) || le.Limit != "maxTaskWallMs" {
		t.Fatalf("maxTaskWallMs: 200 and a 300 ms sleep: got %v, want a maxTaskWallMs LimitError", err)
	}
}

// cpuMs counts CPU time too: two tasks sleeping 150 ms each stay under
// cpuMs: 200.
func TestCPUMsCountsCPUNotWall(t *testing.T) {
	h := NewHost(WithStdout(io.Discard), WithStderr(io.Discard), WithSetup(func(iso *Isolate) error {
		return iso.Runtime().Set("sleep", func(ms int64) { time.Sleep(time.Duration(ms) * time.Millisecond) })
	}))
	defer h.Shutdown(context.Background())
	iso, err := h.Spawn(ScriptSource("sleep.js", `sleep(150)`), WithLimits(Limits{CPUMs: 200}), WithPaused(true))
	if err != nil {
		t.Fatal(err)
	}
	release := iso.Hold()
	iso.Post(func() error { _, err := iso.Runtime().RunString(`sleep(150)`); return err })
	iso.Post(func() error { release(); return nil })
	iso.Resume(iso.PauseCapability())
	if err := waitIso(t, iso); err != nil {
		t.Fatalf("cpuMs: 200 stopped two 150 ms sleeps: %v", err)
	}
}

// A spinning task is stopped by maxTaskMs, and the error never reports less
// time than the limit (a stale timer once reported "saw 5 ms" of 200).
func TestMaxTaskMsStopsSpinner(t *testing.T) {
	h := sleepHost()
	defer h.Shutdown(context.Background())
	for _, lim := range []Limits{{MaxTaskMs: 50}, {CPUMs: 50}, {MaxTaskWallMs: 50}} {
		iso, err := h.Spawn(ScriptSource("spin.js", `for (;;) {}`), WithLimits(lim))
		if err != nil {
			t.Fatal(err)
		}
		var le *LimitError
		if err := waitIso(t, iso); !errors.As(err, &le) {
			t.Fatalf("%+v: got %v, want a LimitError", lim, err)
		}
		if le.Seen < le.Max {
			t.Errorf("%+v: %s reported %d ms, under its limit %d", lim, le.Limit, le.Seen, le.Max)
		}
	}
}

// Many short tasks of an isolate with maxTaskMs are never stopped, however
// the timers of earlier tasks race with later ones.
func TestMaxTaskMsManyShortTasks(t *testing.T) {
	h := sleepHost()
	defer h.Shutdown(context.Background())
	iso, err := h.Spawn(ScriptSource("idle.js", ``), WithLimits(Limits{MaxTaskMs: 1, MaxTaskWallMs: 1000}), WithPaused(true))
	if err != nil {
		t.Fatal(err)
	}
	release := iso.Hold()
	for i := 0; i < 2000; i++ {
		iso.Post(func() error { return nil })
	}
	iso.Post(func() error { release(); return nil })
	iso.Resume(iso.PauseCapability())
	if err := waitIso(t, iso); err != nil {
		t.Fatalf("a no-op task was stopped: %v", err)
	}
}

// testIsolate is an isolate with a VM and no loop, for driving beginTask
// and endTask by hand.
func testIsolate(lim Limits) *Isolate {
	iso := newIsolate(NewHost(), 1, ScriptSource("t.js", ""), nil, spawnConfig{limits: lim})
	iso.vm = goja.New()
	return iso
}

// A watchdog callback that started for task A but reached the isolate only
// after task B began is stale: it neither interrupts B nor re-arms its
// timer. This is the race that reported "saw 5 ms" against 200: the timer
// fired at A's deadline while B was starting.
func TestWatchdogStaleFireIgnored(t *testing.T) {
	iso := testIsolate(Limits{MaxTaskWallMs: 1})
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	iso.wdGate = func() {
		first := false
		once.Do(func() { first = true })
		if first {
			close(started)
			<-release
		}
	}
	defer close(release)

	seqA := iso.beginTask()
	wdA := iso.wd
	select {
	case <-started: // A's timer fired; its callback waits in the gate
	case <-time.After(30 * time.Second):
		t.Fatal("the watchdog never fired")
	}
	iso.endTask(seqA)
	if iso.wd == wdA {
		t.Fatal("endTask kept a watchdog whose callback had started")
	}

	iso.cfg.limits = Limits{MaxTaskMs: 60000}
	seqB := iso.beginTask()
	if iso.wd == wdA {
		t.Fatal("task B reuses the stale watchdog")
	}
	iso.watchdogFire(wdA) // A's callback arrives during B
	if _, err := iso.vm.RunString(`1`); err != nil {
		t.Fatalf("the stale callback interrupted task B: %v", err)
	}
	if wdA.t.Stop() {
		t.Fatal("the stale callback re-armed its timer")
	}
	iso.endTask(seqB)
}

// A callback armed for the running task measures it: under the limit it
// re-arms for what is left instead of interrupting.
func TestWatchdogRearmsUnderBudget(t *testing.T) {
	iso := testIsolate(Limits{MaxTaskMs: 60000})
	seq := iso.beginTask()
	wd := iso.wd
	iso.watchdogFire(wd)
	if _, err := iso.vm.RunString(`1`); err != nil {
		t.Fatalf("interrupted under budget: %v", err)
	}
	if !wd.t.Stop() {
		t.Fatal("the watchdog did not re-arm itself")
	}
	iso.endTask(seq)
}

// limitReachedLocked only reports a limit that the measured time reached.
func TestLimitReached(t *testing.T) {
	iso := testIsolate(Limits{MaxTaskMs: 200, MaxTaskWallMs: 1000, CPUMs: 500})
	iso.cpu = 250 * time.Millisecond
	cases := []struct {
		wall, cpu time.Duration
		want      string
	}{
		{5 * time.Millisecond, 5 * time.Millisecond, ""},
		{999 * time.Millisecond, 199 * time.Millisecond, ""},
		{900 * time.Millisecond, 200 * time.Millisecond, "maxTaskMs"},
		{1000 * time.Millisecond, 10 * time.Millisecond, "maxTaskWallMs"},
		{100 * time.Millisecond, 100 * time.Millisecond, ""},
	}
	for _, c := range cases {
		le := iso.limitReachedLocked(c.wall, c.cpu)
		got := ""
		if le != nil {
			got = le.Limit
			if le.Seen < le.Max {
				t.Errorf("%v/%v: %s seen %d < max %d", c.wall, c.cpu, le.Limit, le.Seen, le.Max)
			}
		}
		if got != c.want {
			t.Errorf("wall %v cpu %v: got %q, want %q", c.wall, c.cpu, got, c.want)
		}
	}
	iso.cpu = 450 * time.Millisecond
	if le := iso.limitReachedLocked(60*time.Millisecond, 60*time.Millisecond); le == nil || le.Limit != "cpuMs" || le.Seen != 510 {
		t.Errorf("cpuMs: got %+v", le)
	}
}

// BenchmarkTaskCPULimit is the cost of a task (a Post of a no-op) with no
// time limit, with maxTaskWallMs (a timer), and with maxTaskMs (a timer,
// the thread lock and two reads of the thread's CPU clock).
func BenchmarkTaskCPULimit(b *testing.B) {
	for _, c := range []struct {
		name string
		lim  Limits
	}{
		{"none", Limits{}},
		{"maxTaskWallMs", Limits{MaxTaskWallMs: 60000}},
		{"maxTaskMs", Limits{MaxTaskMs: 60000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := NewHost()
			defer h.Shutdown(context.Background())
			iso, err := h.Spawn(ScriptSource("idle.js", ""), WithLimits(c.lim), WithPaused(true))
			if err != nil {
				b.Fatal(err)
			}
			release := iso.Hold()
			iso.Resume(iso.PauseCapability())
			done := make(chan struct{})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				iso.Post(func() error { return nil })
			}
			iso.Post(func() error { close(done); return nil })
			<-done
			b.StopTimer()
			release()
		})
	}
}

// Past MaxLockedTasks a CPU-limited task runs unlocked and is charged wall
// time, so a spawn bomb of spinners cannot take one OS thread each.
func TestLockedTasksBounded(t *testing.T) {
	defer maxLockedTasks.Store(maxLockedTasks.Swap(1))
	a, b := testIsolate(Limits{MaxTaskMs: 60000}), testIsolate(Limits{MaxTaskMs: 60000})
	sa := a.beginTask()
	sb := b.beginTask()
	if !a.taskLocked || b.taskLocked {
		t.Fatalf("locked: first %v, second %v; want only the first", a.taskLocked, b.taskLocked)
	}
	b.endTask(sb)
	a.endTask(sa)
	if n := lockedTasks.Load(); n != 0 {
		t.Fatalf("%d thread tokens left after both tasks ended", n)
	}
	sb = b.beginTask()
	if !b.taskLocked {
		t.Fatal("a freed token was not reused")
	}
	b.endTask(sb)
}
