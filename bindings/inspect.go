package bindings

// A port of Node 20's util.inspect / util.format (lib/internal/util/inspect.js)
// to goja values, written for a sandbox: it never panics, never invokes
// getters, Proxy traps or user toString/valueOf (except where util.format's
// %s/%d/%i/%f directives require it, as in Node), and does bounded work
// whatever the value.
//
// Known deviations from Node 20 (all deliberate or forced by goja):
//   - showHidden, showProxy, sorted, getters, numericSeparator and
//     [util.inspect.custom] are not supported; %o prints like %O with depth 4.
//   - Symbol.toStringTag, name, stack, message and cause are read without
//     calling accessors: an accessor (other than a pristine built-in
//     getter) counts as absent, where Node would call it.
//   - Map/Set iterators and generator objects are printed as plain objects
//     (goja offers no non-consuming preview of their entries).
//   - WeakMap, WeakSet and DataView are recognised only while their
//     prototype chain still contains the original prototype; errors are
//     recognised by goja's internal class, so an object that merely
//     inherits from Error.prototype prints as "Error {}" (Node: "[Error]").
//   - goja error stacks ("\tat f (file:1:2(3))") are re-indented to Node's
//     "    at " form; stacks are capped at 1 MiB.
//   - Objects print at most 1000 properties ("... N more properties");
//     arrays and typed arrays longer than 16384 elements do not list their
//     non-index properties (finding them would mean enumerating every index).
//   - Getter results are never shown ([Getter] only), and the display width
//     of East Asian wide characters is approximated without ICU.
//   - Recursion is capped at 1000 levels even with unlimited depth, and
//     after 131072 objects everything else prints as [Object].
//   - In color mode, stack frames are not highlighted (Node greys out
//     core-module frames and the working directory).
//
// A "pristine" copy of the built-ins the formatter needs (property
// descriptors, Map/Set iteration, brand checks) is captured per runtime on
// first use and cached weakly; see primeInspect.

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"weak"

	"github.com/dop251/goja"
)

// InspectOptions control Inspect. The zero value means Node's defaults
// (depth 2, no colors, breakLength 80). It is plain data: any goroutine may
// build or copy one.
type InspectOptions struct {
	// Depth is how many nesting levels are expanded: 0 means the default
	// 2, a negative value means unlimited (still capped at 1000 levels).
	Depth int
	// Colors adds ANSI colors as in Node's REPL.
	Colors bool
	// BreakLength is the line length beyond which entries are split over
	// several lines; 0 means Node's default of 80.
	BreakLength int
}

const (
	inspMaxArrayLength  = 100
	inspMaxStringLength = 10000
	inspMaxObjectKeys   = 1000
	inspMaxArrayKeysLen = 16384 // arrays longer than this don't list extra keys
	inspMaxRecursion    = 1000
	inspMaxStackLen     = 1 << 20
	inspMaxOps          = 1 << 17 // objects formatted before degrading to [Object]
	inspHoleProbes      = 1024
)

// Inspect formats v like Node's util.inspect(v, opts). It must be called on
// the goroutine that owns vm (the isolate's loop goroutine), typically from
// a native function running inside that runtime. It never panics.
func Inspect(vm *goja.Runtime, v goja.Value, opts InspectOptions) (out string) {
	if vm == nil {
		return ""
	}
	in := newInspector(vm, opts.Colors, opts.Depth, opts.BreakLength)
	defer func() {
		if r := recover(); r != nil {
			out = in.stylize("[Inspection failed]", styleSpecial)
		}
	}()
	return in.formatValue(v, 0, false)
}

// Format formats console.log arguments like Node's util.format: if the first
// argument is a string, the printf-style directives %s %d %i %f %j %o %O %c
// and %% are applied; the remaining arguments are appended separated by
// spaces; strings print raw at the top level, everything else through
// Inspect. It must be called on the goroutine that owns vm (the isolate's
// loop goroutine). It never panics.
func Format(vm *goja.Runtime, args []goja.Value, colors bool) (out string) {
	if vm == nil || len(args) == 0 {
		return ""
	}
	defer func() {
		if r := recover(); r != nil {
			out = "[Format failed]"
		}
	}()
	return formatNodeArgs(vm, args, colors)
}

// primeInspect captures the built-ins Inspect relies on. Calling it from the
// isolate setup, before any user code runs, guarantees Inspect uses the
// original built-ins even if a script later replaces them. Loop goroutine
// only.
func primeInspect(vm *goja.Runtime) {
	defer func() { _ = recover() }()
	loadIntrinsics(vm)
}

// ---------------------------------------------------------------------------
// Intrinsics

const (
	iGOPD = iota
	iObjectProto
	iArrayProto
	iFunctionProto
	iMapProto
	iSetProto
	iWeakMapProto
	iWeakSetProto
	iDataViewProto
	iArrayBufferProto
	iTypedArrayProto
	iAsyncFnProto
	iGenFnProto
	iMapEntries
	iMapIterNext
	iMapSize
	iSetValues
	iSetIterNext
	iSetSize
	iWeakMapHas
	iWeakSetHas
	iSymbolValueOf
	iStringValueOf
	iFunctionToString
	iObjectKeys
	iTypedArrayTag
	iDVByteLength
	iDVByteOffset
	iDVBuffer
	iJSONStringify
	iReSource
	iReHasIndices
	iReGlobal
	iReIgnoreCase
	iReMultiline
	iReDotAll
	iReUnicode
	iReUnicodeSets
	iReSticky
	nIntrinsics
)

// reFlagOrder pairs the RegExp flag getters with their letters, in the
// order RegExp.prototype.flags uses.
var reFlagOrder = [...]struct {
	idx  int
	flag byte
}{
	{iReHasIndices, 'd'}, {iReGlobal, 'g'}, {iReIgnoreCase, 'i'}, {iReMultiline, 'm'},
	{iReDotAll, 's'}, {iReUnicode, 'u'}, {iReUnicodeSets, 'v'}, {iReSticky, 'y'},
}

// inspectCaptureSrc evaluates to the values from which the intrinsics are taken.
// Each is computed in its own try so a tampered global only loses itself.
const inspectCaptureSrc = `(function () {
  var t = function (f) { try { return f(); } catch (e) { return undefined; } };
  var d = function (o, k) { try { var x = Object.getOwnPropertyDescriptor(o, k); return x && (x.get || x.value); } catch (e) { return undefined; } };
  var re = t(function () { return Object.getPrototypeOf(/a/); });
  return [
    t(function () { return Object.getOwnPropertyDescriptor; }),
    t(function () { return Object.getPrototypeOf(async function () {}); }),
    t(function () { return Object.getPrototypeOf(function* () {}); }),
    t(function () { return Map.prototype; }),
    t(function () { return Set.prototype; }),
    t(function () { return WeakMap.prototype; }),
    t(function () { return WeakSet.prototype; }),
    t(function () { return DataView.prototype; }),
    t(function () { return Object.getPrototypeOf(Uint8Array.prototype); }),
    t(function () { return Map.prototype.entries; }),
    t(function () { return Object.getPrototypeOf(new Map().entries()).next; }),
    d(t(function () { return Map.prototype; }), 'size'),
    t(function () { return Set.prototype.values; }),
    t(function () { return Object.getPrototypeOf(new Set().values()).next; }),
    d(t(function () { return Set.prototype; }), 'size'),
    t(function () { return WeakMap.prototype.has; }),
    t(function () { return WeakSet.prototype.has; }),
    t(function () { return Symbol.prototype.valueOf; }),
    t(function () { return String.prototype.valueOf; }),
    t(function () { return Function.prototype.toString; }),
    t(function () { return Object.keys; }),
    d(t(function () { return Object.getPrototypeOf(Uint8Array.prototype); }), Symbol.toStringTag),
    d(t(function () { return DataView.prototype; }), 'byteLength'),
    d(t(function () { return DataView.prototype; }), 'byteOffset'),
    d(t(function () { return DataView.prototype; }), 'buffer'),
    t(function () { return JSON.stringify; }),
    d(re, 'source'), d(re, 'hasIndices'), d(re, 'global'), d(re, 'ignoreCase'),
    d(re, 'multiline'), d(re, 'dotAll'), d(re, 'unicode'), d(re, 'unicodeSets'), d(re, 'sticky')
  ];
})()`

// inspectCaptureOrder maps the elements of inspectCaptureSrc's array to intrinsics.
var inspectCaptureOrder = [...]int{
	iGOPD, iAsyncFnProto, iGenFnProto, iMapProto, iSetProto, iWeakMapProto, iWeakSetProto,
	iDataViewProto, iTypedArrayProto, iMapEntries, iMapIterNext, iMapSize, iSetValues,
	iSetIterNext, iSetSize, iWeakMapHas, iWeakSetHas, iSymbolValueOf, iStringValueOf, iFunctionToString, iObjectKeys, iTypedArrayTag,
	iDVByteLength, iDVByteOffset, iDVBuffer, iJSONStringify, iReSource, iReHasIndices,
	iReGlobal, iReIgnoreCase, iReMultiline, iReDotAll, iReUnicode, iReUnicodeSets, iReSticky,
}

var (
	inspectCaptureProg     *goja.Program
	inspectCaptureProgOnce sync.Once

	// inspectIntrinsicCache maps weak.Pointer[goja.Runtime] to *inspectIntrinsicRefs. The
	// refs are weak too, so the cache never keeps a runtime alive.
	inspectIntrinsicCache sync.Map
)

type inspectIntrinsicRefs struct {
	captured bool
	present  [nIntrinsics]bool // captured non-nil (nil ones, e.g. unsupported RegExp flags, stay nil)
	refs     [nIntrinsics]weak.Pointer[goja.Object]
}

// loadIntrinsics returns the runtime's intrinsics, capturing the missing
// ones (first use, or collected after a script deleted them).
func loadIntrinsics(vm *goja.Runtime) *[nIntrinsics]*goja.Object {
	key := weak.Make(vm)
	var refs *inspectIntrinsicRefs
	if v, ok := inspectIntrinsicCache.Load(key); ok {
		refs = v.(*inspectIntrinsicRefs)
	} else {
		refs = &inspectIntrinsicRefs{}
		if _, loaded := inspectIntrinsicCache.LoadOrStore(key, refs); !loaded {
			runtime.AddCleanup(vm, func(k weak.Pointer[goja.Runtime]) { inspectIntrinsicCache.Delete(k) }, key)
		} else {
			v, _ := inspectIntrinsicCache.Load(key)
			refs = v.(*inspectIntrinsicRefs)
		}
	}
	out := new([nIntrinsics]*goja.Object)
	missing := !refs.captured
	for i := range out {
		if refs.present[i] {
			out[i] = refs.refs[i].Value()
			if out[i] == nil {
				missing = true // collected: a script deleted it
			}
		}
	}
	if !missing {
		return out
	}
	captured := captureIntrinsics(vm)
	// A failed capture (e.g. while the runtime is being interrupted) is
	// retried on the next call.
	refs.captured = captured[iGOPD] != nil
	for i := range out {
		if out[i] == nil && captured[i] != nil {
			out[i] = captured[i]
			refs.refs[i] = weak.Make(captured[i])
			refs.present[i] = true
		}
	}
	return out
}

func captureIntrinsics(vm *goja.Runtime) (out [nIntrinsics]*goja.Object) {
	inspectCaptureProgOnce.Do(func() {
		inspectCaptureProg, _ = goja.Compile("inspect-intrinsics", inspectCaptureSrc, true)
	})
	_ = vm.Try(func() {
		out[iObjectProto] = vm.NewObject().Prototype()
		out[iArrayProto] = vm.NewArray().Prototype()
		if ab, ok := vm.ToValue(vm.NewArrayBuffer(nil)).(*goja.Object); ok {
			out[iArrayBufferProto] = ab.Prototype()
		}
		if f, ok := vm.ToValue(func(goja.FunctionCall) goja.Value { return nil }).(*goja.Object); ok {
			out[iFunctionProto] = f.Prototype()
		}
	})
	if inspectCaptureProg == nil {
		return
	}
	var res goja.Value
	_ = vm.Try(func() {
		res, _ = vm.RunProgram(inspectCaptureProg)
	})
	arr, ok := res.(*goja.Object)
	if !ok {
		return
	}
	_ = vm.Try(func() {
		for i, idx := range inspectCaptureOrder {
			if o, ok := arr.Get(strconv.Itoa(i)).(*goja.Object); ok {
				out[idx] = o
			}
		}
	})
	return
}

// Reflect types of goja's exported values, used to recognise exotic objects
// without touching their properties.
var (
	inspTypeProxy       = reflect.TypeOf(goja.Proxy{})
	inspTypePromise     = reflect.TypeOf((*goja.Promise)(nil))
	inspTypeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	inspTypeTime        = reflect.TypeOf(time.Time{})
	inspTypeBigInt      = reflect.TypeOf((*big.Int)(nil))
	inspTypeCtor        = reflect.TypeOf((func(goja.ConstructorCall) *goja.Object)(nil))
	inspTypeString      = reflect.TypeOf("")
	inspTypeInt64       = reflect.TypeOf(int64(0))
	inspTypeFloat64     = reflect.TypeOf(float64(0))
	inspTypeBool        = reflect.TypeOf(false)

	inspExoticTypesOnce sync.Once
	inspTypeMap         reflect.Type
	inspTypeSet         reflect.Type
	inspTypedArrayTypes map[reflect.Type]bool
)

func inspInitExoticTypes() {
	inspExoticTypesOnce.Do(func() {
		inspTypedArrayTypes = map[reflect.Type]bool{}
		defer func() { _ = recover() }()
		vm := goja.New()
		v, err := vm.RunString(`[new Map(), new Set(), new Uint8Array(0), new Int8Array(0), new Uint16Array(0),
			new Int16Array(0), new Uint32Array(0), new Int32Array(0), new Float32Array(0), new Float64Array(0),
			new BigInt64Array(0), new BigUint64Array(0), new Uint8ClampedArray(0)]`)
		if err != nil {
			return
		}
		arr := v.(*goja.Object)
		inspTypeMap = arr.Get("0").(*goja.Object).ExportType()
		inspTypeSet = arr.Get("1").(*goja.Object).ExportType()
		for i := 2; i < 13; i++ {
			if o, ok := arr.Get(strconv.Itoa(i)).(*goja.Object); ok {
				inspTypedArrayTypes[o.ExportType()] = true
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Styles

type inspStyle int

const (
	styleNone inspStyle = iota
	styleSpecial
	styleNumber
	styleBigInt
	styleBoolean
	styleUndefined
	styleNull
	styleString
	styleSymbol
	styleDate
	styleRegExp
	styleModule
)

var styleCodes = [...][2]int{
	styleSpecial:   {36, 39},
	styleNumber:    {33, 39},
	styleBigInt:    {33, 39},
	styleBoolean:   {33, 39},
	styleUndefined: {90, 39},
	styleNull:      {1, 22},
	styleString:    {32, 39},
	styleSymbol:    {32, 39},
	styleDate:      {35, 39},
	styleRegExp:    {31, 39},
	styleModule:    {4, 24},
}

func stylizeWith(colors bool, s string, st inspStyle) string {
	if !colors || st == styleNone {
		return s
	}
	c := styleCodes[st]
	return "\x1b[" + strconv.Itoa(c[0]) + "m" + s + "\x1b[" + strconv.Itoa(c[1]) + "m"
}

// ---------------------------------------------------------------------------
// Inspector state

const (
	kObjectType = iota
	kArrayType
	kArrayExtrasType
)

type inspCtorName struct {
	name string
	null bool
}

type inspProtoInfo struct {
	ctor     inspCtorName
	tag      string
	tagGet   *goja.Object // pristine built-in tag getter to call on the object
	resolved bool
}

type inspector struct {
	vm           *goja.Runtime
	intr         *[nIntrinsics]*goja.Object
	colors       bool
	depth        int
	breakLength  int
	indentLvl    int
	currentDepth int
	seen         []*goja.Object
	circular     map[*goja.Object]int
	protoCache   map[*goja.Object]*inspProtoInfo
	callables    map[*goja.Object]goja.Callable
	ops          int
	aborted      bool
}

func newInspector(vm *goja.Runtime, colors bool, depth, breakLength int) *inspector {
	inspInitExoticTypes()
	in := &inspector{vm: vm, colors: colors, depth: depth, breakLength: breakLength}
	if in.depth == 0 {
		in.depth = 2
	} else if in.depth < 0 || in.depth > inspMaxRecursion {
		in.depth = inspMaxRecursion
	}
	if in.breakLength <= 0 {
		in.breakLength = 80
	}
	return in
}

func (in *inspector) stylize(s string, st inspStyle) string { return stylizeWith(in.colors, s, st) }

func (in *inspector) intrinsic(i int) *goja.Object {
	if in.intr == nil {
		in.intr = loadIntrinsics(in.vm)
	}
	return in.intr[i]
}

// try runs f, converting JS exceptions into false. Uncatchable errors
// (interrupts) propagate to the recover in Inspect/Format.
func (in *inspector) try(f func()) bool {
	if in.aborted {
		return false
	}
	return in.vm.Try(f) == nil
}

// call calls a built-in (or, for util.format, user) function.
func (in *inspector) call(fn *goja.Object, this goja.Value, args ...goja.Value) (goja.Value, bool) {
	if fn == nil || in.aborted {
		return nil, false
	}
	c, ok := in.callables[fn]
	if !ok {
		c, ok = goja.AssertFunction(fn)
		if !ok {
			return nil, false
		}
		if in.callables == nil {
			in.callables = make(map[*goja.Object]goja.Callable)
		}
		in.callables[fn] = c
	}
	v, err := c(this, args...)
	if err != nil {
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			in.aborted = true // interrupted or otherwise uncatchable
		}
		return nil, false
	}
	return v, true
}

// ---------------------------------------------------------------------------
// Safe property access

type propDescKind int

const (
	descAbsent propDescKind = iota
	descData
	descAccessor
)

type propDesc struct {
	kind       propDescKind
	value      goja.Value
	get, set   *goja.Object
	enumerable bool
}

func isProxyObject(o *goja.Object) bool {
	return o.ExportType() == inspTypeProxy
}

// own returns the own property descriptor of o[key] (key is a string,
// number or symbol value) without invoking accessors. o must not be a
// Proxy.
func (in *inspector) own(o *goja.Object, key goja.Value) propDesc {
	r, ok := in.call(in.intrinsic(iGOPD), goja.Undefined(), o, key)
	if !ok {
		return propDesc{}
	}
	d, ok := r.(*goja.Object)
	if !ok {
		return propDesc{}
	}
	var out propDesc
	in.try(func() {
		if v := d.Get("value"); v != nil {
			out.kind = descData
			out.value = v
		} else {
			out.kind = descAccessor
			out.get, _ = d.Get("get").(*goja.Object)
			out.set, _ = d.Get("set").(*goja.Object)
		}
		if e := d.Get("enumerable"); e != nil {
			out.enumerable = e.ToBoolean()
		}
	})
	return out
}

func (in *inspector) proto(o *goja.Object) (p *goja.Object, ok bool) {
	if isProxyObject(o) {
		return nil, false
	}
	ok = in.try(func() { p = o.Prototype() })
	return
}

// lookup finds key on o or its prototype chain, returning the first
// descriptor found. The walk stops at proxies.
func (in *inspector) lookup(o *goja.Object, key goja.Value) propDesc {
	for i := 0; o != nil && i < 10000; i++ {
		if isProxyObject(o) {
			return propDesc{}
		}
		if d := in.own(o, key); d.kind != descAbsent {
			return d
		}
		var ok bool
		if o, ok = in.proto(o); !ok {
			return propDesc{}
		}
	}
	return propDesc{}
}

// dataValue returns o[key] if it is a data property (own or inherited),
// or nil.
func (in *inspector) dataValue(o *goja.Object, key string) goja.Value {
	d := in.lookup(o, in.vm.ToValue(key))
	if d.kind == descData {
		return d.value
	}
	return nil
}

func (in *inspector) keys(o *goja.Object) (ks []string) {
	in.try(func() { ks = o.Keys() })
	return
}

func (in *inspector) symbols(o *goja.Object) (ss []*goja.Symbol) {
	in.try(func() { ss = o.Symbols() })
	return
}

func (in *inspector) className(o *goja.Object) (c string) {
	in.try(func() { c = o.ClassName() })
	return
}

// hasInProtoChain reports whether p is on o's prototype chain.
func (in *inspector) hasInProtoChain(o, p *goja.Object) bool {
	if p == nil {
		return false
	}
	cur, ok := in.proto(o)
	for i := 0; ok && cur != nil && i < 10000; i++ {
		if cur == p {
			return true
		}
		cur, ok = in.proto(cur)
	}
	return false
}

// ---------------------------------------------------------------------------
// Constructor names and tags

func (in *inspector) wellKnownName(p *goja.Object) string {
	switch p {
	case nil:
		return ""
	case in.intrinsic(iArrayProto):
		return "Array"
	case in.intrinsic(iArrayBufferProto):
		return "ArrayBuffer"
	case in.intrinsic(iFunctionProto):
		return "Function"
	case in.intrinsic(iMapProto):
		return "Map"
	case in.intrinsic(iObjectProto):
		return "Object"
	case in.intrinsic(iSetProto):
		return "Set"
	case in.intrinsic(iTypedArrayProto):
		return "TypedArray"
	}
	return ""
}

// ctorFromDesc returns the constructor name if d is a data property holding
// a named function whose prototype is on the chain of (or is) start.
func (in *inspector) ctorFromDesc(d propDesc, chainOf *goja.Object, orIs *goja.Object) (string, bool) {
	if d.kind != descData {
		return "", false
	}
	fn, ok := d.value.(*goja.Object)
	if !ok || isProxyObject(fn) {
		return "", false
	}
	if _, ok := goja.AssertFunction(fn); !ok {
		return "", false
	}
	nd := in.own(fn, in.vm.ToValue("name"))
	if nd.kind != descData {
		return "", false
	}
	if _, isObj := nd.value.(*goja.Object); isObj {
		return "", false
	}
	name := in.safeString(nd.value)
	if name == "" {
		return "", false
	}
	pd := in.own(fn, in.vm.ToValue("prototype"))
	p, ok := pd.value.(*goja.Object)
	if pd.kind != descData || !ok {
		return "", false
	}
	if p != orIs && !in.hasInProtoChain(chainOf, p) {
		return "", false
	}
	return name, true
}

// constructorName ports getConstructorName: the name of the first
// constructor found on the prototype chain that o is an instance of.
func (in *inspector) constructorName(o *goja.Object, recurseTimes int) inspCtorName {
	if name, ok := in.ctorFromDesc(in.own(o, in.vm.ToValue("constructor")), o, nil); ok {
		return inspCtorName{name: name}
	}
	p, ok := in.proto(o)
	if !ok {
		return inspCtorName{name: "Object"}
	}
	if p == nil {
		return inspCtorName{null: true}
	}
	info := in.inspProtoInfo(p)
	if info.ctor.name != "" {
		return info.ctor
	}
	// No constructor on the chain: "<internal name> <<proto>>".
	res := in.internalName(o)
	if recurseTimes > in.depth {
		return inspCtorName{name: res + " <Complex prototype>"}
	}
	pc := in.constructorName(p, recurseTimes+1)
	if pc.null {
		sub := &inspector{vm: in.vm, intr: in.intr, colors: in.colors, depth: -1, breakLength: in.breakLength,
			protoCache: in.protoCache, callables: in.callables, ops: in.ops}
		sub.depth = -1
		return inspCtorName{name: res + " <" + sub.formatValue(p, 0, false) + ">"}
	}
	return inspCtorName{name: res + " <" + pc.name + ">"}
}

// inspProtoInfo resolves (and caches) the constructor name and inherited tag
// for objects whose first prototype is p.
func (in *inspector) inspProtoInfo(p *goja.Object) *inspProtoInfo {
	if in.protoCache == nil {
		in.protoCache = make(map[*goja.Object]*inspProtoInfo)
	}
	if info, ok := in.protoCache[p]; ok {
		return info
	}
	info := &inspProtoInfo{}
	in.protoCache[p] = info
	// Constructor: the first well-known prototype or "constructor" data
	// property naming a function whose prototype is on the chain.
	for cur, i := p, 0; cur != nil && i < 10000; i++ {
		if isProxyObject(cur) {
			break
		}
		if name := in.wellKnownName(cur); name != "" {
			info.ctor = inspCtorName{name: name}
			break
		}
		if name, ok := in.ctorFromDesc(in.own(cur, in.vm.ToValue("constructor")), p, p); ok {
			info.ctor = inspCtorName{name: name}
			break
		}
		var ok bool
		if cur, ok = in.proto(cur); !ok {
			break
		}
	}
	// Inherited Symbol.toStringTag.
	d := in.lookup(p, goja.SymToStringTag)
	switch d.kind {
	case descData:
		if goja.IsString(d.value) {
			info.tag = d.value.String()
		}
	case descAccessor:
		if d.get != nil && d.get == in.intrinsic(iTypedArrayTag) {
			info.tagGet = d.get
		}
	}
	return info
}

// internalName approximates V8's GetConstructorName.
func (in *inspector) internalName(o *goja.Object) string {
	switch c := in.className(o); c {
	case "", "global":
		return "Object"
	default:
		return c
	}
}

// toStringTag ports the tag logic of formatRaw: the tag is shown only when
// it is a non-empty string that is not an own enumerable property.
func (in *inspector) toStringTag(o *goja.Object) string {
	d := in.own(o, goja.SymToStringTag)
	if d.kind != descAbsent {
		if d.enumerable {
			return ""
		}
		if d.kind == descData && goja.IsString(d.value) {
			return d.value.String()
		}
		return ""
	}
	p, ok := in.proto(o)
	if !ok || p == nil {
		return ""
	}
	info := in.inspProtoInfo(p)
	if info.tagGet != nil {
		if v, ok := in.call(info.tagGet, o); ok && goja.IsString(v) {
			return v.String()
		}
		return ""
	}
	return info.tag
}

func inspPrefix(c inspCtorName, tag, fallback, size string) string {
	if c.null {
		if tag != "" && fallback != tag {
			return "[" + fallback + size + ": null prototype] [" + tag + "] "
		}
		return "[" + fallback + size + ": null prototype] "
	}
	if tag != "" && c.name != tag {
		return c.name + size + " [" + tag + "] "
	}
	return c.name + size + " "
}

func (in *inspector) ctxStyle(o *goja.Object, c inspCtorName, tag string) string {
	fallback := ""
	if c.null {
		fallback = in.internalName(o)
		if fallback == tag {
			fallback = "Object"
		}
	}
	return inspPrefix(c, tag, fallback, "")
}

// ---------------------------------------------------------------------------
// formatValue / formatRaw

func (in *inspector) formatValue(v goja.Value, recurseTimes int, typedArray bool) string {
	o, ok := v.(*goja.Object)
	if !ok {
		return in.formatPrimitive(v, true)
	}
	in.ops++
	if in.ops > inspMaxOps {
		in.depth = -1
	}
	// Never trigger proxy traps: print the target instead.
	for i := 0; isProxyObject(o); i++ {
		var target *goja.Object
		if p, ok := o.Export().(goja.Proxy); ok {
			target = p.Target()
		}
		if target == nil || i > 1000 {
			return in.stylize("<Revoked Proxy>", styleSpecial)
		}
		o = target
	}
	for _, s := range in.seen {
		if s == o {
			if in.circular == nil {
				in.circular = make(map[*goja.Object]int)
			}
			idx, ok := in.circular[o]
			if !ok {
				idx = len(in.circular) + 1
				in.circular[o] = idx
			}
			return in.stylize("[Circular *"+strconv.Itoa(idx)+"]", styleSpecial)
		}
	}
	return in.formatRaw(o, recurseTimes, typedArray)
}

// propEntry is a property to print after the formatter's own output.
type propEntry struct {
	key     goja.Value // string or symbol
	virtual bool       // value precomputed (byteLength & co.)
	value   goja.Value
}

type inspFormatter func(recurseTimes int) []string

func (in *inspector) formatRaw(o *goja.Object, recurseTimes int, typedArray bool) string {
	ctor := in.constructorName(o, recurseTimes)
	tag := in.toStringTag(o)

	var (
		keys       []propEntry
		base       string
		braces     [2]string
		extrasType = kObjectType
		format     inspFormatter
		numericAt  func(i int) bool
	)
	keyEntries := func(ks []string, syms []*goja.Symbol) []propEntry {
		out := make([]propEntry, 0, len(ks)+len(syms))
		lossy := false
		for _, k := range ks {
			if strings.ContainsRune(k, utf8.RuneError) {
				lossy = true
				break
			}
		}
		if lossy {
			// Keys() returned Go strings, which cannot hold lone
			// surrogates: take the real key values from Object.keys.
			want := make(map[string]bool, len(ks))
			for _, k := range ks {
				want[k] = true
			}
			if arr, ok := in.call(in.intrinsic(iObjectKeys), goja.Undefined(), o); ok {
				if ao, ok := arr.(*goja.Object); ok {
					in.try(func() {
						n := ao.Get("length").ToInteger()
						for i := int64(0); i < n; i++ {
							if k := ao.Get(strconv.FormatInt(i, 10)); k != nil && want[k.String()] {
								out = append(out, propEntry{key: k})
							}
						}
					})
				}
			}
			ks = nil
		}
		for _, k := range ks {
			out = append(out, propEntry{key: in.vm.ToValue(k)})
		}
		for _, s := range syms { // Symbols() lists enumerable ones only
			out = append(out, propEntry{key: s})
		}
		return out
	}
	objectKeys := func() []propEntry { return keyEntries(in.keys(o), in.symbols(o)) }

	exportType := o.ExportType()
	class := in.className(o)
	_, callable := goja.AssertFunction(o)

	switch {
	case class == "Array" && !callable:
		length := in.arrayLength(o)
		prefix := ""
		if ctor.null || ctor.name != "Array" || tag != "" {
			prefix = inspPrefix(ctor, tag, "Array", "("+strconv.FormatInt(length, 10)+")")
		}
		var idxKeys []string
		var extra []string
		if length <= inspMaxArrayKeysLen {
			idxKeys, extra = splitIndexKeys(in.keys(o))
		}
		keys = keyEntries(extra, in.symbols(o))
		braces = [2]string{prefix + "[", "]"}
		if length == 0 && len(keys) == 0 {
			return braces[0] + "]"
		}
		extrasType = kArrayExtrasType
		st := &arrayState{in: in, o: o, length: length, idxKeys: idxKeys, haveKeys: length <= inspMaxArrayKeysLen}
		format = st.format
		numericAt = st.numericAt
	case exportType == inspTypeSet && inspTypeSet != nil && !callable:
		size := in.collectionSize(o, iSetSize)
		prefix := inspPrefix(ctor, tag, "Set", "("+strconv.FormatInt(size, 10)+")")
		keys = objectKeys()
		format = func(rt int) []string { return in.formatSet(o, size, rt) }
		if size == 0 && len(keys) == 0 {
			return prefix + "{}"
		}
		braces = [2]string{prefix + "{", "}"}
	case exportType == inspTypeMap && inspTypeMap != nil && !callable:
		size := in.collectionSize(o, iMapSize)
		prefix := inspPrefix(ctor, tag, "Map", "("+strconv.FormatInt(size, 10)+")")
		keys = objectKeys()
		format = func(rt int) []string { return in.formatMap(o, size, rt) }
		if size == 0 && len(keys) == 0 {
			return prefix + "{}"
		}
		braces = [2]string{prefix + "{", "}"}
	case inspTypedArrayTypes[exportType] && class != "Array" && !callable:
		var data any
		in.try(func() { data = o.Export() })
		length := 0
		if rv := reflect.ValueOf(data); rv.Kind() == reflect.Slice {
			length = rv.Len()
		}
		fallback := ""
		if ctor.null {
			if v, ok := in.call(in.intrinsic(iTypedArrayTag), o); ok && goja.IsString(v) {
				fallback = v.String()
			}
		}
		prefix := inspPrefix(ctor, tag, fallback, "("+strconv.Itoa(length)+")")
		if length <= inspMaxArrayKeysLen {
			_, extra := splitIndexKeys(in.keys(o))
			keys = keyEntries(extra, in.symbols(o))
		}
		braces = [2]string{prefix + "[", "]"}
		if length == 0 && len(keys) == 0 {
			return braces[0] + "]"
		}
		format = func(int) []string { return in.formatTypedArray(data, length) }
		numericAt = func(i int) bool { return i < length }
		extrasType = kArrayExtrasType
	default:
		keys = objectKeys()
		braces = [2]string{"{", "}"}
		switch {
		case callable:
			base = in.functionBase(o, ctor, tag)
			if len(keys) == 0 {
				return in.stylize(base, styleSpecial)
			}
		case !ctor.null && ctor.name == "Object":
			if class == "Arguments" {
				braces[0] = "[Arguments] {"
			} else if tag != "" {
				braces[0] = inspPrefix(ctor, tag, "Object", "") + "{"
			}
			if len(keys) == 0 {
				return braces[0] + "}"
			}
		case class == "RegExp":
			base = in.regExpString(o)
			if prefix := inspPrefix(ctor, tag, "RegExp", ""); prefix != "RegExp " {
				base = prefix + base
			}
			if len(keys) == 0 || recurseTimes > in.depth {
				return in.stylize(base, styleRegExp)
			}
		case class == "Date" && exportType == inspTypeTime:
			base = in.dateString(o)
			if prefix := inspPrefix(ctor, tag, "Date", ""); prefix != "Date " {
				base = prefix + base
			}
			if len(keys) == 0 {
				return in.stylize(base, styleDate)
			}
		case class == "Error":
			var extra []propEntry
			base, extra = in.formatError(o, ctor, tag, &keys)
			keys = append(keys, extra...)
			if len(keys) == 0 {
				return base
			}
		case exportType == inspTypeArrayBuffer:
			prefix := inspPrefix(ctor, tag, "ArrayBuffer", "")
			var ab goja.ArrayBuffer
			in.try(func() { ab, _ = o.Export().(goja.ArrayBuffer) })
			if typedArray {
				if len(keys) == 0 {
					return prefix + "{ byteLength: " + in.formatNumber(float64(len(ab.Bytes())), false) + " }"
				}
			} else {
				format = func(int) []string { return in.formatArrayBuffer(ab) }
			}
			braces[0] = prefix + "{"
			keys = append([]propEntry{{key: in.vm.ToValue("byteLength"), virtual: true, value: in.vm.ToValue(len(ab.Bytes()))}}, keys...)
		case in.isDataView(o):
			braces[0] = inspPrefix(ctor, tag, "DataView", "") + "{"
			var pre []propEntry
			for _, k := range [...]struct {
				name string
				idx  int
			}{{"byteLength", iDVByteLength}, {"byteOffset", iDVByteOffset}, {"buffer", iDVBuffer}} {
				v, _ := in.call(in.intrinsic(k.idx), o)
				if v == nil {
					v = goja.Undefined()
				}
				pre = append(pre, propEntry{key: in.vm.ToValue(k.name), virtual: true, value: v})
			}
			keys = append(pre, keys...)
		case exportType == inspTypePromise:
			braces[0] = inspPrefix(ctor, tag, "Promise", "") + "{"
			format = func(rt int) []string { return in.formatPromise(o, rt) }
		case in.isBranded(o, iWeakSetProto, iWeakSetHas):
			braces[0] = inspPrefix(ctor, tag, "WeakSet", "") + "{"
			format = func(int) []string { return []string{in.stylize("<items unknown>", styleSpecial)} }
		case in.isBranded(o, iWeakMapProto, iWeakMapHas):
			braces[0] = inspPrefix(ctor, tag, "WeakMap", "") + "{"
			format = func(int) []string { return []string{in.stylize("<items unknown>", styleSpecial)} }
		default:
			if b, ok := in.boxedBase(o, class, exportType, ctor, tag, &keys); ok {
				base = b
				if len(keys) == 0 {
					return base
				}
				break
			}
			if len(keys) == 0 {
				return in.ctxStyle(o, ctor, tag) + "{}"
			}
			braces[0] = in.ctxStyle(o, ctor, tag) + "{"
		}
	}

	if recurseTimes > in.depth {
		name := strings.TrimSuffix(in.ctxStyle(o, ctor, tag), " ")
		if !ctor.null {
			name = "[" + name + "]"
		}
		return in.stylize(name, styleSpecial)
	}
	recurseTimes++
	in.seen = append(in.seen, o)
	in.currentDepth = recurseTimes
	var output []string
	if format != nil {
		output = format(recurseTimes)
	}
	limit := len(keys)
	if extrasType == kObjectType && limit > inspMaxObjectKeys {
		limit = inspMaxObjectKeys
	}
	for _, k := range keys[:limit] {
		output = append(output, in.formatProperty(o, recurseTimes, k, extrasType))
	}
	if limit < len(keys) {
		n := len(keys) - limit
		output = append(output, "... "+strconv.Itoa(n)+" more propert"+pluralSuffix(n, "y", "ies"))
	}
	if idx, ok := in.circular[o]; ok {
		ref := in.stylize("<ref *"+strconv.Itoa(idx)+">", styleSpecial)
		if base == "" {
			base = ref
		} else {
			base = ref + " " + base
		}
	}
	in.seen = in.seen[:len(in.seen)-1]
	return in.reduceToSingleString(output, base, braces, extrasType, recurseTimes, numericAt)
}

func pluralSuffix(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isIndexKey reports whether k is a canonical array index.
func isIndexKey(k string) bool {
	if k == "" || len(k) > 10 {
		return false
	}
	if k[0] == '0' {
		return k == "0"
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}

func splitIndexKeys(ks []string) (idx, extra []string) {
	for i, k := range ks {
		if !isIndexKey(k) {
			if idx == nil {
				idx = ks[:i]
			}
			extra = append(extra, k)
		}
	}
	if idx == nil {
		idx = ks
	}
	return
}

func (in *inspector) arrayLength(o *goja.Object) int64 {
	var n int64
	in.try(func() {
		if v := o.Get("length"); v != nil {
			n = v.ToInteger()
		}
	})
	if n < 0 {
		n = 0
	}
	return n
}

func (in *inspector) collectionSize(o *goja.Object, getter int) int64 {
	v, ok := in.call(in.intrinsic(getter), o)
	if !ok {
		return 0
	}
	return v.ToInteger()
}

func (in *inspector) isBranded(o *goja.Object, protoIdx, hasIdx int) bool {
	p := in.intrinsic(protoIdx)
	if p == nil || !in.hasInProtoChain(o, p) {
		return false
	}
	_, ok := in.call(in.intrinsic(hasIdx), o, in.vm.NewObject())
	return ok
}

func (in *inspector) isDataView(o *goja.Object) bool {
	p := in.intrinsic(iDataViewProto)
	if p == nil || !in.hasInProtoChain(o, p) {
		return false
	}
	_, ok := in.call(in.intrinsic(iDVByteLength), o)
	return ok
}

// ---------------------------------------------------------------------------
// Arrays

type arrayState struct {
	in       *inspector
	o        *goja.Object
	length   int64
	idxKeys  []string // sorted own enumerable index keys, when known
	haveKeys bool
	numeric  map[int64]bool
}

func (st *arrayState) key(i int64) goja.Value {
	return st.in.vm.ToValue(strconv.FormatInt(i, 10))
}

// nextIndex returns the first own index >= from, or -1.
func (st *arrayState) nextIndex(from int64) int64 {
	if !st.haveKeys {
		for i := from; i < st.length && i < from+inspHoleProbes; i++ {
			if st.in.own(st.o, st.key(i)).kind != descAbsent {
				return i
			}
		}
		if from+inspHoleProbes >= st.length {
			return -1
		}
		st.idxKeys, _ = splitIndexKeys(st.in.keys(st.o))
		st.haveKeys = true
	}
	j := sort.Search(len(st.idxKeys), func(j int) bool {
		n, _ := strconv.ParseInt(st.idxKeys[j], 10, 64)
		return n >= from
	})
	if j == len(st.idxKeys) {
		return -1
	}
	n, _ := strconv.ParseInt(st.idxKeys[j], 10, 64)
	return n
}

func (st *arrayState) element(i int64, recurseTimes int) (string, bool) {
	d := st.in.own(st.o, st.key(i))
	if d.kind == descAbsent {
		return "", false
	}
	if st.numeric == nil {
		st.numeric = map[int64]bool{}
	}
	st.numeric[i] = d.kind == descData && (goja.IsNumber(d.value) || goja.IsBigInt(d.value))
	return st.in.formatPropValue(d, recurseTimes, kArrayType), true
}

func (st *arrayState) format(recurseTimes int) []string {
	maxLen := min(int64(inspMaxArrayLength), st.length)
	output := make([]string, 0, maxLen+1)
	var i int64
	for ; i < maxLen; i++ {
		s, ok := st.element(i, recurseTimes)
		if !ok {
			return st.formatSpecial(recurseTimes, int(maxLen), output, i)
		}
		output = append(output, s)
	}
	if rem := st.length - maxLen; rem > 0 {
		output = append(output, moreItemsText(rem))
	}
	return output
}

// formatSpecial ports formatSpecialArray: the array has holes.
func (st *arrayState) formatSpecial(recurseTimes, maxLen int, output []string, index int64) []string {
	in := st.in
	for len(output) < maxLen {
		next := st.nextIndex(index)
		if next < 0 || next >= st.length {
			break
		}
		if next != index {
			n := next - index
			output = append(output, in.stylize("<"+strconv.FormatInt(n, 10)+" empty item"+pluralSuffix(int(min(n, 2)), "", "s")+">", styleUndefined))
			index = next
			if len(output) == maxLen {
				break
			}
		}
		s, ok := st.element(index, recurseTimes)
		if !ok {
			s = in.stylize("undefined", styleUndefined)
		}
		output = append(output, s)
		index++
	}
	remaining := st.length - index
	if len(output) != maxLen {
		if remaining > 0 {
			output = append(output, in.stylize("<"+strconv.FormatInt(remaining, 10)+" empty item"+pluralSuffix(int(min(remaining, 2)), "", "s")+">", styleUndefined))
		}
	} else if remaining > 0 {
		output = append(output, moreItemsText(remaining))
	}
	return output
}

// numericAt reports whether value[i] is a number or bigint (for the
// alignment decision of groupArrayElements).
func (st *arrayState) numericAt(i int) bool {
	if n, ok := st.numeric[int64(i)]; ok {
		return n
	}
	if int64(i) >= st.length {
		return false
	}
	d := st.in.own(st.o, st.key(int64(i)))
	return d.kind == descData && (goja.IsNumber(d.value) || goja.IsBigInt(d.value))
}

func moreItemsText(n int64) string {
	return "... " + strconv.FormatInt(n, 10) + " more item" + pluralSuffix(int(min(n, 2)), "", "s")
}

func (in *inspector) formatTypedArray(data any, length int) []string {
	maxLen := min(inspMaxArrayLength, length)
	output := make([]string, 0, maxLen+1)
	rv := reflect.ValueOf(data)
	for i := 0; i < maxLen; i++ {
		e := rv.Index(i)
		switch e.Kind() {
		case reflect.Float32, reflect.Float64:
			output = append(output, in.formatNumber(e.Float(), false))
		case reflect.Int8, reflect.Int16, reflect.Int32:
			output = append(output, in.stylize(strconv.FormatInt(e.Int(), 10), styleNumber))
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
			output = append(output, in.stylize(strconv.FormatUint(e.Uint(), 10), styleNumber))
		case reflect.Int64:
			output = append(output, in.stylize(strconv.FormatInt(e.Int(), 10)+"n", styleBigInt))
		case reflect.Uint64:
			output = append(output, in.stylize(strconv.FormatUint(e.Uint(), 10)+"n", styleBigInt))
		}
	}
	if length > maxLen {
		output = append(output, moreItemsText(int64(length-maxLen)))
	}
	return output
}

func (in *inspector) formatArrayBuffer(ab goja.ArrayBuffer) []string {
	if ab.Detached() {
		return []string{in.stylize("(detached)", styleSpecial)}
	}
	b := ab.Bytes()
	n := min(inspMaxArrayLength, len(b))
	var sb strings.Builder
	const hexdigits = "0123456789abcdef"
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(hexdigits[b[i]>>4])
		sb.WriteByte(hexdigits[b[i]&15])
	}
	if rem := len(b) - inspMaxArrayLength; rem > 0 {
		sb.WriteString(" ... " + strconv.Itoa(rem) + " more byte" + pluralSuffix(rem, "", "s"))
	}
	return []string{in.stylize("[Uint8Contents]", styleSpecial) + ": <" + sb.String() + ">"}
}

// ---------------------------------------------------------------------------
// Map, Set, Promise

// iterate calls fn for up to limit values of the built-in iterator
// returned by start.call(o).
func (in *inspector) iterate(o *goja.Object, start, next int, limit int64, fn func(v goja.Value)) {
	it, ok := in.call(in.intrinsic(start), o)
	if !ok {
		return
	}
	nextFn := in.intrinsic(next)
	for i := int64(0); i < limit; i++ {
		r, ok := in.call(nextFn, it)
		if !ok {
			return
		}
		ro, ok := r.(*goja.Object)
		if !ok {
			return
		}
		var done bool
		var val goja.Value
		in.try(func() {
			done = ro.Get("done").ToBoolean()
			val = ro.Get("value")
		})
		if done || val == nil {
			return
		}
		fn(val)
	}
}

func (in *inspector) formatSet(o *goja.Object, size int64, recurseTimes int) []string {
	maxLen := min(int64(inspMaxArrayLength), size)
	var output []string
	in.indentLvl += 2
	in.iterate(o, iSetValues, iSetIterNext, maxLen, func(v goja.Value) {
		output = append(output, in.formatValue(v, recurseTimes, false))
	})
	if rem := size - maxLen; rem > 0 {
		output = append(output, moreItemsText(rem))
	}
	in.indentLvl -= 2
	return output
}

func (in *inspector) formatMap(o *goja.Object, size int64, recurseTimes int) []string {
	maxLen := min(int64(inspMaxArrayLength), size)
	var output []string
	in.indentLvl += 2
	in.iterate(o, iMapEntries, iMapIterNext, maxLen, func(v goja.Value) {
		e, ok := v.(*goja.Object)
		if !ok {
			return
		}
		var k, val goja.Value
		in.try(func() {
			k = e.Get("0")
			val = e.Get("1")
		})
		output = append(output, in.formatValue(k, recurseTimes, false)+" => "+in.formatValue(val, recurseTimes, false))
	})
	if rem := size - maxLen; rem > 0 {
		output = append(output, moreItemsText(rem))
	}
	in.indentLvl -= 2
	return output
}

func (in *inspector) formatPromise(o *goja.Object, recurseTimes int) []string {
	var p *goja.Promise
	in.try(func() { p, _ = o.Export().(*goja.Promise) })
	if p == nil || p.State() == goja.PromiseStatePending {
		return []string{in.stylize("<pending>", styleSpecial)}
	}
	in.indentLvl += 2
	s := in.formatValue(p.Result(), recurseTimes, false)
	in.indentLvl -= 2
	if p.State() == goja.PromiseStateRejected {
		return []string{in.stylize("<rejected>", styleSpecial) + " " + s}
	}
	return []string{s}
}

// ---------------------------------------------------------------------------
// Functions, RegExps, Dates, boxed primitives

func (in *inspector) functionBase(o *goja.Object, ctor inspCtorName, tag string) string {
	if o.ExportType() == inspTypeCtor {
		return in.classBase(o, ctor, tag)
	}
	typ := "Function"
	p, _ := in.proto(o)
	if p != nil {
		switch p {
		case in.intrinsic(iGenFnProto):
			typ = "GeneratorFunction"
		case in.intrinsic(iAsyncFnProto):
			typ = "AsyncFunction"
		}
	}
	base := "[" + typ
	if ctor.null {
		base += " (null prototype)"
	}
	nd := in.own(o, in.vm.ToValue("name"))
	var name goja.Value = goja.Undefined()
	if nd.kind == descData {
		name = nd.value
	} else if nd.kind == descAbsent {
		name = in.vm.ToValue("")
	}
	if goja.IsString(name) && name.String() == "" {
		base += " (anonymous)"
	} else if goja.IsString(name) {
		base += ": " + name.String()
	} else {
		base += ": " + in.formatValue(name, 0, false)
	}
	base += "]"
	if !ctor.null && ctor.name != typ {
		base += " " + ctor.name
	}
	if tag != "" && (ctor.null || ctor.name != tag) {
		base += " [" + tag + "]"
	}
	return base
}

func (in *inspector) classBase(o *goja.Object, ctor inspCtorName, tag string) string {
	name := ""
	if nd := in.own(o, in.vm.ToValue("name")); nd.kind == descData && nd.value.ToBoolean() {
		if _, isObj := nd.value.(*goja.Object); !isObj {
			if s, ok := nd.value.(*goja.Symbol); ok {
				name = "Symbol(" + s.String() + ")"
			} else {
				name = nd.value.String()
			}
		}
	}
	if name == "" {
		name = "(anonymous)"
	}
	base := "class " + name
	if !ctor.null && ctor.name != "Function" {
		base += " [" + ctor.name + "]"
	}
	if tag != "" && (ctor.null || ctor.name != tag) {
		base += " [" + tag + "]"
	}
	if !ctor.null {
		if p, ok := in.proto(o); ok && p != nil {
			if sn := in.dataValue(p, "name"); sn != nil && goja.IsString(sn) && sn.String() != "" {
				base += " extends " + sn.String()
			}
		}
	} else {
		base += " extends [null prototype]"
	}
	return "[" + base + "]"
}

func (in *inspector) regExpString(o *goja.Object) string {
	src := "(?:)"
	if v, ok := in.call(in.intrinsic(iReSource), o); ok && v != nil {
		src = v.String()
	}
	var flags []byte
	for _, f := range reFlagOrder {
		if fn := in.intrinsic(f.idx); fn != nil {
			if v, ok := in.call(fn, o); ok && v != nil && v.ToBoolean() {
				flags = append(flags, f.flag)
			}
		}
	}
	return "/" + src + "/" + string(flags)
}

func (in *inspector) dateString(o *goja.Object) string {
	var t time.Time
	var valid bool
	in.try(func() { t, valid = o.Export().(time.Time) })
	if !valid {
		return "Invalid Date"
	}
	return dateISOString(t)
}

// dateISOString formats t like Date.prototype.toISOString.
func dateISOString(t time.Time) string {
	t = t.UTC()
	y := t.Year()
	var ys string
	switch {
	case y >= 0 && y <= 9999:
		ys = padInt(y, 4)
	case y < 0:
		ys = "-" + padInt(-y, 6)
	default:
		ys = "+" + padInt(y, 6)
	}
	return ys + "-" + padInt(int(t.Month()), 2) + "-" + padInt(t.Day(), 2) + "T" + padInt(t.Hour(), 2) + ":" +
		padInt(t.Minute(), 2) + ":" + padInt(t.Second(), 2) + "." + padInt(t.Nanosecond()/1e6, 3) + "Z"
}

func padInt(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// boxedBase ports getBoxedBase for Number, String, Boolean, Symbol and
// BigInt wrapper objects.
func (in *inspector) boxedBase(o *goja.Object, class string, et reflect.Type, ctor inspCtorName, tag string, keys *[]propEntry) (string, bool) {
	var typ string
	var prim goja.Value
	switch {
	case class == "Number" && (et == inspTypeInt64 || et == inspTypeFloat64):
		typ = "Number"
		in.try(func() {
			switch x := o.Export().(type) {
			case int64:
				prim = in.vm.ToValue(x)
			case float64:
				prim = in.vm.ToValue(x)
			}
		})
	case class == "String":
		if v, ok := in.call(in.intrinsic(iStringValueOf), o); ok && goja.IsString(v) {
			typ = "String"
			prim = v
		}
		if s, ok := prim.(goja.String); ok {
			n := s.Length()
			kept := (*keys)[:0:0]
			for _, k := range *keys {
				if ks, ok := k.key.(goja.String); ok && isIndexKey(ks.String()) {
					if i, _ := strconv.Atoi(ks.String()); i < n {
						continue
					}
				}
				kept = append(kept, k)
			}
			*keys = kept
		}
	case class == "Boolean" && et == inspTypeBool:
		typ = "Boolean"
		in.try(func() { prim = in.vm.ToValue(o.Export()) })
	case class == "Object" && et == inspTypeBigInt:
		typ = "BigInt"
		in.try(func() {
			if b, ok := o.Export().(*big.Int); ok {
				prim = in.vm.ToValue(b)
			}
		})
	case class == "Object" && et == inspTypeString:
		if v, ok := in.call(in.intrinsic(iSymbolValueOf), o); ok {
			if _, isSym := v.(*goja.Symbol); isSym {
				typ = "Symbol"
				prim = v
			}
		}
	}
	if typ == "" || prim == nil {
		return "", false
	}
	base := "[" + typ
	if ctor.null {
		base += " (null prototype)"
	} else if ctor.name != typ {
		base += " (" + ctor.name + ")"
	}
	plain := &inspector{vm: in.vm, depth: in.depth, breakLength: in.breakLength, indentLvl: in.indentLvl}
	base += ": " + plain.formatPrimitive(prim, true) + "]"
	if tag != "" && (ctor.null || tag != ctor.name) {
		base += " [" + tag + "]"
	}
	if len(*keys) != 0 || !in.colors {
		return base, true
	}
	st := map[string]inspStyle{"Number": styleNumber, "String": styleString, "Boolean": styleBoolean, "BigInt": styleBigInt, "Symbol": styleSymbol}[typ]
	return in.stylize(base, st), true
}

// ---------------------------------------------------------------------------
// Errors

func (in *inspector) stackString(o *goja.Object) (string, bool) {
	if v := in.dataValue(o, "stack"); v != nil && v.ToBoolean() {
		if goja.IsString(v) {
			s := v.String()
			if len(s) > inspMaxStackLen {
				s = s[:inspMaxStackLen] + "... " + strconv.Itoa(len(s)-inspMaxStackLen) + " more bytes"
			}
			return normalizeStack(s), true
		}
		return in.formatValue(v, 0, false), true
	}
	return in.errorToString(o), false
}

// normalizeStack turns goja's "\tat frame" lines into Node's "    at frame".
func normalizeStack(s string) string {
	if !strings.Contains(s, "\n\tat ") {
		return s
	}
	s = strings.ReplaceAll(s, "\n\tat ", "\n    at ")
	return strings.TrimRight(s, "\n")
}

func (in *inspector) errorToString(o *goja.Object) string {
	name, msg := "Error", ""
	if v := in.dataValue(o, "name"); v != nil && !goja.IsUndefined(v) {
		name = in.safeString(v)
	}
	if v := in.dataValue(o, "message"); v != nil && !goja.IsUndefined(v) {
		msg = in.safeString(v)
	}
	switch {
	case name == "":
		return msg
	case msg == "":
		return name
	}
	return name + ": " + msg
}

// safeString converts a primitive to a string; objects become "[object]".
func (in *inspector) safeString(v goja.Value) string {
	switch x := v.(type) {
	case *goja.Object:
		return "[object " + in.internalName(x) + "]"
	case *goja.Symbol:
		return "Symbol(" + x.String() + ")"
	}
	return v.String()
}

func (in *inspector) formatError(o *goja.Object, ctor inspCtorName, tag string, keys *[]propEntry) (string, []propEntry) {
	name := "Error"
	nameV := in.dataValue(o, "name")
	if nameV != nil && !goja.IsUndefined(nameV) && !goja.IsNull(nameV) {
		name = in.safeString(nameV)
	}
	stack, _ := in.stackString(o)

	// removeDuplicateErrorKeys
	kept := (*keys)[:0:0]
	for _, k := range *keys {
		if ks, ok := k.key.(goja.String); ok {
			switch n := ks.String(); n {
			case "name", "message", "stack":
				v := in.dataValue(o, n)
				if v == nil || !goja.IsString(v) || strings.Contains(stack, v.String()) {
					continue
				}
			}
		}
		kept = append(kept, k)
	}
	*keys = kept
	var extra []propEntry
	hasKey := func(name string) bool {
		for _, k := range *keys {
			if ks, ok := k.key.(goja.String); ok && ks.String() == name {
				return true
			}
		}
		return false
	}
	causeD := in.lookup(o, in.vm.ToValue("cause"))
	if causeD.kind != descAbsent && !hasKey("cause") {
		extra = append(extra, propEntry{key: in.vm.ToValue("cause")})
	}
	if ev := in.dataValue(o, "errors"); ev != nil && !hasKey("errors") {
		if eo, ok := ev.(*goja.Object); ok && !isProxyObject(eo) && in.className(eo) == "Array" {
			extra = append(extra, propEntry{key: in.vm.ToValue("errors")})
		}
	}

	stack = in.improveStack(stack, ctor, name, tag)

	// Ignore the error message if it's contained in the stack.
	pos := -1
	if mv := in.dataValue(o, "message"); mv != nil && mv.ToBoolean() {
		m := in.safeString(mv)
		if p := strings.Index(stack, m); p > 0 { // Node: (msg && indexOf(msg)) || -1
			pos = p + len(m)
		}
	}
	from := max(pos, 0)
	stackStart := -1
	if i := strings.Index(stack[from:], "\n    at"); i >= 0 {
		stackStart = from + i
	}
	if stackStart == -1 {
		stack = "[" + stack + "]"
	} else {
		newStack := stack[:stackStart]
		lines := in.stackFrames(o, stack[stackStart+1:], causeD)
		if in.colors {
			for _, line := range lines {
				newStack += "\n" + line
			}
		} else {
			newStack += "\n" + strings.Join(lines, "\n")
		}
		stack = newStack
	}
	if in.indentLvl != 0 {
		stack = strings.ReplaceAll(stack, "\n", "\n"+strings.Repeat(" ", in.indentLvl))
	}
	return stack, extra
}

func (in *inspector) stackFrames(o *goja.Object, stack string, causeD propDesc) []string {
	frames := strings.Split(stack, "\n")
	if causeD.kind != descData {
		return frames
	}
	cause, ok := causeD.value.(*goja.Object)
	if !ok || isProxyObject(cause) || in.className(cause) != "Error" {
		return frames
	}
	causeStack, _ := in.stackString(cause)
	i := strings.Index(causeStack, "\n    at")
	if i == -1 {
		return frames
	}
	causeFrames := strings.Split(causeStack[i+1:], "\n")
	length, offset := identicalFrameRange(frames, causeFrames)
	if length > 0 {
		skipped := length - 2
		msg := in.stylize("    ... "+strconv.Itoa(skipped)+" lines matching cause stack trace ...", styleUndefined)
		out := append([]string{}, frames[:offset+1]...)
		out = append(out, msg)
		frames = append(out, frames[offset+1+skipped:]...)
	}
	return frames
}

func identicalFrameRange(a, b []string) (int, int) {
	for i := 0; i < len(a)-3; i++ {
		pos := -1
		for j, s := range b {
			if s == a[i] {
				pos = j
				break
			}
		}
		if pos != -1 {
			rest := len(b) - pos
			if rest > 3 {
				n := 1
				maxLen := min(len(a)-i, rest)
				for maxLen > n && a[i+n] == b[pos+n] {
					n++
				}
				if n > 3 {
					return n, i
				}
			}
		}
	}
	return 0, 0
}

func (in *inspector) improveStack(stack string, ctor inspCtorName, name, tag string) string {
	n := len(name)
	if ctor.null || (strings.HasSuffix(name, "Error") && strings.HasPrefix(stack, name) &&
		(len(stack) == n || stack[n] == ':' || stack[n] == '\n')) {
		fallback := "Error"
		if ctor.null {
			fallback = errorNameFromStack(stack)
			n = len(fallback)
			if fallback == "" {
				fallback = "Error"
			}
		}
		prefix := strings.TrimSuffix(inspPrefix(ctor, tag, fallback, ""), " ")
		if name != prefix {
			if strings.Contains(prefix, name) {
				if n == 0 {
					stack = prefix + ": " + stack
				} else {
					stack = prefix + stack[n:]
				}
			} else {
				stack = prefix + " [" + name + "]" + stack[n:]
			}
		}
	}
	return stack
}

// errorNameFromStack ports the two regexps improveStack uses for errors
// with a null prototype.
func errorNameFromStack(stack string) string {
	isNameChar := func(c byte, first bool) bool {
		if first {
			return c >= 'A' && c <= 'Z'
		}
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_ []()-", c) >= 0
	}
	if len(stack) > 0 && isNameChar(stack[0], true) {
		// /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/ (greedy, with backtracking)
		end := 1
		for end < len(stack) && isNameChar(stack[end], false) {
			end++
		}
		for e := end; e >= 2; e-- {
			rest := stack[e:]
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "\n    at") {
				return stack[:e]
			}
		}
	}
	// /^([a-z_A-Z0-9-]*Error)$/
	if strings.HasSuffix(stack, "Error") {
		ok := true
		for i := 0; i < len(stack); i++ {
			c := stack[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				ok = false
				break
			}
		}
		if ok {
			return stack
		}
	}
	return ""
}

// ---------------------------------------------------------------------------
// Properties

func (in *inspector) formatPropValue(d propDesc, recurseTimes, typ int) string {
	switch {
	case d.kind == descData && !goja.IsUndefined(d.value):
		in.indentLvl += 2
		s := in.formatValue(d.value, recurseTimes, false)
		in.indentLvl -= 2
		return s
	case d.kind == descAccessor && d.get != nil:
		if d.set != nil {
			return in.stylize("[Getter/Setter]", styleSpecial)
		}
		return in.stylize("[Getter]", styleSpecial)
	case d.kind == descAccessor && d.set != nil:
		return in.stylize("[Setter]", styleSpecial)
	}
	return in.stylize("undefined", styleUndefined)
}

func (in *inspector) formatProperty(o *goja.Object, recurseTimes int, k propEntry, typ int) string {
	var d propDesc
	if k.virtual {
		d = propDesc{kind: descData, value: k.value, enumerable: true}
	} else {
		d = in.own(o, k.key)
		if d.kind == descAbsent {
			// Inherited (error cause): only data values are shown.
			d = in.lookup(o, k.key)
			d.enumerable = true
			if d.kind == descAbsent {
				d = propDesc{kind: descData, value: goja.Undefined(), enumerable: true}
			}
		}
	}
	str := in.formatPropValue(d, recurseTimes, typ)
	if typ == kArrayType {
		return str
	}
	var name string
	if sym, ok := k.key.(*goja.Symbol); ok {
		name = "[" + in.stylize(escapeKeyText("Symbol("+sym.String()+")"), styleSymbol) + "]"
	} else {
		ks := k.key.String()
		switch {
		case ks == "__proto__":
			name = "['__proto__']"
		case !d.enumerable:
			name = "[" + escapeKeyText(ks) + "]"
		case isPlainKey(ks):
			name = ks
		default:
			name = in.stylize(strEscape(utf16Of(k.key)), styleString)
		}
	}
	return name + ": " + str
}

func isPlainKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Line breaking

func (in *inspector) isBelowBreakLength(output []string, start int, base string) bool {
	total := len(output) + start
	if total+len(output) > in.breakLength {
		return false
	}
	for _, s := range output {
		if !in.colors && len(s)/3 > in.breakLength {
			return false // a UTF-16 unit takes at most 3 bytes
		}
		if in.colors {
			total += jsLength(stripSGR(s))
		} else {
			total += jsLength(s)
		}
		if total > in.breakLength {
			return false
		}
	}
	return base == "" || !strings.Contains(base, "\n")
}

const inspCompact = 3

func (in *inspector) reduceToSingleString(output []string, base string, braces [2]string, extrasType, recurseTimes int, numericAt func(int) bool) string {
	entries := len(output)
	if extrasType == kArrayExtrasType && entries > 6 {
		output = in.groupArrayElements(output, numericAt)
	}
	if in.currentDepth-recurseTimes < inspCompact && entries == len(output) {
		start := len(output) + in.indentLvl + jsLength(braces[0]) + jsLength(base) + 10
		if in.isBelowBreakLength(output, start, base) {
			joined := strings.Join(output, ", ")
			if !strings.Contains(joined, "\n") {
				if base != "" {
					base += " "
				}
				return base + braces[0] + " " + joined + " " + braces[1]
			}
		}
	}
	// Line up each entry on an individual line (one allocation: nested
	// output can be large).
	indentation := "\n" + strings.Repeat(" ", in.indentLvl)
	n := len(base) + 1 + len(braces[0]) + len(braces[1]) + (len(indentation)+3)*(len(output)+1)
	for _, s := range output {
		n += len(s)
	}
	var sb strings.Builder
	sb.Grow(n)
	if base != "" {
		sb.WriteString(base)
		sb.WriteByte(' ')
	}
	sb.WriteString(braces[0])
	for i, s := range output {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(indentation)
		sb.WriteString("  ")
		sb.WriteString(s)
	}
	sb.WriteString(indentation)
	sb.WriteString(braces[1])
	return sb.String()
}

func (in *inspector) groupArrayElements(output []string, numericAt func(int) bool) []string {
	totalLength := 0
	maxLength := 0
	outputLength := len(output)
	if inspMaxArrayLength < len(output) {
		outputLength--
	}
	const separatorSpace = 2
	dataLen := make([]int, outputLength)
	for i := 0; i < outputLength; i++ {
		l := termStringWidth(output[i], in.colors)
		dataLen[i] = l
		totalLength += l + separatorSpace
		if maxLength < l {
			maxLength = l
		}
	}
	actualMax := maxLength + separatorSpace
	if actualMax*3+in.indentLvl < in.breakLength &&
		(float64(totalLength)/float64(actualMax) > 5 || maxLength <= 6) {
		const approxCharHeights = 2.5
		averageBias := math.Sqrt(float64(actualMax) - float64(totalLength)/float64(len(output)))
		biasedMax := math.Max(float64(actualMax)-3-averageBias, 1)
		columns := min(
			int(math.Round(math.Sqrt(approxCharHeights*biasedMax*float64(outputLength))/biasedMax)),
			(in.breakLength-in.indentLvl)/actualMax,
			inspCompact*4,
			15,
		)
		if columns <= 1 {
			return output
		}
		var tmp []string
		maxLineLength := make([]int, 0, columns)
		for i := 0; i < columns; i++ {
			lineMax := 0
			for j := i; j < outputLength; j += columns {
				if dataLen[j] > lineMax {
					lineMax = dataLen[j]
				}
			}
			maxLineLength = append(maxLineLength, lineMax+separatorSpace)
		}
		padStart := true
		if numericAt != nil {
			for i := 0; i < len(output); i++ {
				if !numericAt(i) {
					padStart = false
					break
				}
			}
		}
		for i := 0; i < outputLength; i += columns {
			maxI := min(i+columns, outputLength)
			var sb strings.Builder
			j := i
			for ; j < maxI-1; j++ {
				padding := maxLineLength[j-i] + jsLength(output[j]) - dataLen[j]
				if padStart {
					sb.WriteString(padStartJS(output[j]+", ", padding))
				} else {
					sb.WriteString(padEndJS(output[j]+", ", padding))
				}
			}
			if padStart {
				padding := maxLineLength[j-i] + jsLength(output[j]) - dataLen[j] - separatorSpace
				sb.WriteString(padStartJS(output[j], padding))
			} else {
				sb.WriteString(output[j])
			}
			tmp = append(tmp, sb.String())
		}
		if inspMaxArrayLength < len(output) {
			tmp = append(tmp, output[outputLength])
		}
		output = tmp
	}
	return output
}

func padStartJS(s string, n int) string {
	if l := jsLength(s); l < n {
		return strings.Repeat(" ", n-l) + s
	}
	return s
}

func padEndJS(s string, n int) string {
	if l := jsLength(s); l < n {
		return s + strings.Repeat(" ", n-l)
	}
	return s
}

// jsLength is the length of s in UTF-16 code units, as JS .length.
func jsLength(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// stripSGR strips the SGR sequences the stylizer emits.
func stripSGR(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+2 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > i+2 && j < len(s) && s[j] == 'm' {
				i = j + 1
				continue
			}
		}
		sb.WriteByte(s[i])
		i++
	}
	return sb.String()
}

// termStringWidth approximates getStringWidth: the number of terminal columns.
func termStringWidth(s string, removeControl bool) int {
	if removeControl {
		s = stripSGR(s)
	}
	w := 0
	for _, r := range s {
		switch {
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x300 && r <= 0x36f || r >= 0x200b && r <= 0x200f ||
			r >= 0x20d0 && r <= 0x20ff || r >= 0xfe00 && r <= 0xfe0f || r >= 0xfe20 && r <= 0xfe2f ||
			r >= 0xe0100 && r <= 0xe01ef:
		case isFullWidthRune(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

func isFullWidthRune(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
		r >= 0x2e80 && r <= 0x3247 && r != 0x303f || r >= 0x3250 && r <= 0x4dbf ||
		r >= 0x4e00 && r <= 0xa4c6 || r >= 0xa960 && r <= 0xa97c || r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff || r >= 0xfe10 && r <= 0xfe19 || r >= 0xfe30 && r <= 0xfe6b ||
		r >= 0xff01 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 || r >= 0x1b000 && r <= 0x1b001 ||
		r >= 0x1f200 && r <= 0x1f251 || r >= 0x1f300 && r <= 0x1f64f || r >= 0x20000 && r <= 0x3fffd)
}

// ---------------------------------------------------------------------------
// Primitives

func (in *inspector) formatPrimitive(v goja.Value, split bool) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return in.stylize("undefined", styleUndefined)
	case goja.IsNull(v):
		return in.stylize("null", styleNull)
	}
	switch x := v.(type) {
	case goja.String:
		return in.formatString(x, split)
	case *goja.Symbol:
		return in.stylize("Symbol("+x.String()+")", styleSymbol)
	}
	switch {
	case goja.IsNumber(v):
		return in.formatNumber(v.ToFloat(), false)
	case goja.IsBigInt(v):
		return in.stylize(v.String()+"n", styleBigInt)
	}
	if v.ExportType() == inspTypeBool {
		return in.stylize(v.String(), styleBoolean)
	}
	return in.stylize(v.String(), styleNone)
}

// formatNumber formats f as JS Number#toString, with -0 as "-0".
func (in *inspector) formatNumber(f float64, _ bool) string {
	return in.stylize(jsNumberString(in.vm, f), styleNumber)
}

func jsNumberString(vm *goja.Runtime, f float64) string {
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return vm.ToValue(f).String()
}

// utf16Of returns the UTF-16 code units of a string value.
func utf16Of(v goja.Value) []uint16 {
	s, ok := v.(goja.String)
	if !ok {
		return stringToUTF16(v.String())
	}
	n := s.Length()
	out := make([]uint16, n)
	for i := 0; i < n; i++ {
		out[i] = s.CharAt(i)
	}
	return out
}

func stringToUTF16(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

func (in *inspector) formatString(s goja.String, split bool) string {
	n := s.Length()
	trailer := ""
	if n > inspMaxStringLength {
		rem := n - inspMaxStringLength
		trailer = "... " + strconv.Itoa(rem) + " more character" + pluralSuffix(rem, "", "s")
		n = inspMaxStringLength
	}
	units := make([]uint16, n)
	for i := 0; i < n; i++ {
		units[i] = s.CharAt(i)
	}
	if split && n > 16 && n > in.breakLength-in.indentLvl-4 {
		// Split after each newline.
		var parts []string
		last := 0
		for i, u := range units {
			if u == '\n' && i+1 < n {
				parts = append(parts, in.stylize(strEscape(units[last:i+1]), styleString))
				last = i + 1
			}
		}
		parts = append(parts, in.stylize(strEscape(units[last:]), styleString))
		return strings.Join(parts, " +\n"+strings.Repeat(" ", in.indentLvl+2)) + trailer
	}
	return in.stylize(strEscape(units), styleString) + trailer
}

var escMeta = func() (m [0xa0]string) {
	for i := 0; i < 0x20; i++ {
		m[i] = `\x` + strings.ToUpper(hexByte(i))
	}
	m['\b'], m['\t'], m['\n'], m['\f'], m['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	m['\''] = `\'`
	m['\\'] = `\\`
	for i := 0x7f; i < 0xa0; i++ {
		m[i] = `\x` + strings.ToUpper(hexByte(i))
	}
	return
}()

func hexByte(i int) string {
	const d = "0123456789abcdef"
	return string([]byte{d[i>>4], d[i&15]})
}

func hasUTF16Unit(u []uint16, c uint16) bool {
	for _, x := range u {
		if x == c {
			return true
		}
	}
	return false
}

// strEscape ports Node's strEscape: quote and escape a string given as
// UTF-16 code units, picking single, double or back quotes.
func strEscape(u []uint16) string {
	quote := byte('\'')
	escapeSingle := true
	if hasUTF16Unit(u, '\'') {
		if !hasUTF16Unit(u, '"') {
			quote = '"'
		} else if !hasUTF16Unit(u, '`') && !containsDollarBrace(u) {
			quote = '`'
		}
		if quote != '\'' {
			escapeSingle = false
		}
	}
	var sb strings.Builder
	sb.Grow(len(u) + 2)
	sb.WriteByte(quote)
	writeEscaped(&sb, u, escapeSingle)
	sb.WriteByte(quote)
	return sb.String()
}

func containsDollarBrace(u []uint16) bool {
	for i := 0; i+1 < len(u); i++ {
		if u[i] == '$' && u[i+1] == '{' {
			return true
		}
	}
	return false
}

func writeEscaped(sb *strings.Builder, u []uint16, escapeSingle bool) {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c < 0xa0 && escMeta[c] != "" && (c != '\'' || escapeSingle):
			sb.WriteString(escMeta[c])
		case c >= 0xd800 && c <= 0xdbff && i+1 < len(u) && u[i+1] >= 0xdc00 && u[i+1] <= 0xdfff:
			r := (rune(c)-0xd800)<<10 + (rune(u[i+1]) - 0xdc00) + 0x10000
			sb.WriteRune(r)
			i++
		case c >= 0xd800 && c <= 0xdfff:
			sb.WriteString(`\u` + strconv.FormatInt(int64(c), 16))
		case c < utf8.RuneSelf:
			sb.WriteByte(byte(c))
		default:
			sb.WriteRune(rune(c))
		}
	}
}

// escapeKeyText escapes like strEscapeSequencesReplacer (quotes included),
// without adding quotes.
func escapeKeyText(s string) string {
	var sb strings.Builder
	writeEscaped(&sb, stringToUTF16(s), true)
	return sb.String()
}

// ---------------------------------------------------------------------------
// util.format

func formatNodeArgs(vm *goja.Runtime, args []goja.Value, colors bool) string {
	inspect := func(v goja.Value, depth int) string {
		in := newInspector(vm, colors, depth, 0)
		return in.formatValue(v, 0, false)
	}
	first, isStr := args[0].(goja.String)
	if isStr && len(args) == 1 {
		return first.String()
	}
	var sb strings.Builder
	a := 0
	join := ""
	if isStr {
		f := utf16Of(first)
		lastPos := 0
		for i := 0; i < len(f)-1; i++ {
			if f[i] != '%' {
				continue
			}
			i++
			next := f[i]
			if a+1 != len(args) {
				var tmp string
				switch next {
				case 's':
					a++
					tmp = formatDirS(vm, args[a])
				case 'j':
					a++
					tmp = formatDirJ(vm, args[a])
				case 'd':
					a++
					tmp = formatDirD(vm, args[a], false)
				case 'i':
					a++
					tmp = formatDirD(vm, args[a], true)
				case 'f':
					a++
					tmp = formatDirF(vm, args[a])
				case 'O':
					a++
					tmp = inspect(args[a], 0)
				case 'o':
					a++
					tmp = inspect(args[a], 4)
				case 'c':
					a++
					tmp = ""
				case '%':
					sb.WriteString(utf16ToString(f[lastPos:i]))
					lastPos = i + 1
					continue
				default:
					continue
				}
				if lastPos != i-1 {
					sb.WriteString(utf16ToString(f[lastPos : i-1]))
				}
				sb.WriteString(tmp)
				lastPos = i + 1
			} else if next == '%' {
				sb.WriteString(utf16ToString(f[lastPos:i]))
				lastPos = i + 1
			}
		}
		if lastPos != 0 {
			a++
			join = " "
			if lastPos < len(f) {
				sb.WriteString(utf16ToString(f[lastPos:]))
			}
		}
	}
	for ; a < len(args); a++ {
		sb.WriteString(join)
		if s, ok := args[a].(goja.String); ok {
			sb.WriteString(s.String())
		} else {
			sb.WriteString(inspect(args[a], 0))
		}
		join = " "
	}
	return sb.String()
}

// utf16ToString converts UTF-16 units to a Go string (lone surrogates become
// U+FFFD).
func utf16ToString(u []uint16) string {
	var sb strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c < utf8.RuneSelf:
			sb.WriteByte(byte(c))
		case c >= 0xd800 && c <= 0xdbff && i+1 < len(u) && u[i+1] >= 0xdc00 && u[i+1] <= 0xdfff:
			sb.WriteRune((rune(c)-0xd800)<<10 + (rune(u[i+1]) - 0xdc00) + 0x10000)
			i++
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// formatDirS ports %s: numbers, bigints and symbols are formatted, objects
// without a user-defined toString are inspected with depth 0, others are
// converted with their toString.
func formatDirS(vm *goja.Runtime, v goja.Value) string {
	in := newInspector(vm, false, 0, 0)
	switch x := v.(type) {
	case *goja.Symbol:
		return "Symbol(" + x.String() + ")"
	case *goja.Object:
		if fn := in.userToString(x); fn != nil {
			if r, ok := in.call(fn, x); ok {
				if _, isObj := r.(*goja.Object); !isObj {
					return in.safeString(r)
				}
			}
		}
		if _, callable := goja.AssertFunction(x); callable {
			// typeof is 'function': Node uses String(fn), i.e. the source.
			if r, ok := in.call(in.intrinsic(iFunctionToString), x); ok && goja.IsString(r) {
				return r.String()
			}
		}
		in.depth = 0
		return in.formatValue(x, 0, false)
	}
	if goja.IsNumber(v) {
		return jsNumberString(vm, v.ToFloat())
	}
	if goja.IsBigInt(v) {
		return v.String() + "n"
	}
	if v == nil {
		return "undefined"
	}
	return v.String()
}

// userToString ports hasBuiltInToString: it returns the object's toString
// if one is defined by user code (own, or on a prototype whose constructor
// is not a built-in), else nil. Symbol.toPrimitive is not consulted.
func (in *inspector) userToString(o *goja.Object) *goja.Object {
	for isProxyObject(o) {
		p, _ := o.Export().(goja.Proxy)
		if o = p.Target(); o == nil {
			return nil
		}
	}
	key := in.vm.ToValue("toString")
	for cur, i := o, 0; cur != nil && i < 10000; i++ {
		if isProxyObject(cur) {
			return nil
		}
		d := in.own(cur, key)
		if d.kind != descAbsent {
			fn, ok := d.value.(*goja.Object)
			if d.kind != descData || !ok {
				return nil
			}
			if _, ok := goja.AssertFunction(fn); !ok {
				return nil
			}
			if cur == o {
				return fn
			}
			if cd := in.own(cur, in.vm.ToValue("constructor")); cd.kind == descData {
				if c, ok := cd.value.(*goja.Object); ok {
					if nd := in.own(c, in.vm.ToValue("name")); nd.kind == descData && inspectBuiltInNames[nd.value.String()] {
						return nil
					}
				}
			}
			return fn
		}
		var ok bool
		if cur, ok = in.proto(cur); !ok {
			return nil
		}
	}
	return nil
}

var inspectBuiltInNames = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`Object Function Array Number Boolean String Symbol Date Promise RegExp Error
		AggregateError EvalError RangeError ReferenceError SyntaxError TypeError URIError ArrayBuffer Uint8Array
		Int8Array Uint16Array Int16Array Uint32Array Int32Array Float32Array Float64Array Uint8ClampedArray
		BigUint64Array BigInt64Array DataView Map BigInt Set WeakMap WeakSet Proxy Reflect WeakRef
		FinalizationRegistry SharedArrayBuffer Atomics JSON Math Intl`) {
		m[s] = true
	}
	return m
}()

func formatDirJ(vm *goja.Runtime, v goja.Value) string {
	in := newInspector(vm, false, 0, 0)
	fn := in.intrinsic(iJSONStringify)
	if fn == nil {
		return "undefined"
	}
	c, ok := goja.AssertFunction(fn)
	if !ok {
		return "undefined"
	}
	r, err := c(goja.Undefined(), v)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) && strings.Contains(strings.ToLower(ex.Error()), "circular") {
			return "[Circular]"
		}
		if errors.As(err, &ex) {
			return "[" + ex.Value().String() + "]"
		}
		return "undefined"
	}
	if r == nil || goja.IsUndefined(r) {
		return "undefined"
	}
	return r.String()
}

// toPrimitiveString converts v to a string the way String(v) does, but
// for objects only when that does not throw.
func jsToStringSafe(vm *goja.Runtime, v goja.Value) (s string, ok bool) {
	if _, isSym := v.(*goja.Symbol); isSym {
		return "", false
	}
	ex := vm.Try(func() { s = v.String() })
	return s, ex == nil
}

func formatDirD(vm *goja.Runtime, v goja.Value, integer bool) string {
	if goja.IsBigInt(v) {
		return v.String() + "n"
	}
	if _, isSym := v.(*goja.Symbol); isSym {
		return "NaN"
	}
	if integer {
		s, ok := jsToStringSafe(vm, v)
		if !ok {
			return "NaN"
		}
		return jsNumberString(vm, jsParseInt(s))
	}
	var f float64
	if vm.Try(func() { f = v.ToFloat() }) != nil {
		return "NaN"
	}
	return jsNumberString(vm, f)
}

func formatDirF(vm *goja.Runtime, v goja.Value) string {
	if _, isSym := v.(*goja.Symbol); isSym {
		return "NaN"
	}
	s, ok := jsToStringSafe(vm, v)
	if !ok {
		return "NaN"
	}
	return jsNumberString(vm, jsParseFloat(s))
}

func trimLeftJSSpace(s string) string {
	return strings.TrimLeftFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0xa0 ||
			r == 0xfeff || r == 0x1680 || r >= 0x2000 && r <= 0x200a || r == 0x2028 || r == 0x2029 ||
			r == 0x202f || r == 0x205f || r == 0x3000
	})
}

// jsParseInt ports the global jsParseInt with no radix.
func jsParseInt(s string) float64 {
	s = trimLeftJSSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	radix := 10.0
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		radix = 16
		s = s[2:]
	}
	var n float64
	digits := 0
	for _, c := range s {
		var d float64
		switch {
		case c >= '0' && c <= '9':
			d = float64(c - '0')
		case radix == 16 && c >= 'a' && c <= 'f':
			d = float64(c - 'a' + 10)
		case radix == 16 && c >= 'A' && c <= 'F':
			d = float64(c - 'A' + 10)
		default:
			d = -1
		}
		if d < 0 {
			break
		}
		n = n*radix + d
		digits++
	}
	if digits == 0 {
		return math.NaN()
	}
	if radix == 10 && digits > 15 {
		// Re-parse exactly for long decimal literals.
		if f, err := strconv.ParseFloat(s[:digits], 64); err == nil {
			n = f
		}
	}
	if neg {
		return -n
	}
	return n
}

// jsParseFloat ports the global jsParseFloat.
func jsParseFloat(s string) float64 {
	s = trimLeftJSSpace(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	start := i
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return math.NaN()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	_ = start
	f, err := strconv.ParseFloat(strings.TrimSuffix(s[:i], "."), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}
