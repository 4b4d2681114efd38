package guard

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// trackWrappers records every guard wrapper made from now on, per runtime,
// until the test ends.
func trackWrappers(t *testing.T) map[*goja.Runtime]map[*goja.Object]bool {
	t.Helper()
	made := map[*goja.Runtime]map[*goja.Object]bool{}
	wrapperMade = func(vm *goja.Runtime, w *goja.Object) {
		if made[vm] == nil {
			made[vm] = map[*goja.Object]bool{}
		}
		made[vm][w] = true
	}
	t.Cleanup(func() { wrapperMade = nil })
	return made
}

// walkSrc lists, breadth first from globalThis, the primitive prototypes
// and the objects literals make, every function reachable through own
// properties (data values, getters and setters, string and symbol keys)
// and [[Prototype]], each once, at the first path that reaches it, with
// its name, its length and whether isGuard says it is a guard wrapper. It
// reads descriptors only: no getter runs.
const walkSrc = `(function (isGuard) {
	const roots = [
		["globalThis", globalThis], ["''", ""], ["0", 0], ["true", true], ["1n", 1n], ["Symbol()", Symbol("s")],
		["/x/g", /x/g], ["[]", []], ["{}", {}], ["function", function () {}], ["arrow", () => {}],
		["async", async function () {}], ["generator", function* () {}],
		["class", class {}], ["Uint8Array", new Uint8Array(1)], ["buffer", new Uint8Array(1).buffer],
		["Float64Array", new Float64Array(1)], ["DataView", new DataView(new ArrayBuffer(1))],
		["arrayIterator", [].values()], ["mapIterator", new Map().entries()], ["setIterator", new Set().values()],
		["stringIterator", ""[Symbol.iterator]()], ["regexpIterator", /x/[Symbol.matchAll]("x")],
		["generatorObject", (function* () {})()],
		["promise", Promise.resolve(1)], ["asyncResult", (async () => 1)()], ["error", new TypeError("t")],
		["arguments", (function () { return arguments })(1)], ["date", new Date(0)],
		["weakMap", new WeakMap()], ["proxyTarget", Proxy],
	];
	const seen = new Map();
	const out = [];
	const queue = [];
	const visit = (path, v) => {
		if ((typeof v !== "object" && typeof v !== "function") || v === null || seen.has(v)) return;
		seen.set(v, path);
		if (typeof v === "function") {
			const n = Object.getOwnPropertyDescriptor(v, "name"), l = Object.getOwnPropertyDescriptor(v, "length");
			out.push(path + " " + (isGuard(v) ? "guard" : "original") + " " + String(n && n.value) + "/" + String(l && l.value));
		}
		queue.push([path, v]);
	};
	for (const [p, v] of roots) {
		visit(p, v);
		if (typeof v !== "object" && typeof v !== "function") visit(p + ".__proto__", Object.getPrototypeOf(v));
	}
	while (queue.length) {
		const [path, o] = queue.shift();
		visit(path + ".__proto__", Object.getPrototypeOf(o));
		for (const k of Reflect.ownKeys(o)) {
			const d = Object.getOwnPropertyDescriptor(o, k);
			const p = path + "." + String(k);
			if ("value" in d) visit(p, d.value);
			else { visit(p + "<get>", d.get); visit(p + "<set>", d.set); }
		}
	}
	return out.join("\n");
})`

func walk(t *testing.T, vm *goja.Runtime, made map[*goja.Runtime]map[*goja.Object]bool) []string {
	t.Helper()
	f, err := vm.RunString(walkSrc)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(f)
	isGuard := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		o, _ := c.Argument(0).(*goja.Object)
		return vm.ToValue(o != nil && made[vm][o])
	})
	v, err := fn(goja.Undefined(), isGuard)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(v.String(), "\n") {
		if !strings.Contains(l, "isGuard") {
			lines = append(lines, l)
		}
	}
	return lines
}

// The differential test: a VM whose guards are made lazily and one whose
// guards are all made at boot show the same guard-or-original, name and
// length at every path a script can reach, once the walk has touched
// everything.
func TestLazyGuardsDifferential(t *testing.T) {
	if err := gojax.TemplateLayout(); err != nil {
		t.Fatalf("template layout unavailable, the lazy path is off: %v", err)
	}
	made := trackWrappers(t)
	eager, lazy := guardedVM(t, Config{Eager: true}), guardedVM(t, Config{})
	bootEager, bootLazy := len(made[eager]), len(made[lazy])
	if bootLazy >= bootEager {
		t.Errorf("lazy boot made %d wrappers, eager %d: nothing was deferred", bootLazy, bootEager)
	}
	we, wl := walk(t, eager, made), walk(t, lazy, made)
	if len(we) < 400 {
		t.Fatalf("the walk reached only %d functions", len(we))
	}
	guards := 0
	for i := 0; i < len(we) || i < len(wl); i++ {
		var e, l string
		if i < len(we) {
			e = we[i]
		}
		if i < len(wl) {
			l = wl[i]
		}
		if e != l {
			t.Errorf("path %d differs:\n  eager: %s\n  lazy:  %s", i, e, l)
			if i > 20 {
				break
			}
		}
		if strings.Contains(e, " guard ") {
			guards++
		}
	}
	if guards < 80 {
		t.Errorf("the walk found only %d guards", guards)
	}
	if len(made[lazy]) != len(made[eager]) {
		t.Errorf("after the walk: lazy VM made %d wrappers, eager %d", len(made[lazy]), len(made[eager]))
	}
	t.Logf("%d functions, %d guards; wrappers made at boot: eager %d, lazy %d", len(we), guards, bootEager, bootLazy)
}

// Each guarded method reached first by an indirect route, in a fresh lazy
// VM, is the guard; so is every method the same route then reaches.
func TestLazyGuardsRoutes(t *testing.T) {
	made := trackWrappers(t)
	for _, tc := range []struct{ name, src string }{
		{"primitive", `"x".repeat`},
		{"string-object", `new String("x").padEnd`},
		{"descriptor", `Object.getOwnPropertyDescriptor(String.prototype, "repeat").value`},
		{"all-descriptors", `Object.getOwnPropertyDescriptors(String.prototype).concat.value`},
		{"reflect-get", `Reflect.get(Array.prototype, "join")`},
		{"tampered-reflect", `Reflect.get = () => 1; Reflect.getOwnPropertyDescriptor = () => undefined; Object.getOwnPropertyDescriptor = () => undefined; [].join`},
		{"names-first", `Object.getOwnPropertyNames(globalThis); Object.getOwnPropertyNames(String.prototype); "".repeat`},
		{"symbols-first", `Object.getOwnPropertySymbols(String.prototype); Reflect.ownKeys(Array.prototype); [].fill`},
		{"with", `with (String.prototype) { padStart }`},
		{"destructuring", `const { split } = String.prototype; split`},
		{"super", `class S extends String { f() { return super.normalize } } new S("x").f()`},
		{"array-literal", `[].concat`},
		{"arguments", `(function () { return Array.prototype.slice })()`},
		{"arrow-literal", `(() => 1).apply`},
		{"async-literal", `(async () => 1).bind`},
		{"generator-literal", `(function* () {}).apply`},
		{"regex-literal", `/x/.constructor.prototype.compile`},
		{"constructor-route", `({}).constructor.keys`},
		{"typed-array", `new Uint8Array(1).join`},
		{"typed-array-tostring-array-replaced", `globalThis.Array = {prototype: {}}; new Uint8Array(1).toString`},
		{"typed-array-proto", `Object.getPrototypeOf(Int8Array.prototype).set`},
		{"object-entries", `Object.entries`},
		{"function-proto", `Function.prototype.bind`},
		// The Map and Set iterators' next, guarded when goja first makes
		// the global, by any route.
		{"map-iterator", `new Map().entries().next`},
		{"set-iterator", `new Set([1]).values().next`},
		{"map-deleted-first", `const M = Object.getOwnPropertyDescriptor(globalThis, "Map").value; delete globalThis.Map; new M().keys().next`},
		{"set-redefined-first", `const d = Object.getOwnPropertyDescriptors(globalThis).Set; Object.defineProperty(globalThis, "Set", {value: 1}); new d.value()[Symbol.iterator]().next`},
		{"map-typeof", `typeof Map; Object.getPrototypeOf(new Map().values()).next`},
		{"set-enumeration", `Object.values(Object.getOwnPropertyDescriptors(globalThis)); new Set().entries().next`},
		// String and regexp string iterators: guarded by the first one
		// their only maker makes, by any route to that maker.
		{"string-iterator", `Object.getPrototypeOf(""[Symbol.iterator]()).next`},
		{"string-iterator-spread-first", `[..."ab"]; for (const c of "cd") {} Object.getPrototypeOf("x"[Symbol.iterator]()).next`},
		{"string-iterator-call", `Object.getPrototypeOf(String.prototype[Symbol.iterator].call(7)).next`},
		{"string-iterator-descriptor", `Object.getPrototypeOf(Object.getOwnPropertyDescriptor(String.prototype, Symbol.iterator).value.call("")).next`},
		{"string-iterator-destructuring", `const [a, ...rest] = "abc"; Object.getPrototypeOf(new String("q")[Symbol.iterator]()).next`},
		{"regexp-iterator-string", `Object.getPrototypeOf("ab".matchAll(/a/g)).next`},
		{"regexp-iterator-string-pattern", `Object.getPrototypeOf("ab".matchAll("a")).next`},
		{"regexp-iterator-call", `Object.getPrototypeOf(RegExp.prototype[Symbol.matchAll].call(/a/g, "a")).next`},
		{"regexp-iterator-reflect", `Object.getPrototypeOf(Reflect.apply(RegExp.prototype[Symbol.matchAll], /a/, ["a"])).next`},
		{"regexp-iterator-subclass", `class R extends RegExp {} Object.getPrototypeOf(new R("a", "g")[Symbol.matchAll]("aa")).next`},
		// Functions of the global object itself: hooked on goja's global
		// template, by any route.
		{"global-fn", `encodeURIComponent`},
		{"global-fn-this", `globalThis.escape`},
		{"global-fn-descriptor", `Object.getOwnPropertyDescriptor(globalThis, "encodeURI").value`},
		{"global-fn-enumeration", `Object.values(Object.getOwnPropertyDescriptors(globalThis)); encodeURI`},
		{"global-fn-with", `with (globalThis) { escape }`},
		{"global-fn-reflect", `Reflect.get(globalThis, "eval")`},
		{"global-fn-deleted", `const e = Object.getOwnPropertyDescriptor(globalThis, "eval").value; delete globalThis.eval; e`},
		{"global-fn-typeof", `typeof encodeURIComponent; globalThis.encodeURIComponent`},
		// The globals only the global object reaches: their guards are
		// made when goja makes the global, by any route (globals.go).
		{"json", `JSON.parse`},
		{"json-stringify-with", `with (globalThis) { JSON.stringify }`},
		{"json-deleted-first", `const J = Object.getOwnPropertyDescriptor(globalThis, "JSON").value; delete globalThis.JSON; J.stringify`},
		{"reflect", `Reflect.apply`},
		{"reflect-descriptor", `Object.getOwnPropertyDescriptor(globalThis, "Reflect").value.ownKeys`},
		{"reflect-enumeration", `Object.values(Object.getOwnPropertyDescriptors(globalThis)); Reflect.construct`},
		{"reflect-redefined-first", `const d = Object.getOwnPropertyDescriptors(globalThis).Reflect; Object.defineProperty(globalThis, "Reflect", {value: 1}); d.value.setPrototypeOf`},
		{"date", `new Date(0).toJSON`},
		{"date-proto", `Date.prototype.toJSON`},
		{"proxy", `Proxy`},
		{"proxy-revocable", `Proxy.revocable`},
		{"proxy-descriptor", `Object.getOwnPropertyDescriptor(globalThis, "Proxy").value`},
		{"proxy-typeof", `typeof Proxy; globalThis.Proxy`},
		// First use one frame short of the call-stack limit: making a
		// wrapper runs no JS, so it needs no frame.
		{"deep-recursion", `function deep(n) { return n > 0 ? deep(n - 1) : "".repeat } deep(1995)`},
		{"deep-recursion-array", `function deeper(n) { return n > 0 ? deeper(n - 1) : Reflect.get(Array.prototype, "splice") } deeper(1995)`},
		{"deep-recursion-json", `function deep(n) { return n > 0 ? deep(n - 1) : JSON.parse } deep(1995)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm := guardedVM(t, Config{})
			vm.SetMaxCallStackSize(2000)
			v, err := vm.RunString(tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			o, _ := v.(*goja.Object)
			if o == nil || !made[vm][o] {
				t.Errorf("%s is not a guard wrapper: %v", tc.src, v)
			}
		})
	}
	// And the guards work when reached that way. A constructor guard is
	// in place at boot: its prototype's constructor is reachable from
	// objects goja makes without the global.
	expectRangeErrors(t, guardedVM(t, Config{}), []string{`new (new Uint8Array(1).buffer.constructor)(2**40)`})
	expectRangeErrors(t, guardedVM(t, Config{}), []string{`new (new Float64Array(1).constructor)(2**40)`})
	vm := guardedVM(t, Config{MaxAllocBytes: 1 << 20})
	expectRangeErrors(t, vm, []string{
		`const { repeat } = String.prototype; repeat.call("x", 2**30)`,
		`Object.getOwnPropertyDescriptor(String.prototype, "padEnd").value.call("x", 2**30)`,
		`with (Array.prototype) { join.call({length: 2**40}) }`,
	})
}

// The Proxy and bind guards are made by JS (depthKit): a first touch at
// the call-stack limit ends the script with goja's stack overflow, as any
// call there does, and leaves nothing behind: the next touch is the guard.
func TestLazyKitAtStackLimit(t *testing.T) {
	made := trackWrappers(t)
	for _, name := range []string{"Proxy", "Function.prototype.bind"} {
		overflowed, reached := false, false
		for depth := 1980; depth < 2000; depth++ {
			vm := guardedVM(t, Config{})
			vm.SetMaxCallStackSize(2000)
			v, err := vm.RunString(fmt.Sprintf(`function deep(n) { return n > 0 ? deep(n - 1) : %s } deep(%d)`, name, depth))
			var so *goja.StackOverflowError
			if errors.As(err, &so) {
				overflowed = true
				v, err = vm.RunString(name)
			} else {
				reached = true
			}
			if o, _ := v.(*goja.Object); err != nil || o == nil || !made[vm][o] {
				t.Fatalf("%s at depth %d (overflowed first: %v): %v %v, want the guard", name, depth, overflowed, v, err)
			}
		}
		if !overflowed || !reached {
			t.Errorf("%s: overflowed %v, reached %v: the depths did not straddle the limit", name, overflowed, reached)
		}
	}
}

// A wrapper that fails to be made (a stack overflow or an interrupt in
// the middle) leaves nothing behind: the next touch makes it, and the
// original is never returned.
func TestLazyGuardsFailureAtomic(t *testing.T) {
	made := trackWrappers(t)
	vm := guardedVM(t, Config{})
	fail := true
	wrapFault = func() bool { f := fail; fail = false; return f }
	defer func() { wrapFault = nil }()
	v, err := vm.RunString(`let first; try { first = "x".repeat } catch (e) { first = "threw" } first`)
	if err != nil || v.String() != "threw" {
		t.Fatalf("first touch: %v %v, want it to throw", v, err)
	}
	v, err = vm.RunString(`"x".repeat`)
	if o, _ := v.(*goja.Object); err != nil || o == nil || !made[vm][o] {
		t.Errorf("second touch: %v %v, want the guard", v, err)
	}
	// An interrupt pending at the touch stops the script before or after
	// it, never inside: the method is the guard afterwards.
	vm.Interrupt("stop")
	if _, err := vm.RunString(`"x".padStart`); err == nil {
		t.Error("interrupt did not stop the script")
	}
	vm.ClearInterrupt()
	v, err = vm.RunString(`"x".padStart`)
	if o, _ := v.(*goja.Object); err != nil || o == nil || !made[vm][o] {
		t.Errorf("after the interrupt: %v %v, want the guard", v, err)
	}
}

// With goja's layout unrecognized (gojax disabled), Install wraps
// everything at boot, as Config.Eager does.
func TestLazyGuardsFallback(t *testing.T) {
	made := trackWrappers(t)
	eager := guardedVM(t, Config{Eager: true})
	restore := gojax.Disable()
	fallback := guardedVM(t, Config{})
	restore()
	if len(made[fallback]) != len(made[eager]) {
		t.Errorf("fallback made %d wrappers at boot, eager %d", len(made[fallback]), len(made[eager]))
	}
	if we, wf := walk(t, eager, made), walk(t, fallback, made); strings.Join(we, "\n") != strings.Join(wf, "\n") {
		t.Error("the fallback VM's walk differs from the eager one's")
	}
}

// Function and BigInt are wrapped when goja first makes the global or
// their prototype's constructor, the only routes to them: each route,
// first, reaches the guard, the routes agree with each other, and the
// guard works (TestLazyGuardsDifferential compares the whole graph).
func TestLazyCtorRoutes(t *testing.T) {
	made := trackWrappers(t)
	for _, tc := range []struct{ name, src, same string }{
		{"function-global", `Function`, `(function () {}).constructor`},
		{"function-literal", `(function () {}).constructor`, `Function`},
		{"function-arrow", `(() => 1).constructor`, `Function.prototype.constructor`},
		{"function-class", `(class {}).constructor`, `Function`},
		{"function-native", `Math.max.constructor`, `Function`},
		{"function-proto-descriptor", `Object.getOwnPropertyDescriptor(Function.prototype, "constructor").value`, `Function`},
		{"function-proto-enumeration", `Object.values(Object.getOwnPropertyDescriptors(Function.prototype)).find(d => d.value && d.value.name === "Function").value`, `Function`},
		{"function-global-descriptor", `Object.getOwnPropertyDescriptor(globalThis, "Function").value`, `(() => 1).constructor`},
		{"function-global-deleted", `const F = Object.getOwnPropertyDescriptor(globalThis, "Function").value; delete globalThis.Function; F`, `(async () => 1).constructor.__proto__.constructor`},
		{"function-with", `with (globalThis) { Function }`, `Function.prototype.constructor`},
		{"function-reflect", `Reflect.get(Function.prototype, "constructor")`, `Function`},
		{"function-proto-deleted", `const c = Function.prototype.constructor; delete Function.prototype.constructor; c`, `Function`},
		{"bigint-global", `BigInt`, `(1n).constructor`},
		{"bigint-literal", `(1n).constructor`, `BigInt`},
		{"bigint-object", `Object(1n).constructor`, `BigInt`},
		{"bigint-typed-array", `new BigInt64Array(1)[0].constructor`, `BigInt`},
		{"bigint-dataview", `new DataView(new ArrayBuffer(8)).getBigUint64(0).constructor`, `BigInt`},
		{"bigint-proto-descriptor", `Object.getOwnPropertyDescriptor(Object.getPrototypeOf(0n), "constructor").value`, `BigInt`},
		{"bigint-global-descriptor", `Object.getOwnPropertyDescriptors(globalThis).BigInt.value`, `(2n).constructor`},
		{"bigint-global-redefined", `const d = Object.getOwnPropertyDescriptors(globalThis).BigInt; Object.defineProperty(globalThis, "BigInt", {value: 1}); d.value`, `(3n).constructor`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm := guardedVM(t, Config{})
			v, err := vm.RunString(tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			o, _ := v.(*goja.Object)
			if o == nil || !made[vm][o] {
				t.Fatalf("%s is not a guard wrapper: %v", tc.src, v)
			}
			if w, err := vm.RunString(tc.same); err != nil || !w.SameAs(o) {
				t.Errorf("%s is not %s: %v %v", tc.same, tc.src, w, err)
			}
		})
	}
	// The guards, reached first by a route that bypasses the global.
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`
		const out = [];
		try { (() => 1).constructor("(".repeat(100000) + ")".repeat(100000)); out.push("no error") } catch (e) { out.push(e.name) }
		try { (1n).constructor("1".repeat(2000000)); out.push("no error") } catch (e) { out.push(e.name) }
		try { new BigInt64Array(1)[0].constructor.asUintN(2**40, -1n); out.push("no error") } catch (e) { out.push(e.name) }
		out.push(String((() => 1).constructor("a", "return a * 2")(21)), String((5n).constructor("7")));
		out.join()`)
	if err != nil || v.String() != "SyntaxError,RangeError,RangeError,42,7" {
		t.Errorf("guards reached by the prototypes: %v %v", v, err)
	}
	// A wrapper that fails to be made is made at the next touch.
	vm = guardedVM(t, Config{})
	fail := true
	wrapFault = func() bool { f := fail; fail = false; return f }
	defer func() { wrapFault = nil }()
	v, err = vm.RunString(`let first; try { first = (0n).constructor } catch (e) { first = "threw" } String(first === "threw")`)
	if err != nil || v.String() != "true" {
		t.Fatalf("first touch: %v %v, want it to throw", v, err)
	}
	v, err = vm.RunString(`BigInt`)
	if o, _ := v.(*goja.Object); err != nil || o == nil || !made[vm][o] {
		t.Errorf("second touch: %v %v, want the guard", v, err)
	}
}

// trimLeft and trimRight are trimStart and trimEnd, guarded, whichever
// name is made first and whatever a script did to the other name.
func TestLazyTrimAliases(t *testing.T) {
	made := trackWrappers(t)
	for _, tc := range []struct{ name, src string }{
		{"alias-first", `const l = String.prototype.trimLeft; [l, String.prototype.trimStart]`},
		{"name-first", `const s = "".trimEnd; [String.prototype.trimRight, s]`},
		{"name-replaced", `const s = String.prototype.trimStart; String.prototype.trimStart = () => 1; [String.prototype.trimLeft, s]`},
		{"name-deleted", `const s = "".trimEnd; delete String.prototype.trimEnd; ["".trimRight, s]`},
		{"name-defined", `const s = Object.getOwnPropertyDescriptor(String.prototype, "trimStart").value; Object.defineProperty(String.prototype, "trimStart", {value: 2}); ["".trimLeft, s]`},
		{"enumeration", `const d = Object.getOwnPropertyDescriptors(String.prototype); [d.trimRight.value, d.trimEnd.value]`},
		{"alias-descriptor", `[Object.getOwnPropertyDescriptor(String.prototype, "trimLeft").value, "".trimStart]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm := guardedVM(t, Config{})
			v, err := vm.RunString(tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			pair := v.(*goja.Object)
			a, b := pair.Get("0").(*goja.Object), pair.Get("1").(*goja.Object)
			if a == nil || b == nil || a != b || !made[vm][a] {
				t.Errorf("%s: %v and %v, want the same guard", tc.src, pair.Get("0"), pair.Get("1"))
			}
		})
	}
	// A getter the script put on the name before goja made it never runs
	// when the alias is made (found by review: the alias read the name
	// with a get, so the script's getter ran, or threw, inside goja's
	// template factory).
	for _, tc := range []struct{ src, want string }{
		{`var calls = 0; Object.defineProperty(String.prototype, "trimStart", {get() { calls++; return 1 }, configurable: true}); typeof String.prototype.trimLeft + calls`, "function0"},
		{`Object.defineProperty(String.prototype, "trimEnd", {get() { throw new Error("boom") }, configurable: true}); try { typeof Object.keys(String.prototype).length } catch (e) { "threw " + e.message }`, "number"},
		{`Object.defineProperty(String.prototype, "trimEnd", {get() { throw new Error("boom") }, configurable: true}); try { typeof " x".trimRight } catch (e) { "threw " + e.message }`, "function"},
	} {
		vm := guardedVM(t, Config{})
		v, err := vm.RunString(tc.src)
		if err != nil || v.String() != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.src, v, err, tc.want)
		}
	}
}

// What the lazy path makes after Install (constructor wrappers, the JSON
// guards, the split helper, the typed-array guards) takes goja's
// intrinsics as Install read them, never the globals a script has replaced
// by then: each use below runs first after the tampering, and neither
// calls the script's functions nor behaves differently.
func TestLazyInstallsIgnoreTampering(t *testing.T) {
	const tamper = `
		const log = [], S = new String("b"), N = new Number(1);
		Array.isArray = () => { log.push("Array.isArray"); return false; };
		Object.getPrototypeOf = () => { log.push("Object.getPrototypeOf"); return null; };
		Object.getOwnPropertyDescriptor = () => { log.push("Object.getOwnPropertyDescriptor"); };
		globalThis.String = function () { log.push("String"); }; String.prototype = {};
		globalThis.Array = function () { log.push("Array"); }; Array.prototype = {};
		globalThis.Object = function () { log.push("Object"); };
	`
	for _, tc := range []struct{ name, src, want string }{
		{"stringify", `JSON.stringify([1, [2, {a: [3]}]])`, `[1,[2,{"a":[3]}]]`},
		{"stringify-replacer-list", `JSON.stringify({a: 1, b: [2]}, ["a"]) + JSON.stringify([{a: 1, b: 2}], ["b"], 1)`, "{\"a\":1}[\n {\n  \"b\": 2\n }\n]"},
		{"stringify-wrapper-keys", `JSON.stringify({a: 0, b: 2, 1: 3}, [S, N])`, `{"b":2,"1":3}`},
		{"parse-reviver", `JSON.stringify(JSON.parse("[1,[2]]", (k, v) => v))`, `[1,[2]]`},
		{"split-regexp", `"a1b2c".split(/\d/).join("|")`, `a|b|c`},
		{"typed-array-ctor", `new Float64Array(2).length + new Uint8Array([1, 2, 3]).length`, `5`},
		{"typed-array-tostring", `new Uint8Array([1, 2]).toString()`, `1,2`},
		{"bigint-ctor", `BigInt(7) + (1n).constructor("8")`, `15`},
		{"function-ctor", `new Function("a", "return a + 1")(1) + (() => 0).constructor("return 2")()`, `4`},
		{"regexp-ctor", `new RegExp("a+", "g").test("caab")`, `true`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm, _ := unpreparedVM(t, Config{})
			v, err := vm.RunString(tamper + `const r = "" + (` + tc.src + `); log.length ? "called " + log.join() : r`)
			if err != nil || v.String() != tc.want {
				t.Errorf("%s after tampering: %v %v, want %s", tc.src, v, err, tc.want)
			}
		})
	}
	// The async and generator families, prepared after the tampering.
	for _, src := range []string{`(async () => 1).constructor`, `(function* () {}).constructor`} {
		made := trackWrappers(t)
		vm, gs := unpreparedVM(t, Config{})
		if _, err := vm.RunString(tamper); err != nil {
			t.Fatal(err)
		}
		p, err := Compile("t.js", src, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := gs.Prepare(p); err != nil {
			t.Fatalf("Prepare after tampering: %v", err)
		}
		v, err := vm.RunProgram(p)
		if o, _ := v.(*goja.Object); err != nil || o == nil || !made[vm][o] {
			t.Errorf("%s after tampering: %v %v, want the guard", src, v, err)
		}
	}
}
