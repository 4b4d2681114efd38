package engine

import (
	"context"
	"sync"

	"github.com/dop251/goja"
	"github.com/isobox/isobox/engine/clone"
)

// ReceivePort is a mailbox owned by one isolate. Messages sent to its
// SendPort are queued on the owner's event loop and handed to the handler
// one per macrotask, in order per sender. Messages that arrive before a
// handler is set are buffered until one is.
//
// All methods except SendPort are loop only (the owner's goroutine).
type ReceivePort struct {
	iso       *Isolate
	sp        *SendPort
	handler   func(*Message) error
	buffered  []*Message
	keepAlive bool
	closed    bool
	onClose   func() // the PortEnd it receives for, told when it closes
}

// NewReceivePort opens a port on the isolate. It keeps the isolate alive
// until closed (see SetKeepAlive). Loop only.
func (iso *Isolate) NewReceivePort(name string) *ReceivePort {
	rp := &ReceivePort{iso: iso, keepAlive: true}
	rp.sp = newSendPort(name, rp)
	if iso.ports == nil {
		iso.ports = make(map[*ReceivePort]struct{})
	}
	iso.ports[rp] = struct{}{}
	iso.defaultPort.CompareAndSwap(nil, rp.sp)
	iso.mu.Lock()
	iso.alivePorts++
	if iso.killed {
		rp.closed = true
		rp.sp.closed.Store(true)
	}
	iso.mu.Unlock()
	return rp
}

// SendPort returns the port's sending side. Any goroutine.
func (rp *ReceivePort) SendPort() *SendPort { return rp.sp }

// Closed reports whether the port is closed. Any goroutine.
func (rp *ReceivePort) Closed() bool { return rp.sp.closed.Load() }

// SetHandler sets the function that receives each message, and schedules
// the messages buffered so far ahead of anything queued after them. Loop only.
func (rp *ReceivePort) SetHandler(fn func(*Message) error) {
	rp.handler = fn
	if fn == nil || len(rp.buffered) == 0 {
		return
	}
	buf := rp.buffered
	rp.buffered = nil
	rp.iso.mu.Lock()
	for i := len(buf) - 1; i >= 0; i-- {
		rp.iso.tasks.pushFront(task{port: rp, msg: buf[i]})
	}
	rp.iso.mu.Unlock()
}

// KeepAlive reports whether the open port keeps its isolate alive.
// Loop only.
func (rp *ReceivePort) KeepAlive() bool { return rp.keepAlive }

// SetKeepAlive sets whether the open port keeps its isolate alive (default
// true). Loop only.
func (rp *ReceivePort) SetKeepAlive(on bool) {
	if rp.closed || rp.keepAlive == on {
		return
	}
	rp.keepAlive = on
	rp.iso.mu.Lock()
	if on {
		rp.iso.alivePorts++
	} else {
		rp.iso.alivePorts--
	}
	rp.iso.mu.Unlock()
	rp.iso.wakeUp()
}

// Close closes the port: queued and future messages are dropped. Idempotent.
// Loop only.
func (rp *ReceivePort) Close() {
	if rp.closed {
		return
	}
	delete(rp.iso.ports, rp)
	rp.closeLocked()
	rp.iso.wakeUp()
}

func (rp *ReceivePort) closeLocked() {
	if rp.closed {
		return
	}
	rp.closed = true
	rp.sp.closed.Store(true)
	rp.iso.mu.Lock()
	if rp.keepAlive {
		rp.iso.alivePorts--
	}
	rp.iso.queued -= len(rp.buffered)
	rp.iso.mu.Unlock()
	for _, m := range rp.buffered {
		dropped(m)
	}
	rp.buffered = nil
	rp.handler = nil
	if f := rp.onClose; f != nil {
		rp.onClose = nil
		f()
	}
}

// deliver implements mailbox: it queues m on the owner's loop. Any goroutine.
func (rp *ReceivePort) deliver(_ *SendPort, m *Message) error {
	iso := rp.iso
	iso.mu.Lock()
	if iso.killed || rp.sp.closed.Load() {
		iso.mu.Unlock()
		dropped(m)
		return nil // dropped, as in Dart
	}
	if max := iso.cfg.limits.MaxQueue; max > 0 && iso.queued >= max {
		n := iso.queued
		iso.mu.Unlock()
		return &LimitError{Limit: "maxQueue", Max: int64(max), Seen: int64(n + 1), Unit: "messages"}
	}
	iso.queued++
	iso.tasks.pushBack(task{port: rp, msg: m})
	iso.mu.Unlock()
	iso.wakeUp()
	return nil
}

// dispatch hands one message to the handler, or buffers it. Loop only.
func (rp *ReceivePort) dispatch(m *Message) error {
	if rp.closed {
		dropped(m)
		return nil
	}
	if rp.handler == nil {
		rp.buffered = append(rp.buffered, m)
		return nil
	}
	rp.iso.mu.Lock()
	rp.iso.queued--
	rp.iso.mu.Unlock()
	rp.iso.msgsIn.Add(1)
	return rp.handler(m)
}

// Send clones v and sends it to p, counting it in the isolate's stats.
// Errors: a *CloneError, a thrown getter's exception, or a *LimitError
// (maxMessageBytes, or the receiver's maxQueue). On error nothing is sent
// and no buffer in transfer is detached; a message to a closed port is
// dropped as in Dart, its transferred buffers detached. Loop only.
func (iso *Isolate) Send(p *SendPort, v goja.Value, transfer []goja.Value) error {
	if p == nil {
		return ErrInvalidArgument
	}
	m, detach, err := iso.codec.CloneDeferred(iso.vm, (*isoHosts)(iso), v, transfer, clone.Options{MaxBytes: iso.cfg.limits.MaxMessageBytes})
	if err != nil {
		return cloneErr(err)
	}
	// No JS runs between the clone and the detach (deliver only queues),
	// so the sender cannot see its buffers shared with the message.
	if err := iso.sendBatched(p, m); err != nil {
		return err // m is dropped: the buffers stay with the sender
	}
	detach()
	iso.msgsOut.Add(1)
	return nil
}

// SetSendPortWrapper sets how a SendPort arriving in a message becomes a JS
// value (the bindings' SendPort object); it is SetHostWrappers for SendPorts
// only. The JS object must Export() a value with an EngineSendPort()
// *SendPort method, so that it can be sent on. Loop only.
func (iso *Isolate) SetSendPortWrapper(fn func(*SendPort) goja.Value) { iso.hostWrap.SendPort = fn }

// Port is a Go-side receive port: Go code receives messages from isolates
// through it. Safe for concurrent use by any goroutine.
type Port struct {
	sp     *SendPort
	mu     sync.Mutex
	queue  []*Message
	notify chan struct{}
}

// NewPort opens a Go-side port. Any goroutine.
func (h *Host) NewPort(name string) *Port {
	p := &Port{notify: make(chan struct{}, 1)}
	p.sp = newSendPort(name, p)
	return p
}

// SendPort returns the port's sending side, to pass to isolates.
// Any goroutine.
func (p *Port) SendPort() *SendPort { return p.sp }

func (p *Port) deliver(_ *SendPort, m *Message) error {
	p.mu.Lock()
	if p.sp.closed.Load() {
		p.mu.Unlock()
		return nil
	}
	p.queue = append(p.queue, m)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
	return nil
}

// Recv waits for the next message or ctx. Any goroutine.
func (p *Port) Recv(ctx context.Context) (*Message, error) {
	for {
		p.mu.Lock()
		if len(p.queue) > 0 {
			m := p.queue[0]
			p.queue[0] = nil
			p.queue = p.queue[1:]
			p.mu.Unlock()
			return m, nil
		}
		closed := p.sp.closed.Load()
		p.mu.Unlock()
		if closed {
			return nil, ErrPortClosed
		}
		select {
		case <-p.notify:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// RecvValue is Recv followed by Message.ToGo. Any goroutine.
func (p *Port) RecvValue(ctx context.Context) (any, error) {
	m, err := p.Recv(ctx)
	if err != nil {
		return nil, err
	}
	return m.ToGo()
}

// Close closes the port; later sends are dropped and Recv returns
// ErrPortClosed once the queue is empty. Any goroutine.
func (p *Port) Close() {
	p.sp.closed.Store(true)
	select {
	case p.notify <- struct{}{}:
	default:
	}
}
