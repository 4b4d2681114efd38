package engine

// Structured clone (HTML "StructuredSerializeWithTransfer" and
// "StructuredDeserializeWithTransfer") between goja runtimes.
//
// A value is copied at send time, on the sender's goroutine, into a *Message:
// a VM-neutral, flat graph of nodes that holds no *goja.Object. It is
// materialized later, on the receiver's goroutine, in another runtime.
//
// Message layout: a value is a slot, an int32 that is either the index of a
// node (>= 0) or ^i for graph.prims[i], a primitive goja.Value (primitives are
// immutable and may cross runtimes). A node is one object of the graph. Its
// children are slots graph.slots[s:s+n] (array elements, Map key/value pairs,
// Set values, a view's buffer, a wrapper's primitive, a RegExp's source and
// flags) followed by its own properties, whose names are graph.keys[k:k+np]
// and values graph.slots[s+n:s+n+np].
// ArrayBuffer contents live in graph.bufs, SendPorts in graph.ports. Node 0
// is the root object; a node is numbered when first reached, so an edge to a
// lower (or equal) index is always a repeated reference and the target is
// flagged "shared".
//
// Neither direction recurses over the value graph: cloning is a depth-first
// walk with an explicit frame stack (getters run in the order HTML runs them),
// and materializing is two linear passes over the node slice.

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
)

// Message is a value in VM-neutral form, produced by cloneJS or
// MessageFromGo. It is immutable after creation, except that materializing a
// message that carries transferred ArrayBuffers hands those buffers over, so
// it can be materialized (or read with ToGo) only once.
//
// A Message may be passed between goroutines freely; see each method for
// which goroutine may call it.
type Message struct {
	prim goja.Value // the value of a primitive message (g == nil); nil is undefined
	root int32      // the root slot of a graph message
	size int64
	g    *graph // nil for a primitive message
}

// Size returns the approximate size of the cloned value in bytes: string
// lengths (in UTF-16 units) and key lengths, ArrayBuffer byte lengths
// (transferred ones included), 16 bytes per object and 8 per value. It is computed during the clone and is
// what the maxMessageBytes limit is checked against. Any goroutine may call
// it.
func (m *Message) Size() int64 {
	if m == nil {
		return 0
	}
	return m.size
}

type nodeKind uint8

const (
	kObject nodeKind = iota + 1
	kArray
	kMap
	kSet
	kDate
	kRegExp
	kArrayBuffer
	kTypedArray
	kDataView
	kError
	kWrapper // Boolean, Number, String or BigInt object; its primitive is slots[s]
	kPort
)

const (
	flagShared  uint8 = 1 << iota // target of a repeated reference (or a cycle)
	flagGeneric                   // array stored as own properties (holes, extra or odd properties)
)

type node struct {
	kind  nodeKind
	sub   uint8 // typed array type, error type
	flags uint8
	s     int32 // first slot
	n     int32 // element slots; the property values follow them
	k     int32 // first key
	np    int32 // number of own properties
	a     int64 // array length, bufs/ports index, byte offset, Date time value bits
	b     int64 // typed array length (elements), DataView byte length
}

type buffer struct {
	data        []byte
	transferred bool // data was moved out of a detached sender buffer
}

type graph struct {
	nodes []node
	slots []int32 // node index, or ^i for prims[i]
	prims []goja.Value
	keys  []string
	bufs  []buffer
	ports []*SendPort

	transfer bool        // some bufs were transferred: the message can be received once
	consumed atomic.Bool // set by the receive that took the transferred buffers

	// Inline storage so that a small message is a single allocation.
	nodeBuf [4]node
	slotBuf [16]int32
	primBuf [8]goja.Value
	keyBuf  [8]string
}

type messageAlloc struct {
	m Message
	g graph
}

func newGraphMessage() *Message {
	a := &messageAlloc{}
	g := &a.g
	g.nodes = g.nodeBuf[:0]
	g.slots = g.slotBuf[:0]
	g.prims = g.primBuf[:0]
	g.keys = g.keyBuf[:0]
	a.m.g = g
	return &a.m
}

// ensure makes room for n more elements, doubling the capacity (append grows
// large slices by only 1.25x, which allocates about 5 times the final size).
func ensure[T any](s []T, n int) []T {
	if len(s)+n <= cap(s) {
		return s
	}
	c := max(2*cap(s), len(s)+n, 16)
	ns := make([]T, len(s), c)
	copy(ns, s)
	return ns
}

func (g *graph) addNode(k nodeKind) int32 {
	g.nodes = append(ensure(g.nodes, 1), node{kind: k})
	return int32(len(g.nodes) - 1)
}

// reserve appends n zero slots and returns the index of the first.
func (g *graph) reserve(n int) int32 {
	s := len(g.slots)
	if n > 0 {
		g.slots = ensure(g.slots, n)[:s+n]
		clear(g.slots[s:])
	}
	return int32(s)
}

// prim stores a primitive and returns its slot value.
func (g *graph) prim(v goja.Value) int32 {
	g.prims = append(ensure(g.prims, 1), v)
	return ^int32(len(g.prims) - 1)
}

// Approximate per-item costs used by Size.
const (
	nodeBytes = 16
	slotBytes = 8
)

// The typed array types, in the order of typedArrayNames.
const (
	taInt8 uint8 = iota
	taUint8
	taUint8Clamped
	taInt16
	taUint16
	taInt32
	taUint32
	taFloat32
	taFloat64
	taBigInt64
	taBigUint64
	numTypedArrays
)

var typedArrayNames = [numTypedArrays]string{
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
}

var typedArrayElemSize = [numTypedArrays]int64{1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8}

// The serializable error types ([[ErrorData]] names), in HTML's order.
const (
	errError uint8 = iota
	errEval
	errRange
	errReference
	errSyntax
	errType
	errURI
	errAggregate
	numErrorTypes
)

var errorNames = [numErrorTypes]string{
	"Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError", "AggregateError",
}

// portCodec turns SendPort handles into ports and back. The isolate
// implements it; it is used on the owning runtime's goroutine only.
type portCodec interface {
	// sendPortOf reports the port behind o, if o is a JS SendPort handle.
	// It is called only for host objects (goja DynamicObjects and Go values
	// wrapped by goja), never for ordinary JS objects, so a handle must be a
	// host object. A host object it does not recognize is a DataCloneError.
	sendPortOf(o *goja.Object) (*SendPort, bool)
	// sendPortValue makes a JS SendPort handle for p in the receiving runtime.
	sendPortValue(p *SendPort) goja.Value
}

// cloneOptions are the limits for one clone.
type cloneOptions struct {
	maxBytes int64 // 0 = unlimited; exceeding it fails the clone with a *LimitError
}

// ---------------------------------------------------------------------------
// Object kinds, read from goja's implementation types.
//
// goja's public API cannot tell a plain object from a Go map wrapper, an array
// from a Go slice wrapper, or a DataView from a plain object, and it does not
// expose the internal slots of dates and views. The codec therefore reads the
// dynamic type of goja.Object's unexported "self" field (and a few scalar
// fields of the view, array and date implementations) with reflect; this
// never writes and needs no unsafe. The table below is
// built once per process from sample values of a scratch runtime, so the
// codec follows goja's type names; TestCloneGojaLayout fails if an upgrade
// of goja changes any of this.
//
// Two hot paths go further, read-only: listing the own properties of a plain
// object (goja's Object.Keys costs about 4 allocations per key) and reading
// the elements of a dense array. They read goja's property map, name list
// and element slice through unsafe pointers at offsets found by reflect, but
// only after checking at start-up that the fields exist with exactly the
// expected types and that they read back a sample object correctly; if not,
// the public API is used instead (fastPlain, fastArray). They bail out to
// the public API on anything unusual (accessors, non-default attributes,
// integer-like keys), and never write.

type objKind uint8

const (
	okUnknown objKind = iota // host or unsupported: ask the portCodec, else reject
	okPlain
	okArray
	okMap
	okSet
	okDate
	okRegExp
	okArrayBuffer
	okTypedArray
	okDataView
	okError
	okPrimitiveWrapper // Number, Boolean, BigInt (or Symbol) object
	okStringWrapper
	okReject // a known unclonable built-in; layout.names has its description
)

type gojaLayout struct {
	err error

	selfIdx int
	kinds   map[reflect.Type]objKind
	names   map[reflect.Type]string
	taTypes map[reflect.Type]uint8

	plainType, arrayType reflect.Type

	arrayDense                      bool // the array fields below were found
	arrLength, arrObjCount, arrProp []int
	arrPropNames                    []int

	fastPlain           bool // plain object property listing
	objValues, objNames uintptr
	valueProperty       reflect.Type // goja's *valueProperty (accessors, attributes)
	fastArray           bool         // dense array element reads
	arrValues           uintptr

	taOffset, taLength, taImpl, taBuf []int
	dvOffset, dvLength, dvBuf         []int
	dateMsec                          []int
}

var (
	layoutOnce sync.Once
	layoutVal  gojaLayout
)

func getLayout() *gojaLayout {
	layoutOnce.Do(func() {
		layoutVal = buildLayout()
	})
	return &layoutVal
}

func buildLayout() (l gojaLayout) {
	defer func() {
		if x := recover(); x != nil {
			l.err = fmt.Errorf("engine: structured clone: unexpected goja layout: %v", x)
		}
	}()
	f, ok := reflect.TypeOf(goja.Object{}).FieldByName("self")
	if !ok || len(f.Index) != 1 || f.Type.Kind() != reflect.Interface {
		return gojaLayout{err: errors.New("engine: structured clone: goja.Object has no self field")}
	}
	l.selfIdx = f.Index[0]
	l.kinds = make(map[reflect.Type]objKind)
	l.names = make(map[reflect.Type]string)
	l.taTypes = make(map[reflect.Type]uint8)
	r := goja.New()
	sample := func(src string) reflect.Type {
		v, err := r.RunString(src)
		if err != nil {
			panic(fmt.Sprintf("%s: %v", src, err))
		}
		return l.selfType(v.(*goja.Object))
	}
	for _, s := range []struct {
		src  string
		kind objKind
		name string
	}{
		{"({})", okPlain, ""},
		{"(function(){return arguments})(1)", okPlain, ""},
		{"[]", okArray, ""},
		{"(function(){var a=[];a[1e6]=1;return a})()", okArray, ""},
		{"new Map", okMap, ""},
		{"new Set", okSet, ""},
		{"new Date(0)", okDate, ""},
		{"/x/", okRegExp, ""},
		{"new Error('x')", okError, ""},
		{"new ArrayBuffer(1)", okArrayBuffer, ""},
		{"new Int8Array(1)", okTypedArray, ""},
		{"new DataView(new ArrayBuffer(1))", okDataView, ""},
		{"new Number(1)", okPrimitiveWrapper, ""},
		{"new String('')", okStringWrapper, ""},
		{"new Proxy({}, {})", okReject, "Proxy object"},
		{"Promise.resolve(1)", okReject, "Promise object"},
		{"new WeakMap", okReject, "WeakMap object"},
		{"new WeakSet", okReject, "WeakSet object"},
		{"globalThis", okReject, "built-in namespace object"},
		{"[].values()", okReject, "Array Iterator object"},
		{"new Map().entries()", okReject, "Map Iterator object"},
		{"new Set().values()", okReject, "Set Iterator object"},
		{"''[Symbol.iterator]()", okReject, "String Iterator object"},
		{"/x/[Symbol.matchAll]('x')", okReject, "RegExp String Iterator object"},
		{"(function*(){})()", okReject, "Generator object"},
	} {
		t := sample(s.src)
		l.kinds[t] = s.kind
		if s.name != "" {
			l.names[t] = s.name
		}
	}
	l.plainType = sample("({})")
	l.arrayType = sample("[]")

	ta := sample("new Int8Array(1)")
	l.taOffset = mustIntField(ta, "offset")
	l.taLength = mustIntField(ta, "length")
	l.taImpl = mustField(ta, "typedArray")
	for i, name := range typedArrayNames {
		v, err := r.RunString("new " + name + "(1)")
		if err != nil {
			panic(err)
		}
		l.taTypes[l.field(v.(*goja.Object), l.taImpl).Elem().Type()] = uint8(i)
	}
	if len(l.taTypes) != int(numTypedArrays) {
		panic("typed array implementations are not distinct")
	}
	l.taBuf = mustPtrField(ta, "viewedArrayBuf")
	dv := sample("new DataView(new ArrayBuffer(1))")
	l.dvOffset = mustIntField(dv, "byteOffset")
	l.dvLength = mustIntField(dv, "byteLen")
	l.dvBuf = mustPtrField(dv, "viewedArrayBuf")
	l.dateMsec = mustIntField(sample("new Date(0)"), "msec")

	// Optional: the dense-array fast path.
	at := l.arrayType.Elem()
	if fl, ok1 := at.FieldByName("length"); ok1 && isIntKind(fl.Type.Kind()) {
		fo, ok2 := at.FieldByName("objCount")
		fp, ok3 := at.FieldByName("propValueCount")
		fn, ok4 := at.FieldByName("propNames")
		if ok2 && ok3 && ok4 && isIntKind(fo.Type.Kind()) && isIntKind(fp.Type.Kind()) && fn.Type.Kind() == reflect.Slice {
			l.arrLength, l.arrObjCount, l.arrProp, l.arrPropNames = fl.Index, fo.Index, fp.Index, fn.Index
			l.arrayDense = true
		}
	}

	l.setupFastPaths(r)
	return l
}

var (
	typePropMap   = reflect.TypeOf(map[unistring.String]goja.Value(nil))
	typePropNames = reflect.TypeOf([]unistring.String(nil))
	typeValues    = reflect.TypeOf([]goja.Value(nil))
)

// setupFastPaths enables the unsafe read paths if goja's fields have the
// expected types and read a sample correctly.
func (l *gojaLayout) setupFastPaths(r *goja.Runtime) {
	bt := l.plainType.Elem()
	fv, ok1 := bt.FieldByName("values")
	fn, ok2 := bt.FieldByName("propNames")
	if ok1 && ok2 && len(fv.Index) == 1 && len(fn.Index) == 1 && fv.Type == typePropMap && fn.Type == typePropNames {
		l.objValues, l.objNames = fv.Offset, fn.Offset
		v, err := r.RunString("({get x() { return 1 }, y: 2, z: 'z'})")
		if err == nil {
			o := v.(*goja.Object)
			p := l.self(o).UnsafePointer()
			names := *(*[]unistring.String)(unsafe.Add(p, l.objNames))
			vals := *(*map[unistring.String]goja.Value)(unsafe.Add(p, l.objValues))
			if len(names) == 3 && names[0] == "x" && names[1] == "y" && names[2] == "z" && len(vals) == 3 &&
				vals["y"] != nil && vals["y"].StrictEquals(o.Get("y")) && vals["z"] != nil && vals["z"].StrictEquals(o.Get("z")) {
				l.valueProperty = reflect.TypeOf(vals["x"])
				l.fastPlain = l.valueProperty != nil && l.valueProperty != reflect.TypeOf(vals["y"])
			}
		}
	}
	if !l.fastPlain || !l.arrayDense {
		return
	}
	fa, ok := l.arrayType.Elem().FieldByName("values")
	if ok && len(fa.Index) == 1 && fa.Type == typeValues {
		l.arrValues = fa.Offset
		v, err := r.RunString("[1, 'a', {}]")
		if err == nil {
			o := v.(*goja.Object)
			vals := *(*[]goja.Value)(unsafe.Add(l.self(o).UnsafePointer(), l.arrValues))
			l.fastArray = len(vals) == 3 && vals[0].StrictEquals(o.Get("0")) && vals[1].StrictEquals(o.Get("1")) && vals[2] == o.Get("2")
		}
	}
}

// plainKeys appends the own enumerable string keys of a plain object to keys
// in property order. ok is false (keys unchanged) if the object needs the
// general path.
func (l *gojaLayout) plainKeys(o *goja.Object, keys []string) (_ []string, ok bool) {
	p := l.self(o).UnsafePointer()
	names := *(*[]unistring.String)(unsafe.Add(p, l.objNames))
	vals := *(*map[unistring.String]goja.Value)(unsafe.Add(p, l.objValues))
	start := len(keys)
	keys = ensure(keys, len(names))
	for _, name := range names {
		v := vals[name]
		if v == nil {
			continue // deleted
		}
		if reflect.TypeOf(v) == l.valueProperty || isIndexName(string(name)) {
			// An accessor or non-default attributes (enumerability), or an
			// integer key, which goja orders lazily.
			return keys[:start], false
		}
		keys = append(keys, keyOfName(name))
	}
	return keys, true
}

// plainGet reads the own data property k of a plain object listed by
// plainKeys, or returns nil if the general [[Get]] is needed (the property
// became an accessor or was deleted, or k is not ASCII).
func (l *gojaLayout) plainGet(o *goja.Object, k string) goja.Value {
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			return nil
		}
	}
	vals := *(*map[unistring.String]goja.Value)(unsafe.Add(l.self(o).UnsafePointer(), l.objValues))
	v := vals[unistring.String(k)]
	if v == nil || reflect.TypeOf(v) == l.valueProperty {
		return nil
	}
	return v
}

// isIndexName reports whether s is a canonical array index.
func isIndexName(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	_, ok := arrayIndex(s)
	return ok
}

// arrayElement reads element i of a dense array (nil for a hole or if the
// array is no longer a plain dense array).
func (l *gojaLayout) arrayElement(o *goja.Object, i int) goja.Value {
	s := l.self(o)
	if s.Type() != l.arrayType {
		return o.Get(indexKey(i))
	}
	vals := *(*[]goja.Value)(unsafe.Add(s.UnsafePointer(), l.arrValues))
	if i >= len(vals) {
		return nil
	}
	v := vals[i]
	if v != nil && reflect.TypeOf(v) == l.valueProperty {
		return o.Get(indexKey(i)) // redefined as an accessor meanwhile
	}
	return v
}

func isIntKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func mustField(ptrType reflect.Type, name string) []int {
	f, ok := ptrType.Elem().FieldByName(name)
	if !ok {
		panic(fmt.Sprintf("%v has no field %s", ptrType, name))
	}
	return f.Index
}

func mustIntField(ptrType reflect.Type, name string) []int {
	f, ok := ptrType.Elem().FieldByName(name)
	if !ok || !isIntKind(f.Type.Kind()) {
		panic(fmt.Sprintf("%v has no integer field %s", ptrType, name))
	}
	return f.Index
}

func mustPtrField(ptrType reflect.Type, name string) []int {
	f, ok := ptrType.Elem().FieldByName(name)
	if !ok || f.Type.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("%v has no pointer field %s", ptrType, name))
	}
	return f.Index
}

// self returns the (read-only) reflect value of o's implementation pointer.
func (l *gojaLayout) self(o *goja.Object) reflect.Value {
	return reflect.ValueOf(o).Elem().Field(l.selfIdx).Elem()
}

func (l *gojaLayout) selfType(o *goja.Object) reflect.Type {
	return l.self(o).Type()
}

// field reads a field of o's implementation struct (read-only).
func (l *gojaLayout) field(o *goja.Object, idx []int) reflect.Value {
	return l.self(o).Elem().FieldByIndex(idx)
}

func intOf(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	}
	return v.Int()
}

func (l *gojaLayout) kindOf(o *goja.Object) (objKind, reflect.Type) {
	t := l.selfType(o)
	switch t {
	case l.plainType:
		return okPlain, t
	case l.arrayType:
		return okArray, t
	}
	return l.kinds[t], t
}

// ---------------------------------------------------------------------------
// Intrinsics.

// Built-in constructors the codec uses, looked up in the global object.
const (
	gObject = iota
	gMap
	gSet
	gDate
	gRegExp
	gString
	gDataView
	gTypedArray0                                      // typed array constructors, in typedArrayNames order
	gError       = gTypedArray0 + int(numTypedArrays) // error constructors, in errorNames order
	numGlobals   = gError + int(numErrorTypes)
)

func globalName(id int) string {
	switch {
	case id >= gError:
		return errorNames[id-gError]
	case id >= gTypedArray0:
		return typedArrayNames[id-gTypedArray0]
	}
	return [...]string{"Object", "Map", "Set", "Date", "RegExp", "String", "DataView"}[id]
}

// intrinsics caches the pristine built-ins of one runtime: constructors,
// prototype methods and internal-slot getters. Each is fetched lazily, the
// first time a message needs it, so creating a runtime costs nothing.
//
// Materializing never calls anything the receiver's scripts can replace later:
// objects and arrays are built with goja's Go API, and their properties are
// defined, or assigned only where nothing inherited can intercept (on an
// object whose prototype is still null, or over an existing own data
// property). Whatever is captured here is captured on first use: a
// script that tampers with a built-in before its isolate first sends or
// receives a value that needs it can only corrupt its own values, never
// another isolate's or the host's (every message is validated when it is
// cloned and every runtime has its own intrinsics).
//
// The zero value is ready to use. One per runtime; it must only be used on
// that runtime's goroutine.
type intrinsics struct {
	globals [numGlobals]*goja.Object

	gopd                   goja.Callable // Object.getOwnPropertyDescriptor
	taBuffer, dvBuffer     goja.Callable // %TypedArray%.prototype.buffer, DataView.prototype.buffer getters
	reSource, reFlags      goja.Callable // RegExp.prototype source and flags getters
	strValueOf             goja.Callable // String.prototype.valueOf
	objectKeys, reflectGet goja.Callable // Object.keys, Reflect.get (keys with lone surrogates)
	reflectDefine          goja.Callable // Reflect.defineProperty
	mapForEach, setForEach goja.Callable
	mapSet, setAdd         goja.Callable
	errProto               [numErrorTypes]*goja.Object
	objProto               *goja.Object // Object.prototype

	collectFn   goja.Value // native forEach callback
	collectPair bool       // Map.forEach: collect key and value
	collectBuf  []goja.Value

	cl *cloner       // scratch, reused when no clone is running
	mt *materializer // scratch, reused when no materialization is running
}

func (in *intrinsics) global(r *goja.Runtime, id int) (*goja.Object, error) {
	if o := in.globals[id]; o != nil {
		return o, nil
	}
	o, ok := r.GlobalObject().Get(globalName(id)).(*goja.Object)
	if !ok {
		return nil, &CloneError{Msg: globalName(id) + " is not available in this isolate"}
	}
	if _, ok := goja.AssertFunction(o); !ok {
		return nil, &CloneError{Msg: globalName(id) + " is not available in this isolate"}
	}
	in.globals[id] = o
	return o, nil
}

func (in *intrinsics) proto(r *goja.Runtime, id int) (*goja.Object, error) {
	c, err := in.global(r, id)
	if err != nil {
		return nil, err
	}
	p, ok := c.Get("prototype").(*goja.Object)
	if !ok {
		return nil, &CloneError{Msg: globalName(id) + ".prototype is not available in this isolate"}
	}
	return p, nil
}

func (in *intrinsics) method(r *goja.Runtime, slot *goja.Callable, id int, name string) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	p, err := in.proto(r, id)
	if err != nil {
		return nil, err
	}
	f, ok := goja.AssertFunction(p.Get(name))
	if !ok {
		return nil, &CloneError{Msg: globalName(id) + ".prototype." + name + " is not available in this isolate"}
	}
	*slot = f
	return f, nil
}

// getter captures the get function of an accessor property of id.prototype
// (or of its prototype, for %TypedArray%).
func (in *intrinsics) getter(r *goja.Runtime, slot *goja.Callable, id int, parent bool, name string) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	p, err := in.proto(r, id)
	if err != nil {
		return nil, err
	}
	if parent {
		if p = p.Prototype(); p == nil {
			return nil, &CloneError{Msg: "%TypedArray%.prototype is not available in this isolate"}
		}
	}
	if in.gopd == nil {
		oc, err := in.global(r, gObject)
		if err != nil {
			return nil, err
		}
		f, ok := goja.AssertFunction(oc.Get("getOwnPropertyDescriptor"))
		if !ok {
			return nil, &CloneError{Msg: "Object.getOwnPropertyDescriptor is not available in this isolate"}
		}
		in.gopd = f
	}
	d, err := in.gopd(nil, p, r.ToValue(name))
	if err != nil {
		return nil, err
	}
	var f goja.Callable
	if do, ok := d.(*goja.Object); ok {
		f, ok = goja.AssertFunction(do.Get("get"))
		if !ok {
			f = nil
		}
	}
	if f == nil {
		return nil, &CloneError{Msg: "the " + name + " getter of " + globalName(id) + " is not available in this isolate"}
	}
	*slot = f
	return f, nil
}

// function captures the function namespace.name (e.g. Reflect.get).
func (in *intrinsics) function(r *goja.Runtime, slot *goja.Callable, namespace, name string) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	if ns, ok := r.GlobalObject().Get(namespace).(*goja.Object); ok {
		if f, ok := goja.AssertFunction(ns.Get(name)); ok {
			*slot = f
			return f, nil
		}
	}
	return nil, &CloneError{Msg: namespace + "." + name + " is not available in this isolate"}
}

// objectPrototype returns the runtime's Object.prototype, which goja's Go API
// gives without consulting any global.
func (in *intrinsics) objectPrototype(r *goja.Runtime) *goja.Object {
	if in.objProto == nil {
		in.objProto = r.NewObject().Prototype()
	}
	return in.objProto
}

func (in *intrinsics) errorProto(r *goja.Runtime, t uint8) (*goja.Object, error) {
	if p := in.errProto[t]; p != nil {
		return p, nil
	}
	p, err := in.proto(r, gError+int(t))
	if err != nil {
		return nil, err
	}
	in.errProto[t] = p
	return p, nil
}

// collect runs a Map or Set forEach intrinsic and returns the collected
// entries (key, value pairs for a Map).
func (in *intrinsics) collect(r *goja.Runtime, forEach goja.Callable, o *goja.Object, pairs bool) ([]goja.Value, error) {
	if in.collectFn == nil {
		in.collectFn = r.ToValue(func(call goja.FunctionCall) goja.Value {
			if in.collectPair {
				in.collectBuf = append(in.collectBuf, call.Argument(1), call.Argument(0))
			} else {
				in.collectBuf = append(in.collectBuf, call.Argument(0))
			}
			return goja.Undefined()
		})
	}
	savedBuf, savedPair := in.collectBuf, in.collectPair // re-entrancy safe
	in.collectBuf, in.collectPair = nil, pairs
	_, err := forEach(o, in.collectFn)
	out := in.collectBuf
	in.collectBuf, in.collectPair = savedBuf, savedPair
	return out, err
}

// ---------------------------------------------------------------------------
// Errors.

func cloneErrorf(format string, args ...any) error {
	return &CloneError{Msg: fmt.Sprintf(format, args...)}
}

// recoverToError converts a panic under the codec into an error: a JS
// exception or goja's uncatchable errors (interrupts) unchanged, anything else
// as a *PanicError.
func recoverToError(x any) error {
	switch e := x.(type) {
	case *goja.Exception:
		return e
	case *goja.InterruptedError:
		return e
	case *goja.StackOverflowError:
		return e
	}
	return &PanicError{Value: x, Stack: string(debug.Stack())}
}

// ---------------------------------------------------------------------------
// Cloning.

type frameKind uint8

const (
	fObject  frameKind = iota // read own property keys[kb+i] with [[Get]]
	fPlain                    // the same, for a plain object listed by plainKeys
	fDense                    // read element i of a dense array
	fPending                  // values already collected in cloner.pending
)

type cframe struct {
	obj  *goja.Object
	kind frameKind
	i, n int32
	sb   int32 // first slot to fill
	kb   int32 // first key (fObject)
	pb   int32 // first pending value (fPending)
}

type cloner struct {
	r   *goja.Runtime
	in  *intrinsics
	pc  portCodec
	l   *gojaLayout
	m   *Message
	g   *graph
	max int64

	objs     []*goja.Object         // node index -> source object
	seen     map[*goja.Object]int32 // used once objs is longer than linearSeen
	useMap   bool
	stack    []cframe
	pending  []goja.Value
	transfer []*goja.Object // the transfer list
	tbuf     []int32        // bufs index of each transferred buffer, or -1
}

const linearSeen = 24 // below this many objects, look them up linearly

func (c *cloner) lookup(o *goja.Object) (int32, bool) {
	if !c.useMap {
		for i, x := range c.objs {
			if x == o {
				return int32(i), true
			}
		}
		return 0, false
	}
	i, ok := c.seen[o]
	return i, ok
}

func (c *cloner) remember(o *goja.Object) {
	c.objs = append(c.objs, o)
	if c.useMap {
		c.seen[o] = int32(len(c.objs) - 1)
	} else if len(c.objs) > linearSeen {
		if c.seen == nil {
			c.seen = make(map[*goja.Object]int32, 4*len(c.objs))
		}
		for i, x := range c.objs {
			c.seen[x] = int32(i)
		}
		c.useMap = true
	}
}

func (c *cloner) add(n int64) error {
	c.m.size += n
	if c.max > 0 && c.m.size > c.max {
		return &LimitError{Limit: "maxMessageBytes", Max: c.max, Seen: c.m.size, Unit: "bytes"}
	}
	return nil
}

func (c *cloner) reset() {
	clear(c.objs)
	c.objs = c.objs[:0]
	if len(c.seen) > 1<<16 { // do not pin a huge scratch
		c.seen = nil
	} else {
		clear(c.seen) // keeps its capacity for the next clone
	}
	c.useMap = false
	clear(c.stack)
	c.stack = c.stack[:0]
	clear(c.pending)
	c.pending = c.pending[:0]
	clear(c.transfer)
	c.transfer = c.transfer[:0]
	c.tbuf = c.tbuf[:0]
	c.r, c.in, c.pc, c.m, c.g = nil, nil, nil, nil, nil
	if cap(c.objs) > 1<<16 { // do not pin a huge scratch
		c.objs, c.stack, c.pending = nil, nil, nil
	}
}

// clonePrimitive checks a primitive and accounts for it.
func clonePrimitive(v goja.Value) (goja.Value, int64, error) {
	switch p := v.(type) {
	case nil:
		return goja.Undefined(), slotBytes, nil
	case *goja.Symbol:
		return nil, 0, cloneErrorf("Symbol(%s) could not be cloned", p.String())
	case goja.String:
		// Length also completes goja's lazy scan of an imported string, so
		// that the value is never written to again after this point.
		return v, slotBytes + int64(p.Length()), nil
	}
	return v, slotBytes, nil
}

// cloneJS copies v, a value of runtime r, into a Message, running on r's
// goroutine. transfer is the transfer list (nil or empty for none); on
// success the listed ArrayBuffers are detached in r and their bytes move into
// the message without a copy.
//
// Errors: a *CloneError (DataCloneError) for unclonable values and bad
// transfer lists, a *LimitError when opt.maxBytes is exceeded, and the
// *goja.Exception thrown by a getter, unchanged. goja's uncatchable errors
// (*goja.InterruptedError) raised in a getter are returned unchanged too: the
// caller must re-panic them (as it must re-throw an exception). On any error
// nothing is detached.
func cloneJS(r *goja.Runtime, in *intrinsics, pc portCodec, v goja.Value, transfer []goja.Value, opt cloneOptions) (m *Message, err error) {
	if _, isObj := v.(*goja.Object); !isObj && len(transfer) == 0 {
		p, n, err := clonePrimitive(v)
		if err != nil {
			return nil, err
		}
		if opt.maxBytes > 0 && n > opt.maxBytes {
			return nil, &LimitError{Limit: "maxMessageBytes", Max: opt.maxBytes, Seen: n, Unit: "bytes"}
		}
		return &Message{prim: p, size: n}, nil
	}
	if r == nil {
		return nil, ErrInvalidArgument
	}
	l := getLayout()
	if l.err != nil {
		return nil, l.err
	}
	if in == nil {
		in = &intrinsics{}
	}
	c := in.cl
	if c == nil {
		c = &cloner{}
	}
	in.cl = nil // a getter may clone re-entrantly: it gets its own scratch
	c.r, c.in, c.pc, c.l, c.max = r, in, pc, l, opt.maxBytes
	defer func() {
		if x := recover(); x != nil {
			m, err = nil, recoverToError(x)
		}
		c.reset()
		in.cl = c
	}()

	var inner error
	if ex := r.Try(func() { m, inner = c.run(v, transfer) }); ex != nil {
		return nil, ex
	}
	if inner != nil {
		return nil, inner
	}
	return m, nil
}

func (c *cloner) run(v goja.Value, transfer []goja.Value) (*Message, error) {
	l := c.l
	// Validate the transfer list before anything else: nothing is detached
	// unless the whole clone succeeds.
	for i, t := range transfer {
		o, ok := t.(*goja.Object)
		if !ok {
			return nil, cloneErrorf("transfer list item %d is not an ArrayBuffer", i)
		}
		if k, _ := l.kindOf(o); k != okArrayBuffer {
			return nil, cloneErrorf("transfer list item %d is not an ArrayBuffer", i)
		}
		for _, x := range c.transfer {
			if x == o {
				return nil, cloneErrorf("ArrayBuffer at index %d is listed twice in the transfer list", i)
			}
		}
		if o.Export().(goja.ArrayBuffer).Detached() {
			return nil, cloneErrorf("ArrayBuffer at index %d of the transfer list is already detached", i)
		}
		c.transfer = append(c.transfer, o)
		c.tbuf = append(c.tbuf, -1)
	}

	c.m = newGraphMessage()
	c.g = c.m.g
	root, err := c.encode(v)
	if err != nil {
		return nil, err
	}
	c.m.root = root
	if err := c.walk(); err != nil {
		return nil, err
	}

	// Move the transferred buffers: re-check first (a getter may have
	// detached one), then take the bytes and detach.
	for i, o := range c.transfer {
		if o.Export().(goja.ArrayBuffer).Detached() {
			return nil, cloneErrorf("ArrayBuffer at index %d of the transfer list was detached while cloning", i)
		}
	}
	for i, o := range c.transfer {
		ab := o.Export().(goja.ArrayBuffer)
		if bi := c.tbuf[i]; bi >= 0 {
			c.g.bufs[bi].data = ab.Bytes()
		}
		ab.Detach()
	}
	return c.m, nil
}

// walk drives the depth-first traversal: take the next child of the frame on
// top, encode it (which may push a frame for it), store it.
func (c *cloner) walk() error {
	for len(c.stack) > 0 {
		top := len(c.stack) - 1
		f := &c.stack[top]
		if f.i >= f.n {
			c.pending = c.pending[:f.pb]
			c.stack[top] = cframe{}
			c.stack = c.stack[:top]
			continue
		}
		i := f.i
		f.i++
		var v goja.Value
		switch f.kind {
		case fObject:
			var err error
			if v, err = c.get(f.obj, c.g.keys[f.kb+i]); err != nil {
				return err
			}
		case fPlain:
			k := c.g.keys[f.kb+i]
			if v = c.l.plainGet(f.obj, k); v == nil {
				var err error
				if v, err = c.get(f.obj, k); err != nil {
					return err
				}
			}
		case fDense:
			if c.l.fastArray {
				v = c.l.arrayElement(f.obj, int(i))
			} else {
				v = f.obj.Get(indexKey(int(i)))
			}
		case fPending:
			v = c.pending[f.pb+i]
		}
		slot := f.sb + i
		sv, err := c.encode(v) // may push: f is invalid from here on
		if err != nil {
			return err
		}
		c.g.slots[slot] = sv
	}
	return nil
}

func (c *cloner) encode(v goja.Value) (int32, error) {
	o, ok := v.(*goja.Object)
	if !ok {
		p, n, err := clonePrimitive(v)
		if err != nil {
			return 0, err
		}
		return c.g.prim(p), c.add(n)
	}
	if i, ok := c.lookup(o); ok {
		c.g.nodes[i].flags |= flagShared
		return i, nil
	}
	return c.encodeObject(o)
}

func (c *cloner) push(f cframe) {
	f.pb = int32(len(c.pending))
	c.stack = append(c.stack, f)
}

func (c *cloner) encodeObject(o *goja.Object) (int32, error) {
	g, l := c.g, c.l
	kind, typ := l.kindOf(o)
	if kind == okUnknown {
		if c.pc != nil {
			if p, ok := c.pc.sendPortOf(o); ok && p != nil {
				idx := g.addNode(kPort)
				c.remember(o)
				g.nodes[idx].a = int64(len(g.ports))
				g.ports = append(g.ports, p)
				return idx, c.add(nodeBytes)
			}
		}
	}
	if err := c.add(nodeBytes); err != nil {
		return 0, err
	}
	switch kind {
	case okPlain:
		idx := g.addNode(kObject)
		c.remember(o)
		return idx, c.pushObject(idx, o, typ == l.plainType)

	case okArray:
		idx := g.addNode(kArray)
		c.remember(o)
		if typ == l.arrayType && l.arrayDense {
			s := l.self(o).Elem()
			n := intOf(s.FieldByIndex(l.arrLength))
			if intOf(s.FieldByIndex(l.arrObjCount)) == n && intOf(s.FieldByIndex(l.arrProp)) == 0 &&
				s.FieldByIndex(l.arrPropNames).Len() == 1 {
				if err := c.add(n * slotBytes); err != nil {
					return 0, err
				}
				sb := g.reserve(int(n))
				nd := &g.nodes[idx]
				nd.a, nd.s, nd.n = n, sb, int32(n)
				c.push(cframe{obj: o, kind: fDense, n: int32(n), sb: sb})
				return idx, nil
			}
		}
		g.nodes[idx].flags |= flagGeneric
		g.nodes[idx].a = o.Get("length").ToInteger()
		return idx, c.pushObject(idx, o, false)

	case okMap, okSet:
		isMap := kind == okMap
		var fe goja.Callable
		var err error
		if isMap {
			fe, err = c.in.method(c.r, &c.in.mapForEach, gMap, "forEach")
		} else {
			fe, err = c.in.method(c.r, &c.in.setForEach, gSet, "forEach")
		}
		if err != nil {
			return 0, err
		}
		idx := g.addNode(kMap)
		if !isMap {
			g.nodes[idx].kind = kSet
		}
		c.remember(o)
		items, err := c.in.collect(c.r, fe, o, isMap)
		if err != nil {
			return 0, err
		}
		if err := c.add(int64(len(items)) * slotBytes); err != nil {
			return 0, err
		}
		sb := g.reserve(len(items))
		nd := &g.nodes[idx]
		nd.s, nd.n = sb, int32(len(items))
		c.push(cframe{kind: fPending, n: int32(len(items)), sb: sb})
		c.pending = append(c.pending, items...)
		return idx, nil

	case okDate:
		idx := g.addNode(kDate)
		c.remember(o)
		ms := intOf(l.field(o, l.dateMsec))
		tv := math.NaN()
		if ms != math.MinInt64 {
			tv = float64(ms)
		}
		g.nodes[idx].a = int64(math.Float64bits(tv))
		return idx, nil

	case okRegExp:
		src, err := c.in.getter(c.r, &c.in.reSource, gRegExp, false, "source")
		if err != nil {
			return 0, err
		}
		flags, err := c.in.getter(c.r, &c.in.reFlags, gRegExp, false, "flags")
		if err != nil {
			return 0, err
		}
		idx := g.addNode(kRegExp)
		c.remember(o)
		sv, err := src(o)
		if err != nil {
			return 0, err
		}
		fv, err := flags(o)
		if err != nil {
			return 0, err
		}
		ss, ok1 := sv.(goja.String)
		fs, ok2 := fv.(goja.String)
		if !ok1 || !ok2 {
			return 0, cloneErrorf("RegExp could not be cloned")
		}
		if err := c.add(2*slotBytes + int64(ss.Length()+fs.Length())); err != nil {
			return 0, err
		}
		sb := g.reserve(2)
		g.slots[sb], g.slots[sb+1] = g.prim(sv), g.prim(fv)
		g.nodes[idx].s, g.nodes[idx].n = sb, 2
		return idx, nil

	case okArrayBuffer:
		idx := g.addNode(kArrayBuffer)
		c.remember(o)
		ab := o.Export().(goja.ArrayBuffer)
		if ab.Detached() {
			return 0, cloneErrorf("a detached ArrayBuffer could not be cloned")
		}
		data := ab.Bytes()
		if err := c.add(int64(len(data))); err != nil {
			return 0, err
		}
		bi := int32(len(g.bufs))
		g.nodes[idx].a = int64(bi)
		transferred := false
		for i, t := range c.transfer {
			if t == o {
				c.tbuf[i] = bi
				transferred = true
				g.transfer = true
				break
			}
		}
		if transferred {
			g.bufs = append(g.bufs, buffer{transferred: true})
		} else {
			g.bufs = append(g.bufs, buffer{data: append(make([]byte, 0, len(data)), data...)})
		}
		return idx, nil

	case okTypedArray, okDataView:
		var get goja.Callable
		var err error
		if kind == okTypedArray {
			get, err = c.in.getter(c.r, &c.in.taBuffer, gTypedArray0, true, "buffer")
		} else {
			get, err = c.in.getter(c.r, &c.in.dvBuffer, gDataView, false, "buffer")
		}
		if err != nil {
			return 0, err
		}
		idx := g.addNode(kTypedArray)
		c.remember(o)
		s := l.self(o).Elem()
		var off, n int64
		var bufField reflect.Value
		if kind == okTypedArray {
			sub, ok := l.taTypes[s.FieldByIndex(l.taImpl).Elem().Type()]
			if !ok {
				return 0, cloneErrorf("typed array could not be cloned")
			}
			g.nodes[idx].sub = sub
			off = intOf(s.FieldByIndex(l.taOffset)) * typedArrayElemSize[sub]
			n = intOf(s.FieldByIndex(l.taLength))
			bufField = s.FieldByIndex(l.taBuf)
		} else {
			g.nodes[idx].kind = kDataView
			off = intOf(s.FieldByIndex(l.dvOffset))
			n = intOf(s.FieldByIndex(l.dvLength))
			bufField = s.FieldByIndex(l.dvBuf)
		}
		bv, err := get(o)
		if err != nil {
			return 0, err
		}
		// The getter is an intrinsic captured on first use; check that it
		// returned the view's own [[ViewedArrayBuffer]].
		bo, ok := bv.(*goja.Object)
		if ok {
			bk, _ := l.kindOf(bo)
			ok = bk == okArrayBuffer && l.self(bo).Pointer() == bufField.Pointer()
		}
		if !ok {
			return 0, cloneErrorf("the buffer of a view could not be read")
		}
		if bo.Export().(goja.ArrayBuffer).Detached() {
			return 0, cloneErrorf("a view of a detached ArrayBuffer could not be cloned")
		}
		sb := g.reserve(1)
		nd := &g.nodes[idx]
		nd.s, nd.n, nd.a, nd.b = sb, 1, off, n
		bref, err := c.encode(bo)
		if err != nil {
			return 0, err
		}
		g.slots[sb] = bref
		return idx, c.add(slotBytes)

	case okError:
		return c.encodeError(o)

	case okPrimitiveWrapper, okStringWrapper:
		var p goja.Value
		if kind == okStringWrapper {
			vo, err := c.in.method(c.r, &c.in.strValueOf, gString, "valueOf")
			if err != nil {
				return 0, err
			}
			if p, err = vo(o); err != nil {
				return 0, err
			}
			if _, ok := p.(goja.String); !ok {
				return 0, cloneErrorf("String object could not be cloned")
			}
		} else {
			var noRuntime *goja.Runtime
			switch x := o.Export().(type) {
			case bool, int64, float64, *big.Int:
				p = noRuntime.ToValue(x)
			default:
				return 0, cloneErrorf("Symbol object could not be cloned")
			}
		}
		p, n, err := clonePrimitive(p)
		if err != nil {
			return 0, err
		}
		if err := c.add(n); err != nil {
			return 0, err
		}
		idx := g.addNode(kWrapper)
		c.remember(o)
		sb := g.reserve(1)
		g.slots[sb] = g.prim(p)
		g.nodes[idx].s, g.nodes[idx].n = sb, 1
		return idx, nil

	case okReject:
		return 0, cloneErrorf("%s could not be cloned", l.names[typ])
	}
	if _, ok := goja.AssertFunction(o); ok {
		return 0, cloneErrorf("function could not be cloned")
	}
	return 0, cloneErrorf("host object (%v) could not be cloned", o.ExportType())
}

// pushObject stores the own enumerable string keys of node idx and
// schedules reading their values.
func (c *cloner) pushObject(idx int32, o *goja.Object, plain bool) error {
	g := c.g
	kb := len(g.keys)
	ok := false
	if plain && c.l.fastPlain {
		g.keys, ok = c.l.plainKeys(o, g.keys)
	}
	kind := fPlain
	if !ok {
		kind = fObject
		keys := o.Keys()
		for _, k := range keys {
			if strings.ContainsRune(k, utf8.RuneError) {
				// Maybe a lone surrogate that Keys made U+FFFD: ask JS.
				var err error
				if keys, err = c.exactKeys(o); err != nil {
					return err
				}
				break
			}
		}
		g.keys = append(ensure(g.keys, len(keys)), keys...)
	}
	keys := g.keys[kb:]
	n := int64(len(keys)) * slotBytes
	for _, k := range keys {
		n += int64(len(k))
	}
	if err := c.add(n); err != nil {
		return err
	}
	sb := g.reserve(len(keys))
	nd := &g.nodes[idx]
	nd.s, nd.k, nd.np = sb, int32(kb), int32(len(keys))
	c.push(cframe{obj: o, kind: kind, n: int32(len(keys)), sb: sb, kb: int32(kb)})
	return nil
}

// exactKeys lists the own enumerable keys of o with the Object.keys
// intrinsic, keeping lone surrogates.
func (c *cloner) exactKeys(o *goja.Object) ([]string, error) {
	f, err := c.in.function(c.r, &c.in.objectKeys, "Object", "keys")
	if err != nil {
		return nil, err
	}
	v, err := f(nil, o)
	if err != nil {
		return nil, err
	}
	arr, ok := v.(*goja.Object)
	if !ok {
		return nil, cloneErrorf("Object.keys failed")
	}
	n := int(arr.Get("length").ToInteger())
	keys := make([]string, 0, n)
	for i := 0; i < n; i++ {
		keys = append(keys, keyOfValue(arr.Get(indexKey(i))))
	}
	return keys, nil
}

// get reads property k of o with [[Get]].
func (c *cloner) get(o *goja.Object, k string) (goja.Value, error) {
	if !isRawKey(k) {
		return o.Get(k), nil
	}
	f, err := c.in.function(c.r, &c.in.reflectGet, "Reflect", "get")
	if err != nil {
		return nil, err
	}
	return f(nil, o, rawKeyValue(k))
}

func (c *cloner) encodeError(o *goja.Object) (int32, error) {
	g := c.g
	idx := g.addNode(kError)
	c.remember(o)
	t := errError
	if nv, ok := o.Get("name").(goja.String); ok {
		name := nv.String()
		for i, n := range errorNames {
			if n == name {
				t = uint8(i)
				break
			}
		}
	}
	g.nodes[idx].sub = t
	own := o.GetOwnPropertyNames()
	has := func(name string) bool {
		for _, k := range own {
			if k == name {
				return true
			}
		}
		return false
	}
	kb := int32(len(g.keys))
	pb := len(c.pending)
	if has("message") {
		msg := o.Get("message")
		if msg == nil {
			msg = goja.Undefined()
		}
		g.keys = append(g.keys, "message")
		c.pending = append(c.pending, msg.ToString())
	}
	if has("stack") {
		if s, ok := o.Get("stack").(goja.String); ok {
			g.keys = append(g.keys, "stack")
			c.pending = append(c.pending, s)
		}
	}
	if has("cause") {
		g.keys = append(g.keys, "cause")
		c.pending = append(c.pending, o.Get("cause"))
	}
	if t == errAggregate && has("errors") {
		g.keys = append(g.keys, "errors")
		c.pending = append(c.pending, o.Get("errors"))
	}
	np := int32(len(g.keys)) - kb
	if err := c.add(int64(np) * slotBytes); err != nil {
		return 0, err
	}
	sb := g.reserve(int(np))
	nd := &g.nodes[idx]
	nd.s, nd.k, nd.np = sb, kb, np
	c.stack = append(c.stack, cframe{kind: fPending, n: np, sb: sb, pb: int32(pb)})
	return idx, nil
}

var indexKeys = sync.OnceValue(func() []string {
	s := make([]string, 4096)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
})

func indexKey(i int) string {
	if i < 4096 {
		return indexKeys()[i]
	}
	return strconv.Itoa(i)
}

// Property keys are kept as Go strings. goja's Go API takes keys as UTF-8,
// which cannot hold a lone surrogate, so such a key is kept in goja's raw
// form instead: a unistring.String, whose UTF-16 form starts with the bytes
// of a byte order mark, 0xFF 0xFE on little-endian machines. A UTF-8 string
// never starts with 0xFF, so isRawKey tells the two apart. Raw keys are read
// and defined through the Reflect intrinsics, everything else through goja's
// Go API.

func isRawKey(k string) bool { return len(k) > 0 && k[0] == 0xFF }

// rawKeyValue returns the JS string of a raw key.
func rawKeyValue(k string) goja.Value {
	return goja.StringFromUTF16(unistring.String(k).AsUtf16()[1:])
}

func hasLoneSurrogate(u []uint16) bool {
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c >= 0xD800 && c < 0xDC00:
			if i+1 == len(u) || u[i+1] < 0xDC00 || u[i+1] >= 0xE000 {
				return true
			}
			i++
		case c >= 0xDC00 && c < 0xE000:
			return true
		}
	}
	return false
}

// keyOfName converts a goja property name to a key.
func keyOfName(name unistring.String) string {
	if u := name.AsUtf16(); u != nil && hasLoneSurrogate(u[1:]) {
		return string(name)
	}
	return name.String()
}

// keyOfValue converts a JS string (a property key) to a key.
func keyOfValue(v goja.Value) string {
	s, ok := v.(goja.String)
	if !ok {
		return v.String()
	}
	n := s.Length()
	u := make([]uint16, n+1)
	u[0] = unistring.BOM
	for i := 0; i < n; i++ {
		u[i+1] = s.CharAt(i)
	}
	if hasLoneSurrogate(u[1:]) {
		return string(unistring.FromUtf16(u))
	}
	return s.String()
}

// keyString is the UTF-8 form of a key (lossy for raw keys), for Go.
func keyString(k string) string {
	if isRawKey(k) {
		return unistring.String(k).String()
	}
	return k
}

// ---------------------------------------------------------------------------
// Materializing.

type materializer struct {
	r     *goja.Runtime
	in    *intrinsics
	pc    portCodec
	g     *graph
	vals  []goja.Value
	items []any
	take  bool // hand transferred buffers over
}

func (mt *materializer) reset() {
	clear(mt.vals)
	mt.vals = mt.vals[:0]
	clear(mt.items)
	mt.items = mt.items[:0]
	mt.r, mt.in, mt.pc, mt.g = nil, nil, nil, nil
	if cap(mt.vals) > 1<<16 { // do not pin a huge scratch
		mt.vals, mt.items = nil, nil
	}
}

// toJS materializes m in runtime r, on r's goroutine. A message that carries
// transferred ArrayBuffers can be materialized once; later calls fail with a
// *CloneError. Errors from the runtime's built-ins (if a script broke them
// before they were first needed) are returned as they are.
func (m *Message) toJS(r *goja.Runtime, in *intrinsics, pc portCodec) (res goja.Value, err error) {
	if m == nil || r == nil {
		return nil, ErrInvalidArgument
	}
	g := m.g
	if g == nil {
		if m.prim == nil {
			return goja.Undefined(), nil
		}
		return m.prim, nil
	}
	if g.transfer && !g.consumed.CompareAndSwap(false, true) {
		return nil, &CloneError{Msg: "the message's transferred ArrayBuffers were already received"}
	}
	if in == nil {
		in = &intrinsics{}
	}
	mt := in.mt
	if mt == nil {
		mt = &materializer{}
	}
	in.mt = nil
	mt.r, mt.in, mt.pc, mt.g, mt.take = r, in, pc, g, g.transfer
	defer func() {
		if x := recover(); x != nil {
			res, err = nil, recoverToError(x)
		}
		mt.reset()
		in.mt = mt
	}()
	var inner error
	if ex := r.Try(func() { res, inner = mt.run(m.root) }); ex != nil {
		return nil, ex
	}
	if inner != nil {
		return nil, inner
	}
	return res, nil
}

func (mt *materializer) value(s int32) goja.Value {
	if s < 0 {
		return mt.g.prims[^s]
	}
	return mt.vals[s]
}

func (mt *materializer) run(root int32) (goja.Value, error) {
	if root < 0 {
		return mt.g.prims[^root], nil
	}
	g := mt.g
	n := len(g.nodes)
	if cap(mt.vals) < n {
		mt.vals = make([]goja.Value, n)
	} else {
		mt.vals = mt.vals[:n]
	}
	// Pass 1: create every object that others may refer to before it is
	// complete: all but the dense arrays that are referenced only once,
	// which pass 2 builds in one go from their finished elements.
	for i := range g.nodes {
		if mt.vals[i] != nil {
			continue // an ArrayBuffer created early for a view
		}
		if err := mt.create(int32(i)); err != nil {
			return nil, err
		}
	}
	// Pass 2, in reverse: fill the containers. A child first reached from
	// node i has a higher index, so it is complete; a lower index is a
	// shared node and was created in pass 1.
	for i := n - 1; i >= 0; i-- {
		if err := mt.fill(int32(i)); err != nil {
			return nil, err
		}
	}
	return mt.vals[root], nil
}

func (mt *materializer) create(i int32) error {
	g, r, in := mt.g, mt.r, mt.in
	nd := &g.nodes[i]
	var o goja.Value
	switch nd.kind {
	case kObject:
		// Without a prototype until it is filled, so that assigning its
		// properties cannot reach a setter on Object.prototype.
		o = r.CreateObject(nil)
	case kArray:
		switch {
		case nd.flags&flagGeneric != 0:
			o = r.NewArray()
		case nd.flags&flagShared != 0:
			// Pre-filled with nulls so that pass 2 assigns the elements as
			// existing own data properties (nothing inherited is consulted).
			o = r.NewArray(mt.scratch(int(nd.n))...)
		default:
			return nil // built in pass 2
		}
	case kMap, kSet:
		id := gMap
		if nd.kind == kSet {
			id = gSet
		}
		ctor, err := in.global(r, id)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor)
		if err != nil {
			return err
		}
		o = obj
	case kDate:
		ctor, err := in.global(r, gDate)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor, r.ToValue(math.Float64frombits(uint64(nd.a))))
		if err != nil {
			return err
		}
		o = obj
	case kRegExp:
		ctor, err := in.global(r, gRegExp)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor, mt.value(g.slots[nd.s]), mt.value(g.slots[nd.s+1]))
		if err != nil {
			return err
		}
		o = obj
	case kArrayBuffer:
		b := &g.bufs[nd.a]
		data := b.data
		if b.transferred {
			// Handed over without a copy: the receiver owns the bytes now
			// (toJS lets only one receive through).
			if !mt.take {
				return &CloneError{Msg: "the message's transferred ArrayBuffers were already received"}
			}
		} else {
			data = append(make([]byte, 0, len(data)), data...)
		}
		o = r.ToValue(r.NewArrayBuffer(data))
	case kTypedArray, kDataView:
		bi := g.slots[nd.s]
		if bi < 0 || g.nodes[bi].kind != kArrayBuffer {
			return &CloneError{Msg: "corrupt message: view without a buffer"}
		}
		if mt.vals[bi] == nil {
			if err := mt.create(bi); err != nil {
				return err
			}
		}
		id := gDataView
		if nd.kind == kTypedArray {
			id = gTypedArray0 + int(nd.sub)
		}
		ctor, err := in.global(r, id)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor, mt.vals[bi], r.ToValue(nd.a), r.ToValue(nd.b))
		if err != nil {
			return err
		}
		o = obj
	case kError:
		ctor, err := in.global(r, gError)
		if err != nil {
			return err
		}
		var obj *goja.Object
		if mi := g.findKey(nd, "message"); mi >= 0 {
			obj, err = r.New(ctor, mt.value(g.slots[nd.s+nd.n+mi]))
		} else {
			obj, err = r.New(ctor)
		}
		if err != nil {
			return err
		}
		if nd.sub != errError {
			p, err := in.errorProto(r, nd.sub)
			if err != nil {
				return err
			}
			if err := obj.SetPrototype(p); err != nil {
				return err
			}
		}
		o = obj
	case kWrapper:
		o = mt.value(g.slots[nd.s]).ToObject(r)
	case kPort:
		if mt.pc == nil {
			return &CloneError{Msg: "SendPort could not be received here"}
		}
		o = mt.pc.sendPortValue(g.ports[nd.a])
	default:
		return &CloneError{Msg: "corrupt message"}
	}
	mt.vals[i] = o
	return nil
}

func (g *graph) findKey(nd *node, key string) int32 {
	for j := int32(0); j < nd.np; j++ {
		if g.keys[nd.k+j] == key {
			return j
		}
	}
	return -1
}

func (mt *materializer) scratch(n int) []any {
	if cap(mt.items) < n {
		mt.items = make([]any, n)
	}
	mt.items = mt.items[:n]
	clear(mt.items)
	return mt.items
}

func (mt *materializer) defineProps(o *goja.Object, nd *node) error {
	g := mt.g
	ps := nd.s + nd.n
	for j := int32(0); j < nd.np; j++ {
		k, v := g.keys[nd.k+j], mt.value(g.slots[ps+j])
		var err error
		if isRawKey(k) {
			err = mt.defineRaw(o, k, v)
		} else {
			err = o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// defineRaw defines a data property whose key has a lone surrogate.
func (mt *materializer) defineRaw(o *goja.Object, k string, v goja.Value) error {
	f, err := mt.in.function(mt.r, &mt.in.reflectDefine, "Reflect", "defineProperty")
	if err != nil {
		return err
	}
	d := mt.r.CreateObject(nil)
	for _, p := range [...]string{"writable", "enumerable", "configurable"} {
		if err := d.Set(p, true); err != nil {
			return err
		}
	}
	if err := d.Set("value", v); err != nil {
		return err
	}
	_, err = f(nil, o, rawKeyValue(k), d)
	return err
}

func (mt *materializer) fill(i int32) error {
	g, r, in := mt.g, mt.r, mt.in
	nd := &g.nodes[i]
	switch nd.kind {
	case kObject:
		o := mt.vals[i].(*goja.Object)
		for j := int32(0); j < nd.np; j++ {
			k, v := g.keys[nd.k+j], mt.value(g.slots[nd.s+j])
			var err error
			if isRawKey(k) {
				err = mt.defineRaw(o, k, v)
			} else {
				err = o.Set(k, v)
			}
			if err != nil {
				return err
			}
		}
		return o.SetPrototype(in.objectPrototype(r))
	case kArray:
		switch {
		case nd.flags&flagGeneric != 0:
			o := mt.vals[i].(*goja.Object)
			if err := mt.defineProps(o, nd); err != nil {
				return err
			}
			return o.Set("length", nd.a)
		case nd.flags&flagShared != 0:
			o := mt.vals[i].(*goja.Object)
			for j := int32(0); j < nd.n; j++ {
				if err := o.Set(indexKey(int(j)), mt.value(g.slots[nd.s+j])); err != nil {
					return err
				}
			}
			return mt.defineProps(o, nd)
		default:
			items := mt.scratch(int(nd.n))
			for j := range items {
				items[j] = mt.value(g.slots[nd.s+int32(j)])
			}
			o := r.NewArray(items...)
			mt.vals[i] = o
			return mt.defineProps(o, nd)
		}
	case kMap, kSet:
		var add goja.Callable
		var err error
		step := int32(1)
		if nd.kind == kMap {
			add, err = in.method(r, &in.mapSet, gMap, "set")
			step = 2
		} else {
			add, err = in.method(r, &in.setAdd, gSet, "add")
		}
		if err != nil {
			return err
		}
		o := mt.vals[i]
		for j := int32(0); j+step <= nd.n; j += step {
			if step == 2 {
				_, err = add(o, mt.value(g.slots[nd.s+j]), mt.value(g.slots[nd.s+j+1]))
			} else {
				_, err = add(o, mt.value(g.slots[nd.s+j]))
			}
			if err != nil {
				return err
			}
		}
	case kError:
		o := mt.vals[i].(*goja.Object)
		ps := nd.s + nd.n
		for j := int32(0); j < nd.np; j++ {
			k := g.keys[nd.k+j]
			if k == "message" {
				continue
			}
			if err := o.DefineDataProperty(k, mt.value(g.slots[ps+j]), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
				return err
			}
		}
	}
	return nil
}
