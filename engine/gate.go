package engine

import "sync"

// runGate caps how many isolates of a host run a task at once
// (WithMaxRunning). Isolates that are ready while every slot is taken wait
// in a FIFO, and a slot freed by a task that ends goes to the longest
// waiter. A task keeps its slot until it ends: goja cannot suspend running
// JS, so a task that never ends (while (true) {} without maxTaskMs) keeps
// its slot for good.
type runGate struct {
	mu      sync.Mutex
	max     int
	running int
	waiters []*slotWait
	peak    int // the most slots ever taken at once, for tests
}

// slotWait is one isolate waiting for a slot; ch is closed when the slot is
// granted to it.
type slotWait struct {
	ch      chan struct{}
	granted bool
}

var grantedNow = func() *slotWait {
	w := &slotWait{ch: make(chan struct{}), granted: true}
	close(w.ch)
	return w
}()

func newRunGate(max int) *runGate {
	if max <= 0 {
		return nil
	}
	return &runGate{max: max}
}

// enqueue asks for a slot. The slot is taken when the result's ch is
// closed; the caller must then release it, or cancel the wait.
func (g *runGate) enqueue() *slotWait {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running < g.max && len(g.waiters) == 0 {
		g.take()
		return grantedNow
	}
	w := &slotWait{ch: make(chan struct{})}
	g.waiters = append(g.waiters, w)
	return w
}

func (g *runGate) take() {
	g.running++
	if g.running > g.peak {
		g.peak = g.running
	}
}

// release frees a slot, handing it to the first waiter if there is one.
func (g *runGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.releaseLocked()
}

func (g *runGate) releaseLocked() {
	if len(g.waiters) > 0 {
		w := g.waiters[0]
		g.waiters[0] = nil
		g.waiters = g.waiters[1:]
		w.granted = true
		close(w.ch) // the slot passes on; running stays the same
		return
	}
	g.running--
}

// cancel withdraws w: a waiter leaves the queue, and a slot already granted
// is released.
func (g *runGate) cancel(w *slotWait) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.granted {
		g.releaseLocked()
		return
	}
	for i, x := range g.waiters {
		if x == w {
			g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
			return
		}
	}
}

// waiting returns how many isolates wait for a slot.
func (g *runGate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiters)
}

// waitSlot takes a run slot for the task the loop is about to run. While it
// waits it keeps handling control messages: a kill ends the wait (false),
// and while the isolate is paused it gives up its place, so a paused
// isolate holds no slot. Loop only.
func (iso *Isolate) waitSlot(g *runGate) bool {
	var w *slotWait
	for {
		iso.mu.Lock()
		for len(iso.ctrls) > 0 && !iso.killed {
			c := iso.ctrls[0]
			iso.ctrls = iso.ctrls[1:]
			iso.mu.Unlock()
			iso.handleCtrl(c)
			iso.mu.Lock()
		}
		killed, paused := iso.killed, len(iso.pauses) > 0
		iso.mu.Unlock()
		if killed {
			if w != nil {
				g.cancel(w)
			}
			return false
		}
		if paused {
			iso.state.Store(int32(StatePaused))
			if w != nil {
				g.cancel(w)
				w = nil
			}
			select {
			case <-iso.wake:
			case <-iso.stop:
			}
			continue
		}
		iso.state.Store(int32(StateRunning))
		if w == nil {
			w = g.enqueue()
		}
		select {
		case <-w.ch:
			return true
		case <-iso.wake:
		case <-iso.stop:
		}
	}
}
