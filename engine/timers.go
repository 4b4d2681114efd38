package engine

import (
	"container/heap"
	"time"
)

// timerEntry is one scheduled callback. Timers live in one heap ordered by
// due time (then by id, so equal deadlines fire in creation order), and the
// loop waits on a single time.Timer for the earliest one, as in k6's timers:
// there is no goroutine per timer or per interval.
type timerEntry struct {
	id       int64
	when     time.Time
	period   time.Duration // >0 for periodic timers
	cb       func() error
	index    int // heap index, -1 when not queued
	canceled bool
	weak     bool // does not keep the isolate alive (AddWeakTimer)
}

type timerHeap []*timerEntry

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].id < h[j].id
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	e := x.(*timerEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}

// timers is the loop-owned timer state of one isolate.
type timers struct {
	heap   timerHeap
	byID   map[int64]*timerEntry
	nextID int64
	weak   int // how many of byID are weak
}

func (t *timers) live() int { return len(t.byID) }

// strong is how many live timers keep the isolate alive.
func (t *timers) strong() int { return len(t.byID) - t.weak }

// forget drops e from byID, keeping the weak count.
func (t *timers) forget(e *timerEntry) {
	delete(t.byID, e.id)
	if e.weak {
		t.weak--
	}
}

func (t *timers) add(d time.Duration, periodic bool, cb func() error) *timerEntry {
	if d < 0 {
		d = 0
	}
	t.nextID++
	e := &timerEntry{id: t.nextID, when: time.Now().Add(d), cb: cb}
	if periodic {
		if d < time.Millisecond {
			d = time.Millisecond // a 0 ms interval would spin; browsers clamp too
		}
		e.period = d
	}
	if t.byID == nil {
		t.byID = make(map[int64]*timerEntry)
	}
	t.byID[e.id] = e
	heap.Push(&t.heap, e)
	return e
}

func (t *timers) cancel(id int64) bool {
	e, ok := t.byID[id]
	if !ok {
		return false
	}
	t.forget(e)
	e.canceled = true
	if e.index >= 0 {
		heap.Remove(&t.heap, e.index)
	}
	return true
}

// next returns the earliest deadline, if any.
func (t *timers) next() (time.Time, bool) {
	if len(t.heap) == 0 {
		return time.Time{}, false
	}
	return t.heap[0].when, true
}

// popDue removes and returns the earliest timer if it is due at now.
// A periodic timer is re-armed before it runs, so a callback may cancel it.
func (t *timers) popDue(now time.Time) *timerEntry {
	if len(t.heap) == 0 || t.heap[0].when.After(now) {
		return nil
	}
	e := heap.Pop(&t.heap).(*timerEntry)
	if e.period > 0 {
		e.when = e.when.Add(e.period)
		if e.when.Before(now) { // we fell behind: don't fire a burst
			e.when = now.Add(e.period)
		}
		heap.Push(&t.heap, e)
	} else {
		t.forget(e)
	}
	return e
}

func (t *timers) clear() {
	for _, e := range t.heap {
		e.canceled = true
	}
	t.heap, t.byID, t.weak = nil, nil, 0
}
