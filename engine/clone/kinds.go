package clone

import (
	"math"
	"math/big"
	"reflect"

	"github.com/dop251/goja"
	"github.com/isobox/isobox/internal/gojax"
)

// Object kinds. gojax reads them from goja's implementation types when
// goja's layout is the one it verified; otherwise (after a goja upgrade that
// changed it) the codec classifies through the public API, more slowly:
// ClassName, ExportType and brand-checking intrinsics (the typed-array
// @@toStringTag getter, DataView's byteLength getter, Date's getTime).

var (
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typeProxy       = reflect.TypeOf(goja.Proxy{})
	typePromise     = reflect.TypeOf((*goja.Promise)(nil))
	typePlainExport = reflect.TypeOf(map[string]any(nil))
	typeMapExport   = reflect.TypeOf([][2]any(nil))
	typeSetExport   = reflect.TypeOf([]any(nil))
	typeBigInt      = reflect.TypeOf((*big.Int)(nil))
	typeString      = reflect.TypeOf("")
)

// kindOf classifies o; for gojax.Rejected it also describes o.
func (c *cloner) kindOf(o *goja.Object) (gojax.Kind, string) {
	if k, name, ok := gojax.KindOf(o); ok {
		return k, name
	}
	return c.slowKind(o)
}

// slowKind classifies o through the public API. It is exact for every kind
// the codec clones except that an object whose prototype was replaced is
// only recognized as a DataView, WeakMap or WeakSet through its original
// prototype, and that iterators and generators clone as plain objects (own
// enumerable properties) instead of being rejected. Built-in prototypes and
// namespaces are ordinary objects on both paths.
func (c *cloner) slowKind(o *goja.Object) (gojax.Kind, string) {
	if _, ok := goja.AssertFunction(o); ok {
		return gojax.Unknown, ""
	}
	switch o.ClassName() {
	case "Array":
		return gojax.Array, ""
	case "Date":
		return gojax.Date, ""
	case "RegExp":
		return gojax.RegExp, ""
	case "Error":
		return gojax.Error, ""
	case "Number", "Boolean":
		return gojax.PrimitiveWrapper, ""
	case "String":
		return gojax.StringWrapper, ""
	case "Arguments":
		return gojax.Plain, ""
	case "Object":
	default:
		return gojax.Unknown, ""
	}
	switch t := o.ExportType(); t {
	case typeArrayBuffer:
		return gojax.ArrayBuffer, ""
	case typeProxy:
		return gojax.Rejected, "Proxy object"
	case typePromise:
		return gojax.Rejected, "Promise object"
	case typeBigInt:
		return gojax.PrimitiveWrapper, ""
	case typeString:
		return gojax.Rejected, "Symbol object"
	case typeMapExport:
		if c.branded(o, &c.in.mapSize, gMap, "size") {
			return gojax.Map, ""
		}
	case typeSetExport:
		if c.branded(o, &c.in.setSize, gSet, "size") {
			return gojax.Set, ""
		}
	case typePlainExport:
		proto := o.Prototype()
		if proto == nil {
			return gojax.Plain, ""
		}
		for _, b := range []struct {
			id   int
			kind gojax.Kind
		}{{gDataView, gojax.DataView}, {gWeakMap, gojax.Rejected}, {gWeakSet, gojax.Rejected}} {
			if p, err := c.in.proto(c.r, b.id); err == nil && p == proto {
				if b.kind == gojax.DataView && c.branded(o, &c.in.dvLength, gDataView, "byteLength") {
					return gojax.DataView, ""
				}
				if b.kind == gojax.Rejected && c.hasBrand(o, b.id) {
					return gojax.Rejected, globalName(b.id) + " object"
				}
			}
		}
		return gojax.Plain, ""
	default:
		if t.Kind() == reflect.Slice {
			if tag, err := c.typedArrayTag(o); err == nil && tag != "" {
				return gojax.TypedArray, ""
			}
		}
	}
	return gojax.Unknown, ""
}

// branded reports whether the intrinsic getter id.prototype[name] accepts o
// (the getters throw for an object without the internal slot).
func (c *cloner) branded(o *goja.Object, cache *goja.Callable, id int, name string) bool {
	f, err := c.in.getter(c.r, cache, id, false, name)
	if err != nil {
		return false
	}
	_, err = f(o)
	return err == nil
}

// hasBrand reports whether WeakMap.prototype.has or WeakSet.prototype.has
// accepts o.
func (c *cloner) hasBrand(o *goja.Object, id int) bool {
	slot := &c.in.weakMapHas
	if id == gWeakSet {
		slot = &c.in.weakSetHas
	}
	f, err := c.in.method(c.r, slot, id, "has")
	if err != nil {
		return false
	}
	_, err = f(o, o)
	return err == nil
}

// typedArrayTag runs the %TypedArray%.prototype[@@toStringTag] intrinsic:
// the constructor name of a typed array, "" for anything else.
func (c *cloner) typedArrayTag(o *goja.Object) (string, error) {
	f, err := c.in.getterSym(c.r, &c.in.taTag, gTypedArray0, goja.SymToStringTag)
	if err != nil {
		return "", err
	}
	v, err := f(o)
	if err != nil {
		return "", err
	}
	if s, ok := v.(goja.String); ok {
		return s.String(), nil
	}
	return "", nil
}

// view reads a typed array's or DataView's slots: type, byte offset, length
// (elements for a typed array, bytes for a DataView) and viewed buffer.
// buffer is the intrinsic buffer getter of its kind.
func (c *cloner) view(o *goja.Object, kind gojax.Kind, buffer goja.Callable) (sub uint8, off, n int64, bo *goja.Object, err error) {
	bv, err := buffer(o)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	bo, ok := bv.(*goja.Object)
	if ok {
		bk, _ := c.kindOf(bo)
		ok = bk == gojax.ArrayBuffer
	}
	if !ok {
		return 0, 0, 0, nil, cloneErrorf("the buffer of a view could not be read")
	}
	if kind == gojax.TypedArray {
		if typ, off, n, buf, ok := gojax.TypedArraySlots(o); ok {
			// The getter is an intrinsic captured on first use; check that
			// it returned the view's own [[ViewedArrayBuffer]].
			if !gojax.SameImpl(bo, buf) {
				return 0, 0, 0, nil, cloneErrorf("the buffer of a view could not be read")
			}
			return typ, off, n, bo, nil
		}
		tag, err := c.typedArrayTag(o)
		if err != nil {
			return 0, 0, 0, nil, err
		}
		sub = 255
		for i, name := range typedArrayNames {
			if name == tag {
				sub = uint8(i)
			}
		}
		if sub == 255 {
			return 0, 0, 0, nil, cloneErrorf("typed array could not be cloned")
		}
		if off, err = c.slot(o, &c.in.taOffset, gTypedArray0, true, "byteOffset"); err != nil {
			return 0, 0, 0, nil, err
		}
		if n, err = c.slot(o, &c.in.taLength, gTypedArray0, true, "length"); err != nil {
			return 0, 0, 0, nil, err
		}
		return sub, off, n, bo, nil
	}
	if off, n, buf, ok := gojax.DataViewSlots(o); ok {
		if !gojax.SameImpl(bo, buf) {
			return 0, 0, 0, nil, cloneErrorf("the buffer of a view could not be read")
		}
		return 0, off, n, bo, nil
	}
	if off, err = c.slot(o, &c.in.dvOffset, gDataView, false, "byteOffset"); err != nil {
		return 0, 0, 0, nil, err
	}
	if n, err = c.slot(o, &c.in.dvLength, gDataView, false, "byteLength"); err != nil {
		return 0, 0, 0, nil, err
	}
	return 0, off, n, bo, nil
}

// slot reads an integer internal slot of o through an intrinsic getter.
func (c *cloner) slot(o *goja.Object, cache *goja.Callable, id int, parent bool, name string) (int64, error) {
	f, err := c.in.getter(c.r, cache, id, parent, name)
	if err != nil {
		return 0, err
	}
	v, err := f(o)
	if err != nil {
		return 0, err
	}
	return v.ToInteger(), nil
}

// timeValue reads a Date's [[DateValue]].
func (c *cloner) timeValue(o *goja.Object) (float64, error) {
	if tv, ok := gojax.DateMsec(o); ok {
		return tv, nil
	}
	f, err := c.in.method(c.r, &c.in.dateGetTime, gDate, "getTime")
	if err != nil {
		return 0, err
	}
	v, err := f(o)
	if err != nil {
		return 0, err
	}
	if !goja.IsNumber(v) {
		return math.NaN(), nil
	}
	return v.ToFloat(), nil
}
