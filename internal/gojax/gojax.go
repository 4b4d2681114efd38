// Package gojax is the only code in isobox that reads goja's unexported
// layout. Everything else uses goja's public API.
//
// goja's public API cannot tell a plain object from a Go map wrapper, an
// array from a Go slice wrapper, or a DataView from a plain object. It does
// not expose the internal slots of dates and views either, and listing a
// plain object's keys through it costs about four allocations per key. The
// structured-clone codec needs all of these on its hot path. So this package
// reads them: the dynamic type of goja.Object's unexported "self" field,
// a few scalar fields of the array, view and date implementations (through
// reflect), and the property map, name list and element slice of plain
// objects and dense arrays (through unsafe pointers at offsets found by
// reflect).
//
// The rules that make this bearable:
//   - Everything is read-only, with two exceptions: templates.go
//     (LazyGlobal, DeferProperty) points a runtime's global object at a
//     per-runtime copy of goja's global template, appends to that object's
//     name list, and points built-in objects at process-wide copies of
//     their templates with some factories hooked; regexp.go
//     (ReplaceNative) replaces the Go function inside one native function
//     object of a runtime, so that a guard runs inside a built-in whose
//     identity goja's fast paths watch (RegExp.prototype.exec).
//   - The layout is found and verified once per process, on first use, against
//     sample values of a scratch runtime. A mismatch of any kind (a renamed
//     field, a changed type, a sample that reads back wrong) turns the
//     affected part off: Layout reports why, and each accessor reports "not
//     available" (ok == false). It never panics or guesses.
//   - Callers keep a slow path through the public API for "not available",
//     and the codec's tests run both paths.
//   - TestLayout fails loudly when a goja upgrade changes the layout, so the
//     upgrade is a deliberate act. goja is pinned in go.mod.
//
// Public surface: Layout, Kind and KindOf, IsPlainObject, DenseArrayLen,
// PlainKeys, PlainGet, ArrayElement, TypedArraySlots, DataViewSlots, DateMsec,
// SameImpl, ArrayCount, FuncSource and FuncLayout (funcsrc.go: where a
// script function was written), LazyGlobal, DeferProperty and
// TemplateLayout (templates.go: lazy globals and deferred built-in
// properties, through goja's templates), RegexpOf, ReplaceNative and
// RegexpLayout (regexp.go: what goja compiled for a RegExp, and guards
// inside native function objects), and Disable for tests. Every function is safe from any goroutine,
// but the object it is given must only be read on the goroutine that owns
// its runtime, as all goja values must.
package gojax

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
)

// Kind classifies an object by its goja implementation type.
type Kind uint8

// The kinds KindOf reports.
const (
	Unknown          Kind = iota // host object or an unlisted type: the caller decides
	Plain                        // ordinary object (also an arguments object, a built-in prototype or namespace, the global object)
	Array                        // ordinary array
	Map                          // Map
	Set                          // Set
	Date                         // Date
	RegExp                       // RegExp
	ArrayBuffer                  // ArrayBuffer
	TypedArray                   // any of the eleven typed arrays
	DataView                     // DataView
	Error                        // an object with [[ErrorData]]
	PrimitiveWrapper             // Number, Boolean, BigInt or Symbol object
	StringWrapper                // String object
	Rejected                     // a known unclonable built-in; KindOf names it
)

// TypedArrayNames lists the typed array constructors in the order of the
// type numbers TypedArraySlots reports.
var TypedArrayNames = [...]string{
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
}

type layout struct {
	err error // nil: the reflect part (kinds, views, dates) is available

	selfIdx  int
	selfOff  uintptr // offset of goja.Object.self
	fastSelf bool    // selfType and selfPtr read the interface words (verified by build)
	kinds   map[reflect.Type]Kind
	names   map[reflect.Type]string
	taTypes map[reflect.Type]uint8

	plainType, arrayType reflect.Type
	templatedType        reflect.Type // Object.prototype, Math, Number.prototype, the global object...

	arrayDense                      bool // the dense-array fields below were found
	arrLength, arrObjCount, arrProp []int
	arrPropNames                    []int

	fastPlain           bool // plain object property listing through unsafe
	objValues, objNames uintptr
	valueProperty       reflect.Type // goja's *valueProperty (accessors, attributes)
	fastArray           bool         // dense array element reads through unsafe
	arrValues           uintptr

	taOffset, taLength, taImpl, taBuf []int
	dvOffset, dvLength, dvBuf         []int
	dateMsec                          []int
}

var (
	once     sync.Once
	theL     layout
	disabled atomic.Bool
)

func get() *layout {
	once.Do(func() { theL = build() })
	return &theL
}

// ok reports whether the reflect part is usable.
func (l *layout) ok() bool { return l.err == nil && !disabled.Load() }

// Layout reports whether goja's layout matched what this package expects:
// nil if it did, else why not. The unsafe fast paths can be off even when it
// is nil; Fast tells.
func Layout() error {
	l := get()
	if disabled.Load() {
		return errDisabled
	}
	return l.err
}

// Fast reports whether the unsafe fast paths (PlainKeys, PlainGet,
// ArrayElement) are available.
func Fast() bool {
	l := get()
	return l.ok() && l.fastPlain && l.fastArray
}

var errDisabled = errors.New("gojax: disabled")

// Disable turns every accessor off (as a layout mismatch would) until the
// returned function is called. It is for tests of the callers' slow paths;
// it affects the whole process.
func Disable() (restore func()) {
	disabled.Store(true)
	return func() { disabled.Store(false) }
}

func build() (l layout) {
	defer func() {
		if x := recover(); x != nil {
			l = layout{err: fmt.Errorf("gojax: unexpected goja layout: %v", x)}
		}
	}()
	f, ok := reflect.TypeOf(goja.Object{}).FieldByName("self")
	if !ok || len(f.Index) != 1 || f.Type.Kind() != reflect.Interface {
		return layout{err: errors.New("gojax: goja.Object has no self field")}
	}
	l.selfIdx, l.selfOff = f.Index[0], f.Offset
	l.kinds = make(map[reflect.Type]Kind)
	l.names = make(map[reflect.Type]string)
	l.taTypes = make(map[reflect.Type]uint8)
	r := goja.New()
	var samples []*goja.Object
	sample := func(src string) reflect.Type {
		v, err := r.RunString(src)
		if err != nil {
			panic(fmt.Sprintf("%s: %v", src, err))
		}
		samples = append(samples, v.(*goja.Object))
		return l.selfType(v.(*goja.Object))
	}
	for _, s := range []struct {
		src  string
		kind Kind
		name string
	}{
		{"({})", Plain, ""},
		{"(function(){return arguments})(1)", Plain, ""},
		{"[]", Array, ""},
		{"(function(){var a=[];a[1e6]=1;return a})()", Array, ""},
		{"new Map", Map, ""},
		{"new Set", Set, ""},
		{"new Date(0)", Date, ""},
		{"/x/", RegExp, ""},
		{"new Error('x')", Error, ""},
		{"new ArrayBuffer(1)", ArrayBuffer, ""},
		{"new Int8Array(1)", TypedArray, ""},
		{"new DataView(new ArrayBuffer(1))", DataView, ""},
		{"new Number(1)", PrimitiveWrapper, ""},
		{"new String('')", StringWrapper, ""},
		{"new Proxy({}, {})", Rejected, "Proxy object"},
		{"Promise.resolve(1)", Rejected, "Promise object"},
		{"new WeakMap", Rejected, "WeakMap object"},
		{"new WeakSet", Rejected, "WeakSet object"},
		// Built-in ordinary objects: goja builds most prototypes and
		// namespaces as "templated" objects whose properties are created on
		// first use (KindOf tells them apart by class), Array.prototype as a
		// templated array and RegExp.prototype as a "guarded" object. They
		// are ordinary objects (or an array) to the clone.
		{"Object.prototype", Plain, ""},
		{"Array.prototype", Array, ""},
		{"RegExp.prototype", Plain, ""},
		{"[].values()", Rejected, "Array Iterator object"},
		{"new Map().entries()", Rejected, "Map Iterator object"},
		{"new Set().values()", Rejected, "Set Iterator object"},
		{"''[Symbol.iterator]()", Rejected, "String Iterator object"},
		{"/x/[Symbol.matchAll]('x')", Rejected, "RegExp String Iterator object"},
		{"(function*(){})()", Rejected, "Generator object"},
	} {
		t := sample(s.src)
		l.kinds[t] = s.kind
		if s.name != "" {
			l.names[t] = s.name
		}
	}
	l.plainType = sample("({})")
	l.arrayType = sample("[]")
	l.templatedType = sample("Object.prototype")
	if l.templatedType == l.plainType || sample("Math") != l.templatedType || sample("Number.prototype") != l.templatedType {
		panic("templated built-in objects are not of one distinct type")
	}

	ta := sample("new Int8Array(1)")
	l.taOffset = mustIntField(ta, "offset")
	l.taLength = mustIntField(ta, "length")
	l.taImpl = mustField(ta, "typedArray")
	for i, name := range TypedArrayNames {
		v, err := r.RunString("new " + name + "(1)")
		if err != nil {
			panic(err)
		}
		l.taTypes[l.field(v.(*goja.Object), l.taImpl).Elem().Type()] = uint8(i)
	}
	if len(l.taTypes) != len(TypedArrayNames) {
		panic("typed array implementations are not distinct")
	}
	l.taBuf = mustPtrField(ta, "viewedArrayBuf")
	dv := sample("new DataView(new ArrayBuffer(1))")
	l.dvOffset = mustIntField(dv, "byteOffset")
	l.dvLength = mustIntField(dv, "byteLen")
	l.dvBuf = mustPtrField(dv, "viewedArrayBuf")
	l.dateMsec = mustIntField(sample("new Date(0)"), "msec")
	l.verifySamples(r)

	// Optional: the dense-array fields.
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
	l.fastSelf = l.verifyFastSelf(append(samples, r.GlobalObject()))
	return l
}

// verifyFastSelf reports whether reading o.self's interface words (the
// itab's type, the data pointer) gives what reflect gives, for every
// sample: then selfType and selfPtr skip reflect (~50 ns a call, ~300
// calls a spawn).
func (l *layout) verifyFastSelf(samples []*goja.Object) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	seen := map[reflect.Type]bool{}
	for _, o := range samples {
		s := l.self(o)
		// The itab's type word is compared as a raw pointer with reflect's
		// type first: only a word known to be that type pointer is ever put
		// in an interface (fastType).
		w := (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(o), l.selfOff))
		t := s.Type()
		if s.Kind() != reflect.Pointer || w[0] == nil || *(*unsafe.Pointer)(unsafe.Add(w[0], unsafe.Sizeof(uintptr(0)))) != (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1] {
			return false
		}
		if l.fastType(o) != t || l.fastPtr(o) != s.UnsafePointer() {
			return false
		}
		seen[s.Type()] = true
	}
	return len(seen) >= 8
}

// fastType and fastPtr read o.self's interface words: an interface with
// methods is (itab, data), and an itab starts (interface type, type).
func (l *layout) fastType(o *goja.Object) reflect.Type {
	w := (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(o), l.selfOff))
	if w[0] == nil {
		return nil
	}
	var e any
	ew := (*[2]unsafe.Pointer)(unsafe.Pointer(&e))
	ew[0], ew[1] = *(*unsafe.Pointer)(unsafe.Add(w[0], unsafe.Sizeof(uintptr(0)))), w[1]
	return reflect.TypeOf(e)
}

func (l *layout) fastPtr(o *goja.Object) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(o), l.selfOff))[1]
}

// selfPtr is o's implementation pointer.
func (l *layout) selfPtr(o *goja.Object) unsafe.Pointer {
	if l.fastSelf {
		return l.fastPtr(o)
	}
	return l.self(o).UnsafePointer()
}

// verifySamples reads back the scalar fields of sample views and a date and
// panics (turning the layout off) if they disagree with the public API.
func (l *layout) verifySamples(r *goja.Runtime) {
	v, err := r.RunString("[new Int16Array(new ArrayBuffer(16), 4, 3), new DataView(new ArrayBuffer(16), 5, 7), new Date(1234)]")
	if err != nil {
		panic(err)
	}
	arr := v.(*goja.Object)
	ta, dv, date := arr.Get("0").(*goja.Object), arr.Get("1").(*goja.Object), arr.Get("2").(*goja.Object)
	if typ, off, n := l.taTypes[l.field(ta, l.taImpl).Elem().Type()], intOf(l.field(ta, l.taOffset)), intOf(l.field(ta, l.taLength)); typ != 3 || off != 2 || n != 3 {
		panic(fmt.Sprintf("typed array sample read back as type %d offset %d length %d", typ, off, n))
	}
	if off, n := intOf(l.field(dv, l.dvOffset)), intOf(l.field(dv, l.dvLength)); off != 5 || n != 7 {
		panic(fmt.Sprintf("DataView sample read back as offset %d length %d", off, n))
	}
	if ms := intOf(l.field(date, l.dateMsec)); ms != 1234 {
		panic(fmt.Sprintf("Date sample read back as %d", ms))
	}
	buf := ta.Get("buffer").(*goja.Object)
	if l.self(buf).Pointer() != l.field(ta, l.taBuf).Pointer() {
		panic("typed array sample: viewed buffer does not match")
	}
}

var (
	typePropMap   = reflect.TypeOf(map[unistring.String]goja.Value(nil))
	typePropNames = reflect.TypeOf([]unistring.String(nil))
	typeValues    = reflect.TypeOf([]goja.Value(nil))
)

// setupFastPaths enables the unsafe read paths if goja's fields have the
// expected types and read a sample correctly.
func (l *layout) setupFastPaths(r *goja.Runtime) {
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

// KindOf classifies o. For Rejected it also returns a description of the
// object ("Proxy object"). ok is false when the layout is not available: the
// caller must classify o through the public API.
func KindOf(o *goja.Object) (k Kind, rejected string, ok bool) {
	l := get()
	if !l.ok() {
		return Unknown, "", false
	}
	t := l.selfType(o)
	switch t {
	case l.plainType:
		return Plain, "", true
	case l.arrayType:
		return Array, "", true
	case l.templatedType:
		// Number.prototype and String.prototype have [[NumberData]] and
		// [[StringData]]; the others are ordinary objects. The global
		// object is one too, here: the caller knows its runtime's global.
		switch o.ClassName() {
		case "Number":
			return PrimitiveWrapper, "", true
		case "String":
			return StringWrapper, "", true
		}
		return Plain, "", true
	}
	k = l.kinds[t]
	if k == Rejected {
		return k, l.names[t], true
	}
	return k, "", true
}

// IsPlainObject reports whether o is an ordinary object of goja's base
// implementation (not an arguments object, not a wrapper): the only kind
// PlainKeys and PlainGet read.
func IsPlainObject(o *goja.Object) bool {
	l := get()
	return l.ok() && l.selfType(o) == l.plainType
}

// DenseArrayLen returns the length of o if o is an ordinary array whose
// elements are all present, with no extra properties besides length, so
// that reading elements 0..n-1 is all there is to it. ok is false otherwise
// or when the layout is not available.
func DenseArrayLen(o *goja.Object) (n int64, ok bool) {
	l := get()
	if !l.ok() || !l.arrayDense || l.selfType(o) != l.arrayType {
		return 0, false
	}
	s := l.self(o).Elem()
	n = intOf(s.FieldByIndex(l.arrLength))
	if intOf(s.FieldByIndex(l.arrObjCount)) == n && intOf(s.FieldByIndex(l.arrProp)) == 0 &&
		s.FieldByIndex(l.arrPropNames).Len() == 1 {
		return n, true
	}
	return 0, false
}

// ArrayCount returns how many elements an ordinary array (goja's dense
// representation, not a sparse one) holds, whatever else it has. ok is
// false for anything else or when the layout is not available. o's
// goroutine only.
func ArrayCount(o *goja.Object) (n int64, ok bool) {
	l := get()
	if !l.ok() || !l.arrayDense || l.selfType(o) != l.arrayType {
		return 0, false
	}
	return intOf(l.self(o).Elem().FieldByIndex(l.arrObjCount)), true
}

// PlainKeys appends the own enumerable string keys of a plain object (see
// IsPlainObject) to keys in property order, converting each name with key.
// ok is false (keys unchanged) if the object needs the general path: an
// accessor, a property with non-default attributes, an integer-like key
// (goja orders those lazily), or no fast path.
func PlainKeys(o *goja.Object, keys []string, key func(unistring.String) string) (_ []string, ok bool) {
	l := get()
	if !l.ok() || !l.fastPlain || l.selfType(o) != l.plainType {
		return keys, false
	}
	p := l.self(o).UnsafePointer()
	names := *(*[]unistring.String)(unsafe.Add(p, l.objNames))
	vals := *(*map[unistring.String]goja.Value)(unsafe.Add(p, l.objValues))
	start := len(keys)
	keys = slices.Grow(keys, len(names))
	for _, name := range names {
		v := vals[name]
		if v == nil {
			continue // deleted
		}
		if reflect.TypeOf(v) == l.valueProperty || isIndexName(string(name)) {
			return keys[:start], false
		}
		keys = append(keys, key(name))
	}
	return keys, true
}

// PlainGet reads the own data property k of a plain object listed by
// PlainKeys, or returns nil if the general [[Get]] is needed (the property
// became an accessor or was deleted, k is not ASCII, or no fast path).
func PlainGet(o *goja.Object, k string) goja.Value {
	l := get()
	if !l.ok() || !l.fastPlain {
		return nil
	}
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			return nil
		}
	}
	s := l.self(o)
	if s.Type() != l.plainType {
		return nil
	}
	vals := *(*map[unistring.String]goja.Value)(unsafe.Add(s.UnsafePointer(), l.objValues))
	v := vals[unistring.String(k)]
	if v == nil || reflect.TypeOf(v) == l.valueProperty {
		return nil
	}
	return v
}

// ArrayElement reads element i of a dense array. ok is false if the caller
// must use [[Get]]: the array is no longer a plain array, the element was
// redefined as an accessor, or there is no fast path. v is nil for a hole.
func ArrayElement(o *goja.Object, i int) (v goja.Value, ok bool) {
	l := get()
	if !l.ok() || !l.fastArray {
		return nil, false
	}
	s := l.self(o)
	if s.Type() != l.arrayType {
		return nil, false
	}
	vals := *(*[]goja.Value)(unsafe.Add(s.UnsafePointer(), l.arrValues))
	if i >= len(vals) {
		return nil, true
	}
	v = vals[i]
	if v != nil && reflect.TypeOf(v) == l.valueProperty {
		return nil, false
	}
	return v, true
}

// TypedArraySlots reads a typed array's internal slots: its type (an index into
// TypedArrayNames), byte offset, length in elements and the identity of its
// viewed buffer (compare with SameImpl). ok is false if o is not a typed
// array or the layout is not available.
func TypedArraySlots(o *goja.Object) (typ uint8, byteOffset, length int64, buf uintptr, ok bool) {
	l := get()
	if !l.ok() || l.kinds[l.selfType(o)] != TypedArray {
		return 0, 0, 0, 0, false
	}
	s := l.self(o).Elem()
	typ, ok = l.taTypes[s.FieldByIndex(l.taImpl).Elem().Type()]
	if !ok {
		return 0, 0, 0, 0, false
	}
	size := int64(1) << [...]uint8{0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3}[typ]
	return typ, intOf(s.FieldByIndex(l.taOffset)) * size, intOf(s.FieldByIndex(l.taLength)), s.FieldByIndex(l.taBuf).Pointer(), true
}

// DataViewSlots reads a DataView's byte offset, byte length and the identity of
// its viewed buffer. ok is false if o is not a DataView or the layout is not
// available.
func DataViewSlots(o *goja.Object) (byteOffset, byteLength int64, buf uintptr, ok bool) {
	l := get()
	if !l.ok() || l.kinds[l.selfType(o)] != DataView {
		return 0, 0, 0, false
	}
	s := l.self(o).Elem()
	return intOf(s.FieldByIndex(l.dvOffset)), intOf(s.FieldByIndex(l.dvLength)), s.FieldByIndex(l.dvBuf).Pointer(), true
}

// SameImpl reports whether buf (from TypedArray or DataView) is o's
// implementation, that is whether o is that view's viewed buffer.
func SameImpl(o *goja.Object, buf uintptr) bool {
	l := get()
	return l.ok() && buf != 0 && l.self(o).Pointer() == buf
}

// DateMsec reads a Date's time value: NaN for an invalid date. ok is false if
// o is not a Date or the layout is not available.
func DateMsec(o *goja.Object) (tv float64, ok bool) {
	l := get()
	if !l.ok() || l.kinds[l.selfType(o)] != Date {
		return 0, false
	}
	ms := intOf(l.field(o, l.dateMsec))
	if ms == math.MinInt64 {
		return math.NaN(), true
	}
	return float64(ms), true
}

// isIndexName reports whether s is a canonical array index.
func isIndexName(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' || len(s) > 10 {
		return false
	}
	if len(s) > 1 && s[0] == '0' {
		return false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	return n < 1<<32-1
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
func (l *layout) self(o *goja.Object) reflect.Value {
	return reflect.ValueOf(o).Elem().Field(l.selfIdx).Elem()
}

func (l *layout) selfType(o *goja.Object) reflect.Type {
	if l.fastSelf {
		return l.fastType(o)
	}
	return l.self(o).Type()
}

// field reads a field of o's implementation struct (read-only).
func (l *layout) field(o *goja.Object, idx []int) reflect.Value {
	return l.self(o).Elem().FieldByIndex(idx)
}

func intOf(v reflect.Value) int64 {
	switch v.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	}
	return v.Int()
}

// StringBytes is the memory a goja string primitive's characters take:
// one byte a unit for goja's ASCII representation (a Go string), two for
// any other (UTF-16). It reads only the dynamic type's kind, so a layout
// change makes it answer two bytes a unit, the larger figure. Any
// goroutine.
func StringBytes(s goja.String) int64 {
	n := int64(s.Length())
	if reflect.TypeOf(s).Kind() == reflect.String {
		return n
	}
	return 2 * n
}
