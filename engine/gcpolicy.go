package engine

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the GOGC value TuneGC sets. goja boxes numbers, so a
// CPU-bound script allocates garbage at a high rate and, at Go's default
// of 100, two isolates on two cores spend much of their time in the
// collector (BENCHMARKS.md, CPU scaling). A constant: any goroutine.
const DefaultGCPercent = 400

// TuneGC sets the process's garbage-collector policy for running isolates:
// GOGC DefaultGCPercent, and a soft memory limit (debug.SetMemoryLimit) of
// nine tenths of the host memory ceiling ceilingMb, so that the collector
// works harder before the heap reaches the ceiling instead of letting the
// ceiling stop an isolate over garbage. ceilingMb is what WithMemoryLimit
// takes: 0 means the default ceiling (a quarter of the memory available to
// the process), a negative value no ceiling, and then TuneGC changes
// nothing (a higher GOGC without a limit would only let the heap grow).
// An explicit GOGC or GOMEMLIMIT in the environment wins over the
// corresponding setting. It returns a function that restores the previous
// settings.
//
// The settings are process-wide: the CLI calls TuneGC once at start; an
// embedder that runs isolates alongside other work decides for itself
// (calling TuneGC with its host's ceiling, or its own
// debug.SetGCPercent/SetMemoryLimit). Any goroutine may call it, but it
// should be called once, before the isolates start.
func TuneGC(ceilingMb int64) (restore func()) {
	if ceilingMb == 0 {
		ceilingMb = defaultHostMemoryLimitMb()
	}
	if ceilingMb < 0 {
		return func() {}
	}
	oldPct, oldLimit := -2, int64(-1)
	if os.Getenv("GOGC") == "" {
		oldPct = debug.SetGCPercent(DefaultGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		oldLimit = debug.SetMemoryLimit(gcLimitBytes(ceilingMb))
	}
	return func() {
		if oldPct != -2 {
			debug.SetGCPercent(oldPct)
		}
		if oldLimit >= 0 {
			debug.SetMemoryLimit(oldLimit)
		}
	}
}

// gcLimitBytes is the soft memory limit for a ceiling of mb MB: nine
// tenths of it, at least 16 MB.
func gcLimitBytes(mb int64) int64 {
	return max(mb<<20/10*9, 16<<20)
}
