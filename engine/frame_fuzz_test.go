package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// FuzzWorkerFrames feeds the parent's frame handler (worker.handle) what a
// hostile worker process could write: any bytes, read as frames. Each
// frame must be handled or refused with an error (after which the parent
// kills the worker); a Go panic fails. The host has one in-process
// isolate with a BroadcastChannel-style member, so broadcast frames reach
// a real receiver.
func FuzzWorkerFrames(f *testing.F) {
	for _, seed := range [][]byte{
		newFrame(fBroadcast).str("c").bytes([]byte{1, 2, 3}).done(),
		newFrame(fBroadcast).str("").bytes(nil).done(),
		newFrame(fOut).uint(1).uint(1).bytes([]byte("hi\n")).done(),
		newFrame(fError).uint(1).done(),
		newFrame(fExit).uint(7).uint(2).done(),
		newFrame(fPortTo).uint(4).bytes([]byte{0}).done(),
		newFrame(fResult).uint(1).bool(true).bytes(nil).done(),
		newFrame(fReady).uint(1).uint(0).done(),
		newFrame(fEnd).uint(3).bytes([]byte{1, 2}).done(),
		newFrame(fEndShut).uint(3).done(),
		newFrame(fEndDone).uint(1).done(),
		newFrame(fPortTo).uint(1).bytes([]byte{1, 0x10, 0x1d}).done(),
		{1, 0, 0, 0, byte(fBroadcast)},
		{255, 255, 255, 255},
	} {
		f.Add(seed)
	}
	h := NewHost(WithStdout(io.Discard), WithStderr(io.Discard))
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		h.KillAll(Immediate)
		_ = h.Shutdown(ctx)
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		w := &worker{host: h, c: newConn(io.Discard), shadows: map[uint64]*Isolate{}, acks: map[uint64]chan error{},
			stderr: &tailBuffer{}, exited: make(chan struct{})}
		br := bytes.NewReader(data)
		for {
			ft, fr, err := readFrame(br)
			if err != nil {
				var fe *FrameError
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &fe) {
					t.Fatalf("readFrame: unexpected error %v", err)
				}
				return
			}
			if err := w.handle(ft, fr); err != nil {
				return // the parent would kill the worker here
			}
		}
	})
}

// The ends a side holds for its peer's bridges are bounded: a peer that
// names new ones without end is refused, not given memory.
func TestHeldEndsBounded(t *testing.T) {
	c := newConn(io.Discard)
	for i := uint64(1); i <= maxHeldEnds; i++ {
		if _, err := c.heldEnd(i); err != nil {
			t.Fatalf("end %d: %v", i, err)
		}
	}
	if _, err := c.heldEnd(maxHeldEnds + 1); err == nil {
		t.Fatal("no error past maxHeldEnds")
	}
	e, _ := c.heldEnd(3)
	if again, _ := c.heldEnd(3); again != e {
		t.Fatal("one id gave two ends")
	}
	if closed, _ := c.heldEnd(0); !closed.Closed() {
		t.Fatal("end 0 is not closed")
	}
	c.closeEnds()
	if !e.Closed() {
		t.Fatal("closeEnds left an end open")
	}
}
