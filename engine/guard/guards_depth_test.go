package guard

import (
	"testing"
	"time"

	"github.com/dop251/goja"
)

// Each hostile expression recurses natively (in Go, with no JS step per
// level) and would end the process with Go's fatal stack overflow, or run
// uninterruptibly for minutes. The guards must turn each into a catchable
// error of the given name.
func TestDepthGuardsThrow(t *testing.T) {
	cases := []struct{ src, want string }{
		{`let a = []; for (let i = 0; i < 2e5; i++) a = [a]; String(a)`, "RangeError"},
		{`let a = []; for (let i = 0; i < 2e5; i++) a = [a]; a.join()`, "RangeError"},
		{`let a = []; for (let i = 0; i < 2e5; i++) a = [a]; a.toLocaleString()`, "RangeError"},
		{`let a = []; for (let i = 0; i < 2e5; i++) a = [a]; JSON.stringify(a)`, "RangeError"},
		{`let o = {}; for (let i = 0; i < 2e5; i++) o = {o}; JSON.stringify(o, null, 2)`, "RangeError"},
		{`function mk() { return {get x() { return mk() }} }; JSON.stringify(mk())`, "RangeError"},
		{`function mk() { return {toJSON() { return [mk()] }} }; JSON.stringify(mk())`, "RangeError"},
		{`let a = []; for (let i = 0; i < 2e5; i++) a = [a]; JSON.stringify(a, (k, v) => v)`, "RangeError"},
		{`let a = []; for (let i = 0; i < 2e5; i++) a = {a}; JSON.stringify(a, ['a'])`, "RangeError"},
		{`JSON.parse('['.repeat(2e6) + ']'.repeat(2e6))`, "RangeError"},
		{`JSON.parse('{"a":'.repeat(2e5) + '1' + '}'.repeat(2e5))`, "RangeError"},
		{`let p = {}; for (let i = 0; i < 2e5; i++) p = new Proxy(p, {}); p.x`, "RangeError"},
		{`let p = {}; for (let i = 0; i < 2e5; i++) p = Proxy.revocable(p, {}).proxy; p.x`, "RangeError"},
		{`let h = {}; for (let i = 0; i < 2e5; i++) h = new Proxy({}, h); h.x`, "RangeError"},
		{`let f = () => 1; for (let i = 0; i < 2e5; i++) f = f.bind(null); f()`, "RangeError"},
		{`let f = () => 1; for (let i = 0; i < 2e5; i++) f = i % 2 ? f.bind(null) : new Proxy(f, {}); f()`, "RangeError"},
		{`eval('('.repeat(1e6) + '1' + ')'.repeat(1e6))`, "SyntaxError"},
		{`(0, eval)('!'.repeat(1e6) + '1')`, "SyntaxError"},
		{`new Function('return ' + '['.repeat(1e6) + ']'.repeat(1e6))`, "SyntaxError"},
		{`Function('a', 'return ' + 'a=>'.repeat(1e5) + '1')`, "SyntaxError"},
		{`new Function({toString() { return 'return ' + '-'.repeat(1e6) + '1' }})`, "SyntaxError"},
		{`(async function(){}).constructor('return ' + '('.repeat(1e6) + ')'.repeat(1e6))`, "SyntaxError"},
		{`(function*(){}).constructor('yield ' + '('.repeat(1e6) + ')'.repeat(1e6))`, "SyntaxError"},
		{`new RegExp('('.repeat(1e6) + ')'.repeat(1e6) + '\\1')`, "SyntaxError"},
		{`RegExp({toString() { return '('.repeat(1e6) + ')'.repeat(1e6) }})`, "SyntaxError"},
		{`'x'.match('('.repeat(1e6) + ')'.repeat(1e6) + '\\1')`, "SyntaxError"},
		{`'x'.search('(?:'.repeat(1e6) + ')'.repeat(1e6) + '(?=x)')`, "SyntaxError"},
		{`eval('x = /' + '('.repeat(1e5) + ')'.repeat(1e5) + '\\1/')`, "SyntaxError"},
	}
	vm := guardedVM(t, Config{})
	for _, c := range cases {
		start := time.Now()
		v, err := vm.RunString(`(function(){ try { ` + c.src + `; return "no error" } catch (e) { return e.name } })()`)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if v.String() != c.want {
			t.Errorf("%s: got %s, want %s", c.src, v, c.want)
		}
		if d := time.Since(start); d > hangBound {
			t.Errorf("%s: took %v", c.src, d)
		}
	}
}

// The guarded built-ins behave as the originals on ordinary input.
func TestDepthGuardsKeepSemantics(t *testing.T) {
	exprs := []string{
		`JSON.stringify({a: [1, {b: 2}], c: 'x', d: undefined, e: () => 1})`,
		`JSON.stringify({a: [1, {b: 2}], c: 'x'}, null, 2)`,
		`JSON.stringify({a: 1, b: 2, c: {a: 3, d: 4}}, ['a', 'c'])`,
		`JSON.stringify({b: 1, a: 2, 1: 3}, ['a', 1, 'b', 'a', new String('b')])`,
		`JSON.stringify([{a: 1, b: 2}], ['b'])`,
		`JSON.stringify({a: 1, b: [1, 2]}, function (k, v) { return typeof v === 'number' ? v * 2 : v })`,
		`JSON.stringify({a: {toJSON(k) { return 'key:' + k }}})`,
		`JSON.stringify({d: new Date(0), n: new Number(3), s: new String('s'), b: new Boolean(false)})`,
		`JSON.stringify('x') + JSON.stringify(1) + JSON.stringify(null) + JSON.stringify(undefined)`,
		`(function(){ const seen = []; JSON.stringify({a: {b: 1}}, function (k, v) { seen.push(k + ':' + (this === undefined)); return v }); return seen.join() })()`,
		`(function(){ try { const a = []; a.push(a); JSON.stringify(a) } catch (e) { return e.name } })()`,
		`(function(){ try { JSON.stringify({x: 1n}) } catch (e) { return e.name } })()`,
		`JSON.stringify.name + JSON.stringify.length + JSON.parse.name + JSON.parse.length`,
		`JSON.parse('[1, {"a": [2, "[[["]}]', function (k, v) { return typeof v === 'number' ? v + 1 : v })[1].a.join()`,
		`[1, [2, [3, [4]]]].toString() + [1, [2]].join(';') + [1.5, [2]].toLocaleString()`,
		`eval('1 + 2') + eval('var q = 5; q') + typeof eval(3)`,
		`new Function('a', 'b', 'return a + b')(2, 3) + Function('return this')().Math.PI`,
		`Function.name + Function.length + (Function.prototype.constructor === Function) + (new Function() instanceof Function)`,
		`(async function(){}).constructor.name + (function*(){}).constructor.name`,
		`RegExp('a+', 'g').test('aa') + new RegExp(/b/i).source + RegExp.name + (/x/.constructor === RegExp) + ('' + RegExp.prototype.constructor.name)`,
		`'xaay'.match('a+')[0] + 'abc'.search('c') + [...'a1b2'.matchAll('[0-9]')].length`,
		`new Proxy({x: 1}, {}).x + Proxy.name + Proxy.length + typeof Proxy.revocable + Proxy.revocable({y: 2}, {}).proxy.y`,
		`(function(){ try { Proxy({}, {}) } catch (e) { return e.name } })()`,
		`((a, b) => a + b).bind(null, 1)(2) + Function.prototype.bind.name + function f(){}.bind().name`,
		`class A { constructor(x) { this.x = x } }; new (A.bind(null, 7))().x`,
		// Every wrapped built-in keeps its place, name, length and attributes.
		`(function () {
			const d = (o, k) => { const x = Object.getOwnPropertyDescriptor(o, k); return k + ':' + [x.writable, x.enumerable, x.configurable, typeof x.value] };
			const fns = [[globalThis, 'Proxy'], [globalThis, 'RegExp'], [globalThis, 'Function'], [globalThis, 'eval'], [globalThis, 'ArrayBuffer'], [globalThis, 'Float64Array'],
				[Proxy, 'revocable'], [Function.prototype, 'bind'], [JSON, 'stringify'], [JSON, 'parse'], [String.prototype, 'replace'], [String.prototype, 'replaceAll'],
				[String.prototype, 'match'], [Array.prototype, 'join'], [Array.prototype, 'toString'], [RegExp.prototype, 'constructor'], [Function.prototype, 'constructor'],
				[Float64Array.prototype, 'constructor'], [Object.getPrototypeOf(async function(){}), 'constructor']];
			return fns.map(([o, k]) => d(o, k) + ':' + o[k].name + ':' + o[k].length).join(' ') + ' ' + Object.keys(Function.prototype) + Object.keys(globalThis).includes('Proxy') + ('prototype' in Proxy);
		})()`,
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

// JSON.stringify runs JS per property, so Interrupt stops it.
func TestStringifyIsInterruptible(t *testing.T) {
	vm := guardedVM(t, Config{})
	if _, err := vm.RunString(`var big = []; for (let i = 0; i < 3e5; i++) big.push({i, s: 'x'})`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := vm.RunString(`for (;;) JSON.stringify(big)`)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	vm.Interrupt("stop")
	select {
	case err := <-done:
		if _, ok := err.(*goja.InterruptedError); !ok {
			t.Fatalf("err = %v, want an InterruptedError", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("JSON.stringify was not interrupted")
	}
}

// goja's own replaceAll(”) never ends on a non-ASCII string; the guard
// routes it through a global empty regexp, with the same results as V8.
func TestReplaceAllEmptySearch(t *testing.T) {
	cases := []struct{ src, want string }{
		{`'\ud7bex'.replaceAll('', '0')`, "0\ud7be0x0"},
		{`'ab'.replaceAll('', '-')`, "-a-b-"},
		{"'ab'.replaceAll('', '[$`|$&|$\\']')", "[||ab]a[a||b]b[ab||]"},
		{`'\ud7be'.replaceAll('', (m, i, s) => '<' + i + s.length + '>')`, "<01>\ud7be<11>"},
		{`''.replaceAll('', 'z')`, "z"},
	}
	vm := guardedVM(t, Config{})
	for _, c := range cases {
		done := make(chan struct{})
		timer := time.AfterFunc(10*time.Second, func() { vm.Interrupt("hung") })
		v, err := vm.RunString(c.src)
		timer.Stop()
		close(done)
		if err != nil || v.String() != c.want {
			t.Errorf("%s = %v (%v), want %q", c.src, v, err, c.want)
		}
	}
}

// BenchmarkStringify compares JSON.stringify of 2,000 small records in an
// unguarded VM, with the guard (native replacer), and with a replacer of
// the script's own (the JS trampoline path).
func BenchmarkStringify(b *testing.B) {
	benchGuarded(b, `var data = []; for (let i = 0; i < 2000; i++) data.push({id: i, name: "item" + i, tags: ["a", "b"], nested: {x: i, y: [1, 2, 3]}});`, []benchCase{
		{"unguarded", false, "JSON.stringify(data)"},
		{"guarded", true, "JSON.stringify(data)"},
		{"unguarded-user-replacer", false, "JSON.stringify(data, (k, v) => v)"},
		{"guarded-user-replacer", true, "JSON.stringify(data, (k, v) => v)"},
	})
}

// benchCase is one expression of benchGuarded, in a guarded VM or not.
type benchCase struct {
	name    string
	guarded bool
	expr    string
}

// benchGuarded runs each case's expression in a VM of its own, after setup.
func benchGuarded(b *testing.B, setup string, cases []benchCase) {
	for _, c := range cases {
		vm := goja.New()
		if c.guarded {
			vm = guardedVM(b, Config{})
		}
		if _, err := vm.RunString(setup); err != nil {
			b.Fatal(err)
		}
		p := goja.MustCompile("x", c.expr, false)
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := vm.RunProgram(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The JS halves of the guards follow the spec where test262 found they
// did not: a reviver's define through a proxy trap that throws
// propagates, a non-configurable property it cannot delete is left; a
// replacer list's Number object is converted with ToString; and
// Proxy.revocable is no constructor.
func TestGuardsJSHalvesConform(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, c := range []struct{ src, want string }{
		{`var bad = new Proxy({0: null}, {defineProperty() { throw new RangeError("trap") }}); try { JSON.parse('["first", null]', function (k, v) { if (v === "first") this[1] = bad; return v }); "no throw" } catch (e) { e.name }`, "RangeError"},
		{`JSON.stringify(JSON.parse('[1, 2]', function (k, v) { if (k === "0") Object.defineProperty(this, "1", {configurable: false}); return k === "1" ? undefined : v }))`, "[1,2]"},
		{`var n = new Number(10); n.toString = () => "toString"; n.valueOf = () => { throw new Error("valueOf") }; JSON.stringify({10: 1, toString: 2}, [n])`, `{"toString":2}`},
		{`[Object.hasOwn(Proxy.revocable, "prototype"), (() => { try { new Proxy.revocable({}, {}); return "constructed" } catch (e) { return e.name } })(), Proxy.revocable.name, Proxy.revocable.length].join()`, "false,TypeError,revocable,2"},
	} {
		v, err := vm.RunString(c.src)
		if err != nil || v.String() != c.want {
			t.Errorf("%s: %v, %v; want %s", c.src, v, err, c.want)
		}
	}
}

// new RegExp(regexpLike) reads the object's source and flags (IsRegExp:
// a truthy @@match), once each, as the spec does; any other object is
// converted with ToString; the source is checked either way.
func TestRegExpFromRegExpLike(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, c := range []struct{ src, want string }{
		{`var n = 0; var o = {[Symbol.match]: true, get source() { n++; return "a+" }, flags: "g"}; var r = new RegExp(o); [r.source, r.flags, n].join()`, "a+,g,1"},
		{`var o = {[Symbol.match]: true, source: "b", flags: "g"}; var r = new RegExp(o, "i"); [r.source, r.flags].join()`, "b,i"},
		{`var o = {[Symbol.match]: true, source: "c"}; new RegExp(o).flags === ""`, "true"},
		{`new RegExp({toString() { return "d" }}).source`, "d"},
		// Called, not constructed: a regexp-like pattern whose constructor
		// is RegExp is the result itself.
		{`var re = /e/; [RegExp(re) === re, new RegExp(re) === re, RegExp(re, "g") === re].join()`, "true,false,false"},
		{`var o = {[Symbol.match]: true, constructor: RegExp, source: "f"}; RegExp(o) === o`, "true"},
		{`try { RegExp({[Symbol.match]: true, get constructor() { throw new EvalError("c") }}) } catch (e) { e.name }`, "EvalError"},
		{`try { new RegExp({[Symbol.match]: true, source: "(".repeat(20000) + ")".repeat(20000)}) } catch (e) { e.name }`, "SyntaxError"},
	} {
		v, err := vm.RunString(c.src)
		if err != nil || v.String() != c.want {
			t.Errorf("%s: %v, %v; want %s", c.src, v, err, c.want)
		}
	}
}

// A pattern longer than the allocation cap allows at ~256 bytes a
// character is a RangeError on every path that compiles one, before Go
// compiles it (FuzzHostileGrammar: new RegExp("ab".repeat(2**22)) took 2 s
// and 2 GB); a long pattern under it compiles.
func TestRegExpPatternLength(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 16 << 20}) // 64 Ki characters
	expectRangeErrors(t, vm, []string{
		`new RegExp("a".repeat(2**16 + 1))`,
		`RegExp("a".repeat(2**16 + 1), "g")`,
		`/x/.compile("a".repeat(2**16 + 1))`,
		`"abc".match("a".repeat(2**16 + 1))`,
		`"abc".matchAll("a".repeat(2**16 + 1))`,
		`"abc".search({toString() { return "a".repeat(2**16 + 1) }})`,
		`new RegExp({[Symbol.match]: true, source: "a".repeat(2**16 + 1), flags: ""})`,
	})
	v, err := vm.RunString(`var r = new RegExp("a".repeat(2**16)); r.source.length === 2**16 && !r.test("a".repeat(99))`)
	if err != nil || !v.ToBoolean() {
		t.Errorf("a pattern at the limit: %v %v", v, err)
	}
}

// The Proxy handler goja is given is a shim of the script's: a trap
// result with holes is a catchable TypeError (goja dereferenced nil: an
// uncatchable internal error), and everything else is as the spec says:
// traps are looked up once per operation, on the handler, when the
// operation happens (one added later is used), and called with the
// handler as this; without a trap the target's own operation runs.
func TestProxyHandlerShim(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, c := range []struct{ src, want string }{
		{`try { Object.keys(new Proxy({}, {ownKeys: () => ({length: 2**40})})) } catch (e) { e.name }`, "TypeError"},
		{`try { Reflect.ownKeys(new Proxy({}, {ownKeys: () => ({length: 2, 0: "a"})})) } catch (e) { e.name }`, "TypeError"},
		{`try { for (const k in new Proxy({}, {ownKeys: () => [1]})); } catch (e) { e.name }`, "TypeError"},
		{`var n = 0; Reflect.ownKeys(new Proxy({}, {ownKeys: () => ({get length() { n++; return 1 }, 0: "a"})})).join() + n`, "a1"},
		{`Object.keys(new Proxy({a: 1, b: 2}, {ownKeys: () => ["b", "a"]})).join()`, "b,a"},
		{`var self, h = {get(t, k, r) { self = this; return k }}; new Proxy({}, h).x + (self === h)`, "xtrue"},
		{`var h = {}, p = new Proxy({a: 1}, h); var before = p.a; h.get = () => 7; before + ":" + p.a`, "1:7"},
		{`var log = []; var h = new Proxy({}, {get(t, k) { log.push(k); return undefined }}); var p = new Proxy({x: 1}, h); p.x; "x" in p; log.join()`, "get,has"},
		{`var o = {}; var p = new Proxy(o, {}); Object.defineProperty(p, "g", {get() { return 2 }, configurable: true}); o.g`, "2"},
		{`var f = new Proxy(function (a, b) { return a + b }, {apply(t, s, args) { return args.length + ":" + t(...args) }}); f(1, 2)`, "2:3"},
		{`class C { constructor(x) { this.x = x } }; new (new Proxy(C, {}))(5).x`, "5"},
		{`var r = Proxy.revocable({a: 1}, {get: () => 3}); var v = r.proxy.a; r.revoke(); try { r.proxy.a } catch (e) { v + e.name }`, "3TypeError"},
		{`try { new Proxy({}, {get: 5}).x } catch (e) { e.name }`, "TypeError"},
	} {
		v, err := vm.RunString(c.src)
		if err != nil || v.String() != c.want {
			t.Errorf("%s = %v (%v), want %s", c.src, v, err, c.want)
		}
	}
}

// BenchmarkProxyOps: property reads through a proxy with a get trap and
// through one without, guarded (the handler shim) and not.
func BenchmarkProxyOps(b *testing.B) {
	benchGuarded(b, `var withTrap = new Proxy({x: 1}, {get: (t, k) => t[k]}), without = new Proxy({x: 1}, {});`, []benchCase{
		{"trap-unguarded", false, "withTrap.x"},
		{"trap-guarded", true, "withTrap.x"},
		{"no-trap-unguarded", false, "without.x"},
		{"no-trap-guarded", true, "without.x"},
	})
}
