package guard

import (
	"strings"
	"testing"
)

// JSON.stringify's result and the URI / escape encoders' results are
// bounded before they are built (each of these ended the process: fatal
// out of memory under memoryMb 64 or a 512 MB host ceiling).
func TestResultAmplifiersThrowRangeError(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 64 << 20})
	expectRangeErrors(t, vm, []string{
		// one string held many times
		`JSON.stringify(new Array(1000).fill('x'.repeat(2**20)))`,
		`var o = {}, s = 'x'.repeat(2**20); for (var i = 0; i < 100; i++) o['k' + i] = s; JSON.stringify(o)`,
		`var s = 'x'.repeat(2**20); JSON.stringify({toJSON() { return new Array(100).fill(s) }})`,
		`var s = 'x'.repeat(2**20); JSON.stringify([1], (k, v) => k === '' ? v : new Array(100).fill(s))`,
		`var s = new String('x'.repeat(2**20)); JSON.stringify(new Array(100).fill(s))`,
		// keys
		`var k = 'k'.repeat(2**20), a = []; for (var i = 0; i < 100; i++) a.push({[k]: 1}); JSON.stringify(a)`,
		// escapes: 6 characters each
		`JSON.stringify('\u0001'.repeat(2**23))`,
		`JSON.stringify('\ud800'.repeat(2**23))`,
		// UTF-8: 3 bytes of goja's buffer each
		`JSON.stringify('\u0800'.repeat(2**24))`,
		// the indent: 10 characters a level on every line
		`var a = new Array(1e5).fill(0); for (var i = 0; i < 900; i++) a = [a]; JSON.stringify(a, null, 10)`,
		// encoders: 9x and 6x
		`encodeURIComponent('\u0800'.repeat(2**22))`,
		`encodeURI('\u0800'.repeat(2**22))`,
		`encodeURIComponent(' '.repeat(2**24))`,
		`encodeURIComponent({toString() { return '\u0800'.repeat(2**22) }})`,
		`escape('\u0800'.repeat(2**23))`,
		`escape(' '.repeat(2**24))`,
	})
}

// Under the cap they return what the originals return.
func TestResultAmplifiersTransparent(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 64 << 20})
	cases := []struct{ src, want string }{
		{`JSON.stringify({a: [1, 'é', null, true, -12.5], b: new String('s'), c: new Uint8Array(2), d: undefined})`, `{"a":[1,"é",null,true,-12.5],"b":"s","c":{"0":0,"1":0}}`},
		{`JSON.stringify({a: {b: [1]}}, null, 2)`, "{\n  \"a\": {\n    \"b\": [\n      1\n    ]\n  }\n}"},
		{`JSON.stringify('"\\\u0001\ud800😀')`, `"\"\\\u0001\ud800😀"`},
		{`JSON.stringify(new Array(2**20).fill(123456)).length`, "7340033"},
		{`JSON.stringify('x'.repeat(2**24)).length`, "16777218"},
		{`JSON.stringify('é'.repeat(2**23)).length`, "8388610"},
		{`encodeURIComponent('a b/é€😀') + encodeURI(' /?#') + escape('a b/é€')`, `a%20b%2F%C3%A9%E2%82%AC%F0%9F%98%80%20/?#a%20b/%E9%u20AC`},
		{`encodeURIComponent({toString() { return 'x y' }}) + encodeURI() + escape(1.5)`, `x%20yundefined1.5`},
		{`encodeURIComponent('a'.repeat(2**24)).length`, "16777216"},
		{`try { encodeURI('\ud800') } catch (e) { e.name }`, "URIError"},
		{`encodeURI.name + encodeURIComponent.length + escape.name + escape.length`, "encodeURI1escape1"},
	}
	for _, c := range cases {
		v, err := vm.RunString(c.src)
		if err != nil || v.String() != c.want {
			t.Errorf("%s: got %v, %v; want %q", c.src, v, err, c.want)
		}
	}
}

// No Go symbol reaches a script: a native function goja makes from an
// unnamed Go function is named after it (github.com/...(*guards).invoke.
// func1), which showed in every stack trace through a bound built-in and
// through the op helper.
func TestGuardNativesHaveJSNames(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, src := range []string{
		`Array.prototype.map.bind([1], function () { return new Error().stack })()[0]`,
		`Function.prototype.call.bind(function () { return new Error().stack })()`,
		`var s; try { var a = 2n ** 40n; 1n << a } catch (e) { s = e.stack } s`,
		`var s, o = {p: 1n}; o.p <<= {[Symbol.toPrimitive]() { s = new Error().stack; return 1n }}; s`,
		`var s; class S { static #q = 1n; static m(r) { (S.#q) <<= r } } S.m({valueOf() { s = new Error().stack; return 2n }}); s`,
		`var s; JSON.stringify({a: 1}, function (k, v) { if (k) s = new Error().stack; return v }); s`,
		`""[` + "\"" + OpHelper + "\"" + `].name`,
	} {
		out, err := RewriteOps(src) // as every compile path does
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		v, err := vm.RunString(out)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if s := v.String(); s == "" || strings.Contains(s, "github.com") || strings.Contains(s, ".func") || strings.Contains(s, "-fm") {
			t.Errorf("%s: a Go name reaches the script: %q", src, s)
		}
	}
}

// Case mapping grows some characters (ΐ: 3 upper-cased, İ: 2 lower-cased)
// and goja maps a whole string in one Go step: the result is bounded.
func TestCaseMappingBounded(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 64 << 20})
	expectRangeErrors(t, vm, []string{
		`'\u0390'.repeat(2**24).toUpperCase()`,
		`'\ufb03'.repeat(2**24).toLocaleUpperCase()`,
		`String.prototype.toUpperCase.call({toString() { return '\u00df'.repeat(2**25) }})`,
		`'\u0130'.repeat(2**25).toLowerCase()`,
	})
	for _, c := range []struct{ src, want string }{
		{`['aßΐﬃİ'.toUpperCase(), 'AİΣ'.toLowerCase(), 'é'.toLocaleUpperCase(), String.prototype.toUpperCase.call(12)].map(s => Array.from(s, c => c.codePointAt(0).toString(16)).join()).join('|')`,
			"41,53,53,399,308,301,46,46,49,130|61,69,307,3c2|c9|31,32"},
		{`'é'.repeat(2**22).toUpperCase().length + '|' + 'x'.repeat(2**25).toUpperCase().length + '|' + '\u0390'.repeat(2**20).toUpperCase().length`, "4194304|33554432|3145728"},
		{`String.prototype.toUpperCase.name + String.prototype.toLowerCase.length`, "toUpperCase0"},
		{`try { String.prototype.toUpperCase.call(null) } catch (e) { e.name }`, "TypeError"},
	} {
		v, err := vm.RunString(c.src)
		if err != nil || v.String() != c.want {
			t.Errorf("%s: got %v, %v; want %q", c.src, v, err, c.want)
		}
	}
}
