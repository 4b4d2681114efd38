package engine

import (
	"runtime"
	"testing"
)

// BenchmarkThreadClock is the cost of the pieces of a CPU-limited task:
// the thread lock, and one read of the thread's CPU clock.
func BenchmarkThreadClock(b *testing.B) {
	b.Run("lock+unlock", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runtime.LockOSThread()
			runtime.UnlockOSThread()
		}
	})
	b.Run("lockThreadClock", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			lockThreadClock()
			unlockThread()
		}
	})
	b.Run("read", func(b *testing.B) {
		c, _, _ := lockThreadClock()
		defer unlockThread()
		for i := 0; i < b.N; i++ {
			c.read()
		}
	})
}
