package engine

import (
	"io"
	"path/filepath"
)

// Priority says when a kill or ping takes effect, as in Dart.
type Priority int

const (
	// BeforeNextEvent lets the current event finish and acts before the
	// next one. It is the default.
	BeforeNextEvent Priority = iota
	// Immediate acts as soon as possible: a kill interrupts running JS,
	// even a busy loop, and a ping is answered from the caller's goroutine.
	Immediate
)

func (p Priority) String() string {
	if p == Immediate {
		return "immediate"
	}
	return "beforeNextEvent"
}

// DefaultMaxStackDepth bounds the JS call stack of every isolate whose
// Limits leave MaxStackDepth at zero.
const DefaultMaxStackDepth = 10000

// DefaultMaxIsolates is the host-wide isolate cap used when WithMaxIsolates
// is not given.
const DefaultMaxIsolates = 10000

// Limits are the per-isolate resource limits. A zero field means "no limit",
// except MaxStackDepth, which is always bounded (DefaultMaxStackDepth).
// A breach stops the isolate with a *LimitError naming the field.
//
// MaxTaskMs and CPUMs count the CPU time the isolate's own OS thread used
// while its tasks ran (on Linux; elsewhere wall time), so an isolate that
// waits for a core behind busy siblings, or sleeps in a blocking host call,
// is not charged for the wait. To measure it, a task of an isolate with
// either limit runs locked to its OS thread (runtime.LockOSThread); see
// BenchmarkTaskCPULimit for the cost. At most MaxLockedTasks tasks run
// locked at once, process-wide; one that finds none left is charged its
// wall time. MaxTaskWallMs bounds the wall time of one task instead, wait
// included.
type Limits struct {
	MaxStackDepth   int   // call frames
	MaxTaskMs       int64 // CPU time of one task (handler, timer callback, entry)
	MaxTaskWallMs   int64 // wall time of one task, waiting for a core included
	CPUMs           int64 // CPU time of all tasks over the isolate's life
	MemoryMb        int64 // approximate heap attributed to the isolate
	MaxQueue        int   // queued, undelivered messages
	MaxMessageBytes int64 // size of one cloned message
	MaxTimers       int   // live timers
}

// merge returns l with every zero field taken from d.
func (l Limits) merge(d Limits) Limits {
	if l.MaxStackDepth == 0 {
		l.MaxStackDepth = d.MaxStackDepth
	}
	if l.MaxTaskMs == 0 {
		l.MaxTaskMs = d.MaxTaskMs
	}
	if l.MaxTaskWallMs == 0 {
		l.MaxTaskWallMs = d.MaxTaskWallMs
	}
	if l.CPUMs == 0 {
		l.CPUMs = d.CPUMs
	}
	if l.MemoryMb == 0 {
		l.MemoryMb = d.MemoryMb
	}
	if l.MaxQueue == 0 {
		l.MaxQueue = d.MaxQueue
	}
	if l.MaxMessageBytes == 0 {
		l.MaxMessageBytes = d.MaxMessageBytes
	}
	if l.MaxTimers == 0 {
		l.MaxTimers = d.MaxTimers
	}
	return l
}

// tighten returns l with every field no looser than parent's: a child never
// gets more than its parent.
func (l Limits) tighten(parent Limits) Limits {
	min64 := func(a, b int64) int64 {
		if b > 0 && (a == 0 || b < a) {
			return b
		}
		return a
	}
	minInt := func(a, b int) int {
		if b > 0 && (a == 0 || b < a) {
			return b
		}
		return a
	}
	l.MaxStackDepth = minInt(l.MaxStackDepth, parent.MaxStackDepth)
	l.MaxTaskMs = min64(l.MaxTaskMs, parent.MaxTaskMs)
	l.MaxTaskWallMs = min64(l.MaxTaskWallMs, parent.MaxTaskWallMs)
	l.CPUMs = min64(l.CPUMs, parent.CPUMs)
	l.MemoryMb = min64(l.MemoryMb, parent.MemoryMb)
	l.MaxQueue = minInt(l.MaxQueue, parent.MaxQueue)
	l.MaxMessageBytes = min64(l.MaxMessageBytes, parent.MaxMessageBytes)
	l.MaxTimers = minInt(l.MaxTimers, parent.MaxTimers)
	return l
}

// Capabilities are the host facilities an isolate may reach beyond
// console/stdout/stderr, which every isolate gets.
type Capabilities struct {
	Stdin bool     // stdin.first / stdin.readLine()
	Exit  bool     // exit(code): ends the process
	Args  []string // the global args; nil means no args global
	// ReadRoots are directories (and their trees) the isolate may read
	// with Isolate.spawnFile. Nil means nothing.
	ReadRoots []string
	// Funcs names the host functions (registered with WithFunc) the
	// isolate may call. Nil means none.
	Funcs []string
}

// canRead reports whether path lies inside one of the read roots.
func (c *Capabilities) canRead(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for _, root := range c.ReadRoots {
		rel, err := filepath.Rel(root, abs)
		if err != nil {
			continue
		}
		if rel == "." || (rel != ".." && !filepath.IsAbs(rel) && !startsWithDotDot(rel)) {
			return true
		}
	}
	return false
}

func startsWithDotDot(rel string) bool {
	return len(rel) >= 3 && rel[:2] == ".." && rel[2] == filepath.Separator
}

func (c *Capabilities) hasFunc(name string) bool {
	for _, f := range c.Funcs {
		if f == name {
			return true
		}
	}
	return false
}

// childOf returns the capabilities a child spawned by parent may have when
// it asks for want: stdin, exit and args are never inherited, read roots
// and host functions are the intersection.
func (c Capabilities) childOf(parent *Capabilities) Capabilities {
	out := Capabilities{}
	for _, root := range c.ReadRoots {
		if parent.canRead(root) {
			out.ReadRoots = append(out.ReadRoots, root)
		}
	}
	for _, f := range c.Funcs {
		if parent.hasFunc(f) {
			out.Funcs = append(out.Funcs, f)
		}
	}
	return out
}

// normalizeRoots makes read roots absolute and resolves symlinks, so that
// canRead compares real paths.
func normalizeRoots(roots []string) []string {
	out := make([]string, 0, len(roots))
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		out = append(out, abs)
	}
	return out
}

// spawnConfig is everything Spawn needs; SpawnOptions fill it in.
type spawnConfig struct {
	name        string
	arg         *Message
	setupMsg    *Message // WithSetupMessage
	paused      bool
	errorsFatal bool
	onExit      *SendPort
	onExitResp  *Message
	onError     *SendPort
	limits      Limits
	entry       string // global function to call after a script's top level; "" = none
	result      func(*Message, error)
	parent      *Isolate
	caps        Capabilities
	capsSet     bool
	stdout      io.Writer
	stderr      io.Writer
	process     bool               // run in a worker process (WithProcess)
	processSet  bool               // WithProcess or WithInProcess was given
	group       string             // the worker's group; "" = its own
	errorHook   func(*ScriptError) // worker side: report errors to the host instead
	workDir     string             // relative file names are read against it; "" = the process's working directory
}

// SpawnOption configures one Spawn call.
type SpawnOption func(*spawnConfig)

// WithName names the isolate (shown in stats, .ps and stack traces).
func WithName(name string) SpawnOption { return func(c *spawnConfig) { c.name = name } }

// WithMessage passes m to the entry function.
func WithMessage(m *Message) SpawnOption { return func(c *spawnConfig) { c.arg = m } }

// WithSetupMessage gives the isolate a message for its SetupFunc (the
// bindings), read there with Isolate.SetupMessage before any of its code
// runs: the bindings use it to start an isolate as a Web Worker. It
// travels to a process isolate's worker like the entry's message. Any
// goroutine may build the option.
func WithSetupMessage(m *Message) SpawnOption { return func(c *spawnConfig) { c.setupMsg = m } }

// WithPaused starts the isolate paused with its PauseCapability; Resume it
// with that capability to run the entry.
func WithPaused(paused bool) SpawnOption { return func(c *spawnConfig) { c.paused = paused } }

// WithErrorsAreFatal sets whether an uncaught error kills the isolate
// (default true).
func WithErrorsAreFatal(fatal bool) SpawnOption {
	return func(c *spawnConfig) { c.errorsFatal = fatal }
}

// WithOnExit registers an exit listener before the entry runs. response is
// sent to port when the isolate dies (nil sends null).
func WithOnExit(port *SendPort, response *Message) SpawnOption {
	return func(c *spawnConfig) { c.onExit, c.onExitResp = port, response }
}

// WithOnError registers an error listener before the entry runs.
func WithOnError(port *SendPort) SpawnOption { return func(c *spawnConfig) { c.onError = port } }

// WithLimits sets the isolate's limits. Zero fields take the host defaults.
func WithLimits(l Limits) SpawnOption { return func(c *spawnConfig) { c.limits = l } }

// WithEntry names the global function a script source calls after its top
// level runs ("main" for spawnFile). "" calls nothing.
func WithEntry(name string) SpawnOption { return func(c *spawnConfig) { c.entry = name } }

// WithResult makes the isolate report its entry's result: fn is called
// exactly once, from some goroutine, with the cloned result (a promise is
// awaited first), or with the error that ended the isolate, or ErrNoResult.
// It is how Isolate.run is built.
func WithResult(fn func(result *Message, err error)) SpawnOption {
	return func(c *spawnConfig) { c.result = fn }
}

// WithParent records the spawning isolate. The child's limits and
// capabilities are then bounded by the parent's.
func WithParent(p *Isolate) SpawnOption { return func(c *spawnConfig) { c.parent = p } }

// WithCapabilities grants host facilities. For a child (WithParent), the
// grant is intersected with the parent's, and stdin, exit and args are
// never passed on.
func WithCapabilities(caps Capabilities) SpawnOption {
	return func(c *spawnConfig) { c.caps, c.capsSet = caps, true }
}

// WithOutput gives this isolate its own stdout and stderr writers instead
// of the host's.
func WithOutput(stdout, stderr io.Writer) SpawnOption {
	return func(c *spawnConfig) { c.stdout, c.stderr = stdout, stderr }
}
