package clone

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
	"github.com/isobox/isobox/internal/gojax"
)

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
	r      *goja.Runtime
	in     *Codec
	pc     HostCodec
	m      *Message
	g      *graph
	max    int64
	thrown bool // Options.Thrown

	objs     []*goja.Object         // node index -> source object
	seen     map[*goja.Object]int32 // used once objs is longer than linearSeen
	useMap   bool
	stack    []cframe
	pending  []goja.Value
	transfer []*goja.Object         // the transfer list
	tbuf     []int32                // bufs index of each transferred buffer, or -1
	tidx     map[*goja.Object]int32 // transfer index, for a long transfer list
}

const linearTransfer = 8 // up to this many transferred buffers, look them up linearly

// transferIndex returns the index of o in the transfer list, or -1.
func (c *cloner) transferIndex(o *goja.Object) int32 {
	if c.tidx != nil {
		if i, ok := c.tidx[o]; ok {
			return i
		}
		return -1
	}
	for i, t := range c.transfer {
		if t == o {
			return int32(i)
		}
	}
	return -1
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
		return &SizeError{Max: c.max, Seen: c.m.size}
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
	c.tidx = nil
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

// Clone copies v, a value of runtime r, into a Message, running on r's
// goroutine. transfer is the transfer list (nil or empty for none); on
// success the listed ArrayBuffers are detached in r and their bytes move into
// the message without a copy. hosts turns host handles (ports and the like)
// into references; nil makes every host object a DataCloneError.
//
// Errors: an *Error (DataCloneError) for unclonable values and bad transfer
// lists, a *SizeError when opt.MaxBytes is exceeded, and the
// *goja.Exception thrown by a getter, unchanged. goja's uncatchable errors
// (*goja.InterruptedError) raised in a getter are returned unchanged too: the
// caller must re-panic them (as it must re-throw an exception). On any error
// nothing is detached.
func (in *Codec) Clone(r *goja.Runtime, hosts HostCodec, v goja.Value, transfer []goja.Value, opt Options) (*Message, error) {
	m, detach, err := in.CloneDeferred(r, hosts, v, transfer, opt)
	if err != nil {
		return nil, err
	}
	detach()
	return m, nil
}

// noDetach is the detach of a clone that transferred nothing.
func noDetach() {}

// CloneDeferred is Clone (on r's goroutine, like it), except that the
// transferred ArrayBuffers are detached only when detach is called, so that
// a caller can still refuse to send the message (a full mailbox) and leave
// the sender's buffers untouched. Until detach runs the message shares those buffers' bytes with
// r: the caller must call detach on r's goroutine before any JS of r runs
// again, or else drop the message unsent. detach is never nil on success and
// does nothing when nothing was transferred.
func (in *Codec) CloneDeferred(r *goja.Runtime, hosts HostCodec, v goja.Value, transfer []goja.Value, opt Options) (m *Message, detach func(), err error) {
	if _, isObj := v.(*goja.Object); !isObj && len(transfer) == 0 {
		p, n, err := clonePrimitive(v)
		if err != nil {
			return nil, nil, err
		}
		if opt.MaxBytes > 0 && n > opt.MaxBytes {
			return nil, nil, &SizeError{Max: opt.MaxBytes, Seen: n}
		}
		return &Message{prim: p, size: n}, noDetach, nil
	}
	if r == nil || in == nil {
		return nil, nil, ErrInvalidArgument
	}
	c := in.cl
	if c == nil {
		c = &cloner{}
	}
	in.cl = nil // a getter may clone re-entrantly: it gets its own scratch
	c.r, c.in, c.pc, c.max, c.thrown = r, in, hosts, opt.MaxBytes, opt.Thrown
	defer func() {
		if x := recover(); x != nil {
			m, detach, err = nil, nil, recoverToError(x)
		}
		c.reset()
		in.cl = c
	}()

	var inner error
	var moved []goja.ArrayBuffer
	if ex := r.Try(func() { m, moved, inner = c.run(v, transfer) }); ex != nil {
		return nil, nil, ex
	}
	if inner != nil {
		return nil, nil, inner
	}
	if len(moved) == 0 {
		return m, noDetach, nil
	}
	return m, func() {
		for _, ab := range moved {
			ab.Detach()
		}
		moved = nil
	}, nil
}

// run clones v and returns the transferred buffers, whose bytes the message
// now holds, for the caller to detach.
func (c *cloner) run(v goja.Value, transfer []goja.Value) (*Message, []goja.ArrayBuffer, error) {
	// Validate the transfer list before anything else: nothing is detached
	// unless the whole clone succeeds.
	for i, t := range transfer {
		o, ok := t.(*goja.Object)
		if !ok {
			return nil, nil, cloneErrorf("transfer list item %d is not an ArrayBuffer", i)
		}
		if k, _ := c.kindOf(o); k != gojax.ArrayBuffer {
			return nil, nil, cloneErrorf("transfer list item %d is not an ArrayBuffer", i)
		}
		if c.transferIndex(o) >= 0 {
			return nil, nil, cloneErrorf("ArrayBuffer at index %d is listed twice in the transfer list", i)
		}
		if o.Export().(goja.ArrayBuffer).Detached() {
			return nil, nil, cloneErrorf("ArrayBuffer at index %d of the transfer list is already detached", i)
		}
		c.transfer = append(c.transfer, o)
		c.tbuf = append(c.tbuf, -1)
		if c.tidx != nil {
			c.tidx[o] = int32(i)
		} else if len(c.transfer) > linearTransfer {
			c.tidx = make(map[*goja.Object]int32, len(transfer))
			for j, x := range c.transfer {
				c.tidx[x] = int32(j)
			}
		}
	}

	c.m = newGraphMessage()
	c.g = c.m.g
	root, err := c.encode(v)
	if err != nil {
		return nil, nil, err
	}
	c.m.root = root
	if err := c.walk(); err != nil {
		return nil, nil, err
	}

	// Move the transferred buffers: re-check first (a getter may have
	// detached one), then take the bytes; the caller detaches them.
	for i, o := range c.transfer {
		if o.Export().(goja.ArrayBuffer).Detached() {
			return nil, nil, cloneErrorf("ArrayBuffer at index %d of the transfer list was detached while cloning", i)
		}
	}
	var moved []goja.ArrayBuffer
	if len(c.transfer) > 0 {
		moved = make([]goja.ArrayBuffer, len(c.transfer))
	}
	for i, o := range c.transfer {
		ab := o.Export().(goja.ArrayBuffer)
		if bi := c.tbuf[i]; bi >= 0 {
			c.g.bufs[bi].data = ab.Bytes()
		}
		moved[i] = ab
	}
	return c.m, moved, nil
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
			if v = gojax.PlainGet(f.obj, k); v == nil {
				var err error
				if v, err = c.get(f.obj, k); err != nil {
					return err
				}
			}
		case fDense:
			var ok bool
			if v, ok = gojax.ArrayElement(f.obj, int(i)); !ok {
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
	g := c.g
	if o == c.r.GlobalObject() {
		// An isolate's global is its WorkerGlobalScope: a platform object,
		// which HTML does not serialize (the built-in prototypes and
		// namespaces are ordinary objects and clone as such).
		return 0, cloneErrorf("the global object could not be cloned")
	}
	kind, rejected := c.kindOf(o)
	if kind == gojax.Unknown {
		if c.pc != nil {
			if p, ok := c.pc.HostRef(o); ok && p != nil {
				idx := g.addNode(kHost)
				c.remember(o)
				g.nodes[idx].a = int64(len(g.hosts))
				g.hosts = append(g.hosts, p)
				return idx, c.add(nodeBytes)
			}
		}
	}
	if err := c.add(nodeBytes); err != nil {
		return 0, err
	}
	switch kind {
	case gojax.Plain:
		idx := g.addNode(kObject)
		c.remember(o)
		return idx, c.pushObject(idx, o, true)

	case gojax.Array:
		idx := g.addNode(kArray)
		c.remember(o)
		if n, ok := gojax.DenseArrayLen(o); ok {
			if err := c.add(n * slotBytes); err != nil {
				return 0, err
			}
			sb := g.reserve(int(n))
			nd := &g.nodes[idx]
			nd.a, nd.s, nd.n = n, sb, int32(n)
			c.push(cframe{obj: o, kind: fDense, n: int32(n), sb: sb})
			return idx, nil
		}
		g.nodes[idx].flags |= flagGeneric
		g.nodes[idx].a = o.Get("length").ToInteger()
		return idx, c.pushObject(idx, o, false)

	case gojax.Map, gojax.Set:
		isMap := kind == gojax.Map
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

	case gojax.Date:
		idx := g.addNode(kDate)
		c.remember(o)
		tv, err := c.timeValue(o)
		if err != nil {
			return 0, err
		}
		g.nodes[idx].a = int64(math.Float64bits(tv))
		return idx, nil

	case gojax.RegExp:
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

	case gojax.ArrayBuffer:
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
		if i := c.transferIndex(o); i >= 0 {
			c.tbuf[i] = bi
			transferred = true
			g.transfer = true
		}
		if transferred {
			g.bufs = append(g.bufs, buffer{transferred: true})
		} else {
			g.bufs = append(g.bufs, buffer{data: append(make([]byte, 0, len(data)), data...)})
		}
		return idx, nil

	case gojax.TypedArray, gojax.DataView:
		var get goja.Callable
		var err error
		if kind == gojax.TypedArray {
			get, err = c.in.getter(c.r, &c.in.taBuffer, gTypedArray0, true, "buffer")
		} else {
			get, err = c.in.getter(c.r, &c.in.dvBuffer, gDataView, false, "buffer")
		}
		if err != nil {
			return 0, err
		}
		idx := g.addNode(kTypedArray)
		if kind == gojax.DataView {
			g.nodes[idx].kind = kDataView
		}
		c.remember(o)
		sub, off, n, bo, err := c.view(o, kind, get)
		if err != nil {
			return 0, err
		}
		g.nodes[idx].sub = sub
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

	case gojax.Error:
		return c.encodeError(o)

	case gojax.PrimitiveWrapper, gojax.StringWrapper:
		var p goja.Value
		if kind == gojax.StringWrapper {
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
				if o.ClassName() != "Number" {
					return 0, cloneErrorf("Symbol object could not be cloned")
				}
				// Number.prototype, whose [[NumberData]] is always +0.
				p = noRuntime.ToValue(int64(0))
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

	case gojax.Rejected:
		return 0, cloneErrorf("%s could not be cloned", rejected)
	}
	if _, ok := goja.AssertFunction(o); ok {
		return 0, cloneErrorf("function could not be cloned")
	}
	return 0, hostObjectError(o)
}

// hostObjectError is the DataCloneError of a host object. It names the
// object's JS class when the Go value behind it implements HostObject, and
// never names a Go type.
func hostObjectError(o *goja.Object) error {
	if h, ok := o.Export().(HostObject); ok {
		if name := h.JSClassName(); name != "" {
			return cloneErrorf("%s could not be cloned", name)
		}
	}
	return cloneErrorf("host object could not be cloned")
}

// pushObject stores the own enumerable string keys of node idx and
// schedules reading their values.
func (c *cloner) pushObject(idx int32, o *goja.Object, plain bool) error {
	g := c.g
	kb := len(g.keys)
	ok := false
	if plain {
		g.keys, ok = gojax.PlainKeys(o, g.keys, keyOfName)
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
	nameVal := o.Get("name")
	nv, nameIsString := nameVal.(goja.String)
	if nameIsString {
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
	if c.thrown {
		if err := c.thrownProps(idx, o, nameVal, nameIsString && t == errError && nv.String() != "Error", has("name")); err != nil {
			return 0, err
		}
	}
	np := int32(len(g.keys)) - kb
	if err := c.add(int64(np) * slotBytes); err != nil {
		return 0, err
	}
	sb := g.reserve(int(np))
	nd := &g.nodes[idx]
	nd.s, nd.k, nd.np = sb, kb, np
	if nd.flags&flagEnum != 0 {
		nd.a -= int64(kb) // stored as an absolute key index until now
	}
	c.stack = append(c.stack, cframe{kind: fPending, n: np, sb: sb, pb: int32(pb)})
	return idx, nil
}

// thrownProps adds what Options.Thrown keeps of error node idx beyond HTML:
// its name (when it is an own property, or a name the class does not give)
// and its own enumerable string keys. The name goes with the other
// non-enumerable keys; the enumerable keys follow, from nd.a on.
func (c *cloner) thrownProps(idx int32, o *goja.Object, name goja.Value, oddName, ownName bool) error {
	g := c.g
	enumKeys := o.Keys()
	isEnum := func(k string) bool {
		for _, e := range enumKeys {
			if e == k {
				return true
			}
		}
		return false
	}
	if (ownName || oddName) && !isEnum("name") {
		if name == nil {
			name = goja.Undefined()
		}
		g.keys = append(g.keys, "name")
		c.pending = append(c.pending, name)
	}
	g.nodes[idx].flags |= flagEnum
	g.nodes[idx].a = int64(len(g.keys))
	n := int64(0)
	for _, k := range enumKeys {
		switch k {
		case "message", "stack", "cause":
			continue // kept above, non-enumerable as on a new error
		}
		v, err := c.get(o, k)
		if err != nil {
			return err
		}
		g.keys = append(g.keys, k)
		c.pending = append(c.pending, v)
		n += int64(len(k))
	}
	return c.add(n)
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
