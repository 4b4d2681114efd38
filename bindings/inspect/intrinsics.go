package inspect

import (
	"errors"
	"math/big"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"time"
	"weak"

	"github.com/dop251/goja"
)

// Intrinsics: the pristine built-ins the formatter calls instead of whatever
// a script has put in their place, captured once per runtime and cached
// weakly, and the reflect types that identify goja's exotic objects.

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

// NewArrayBuffer makes the ArrayBuffer whose prototype inspect captures:
// it must install the sandbox's buffer constructor guards first (the
// buffer's constructor is reachable from it). The bindings set it, in
// their init, to gojax.NewArrayBuffer; unset, no buffer is made and
// ArrayBuffers are told by their class alone. Written only before any
// Inspect call (package init); read on the goroutine that owns vm.
var NewArrayBuffer = func(vm *goja.Runtime, data []byte) (goja.ArrayBuffer, error) {
	return goja.ArrayBuffer{}, errNoBufferMaker
}

var errNoBufferMaker = errors.New("inspect: no NewArrayBuffer")

func captureIntrinsics(vm *goja.Runtime) (out [nIntrinsics]*goja.Object) {
	inspectCaptureProgOnce.Do(func() {
		inspectCaptureProg, _ = goja.Compile("inspect-intrinsics", inspectCaptureSrc, true) // a constant source
	})
	_ = vm.Try(func() {
		out[iObjectProto] = vm.NewObject().Prototype()
		out[iArrayProto] = vm.NewArray().Prototype()
		if b, err := NewArrayBuffer(vm, nil); err == nil { // constructor guards first
			if ab, ok := vm.ToValue(b).(*goja.Object); ok {
				out[iArrayBufferProto] = ab.Prototype()
			}
		}
		if f, ok := vm.ToValue(func(goja.FunctionCall) goja.Value { return nil }).(*goja.Object); ok { // never reaches a script
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
