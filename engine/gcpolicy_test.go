package engine

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	for _, tc := range []struct {
		name        string
		ceilingMb   int64
		gogc, limit string // environment
		wantPct     int
		wantLimit   int64 // -1: unchanged
	}{
		{name: "ceiling", ceilingMb: 1000, wantPct: DefaultGCPercent, wantLimit: 900 << 20},
		{name: "tiny-ceiling", ceilingMb: 4, wantPct: DefaultGCPercent, wantLimit: 16 << 20},
		{name: "no-ceiling", ceilingMb: -1, wantPct: -2, wantLimit: -1},
		{name: "env-gogc-wins", ceilingMb: 1000, gogc: "150", wantPct: -2, wantLimit: 900 << 20},
		{name: "env-memlimit-wins", ceilingMb: 1000, limit: "1GiB", wantPct: DefaultGCPercent, wantLimit: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.limit)
			beforePct := debug.SetGCPercent(100)
			debug.SetGCPercent(beforePct)
			beforeLimit := debug.SetMemoryLimit(-1)
			restore := TuneGC(tc.ceilingMb)
			pct := debug.SetGCPercent(-1)
			debug.SetGCPercent(pct)
			limit := debug.SetMemoryLimit(-1)
			restore()
			if want := tc.wantPct; want == -2 {
				if pct != beforePct {
					t.Errorf("GOGC %d, want it unchanged (%d)", pct, beforePct)
				}
			} else if pct != want {
				t.Errorf("GOGC %d, want %d", pct, want)
			}
			if want := tc.wantLimit; want == -1 {
				if limit != beforeLimit {
					t.Errorf("memory limit %d, want it unchanged (%d)", limit, beforeLimit)
				}
			} else if limit != want {
				t.Errorf("memory limit %d, want %d", limit, want)
			}
			if p := debug.SetGCPercent(beforePct); p != beforePct {
				t.Errorf("restore left GOGC %d, want %d", p, beforePct)
			}
			if l := debug.SetMemoryLimit(-1); l != beforeLimit {
				t.Errorf("restore left memory limit %d, want %d", l, beforeLimit)
			}
		})
	}
}
