package clone

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// wirePorts numbers test ports for the wire and back.
type wirePorts struct{ byID map[uint64]*testPort }

func (w *wirePorts) out(ref any) (uint64, error) {
	p := ref.(*testPort)
	if w.byID == nil {
		w.byID = map[uint64]*testPort{}
	}
	w.byID[p.id] = p
	return p.id, nil
}

func (w *wirePorts) in(id uint64) (any, error) {
	if p, ok := w.byID[id]; ok {
		return p, nil
	}
	return nil, errors.New("unknown port")
}

// wireRoundTrip encodes m and decodes it again.
func wireRoundTrip(t testing.TB, m *Message) *Message {
	t.Helper()
	w := &wirePorts{}
	b, err := m.AppendWire(nil, w.out)
	if err != nil {
		t.Fatalf("AppendWire: %v", err)
	}
	m2, err := FromWire(b, w.in)
	if err != nil {
		t.Fatalf("FromWire: %v", err)
	}
	return m2
}

func TestWireRoundTrip(t *testing.T) {
	for _, src := range []string{
		"undefined", "null", "true", "-0", "NaN", "1.5", "2**53", "'ascii'", "'h\\u00e9llo \\ud83d\\ude00'", "'lone \\ud800'",
		"123456789012345678901234567890n", "-5n", "0n",
		"({a: 1, b: [1, , 3], c: new Map([[{}, new Set([1])]]), d: new Date(0), e: /x/g, f: new Date(NaN)})",
		"(function(){ const o = {}; o.self = o; o.arr = [o, o]; return o })()",
		"(function(){ const b = new ArrayBuffer(16); return [new Int32Array(b, 4, 2), new DataView(b, 1), b] })()",
		"(function(){ const a = [1, 2]; a[10] = 3; a.x = 'y'; return a })()",
		"({['\\ud800key']: 1, 'é': 2, 3: 4})",
		"[new TypeError('t', {cause: 1}), new RangeError('r'), Object(1n), new String('s'), new Boolean(false), new Number(-0)]",
		"new BigInt64Array([1n, -1n])",
	} {
		t.Run(src, func(t *testing.T) {
			a, b := newSide(t), newSide(t)
			v := a.run(src)
			m, err := a.clone(v, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := b.receive(wireRoundTrip(t, m))
			if want, have := canonOf(t, a, v), canonOf(t, b, got); want != have {
				t.Fatalf("differs\nsent:     %s\nreceived: %s", want, have)
			}
		})
	}
}

func TestWirePortsAndTransfer(t *testing.T) {
	a, b := newSide(t), newSide(t)
	p := newTestPort()
	h, _ := a.pc.HostValue(p)
	a.r.Set("port", h)
	v := a.run("({p: port, q: port, buf: new Uint8Array([7, 8]).buffer})")
	m, err := a.clone(v, []goja.Value{v.(*goja.Object).Get("buf")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m2 := wireRoundTrip(t, m)
	got, err := m2.ToGo()
	if err != nil {
		t.Fatal(err)
	}
	o := got.(map[string]any)
	if o["p"] != p || o["q"] != p {
		t.Errorf("ports: %#v", o)
	}
	b.check(b.receive(m2), "new Uint8Array(m.buf)[1] === 8 && m.p === m.q")
	if _, err := FromWire(mustWire(t, m), nil); err == nil || !strings.Contains(err.Error(), "ports") {
		t.Errorf("FromWire without a port function: %v", err)
	}
	if _, err := m.AppendWire(nil, nil); err == nil {
		t.Error("AppendWire of a port without a port function succeeded")
	}
}

func mustWire(t *testing.T, m *Message) []byte {
	t.Helper()
	w := &wirePorts{}
	b, err := m.AppendWire(nil, w.out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWireRejects feeds hand-broken messages: each must be a *WireError,
// never a panic, and never a message that fails later.
func TestWireRejects(t *testing.T) {
	a := newSide(t)
	m, err := a.clone(a.run("({a: [1, 2], b: new Uint8Array(4), c: 'x'})"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	good := mustWire(t, m)
	cases := map[string][]byte{
		"empty":      nil,
		"magic":      []byte("XXXX\x01P\x01"),
		"version":    []byte("IBXM\x09P\x01"),
		"tag":        []byte("IBXM\x01Z"),
		"prim tag":   []byte("IBXM\x01P\x63"),
		"trailing":   append(append([]byte{}, good...), 0),
		"truncated":  good[:len(good)-1],
		"huge count": []byte("IBXM\x01G\x00\xff\xff\xff\xff\x0f"),
		"bad ascii":  []byte("IBXM\x01P\x07\x01\xc3"),
		"bigint -0":  []byte("IBXM\x01P\x09\x01\x00"),
	}
	// Every single-byte corruption of a good message must decode to a
	// valid message or fail cleanly.
	for i := len("IBXM\x01G"); i < len(good); i++ {
		for _, d := range []byte{1, 0x7f, 0x80, 0xff} {
			b := append([]byte{}, good...)
			b[i] += d
			checkWireInput(t, b)
		}
	}
	for name, b := range cases {
		_, err := FromWire(b, nil)
		var we *WireError
		if !errors.As(err, &we) {
			t.Errorf("%s: got %v, want *WireError", name, err)
		}
	}
}

// checkWireInput decodes hostile bytes; a message that decodes must
// materialize and convert to Go without a panic or an undocumented error.
func checkWireInput(t *testing.T, data []byte) {
	t.Helper()
	w := &wirePorts{byID: map[uint64]*testPort{}}
	m, err := FromWire(data, func(id uint64) (any, error) {
		if p, ok := w.byID[id]; ok {
			return p, nil
		}
		p := &testPort{id: id}
		w.byID[id] = p
		return p, nil
	})
	if err != nil {
		var we *WireError
		if !errors.As(err, &we) {
			t.Fatalf("FromWire: %T %v", err, err)
		}
		return
	}
	if _, err := m.ToGo(); err != nil && !isHugeSparse(err) {
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("ToGo of a decoded message: %v", err)
		}
	}
	b := newSide(t)
	if _, err := b.in.Materialize(b.r, b.pc, m); err != nil {
		checkCloneErr(t, err)
	}
}

// FuzzWireDecode treats its input as bytes from a hostile worker process.
func FuzzWireDecode(f *testing.F) {
	a := newSide(f)
	for _, src := range []string{
		"1", "'s'", "null", "({a: [1, 2], m: new Map([[1, {}]])})", "(function(){ const o = {}; o.o = o; return [o, o] })()",
		"(function(){ const b = new ArrayBuffer(8); return [new Int16Array(b, 2, 2), new DataView(b), /re/g, new Error('e')] })()",
	} {
		m, err := a.clone(a.run(src), nil, Options{})
		if err != nil {
			f.Fatal(err)
		}
		b, err := m.AppendWire(nil, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkWireInput(t, data)
	})
}

// FuzzWireRoundTrip checks that every generated value survives the wire.
func FuzzWireRoundTrip(f *testing.F) {
	for _, seed := range []string{"\x02\x10\x03\x11\x00\x01\x05\x12\x00\x01\x02", "\x0e\x00\x01\x0e\x01\x03\x0e\x03\x07\x0a\x09\x11\x11\x03\x02\x04"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := newSide(t), newSide(t)
		src := (&valueGen{data: data}).source()
		v, err := a.r.RunString(src)
		if err != nil {
			t.Fatalf("generated source failed: %v\n%s", err, src)
		}
		m, err := a.clone(v, nil, Options{})
		if err != nil {
			t.Fatalf("clone: %v\n%s", err, src)
		}
		got := b.receive(wireRoundTrip(t, m))
		if want, have := canonOf(t, a, v), canonOf(t, b, got); want != have {
			t.Fatalf("wire round trip differs\nsource:\n%s\nsent:     %s\nreceived: %s", src, want, have)
		}
	})
}

// TestWireRejectsBadReferences builds graphs that only the reference-order
// check catches: a second edge to an unshared node, an edge back to an
// unshared node, and a view over a non-buffer.
func TestWireRejectsBadReferences(t *testing.T) {
	a := newSide(t)
	for _, tc := range []struct {
		name    string
		src     string
		corrupt func(g *graph)
	}{
		{"second edge to an unshared array", "({x: [1], y: 2})", func(g *graph) {
			g.slots[g.nodes[0].s+1] = g.slots[g.nodes[0].s] // y -> the array of x
		}},
		{"edge back to an unshared node", "({x: {z: 1}})", func(g *graph) {
			g.slots[g.nodes[1].s] = 0 // x.z -> the root, which is not shared
		}},
		{"view over a non-buffer", "({v: new Uint8Array(2), o: {}})", func(g *graph) {
			for i := range g.nodes {
				if g.nodes[i].kind == kTypedArray {
					g.slots[g.nodes[i].s] = int32(len(g.nodes) - 1)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := a.clone(a.run(tc.src), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			tc.corrupt(m.g)
			b, err := m.AppendWire(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var we *WireError
			if _, err := FromWire(b, nil); !errors.As(err, &we) {
				t.Fatalf("got %v, want *WireError", err)
			}
		})
	}
}
