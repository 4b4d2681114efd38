package guard

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Each case recurses from built-in to built-in with no JS frame in between
// (or inside one built-in call), which would overflow Go's stack and end
// the process. The guards must turn each into a catchable RangeError,
// quickly. The cases are run in a plain goja.New() runtime, with no
// SetMaxCallStackSize: the guards alone must bound them.
var nativeRecursionCases = []string{
	// toString / valueOf taken from another built-in.
	`const e = new Error(); e.name = e; String(e)`,
	`const e = new Error(); e.message = e; '' + e`,
	`const e = new TypeError(); e.name = e; e.toString()`,
	`const o = {}; o.toString = Object.prototype.toLocaleString; String(o)`,
	`const o = {}; Object.defineProperty(o, Symbol.toStringTag, {get: Object.prototype.toString}); String(o)`,
	`const d = {}; d.toISOString = Date.prototype.toJSON; d.toJSON = Date.prototype.toJSON; d.toJSON()`,
	`JSON.stringify({toJSON: Date.prototype.toJSON, toISOString: Date.prototype.toJSON})`,
	`const o = {flags: ''}; o.source = o; o.toString = RegExp.prototype.toString; String(o)`,
	`const r = /x/; Object.defineProperty(r, 'source', {value: r}); r.toString = RegExp.prototype.toString; String(r)`,
	`const o = {}; Object.defineProperty(o, 'global', {get: Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get}); o.global`,
	`const o = {}; o.exec = RegExp.prototype[Symbol.match]; RegExp.prototype[Symbol.match].call(o, 'x')`,
	`const o = {}; o.exec = RegExp.prototype[Symbol.search]; RegExp.prototype[Symbol.search].call(o, 'x')`,
	`const o = {}; o.toString = String.prototype.trim; String(o)`,
	`const o = {}; o.toString = String.prototype.trimLeft; String(o)`,
	`const o = {}; o.toString = String.prototype[Symbol.iterator]; String(o)`,
	`const o = {}; o.toString = String.prototype.at; o.valueOf = String.prototype.indexOf; o + 1`,
	`const o = {}; o[Symbol.toPrimitive] = String.prototype.slice; '' + o`,
	`const o = {}; Object.defineProperty(o, 'x', {get: String.prototype.toUpperCase}); o.toString = function () { return this.x }; o.toString = String.prototype.toLowerCase; String(o)`,
	`const o = {}; o.join = Array.prototype.toString; Array.prototype.toString.call(o)`,
	`const o = {length: 1}; o.valueOf = Array.prototype.pop; o.length = o; +o`,
	`const o = {}; o.then = Promise.prototype.finally; o.then()`,
	`const o = {}; o.then = Promise.prototype.catch; o.then()`,
	`const p = new Proxy(function () {}, {get: Reflect.apply}); p.x`,
	`const o = {}; o.valueOf = Math.abs.bind(null, o); +o`,
	`const o = {}; o.toString = String.bind(null, o); String(o)`,
	`const o = {}; o.toString = parseInt.bind(null, o); String(o)`,
	// One built-in call, recursing inside.
	`const a = []; a[0] = a; a.flat(Infinity)`,
	`const a = []; a.push(a, a); a.flat(Infinity)`,
	`let a = []; for (let i = 0; i < 2e5; i++) a = [a]; a.flat(Infinity)`,
	`JSON.parse('{"a":1,"b":2}', function (k, v) { if (k === 'a') this.b = this; return v })`,
	`JSON.parse('[1,2]', function (k, v) { if (k === '0') this[1] = [this]; return v })`,
}

// Prototype cycles through a proxy are refused when made, as
// [[SetPrototypeOf]] refuses an ordinary cycle: a TypeError (false from
// Reflect.setPrototypeOf), which test262 expects where the proxy has no
// trap (Proxy/setPrototypeOf/trap-is-null-target-is-proxy.js).
var protoCycleCases = []string{
	`const t = {}; const p = new Proxy(t, {}); Object.setPrototypeOf(t, p); p.x`,
	`const t = {}; const p = new Proxy(t, {}); Reflect.setPrototypeOf(t, p) || (() => { throw new TypeError('refused') })(); p.x`,
	`const t = {}; const p = new Proxy(t, {}); t.__proto__ = p; p.x`,
	`const h = {}; const p = new Proxy({}, h); Object.setPrototypeOf(h, p); p.x`,
	`const t1 = {}, t2 = {}; const p1 = new Proxy(t1, {}), p2 = new Proxy(t2, {}); Object.setPrototypeOf(t1, p2); Object.setPrototypeOf(t2, p1); p1.x`,
	`const t = {}; const p = new Proxy(t, {get: Reflect.get}); Object.setPrototypeOf(t, p); p.x`,
	`const t = {}; const p = Proxy.revocable(t, {}).proxy; const o = Object.create(p); Object.setPrototypeOf(t, o); p.x`,
}

func TestProtoCyclesThroughProxiesRefused(t *testing.T) {
	for _, src := range protoCycleCases {
		_, err := guardedVM(t, Config{}).RunString(src)
		var ex *goja.Exception
		if !errors.As(err, &ex) || !strings.HasPrefix(ex.Value().String(), "TypeError") {
			t.Errorf("%s: got %v, want a TypeError", src, err)
		}
	}
}

func TestNativeRecursionThrows(t *testing.T) {
	vm := guardedVM(t, Config{})
	expectRangeErrors(t, vm, nativeRecursionCases)
	// The counter is back at zero after each breach.
	if v, err := vm.RunString(`const o = {}; o.toString = String.prototype.trim; [1, 2].map(String).join() + 'x'.trim()`); err != nil || v.String() != "1,2x" {
		t.Errorf("after the breaches: %v, %v", v, err)
	}
}

// The originals behind the constructor wrappers are out of reach: what
// Object.getPrototypeOf gives is not a constructor that skips the checks.
func TestWrappedConstructorsHideOriginals(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, src := range []string{
		`new (Object.getPrototypeOf(RegExp))('('.repeat(1e6) + ')'.repeat(1e6) + '\\1')`,
		`new (Object.getPrototypeOf(Function))('return ' + '('.repeat(1e6) + ')'.repeat(1e6))`,
		`new (Object.getPrototypeOf(Float64Array))(2 ** 40)`,
		`new (Object.getPrototypeOf(ArrayBuffer))(2 ** 40)`,
		`new (Object.getPrototypeOf((async function () {}).constructor))('return ' + '('.repeat(1e6) + ')'.repeat(1e6))`,
	} {
		v, err := vm.RunString(`(function(){ try { ` + src + `; return "no error" } catch (e) { return e.name } })()`)
		if err != nil || (v.String() != "TypeError" && v.String() != "SyntaxError" && v.String() != "RangeError") {
			t.Errorf("%s: %v, %v", src, v, err)
		}
	}
}

// MaxDepth bounds the native levels too: a lower cap throws sooner, and
// a recursion shallower than the cap works.
func TestNativeRecursionFollowsMaxDepth(t *testing.T) {
	vm := guardedVM(t, Config{MaxDepth: 50})
	v, err := vm.RunString(`
		let n = 0;
		const o = {get x() { n++; return 1 }};
		try { const e = new Error(); e.name = e; String(e); } catch (e) { n = e instanceof RangeError ? -1 : 0 }
		let a = [1]; for (let i = 0; i < 20; i++) a = [a];
		let b = [1]; for (let i = 0; i < 100; i++) b = [b];
		let deep; try { b.flat(Infinity) } catch (e) { deep = e.name }
		[n, a.flat(Infinity).length, deep].join()`)
	if err != nil || v.String() != "-1,1,RangeError" {
		t.Fatalf("got %v, %v", v, err)
	}
}

// The rebuilt and counted built-ins behave as goja's originals.
func TestRecursionGuardsKeepSemantics(t *testing.T) {
	exprs := []string{
		`JSON.stringify([[1, [2, [3, [4]]]], 5].flat()) + JSON.stringify([[1, [2, [3, [4]]]]].flat(2)) + JSON.stringify([[1, [2, [3]]]].flat(Infinity))`,
		`JSON.stringify([1, , 3, [4, , 6]].flat()) + JSON.stringify([[1]].flat(-1)) + JSON.stringify([[1]].flat('1')) + JSON.stringify([[[1]]].flat(NaN))`,
		`JSON.stringify([1, 2].flatMap(function (x, i, a) { return [x, i, a.length, this.k] }, {k: 'k'})) + JSON.stringify([[1], [[2]]].flatMap(x => x))`,
		`JSON.stringify(Array.prototype.flat.call({length: 2, 0: [1], 1: 2})) + JSON.stringify(Array.prototype.flat.call('ab'))`,
		`class A extends Array {}; const a = A.from([[1], [2]]).flat(); (a instanceof A) + ':' + a.length`,
		`(function () { try { [].flatMap(1) } catch (e) { return e.name } })() + (function () { try { Array.prototype.flat.call(null) } catch (e) { return e.name } })()`,
		`(function () { const a = [[1]]; a.constructor = {[Symbol.species]: function (n) { this.made = n }}; const r = a.flat(); return r.made + ':' + r[0] })()`,
		`Array.prototype.flat.name + Array.prototype.flat.length + Array.prototype.flatMap.name + Array.prototype.flatMap.length`,
		`JSON.stringify(JSON.parse('{"a": [1, {"b": 2}], "c": 3}', function (k, v) { return typeof v === 'number' ? v * 2 : v }))`,
		`JSON.stringify(JSON.parse('{"a": 1, "b": 2, "c": [1, 2, 3]}', function (k, v) { return k === 'b' || v === 2 ? undefined : v }))`,
		`(function () { const seen = []; JSON.parse('{"a": {"b": [1]}, "c": 2}', function (k, v) { seen.push(k + '=' + typeof v + (this === undefined)); return v }); return seen.join() })()`,
		`JSON.parse({toString() { return '[1, 2]' }}).length + JSON.parse('"x"', (k, v) => v + k + '!')`,
		`(function () { try { JSON.parse(Symbol()) } catch (e) { return e.name } })() + (function () { try { JSON.parse('{') } catch (e) { return e.name } })()`,
		`(function () { const o = {}; const r = Object.setPrototypeOf(o, Array.prototype); return (r === o) + ':' + (o instanceof Array) })()`,
		`(function () { const o = {}; o.__proto__ = Date.prototype; const p = {}; p.__proto__ = 5; return (o instanceof Date) + ':' + Object.getPrototypeOf(p === p ? p : 0).constructor.name })()`,
		`(function () { try { const a = {}; const b = Object.create(a); Object.setPrototypeOf(a, b) } catch (e) { return e.name } })()`,
		`(function () { const a = {}; const b = Object.create(a); return Reflect.setPrototypeOf(a, b) + ':' + Reflect.setPrototypeOf(Object.preventExtensions({}), a) + ':' + Reflect.setPrototypeOf({}, null) })()`,
		`(function () { const t = {}; const p = new Proxy(t, {}); const o = {}; Object.setPrototypeOf(o, p); return Object.getPrototypeOf(o) === p })()`,
		`(function () { try { Object.setPrototypeOf(null, {}) } catch (e) { return e.name } })() + Object.setPrototypeOf(1, null)`,
		`Object.setPrototypeOf.name + Object.setPrototypeOf.length + Reflect.setPrototypeOf.name + Reflect.setPrototypeOf.length + Object.getOwnPropertyDescriptor(Object.prototype, '__proto__').set.name`,
		`(function () { const d = Object.getOwnPropertyDescriptor(Object.prototype, '__proto__'); return [typeof d.get, typeof d.set, d.enumerable, d.configurable].join() })()`,
		`(String.prototype.trimLeft === String.prototype.trimStart) + ':' + (String.prototype.trimRight === String.prototype.trimEnd) + ':' + [...'ab'].join() + String.prototype[Symbol.iterator].name`,
		`' ab '.trim() + 'abc'.at(-1) + 'abc'.indexOf('c') + 'a-b'.split('-').length + 'ABC'.toLowerCase() + 'x'.localeCompare('y') + String.prototype.trim.name + String.prototype.indexOf.length`,
		`String.prototype.trim.call(12) + String.prototype.slice.call({toString() { return 'hello' }}, 1, 3) + (function () { try { String.prototype.trim.call(null) } catch (e) { return e.name } })()`,
		`String(new Error('m')) + String(new TypeError('t')) + Error.prototype.toString.call({name: 'N', message: 'M'}) + ({}).toString() + [1, 2].toString() + ({}).toLocaleString()`,
		`Object.prototype.toString.call(null) + Object.prototype.toString.call([]) + Object.prototype.toString.call({[Symbol.toStringTag]: 'T'})`,
		`/a/g.toString() + /a/gi.flags + RegExp.prototype.toString.call({source: 's', flags: 'f'}) + /b/.test('abc') + 'abc'.match(/b/)[0] + 'abc'.search(/c/) + 'a,b'.split(/,/).length`,
		`Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get.name + Object.getOwnPropertyDescriptor(RegExp.prototype, 'flags').get.call({global: true, sticky: 1})`,
		`JSON.stringify(new Date(0)) + Date.prototype.toJSON.call({toISOString() { return 'iso' }}) + Date.prototype.toJSON.call({valueOf() { return NaN }, toISOString() { return 'x' }})`,
		`Reflect.apply(Math.max, null, [1, 3, 2]) + Reflect.apply.length + Reflect.apply.name + Promise.prototype.finally.name + Promise.prototype.catch.length`,
		`(function () { let r = ''; const o = {then(a, b) { r = typeof a + typeof b }}; Promise.prototype.catch.call(o, () => 1); return r })()`,
		`'xaay'.match({toString() { return 'a+' }})[0] + 'abc'.search({toString() { return 'c' }}) + [...'a1b2'.matchAll({toString() { return '[0-9]' }})].length`,
		`'abc'.match({[Symbol.match](s) { return 'm:' + s }}) + 'abc'.search({[Symbol.search](s) { return 's:' + s }}) + 'abc'.matchAll({[Symbol.matchAll](s) { return 'a:' + s }})`,
		`(function () { try { 'a'.matchAll(/a/) } catch (e) { return e.name } })() + (function () { try { 'a'.matchAll({[Symbol.match]: true, flags: 'i'}) } catch (e) { return e.name } })()`,
		`(function () { try { 'a'.match({[Symbol.match]: 5}) } catch (e) { return e.name } })() + (function () { try { String.prototype.match.call(null, 'a') } catch (e) { return e.name } })()`,
		`(function () { let n = 0; 'abc'.match({toString() { n++; return 'b' }}); 'abc'.search({toString() { n++; return 'b' }}); JSON.parse({toString() { n++; return '1' }}); return n })()`,
		`(function () { const r = /a/g; r.compile('b', 'i'); const s = r.compile({toString() { return 'c+' }}); return r.source + r.flags + (s === r) + RegExp.prototype.compile.length })()`,
		`(function () { try { RegExp.prototype.compile.call({}, 'a') } catch (e) { return e.name } })()`,
		`(function () { const a = [1]; a.push(a); return a.join() })()`,
		// Wrapped constructors have the spec's [[Prototype]] and their
		// statics as own properties, not the original behind them.
		`(Object.getPrototypeOf(RegExp) === Function.prototype) + ':' + (Object.getPrototypeOf(Function) === Function.prototype) + ':' + (Object.getPrototypeOf(Float64Array) === Object.getPrototypeOf(Int8Array)) + ':' + (Object.getPrototypeOf(ArrayBuffer) === Function.prototype)`,
		`(RegExp[Symbol.species] === RegExp) + ':' + (ArrayBuffer[Symbol.species] === ArrayBuffer) + ':' + Float64Array.BYTES_PER_ELEMENT + ':' + Float64Array.from([1, 2]).length + ':' + ArrayBuffer.isView(new Uint8Array(1)) + ':' + Object.getOwnPropertyNames(RegExp).sort().join()`,
		`(Object.getPrototypeOf((async function () {}).constructor) === Function) + ':' + (Object.getPrototypeOf((function* () {}).constructor) === Function)`,
		// Bound built-ins go through a trampoline: same name, length,
		// calls, construction, instanceof and errors.
		`Math.max.bind(null, 1)(3) + Math.max.bind(null).name + Math.max.bind(null, 1).length + Math.max.bind(null, 1, 2, 3).length + Object.getOwnPropertyNames(Math.abs.bind()).join()`,
		`new (Date.bind(null, 0))().getTime() + ':' + (new Date(0) instanceof Date.bind(null)) + ':' + ({} instanceof Date.bind(null)) + ':' + (new (String.bind(null, 'x'))() instanceof String)`,
		`[1, 2].map(String.bind(null)).join() + (function () { try { new (Math.abs.bind())() } catch (e) { return e.name } })() + typeof Object.bind(null) + String.bind(null, 5)()`,
		`(function () { try { class X extends Array.bind(null) {} } catch (e) { return e.name } })() + (function () { try { Function.prototype.bind.call(1) } catch (e) { return e.name } })()`,
		`(function () { const f = Object.defineProperty(function () {}.bind(), 'name', {value: 7}); const b = Function.prototype.bind.call(new Proxy(Math.min, {}), null, 4); return b(9) + b.name + b.length + f.bind().name })()`,
		`(function () { const o = {x: 1}; const g = Reflect.get.bind(null, o); return g('x') + Reflect.construct(Date.bind(null, 5), []).getTime() })()`,
		`(function () { let n = 0; const p = new Proxy(Math.max, {get(t, k) { n++; return t[k] }, getOwnPropertyDescriptor(t, k) { n += 10; return Reflect.getOwnPropertyDescriptor(t, k) }}); p.bind(null); return n })()`,
	}
	plain := goja.New()
	vm := guardedVM(t, Config{})
	for _, e := range exprs {
		want, werr := plain.RunString(e)
		got, gerr := vm.RunString(e)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error %v, want %v", e, gerr, werr)
			continue
		}
		if werr == nil && got.String() != want.String() {
			t.Errorf("%s:\n got %s\nwant %s", e, got, want)
		}
	}
}
