package engine

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// MaxStackDepthCeiling is the largest Limits.MaxStackDepth a spawn
// accepts; Validate refuses more, and the CLI and the JS limits option
// name it in their usage errors. A constant: any goroutine.
//
// Why 50,000. goja runs JS-to-JS calls in one Go loop (~0 Go stack per
// frame), but every JS frame entered from a native callback (forEach,
// sort, replace, a getter, toString, a reviver, the guards' wrappers)
// costs Go stack, and Go's stack overflow is a fatal error that ends the
// process. Measured upper bounds (guard.TestMeasureStackCost,
// ISOBOX_MEASURE_STACK=1; Go stacks grow in powers of two, so each is at
// most twice the truth): 0.8-1.7 KB per frame through a getter, call,
// apply, bind, valueOf or a proxy trap, 3.4 KB through forEach, map,
// sort, Array.from, a reviver or toJSON, 6.7 KB through replace with a
// function or a stringify replacer. The guards' native-depth counter
// (guard.Config.MaxDepth, which is MaxStackDepth) lets as many native
// levels again, ~3.4 KB each at most, and the parser up to
// guard.DefaultMaxNesting levels (~40 MB). At 50,000:
// 50,000 x (6.7 + 3.4) KB + 40 MB ~ 545 MB, under Go's default 1 GB
// maximum stack (debug.SetMaxStack) with a margin of ~1.8x. An embedder
// that lowers Go's maximum stack must lower MaxStackDepth with it.
const MaxStackDepthCeiling = 50000

// ErrBadLimits is what Validate's errors wrap: a limit the process cannot
// honour safely (over its maximum, or negative). Read-only: any goroutine.
var ErrBadLimits = errors.New("engine: invalid limits")

// limitMax are the largest values each field takes: MaxStackDepth by the
// Go stack (above), the millisecond limits and MemoryMb where their
// conversion to a time.Duration or to bytes would overflow, the counts
// where int arithmetic on them would.
var limitMax = []struct {
	name string
	max  int64
	get  func(Limits) int64
}{
	{"maxStackDepth", MaxStackDepthCeiling, func(l Limits) int64 { return int64(l.MaxStackDepth) }},
	{"maxTaskMs", math.MaxInt64 / int64(time.Millisecond), func(l Limits) int64 { return l.MaxTaskMs }},
	{"maxTaskWallMs", math.MaxInt64 / int64(time.Millisecond), func(l Limits) int64 { return l.MaxTaskWallMs }},
	{"cpuMs", math.MaxInt64 / int64(time.Millisecond), func(l Limits) int64 { return l.CPUMs }},
	{"memoryMb", math.MaxInt64 >> 21, func(l Limits) int64 { return l.MemoryMb }},
	{"maxQueue", 1 << 40, func(l Limits) int64 { return int64(l.MaxQueue) }},
	{"maxMessageBytes", 1 << 62, func(l Limits) int64 { return l.MaxMessageBytes }},
	{"maxTimers", 1 << 40, func(l Limits) int64 { return int64(l.MaxTimers) }},
}

// LimitMax returns the largest value the limit named name (its JS name:
// maxStackDepth, maxTaskMs, cpuMs, memoryMb, maxQueue, maxMessageBytes,
// maxTimers) accepts, and false for an unknown name. Any goroutine.
func LimitMax(name string) (int64, bool) {
	for _, f := range limitMax {
		if f.name == name {
			return f.max, true
		}
	}
	return 0, false
}

// Validate returns an error wrapping ErrBadLimits when a field of l is
// negative or over its maximum (LimitMax; MaxStackDepthCeiling for the
// stack), naming the field and the maximum; nil otherwise. Zero fields are
// valid (the defaults). Spawn calls it on the limits it would run with. A
// value method: any goroutine.
func (l Limits) Validate() error {
	for _, f := range limitMax {
		v := f.get(l)
		if v < 0 {
			return fmt.Errorf("%w: %s %d is negative", ErrBadLimits, f.name, v)
		}
		if v > f.max {
			return fmt.Errorf("%w: %s %d is over the maximum %d", ErrBadLimits, f.name, v, f.max)
		}
	}
	return nil
}
