package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process isolates. An isolate spawned WithProcess runs in a worker
// process; in this process it is a shadow: an *Isolate with the same handle,
// listeners and Wait/Done as any other, whose loop runs no VM. Control
// (kill, pause, resume, ping, errorsAreFatal) is forwarded to the worker;
// the worker reports output, errors, results and the exit back, and the
// shadow's loop turns them into the same listener messages and hooks an
// in-process isolate produces. Every byte from a worker is read as hostile
// (frame.go, clone.FromWire): a bad frame kills the worker.

// killGrace is how long a worker has to confirm an immediate kill before it
// is SIGKILLed with every isolate in it.
const killGrace = 50 * time.Millisecond

// WithProcess runs the isolate in a worker process. Isolates with the same
// non-empty group share one worker (a crash takes that group down, no one
// else); an empty group gets a worker of its own. Spawned from inside a
// worker (a process isolate's own children), it runs in that worker: the
// worker is already behind the process wall, and confined from starting
// processes. The worker is the binary
// named by WithWorkerCommand (by default this executable, which must call
// WorkerMain first in main).
func WithProcess(group string) SpawnOption {
	return func(c *spawnConfig) { c.process, c.group, c.processSet = true, group, true }
}

// WithInProcess(true) runs the isolate in this process even when the host
// runs spawned isolates in workers by default (WithProcessDefault);
// WithInProcess(false) is WithProcess("").
func WithInProcess(in bool) SpawnOption {
	return func(c *spawnConfig) { c.process, c.group, c.processSet = !in, "", true }
}

// WithProcessDefault makes every isolate spawned by another isolate of this
// host (one with WithParent, as the JS Isolate.spawn, spawnFile and run
// do) run in a worker process of its own unless its options say otherwise.
// Isolates spawned from Go without a parent are not affected, nor are those
// spawned inside a worker (see WithProcess).
func WithProcessDefault(on bool) HostOption { return func(h *Host) { h.processDefault = on } }

// WithWorkerCommand sets the command that starts a worker process: path
// and arguments. The default is this executable with no arguments. The
// command must call WorkerMain first.
func WithWorkerCommand(path string, args ...string) HostOption {
	return func(h *Host) { h.workerCmd = append([]string{path}, args...) }
}

// WithWorkerConfinement turns the workers' seccomp confinement on (the
// default) or off. Turn it off only when host functions running in the
// workers need what it denies (sockets, exec, writing files).
func WithWorkerConfinement(on bool) HostOption { return func(h *Host) { h.unconfined = !on } }

// WithWorkerStdin gives f as standard input to the worker of a process
// isolate granted Capabilities.Stdin (each such isolate gets a worker of its
// own): the CLI's --process, whose main isolate reads the terminal. Other
// workers' stdin is /dev/null.
func WithWorkerStdin(f *os.File) HostOption { return func(h *Host) { h.workerStdin = f } }

// WithWorkerPool keeps n worker processes started ahead of need, so that
// spawning a process isolate with no group does not wait for a process to
// start (a few milliseconds). Pooled workers are idle processes; Shutdown
// ends them. The default is 0: every worker starts on demand.
func WithWorkerPool(n int) HostOption { return func(h *Host) { h.poolSize = max(n, 0) } }

// withErrorHook makes every uncaught error of the isolate go to fn instead
// of being printed (the worker reports them to its host).
func withErrorHook(fn func(*ScriptError)) SpawnOption {
	return func(c *spawnConfig) { c.errorHook = fn }
}

// ProcessError is how an isolate learns that its worker process died under
// it: "worker exited: fatal error: stack overflow". In JS it is an error
// named "ProcessError".
var errProcess = errors.New("engine: worker process died")

// worker is one worker process, seen from the host.
type worker struct {
	host  *Host
	group string
	cmd   *exec.Cmd
	c     *conn
	pid   int

	mu      sync.Mutex
	shadows map[uint64]*Isolate
	acks    map[uint64]chan error
	pending int // spawns between h.worker and registering their shadow
	dead    bool
	why     error // set when the host killed it on purpose (memory, garbage)
	memMb   int64
	base    int64  // idle RSS in bytes, measured after the first spawn
	cg      string // the worker's own cgroup, when its memory limit has one (cgroup.go)
	stderr  *tailBuffer
	exited  chan struct{}
}

// worker returns the running worker of group, starting one (or taking a
// pooled one) if needed. memMb is the memory limit of a new worker's
// isolate: the whole worker's limit, enforced from outside.
func (h *Host) worker(group string, memMb int64) (*worker, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if group != "" {
		if w := h.workers[group]; w != nil && w.reserve() {
			if memMb > 0 {
				w.limitMemory(memMb)
			}
			return w, nil
		}
	}
	var w *worker
	for len(h.pool) > 0 && w == nil {
		w = h.pool[len(h.pool)-1]
		h.pool = h.pool[:len(h.pool)-1]
		if w.isDead() {
			w = nil
		}
	}
	if w == nil {
		var err error
		if w, err = h.startWorker(); err != nil {
			return nil, err
		}
		h.allWorkers[w] = struct{}{}
	}
	w.group = group
	w.reserve()
	if memMb > 0 {
		w.limitMemory(memMb)
	}
	if group != "" {
		if h.workers == nil {
			h.workers = map[string]*worker{}
		}
		h.workers[group] = w
	}
	if h.poolSize > 0 && !h.refilling {
		h.refilling = true
		go h.refillPool()
	}
	return w, nil
}

// stdinWorker starts a worker of its own whose stdin is the host's worker
// stdin (WithWorkerStdin), for an isolate granted Capabilities.Stdin.
func (h *Host) stdinWorker(memMb int64) (*worker, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w, err := h.startWorkerWith(h.workerStdin)
	if err != nil {
		return nil, err
	}
	h.allWorkers[w] = struct{}{}
	w.reserve()
	if memMb > 0 {
		w.limitMemory(memMb)
	}
	return w, nil
}

// refillPool starts workers until the pool is full again.
func (h *Host) refillPool() {
	for {
		h.mu.Lock()
		if h.closed || len(h.pool) >= h.poolSize {
			h.refilling = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		w, err := h.startWorkerOpts(nil, true)
		h.mu.Lock()
		if err != nil || h.closed {
			h.refilling = false
			h.mu.Unlock()
			if w != nil {
				w.stop()
			}
			return
		}
		h.allWorkers[w] = struct{}{}
		h.pool = append(h.pool, w)
		h.mu.Unlock()
	}
}

// limitMemory sets the worker's memory limit, once. Two mechanisms
// enforce it everywhere, and a third where the host has a delegated cgroup
// v2 (cgroup.go: the worker's own cgroup with memory.max, whose OOM kill is
// reported as a memoryMb breach). The host's RSS watch (watchMemory) stops
// the worker when its resident memory passes the baseline taken when the worker acknowledged
// its first isolate (measureBase) plus mb. And the worker, before it runs
// its first limited isolate, has the kernel refuse it any data mapping past
// its size then plus mb plus a margin (RLIMIT_DATA; the margin covers the
// Go heap's mapping granularity), which catches a single huge allocation
// before it is touched. A worker that dies of that is reported as a
// memoryMb breach too.
func (w *worker) limitMemory(mb int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.memMb != 0 {
		return
	}
	w.memMb = mb
	if parent := w.host.workerCgroupParent(); parent != "" {
		if dir, err := joinCgroup(parent, w.pid, mb); err == nil {
			w.cg = dir
		} else {
			w.host.debugf("worker %d: no cgroup of its own under %s: %v", w.pid, parent, err)
		}
	}
	go w.watchMemory()
}

// reserve holds the worker for one spawn until spawnRemote registers (or
// gives up) its shadow, so that it is not stopped in between. It fails for
// a dead worker.
func (w *worker) reserve() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead {
		return false
	}
	w.pending++
	return true
}

func (w *worker) isDead() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dead
}

// startWorker starts a worker process. Call it with h.mu held or not; it
// does not touch the host's maps.
func (h *Host) startWorker() (*worker, error) { return h.startWorkerOpts(nil, false) }

// startWorkerWith is startWorker with stdin (nil: /dev/null) as the
// worker's standard input.
func (h *Host) startWorkerWith(stdin *os.File) (*worker, error) {
	return h.startWorkerOpts(stdin, false)
}

// startWorkerOpts starts a worker; a warm one (a pool worker, started
// ahead of need) first runs one throwaway isolate, so that the first
// spawn it serves does not pay the process's first-use costs (code paths
// faulted in, goja's and the guards' one-time set-up, the heap grown):
// measured, a pooled spawn took 6-13 ms cold and 1-2 ms warm.
func (h *Host) startWorkerOpts(stdin *os.File, warm bool) (*worker, error) {
	argv := h.workerCmd
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("engine: cannot find the worker executable: %w", err)
		}
		argv = []string{exe}
	}
	// Non-blocking: both ends are served by Go's netpoller (the child's end
	// is made blocking again by os/exec; the worker undoes that).
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("engine: worker channel: %w", err)
	}
	parentEnd := os.NewFile(uintptr(fds[0]), "isobox-worker")
	childEnd := os.NewFile(uintptr(fds[1]), "isobox-channel")
	defer childEnd.Close()

	cmd := exec.Command(argv[0], argv[1:]...)
	// A cleared environment: nothing of the host's leaks into the worker.
	cmd.Env = []string{workerEnv + "=" + strconv.Itoa(frameVersion), workerPollEnv + "=" + strconv.FormatInt(int64(h.channelPoll()), 10)}
	if h.unconfined {
		cmd.Env = append(cmd.Env, workerEnv+"_CONFINE=off")
	}
	if warm {
		cmd.Env = append(cmd.Env, workerEnv+"_WARM=1")
	}
	cmd.ExtraFiles = []*os.File{childEnd} // fd 3; nothing else is inherited
	if stdin != nil {
		cmd.Stdin = stdin // the main isolate's stdin capability (WithWorkerStdin)
	}
	cmd.Dir = "/"
	tail := &tailBuffer{max: 2 << 10}
	cmd.Stderr = tail
	cmd.SysProcAttr = workerSysProcAttr()
	if err := cmd.Start(); err != nil {
		parentEnd.Close()
		return nil, fmt.Errorf("engine: starting a worker process: %w", err)
	}
	w := &worker{
		host: h, cmd: cmd, c: newConn(parentEnd), pid: cmd.Process.Pid,
		shadows: map[uint64]*Isolate{}, acks: map[uint64]chan error{},
		stderr: tail, exited: make(chan struct{}),
	}
	go w.read(parentEnd)
	return w, nil
}

// read is the worker's event pump: it runs until the channel ends.
func (w *worker) read(f *os.File) {
	br := bufio.NewReaderSize(newPollReader(f, w.host.channelPoll(), &w.c.wrote), 1<<16)
	var fail error
	for {
		t, fr, err := readFrame(br)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
				fail = err
			}
			break
		}
		if err := w.handle(t, fr); err != nil {
			fail = err
			break
		}
	}
	if fail != nil {
		// Garbage from the worker: it is not to be trusted any more.
		w.mu.Lock()
		if w.why == nil {
			w.why = fail
		}
		w.mu.Unlock()
		w.signal()
	}
	f.Close()
	w.c.close()
	_ = w.cmd.Wait()
	close(w.exited)
	w.died()
	w.mu.Lock()
	cg := w.cg
	w.mu.Unlock()
	if cg != "" {
		removeCgroup(cg)
	}
}

// signal SIGKILLs the worker and everything in its process group.
func (w *worker) signal() {
	if w.cmd.Process != nil {
		killGroup(w.pid)
		_ = w.cmd.Process.Kill()
	}
}

func (w *worker) shadow(sid uint64) *Isolate {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.shadows[sid]
}

func (w *worker) handle(t frameType, r *frameReader) error {
	switch t {
	case fPortTo:
		return w.c.deliverFrame(r)
	case fBroadcast:
		return w.host.broadcastFrame(w.c, r)
	case fEnd, fEndShut, fEndDone:
		return w.c.endFrame(t, r)
	case fOut:
		sid, stream, p := r.uint(), r.uint(), r.bytes()
		if err := r.end(); err != nil {
			return err
		}
		if iso := w.shadow(sid); iso != nil {
			out := iso.stdout
			if stream == 2 {
				out = iso.stderr
			}
			_, _ = out.Write(p)
		}
	case fError:
		sid := r.uint()
		err := w.c.readExitFields(r)
		if e := r.end(); e != nil {
			return e
		}
		var se *ScriptError
		if iso := w.shadow(sid); iso != nil && errors.As(err, &se) {
			iso.control(ctrl{kind: ctrlRemoteError, err: se})
		}
	case fExit:
		sid, set, code := r.uint(), r.bool(), r.int()
		err := w.c.readExitFields(r)
		if e := r.end(); e != nil {
			return e
		}
		if iso := w.shadow(sid); iso != nil {
			if set && code >= -1<<31 && code <= 1<<31 {
				iso.SetExitCode(int(code))
			}
			iso.control(ctrl{kind: ctrlRemoteExit, err: err})
		}
	case fResult:
		sid, ok := r.uint(), r.bool()
		var m *Message
		var err error
		if ok {
			if m, err = w.c.decode(r.bytes()); err != nil {
				return err
			}
			if m == nil {
				m = nullMessage()
			}
		} else {
			err = w.c.readExitFields(r)
		}
		if e := r.end(); e != nil {
			return e
		}
		if iso := w.shadow(sid); iso != nil {
			if fn := iso.result.Swap(nil); fn != nil {
				(*fn)(m, err)
			}
		}
	case fReady:
		sid, ok := r.uint(), r.bool()
		var err error
		if !ok {
			if err = w.c.readExitFields(r); err == nil {
				err = &ScriptError{Name: "InternalError", Message: "the worker refused the spawn"}
			}
		}
		if e := r.end(); e != nil {
			return e
		}
		w.mu.Lock()
		ch := w.acks[sid]
		delete(w.acks, sid)
		w.mu.Unlock()
		if ch != nil {
			ch <- err
		}
	default:
		return &FrameError{Msg: fmt.Sprintf("unexpected frame %d", t)}
	}
	return nil
}

// died reports the worker's end to every isolate still in it: an error,
// then the exit, as for an isolate that crashed in-process.
func (w *worker) died() {
	w.mu.Lock()
	w.dead = true
	shadows := w.shadows
	w.shadows = map[uint64]*Isolate{}
	acks := w.acks
	w.acks = map[uint64]chan error{}
	why := w.why
	w.mu.Unlock()
	h := w.host
	h.mu.Lock()
	if h.workers[w.group] == w {
		delete(h.workers, w.group)
	}
	delete(h.allWorkers, w)
	for i, p := range h.pool {
		if p == w {
			h.pool = append(h.pool[:i], h.pool[i+1:]...)
			break
		}
	}
	h.mu.Unlock()

	se := w.deathError(why)
	for _, ch := range acks {
		ch <- se
	}
	for _, iso := range shadows {
		if iso.killReq.Load() {
			iso.control(ctrl{kind: ctrlRemoteExit, err: ErrKilled})
			continue
		}
		if tail := w.stderr.String(); tail != "" && why == nil {
			fmt.Fprintf(iso.host.stderr, "[%d %s] worker process %d ended; its stderr ended with:\n%s\n", iso.id, iso.name, w.pid, indent(tail))
		}
		iso.control(ctrl{kind: ctrlRemoteError, err: se})
		iso.control(ctrl{kind: ctrlRemoteExit, err: se})
	}
}

// deathError says why the worker ended, from the host's reason or the
// worker's exit status and the first line of a Go fatal error.
func (w *worker) deathError(why error) *ScriptError {
	var le *LimitError
	if errors.As(why, &le) {
		return &ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
	}
	w.mu.Lock()
	memMb, cg := w.memMb, w.cg
	w.mu.Unlock()
	if memMb > 0 && why == nil && (w.stderr.outOfMemory() || cg != "" && cgroupOOMKills(cg) > 0) {
		le := &LimitError{Limit: "memoryMb", Max: memMb, Seen: memMb, Unit: "MB"}
		return &ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
	}
	msg := "worker exited"
	if why != nil {
		msg += ": " + why.Error()
	} else if line := w.stderr.fatalLine(); line != "" {
		msg += ": " + line
	} else if st := w.cmd.ProcessState; st != nil {
		msg += ": " + st.String()
	}
	return &ScriptError{Name: "ProcessError", Message: msg, Cause: errProcess}
}

// spawnRemote starts src in a worker process. The worker compiles it: a
// hostile source never reaches this process's parser.
func (h *Host) spawnRemote(src Source, cfg spawnConfig) (*Isolate, error) {
	if src.Kind == SourceModule && !filepath.IsAbs(src.Filename) {
		// The worker reads the graph itself, from another directory.
		if abs, err := filepath.Abs(src.Filename); err == nil {
			src.Filename = abs
		}
	}
	var w *worker
	var err error
	if cfg.caps.Stdin && h.workerStdin != nil {
		w, err = h.stdinWorker(cfg.limits.MemoryMb)
	} else {
		w, err = h.worker(cfg.group, cfg.limits.MemoryMb)
	}
	if err != nil {
		return nil, err
	}
	registered := false // the reservation taken by h.worker ends either way
	defer func() {
		if !registered {
			w.mu.Lock()
			w.pending--
			w.mu.Unlock()
			w.stopIfEmpty()
		}
	}()
	h.mu.Lock()
	if err := h.admit(); err != nil {
		h.mu.Unlock()
		return nil, err
	}
	iso := newIsolate(h, h.nextID.Add(1), src, nil, cfg)
	iso.remote = w
	iso.tasks.clear() // the worker runs the entry
	iso.holds = 1     // alive until the worker reports the exit
	h.mu.Unlock()

	spec := &spawnSpec{sid: iso.id, src: src, name: iso.name, entry: cfg.entry, limits: cfg.limits,
		paused: cfg.paused, errorsFatal: cfg.errorsFatal, wantResult: cfg.result != nil,
		readRoots: cfg.caps.ReadRoots, funcs: cfg.caps.Funcs, stdin: cfg.caps.Stdin, exit: cfg.caps.Exit, args: cfg.caps.Args,
		dir: cfg.workDir}
	if spec.dir == "" {
		spec.dir, _ = os.Getwd() // the worker runs in /: relative names are the host's
	}
	if spec.arg, err = w.c.encode(cfg.arg); err != nil {
		return nil, err
	}
	if spec.setup, err = w.c.encode(cfg.setupMsg); err != nil {
		return nil, err
	}
	ack := make(chan error, 1)
	w.mu.Lock()
	if w.dead {
		w.mu.Unlock()
		return nil, w.deathError(nil)
	}
	w.shadows[iso.id] = iso
	w.acks[iso.id] = ack
	w.pending--
	registered = true
	w.mu.Unlock()
	if err := w.c.write(spec.frame()); err != nil {
		w.forget(iso)
		return nil, w.deathError(fmt.Errorf("cannot send it the isolate: %w", err))
	}
	if err := <-ack; err != nil {
		w.forget(iso)
		return nil, err
	}
	w.measureBase()
	h.mu.Lock()
	h.isolates[iso.id] = iso
	h.wg.Add(1)
	h.mu.Unlock()
	go iso.loop()
	return iso, nil
}

// Pid returns the process id of the worker process a process isolate runs
// in, or 0 for an in-process isolate. Any goroutine.
func (iso *Isolate) Pid() int {
	if iso.remote == nil {
		return 0
	}
	return iso.remote.pid
}

// forget drops a shadow; an emptied worker is stopped.
func (w *worker) forget(iso *Isolate) {
	w.mu.Lock()
	delete(w.shadows, iso.id)
	delete(w.acks, iso.id)
	w.mu.Unlock()
	w.stopIfEmpty()
}

// stopIfEmpty stops the worker if no isolate is in it or on its way. A
// group's worker leaves the group first, under the host's lock, so that a
// new spawn in the group starts a new worker rather than joining this one.
func (w *worker) stopIfEmpty() {
	h := w.host
	h.mu.Lock()
	w.mu.Lock()
	empty := len(w.shadows) == 0 && len(w.acks) == 0 && w.pending == 0 && !w.dead
	if empty {
		w.dead = true // no reserve may succeed any more
		if w.group != "" && h.workers[w.group] == w {
			delete(h.workers, w.group)
		}
	}
	w.mu.Unlock()
	h.mu.Unlock()
	if empty {
		w.stop()
	}
}

// stop ends the worker: closing the channel makes it exit; a worker that
// does not is killed.
func (w *worker) stop() {
	w.c.close()
	if f, ok := w.c.w.(*os.File); ok {
		_ = f.Close()
	}
	go func() {
		select {
		case <-w.exited:
		case <-time.After(time.Second):
			w.signal()
		}
	}()
}

// kill forwards a kill; an immediate one that the worker does not confirm
// within killGrace ends the whole worker.
func (w *worker) kill(iso *Isolate, p Priority) {
	iso.killReq.Store(true)
	_ = w.c.write(newFrame(fCtrl).uint(iso.id).uint(wKill).uint(uint64(p)).uint(0).bool(false).uint(0).bytes(nil).done())
	if p == Immediate {
		time.AfterFunc(killGrace, func() {
			select {
			case <-iso.done:
			default:
				w.signal()
			}
		})
	}
}

// ctrl forwards a pause, resume, ping or errorsAreFatal change.
func (w *worker) ctrl(iso *Isolate, kind uint64, p Priority, c *Capability, flag bool, port *SendPort, m *Message) {
	var capRef, portRef uint64
	if c != nil {
		var err error
		if capRef, err = w.c.portOut(c); err != nil {
			return
		}
	}
	var body []byte
	if port != nil {
		var err error
		if portRef, err = w.c.portOut(port); err != nil {
			return
		}
		if body, err = w.c.encode(m); err != nil {
			return
		}
	}
	_ = w.c.write(newFrame(fCtrl).uint(iso.id).uint(kind).uint(uint64(p)).uint(capRef).bool(flag).uint(portRef).bytes(body).done())
}

// measureBase records the worker's idle RSS once, as the baseline its
// memory limit is counted from.
func (w *worker) measureBase() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.base == 0 {
		w.base = rssOf(w.pid)
	}
}

// watchMemory is the host-side backstop of a worker's memory limit: RSS
// over baseline + memoryMb kills the worker with a memoryMb limit error.
func (w *worker) watchMemory() {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-w.exited:
			return
		case <-t.C:
		}
		w.mu.Lock()
		base := w.base
		w.mu.Unlock()
		if base == 0 {
			continue
		}
		if rss := rssOf(w.pid); rss > base+w.memMb<<20 {
			w.mu.Lock()
			if w.why == nil {
				w.why = &LimitError{Limit: "memoryMb", Max: w.memMb, Seen: (rss - base) >> 20, Unit: "MB"}
			}
			w.mu.Unlock()
			w.signal()
			return
		}
	}
}

// procStatusBytes reads a size field (kB) of /proc/PID/status in bytes.
func procStatusBytes(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// rssOf reads a process's resident set size in bytes (0 if unknown).
func rssOf(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// tailBuffer keeps the first line that looks like a Go fatal error and the
// last max bytes of a worker's stderr.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	head    []byte // the first headMax bytes
	fatal   string // the first "fatal error:" or "panic:" line
	signal  string // the first raw runtime signal line ("SIGSEGV: segmentation violation")
	runtime string // the first "runtime:" line, if no fatal one came
	line    []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := headMax - len(t.head); n > 0 {
		t.head = append(t.head, p[:min(n, len(p))]...)
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	if t.fatal == "" {
		for _, c := range p {
			if c != '\n' {
				if len(t.line) < 512 {
					t.line = append(t.line, c)
				}
				continue
			}
			l := string(bytes.TrimSpace(t.line))
			t.line = t.line[:0]
			switch {
			case strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "panic:"):
				t.fatal = l
			case t.signal == "" && (strings.HasPrefix(l, "SIGSEGV:") || strings.HasPrefix(l, "SIGBUS:")):
				t.signal = l
			case t.runtime == "" && strings.HasPrefix(l, "runtime:"):
				t.runtime = l
			}
			if t.fatal != "" {
				break
			}
		}
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

const headMax = 2 << 10

// outOfMemory reports whether the worker died of Go's out-of-memory, in
// any of the runtime's wordings, or (under RLIMIT_DATA, where a refused
// mapping can leave the runtime's own structures unset) of a raw runtime
// signal that no Go panic explains.
func (t *tailBuffer) outOfMemory() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.signal != "" && !strings.HasPrefix(t.fatal, "panic:") {
		return true
	}
	for _, b := range [][]byte{t.head, t.buf} {
		if bytes.Contains(b, []byte("out of memory")) || bytes.Contains(b, []byte("cannot allocate memory")) {
			return true
		}
	}
	return false
}

func (t *tailBuffer) fatalLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.fatal != "":
		return t.fatal
	case t.signal != "":
		return t.signal
	}
	return t.runtime
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
