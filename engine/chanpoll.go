package engine

import (
	"io"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// Polling a worker channel before sleeping.
//
// A frame that reaches a process whose threads are all asleep waits for the
// kernel to wake one: measured on the 2-core VM, 8-15 µs a hop at the median
// and ~50 µs at p90, twice per round trip, which made a Go <-> process
// isolate round trip ~50 µs p50 of which the work was ~10 µs. So the reader
// of a channel that has just read or written a frame keeps reading it
// (non-blocking reads, handing its P to any runnable goroutine between two
// of them with runtime.Gosched, so that the isolate a frame woke runs at once
// on the same thread) for a short window before it parks in Go's netpoller:
// a reply that comes within the window is read without any wake-up.
// Measured in one sitting: the round trip went from ~50 to ~6 µs p50 for a
// number and from ~56-70 to ~12 µs for a small object; counting only reads
// as activity left the object round trip bimodal (a round trip longer than
// the window parks the peer, which makes the next one long too), and
// sched_yield instead of Gosched was 7x slower. A 50 µs window left the
// object round trip bimodal too (12 or 40-46 µs p50 from run to run);
// 100 µs gave 12-13 µs in each of three runs.
//
// The cost is CPU: after each frame read or written, up to the window
// (DefaultChannelPoll) of one core in each process of the pair. It is
// bounded three ways: at most one reader of a process polls at a time (the
// others park at once); a reader whose polls keep ending empty (traffic
// sparser than the window) polls only every 2nd, 4th, ... up to 64th time,
// until a poll finds a frame again; and WithChannelPoll(0) turns it off
// (the worker gets the host's setting).
const DefaultChannelPoll = 100 * time.Microsecond

// maxChannelPoll bounds WithChannelPoll.
const maxChannelPoll = time.Millisecond

// WithChannelPoll sets how long the reader of a worker channel (both the
// host's reader of each worker and the worker's reader of its host) keeps
// polling after a frame before it sleeps: DefaultChannelPoll by default, 0
// to never poll, at most 1 ms. See DefaultChannelPoll for the cost.
func WithChannelPoll(d time.Duration) HostOption {
	return func(h *Host) { h.poll, h.pollSet = min(max(d, 0), maxChannelPoll), true }
}

// channelPoll is the host's polling window.
func (h *Host) channelPoll() time.Duration {
	if !h.pollSet {
		return DefaultChannelPoll
	}
	return h.poll
}

// workerPollEnv carries the window to a worker, in nanoseconds.
const workerPollEnv = workerEnv + "_POLL"

// workerPoll is the window a worker was started with (DefaultChannelPoll
// when the variable is missing or bad).
func workerPoll() time.Duration {
	n, err := strconv.ParseInt(os.Getenv(workerPollEnv), 10, 64)
	if err != nil {
		return DefaultChannelPoll
	}
	return min(max(time.Duration(n), 0), maxChannelPoll)
}

// pollers counts the readers of this process that are polling now.
var pollers atomic.Int32

// pollEpoch is the origin of monoNow.
var pollEpoch = time.Now()

// monoNow is a monotonic clock reading that fits an atomic.Int64.
func monoNow() int64 { return int64(time.Since(pollEpoch)) }

// pollReader reads a non-blocking channel file, polling for window after
// each frame read or written before it waits in the netpoller. It is
// read by one goroutine (the channel's frame reader).
type pollReader struct {
	rc     syscall.RawConn
	window time.Duration
	wrote  *atomic.Int64 // the connection's last write (conn.wrote)
	last   int64         // the last read that returned data (monoNow)
	misses int           // polls in a row that ended with nothing read
	parks  uint          // times the reader went to wait, for the backoff
}

// newPollReader returns a reader of f, the non-blocking channel file of a
// connection whose writes stamp wrote; f itself when polling is off or f
// has no raw descriptor.
func newPollReader(f *os.File, window time.Duration, wrote *atomic.Int64) io.Reader {
	if window <= 0 {
		return f
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return f
	}
	return &pollReader{rc: rc, window: window, wrote: wrote}
}

// idle is how long ago the channel last saw a frame, read or written.
func (r *pollReader) idle() time.Duration {
	return time.Duration(monoNow() - max(r.last, r.wrote.Load()))
}

// maxMissShift caps the backoff at polling one wait in 64.
const maxMissShift = 6

func (r *pollReader) Read(p []byte) (int, error) {
	var n int
	var err error
	polling := false
	stop := func() {
		if polling {
			pollers.Add(-1)
			polling = false
		}
	}
	rerr := r.rc.Read(func(fd uintptr) bool {
		for {
			n, err = syscall.Read(int(fd), p)
			if err == syscall.EINTR {
				continue
			}
			if err != syscall.EAGAIN {
				if polling {
					r.misses = 0
				}
				stop()
				if n > 0 {
					r.last = monoNow()
				}
				return true
			}
			if !polling {
				if !r.mayPoll() {
					r.parks++
					return false // wait in the netpoller
				}
				polling = true
			}
			if r.idle() > r.window {
				r.misses = min(r.misses+1, maxMissShift+2)
				stop()
				r.parks++
				return false
			}
			runtime.Gosched()
		}
	})
	stop()
	switch {
	case rerr != nil:
		return 0, rerr
	case err != nil:
		return 0, err
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// mayPoll reports whether this wait may start by polling, and if so takes
// the process's polling slot.
func (r *pollReader) mayPoll() bool {
	if r.idle() > r.window {
		return false
	}
	if r.misses > 2 && r.parks%(1<<min(r.misses-2, maxMissShift)) != 0 {
		return false
	}
	if pollers.Add(1) > 1 {
		pollers.Add(-1)
		return false
	}
	return true
}
