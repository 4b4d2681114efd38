package bindings

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
	wurl "github.com/nlnwa/whatwg-url/url"
)

// URL and URLSearchParams (WHATWG URL Standard, "API").
//
// Parsing, serializing and the setters are github.com/nlnwa/whatwg-url's
// (a WHATWG basic URL parser tested against the Web Platform Tests'
// urltestdata.json and setters_tests.json; see README, "Web globals", for
// why not goja_nodejs/url). URLSearchParams is written here from the spec
// (the application/x-www-form-urlencoded parser and serializer, sort by
// UTF-16 code units, the URL's query kept in step by the update steps),
// because the library's list does not follow those algorithms exactly.

// urlParser is the WHATWG parser with the default (spec) options. It keeps
// no state between parses: any goroutine.
var urlParser = wurl.NewParser()

// parseURL is the API URL parser: input against an optional base. ok is
// false on failure.
func parseURL(input string, base *string) (u *wurl.Url, ok bool) {
	defer func() {
		// The parser is a library: a panic in it is a failure to parse, not
		// an isolate crash.
		if recover() != nil {
			u, ok = nil, false
		}
	}()
	var b *wurl.Url
	if base != nil {
		var err error
		if b, err = urlParser.Parse(*base); err != nil {
			return nil, false
		}
	}
	u, err := urlParser.BasicParser(input, b, nil, wurl.NoState)
	if err != nil || u == nil {
		return nil, false
	}
	return u, true
}

// urlObj is the JS URL: the parsed URL and its URLSearchParams object.
type urlObj struct {
	hostObject
	u      *wurl.Url
	params *paramsObj
	sp     *goja.Object // the searchParams object, made on first read
	self   *goja.Object // the JS object, for inspect's preview
	env    *env
}

// pair is one name-value pair of a URLSearchParams list.
type pair struct{ name, value string }

// paramsObj is the JS URLSearchParams: its list and, when it is a URL's
// searchParams, that URL.
type paramsObj struct {
	hostObject
	list []pair
	url  *urlObj
}

// update is the URLSearchParams update steps: the URL's query becomes the
// serialized list (null when empty).
func (p *paramsObj) update() {
	if p.url == nil {
		return
	}
	if e := p.url.env; e != nil {
		// The query goes through the URL parser (urlCost a byte).
		e.checkAlloc(urlCost*formLen(p.list, e.allocCap()/urlCost), "URLSearchParams")
	}
	p.url.u.SetSearch(serializeForm(p.list))
}

// parseForm is the application/x-www-form-urlencoded parser.
func parseForm(s string) []pair {
	var out []pair
	for _, seq := range strings.Split(s, "&") {
		if seq == "" {
			continue
		}
		name, value, _ := strings.Cut(seq, "=")
		out = append(out, pair{formDecode(name), formDecode(value)})
	}
	return out
}

// formDecode replaces + by space, percent-decodes, and decodes the bytes
// as UTF-8 (without BOM, U+FFFD for errors).
func formDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	d := newDecoder("utf-8", false, true)
	out, _ := d.decode(b, false)
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// serializeForm is the application/x-www-form-urlencoded serializer.
// formLen is an upper bound of len(serializeForm(list)): 3 bytes a byte
// when the sum of that is at most limit, else counted exactly. The list
// can hold one string many times (append), so the text can be far larger
// than the memory the list holds: 1000 appends of a 16 MB value were
// 16 GB in one Go step, a fatal out of memory. Any goroutine.
func formLen(list []pair, limit int64) int64 {
	var n int64
	for _, p := range list {
		n += 3*int64(len(p.name)+len(p.value)) + 2
	}
	if n <= limit {
		return n
	}
	n = 0
	for _, p := range list {
		n += formEncodedLen(p.name) + formEncodedLen(p.value) + 2
		if n > limit {
			return n
		}
	}
	return n
}

// formEncodedLen is len of formEncode's output for s.
func formEncodedLen(s string) int64 {
	n := int64(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == ' ' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '-' || c == '.' || c == '_') {
			n += 2
		}
	}
	return n
}

func serializeForm(list []pair) string {
	var b strings.Builder
	for i, p := range list {
		if i > 0 {
			b.WriteByte('&')
		}
		formEncode(&b, p.name)
		b.WriteByte('=')
		formEncode(&b, p.value)
	}
	return b.String()
}

func formEncode(b *strings.Builder, s string) {
	const hexdig = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('+')
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '*' || c == '-' || c == '.' || c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexdig[c>>4])
			b.WriteByte(hexdig[c&15])
		}
	}
}

// urlOrigin is the ASCII serialization of a URL's origin.
func urlOrigin(u *wurl.Url) string {
	switch u.Scheme() {
	case "ftp", "http", "https", "ws", "wss":
		return u.Scheme() + "://" + u.Host()
	case "blob":
		if inner, ok := parseURL(u.Pathname(), nil); ok && (inner.Scheme() == "http" || inner.Scheme() == "https") {
			return urlOrigin(inner)
		}
	}
	return "null"
}

// urlCost is what one byte of a URL parser's input counts against the
// allocation cap (measured: ~30 bytes of heap a byte of non-ASCII input):
// 2 MB of URL at memoryMb 64, 8 MB at the default cap.
const urlCost = 32

func (e *env) urlClass() goja.Value {
	if c, ok := e.built("URL"); ok {
		return c
	}
	vm := e.vm
	args := func(c []goja.Value, api string) (string, *string) {
		if len(c) == 0 {
			e.typeError("%s: 1 argument required, but only 0 present", api)
		}
		// The parser runs in one Go step, ~0.1-0.5 us and ~30 bytes of
		// heap an input byte (it percent-encodes what is not ASCII, a
		// 3-byte character becoming 9 bytes): 16 MB of input ran ~14 s
		// past maxTaskMs and 750 MB past memoryMb 64. An input over
		// urlCost bytes a byte of the allocation cap is refused first.
		input := e.toUSV(c[0])
		e.checkAlloc(urlCost*int64(len(input)), api)
		if len(c) > 1 && !goja.IsUndefined(c[1]) {
			b := e.toUSV(c[1])
			e.checkAlloc(urlCost*int64(len(b)), api)
			return input, &b
		}
		return input, nil
	}
	c, proto := e.class("URL", func(call goja.ConstructorCall) *goja.Object {
		input, base := args(call.Arguments, "URL")
		u, ok := parseURL(input, base)
		if !ok {
			e.invalidURL(input, base)
		}
		return e.newURL(u, call.This.Prototype())
	})
	e.webs().urlCtor = c
	e.method(c, "canParse", func(call goja.FunctionCall) goja.Value {
		input, base := args(call.Arguments, "URL.canParse")
		_, ok := parseURL(input, base)
		return vm.ToValue(ok)
	})
	e.method(c, "parse", func(call goja.FunctionCall) goja.Value {
		input, base := args(call.Arguments, "URL.parse")
		u, ok := parseURL(input, base)
		if !ok {
			return goja.Null()
		}
		return e.newURL(u, nil)
	})
	this := func(c goja.FunctionCall, name string) *urlObj { return thisAs[*urlObj](e, c, "URL", name) }
	str := func(s string) goja.Value { return vm.ToValue(s) }
	accessor := func(name string, get func(u *urlObj) goja.Value, set func(u *urlObj, v string)) {
		g := e.native("get "+e.qualified(proto, name), func(c goja.FunctionCall) goja.Value { return get(this(c, name)) })
		var s goja.Value // nil, not a nil *goja.Object: no setter
		if set != nil {
			s = e.native("set "+e.qualified(proto, name), func(c goja.FunctionCall) goja.Value {
				u := this(c, name)
				v := e.toUSV(c.Argument(0))
				e.checkAlloc(urlCost*int64(len(v)), "URL."+name) // the parser's cost, as in the constructor
				set(u, v)
				return goja.Undefined()
			})
		}
		_ = proto.DefineAccessorProperty(name, g, s, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	reparse := func(u *urlObj) {
		if u.params != nil {
			u.params.list = parseForm(u.u.Query())
		}
	}
	accessor("href", func(u *urlObj) goja.Value { return str(u.u.Href(false)) }, func(u *urlObj, v string) {
		nu, ok := parseURL(v, nil)
		if !ok {
			e.invalidURL(v, nil)
		}
		u.u = nu
		reparse(u)
	})
	accessor("origin", func(u *urlObj) goja.Value { return str(urlOrigin(u.u)) }, nil)
	accessor("protocol", func(u *urlObj) goja.Value { return str(u.u.Protocol()) }, func(u *urlObj, v string) { u.u.SetProtocol(v) })
	accessor("username", func(u *urlObj) goja.Value { return str(u.u.Username()) }, func(u *urlObj, v string) { u.u.SetUsername(v) })
	accessor("password", func(u *urlObj) goja.Value { return str(u.u.Password()) }, func(u *urlObj, v string) { u.u.SetPassword(v) })
	accessor("host", func(u *urlObj) goja.Value { return str(u.u.Host()) }, func(u *urlObj, v string) { u.u.SetHost(v) })
	accessor("hostname", func(u *urlObj) goja.Value { return str(u.u.Hostname()) }, func(u *urlObj, v string) { u.u.SetHostname(v) })
	accessor("port", func(u *urlObj) goja.Value { return str(u.u.Port()) }, func(u *urlObj, v string) { u.u.SetPort(v) })
	accessor("pathname", func(u *urlObj) goja.Value { return str(u.u.Pathname()) }, func(u *urlObj, v string) { u.u.SetPathname(v) })
	accessor("search", func(u *urlObj) goja.Value { return str(u.u.Search()) }, func(u *urlObj, v string) {
		u.u.SetSearch(v)
		reparse(u)
	})
	accessor("searchParams", func(u *urlObj) goja.Value { return e.searchParamsOf(u) }, nil)
	accessor("hash", func(u *urlObj) goja.Value { return str(u.u.Hash()) }, func(u *urlObj, v string) { u.u.SetHash(v) })
	href := func(name string) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value { return str(this(c, name).u.Href(false)) }
	}
	e.method(proto, "toString", href("toString"))
	e.method(proto, "toJSON", href("toJSON"))
	return c
}

// invalidURL throws the TypeError of a failed parse.
func (e *env) invalidURL(input string, base *string) {
	// Node says "Invalid URL" for a bad base too; so does this.
	o := e.vm.NewTypeError("Invalid URL")
	_ = o.Set("input", input)
	panic(o)
}

// newURL wraps a parsed URL with proto (nil: URL.prototype).
func (e *env) newURL(u *wurl.Url, proto *goja.Object) *goja.Object {
	if proto == nil {
		e.urlClass()
		proto = e.protoCache["URL"]
	}
	uo := &urlObj{u: u, env: e}
	o := e.vm.NewDynamicObject(uo)
	_ = o.SetPrototype(proto)
	uo.self = o
	return o
}

// searchParamsOf returns the URL's URLSearchParams, the same object on
// every read.
func (e *env) searchParamsOf(u *urlObj) goja.Value {
	if u.sp == nil {
		u.params = &paramsObj{list: parseForm(u.u.Query()), url: u}
		e.urlSearchParamsClass()
		u.sp = e.vm.NewDynamicObject(u.params)
		_ = u.sp.SetPrototype(e.protoCache["URLSearchParams"])
	}
	return u.sp
}

func (e *env) urlSearchParamsClass() goja.Value {
	if c, ok := e.built("URLSearchParams"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("URLSearchParams", func(call goja.ConstructorCall) *goja.Object {
		p := &paramsObj{list: e.paramsInit(call.Argument(0))}
		o := vm.NewDynamicObject(p)
		_ = o.SetPrototype(call.This.Prototype())
		return o
	})
	this := func(c goja.FunctionCall, name string) *paramsObj {
		return thisAs[*paramsObj](e, c, "URLSearchParams", name)
	}
	need := func(c goja.FunctionCall, n int, name string) {
		if len(c.Arguments) < n {
			e.typeError("URLSearchParams.%s: %d arguments required, but only %d present", name, n, len(c.Arguments))
		}
	}
	e.getter(proto, "size", func(c goja.FunctionCall) goja.Value { return vm.ToValue(len(this(c, "size").list)) })
	e.method(proto, "append", func(c goja.FunctionCall) goja.Value {
		p := this(c, "append")
		need(c, 2, "append")
		p.list = append(p.list, pair{e.toUSV(c.Argument(0)), e.toUSV(c.Argument(1))})
		p.update()
		return goja.Undefined()
	})
	// match reports whether a pair matches delete's and has' arguments.
	match := func(c goja.FunctionCall) func(pair) bool {
		name := e.toUSV(c.Argument(0))
		if v := c.Argument(1); !goja.IsUndefined(v) {
			value := e.toUSV(v)
			return func(p pair) bool { return p.name == name && p.value == value }
		}
		return func(p pair) bool { return p.name == name }
	}
	e.method(proto, "delete", func(c goja.FunctionCall) goja.Value {
		p := this(c, "delete")
		need(c, 1, "delete")
		p.list = slices.DeleteFunc(p.list, match(c))
		p.update()
		return goja.Undefined()
	})
	e.method(proto, "has", func(c goja.FunctionCall) goja.Value {
		p := this(c, "has")
		need(c, 1, "has")
		return vm.ToValue(slices.ContainsFunc(p.list, match(c)))
	})
	e.method(proto, "get", func(c goja.FunctionCall) goja.Value {
		p := this(c, "get")
		need(c, 1, "get")
		name := e.toUSV(c.Argument(0))
		for _, kv := range p.list {
			if kv.name == name {
				return vm.ToValue(kv.value)
			}
		}
		return goja.Null()
	})
	e.method(proto, "getAll", func(c goja.FunctionCall) goja.Value {
		p := this(c, "getAll")
		need(c, 1, "getAll")
		name := e.toUSV(c.Argument(0))
		var out []any
		for _, kv := range p.list {
			if kv.name == name {
				out = append(out, kv.value)
			}
		}
		return vm.NewArray(out...)
	})
	e.method(proto, "set", func(c goja.FunctionCall) goja.Value {
		p := this(c, "set")
		need(c, 2, "set")
		name, value := e.toUSV(c.Argument(0)), e.toUSV(c.Argument(1))
		found := false
		p.list = slices.DeleteFunc(p.list, func(kv pair) bool {
			if kv.name != name {
				return false
			}
			if found {
				return true
			}
			found = true
			return false
		})
		if i := slices.IndexFunc(p.list, func(kv pair) bool { return kv.name == name }); i >= 0 {
			p.list[i].value = value
		} else {
			p.list = append(p.list, pair{name, value})
		}
		p.update()
		return goja.Undefined()
	})
	e.method(proto, "sort", func(c goja.FunctionCall) goja.Value {
		p := this(c, "sort")
		keys := make([][]uint16, len(p.list))
		idx := make([]int, len(p.list))
		for i, kv := range p.list {
			keys[i], idx[i] = utf16.Encode([]rune(kv.name)), i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return slices.Compare(keys[a], keys[b]) })
		sorted := make([]pair, len(idx))
		for i, j := range idx {
			sorted[i] = p.list[j]
		}
		p.list = sorted
		p.update()
		return goja.Undefined()
	})
	e.method(proto, "toString", func(c goja.FunctionCall) goja.Value {
		list := this(c, "toString").list
		e.checkAlloc(formLen(list, e.allocCap()), "URLSearchParams.prototype.toString")
		return vm.ToValue(serializeForm(list))
	})
	e.method(proto, "forEach", func(c goja.FunctionCall) goja.Value {
		p := this(c, "forEach")
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			e.typeError("URLSearchParams.forEach: the callback is not a function")
		}
		// The list is live: a callback that appends is visited, one that
		// deletes shortens the walk, as in browsers.
		for i := 0; i < len(p.list); i++ {
			kv := p.list[i]
			if _, err := fn(c.Argument(1), vm.ToValue(kv.value), vm.ToValue(kv.name), c.This); err != nil {
				e.throw(err)
			}
		}
		return goja.Undefined()
	})
	iterProto := e.paramsIteratorProto()
	iter := func(name string, kind int) {
		e.method(proto, name, func(c goja.FunctionCall) goja.Value {
			p := this(c, name)
			o := vm.NewDynamicObject(&paramsIter{p: p, kind: kind})
			_ = o.SetPrototype(iterProto)
			return o
		})
	}
	iter("entries", 2)
	iter("keys", 0)
	iter("values", 1)
	_ = proto.DefineDataPropertySymbol(goja.SymIterator, proto.Get("entries"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return c
}

// paramsInit converts the constructor's init argument: a sequence of
// pairs, a record, or a string (a leading "?" dropped).
func (e *env) paramsInit(v goja.Value) []pair {
	if goja.IsUndefined(v) || v == nil {
		return nil
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return parseForm(strings.TrimPrefix(e.toUSV(v), "?"))
	}
	if m := o.GetSymbol(goja.SymIterator); !isNullish(m) {
		fn, ok := goja.AssertFunction(m)
		if !ok {
			e.typeError("URLSearchParams: the init's Symbol.iterator is not a function")
		}
		var out []pair
		for i, item := range e.objectSequence(o, fn, "URLSearchParams: init") {
			io := item.(*goja.Object)
			im := io.GetSymbol(goja.SymIterator)
			ifn, ok := goja.AssertFunction(im)
			if isNullish(im) || !ok {
				e.typeError("URLSearchParams: init item %d is not iterable", i)
			}
			kv := e.valueSequence(io, ifn, 3)
			if len(kv) != 2 {
				e.typeError("URLSearchParams: init item %d must be a pair [name, value]", i)
			}
			out = append(out, pair{e.toUSV(kv[0]), e.toUSV(kv[1])})
		}
		return out
	}
	// A record<USVString, USVString>: the own enumerable string keys, read
	// as JS values (Object.keys, Reflect.get) so that a key with a lone
	// surrogate still finds its value.
	keysFn, ok1 := goja.AssertFunction(e.intrinsicMember("Object", "keys"))
	getFn, ok2 := goja.AssertFunction(e.intrinsicMember("Reflect", "get"))
	if !ok1 || !ok2 {
		e.typeError("URLSearchParams: Object.keys or Reflect.get is not available")
	}
	kv, err := keysFn(nil, o)
	if err != nil {
		e.throw(err)
	}
	keys, ok := kv.(*goja.Object)
	if !ok {
		e.typeError("URLSearchParams: Object.keys did not return an array")
	}
	n := keys.Get("length").ToInteger()
	var out []pair
	for i := int64(0); i < n; i++ {
		k := keys.Get(strconv.FormatInt(i, 10))
		v, err := getFn(nil, o, k)
		if err != nil {
			e.throw(err)
		}
		out = append(out, pair{e.toUSV(k), e.toUSV(v)})
	}
	return out
}

// valueSequence runs the iterator protocol on obj, reading at most max
// items (enough to tell a pair from anything else).
func (e *env) valueSequence(obj *goja.Object, method goja.Callable, max int) []goja.Value {
	itv, err := method(obj)
	if err != nil {
		e.throw(err)
	}
	it, ok := itv.(*goja.Object)
	if !ok {
		e.typeError("Symbol.iterator did not return an object")
	}
	next, ok := goja.AssertFunction(it.Get("next"))
	if !ok {
		e.typeError("the iterator has no next method")
	}
	var out []goja.Value
	for len(out) < max {
		rv, err := next(it)
		if err != nil {
			e.throw(err)
		}
		res, ok := rv.(*goja.Object)
		if !ok {
			e.typeError("the iterator result is not an object")
		}
		if res.Get("done").ToBoolean() {
			break
		}
		out = append(out, res.Get("value"))
	}
	return out
}

// paramsIter is a URLSearchParams Iterator: live over the list.
type paramsIter struct {
	hostObject
	p    *paramsObj
	i    int
	kind int // 0 keys, 1 values, 2 entries
}

// paramsIteratorProto is %URLSearchParamsIteratorPrototype%.
func (e *env) paramsIteratorProto() *goja.Object {
	vm := e.vm
	proto := vm.NewObject()
	// %IteratorPrototype%, the prototype of %ArrayIteratorPrototype%.
	arr := vm.NewArray()
	if f, ok := goja.AssertFunction(arr.GetSymbol(goja.SymIterator)); ok {
		if ai, err := f(arr); err == nil {
			if o, ok := ai.(*goja.Object); ok && o.Prototype() != nil && o.Prototype().Prototype() != nil {
				_ = proto.SetPrototype(o.Prototype().Prototype())
			}
		}
	}
	e.own(proto, "URLSearchParams Iterator")
	e.method(proto, "next", func(c goja.FunctionCall) goja.Value {
		it := thisAs[*paramsIter](e, c, "URLSearchParams Iterator", "next")
		res := vm.NewObject()
		if it.p == nil || it.i >= len(it.p.list) {
			it.p = nil
			_ = res.Set("value", goja.Undefined())
			_ = res.Set("done", true)
			return res
		}
		kv := it.p.list[it.i]
		it.i++
		switch it.kind {
		case 0:
			_ = res.Set("value", kv.name)
		case 1:
			_ = res.Set("value", kv.value)
		default:
			_ = res.Set("value", vm.NewArray(kv.name, kv.value))
		}
		_ = res.Set("done", false)
		return res
	})
	_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("URLSearchParams Iterator"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return proto
}
