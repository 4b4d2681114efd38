package inspect

import (
	"github.com/dop251/goja"
)

// Safe property access (descriptors read without invoking accessors or
// Proxy traps) and the constructor names and Symbol.toStringTag values that
// prefix an object's output.

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
		if tag == "Module" && fallback == "Object" {
			return "[Module: null prototype] " // a module namespace, as Node prints one
		}
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
