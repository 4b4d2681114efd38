package clone

import (
	"github.com/dop251/goja"
)

// ---------------------------------------------------------------------------
// Intrinsics.

// Built-in constructors the codec uses, looked up in the global object.
const (
	gObject = iota
	gMap
	gSet
	gDate
	gRegExp
	gString
	gDataView
	gWeakMap
	gWeakSet
	gTypedArray0                                      // typed array constructors, in typedArrayNames order
	gError       = gTypedArray0 + int(numTypedArrays) // error constructors, in errorNames order
	numGlobals   = gError + int(numErrorTypes)
)

func globalName(id int) string {
	switch {
	case id >= gError:
		return errorNames[id-gError]
	case id >= gTypedArray0:
		return typedArrayNames[id-gTypedArray0]
	}
	return [...]string{"Object", "Map", "Set", "Date", "RegExp", "String", "DataView", "WeakMap", "WeakSet"}[id]
}

// Codec is the codec's state for one runtime: it caches the pristine built-ins of that runtime: constructors,
// prototype methods and internal-slot getters. Each is fetched lazily, the
// first time a message needs it, so creating a runtime costs nothing.
//
// Materializing never calls anything the receiver's scripts can replace later:
// objects and arrays are built with goja's Go API, and their properties are
// defined, or assigned only where nothing inherited can intercept (on an
// object whose prototype is still null, or over an existing own data
// property). Whatever is captured here is captured on first use: a
// script that tampers with a built-in before its isolate first sends or
// receives a value that needs it can only corrupt its own values, never
// another isolate's or the host's (every message is validated when it is
// cloned and every runtime has its own intrinsics).
//
// The zero value is ready to use. One per runtime; it must only be used on
// that runtime's goroutine.
type Codec struct {
	globals [numGlobals]*goja.Object

	gopd                   goja.Callable // Object.getOwnPropertyDescriptor
	taBuffer, dvBuffer     goja.Callable // %TypedArray%.prototype.buffer, DataView.prototype.buffer getters
	taTag, taOffset        goja.Callable // %TypedArray%.prototype @@toStringTag and byteOffset getters (slow path)
	taLength               goja.Callable // %TypedArray%.prototype.length getter (slow path)
	dvOffset, dvLength     goja.Callable // DataView.prototype byteOffset and byteLength getters (slow path)
	dateGetTime            goja.Callable // Date.prototype.getTime (slow path)
	mapSize, setSize       goja.Callable // Map and Set size getters (slow path)
	weakMapHas, weakSetHas goja.Callable // WeakMap and WeakSet has (slow path)
	reSource, reFlags      goja.Callable // RegExp.prototype source and flags getters
	strValueOf             goja.Callable // String.prototype.valueOf
	objectKeys, reflectGet goja.Callable // Object.keys, Reflect.get (keys with lone surrogates)
	reflectDefine          goja.Callable // Reflect.defineProperty
	mapForEach, setForEach goja.Callable
	mapSet, setAdd         goja.Callable
	errProto               [numErrorTypes]*goja.Object
	objProto               *goja.Object // Object.prototype

	collectFn   goja.Value // native forEach callback
	collectPair bool       // Map.forEach: collect key and value
	collectBuf  []goja.Value

	cl *cloner       // scratch, reused when no clone is running
	mt *materializer // scratch, reused when no materialization is running
}

func (in *Codec) global(r *goja.Runtime, id int) (*goja.Object, error) {
	if o := in.globals[id]; o != nil {
		return o, nil
	}
	o, ok := r.GlobalObject().Get(globalName(id)).(*goja.Object)
	if !ok {
		return nil, &Error{Msg: globalName(id) + " is not available in this isolate"}
	}
	if _, ok := goja.AssertFunction(o); !ok {
		return nil, &Error{Msg: globalName(id) + " is not available in this isolate"}
	}
	in.globals[id] = o
	return o, nil
}

func (in *Codec) proto(r *goja.Runtime, id int) (*goja.Object, error) {
	c, err := in.global(r, id)
	if err != nil {
		return nil, err
	}
	p, ok := c.Get("prototype").(*goja.Object)
	if !ok {
		return nil, &Error{Msg: globalName(id) + ".prototype is not available in this isolate"}
	}
	return p, nil
}

func (in *Codec) method(r *goja.Runtime, slot *goja.Callable, id int, name string) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	p, err := in.proto(r, id)
	if err != nil {
		return nil, err
	}
	f, ok := goja.AssertFunction(p.Get(name))
	if !ok {
		return nil, &Error{Msg: globalName(id) + ".prototype." + name + " is not available in this isolate"}
	}
	*slot = f
	return f, nil
}

// getter captures the get function of an accessor property of id.prototype
// (or of its prototype, for %TypedArray%).
func (in *Codec) getter(r *goja.Runtime, slot *goja.Callable, id int, parent bool, name string) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	return in.getterOf(r, slot, id, parent, r.ToValue(name), name)
}

// getterSym is getter for a symbol-keyed accessor of %TypedArray%.prototype.
func (in *Codec) getterSym(r *goja.Runtime, slot *goja.Callable, id int, sym *goja.Symbol) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	return in.getterOf(r, slot, id, true, sym, sym.String())
}

func (in *Codec) getterOf(r *goja.Runtime, slot *goja.Callable, id int, parent bool, key goja.Value, name string) (goja.Callable, error) {
	p, err := in.proto(r, id)
	if err != nil {
		return nil, err
	}
	if parent {
		if p = p.Prototype(); p == nil {
			return nil, &Error{Msg: "%TypedArray%.prototype is not available in this isolate"}
		}
	}
	gopd, err := in.getOwnPropertyDescriptor(r)
	if err != nil {
		return nil, err
	}
	d, err := gopd(nil, p, key)
	if err != nil {
		return nil, err
	}
	var f goja.Callable
	if do, ok := d.(*goja.Object); ok {
		f, ok = goja.AssertFunction(do.Get("get"))
		if !ok {
			f = nil
		}
	}
	if f == nil {
		return nil, &Error{Msg: "the " + name + " getter of " + globalName(id) + " is not available in this isolate"}
	}
	*slot = f
	return f, nil
}

// getOwnPropertyDescriptor captures Object.getOwnPropertyDescriptor.
func (in *Codec) getOwnPropertyDescriptor(r *goja.Runtime) (goja.Callable, error) {
	if in.gopd == nil {
		oc, err := in.global(r, gObject)
		if err != nil {
			return nil, err
		}
		f, ok := goja.AssertFunction(oc.Get("getOwnPropertyDescriptor"))
		if !ok {
			return nil, &Error{Msg: "Object.getOwnPropertyDescriptor is not available in this isolate"}
		}
		in.gopd = f
	}
	return in.gopd, nil
}

// function captures the function namespace.name (e.g. Reflect.get).
func (in *Codec) function(r *goja.Runtime, slot *goja.Callable, namespace, name string) (goja.Callable, error) {
	if *slot != nil {
		return *slot, nil
	}
	if ns, ok := r.GlobalObject().Get(namespace).(*goja.Object); ok {
		if f, ok := goja.AssertFunction(ns.Get(name)); ok {
			*slot = f
			return f, nil
		}
	}
	return nil, &Error{Msg: namespace + "." + name + " is not available in this isolate"}
}

// objectPrototype returns the runtime's Object.prototype, which goja's Go API
// gives without consulting any global.
func (in *Codec) objectPrototype(r *goja.Runtime) *goja.Object {
	if in.objProto == nil {
		in.objProto = r.NewObject().Prototype()
	}
	return in.objProto
}

func (in *Codec) errorProto(r *goja.Runtime, t uint8) (*goja.Object, error) {
	if p := in.errProto[t]; p != nil {
		return p, nil
	}
	p, err := in.proto(r, gError+int(t))
	if err != nil {
		return nil, err
	}
	in.errProto[t] = p
	return p, nil
}

// collect runs a Map or Set forEach intrinsic and returns the collected
// entries (key, value pairs for a Map).
func (in *Codec) collect(r *goja.Runtime, forEach goja.Callable, o *goja.Object, pairs bool) ([]goja.Value, error) {
	if in.collectFn == nil {
		in.collectFn = r.ToValue(func(call goja.FunctionCall) goja.Value {
			if in.collectPair {
				in.collectBuf = append(in.collectBuf, call.Argument(1), call.Argument(0))
			} else {
				in.collectBuf = append(in.collectBuf, call.Argument(0))
			}
			return goja.Undefined()
		})
		if o, ok := in.collectFn.(*goja.Object); ok { // not Go's name, in a stack
			_ = o.DefineDataProperty("name", r.ToValue(""), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	savedBuf, savedPair := in.collectBuf, in.collectPair // re-entrancy safe
	in.collectBuf, in.collectPair = nil, pairs
	_, err := forEach(o, in.collectFn)
	out := in.collectBuf
	in.collectBuf, in.collectPair = savedBuf, savedPair
	return out, err
}
