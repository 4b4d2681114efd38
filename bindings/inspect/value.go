package inspect

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// formatValue and formatRaw, the dispatch on an object's kind, and the
// formatting of its own properties.

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
		if in.isNamespaceTarget(target) {
			if in.namespaces == nil {
				in.namespaces = map[*goja.Object]bool{}
			}
			in.namespaces[target] = true
		}
		o = target
	}
	// ExportType is cheap (Export would convert a plain object's whole
	// graph); only a host object's Go type can be a Previewer.
	if t := o.ExportType(); t != nil && t.Implements(previewerType) {
		if p, ok := o.Export().(Previewer); ok {
			if pv := p.InspectPreview(in.vm); pv != nil {
				o = pv
			}
		}
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

// isNamespaceTarget reports whether a proxy's target is shaped as a module
// namespace's is (the engine's: a null prototype and an own
// Symbol.toStringTag "Module"). Read without invoking anything.
func (in *inspector) isNamespaceTarget(t *goja.Object) bool {
	if isProxyObject(t) || t.Prototype() != nil {
		return false
	}
	d := in.own(t, goja.SymToStringTag)
	return d.kind == descData && goja.IsString(d.value) && d.value.String() == "Module"
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
	if in.namespaces[o] && d.kind == descData {
		// A module namespace's exports live behind its traps, which are
		// never called: shown as the getters they are.
		d = propDesc{kind: descAccessor, get: o, enumerable: d.enumerable}
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
