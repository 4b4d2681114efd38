package guard

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// A lazy VM makes none of the buffer family's constructor wrappers at boot.
func TestBufferCtorsNotMadeAtBoot(t *testing.T) {
	if err := gojax.TemplateLayout(); err != nil {
		t.Fatalf("template layout unavailable: %v", err)
	}
	made := trackWrappers(t)
	lazy, eager := guardedVM(t, Config{}), guardedVM(t, Config{Eager: true})
	count := func(vm *goja.Runtime) int {
		n := 0
		for w := range made[vm] {
			for _, name := range bufferFamily {
				if w.Get("name").String() == name {
					n++
				}
			}
		}
		return n
	}
	if n := count(lazy); n != 0 {
		t.Errorf("lazy boot made %d buffer constructor wrappers", n)
	}
	if n := count(eager); n != len(bufferFamily) {
		t.Errorf("eager boot made %d buffer constructor wrappers, want %d", n, len(bufferFamily))
	}
}

// familyCheck is true when every constructor of the family, reached
// through its global and through instances, is the guard, and the globals
// and the instances' constructors agree.
const familyCheck = `(function () {
	const out = [];
	for (const n of NAMES) {
		const c = globalThis[n];
		if (!isGuard(c)) out.push(n + " global");
		if (c.prototype.constructor !== c) out.push(n + ".prototype.constructor");
		if (n === "ArrayBuffer") {
			if (new c(1).constructor !== c) out.push("buffer.constructor");
		} else {
			const x = new c(1);
			if (x.constructor !== c) out.push(n + " instance.constructor");
			if (x.buffer.constructor !== ArrayBuffer) out.push(n + " buffer.constructor");
			if (Object.getPrototypeOf(x).constructor !== c) out.push(n + " proto.constructor");
		}
	}
	return out.join(", ") || "ok";
})()`

// setupCheck gives vm the isGuard and NAMES globals familyCheck uses.
func setupCheck(t *testing.T, vm *goja.Runtime, made map[*goja.Runtime]map[*goja.Object]bool) {
	t.Helper()
	_ = vm.Set("isGuard", func(c goja.FunctionCall) goja.Value {
		o, _ := c.Argument(0).(*goja.Object)
		return vm.ToValue(o != nil && made[vm][o])
	})
	_ = vm.Set("NAMES", bufferFamily)
}

func runCheck(t *testing.T, vm *goja.Runtime, what string) {
	t.Helper()
	v, err := vm.RunString(familyCheck)
	if err != nil {
		t.Fatalf("%s: check: %v", what, err)
	}
	if v.String() != "ok" {
		t.Errorf("%s: not guarded: %s", what, v)
	}
}

// Each route to a buffer constructor, taken first in a fresh lazy VM,
// yields the guard, and leaves the whole family guarded.
func TestBufferCtorsRoutes(t *testing.T) {
	made := trackWrappers(t)
	type route struct {
		name, src string
		host      bool // the script gets a buffer Go made: hostBuffer
	}
	var routes []route
	for _, n := range bufferFamily {
		routes = append(routes,
			route{n + "/get", n, false},
			route{n + "/typeof", `typeof ` + n + ` === "function" ? ` + n + ` : 0`, false},
			route{n + "/descriptor", `Object.getOwnPropertyDescriptor(globalThis, "` + n + `").value`, false},
			route{n + "/computed", `globalThis["` + n[:3] + `" + "` + n[3:] + `"]`, false},
			route{n + "/reflect", `Reflect.get(globalThis, "` + n + `")`, false},
			route{n + "/with", `with (globalThis) { ` + n + ` }`, false},
		)
	}
	routes = append(routes,
		route{"descriptors", `Object.getOwnPropertyDescriptors(globalThis).Int8Array.value`, false},
		route{"values", `Object.values(Object.getOwnPropertyDescriptors(globalThis)).map(d => d.value).find(v => v && v.name === "Uint16Array")`, false},
		route{"names-then-get", `Object.getOwnPropertyNames(globalThis).filter(n => n === "Float32Array").map(n => globalThis[n])[0]`, false},
		route{"delete-then-instance", `delete globalThis.Uint8Array; new Int8Array(1).constructor`, false},
		route{"delete-buffer", `delete globalThis.ArrayBuffer; new Float64Array(1).buffer.constructor`, false},
		route{"dataview", `new DataView(hostBuffer).buffer.constructor`, true},
		route{"dataview-global", `typeof DataView; hostBuffer.constructor`, true},
		route{"host-buffer", `hostBuffer.constructor`, true},
		route{"host-buffer-proto", `Object.getPrototypeOf(hostBuffer).constructor`, true},
		route{"host-buffer-slice", `hostBuffer.slice(0, 1).constructor`, true},
		route{"typedarray-proto", `Object.getPrototypeOf(Object.getPrototypeOf(new Uint8Array(1))).constructor; Uint8Array`, false},
		route{"subarray", `new BigInt64Array(2).subarray(1).constructor`, false},
	)
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			vm := guardedVM(t, Config{MaxAllocBytes: 1 << 20})
			if r.host {
				b, err := gojax.NewArrayBuffer(vm, make([]byte, 8))
				if err != nil {
					t.Fatal(err)
				}
				_ = vm.Set("hostBuffer", b)
			}
			v, err := vm.RunString(r.src)
			if err != nil {
				t.Fatalf("%s: %v", r.src, err)
			}
			if o, _ := v.(*goja.Object); o == nil || !made[vm][o] {
				t.Errorf("%s is not a guard: %v", r.src, v)
			}
			if strings.HasPrefix(r.name, "delete") {
				return // the check reads the globals
			}
			setupCheck(t, vm, made)
			runCheck(t, vm, r.name)
			// And it refuses: 2 MiB is over this VM's 1 MiB cap (and
			// harmless were it not guarded).
			expectRangeErrors(t, vm, []string{
				`new (new Int16Array(1).constructor)(2**20)`,
				`new (new Uint8Array(1).buffer.constructor)(2**21)`,
			})
		})
	}
}

// An install interrupted half way (a wrapper that fails, an interrupt)
// leaves no original reachable: every route throws until an install
// succeeds, and then every route yields the guard.
func TestBufferCtorsFailureAtomic(t *testing.T) {
	made := trackWrappers(t)
	for _, failAt := range []int{1, 5, len(bufferFamily)} {
		vm := guardedVM(t, Config{})
		calls := 0
		wrapFault = func() bool { calls++; return calls >= failAt }
		for _, src := range []string{`Int8Array`, `ArrayBuffer`, `Object.getOwnPropertyDescriptor(globalThis, "Uint8Array")`,
			`globalThis.BigUint64Array`, `delete globalThis.Float32Array`, `typeof DataView`} {
			calls = 0
			v, err := vm.RunString(`(function () { try { const v = ` + src + `; return v } catch (e) { return "threw" } })()`)
			if err != nil || v.String() != "threw" {
				t.Errorf("fail at %d: %s: %v %v, want it to throw", failAt, src, v, err)
			}
		}
		calls = 0
		if _, err := gojax.NewArrayBuffer(vm, nil); err == nil {
			t.Errorf("fail at %d: NewArrayBuffer made a buffer", failAt)
		}
		wrapFault = nil
		if _, err := vm.RunString(`Int8Array`); err != nil {
			t.Fatal(err)
		}
		setupCheck(t, vm, made)
		runCheck(t, vm, "after the failures")
	}
	// An interrupt pending at the first touch stops the script; the next
	// touch installs the family.
	vm := guardedVM(t, Config{})
	vm.Interrupt("stop")
	if _, err := vm.RunString(`Uint32Array`); err == nil {
		t.Error("interrupt did not stop the script")
	}
	vm.ClearInterrupt()
	setupCheck(t, vm, made)
	runCheck(t, vm, "after the interrupt")
}

// Eager and fallback VMs guard the family the same way.
func TestBufferCtorsEager(t *testing.T) {
	made := trackWrappers(t)
	for _, cfg := range []string{"eager", "fallback", "pre-touched"} {
		var vm *goja.Runtime
		switch cfg {
		case "eager":
			vm = guardedVM(t, Config{Eager: true})
		case "pre-touched":
			// A global of the family created before Install: the
			// names hooked before it find the family installed.
			vm = goja.New()
			_ = vm.Get("Uint16Array")
			if err := Install(vm, Config{}); err != nil {
				t.Fatal(err)
			}
		default:
			restore := gojax.Disable()
			vm = guardedVM(t, Config{})
			restore()
		}
		setupCheck(t, vm, made)
		runCheck(t, vm, cfg)
	}
}

// No Go code of the module hands a script an ArrayBuffer without
// installing the family's guards first: vm.NewArrayBuffer is called only
// by gojax.NewArrayBuffer (tests aside).
func TestNoRawNewArrayBuffer(t *testing.T) {
	re := regexp.MustCompile(`\.NewArrayBuffer\(`)
	n := 0
	walkModuleGo(t, func(p string, lines []string) {
		for _, line := range lines {
			if !re.MatchString(line) {
				continue
			}
			if strings.Contains(line, "gojax.NewArrayBuffer(") {
				n++
				continue
			}
			if filepath.ToSlash(p) == "../../internal/gojax/templates.go" && strings.Contains(line, "vm.NewArrayBuffer(data)") {
				continue
			}
			t.Errorf("%s: %s: use gojax.NewArrayBuffer", p, strings.TrimSpace(line))
		}
	})
	if n < 3 {
		t.Errorf("found only %d gojax.NewArrayBuffer calls: is the walk looking at the module?", n)
	}
}

// %TypedArray%.prototype.toString is Array.prototype.toString, the same
// function (test262 built-ins/TypedArray/prototype/toString), lazy or
// eager, whichever is built first, and stays the guard when a script
// replaces Array.prototype.toString before the typed arrays are built.
func TestTypedArrayToStringIsArrays(t *testing.T) {
	for _, cfg := range []Config{{}, {Eager: true}} {
		for _, c := range []struct{ src, want string }{
			{`Object.getPrototypeOf(Int8Array.prototype).toString === Array.prototype.toString`, "boolean true"},
			{`var f = Array.prototype.toString; Object.getPrototypeOf(Uint8Array.prototype).toString === f`, "boolean true"},
			{`var f = Array.prototype.toString; Array.prototype.toString = () => "x"; Object.getPrototypeOf(Int8Array.prototype).toString === f && new Int8Array(2).toString()`, "string 0,0"},
		} {
			if got := outcome(guardedVM(t, cfg), c.src); got != c.want {
				t.Errorf("eager %v: %s: %s, want %s", cfg.Eager, c.src, got, c.want)
			}
		}
	}
}

// %TypedArray%.prototype.fill in chunks computes what the original does
// (conversions once, in order; ranges; BigInt arrays; errors) and stops
// at a pending interrupt between chunks.
func TestTypedArrayFillChunked(t *testing.T) {
	const pre = `var n = (1 << 20) * 2 + 3, log = []; function o(name, v) { return {valueOf() { log.push(name); return v }} } `
	for _, src := range []string{
		`var a = new Uint8Array(n); a.fill(7); [a[0], a[n - 1], a.reduce((s, x) => s + x, 0)].join()`,
		`var a = new Int16Array(n); a.fill(3, 1 << 20, -(1 << 19)); [a[(1 << 20) - 1], a[1 << 20], a[n - (1 << 19) - 1], a[n - (1 << 19)]].join()`,
		`var a = new Int32Array(n); a.fill(9, NaN, Infinity); [a[0], a[n - 1]].join()`,
		`var a = new BigInt64Array(n); a.fill(-3n, 2); [a[1], a[2], a[n - 1]].join()`,
		`var a = new BigUint64Array(n); a.fill("12"); a[n - 1]`,
		`var a = new BigInt64Array(n), r; try { a.fill(1) } catch (e) { r = e.constructor.name } r`,
		`var a = new Uint8Array(n), r; try { a.fill(1, Symbol()) } catch (e) { r = e.constructor.name } r`,
		`var a = new Uint8Array(n); a.fill(1) === a`,
	} {
		plain, guarded := outcome(goja.New(), pre+src), outcome(guardedVM(t, Config{}), pre+src)
		if plain != guarded {
			t.Errorf("%s\nplain:   %s\nguarded: %s", src, plain, guarded)
		}
	}
	// The specification's order, value then start then end (goja's own
	// fill converts start and end first).
	for _, c := range []struct{ src, want string }{
		{`var a = new Float64Array(n); a.fill(o("v", 1.5), o("s", -5), o("e", undefined)); [a[n - 6], a[n - 5], a[n - 1], log.join()].join()`, "string 0,0,0,v,s,e"},
		{`var a = new Uint8Array(n); a.fill(o("v", 2), o("s", 0), o("e", 5)); [a[4], a[5], log.join()].join()`, "string 2,0,v,s,e"},
		{`var a = new Float32Array(n); a.fill(o("v", 1), o("s", -3)); [a[n - 4], a[n - 3], a[n - 1], log.join()].join()`, "string 0,1,1,v,s"},
	} {
		if got := outcome(guardedVM(t, Config{}), pre+c.src); got != c.want {
			t.Errorf("%s: %s, want %s", c.src, got, c.want)
		}
	}
	vm := guardedVM(t, Config{})
	_ = vm.Set("stop", func(goja.FunctionCall) goja.Value {
		vm.Interrupt("stop")
		return vm.ToValue(7)
	})
	if _, err := vm.RunString(`var a = new Uint8Array(4 << 20); a.fill({valueOf: stop})`); err == nil {
		t.Fatal("the interrupt did not stop the fill")
	}
	vm.ClearInterrupt()
	v, err := vm.RunString(`[a[0], a[a.length - 1]].join()`)
	if err != nil || v.String() != "7,0" {
		t.Errorf("after the interrupt: %v %v, want the first chunk filled and the last not", v, err)
	}
}
