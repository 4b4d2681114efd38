//go:build race

package bindings_test

// The race detector's shadow memory adds to RSS: the battery's RSS cap is
// raised under -race (see hostileRSSCapMB).
const raceEnabled = true
