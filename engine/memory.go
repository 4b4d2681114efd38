package engine

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Memory accounting (Limits.MemoryMb).
//
// goja has no per-VM heap, so memory is attributed, not measured: while at
// least one isolate with a MemoryMb limit is alive, a host-wide monitor
// samples the Go heap (runtime/metrics, live + unswept object bytes) every
// memSampleEvery. Heap growth over a window is charged, in equal shares, to
// the limited isolates that ran JS during that window (a task was running
// at the sample or started since the previous one). When the heap shrinks
// (a GC), every charge shrinks by the same ratio. A charge over the limit is
// first confirmed with a forced GC (at most one per memConfirmEvery), which
// turns unswept garbage back into free memory and rescales the charges
// (a charge over twice the limit is not confirmed); if it is still over, the isolate is stopped with a ResourceLimitError whose
// limit is "memoryMb": running JS is interrupted, an idle isolate fails
// before its next event.
//
// Precision: growth made by unlimited isolates or the host while a limited
// isolate runs is charged to it, and a limited isolate running next to
// another one only pays its share. The overshoot is what one isolate can
// allocate between two samples plus the confirmation GC, and one built-in
// step (capped by the allocation guards to min(MemoryMb, 256 MB)).
const (
	memSampleEvery    = 10 * time.Millisecond
	memConfirmEvery   = 50 * time.Millisecond
	heapObjectsMetric = "/memory/classes/heap/objects:bytes"
)

type memWatch struct {
	charge  float64 // bytes attributed
	lastSeq uint64  // task sequence at the previous sample
}

type memMonitor struct {
	mu       sync.Mutex
	watched  map[*Isolate]*memWatch
	stop     chan struct{}
	stopped  chan struct{}
	prevHeap float64
}

var memMon memMonitor

func heapBytes() float64 {
	s := []metrics.Sample{{Name: heapObjectsMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64())
}

// watchMemory registers iso with the monitor (starting it if needed) until
// iso dies. Loop only, from boot.
func (iso *Isolate) watchMemory() {
	if iso.cfg.limits.MemoryMb <= 0 {
		return
	}
	m := &memMon
	m.mu.Lock()
	if m.watched == nil {
		m.watched = make(map[*Isolate]*memWatch)
	}
	m.watched[iso] = &memWatch{}
	if m.stop == nil {
		m.stop = make(chan struct{})
		m.stopped = make(chan struct{})
		m.prevHeap = heapBytes()
		go m.run(m.stop, m.stopped)
	}
	m.mu.Unlock()
	iso.OnDone(func(error) { m.unwatch(iso) })
}

func (m *memMonitor) unwatch(iso *Isolate) {
	m.mu.Lock()
	delete(m.watched, iso)
	var stopped chan struct{}
	if len(m.watched) == 0 && m.stop != nil {
		close(m.stop)
		stopped = m.stopped
		m.stop, m.stopped = nil, nil
	}
	m.mu.Unlock()
	if stopped != nil {
		<-stopped
	}
}

func (m *memMonitor) run(stop, stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(memSampleEvery)
	defer t.Stop()
	var lastConfirm time.Time
	// The confirming GC runs on its own goroutine so that sampling goes
	// on meanwhile: a GC of a large heap can take long, and a fast grower
	// must still be caught by the twice-the-limit rule.
	var confirming chan struct{}
	defer func() {
		if confirming != nil {
			<-confirming
		}
	}()
	for {
		var confirmed <-chan struct{} = confirming
		select {
		case <-stop:
			return
		case <-t.C:
		case <-confirmed:
			confirming = nil
			over, clear := m.sample()
			for _, iso := range append(over, clear...) {
				iso.memoryExceeded()
			}
			continue
		}
		over, clear := m.sample()
		// Twice the limit needs no confirmation.
		for _, iso := range clear {
			iso.memoryExceeded()
		}
		if len(over) == 0 || confirming != nil || time.Since(lastConfirm) < memConfirmEvery {
			continue
		}
		lastConfirm = time.Now()
		done := make(chan struct{})
		confirming = done
		go func() {
			runtime.GC()
			close(done)
		}()
	}
}

// sample charges the heap change since the previous sample and returns the
// isolates now over their limit: over (to confirm), clear (over twice).
func (m *memMonitor) sample() (over, clear []*Isolate) {
	h := heapBytes()
	m.mu.Lock()
	defer m.mu.Unlock()
	d := h - m.prevHeap
	prev := m.prevHeap
	m.prevHeap = h
	var ran []*memWatch
	for iso, w := range m.watched {
		iso.mu.Lock()
		seq, running := iso.taskSeq, iso.running
		iso.mu.Unlock()
		if running || seq != w.lastSeq {
			ran = append(ran, w)
		}
		w.lastSeq = seq
	}
	switch {
	case d > 0 && len(ran) > 0:
		share := d / float64(len(ran))
		for _, w := range ran {
			w.charge += share
		}
	case d < 0 && prev > 0:
		ratio := h / prev
		for _, w := range m.watched {
			w.charge *= ratio
		}
	}
	for iso, w := range m.watched {
		max := float64(iso.cfg.limits.MemoryMb << 20)
		switch {
		case w.charge > 2*max:
			clear = append(clear, iso)
		case w.charge > max:
			over = append(over, iso)
		}
	}
	return over, clear
}

// memoryCharge reports the bytes currently attributed to iso (0 when not
// watched). Any goroutine.
func (iso *Isolate) memoryCharge() int64 {
	m := &memMon
	m.mu.Lock()
	defer m.mu.Unlock()
	if w, ok := m.watched[iso]; ok {
		return int64(w.charge)
	}
	return 0
}

// memoryExceeded stops iso with a memoryMb LimitError: running JS is
// interrupted, an idle isolate fails before its next event.
func (iso *Isolate) memoryExceeded() {
	le := &LimitError{Limit: "memoryMb", Max: iso.cfg.limits.MemoryMb, Seen: iso.memoryCharge() >> 20, Unit: "MB"}
	iso.mu.Lock()
	if iso.killed {
		iso.mu.Unlock()
		return
	}
	if iso.running && iso.vm != nil {
		iso.vm.Interrupt(le)
		iso.mu.Unlock()
		return
	}
	iso.mu.Unlock()
	iso.Post(func() error { return le })
}

// harden is called by boot on the new VM, before the bindings: it installs
// the allocation guards and starts memory accounting.
func (iso *Isolate) harden(vm *goja.Runtime) error {
	if err := installGuards(vm, iso.cfg.limits); err != nil {
		return err
	}
	iso.watchMemory()
	return nil
}
