package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/isobox/isobox/engine/clone"
	"github.com/isobox/isobox/engine/guard"
)

// State is an isolate's life-cycle state.
type State int32

const (
	StateStarting State = iota // created; the entry has not run yet
	StateRunning               // running or idle in its event loop
	StatePaused                // paused by at least one capability
	StateDead                  // exited, killed or failed
)

func (s State) String() string {
	switch s {
	case StateStarting:
		return "starting"
	case StateRunning:
		return "running"
	case StatePaused:
		return "paused"
	default:
		return "dead"
	}
}

// Capability is an unforgeable token, used to pause and resume an isolate
// (as in Dart). Compare by pointer: a Capability sent in a message arrives
// as the same pointer, so a pause made with a received capability is
// undone with the original.
type Capability struct{ id uint64 }

// ID returns the capability's process-unique id. Knowing it grants
// nothing; it only tells capabilities apart. Any goroutine.
func (c *Capability) ID() uint64 { return c.id }

var capIDs atomic.Uint64

// NewCapability returns a fresh capability. Any goroutine.
func NewCapability() *Capability { return &Capability{id: capIDs.Add(1)} }

// Stats is a snapshot of one isolate. CPUTime is the time its tasks took:
// the CPU time of its thread when it has maxTaskMs or cpuMs (on Linux),
// else their wall time.
type Stats struct {
	ID       uint64
	Name     string
	State    State
	Uptime   time.Duration
	Queued   int   // messages waiting in its mailboxes
	MsgsIn   int64 // messages delivered to its handlers
	MsgsOut  int64 // messages it sent
	Timers   int   // live timers
	CPUTime  time.Duration
	Parent   uint64
	Ports    int // open receive ports
	ExitCode int
	// Pid and RSS are set for a process isolate: its worker's process id
	// and resident memory in bytes (the whole worker's, shared by its
	// group). Queued, MsgsIn, MsgsOut, Timers, CPUTime and Ports are
	// counted in the worker and are zero here.
	Pid int
	RSS int64
}

// interrupt reasons passed to goja's Interrupt.
type killSignal struct{}
type exitSignal struct{}

// ErrInterrupted is the error of a task stopped by InterruptTask.
var ErrInterrupted = errors.New("engine: interrupted")

type ctrlKind int

const (
	ctrlKill ctrlKind = iota
	ctrlPause
	ctrlResume
	ctrlPing
	ctrlAddExit
	ctrlRemoveExit
	ctrlAddError
	ctrlRemoveError
	ctrlErrorsFatal
	ctrlRemoteError // a process isolate's worker reported an uncaught error
	ctrlRemoteExit  // a process isolate's worker reported its end
)

// ctrl is a control message. The control queue is drained before any data
// task, so a kill gets through a flooded mailbox (protoactor's system
// mailbox).
type ctrl struct {
	kind ctrlKind
	cap  *Capability
	port *SendPort
	msg  *Message
	flag bool
	err  error // ctrlRemoteError (a *ScriptError), ctrlRemoteExit
}

type exitListener struct {
	port *SendPort
	resp *Message
}

// Isolate is one JavaScript VM running on its own goroutine with its own
// event loop. Handles to it are safe to share: the methods documented as
// "any goroutine" may be called from anywhere, including other isolates.
// Methods documented as "loop only" must be called on the isolate's own
// goroutine, i.e. from its bindings while it runs JS.
type Isolate struct {
	id      uint64
	name    string
	host    *Host
	src     Source
	prog    *goja.Program
	modProg *modProg   // the module graph prog was compiled from; nil for a script or function
	mods    *moduleRun // import.meta and run-time imports; nil until a module runs
	dirty   []*conn    // connections with sends of the running task to flush (batch.go); loop only
	leases  []*lease   // one-step reservations of the running task (reserve.go); loop only
	cfg     spawnConfig
	started time.Time
	stdout  io.Writer // out, as an io.Writer
	stderr  io.Writer // errOut, as an io.Writer
	out     *outSource
	errOut  *outSource

	pauseCap *Capability
	done     chan struct{}
	stop     chan struct{} // closed once the isolate is killed or ends
	stopOnce sync.Once
	ready    chan struct{}
	readyOne sync.Once
	wake     chan struct{}

	// Loop-only state.
	vm         *goja.Runtime
	guards     *guard.Guards // the VM's guards, for Prepare
	codec      clone.Codec
	tm         timers
	timer      *time.Timer
	errorLs    []*SendPort
	exitLs     []exitListener
	rejections []*goja.Promise
	local      any
	hostWrap   HostWrappers
	errFormat  func(*ScriptError) string
	ports      map[*ReceivePort]struct{}
	ctx        context.Context
	cancel     context.CancelFunc

	// Guarded by mu.
	mu          sync.Mutex
	tasks       deque
	ctrls       []ctrl
	pauses      map[*Capability]int
	holds       int
	tlaHolds    int // module completions pending (a top-level await): alive only while something else can run
	alivePorts  int
	queued      int
	running     bool
	killed      bool  // no task may start any more
	exitErr     error // why it ended; nil for a normal exit
	dead        bool
	doneHooks   []func(error)
	errorsFatal bool
	wd          *watchdog     // armed while a task with a time limit runs
	taskStart   time.Time     // wall clock at the start of the running task
	taskClock   threadClock   // CPU clock of the running task's thread
	taskCPU0    time.Duration // its reading at the start of the task
	taskClockOK bool          // the task runs locked with a readable clock
	taskLocked  bool          // the task runs locked to its OS thread
	taskSeq     uint64
	cpu         time.Duration
	timersLive  int
	wdGate      func() // tests only: runs first in every watchdogFire

	exitCode    int  // SetExitCode; guarded by mu
	exitCodeSet bool // guarded by mu

	remote  *worker     // set for a process isolate: this Isolate is its shadow
	killReq atomic.Bool // a kill was forwarded to the worker

	defaultPort atomic.Pointer[SendPort]
	memW        *memWatch // memory accounting; set at boot, loop only

	state   atomic.Int32
	msgsIn  atomic.Int64
	msgsOut atomic.Int64
	result  atomic.Pointer[func(*Message, error)]
}

func newIsolate(h *Host, id uint64, src Source, prog *goja.Program, cfg spawnConfig) *Isolate {
	iso := &Isolate{
		id:          id,
		name:        cfg.name,
		host:        h,
		src:         src,
		prog:        prog,
		cfg:         cfg,
		started:     time.Now(),
		pauseCap:    NewCapability(),
		done:        make(chan struct{}),
		ready:       make(chan struct{}),
		wake:        make(chan struct{}, 1),
		errorsFatal: cfg.errorsFatal,
	}
	iso.stop = make(chan struct{})
	outS, errS := h.outS, h.errS
	if cfg.stdout != nil {
		outS = newOutStream(cfg.stdout, h.outLimit())
	}
	if cfg.stderr != nil {
		errS = newOutStream(cfg.stderr, h.outLimit())
	}
	iso.out, iso.errOut = outS.source(iso.stop), errS.source(iso.stop)
	iso.stdout, iso.stderr = iso.out, iso.errOut
	if iso.name == "" {
		iso.name = fmt.Sprintf("isolate-%d", id)
	}
	if cfg.onError != nil {
		iso.errorLs = append(iso.errorLs, cfg.onError)
	}
	if cfg.onExit != nil {
		iso.exitLs = append(iso.exitLs, exitListener{cfg.onExit, cfg.onExitResp})
	}
	if cfg.paused {
		iso.pauses = map[*Capability]int{iso.pauseCap: 1}
	}
	if cfg.result != nil {
		fn := cfg.result
		iso.result.Store(&fn)
	}
	// The entry is the first task.
	iso.tasks.pushBack(task{fn: iso.runEntry, entry: true})
	return iso
}

// ID returns the isolate's host-unique id. Any goroutine.
func (iso *Isolate) ID() uint64 { return iso.id }

// Name returns the isolate's name. Any goroutine.
func (iso *Isolate) Name() string { return iso.name }

// Host returns the host that owns the isolate. Any goroutine.
func (iso *Isolate) Host() *Host { return iso.host }

// Filename returns the file the isolate's source came from, or "".
// Any goroutine.
func (iso *Isolate) Filename() string { return iso.src.Filename }

// Parent returns the isolate that spawned this one, or nil. Any goroutine.
func (iso *Isolate) Parent() *Isolate { return iso.cfg.parent }

// Limits returns the isolate's effective limits. Any goroutine.
func (iso *Isolate) Limits() Limits { return iso.cfg.limits }

// Capabilities returns what the isolate was granted. Any goroutine; the
// result must not be modified.
func (iso *Isolate) Capabilities() *Capabilities { return &iso.cfg.caps }

// PauseCapability is the capability an isolate spawned paused was paused
// with. Any goroutine.
func (iso *Isolate) PauseCapability() *Capability { return iso.pauseCap }

// Stdout returns the writer for this isolate's standard output. Each Write
// is written whole, in order with respect to every other write to the
// host's stdout. While the host's writer is slow, a Write returns once its
// bytes are queued, unless the isolate has more than the host's output
// buffer queued (WithOutputBuffer): then it waits, so a flood slows only
// the isolate that makes it. Queued output is written before Done closes
// (so a reader that never reads holds Done back, as it held the Write
// back before). Any goroutine.
func (iso *Isolate) Stdout() io.Writer { return iso.stdout }

// Stderr returns the writer for this isolate's standard error. Any goroutine.
func (iso *Isolate) Stderr() io.Writer { return iso.stderr }

// SetupMessage returns the message given with WithSetupMessage, or nil.
// Any goroutine.
func (iso *Isolate) SetupMessage() *Message { return iso.cfg.setupMsg }

// Runtime returns the isolate's VM. Loop only: a goja.Runtime must never
// be touched from another goroutine. A program run on it directly must
// be prepared first (Prepare); vm.RunString and a program compiled
// elsewhere than this package are prepared by Prepare(nil).
func (iso *Isolate) Runtime() *goja.Runtime { return iso.vm }

// Prepare readies the isolate's guards for running p on its VM (see
// guard.Guards.Prepare: some are installed only once a program may need
// them, RegExp's for a regular-expression literal); nil prepares for any
// program. The engine prepares every program it runs itself. The error is
// an interrupt (a kill, a limit), as RunProgram would return it. Loop only.
func (iso *Isolate) Prepare(p *goja.Program) error { return iso.guards.Prepare(p) }

// NewPromise is vm.NewPromise after the guards of Promise.prototype are
// in place (they are made with the first promise: guard.Guards.
// EnsurePromise); every promise Go code hands a script is made here, and
// every internal program that makes promises (an async function) runs
// after EnsurePromise. Loop only.
func (iso *Isolate) NewPromise() (p *goja.Promise, resolve, reject func(any) error) {
	iso.guards.EnsurePromise()
	return iso.vm.NewPromise()
}

// EnsurePromise installs the guards of Promise.prototype if they are not
// yet (see NewPromise). Loop only.
func (iso *Isolate) EnsurePromise() { iso.guards.EnsurePromise() }

// SetLocal stores the bindings' per-isolate state. Loop only.
func (iso *Isolate) SetLocal(v any) { iso.local = v }

// Local returns what SetLocal stored. Loop only.
func (iso *Isolate) Local() any { return iso.local }

// Context returns a context that is cancelled when the isolate dies. Loop
// only (it is created when the loop starts).
func (iso *Isolate) Context() context.Context { return iso.ctx }

// Done returns a channel closed when the isolate is dead and its exit
// listeners have been notified. Any goroutine.
func (iso *Isolate) Done() <-chan struct{} { return iso.done }

// Ready returns a channel closed once the isolate's entry task has run:
// the script's top level, its entry function, if any, and the promise jobs
// they queued. By then the ports the script opened synchronously exist, so
// a default port set at the top level is visible. It is also closed when
// the isolate dies before or during its entry. An isolate spawned paused
// is not ready until it is resumed and has run its entry. Any goroutine.
func (iso *Isolate) Ready() <-chan struct{} { return iso.ready }

func (iso *Isolate) markReady() { iso.readyOne.Do(func() { close(iso.ready) }) }

// Err returns why the isolate ended: nil for a normal exit, ErrKilled after
// a kill, a *ScriptError (possibly wrapping a *LimitError) after a fatal
// error. It is only meaningful once Done is closed. Any goroutine.
func (iso *Isolate) Err() error {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	return iso.exitErr
}

// Wait blocks until the isolate is dead or ctx is done, and returns Err()
// or ctx.Err(). Any goroutine.
func (iso *Isolate) Wait(ctx context.Context) error {
	select {
	case <-iso.done:
		return iso.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// State returns the current state. Any goroutine.
func (iso *Isolate) State() State { return State(iso.state.Load()) }

// OnDone registers fn to be called once with the isolate's error when it
// dies, after its exit listeners were notified; if it is already dead, fn
// runs at once on the caller's goroutine. fn runs on the dying isolate's
// goroutine and must not block. Any goroutine.
func (iso *Isolate) OnDone(fn func(err error)) {
	iso.mu.Lock()
	if iso.dead {
		err := iso.exitErr
		iso.mu.Unlock()
		fn(err)
		return
	}
	iso.doneHooks = append(iso.doneHooks, fn)
	iso.mu.Unlock()
}

// Stats returns a snapshot of the isolate. Any goroutine.
func (iso *Isolate) Stats() Stats {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	s := Stats{
		ID:      iso.id,
		Name:    iso.name,
		State:   iso.State(),
		Uptime:  time.Since(iso.started),
		Queued:  iso.queued,
		MsgsIn:  iso.msgsIn.Load(),
		MsgsOut: iso.msgsOut.Load(),
		Timers:  iso.timersLive,
		CPUTime: iso.cpu,
		Ports:   iso.alivePorts,
	}
	if p := iso.cfg.parent; p != nil {
		s.Parent = p.id
	}
	if iso.remote != nil {
		s.Pid = iso.remote.pid
		s.RSS = rssOf(s.Pid)
	}
	return s
}

// wakeUp nudges the loop. Several wake-ups before the loop runs collapse
// into one.
func (iso *Isolate) wakeUp() {
	select {
	case iso.wake <- struct{}{}:
	default:
	}
}

// Post runs fn on the isolate's loop as a macrotask (RunOnLoop). It returns
// false if the isolate is dead, in which case fn never runs. An error
// returned by fn is an uncaught isolate error. Any goroutine.
func (iso *Isolate) Post(fn func() error) bool {
	iso.mu.Lock()
	if iso.killed {
		iso.mu.Unlock()
		return false
	}
	iso.tasks.pushBack(task{fn: fn})
	iso.mu.Unlock()
	iso.wakeUp()
	return true
}

// errUnsettledAwait ends a module isolate whose top-level await can never
// settle.
var errUnsettledAwait = &ScriptError{Name: "Error", Message: "unsettled top-level await: the module waits for a promise that nothing left can settle (no task, timer, open port or pending operation)"}

// holdTLA is Hold for a module's completion: it keeps the isolate alive
// only while something else does too. Loop only.
func (iso *Isolate) holdTLA() (release func()) {
	iso.mu.Lock()
	iso.tlaHolds++
	iso.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			iso.mu.Lock()
			if iso.tlaHolds > 0 {
				iso.tlaHolds--
			}
			iso.mu.Unlock()
			iso.wakeUp()
		})
	}
}

// Hold registers a pending host operation (a stdin read, a spawn in flight,
// an awaited exit): the isolate stays alive until release is called. release
// is idempotent and may be called from any goroutine. Any goroutine.
func (iso *Isolate) Hold() (release func()) {
	iso.mu.Lock()
	iso.holds++
	iso.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			iso.mu.Lock()
			iso.holds--
			iso.mu.Unlock()
			iso.wakeUp()
		})
	}
}

// Kill stops the isolate. With Immediate, running JS is interrupted at once
// (even a busy loop) and, when called from the isolate's own JS, no code
// after the call runs. With BeforeNextEvent the current event finishes and
// nothing runs after it. Queued messages are discarded, timers cancelled,
// ports closed and exit listeners notified. Idempotent; any goroutine.
func (iso *Isolate) Kill(p Priority) {
	if iso.remote != nil {
		iso.remote.kill(iso, p)
		return
	}
	if p == Immediate {
		iso.terminate(ErrKilled, killSignal{})
		return
	}
	iso.control(ctrl{kind: ctrlKill})
}

// InterruptTask stops the JS task running now, if any, without killing the
// isolate: the task fails with ErrInterrupted (reported like any uncaught
// error, so it is fatal when errors are fatal) and the loop goes on. It is
// how a REPL's Ctrl-C stops `while(true){}`. It reports whether a task was
// running. Any goroutine.
func (iso *Isolate) InterruptTask() bool {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if !iso.running || iso.killed || iso.vm == nil {
		return false
	}
	iso.vm.Interrupt(ErrInterrupted)
	return true
}

// DefaultPort returns the isolate's default port: the one it published with
// SetDefaultPort, or else the first ReceivePort it opened. It is where a
// host (the REPL's .send) delivers messages addressed to the isolate
// itself. Nil if it has none. Any goroutine.
func (iso *Isolate) DefaultPort() *SendPort { return iso.defaultPort.Load() }

// SetDefaultPort publishes p as the isolate's default port. Any goroutine.
func (iso *Isolate) SetDefaultPort(p *SendPort) { iso.defaultPort.Store(p) }

// Exit ends the isolate now with a normal exit (Isolate.exit). Loop only:
// it interrupts the running JS, so code after the call never runs.
func (iso *Isolate) Exit() { iso.terminate(nil, exitSignal{}) }

// SetExitCode records the code an exit(code) call asked for, so that the
// host (or, for a process isolate, the host of its worker) can end with it;
// see ExitCode. Loop only.
func (iso *Isolate) SetExitCode(code int) {
	iso.mu.Lock()
	iso.exitCode, iso.exitCodeSet = code, true
	iso.mu.Unlock()
}

// ExitCode returns the code recorded by SetExitCode (in the isolate itself
// or, for a process isolate, in its worker), and whether there was one.
// Any goroutine.
func (iso *Isolate) ExitCode() (int, bool) {
	iso.mu.Lock()
	defer iso.mu.Unlock()
	return iso.exitCode, iso.exitCodeSet
}

// terminate marks the isolate as ending with err and interrupts running JS
// with reason. The first termination wins.
func (iso *Isolate) terminate(err error, reason any) {
	iso.mu.Lock()
	if iso.killed {
		iso.mu.Unlock()
		return
	}
	iso.killed = true
	iso.exitErr = err
	if iso.running && iso.vm != nil {
		iso.vm.Interrupt(reason)
	}
	iso.mu.Unlock()
	iso.closeStop()
	iso.wakeUp()
}

// closeStop releases a write of the isolate that waits for queue space, so
// that a kill is not held up by a reader that does not read.
func (iso *Isolate) closeStop() { iso.stopOnce.Do(func() { close(iso.stop) }) }

func (iso *Isolate) control(c ctrl) {
	iso.mu.Lock()
	if iso.dead {
		iso.mu.Unlock()
		// An exit listener added after the end still hears of it, as an
		// Erlang monitor on a dead process gets its DOWN at once.
		if c.kind == ctrlAddExit && c.port != nil {
			resp := c.msg
			if resp == nil {
				resp = nullMessage()
			}
			_ = c.port.Send(resp)
		}
		return
	}
	iso.ctrls = append(iso.ctrls, c)
	iso.mu.Unlock()
	iso.wakeUp()
}

// loop is the isolate's goroutine.
func (iso *Isolate) loop() {
	defer iso.host.wg.Done()
	defer iso.endLeases() // whatever way the loop ends (reserve.go)
	iso.ctx, iso.cancel = context.WithCancel(context.Background())
	if err := iso.boot(); err != nil {
		iso.mu.Lock()
		if !iso.killed {
			iso.killed = true
			iso.exitErr = err
		}
		iso.mu.Unlock()
	} else {
		for {
			t, ok := iso.next()
			if !ok {
				break
			}
			if g := iso.host.gate; g != nil {
				if !iso.waitSlot(g) {
					continue // killed: next ends the loop
				}
				iso.runTask(t)
				g.release()
				continue
			}
			iso.runTask(t)
		}
	}
	iso.finish()
}

// boot creates the VM and installs the bindings.
func (iso *Isolate) boot() (err error) {
	defer func() {
		if x := recover(); x != nil {
			err = iso.internalError(&PanicError{Value: x, Stack: string(debug.Stack())})
		}
	}()
	if iso.remote != nil {
		// A process isolate's VM is in its worker; this loop only relays.
		if iso.state.Load() == int32(StateStarting) {
			iso.state.Store(int32(StateRunning))
		}
		return nil
	}
	vm := goja.New()
	vm.SetMaxCallStackSize(iso.cfg.limits.MaxStackDepth)
	vm.SetPromiseRejectionTracker(iso.trackRejection)
	if err := iso.harden(vm); err != nil {
		return err
	}
	iso.mu.Lock()
	iso.vm = vm
	iso.mu.Unlock()
	if iso.state.Load() == int32(StateStarting) {
		iso.state.Store(int32(StateRunning))
	}
	if iso.host.setup != nil {
		if err := iso.host.setup(iso); err != nil {
			return err
		}
	}
	return nil
}

func (iso *Isolate) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		iso.rejections = append(iso.rejections, p)
	case goja.PromiseRejectionHandle:
		for i, q := range iso.rejections {
			if q == p {
				iso.rejections = append(iso.rejections[:i], iso.rejections[i+1:]...)
				break
			}
		}
	}
}

// next returns the next task to run, handling control messages first. It
// returns false when the isolate must end: it was killed, or nothing keeps
// it alive any more.
func (iso *Isolate) next() (task, bool) {
	for {
		iso.mu.Lock()
		if len(iso.ctrls) > 0 && !iso.killed {
			c := iso.ctrls[0]
			iso.ctrls = iso.ctrls[1:]
			iso.mu.Unlock()
			iso.handleCtrl(c)
			continue
		}
		if iso.killed {
			iso.mu.Unlock()
			return task{}, false
		}
		paused := len(iso.pauses) > 0
		if paused {
			iso.state.Store(int32(StatePaused))
		} else {
			iso.state.Store(int32(StateRunning))
			if e := iso.tm.popDue(time.Now()); e != nil {
				if e.period == 0 {
					iso.timersLive--
				}
				iso.mu.Unlock()
				return task{fn: e.cb}, true
			}
			if t, ok := iso.tasks.popFront(); ok {
				iso.mu.Unlock()
				return t, true
			}
			if iso.holds == 0 && iso.alivePorts == 0 && iso.tm.strong() == 0 {
				if iso.tlaHolds > 0 {
					// A top-level await that nothing left can settle: no
					// task, timer, port or host operation remains. Node
					// exits with code 13; here it is the isolate's error.
					iso.tlaHolds = 0
					iso.mu.Unlock()
					return task{fn: func() error { return errUnsettledAwait }}, true
				}
				iso.mu.Unlock()
				return task{}, false // nothing keeps it alive: a normal exit
			}
		}
		var timerC <-chan time.Time
		if when, ok := iso.tm.next(); ok && !paused {
			d := time.Until(when)
			if iso.timer == nil {
				iso.timer = time.NewTimer(d)
			} else {
				iso.timer.Reset(d)
			}
			timerC = iso.timer.C
		}
		iso.mu.Unlock()
		select {
		case <-iso.wake:
		case <-timerC:
		}
	}
}

// runTask runs one macrotask and the promise jobs it queued, recovering any
// Go panic, and then reports uncaught errors and unhandled rejections.
func (iso *Isolate) runTask(t task) {
	seq := iso.beginTask()
	err := iso.safe(func() error {
		if t.port != nil {
			return t.port.dispatch(t.msg)
		}
		return t.fn()
	})
	if err == nil && len(iso.rejections) > 0 {
		err = iso.rejectionError()
	}
	var se *ScriptError
	if err != nil {
		se = iso.classify(err)
	}
	iso.endTask(seq)
	iso.endLeases()  // reserve.go
	iso.flushSends() // batch.go
	if se != nil {
		iso.reportError(se)
	}
	if t.entry {
		iso.markReady()
	}
}

// beginTask marks the VM as running and, when the isolate has a time
// limit, arms the watchdog. With maxTaskMs or cpuMs the task runs locked to
// its OS thread, so that the thread's CPU clock measures the task alone.
func (iso *Isolate) beginTask() uint64 {
	lim := iso.cfg.limits
	var clk threadClock
	var cpu0 time.Duration
	var clockOK bool
	locked := (lim.MaxTaskMs > 0 || lim.CPUMs > 0) && takeThreadToken()
	if locked {
		clk, cpu0, clockOK = lockThreadClock()
	}
	iso.mu.Lock()
	defer iso.mu.Unlock()
	iso.running = true
	iso.noteTask()
	iso.taskSeq++
	seq := iso.taskSeq
	iso.taskStart = time.Now()
	iso.taskClock, iso.taskCPU0, iso.taskClockOK, iso.taskLocked = clk, cpu0, clockOK, locked
	if budget, ok := iso.budgetLocked(0, 0); ok {
		if iso.wd == nil {
			wd := &watchdog{}
			wd.t = time.AfterFunc(budget, func() { iso.watchdogFire(wd) })
			iso.wd = wd
		} else {
			iso.wd.t.Reset(budget)
		}
		iso.wd.seq = seq
	}
	return seq
}

// watchdog is the timer that enforces the time limits of one task. It is
// re-armed with Reset from task to task, so limits cost no allocation, but
// only after Stop proved its callback is not running: a callback that
// already started may be blocked on iso.mu while the next task begins, and
// seq (the task it was armed for) lets it see that it is stale.
type watchdog struct {
	t   *time.Timer
	seq uint64 // guarded by iso.mu
}

// budgetLocked returns how long, in wall time, the watchdog may sleep before
// a limit can be reached, given what the running task has used so far
// (wall, cpu), and whether the isolate has a time limit at all. A thread's
// CPU time never runs faster than the wall clock, so sleeping for the CPU
// budget that is left cannot overshoot it. iso.mu held.
func (iso *Isolate) budgetLocked(wall, cpu time.Duration) (time.Duration, bool) {
	lim := iso.cfg.limits
	var budget time.Duration
	ok := false
	take := func(d time.Duration) {
		if d < 0 {
			d = 0
		}
		if !ok || d < budget {
			budget, ok = d, true
		}
	}
	if lim.MaxTaskWallMs > 0 {
		take(ms(lim.MaxTaskWallMs) - wall)
	}
	if lim.MaxTaskMs > 0 {
		take(ms(lim.MaxTaskMs) - cpu)
	}
	if lim.CPUMs > 0 {
		take(ms(lim.CPUMs) - iso.cpu - cpu)
	}
	return budget, ok
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// taskCPULocked returns the CPU time the running task has used: its
// thread's CPU clock when it has one, else the wall time. Any goroutine,
// iso.mu held, while iso.running (the thread stays locked until endTask).
func (iso *Isolate) taskCPULocked(now time.Time) time.Duration {
	if iso.taskClockOK {
		if t, ok := iso.taskClock.read(); ok {
			return t - iso.taskCPU0
		}
	}
	return now.Sub(iso.taskStart)
}

// watchdogFire runs when wd's timer expires. If wd is still armed for the
// running task, it measures the task: a limit reached interrupts it, else
// the timer is re-armed for what is left (a task that waited for a core, or
// slept in a host call, has used less CPU than wall time).
func (iso *Isolate) watchdogFire(wd *watchdog) {
	if iso.wdGate != nil {
		iso.wdGate()
	}
	iso.mu.Lock()
	defer iso.mu.Unlock()
	if iso.wd != wd || wd.seq != iso.taskSeq || !iso.running || iso.killed || iso.vm == nil {
		return // stale: armed for a task that has ended
	}
	now := time.Now()
	wall := now.Sub(iso.taskStart)
	cpu := iso.taskCPULocked(now)
	if le := iso.limitReachedLocked(wall, cpu); le != nil {
		iso.vm.Interrupt(le)
		return
	}
	budget, _ := iso.budgetLocked(wall, cpu)
	if budget < time.Millisecond {
		budget = time.Millisecond
	}
	wd.t.Reset(budget)
}

// limitReachedLocked returns the limit a task that has used wall and cpu
// has reached, or nil. iso.mu held.
func (iso *Isolate) limitReachedLocked(wall, cpu time.Duration) *LimitError {
	lim := iso.cfg.limits
	if lim.MaxTaskWallMs > 0 && wall >= ms(lim.MaxTaskWallMs) {
		return &LimitError{Limit: "maxTaskWallMs", Max: lim.MaxTaskWallMs, Seen: int64(wall / time.Millisecond), Unit: "ms"}
	}
	if lim.MaxTaskMs > 0 && cpu >= ms(lim.MaxTaskMs) {
		return &LimitError{Limit: "maxTaskMs", Max: lim.MaxTaskMs, Seen: int64(cpu / time.Millisecond), Unit: "ms"}
	}
	if lim.CPUMs > 0 && iso.cpu+cpu >= ms(lim.CPUMs) {
		return &LimitError{Limit: "cpuMs", Max: lim.CPUMs, Seen: int64((iso.cpu + cpu) / time.Millisecond), Unit: "ms"}
	}
	return nil
}

// endTask charges the task's CPU time, disarms the watchdog and unlocks the
// thread.
func (iso *Isolate) endTask(seq uint64) {
	iso.mu.Lock()
	iso.running = false
	iso.cpu += iso.taskCPULocked(time.Now())
	locked := iso.taskLocked
	iso.taskClockOK, iso.taskLocked = false, false
	if iso.wd != nil && iso.wd.seq == seq && !iso.wd.t.Stop() {
		// The callback has started: it may be waiting for iso.mu. Leave
		// that timer to it (it will find itself stale) and use a new one.
		iso.wd = nil
	}
	if iso.vm != nil {
		iso.vm.ClearInterrupt()
	}
	iso.mu.Unlock()
	if locked {
		unlockThread()
		lockedTasks.Add(-1)
	}
}

// MaxLockedTasks bounds how many tasks, process-wide, run locked to their
// OS thread at once for maxTaskMs and cpuMs. Each such task holds an OS
// thread while it is runnable, and Go stops the process past 10000
// threads, so a spawn bomb of spinning isolates with maxTaskMs must not
// lock one thread each. A task that finds the bound reached runs unlocked
// and is charged its wall time, as every task was before CPU time was
// measured; with WithMaxRunning(n) at most n tasks run at once, so
// n <= MaxLockedTasks keeps every task of that host measured in CPU time.
const MaxLockedTasks = 256

var lockedTasks atomic.Int32

var maxLockedTasks = func() *atomic.Int32 { // tests lower it
	var n atomic.Int32
	n.Store(MaxLockedTasks)
	return &n
}()

func takeThreadToken() bool {
	if lockedTasks.Add(1) <= maxLockedTasks.Load() {
		return true
	}
	lockedTasks.Add(-1)
	return false
}

// safe runs fn and turns a Go panic into an error: no script can crash the
// process through a VM entry.
func (iso *Isolate) safe(fn func() error) (err error) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(error); ok {
				var ie *goja.InterruptedError
				var so *goja.StackOverflowError
				if errors.As(e, &ie) || errors.As(e, &so) {
					err = e
					return
				}
			}
			if pe, ok := x.(*PanicError); ok { // raised by a native, with its JS stack
				err = pe
				return
			}
			err = &PanicError{Value: x, Stack: string(debug.Stack())}
		}
	}()
	return fn()
}

// cancels timers, closes ports and notifies the exit listeners.
func (iso *Isolate) finish() {
	iso.mu.Lock()
	iso.killed = true
	iso.dead = true
	for _, t := range iso.tasks.extract(func(t task) bool { return t.msg != nil }) {
		dropped(t.msg)
	}
	iso.tasks.clear()
	iso.queued = 0
	iso.timersLive = 0
	iso.pauses = nil
	if iso.wd != nil {
		iso.wd.t.Stop()
	}
	err := iso.exitErr
	hooks := iso.doneHooks
	iso.doneHooks = nil
	pending := iso.ctrls
	iso.ctrls = nil
	iso.mu.Unlock()
	// Listener changes requested before the end still count (an isolate
	// may add an exit listener and kill itself in the same event); pings
	// and pauses die with it.
	for _, c := range pending {
		switch c.kind {
		case ctrlAddExit, ctrlRemoveExit, ctrlAddError, ctrlRemoveError:
			iso.handleCtrl(c)
		}
	}
	iso.state.Store(int32(StateDead))
	iso.closeStop()
	// What the isolate wrote reaches the host's writers before anyone
	// hears that it ended.
	_ = iso.out.flush(context.Background())
	_ = iso.errOut.flush(context.Background())

	iso.tm.clear()
	if iso.timer != nil {
		iso.timer.Stop()
	}
	for rp := range iso.ports {
		rp.closeLocked()
	}
	iso.ports = nil
	if iso.cancel != nil {
		iso.cancel()
	}
	if fn := iso.result.Swap(nil); fn != nil {
		if err == nil {
			err2 := ErrNoResult
			(*fn)(nil, err2)
		} else {
			(*fn)(nil, err)
		}
	}
	for _, l := range iso.exitLs {
		resp := l.resp
		if resp == nil {
			resp = nullMessage()
		}
		_ = l.port.Send(resp)
	}
	iso.exitLs, iso.errorLs = nil, nil
	// Drop everything that reaches the VM: a handle to a dead isolate
	// (kept by a parent, a port or the embedder) must not keep its heap.
	iso.vm = nil
	iso.guards = nil
	iso.local = nil
	iso.rejections = nil
	iso.codec = clone.Codec{}
	iso.hostWrap = HostWrappers{}
	if iso.remote != nil {
		iso.remote.forget(iso)
	}
	iso.errFormat = nil
	iso.host.remove(iso)
	for _, h := range hooks {
		h(err)
	}
	iso.markReady()
	close(iso.done)
}

// AddTimer schedules cb on the loop after d, repeating every d when
// periodic. A pending timer keeps the isolate alive. It fails with a
// *LimitError (maxTimers) when the isolate has too many live timers.
// Loop only.
func (iso *Isolate) AddTimer(d time.Duration, periodic bool, cb func() error) (int64, error) {
	if max := iso.cfg.limits.MaxTimers; max > 0 && iso.tm.live() >= max {
		return 0, &LimitError{Limit: "maxTimers", Max: int64(max), Seen: int64(iso.tm.live() + 1), Unit: "timers"}
	}
	iso.mu.Lock()
	e := iso.tm.add(d, periodic, cb)
	iso.timersLive = iso.tm.live()
	iso.mu.Unlock()
	return e.id, nil
}

// AddWeakTimer is AddTimer for a one-shot timer that does not keep the
// isolate alive by itself (AbortSignal.timeout's, as in browsers and
// Node): if nothing else keeps the isolate alive it exits with the timer
// pending. It counts against maxTimers. Loop only.
func (iso *Isolate) AddWeakTimer(d time.Duration, cb func() error) (int64, error) {
	id, err := iso.AddTimer(d, false, cb)
	if err != nil {
		return 0, err
	}
	iso.mu.Lock()
	if e := iso.tm.byID[id]; e != nil && !e.weak {
		e.weak = true
		iso.tm.weak++
	}
	iso.mu.Unlock()
	return id, nil
}

// CancelTimer cancels a timer; it reports whether the timer was live.
// Loop only.
func (iso *Isolate) CancelTimer(id int64) bool {
	iso.mu.Lock()
	ok := iso.tm.cancel(id)
	iso.timersLive = iso.tm.live()
	iso.mu.Unlock()
	return ok
}

// TimerActive reports whether a timer is still pending. Loop only.
func (iso *Isolate) TimerActive(id int64) bool {
	_, ok := iso.tm.byID[id]
	return ok
}

// CallHost calls the host function name if the isolate was granted it.
// Loop only.
func (iso *Isolate) CallHost(name string, args []any) (any, error) {
	fn, ok := iso.host.Func(name)
	if !ok || !iso.cfg.caps.hasFunc(name) {
		return nil, fmt.Errorf("%w: host function %q", ErrPermission, name)
	}
	return fn(iso.ctx, args)
}

// ReadFile reads a file the isolate is allowed to read (inside its read
// roots). Relative paths resolve against the isolate's own file. Any
// goroutine.
func (iso *Isolate) ReadFile(path string) (Source, error) {
	path = iso.Resolve(path)
	if !iso.cfg.caps.canRead(path) {
		return Source{}, fmt.Errorf("%w: cannot read %s", ErrPermission, path)
	}
	return FileSource(path)
}

// ReadModule is ReadFile for a file to run as an ES module whatever its
// extension (new Worker(url, {type: "module"})): the read check is the
// same, and the file is read and bundled when the Source is spawned. Any
// goroutine.
func (iso *Isolate) ReadModule(path string) (Source, error) {
	path = iso.Resolve(path)
	if !iso.cfg.caps.canRead(path) {
		return Source{}, fmt.Errorf("%w: cannot read %s", ErrPermission, path)
	}
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Source{}, fmt.Errorf("%w: cannot find file %s", ErrNotFound, path)
		}
		return Source{}, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return ModuleSource(path), nil
}

// Resolve makes path absolute against the directory of the isolate's file
// (or the working directory). Any goroutine.
func (iso *Isolate) Resolve(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	base := "."
	if iso.src.Filename != "" && (iso.src.Kind == SourceScript || iso.src.Kind == SourceModule) {
		base = filepath.Dir(iso.src.Filename)
	} else if p := iso.cfg.parent; p != nil {
		return p.Resolve(path)
	}
	return iso.abs(filepath.Join(base, path))
}

// abs makes a file name absolute against the isolate's working directory:
// the process's, or in a worker process the host's (which the worker,
// running in /, is told at spawn). Any goroutine.
func (iso *Isolate) abs(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	if d := iso.cfg.workDir; d != "" {
		return filepath.Join(d, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	return abs
}
