package clone

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
)

// The wire form of a Message: one versioned, length-delimited byte string
// that holds the whole graph, for carrying a message across a process (or,
// later, a machine) boundary. It knows nothing of processes: host
// references (ports) are turned into numbers and back by the caller's
// functions.
//
// Layout (all integers are unsigned varints unless marked zigzag):
//
//	magic "IBXM", version byte
//	prim message:  tag 'P', one primitive
//	graph message: tag 'G', root (zigzag), then the counts of nodes, slots,
//	               prims, keys, bufs and host references, then each section in order:
//	  node:  kind, sub, flags (bytes), s, n, k, np, a (zigzag), b (zigzag)
//	  slot:  zigzag int32
//	  prim:  see putPrim
//	  key:   length, bytes (UTF-8, or a raw UTF-16 key, see isRawKey)
//	  buf:   transferred byte, length, bytes
//	  host:  the number the caller's port function gave
//
// Decoding treats every byte as hostile: every count and length is checked
// against the bytes that remain before anything is allocated, every index is
// checked against its section, and the graph's invariants (which the
// materializer and ToGo rely on) are verified before the message is
// returned. No input makes it panic, recurse or allocate more than a small
// multiple of the input's length; the first violation is a *WireError.

const (
	wireMagic   = "IBXM"
	wireVersion = 1
)

// WireError reports a malformed wire message. Off is the byte offset where
// decoding stopped.
type WireError struct {
	Off int
	Msg string
}

func (e *WireError) Error() string {
	return fmt.Sprintf("clone: bad wire message at byte %d: %s", e.Off, e.Msg)
}

// Primitive tags.
const (
	pUndefined byte = iota + 1
	pNull
	pFalse
	pTrue
	pInt    // zigzag varint
	pFloat  // 8 bytes, IEEE 754 bits, little endian
	pASCII  // length, bytes (every byte < 0x80)
	pUTF16  // length in units, 2 bytes per unit, little endian
	pBigInt // sign byte (0 or 1), length, big-endian magnitude
)

// AppendWire appends the wire form of m to dst. port turns each port
// reference into a number (an error fails the encoding). A message whose
// transferred buffers were already received cannot be encoded. Any
// goroutine may call it, but not concurrently with Materialize of m.
func (m *Message) AppendWire(dst []byte, port func(ref any) (uint64, error)) ([]byte, error) {
	if m == nil {
		return nil, ErrInvalidArgument
	}
	dst = append(dst, wireMagic...)
	dst = append(dst, wireVersion)
	g := m.g
	if g == nil {
		dst = append(dst, 'P')
		return putPrim(dst, m.prim)
	}
	if g.transfer && g.consumed.Load() {
		return nil, &Error{Msg: "the message's transferred ArrayBuffers were already received"}
	}
	dst = append(dst, 'G')
	dst = binary.AppendVarint(dst, int64(m.root))
	for _, n := range []int{len(g.nodes), len(g.slots), len(g.prims), len(g.keys), len(g.bufs), len(g.hosts)} {
		dst = binary.AppendUvarint(dst, uint64(n))
	}
	for i := range g.nodes {
		nd := &g.nodes[i]
		dst = append(dst, byte(nd.kind), nd.sub, nd.flags)
		for _, x := range []int32{nd.s, nd.n, nd.k, nd.np} {
			dst = binary.AppendUvarint(dst, uint64(uint32(x)))
		}
		dst = binary.AppendVarint(dst, nd.a)
		dst = binary.AppendVarint(dst, nd.b)
	}
	for _, s := range g.slots {
		dst = binary.AppendVarint(dst, int64(s))
	}
	var err error
	for _, p := range g.prims {
		if dst, err = putPrim(dst, p); err != nil {
			return nil, err
		}
	}
	for _, k := range g.keys {
		dst = binary.AppendUvarint(dst, uint64(len(k)))
		dst = append(dst, k...)
	}
	for _, b := range g.bufs {
		t := byte(0)
		if b.transferred {
			t = 1
		}
		dst = append(dst, t)
		dst = binary.AppendUvarint(dst, uint64(len(b.data)))
		dst = append(dst, b.data...)
	}
	for _, p := range g.hosts {
		if port == nil {
			return nil, &Error{Msg: "the message carries a port, which cannot be encoded here"}
		}
		id, err := port(p)
		if err != nil {
			return nil, err
		}
		dst = binary.AppendUvarint(dst, id)
	}
	return dst, nil
}

// putPrim appends one primitive.
func putPrim(dst []byte, v goja.Value) ([]byte, error) {
	switch {
	case v == nil || goja.IsUndefined(v):
		return append(dst, pUndefined), nil
	case goja.IsNull(v):
		return append(dst, pNull), nil
	}
	switch x := v.Export().(type) {
	case bool:
		if x {
			return append(dst, pTrue), nil
		}
		return append(dst, pFalse), nil
	case int64:
		return binary.AppendVarint(append(dst, pInt), x), nil
	case float64:
		return binary.LittleEndian.AppendUint64(append(dst, pFloat), math.Float64bits(x)), nil
	case *big.Int:
		sign := byte(0)
		if x.Sign() < 0 {
			sign = 1
		}
		mag := x.Bytes()
		dst = append(dst, pBigInt, sign)
		dst = binary.AppendUvarint(dst, uint64(len(mag)))
		return append(dst, mag...), nil
	}
	s, ok := v.(goja.String)
	if !ok {
		return nil, &Error{Msg: "a value that is not a primitive could not be encoded"}
	}
	if str := s.String(); isASCII(str) && len(str) == s.Length() {
		dst = append(dst, pASCII)
		dst = binary.AppendUvarint(dst, uint64(len(str)))
		return append(dst, str...), nil
	}
	n := s.Length()
	dst = append(dst, pUTF16)
	dst = binary.AppendUvarint(dst, uint64(n))
	for i := 0; i < n; i++ {
		dst = binary.LittleEndian.AppendUint16(dst, s.CharAt(i))
	}
	return dst, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// wireReader reads a wire message; the first error sticks.
type wireReader struct {
	b   []byte
	off int
	err error
}

func (r *wireReader) fail(msg string) {
	if r.err == nil {
		r.err = &WireError{Off: r.off, Msg: msg}
	}
}

func (r *wireReader) byte() byte {
	if r.err != nil || r.off >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *wireReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.off += n
	return v
}

func (r *wireReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.off += n
	return v
}

// count reads a count of items each taking at least min bytes, refusing one
// that the remaining input cannot hold (so no allocation outgrows it).
func (r *wireReader) count(min int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.b)-r.off)/uint64(min) {
		r.fail("count larger than the message")
		return 0
	}
	return int(v)
}

// int32 reads an unsigned varint that must fit an int32.
func (r *wireReader) int32() int32 {
	v := r.uvarint()
	if v > math.MaxInt32 {
		r.fail("index out of range")
		return 0
	}
	return int32(v)
}

func (r *wireReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail("length larger than the message")
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *wireReader) prim() goja.Value {
	switch t := r.byte(); t {
	case pUndefined:
		return goja.Undefined()
	case pNull:
		return goja.Null()
	case pFalse:
		return noRuntime.ToValue(false)
	case pTrue:
		return noRuntime.ToValue(true)
	case pInt:
		return noRuntime.ToValue(r.varint())
	case pFloat:
		p := r.bytes(8)
		if p == nil {
			return nil
		}
		return noRuntime.ToValue(math.Float64frombits(binary.LittleEndian.Uint64(p)))
	case pASCII:
		p := r.bytes(r.count(1))
		if r.err != nil {
			return nil
		}
		if !isASCII(string(p)) {
			r.fail("non-ASCII byte in an ASCII string")
			return nil
		}
		return noRuntime.ToValue(string(p))
	case pUTF16:
		n := r.count(2)
		p := r.bytes(2 * n)
		if r.err != nil {
			return nil
		}
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(p[2*i:])
		}
		return goja.StringFromUTF16(u)
	case pBigInt:
		sign := r.byte()
		p := r.bytes(r.count(1))
		if r.err != nil {
			return nil
		}
		if sign > 1 || len(p) > 0 && p[0] == 0 {
			r.fail("non-canonical BigInt")
			return nil
		}
		x := new(big.Int).SetBytes(p)
		if sign == 1 {
			if x.Sign() == 0 {
				r.fail("negative zero BigInt")
				return nil
			}
			x.Neg(x)
		}
		return noRuntime.ToValue(x)
	default:
		r.fail(fmt.Sprintf("unknown primitive tag %d", t))
		return nil
	}
}

// FromWire decodes a message written by AppendWire. port turns each port
// number back into a reference (an error fails the decoding; nil refuses
// messages that carry ports). The result can be materialized or read like
// any other message; its buffers are copies of the input, which the caller
// may reuse. Any goroutine may call it.
//
// Errors: a *WireError for malformed input, or port's error.
func FromWire(b []byte, port func(id uint64) (any, error)) (*Message, error) {
	r := &wireReader{b: b}
	if len(b) < len(wireMagic)+2 || string(b[:len(wireMagic)]) != wireMagic {
		return nil, &WireError{Msg: "not a wire message"}
	}
	r.off = len(wireMagic)
	if v := r.byte(); v != wireVersion {
		return nil, &WireError{Off: r.off - 1, Msg: fmt.Sprintf("unsupported version %d", v)}
	}
	switch r.byte() {
	case 'P':
		p := r.prim()
		if r.err == nil && r.off != len(b) {
			r.fail("trailing bytes")
		}
		if r.err != nil {
			return nil, r.err
		}
		_, size, _ := clonePrimitive(p)
		return &Message{prim: p, size: size}, nil
	case 'G':
	default:
		r.off--
		r.fail("unknown message tag")
		return nil, r.err
	}
	m := newGraphMessage()
	g := m.g
	root := r.varint()
	if root < math.MinInt32 || root > math.MaxInt32 {
		r.fail("root out of range")
	}
	m.root = int32(root)
	nNodes := r.count(9)
	nSlots := r.count(1)
	nPrims := r.count(1)
	nKeys := r.count(1)
	nBufs := r.count(2)
	nPorts := r.count(1)
	if r.err != nil {
		return nil, r.err
	}
	g.nodes = ensure(g.nodes, nNodes)
	for i := 0; i < nNodes && r.err == nil; i++ {
		nd := node{kind: nodeKind(r.byte()), sub: r.byte(), flags: r.byte()}
		nd.s, nd.n, nd.k, nd.np = r.int32(), r.int32(), r.int32(), r.int32()
		nd.a, nd.b = r.varint(), r.varint()
		g.nodes = append(g.nodes, nd)
	}
	g.slots = ensure(g.slots, nSlots)
	for i := 0; i < nSlots && r.err == nil; i++ {
		v := r.varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			r.fail("slot out of range")
		}
		g.slots = append(g.slots, int32(v))
	}
	g.prims = ensure(g.prims, nPrims)
	for i := 0; i < nPrims && r.err == nil; i++ {
		p := r.prim()
		g.prims = append(g.prims, p)
		_, n, _ := clonePrimitive(p)
		m.size += n
	}
	g.keys = ensure(g.keys, nKeys)
	for i := 0; i < nKeys && r.err == nil; i++ {
		k := string(r.bytes(r.count(1)))
		if r.err == nil && !validKey(k) {
			r.fail("malformed property key")
		}
		g.keys = append(g.keys, k)
		m.size += int64(len(k)) + slotBytes
	}
	g.bufs = make([]buffer, 0, nBufs)
	for i := 0; i < nBufs && r.err == nil; i++ {
		t := r.byte()
		data := r.bytes(r.count(1))
		if t > 1 {
			r.fail("bad buffer flag")
		}
		if r.err == nil {
			g.bufs = append(g.bufs, buffer{data: append(make([]byte, 0, len(data)), data...), transferred: t == 1})
			m.size += int64(len(data))
			g.transfer = g.transfer || t == 1
		}
	}
	if nPorts > 0 && port == nil && r.err == nil {
		r.fail("the message carries ports, which cannot be received here")
	}
	g.hosts = make([]any, 0, nPorts)
	for i := 0; i < nPorts && r.err == nil; i++ {
		id := r.uvarint()
		if r.err != nil {
			break
		}
		ref, err := port(id)
		if err != nil {
			return nil, err
		}
		g.hosts = append(g.hosts, ref)
	}
	if r.err == nil && r.off != len(b) {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return nil, r.err
	}
	m.size += int64(len(g.nodes))*nodeBytes + int64(len(g.slots))*slotBytes
	if err := g.validate(m.root); err != nil {
		return nil, &WireError{Off: len(b), Msg: err.Error()}
	}
	return m, nil
}

// validKey reports whether k is a UTF-8 key or a well-formed raw key.
func validKey(k string) bool {
	if !isRawKey(k) {
		return utf8.ValidString(k)
	}
	// A raw key is a unistring.String: the BOM unit, then UTF-16 units.
	if len(k) < 4 || len(k)%2 != 0 {
		return false
	}
	u := unistring.String(k).AsUtf16()
	return len(u) >= 2 && u[0] == unistring.BOM
}

// validate checks the invariants the materializer and ToGo rely on, for a
// graph that did not come from this process's own cloner: every range and
// index inside its section, kinds and their arities, views over buffers,
// and the reference order the two-pass materializer needs (an edge to a
// node not above its source, or a second edge to a node, needs the target
// flagged shared). It walks each node once; nothing recurses.
func (g *graph) validate(root int32) error {
	nn, ns, np := int32(len(g.nodes)), int32(len(g.slots)), int32(len(g.prims))
	refs := make([]uint8, nn)
	slotOK := func(v, from int32) error {
		if v < 0 {
			if ^v >= np {
				return errors.New("primitive index out of range")
			}
			return nil
		}
		if v >= nn {
			return errors.New("node index out of range")
		}
		if refs[v] < 2 {
			refs[v]++
		}
		if (v <= from || refs[v] > 1) && g.nodes[v].flags&flagShared == 0 {
			return errors.New("repeated reference to an unshared node")
		}
		return nil
	}
	if root >= 0 {
		if nn == 0 || root != 0 {
			return errors.New("root must be node 0")
		}
		refs[0] = 1
	} else if ^root >= np {
		return errors.New("root out of range")
	}
	bufUsed := make([]bool, len(g.bufs))
	for i := int32(0); i < nn; i++ {
		nd := &g.nodes[i]
		if nd.s < 0 || nd.n < 0 || nd.np < 0 || nd.k < 0 ||
			int64(nd.s)+int64(nd.n)+int64(nd.np) > int64(ns) {
			return fmt.Errorf("node %d: slots out of range", i)
		}
		if nd.kind != kError && nd.kind != kObject && nd.kind != kArray && nd.np != 0 {
			return fmt.Errorf("node %d: properties on a %d node", i, nd.kind)
		}
		if int64(nd.k)+int64(nd.np) > int64(len(g.keys)) {
			return fmt.Errorf("node %d: keys out of range", i)
		}
		if nd.flags&^(flagShared|flagGeneric|flagEnum) != 0 || nd.flags&flagGeneric != 0 && nd.kind != kArray ||
			nd.flags&flagEnum != 0 && nd.kind != kError {
			return fmt.Errorf("node %d: bad flags", i)
		}
		prim := func(j int32) goja.Value {
			if v := g.slots[nd.s+j]; v < 0 && ^v < np {
				return g.prims[^v]
			}
			return nil
		}
		switch nd.kind {
		case kObject:
			if nd.n != 0 {
				return fmt.Errorf("node %d: object with elements", i)
			}
		case kArray:
			if nd.a < 0 || nd.a > math.MaxUint32 {
				return fmt.Errorf("node %d: bad array length", i)
			}
			if nd.flags&flagGeneric != 0 {
				if nd.n != 0 {
					return fmt.Errorf("node %d: generic array with elements", i)
				}
			} else if nd.a != int64(nd.n) || nd.np != 0 {
				return fmt.Errorf("node %d: dense array length mismatch", i)
			}
		case kMap:
			if nd.n%2 != 0 {
				return fmt.Errorf("node %d: odd Map entries", i)
			}
		case kSet, kDate:
			if nd.kind == kDate && nd.n != 0 {
				return fmt.Errorf("node %d: Date with slots", i)
			}
		case kRegExp:
			if nd.n != 2 {
				return fmt.Errorf("node %d: RegExp arity", i)
			}
			for j := int32(0); j < 2; j++ {
				if _, ok := prim(j).(goja.String); !ok {
					return fmt.Errorf("node %d: RegExp source and flags must be strings", i)
				}
			}
		case kArrayBuffer:
			if nd.n != 0 || nd.a < 0 || nd.a >= int64(len(g.bufs)) || bufUsed[nd.a] {
				return fmt.Errorf("node %d: bad buffer index", i)
			}
			bufUsed[nd.a] = true
		case kTypedArray, kDataView:
			if nd.n != 1 || nd.kind == kTypedArray && nd.sub >= numTypedArrays || nd.kind == kDataView && nd.sub != 0 {
				return fmt.Errorf("node %d: bad view", i)
			}
			bi := g.slots[nd.s]
			if bi < 0 || bi >= nn || g.nodes[bi].kind != kArrayBuffer {
				return fmt.Errorf("node %d: view without a buffer", i)
			}
			bn := &g.nodes[bi]
			if bn.a < 0 || bn.a >= int64(len(g.bufs)) {
				return fmt.Errorf("node %d: view of a bad buffer", i)
			}
			elem := int64(1)
			if nd.kind == kTypedArray {
				elem = typedArrayElemSize[nd.sub]
			}
			size := int64(len(g.bufs[bn.a].data))
			if nd.a < 0 || nd.b < 0 || nd.a > size || nd.b > (size-nd.a)/elem || nd.a%elem != 0 {
				return fmt.Errorf("node %d: view out of range", i)
			}
		case kError:
			if nd.n != 0 || nd.sub >= numErrorTypes || nd.flags&flagEnum != 0 && (nd.a < 0 || nd.a > int64(nd.np)) {
				return fmt.Errorf("node %d: bad error", i)
			}
		case kWrapper:
			if nd.n != 1 {
				return fmt.Errorf("node %d: wrapper arity", i)
			}
			p := prim(0)
			if p == nil || goja.IsUndefined(p) || goja.IsNull(p) {
				return fmt.Errorf("node %d: wrapper of a non-primitive", i)
			}
		case kHost:
			if nd.n != 0 || nd.a < 0 || nd.a >= int64(len(g.hosts)) {
				return fmt.Errorf("node %d: bad port index", i)
			}
		default:
			return fmt.Errorf("node %d: unknown kind %d", i, nd.kind)
		}
		for j := nd.s; j < nd.s+nd.n+nd.np; j++ {
			if err := slotOK(g.slots[j], i); err != nil {
				return fmt.Errorf("node %d: %v", i, err)
			}
		}
	}
	for _, k := range g.keys {
		if !validKey(k) {
			return errors.New("malformed property key")
		}
	}
	return nil
}
