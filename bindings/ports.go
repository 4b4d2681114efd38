package bindings

import (
	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// receivePortObj is the JS ReceivePort.
type receivePortObj struct {
	hostObject
	e     *env
	rp    *engine.ReceivePort
	sp    goja.Value   // the cached JS SendPort
	first *goja.Object // the cached .first promise
}

// JSClassName names the class in clone errors (clone.HostObject).
func (r *receivePortObj) JSClassName() string { return "ReceivePort" }

// keepAlive is the one own property of a ReceivePort: a boolean the
// script may set.
func (r *receivePortObj) Get(key string) goja.Value {
	if key == "keepAlive" {
		return r.e.vm.ToValue(r.rp.KeepAlive())
	}
	return nil
}

func (r *receivePortObj) Set(key string, v goja.Value) bool {
	switch key {
	case "keepAlive":
		r.rp.SetKeepAlive(v.ToBoolean())
		return true
	case "onmessage", "onmessageerror":
		// A Web-style handler would silently never run (and in strict mode
		// goja's own error says nothing useful): say what to do instead,
		// in sloppy code too.
		panic(r.e.vm.NewTypeError("ReceivePort has no " + key + " property: use receivePort.listen(handler) to receive messages"))
	}
	return false
}

func (r *receivePortObj) Has(key string) bool { return key == "keepAlive" }

func (r *receivePortObj) Keys() []string { return []string{"keepAlive"} }

func (e *env) receivePortClass() goja.Value {
	if c, ok := e.built("ReceivePort"); ok {
		return c
	}
	var proto *goja.Object
	c, proto := e.class("ReceivePort", func(call goja.ConstructorCall) *goja.Object {
		name := ""
		if a := call.Argument(0); !isNullish(a) {
			name = a.String()
		}
		r := &receivePortObj{e: e, rp: e.iso.NewReceivePort(name)}
		o := e.vm.NewDynamicObject(r)
		_ = o.SetPrototype(instanceProto(call, proto))
		return o
	})
	this := func(c goja.FunctionCall, m string) *receivePortObj {
		return thisAs[*receivePortObj](e, c, "ReceivePort", m)
	}
	e.getter(proto, "sendPort", func(c goja.FunctionCall) goja.Value {
		r := this(c, "sendPort")
		if r.sp == nil {
			r.sp = e.wrapSendPort(r.rp.SendPort())
		}
		return r.sp
	})
	e.getter(proto, "closed", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(this(c, "closed").rp.Closed())
	})
	e.method(proto, "listen", func(c goja.FunctionCall) goja.Value {
		r := this(c, "listen")
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			e.typeError("ReceivePort.listen: handler must be a function")
		}
		self := c.This
		r.rp.SetHandler(func(m *engine.Message) error {
			v, err := e.iso.Value(m)
			if err != nil {
				return err
			}
			_, err = fn(self, v)
			return err
		})
		return c.This
	})
	e.getter(proto, "first", func(c goja.FunctionCall) goja.Value {
		r := this(c, "first")
		if r.first != nil {
			return r.first
		}
		p, resolve, reject := e.promise()
		r.first = p
		r.rp.SetHandler(func(m *engine.Message) error {
			r.rp.Close()
			v, err := e.iso.Value(m)
			if err != nil {
				reject(e.jsError(err))
				return nil
			}
			resolve(v)
			return nil
		})
		return p
	})
	e.method(proto, "close", func(c goja.FunctionCall) goja.Value {
		this(c, "close").rp.Close()
		return goja.Undefined()
	})
	return c
}
