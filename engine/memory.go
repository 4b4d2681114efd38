package engine

import (
	"bufio"
	"cmp"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine/guard"
)

// Memory accounting (Limits.MemoryMb and the host ceiling, WithMemoryLimit).
//
// goja has no per-VM heap, so memory is attributed, not measured: while at
// least one watched isolate is alive, a process-wide monitor samples the Go
// heap (runtime/metrics, live + unswept object bytes) every memSampleEvery.
// An isolate is watched when it has a MemoryMb limit or its host has a
// memory ceiling (the default: see WithMemoryLimit), so normally every
// isolate is. A sample costs O(isolates that ran JS in its window): a task
// start puts its isolate on the window's list (one atomic load when it is
// already there), and a GC rescales every charge through one shared scale
// factor, so idle isolates cost nothing.
//
// Per-isolate limit (memoryMb). Heap growth over a window is charged, in
// equal shares, to the limited isolates that ran JS during that window (a
// task was running at the sample or started since the previous one). When
// the heap shrinks (a GC), every charge shrinks by the same ratio. A charge
// over the limit is first confirmed with a forced GC (at most one per
// memConfirmEvery), which turns unswept garbage back into free memory and
// rescales the charges (a charge over twice the limit is not confirmed); if
// it is still over, the isolate is stopped with a ResourceLimitError whose
// limit is "memoryMb": running JS is interrupted, an idle isolate fails
// before its next event.
//
// Host ceiling (hostMemoryMb). A second ledger charges the same growth to
// every watched isolate that ran, limited or not, and rescales the same way.
// When the sampled heap is over the ceiling of a host, the ceiling is
// confirmed with a forced GC like a charge (not when the heap is over
// memCeilingUnconfirmed times the ceiling), and then the
// isolates of that host are stopped as a group, largest share first, until
// the shares they hold bring the heap under memCeilingTarget of the ceiling,
// with a ResourceLimitError whose limit is "hostMemoryMb" (Max is the
// ceiling, Seen the heap, in MB); a paused one is stopped at once, an
// isolate with no share is never chosen. The memory of stopped isolates
// still alive, and of those dead since the last completed GC, counts as
// coming back: it is subtracted from the heap before the next victims are
// chosen, and a GC is started to return it, so several concurrent growers
// are stopped within a few samples of each other. The ceiling bounds the
// whole process heap, so memory held by the embedder or by another host
// counts too; it is what keeps a script from ending the process with Go's
// unrecoverable "out of memory".
//
// Precision (memoryMb): growth made by unlimited isolates or the host while
// a limited isolate runs is charged to it, and a limited isolate running next to
// another one only pays its share. The overshoot is what one isolate can
// allocate between two samples plus the confirmation GC, and one built-in
// step (capped by the allocation guards to min(MemoryMb, 256 MB)).
const (
	memSampleEvery    = 10 * time.Millisecond
	memConfirmEvery   = 50 * time.Millisecond
	memIdleTicks      = 5 // samples with nothing watched before the monitor ends
	heapObjectsMetric = "/memory/classes/heap/objects:bytes"

	// defaultHostMemoryFallbackMb is the default ceiling when neither the
	// cgroup limit nor the physical memory can be read.
	defaultHostMemoryFallbackMb = 4096
)

type memWatch struct {
	iso     *Isolate
	limited bool     // has a MemoryMb limit
	max     float64  // MemoryMb in bytes
	hm      *hostMem // its host's ceiling; nil when the host has none
	// charge (memoryMb ledger, limited isolates) and share (ceiling
	// ledger, all watched isolates) are raw: times memMon.scale they are
	// bytes, so that a GC rescales every charge in O(1).
	charge, share float64
	stopped       bool        // stopped by the monitor, not dead yet
	gone          bool        // unwatched (may still sit on the ran list)
	marked        atomic.Bool // on memMon.ran for the current window
}

// hostMem is the ceiling state of one host with watched isolates.
type hostMem struct {
	ceiling  float64 // bytes
	isolates int     // watched isolates of the host

	// Scratch of one sample.
	over  bool
	cands []*memWatch // its watches with a share, not stopped yet
}

// memCeilingTarget is where a group stop aims: the heap the stopped
// isolates leave behind is at most this fraction of the ceiling.
const memCeilingTarget = 0.9

// memCeilingUnconfirmed is the heap, as a multiple of the ceiling, above
// which ceiling victims are stopped without waiting for a confirmation GC:
// a GC of a multi-GB heap takes long, and concurrent growers do not wait.
const memCeilingUnconfirmed = 1.25

type memMonitor struct {
	mu       sync.Mutex
	watched  map[*Isolate]*memWatch
	hosts    map[*Host]*hostMem
	running  bool          // the monitor goroutine is on
	exited   chan struct{} // closed when that goroutine has returned
	prevHeap float64
	scale    float64 // bytes per raw charge unit

	// suspects are limited watches over their limit, awaiting the
	// confirmation GC; stoppedAlive counts watches the monitor stopped
	// that have not died yet.
	suspects     map[*memWatch]struct{}
	stoppedAlive int

	// Confirmation GCs are numbered from 1. gcStarted is the number of the
	// last one started, gcDone of the last one completed; no ceiling victim
	// is chosen while gcDone < gcGate (set past gcStarted when a victim
	// dies).
	gcStarted, gcDone, gcGate uint64
	// freeing is the memory (bytes) of the stopped isolates that died
	// since the last completed GC: garbage the heap still counts.
	freeing float64

	// ran lists the watches that ran JS in the current window: a task
	// started (noteTask) or was still running at the previous sample. So
	// a sample costs O(isolates that ran), not O(isolates): idle ones cost
	// nothing. Guarded by ranMu, a leaf lock (taken under an isolate's mu
	// or under m.mu, never the other way round).
	ranMu sync.Mutex
	ran   []*memWatch
	spare []*memWatch

	ranAll, ranLimited []*memWatch // scratch of one sample
}

var memMon memMonitor

// memStop is an isolate the monitor stops, and why.
type memStop struct {
	iso        *Isolate
	le         *LimitError
	evenPaused bool // see memoryExceeded
}

func heapBytes() float64 {
	s := []metrics.Sample{{Name: heapObjectsMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64())
}

var (
	defaultCeilingOnce sync.Once
	defaultCeilingMb   int64
)

// defaultHostMemoryLimitMb returns the ceiling of a host without
// WithMemoryLimit, computed once per process from /proc/meminfo and
// /sys/fs/cgroup/memory.max. Any goroutine.
func defaultHostMemoryLimitMb() int64 {
	defaultCeilingOnce.Do(func() {
		var meminfo, cgroupMax io.Reader
		if f, err := os.Open("/proc/meminfo"); err == nil {
			defer f.Close()
			meminfo = f
		}
		if f, err := os.Open("/sys/fs/cgroup/memory.max"); err == nil {
			defer f.Close()
			cgroupMax = f
		}
		defaultCeilingMb = hostMemoryDefaultMb(meminfo, cgroupMax)
	})
	return defaultCeilingMb
}

// hostMemoryDefaultMb computes the default host ceiling in MB: a quarter of
// the memory available to the process, the smaller of the cgroup v2 limit
// (the contents of memory.max, unless "max") and the physical memory
// (MemTotal in the contents of /proc/meminfo); 4096 MB when neither can be
// read. A nil reader is a file that could not be opened.
func hostMemoryDefaultMb(meminfo, cgroupMax io.Reader) int64 {
	var avail int64 // bytes; 0 = unknown
	if meminfo != nil {
		sc := bufio.NewScanner(io.LimitReader(meminfo, 1<<20))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 2 || f[0] != "MemTotal:" {
				continue
			}
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil && kb > 0 && kb < 1<<53 && (len(f) < 3 || strings.EqualFold(f[2], "kB")) {
				avail = kb << 10
			}
			break
		}
	}
	if cgroupMax != nil {
		b, _ := io.ReadAll(io.LimitReader(cgroupMax, 64))
		s := strings.TrimSpace(string(b))
		if n, err := strconv.ParseInt(s, 10, 64); s != "max" && err == nil && n > 0 && (avail == 0 || n < avail) {
			avail = n
		}
	}
	if avail <= 0 {
		return defaultHostMemoryFallbackMb
	}
	return max(avail>>20/4, 1)
}

// memoryCeiling returns the host's memory ceiling in bytes, 0 for none.
// Any goroutine.
func (h *Host) memoryCeiling() float64 {
	mb := h.memLimitMb
	switch {
	case mb < 0:
		return 0
	case mb == 0:
		mb = defaultHostMemoryLimitMb()
	}
	return float64(mb) * (1 << 20)
}

// watchMemory registers iso with the monitor (starting it if needed) until
// iso dies. Loop only, from boot.
func (iso *Isolate) watchMemory() {
	limited := iso.cfg.limits.MemoryMb > 0
	ceiling := iso.host.memoryCeiling()
	if !limited && ceiling <= 0 {
		return
	}
	m := &memMon
	m.mu.Lock()
	if m.watched == nil {
		m.watched = make(map[*Isolate]*memWatch)
		m.hosts = make(map[*Host]*hostMem)
		m.suspects = make(map[*memWatch]struct{})
		m.scale = 1
	}
	w := &memWatch{iso: iso, limited: limited, max: float64(iso.cfg.limits.MemoryMb << 20)}
	iso.memW = w
	if ceiling > 0 {
		hm := m.hosts[iso.host]
		if hm == nil {
			hm = &hostMem{ceiling: ceiling}
			m.hosts[iso.host] = hm
		}
		hm.isolates++
		w.hm = hm
	}
	m.watched[iso] = w
	if !m.running {
		m.running = true
		m.exited = make(chan struct{})
		m.prevHeap = heapBytes()
		go m.run(m.exited)
	}
	m.mu.Unlock()
	iso.OnDone(func(error) { m.unwatch(iso) })
}

// noteTask puts iso on the current window's ran list when a task starts.
// Loop only, from beginTask (iso.mu held): one atomic load when it is
// already listed.
func (iso *Isolate) noteTask() {
	w := iso.memW
	if w == nil || w.marked.Load() || !w.marked.CompareAndSwap(false, true) {
		return
	}
	m := &memMon
	m.ranMu.Lock()
	m.ran = append(m.ran, w)
	m.ranMu.Unlock()
}

func (m *memMonitor) unwatch(iso *Isolate) {
	m.mu.Lock()
	if w, ok := m.watched[iso]; ok {
		delete(m.watched, iso)
		delete(m.suspects, w)
		w.gone = true
		if w.stopped {
			m.stoppedAlive--
			// Its memory is garbage now, and counted as coming back
			// until a GC that starts after this has completed.
			m.gcGate = m.gcStarted + 1
			m.freeing += w.share * m.scale
		}
		if w.hm != nil {
			if w.hm.isolates--; w.hm.isolates == 0 {
				delete(m.hosts, iso.host)
			}
		}
	}
	m.mu.Unlock()
}

// idle reports, at a tick, whether the monitor should end: nothing has
// been watched for memIdleTicks samples. Then it marks itself off and
// drops the ran list (no sample will). It lingers rather than stopping
// with the last isolate because a program that runs one short isolate
// after another (Isolate.run in a loop) would otherwise start and stop it
// every time, which doubled spawn latency in BenchmarkSpawnFirstMessage.
func (m *memMonitor) idle(ticks *int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.watched) > 0 {
		*ticks = 0
		return false
	}
	if *ticks++; *ticks < memIdleTicks {
		return false
	}
	m.running = false
	m.ranMu.Lock()
	for _, w := range m.ran {
		w.marked.Store(false)
	}
	clear(m.ran)
	m.ran = m.ran[:0]
	m.ranMu.Unlock()
	return true
}

func (m *memMonitor) run(exited chan struct{}) {
	defer close(exited)
	t := time.NewTicker(memSampleEvery)
	defer t.Stop()
	var lastConfirm time.Time
	// The confirming GC runs on its own goroutine so that sampling goes
	// on meanwhile: a GC of a large heap can take long, and a fast grower
	// must still be caught by the twice-the-limit rule.
	var confirming chan struct{}
	var confirmingNum uint64
	idleTicks := 0
	defer func() {
		if confirming != nil {
			<-confirming
		}
	}()
	for {
		var confirmed <-chan struct{} = confirming
		select {
		case <-t.C:
			if confirming == nil && m.idle(&idleTicks) {
				return
			}
		case <-confirmed:
			confirming = nil
			m.mu.Lock()
			m.gcDone = confirmingNum
			m.mu.Unlock()
			over, now, _ := m.sample(true)
			for _, s := range append(over, now...) {
				s.iso.memoryExceeded(s.le, s.evenPaused)
			}
			continue
		}
		over, now, confirm := m.sample(false)
		// Twice the limit needs no confirmation.
		for _, s := range now {
			s.iso.memoryExceeded(s.le, s.evenPaused)
		}
		if (len(over) == 0 && !confirm) || confirming != nil || time.Since(lastConfirm) < memConfirmEvery {
			continue
		}
		lastConfirm = time.Now()
		done := make(chan struct{})
		confirming = done
		m.mu.Lock()
		m.gcStarted++
		confirmingNum = m.gcStarted
		m.mu.Unlock()
		go func() {
			runtime.GC()
			close(done)
		}()
	}
}

// sample charges the heap change since the previous sample and returns the
// isolates to stop: over (over their memoryMb, to confirm), now (to stop
// now: over twice their memoryMb, or ceiling victims). confirmed says a
// confirmation GC just completed: then over is to be stopped too, and
// ceiling victims may be chosen below twice the ceiling. confirm says a
// host is over its ceiling and a confirmation GC is needed first.
func (m *memMonitor) sample(confirmed bool) (over, now []memStop, confirm bool) {
	h := heapBytes()
	m.ranMu.Lock()
	ran := m.ran
	m.ran, m.spare = m.spare[:0], nil
	m.ranMu.Unlock()
	// A watch whose task is still running stays listed for the next
	// window. Unmark first, then look: a task starting in between lists
	// it again itself.
	var carry []*memWatch
	for _, w := range ran {
		w.marked.Store(false)
		w.iso.mu.Lock()
		running := w.iso.running
		w.iso.mu.Unlock()
		if running && w.marked.CompareAndSwap(false, true) {
			carry = append(carry, w)
		}
	}
	if len(carry) > 0 {
		m.ranMu.Lock()
		m.ran = append(m.ran, carry...)
		m.ranMu.Unlock()
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	d := h - m.prevHeap
	prev := m.prevHeap
	m.prevHeap = h
	m.ranAll, m.ranLimited = m.ranAll[:0], m.ranLimited[:0]
	for _, w := range ran {
		if w.gone {
			continue
		}
		m.ranAll = append(m.ranAll, w)
		if w.limited {
			m.ranLimited = append(m.ranLimited, w)
		}
	}
	clear(ran) // keep no dead watch alive
	m.ranMu.Lock()
	m.spare = ran[:0]
	m.ranMu.Unlock()
	switch {
	case d > 0:
		if n := len(m.ranLimited); n > 0 {
			add := d / float64(n) / m.scale
			for _, w := range m.ranLimited {
				w.charge += add
			}
		}
		if n := len(m.ranAll); n > 0 {
			add := d / float64(n) / m.scale
			for _, w := range m.ranAll {
				w.share += add
			}
		}
	case d < 0 && prev > 0 && h > 0:
		m.scale *= h / prev
		if m.scale < 1e-200 { // renormalize, once in a very long while
			for _, w := range m.watched {
				w.charge *= m.scale
				w.share *= m.scale
			}
			m.scale = 1
		}
	}

	// Per-isolate limits: only a watch that was charged (it ran) or was
	// already over can be over now.
	check := func(w *memWatch) {
		if w.stopped || w.gone {
			delete(m.suspects, w)
			return
		}
		charge := w.charge * m.scale
		if charge <= w.max {
			delete(m.suspects, w)
			return
		}
		s := memStop{iso: w.iso, le: &LimitError{Limit: "memoryMb", Max: w.iso.cfg.limits.MemoryMb, Seen: int64(charge) >> 20, Unit: "MB"}}
		switch {
		case charge > 2*w.max:
			now = append(now, s)
		case confirmed:
			over = append(over, s)
		default:
			over = append(over, s)
			m.suspects[w] = struct{}{}
			return
		}
		w.stopped = true
		m.stoppedAlive++
		delete(m.suspects, w)
	}
	for _, w := range m.ranLimited {
		check(w)
	}
	for w := range m.suspects {
		check(w)
	}
	clear(m.ranAll)
	clear(m.ranLimited)

	// Host ceilings. The heap is the process's. Memory of the isolates the
	// monitor stopped is about to come back: the share of each one still
	// alive, and of each one dead since the last completed GC (freeing),
	// is subtracted from the heap before deciding. Then several growers
	// are stopped as a group, in one round, largest share first, until
	// what they hold brings the heap back under the ceiling: waiting for
	// one victim to die and its memory to be collected before choosing the
	// next let four to eight concurrent growers take the process to many
	// times the ceiling.
	anyOver := false
	for _, hm := range m.hosts {
		hm.over = h > hm.ceiling
		hm.cands = hm.cands[:0]
		anyOver = anyOver || hm.over
	}
	gateOpen := m.gcDone >= m.gcGate
	if gateOpen {
		m.freeing = 0
	}
	if !anyOver {
		return over, now, false
	}
	if !gateOpen {
		// A GC turns the dead victims' memory back into free memory;
		// until one that started after their death completes, it counts
		// as coming back.
		confirm = true
	}
	pending := m.freeing
	for _, w := range m.watched {
		switch {
		case w.stopped:
			pending += w.share * m.scale
		case w.hm != nil && w.hm.over && w.share > 0:
			w.hm.cands = append(w.hm.cands, w)
		}
	}
	effective := h - pending
	for _, hm := range m.hosts {
		if !hm.over || len(hm.cands) == 0 || effective <= hm.ceiling {
			continue
		}
		if !confirmed && h <= memCeilingUnconfirmed*hm.ceiling {
			confirm = true
			continue
		}
		slices.SortFunc(hm.cands, func(a, b *memWatch) int { return cmp.Compare(b.share, a.share) })
		need := effective - memCeilingTarget*hm.ceiling
		for _, w := range hm.cands {
			if need <= 0 {
				break
			}
			w.stopped = true
			m.stoppedAlive++
			share := w.share * m.scale
			need -= share
			effective -= share
			now = append(now, memStop{iso: w.iso, evenPaused: true, le: &LimitError{Limit: "hostMemoryMb", Max: int64(hm.ceiling) >> 20, Seen: (int64(h) + 1<<20 - 1) >> 20, Unit: "MB"}})
		}
		clear(hm.cands)
	}
	return over, now, confirm
}

// memoryExceeded stops iso with le (a memoryMb or hostMemoryMb
// LimitError): running JS is interrupted, an idle isolate fails before its
// next event. With evenPaused, a paused isolate is stopped at once instead
// of when it is resumed (its error listeners are not told). Any goroutine.
func (iso *Isolate) memoryExceeded(le *LimitError, evenPaused bool) {
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
	paused := len(iso.pauses) > 0
	iso.mu.Unlock()
	if evenPaused && paused {
		se := &ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
		se.Value = errorValueOf(se)
		iso.terminate(se, killSignal{})
		return
	}
	iso.Post(func() error { return le })
}

// harden is called by boot on the new VM, before the bindings: it installs
// the allocation guards and starts memory accounting.
func (iso *Isolate) harden(vm *goja.Runtime) error {
	cfg := guardConfig(iso.cfg.limits)
	cfg.Import = iso.dynamicImport
	cfg.Reserve = iso.reserveMemory
	gs, err := guard.InstallGuards(vm, cfg)
	if err != nil {
		return err
	}
	iso.guards = gs
	iso.watchMemory()
	return nil
}
