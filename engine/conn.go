package engine

import (
	"fmt"
	"io"
	"sync"

	"github.com/isobox/isobox/engine/clone"
)

// conn is one side of a host <-> worker channel: the frame writer and the
// two port tables that let SendPorts travel in messages in both directions.
//
// A port crosses as a number. Encoding a port of this side exports it (it
// gets an id in exported, and the peer sends to it by that id) and writes
// id<<1; encoding a proxy of a peer port writes the peer's id<<1|1 ("your
// own port"). Decoding reverses that: an odd number must name a port this
// side exported, an even one becomes this side's proxy of the peer's port,
// made once per id so a port sent twice arrives as the same *SendPort.
// Ports are never unexported while the connection lives: a closed port
// drops what reaches it, as any closed port does.
type conn struct {
	wmu sync.Mutex
	w   io.Writer

	mu       sync.Mutex
	exported map[uint64]*SendPort
	exportID map[*SendPort]uint64
	proxies  map[uint64]*SendPort
	nextID   uint64
	closed   bool
}

func newConn(w io.Writer) *conn {
	return &conn{w: w, exported: map[uint64]*SendPort{}, exportID: map[*SendPort]uint64{}, proxies: map[uint64]*SendPort{}}
}

// write sends one frame; frames from different goroutines never interleave.
func (c *conn) write(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return io.ErrClosedPipe
	}
	_, err := c.w.Write(frame)
	return err
}

func (c *conn) close() {
	c.wmu.Lock()
	c.closed = true
	c.wmu.Unlock()
}

// portOut is the wire port encoder for messages this side sends.
func (c *conn) portOut(ref any) (uint64, error) {
	p, ok := ref.(*SendPort)
	if !ok || p == nil {
		return 0, &CloneError{Msg: "a port of an unknown kind could not be sent to a worker process"}
	}
	if rb, ok := p.box.(*remoteBox); ok && rb.c == c {
		return rb.id<<1 | 1, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.exportID[p]
	if !ok {
		c.nextID++
		id = c.nextID
		c.exportID[p] = id
		c.exported[id] = p
	}
	return id << 1, nil
}

// portIn is the wire port decoder for messages this side receives.
func (c *conn) portIn(ref uint64) (any, error) {
	id := ref >> 1
	c.mu.Lock()
	defer c.mu.Unlock()
	if ref&1 == 1 {
		p, ok := c.exported[id]
		if !ok {
			return nil, &FrameError{Msg: fmt.Sprintf("unknown port %d", id)}
		}
		return p, nil
	}
	if p, ok := c.proxies[id]; ok {
		return p, nil
	}
	p := newSendPort("", &remoteBox{c: c, id: id})
	c.proxies[id] = p
	return p, nil
}

// encode turns a message into its wire form for this connection.
func (c *conn) encode(m *Message) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	return m.AppendWire(nil, c.portOut)
}

// decode reads a message in wire form; empty means none (nil).
func (c *conn) decode(b []byte) (*Message, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return clone.FromWire(b, c.portIn)
}

// deliverFrame handles a port frame from the peer: a message for a port
// this side exported.
func (c *conn) deliverFrame(r *frameReader) error {
	id := r.uint()
	body := r.bytes()
	if err := r.end(); err != nil {
		return err
	}
	c.mu.Lock()
	p, ok := c.exported[id]
	c.mu.Unlock()
	if !ok {
		return &FrameError{Msg: fmt.Sprintf("message for unknown port %d", id)}
	}
	m, err := c.decode(body)
	if err != nil {
		return err
	}
	if m == nil {
		return &FrameError{Msg: "empty message"}
	}
	_ = p.Send(m) // a full or closed mailbox drops it, as for any sender
	return nil
}

// remoteBox is the mailbox behind a proxy SendPort: delivering writes a
// port frame to the peer, which owns the real port.
type remoteBox struct {
	c  *conn
	id uint64
}

func (rb *remoteBox) deliver(_ *SendPort, m *Message) error {
	b, err := rb.c.encode(m)
	if err != nil {
		return err
	}
	_ = rb.c.write(newFrame(fPortTo).uint(rb.id).bytes(b).done()) // a dead peer drops it
	return nil
}
