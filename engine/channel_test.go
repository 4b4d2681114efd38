package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// runSetup spawns one isolate of a host without bindings and runs fn on
// its goroutine at setup; fn calls done when the test's work is over. It
// waits for the isolate to end (a hang bound, not a timing check).
func runSetup(t *testing.T, fn func(iso *Isolate, done func())) {
	t.Helper()
	h := NewHost(WithSetup(func(iso *Isolate) error {
		release := iso.Hold()
		var once sync.Once
		fn(iso, func() { once.Do(release) })
		return nil
	}))
	iso, err := h.Spawn(ScriptSource("t.js", ""))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := iso.Wait(ctx); err != nil {
		t.Fatalf("isolate: %v", err)
	}
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func mustGo(t *testing.T, m *Message) any {
	v, err := m.ToGo()
	if err != nil {
		t.Error(err)
	}
	return v
}

// TestPortEndMovesWithItsQueue: an end detached from one ReceivePort and
// attached to another keeps what was queued on the first (dispatched to
// no handler, or still in the task queue) and what arrived in transit, in
// the order sent.
func TestPortEndMovesWithItsQueue(t *testing.T) {
	var got []any
	var firstClosed, endClosed bool
	runSetup(t, func(iso *Isolate, done func()) {
		a, b := NewChannel()
		if a.PeerSendPort() != b.SendPort() || b.PeerSendPort() != a.SendPort() {
			t.Error("the ends are not entangled")
		}
		rp1 := iso.NewReceivePort("first")
		a.Attach(rp1)
		send := b.PeerSendPort()
		_ = send.SendValue(1.0) // buffered in rp1 once dispatched (no handler)
		iso.Post(func() error {
			_ = send.SendValue(2.0) // still a queued task of rp1
			a.Detach()
			firstClosed = rp1.Closed()
			_ = send.SendValue(3.0) // in transit
			rp2 := iso.NewReceivePort("second")
			a.Attach(rp2)
			_ = send.SendValue(4.0)
			rp2.SetHandler(func(m *Message) error {
				got = append(got, mustGo(t, m))
				if len(got) == 4 {
					endClosed = a.Closed()
					rp2.Close()
					done()
				}
				return nil
			})
			return nil
		})
	})
	if !slices.Equal(got, []any{1.0, 2.0, 3.0, 4.0}) {
		t.Errorf("got %v, want [1 2 3 4]", got)
	}
	if !firstClosed {
		t.Error("the first ReceivePort stayed open after Detach")
	}
	if endClosed {
		t.Error("moving the end closed it")
	}
}

// TestPortEndClose: closing one end (or the port it is attached to)
// disentangles both: sends either way are dropped and the peer's port
// stops keeping its isolate alive.
func TestPortEndClose(t *testing.T) {
	var peerKeepAlive, droppedA, droppedB, afterPortClose bool
	runSetup(t, func(iso *Isolate, done func()) {
		a, b := NewChannel()
		rpA, rpB := iso.NewReceivePort("a"), iso.NewReceivePort("b")
		a.Attach(rpA)
		b.Attach(rpB)
		rpA.Close() // closes a, hence the pair
		droppedA, droppedB = a.SendPort().Closed(), b.SendPort().Closed()
		afterPortClose = a.Closed() && b.Closed()
		iso.Post(func() error { // after Close's own post to b's isolate
			peerKeepAlive = rpB.KeepAlive()
			rpB.Close()
			done()
			return nil
		})
	})
	if !droppedA || !droppedB || !afterPortClose {
		t.Errorf("after close: a dropped %v, b dropped %v, both closed %v; want all true", droppedA, droppedB, afterPortClose)
	}
	if peerKeepAlive {
		t.Error("the peer's port still keeps its isolate alive")
	}
}

// TestWeakTimer: a weak timer fires while something else keeps the
// isolate alive, and does not keep it alive by itself.
func TestWeakTimer(t *testing.T) {
	var fired []string
	runSetup(t, func(iso *Isolate, done func()) {
		if _, err := iso.AddWeakTimer(time.Hour, func() error { fired = append(fired, "hour"); return nil }); err != nil {
			t.Error(err)
		}
		if _, err := iso.AddWeakTimer(time.Millisecond, func() error { fired = append(fired, "weak"); return nil }); err != nil {
			t.Error(err)
		}
		if _, err := iso.AddTimer(30*time.Millisecond, false, func() error { fired = append(fired, "strong"); return nil }); err != nil {
			t.Error(err)
		}
		done() // only the strong timer keeps it alive now
	})
	if !slices.Equal(fired, []string{"weak", "strong"}) {
		t.Errorf("fired %v, want [weak strong] (and the isolate exits with the hour timer pending)", fired)
	}
}

// TestBroadcastMembers: a post reaches every other member of the name,
// never the poster or another name, and a closed port leaves.
func TestBroadcastMembers(t *testing.T) {
	got := map[string][]any{}
	var left int
	runSetup(t, func(iso *Isolate, done func()) {
		h := iso.Host()
		mk := func(name, channel string) (*ReceivePort, *BroadcastMember) {
			rp := iso.NewReceivePort(name)
			rp.SetKeepAlive(false)
			rp.SetHandler(func(m *Message) error { got[name] = append(got[name], mustGo(t, m)); return nil })
			return rp, h.JoinBroadcast(channel, rp)
		}
		_, a := mk("a", "news")
		_, _ = mk("b", "news")
		rpC, _ := mk("c", "news")
		_, _ = mk("d", "other")
		m1, _ := MessageFromGo("one")
		a.Post(m1)
		iso.Post(func() error {
			rpC.Close()
			h.broadcasts.mu.Lock()
			left = len(h.broadcasts.members["news"])
			h.broadcasts.mu.Unlock()
			m2, _ := MessageFromGo("two")
			a.Post(m2)
			iso.Post(func() error { done(); return nil })
			return nil
		})
	})
	if !slices.Equal(got["b"], []any{"one", "two"}) || !slices.Equal(got["c"], []any{"one"}) || len(got["a"]) != 0 || len(got["d"]) != 0 {
		t.Errorf("got %v; want b [one two], c [one], a and d nothing", got)
	}
	if left != 2 {
		t.Errorf("%d members of news after c closed, want 2", left)
	}
}
