package engine

import "time"

// Batched writes to a worker process.
//
// A message an isolate task sends to a port in another process used to
// cost one write(2) each: a loop of sends was bounded by system calls
// (~160,000 messages a second). Now Isolate.Send, for a port across a
// connection, appends the frame to the connection's batch and the isolate
// flushes the connections it sent on when the task ends: a task's
// messages leave in one write, and a lone reply (an echo) leaves as soon
// as its task ends, on the same goroutine, as before. A batch also goes
// out when it passes maxDeferred bytes (so memory stays bounded and a slow
// reader still slows the sender), when any other frame is written on the
// connection (frames stay in order), and at most maxDeferredWait after its
// first frame, so that a task that sends and then runs for long still
// delivers what it sent.
const (
	maxDeferred     = 256 << 10
	maxDeferredWait = 500 * time.Microsecond
)

// writeDeferred adds frame to the batch. A failed write shows in the next
// write or flush, as for a peer that is gone.
func (c *conn) writeDeferred(frame []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed || c.werr != nil {
		return
	}
	c.deferred = append(c.deferred, frame...)
	if len(c.deferred) >= maxDeferred {
		_ = c.flushLocked()
		return
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(maxDeferredWait, func() { _ = c.flush() })
	} else if len(c.deferred) == len(frame) {
		c.timer.Reset(maxDeferredWait)
	}
}

// flush writes the batch. Any goroutine.
func (c *conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.flushLocked()
}

func (c *conn) flushLocked() error {
	if len(c.deferred) == 0 {
		return c.werr
	}
	b := c.deferred
	c.deferred = b[len(b):]
	if cap(b) > 4*maxDeferred {
		c.deferred = nil
	}
	if c.closed {
		return nil
	}
	c.wrote.Store(monoNow())
	if _, err := c.w.Write(b); err != nil && c.werr == nil {
		c.werr = err
	}
	return c.werr
}

// sendBatched is p.Send(m) for a send from a task of iso: a port across a
// connection gets the frame in the connection's batch (batch.go), flushed
// when the task ends. Loop only.
func (iso *Isolate) sendBatched(p *SendPort, m *Message) error {
	rb, ok := p.box.(*remoteBox)
	if !ok || p.closed.Load() {
		return p.Send(m)
	}
	c, err := rb.deliverDeferred(m)
	if err != nil {
		return err
	}
	for _, d := range iso.dirty {
		if d == c {
			return nil
		}
	}
	iso.dirty = append(iso.dirty, c)
	return nil
}

// flushSends writes the batches the task's sends left. Loop only.
func (iso *Isolate) flushSends() {
	for i, c := range iso.dirty {
		_ = c.flush()
		iso.dirty[i] = nil
	}
	iso.dirty = iso.dirty[:0]
}
