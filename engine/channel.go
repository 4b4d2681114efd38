package engine

import "sync"

// PortEnd is one end of an entangled pair of ports, what a Web
// MessageChannel is made of. It is built on the same mailboxes as
// ReceivePort and SendPort: the peer sends to this end through an ordinary
// *SendPort (PeerSendPort of the peer), and this end hands what arrives to
// the ReceivePort of the isolate that holds it. Unlike a ReceivePort, an
// end can move: Detach takes it, with the messages queued for it, out of
// its isolate, and Attach gives it to a ReceivePort of another (or the
// same) isolate, where those messages arrive first, in order. Messages
// that reach an end in transit wait in it.
//
// A closed end (Close on either end: the pair is disentangled) drops what
// is sent to either end, as a closed port does. All methods are safe from
// any goroutine unless documented as loop only.
type PortEnd struct {
	mu      sync.Mutex
	peer    *PortEnd
	sp      *SendPort    // the peer sends through it; its box is this end
	rp      *ReceivePort // receives for the end; nil while in transit
	pending []*Message   // arrived while in transit, in order
	closed  bool

	// Across a process boundary (conn_ends.go): a bridge forwards what
	// reaches it (fwd) and tells the holder when it closes (shut); an end
	// held for a bridge has no local peer, sends to peerSP, and tells the
	// bridge when it closes (remote).
	fwd    func(*Message)
	shut   func()
	peerSP *SendPort
	remote func()
}

// NewChannel returns the two entangled ends of a new channel, both in
// transit (attach each to a ReceivePort). Any goroutine.
func NewChannel() (*PortEnd, *PortEnd) {
	a, b := &PortEnd{}, &PortEnd{}
	a.peer, b.peer = b, a
	a.sp, b.sp = newSendPort("", a), newSendPort("", b)
	return a, b
}

// SendPort returns the port that sends to this end. Any goroutine.
func (p *PortEnd) SendPort() *SendPort { return p.sp }

// PeerSendPort returns the port that sends to the entangled end: what
// postMessage on this end sends through. Any goroutine.
func (p *PortEnd) PeerSendPort() *SendPort { return p.peerPort() }

func (p *PortEnd) peerPort() *SendPort {
	if p.peer == nil {
		return p.peerSP
	}
	return p.peer.sp
}

// Closed reports whether the pair was disentangled. Any goroutine.
func (p *PortEnd) Closed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// deliver implements mailbox for the peer's sends: to the receiving port,
// or held while the end is in transit. Any goroutine.
func (p *PortEnd) deliver(_ *SendPort, m *Message) error {
	p.mu.Lock()
	if fwd := p.fwd; fwd != nil && !p.closed {
		p.mu.Unlock()
		fwd(m)
		return nil
	}
	defer p.mu.Unlock()
	if p.closed {
		dropped(m)
		return nil
	}
	if p.rp != nil {
		return p.rp.deliver(p.rp.sp, m)
	}
	if len(p.pending) >= maxPending {
		dropped(m) // an end nobody attaches: dropped, as for a closed port
		return nil
	}
	p.pending = append(p.pending, m)
	return nil
}

// dropped is called for a message nobody will receive (its port closed,
// its isolate died): the channel ends it carries are closed, so that their
// peers stop waiting (and stop keeping their isolates alive). The closes
// run on a goroutine of their own, since the caller may hold the lock of
// another end. Any goroutine.
func dropped(m *Message) {
	for _, r := range m.HostRefs() {
		if pe, ok := r.(*PortEnd); ok {
			go pe.Close()
		}
	}
}

// maxPending bounds the messages an end in transit holds.
const maxPending = 1 << 16

// Attach makes rp receive for the end: the messages held in transit are
// queued on rp first, in order, then everything sent later. Closing rp
// (or the death of its isolate) closes the end. Loop only (rp's isolate).
func (p *PortEnd) Attach(rp *ReceivePort) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if rp.closed {
		return
	}
	p.rp = rp
	rp.onClose = p.Close
	pend := p.pending
	p.pending = nil
	for _, m := range pend {
		_ = rp.deliver(rp.sp, m)
	}
}

// Detach takes the end out of its ReceivePort so that it can move: the
// messages queued on the port (dispatched or not) go back into the end,
// in order, and the port is closed without closing the end. Loop only
// (the isolate of the port it is attached to).
func (p *PortEnd) Detach() {
	p.mu.Lock()
	defer p.mu.Unlock()
	rp := p.rp
	if rp == nil {
		return
	}
	p.rp = nil
	rp.onClose = nil
	iso := rp.iso
	iso.mu.Lock()
	ts := iso.tasks.extract(func(t task) bool { return t.port == rp })
	iso.queued -= len(ts)
	iso.mu.Unlock()
	var back []*Message
	back = append(back, rp.buffered...)
	iso.mu.Lock()
	iso.queued -= len(rp.buffered)
	iso.mu.Unlock()
	rp.buffered = nil
	for _, t := range ts {
		back = append(back, t.msg)
	}
	p.pending = append(back, p.pending...)
	rp.Close()
}

// Close disentangles the pair: both ends drop what is sent to them from
// now on (what is already queued on a port is still delivered), and the
// peer's port stops keeping its isolate alive. Idempotent. Any goroutine.
func (p *PortEnd) Close() {
	if p.peer == nil {
		p.closeHeld()
		return
	}
	var prp *ReceivePort
	var shuts []func()
	for i, e := range [2]*PortEnd{p, p.peer} {
		e.mu.Lock()
		if e.closed && i == 0 {
			e.mu.Unlock()
			return
		}
		e.closed = true
		e.sp.closed.Store(true)
		for _, m := range e.pending {
			dropped(m)
		}
		e.pending = nil
		if i == 1 {
			prp = e.rp
		}
		if e.shut != nil {
			shuts = append(shuts, e.shut)
			e.shut = nil
		}
		e.mu.Unlock()
	}
	for _, f := range shuts {
		f()
	}
	releaseKeepAlive(prp)
}

// releaseKeepAlive stops rp, the port of an end whose peer closed, from
// keeping its isolate alive.
func releaseKeepAlive(rp *ReceivePort) {
	if rp == nil {
		return
	}
	rp.iso.Post(func() error {
		if !rp.closed {
			rp.SetKeepAlive(false)
		}
		return nil
	})
}

// closeHeld closes an end whose peer is across a connection (held for a
// bridge): locally, and then the bridge.
func (p *PortEnd) closeHeld() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	if p.sp != nil {
		p.sp.closed.Store(true)
	}
	for _, m := range p.pending {
		dropped(m)
	}
	p.pending = nil
	rp, remote := p.rp, p.remote
	p.remote = nil
	p.mu.Unlock()
	if remote != nil {
		remote()
	}
	releaseKeepAlive(rp)
}
