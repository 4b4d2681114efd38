package bindings

import (
	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// BroadcastChannel (HTML, "Broadcasting to other browsing contexts"):
// every open channel of a name in the same Host, in any isolate, receives
// what another one posts, cloned. The registry is the engine's
// (Host.JoinBroadcast); each channel receives on a ReceivePort of its own.
// Channels in process isolates have their own process's registry: they
// reach only the channels of that worker process.

// broadcastObj is the JS BroadcastChannel.
type broadcastObj struct {
	targetState
	expando
	name   string
	rp     *engine.ReceivePort
	member *engine.BroadcastMember
	closed bool
}

// JSClassName names the class in clone errors (clone.HostObject).
func (b *broadcastObj) JSClassName() string { return "BroadcastChannel" }

func (b *broadcastObj) Get(k string) goja.Value         { return b.expando.Get(k) }
func (b *broadcastObj) Set(k string, v goja.Value) bool { return b.expando.Set(k, v) }
func (b *broadcastObj) Has(k string) bool               { return b.expando.Has(k) }
func (b *broadcastObj) Delete(k string) bool            { return b.expando.Delete(k) }
func (b *broadcastObj) Keys() []string                  { return b.expando.Keys() }
func (b *broadcastObj) eventTarget() *targetState       { return &b.targetState }

// keepAlive: an open channel with message listeners keeps its isolate
// alive (as in Node), until close().
func (b *broadcastObj) keepAlive() {
	b.rp.SetKeepAlive(!b.closed && b.has("message"))
}

func (e *env) broadcastChannelClass() goja.Value {
	if c, ok := e.built("BroadcastChannel"); ok {
		return c
	}
	var proto *goja.Object
	base := e.eventTargetClass().(*goja.Object)
	c, proto := e.class("BroadcastChannel", func(call goja.ConstructorCall) *goja.Object {
		e.needArgs(goja.FunctionCall{Arguments: call.Arguments}, 1, "BroadcastChannel")
		b := &broadcastObj{name: call.Argument(0).String()}
		o := e.vm.NewDynamicObject(b)
		_ = o.SetPrototype(instanceProto(call, proto))
		b.self = o
		b.rp = e.iso.NewReceivePort("broadcast")
		b.changed = b.keepAlive
		b.keepAlive()
		b.member = e.iso.Host().JoinBroadcast(b.name, b.rp)
		b.rp.SetHandler(func(m *engine.Message) error {
			if b.closed {
				return nil
			}
			v, err := e.iso.Value(m)
			if err != nil {
				ev := e.newEvent("MessageEvent", kindMessage, "messageerror")
				ev.data = goja.Null()
				e.fire(&b.targetState, ev)
				return nil
			}
			ev := e.newEvent("MessageEvent", kindMessage, "message")
			ev.data = v
			e.fire(&b.targetState, ev)
			return nil
		})
		return o
	})
	_ = proto.SetPrototype(e.protoCache["EventTarget"])
	_ = c.SetPrototype(base)
	this := func(c goja.FunctionCall, m string) *broadcastObj {
		return thisAs[*broadcastObj](e, c, "BroadcastChannel", m)
	}
	e.getter(proto, "name", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "name").name) })
	e.method(proto, "postMessage", func(c goja.FunctionCall) goja.Value {
		b := this(c, "postMessage")
		e.needArgs(c, 1, "BroadcastChannel.postMessage")
		if b.closed {
			e.throwDOMException("InvalidStateError", "BroadcastChannel.postMessage: the channel is closed")
		}
		m, err := e.iso.Clone(c.Argument(0), nil)
		if err != nil {
			e.throw(err)
		}
		b.member.Post(m)
		return goja.Undefined()
	})
	e.method(proto, "close", func(c goja.FunctionCall) goja.Value {
		b := this(c, "close")
		if !b.closed {
			b.closed = true
			b.rp.Close() // leaves the channel
		}
		return goja.Undefined()
	})
	e.handlerAttr(proto, "BroadcastChannel", "onmessage", "onmessageerror")
	e.setLength(c, "", 1)
	e.setLength(proto, "postMessage", 1)
	return c
}
