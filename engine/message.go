package engine

import (
	"errors"

	"github.com/dop251/goja"
	"github.com/isobox/isobox/engine/clone"
)

// Message is a value in VM-neutral form: what a port carries. It is built by
// cloning a JS value out of an isolate (Isolate.Clone, Isolate.Send) or from
// a Go value (MessageFromGo), and read with Message.ToGo or by materializing
// it in an isolate (Isolate.Value). The codec lives in package engine/clone;
// this name is kept so embedders need not import it. The host objects a
// Message may carry, as in Dart, are a *SendPort, a *Capability and an
// *Isolate: ToGo returns them as those pointers, and an isolate receives
// them as the JS objects of its host wrappers (SetHostWrappers).
type Message = clone.Message

// MessageFromGo converts a Go value into a Message with the structured clone
// rules documented at clone.FromGo; a *SendPort, *Capability or *Isolate is
// carried as that reference (a nil one is null). Any goroutine may call it.
func MessageFromGo(v any) (*Message, error) {
	return clone.FromGo(v, goHost)
}

// goHost recognizes the engine's host references among Go values for
// clone.FromGo.
func goHost(x any) (any, bool) {
	switch p := x.(type) {
	case *SendPort:
		if p == nil {
			return nil, true
		}
		return p, true
	case *Capability:
		if p == nil {
			return nil, true
		}
		return p, true
	case *Isolate:
		if p == nil {
			return nil, true
		}
		return p, true
	}
	return nil, false
}

// The interfaces a JS host object's Go value (what its goja Object
// exports) implements to be sent in a message: the bindings' SendPort,
// Capability and Isolate objects do.
type (
	sendPortHandle   interface{ EngineSendPort() *SendPort }
	capabilityHandle interface{ EngineCapability() *Capability }
	isolateHandle    interface{ EngineIsolate() *Isolate }
	portEndHandle    interface{ EnginePortEnd() *PortEnd }
	platformHandle   interface{ EnginePlatformObject() *PlatformObject }
)

// PlatformObject is a serializable platform object of the bindings (HTML's
// [Serializable], such as a DOMException) in VM-neutral form: its class
// and string fields. It travels in a message as a host reference, and the
// receiving isolate's HostWrappers.Platform rebuilds it. It does not
// cross into a worker process (a DataCloneError there).
type PlatformObject struct {
	Class  string
	Fields map[string]string
}

// isoHosts is an isolate seen as the codec's clone.HostCodec: the SendPort,
// Capability and Isolate handles of its runtime become *SendPort,
// *Capability and *Isolate references and back, through the wrappers the
// bindings install (SetHostWrappers).
type isoHosts Isolate

func (ih *isoHosts) HostRef(o *goja.Object) (any, bool) {
	switch h := o.Export().(type) {
	case sendPortHandle:
		if p := h.EngineSendPort(); p != nil {
			return p, true
		}
	case capabilityHandle:
		if c := h.EngineCapability(); c != nil {
			return c, true
		}
	case isolateHandle:
		if i := h.EngineIsolate(); i != nil {
			return i, true
		}
	case portEndHandle:
		// nil unless the end is being transferred with this message.
		if p := h.EnginePortEnd(); p != nil {
			return p, true
		}
	case platformHandle:
		if p := h.EnginePlatformObject(); p != nil {
			return p, true
		}
	}
	return nil, false
}

func (ih *isoHosts) HostValue(ref any) (goja.Value, error) {
	iso := (*Isolate)(ih)
	var v goja.Value
	switch r := ref.(type) {
	case *SendPort:
		if f := iso.hostWrap.SendPort; f != nil {
			v = f(r)
		}
	case *Capability:
		if f := iso.hostWrap.Capability; f != nil {
			v = f(r)
		}
	case *Isolate:
		if f := iso.hostWrap.Isolate; f != nil {
			v = f(r)
		}
	case *PortEnd:
		if f := iso.hostWrap.PortEnd; f != nil {
			v = f(r)
		}
	case *PlatformObject:
		if f := iso.hostWrap.Platform; f != nil {
			v = f(r)
		}
	default:
		return nil, &CloneError{Msg: "host object could not be received here"}
	}
	if v == nil {
		return goja.Null(), nil // no wrapper installed: it arrives as null
	}
	return v, nil
}

// HostWrappers make the JS objects of the host references an isolate
// receives in messages. Each object must Export() a Go value with the
// matching method (EngineSendPort() *SendPort, EngineCapability()
// *Capability, EngineIsolate() *Isolate) so that it can be sent on. A nil
// func makes that kind arrive as null. The funcs are called on the
// receiving isolate's goroutine, while it materializes a message.
type HostWrappers struct {
	SendPort   func(*SendPort) goja.Value
	Capability func(*Capability) goja.Value
	Isolate    func(*Isolate) goja.Value
	// PortEnd makes the object of a transferred channel end (the
	// bindings' MessagePort); it must Attach the end to a ReceivePort.
	PortEnd func(*PortEnd) goja.Value
	// Platform rebuilds a serializable platform object (a DOMException).
	Platform func(*PlatformObject) goja.Value
}

// SetHostWrappers sets how the host references arriving in messages become
// JS values (the bindings' SendPort, Capability and Isolate objects).
// Loop only.
func (iso *Isolate) SetHostWrappers(w HostWrappers) { iso.hostWrap = w }

// cloneErr maps the codec's errors onto the engine's public ones: a
// maxMessageBytes *LimitError for a *clone.SizeError and a *PanicError for a
// *clone.InternalError. Anything else (a *CloneError, a getter's exception,
// an interrupt) passes unchanged.
func cloneErr(err error) error {
	var se *clone.SizeError
	if errors.As(err, &se) {
		return &LimitError{Limit: "maxMessageBytes", Max: se.Max, Seen: se.Seen, Unit: "bytes"}
	}
	var ie *clone.InternalError
	if errors.As(err, &ie) {
		return &PanicError{Value: ie.Value, Stack: ie.Stack}
	}
	return err
}

// Value materializes m in the isolate's VM. Loop only.
func (iso *Isolate) Value(m *Message) (goja.Value, error) {
	v, err := iso.codec.Materialize(iso.vm, (*isoHosts)(iso), m)
	return v, cloneErr(err)
}

// Clone copies a JS value out of the isolate, moving the ArrayBuffers in
// transfer, under the isolate's maxMessageBytes limit. Loop only.
func (iso *Isolate) Clone(v goja.Value, transfer []goja.Value) (*Message, error) {
	m, err := iso.codec.Clone(iso.vm, (*isoHosts)(iso), v, transfer, clone.Options{MaxBytes: iso.cfg.limits.MaxMessageBytes})
	return m, cloneErr(err)
}
