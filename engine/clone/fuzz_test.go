package clone

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// canonJS defines canon(v): a deterministic serialization of a value graph
// that structured clone must preserve: types, primitives bit for bit (-0,
// NaN, UTF-16 code units), own enumerable keys in order, holes and lengths,
// Map and Set order, buffer bytes, views and their buffers, error fields,
// and the shape of shared and cyclic references (objects are numbered in
// visiting order and repeated visits print the number).
const canonJS = `function canon(root) {
	const ids = new Map();
	let next = 0;
	const hasOwn = Object.prototype.hasOwnProperty;
	function str(s) {
		let r = '';
		for (let i = 0; i < s.length; i++) r += s.charCodeAt(i).toString(16) + '.';
		return '"' + r + '"';
	}
	function num(n) { return Object.is(n, -0) ? '-0' : String(n); }
	function walk(v) {
		switch (typeof v) {
		case 'undefined': return 'u';
		case 'boolean': return v ? 'T' : 'F';
		case 'number': return 'n' + num(v);
		case 'bigint': return 'b' + v;
		case 'string': return 's' + str(v);
		case 'symbol': return '!symbol';
		case 'function': return '!function';
		}
		if (v === null) return 'null';
		if (ids.has(v)) return '#' + ids.get(v);
		const id = next++;
		ids.set(v, id);
		let out = '@' + id;
		if (Array.isArray(v)) {
			out += 'A' + v.length + '[' + Object.keys(v).map(k => str(k) + ':' + walk(v[k])).join(',') + ']';
		} else if (v instanceof Map) {
			const parts = [];
			v.forEach((val, key) => parts.push(walk(key) + '=>' + walk(val)));
			out += 'M{' + parts.join(',') + '}';
		} else if (v instanceof Set) {
			const parts = [];
			v.forEach(val => parts.push(walk(val)));
			out += 'S{' + parts.join(',') + '}';
		} else if (v instanceof Date) {
			out += 'D' + num(v.getTime());
		} else if (v instanceof RegExp) {
			out += 'R' + str(v.source) + '/' + v.flags;
		} else if (v instanceof ArrayBuffer) {
			out += 'B' + Array.from(new Uint8Array(v)).join('.');
		} else if (v instanceof DataView) {
			out += 'V' + v.byteOffset + ',' + v.byteLength + ',' + walk(v.buffer);
		} else if (ArrayBuffer.isView(v)) {
			out += 'T' + Object.prototype.toString.call(v) + v.byteOffset + ',' + v.length + ',' + walk(v.buffer);
		} else if (v instanceof Error) {
			out += 'E' + v.name + ':' + (hasOwn.call(v, 'message') ? str(v.message) : '-') + ':' +
				(typeof v.stack === 'string' ? str(v.stack) : '-') + ':' +
				(hasOwn.call(v, 'cause') ? walk(v.cause) : '-') + ':' +
				(v.name === 'AggregateError' && hasOwn.call(v, 'errors') ? walk(v.errors) : '-');
		} else if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt) {
			out += 'W' + walk(v.valueOf());
		} else {
			out += 'O{' + Object.keys(v).map(k => str(k) + ':' + walk(v[k])).join(',') + '}';
		}
		return out;
	}
	return walk(root);
}`

// linkJS defines link(t, k, v): add v to container t under key k.
const linkJS = `function link(t, k, v) {
	if (t === null || typeof t !== 'object') return;
	if (t instanceof Map) t.set(k, v);
	else if (t instanceof Set) t.add(v);
	else if (t instanceof Error) t.cause = v;
	else if (Array.isArray(t) || Object.getPrototypeOf(t) === Object.prototype || Object.getPrototypeOf(t) === null) t[k] = v;
}`

// valueGen turns fuzz bytes into the JS source of a value graph that uses
// every supported type, with shared references and cycles.
type valueGen struct {
	data  []byte
	pos   int
	sb    strings.Builder
	pool  int // number of values in P
	bufs  int // number of buffers in B
	count int
}

func (g *valueGen) next() int {
	if g.pos >= len(g.data) {
		return 0
	}
	b := g.data[g.pos]
	g.pos++
	return int(b)
}

func (g *valueGen) pick(list []string) string { return list[g.next()%len(list)] }

var genStrings = []string{`''`, `'a'`, `'hello'`, `'\u00e9t\u00e9'`, `'\ud800'`, `'\udc00x'`, `'\ud83d\ude00'`,
	`'\u65e5\u672c'`, `'x'.repeat(40)`, `'\u00e9'.repeat(20)`, `'0'`, `'__proto__'`}
var genKeys = []string{`'a'`, `'b'`, `'0'`, `'1'`, `'5'`, `'x y'`, `'\u00e9'`, `'length2'`, `'10'`, `'c'`}
var genRegExps = []string{`/a/`, `/a+b/gi`, `/[\u00e9-\u00ff]/u`, `/^x$/my`, `/./s`, `new RegExp('a/b', 'g')`, `/(?:)/`}
var genErrors = []string{"Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"}

func (g *valueGen) primitive() string {
	switch g.next() % 16 {
	case 0:
		return "undefined"
	case 1:
		return "null"
	case 2:
		return "true"
	case 3:
		return "false"
	case 4:
		return "-0"
	case 5:
		return "NaN"
	case 6:
		return "-Infinity"
	case 7:
		return fmt.Sprintf("%d", g.next()-128)
	case 8:
		return fmt.Sprintf("(%d / 7)", g.next()+1)
	case 9:
		return fmt.Sprintf("%dn", g.next()-128)
	case 10:
		return fmt.Sprintf("(-(2n ** %dn) + 3n)", g.next()%130)
	case 11:
		return "2 ** 60"
	default:
		return g.pick(genStrings)
	}
}

func (g *valueGen) ref() string {
	if g.pool == 0 {
		return g.primitive()
	}
	return fmt.Sprintf("P[%d]", g.next()%g.pool)
}

func (g *valueGen) buffer() int {
	if g.bufs == 0 || g.next()%4 == 0 {
		size := g.next() % 33
		fmt.Fprintf(&g.sb, "B.push(new ArrayBuffer(%d)); new Uint8Array(B[%d]).forEach((_, i, a) => { a[i] = (i * %d + %d) & 255 });\n",
			size, g.bufs, g.next()|1, g.next())
		g.bufs++
	}
	return g.next() % g.bufs
}

func (g *valueGen) push(expr string) {
	fmt.Fprintf(&g.sb, "P.push(%s);\n", expr)
	g.pool++
}

func (g *valueGen) source() string {
	g.sb.WriteString("(function(){\n" + linkJS + "\nconst P = [], B = [];\n")
	for ops := 0; g.pos < len(g.data) && ops < 48; ops++ {
		switch g.next() % 18 {
		case 0, 1:
			g.push(g.primitive())
		case 2:
			g.push("{}")
		case 3:
			g.push("[]")
		case 4:
			g.push(fmt.Sprintf("new Array(%d)", g.next()%6))
		case 5:
			g.push("new Map()")
		case 6:
			g.push("new Set()")
		case 7:
			if g.next()%4 == 0 {
				g.push("new Date(NaN)")
			} else {
				g.push(fmt.Sprintf("new Date(%d)", (g.next()-128)*123456789))
			}
		case 8:
			g.push(g.pick(genRegExps))
		case 9:
			g.push(fmt.Sprintf("B[%d]", g.buffer()))
		case 10:
			b := g.buffer()
			i := g.next() % len(typedArrayNames)
			size := typedArrayElemSize[i]
			fmt.Fprintf(&g.sb, "P.push((function(b){ const off = %d * Math.min(%d, Math.floor(b.byteLength / %d)); const max = Math.floor((b.byteLength - off) / %d); return new %s(b, off, max === 0 ? 0 : %d %% (max + 1)) })(B[%d]));\n",
				size, g.next()%3, size, size, typedArrayNames[i], g.next(), b)
			g.pool++
		case 11:
			b := g.buffer()
			fmt.Fprintf(&g.sb, "P.push((function(b){ const off = Math.min(%d, b.byteLength); return new DataView(b, off, %d %% (b.byteLength - off + 1)) })(B[%d]));\n",
				g.next()%5, g.next(), b)
			g.pool++
		case 12:
			e := g.pick(genErrors)
			switch g.next() % 3 {
			case 0:
				g.push(fmt.Sprintf("new %s()", e))
			case 1:
				g.push(fmt.Sprintf("new %s(%s)", e, g.pick(genStrings)))
			default:
				g.push(fmt.Sprintf("new %s(%s, {cause: %s})", e, g.pick(genStrings), g.ref()))
			}
		case 13:
			g.push(fmt.Sprintf("new AggregateError([%s, %s], %s)", g.ref(), g.ref(), g.pick(genStrings)))
		case 14:
			switch g.next() % 4 {
			case 0:
				g.push(fmt.Sprintf("new Number(%s)", []string{"-0", "NaN", "1.5", "7"}[g.next()%4]))
			case 1:
				g.push(fmt.Sprintf("new String(%s)", g.pick(genStrings)))
			case 2:
				g.push("new Boolean(false)")
			default:
				g.push("Object(-5n)")
			}
		default: // links make shared references and cycles
			if g.pool == 0 {
				continue
			}
			t := g.next() % g.pool
			var k string
			if g.next()%3 == 0 {
				k = g.ref()
			} else {
				k = g.pick(genKeys)
			}
			v := g.ref()
			if g.next()%4 == 0 {
				v = g.primitive()
			}
			fmt.Fprintf(&g.sb, "link(P[%d], %s, %s);\n", t, k, v)
		}
	}
	if g.pool == 0 {
		g.sb.WriteString("return " + g.primitive() + ";\n})()")
	} else if g.next()%3 == 1 { // input exhausted: 0, the whole pool
		fmt.Fprintf(&g.sb, "return P[%d];\n})()", g.next()%g.pool)
	} else {
		g.sb.WriteString("return P;\n})()") // everything, as one array
	}
	return g.sb.String()
}

// runGuarded runs src, interrupting it after a while.
func runGuarded(r *goja.Runtime, src string) (goja.Value, error) {
	t := time.AfterFunc(200*time.Millisecond, func() { r.Interrupt("timeout") })
	defer t.Stop()
	v, err := r.RunString(src)
	r.ClearInterrupt()
	return v, err
}

func canonOf(t *testing.T, s *side, v goja.Value) string {
	t.Helper()
	if _, err := s.r.RunString(canonJS); err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(s.r.Get("canon"))
	out, err := fn(nil, v)
	if err != nil {
		t.Fatalf("canon: %v", err)
	}
	return out.String()
}

// checkCloneErr fails on errors that must never come out of the codec.
func checkCloneErr(t *testing.T, err error) {
	t.Helper()
	var (
		ce  *Error
		le  *SizeError
		ex  *goja.Exception
		ie  *goja.InterruptedError
		soe *goja.StackOverflowError
	)
	if errors.As(err, &ce) || errors.As(err, &le) || errors.As(err, &ex) || errors.As(err, &ie) || errors.As(err, &soe) {
		return
	}
	t.Fatalf("unexpected error %T: %v", err, err)
}

// isHugeSparse reports ToGo's one refusal: a sparse array too long for a
// Go slice.
func isHugeSparse(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && strings.Contains(ce.Msg, "too long for a Go slice")
}

func FuzzClone(f *testing.F) {
	for _, seed := range []string{
		"\x02\x10\x03\x11\x00\x01\x05\x12\x00\x01\x02",
		"\x05\x06\x02\x11\x00\x00\x01\x01\x11\x01\x02\x00\x00\x11\x02\x00\x03\x01",
		"\x09\x01\x10\x03\x01\x0a\x00\x05\x01\x02\x0b\x01\x03\x07\x11\x00\x05\x01",
		"\x0c\x00\x01\x0c\x02\x03\x02\x0d\x00\x00\x01\x11\x00\x05\x00",
		"\x0e\x00\x01\x0e\x01\x03\x0e\x03\x07\x0a\x09\x11\x11\x03\x02\x04",
		"J({a: 1, b: [1, , 3], c: new Map([[{}, new Set([1])]]), d: new Date(0), e: /x/g})",
		"J(function(){ const o = {}; o.self = o; o.arr = [o, o]; return o })()",
		"J(function(){ const b = new ArrayBuffer(16); return [new Int32Array(b, 4, 2), new DataView(b, 1), b] })()",
		"J({get x() { throw new Error('no') }})",
		"J[function(){}]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := newSide(t), newSide(t)
		if len(data) > 0 && data[0] == 'J' {
			// Arbitrary JS: anything may happen, but the codec must return
			// only its documented errors, and a clone must materialize.
			v, err := runGuarded(a.r, string(data[1:]))
			if err != nil {
				return
			}
			timer := time.AfterFunc(200*time.Millisecond, func() { a.r.Interrupt("timeout") })
			m, err := a.clone(v, nil, Options{MaxBytes: 1 << 20})
			timer.Stop()
			a.r.ClearInterrupt()
			if err != nil {
				checkCloneErr(t, err)
				return
			}
			if _, err := b.in.Materialize(b.r, b.pc, m); err != nil {
				t.Fatalf("toJS: %v", err)
			}
			if _, err := m.ToGo(); err != nil && !isHugeSparse(err) {
				t.Fatalf("ToGo: %v", err)
			}
			return
		}
		src := (&valueGen{data: data}).source()
		v, err := a.r.RunString(src) // generated code always terminates
		if err != nil {
			t.Fatalf("generated source failed: %v\n%s", err, src)
		}
		m, err := a.clone(v, nil, Options{})
		if err != nil {
			t.Fatalf("clone: %v\n%s", err, src)
		}
		got, err := b.in.Materialize(b.r, b.pc, m)
		if err != nil {
			t.Fatalf("toJS: %v\n%s", err, src)
		}
		want, have := canonOf(t, a, v), canonOf(t, b, got)
		if want != have {
			t.Fatalf("clone differs\nsource:\n%s\nsent:     %s\nreceived: %s", src, want, have)
		}
		// The message is reusable, and a Go round trip of it is stable.
		if again := canonOf(t, b, b.receive(m)); again != want {
			t.Fatalf("second materialization differs: %s", again)
		}
		if _, err := m.ToGo(); err != nil && !isHugeSparse(err) {
			t.Fatalf("ToGo: %v", err)
		}
		m2, err := FromGo(m, isTestPort)
		if err != nil {
			t.Fatalf("FromGo(message): %v", err)
		}
		if again := canonOf(t, b, b.receive(m2)); again != want {
			t.Fatalf("FromGo(message) differs: %s", again)
		}
	})
}
