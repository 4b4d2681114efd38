package engine

import (
	"os"
	"runtime"
)

// MinProcs is the smallest GOMAXPROCS at which one isolate cannot stall the
// others through the garbage collector.
//
// Why: a huge string concatenation ('s = s + s' at 128 MB) is one memmove,
// which Go cannot preempt. If a GC cycle is under way, a mark worker that
// needs that goroutine's stack spins on its P until the copy ends. With
// GOMAXPROCS=2 both Ps are then taken, and every other isolate, timer and
// port stops for as long as the copy takes (up to ~900 ms measured on the
// 2-core CI machine). Two spare Ps keep the rest of the host running; the
// extra Ps cost nothing when idle.
const MinProcs = 4

// EnsureProcs raises runtime.GOMAXPROCS to MinProcs when it is lower and the
// GOMAXPROCS environment variable does not set it explicitly, and returns
// the value in effect. The CLI calls it first thing; embedders that run
// untrusted scripts should too (it changes a process-wide setting, so the
// engine never calls it by itself). Any goroutine, but meant for main.
func EnsureProcs() int {
	n := runtime.GOMAXPROCS(0)
	if n >= MinProcs || os.Getenv("GOMAXPROCS") != "" {
		return n
	}
	runtime.GOMAXPROCS(MinProcs)
	return MinProcs
}
