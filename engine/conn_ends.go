package engine

import "fmt"

// MessagePort ends across a process boundary.
//
// An end (a Web MessagePort) in transit can be put in a message to or from
// a worker process. The side that sends it keeps the end and makes it a
// bridge: it gets an id F, its peer's SendPort is exported under F, and
// everything that reaches the end (what it held in transit first, in
// order) is forwarded as fEnd frames (F, message). The other side decodes
// the reference as an end it holds for F: an ordinary PortEnd that
// scripts attach, detach and move like any other, whose posts go to the
// proxy of port F (the peer, across the connection) and which receives
// what the fEnd frames carry. Closing either side closes the other: the
// holder sends fEndDone(F), the bridge fEndShut(F). If the connection dies,
// every bridge and held end on each side is closed, so the isolates at the
// other ends stop waiting.
//
// fEnd frames can arrive before the message that carries the reference
// (the bridge flushes while the message is still being encoded), so the
// holder makes the end on the first of the two it sees. Ends held for
// bridges never named are bounded (maxHeldEnds); past that the peer is
// sending garbage.

// maxHeldEnds bounds the ends a side holds for its peer's bridges.
const maxHeldEnds = 1 << 14

// bridge makes x, an end in transit on this side, a bridge to the peer
// and returns its reference. A closed end crosses as id 0: the peer gets
// a closed end.
func (c *conn) bridge(x *PortEnd) uint64 {
	x.mu.Lock()
	if x.closed || x.fwd != nil {
		x.mu.Unlock()
		return refEnd << 1
	}
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.bridges[id] = x
	peer := x.peerPort()
	c.exported[id] = peer
	c.mu.Unlock()
	x.fwd = func(m *Message) {
		body, err := c.encode(m)
		if err != nil || len(body) == 0 {
			dropped(m)
			return
		}
		if c.write(newFrame(fEnd).uint(id).bytes(body).done()) != nil {
			dropped(m)
		}
	}
	x.shut = func() {
		_ = c.write(newFrame(fEndShut).uint(id).done())
		c.mu.Lock()
		delete(c.bridges, id)
		c.mu.Unlock()
	}
	pend := x.pending
	x.pending = nil
	fwd := x.fwd
	x.mu.Unlock()
	for _, m := range pend {
		fwd(m)
	}
	return id<<3 | refEnd<<1
}

// heldEnd is the end this side holds for the peer's bridge id, made on
// first sight. Id 0 is a closed end.
func (c *conn) heldEnd(id uint64) (*PortEnd, error) {
	if id == 0 {
		e := &PortEnd{closed: true}
		e.sp = newSendPort("", e)
		e.sp.closed.Store(true)
		return e, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.held[id]; ok {
		return e, nil
	}
	if len(c.held) >= maxHeldEnds {
		return nil, &FrameError{Msg: fmt.Sprintf("more than %d port ends", maxHeldEnds)}
	}
	e := &PortEnd{peerSP: c.proxyLocked(id)}
	e.sp = newSendPort("", e)
	e.remote = func() {
		c.mu.Lock()
		delete(c.held, id)
		c.mu.Unlock()
		_ = c.write(newFrame(fEndDone).uint(id).done())
	}
	c.held[id] = e
	return e, nil
}

// endFrame handles fEnd, fEndShut and fEndDone from the peer.
func (c *conn) endFrame(t frameType, r *frameReader) error {
	id := r.uint()
	var body []byte
	if t == fEnd {
		body = r.bytes()
	}
	if err := r.end(); err != nil {
		return err
	}
	switch t {
	case fEnd:
		if id == 0 {
			return &FrameError{Msg: "message for port end 0"}
		}
		m, err := c.decode(body)
		if err != nil {
			return err
		}
		if m == nil {
			return &FrameError{Msg: "empty message"}
		}
		e, err := c.heldEnd(id)
		if err != nil {
			return err
		}
		_ = e.deliver(e.sp, m)
	case fEndShut:
		c.mu.Lock()
		e := c.held[id]
		c.mu.Unlock()
		if e != nil {
			e.Close()
		}
	case fEndDone:
		c.mu.Lock()
		e := c.bridges[id]
		c.mu.Unlock()
		if e != nil {
			e.Close()
		}
	}
	return nil
}

// closeEnds closes every bridge and held end of a connection that died.
func (c *conn) closeEnds() {
	c.mu.Lock()
	var ends []*PortEnd
	for id, e := range c.bridges {
		ends = append(ends, e)
		delete(c.bridges, id)
	}
	for id, e := range c.held {
		ends = append(ends, e)
		delete(c.held, id)
	}
	c.mu.Unlock()
	for _, e := range ends {
		e.Close()
	}
}
