package engine

import (
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// One-step reservations (guard.Config.Reserve).
//
// The memory monitor samples the heap every memSampleEvery and stops
// growers as a group, but a result that one VM instruction makes whole
// (s + s, a template literal, repeat) is allocated and copied before any
// sample sees it: eight isolates each doubling a 128 MB string put 2 GB
// on the heap between two samples, and RSS reached 2-4x the ceiling. So
// before such a result of guard.ReserveMin bytes or more, the guards ask
// reserveMemory, which admits it only when the memory the process holds
// (Go's total mapped memory minus what it has returned to the OS: what
// RSS is made of), plus every admitted result not yet made, plus this
// one, stays under the host's ceiling. One refused first is asked again
// after a collection that also returns free memory to the OS (at most one
// every reserveGCEvery, process-wide); refused again, the operation
// throws a RangeError and the isolate may catch it, and the memory it
// already holds stays charged to it, for the monitor to act on. A host
// without a ceiling admits everything. The in-flight total is
// process-wide, as the memory is: the ceiling bounds the whole process.

// reserveGCEvery is the least time between two collections forced by a
// refused reservation: a script that retries a refused step in a loop
// must not keep the collector running.
const reserveGCEvery = 100 * time.Millisecond

var (
	reservedBytes atomic.Int64 // admitted one-step results not released yet

	reserveGCMu   sync.Mutex
	reserveGCLast time.Time
	reserveGCs    atomic.Uint64 // collections forced by reservations
)

var heldMetrics = []string{"/memory/classes/total:bytes", "/memory/classes/heap/released:bytes"}

// heldBytes is the memory the Go runtime holds from the OS: mapped and
// not released.
func heldBytes() int64 {
	s := make([]metrics.Sample, len(heldMetrics))
	for i, n := range heldMetrics {
		s[i].Name = n
	}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64()) - int64(s[1].Value.Uint64())
}

// reserveMemory is the isolate's guard.Config.Reserve: see above. Loop
// only (it blocks the isolate's own goroutine for a forced collection).
func (iso *Isolate) reserveMemory(n int64) (func(), error) {
	ceiling := int64(iso.host.memoryCeiling())
	if ceiling <= 0 {
		return nil, nil
	}
	if admit(n, ceiling, heldBytes()) {
		return iso.lease(n), nil
	}
	reserveGCMu.Lock()
	if time.Since(reserveGCLast) >= reserveGCEvery {
		debug.FreeOSMemory()
		reserveGCLast = time.Now()
		reserveGCs.Add(1)
	}
	reserveGCMu.Unlock()
	held := heldBytes()
	if admit(n, ceiling, held) {
		return iso.lease(n), nil
	}
	return nil, fmt.Errorf("out of memory: %d MB more would pass the host memory ceiling (hostMemoryMb %d, %d MB held)",
		(n+1<<20-1)>>20, ceiling>>20, (held+reservedBytes.Load())>>20)
}

// admit adds n to the in-flight total when held + in flight + n stays
// within ceiling.
func admit(n, ceiling, held int64) bool {
	for {
		r := reservedBytes.Load()
		if held+r+n > ceiling {
			return false
		}
		if reservedBytes.CompareAndSwap(r, r+n) {
			return true
		}
	}
}

// lease is one admitted reservation of n bytes. Its release is called by
// the guard once the result exists (or failed); the one a constructor
// holds across the JS of its construction is released by the guard's next
// reservation, or here at the end of the task (endLeases), whatever
// interrupted it. Loop only, as the guards are.
type lease struct {
	n    int64
	done bool
}

func (l *lease) release() {
	if !l.done {
		l.done = true
		reservedBytes.Add(-l.n)
	}
}

// lease records an admitted reservation of n bytes and returns its
// release. Loop only.
func (iso *Isolate) lease(n int64) func() {
	if len(iso.leases) >= 16 {
		live := iso.leases[:0]
		for _, l := range iso.leases {
			if !l.done {
				live = append(live, l)
			}
		}
		clear(iso.leases[len(live):])
		iso.leases = live
	}
	l := &lease{n: n}
	iso.leases = append(iso.leases, l)
	return l.release
}

// endLeases releases what the task left reserved: by its end every result
// it reserved for is made, or never will be. Loop only.
func (iso *Isolate) endLeases() {
	for _, l := range iso.leases {
		l.release()
	}
	clear(iso.leases)
	iso.leases = iso.leases[:0]
}
