package guard

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// restContexts are sources with an object rest in every place a pattern
// can hold one; S stands for the source the rest copies.
var restContexts = []string{
	`const {a: {...r}} = {a: S}; r`,
	`let {a: {b: {...s}, ...r}} = {a: {b: S, c: 1}}; s`,
	`var [{...r}] = [S]; r`,
	`var [, ...[{...r}]] = [0, S]; r`,
	`const {a: {...r} = S} = {}; r`,
	`var r; for (let {a: {...q}} = {a: S}; ; ) { r = q; break } r`,
	`var r; for (const {...q} of [S]) r = q; r`,
	`var r; for (var [{...q}] of [[S]]) { r = q } r`,
	`function f() { for (const {...q} of [S]) return q } f()`,
	`var r; for (const {...q} of [S]) if (!q) r = 0; else r = q; r`,
	`var r; L: for (const {...q} of ([S])) do { r = q; break L } while (0); r`,
	`var r; for (const {...q} of [S]) (r = (q));`,
	`var r; for (const {...q} of [S]) try { r = q } finally {} r`,
	`var r; for (const [{...q}] of [[S]]) for (const x of [q]) r = x; r`,
	`var r; for (let {...q} in {[S]: 1}) { r = q } r`,
	`var r; try { throw S } catch ({...q}) { r = q } r`,
	`var r; try { throw [S] } catch ([{...q}]) { r = q } r`,
	`function f({...q}) { return q } f(S)`,
	`function f(x, {a: {...q}} = {a: S}) { return q } f(1)`,
	`function f(...{0: {...q}}) { return q } f(S)`,
	`var f = ({...q}) => q; f(S)`,
	`var f = (y, [{...q}]) => (q); f(0, [S])`,
	`var f = async ({...q}) => { return q }, r; f(S).then(v => { r = v }, e => { r = e }); r`,
	`function* g({...q}) { yield q } g(S).next().value`,
	`class C { constructor({...q}) { this.q = q } } new C(S).q`,
	`var o = { set v({...q}) { this.q = q } }; o.v = S; o.q`,
	`var r; ({a: {...r}} = {a: S}); r`,
	`var r; [{...r}] = [S]; r`,
	`var r, x; ({a: [x, {...r}]} = {a: [0, S]}); r`,
	`var r; ({a: {...r} = S} = {}); r`,
	`var r; for ({...r} of [S]); r`,
	`var r; for ([{...r}] of [[S]]); r`,
	`var o = {}; ({a: {...o.p}} = {a: S}); o.p`,
}

// Every context computes what it computes without the rewrite, for a
// source passed as it is and one passed behind the helper's proxy.
func TestRestContextsSameResults(t *testing.T) {
	sources := []string{`{x: 1, y: [2], [Symbol.for("s")]: 3}`, `"ab".repeat(3000)`, `"xyz"`, `null`}
	for _, c := range restContexts {
		for _, s := range sources {
			src := strings.ReplaceAll(c, "S", s)
			// the completion value, as JSON with the symbol's presence
			src = `var __res = (function () { return eval(` + "`" + src + "`" + `) })(); ` +
				`__res === undefined ? "undefined" : JSON.stringify(__res).length + ":" + Object.keys(__res).length + ":" + Object.getOwnPropertySymbols(__res).length`
			plain, guarded, _ := runBoth(t, src)
			if plain != guarded {
				t.Errorf("%s\nplain:   %s\nguarded: %s", strings.ReplaceAll(c, "S", s), plain, guarded)
			}
		}
	}
}

// Every context routes its rest through the helper: a source past the
// cap is a RangeError, not a copy made in one instruction.
func TestRestContextsBounded(t *testing.T) {
	for _, c := range restContexts {
		src := strings.ReplaceAll(c, "S", `"ab".repeat(2 ** 20)`)
		out, err := RewriteOps(src)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		vm := guardedVM(t, Config{})
		got := outcome(vm, out)
		if strings.Contains(c, "async") { // rejected: r is the error once the jobs ran
			got = outcome(vm, `r instanceof RangeError ? "throws RangeError" : String(r)`)
			got = strings.TrimPrefix(got, "string ")
		}
		if !strings.HasPrefix(got, "throws RangeError") {
			t.Errorf("%s: %s, want a RangeError\nrewritten: %s", c, got, out)
		}
	}
}

// The rewrite keeps what it does not move where it is, in order: getters
// and defaults in an assignment pattern run as before, and a rest in a
// parameter or for head sees the values in order.
func TestRestOrder(t *testing.T) {
	cases := []string{
		`var log = []; var e = {get a() { log.push("a"); return {p: 1, q: 2} }, get b() { log.push("b"); return 3 }}; var r, b; ({a: {p: log[log.length], ...r}, b} = e); [JSON.stringify(r), b, log.join()].join()`,
		`var log = []; var e = {get a() { log.push("a"); return undefined }}; var r; ({a: {...r} = (log.push("d"), {z: 1})} = e); [JSON.stringify(r), log.join()].join()`,
		`var r; try { ({a: {...r}} = {a: null}) } catch (x) { r = x.constructor.name } r`,
		`var r; try { const {a: {...q}} = {}; } catch (x) { r = x.constructor.name } r`,
		`function f({...q}) { return arguments.length + ":" + f.length + ":" + JSON.stringify(q) } f({a: 1}, 2)`,
		`function f(a, {...q} = {d: 1}, c) { return f.length + JSON.stringify(q) } f(0) + f(0, {e: 2})`,
		`var f = ({a, ...q}) => ({a, q}); JSON.stringify(f({a: 1, b: 2}))`,
		`var n = 0; for (const {a, ...q} of [{a: 1, b: 2}, {a: 3, c: 4}]) { if (a === 3) break; n += Object.keys(q).length } n`,
		`var fs = []; for (const {...q} of [{a: 1}, {a: 2}]) fs.push(() => q.a); fs.map(f => f()).join()`,
		`var n = 0; L: for (const {...q} of [{a: 1}, {a: 2}]) { for (;;) { n += q.a; continue L } } n`,
		`var r = []; for (let {...q} in {x: 1}) r.push(typeof q.length); r.join()`,
	}
	for _, src := range cases {
		plain, guarded, out := runBoth(t, src)
		if plain != guarded {
			t.Errorf("%s\nplain:   %s\nguarded: %s\nrewritten: %s", src, plain, guarded, out)
		}
	}
}

// What the rewrite cannot express is refused, never compiled unguarded.
func TestRestRefused(t *testing.T) {
	for _, src := range []string{
		`async function f(e) { ({a: {b = await 1, ...r}} = e) }`,
		`function* g(e) { var r; ({a: {[yield]: x, ...r}} = e) }`,
		`for (const {...r} of xs) for (;;) break;`,
	} {
		if _, err := RewriteOps(src); err == nil {
			t.Errorf("%s: rewritten, want refused", src)
		}
	}
}

// The rewritten sources parse: the rewrite's own output is valid.
func TestRestRewriteParses(t *testing.T) {
	for _, c := range restContexts {
		src := strings.ReplaceAll(c, "S", `s`)
		out, err := RewriteOps(src)
		if err != nil {
			t.Errorf("%s: %v", c, err)
			continue
		}
		if out == src {
			t.Errorf("%s: not rewritten", c)
		}
		if _, err := parser.ParseFile(nil, "", out, 0, ParserOptions()...); err != nil {
			t.Errorf("%s: rewritten does not parse: %v\n%s", c, err, out)
		}
		if !strings.Contains(out, `](50,`) {
			t.Errorf("%s: no spread helper in %s", c, out)
		}
	}
	_ = goja.Undefined
}

// The Function constructors rewrite their parameters and body as one
// source: a parameter's rest moves into the body.
func TestRestFunctionConstructors(t *testing.T) {
	vm := guardedVM(t, Config{})
	for _, c := range []struct{ src, want string }{
		{`new Function("x, {a: {...r}}", "return x + JSON.stringify(r)")(1, {a: {b: 2}})`, `string 1{"b":2}`},
		{`Function("{...r}", "/* c */ return Object.keys(r).length")("abc")`, `number 3`},
		{`new Function("{...r}", "return r")("ab".repeat(2 ** 20))`, `throws RangeError`},
		{`Function("a", "b = {}", "{...r} = 'xy'", "return a + b.q + r[1]")(1)`, `string NaNy`},
		{`new Function("{...r}", "'use strict'; return r")`, `throws SyntaxError`},
		{`Object.getPrototypeOf(function* () {}).constructor("{...r}", "yield r")("ab".repeat(2 ** 20)).next()`, `throws RangeError`},
		{`var s = "/*x*/"; Function("{...r}", "return '\\n) {' + s + Object.keys(r).length")("ab")`, "string \n) {/*x*/2"},
	} {
		if got := outcome(vm, c.src); got != c.want {
			t.Errorf("%s: %s, want %s", c.src, got, c.want)
		}
	}
}
