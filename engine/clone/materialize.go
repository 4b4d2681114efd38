package clone

import (
	"math"
	"reflect"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// ---------------------------------------------------------------------------
// Materializing.

type materializer struct {
	r     *goja.Runtime
	in    *Codec
	pc    HostCodec
	g     *graph
	vals  []goja.Value
	items []any
	take  bool // hand transferred buffers over

	// The host values made so far, so that a pointer reference that occurs
	// twice (through two handles of the sender) arrives as one object.
	hosts   []hostVal
	hostMap map[any]goja.Value // used once hosts is longer than linearSeen
}

func isPointer(ref any) bool {
	return ref != nil && reflect.TypeOf(ref).Kind() == reflect.Pointer
}

type hostVal struct {
	ref any
	v   goja.Value
}

// hostSeen returns the value already made for ref in this materialization.
// Only pointer references are identities; anything else is made again each
// time it occurs (and never compared, which could panic).
func (mt *materializer) hostSeen(ref any) (goja.Value, bool) {
	if !isPointer(ref) {
		return nil, false
	}
	if mt.hostMap != nil {
		v, ok := mt.hostMap[ref]
		return v, ok
	}
	for _, h := range mt.hosts {
		if h.ref == ref {
			return h.v, true
		}
	}
	return nil, false
}

// rememberHost records the value made for a pointer reference ref.
func (mt *materializer) rememberHost(ref any, v goja.Value) {
	if !isPointer(ref) {
		return
	}
	if mt.hostMap != nil {
		mt.hostMap[ref] = v
		return
	}
	mt.hosts = append(mt.hosts, hostVal{ref, v})
	if len(mt.hosts) > linearSeen {
		mt.hostMap = make(map[any]goja.Value, 2*len(mt.hosts))
		for _, h := range mt.hosts {
			mt.hostMap[h.ref] = h.v
		}
	}
}

func (mt *materializer) reset() {
	clear(mt.vals)
	mt.vals = mt.vals[:0]
	clear(mt.items)
	mt.items = mt.items[:0]
	clear(mt.hosts)
	mt.hosts = mt.hosts[:0]
	mt.hostMap = nil
	mt.r, mt.in, mt.pc, mt.g = nil, nil, nil, nil
	if cap(mt.vals) > 1<<16 { // do not pin a huge scratch
		mt.vals, mt.items = nil, nil
	}
}

// Materialize makes m a value of runtime r, on r's goroutine. A message that
// carries transferred ArrayBuffers can be materialized once; later calls fail
// with an *Error. hosts makes the JS handles of the message's host
// references; with nil a message that carries one fails. Errors from the
// runtime's built-ins (if a script broke them before they were first
// needed) are returned as they are.
func (in *Codec) Materialize(r *goja.Runtime, hosts HostCodec, m *Message) (res goja.Value, err error) {
	if m == nil || r == nil || in == nil {
		return nil, ErrInvalidArgument
	}
	g := m.g
	if g == nil {
		if m.prim == nil {
			return goja.Undefined(), nil
		}
		return m.prim, nil
	}
	if g.transfer && !g.consumed.CompareAndSwap(false, true) {
		return nil, &Error{Msg: "the message's transferred ArrayBuffers were already received"}
	}
	mt := in.mt
	if mt == nil {
		mt = &materializer{}
	}
	in.mt = nil
	mt.r, mt.in, mt.pc, mt.g, mt.take = r, in, hosts, g, g.transfer
	defer func() {
		if x := recover(); x != nil {
			res, err = nil, recoverToError(x)
		}
		mt.reset()
		in.mt = mt
	}()
	var inner error
	if ex := r.Try(func() { res, inner = mt.run(m.root) }); ex != nil {
		return nil, ex
	}
	if inner != nil {
		return nil, inner
	}
	return res, nil
}

func (mt *materializer) value(s int32) goja.Value {
	if s < 0 {
		return mt.g.prims[^s]
	}
	return mt.vals[s]
}

func (mt *materializer) run(root int32) (goja.Value, error) {
	if root < 0 {
		return mt.g.prims[^root], nil
	}
	g := mt.g
	n := len(g.nodes)
	if cap(mt.vals) < n {
		mt.vals = make([]goja.Value, n)
	} else {
		mt.vals = mt.vals[:n]
	}
	// Pass 1: create every object that others may refer to before it is
	// complete: all but the dense arrays that are referenced only once,
	// which pass 2 builds in one go from their finished elements.
	for i := range g.nodes {
		if mt.vals[i] != nil {
			continue // an ArrayBuffer created early for a view
		}
		if err := mt.create(int32(i)); err != nil {
			return nil, err
		}
	}
	// Pass 2, in reverse: fill the containers. A child first reached from
	// node i has a higher index, so it is complete; a lower index is a
	// shared node and was created in pass 1.
	for i := n - 1; i >= 0; i-- {
		if err := mt.fill(int32(i)); err != nil {
			return nil, err
		}
	}
	return mt.vals[root], nil
}

func (mt *materializer) create(i int32) error {
	g, r, in := mt.g, mt.r, mt.in
	nd := &g.nodes[i]
	var o goja.Value
	switch nd.kind {
	case kObject:
		// Without a prototype until it is filled, so that assigning its
		// properties cannot reach a setter on Object.prototype.
		o = r.CreateObject(nil)
	case kArray:
		switch {
		case nd.flags&flagGeneric != 0:
			o = r.NewArray()
		case nd.flags&flagShared != 0:
			// Pre-filled with nulls so that pass 2 assigns the elements as
			// existing own data properties (nothing inherited is consulted).
			o = r.NewArray(mt.scratch(int(nd.n))...)
		default:
			return nil // built in pass 2
		}
	case kMap, kSet:
		id := gMap
		if nd.kind == kSet {
			id = gSet
		}
		ctor, err := in.global(r, id)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor)
		if err != nil {
			return err
		}
		o = obj
	case kDate:
		ctor, err := in.global(r, gDate)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor, r.ToValue(math.Float64frombits(uint64(nd.a))))
		if err != nil {
			return err
		}
		o = obj
	case kRegExp:
		ctor, err := in.global(r, gRegExp)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor, mt.value(g.slots[nd.s]), mt.value(g.slots[nd.s+1]))
		if err != nil {
			return err
		}
		o = obj
	case kArrayBuffer:
		b := &g.bufs[nd.a]
		data := b.data
		if b.transferred {
			// Handed over without a copy: the receiver owns the bytes now
			// (toJS lets only one receive through).
			if !mt.take {
				return &Error{Msg: "the message's transferred ArrayBuffers were already received"}
			}
		} else {
			data = append(make([]byte, 0, len(data)), data...)
		}
		// Through gojax: the family's constructor guards are installed
		// first (the buffer's constructor is reachable from it).
		ab, err := gojax.NewArrayBuffer(r, data)
		if err != nil {
			return err
		}
		o = r.ToValue(ab)
	case kTypedArray, kDataView:
		bi := g.slots[nd.s]
		if bi < 0 || g.nodes[bi].kind != kArrayBuffer {
			return &Error{Msg: "corrupt message: view without a buffer"}
		}
		if mt.vals[bi] == nil {
			if err := mt.create(bi); err != nil {
				return err
			}
		}
		id := gDataView
		if nd.kind == kTypedArray {
			id = gTypedArray0 + int(nd.sub)
		}
		ctor, err := in.global(r, id)
		if err != nil {
			return err
		}
		obj, err := r.New(ctor, mt.vals[bi], r.ToValue(nd.a), r.ToValue(nd.b))
		if err != nil {
			return err
		}
		o = obj
	case kError:
		ctor, err := in.global(r, gError)
		if err != nil {
			return err
		}
		var obj *goja.Object
		if mi := g.findKey(nd, "message"); mi >= 0 {
			obj, err = r.New(ctor, mt.value(g.slots[nd.s+nd.n+mi]))
		} else {
			obj, err = r.New(ctor)
		}
		if err != nil {
			return err
		}
		if nd.sub != errError {
			p, err := in.errorProto(r, nd.sub)
			if err != nil {
				return err
			}
			if err := obj.SetPrototype(p); err != nil {
				return err
			}
		}
		o = obj
	case kWrapper:
		o = mt.value(g.slots[nd.s]).ToObject(r)
	case kHost:
		if mt.pc == nil {
			return &Error{Msg: "a host object (a port, say) could not be received here"}
		}
		ref := g.hosts[nd.a]
		if v, ok := mt.hostSeen(ref); ok {
			o = v
			break
		}
		pv, err := mt.pc.HostValue(ref)
		if err != nil {
			return err
		}
		mt.rememberHost(ref, pv)
		o = pv
	default:
		return &Error{Msg: "corrupt message"}
	}
	mt.vals[i] = o
	return nil
}

func (g *graph) findKey(nd *node, key string) int32 {
	for j := int32(0); j < nd.np; j++ {
		if g.keys[nd.k+j] == key {
			return j
		}
	}
	return -1
}

func (mt *materializer) scratch(n int) []any {
	if cap(mt.items) < n {
		mt.items = make([]any, n)
	}
	mt.items = mt.items[:n]
	clear(mt.items)
	return mt.items
}

func (mt *materializer) defineProps(o *goja.Object, nd *node) error {
	g := mt.g
	ps := nd.s + nd.n
	for j := int32(0); j < nd.np; j++ {
		k, v := g.keys[nd.k+j], mt.value(g.slots[ps+j])
		var err error
		if isRawKey(k) {
			err = mt.defineRaw(o, k, v)
		} else {
			err = o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// defineRaw defines a data property whose key has a lone surrogate.
func (mt *materializer) defineRaw(o *goja.Object, k string, v goja.Value) error {
	f, err := mt.in.function(mt.r, &mt.in.reflectDefine, "Reflect", "defineProperty")
	if err != nil {
		return err
	}
	d := mt.r.CreateObject(nil)
	for _, p := range [...]string{"writable", "enumerable", "configurable"} {
		if err := d.Set(p, true); err != nil {
			return err
		}
	}
	if err := d.Set("value", v); err != nil {
		return err
	}
	_, err = f(nil, o, rawKeyValue(k), d)
	return err
}

func (mt *materializer) fill(i int32) error {
	g, r, in := mt.g, mt.r, mt.in
	nd := &g.nodes[i]
	switch nd.kind {
	case kObject:
		o := mt.vals[i].(*goja.Object)
		for j := int32(0); j < nd.np; j++ {
			k, v := g.keys[nd.k+j], mt.value(g.slots[nd.s+j])
			var err error
			if isRawKey(k) {
				err = mt.defineRaw(o, k, v)
			} else {
				err = o.Set(k, v)
			}
			if err != nil {
				return err
			}
		}
		return o.SetPrototype(in.objectPrototype(r))
	case kArray:
		switch {
		case nd.flags&flagGeneric != 0:
			o := mt.vals[i].(*goja.Object)
			if err := mt.defineProps(o, nd); err != nil {
				return err
			}
			return o.Set("length", nd.a)
		case nd.flags&flagShared != 0:
			o := mt.vals[i].(*goja.Object)
			for j := int32(0); j < nd.n; j++ {
				if err := o.Set(indexKey(int(j)), mt.value(g.slots[nd.s+j])); err != nil {
					return err
				}
			}
			return mt.defineProps(o, nd)
		default:
			items := mt.scratch(int(nd.n))
			for j := range items {
				items[j] = mt.value(g.slots[nd.s+int32(j)])
			}
			o := r.NewArray(items...)
			mt.vals[i] = o
			return mt.defineProps(o, nd)
		}
	case kMap, kSet:
		var add goja.Callable
		var err error
		step := int32(1)
		if nd.kind == kMap {
			add, err = in.method(r, &in.mapSet, gMap, "set")
			step = 2
		} else {
			add, err = in.method(r, &in.setAdd, gSet, "add")
		}
		if err != nil {
			return err
		}
		o := mt.vals[i]
		for j := int32(0); j+step <= nd.n; j += step {
			if step == 2 {
				_, err = add(o, mt.value(g.slots[nd.s+j]), mt.value(g.slots[nd.s+j+1]))
			} else {
				_, err = add(o, mt.value(g.slots[nd.s+j]))
			}
			if err != nil {
				return err
			}
		}
	case kError:
		o := mt.vals[i].(*goja.Object)
		ps := nd.s + nd.n
		enum := int64(nd.np) // keys from enum on are enumerable (Options.Thrown)
		if nd.flags&flagEnum != 0 {
			enum = nd.a
		}
		for j := int32(0); j < nd.np; j++ {
			k := g.keys[nd.k+j]
			if k == "message" && int64(j) < enum {
				continue
			}
			flag := goja.FLAG_FALSE
			if int64(j) >= enum {
				flag = goja.FLAG_TRUE
			}
			var err error
			if isRawKey(k) {
				err = mt.defineRaw(o, k, mt.value(g.slots[ps+j]))
			} else {
				err = o.DefineDataProperty(k, mt.value(g.slots[ps+j]), goja.FLAG_TRUE, goja.FLAG_TRUE, flag)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
