package engine

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"
)

// gateHost is a host with WithMaxRunning(n) whose isolates get enter(): it
// reports the isolate's name on entered and blocks the task until the test
// closes that isolate's channel in release.
type gateHost struct {
	*Host
	entered chan string
	mu      sync.Mutex
	release map[string]chan struct{}
	active  int
	most    int
}

func newGateHost(n int) *gateHost {
	gh := &gateHost{entered: make(chan string, 100), release: map[string]chan struct{}{}}
	gh.Host = NewHost(WithMaxRunning(n), WithStdout(io.Discard), WithStderr(io.Discard), WithSetup(func(iso *Isolate) error {
		name := iso.Name()
		ch := gh.releaseCh(name)
		return iso.Runtime().Set("enter", func() {
			gh.mu.Lock()
			gh.active++
			gh.most = max(gh.most, gh.active)
			gh.mu.Unlock()
			gh.entered <- name
			<-ch
			gh.mu.Lock()
			gh.active--
			gh.mu.Unlock()
		})
	}))
	return gh
}

func (gh *gateHost) releaseCh(name string) chan struct{} {
	gh.mu.Lock()
	defer gh.mu.Unlock()
	ch, ok := gh.release[name]
	if !ok {
		ch = make(chan struct{})
		gh.release[name] = ch
	}
	return ch
}

func (gh *gateHost) spawn(t *testing.T, name string) *Isolate {
	t.Helper()
	iso, err := gh.Spawn(ScriptSource(name+".js", `enter()`), WithName(name))
	if err != nil {
		t.Fatal(err)
	}
	return iso
}

func (gh *gateHost) expectEntered(t *testing.T, want ...string) {
	t.Helper()
	got := map[string]bool{}
	for range want {
		select {
		case n := <-gh.entered:
			got[n] = true
		case <-time.After(30 * time.Second):
			t.Fatalf("waiting for %v to enter, got %v", want, got)
		}
	}
	for _, w := range want {
		if !got[w] {
			t.Fatalf("entered %v, want %v", got, want)
		}
	}
}

func (gh *gateHost) expectNoneEntered(t *testing.T) {
	t.Helper()
	select {
	case n := <-gh.entered:
		t.Fatalf("%s entered past the cap", n)
	default:
	}
}

func waitWaiting(t *testing.T, g *runGate, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for g.waiting() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d isolates wait for a slot, want %d", g.waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// With WithMaxRunning(2) at most two tasks run at once, and the isolates
// that wait get the freed slots in the order they became ready.
func TestMaxRunningCapsTasksFIFO(t *testing.T) {
	gh := newGateHost(2)
	defer gh.Shutdown(context.Background())
	g := gh.gate
	a, b := gh.spawn(t, "a"), gh.spawn(t, "b")
	gh.expectEntered(t, "a", "b")
	var isos []*Isolate
	for i, name := range []string{"c", "d", "e"} {
		isos = append(isos, gh.spawn(t, name))
		waitWaiting(t, g, i+1) // c, d, e wait in this order and do not run
	}
	gh.expectNoneEntered(t)
	for _, step := range []struct{ free, next string }{{"a", "c"}, {"b", "d"}, {"c", "e"}} {
		close(gh.releaseCh(step.free))
		gh.expectEntered(t, step.next)
		gh.expectNoneEntered(t)
	}
	close(gh.releaseCh("d"))
	close(gh.releaseCh("e"))
	for _, iso := range append([]*Isolate{a, b}, isos...) {
		if err := waitIso(t, iso); err != nil {
			t.Fatalf("%s: %v", iso.Name(), err)
		}
	}
	if gh.most != 2 || g.peak != 2 {
		t.Fatalf("at most %d tasks ran at once (gate peak %d), want 2", gh.most, g.peak)
	}
	if g.running != 0 || g.waiting() != 0 {
		t.Fatalf("after the end: %d running, %d waiting", g.running, g.waiting())
	}
}

// A waiting isolate can be killed, either way, and a paused one gives up
// its place until it is resumed.
func TestMaxRunningWaiterControl(t *testing.T) {
	gh := newGateHost(1)
	defer gh.Shutdown(context.Background())
	g := gh.gate
	a := gh.spawn(t, "a")
	gh.expectEntered(t, "a")

	for _, p := range []Priority{Immediate, BeforeNextEvent} {
		k := gh.spawn(t, "k"+p.String())
		waitWaiting(t, g, 1)
		k.Kill(p)
		if err := waitIso(t, k); !errors.Is(err, ErrKilled) {
			t.Fatalf("kill(%v) of a waiting isolate: %v", p, err)
		}
		waitWaiting(t, g, 0)
	}

	p := gh.spawn(t, "p")
	waitWaiting(t, g, 1)
	c := p.Pause(nil)
	waitWaiting(t, g, 0)
	close(gh.releaseCh("a"))
	if err := waitIso(t, a); err != nil {
		t.Fatal(err)
	}
	gh.expectNoneEntered(t) // paused: it does not take the free slot
	p.Resume(c)
	gh.expectEntered(t, "p")
	close(gh.releaseCh("p"))
	if err := waitIso(t, p); err != nil {
		t.Fatal(err)
	}
	if gh.most != 1 {
		t.Fatalf("%d tasks ran at once under WithMaxRunning(1)", gh.most)
	}
}
