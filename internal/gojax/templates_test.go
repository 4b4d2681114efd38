package gojax

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

func TestTemplateLayout(t *testing.T) {
	if err := TemplateLayout(); err != nil {
		t.Fatalf("goja template layout not recognized: %v", err)
	}
}

// lazyRuntime is a fresh runtime with lazy globals lazyA and lazyB (lazyB
// throws on its first build if failB) and counters of their builds.
func lazyRuntime(t *testing.T, defineFirst, failB bool) (*goja.Runtime, map[string]int) {
	t.Helper()
	r := goja.New()
	if defineFirst {
		// goja copies the template's names into the object here: the lazy
		// names added after must land in that copy.
		if err := r.Set("plain", 1); err != nil {
			t.Fatal(err)
		}
	}
	builds := map[string]int{}
	if !LazyGlobal(r, "lazyA", func() goja.Value { builds["lazyA"]++; return r.ToValue("A") }) {
		t.Fatal("LazyGlobal(lazyA) refused")
	}
	if !LazyGlobal(r, "lazyB", func() goja.Value {
		builds["lazyB"]++
		if failB && builds["lazyB"] == 1 {
			panic(r.NewTypeError("first build fails"))
		}
		return r.ToValue("B")
	}) {
		t.Fatal("LazyGlobal(lazyB) refused")
	}
	return r, builds
}

func TestLazyGlobal(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		builds          int  // builds of lazyA after src
		failB           bool // lazyB's first build throws
	}{
		{"names-without-build", `let n = Object.getOwnPropertyNames(globalThis); [n.includes("lazyA"), n.includes("lazyB"), n.includes("Object"), n.indexOf("lazyA") < n.indexOf("lazyB")].join()`, "true,true,true,true", 0, false},
		{"in-without-build", `["lazyA" in globalThis, globalThis.hasOwnProperty("lazyA"), "nope" in globalThis].join()`, "true,true,false", 0, false},
		{"get", `lazyA + globalThis.lazyA`, "AA", 1, false},
		{"typeof", `typeof lazyA`, "string", 1, false},
		{"descriptor", `let d = Object.getOwnPropertyDescriptor(globalThis, "lazyA"); [d.value, d.writable, d.configurable, d.enumerable, "get" in d].join()`, "A,true,true,false,false", 1, false},
		// Enumerating the values builds every lazy global (as goja does for
		// its own names).
		{"not-enumerable", `let k = []; for (var x in globalThis) k.push(x); [k.includes("lazyA"), Object.keys(globalThis).includes("lazyA")].join()`, "false,false", 1, false},
		{"assign-replaces", `lazyA = 5; [lazyA, Object.getOwnPropertyDescriptor(globalThis, "lazyA").enumerable].join()`, "5,false", 1, false},
		{"delete", `[delete globalThis.lazyA, "lazyA" in globalThis, typeof lazyA, Object.getOwnPropertyNames(globalThis).includes("lazyA")].join()`, "true,false,undefined,false", 1, false},
		{"redefine", `Object.defineProperty(globalThis, "lazyA", {value: 9, enumerable: true}); [lazyA, Object.keys(globalThis).includes("lazyA")].join()`, "9,true", 1, false},
		{"strict-assign", `(function(){ "use strict"; lazyA = 3; return lazyA })()`, "3", 1, false},
		{"build-throws-then-retries", `let e; try { lazyB } catch (x) { e = x.name } [e, lazyB, "lazyB" in globalThis].join()`, "TypeError,B,true", 0, true},
		{"var-redeclare", `var lazyA; typeof lazyA`, "string", 1, false},
	} {
		for _, first := range []bool{false, true} {
			name := tc.name
			if first {
				name += "/names-copied"
			}
			t.Run(name, func(t *testing.T) {
				r, builds := lazyRuntime(t, first, tc.failB)
				v, err := r.RunString(tc.src)
				if err != nil {
					t.Fatalf("%s: %v", tc.src, err)
				}
				if got := v.String(); got != tc.want {
					t.Errorf("%s = %q; want %q", tc.src, got, tc.want)
				}
				if builds["lazyA"] != tc.builds {
					t.Errorf("lazyA built %d times; want %d", builds["lazyA"], tc.builds)
				}
			})
		}
	}
}

func TestLazyGlobalRefuses(t *testing.T) {
	r := goja.New()
	b := func() goja.Value { return goja.Undefined() }
	if err := r.Set("taken", 1); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"taken", "Object", "parseInt", "0", "", "42"} {
		if LazyGlobal(r, name, b) {
			t.Errorf("LazyGlobal(%q) accepted a name that exists or is an index", name)
		}
	}
	if !LazyGlobal(r, "fresh", b) || LazyGlobal(r, "fresh", b) {
		t.Error("LazyGlobal(fresh) twice: want true then false")
	}
	restore := Disable()
	defer restore()
	if LazyGlobal(r, "other", b) {
		t.Error("LazyGlobal accepted while disabled")
	}
	if TemplateLayout() == nil {
		t.Error("TemplateLayout is nil while disabled")
	}
}

// Runtimes with different sets of lazy names share template versions but
// never each other's builders or names.
func TestLazyGlobalRuntimesIndependent(t *testing.T) {
	r1, r2 := goja.New(), goja.New()
	LazyGlobal(r1, "shared", func() goja.Value { return r1.ToValue("one") })
	LazyGlobal(r2, "shared", func() goja.Value { return r2.ToValue("two") })
	LazyGlobal(r1, "onlyOne", func() goja.Value { return r1.ToValue(1) })
	v1, err1 := r1.RunString(`shared + "," + ("onlyOne" in globalThis)`)
	v2, err2 := r2.RunString(`shared + "," + ("onlyOne" in globalThis) + "," + typeof onlyOne`)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if v1.String() != "one,true" || v2.String() != "two,false,undefined" {
		t.Errorf("r1: %s, r2: %s", v1, v2)
	}
	// A plain goja runtime is untouched.
	v, err := goja.New().RunString(`"shared" in globalThis`)
	if err != nil || v.ToBoolean() {
		t.Errorf("a fresh runtime sees a lazy global: %v %v", v, err)
	}
}

// goja's quirk: a top-level var declared before any other global is added
// makes getOwnPropertyNames(globalThis) list only that var. Lazy globals
// added before must not make it worse than it is for goja's own names.
func TestLazyGlobalTopLevelVarQuirk(t *testing.T) {
	plain := goja.New()
	r := goja.New()
	LazyGlobal(r, "lazyQ", func() goja.Value { return r.ToValue(1) })
	src := `var first = 1; Object.getOwnPropertyNames(globalThis).join()`
	pv, err1 := plain.RunString(src)
	lv, err2 := r.RunString(src)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	// Whatever goja lists for its own names, the lazy runtime lists the
	// same (plus lazyQ when goja lists the template names at all).
	p, l := pv.String(), strings.Replace(lv.String(), ",lazyQ", "", 1)
	if p != l {
		t.Errorf("plain runtime lists %q, lazy one %q", pv, lv)
	}
}

// deferredRuntime defers String.prototype.repeat and Array.prototype.join
// to wrappers that tag themselves (the wrapped function gets a "wrapped"
// property), counting wraps; the first wrap of join panics if failJoin.
func deferredRuntime(t *testing.T, failJoin bool) (*goja.Runtime, *int) {
	t.Helper()
	r := goja.New()
	n := 0
	tag := func(v goja.Value) goja.Value {
		n++
		f, ok := goja.AssertFunction(v)
		if !ok {
			t.Errorf("deferred value %v is not a function", v)
			return v
		}
		w := r.ToValue(func(c goja.FunctionCall) goja.Value {
			res, err := f(c.This, c.Arguments...)
			if err != nil {
				panic(err)
			}
			return res
		}).(*goja.Object)
		_ = w.Set("wrapped", true)
		return w
	}
	sp := r.Get("String").ToObject(r).Get("prototype").ToObject(r)
	ap := r.Get("Array").ToObject(r).Get("prototype").ToObject(r)
	if !DeferProperty(r, sp, "repeat", tag) {
		t.Fatal("DeferProperty(String.prototype.repeat) refused")
	}
	failed := false
	if !DeferProperty(r, ap, "join", func(v goja.Value) goja.Value {
		if failJoin && !failed {
			failed = true
			panic(r.NewTypeError("wrap interrupted"))
		}
		return tag(v)
	}) {
		t.Fatal("DeferProperty(Array.prototype.join) refused")
	}
	return r, &n
}

func TestDeferProperty(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		wraps           int
		failJoin        bool
	}{
		{"untouched", `1`, "1", 0, false},
		{"names-do-not-wrap", `String(Object.getOwnPropertyNames(String.prototype).includes("repeat"))`, "true", 0, false},
		{"primitive-route", `"ab".repeat(2) + ("ab".repeat.wrapped === true)`, "ababtrue", 1, false},
		{"descriptor-route", `let d = Object.getOwnPropertyDescriptor(String.prototype, "repeat"); d.value.wrapped + "," + d.writable + "," + d.enumerable + "," + d.configurable`, "true,true,false,true", 1, false},
		{"descriptors-route", `String(Object.getOwnPropertyDescriptors(String.prototype).repeat.value.wrapped)`, "true", 1, false},
		{"delete-route", `delete String.prototype.repeat + "," + typeof "".repeat`, "true,undefined", 1, false},
		{"reflect-route", `String(Reflect.get(String.prototype, "repeat").wrapped)`, "true", 1, false},
		{"array-route", `[1, 2].join("-") + [].join.wrapped`, "1-2true", 1, false},
		{"failed-wrap-retries", `let e; try { [].join } catch (x) { e = x.message } e + "," + [1, 2].join("+") + "," + [].join.wrapped`, "wrap interrupted,1+2,true", 1, true},
		{"define-over", `Object.defineProperty(String.prototype, "repeat", {value: 5}); String("".repeat)`, "5", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, n := deferredRuntime(t, tc.failJoin)
			v, err := r.RunString(tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			if v.String() != tc.want {
				t.Errorf("%s = %q; want %q", tc.src, v, tc.want)
			}
			if *n != tc.wraps {
				t.Errorf("%d wraps; want %d", *n, tc.wraps)
			}
		})
	}
	// A runtime that shares the hooked template version but deferred
	// nothing sees goja's functions.
	r2 := goja.New()
	v, err := r2.RunString(`"x".repeat(2) + String("".repeat.wrapped)`)
	if err != nil || v.String() != "xxundefined" {
		t.Errorf("plain runtime: %v %v", v, err)
	}
}

func TestDeferPropertyRefuses(t *testing.T) {
	r := goja.New()
	w := func(v goja.Value) goja.Value { return v }
	sp := r.Get("String").ToObject(r).Get("prototype").ToObject(r)
	_ = sp.Get("padEnd") // materialised
	plain := r.NewObject()
	_ = plain.Set("f", 1)
	for _, c := range []struct {
		o   *goja.Object
		key string
	}{{sp, "padEnd"}, {sp, "noSuchMethod"}, {plain, "f"}, {r.GlobalObject(), "parseInt"}} {
		if DeferProperty(r, c.o, c.key, w) {
			t.Errorf("DeferProperty(%s) accepted", c.key)
		}
	}
	restore := Disable()
	defer restore()
	if DeferProperty(r, sp, "trim", w) {
		t.Error("DeferProperty accepted while disabled")
	}
}

// HookGlobal replaces goja's global by the hook's value at its first
// touch, by any route; a hook that panics stores nothing and runs again;
// GlobalOriginal reads goja's value without creating the global.
func TestHookGlobal(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"untouched", `1`, "1"},
		{"names-do-not-build", `String(Object.getOwnPropertyNames(globalThis).includes("Int8Array"))`, "true"},
		{"get", `String(Int8Array.hooked)`, "true"},
		{"both-hooks", `Int8Array.hooked + "," + Int8Array.second`, "true,true"},
		{"typeof", `typeof Int8Array + Int8Array.hooked`, "functiontrue"},
		{"descriptor", `let d = Object.getOwnPropertyDescriptor(globalThis, "Int8Array"); d.value.hooked + "," + d.writable + "," + d.enumerable + "," + d.configurable`, "true,true,false,true"},
		{"reflect", `String(Reflect.get(globalThis, "Int8Array").hooked)`, "true"},
		{"with", `with (globalThis) { String(Int8Array.hooked) }`, "true"},
		{"delete", `delete globalThis.Int8Array + "," + typeof Int8Array`, "true,undefined"},
		{"values", `String(Object.values(Object.getOwnPropertyDescriptors(globalThis)).some(d => d.value && d.value.hooked))`, "true"},
		{"failed-hook-retries", `let e; try { Int8Array } catch (x) { e = x.message } e + "," + Int8Array.hooked`, "hook interrupted,true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := goja.New()
			orig := GlobalOriginal(r, "Int8Array")
			if orig == nil {
				t.Fatal("GlobalOriginal: nil")
			}
			fail := tc.name == "failed-hook-retries"
			calls := 0
			if !HookGlobal(r, "Int8Array", func(v goja.Value) goja.Value {
				calls++
				if v != orig {
					t.Errorf("hook got %v, not goja's original", v)
				}
				if fail {
					fail = false
					panic(r.NewGoError(errHookTest))
				}
				w := r.ToValue(func(goja.FunctionCall) goja.Value { return nil }).(*goja.Object)
				_ = w.Set("hooked", true)
				return w
			}) {
				t.Fatal("HookGlobal refused")
			}
			// A second hook applies to the first one's result.
			if !HookGlobal(r, "Int8Array", func(v goja.Value) goja.Value {
				if o, ok := v.(*goja.Object); !ok || o.Get("hooked") == nil {
					t.Errorf("second hook got %v, not the first one's result", v)
				} else {
					_ = o.Set("second", true)
				}
				return v
			}) {
				t.Error("HookGlobal refused a second hook")
			}
			v, err := r.RunString(tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			if v.String() != tc.want {
				t.Errorf("%s = %q; want %q", tc.src, v, tc.want)
			}
			if max := map[bool]int{true: 2, false: 1}[tc.name == "failed-hook-retries"]; calls > max {
				t.Errorf("hook ran %d times", calls)
			}
		})
	}
	r := goja.New()
	_ = r.Get("Uint8Array")
	if HookGlobal(r, "Uint8Array", func(v goja.Value) goja.Value { return v }) || HookGlobal(r, "noSuchGlobal", func(v goja.Value) goja.Value { return v }) {
		t.Error("HookGlobal accepted a created or unknown name")
	}
}

var errHookTest = errString("hook interrupted")

type errString string

func (e errString) Error() string { return string(e) }

// NewArrayBuffer runs the buffer hook first and makes nothing when it
// fails.
func TestBufferHook(t *testing.T) {
	r := goja.New()
	if _, err := NewArrayBuffer(r, nil); err != nil {
		t.Fatalf("no hook: %v", err)
	}
	calls := 0
	if !SetBufferHook(r, func() error {
		calls++
		if calls == 1 {
			return errHookTest
		}
		return nil
	}) {
		t.Fatal("SetBufferHook refused")
	}
	if _, err := NewArrayBuffer(r, []byte{1}); err != errHookTest {
		t.Errorf("failing hook: err %v", err)
	}
	if b, err := NewArrayBuffer(r, []byte{1, 2}); err != nil || len(b.Bytes()) != 2 {
		t.Errorf("second call: %v %v", b.Bytes(), err)
	}
	if calls != 2 {
		t.Errorf("hook ran %d times, want 2", calls)
	}
}

// TemplateValue gives goja's original of a templated property whether or
// not the property exists, whatever a script put there, and runs no
// deferred wrap; it refuses what is not a templated built-in property.
func TestTemplateValue(t *testing.T) {
	r := goja.New()
	fp := r.Get("Function").ToObject(r).Get("prototype").ToObject(r)
	wrapped := 0
	if !DeferProperty(r, fp, "bind", func(v goja.Value) goja.Value { wrapped++; return v }) {
		t.Fatal("DeferProperty refused bind")
	}
	v := TemplateValue(r, fp, "bind")
	f, ok := goja.AssertFunction(v)
	if !ok || wrapped != 0 {
		t.Fatalf("TemplateValue(bind) = %v (wraps run: %d)", v, wrapped)
	}
	// The property is still made by goja, through the deferred wrap.
	if _, err := r.RunString(`Function.prototype.bind`); err != nil || wrapped != 1 {
		t.Errorf("first touch of bind: %v, wraps run %d, want 1", err, wrapped)
	}
	// The value behaves as bind.
	bound, err := f(r.ToValue(func(c goja.FunctionCall) goja.Value { return c.Argument(0) }), goja.Undefined(), r.ToValue(7))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := goja.AssertFunction(bound); b == nil {
		t.Fatalf("bind gave %v", bound)
	} else if res, _ := b(goja.Undefined()); res.ToInteger() != 7 {
		t.Errorf("bound call gave %v", res)
	}
	// A script's replacement does not change it.
	if _, err := r.RunString(`Function.prototype.bind = function () { return "fake" }`); err != nil {
		t.Fatal(err)
	}
	if o, ok := TemplateValue(r, fp, "bind").(*goja.Object); !ok || o.Get("name").String() != "bind" {
		t.Errorf("after replacement: %v", o)
	}
	plain := r.NewObject()
	_ = plain.Set("f", 1)
	op := r.Get("Object").ToObject(r).Get("prototype").ToObject(r)
	for _, c := range []struct {
		o   *goja.Object
		key string
	}{{plain, "f"}, {fp, "noSuchMethod"}, {r.GlobalObject(), "parseInt"}, {op, "__proto__"}} {
		if v := TemplateValue(r, c.o, c.key); v != nil {
			t.Errorf("TemplateValue(%s) = %v, want nil", c.key, v)
		}
	}
	restore := Disable()
	defer restore()
	if TemplateValue(r, fp, "apply") != nil {
		t.Error("TemplateValue answered while disabled")
	}
}

// goja's bug: a top-level var declared first leaves only the var listed;
// SettleGlobalNames keeps every name listed, those LazyGlobal adds after
// it too.
func TestSettleGlobalNames(t *testing.T) {
	const src = `var first = 1; const n = Object.getOwnPropertyNames(globalThis); [n.includes("first"), n.includes("Object"), n.includes("lazyOne"), n.includes("lazyTwo")].join()`
	for _, tc := range []struct {
		name   string
		settle bool
		want   string
	}{{"goja-bug", false, "true,false,false,false"}, {"settled", true, "true,true,true,true"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := goja.New()
			build := func() goja.Value { return r.ToValue(1) }
			if !LazyGlobal(r, "lazyOne", build) {
				t.Fatal("LazyGlobal refused")
			}
			if tc.settle && !SettleGlobalNames(r) {
				t.Fatal("SettleGlobalNames refused")
			}
			if !LazyGlobal(r, "lazyTwo", build) {
				t.Fatal("LazyGlobal refused")
			}
			v, err := r.RunString(src)
			if err != nil || v.String() != tc.want {
				t.Errorf("%v %v, want %s", v, err, tc.want)
			}
		})
	}
}
