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
// this name is kept so embedders need not import it. A port inside a Message
// is a *SendPort.
type Message = clone.Message

// MessageFromGo converts a Go value into a Message with the structured clone
// rules documented at clone.FromGo; a *SendPort is carried as that port.
// Any goroutine may call it.
func MessageFromGo(v any) (*Message, error) {
	return clone.FromGo(v, goPort)
}

// goPort recognizes SendPorts among Go values for clone.FromGo.
func goPort(x any) (any, bool) {
	p, ok := x.(*SendPort)
	if !ok {
		return nil, false
	}
	if p == nil {
		return nil, true
	}
	return p, true
}

// isoPorts is an isolate seen as the codec's clone.PortCodec: SendPort
// handles of its runtime become *SendPort references and back, through the
// hooks the bindings install.
type isoPorts Isolate

func (ip *isoPorts) PortRef(o *goja.Object) (any, bool) {
	if p, ok := (*Isolate)(ip).sendPortOf(o); ok {
		return p, true
	}
	return nil, false
}

func (ip *isoPorts) PortValue(ref any) (goja.Value, error) {
	p, ok := ref.(*SendPort)
	if !ok {
		return nil, &CloneError{Msg: "port could not be received here"}
	}
	return (*Isolate)(ip).sendPortValue(p), nil
}

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
	v, err := iso.codec.Materialize(iso.vm, (*isoPorts)(iso), m)
	return v, cloneErr(err)
}

// Clone copies a JS value out of the isolate, moving the ArrayBuffers in
// transfer, under the isolate's maxMessageBytes limit. Loop only.
func (iso *Isolate) Clone(v goja.Value, transfer []goja.Value) (*Message, error) {
	m, err := iso.codec.Clone(iso.vm, (*isoPorts)(iso), v, transfer, clone.Options{MaxBytes: iso.cfg.limits.MaxMessageBytes})
	return m, cloneErr(err)
}
