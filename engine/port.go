package engine

import (
	"sync/atomic"
)

var portIDs atomic.Uint64

// mailbox is the receiving end behind a SendPort: an isolate's ReceivePort
// or a Go-side Port. deliver must be safe from any goroutine and must not
// block on the receiver's loop.
type mailbox interface {
	// deliver queues m for the port p. It returns an error only for limits
	// the sender must see (a full mailbox); a closed port or a dead owner
	// drops the message silently and returns nil, as in Dart.
	deliver(p *SendPort, m *Message) error
}

// SendPort is the sending side of a port. Any isolate and any goroutine may
// hold one and send through it; the messages arrive, in the order sent by each
// sender, at the ReceivePort (or Go Port) that created it.
//
// A SendPort is a small handle: copying the pointer is how it is shared. It is
// safe for concurrent use by any goroutine.
type SendPort struct {
	id     uint64
	name   string
	box    mailbox
	closed atomic.Bool
}

func newSendPort(name string, box mailbox) *SendPort {
	return &SendPort{id: portIDs.Add(1), name: name, box: box}
}

// ID returns the port's process-unique id. Any goroutine may call it.
func (p *SendPort) ID() uint64 { return p.id }

// Name returns the name given to the port when it was created, or "".
// Any goroutine may call it.
func (p *SendPort) Name() string { return p.name }

// Closed reports whether the receiving side has been closed. A message sent
// to a closed port is dropped. Any goroutine may call it.
func (p *SendPort) Closed() bool { return p.closed.Load() }

// Send delivers an already cloned message. A message sent to a closed port or
// to a dead isolate is dropped silently and Send returns nil, as in Dart.
// It returns a *LimitError when the receiving mailbox is full.
// Any goroutine may call it; m must not be sent twice.
func (p *SendPort) Send(m *Message) error {
	if p == nil || m == nil {
		return ErrInvalidArgument
	}
	if p.closed.Load() {
		return nil
	}
	return p.box.deliver(p, m)
}

// SendValue converts a Go value with the clone rules (see MessageFromGo) and
// sends it. Any goroutine may call it.
func (p *SendPort) SendValue(v any) error {
	m, err := MessageFromGo(v)
	if err != nil {
		return err
	}
	return p.Send(m)
}
