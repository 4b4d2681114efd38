package engine

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine/guard"
)

// guardedVM is a fresh runtime with the guards the engine installs for
// lim (guardConfig), without a Host.
func guardedVM(t testing.TB, lim Limits) *goja.Runtime {
	vm := goja.New()
	if err := guard.Install(vm, guardConfig(lim)); err != nil {
		t.Fatalf("guard.Install: %v", err)
	}
	return vm
}

// MemoryMb lowers the single-allocation cap.
func TestGuardsFollowMemoryMb(t *testing.T) {
	vm := guardedVM(t, Limits{MemoryMb: 16})
	v, err := vm.RunString(`try { new ArrayBuffer(32 << 20); "no error" } catch (e) { e.name }`)
	if err != nil || v.String() != "RangeError" {
		t.Fatalf("got %v, %v", v, err)
	}
}

// guardConfig lowers the allocation cap to MemoryMb only when that is
// smaller than the default, and passes MaxStackDepth on.
func TestGuardConfig(t *testing.T) {
	cases := []struct {
		lim  Limits
		want guard.Config
	}{
		{Limits{}, guard.Config{}},
		{Limits{MemoryMb: 16, MaxStackDepth: 300}, guard.Config{MaxAllocBytes: 16 << 20, MaxDepth: 300}},
		{Limits{MemoryMb: 255}, guard.Config{MaxAllocBytes: 255 << 20}},
		{Limits{MemoryMb: 256}, guard.Config{}},
		{Limits{MemoryMb: 4096}, guard.Config{}},
		{Limits{MemoryMb: -1}, guard.Config{}},
	}
	for _, c := range cases {
		if got := guardConfig(c.lim); got.MaxAllocBytes != c.want.MaxAllocBytes || got.MaxDepth != c.want.MaxDepth || got.Eager || got.Import != nil {
			t.Errorf("guardConfig(%+v) = %+v, want %+v", c.lim, got, c.want)
		}
	}
}

// BenchmarkSpawnEmpty spawns and waits for an empty isolate (no bindings):
// the guards are part of every spawn.
func BenchmarkSpawnEmpty(b *testing.B) {
	h := NewHost()
	src := ScriptSource("empty.js", "")
	for i := 0; i < b.N; i++ {
		iso, err := h.Spawn(src)
		if err != nil {
			b.Fatal(err)
		}
		<-iso.Done()
	}
}

// A push loop over memoryMb is stopped with a memoryMb LimitError, and the
// monitor goroutine is gone once no limited isolate is left.
func TestMemoryMbStopsGrowth(t *testing.T) {
	h := NewHost(WithStdout(io.Discard), WithStderr(io.Discard))
	iso, err := h.Spawn(ScriptSource("grow.js", `const a = []; for (let i = 0; ; i++) a.push({i})`), WithLimits(Limits{MemoryMb: 32}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = iso.Wait(ctx)
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "memoryMb" {
		t.Fatalf("got %v, want a memoryMb LimitError", err)
	}
	t.Logf("stopped at %d MB attributed (limit 32)", le.Seen)
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	waitMonitorEnds(t)
}

// Limits the process cannot survive are refused by Spawn with an error
// naming the maximum; the maximum itself is accepted.
func TestLimitsValidate(t *testing.T) {
	for _, c := range []struct {
		lim Limits
		ok  bool
	}{
		{Limits{}, true},
		{Limits{MaxStackDepth: MaxStackDepthCeiling}, true},
		{Limits{MaxStackDepth: MaxStackDepthCeiling + 1}, false},
		{Limits{MaxStackDepth: 1000000}, false},
		{Limits{MaxStackDepth: -1}, false},
		{Limits{MaxTaskMs: 1 << 62}, false},
		{Limits{CPUMs: -5}, false},
		{Limits{MemoryMb: 1 << 50}, false},
		{Limits{MaxQueue: 1 << 41}, false},
	} {
		err := c.lim.Validate()
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrBadLimits)) {
			t.Errorf("%+v: Validate() = %v", c.lim, err)
		}
	}
	h := NewHost()
	_, err := h.Spawn(ScriptSource("x.js", "1"), WithLimits(Limits{MaxStackDepth: 1000000}))
	if !errors.Is(err, ErrBadLimits) || !strings.Contains(err.Error(), "maximum 50000") {
		t.Fatalf("Spawn with maxStackDepth 1e6: %v", err)
	}
	h2 := NewHost(WithDefaultLimits(Limits{MaxStackDepth: 1 << 30}))
	if _, err := h2.Spawn(ScriptSource("x.js", "1")); !errors.Is(err, ErrBadLimits) {
		t.Fatalf("Spawn with a default maxStackDepth 2^30: %v", err)
	}
}
