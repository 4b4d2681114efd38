package clone

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// noRuntime converts Go primitives to goja primitives. goja's ToValue does
// not touch its receiver for nil, booleans, numbers, strings and *big.Int,
// and primitive values belong to no runtime.
var noRuntime *goja.Runtime

var gojaPkg = reflect.TypeOf(goja.Object{}).PkgPath()

// maxSafeInteger is 2^53 - 1, the largest integer a JS number holds exactly.
const maxSafeInteger = 1<<53 - 1

// goString makes a goja string value that is never written to again (see
// clonePrimitive), with its size.
func goString(s string) (goja.Value, int64) {
	v := noRuntime.ToValue(s)
	return v, slotBytes + int64(v.(goja.String).Length())
}

func goInt(i int64) goja.Value {
	if i > maxSafeInteger || i < -maxSafeInteger {
		return noRuntime.ToValue(big.NewInt(i))
	}
	return noRuntime.ToValue(i)
}

func goUint(u uint64) goja.Value {
	if u > maxSafeInteger {
		return noRuntime.ToValue(new(big.Int).SetUint64(u))
	}
	return noRuntime.ToValue(int64(u))
}

// goPrimitive converts the Go primitives MessageFromGo accepts without
// reflection; ok is false for anything else.
func goPrimitive(v any) (p goja.Value, size int64, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return goja.Null(), slotBytes, true, nil
	case bool:
		return noRuntime.ToValue(x), slotBytes, true, nil
	case string:
		p, n := goString(x)
		return p, n, true, nil
	case int:
		return goInt(int64(x)), slotBytes, true, nil
	case int8:
		return goInt(int64(x)), slotBytes, true, nil
	case int16:
		return goInt(int64(x)), slotBytes, true, nil
	case int32:
		return goInt(int64(x)), slotBytes, true, nil
	case int64:
		return goInt(x), slotBytes, true, nil
	case uint:
		return goUint(uint64(x)), slotBytes, true, nil
	case uint8:
		return goUint(uint64(x)), slotBytes, true, nil
	case uint16:
		return goUint(uint64(x)), slotBytes, true, nil
	case uint32:
		return goUint(uint64(x)), slotBytes, true, nil
	case uint64:
		return goUint(x), slotBytes, true, nil
	case uintptr:
		return goUint(uint64(x)), slotBytes, true, nil
	case float32:
		return noRuntime.ToValue(float64(x)), slotBytes, true, nil
	case float64:
		return noRuntime.ToValue(x), slotBytes, true, nil
	case *big.Int:
		if x == nil {
			return goja.Null(), slotBytes, true, nil
		}
		return noRuntime.ToValue(x), slotBytes + int64(len(x.Bits())*8), true, nil
	case goja.Value:
		if _, isObj := x.(*goja.Object); isObj {
			return nil, 0, true, &Error{Msg: "a *goja.Object could not be converted: clone it in its runtime"}
		}
		p, n, err := clonePrimitive(x)
		return p, n, true, err
	}
	return nil, 0, false, nil
}

// FromGo converts a Go value into a Message with the structured clone
// rules:
//
//   - nil, and nil pointers, maps and slices: null
//   - bool: boolean; string: string
//   - every int, uint and float kind: number, except integers beyond ±(2^53-1):
//     BigInt; *big.Int: BigInt
//   - []byte: a Uint8Array over a new ArrayBuffer (the bytes are copied)
//   - time.Time: Date
//   - map[string]T (any string-keyed map): a plain object with its keys sorted
//   - []T and [N]T: an array
//   - a value for which host reports true: that host reference (nil: null)
//   - *Message: that message's value (a primitive, or a copy of its graph)
//   - a primitive goja.Value: that value
//
// Maps and slices reached twice arrive as one object, so cyclic Go values
// (a map that contains itself) are fine. Anything else (func, chan, struct,
// pointers, complex numbers, *goja.Object) is a *Error.
//
// Any goroutine may call it. The result holds no reference to v's maps and
// slices.
//
// host recognizes the embedder's host values (engine passes one that knows
// *engine.SendPort, *engine.Capability and *engine.Isolate); nil means no
// value is a host reference.
func FromGo(v any, host func(x any) (ref any, ok bool)) (*Message, error) {
	if p, n, ok, err := goPrimitive(v); ok {
		if err != nil {
			return nil, err
		}
		return &Message{prim: p, size: n}, nil
	}
	if sm, ok := v.(*Message); ok {
		if sm == nil {
			return &Message{prim: goja.Null(), size: slotBytes}, nil
		}
		if sm.g == nil {
			return sm, nil // immutable: share it
		}
	}
	b := &goBuilder{m: newGraphMessage(), host: host}
	b.g = b.m.g
	root, err := b.encode(v)
	if err != nil {
		return nil, err
	}
	return b.finish(root)
}

// finish fills the containers queued by encode and sets the root.
func (b *goBuilder) finish(root int32) (*Message, error) {
	b.m.root = root
	for len(b.work) > 0 {
		w := b.work[len(b.work)-1]
		b.work = b.work[:len(b.work)-1]
		if err := b.fill(w); err != nil {
			return nil, err
		}
	}
	return b.m, nil
}

// ErrorValue describes an error made from Go with NewError.
type ErrorValue struct {
	Name    string // "" is "Error"; a standard name also gives the class
	Message string
	Stack   string // "" for none
	// Props are the error's own enumerable properties, converted as FromGo
	// converts values and defined in key order.
	Props map[string]any
}

// NewError makes a Message whose value is an error, shaped as
// Options.Thrown copies a thrown one: the class of a standard name (else
// Error), name (when not standard), message and stack as non-enumerable
// properties, and Props as enumerable ones. host is as for FromGo. Any
// goroutine may call it.
func NewError(e ErrorValue, host func(x any) (ref any, ok bool)) (*Message, error) {
	b := &goBuilder{m: newGraphMessage(), host: host}
	g := b.m.g
	b.g = g
	name := e.Name
	if name == "" {
		name = "Error"
	}
	idx := g.addNode(kError)
	t := errError
	for i, n := range errorNames {
		if n == name {
			t = uint8(i)
			break
		}
	}
	kb := int32(len(g.keys))
	var vals []any
	g.keys = append(g.keys, "message")
	vals = append(vals, e.Message)
	if e.Stack != "" {
		g.keys = append(g.keys, "stack")
		vals = append(vals, e.Stack)
	}
	if name != errorNames[t] {
		g.keys = append(g.keys, "name")
		vals = append(vals, name)
	}
	enum := int64(len(vals))
	keys := make([]string, 0, len(e.Props))
	for k := range e.Props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		g.keys = append(g.keys, k)
		vals = append(vals, e.Props[k])
		b.add(int64(len(k)))
	}
	sb := g.reserve(len(vals))
	nd := &g.nodes[idx]
	nd.sub, nd.flags, nd.a = t, flagEnum, enum
	nd.s, nd.k, nd.np = sb, kb, int32(len(vals))
	b.add(nodeBytes + int64(len(vals))*slotBytes)
	for i, v := range vals {
		sv, err := b.encode(v)
		if err != nil {
			return nil, err
		}
		g.slots[sb+int32(i)] = sv
	}
	return b.finish(idx)
}

type goKey struct {
	p   uintptr
	n   int
	typ reflect.Type
}

type goWork struct {
	rv  reflect.Value
	idx int32
}

type goBuilder struct {
	m    *Message
	g    *graph
	seen map[goKey]int32
	work []goWork
	host func(any) (any, bool)
}

func (b *goBuilder) add(n int64) { b.m.size += n }

func (b *goBuilder) encode(v any) (int32, error) {
	if p, n, ok, err := goPrimitive(v); ok {
		if err != nil {
			return 0, err
		}
		b.add(n)
		return b.g.prim(p), nil
	}
	switch x := v.(type) {
	case time.Time:
		idx := b.g.addNode(kDate)
		ms := float64(x.UnixMilli())
		if math.Abs(ms) > 8.64e15 {
			ms = math.NaN()
		}
		b.g.nodes[idx].a = int64(math.Float64bits(ms))
		b.add(nodeBytes)
		return idx, nil
	case *Message:
		return b.splice(x)
	}
	if b.host != nil {
		if ref, ok := b.host(v); ok {
			return b.hostRef(v, ref)
		}
	}
	return b.encodeReflect(reflect.ValueOf(v))
}

// hostRef stores a host reference; v is the Go value it came from (the
// identity that makes a port sent twice arrive as one).
func (b *goBuilder) hostRef(v, ref any) (int32, error) {
	if ref == nil {
		b.add(slotBytes)
		return b.g.prim(goja.Null()), nil
	}
	rv := reflect.ValueOf(v)
	var k goKey
	comparable := rv.Kind() == reflect.Pointer
	if comparable {
		k = goKey{p: rv.Pointer(), typ: rv.Type()}
		if i, ok := b.seen[k]; ok {
			b.g.nodes[i].flags |= flagShared
			return i, nil
		}
	}
	idx := b.g.addNode(kHost)
	if comparable {
		b.remember(k, idx)
	}
	b.g.nodes[idx].a = int64(len(b.g.hosts))
	b.g.hosts = append(b.g.hosts, ref)
	b.add(nodeBytes)
	return idx, nil
}

func (b *goBuilder) remember(k goKey, idx int32) {
	if b.seen == nil {
		b.seen = make(map[goKey]int32)
	}
	b.seen[k] = idx
}

func (b *goBuilder) encodeReflect(rv reflect.Value) (int32, error) {
	for rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			b.add(slotBytes)
			return b.g.prim(goja.Null()), nil
		}
		rv = rv.Elem()
	}
	if t := rv.Type(); rv.CanInterface() && (t.PkgPath() == gojaPkg || t.Kind() == reflect.Pointer && t.Elem().PkgPath() == gojaPkg) {
		if x, ok := rv.Interface().(goja.Value); ok {
			return b.encode(x)
		}
	}
	switch rv.Kind() {
	case reflect.Struct, reflect.Pointer:
		if rv.CanInterface() {
			switch x := rv.Interface().(type) {
			case time.Time, *Message, *big.Int:
				return b.encode(x)
			}
			if b.host != nil {
				if _, ok := b.host(rv.Interface()); ok {
					return b.encode(rv.Interface())
				}
			}
		}
	}
	switch rv.Kind() {
	case reflect.Bool:
		b.add(slotBytes)
		return b.g.prim(noRuntime.ToValue(rv.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.add(slotBytes)
		return b.g.prim(goInt(rv.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.add(slotBytes)
		return b.g.prim(goUint(rv.Uint())), nil
	case reflect.Float32, reflect.Float64:
		b.add(slotBytes)
		return b.g.prim(noRuntime.ToValue(rv.Float())), nil
	case reflect.String:
		p, n := goString(rv.String())
		b.add(n)
		return b.g.prim(p), nil
	case reflect.Pointer:
		if rv.IsNil() {
			b.add(slotBytes)
			return b.g.prim(goja.Null()), nil
		}
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		if rv.IsNil() {
			b.add(slotBytes)
			return b.g.prim(goja.Null()), nil
		}
		return b.container(rv, kObject, goKey{p: rv.Pointer(), typ: rv.Type()}, true)
	case reflect.Slice:
		if rv.IsNil() {
			b.add(slotBytes)
			return b.g.prim(goja.Null()), nil
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return b.bytes(rv.Bytes()), nil
		}
		return b.container(rv, kArray, goKey{p: rv.Pointer(), n: rv.Len(), typ: rv.Type()}, rv.Len() > 0)
	case reflect.Array:
		return b.container(rv, kArray, goKey{}, false)
	}
	return 0, cloneErrorf("a host value (a Go %s) could not be cloned", rv.Kind())
}

// bytes makes a Uint8Array over a copy of data.
func (b *goBuilder) bytes(data []byte) int32 {
	g := b.g
	bi := g.addNode(kArrayBuffer)
	g.nodes[bi].a = int64(len(g.bufs))
	g.bufs = append(g.bufs, buffer{data: append(make([]byte, 0, len(data)), data...)})
	ti := g.addNode(kTypedArray)
	sb := g.reserve(1)
	g.slots[sb] = bi
	nd := &g.nodes[ti]
	nd.sub, nd.s, nd.n, nd.a, nd.b = taUint8, sb, 1, 0, int64(len(data))
	b.add(2*nodeBytes + slotBytes + int64(len(data)))
	return ti
}

func (b *goBuilder) container(rv reflect.Value, k nodeKind, key goKey, track bool) (int32, error) {
	if track {
		if i, ok := b.seen[key]; ok {
			b.g.nodes[i].flags |= flagShared
			return i, nil
		}
	}
	idx := b.g.addNode(k)
	if track {
		b.remember(key, idx)
	}
	b.add(nodeBytes)
	b.work = append(b.work, goWork{rv: rv, idx: idx})
	return idx, nil
}

func (b *goBuilder) fill(w goWork) error {
	g := b.g
	rv := w.rv
	if g.nodes[w.idx].kind == kObject {
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int {
			switch xs, ys := x.String(), y.String(); {
			case xs < ys:
				return -1
			case xs > ys:
				return 1
			}
			return 0
		})
		kb := int32(len(g.keys))
		for _, k := range keys {
			ks := k.String()
			if !utf8.ValidString(ks) {
				// As goja would read it; and never mistaken for a raw key.
				ks = strings.ToValidUTF8(ks, "\uFFFD")
			}
			g.keys = append(g.keys, ks)
			b.add(slotBytes + int64(len(ks)))
		}
		sb := g.reserve(len(keys))
		nd := &g.nodes[w.idx]
		nd.s, nd.k, nd.np = sb, kb, int32(len(keys))
		for i, k := range keys {
			v, err := b.encodeReflect(rv.MapIndex(k))
			if err != nil {
				return err
			}
			g.slots[sb+int32(i)] = v
		}
		return nil
	}
	n := rv.Len()
	b.add(int64(n) * slotBytes)
	sb := g.reserve(n)
	nd := &g.nodes[w.idx]
	nd.s, nd.n, nd.a = sb, int32(n), int64(n)
	for i := 0; i < n; i++ {
		v, err := b.encodeReflect(rv.Index(i))
		if err != nil {
			return err
		}
		g.slots[sb+int32(i)] = v
	}
	return nil
}

// splice copies the graph of sm into the message being built.
func (b *goBuilder) splice(sm *Message) (int32, error) {
	if sm == nil {
		b.add(slotBytes)
		return b.g.prim(goja.Null()), nil
	}
	sg := sm.g
	if sg == nil {
		b.add(sm.size)
		if sm.prim == nil {
			return b.g.prim(goja.Undefined()), nil
		}
		return b.g.prim(sm.prim), nil
	}
	key := goKey{p: reflect.ValueOf(sm).Pointer(), typ: reflect.TypeOf(sm)}
	if i, ok := b.seen[key]; ok {
		b.g.nodes[i].flags |= flagShared
		return i, nil
	}
	if sg.transfer && sg.consumed.Load() {
		return 0, &Error{Msg: "the message's transferred ArrayBuffers were already received"}
	}
	g := b.g
	off := int32(len(g.nodes))
	soff := int32(len(g.slots))
	pfx := int32(len(g.prims))
	koff := int32(len(g.keys))
	boff := int64(len(g.bufs))
	poff := int64(len(g.hosts))
	for _, nd := range sg.nodes {
		nd.s += soff
		nd.k += koff
		switch nd.kind {
		case kArrayBuffer:
			nd.a += boff
		case kHost:
			nd.a += poff
		}
		g.nodes = append(g.nodes, nd)
	}
	for _, s := range sg.slots {
		if s >= 0 {
			s += off
		} else {
			s = ^(^s + pfx)
		}
		g.slots = append(g.slots, s)
	}
	g.prims = append(g.prims, sg.prims...)
	g.keys = append(g.keys, sg.keys...)
	for _, buf := range sg.bufs {
		g.bufs = append(g.bufs, buffer{data: append(make([]byte, 0, len(buf.data)), buf.data...)})
	}
	g.hosts = append(g.hosts, sg.hosts...)
	b.add(sm.size)
	if sm.root < 0 { // a primitive sent with a transfer list
		return ^(^sm.root + pfx), nil
	}
	root := sm.root + off
	b.remember(key, root)
	return root, nil
}

// ToGo converts the message to plain Go values:
//
//   - undefined and null: nil; boolean: bool; number: float64; BigInt: *big.Int;
//     string: string (lone surrogates become U+FFFD)
//   - plain object: map[string]any
//   - array: []any (holes are nil; properties other than indices are dropped)
//   - Date: time.Time in UTC (the zero time.Time for an invalid date)
//   - Map: [][2]any of key, value pairs in order; Set: []any in order
//   - ArrayBuffer, typed array, DataView: []byte, a copy of the viewed bytes
//   - RegExp: the string "/source/flags"
//   - Boolean, Number, String, BigInt objects: their primitive, as above
//   - Error: map[string]any with "name", "message" and "stack" strings, and
//     "cause" and "errors" when the error had them
//   - a host object (a port, say): its reference, as the sender's side gave it
//
// Shared and cyclic references are kept (a map that contains itself). A
// message whose transferred buffers were taken by Materialize cannot be read any
// more and gives a *Error.
//
// Any goroutine may call it, but not concurrently with Materialize on the same
// message.
func (m *Message) ToGo() (any, error) {
	if m == nil {
		return nil, ErrInvalidArgument
	}
	g := m.g
	if g == nil {
		return primitiveToGo(m.prim), nil
	}
	if g.transfer && g.consumed.Load() {
		return nil, &Error{Msg: "the message's transferred ArrayBuffers were already received"}
	}
	vals := make([]any, len(g.nodes))
	value := func(s int32) any {
		if s < 0 {
			return primitiveToGo(g.prims[^s])
		}
		return vals[s]
	}
	viewBytes := func(nd *node, elem int64) ([]byte, error) {
		bs := g.slots[nd.s]
		if bs < 0 || g.nodes[bs].kind != kArrayBuffer {
			return nil, &Error{Msg: "corrupt message: view without a buffer"}
		}
		bn := &g.nodes[bs]
		data := g.bufs[bn.a].data
		end := nd.a + nd.b*elem
		if nd.a < 0 || nd.b < 0 || end > int64(len(data)) {
			return nil, &Error{Msg: "corrupt message: view out of range"}
		}
		return append([]byte{}, data[nd.a:end]...), nil
	}
	for i := range g.nodes {
		nd := &g.nodes[i]
		var err error
		switch nd.kind {
		case kObject:
			vals[i] = make(map[string]any, nd.np)
		case kArray:
			if nd.a > 1<<24 && int64(nd.np) < nd.a/2 {
				return nil, &Error{Msg: fmt.Sprintf("sparse array of length %d is too long for a Go slice", nd.a)}
			}
			vals[i] = make([]any, nd.a)
		case kMap:
			vals[i] = make([][2]any, nd.n/2)
		case kSet:
			vals[i] = make([]any, nd.n)
		case kDate:
			tv := math.Float64frombits(uint64(nd.a))
			if math.IsNaN(tv) {
				vals[i] = time.Time{}
			} else {
				vals[i] = time.UnixMilli(int64(tv)).UTC()
			}
		case kRegExp:
			vals[i] = "/" + g.prims[^g.slots[nd.s]].String() + "/" + g.prims[^g.slots[nd.s+1]].String()
		case kArrayBuffer:
			vals[i] = append([]byte{}, g.bufs[nd.a].data...)
		case kTypedArray:
			vals[i], err = viewBytes(nd, typedArrayElemSize[nd.sub])
		case kDataView:
			vals[i], err = viewBytes(nd, 1)
		case kWrapper:
			vals[i] = value(g.slots[nd.s])
		case kError:
			vals[i] = map[string]any{"name": errorNames[nd.sub], "message": "", "stack": ""}
		case kHost:
			vals[i] = g.hosts[nd.a]
		}
		if err != nil {
			return nil, err
		}
	}
	for i := range g.nodes {
		nd := &g.nodes[i]
		ps := nd.s + nd.n
		switch nd.kind {
		case kObject, kError:
			o := vals[i].(map[string]any)
			for j := int32(0); j < nd.np; j++ {
				o[keyString(g.keys[nd.k+j])] = value(g.slots[ps+j])
			}
		case kArray:
			a := vals[i].([]any)
			for j := int32(0); j < nd.n; j++ {
				a[j] = value(g.slots[nd.s+j])
			}
			for j := int32(0); j < nd.np; j++ {
				if idx, ok := arrayIndex(g.keys[nd.k+j]); ok && idx < int64(len(a)) {
					a[idx] = value(g.slots[ps+j])
				}
			}
		case kMap:
			a := vals[i].([][2]any)
			for j := range a {
				a[j] = [2]any{value(g.slots[nd.s+int32(2*j)]), value(g.slots[nd.s+int32(2*j+1)])}
			}
		case kSet:
			a := vals[i].([]any)
			for j := range a {
				a[j] = value(g.slots[nd.s+int32(j)])
			}
		}
	}
	return value(m.root), nil
}

// arrayIndex parses a canonical array index ("0", "17", never "01").
func arrayIndex(s string) (int64, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n < math.MaxUint32
}

func primitiveToGo(v goja.Value) any {
	if v == nil {
		return nil
	}
	switch x := v.Export().(type) {
	case int64:
		return float64(x)
	default:
		return x
	}
}
