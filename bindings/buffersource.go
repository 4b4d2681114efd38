package bindings

import (
	"github.com/dop251/goja"

	"github.com/isobox/isobox/bindings/inspect"
	"github.com/isobox/isobox/engine/guard"
	"github.com/isobox/isobox/internal/gojax"
)

// Shared helpers of the Web globals that take or return bytes (TextDecoder,
// TextEncoder, crypto, atob/btoa). Loop only, like everything in env.

// bufferKind says what a BufferSource argument is.
type bufferKind uint8

const (
	notBuffer bufferKind = iota
	isArrayBuffer
	isTypedArray
	isDataView
)

// bufferSource classifies v as a WebIDL BufferSource (an ArrayBuffer, a
// typed array or a DataView) and returns the bytes it views, shared with
// the script (callers that keep them past the call must copy). A detached
// buffer views no bytes. typ is the typed array's index in
// gojax.TypedArrayNames (-1 when unknown or not a typed array).
func (e *env) bufferSource(v goja.Value) (b []byte, kind bufferKind, typ int) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, notBuffer, -1
	}
	if ab, ok := o.Export().(goja.ArrayBuffer); ok {
		return ab.Bytes(), isArrayBuffer, -1
	}
	k, _, ok := gojax.KindOf(o)
	if !ok {
		// No layout: classify through the public API. Export gives a typed
		// array's Go slice; a DataView's class name is "DataView"... goja
		// reports "Object" for both, so fall back on the toStringTag.
		k = publicViewKind(o)
	}
	typ = -1
	switch k {
	case gojax.TypedArray:
		kind = isTypedArray
		if t, _, _, _, ok := gojax.TypedArraySlots(o); ok {
			typ = int(t)
		} else {
			typ = typedArrayIndexOf(o)
		}
	case gojax.DataView:
		kind = isDataView
	default:
		return nil, notBuffer, -1
	}
	return e.viewBytes(o), kind, typ
}

// viewBytes returns the bytes a typed array or DataView views; nil when its
// buffer is detached (goja would slice a nil array).
func (e *env) viewBytes(o *goja.Object) (b []byte) {
	defer func() {
		if recover() != nil {
			b = nil
		}
	}()
	if err := e.vm.ExportTo(o, &b); err != nil {
		return nil
	}
	return b
}

// publicViewKind classifies a view without goja's layout: typed arrays
// export as Go slices of their element type, a DataView only has its tag.
func publicViewKind(o *goja.Object) gojax.Kind {
	switch o.Export().(type) {
	case []int8, []uint8, []int16, []uint16, []int32, []uint32, []float32, []float64, []int64, []uint64:
		return gojax.TypedArray
	}
	if t := o.GetSymbol(goja.SymToStringTag); t != nil && t.String() == "DataView" {
		return gojax.DataView
	}
	return gojax.Unknown
}

// typedArrayIndexOf finds a typed array's type from its exported slice
// (Uint8Array and Uint8ClampedArray both export []uint8: either is fine for
// the callers, which only ask "integer or not").
func typedArrayIndexOf(o *goja.Object) int {
	switch o.Export().(type) {
	case []int8:
		return 0
	case []uint8:
		return 1
	case []int16:
		return 3
	case []uint16:
		return 4
	case []int32:
		return 5
	case []uint32:
		return 6
	case []float32:
		return 7
	case []float64:
		return 8
	case []int64:
		return 9
	case []uint64:
		return 10
	}
	return -1
}

// allocCap is the largest single block a native of this isolate may
// allocate on a script's say: the guards' cap (guard.DefaultMaxAllocBytes,
// lowered to the isolate's memoryMb when that is smaller).
func (e *env) allocCap() int64 {
	c := int64(guard.DefaultMaxAllocBytes)
	if mb := e.iso.Limits().MemoryMb; mb > 0 && mb<<20 < c {
		c = mb << 20
	}
	return c
}

// checkAlloc throws a RangeError when n bytes are over allocCap.
func (e *env) checkAlloc(n int64, what string) {
	if n > e.allocCap() {
		e.rangeError(what + ": result too large (over the allocation limit of this isolate)")
	}
}

// newUint8Array makes a Uint8Array over b (which the script then owns).
func (e *env) newUint8Array(b []byte) goja.Value {
	ab, err := gojax.NewArrayBuffer(e.vm, b) // constructor guards first
	if err != nil {
		e.throw(err)
	}
	u8 := e.intrinsic("Uint8Array")
	if u8 == nil {
		e.typeError("Uint8Array is not available")
	}
	ctor, ok := goja.AssertConstructor(u8)
	if !ok {
		e.typeError("Uint8Array is not available")
	}
	o, err := ctor(nil, e.vm.ToValue(ab))
	if err != nil {
		e.throw(err)
	}
	return o
}

// webState is the per-isolate state of the Web globals, made on first use
// (see env.webs). Loop only.
type webState struct {
	intrinsics map[string]*goja.Object // captured on first use, see intrinsic
	perf       *perfState
	console    *consoleState
	urlCtor    *goja.Object
	subtle     goja.Value
	perfObj    *goja.Object // the performance global's object
}

// webs returns the isolate's Web-globals state, making it on first use.
func (e *env) webs() *webState {
	if e.web == nil {
		e.web = &webState{}
	}
	return e.web
}

// intrinsic returns the global constructor name as it was when a Web
// global first needed it. As for package inspect, a script that replaces
// a built-in before that can only garble its own results.
func (e *env) intrinsic(name string) *goja.Object {
	w := e.webs()
	if o, ok := w.intrinsics[name]; ok {
		return o
	}
	o, _ := e.vm.GlobalObject().Get(name).(*goja.Object)
	if w.intrinsics == nil {
		w.intrinsics = make(map[string]*goja.Object)
	}
	w.intrinsics[name] = o
	return o
}

// rangeError throws a RangeError (the constructor as first captured, see
// intrinsic; a plain Error named RangeError if that is gone).
func (e *env) rangeError(msg string) {
	if c := e.intrinsic("RangeError"); c != nil {
		if ctor, ok := goja.AssertConstructor(c); ok {
			if o, err := ctor(nil, e.vm.ToValue(msg)); err == nil {
				panic(o)
			}
		}
	}
	panic(e.newError("RangeError", msg))
}

// intrinsicMember is intrinsic(name)[member], or nil when the global was
// gone at first use.
func (e *env) intrinsicMember(name, member string) goja.Value {
	o := e.intrinsic(name)
	if o == nil {
		return nil
	}
	return o.Get(member)
}

// The formatter's ArrayBuffer (for its intrinsic prototype) goes through
// gojax too, so the buffer constructor guards are installed first.
func init() { inspect.NewArrayBuffer = gojax.NewArrayBuffer }
