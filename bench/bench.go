// Package bench measures isobox workloads and, for comparison, the same
// workloads on Node worker_threads. Each workload is a plain function that
// returns raw figures; the go test benchmarks, TestWorkloadsTiny and the
// compare command (go run ./bench/compare) all call them.
package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// clockStart is the origin of the host.now() clock granted to JS harnesses.
var clockStart = time.Now()

// WorkerMain serves as the worker process of process isolates when this
// binary was started as one (see engine.WorkerMain), with the same
// bindings and clock function NewHost's isolates get. Call it first in main
// (or TestMain); otherwise it returns at once.
func WorkerMain() {
	engine.WorkerMain(hostOptions()...)
}

func hostOptions() []engine.HostOption {
	return []engine.HostOption{
		engine.WithSetup(bindings.Setup(bindings.Config{})),
		engine.WithFunc("now", func(context.Context, []any) (any, error) {
			return float64(time.Since(clockStart).Nanoseconds()) / 1e3, nil
		}),
	}
}

// NewHost returns a host with the bindings installed, output discarded
// unless verbose, a high-resolution clock function "now" (microseconds, as a
// float) that harness isolates may call as host.now(), and room for
// maxIsolates live isolates; opts come last.
func NewHost(maxIsolates int, opts ...engine.HostOption) *engine.Host {
	return engine.NewHost(append([]engine.HostOption{
		engine.WithSetup(bindings.Setup(bindings.Config{})),
		engine.WithMaxIsolates(maxIsolates),
		engine.WithStdout(os.Stderr),
		engine.WithFunc("now", func(context.Context, []any) (any, error) {
			return float64(time.Since(clockStart).Nanoseconds()) / 1e3, nil
		}),
	}, opts...)...)
}

// shutdown kills every isolate of h and waits for them.
func shutdown(h *engine.Host) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = h.Shutdown(ctx)
}

// recv waits up to d for the next message on p and converts it to Go.
func recv(p *engine.Port, d time.Duration) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.RecvValue(ctx)
}

// clockCaps grants the host.now() clock.
var clockCaps = engine.WithCapabilities(engine.Capabilities{Funcs: []string{"now"}})

// Percentile returns the p-th percentile (0..100) of ds, nearest rank. It
// sorts ds in place. It returns 0 for no samples.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(math.Ceil(p/100*float64(len(ds)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(ds) {
		i = len(ds) - 1
	}
	return ds[i]
}

// Median returns the median of xs (0 for none). It sorts xs in place.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// micros converts a duration to float microseconds.
func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// toFloat converts a number from Message.ToGo.
func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int:
		return float64(x)
	}
	return math.NaN()
}

// durationsFromMicros converts a JS array of numbers (from Message.ToGo) to microsecond
// durations.
func durationsFromMicros(v any) []time.Duration {
	arr, _ := v.([]any)
	out := make([]time.Duration, len(arr))
	for i, x := range arr {
		out[i] = time.Duration(toFloat(x) * 1e3)
	}
	return out
}

// RSS returns the process's resident set size in bytes, from
// /proc/self/status (0 where that is not available).
func RSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// heapInUse returns the Go heap in use after a full GC, and returns freed
// memory to the OS so that a following RSS reading is a fair baseline.
func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// errUnexpected reports a message that a workload did not expect.
func errUnexpected(what string, v any) error {
	return fmt.Errorf("%s: unexpected message %T %v", what, v, v)
}

func sortStrings(s []string) { sort.Strings(s) }
