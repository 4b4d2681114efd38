//go:build linux

package engine

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// threadClock is the CPU-time clock of one OS thread.
//
// Linux gives every thread a clock id that any thread of the same process
// may read with clock_gettime: (^tid << 3) | CPUCLOCK_PERTHREAD_MASK (4) |
// CPUCLOCK_SCHED (2), which is what pthread_getcpuclockid returns. So the
// watchdog, on a timer goroutine, can read the CPU time of the thread a
// task runs on while the task goes on.
type threadClock int32

// lockThreadClock wires the calling goroutine to its OS thread, so that the
// thread's CPU time is the goroutine's, and returns that thread's clock.
// ok is false when the clock cannot be read (the caller then counts wall
// time); the goroutine is locked either way and must call unlockThread.
func lockThreadClock() (c threadClock, start time.Duration, ok bool) {
	runtime.LockOSThread()
	c = threadClock(^int32(unix.Gettid())<<3 | 6)
	start, ok = c.read()
	return c, start, ok
}

// unlockThread undoes lockThreadClock.
func unlockThread() { runtime.UnlockOSThread() }

// read returns the CPU time the thread has used. Any goroutine, as long as
// the thread exists (the owner keeps it locked while anyone may read).
func (c threadClock) read() (time.Duration, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(int32(c), &ts) != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
