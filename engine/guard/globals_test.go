package guard

import (
	"strings"
	"testing"
)

// The guards of the globals made on first use (globals.go, depthKit) keep
// goja's originals, not what a script put in their place before that use:
// each case tampers first, then attacks, in a lazy VM and an eager one.
func TestHookedGlobalsIgnoreTampering(t *testing.T) {
	tampers := []struct{ name, src string }{
		{"weakmap-methods", `WeakMap.prototype.get = function () { return 0 }; WeakMap.prototype.set = function () { return this };`},
		{"weakmap-global", `globalThis.WeakMap = function () { return {get() { return 0 }, set() {}} };`},
		{"reflect-global", `globalThis.Reflect = {apply(f, t, a) { return 0 }, construct(c, a, n) { return {} }, setPrototypeOf() { return true }, has() { return false }};`},
		{"typeerror-global", `globalThis.TypeError = function () { return {notAnError: true} };`},
		{"bind-replaced", `Function.prototype.bind = function () { return function () {} };`},
		{"json-parse-replaced", `JSON.parse = function () { return {} };`},
		{"error-globals", `globalThis.RangeError = function () { return {fake: 1} }; globalThis.SyntaxError = globalThis.RangeError;`},
	}
	attacks := []struct{ name, src, want string }{
		// The proxy and bound-function chains count their depth in the
		// kit's weak table.
		{"proxy-chain", `let p = {}; for (let i = 0; i < 200; i++) p = new Proxy(p, {}); "no error"`, "RangeError"},
		{"bind-chain", `let f = function () {}; for (let i = 0; i < 200; i++) f = OrigBind.call(f, null); "no error"`, "RangeError"},
		// The ownKeys shim's TypeError is goja's.
		{"ownkeys-typeerror", `let r; try { Object.keys(new Proxy({}, {ownKeys() { return [1] }})); r = "no error" } catch (e) { r = e instanceof OrigTypeError ? "TypeError" : "fake: " + JSON.stringify(e) } r`, "TypeError"},
		// flat's JS (the recursion kit) uses the kept Reflect.
		{"flat", `String([[1, [2, [3]]]].flat(Infinity))`, "1,2,3"},
		// A JSON.parse reviver walks with goja's parse.
		{"reviver", `String(OrigParse('{"a": [1, 2]}', function (k, v) { return v }).a)`, "1,2"},
		// split through a species constructor runs splitProg with the
		// kept Reflect.
		// The allocation guards' RangeError, and the source checks'
		// SyntaxError, are goja's.
		{"alloc-rangeerror", `"x".repeat(2 ** 40)`, "RangeError"},
		{"nesting-syntaxerror", `let r; try { eval("[".repeat(1e5)) } catch (e) { r = e instanceof OrigSyntaxError ? "SyntaxError" : "fake" } r`, "SyntaxError"},
		{"split-species", `class R extends RegExp { static get [Symbol.species]() { return RegExp } } "a,b,c".split(new R(",")).join("|")`, "a|b|c"},
	}
	for _, eager := range []bool{false, true} {
		for _, tm := range tampers {
			for _, at := range attacks {
				vm := guardedVM(t, Config{Eager: eager, MaxDepth: 100})
				src := `const OrigTypeError = TypeError, OrigRangeError = RangeError, OrigSyntaxError = SyntaxError, OrigParse = JSON.parse, OrigBind = Function.prototype.bind;` + tm.src + `
					(function () { try { return String(eval(` + "`" + at.src + "`" + `)) } catch (e) { return e instanceof OrigRangeError ? "RangeError" : "error: " + e } })()`
				v, err := vm.RunString(src)
				if err != nil {
					t.Errorf("eager=%v %s, %s: %v", eager, tm.name, at.name, err)
					continue
				}
				if v.String() != at.want {
					t.Errorf("eager=%v %s, %s: got %q, want %q", eager, tm.name, at.name, v, at.want)
				}
			}
		}
	}
}

// bind's bound-argument total survives a script's WeakMap methods: the
// count lives in goja's WeakMap, called through goja's get and set.
func TestBoundArgsIgnoreWeakMapTampering(t *testing.T) {
	for _, eager := range []bool{false, true} {
		vm := guardedVM(t, Config{Eager: eager, MaxAllocBytes: 8 << 20}) // 32 Ki arguments
		v, err := vm.RunString(`
			WeakMap.prototype.get = function () { return 0 };
			WeakMap.prototype.set = function () { return this };
			const a = new Array(20000).fill(0);
			let f = function () {}, r = "no error";
			try { for (let i = 0; i < 64; i++) f = f.bind(null, ...a) } catch (e) { r = e.name + ": " + e.message }
			r`)
		if err != nil || !strings.Contains(v.String(), "RangeError: Function.prototype.bind: 40000 bound arguments") {
			t.Errorf("eager=%v: got %v %v, want bind's RangeError at 40000 arguments", eager, v, err)
		}
	}
}
