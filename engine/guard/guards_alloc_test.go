package guard

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Each expression must throw a catchable RangeError quickly: lists built
// from a script-controlled length, amplifiers, BigInt sizes.
func TestAllocGuardsThrowRangeError(t *testing.T) {
	cases := []string{
		// lists from a length
		`(function () {}).apply(null, {length: 2**40})`,
		`(function () {}).apply(null, {get length() { return 2**40 }})`,
		`(function () {}).apply(null, new Proxy({length: 2**40}, {}))`,
		`(function () {}).apply(null, {length: {valueOf() { return 2**40 }}})`,
		`(function () {}).apply(null, new Array(2**26))`,
		`Reflect.apply(function () {}, null, {length: 2**40})`,
		`Reflect.construct(function () {}, {length: 2**40})`,
		`Reflect.construct(function () {}, {length: 2**26}, Object)`,
		`String.raw({raw: {length: 2**40}})`,
		`String.raw({raw: {get length() { return 2**40 }}}, 'x')`,
		`[].concat({length: 2**40, [Symbol.isConcatSpreadable]: true})`,
		`[].concat({get length() { return 2**40 }, [Symbol.isConcatSpreadable]: true})`,
		`Object.prototype[Symbol.isConcatSpreadable] = true; try { [].concat({length: 2**40}) } finally { delete Object.prototype[Symbol.isConcatSpreadable] }`,
		`var a = new Array(2**20).fill(0), l = []; for (var i = 0; i < 40; i++) l.push(a); [].concat(...l)`,
		`Array.from({get length() { return 2**32-1 }})`,
		`Array.from(new Proxy({length: 2**32-1}, {}))`,
		`new Float64Array({get length() { return 2**40 }})`,
		`new Float64Array(new Uint8Array(2**26))`,
		`Array.prototype.indexOf.call({get length() { return 2**40 }}, 1)`,
		`Array.prototype.sort.call({get length() { return 2**40 }})`,
		`Array.prototype.slice.call(new Proxy({length: 2**40}, {}))`,
		`Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'length', {get() { return 2**32-1 }, configurable: true}); Array.prototype.toReversed.call(new Uint8Array(1))`,
		`new Uint8Array(8).set({get length() { return 2**40 }})`,
		// amplifiers
		`Object.keys(new Uint8Array(2**26))`,
		`Object.values(new Uint8Array(2**26))`,
		`Object.entries(new Uint8Array(2**22))`,
		`Object.entries(Array.from(new Uint8Array(2**22)))`,
		`var a = Array.from(new Uint8Array(2**22)); a.extra = 1; Object.getOwnPropertyDescriptors(a)`,
		`Object.getOwnPropertyNames(new Uint8Array(2**26))`,
		`Object.getOwnPropertyDescriptors(new Uint8Array(2**22))`,
		`Reflect.ownKeys(new Uint8Array(2**26))`,
		`Object.keys('x'.repeat(2**23))`,
		`Object.keys(new Proxy(new Proxy(new Uint8Array(2**26), {}), {}))`,
		`'\uFDFA'.repeat(2**23).normalize('NFKD')`,
		`'x'.repeat(2**24).split('')`,
		`'x'.repeat(2**24).split('', 2**32-1)`,
		`new Array(2**20).join('x'.repeat(1000))`,
		`Array.prototype.join.call(new Uint8Array(2**20), 'x'.repeat(1000))`,
		`Array.prototype.join.call({get length() { return 2**20 }}, {toString() { return 'x'.repeat(1000) }})`,
		`Array(1000).fill('x'.repeat(2**20)).join()`,
		`new Uint8Array(2**26).join('--')`,
		`new Uint8Array(2**27).toString()`,
		`new Uint8Array(2**27).toLocaleString()`,
		`Array.from(new Uint8Array(2**21))`,
		`Array.from('x'.repeat(2**21))`,
		`JSON.parse('[' + '0,'.repeat(2**20) + '0]').sort()`,
		`Array.from({length: 2**20}).toSorted()`,
		`'x,'.repeat(2**20).split(',').sort()`,
		`new Float64Array(2**23).sort()`,
		`new Float64Array(2**23).toSorted()`,
		// BigInt
		`eval('(function () { return 1n << (2n ** 40n) })')`,
		`eval('3n ** (2n ** 27n)')`,
		`eval('1n << (0n || 2n ** 40n)')`,
		`eval('var x = 5n; x <<= 2n ** 40n')`,
		`new Function('a = 1n << (2n ** 40n)', 'return a')`,
		`new Function('return 1n >> -(2n ** 40n)')`,
		`Object.getPrototypeOf(async function () {}).constructor('return 7n ** (2n ** 30n)')`,
		`BigInt.asUintN(2**40, -1n)`,
		// A long decimal string is parsed in quadratic time, whatever the
		// width: refused before the parse.
		`BigInt.asUintN(64, "9".repeat(1e6))`,
		`BigInt.asIntN(8, {valueOf() { return "1".repeat(2e6) }})`,
		`BigInt('9'.repeat(2e6))`,
		`BigInt({valueOf() { return '0x' + 'f'.repeat(1e6) }})`,
		`var a = 2n ** 600000n; (a * a).toString()`,
	}
	expectRangeErrors(t, guardedVM(t, Config{}), cases)
}

// The caps follow Config.MaxAllocBytes: 4 MiB allows 16 Ki arguments.
func TestAllocGuardsFollowMaxAllocBytes(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 4 << 20})
	for _, src := range []string{
		`var f = function () {}, args = new Array(2**12).fill(0); for (var i = 0; i < 5; i++) f = f.bind(null, ...args)`,
		`Math.max.apply(null, new Array(2**15))`,
		`'x'.repeat(2**20).split('')`,
	} {
		v, err := vm.RunString(`(function(){ try { ` + src + `; return "no error" } catch (e) { return e instanceof RangeError ? "RangeError" : String(e) } })()`)
		if err != nil || v.String() != "RangeError" {
			t.Errorf("%s: got %v, %v", src, v, err)
		}
	}
	v, err := vm.RunString(`var f = function () { return arguments.length }, args = new Array(2**12).fill(0); f.bind(null, ...args).bind(null, ...args)(1) + Math.max.apply(null, new Array(2**13).fill(1))`)
	if err != nil || v.ToInteger() != 2<<12+2 {
		t.Errorf("under the caps: got %v, %v", v, err)
	}
}

// Ordinary uses of the wrapped built-ins return what the originals do.
func TestAllocGuardsTransparent(t *testing.T) {
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`
		var out = [];
		function check(name, ok) { if (!ok) out.push(name); }
		function f() { return Array.prototype.slice.call(arguments).join('|') }
		check("apply", f.apply(null, [1, 2, 3]) === '1|2|3' && f.apply(null, {length: 2, 0: 'a', 1: 'b'}) === 'a|b');
		check("apply-args", (function () { return f.apply(null, arguments) })(4, 5) === '4|5');
		check("apply-getter", f.apply(null, {get length() { return 2 }, 0: 'x'}) === 'x|');
		check("apply-null", f.apply(null, null) === '' && f.apply(null) === '');
		check("apply-type", (function(){ try { f.apply(null, 1); return true } catch (e) { return false } })() || true);
		check("reflect", Reflect.apply(f, null, [1]) === '1' && Reflect.construct(Date, [0]).getTime() === 0);
		check("reflect-newtarget", (function(){ class A {} class B extends A {} return Reflect.construct(A, [], B) instanceof B })());
		check("reflect-type", (function(){ try { Reflect.apply(1, null, []); return false } catch (e) { return e instanceof TypeError } })());
		check("bind", f.bind(null, 1).bind(null, 2)(3) === '1|2|3' && f.bind.name === 'bind' && f.bind.length === 1);
		check("bind-new", (function(){ function P(x) { this.x = x } var B = P.bind(null, 7); return new B().x === 7 && new B() instanceof P })());
		check("raw", String.raw` + "`a${1}b${2}c`" + ` === 'a1b2c' && String.raw({raw: ['x', 'y']}, 0, 9) === 'x0y' && String.raw({raw: {length: 0}}) === '');
		check("length-attrs", (function(){ var d = Object.getOwnPropertyDescriptor(String.prototype.normalize, 'length'); return d.value === 0 && !d.writable && !d.enumerable && d.configurable })());
		check("raw-name", String.raw.name === 'raw' && String.raw.length === 1);
		check("concat", [1].concat([2, , 3], 4, {length: 1, 0: 5}).length === 6 && 1 in [].concat([2, , 3]) === false);
		check("concat-spread", [].concat({length: 2, 0: 'a', 1: 'b', [Symbol.isConcatSpreadable]: true}).join() === 'a,b');
		check("concat-getter", [].concat({get length() { return 1 }, 0: 'z', [Symbol.isConcatSpreadable]: true})[0] === 'z');
		check("concat-species", (function(){ class A extends Array {} return new A(1, 2).concat([3]) instanceof A })());
		check("concat-proxy", [].concat(new Proxy([1, 2], {})).join() === '1,2');
		check("join-obj-sep", [1, 2].join({toString() { return '+' }}) === '1+2' && Array.prototype.join.call({length: 2, 0: 'a'}, '-') === 'a-');
		check("join", [1, 'a', null, undefined, 2.5].join('-') === '1-a---2.5' && [].join() === '' && [[1, 2], [3]].join(';') === '1,2;3');
		check("tajoin", new Uint8Array([1, 2, 3]).join() === '1,2,3' && new Float64Array([0.5, -1]).join(' ') === '0.5 -1' && new Int8Array(2).join({toString() { return '+' }}) === '0+0');
		check("split", 'a,b,c'.split(',').join() === 'a,b,c' && 'abc'.split('').length === 3 && 'a,b,c'.split(',', 2).length === 2 && 'a1b2c'.split(/\d/).join() === 'a,b,c' && 'abc'.split().length === 1 && 'abc'.split('', 0).length === 0);
		check("split-limit-obj", 'a,b,c'.split(',', {valueOf() { return 1 }}).length === 1);
		check("normalize", '\u0041\u030A'.normalize() === '\u00C5' && '\u00C5'.normalize('NFD').length === 2 && 'abc'.normalize('NFKC') === 'abc');
		check("normalize-bad", (function(){ try { 'a'.normalize('x'); return false } catch (e) { return e instanceof RangeError } })());
		check("keys", Object.keys(new Uint8Array(3)).join() === '0,1,2' && Object.entries({a: 1})[0].join() === 'a,1' && Reflect.ownKeys([1]).join() === '0,length');
		check("from", Array.from(new Uint8Array([1, 2])).join() === '1,2' && Array.from({length: 2}, function (_, i) { return i }).join() === '0,1' && Array.from('ab').join() === 'a,b');
		check("from-getter", Array.from({get length() { return 2 }, 0: 'q'}).length === 2);
		check("sort", [3, 1, 10, 2].sort().join() === '1,10,2,3' && ['b', 'a'].toSorted().join() === 'a,b' && new Float64Array([3, 1, 2]).sort().join() === '1,2,3');
		check("sort-return", (function(){ var a = [2, 1]; return a.sort() === a })());
		check("sort-generic", (function(){ var o = {get length() { return 2 }, 0: 'b', 1: 'a'}; return Array.prototype.sort.call(o) === o && o[0] === 'a' })());
		check("looper-generic", Array.prototype.indexOf.call({length: 3, 2: 'x'}, 'x') === 2 && Array.prototype.map.call('ab', function (c) { return c + c }).join() === 'aa,bb');
		check("looper-ta", Array.prototype.slice.call(new Uint8Array([5, 6])).join() === '5,6');
		check("taset", (function(){ var t = new Uint8Array(3); t.set({length: 2, 0: 1, 1: 2}, 1); return t.join() === '0,1,2' })());
		check("ta-from-ta", new Float64Array(new Uint8Array([1, 2])).join() === '1,2' && new Uint8Array({length: 2, 0: 9})[0] === 9);
		check("statics", Float64Array.from([1]).length === 1 && Uint8Array.of(1, 2).length === 2 && ArrayBuffer.isView(new Uint8Array(1)) && Float64Array.BYTES_PER_ELEMENT === 8);
		// goja makes Function.prototype their [[Prototype]] (the spec: Function).
		check("fnctor-proto", Object.getPrototypeOf(Object.getPrototypeOf(async function () {}).constructor) === Function.prototype && Object.getPrototypeOf(Object.getPrototypeOf(function* () {}).constructor) === Function.prototype);
		check("ctor-proto", Object.getPrototypeOf(Uint8Array) === Object.getPrototypeOf(Int8Array) && Object.getPrototypeOf(Function) === Function.prototype && Object.getPrototypeOf(ArrayBuffer) === Function.prototype);
		check("species", Array[Symbol.species] === Array && ArrayBuffer[Symbol.species] === ArrayBuffer);
		check("bigint", 2n ** 64n === 18446744073709551616n && (1n << 100n) >> 99n === 2n && BigInt('0x10') === 16n && BigInt(true) === 1n && BigInt(' 12 ') === 12n);
		check("bigint-new", (function(){ try { new BigInt(1); return false } catch (e) { return e instanceof TypeError } })());
		check("bigint-syntax", (function(){ try { BigInt('1x'); return false } catch (e) { return e instanceof SyntaxError } })());
		check("asN", BigInt.asUintN(8, 257n) === 1n && BigInt.asIntN(8, 255n) === -1n && BigInt.asUintN(2**40, 5n) === 5n && BigInt.asIntN(2**40, -5n) === -5n && BigInt.asUintN(64, '7') === 7n && BigInt.asIntN(64, {valueOf() { return " 12 " }}) === 12n);
		check("asN-order", (function(){ let read = false; try { BigInt.asUintN(-1, {valueOf() { read = true; return 1n }}) } catch (e) { return e instanceof RangeError && !read } })());
		check("asN-type", (function(){ try { BigInt.asUintN(2**40, 1); return false } catch (e) { return e instanceof TypeError } })());
		check("bigint-toString", (255n).toString(16) === 'ff' && Object(5n).toString() === '5' && BigInt.prototype.toString.name === 'toString' && BigInt.prototype.constructor === BigInt);
		check("eval", eval('1 + 1') === 2 && eval('2n ** 10n') === 1024n && new Function('a', 'b', 'return a + b')(1, 2) === 3);
		check("asyncfn", typeof Object.getPrototypeOf(async function () {}).constructor('return 1') === 'function');
		out.join(",");
	`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "" {
		t.Errorf("wrappers differ from the originals: %s", v)
	}
}

// CheckSource refuses huge BigInt constants and lets ordinary code pass.
func TestCheckSource(t *testing.T) {
	bad := []string{
		`function f() { return 1n << (2n ** 40n) }`,
		`const x = 3n ** (2n ** 27n)`,
		`let y = 2n ** 1048577n`,
		`let z = 1n << 0x10000000000n`,
		`let w = (2n ** 600000n) * (2n ** 600000n)`,
		`let v = ` + strings.Repeat("9", 400000) + `n`,
		`a => a ** 5000000n`,
		`if (false) { -(-(2n ** 40n)) ; 1n << (2n ** 40n) }`,
	}
	for _, src := range bad {
		if err := CheckSource(src); !errors.Is(err, ErrBigIntTooLarge) {
			t.Errorf("%.60s: got %v, want ErrBigIntTooLarge", src, err)
		}
	}
	good := []string{
		`let a = 2n ** 64n, b = 1n << 1000n, c = -(2n ** 100000n), d = 0n ** (2n ** 40n), e = 1n ** (2n ** 40n)`,
		`x << 5n; y ** 3n; 1n >> (2n ** 40n)`,
		`var s = "1n << (2n ** 40n)" // 1n << 2n ** 40n`,
		`function () {`,             // does not parse: left to the compiler
		`let q = 1n << (2n ** 64n)`, // goja shifts by the low 64 bits: 0
	}
	for _, src := range good {
		if err := CheckSource(src); err != nil {
			t.Errorf("%.60s: %v", src, err)
		}
	}
}

func BenchmarkCheckSource(b *testing.B) {
	src := strings.Repeat("function f(a, b) { return a + b * 2 - (b << 3) }\n", 200)
	for i := 0; i < b.N; i++ {
		_ = CheckSource(src)
	}
}

// String.prototype.split follows the spec's order through the guard: a
// separator's own @@split gets this and the limit untouched, before
// either is converted; otherwise the receiver is converted first, then
// the limit, once each (test262 built-ins/String/prototype/split).
func TestSplitGuardOrder(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, c := range []struct{ src, want string }{
		{`var o = {toString() { throw 1 }}; String.prototype.split.call(o, {[Symbol.split](s, l) { return [s === o, l] }}, "limit").join()`, "true,limit"},
		{`"abc".split({[Symbol.split](s, l) { return [typeof l] }}, Symbol()).join()`, "symbol"},
		{`var log = []; var r = {toString() { log.push("this"); return "a,b,c" }}; var l = {valueOf() { log.push("limit"); return 2 }}; String.prototype.split.call(r, {toString() { log.push("sep"); return "," }}, l).join() + " " + log.join()`, "a,b this,limit,sep"},
		{`var n = 0; "a,b,c".split(",", {valueOf() { n++; return 2 }}).join() + " " + n`, "a,b 1"},
		{`try { String.prototype.split.call({toString() { throw new RangeError("r") }}, {}, Symbol()) } catch (e) { e.name }`, "RangeError"},
		{`"a1b2c3".split(/\d/, 2).join()`, "a,b"},
	} {
		v, err := vm.RunString(c.src)
		if err != nil || v.String() != c.want {
			t.Errorf("%s: %v, %v; want %s", c.src, v, err, c.want)
		}
	}
}

// normalize of a long non-ASCII string runs segment by segment with JS
// steps (goja's one call: ~230 ns a character in one Go step), with
// goja's results: this's toString interrupts the runtime as a kill would,
// and the interrupt must take effect inside the normalization.
func TestNormalizeStepped(t *testing.T) {
	for _, form := range []string{"", `"NFD"`, `"NFKC"`, `"NFKD"`} {
		vm := guardedVM(t, Config{})
		interruptingSubject(vm, "S", strings.Repeat("\u00e9\u1e9b\u0323", 1<<18)) // regexp_work_test.go
		_, err := vm.RunString(`String.prototype.normalize.call(S, ` + form + `)`)
		var ie *goja.InterruptedError
		if !errors.As(err, &ie) || !strings.Contains(ie.Error(), "<guards-step>") {
			t.Errorf("normalize(%s): %v, want the interrupt inside it", form, err)
		}
	}
	for _, src := range []string{
		`var u = "\u00e9\u1e9b\u0323q\u212b".repeat(2**14); [u.normalize(), u.normalize("NFD"), u.normalize("NFKC"), u.normalize("NFKD")].map(x => x.length + ":" + x.charCodeAt(7)).join()`,
		`var u = "a\u00e9".repeat(2**16) + "\ud800x"; var n = u.normalize("NFD"); n.length + ":" + n.charCodeAt(n.length - 2)`,
		`try { "\u00e9".repeat(2**16).normalize("nfc") } catch (e) { e.name }`,
		`var calls = 0; "\u00e9".repeat(2**16).normalize({toString() { calls++; return "NFD" }}).length + ":" + calls`,
	} {
		plain, guarded := outcome(goja.New(), src), outcome(guardedVM(t, Config{}), src)
		if plain != guarded {
			t.Errorf("%s\nplain:   %s\nguarded: %s", src, plain, guarded)
		}
	}
}
