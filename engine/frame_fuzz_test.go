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
