package bindings

import (
	"fmt"
	"reflect"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// MessageChannel and MessagePort (HTML, "Channel messaging"), built on the
// engine's mailboxes: a port is an engine.PortEnd attached to a
// ReceivePort of the isolate that holds it, and posting sends through the
// peer end's SendPort with the same clone, limits and stats as
// SendPort.send. A message travels as the array [data, ...ports], so that
// the receiver's MessageEvent.ports are the ports of the transfer list.

// expando holds the own properties a script gives a host object, so that
// `port.tag = 1` works as on any object.
type expando struct {
	m    map[string]goja.Value
	keys []string
}

func (x *expando) Get(k string) goja.Value { return x.m[k] }
func (x *expando) Has(k string) bool       { _, ok := x.m[k]; return ok }
func (x *expando) Set(k string, v goja.Value) bool {
	if x.m == nil {
		x.m = make(map[string]goja.Value)
	}
	if _, ok := x.m[k]; !ok {
		x.keys = append(x.keys, k)
	}
	x.m[k] = v
	return true
}
func (x *expando) Delete(k string) bool {
	if _, ok := x.m[k]; ok {
		delete(x.m, k)
		for i, y := range x.keys {
			if y == k {
				x.keys = append(x.keys[:i:i], x.keys[i+1:]...)
				break
			}
		}
	}
	return true
}
func (x *expando) Keys() []string { return append([]string(nil), x.keys...) }

// messagePortObj is the JS MessagePort.
type messagePortObj struct {
	targetState
	expando
	e            *env
	end          *engine.PortEnd // nil once transferred away (neutered)
	rp           *engine.ReceivePort
	started      bool
	closed       bool
	transferring bool // EnginePortEnd answers only while it is sent
}

// JSClassName names the class in clone errors (clone.HostObject).
func (p *messagePortObj) JSClassName() string { return "MessagePort" }

// EnginePortEnd lets the engine's clone carry the port's end, only while
// the port is being transferred: a port in a message but not in its
// transfer list is a DataCloneError, as in HTML. Called on the goroutine
// of the isolate that owns the port.
func (p *messagePortObj) EnginePortEnd() *engine.PortEnd {
	if p.transferring {
		return p.end
	}
	return nil
}

// Resolve ambiguities between the embedded hostObject and expando.
func (p *messagePortObj) Get(k string) goja.Value         { return p.expando.Get(k) }
func (p *messagePortObj) Set(k string, v goja.Value) bool { return p.expando.Set(k, v) }
func (p *messagePortObj) Has(k string) bool               { return p.expando.Has(k) }
func (p *messagePortObj) Delete(k string) bool            { return p.expando.Delete(k) }
func (p *messagePortObj) Keys() []string                  { return p.expando.Keys() }
func (p *messagePortObj) eventTarget() *targetState       { return &p.targetState }
func (p *messagePortObj) owner() *goja.Object             { return p.self }

// wrapPort makes the MessagePort object of an end that arrived in this
// isolate (or was made here), attaching the end to a new ReceivePort.
// Loop only.
func (e *env) wrapPort(end *engine.PortEnd) goja.Value {
	e.messagePortClass()
	p := &messagePortObj{e: e}
	o := e.vm.NewDynamicObject(p)
	_ = o.SetPrototype(e.protoCache["MessagePort"])
	p.self = o
	p.changed = p.keepAlive
	_ = p.attachTo(end)
	return o
}

// attachTo gives the port a fresh ReceivePort for end; the messages the
// end holds arrive first. Loop only.
func (p *messagePortObj) attachTo(end *engine.PortEnd) error {
	p.end = end
	p.rp = p.e.iso.NewReceivePort("")
	p.rp.SetKeepAlive(false)
	end.Attach(p.rp)
	if p.started {
		p.rp.SetHandler(p.receive)
	}
	p.keepAlive()
	return nil
}

// keepAlive makes an open, started port with message listeners keep its
// isolate alive, as an open ReceivePort does. Loop only.
func (p *messagePortObj) keepAlive() {
	if p.rp == nil {
		return
	}
	want := p.started && !p.closed && p.end != nil && !p.end.Closed() && p.has("message")
	p.rp.SetKeepAlive(want)
}

// start enables the port's message queue.
func (p *messagePortObj) start() {
	if p.started || p.closed || p.end == nil {
		return
	}
	p.started = true
	p.rp.SetHandler(p.receive)
	p.keepAlive()
}

// receive dispatches one message as a MessageEvent (or, if it cannot be
// received here, a messageerror event).
func (p *messagePortObj) receive(m *engine.Message) error {
	if p.closed || p.end == nil {
		return nil
	}
	p.e.deliverEnvelope(&p.targetState, m)
	return nil
}

// deliverEnvelope materializes a [data, ...ports] message and fires it at
// t as a message event, or fires messageerror if it cannot be received.
// Loop only.
func (e *env) deliverEnvelope(t *targetState, m *engine.Message) {
	v, err := e.iso.Value(m)
	arr, _ := v.(*goja.Object)
	if err != nil || arr == nil {
		ev := e.newEvent("MessageEvent", kindMessage, "messageerror")
		ev.data = goja.Null()
		e.fire(t, ev)
		return
	}
	var n int64
	if l := arr.Get("length"); l != nil {
		n = l.ToInteger()
	}
	ev := e.newEvent("MessageEvent", kindMessage, "message")
	ev.data = arr.Get("0")
	var ports []goja.Value
	for i := int64(1); i < n && i <= maxTransfer; i++ {
		ports = append(ports, arr.Get(fmt.Sprint(i)))
	}
	ev.ports = e.frozenArray(ports)
	e.fire(t, ev)
}

func (e *env) messagePortClass() goja.Value {
	if c, ok := e.built("MessagePort"); ok {
		return c
	}
	base := e.eventTargetClass().(*goja.Object)
	c, proto := e.class("MessagePort", nil)
	_ = proto.SetPrototype(e.protoCache["EventTarget"])
	_ = c.SetPrototype(base)
	this := func(c goja.FunctionCall, m string) *messagePortObj {
		return thisAs[*messagePortObj](e, c, "MessagePort", m)
	}
	e.method(proto, "postMessage", func(c goja.FunctionCall) goja.Value {
		p := this(c, "postMessage")
		e.needArgs(c, 1, "MessagePort.postMessage")
		var to *engine.SendPort
		if p.end != nil && !p.closed {
			to = p.end.PeerSendPort()
		}
		e.postWithPorts(to, p, c.Argument(0), e.postTransfer(c.Argument(1), "MessagePort.postMessage"), "MessagePort.postMessage", true)
		return goja.Undefined()
	})
	e.method(proto, "start", func(c goja.FunctionCall) goja.Value {
		this(c, "start").start()
		return goja.Undefined()
	})
	e.method(proto, "close", func(c goja.FunctionCall) goja.Value {
		p := this(c, "close")
		if p.closed {
			return goja.Undefined()
		}
		p.closed = true
		if p.end != nil {
			p.end.Close()
		}
		if p.rp != nil {
			p.rp.Close()
		}
		return goja.Undefined()
	})
	// Setting onmessage starts the port (HTML); addEventListener does not.
	e.accessor(proto, "onmessage", func(c goja.FunctionCall) goja.Value {
		return e.handlerGet(&this(c, "onmessage").targetState, "onmessage")
	}, func(c goja.FunctionCall) goja.Value {
		p := this(c, "onmessage")
		e.handlerSet(&p.targetState, "onmessage", c.Argument(0))
		p.start()
		return goja.Undefined()
	})
	e.handlerAttr(proto, "MessagePort", "onmessageerror")
	e.setLength(proto, "postMessage", 1)
	return c
}

// messageChannel is the state of one MessageChannel.
type messageChannel struct {
	hostObject
	self         *goja.Object
	port1, port2 goja.Value
}

func (m *messageChannel) owner() *goja.Object { return m.self }

func (e *env) messageChannelClass() goja.Value {
	if c, ok := e.built("MessageChannel"); ok {
		return c
	}
	c, proto := e.class("MessageChannel", func(call goja.ConstructorCall) *goja.Object {
		a, b := engine.NewChannel()
		e.setSlot(call.This, &messageChannel{self: call.This, port1: e.wrapPort(a), port2: e.wrapPort(b)})
		return nil
	})
	this := func(c goja.FunctionCall, m string) *messageChannel {
		ch, ok := slotOf[*messageChannel](e, c.This)
		if !ok {
			e.illegal("MessageChannel", m)
		}
		return ch
	}
	e.getter(proto, "port1", func(c goja.FunctionCall) goja.Value { return this(c, "port1").port1 })
	e.getter(proto, "port2", func(c goja.FunctionCall) goja.Value { return this(c, "port2").port2 })
	return c
}

var arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})

// postWithPorts sends value to `to` with the transfer list list, which may
// hold MessagePorts besides ArrayBuffers. self is the port posting (nil
// for a Worker or a SendPort). envelope sends [value, ...ports], as
// postMessage does, so that the receiver gets the ports as event.ports;
// without it value is sent as it is (SendPort.send) and the ports travel
// only where value holds them. A nil `to` (a closed or neutered port)
// clones and drops, as HTML does: errors are still thrown. The checks are
// HTML's: the posting port itself, a port listed twice, or a port already
// transferred is a DataCloneError, and a message whose transfer list holds
// its own target port is dropped (its ports are closed). Loop only.
func (e *env) postWithPorts(to *engine.SendPort, self *messagePortObj, value goja.Value, list []goja.Value, api string, envelope bool) {
	e.transferClone(to, self, value, list, api, envelope, nil)
}

// cloneWithPorts is structuredClone with MessagePorts in the transfer
// list: they move to new MessagePort objects of this isolate, with their
// queued messages. Loop only.
func (e *env) cloneWithPorts(value goja.Value, list []goja.Value) goja.Value {
	var m *engine.Message
	e.transferClone(nil, nil, value, list, "structuredClone", false, func(x *engine.Message) { m = x })
	v, err := e.iso.Value(m)
	if err != nil {
		e.throw(err)
	}
	return v
}

// hasPort reports whether a transfer list holds a MessagePort.
func (e *env) hasPort(list []goja.Value) bool {
	for _, v := range list {
		if _, ok := slotOf[*messagePortObj](e, v); ok {
			return true
		}
	}
	return false
}

// transferClone is postWithPorts; with keep set, the message is handed to
// keep instead of being sent.
func (e *env) transferClone(to *engine.SendPort, self *messagePortObj, value goja.Value, list []goja.Value, api string, envelope bool, keep func(*engine.Message)) {
	var ports []*messagePortObj
	var portVals, bufs []goja.Value
	doomed := false
	for i, v := range list {
		p, ok := slotOf[*messagePortObj](e, v)
		if !ok {
			if v.(*goja.Object).ExportType() != arrayBufferType {
				e.throwDOMException("DataCloneError", fmt.Sprintf("%s: transfer list item %d is neither an ArrayBuffer nor a MessagePort", api, i))
			}
			bufs = append(bufs, v)
			continue
		}
		if p == self {
			e.throwDOMException("DataCloneError", fmt.Sprintf("%s: the transfer list contains the source port (item %d)", api, i))
		}
		if p.end == nil || p.transferring {
			// transferring: a getter run by an outer clone posts the port
			// that clone is moving.
			e.throwDOMException("DataCloneError", fmt.Sprintf("%s: MessagePort at index %d of the transfer list has already been transferred", api, i))
		}
		for _, q := range ports {
			if q == p {
				e.throwDOMException("DataCloneError", fmt.Sprintf("%s: MessagePort at index %d is listed twice in the transfer list", api, i))
			}
		}
		if to != nil && p.end.SendPort() == to {
			doomed = true
		}
		ports = append(ports, p)
		portVals = append(portVals, v)
	}
	msg := value
	if envelope {
		vals := make([]any, 0, len(portVals)+1)
		vals = append(vals, value)
		for _, v := range portVals {
			vals = append(vals, v)
		}
		msg = e.vm.NewArray(vals...)
	}
	if len(ports) == 0 && keep == nil {
		var err error
		if to != nil {
			err = e.iso.Send(to, msg, bufs)
		} else {
			_, err = e.iso.Clone(msg, bufs)
		}
		if err != nil {
			e.throw(err)
		}
		return
	}
	// The ends leave their ports before the clone: from then on what
	// reaches them waits in the end, so that the receiver, which may attach
	// an end as soon as the message is queued, gets everything in order.
	for _, p := range ports {
		p.transferring = true
		p.end.Detach()
	}
	undo := func() {
		for _, p := range ports {
			p.transferring = false
			_ = p.attachTo(p.end)
		}
	}
	m, err := e.iso.Clone(msg, bufs)
	switch {
	case err != nil:
	case keep != nil:
		keep(m)
	case to != nil && !doomed:
		err = to.Send(m)
	}
	if err != nil {
		undo()
		e.throw(err)
	}
	for _, p := range ports {
		end := p.end
		p.transferring, p.end, p.rp = false, nil, nil
		p.keepAlive()
		if keep == nil && (to == nil || doomed) {
			end.Close() // it went nowhere
		}
	}
}
