//go:build !linux

package engine

import "time"

// threadClock is not available off Linux: CPU limits count wall time there.
type threadClock int32

func lockThreadClock() (threadClock, time.Duration, bool) { return 0, 0, false }

func unlockThread() {}

func (threadClock) read() (time.Duration, bool) { return 0, false }
