package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Frames between a host and a worker process. A frame is a 4-byte
// little-endian length (of what follows), a type byte and a payload of
// varints, strings and byte strings, in an order fixed per type. The reader
// treats every byte as hostile: a length over maxFrame, a truncated field or
// trailing bytes is a *FrameError, after which the connection is dropped.

const maxFrame = 1 << 30 // a message may be large; nothing is allocated before its bytes arrive

type frameType byte

const (
	// host -> worker
	fSpawn  frameType = iota + 1 // sid, spawn spec
	fCtrl                        // sid, ctrl kind, cap id, port id, message, flag
	fPortTo                      // deliver to a worker port: worker port id, message
	// worker -> host
	fOut    // sid, stream (1 stdout, 2 stderr), bytes
	fError  // sid, name, message, stack, error value message (wire, may be empty)
	fExit   // sid, exit kind, name, message, stack, limit fields
	fResult // sid, ok flag, message or error fields
	fPortFrom
	fReady // sid, default port id (0: none)
	// both ways
	fHello     // version
	fBroadcast // a BroadcastChannel post: channel name, message
	fEnd       // a message for the end held for the sender's bridge: bridge id, message (conn_ends.go)
	fEndShut   // the sender's bridge closed: bridge id
	fEndDone   // the end held for the receiver's bridge closed: bridge id
)

// FrameError reports a malformed frame from a worker.
type FrameError struct{ Msg string }

func (e *FrameError) Error() string { return "engine: bad frame from worker: " + e.Msg }

// frameBuf builds one frame.
type frameBuf struct{ b []byte }

func newFrame(t frameType) *frameBuf {
	return &frameBuf{b: append(make([]byte, 4, 64), byte(t))}
}

func (f *frameBuf) uint(v uint64) *frameBuf { f.b = binary.AppendUvarint(f.b, v); return f }
func (f *frameBuf) int(v int64) *frameBuf   { f.b = binary.AppendVarint(f.b, v); return f }
func (f *frameBuf) bytes(p []byte) *frameBuf {
	f.b = binary.AppendUvarint(f.b, uint64(len(p)))
	f.b = append(f.b, p...)
	return f
}
func (f *frameBuf) str(s string) *frameBuf {
	f.b = binary.AppendUvarint(f.b, uint64(len(s)))
	f.b = append(f.b, s...)
	return f
}
func (f *frameBuf) bool(v bool) *frameBuf {
	if v {
		return f.uint(1)
	}
	return f.uint(0)
}

// done fills in the length and returns the frame's bytes.
func (f *frameBuf) done() []byte {
	binary.LittleEndian.PutUint32(f.b, uint32(len(f.b)-4))
	return f.b
}

// readFrame reads one frame from r.
func readFrame(r io.Reader) (frameType, *frameReader, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if n == 0 || n > maxFrame {
		return 0, nil, &FrameError{Msg: fmt.Sprintf("frame length %d", n)}
	}
	// Read in chunks so that a lying length costs only what really arrives.
	buf := make([]byte, 0, min(int(n), 1<<16))
	for len(buf) < int(n) {
		chunk := min(int(n)-len(buf), 1<<20)
		if cap(buf)-len(buf) < chunk {
			nb := make([]byte, len(buf), min(int(n), max(2*cap(buf), len(buf)+chunk)))
			copy(nb, buf)
			buf = nb
		}
		m, err := io.ReadFull(r, buf[len(buf):len(buf)+chunk])
		buf = buf[:len(buf)+m]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, nil, err
		}
	}
	return frameType(buf[0]), &frameReader{b: buf[1:]}, nil
}

// frameReader reads the fields of one frame; the first error sticks.
type frameReader struct {
	b   []byte
	err error
}

func (r *frameReader) fail(msg string) {
	if r.err == nil {
		r.err = &FrameError{Msg: msg}
	}
}

func (r *frameReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *frameReader) int() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// small reads an unsigned varint that must fit an int.
func (r *frameReader) small() int {
	v := r.uint()
	if v > math.MaxInt32 {
		r.fail("number out of range")
		return 0
	}
	return int(v)
}

func (r *frameReader) bytes() []byte {
	n := r.uint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail("field longer than the frame")
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *frameReader) str() string { return string(r.bytes()) }
func (r *frameReader) bool() bool  { return r.uint() != 0 }
func (r *frameReader) end() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail("trailing bytes")
	}
	return r.err
}
