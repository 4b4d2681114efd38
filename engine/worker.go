package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/isobox/isobox/internal/confine"
)

// workerEnv is set in the environment of a worker process. It holds the
// version of the frame protocol.
const workerEnv = "ISOBOX_WORKER"

const frameVersion = 4

// inWorker is set once, by WorkerMain, in a worker process: a process
// isolate spawned there shares its worker (which is confined and cannot
// start processes), see WithProcess.
var inWorker atomic.Bool

// WorkerMain turns the process into an isobox worker if it was started as
// one by a Host spawning process isolates (the re-exec pattern: the
// embedder's own binary serves as the worker). Call it first in main, with
// the same host options the worker's isolates need (WithSetup for the JS
// surface, WithFunc for host functions). In a worker it never returns: it
// serves the channel on file descriptor 3 until the host closes it, then
// exits. In any other process it returns at once.
//
// Before serving, a worker confines itself (unless the host said
// WithWorkerConfinement(false)): on linux/amd64 a seccomp filter makes
// sockets, exec, fork, writes to the file system and the kernel-admin
// system calls fail with EPERM for the rest of its life, host functions
// included.
//
// Only the goroutine running main should call it.
func WorkerMain(opts ...HostOption) {
	if os.Getenv(workerEnv) != strconv.Itoa(frameVersion) {
		return
	}
	// Non-blocking, so that the channel is served by Go's netpoller rather
	// than by threads parked in read(2) (about 2x the round-trip latency).
	_ = syscall.SetNonblock(3, true)
	ch := os.NewFile(3, "isobox-channel")
	if ch == nil {
		fmt.Fprintln(os.Stderr, "isobox worker: no channel")
		os.Exit(3)
	}
	EnsureProcs()
	inWorker.Store(true)
	if os.Getenv(workerEnv+"_CONFINE") != "off" && !raceBuild {
		if err := confine.Apply(); err != nil {
			// The kernel refused: say so, and serve unconfined.
			fmt.Fprintf(os.Stderr, "isobox worker: not confined: %v\n", err)
		}
	}
	os.Exit(serveWorker(ch, ch, opts))
}

// workerSide is the worker's end of the channel.
type workerSide struct {
	c    *conn
	host *Host

	mu   sync.Mutex
	isos map[uint64]*Isolate // by the host's shadow id

	dataLimited bool // RLIMIT_DATA set (read loop only)
}

func serveWorker(r io.Reader, w io.Writer, opts []HostOption) int {
	ws := &workerSide{c: newConn(w), isos: map[uint64]*Isolate{}}
	// The worker's own host: no ceiling of its own beyond the process's
	// (the parent enforces memory from outside), output goes up the channel.
	ws.host = NewHost(append(opts, WithStdout(io.Discard), WithStderr(io.Discard))...)
	ws.host.uplink = ws.c // BroadcastChannel posts cross to the parent (broadcast.go)
	if os.Getenv(workerEnv+"_WARM") == "1" {
		ws.host.warmUp()
	}
	if f, ok := r.(*os.File); ok {
		r = newPollReader(f, workerPoll(), &ws.c.wrote)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	code := 0
	for {
		t, fr, err := readFrame(br)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				code = 4
			}
			break
		}
		if err := ws.handle(t, fr); err != nil {
			code = 4
			break
		}
	}
	// The host closed the channel (or it broke): nothing may outlive it.
	ws.host.KillAll(Immediate)
	_ = ws.host.Shutdown(context.Background())
	_ = ws.c.flush() // what the last tasks sent (batch.go)
	return code
}

func (ws *workerSide) handle(t frameType, r *frameReader) error {
	switch t {
	case fSpawn:
		return ws.spawn(r)
	case fCtrl:
		return ws.ctrl(r)
	case fPortTo:
		return ws.c.deliverFrame(r)
	case fBroadcast:
		return ws.host.broadcastFrame(ws.c, r)
	case fEnd, fEndShut, fEndDone:
		return ws.c.endFrame(t, r)
	}
	return &FrameError{Msg: fmt.Sprintf("unexpected frame %d", t)}
}

// spawnSpec is what crosses in an fSpawn frame.
type spawnSpec struct {
	sid         uint64
	src         Source
	name, entry string
	arg         []byte
	setup       []byte // WithSetupMessage
	limits      Limits
	paused      bool
	errorsFatal bool
	wantResult  bool
	readRoots   []string
	funcs       []string
	stdin, exit bool
	args        []string // nil: no args global
	dir         string   // the parent's working directory, which relative file names are read against
}

func (s *spawnSpec) frame() []byte {
	f := newFrame(fSpawn).uint(s.sid).uint(uint64(s.src.Kind)).str(s.src.Filename).str(s.src.Code).str(s.src.SourceMap).
		uint(uint64(max(s.src.Line, 0))).uint(uint64(max(s.src.Column, 0))).str(s.name).str(s.entry).bytes(s.arg).bytes(s.setup)
	l := s.limits
	for _, v := range []int64{int64(l.MaxStackDepth), l.MaxTaskMs, l.CPUMs, l.MemoryMb, int64(l.MaxQueue), l.MaxMessageBytes, int64(l.MaxTimers)} {
		f.int(v)
	}
	f.bool(s.paused).bool(s.errorsFatal).bool(s.wantResult).uint(uint64(len(s.readRoots)))
	for _, r := range s.readRoots {
		f.str(r)
	}
	f.uint(uint64(len(s.funcs)))
	for _, fn := range s.funcs {
		f.str(fn)
	}
	f.bool(s.stdin).bool(s.exit).bool(s.args != nil).uint(uint64(len(s.args)))
	for _, a := range s.args {
		f.str(a)
	}
	f.str(s.dir)
	return f.done()
}

func readSpawnSpec(r *frameReader) (*spawnSpec, error) {
	s := &spawnSpec{sid: r.uint()}
	s.src.Kind = SourceKind(r.small())
	s.src.Filename, s.src.Code, s.src.SourceMap = r.str(), r.str(), r.str()
	s.src.Line, s.src.Column = r.small(), r.small()
	s.name, s.entry, s.arg, s.setup = r.str(), r.str(), r.bytes(), r.bytes()
	l := &s.limits
	l.MaxStackDepth, l.MaxTaskMs, l.CPUMs, l.MemoryMb = int(r.int()), r.int(), r.int(), r.int()
	l.MaxQueue, l.MaxMessageBytes, l.MaxTimers = int(r.int()), r.int(), int(r.int())
	s.paused, s.errorsFatal, s.wantResult = r.bool(), r.bool(), r.bool()
	n := r.small()
	for i := 0; i < n && r.err == nil; i++ {
		s.readRoots = append(s.readRoots, r.str())
	}
	n = r.small()
	for i := 0; i < n && r.err == nil; i++ {
		s.funcs = append(s.funcs, r.str())
	}
	s.stdin, s.exit = r.bool(), r.bool()
	hasArgs := r.bool()
	n = r.small()
	if hasArgs {
		s.args = []string{}
	}
	for i := 0; i < n && r.err == nil; i++ {
		s.args = append(s.args, r.str())
	}
	s.dir = r.str()
	return s, r.end()
}

func (ws *workerSide) spawn(r *frameReader) error {
	s, err := readSpawnSpec(r)
	if err != nil {
		return err
	}
	arg, err := ws.c.decode(s.arg)
	if err != nil {
		return err
	}
	setupMsg, err := ws.c.decode(s.setup)
	if err != nil {
		return err
	}
	if mb := s.limits.MemoryMb; mb > 0 {
		// Make the Go GC work to stay under the limit the host enforces
		// from outside, so that garbage is not what trips it.
		if cur := debug.SetMemoryLimit(-1); cur > mb<<20 {
			debug.SetMemoryLimit(mb << 20)
		}
		// And have the kernel refuse a huge step (see worker.limitMemory),
		// before any of the isolate's code runs.
		if !ws.dataLimited && !raceBuild {
			ws.dataLimited = true
			setDataLimit(0, procStatusBytes(os.Getpid(), "VmData:")+mb<<20+max(mb<<18, 64<<20))
		}
	}
	sid := s.sid
	opts := []SpawnOption{
		WithName(s.name), WithLimits(s.limits), WithPaused(s.paused), WithErrorsAreFatal(s.errorsFatal),
		WithCapabilities(Capabilities{ReadRoots: s.readRoots, Funcs: s.funcs, Stdin: s.stdin, Exit: s.exit, Args: s.args}),
		func(c *spawnConfig) { c.workDir = s.dir },
		WithOutput(&frameWriter{c: ws.c, sid: sid, stream: 1}, &frameWriter{c: ws.c, sid: sid, stream: 2}),
		withErrorHook(func(se *ScriptError) { _ = ws.c.write(ws.c.exitFields(newFrame(fError).uint(sid), se).done()) }),
	}
	if s.entry != "" {
		opts = append(opts, WithEntry(s.entry))
	}
	if arg != nil {
		opts = append(opts, WithMessage(arg))
	}
	if setupMsg != nil {
		opts = append(opts, WithSetupMessage(setupMsg))
	}
	if s.wantResult {
		opts = append(opts, WithResult(func(m *Message, err error) {
			f := newFrame(fResult).uint(sid)
			if err == nil {
				b, eerr := ws.c.encode(m)
				if eerr == nil {
					_ = ws.c.write(f.bool(true).bytes(b).done())
					return
				}
				err = eerr
			}
			_ = ws.c.write(ws.c.exitFields(f.bool(false), err).done())
		}))
	}
	iso, err := ws.host.Spawn(s.src, opts...)
	ready := newFrame(fReady).uint(sid)
	if err != nil {
		return ws.c.write(ws.c.exitFields(ready.bool(false), err).done())
	}
	ws.mu.Lock()
	ws.isos[sid] = iso
	ws.mu.Unlock()
	if err := ws.c.write(ready.bool(true).done()); err != nil {
		return err
	}
	iso.OnDone(func(err error) {
		ws.mu.Lock()
		delete(ws.isos, sid)
		ws.mu.Unlock()
		code, set := iso.ExitCode()
		_ = ws.c.write(ws.c.exitFields(newFrame(fExit).uint(sid).bool(set).int(int64(code)), err).done())
	})
	return nil
}

// ctrl kinds on the wire.
const (
	wKill uint64 = iota + 1
	wPause
	wResume
	wPing
	wErrorsFatal
)

func (ws *workerSide) ctrl(r *frameReader) error {
	sid, kind, prio, capRef, flag := r.uint(), r.uint(), Priority(r.small()), r.uint(), r.bool()
	portRef, msg := r.uint(), r.bytes()
	if err := r.end(); err != nil {
		return err
	}
	ws.mu.Lock()
	iso := ws.isos[sid]
	ws.mu.Unlock()
	var c *Capability
	if capRef != 0 {
		ref, err := ws.c.portIn(capRef)
		if err != nil {
			return err
		}
		var ok bool
		if c, ok = ref.(*Capability); !ok {
			return &FrameError{Msg: "pause without a capability"}
		}
	}
	if iso == nil {
		return nil // already gone
	}
	switch kind {
	case wKill:
		iso.Kill(prio)
	case wPause:
		iso.Pause(c)
	case wResume:
		iso.Resume(c)
	case wErrorsFatal:
		iso.SetErrorsFatal(flag)
	case wPing:
		p, err := ws.c.portIn(portRef)
		if err != nil {
			return err
		}
		m, err := ws.c.decode(msg)
		if err != nil {
			return err
		}
		iso.Ping(p.(*SendPort), m, prio)
	default:
		return &FrameError{Msg: "unknown control"}
	}
	return nil
}

// frameWriter sends an isolate's output up the channel.
type frameWriter struct {
	c      *conn
	sid    uint64
	stream uint64
}

func (fw *frameWriter) Write(p []byte) (int, error) {
	if err := fw.c.write(newFrame(fOut).uint(fw.sid).uint(fw.stream).bytes(p).done()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Exit and error fields: kind, then name, message, stack, the limit
// numbers and the copy of the thrown value (ScriptError.Value) in wire form.
// Kinds: 0 normal exit, 1 killed, 2 script error, 3 other.
func (c *conn) exitFields(f *frameBuf, err error) *frameBuf {
	var se *ScriptError
	var le *LimitError
	switch {
	case err == nil:
		return f.uint(0)
	case errors.Is(err, ErrKilled):
		return f.uint(1)
	case errors.As(err, &se):
		f.uint(2).str(se.Name).str(se.Message).str(se.Stack)
		if errors.As(se.Cause, &le) {
			f.bool(true).str(le.Limit).int(le.Max).int(le.Seen).str(le.Unit)
		} else {
			f.bool(false)
		}
		v, verr := c.encode(se.Value)
		if verr != nil {
			v = nil // an unsendable copy: the fields above still say what happened
		}
		return f.bytes(v)
	case errors.As(err, &le):
		return f.uint(2).str("ResourceLimitError").str(le.Message()).str("").bool(true).str(le.Limit).int(le.Max).int(le.Seen).str(le.Unit).bytes(nil)
	}
	return f.uint(3).str(err.Error())
}

func (c *conn) readExitFields(r *frameReader) error {
	switch r.uint() {
	case 0:
		return nil
	case 1:
		return ErrKilled
	case 2:
		se := &ScriptError{Name: r.str(), Message: r.str(), Stack: r.str()}
		if r.bool() {
			se.Cause = &LimitError{Limit: r.str(), Max: r.int(), Seen: r.int(), Unit: r.str()}
		}
		if v := r.bytes(); len(v) > 0 && r.err == nil {
			m, err := c.decode(v)
			if err != nil {
				r.fail("bad thrown value: " + err.Error())
				return nil
			}
			se.Value = m
		}
		return se
	case 3:
		return &ScriptError{Name: "InternalError", Message: r.str()}
	}
	r.fail("bad exit kind")
	return nil
}

// warmUp runs one throwaway isolate to its end (at most 5 s), on the
// worker's host, before the worker serves its first frame.
func (h *Host) warmUp() {
	iso, err := h.Spawn(FunctionSource("() => {}"), WithName("warm-up"))
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = iso.Wait(ctx)
}
