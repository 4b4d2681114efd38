package guard

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/dop251/goja"
)

// TestMeasureStackCost measures the Go stack one JS frame costs when the
// recursion passes through a native callback. It is a measurement, not a
// check: run it with ISOBOX_MEASURE_STACK=1 (go test -run
// TestMeasureStackCost -v ./engine/guard/). The numbers are behind
// engine.MaxMaxStackDepth.
func TestMeasureStackCost(t *testing.T) {
	if os.Getenv("ISOBOX_MEASURE_STACK") == "" {
		t.Skip("a measurement: set ISOBOX_MEASURE_STACK=1")
	}
	depth := 20000
	if s := os.Getenv("ISOBOX_MEASURE_DEPTH"); s != "" {
		depth, _ = strconv.Atoi(s)
	}
	cases := []struct{ name, src string }{
		{"js", `const f = () => { if (--n <= 0) return probe(); f() }; f()`},
		{"forEach", `const f = () => { if (--n <= 0) return probe(); [1].forEach(f) }; f()`},
		{"map", `const f = () => { if (--n <= 0) return probe(); [1].map(f) }; f()`},
		{"sort", `const f = () => { if (--n <= 0) return probe(); [2, 1].sort(f) }; f()`},
		{"reduce", `const f = () => { if (--n <= 0) return probe(); [1, 2].reduce(f) }; f()`},
		{"call", `const f = () => { if (--n <= 0) return probe(); f.call() }; f()`},
		{"apply", `const f = () => { if (--n <= 0) return probe(); Reflect.apply(f, null, []) }; f()`},
		{"bound", `let g; const f = () => { if (--n <= 0) return probe(); g() }; g = f.bind(null); f()`},
		{"getter", `const o = {get x() { if (--n <= 0) return probe(); return o.x }}; o.x`},
		{"toString", `const o = {toString() { if (--n <= 0) { probe(); return "" } return String(o) }}; String(o)`},
		{"proxy-get", `const p = new Proxy({}, {get() { if (--n <= 0) return probe(); return p.x }}); p.x`},
		{"replace", `const f = () => { if (--n <= 0) { probe(); return "" } return 'a'.replace(/a/, f) }; f()`},
		{"replace-str", `const f = () => { if (--n <= 0) { probe(); return "" } return 'a'.replace('a', f) }; f()`},
		{"reviver", `const f = () => { if (--n <= 0) return probe(); return JSON.parse('[1]', f) }; f()`},
		{"toJSON", `const o = {toJSON() { if (--n <= 0) return probe(); return JSON.stringify(o) }}; JSON.stringify(o)`},
		{"stringify-replacer", `const f = (k, v) => { if (--n <= 0) return probe(); return JSON.stringify(1, f) }; f()`},
		{"from", `const f = () => { if (--n <= 0) return probe(); Array.from([1], f) }; f()`},
		{"promise-executor", `const f = () => { if (--n <= 0) return probe(); new Promise(f) }; f()`},
		{"ctor-wrapper", `const f = () => { if (--n <= 0) return probe(); new Uint8Array({get length() { f(); return 0 }}) }; f()`},
		{"function-ctor", `const f = () => { if (--n <= 0) return probe(); new Function({toString() { f(); return '' }}) }; f()`},
		{"generator", `function* g() { if (--n <= 0) { probe(); return } yield* g() }; [...g()]`},
		{"async", `async function f() { if (--n <= 0) return probe(); await f() }; f()`},
		{"class-ctor", `class A { constructor() { if (--n <= 0) return probe(); new A() } }; new A()`},
		{"valueOf", `const o = {valueOf() { if (--n <= 0) { probe(); return 1 } return +o }}; +o`},
		{"tagged", `const f = () => { if (--n <= 0) return probe(); f\x60\x60 }; f()`},
		{"iterator", `const it = {[Symbol.iterator]() { if (--n <= 0) { probe(); return [][Symbol.iterator]() } [...it]; return [][Symbol.iterator]() }}; [...it]`},
		{"instanceof", `const C = {[Symbol.hasInstance]() { if (--n <= 0) { probe(); return false } return 1 instanceof C }}; 1 instanceof C`},
		{"setter", `const o = {set x(v) { if (--n <= 0) return probe(); o.x = 1 }}; o.x = 1`},
		{"split-obj", `const s = {[Symbol.split]() { if (--n <= 0) return probe(); 'a'.split(s) }}; 'a'.split(s)`},
	}
	for _, c := range cases {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.StackInuse
		var peak uint64
		vm := goja.New()
		if err := Install(vm, Config{MaxDepth: depth * 4}); err != nil {
			t.Fatal(err)
		}
		vm.SetMaxCallStackSize(depth * 8)
		vm.Set("n", depth)
		vm.Set("probe", func() {
			runtime.ReadMemStats(&ms)
			peak = ms.StackInuse
		})
		done := make(chan error)
		go func() { _, err := vm.RunString(c.src); done <- err }()
		err := <-done
		if peak == 0 {
			t.Logf("%-20s no probe (%v)", c.name, err)
			continue
		}
		t.Logf("%-20s depth %d: stack in use grew by %d KB, <= %d B/frame (err %v)", c.name, depth, (peak-base)>>10, (peak-base)/uint64(depth), err)
	}
}
