package inspect

import (
	"math/big"
	"reflect"
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// Functions and classes, RegExps, Dates and boxed primitives.

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
