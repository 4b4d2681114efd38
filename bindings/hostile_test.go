package bindings_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// The hostile battery: each case spawns a hostile isolate next to a sibling
// that ticks every 10 ms, and checks that the hostile one stops with the
// expected error, that the sibling never stalls, that no goroutine is left
// (runJS checks goleak) and that the process stays under an RSS cap. The
// same cases live in scripts/hostile/run.js (TestHostileScriptsInSync keeps
// it equal) and run with `isobox scripts/hostile/run.js <name>`.

// hostileMaxGapMs is the longest the sibling may go without a tick. It is a
// stall detector, not a timing goal: the stalls these attacks caused before
// they were fixed were seconds to minutes long, while a shared CI machine
// under -race can delay a healthy 10 ms ticker by a few hundred ms. The
// timing goal (250 ms) is checked only with ISOBOX_STRICT_TIMING=1, on a
// quiet machine; the gaps are always logged.
var hostileMaxGapMs = func() int64 {
	if os.Getenv("ISOBOX_STRICT_TIMING") == "1" {
		return 250
	}
	return 2000
}()

// hostileRSSCapMB caps the process's peak RSS (VmHWM) over the battery:
// 1536 MB, or 2560 MB under -race, whose shadow memory roughly doubles what
// the memory cases (a 256 MB host ceiling, 64 MB limits overshooting to
// ~240 MB) leave resident.
var hostileRSSCapMB = map[bool]int64{false: 1536, true: 2560}[raceEnabled]

type hostileCase struct {
	name   string
	fn     string // the hostile isolate's entry, a JS function expression
	limits string // a JS object literal
	want   string // error name its error listener must get; "" = none; "LIMIT": a RangeError or any ResourceLimitError; "ANY": anything but a hang or an internal error
	limit  string // the error's limit field, when want is ResourceLimitError
	host   []engine.HostOption
}

var hostileCases = []hostileCase{
	{name: "busy-loop-maxTaskMs", fn: `() => { while (true) {} }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "busy-loop-cpuMs", fn: `() => { setInterval(() => { for (let i = 0; i < 1e6; i++); }, 1) }`, limits: `{cpuMs: 150}`, want: "ResourceLimitError", limit: "cpuMs"},
	{name: "busy-loop-killed-from-outside", fn: `"KILL"`, limits: `{}`, want: ""},
	{name: "promise-job-loop", fn: `() => { Promise.resolve().then(() => { while (true) {} }) }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "async-loop", fn: `async () => { for (;;) await null }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "busy-loop-inside-wrapped-native", fn: `() => { [1].forEach(() => { 'ab'.repeat(2).split('').map(() => { while (true) {} }) }) }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "js-recursion", fn: `() => { const f = () => f(); f() }`, limits: `{}`, want: "RangeError"},
	{name: "recursion-through-forEach", fn: `() => { const f = () => [1].forEach(f); f() }`, limits: `{}`, want: "RangeError"},
	{name: "recursion-through-toJSON", fn: `() => { const o = {toJSON() { return JSON.stringify(o) }}; JSON.stringify(o) }`, limits: `{}`, want: "RangeError"},
	{name: "recursion-through-map", fn: `() => { const f = () => [1, 2].map(f); f() }`, limits: `{}`, want: "RangeError"},
	// At the default 10,000 levels goja takes ~8 s (20 s and more under
	// -race) to unwind a getter recursion, re-panicking at each level
	// (engine/guard/audit.md); 2,000 levels test the same bound 25x faster.
	{name: "recursion-through-getter", fn: `() => { const o = {get x() { return this.x }}; o.x }`, limits: `{maxStackDepth: 2000}`, want: "RangeError"},
	{name: "repeat-2e40", fn: `() => 'x'.repeat(2**40)`, limits: `{}`, want: "RangeError"},
	{name: "repeat-2e62", fn: `() => 'x'.repeat(2**62)`, limits: `{}`, want: "RangeError"},
	{name: "arraybuffer-2e40", fn: `() => new ArrayBuffer(2**40)`, limits: `{}`, want: "RangeError"},
	{name: "float64array-2e40", fn: `() => new Float64Array(2**40)`, limits: `{}`, want: "RangeError"},
	{name: "array-join-2e32", fn: `() => new Array(2**32-1).join('x')`, limits: `{}`, want: "RangeError"},
	{name: "padEnd-2e40", fn: `() => 'x'.padEnd(2**40)`, limits: `{}`, want: "RangeError"},
	{name: "array-from-length-2e40", fn: `() => Array.from({length: 2**40})`, limits: `{}`, want: "RangeError"},
	// String + goes through the op helper (engine/guard/rewrite.go), which
	// bounds the result by the isolate's allocation cap: the step that
	// would pass it throws a RangeError, or the monitor stops it first.
	{name: "string-doubling-memoryMb", fn: `() => { let s = 'x'; for (;;) s = s + s + '' }`, limits: `{memoryMb: 64}`, want: "LIMIT", limit: "memoryMb"},
	{name: "push-loop-memoryMb", fn: `() => { const a = []; for (let i = 0; ; i++) a.push({i}) }`, limits: `{memoryMb: 64}`, want: "ResourceLimitError", limit: "memoryMb"},
	{name: "map-growth-memoryMb", fn: `() => { const m = new Map(); for (let i = 0; ; i++) m.set(i, 'v' + i) }`, limits: `{memoryMb: 64}`, want: "ResourceLimitError", limit: "memoryMb"},
	{name: "map-growth-over-timers-memoryMb", fn: `() => { const m = new Map(); let i = 0; setInterval(() => { for (let k = 0; k < 20000; k++, i++) m.set(i, {i}) }, 1) }`, limits: `{memoryMb: 64}`, want: "ResourceLimitError", limit: "memoryMb"},
	// Several isolates without limits of their own, each making a 64 MB
	// result in one instruction a step, by four routes: the host ceiling
	// holds for the group because each step is reserved before it is made
	// (engine/reserve.go); the step that would pass it throws a RangeError.
	{name: "several-one-step-growers-host-ceiling", fn: "async () => { await Promise.all([" +
		"() => { const s = 'x'.repeat(2 ** 25); const keep = []; for (;;) keep.push(s + s) }, " +
		"() => { const s = 'x'.repeat(2 ** 25); const keep = []; for (;;) keep.push(`${s}${s}`) }, " +
		"() => { const s = 'x'.repeat(2 ** 25); const keep = []; for (;;) keep.push([s, s].join('')) }, " +
		"() => { const keep = []; for (;;) keep.push(new Uint8Array(2 ** 26).fill(1)) }].map(f => Isolate.run(f))) }", limits: `{}`, want: "LIMIT", host: []engine.HostOption{engine.WithMemoryLimit(256)}},
	{name: "push-loop-host-ceiling", fn: `() => { const a = []; for (let i = 0; ; i++) a.push({i, s: 'x' + i}) }`, limits: `{}`, want: "ResourceLimitError", limit: "hostMemoryMb", host: []engine.HostOption{engine.WithMemoryLimit(128)}},
	// goja's parser reads the file a sourceMappingURL comment names, on the
	// compiling goroutine: /dev/zero read until Go's fatal out of memory.
	// goja parses a whole source into its AST in Go, ~60 bytes a token,
	// with no JS step: 3e7 tokens ran 27 s and 3.6 GB nothing could stop.
	{name: "eval-huge-source", fn: `() => eval("0,".repeat(3e7) + "0")`, limits: `{}`, want: "SyntaxError"},
	{name: "function-ctor-huge-source", fn: `() => new Function("a;".repeat(2.5e6))`, limits: `{memoryMb: 64}`, want: "SyntaxError"},
	// goja's parser panics on the escape of the last code point (a valid
	// literal): in a file it ended the process before the first line ran.
	{name: "parser-panic-max-rune", fn: "() => { if ('\\u{10FFFF}'.length + eval(\"'\\\\u{10FFFF}'\").length + new Function('return `\\\\u{10ffff}`')().length !== 6) throw new Error('wrong') }", limits: `{}`, want: ""},
	{name: "sourcemap-url-dev-zero", fn: `() => [eval("1\n//# sourceMappingURL=/dev/zero"), new Function("return 2\n//# sourceMappingURL=/dev/zero")(), (0, eval)("3\n//# sourceMappingURL=file:///dev/zero")]`, limits: `{}`, want: ""},
	{name: "json-parse-deep-2e7", fn: `() => JSON.parse('['.repeat(2e7) + ']'.repeat(2e7))`, limits: `{}`, want: "RangeError"},
	{name: "json-stringify-deep-2e5", fn: `() => { let a = []; for (let i = 0; i < 2e5; i++) a = [a]; JSON.stringify(a) }`, limits: `{}`, want: "RangeError"},
	{name: "json-stringify-lazy-infinite", fn: `() => { const mk = () => ({get x() { return mk() }}); JSON.stringify(mk()) }`, limits: `{}`, want: "RangeError"},
	// JSON.stringify's text and the URI / escape encoders' results were
	// not bounded: one string held 1000 times, or one string at the cap
	// encoded 9x, ended the process with a fatal out of memory.
	{name: "json-stringify-repeated-string", fn: `() => { const s = 'x'.repeat(2**24); JSON.stringify(new Array(1000).fill(s)) }`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "json-stringify-repeated-key", fn: `() => { const k = 'k'.repeat(2**22), a = []; for (let i = 0; i < 1000; i++) a.push({[k]: 1}); JSON.stringify(a) }`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "json-stringify-escapes-6x", fn: `() => JSON.stringify('\u0001'.repeat(2**24))`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "encodeURIComponent-9x", fn: `() => encodeURIComponent('\u0800'.repeat(2**24))`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "escape-6x", fn: `() => escape({toString() { return '\u0800'.repeat(2**24) }})`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "urlsearchparams-repeated-value", fn: `() => { const p = new URLSearchParams(), s = 'x'.repeat(2**24); for (let i = 0; i < 1000; i++) p.append('a', s); p.toString() }`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "url-huge-non-ascii", fn: `() => new URL('http://x/' + '\u0800'.repeat(2**22))`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "toUpperCase-3x", fn: `() => '\u0390'.repeat(2**25).toUpperCase()`, limits: `{memoryMb: 64, maxTaskMs: 2000}`, want: "LIMIT"},
	{name: "json-stringify-big-maxTaskMs", fn: `() => { const a = []; for (let i = 0; i < 2e5; i++) a.push({i, s: 'x'}); for (;;) JSON.stringify(a) }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "nested-array-toString-2e5", fn: `() => { let a = []; for (let i = 0; i < 2e5; i++) a = [a]; String(a) }`, limits: `{}`, want: "RangeError"},
	{name: "proxy-chain-2e5", fn: `() => { let p = {}; for (let i = 0; i < 2e5; i++) p = new Proxy(p, {}); p.x }`, limits: `{}`, want: "RangeError"},
	{name: "bind-chain-2e5", fn: `() => { let f = () => 1; for (let i = 0; i < 2e5; i++) f = f.bind(null); f() }`, limits: `{}`, want: "RangeError"},
	{name: "eval-deep-parens", fn: `() => eval('('.repeat(1e6) + '1' + ')'.repeat(1e6))`, limits: `{}`, want: "SyntaxError"},
	{name: "function-ctor-deep-unary", fn: `() => new Function('return ' + '!'.repeat(2e6) + '1')`, limits: `{}`, want: "SyntaxError"},
	{name: "regexp-deep-groups", fn: `() => new RegExp('('.repeat(1e6) + ')'.repeat(1e6) + '\\1')`, limits: `{}`, want: "SyntaxError"},
	// Native-to-native recursion: built-ins calling each other from Go,
	// with no JS frame in between (guard/guards_recursion.go).
	{name: "native-error-name-self", fn: `() => { const e = new Error(); e.name = e; String(e) }`, limits: `{}`, want: "RangeError"},
	{name: "native-toLocaleString-as-toString", fn: `() => { const o = {}; o.toString = Object.prototype.toLocaleString; String(o) }`, limits: `{}`, want: "RangeError"},
	{name: "native-string-method-as-toString", fn: `() => { const o = {}; o.toString = String.prototype.trim; o.valueOf = String.prototype.slice; o + '' }`, limits: `{}`, want: "RangeError"},
	{name: "native-date-toJSON-cycle", fn: `() => { const d = {}; d.toISOString = Date.prototype.toJSON; d.toJSON = Date.prototype.toJSON; JSON.stringify(d) }`, limits: `{}`, want: "RangeError"},
	{name: "native-regexp-source-self", fn: `() => { const o = {flags: ''}; o.source = o; o.toString = RegExp.prototype.toString; String(o) }`, limits: `{}`, want: "RangeError"},
	{name: "native-then-is-finally", fn: `() => { const o = {}; o.then = Promise.prototype.finally; o.then() }`, limits: `{}`, want: "RangeError"},
	// Promise.prototype's guards come with the first promise, by any route
	// (engine/guard/families.go): each case's first promise is the route's.
	{name: "lazy-promise-async-finally", fn: `() => { const p = (async () => 1)(); const o = {}; o.then = p.finally; o.then() }`, limits: `{}`, want: "RangeError"},
	{name: "lazy-promise-function-async-catch", fn: `() => { const p = Function("return (" + String.fromCharCode(97, 115, 121, 110, 99) + " () => 1)()")(); const o = {}; o.then = p.catch; o.then() }`, limits: `{}`, want: "RangeError"},
	{name: "lazy-promise-import-finally", fn: `() => { const p = import("no-such-module"); p.catch(() => {}); const o = {}; o.then = p.finally; o.then() }`, limits: `{}`, want: "RangeError"},
	{name: "lazy-promise-spawn-finally", fn: `() => { const p = Isolate.spawn(() => 1); p.catch(() => {}); const o = {}; o.then = p.finally; o.then() }`, limits: `{}`, want: "RangeError"},
	{name: "native-exec-is-match", fn: `() => { const o = {}; o.exec = RegExp.prototype[Symbol.match]; RegExp.prototype[Symbol.match].call(o, 'x') }`, limits: `{}`, want: "RangeError"},
	{name: "native-proxy-prototype-cycle", fn: `() => { const t = {}; const p = new Proxy(t, {}); Object.setPrototypeOf(t, p); p.x }`, limits: `{}`, want: "TypeError"},
	{name: "native-proxy-prototype-cycle-reflect", fn: `() => { const t = {}; const p = new Proxy(t, {}); if (!Reflect.setPrototypeOf(t, p)) throw new TypeError("refused"); p.x }`, limits: `{}`, want: "TypeError"},
	{name: "native-proxy-prototype-cycle-setter", fn: `() => { const t = {}; const p = new Proxy(t, {getPrototypeOf: () => null}); t.__proto__ = p; p.x }`, limits: `{}`, want: "TypeError"},
	{name: "native-proxy-trap-reflect-apply", fn: `() => { const p = new Proxy(function () {}, {get: Reflect.apply}); p.x }`, limits: `{}`, want: "RangeError"},
	{name: "native-reviver-adds-cycle", fn: `() => JSON.parse('{"a":1,"b":2}', function (k, v) { if (k === 'a') this.b = this; return v })`, limits: `{}`, want: "RangeError"},
	// Guards made on first use (engine/guard: globals.go, regexp_lazy.go),
	// reached by routes a program's text does not show, or after the
	// script replaced what they keep. The sources hold no "/".
	{name: "lazy-regexp-eval-deep-pattern", fn: `() => { const S = String.fromCharCode(47); const R = eval(S + "x" + S).constructor; new R("(".repeat(1e6) + ")".repeat(1e6)) }`, limits: `{}`, want: "SyntaxError"},
	{name: "lazy-regexp-function-deep-pattern", fn: `() => { const S = String.fromCharCode(47); const R = Function("return " + S + "x" + S)().constructor; R("(".repeat(1e6) + ")".repeat(1e6)) }`, limits: `{}`, want: "SyntaxError"},
	{name: "lazy-regexp-compile-deep-pattern", fn: `() => { const S = String.fromCharCode(47); (0, eval)(S + "x" + S).compile("[".repeat(1e6)) }`, limits: `{}`, want: "SyntaxError"},
	{name: "lazy-weakmap-tampered-proxy-chain", fn: `() => { WeakMap.prototype.get = () => 0; WeakMap.prototype.set = function () { return this }; let p = {}; for (let i = 0; i < 1e6; i++) p = new Proxy(p, {}); p.x }`, limits: `{}`, want: "RangeError"},
	{name: "lazy-weakmap-tampered-bound-args", fn: `() => { WeakMap.prototype.get = () => 0; WeakMap.prototype.set = function () { return this }; const a = new Array(60000).fill(0); let f = function () {}; for (let i = 0; i < 4096; i++) f = f.bind(null, ...a); f() }`, limits: `{memoryMb: 64}`, want: "RangeError"},
	{name: "lazy-reflect-replaced-bind-chain", fn: `() => { const bind = Function.prototype.bind; globalThis.Reflect = {apply() { return 0 }, construct() { return {} }}; let f = function () {}; for (let i = 0; i < 1e6; i++) f = bind.call(f, null); f() }`, limits: `{}`, want: "RangeError"},
	{name: "native-flat-self", fn: `() => { const a = []; a[0] = a; a.flat(Infinity) }`, limits: `{}`, want: "RangeError"},
	{name: "native-bound-builtin-cycle", fn: `() => { const o = {}; o.valueOf = Math.abs.bind(null, o); o.toString = String.bind(null, o); +o }`, limits: `{}`, want: "RangeError"},
	{name: "native-pop-length-self", fn: `() => { const o = {length: 1}; o.valueOf = Array.prototype.pop; o.length = o; +o }`, limits: `{}`, want: "RangeError"},
	// Sources the old scanner lexed differently from goja's lexer.
	{name: "nesting-comment-u2028", fn: `() => eval('// c\u2028' + '('.repeat(1e6) + '1' + ')'.repeat(1e6))`, limits: `{}`, want: "SyntaxError"},
	{name: "nesting-comment-cr", fn: `() => new Function('// c\r return ' + '-'.repeat(2e6) + '1')`, limits: `{}`, want: "SyntaxError"},
	{name: "nesting-keyword-property", fn: `() => eval('x.of/[' + '('.repeat(1e6) + '1' + ')'.repeat(1e6) + ']/')`, limits: `{}`, want: "SyntaxError"},
	{name: "nesting-string-newline", fn: `() => eval("'a\n" + '['.repeat(1e6) + "'")`, limits: `{}`, want: "SyntaxError"},
	{name: "nesting-class-subtraction", fn: `() => new RegExp('[a-'.repeat(1e5) + ']'.repeat(1e5) + '(?=a)')`, limits: `{}`, want: "SyntaxError"},
	{name: "nesting-regexp-compile", fn: `() => /x/.compile('('.repeat(1e6) + ')'.repeat(1e6) + '\\1')`, limits: `{}`, want: "SyntaxError"},
	{name: "regexp-original-via-prototype", fn: `() => { const R = Object.getPrototypeOf(RegExp); new R('('.repeat(1e6) + ')'.repeat(1e6) + '\\1') }`, limits: `{}`, want: "TypeError"},
	{name: "typed-array-original-via-prototype", fn: `() => { const F = Object.getPrototypeOf(Float64Array); new F(2 ** 40) }`, limits: `{}`, want: "TypeError"},
	// Guards apply after goja's conversions.
	{name: "json-parse-object-text", fn: `() => JSON.parse({toString() { return '['.repeat(2e6) + ']'.repeat(2e6) }})`, limits: `{}`, want: "RangeError"},
	{name: "match-object-pattern", fn: `() => 'x'.match({toString() { return '('.repeat(1e6) + ')'.repeat(1e6) + '\\1' }})`, limits: `{}`, want: "SyntaxError"},
	// Bindings read script data once, flat.
	{name: "transfer-list-self", fn: `() => { const o = {}; o.transfer = o; new ReceivePort().sendPort.send(1, o) }`, limits: `{}`, want: "TypeError"},
	// Limits the process cannot survive are refused.
	{name: "limit-stack-depth-over-maximum", fn: `() => { const f = () => [1].forEach(f); f() }`, limits: `{maxStackDepth: 1000000}`, want: "TypeError"},
	// Lists built from a script-controlled length (guards_alloc.go): a
	// getter's length is read once, and the sum over a bind chain or a
	// concat's items counts.
	{name: "apply-length-2e40", fn: `() => (function () {}).apply(null, {length: 2**40})`, limits: `{}`, want: "RangeError"},
	{name: "reflect-apply-getter-length", fn: `() => { let n = 0; Reflect.apply(Math.max, null, {get length() { return n++ ? 2**40 : 2**40 }}) }`, limits: `{}`, want: "RangeError"},
	{name: "reflect-construct-2e26", fn: `() => Reflect.construct(Array, {length: 2**26})`, limits: `{maxTaskMs: 1000}`, want: "RangeError"},
	{name: "bind-chain-many-args", fn: `() => { let f = () => 1; const a = new Array(2**16).fill(0); for (;;) f = f.bind(null, ...a) }`, limits: `{memoryMb: 64}`, want: "RangeError"},
	{name: "string-raw-2e40", fn: `() => String.raw({raw: {get length() { return 2**40 }}})`, limits: `{}`, want: "RangeError"},
	{name: "concat-spreadable-2e40", fn: `() => [].concat({get length() { return 2**40 }, [Symbol.isConcatSpreadable]: true})`, limits: `{}`, want: "RangeError"},
	{name: "array-from-getter-length", fn: `() => Array.from({get length() { return 2**32 - 1 }})`, limits: `{}`, want: "RangeError"},
	{name: "indexOf-getter-length-hang", fn: `() => Array.prototype.indexOf.call({get length() { return 2**40 }}, 1)`, limits: `{}`, want: "RangeError"},
	{name: "typedarray-length-redefined", fn: `() => { Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), "length", {get() { return 2**32 - 1 }}); Array.prototype.toReversed.call(new Uint8Array(1)) }`, limits: `{}`, want: "RangeError"},
	{name: "original-ctor-through-prototype", fn: `() => new (Object.getPrototypeOf(ArrayBuffer))(2**40)`, limits: `{}`, want: "TypeError"},
	// Amplifiers: one allowed block, many times its size or minutes of
	// CPU in one native step.
	{name: "keys-of-typed-array", fn: `() => Object.keys(new Uint8Array(2**27))`, limits: `{}`, want: "RangeError"},
	{name: "normalize-nfkd-18x", fn: `() => '\uFDFA'.repeat(2**23).normalize('NFKD')`, limits: `{}`, want: "RangeError"},
	{name: "split-empty-2e26", fn: `() => 'x'.repeat(2**26).split('')`, limits: `{}`, want: "RangeError"},
	{name: "join-long-separator", fn: `() => new Array(2**20).join('x'.repeat(1000))`, limits: `{}`, want: "RangeError"},
	{name: "typed-array-join", fn: `() => new Uint8Array(2**27).join('--')`, limits: `{}`, want: "RangeError"},
	{name: "array-from-typed-array", fn: `() => Array.from(new Uint8Array(2**22))`, limits: `{}`, want: "RangeError"},
	{name: "default-sort-4Mi", fn: `() => 'x,'.repeat(2**22).split(',').sort()`, limits: `{maxTaskMs: 5000}`, want: "RangeError"},
	{name: "typed-array-sort-8Mi", fn: `() => new Float64Array(2**23).sort()`, limits: `{maxTaskMs: 1000}`, want: "RangeError"},
	// BigInt sizes (guards_bigint.go), at compile time and in built-ins.
	// A compound ** on a super or computed private target kept only its
	// exponent bounded: a base of 2**1e6 to the 1e6 ended the process.
	{name: "bigint-super-exp-assign", fn: `() => { const o = {__proto__: {x: 2n ** 1000000n}, m(r) { super.x **= r }}; o.m(1000000n) }`, limits: `{memoryMb: 64, maxTaskMs: 1000}`, want: "RangeError"},
	{name: "bigint-super-computed-exp-assign", fn: `() => { const o = {__proto__: {x: 2n ** 1000000n}, m(k, r) { super[k] **= r }}; o.m('x', 1000000n) }`, limits: `{memoryMb: 64, maxTaskMs: 1000}`, want: "RangeError"},
	{name: "bigint-super-paren-exp-assign", fn: `() => { const o = {__proto__: {x: 2n ** 1000000n}, m(r) { (super['x']) **= r }}; o.m(1000000n) }`, limits: `{memoryMb: 64, maxTaskMs: 1000}`, want: "RangeError"},
	{name: "bigint-private-computed-exp-assign", fn: `() => { class A { #p = 2n ** 1000000n; m(r) { [this][0].#p **= r } } new A().m(1000000n) }`, limits: `{memoryMb: 64, maxTaskMs: 1000}`, want: "RangeError"},
	// goja names a native made from an unnamed Go function after its Go
	// symbol: the bind trampoline and the op helper showed
	// github.com/...(*guards).invoke.func1 in scripts' stack traces.
	{name: "no-go-names-in-stacks", fn: `() => { let a = 2n ** 40n, s = Array.prototype.map.bind([1], () => new Error().stack)()[0]; try { 1n << a } catch (e) { s += e.stack } if (/github[.]com|[.]func[0-9]|-fm/.test(s)) throw new TypeError(s) }`, limits: `{}`, want: ""},
	{name: "bigint-const-shift-eval", fn: `() => eval('(function () { return 1n << (2n ** 40n) })')`, limits: `{}`, want: "RangeError"},
	{name: "bigint-const-pow-function", fn: `() => new Function('return 3n ** (2n ** 27n)')`, limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-asUintN-2e40", fn: `() => BigInt.asUintN(2**40, -1n)`, limits: `{}`, want: "RangeError"},
	{name: "bigint-asUintN-long-decimal", fn: `() => BigInt.asUintN(64, "9".repeat(2e6))`, limits: `{maxTaskMs: 1000}`, want: "RangeError"},
	{name: "bigint-asIntN-long-decimal-object", fn: `() => BigInt.asIntN(64, {toString() { return "7".repeat(2e6) }, valueOf: undefined})`, limits: `{maxTaskMs: 1000}`, want: "RangeError"},
	{name: "bigint-parse-1e7-digits", fn: `() => BigInt('9'.repeat(1e7))`, limits: `{maxTaskMs: 2000}`, want: "RangeError"},
	// BigInt operators on run-time values (engine/guard/rewrite.go): each
	// ended the process with Go's out of memory before.
	{name: "bigint-runtime-var-initializer", fn: `() => { var n = BigInt(2 ** 40); var r = 1n << n; return r }`, limits: `{}`, want: "RangeError"},
	{name: "bigint-runtime-shift", fn: `() => { const n = BigInt(2 ** 40); return 1n << n }`, limits: `{}`, want: "RangeError"},
	{name: "bigint-runtime-sar-negative", fn: `() => { const n = -(2n ** 40n); return 1n >> n }`, limits: `{}`, want: "RangeError"},
	{name: "bigint-runtime-pow", fn: `() => { const b = 2n ** 100000n, e = 100000n; return b ** e }`, limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-runtime-compound-member", fn: `() => { const o = {p: 1n}, n = 2n ** 40n; o.p <<= n }`, limits: `{}`, want: "RangeError"},
	// * of run-time BigInts squares in one instruction; a literal exponent
	// or a long literal shift count grows a value 1000-fold or by a megabit
	// a step; the 100-megabit results then took a minute to print.
	// regexp2 backtracking runs inside one instruction: days at 40
	// characters before its match timeout existed.
	{name: "regexp-backtracking-lookbehind", fn: `() => /^(\w+\s?)*$(?<!x)/.test("a".repeat(40) + "!")`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-backtracking-backref", fn: `() => { for (;;) "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".replace(/^(a|aa)+\1$/, "") }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "object-rest-string", fn: `() => { const s = "x".repeat(2 ** 22); const {...r} = s; return Object.keys(r).length }`, limits: `{}`, want: "RangeError"},
	{name: "object-rest-assign", fn: `() => { const s = new Uint8Array(2 ** 22); let a, r; ({a, ...r} = s); return r }`, limits: `{}`, want: "RangeError"},
	// An object rest anywhere a pattern holds one: nested, in a for head,
	// a catch clause, a parameter, an assignment's nested target (rest.go).
	// The RangeError, or maxTaskMs where making the 4 Mi string and its
	// wrapping take longer than the limit (the race detector).
	{name: "object-rest-nested", fn: `() => { const s = "x".repeat(2 ** 22); const {a: {...r}} = {a: s}; return r }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-nested-array", fn: `() => { const s = new Uint8Array(2 ** 22); let [, [{...r}]] = [0, [s]]; return r }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-for-head", fn: `() => { for (const {...r} of ["x".repeat(2 ** 22)]) return r }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-catch", fn: `() => { try { throw ["x".repeat(2 ** 22)] } catch ([{...r}]) { return r } }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-param", fn: `() => { const f = function (x, {...r}) { return r }; return f(0, new Uint16Array(2 ** 22)) }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-arrow-param", fn: `() => ((...[{...r}]) => r)("x".repeat(2 ** 22))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-assign-nested", fn: `() => { let r; ({p: [{...r}]} = {p: ["x".repeat(2 ** 22)]}); return r }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-for-assign", fn: `() => { let r; for ({...r} of ["x".repeat(2 ** 22)]); return r }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-function-ctor", fn: `() => Function("{a: {...r}}", "return r")({a: "x".repeat(2 ** 22)})`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-nested-limit", fn: `() => { for (;;) { const [{...r}] = [new Uint8Array(2 ** 19)] } }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	// goja's generic paths of the Array methods (a sparse array, an
	// array-like, a string) loop in Go: they run on a stepping proxy.
	{name: "array-fill-sparse", fn: `() => { const a = new Array(2 ** 24); a.fill(0); return a.length }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "array-splice-string", fn: `() => Array.prototype.splice.call("ab".repeat(2 ** 22), 0, 2 ** 31, 1)`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "array-indexOf-arraylike", fn: `() => { let n = 0; for (;;) n += Array.prototype.indexOf.call({length: 2 ** 25}, 1) }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "array-toReversed-sparse", fn: `() => Array(2 ** 25).toReversed().length`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "array-forEach-holes", fn: `() => { Array(2 ** 25).forEach(() => {}); Array(2 ** 25).forEach(() => {}) }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	// A global regexp lists every match in Go before the result: a long
	// subject reserves the most its matches can hold (guards_regexp.go).
	{name: "regexp-match-all-ceiling", fn: `() => "x".repeat(2 ** 26).match(/x/g).length`, limits: `{}`, want: "RangeError", host: []engine.HostOption{engine.WithMemoryLimit(512)}},
	{name: "regexp-split-all-ceiling", fn: `() => "\u00e9".repeat(2 ** 25).split(/(?:)/u).length`, limits: `{}`, want: "RangeError", host: []engine.HostOption{engine.WithMemoryLimit(512)}},
	// Compiling a pattern takes ~250 bytes a character in one Go step.
	{name: "regexp-huge-pattern", fn: `() => new RegExp("ab".repeat(2 ** 26)).source.length`, limits: `{}`, want: "RangeError"},
	// Go's regexp takes pattern × subject NFA steps in one instruction,
	// and a find-all can rescan the rest of the subject after every match
	// (quadratic): regexp_work.go searches first, interruptibly.
	{name: "regexp-nfa-wide-exec", fn: `() => new RegExp("a".repeat(2 ** 16)).exec("a".repeat(2 ** 16))`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-wide-test", fn: `() => { const r = new RegExp("(?:a|b)".repeat(2 ** 13)); for (;;) r.test("ab".repeat(2 ** 15)) }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-wide-search", fn: `() => "a".repeat(2 ** 16).search(new RegExp("a".repeat(2 ** 16)))`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-findall-replace", fn: `() => "a".repeat(1e5).replace(/.*b|a/g, "")`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-findall-match", fn: `() => "a".repeat(1e5).match(/.*b|a/g)`, limits: `{cpuMs: 300}`, want: "ResourceLimitError", limit: "cpuMs"},
	{name: "regexp-nfa-findall-split", fn: `() => "a".repeat(1e5).split(/.*b|a/)`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-findall-unicode", fn: `() => "\u00e9".repeat(1e5).replaceAll(/.*b|\u00e9/gu, () => "")`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-matchall", fn: `() => [..."a".repeat(1e5).matchAll(/.*b|a/g)].length`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-nfa-generic-path", fn: `() => { class R extends RegExp {} return "a".repeat(1e5).replace(new R(".*b|a", "g"), "") }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp2-findall-lookbehind", fn: `() => "a".repeat(1e5).replace(/.*b|(?<!x)a/g, "")`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp2-findall-non-ascii", fn: `() => "\u00e9".repeat(1e5).match(/.*b|\u00e9/g)`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	// Go's regexp expands counted repetitions: 21,000 characters compiled
	// to 3 M instructions, 700 MB (regexp_size.go).
	{name: "regexp-repeat-program", fn: `() => new RegExp("x{1000}".repeat(3000)).source.length`, limits: `{memoryMb: 64}`, want: "RangeError"},
	{name: "regexp-repeat-program-alternation", fn: `() => "abc".search("(?:ab|cd){1000}".repeat(300))`, limits: `{}`, want: "RangeError"},
	{name: "regexp-repeat-literals", fn: `() => eval("/" + "x{1000}".repeat(3000) + "/").source.length`, limits: `{}`, want: "SyntaxError"},
	{name: "regexp-match-list-memoryMb", fn: `() => "x".repeat(2 ** 23).match(/x/g).length`, limits: `{memoryMb: 64}`, want: "RangeError"},
	{name: "regexp2-split-list-memoryMb", fn: `() => "\u00e9".repeat(2 ** 23).split(/(?:)/).length`, limits: `{memoryMb: 64}`, want: "LIMIT"},
	// goja dereferenced nil on an ownKeys result with holes: an
	// uncatchable internal error (FuzzHostileGrammar); the handler shim
	// reads the result first (guards_depth.go).
	{name: "proxy-ownkeys-holes", fn: `() => { try { Reflect.ownKeys(new Proxy({}, {ownKeys: () => ({length: 2 ** 40})})) } catch (e) { throw new RangeError(e.name) } }`, limits: `{}`, want: "RangeError"},
	{name: "proxy-ownkeys-for-in", fn: `() => { for (const k in new Proxy({}, {ownKeys: () => ({length: 2})})); }`, limits: `{}`, want: "TypeError"},
	// A dense array's entries are ~10x its elements, made in one Go step.
	{name: "amplifier-entries-of-array", fn: `() => Object.entries(Array.from(new Uint8Array(2 ** 22))).length`, limits: `{}`, want: "RangeError"},
	// The split's splitter comes from this's species: a standard RegExp
	// of the script's choosing, searched by goja's fast path.
	{name: "regexp-split-species", fn: `() => { class R extends RegExp { static get [Symbol.species]() { return function () { return /.*b|a/y } } } return "a".repeat(1e5).split(new R("x")).length }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-split-constructor", fn: `() => { const r = /x/; r.constructor = {[Symbol.species]: function () { return /.*b|a/y }}; return "a".repeat(1e5).split(r).length }`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	// normalize ran ~230 ns a character in one Go step.
	{name: "normalize-long-nfd", fn: `() => "\u00e9".repeat(2 ** 24).normalize("NFD").length`, limits: `{maxTaskMs: 200}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "regexp-huge-pattern-search", fn: `() => String.prototype.search.call(-0, "ab".repeat(2 ** 22))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "object-rest-limit", fn: `() => { for (;;) { const {...r} = new Uint8Array(2 ** 19) } }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "bigint-runtime-mul-chain", fn: `() => { let x = 2n ** 500000n; for (;;) x = x * x }`, limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-runtime-mul-compound", fn: `() => { let x = 3n ** 400000n; for (;;) x *= x }`, limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-runtime-pow-literal", fn: `() => { let x = 2n ** 100000n + 1n; x = x ** 1000n; return String(x).length }`, limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-runtime-shift-literal", fn: "() => { let x = 1n; for (let i = 0; i < 200; i++) x <<= 1000000n; return `${x}`.length }", limits: `{maxTaskMs: 200}`, want: "RangeError"},
	// x >> -n shifts left, and a few layouts passed only the right operand
	// through the helper, which let an exponent of 2 square a value of any
	// size a step: 16 megabits in four steps printed for seconds.
	{name: "bigint-runtime-sar-negative-literal", fn: "() => { let x = 1n; for (let i = 0; i < 40; i++) x >>= -1000000n; return `${x}`.length }", limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-paren-private-square", fn: "() => { class C { #p = 2n ** 1000000n; g() { return this } m() { for (let i = 0; i < 5; i++) (this.g().#p) **= 2n; return `${this.#p}`.length } } return new C().m() }", limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-tagged-template-square", fn: "() => { const t = () => 2n; let x = 2n ** 1000000n; for (let i = 0; i < 5; i++) x = x ** t``; return `${x}`.length }", limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-new-valueOf-square", fn: "() => { let v = 2n ** 1000000n; function F() {} F.prototype.valueOf = () => v; for (let i = 0; i < 5; i++) v = new F() ** 2n; return `${v}`.length }", limits: `{maxTaskMs: 200}`, want: "RangeError"},
	{name: "bigint-runtime-valueOf", fn: `() => 1n << {valueOf() { return 2n ** 40n }}`, limits: `{}`, want: "RangeError"},
	{name: "bigint-runtime-eval", fn: `() => { globalThis.n = 2n ** 40n; return eval('1n << n') }`, limits: `{}`, want: "RangeError"},
	// import() calls were found one parse each, every parse up to the next
	// call: 255 at the end of an eval source was quadratic in one step.
	{name: "import-many-calls-eval", fn: `() => { eval('a = 1;\n'.repeat(25000) + 'x => import(x);\n'.repeat(255)) }`, limits: `{maxTaskMs: 2000}`, want: ""},
	// esbuild loaded a data: URL module itself, past the nesting check:
	// a deep one ended the process (Go stack overflow in its parser).
	{name: "import-deep-data-url", fn: `() => import('data:text/javascript,' + '('.repeat(3e5) + '1' + ')'.repeat(3e5))`, limits: `{}`, want: "Error"},
	// Object spread of a string or typed array (guards_ops.go spread).
	{name: "spread-string-16Mi", fn: `() => ({...'x'.repeat(2**24)})`, limits: `{}`, want: "RangeError"},
	{name: "spread-typed-array-limit", fn: `() => { for (;;) ({...new Uint8Array(2**19)}) }`, limits: `{maxTaskMs: 100}`, want: "ResourceLimitError", limit: "maxTaskMs"},
	{name: "bigint-toString-huge", fn: `() => { let a = 2n ** 1000000n; a = a * a * a; a.toString() }`, limits: `{maxTaskMs: 1000}`, want: "RangeError"},
	{name: "spawn-bomb", fn: `() => { const f = () => { Isolate.spawn(f); Isolate.spawn(f); new ReceivePort(); }; return (async () => { for (;;) await Isolate.spawn(() => { new ReceivePort() }) })() }`, limits: `{}`, want: "ResourceLimitError", limit: "maxIsolates", host: []engine.HostOption{engine.WithMaxIsolates(40)}},
	{name: "timer-flood", fn: `() => { for (;;) setTimeout(() => {}, 1e6) }`, limits: `{maxTimers: 1000}`, want: "ResourceLimitError", limit: "maxTimers"},
	{name: "message-flood", fn: `() => { const r = new ReceivePort(); for (;;) r.sendPort.send(1) }`, limits: `{maxQueue: 1000}`, want: "ResourceLimitError", limit: "maxQueue"},
	// 5 x 20 MB: the limit is checked while cloning, whatever the size
	// (at 5 x 100 MB building the string alone took over 20 s under -race).
	{name: "message-100MB", fn: `() => { const s = 'x'.repeat(20e6); const r = new ReceivePort(); r.sendPort.send([s, s, s, s, s]) }`, limits: `{maxMessageBytes: 1e6}`, want: "ResourceLimitError", limit: "maxMessageBytes"},
	{name: "deep-nesting-100000", fn: `() => { let o = {}; for (let i = 0; i < 100000; i++) o = {o}; const r = new ReceivePort(); r.sendPort.send(o); r.close(); let a = []; for (let i = 0; i < 100000; i++) a = [a]; JSON.parse("[".repeat(100000) + "]".repeat(100000)); }`, limits: `{}`, want: "ANY"},
	{name: "cyclic-message", fn: `() => { const o = {}; o.o = o; const a = [o]; a.push(a); const r = new ReceivePort(); r.listen(m => { if (m.o !== m || m.a[1] !== m.a) throw new Error("FAIL cycle lost"); r.close() }); o.a = a; r.sendPort.send(o) }`, limits: `{}`, want: ""},
	{name: "throwing-getter-during-clone", fn: `() => { const r = new ReceivePort(); try { r.sendPort.send({get x() { throw new Error("boom") }}) } catch (e) { if (e.message !== "boom") throw new Error("FAIL " + e) } r.close() }`, limits: `{}`, want: ""},
	{name: "getter-spawns-and-sends-during-clone", fn: `() => { const r = new ReceivePort(); let n = 0; r.listen(() => { if (++n === 2) r.close() }); r.sendPort.send({get x() { r.sendPort.send("inner"); Isolate.spawn(() => {}); return 1 }}) }`, limits: `{}`, want: ""},
	{name: "iter-spread-sparse", fn: `() => [...Array(2**32 - 1)]`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-spread-call", fn: `() => ((...a) => a.length)(...Array(2**32 - 1))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-spread-math-max", fn: `() => Math.max(...Array(2**32 - 1).keys())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-rest-destructure", fn: `() => { const [...rest] = Array(2**32 - 1); return rest.length }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-promise-all", fn: `() => Promise.all(Array(2**32 - 1))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-promise-allSettled", fn: `() => Promise.allSettled(Array(2**32 - 1).keys())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-promise-race", fn: `() => Promise.race(Array(2**32 - 1).values())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-promise-any", fn: `() => Promise.any(Array(2**32 - 1))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-array-from-keys", fn: `() => Array.from(Array(2**32 - 1).keys())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-new-set", fn: `() => new Set(Array(2**32 - 1).keys())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-new-map", fn: `() => new Map(Array(2**32 - 1).entries())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-array-from-string", fn: `() => Array.from('ab'.repeat(2**23))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-object-fromEntries", fn: `() => Object.fromEntries(Array(2**32 - 1).entries())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-typed-array-from-iterable", fn: `() => new Float64Array(Array(2**32 - 1).keys())`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-set-of-string", fn: `() => new Set('ab'.repeat(2**23))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-flat-sparse", fn: `() => [Array(2**32 - 1)].flat()`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-flatMap-sparse", fn: `() => [0].flatMap(() => Array(2**32 - 1)).length`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-yield-star", fn: `() => { function* g() { yield* Array(2**32 - 1) } return [...g()].length }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-matchAll", fn: `() => [...'a'.repeat(2**22).matchAll(/a/g)].length`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "iter-set-spread-of-set", fn: `() => { const s = new Set(); for (let i = 0; i < 1e4; i++) s.add(i); for (;;) [...s, ...s, ...s] }`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "convert-repeat-numeric-string", fn: `() => 'x'.repeat('1e12')`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "RangeError"},
	{name: "convert-repeat-valueOf", fn: `() => 'x'.repeat({valueOf() { return 2**40 }})`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "RangeError"},
	{name: "convert-pad-this-toString", fn: `() => String.prototype.padEnd.call({toString() { return 'ab' }}, 2**40, 'ab')`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "RangeError"},
	{name: "convert-concat-objects", fn: `() => String.prototype.concat.call({toString() { return 'x'.repeat(2**25) }}, ...Array(64).fill({toString() { return 'x'.repeat(2**25) }}))`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "LIMIT"},
	{name: "convert-arraybuffer-numeric-string", fn: `() => new ArrayBuffer('1e12')`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "RangeError"},
	{name: "convert-typed-array-numeric-string", fn: `() => new Float64Array('1e11')`, limits: `{maxTaskMs: 200, memoryMb: 64}`, want: "RangeError"},
	{name: "send-function-and-symbol", fn: `() => { const r = new ReceivePort(); for (const v of [() => 1, Symbol("s"), {f() {}}]) { try { r.sendPort.send(v); throw new Error("FAIL sent " + String(v)) } catch (e) { if (e.name !== "DataCloneError") throw e } } r.close() }`, limits: `{}`, want: ""},
	{name: "kill-during-send", fn: `() => { const r = new ReceivePort(); r.sendPort.send({get x() { Isolate.current.kill({priority: Isolate.immediate}); return 1 }}); throw new Error("FAIL ran after kill") }`, limits: `{}`, want: ""},
	{name: "spawn-kill-cycles", fn: `async () => { for (let i = 0; i < 200; i++) { const c = await Isolate.spawn(() => { new ReceivePort(); setInterval(() => {}, 5) }); c.kill({priority: Isolate.immediate}); await c.exited } }`, limits: `{}`, want: ""},
	{name: "bad-binding-arguments", fn: `() => {
		const vals = [undefined, null, NaN, -1, -Infinity, Infinity, 2**62, -(2**62), "x", {}, [], () => 1, Symbol("s"), 10n, {valueOf() { throw new Error("v") }}, new Proxy({}, {get() { throw new Error("p") }})];
		const calls = [
			v => setTimeout(() => {}, v), v => setTimeout(v, 1), v => setInterval(() => {}, v), v => clearTimeout(v), v => clearInterval(v),
			v => new ReceivePort().sendPort.send(1, v), v => Isolate.spawn(v), v => Isolate.spawn(() => {}, null, v), v => Isolate.spawn(() => {}, null, {limits: v}),
			v => Isolate.spawn(() => {}, null, {limits: {maxTaskMs: v}}), v => Isolate.spawn(() => {}, null, {onExit: v}), v => Isolate.spawn(() => {}, null, {onError: v}),
			v => Isolate.current.addOnExitListener(v), v => Isolate.current.addErrorListener(v), v => Isolate.current.removeErrorListener(v), v => Isolate.current.ping(v),
			v => Isolate.current.pause(v), v => Isolate.current.resume(v), v => Isolate.current.setErrorsFatal(v), v => Isolate.run(v), v => Isolate.spawnFile(v),
			v => console.log.call(v, v), v => stdout.write(v), v => structuredClone && structuredClone(v),
		];
		for (const c of calls) for (const v of vals) { try { const p = c(v); if (p && typeof p.then === "function") p.then(x => x && x.kill && x.kill(), () => {}) } catch (e) {} }
		Isolate.current.kill(); // it may have paused itself
	}`, limits: `{maxTaskMs: 5000}`, want: "ANY"},
	{name: "prototype-tampering-stays-local", fn: `async () => {
		Array.prototype.push = null; JSON.stringify = null; String.prototype.repeat = null; Object.prototype.polluted = 1;
		Object.defineProperty(Object.prototype, "x", {get() { throw new Error("tampered getter") }, configurable: true});
		Array.prototype[Symbol.iterator] = function* () { yield "tampered" };
		const r = await Isolate.run(() => [typeof Array.prototype.push, typeof JSON.stringify, 'a'.repeat(2), ({}).polluted === undefined, "x" in {}, [...[1, 2]].length]);
		if (r.length !== 6 || r[0] !== "function" || r[1] !== "function" || r[2] !== "aa" || r[3] !== true || r[4] !== false || r[5] !== 2) throw new Error("FAIL tampering leaked: " + r);
	}`, limits: `{}`, want: ""},
}

// hostileDriver is the main isolate: it starts the ticking sibling and the
// hostile isolate, waits for the hostile one to die (killing it after 15 s: a hang detector, not a timing goal, under runJS's own 20 s),
// stops the sibling and prints a JSON report.
func hostileDriver(c hostileCase) string {
	return hostileDriverIn(c, false)
}

// hostileDriverIn is hostileDriver with the hostile isolate in a worker
// process when process is true.
func hostileDriverIn(c hostileCase, process bool) string {
	return "const HOSTILE = " + c.fn + ";\nconst LIMITS = " + c.limits + ";\nconst PROCESS = " + strconv.FormatBool(process) + ";\n" + hostileHarness
}

// hostileScript is scripts/hostile/run.js: every case in one table and the
// same harness, so `isobox scripts/hostile/run.js NAME` runs one case.
func hostileScript() string {
	var b strings.Builder
	b.WriteString("// The hostile battery as a runnable script (generated by bindings/hostile_test.go).\n")
	b.WriteString("// Usage: isobox scripts/hostile/run.js CASE [process]   (no CASE lists them). Each case runs a\n")
	b.WriteString("// hostile isolate (in a worker process with \"process\") next to a sibling ticking every 10 ms\n")
	b.WriteString("// and prints a HOSTILE-REPORT line.\n")
	b.WriteString("// Cases marked * need host options the CLI may not set (see hostile_test.go).\n")
	b.WriteString("const CASES = {\n")
	for _, c := range hostileCases {
		mark := ""
		if len(c.host) > 0 {
			mark = "*"
		}
		fmt.Fprintf(&b, "\t%q: {fn: %s, limits: %s, note: %q},\n", c.name, c.fn, c.limits, mark)
	}
	b.WriteString("};\n")
	b.WriteString("if (!CASES[args[0]]) { console.log(Object.keys(CASES).map(k => k + CASES[k].note).join(\"\\n\")); exit(args.length ? 2 : 0); }\n")
	b.WriteString("const HOSTILE = CASES[args[0]].fn;\nconst LIMITS = CASES[args[0]].limits;\nconst PROCESS = args[1] === \"process\";\n")
	b.WriteString(hostileHarness)
	return b.String()
}

const hostileHarness = `(async () => {
	const ticks = new ReceivePort();
	const sib = await Isolate.spawn(p => {
		const r = new ReceivePort();
		let last = Date.now(), maxGap = 0, n = 0;
		const t = setInterval(() => { const now = Date.now(); if (now - last > maxGap) maxGap = now - last; last = now; n++; }, 10);
		r.listen(() => { clearInterval(t); p.send({maxGap, n}); r.close(); });
		p.send(r.sendPort);
	}, ticks.sendPort, {name: "sibling"});
	const it = ticks[Symbol.asyncIterator] ? null : null;
	const got = [];
	let wake = null;
	ticks.listen(m => { got.push(m); if (wake) wake(); });
	const next = async () => { while (!got.length) await new Promise(r => wake = r); return got.shift(); };
	const stop = await next();
	const ev = new ReceivePort();
	const errors = [];
	let exited = false, wakeEv = null;
	ev.listen(m => { if (m === null) exited = true; else errors.push(m); if (wakeEv) wakeEv(); });
	const started = Date.now();
	let iso;
	const fn = HOSTILE === "KILL" ? () => { while (true) {} } : HOSTILE;
	try {
		iso = await Isolate.spawn(fn, null, {name: "hostile", limits: LIMITS, onError: ev.sendPort, onExit: ev.sendPort, process: PROCESS});
	} catch (e) {
		errors.push({name: e.name, message: e.message, limit: e.limit}); exited = true;
	}
	if (HOSTILE === "KILL") setTimeout(() => iso.kill({priority: Isolate.immediate}), 100);
	const deadline = setTimeout(() => { errors.push({name: "Timeout", message: "hostile isolate still alive after 15 s"}); iso.kill({priority: Isolate.immediate}); }, 15000);
	while (!exited) await new Promise(r => wakeEv = r);
	clearTimeout(deadline);
	ev.close();
	const ms = Date.now() - started;
	stop.send("stop");
	const sibStats = await next();
	ticks.close();
	const e = errors[0] || {};
	console.log("HOSTILE-REPORT " + JSON.stringify({name: e.name || "", limit: e.limit || "", message: e.message || "", errors: errors.length, ms, maxGap: sibStats.maxGap, ticks: sibStats.n}));
})();
`

// TestMain runs the package as the CLI runs: with engine.EnsureProcs, which
// keeps a huge uninterruptible copy in one isolate from stalling the rest
// through the GC (the string-doubling case shows it).
//
// The test binary also serves as the worker of process isolates.
func TestMain(m *testing.M) {
	engine.WorkerMain(engine.WithSetup(bindings.Setup(bindings.Config{})),
		engine.WithFunc("pid", func(context.Context, []any) (any, error) { return os.Getpid(), nil }))
	engine.EnsureProcs()
	os.Exit(m.Run())
}

type hostileReport struct {
	Name, Limit, Message string
	Errors               int
	Ms                   int64
	MaxGap               int64
	Ticks                int
}

func TestHostile(t *testing.T) { runHostile(t, false) }

// TestHostileProcess runs the battery with every hostile isolate in a
// worker process: each case must end as it does in-process or, where the
// worker itself dies, with a ProcessError that takes only that worker; the
// in-process sibling keeps ticking either way, and this process's memory
// stays under the same cap. Cases that need host options (a host memory
// ceiling, say) are skipped: those configure this process, not the worker.
func TestHostileProcess(t *testing.T) { runHostile(t, true) }

func runHostile(t *testing.T, process bool) {
	t.Cleanup(func() { t.Logf("peak RSS %d MB (cap %d MB)", peakRSSMB(), hostileRSSCapMB) })
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			if process && len(c.host) > 0 {
				t.Skip("needs host options, which configure this process and not the worker")
			}
			if len(c.host) > 0 {
				// The heap is the process's: what the case before left for
				// the collector would count against this host's ceiling
				// (the sibling was stopped for the growers' garbage).
				debug.FreeOSMemory()
			}
			before := runtime.NumGoroutine()
			res := runJS(t, hostileDriverIn(c, process), c.host...)
			line := res.stdout
			if i := strings.LastIndex(line, "HOSTILE-REPORT "); i >= 0 {
				line = strings.TrimSpace(line[i+len("HOSTILE-REPORT "):])
			}
			var rep hostileReport
			if err := json.Unmarshal([]byte(line), &rep); err != nil {
				t.Fatalf("no report (%v); stdout:\n%s\nstderr:\n%s", err, res.stdout, res.stderr)
			}
			t.Logf("%s: %+v", c.name, rep)
			switch {
			case process && rep.Name == "ProcessError":
				// The worker died under it (a Go fatal error in goja, say):
				// contained, which is what the process boundary is for.
			case process && rep.Name == "ResourceLimitError" && rep.Limit == "memoryMb" && strings.Contains(c.limits, "memoryMb"):
				// The worker's hard memory limit (RSS watch, RLIMIT_DATA)
				// stopped it before the guard did: the wall held.
			case c.want == "LIMIT":
				// Stopped by a guard (RangeError) or by whichever limit
				// the monitor saw first.
				if rep.Name != "RangeError" && rep.Name != "ResourceLimitError" {
					t.Errorf("got %s (limit %q): %s; want RangeError or ResourceLimitError", rep.Name, rep.Limit, rep.Message)
				}
			case c.want == "ANY":
				if rep.Name == "Timeout" || strings.HasPrefix(rep.Message, "FAIL") || rep.Name == "InternalError" {
					t.Errorf("got %+v", rep)
				}
			case c.want == "" && c.limit == "":
				if rep.Name != "" {
					t.Errorf("unexpected error %s: %s", rep.Name, rep.Message)
				}
			case c.want == "":
				// Either the allocation guard (RangeError) or the monitor
				// (ResourceLimitError, limit) may stop it first.
				if rep.Name != "RangeError" && !(rep.Name == "ResourceLimitError" && rep.Limit == c.limit) {
					t.Errorf("got %s (limit %q): %s; want RangeError or ResourceLimitError %s", rep.Name, rep.Limit, rep.Message, c.limit)
				}
			default:
				if rep.Name != c.want || (c.limit != "" && rep.Limit != c.limit) {
					t.Errorf("got %s (limit %q): %s; want %s %s", rep.Name, rep.Limit, rep.Message, c.want, c.limit)
				}
			}
			if rep.MaxGap > hostileMaxGapMs {
				t.Errorf("sibling stalled for %d ms (max %d)", rep.MaxGap, hostileMaxGapMs)
			}
			if rss := peakRSSMB(); rss > hostileRSSCapMB {
				t.Errorf("peak RSS %d MB over the %d MB cap", rss, hostileRSSCapMB)
			}
			if after := runtime.NumGoroutine(); after > before+2 {
				t.Errorf("goroutines %d -> %d", before, after)
			}
		})
	}
}

// peakRSSMB is the process's peak resident set (VmHWM), 0 if unknown.
func peakRSSMB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb >> 10
			}
		}
	}
	return 0
}

// The scripts under scripts/hostile are the battery's drivers; regenerate
// them with ISOBOX_WRITE_HOSTILE=1 go test ./bindings -run TestHostileScriptsInSync.
func TestHostileScriptsInSync(t *testing.T) {
	path := filepath.Join("..", "scripts", "hostile", "run.js")
	want := hostileScript()
	if os.Getenv("ISOBOX_WRITE_HOSTILE") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Errorf("%s is out of date; regenerate with ISOBOX_WRITE_HOSTILE=1", path)
	}
}

// BenchmarkSpawnWithBindings measures a whole spawn (VM, guards, bindings,
// entry, exit): the guards are most of it (see README, Security model).
func BenchmarkSpawnWithBindings(b *testing.B) {
	h := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})))
	src := engine.ScriptSource("empty.js", "")
	for i := 0; i < b.N; i++ {
		iso, err := h.Spawn(src)
		if err != nil {
			b.Fatal(err)
		}
		<-iso.Done()
	}
}
