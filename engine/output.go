package engine

import (
	"context"
	"io"
	"sync"
)

// DefaultOutputBuffer is how many bytes of output one isolate may have
// waiting for a slow host writer, per stream, when WithOutputBuffer is not
// given.
const DefaultOutputBuffer = 256 << 10

// outStream carries the output of many isolates to one io.Writer (the
// host's stdout or stderr) so that a slow reader slows only the isolate
// that floods it.
//
// Every Write is written whole with one Write call on w, and writes reach w
// in the order they were made (so an isolate's output keeps its order, and
// a parent's line written before a child's stays before it). When nobody
// is writing, a Write goes straight to w, as a plain mutex would. When
// somebody is, the bytes are copied to a FIFO that a pump goroutine drains,
// and the Write returns at once, as long as its source (one isolate) has no
// more than limit bytes queued; past that, Write waits until the pump has
// written enough of that source's bytes. The waiting is the backpressure,
// and only the source over its bound waits: a sibling writing a log line
// while another isolate's 16 MB block crawls to a pipe gets its line queued
// behind the block and goes on running.
type outStream struct {
	w     io.Writer
	limit int

	mu   sync.Mutex
	q    []outChunk
	busy bool // a Write or the pump is writing to w
}

type outChunk struct {
	p   []byte
	src *outSource
}

func newOutStream(w io.Writer, limit int) *outStream {
	return &outStream{w: w, limit: limit}
}

// outSource is one writer's view of an outStream: the bytes it has queued
// and the channel its waiters are woken on.
type outSource struct {
	s       *outStream
	stop    <-chan struct{} // closed: stop waiting for space (the isolate is ending)
	queued  int             // bytes in the queue; guarded by s.mu
	waiters int             // guarded by s.mu
	changed chan struct{}   // closed when queued drops; guarded by s.mu
}

func (s *outStream) source(stop <-chan struct{}) *outSource {
	return &outSource{s: s, stop: stop}
}

// Write queues or writes p, see outStream. It reports len(p) once p is
// queued; an error of the underlying writer is returned only when p was
// written directly.
func (o *outSource) Write(p []byte) (int, error) {
	s := o.s
	s.mu.Lock()
	if !s.busy && len(s.q) == 0 {
		s.busy = true
		s.mu.Unlock()
		n, err := s.w.Write(p)
		s.mu.Lock()
		s.handOffLocked()
		s.mu.Unlock()
		return n, err
	}
	s.q = append(s.q, outChunk{p: append([]byte(nil), p...), src: o})
	o.queued += len(p)
	o.waitLocked(func() bool { return o.queued <= s.limit }, o.stop)
	s.mu.Unlock()
	return len(p), nil
}

// waitLocked waits until ok() or stop is closed. s.mu held; released while
// waiting.
func (o *outSource) waitLocked(ok func() bool, stop <-chan struct{}) bool {
	s := o.s
	for !ok() {
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		ch := o.changed
		o.waiters++
		s.mu.Unlock()
		select {
		case <-ch:
		case <-stop:
			s.mu.Lock()
			o.waiters--
			return false
		}
		s.mu.Lock()
		o.waiters--
	}
	return true
}

// flush waits until every byte o queued has been written, or ctx is done.
func (o *outSource) flush(ctx context.Context) error {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !o.waitLocked(func() bool { return o.queued == 0 }, ctx.Done()) {
		return ctx.Err()
	}
	return nil
}

// handOffLocked is called by whoever finished writing to w: it starts the
// pump when chunks are waiting, else marks the stream idle. s.mu held.
func (s *outStream) handOffLocked() {
	if len(s.q) == 0 {
		s.busy = false
		return
	}
	go s.pump()
}

// pump writes the queued chunks in order, then ends.
func (s *outStream) pump() {
	s.mu.Lock()
	for len(s.q) > 0 {
		c := s.q[0]
		s.q[0] = outChunk{}
		s.q = s.q[1:]
		s.mu.Unlock()
		_, _ = s.w.Write(c.p)
		s.mu.Lock()
		c.src.queued -= len(c.p)
		if c.src.waiters > 0 && c.src.changed != nil {
			close(c.src.changed)
			c.src.changed = nil
		}
	}
	s.q = nil
	s.busy = false
	s.mu.Unlock()
}
