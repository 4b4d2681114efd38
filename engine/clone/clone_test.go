package clone

import (
	"errors"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/isobox/isobox/internal/gojax"
)

// testPort is the test double of a port reference.
type testPort struct{ id uint64 }

var testPortIDs atomic.Uint64

func newTestPort() *testPort { return &testPort{id: testPortIDs.Add(1)} }

// isTestPort is the port recognizer handed to FromGo.
func isTestPort(x any) (any, bool) {
	p, ok := x.(*testPort)
	if ok && p == nil {
		return nil, true
	}
	return p, ok
}

// portHandle is the test double of a JS SendPort handle: a DynamicObject
// whose only property is the port id.
type portHandle struct{ p *testPort }

func (h *portHandle) Get(key string) goja.Value {
	if key == "id" {
		return noRuntime.ToValue(int64(h.p.id))
	}
	return nil
}
func (h *portHandle) Set(string, goja.Value) bool { return false }
func (h *portHandle) Has(key string) bool         { return key == "id" }
func (h *portHandle) Delete(string) bool          { return false }
func (h *portHandle) Keys() []string              { return []string{"id"} }

// testPorts is the test HostCodec of one runtime.
type testPorts struct{ r *goja.Runtime }

var portHandleType = reflect.TypeOf(&portHandle{})

func (tp testPorts) HostRef(o *goja.Object) (any, bool) {
	// Cheap: Export would copy a whole plain object graph.
	if o.ExportType() != portHandleType {
		return nil, false
	}
	if h, ok := o.Export().(*portHandle); ok {
		return h.p, true
	}
	return nil, false
}

func (tp testPorts) HostValue(p any) (goja.Value, error) {
	return tp.r.NewDynamicObject(&portHandle{p: p.(*testPort)}), nil
}

// side is one runtime with its intrinsics and port codec.
type side struct {
	t  testing.TB
	r  *goja.Runtime
	in *Codec
	pc testPorts
}

func newSide(t testing.TB) *side {
	r := goja.New()
	return &side{t: t, r: r, in: &Codec{}, pc: testPorts{r: r}}
}

func (s *side) run(src string) goja.Value {
	s.t.Helper()
	v, err := s.r.RunString(src)
	if err != nil {
		s.t.Fatalf("run %q: %v", src, err)
	}
	return v
}

func (s *side) clone(v goja.Value, transfer []goja.Value, opt Options) (*Message, error) {
	return s.in.Clone(s.r, s.pc, v, transfer, opt)
}

func (s *side) receive(m *Message) goja.Value {
	s.t.Helper()
	v, err := s.in.Materialize(s.r, s.pc, m)
	if err != nil {
		s.t.Fatalf("toJS: %v", err)
	}
	return v
}

// check runs a boolean JS expression with m bound to v in the receiver.
func (s *side) check(v goja.Value, expr string) {
	s.t.Helper()
	if err := s.r.Set("m", v); err != nil {
		s.t.Fatal(err)
	}
	res, err := s.r.RunString("(function(){ return (" + expr + "); })()")
	if err != nil {
		s.t.Fatalf("check %q: %v", expr, err)
	}
	if !res.ToBoolean() {
		s.t.Errorf("check failed: %s", expr)
	}
}

// roundTrip clones src in a fresh sender and materializes it in a fresh
// receiver.
func roundTrip(t *testing.T, src string) (*side, *side, goja.Value) {
	t.Helper()
	a, b := newSide(t), newSide(t)
	m, err := a.clone(a.run(src), nil, Options{})
	if err != nil {
		t.Fatalf("clone %s: %v", src, err)
	}
	return a, b, b.receive(m)
}

func TestCloneSupported(t *testing.T) {
	tests := []struct {
		name, src, check string
	}{
		{"undefined", "undefined", "m === undefined"},
		{"null", "null", "m === null"},
		{"true", "true", "m === true"},
		{"false", "false", "m === false"},
		{"int", "42", "m === 42"},
		{"float", "1.5", "m === 1.5"},
		{"negzero", "-0", "Object.is(m, -0)"},
		{"NaN", "NaN", "Number.isNaN(m)"},
		{"Infinity", "-Infinity", "m === -Infinity"},
		{"string", "'hello'", "m === 'hello'"},
		{"unicode", "'h\\u00e9llo \\ud83d\\ude00'", "m === 'h\\u00e9llo \\ud83d\\ude00' && m.length === 8"},
		{"lone surrogate", "'a\\ud800b'", "m.length === 3 && m.charCodeAt(1) === 0xd800"},
		{"long string", "'x'.repeat(100000)", "m.length === 100000"},
		{"bigint", "10n", "m === 10n"},
		{"big bigint", "-(2n ** 130n)", "m === -(2n ** 130n)"},
		{"Number object", "new Number(-0)", "typeof m === 'object' && m instanceof Number && Object.is(m.valueOf(), -0)"},
		{"Boolean object", "new Boolean(false)", "typeof m === 'object' && m instanceof Boolean && m.valueOf() === false"},
		{"String object", "new String('ab\\ud800')", "typeof m === 'object' && m instanceof String && m.valueOf() === 'ab\\ud800' && m.length === 3"},
		{"BigInt object", "Object(5n)", "typeof m === 'object' && m.valueOf() === 5n"},
		{"plain object", "({a: 1, b: {c: 'x'}, d: [1, 2]})", "m.a === 1 && m.b.c === 'x' && m.d[1] === 2 && Object.getPrototypeOf(m) === Object.prototype"},
		{"key order", "({b: 1, a: 2, 2: 'x', 1: 'y', z: 3})", "Object.keys(m).join() === '1,2,b,a,z'"},
		{"class instance", "new (class A { constructor() { this.x = 1 } get y() { return 2 } })", "Object.getPrototypeOf(m) === Object.prototype && m.x === 1 && !('y' in m)"},
		{"null prototype", "Object.assign(Object.create(null), {q: 1})", "Object.getPrototypeOf(m) === Object.prototype && m.q === 1"},
		{"__proto__ key", "JSON.parse('{\"__proto__\": 1, \"a\": 2}')", "Object.getOwnPropertyDescriptor(m, '__proto__').value === 1 && Object.getPrototypeOf(m) === Object.prototype && m.a === 2"},
		{"non-enumerable skipped", "Object.defineProperty({a: 1}, 'h', {value: 1, enumerable: false})", "m.a === 1 && !('h' in m)"},
		{"symbol keys skipped", "({[Symbol('s')]: 1, a: 2})", "Object.getOwnPropertySymbols(m).length === 0 && m.a === 2"},
		{"getter runs", "(function(){ let n = 0; return {get x() { return ++n }, y: 1} })()", "Object.getOwnPropertyDescriptor(m, 'x').value === 1 && m.x === 1"},
		{"arguments", "(function(){ return arguments })(1, 'a')", "m[0] === 1 && m[1] === 'a' && !Array.isArray(m)"},
		{"array", "[1, 'a', null, undefined, true]", "Array.isArray(m) && m.length === 5 && m[0] === 1 && m[1] === 'a' && m[2] === null && (3 in m) && m[3] === undefined && m[4] === true"},
		{"empty array", "[]", "Array.isArray(m) && m.length === 0"},
		{"sparse array", "[1, , 3]", "m.length === 3 && !(1 in m) && m[2] === 3 && Object.keys(m).join() === '0,2'"},
		{"trailing hole", "(function(){ const a = [1]; a.length = 5; return a })()", "m.length === 5 && Object.keys(m).join() === '0'"},
		{"very sparse array", "(function(){ const a = []; a[1e6] = 'x'; a[3] = 1; return a })()", "m.length === 1e6 + 1 && m[1e6] === 'x' && m[3] === 1 && Object.keys(m).length === 2"},
		{"array extra props", "(function(){ const a = [1, 2]; a.foo = 'bar'; a[-1] = 'neg'; return a })()", "m.length === 2 && m[1] === 2 && m.foo === 'bar' && m['-1'] === 'neg'"},
		{"array accessor element", "(function(){ const a = [1, 2]; Object.defineProperty(a, 0, {get() { return 'g' }, enumerable: true}); return a })()", "m[0] === 'g' && m[1] === 2 && m.length === 2 && Object.getOwnPropertyDescriptor(m, 0).value === 'g'"},
		{"nested arrays", "[[1, [2, [3]]], []]", "m[0][1][1][0] === 3 && m[1].length === 0"},
		{"Date", "new Date(12345)", "m instanceof Date && m.getTime() === 12345"},
		{"Date negative", "new Date(-8.64e15)", "m.getTime() === -8.64e15"},
		{"invalid Date", "new Date(NaN)", "m instanceof Date && Number.isNaN(m.getTime())"},
		{"RegExp", "/a+b/gimsuy", "m instanceof RegExp && m.source === 'a+b' && m.flags === 'gimsuy'"},
		{"RegExp escaped", "new RegExp('a/b\\\\d', 'g')", "m.source === new RegExp('a/b\\\\d').source && m.test('xa/b1') && !m.test('xa/bc')"},
		{"RegExp lastIndex", "(function(){ const r = /x/g; r.lastIndex = 3; r.extra = 1; return r })()", "m.lastIndex === 0 && !('extra' in m) && m.global"},
		{"Map", "new Map([[1, 'a'], ['b', {c: 1}], [NaN, -0]])", "m instanceof Map && m.size === 3 && [...m.keys()].slice(0, 2).join() === '1,b' && m.get(1) === 'a' && m.get('b').c === 1 && Object.is(m.get(NaN), -0)"},
		{"Map object keys", "(function(){ const k = {k: 1}; return new Map([[k, k], [{}, 2]]) })()", "(function(){ const e = [...m]; return e[0][0] === e[0][1] && e[0][0].k === 1 && e[1][1] === 2 })()"},
		{"Set", "new Set([3, 'x', 1, {a: 1}])", "m instanceof Set && m.size === 4 && [...m].slice(0, 3).join() === '3,x,1' && [...m][3].a === 1"},
		{"ArrayBuffer", "new Uint8Array([1, 2, 250]).buffer", "m instanceof ArrayBuffer && m.byteLength === 3 && new Uint8Array(m)[2] === 250"},
		{"empty ArrayBuffer", "new ArrayBuffer(0)", "m instanceof ArrayBuffer && m.byteLength === 0"},
		{"DataView", "(function(){ const b = new ArrayBuffer(8); new Uint8Array(b).set([1,2,3,4,5,6,7,8]); return new DataView(b, 1, 4) })()", "m instanceof DataView && m.byteOffset === 1 && m.byteLength === 4 && m.getUint8(0) === 2 && m.buffer.byteLength === 8"},
		{"views share buffer", "(function(){ const b = new ArrayBuffer(16); const u = new Uint8Array(b, 4, 4); u[0] = 9; return {u, i: new Int32Array(b), d: new DataView(b), b} })()",
			"m.u.buffer === m.i.buffer && m.i.buffer === m.d.buffer && m.b === m.u.buffer && m.u.byteOffset === 4 && m.u.length === 4 && m.i[1] === 9 && (m.u[1] = 7, new Uint8Array(m.b)[5] === 7)"},
		{"Error", "new Error('msg')", "m instanceof Error && Object.getPrototypeOf(m) === Error.prototype && m.name === 'Error' && m.message === 'msg' && typeof m.stack === 'string'"},
		{"EvalError", "new EvalError('e')", "m instanceof EvalError && m.name === 'EvalError' && m.message === 'e'"},
		{"RangeError", "new RangeError('r')", "m instanceof RangeError && m.name === 'RangeError'"},
		{"ReferenceError", "new ReferenceError('r')", "m instanceof ReferenceError && m.name === 'ReferenceError'"},
		{"SyntaxError", "new SyntaxError('s')", "m instanceof SyntaxError && m.name === 'SyntaxError'"},
		{"TypeError", "new TypeError('t')", "m instanceof TypeError && m.name === 'TypeError' && m.message === 't'"},
		{"URIError", "new URIError('u')", "m instanceof URIError && m.name === 'URIError'"},
		{"thrown error", "(function(){ try { null.x } catch (e) { return e } })()", "m instanceof TypeError && m.message.length > 0"},
		{"Error stack", "(function(){ const e = new Error('x'); e.stack = 'custom\\n  at here'; return e })()", "m.stack === 'custom\\n  at here' && !Object.getOwnPropertyDescriptor(m, 'stack').enumerable"},
		{"Error no message", "new Error()", "!Object.prototype.hasOwnProperty.call(m, 'message') && m.message === ''"},
		{"Error message coerced", "new Error(12)", "m.message === '12'"},
		{"Error cause", "new Error('x', {cause: {a: 1}})", "m.cause.a === 1 && !Object.getOwnPropertyDescriptor(m, 'cause').enumerable"},
		{"Error cause undefined", "new Error('x', {cause: undefined})", "Object.prototype.hasOwnProperty.call(m, 'cause') && m.cause === undefined"},
		{"Error cyclic cause", "(function(){ const e = new Error('x'); e.cause = e; return e })()", "m.cause === m"},
		{"Error custom name", "(function(){ const e = new Error('x'); e.name = 'Custom'; return e })()", "m instanceof Error && m.name === 'Error' && m.message === 'x'"},
		{"Error subclass", "new (class MyErr extends RangeError {})('sub')", "Object.getPrototypeOf(m) === RangeError.prototype && m.message === 'sub'"},
		{"Error name from prototype", "(function(){ const e = new Error('x'); Object.setPrototypeOf(e, TypeError.prototype); return e })()", "m instanceof TypeError"},
		{"AggregateError", "new AggregateError([new TypeError('t'), 1], 'agg', {cause: 'c'})",
			"m instanceof AggregateError && m.name === 'AggregateError' && m.message === 'agg' && m.errors.length === 2 && m.errors[0] instanceof TypeError && m.errors[0].message === 't' && m.errors[1] === 1 && m.cause === 'c'"},
		{"shared refs", "(function(){ const o = {x: 1}; return {a: o, b: o, c: [o]} })()", "m.a === m.b && m.c[0] === m.a && m.a.x === 1"},
		{"object cycle", "(function(){ const o = {n: 1}; o.self = o; return o })()", "m.self === m && m.n === 1"},
		{"array cycle", "(function(){ const a = [1]; a.push(a); return a })()", "m[1] === m && m[0] === 1 && m.length === 2"},
		{"shared dense array", "(function(){ const x = [1, 2]; return {a: x, b: x} })()", "m.a === m.b && m.a.length === 2 && m.a[1] === 2 && Array.isArray(m.a)"},
		{"cycle through array", "(function(){ const a = [1]; a.push({parent: a}); return {a} })()", "m.a[1].parent === m.a && m.a[0] === 1"},
		{"deep cross refs", "(function(){ const a = {}, b = {}, c = []; a.b = b; b.c = c; c.push(a, b, c); return [a, c] })()", "m[0].b.c === m[1] && m[1][0] === m[0] && m[1][1] === m[0].b && m[1][2] === m[1]"},
		{"Map cycle", "(function(){ const mp = new Map(); mp.set('self', mp); mp.set(mp, 1); return mp })()", "m.get('self') === m && m.get(m) === 1"},
		{"Set cycle", "(function(){ const s = new Set(); s.add(s); return s })()", "m.has(m) && m.size === 1"},
		{"shared Date", "(function(){ const d = new Date(5); return [d, d] })()", "m[0] === m[1] && m[0].getTime() === 5"},
		{"shared wrapper", "(function(){ const n = new Number(3); return [n, n] })()", "m[0] === m[1]"},
		{"lone surrogate keys", "({['a\\ud800']: 1, ['\\udc00']: 2, b: 3, '\\u00e9': 4})", "Object.keys(m).length === 4 && m['a\\ud800'] === 1 && m['\\udc00'] === 2 && m.b === 3 && m['\\u00e9'] === 4 && !('a\\ufffd' in m)"},
		{"lone surrogate key, general path", "(function(){ const o = {get g() { return 1 }}; o['\\ud800'] = 2; return o })()", "m['\\ud800'] === 2 && m.g === 1 && Object.keys(m).length === 2"},
		{"lone surrogate key on array", "Object.assign([1, , 2], {['\\udfff']: 'x'})", "m['\\udfff'] === 'x' && m.length === 3 && !(1 in m)"},
		{"lone surrogate key getter", "({get ['\\ud801']() { return 'g' }})", "Object.getOwnPropertyDescriptor(m, '\\ud801').value === 'g'"},
		{"deleted property", "(function(){ const o = {a: 1, b: 2, c: 3}; delete o.b; return o })()", "Object.keys(m).join() === 'a,c'"},
		{"unicode keys", "({'\\u00e9t\\u00e9': 1, '\\u65e5\\u672c': 2, '\\ud83d\\ude00': 3})", "Object.keys(m).join() === '\\u00e9t\\u00e9,\\u65e5\\u672c,\\ud83d\\ude00' && m['\\ud83d\\ude00'] === 3"},
		{"array shrinks while cloned", "(function(){ const a = [1, {get x() { a.length = 1; return 2 }}, 3]; return a })()", "m.length === 3 && m[1].x === 2 && m[0] === 1"},
		{"array goes sparse while cloned", "(function(){ const a = [1, {get x() { a[1e7] = 5; return 2 }}, 3]; return a })()", "m.length === 3 && m[1].x === 2 && m[2] === 3"},
		{"getter sees graph", "(function(){ const o = {a: 1, get b() { o.c = 5; return 2 }, c: 0}; return o })()", "m.b === 2 && m.c === 5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, b, v := roundTrip(t, tc.src)
			b.check(v, tc.check)
		})
	}
}

func TestCloneTypedArrays(t *testing.T) {
	for i, name := range typedArrayNames {
		t.Run(name, func(t *testing.T) {
			size := typedArrayElemSize[i]
			zero := "0"
			if strings.HasPrefix(name, "Big") {
				zero = "0n"
			}
			src := `(function(){
				const buf = new ArrayBuffer(64);
				const u8 = new Uint8Array(buf);
				for (let i = 0; i < 64; i++) u8[i] = i * 7 + 1;
				const t = new ` + name + `(buf, ` + itoa(size*2) + `, 3);
				return {t, whole: new ` + name + `([` + zero + `, ` + zero + `]), expect: Array.from(t, String).join()};
			})()`
			_, b, v := roundTrip(t, src)
			b.check(v, `m.t instanceof `+name+` && m.t.byteOffset === `+itoa(size*2)+` && m.t.length === 3 && m.t.buffer.byteLength === 64 &&
				Array.from(m.t, String).join() === m.expect && m.whole instanceof `+name+` && m.whole.length === 2 && m.whole.byteOffset === 0`)
		})
	}
}

func itoa(i int64) string { return big.NewInt(i).String() }

// TestCloneHostRefIdentity: within one message, a pointer reference that
// the sender reached through different handles arrives as one object (the
// receiver asks HostValue once per reference), and distinct references stay
// distinct. Each message makes its own objects.
func TestCloneHostRefIdentity(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ports int // distinct references, each behind two handles
	}{
		{"one reference", 1},
		{"a few", 3},
		{"more than the linear scan", linearSeen + 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newSide(t), newSide(t)
			arr := a.r.NewArray()
			for i := 0; i < tc.ports; i++ {
				p := newTestPort()
				h1, _ := a.pc.HostValue(p)
				h2, _ := a.pc.HostValue(p)
				_ = arr.Set(itoa(int64(2*i)), h1)
				_ = arr.Set(itoa(int64(2*i+1)), h2)
			}
			m, err := a.clone(arr, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			v := b.receive(m)
			b.check(v, "m.every((h, i) => h === m[i ^ 1]) && new Set(m).size === "+itoa(int64(tc.ports)))
			b.r.Set("first", v)
			b.check(b.receive(m), "m[0] !== first[0] && m[0].id === first[0].id")
		})
	}
}

// valueRef is a non-pointer host reference: never compared, made each time.
type valueRef struct{ s []int }

type valueRefs struct{ r *goja.Runtime }

func (valueRefs) HostRef(o *goja.Object) (any, bool) {
	if _, ok := o.Export().(otherDynamic); ok {
		return valueRef{s: []int{1}}, true
	}
	return nil, false
}

func (vr valueRefs) HostValue(ref any) (goja.Value, error) {
	return vr.r.NewObject(), nil
}

func TestCloneHostRefNotComparable(t *testing.T) {
	r := goja.New()
	r.Set("d", r.NewDynamicObject(otherDynamic{}))
	v, err := r.RunString("[d, d, {d}]")
	if err != nil {
		t.Fatal(err)
	}
	// Two handles of the same object are one node; a second dynamic object
	// with an equal (uncomparable) reference must not be compared.
	v.(*goja.Object).Set("3", r.NewDynamicObject(otherDynamic{}))
	in := &Codec{}
	m, err := in.Clone(r, valueRefs{r}, v, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r2 := goja.New()
	got, err := (&Codec{}).Materialize(r2, valueRefs{r2}, m)
	if err != nil {
		t.Fatal(err)
	}
	r2.Set("m", got)
	if ok, err := r2.RunString("m[0] === m[1] && m[0] === m[2].d && m[3] !== m[0]"); err != nil || !ok.ToBoolean() {
		t.Errorf("identity of non-pointer references: %v %v", ok, err)
	}
}

func TestCloneSendPort(t *testing.T) {
	a, b := newSide(t), newSide(t)
	p := newTestPort()
	h, _ := a.pc.HostValue(p)
	a.r.Set("port", h)
	m, err := a.clone(a.run("({p: port, q: port, list: [port]})"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := b.receive(m)
	b.check(v, "m.p === m.q && m.list[0] === m.p && m.p.id === "+itoa(int64(p.id)))
	got, err := m.ToGo()
	if err != nil {
		t.Fatal(err)
	}
	if got.(map[string]any)["p"] != p {
		t.Errorf("ToGo port: %#v", got)
	}
	// Without a codec the receiver cannot make a port.
	if _, err := (&Codec{}).Materialize(goja.New(), nil, m); err == nil {
		t.Error("toJS without port codec succeeded")
	}
}

// slowPathClones are the TestCloneUnclonable cases that the public-API slow
// path cannot reject: it clones them (as plain objects or arrays) or names
// them differently.
var slowPathClones = map[string]bool{"function Proxy": true, "iterator": true, "generator": true, "Go map": true, "Go slice": true}

func TestCloneUnclonable(t *testing.T) {
	tests := []struct {
		name, src, msg string
	}{
		{"function", "(function f() {})", "function could not be cloned"},
		{"arrow", "(() => 1)", "function could not be cloned"},
		{"class", "(class A {})", "function could not be cloned"},
		{"async function", "(async function() {})", "function could not be cloned"},
		{"generator function", "(function*() {})", "function could not be cloned"},
		{"bound function", "(function() {}).bind(null)", "function could not be cloned"},
		{"native function", "Math.max", "function could not be cloned"},
		{"nested function", "({a: [1, {f() {}}]})", "function could not be cloned"},
		{"symbol", "Symbol('foo')", "Symbol(foo) could not be cloned"},
		{"nested symbol", "[1, Symbol('bar')]", "Symbol(bar) could not be cloned"},
		{"symbol object", "Object(Symbol('x'))", "Symbol object could not be cloned"},
		{"WeakMap", "new WeakMap()", "WeakMap object could not be cloned"},
		{"WeakSet", "new WeakSet()", "WeakSet object could not be cloned"},
		{"Promise", "Promise.resolve(1)", "Promise object could not be cloned"},
		{"Proxy", "new Proxy({}, {})", "Proxy object could not be cloned"},
		{"function Proxy", "new Proxy(function() {}, {})", "Proxy object could not be cloned"},
		{"global object", "globalThis", "the global object could not be cloned"},
		{"nested global object", "({g: globalThis})", "the global object could not be cloned"},
		{"iterator", "[1][Symbol.iterator]()", "Array Iterator object could not be cloned"},
		{"generator", "(function*() {})()", "Generator object could not be cloned"},
		{"Map with function", "new Map([[1, function() {}]])", "function could not be cloned"},
		{"Set with symbol", "new Set([Symbol()])", "Symbol() could not be cloned"},
		{"error cause function", "new Error('x', {cause: () => 1})", "function could not be cloned"},
		{"Go map", "goMap", "host object"},
		{"Go slice", "goSlice", "host object"},
		{"Go struct", "goStruct", "host object"},
		{"Go func", "goFunc", "function could not be cloned"},
		{"unknown dynamic object", "dyn", "host object could not be cloned"},
		{"named host object", "named", "Widget could not be cloned"},
		{"detached buffer", "detached", "detached ArrayBuffer could not be cloned"},
		{"view of detached buffer", "detachedView", "detached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if gojax.Layout() != nil && slowPathClones[tc.name] {
				t.Skip("without gojax this kind is cloned (see slowKind)")
			}
			a := newSide(t)
			a.r.Set("goMap", map[string]any{"a": 1})
			a.r.Set("goSlice", []any{1})
			a.r.Set("goStruct", struct{ A int }{1})
			a.r.Set("goFunc", func() {})
			a.r.Set("dyn", a.r.NewDynamicObject(otherDynamic{}))
			a.r.Set("named", a.r.NewDynamicObject(namedDynamic{}))
			buf := a.run("var detached = new ArrayBuffer(4); var detachedView = new Uint8Array(detached); detached").(*goja.Object)
			buf.Export().(goja.ArrayBuffer).Detach()
			m, err := a.clone(a.run(tc.src), nil, Options{})
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, %v; want *Error", m, err)
			}
			if !strings.Contains(ce.Error(), tc.msg) || !strings.HasPrefix(ce.Error(), "DataCloneError: ") {
				t.Errorf("error %q does not contain %q", ce.Error(), tc.msg)
			}
			for _, goish := range []string{"clone.", "goja.", "struct", "map[", "[]", "*", "func("} {
				if strings.Contains(ce.Msg, goish) {
					t.Errorf("error %q names a Go type (%q)", ce.Msg, goish)
				}
			}
		})
	}
}

// TestCloneBuiltinObjects: the ordinary objects among the built-ins
// (prototypes, namespaces) clone like any ordinary object, own enumerable
// properties only, as HTML's StructuredSerializeInternal does; a prototype
// with an internal slot clones as its kind (Array.prototype is an array,
// Number.prototype a Number object of +0). The global object is a platform
// object in a worker, so it stays a DataCloneError (TestCloneUnclonable).
func TestCloneBuiltinObjects(t *testing.T) {
	plain := "Object.getPrototypeOf(m) === Object.prototype && !Array.isArray(m) && Object.keys(m).length === 0"
	tests := []struct {
		name, src, check string
	}{
		{"Object.prototype", "Object.prototype", plain},
		{"Math", "Math", plain},
		{"Math with an own enumerable property", "Math.extra = [1]; Math", "Object.keys(m).join() === 'extra' && m.extra[0] === 1 && m.max === undefined"},
		{"JSON", "JSON", plain},
		{"Reflect", "Reflect", plain},
		{"Date.prototype", "Date.prototype", plain + " && !(m instanceof Date)"},
		{"RegExp.prototype", "RegExp.prototype", plain},
		{"Error.prototype", "Error.prototype", plain},
		{"TypeError.prototype", "TypeError.prototype", plain},
		{"Map.prototype", "Map.prototype", plain},
		{"Promise.prototype", "Promise.prototype", plain},
		{"ArrayBuffer.prototype", "ArrayBuffer.prototype", plain},
		{"DataView.prototype", "DataView.prototype", plain},
		{"TypedArray.prototype", "Object.getPrototypeOf(Int8Array.prototype)", plain},
		{"Int8Array.prototype", "Int8Array.prototype", plain},
		{"BigInt.prototype", "BigInt.prototype", plain},
		{"Symbol.prototype", "Symbol.prototype", plain},
		{"ArrayIterator.prototype", "Object.getPrototypeOf([][Symbol.iterator]())", plain},
		{"Generator.prototype", "Object.getPrototypeOf(function*(){}).prototype", plain},
		{"Array.prototype", "Array.prototype", "Array.isArray(m) && m.length === 0 && Object.getPrototypeOf(m) === Array.prototype"},
		{"Number.prototype", "Number.prototype", "m instanceof Number && m.valueOf() === 0 && 1 / m.valueOf() === Infinity"},
		{"String.prototype", "String.prototype", "m instanceof String && m.valueOf() === ''"},
		{"Boolean.prototype", "Boolean.prototype", "m instanceof Boolean && m.valueOf() === false"},
		{"nested and shared", "({a: Math, b: Math, p: Array.prototype, o: Object.prototype})", "m.a === m.b && Array.isArray(m.p) && Object.keys(m.o).length === 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, b, v := roundTrip(t, tc.src)
			b.check(v, tc.check)
		})
	}
}

// namedDynamic is a host object that names its JS class.
type namedDynamic struct{ otherDynamic }

func (namedDynamic) JSClassName() string { return "Widget" }

// TestCloneThrown: Options.Thrown keeps what a thrown error carries (name,
// own enumerable properties) and plain structured clone still drops it.
func TestCloneThrown(t *testing.T) {
	const limitErr = `(() => { const e = new Error("maxTimers exceeded"); Object.defineProperty(e, "name", {value: "ResourceLimitError", writable: true, configurable: true}); e.limit = "maxTimers"; e.max = 2; e.seen = 3; e.unit = "timers"; return e })()`
	tests := []struct {
		name, src string
		thrown    bool
		check     string
	}{
		{"class kept", `new TypeError("t")`, true, `m instanceof TypeError && m.name === "TypeError" && m.message === "t" && typeof m.stack === "string"`},
		{"own enumerable data kept", `Object.assign(new RangeError("r"), {code: "ERR_X", errno: -2})`, true, `m instanceof RangeError && m.code === "ERR_X" && m.errno === -2 && Object.keys(m).join() === "code,errno"`},
		{"non-standard name kept", limitErr, true, `m instanceof Error && m.name === "ResourceLimitError" && m.limit === "maxTimers" && m.max === 2 && m.seen === 3 && m.unit === "timers" && !Object.keys(m).includes("name") && String(m) === "ResourceLimitError: maxTimers exceeded"`},
		{"subclass name from its prototype", `(() => { class MyErr extends Error {}; MyErr.prototype.name = "MyErr"; return new MyErr("x") })()`, true, `m.name === "MyErr" && m instanceof Error`},
		{"assigned name stays enumerable", `(() => { const e = new Error("x"); e.name = "Custom"; return e })()`, true, `m.name === "Custom" && Object.keys(m).join() === "name"`},
		{"cause copied with the same rules", `new Error("outer", {cause: Object.assign(new TypeError("inner"), {code: 7})})`, true, `m.cause instanceof TypeError && m.cause.code === 7 && !Object.keys(m).includes("cause")`},
		{"message not duplicated", `new Error("only")`, true, `m.message === "only" && Object.keys(m).length === 0`},
		{"html drops own data", `Object.assign(new RangeError("r"), {code: "ERR_X"})`, false, `m instanceof RangeError && m.code === undefined`},
		{"html drops odd names", limitErr, false, `m.name === "Error" && m.limit === undefined`},
		{"nested errors in plain values", `({e: Object.assign(new Error("n"), {code: 1})})`, true, `m.e.code === 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newSide(t), newSide(t)
			m, err := a.clone(a.run(tc.src), nil, Options{Thrown: tc.thrown})
			if err != nil {
				t.Fatalf("clone: %v", err)
			}
			b.check(b.receive(m), tc.check)
		})
	}
}

// TestNewError: an error made from Go arrives as a thrown one would.
func TestNewError(t *testing.T) {
	m, err := NewError(ErrorValue{Name: "ResourceLimitError", Message: "cpuMs exceeded", Stack: "ResourceLimitError: cpuMs exceeded\n    at f (a.js:1:1)",
		Props: map[string]any{"limit": "cpuMs", "max": 5, "seen": 6, "unit": "ms"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := newSide(t)
	b.check(b.receive(m), `m instanceof Error && m.name === "ResourceLimitError" && m.message === "cpuMs exceeded" && m.stack.includes("a.js:1:1") && m.limit === "cpuMs" && m.max === 5 && m.seen === 6 && m.unit === "ms" && Object.keys(m).join() === "limit,max,seen,unit"`)
	m, err = NewError(ErrorValue{Name: "TypeError", Message: "t"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.check(b.receive(m), `m instanceof TypeError && m.name === "TypeError" && !Object.keys(m).length`)
	g, err := m.ToGo()
	if err != nil {
		t.Fatal(err)
	}
	if gm, _ := g.(map[string]any); gm["name"] != "TypeError" || gm["message"] != "t" {
		t.Errorf("ToGo = %#v", g)
	}
}

type otherDynamic struct{}

func (otherDynamic) Get(string) goja.Value       { return nil }
func (otherDynamic) Set(string, goja.Value) bool { return false }
func (otherDynamic) Has(string) bool             { return false }
func (otherDynamic) Delete(string) bool          { return false }
func (otherDynamic) Keys() []string              { return nil }

// panicPorts is a port codec that panics.
type panicPorts struct{}

func (panicPorts) HostRef(*goja.Object) (any, bool)  { panic("codec bug") }
func (panicPorts) HostValue(any) (goja.Value, error) { panic("codec bug") }

func TestClonePanicsBecomeErrors(t *testing.T) {
	a, b := newSide(t), newSide(t)
	ph, _ := a.pc.HostValue(newTestPort())
	a.r.Set("port", ph)
	v := a.run("({x: [1, port]})")
	_, err := a.in.Clone(a.r, panicPorts{}, v, nil, Options{})
	var pe *InternalError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want *InternalError", err)
	}
	m, err := a.clone(v, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.in.Materialize(b.r, panicPorts{}, m); !errors.As(err, &pe) {
		t.Fatalf("toJS: got %v, want *InternalError", err)
	}
	// Both runtimes still work, and so do their codecs.
	b.check(b.receive(m), "m.x[0] === 1")
	a.check(a.run("1 + 1"), "m === 2")
}

func TestCloneInterruptedGetter(t *testing.T) {
	a := newSide(t)
	v := a.run("var buf = new ArrayBuffer(4); ({buf, get x() { for (;;) {} }})")
	timer := time.AfterFunc(50*time.Millisecond, func() { a.r.Interrupt("stop") })
	defer timer.Stop()
	_, err := a.clone(v, []goja.Value{a.run("buf")}, Options{})
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want *goja.InterruptedError", err)
	}
	a.r.ClearInterrupt()
	a.check(a.run("buf"), "m.byteLength === 4")
}

func TestCloneGetterThrows(t *testing.T) {
	a := newSide(t)
	v := a.run(`var buf = new ArrayBuffer(8); ({buf, get x() { throw new RangeError('boom') }})`)
	buf := a.run("buf")
	m, err := a.clone(v, []goja.Value{buf}, Options{})
	var ex *goja.Exception
	if !errors.As(err, &ex) || m != nil {
		t.Fatalf("got %v, %v; want *goja.Exception", m, err)
	}
	if msg := ex.Value().(*goja.Object).Get("message").String(); msg != "boom" {
		t.Errorf("exception message %q", msg)
	}
	a.check(buf, "m.byteLength === 8")
	// The runtime is still usable, and can clone again.
	if _, err := a.clone(a.run("({a: 1})"), nil, Options{}); err != nil {
		t.Fatal(err)
	}
	// A thrown primitive.
	_, err = a.clone(a.run("({get x() { throw 42 }})"), nil, Options{})
	if !errors.As(err, &ex) || ex.Value().ToInteger() != 42 {
		t.Fatalf("got %v", err)
	}
}

func TestCloneGetterThrowsInsideJS(t *testing.T) {
	// The usual caller: a Go function called from JS rethrows the exception.
	a := newSide(t)
	a.r.Set("post", func(call goja.FunctionCall) goja.Value {
		_, err := a.clone(call.Argument(0), nil, Options{})
		if err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				panic(ex)
			}
			panic(a.r.NewTypeError(err.Error()))
		}
		return goja.Undefined()
	})
	a.check(a.run(`(function(){
		try { post({get x() { throw new Error('inner') }}); return false } catch (e) { return e.message === 'inner' }
	})()`), "m === true")
	a.check(a.run(`(function(){
		try { post({f() {}}); return false } catch (e) { return e instanceof TypeError && e.message.indexOf('DataCloneError') === 0 }
	})()`), "m === true")
}

func TestCloneTransfer(t *testing.T) {
	a, b := newSide(t), newSide(t)
	v := a.run(`var buf = new ArrayBuffer(8); var u = new Uint8Array(buf, 2, 4); u[0] = 42;
		var other = new ArrayBuffer(4); ({u, buf})`)
	bufObj := a.run("buf").(*goja.Object)
	ptr := &bufObj.Export().(goja.ArrayBuffer).Bytes()[0]
	m, err := a.clone(v, []goja.Value{bufObj, a.run("other")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.check(nil, "buf.byteLength === 0 && other.byteLength === 0 && u.length === 0")
	got := b.receive(m)
	b.check(got, "m.buf.byteLength === 8 && m.u.buffer === m.buf && m.u.byteOffset === 2 && m.u[0] === 42")
	rb := got.(*goja.Object).Get("buf").(*goja.Object).Export().(goja.ArrayBuffer)
	if &rb.Bytes()[0] != ptr {
		t.Error("transferred buffer was copied")
	}
	if _, err := b.in.Materialize(b.r, b.pc, m); err == nil {
		t.Error("second toJS of a transferring message succeeded")
	}
	if _, err := m.ToGo(); err == nil {
		t.Error("ToGo after toJS of a transferring message succeeded")
	}
}

func TestCloneTransferToGo(t *testing.T) {
	a := newSide(t)
	v := a.run(`var buf = new Uint8Array([1, 2, 3]).buffer; buf`)
	m, err := a.clone(v, []goja.Value{v}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.ToGo()
	if err != nil || !reflect.DeepEqual(got, []byte{1, 2, 3}) {
		t.Fatalf("ToGo: %v %v", got, err)
	}
	b := newSide(t)
	b.check(b.receive(m), "m.byteLength === 3")
}

func TestCloneTransferErrors(t *testing.T) {
	tests := []struct {
		name, value, transfer, msg string
	}{
		{"twice", "({buf})", "[buf, buf]", "listed twice"},
		{"detached", "({})", "[buf, gone]", "already detached"},
		{"plain object", "({buf})", "[buf, {}]", "not an ArrayBuffer"},
		{"typed array", "({buf})", "[buf, new Uint8Array(2)]", "not an ArrayBuffer"},
		{"number", "({buf})", "[buf, 1]", "not an ArrayBuffer"},
		{"unclonable value", "({buf, f() {}})", "[buf]", "function could not be cloned"},
		// Long lists are looked up through a map, not pairwise.
		{"twice in a long list", "({buf})", "[buf, ...many, buf]", "listed twice"},
		{"detached in a long list", "({buf, many})", "[...many, buf, gone]", "already detached"},
		{"long list and an unclonable value", "({buf, many, f() {}})", "[...many, buf]", "function could not be cloned"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newSide(t)
			a.run("var many = Array.from({length: 5000}, () => new ArrayBuffer(1));")
			a.run("var buf = new ArrayBuffer(8); var gone = new ArrayBuffer(2);")
			a.run("gone").(*goja.Object).Export().(goja.ArrayBuffer).Detach()
			tl := a.run(tc.transfer).(*goja.Object)
			var transfer []goja.Value
			for _, k := range tl.Keys() {
				transfer = append(transfer, tl.Get(k))
			}
			_, err := a.clone(a.run(tc.value), transfer, Options{})
			var ce *Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want CloneError with %q", err, tc.msg)
			}
			a.check(nil, "buf.byteLength === 8")
		})
	}
}

// TestCloneDeferredDetach: CloneDeferred leaves the transferred buffers
// attached until detach runs, so a caller that drops the message leaves the
// sender untouched; detach is a no-op when nothing was transferred.
func TestCloneDeferredDetach(t *testing.T) {
	for _, tc := range []struct {
		name     string
		value    string
		transfer bool
		detach   bool
		after    string
	}{
		{"dropped", "({buf})", true, false, "buf.byteLength === 8"},
		{"sent", "({buf})", true, true, "buf.byteLength === 0"},
		{"no transfer", "({buf})", false, true, "buf.byteLength === 8"},
		{"primitive", "1", false, true, "buf.byteLength === 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newSide(t), newSide(t)
			buf := a.run("var buf = new ArrayBuffer(8); new Uint8Array(buf)[0] = 3; buf")
			var transfer []goja.Value
			if tc.transfer {
				transfer = []goja.Value{buf}
			}
			m, detach, err := a.in.CloneDeferred(a.r, a.pc, a.run(tc.value), transfer, Options{})
			if err != nil || detach == nil {
				t.Fatalf("CloneDeferred: %v, detach %v", err, detach != nil)
			}
			if tc.detach {
				detach()
				if tc.value != "1" {
					b.check(b.receive(m), "new Uint8Array(m.buf)[0] === 3")
				}
			}
			a.check(nil, tc.after)
		})
	}
}

// TestCloneLongTransferList transfers many buffers, each reached from the
// value, and checks that every one moved and none was copied.
func TestCloneLongTransferList(t *testing.T) {
	a, b := newSide(t), newSide(t)
	tl := a.run("var many = Array.from({length: 20000}, (_, i) => { const b = new ArrayBuffer(2); new Uint8Array(b)[0] = i % 251; return b; }); many").(*goja.Object)
	n := int(tl.Get("length").ToInteger())
	transfer := make([]goja.Value, n)
	for i := range transfer {
		transfer[i] = tl.Get(itoa(int64(i)))
	}
	m, err := a.clone(tl, transfer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.check(nil, "many.every(b => b.byteLength === 0)")
	b.check(b.receive(m), "m.length === 20000 && m.every((b, i) => b.byteLength === 2 && new Uint8Array(b)[0] === i % 251)")
}

func TestCloneDeep(t *testing.T) {
	const depth = 100000
	for _, tc := range []struct{ name, build, walk string }{
		{"array", "let v = []; for (let i = 0; i < " + itoa(depth) + "; i++) v = [v]; v",
			"(function(){ let n = 0; let v = m; while (v.length === 1) { v = v[0]; n++ } return n === " + itoa(depth) + " && v.length === 0 })()"},
		{"object", "let v = {end: true}; for (let i = 0; i < " + itoa(depth) + "; i++) v = {v}; v",
			"(function(){ let n = 0; let v = m; while (v.v) { v = v.v; n++ } return n === " + itoa(depth) + " && v.end === true })()"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := newSide(t), newSide(t)
			m, err := a.clone(a.run(tc.build), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			b.check(b.receive(m), tc.walk)
			g, err := m.ToGo()
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				if s, ok := g.([]any); ok && len(s) == 1 {
					g = s[0]
				} else if mp, ok := g.(map[string]any); ok && mp["v"] != nil {
					g = mp["v"]
				} else {
					break
				}
				n++
			}
			if n != depth {
				t.Errorf("ToGo depth %d", n)
			}
		})
	}
	t.Run("go", func(t *testing.T) {
		var v any = []any{}
		for i := 0; i < depth; i++ {
			v = []any{v}
		}
		m, err := FromGo(v, isTestPort)
		if err != nil {
			t.Fatal(err)
		}
		b := newSide(t)
		b.check(b.receive(m), "(function(){ let n = 0; let v = m; while (v.length === 1) { v = v[0]; n++ } return n === "+itoa(depth)+" })()")
	})
}

func TestCloneMaxBytes(t *testing.T) {
	a := newSide(t)
	for _, tc := range []struct {
		name, src string
		max       int64
		early     bool // many containers: must stop well before the end
	}{
		{"string", "'x'.repeat(5000)", 1000, false},
		{"nested string", "({a: ['x'.repeat(5000)]})", 1000, false},
		{"many elements", "Array.from({length: 1e6}, (_, i) => i)", 10000, false},
		{"many objects", "Array.from({length: 1e5}, (_, i) => ({i}))", 10000, true},
		{"many strings", "Array.from({length: 100}, () => Array.from({length: 1000}, (_, i) => 'str' + i))", 10000, true},
		{"nested arrays", "Array.from({length: 1e5}, (_, i) => [i])", 10000, true},
		{"buffer", "new ArrayBuffer(1 << 20)", 1000, false},
		{"keys", "Object.fromEntries(Array.from({length: 1e5}, (_, i) => ['key' + i, i]))", 10000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := a.run(tc.src)
			_, err := a.clone(v, nil, Options{MaxBytes: tc.max})
			var le *SizeError
			if !errors.As(err, &le) || le.Max != tc.max {
				t.Fatalf("got %v", err)
			}
			m, err := a.clone(v, nil, Options{})
			if err != nil || m.Size() <= tc.max || le.Seen > m.Size() {
				t.Fatalf("unlimited clone: %v, size %d, limited clone saw %d", err, m.Size(), le.Seen)
			}
			// Stopped early: the limit is checked before each string, buffer
			// or container is copied, so the whole value is never built.
			if tc.early && le.Seen > m.Size()/4 && gojax.Layout() == nil {
				t.Errorf("saw %d of %d bytes before failing", le.Seen, m.Size())
			}
		})
	}
	m, err := a.clone(a.run("({a: 'hello'})"), nil, Options{MaxBytes: 1000})
	if err != nil || m.Size() <= 5 || m.Size() > 1000 {
		t.Errorf("small message: %v size %d", err, m.Size())
	}
}

func TestCloneReceiverTampering(t *testing.T) {
	all := `(function(){
		const b = new ArrayBuffer(8);
		const shared = [1, 2];
		return {a: 1, arr: [1, , 3], dense: [1, 2], s1: shared, s2: shared, map: new Map([[1, {a: 2}]]), set: new Set([1]),
			date: new Date(3), re: /x/g, buf: b, u8: new Uint8Array(b), i16: new Int16Array(b, 2, 1), dv: new DataView(b),
			err: new TypeError('t', {cause: 1}), agg: new AggregateError([1], 'a'), num: new Number(1), str: new String('s')};
	})()`
	check := `m.a === 1 && m.arr.length === 3 && !OrigHasOwn.call(m.arr, 1) && m.dense[1] === 2 && m.s1 === m.s2 && m.s1[0] === 1 &&
		m.map instanceof OrigMap && OrigMapGet.call(m.map, 1).a === 2 && OrigSetHas.call(m.set, 1) && m.date instanceof OrigDate &&
		m.re instanceof OrigRegExp && m.u8.buffer === m.buf && m.i16.buffer === m.buf && m.dv.buffer === m.buf &&
		m.err instanceof OrigTypeError && m.err.cause === 1 && m.agg instanceof OrigAggregateError && m.agg.errors[0] === 1 &&
		OrigGetOwnPropertyDescriptor(m, 'a').value === 1 && OrigGetOwnPropertyDescriptor(m.dense, '0').value === 1`
	tamper := `
		var OrigMap = Map, OrigMapGet = Map.prototype.get, OrigSetHas = Set.prototype.has, OrigDate = Date, OrigRegExp = RegExp,
			OrigTypeError = TypeError, OrigAggregateError = AggregateError, OrigGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor,
			OrigHasOwn = Object.prototype.hasOwnProperty;
		Map.prototype.set = function() { throw new Error('Map.prototype.set called') };
		Set.prototype.add = function() { throw new Error('Set.prototype.add called') };
		Object.defineProperty(Object.prototype, 'a', {set() { throw new Error('setter a called') }, get() { return 'proto' }, configurable: true});
		Object.defineProperty(Object.prototype, 'err', {set() { throw new Error('setter err called') }, configurable: true});
		Object.defineProperty(Array.prototype, '0', {set() { throw new Error('setter 0 called') }, get() { return 'proto0' }, configurable: true});
		Object.defineProperty(Array.prototype, '1', {set() { throw new Error('setter 1 called') }, configurable: true});
		Array.prototype.push = function() { throw new Error('push called') };
		Array.prototype[Symbol.iterator] = function() { throw new Error('iterator called') };
		Object.defineProperty = function() { throw new Error('defineProperty called') };
		Map = null; Set = null; Date = null; RegExp = null; Error = null; TypeError = null; AggregateError = null;
		Uint8Array = null; Int16Array = null; DataView = null; ArrayBuffer = null; Array = null; Object = null; Number = null; String = null;
	`
	a, b := newSide(t), newSide(t)
	m, err := a.clone(a.run(all), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.receive(m) // first use captures the intrinsics
	b.run(tamper)
	m, err = a.clone(a.run(all), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.check(b.receive(m), check)

	// Plain objects and arrays need no intrinsics at all: tampering before
	// the first message does not matter.
	c := newSide(t)
	c.run(tamper)
	m, err = a.clone(a.run("(function(){ const s = [1, 2]; return {a: 1, x: [1, , 3], y: s, z: s, n: {a: [s]}} })()"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.check(c.receive(m), "OrigGetOwnPropertyDescriptor(m, 'a').value === 1 && m.y === m.z && m.n.a[0] === m.y && m.y[1] === 2 && OrigGetOwnPropertyDescriptor(m.x, '2').value === 3 && !OrigGetOwnPropertyDescriptor(m.x, '1')")
}

func TestCloneSenderTampering(t *testing.T) {
	// A sender that breaks its own built-ins cannot make the receiver see
	// inconsistent views.
	a, b := newSide(t), newSide(t)
	a.run(`var other = new ArrayBuffer(64);
		Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'buffer', {get() { return other }});`)
	_, err := a.clone(a.run("new Uint8Array(4)"), nil, Options{})
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
	// Keys and values are read with [[Get]], which does not consult
	// Object.prototype for own properties.
	a.run(`Object.defineProperty(Object.prototype, 'x', {get() { return 'proto' }})`)
	m, err := a.clone(a.run("({x: 1})"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.check(b.receive(m), "m.x === 1")
}

func TestCloneReentrant(t *testing.T) {
	// A getter that clones (posts a message) while a clone is running.
	a, b := newSide(t), newSide(t)
	var inner *Message
	a.r.Set("post", func(call goja.FunctionCall) goja.Value {
		m, err := a.clone(call.Argument(0), nil, Options{})
		if err != nil {
			panic(err)
		}
		inner = m
		return goja.Undefined()
	})
	m, err := a.clone(a.run("({a: [1, {get b() { post({c: [2, 3]}); return 4 }}], d: new Map([[1, 2]])})"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b.check(b.receive(m), "m.a[1].b === 4 && m.d.get(1) === 2")
	b.check(b.receive(inner), "m.c[1] === 3")
}

func TestCloneAcrossGoroutines(t *testing.T) {
	// Sender and receiver on their own goroutines, as isolates are; the
	// sender keeps using the values it sent. Run with -race.
	const n = 200
	ch := make(chan *Message, 8)
	var wg sync.WaitGroup
	wg.Add(2)
	var sendErr, recvErr error
	go func() {
		defer wg.Done()
		defer close(ch)
		a := newSide(t)
		a.r.Set("long", strings.Repeat("é", 40))
		a.r.Set("longASCII", strings.Repeat("a", 40))
		v := a.run("var v = {s: long, t: longASCII, k: {[longASCII]: long}, n: 2n ** 80n, a: [1.5, -0, 'x'.repeat(20)]}; v")
		for i := 0; i < n; i++ {
			m, err := a.clone(v, nil, Options{})
			if err != nil {
				sendErr = err
				return
			}
			ch <- m
			if _, err := a.r.RunString("v.s.length + v.t.toUpperCase().length + v.s.indexOf('x') + Number(v.n % 7n)"); err != nil {
				sendErr = err
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		b := newSide(t)
		for m := range ch {
			v, err := b.in.Materialize(b.r, b.pc, m)
			if err == nil {
				b.r.Set("m", v)
				_, err = b.r.RunString("m.s.length + m.t.toLowerCase().length + m.s.indexOf('e') + Number(m.n % 3n) + Object.keys(m.k)[0].length")
			}
			if err == nil {
				_, err = m.ToGo()
			}
			if err != nil {
				recvErr = err
				return
			}
		}
	}()
	wg.Wait()
	if sendErr != nil || recvErr != nil {
		t.Fatal(sendErr, recvErr)
	}
}

func TestCloneMessageReuse(t *testing.T) {
	// A message without transfers can be materialized many times, each
	// time as fresh objects (buffers are copied on receive).
	a, b := newSide(t), newSide(t)
	m, err := a.clone(a.run("({u: new Uint8Array([1, 2]), o: {x: 1}})"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v1 := b.receive(m)
	b.check(v1, "(m.u[0] = 9, m.o.x = 2, true)")
	v2 := b.receive(m)
	b.check(v2, "m.u[0] === 1 && m.o.x === 1")
	c := newSide(t)
	c.check(c.receive(m), "m.u[0] === 1")
}

func TestClonePrimitiveAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	a, b := newSide(t), newSide(t)
	v := a.run("1.5")
	allocs := testing.AllocsPerRun(100, func() {
		m, _ := a.clone(v, nil, Options{})
		b.in.Materialize(b.r, b.pc, m)
	})
	if allocs > 1 {
		t.Errorf("primitive round trip: %v allocs", allocs)
	}
}

const smallObjectSrc = `({a: 1, b: "hello", c: [1, 2, 3], d: {e: true}})`

func benchRoundTrip(b *testing.B, src string) {
	a, r := newSide(b), newSide(b)
	v := a.run(src)
	m, err := a.clone(v, nil, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(m.Size())
	b.ReportAllocs()
	for b.Loop() {
		m, err := a.clone(v, nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.in.Materialize(r.r, r.pc, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCloneNumber(b *testing.B)      { benchRoundTrip(b, "42.5") }
func BenchmarkCloneSmallObject(b *testing.B) { benchRoundTrip(b, smallObjectSrc) }

// oneMBSrc is about 1 MB of JSON: 5000 records.
const oneMBSrc = `(function(){ const a = []; for (let i = 0; i < 5000; i++) a.push({id: i, name: "user-" + i + "-abcdefghij",
	email: "user" + i + "@example.com", tags: ["alpha", "beta", "gamma"], score: i * 1.5, active: i % 2 === 0,
	nested: {x: i, y: "value-" + i, z: [i, i + 1, i + 2]}}); return a })()`

func BenchmarkClone1MB(b *testing.B) { benchRoundTrip(b, oneMBSrc) }

func BenchmarkClone1MBCloneOnly(b *testing.B) {
	a := newSide(b)
	v := a.run(oneMBSrc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.clone(v, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClone1MBMaterializeOnly(b *testing.B) {
	a, r := newSide(b), newSide(b)
	m, err := a.clone(a.run(oneMBSrc), nil, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.in.Materialize(r.r, r.pc, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONRoundTrip1MB(b *testing.B) {
	a, r := newSide(b), newSide(b)
	v := a.run(oneMBSrc)
	stringify, _ := goja.AssertFunction(a.run("JSON.stringify"))
	parse, _ := goja.AssertFunction(r.run("JSON.parse"))
	b.ReportAllocs()
	for b.Loop() {
		s, err := stringify(nil, v)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := parse(nil, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessageFromGoSmall(b *testing.B) {
	v := map[string]any{"a": 1, "b": "hello", "c": []any{1, 2, 3}, "d": map[string]any{"e": true}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromGo(v, isTestPort); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCloneWithoutLayout runs the codec's behaviour tests with gojax turned
// off, as a goja upgrade that changed its layout would: the public-API slow
// paths must give the same results.
func TestCloneWithoutLayout(t *testing.T) {
	restore := gojax.Disable()
	defer restore()
	if gojax.Layout() == nil {
		t.Fatal("gojax.Disable did not disable")
	}
	for _, tc := range []struct {
		name string
		f    func(*testing.T)
	}{
		{"Supported", TestCloneSupported},
		{"TypedArrays", TestCloneTypedArrays},
		{"SendPort", TestCloneSendPort},
		{"Unclonable", TestCloneUnclonable},
		{"BuiltinObjects", TestCloneBuiltinObjects},
		{"Transfer", TestCloneTransfer},
		{"TransferErrors", TestCloneTransferErrors},
		{"Deep", TestCloneDeep},
		{"MaxBytes", TestCloneMaxBytes},
		{"ReceiverTampering", TestCloneReceiverTampering},
		// Not SenderTampering: without gojax the (tampered) intrinsic
		// getters are the only view of a buffer's slots.
		{"ToGo", TestToGo},
		{"GoRoundTrip", TestGoRoundTrip},
	} {
		t.Run(tc.name, tc.f)
	}
}
