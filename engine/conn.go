package engine

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/isobox/isobox/engine/clone"
)

// conn is one side of a host <-> worker channel: the frame writer and the
// tables that let SendPorts and Capabilities travel in messages in both
// directions.
//
// A reference crosses as a number: id<<3 | kind<<1 | side, kind 0 for a
// SendPort, 1 for a Capability and 2 for a MessagePort end
// (conn_ends.go). Encoding one of this side's own exports
// it (it gets an id, and the peer names it by that id) and writes side 0;
// encoding this side's proxy of a peer's one writes the peer's id with side
// 1 ("your own"). Decoding reverses that: side 1 must name something this
// side exported; side 0 becomes this side's proxy of the peer's, made once
// per id, so a port sent twice arrives as the same *SendPort and a
// capability that goes there and back arrives as the original. Nothing is
// unexported while the connection lives: a closed port drops what reaches
// it, as any closed port does. Isolate handles do not cross (yet): sending
// one to a worker is a DataCloneError.
type conn struct {
	wmu      sync.Mutex
	w        io.Writer
	deferred []byte      // frames sent by isolate tasks, not written yet (batch.go); guarded by wmu
	timer    *time.Timer // writes deferred frames that wait too long
	werr     error       // the write error that ended the connection

	mu       sync.Mutex
	exported map[uint64]*SendPort
	exportID map[*SendPort]uint64
	proxies  map[uint64]*SendPort
	caps     map[uint64]*Capability // exported capabilities
	capID    map[*Capability]uint64
	capProxy map[uint64]*Capability // the peer's capabilities, as seen here
	capPeer  map[*Capability]uint64 // and back
	bridges  map[uint64]*PortEnd    // ends of this side whose holder is the peer (conn_ends.go)
	held     map[uint64]*PortEnd    // ends held here for the peer's bridges, by the peer's id
	nextID   uint64
	closed   bool

	wrote atomic.Int64 // when a frame was last written (monoNow), for the reader's polling (chanpoll.go)
}

func newConn(w io.Writer) *conn {
	return &conn{w: w, exported: map[uint64]*SendPort{}, exportID: map[*SendPort]uint64{}, proxies: map[uint64]*SendPort{},
		caps: map[uint64]*Capability{}, capID: map[*Capability]uint64{}, capProxy: map[uint64]*Capability{}, capPeer: map[*Capability]uint64{},
		bridges: map[uint64]*PortEnd{}, held: map[uint64]*PortEnd{}}
}

const (
	refPort uint64 = 0
	refCap  uint64 = 1
	refEnd  uint64 = 2
)

// write sends one frame, after the deferred ones; frames from different
// goroutines never interleave.
func (c *conn) write(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return io.ErrClosedPipe
	}
	if len(c.deferred) > 0 {
		c.deferred = append(c.deferred, frame...)
		return c.flushLocked()
	}
	_, err := c.w.Write(frame)
	c.wrote.Store(monoNow())
	return err
}

func (c *conn) close() {
	c.wmu.Lock()
	c.closed = true
	c.wmu.Unlock()
	c.closeEnds()
}

// portOut is the wire encoder of host references for messages this side
// sends.
func (c *conn) portOut(ref any) (uint64, error) {
	switch x := ref.(type) {
	case *SendPort:
		if x == nil {
			break
		}
		if rb, ok := x.box.(*remoteBox); ok && rb.c == c {
			return rb.id<<3 | refPort<<1 | 1, nil
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		id, ok := c.exportID[x]
		if !ok {
			c.nextID++
			id = c.nextID
			c.exportID[x] = id
			c.exported[id] = x
		}
		return id<<3 | refPort<<1, nil
	case *Capability:
		if x == nil {
			break
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if id, ok := c.capPeer[x]; ok {
			return id<<3 | refCap<<1 | 1, nil
		}
		id, ok := c.capID[x]
		if !ok {
			c.nextID++
			id = c.nextID
			c.capID[x] = id
			c.caps[id] = x
		}
		return id<<3 | refCap<<1, nil
	case *Isolate:
		return 0, &CloneError{Msg: "an Isolate handle could not be sent to or from a worker process"}
	case *PortEnd:
		if x == nil {
			break
		}
		return c.bridge(x), nil
	case *PlatformObject:
		return 0, &CloneError{Msg: "a " + x.Class + " could not be sent to or from a worker process"}
	}
	return 0, &CloneError{Msg: "this value could not be sent to or from a worker process"}
}

// proxyLocked is this side's proxy of the peer's port id, made once per
// id. c.mu is held.
func (c *conn) proxyLocked(id uint64) *SendPort {
	p, ok := c.proxies[id]
	if !ok {
		p = newSendPort("", &remoteBox{c: c, id: id})
		c.proxies[id] = p
	}
	return p
}

// portIn is the wire decoder of host references for messages this side
// receives.
func (c *conn) portIn(ref uint64) (any, error) {
	id, kind, own := ref>>3, ref>>1&3, ref&1 == 1
	if kind == refEnd {
		if own {
			return nil, &FrameError{Msg: "a port end named as the receiver's own"}
		}
		return c.heldEnd(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case kind == refPort && own:
		if p, ok := c.exported[id]; ok {
			return p, nil
		}
		return nil, &FrameError{Msg: fmt.Sprintf("unknown port %d", id)}
	case kind == refPort:
		return c.proxyLocked(id), nil
	case kind != refCap:
		return nil, &FrameError{Msg: fmt.Sprintf("unknown reference kind %d", kind)}
	case own:
		if k, ok := c.caps[id]; ok {
			return k, nil
		}
		return nil, &FrameError{Msg: fmt.Sprintf("unknown capability %d", id)}
	default:
		if k, ok := c.capProxy[id]; ok {
			return k, nil
		}
		k := NewCapability()
		c.capProxy[id] = k
		c.capPeer[k] = id
		return k, nil
	}
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

// deliverDeferred is deliver for a send from an isolate task: the frame
// waits in the connection's batch, written when the task ends (or sooner,
// see batch.go); the connection is returned for the isolate to flush.
func (rb *remoteBox) deliverDeferred(m *Message) (*conn, error) {
	b, err := rb.c.encode(m)
	if err != nil {
		return nil, err
	}
	rb.c.writeDeferred(newFrame(fPortTo).uint(rb.id).bytes(b).done())
	return rb.c, nil
}
