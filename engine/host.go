package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"

	"github.com/isobox/isobox/engine/guard"
	"github.com/isobox/isobox/engine/module"
)

// HostFunc is a Go function that scripts may call when it is granted to
// their isolate. Arguments and the result go through the clone rules: args
// arrive as plain Go values (see Message.ToGo) and the result is converted
// with MessageFromGo. It runs on the calling isolate's goroutine and must
// not block for long; ctx is cancelled when the isolate dies.
type HostFunc func(ctx context.Context, args []any) (any, error)

// SetupFunc installs the JS surface (the bindings) into a new isolate. It
// runs on the isolate's own goroutine, after the VM is created and before
// the entry runs. An error fails the spawn.
type SetupFunc func(iso *Isolate) error

// Host owns a set of isolates: their output, their defaults, the
// host-wide limits and the registered Go functions. Create one with NewHost.
// All methods are safe for concurrent use by any goroutine.
type Host struct {
	stdout, stderr io.Writer  // what WithStdout and WithStderr gave
	outBuf         int        // WithOutputBuffer
	outS, errS     *outStream // the isolates' way to stdout and stderr
	hostOut        *outSource // Host.Stdout
	hostErr        *outSource // Host.Stderr
	setup          SetupFunc
	defaults       Limits
	maxIsolates    int
	memLimitMb     int64 // WithMemoryLimit: 0 = the default, < 0 = none
	funcs          map[string]HostFunc
	debug          io.Writer // WithDebugLog; nil discards
	gate           *runGate  // WithMaxRunning; nil = no cap

	mu       sync.Mutex
	isolates map[uint64]*Isolate
	closed   bool
	wg       sync.WaitGroup
	nextID   atomic.Uint64

	progs progCache
	mods  modCache   // compiled module graphs
	jsx   JSXOptions // WithJSX

	broadcasts broadcastRegistry // BroadcastChannel names (broadcast.go)
	uplink     *conn             // in a worker process: the channel to the parent host, for broadcasts

	workerCmd  []string             // WithWorkerCommand
	workers    map[string]*worker   // named process groups; guarded by mu
	allWorkers map[*worker]struct{} // every live worker; guarded by mu
	pool       []*worker            // started ahead (WithWorkerPool); guarded by mu
	poolSize   int
	refilling  bool
	unconfined bool          // WithWorkerConfinement(false)
	poll       time.Duration // WithChannelPoll (chanpoll.go)
	pollSet    bool
	cgroupDir  string // WithWorkerCgroup (cgroup.go)
	cgroupSet  bool

	processDefault bool     // WithProcessDefault
	workerStdin    *os.File // WithWorkerStdin
}

// HostOption configures NewHost.
type HostOption func(*Host)

// WithStdout sets where console.log and stdout.write go (default os.Stdout).
// Every line is written whole with one Write call, in the order the writes
// were made; while w is slow, each isolate's writes queue (see
// WithOutputBuffer) so that one isolate's flood does not stall the others.
func WithStdout(w io.Writer) HostOption { return func(h *Host) { h.stdout = w } }

// WithStderr sets where console.error and stderr.write go (default os.Stderr).
func WithStderr(w io.Writer) HostOption { return func(h *Host) { h.stderr = w } }

// WithOutputBuffer sets how many bytes of output each isolate (and the
// host's own Stdout and Stderr) may have queued per stream while the host's
// writer is busy; a write past that waits until the isolate's queued bytes
// are written. Zero means DefaultOutputBuffer; a negative value queues
// nothing, so every write waits for its own bytes to be written (other
// isolates' writes go first when they came first).
func WithOutputBuffer(bytes int) HostOption { return func(h *Host) { h.outBuf = bytes } }

// WithMaxRunning caps how many of the host's isolates run a task (JS) at
// once; 0, the default, means no cap. Isolates that are ready while n tasks
// run wait in a FIFO and get the next slot that a task frees, in the order
// they became ready; the wait is not charged to their time limits, and
// kill, pause and other control requests still act on a waiting isolate.
// A task keeps its slot until it ends (goja cannot suspend running JS), so
// with a cap every isolate should have maxTaskMs (or cpuMs): a task that
// spins forever holds its slot for good, and a host function that blocks
// a task until another isolate's task has run can deadlock when the slots
// are all taken (the bindings' spawn, run and messages never block so). n = GOMAXPROCS-1 keeps a P free
// for the host's own goroutines (timers, the limit watchdog, the memory
// monitor, the REPL) however many isolates spin; n = 1 lets the host's
// isolates use at most one core.
func WithMaxRunning(n int) HostOption { return func(h *Host) { h.gate = newRunGate(n) } }

// WithSetup sets the hook that installs the JS bindings in every isolate.
// Without it isolates run plain ECMAScript with no host objects.
func WithSetup(fn SetupFunc) HostOption { return func(h *Host) { h.setup = fn } }

// WithDefaultLimits sets the limits used for any field a spawn leaves zero.
func WithDefaultLimits(l Limits) HostOption { return func(h *Host) { h.defaults = l } }

// WithMaxIsolates caps the number of live isolates (default
// DefaultMaxIsolates). A spawn over the cap fails with a *LimitError
// whose Limit is "maxIsolates".
func WithMaxIsolates(n int) HostOption { return func(h *Host) { h.maxIsolates = n } }

// WithMemoryLimit sets the host's memory ceiling in MB. When the process's
// Go heap grows over it, the isolate of this host holding the largest share
// of the heap is stopped with a *LimitError whose Limit is "hostMemoryMb"
// (Max is the ceiling, Seen the heap), whatever its own Limits.MemoryMb,
// so that no script can end the process with Go's "out of memory"; see the
// package documentation. Zero, like not giving the option, means the
// default: a quarter of the memory available to the process (the smaller
// of the cgroup v2 limit and the physical memory, or 4096 MB when neither
// can be read). A negative value disables the ceiling. The ceiling bounds
// the whole process heap, shared by every host and the embedder. Any
// goroutine may call it; the ceiling is fixed when NewHost applies it.
func WithMemoryLimit(mb int64) HostOption { return func(h *Host) { h.memLimitMb = mb } }

// WithDebugLog sets where the host writes diagnostics meant for its
// developer, never for scripts: the Go stack of every recovered panic (an
// isolate's InternalError). Nil, the default, discards them. Entries are
// written whole, one Write each, from any isolate's goroutine. Any goroutine
// may call WithDebugLog.
func WithDebugLog(w io.Writer) HostOption { return func(h *Host) { h.debug = w } }

// lockedWriter serializes writes to w: each entry is one Write.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// debugf writes one entry to the debug log. Any goroutine.
func (h *Host) debugf(format string, args ...any) {
	if h.debug == nil {
		return
	}
	_, _ = fmt.Fprintf(h.debug, "isobox: "+format+"\n", args...)
}

// WithFunc registers a Go function under name. Isolates may call it only if
// their Capabilities.Funcs grants the name.
func WithFunc(name string, fn HostFunc) HostOption {
	return func(h *Host) {
		if h.funcs == nil {
			h.funcs = make(map[string]HostFunc)
		}
		h.funcs[name] = fn
	}
}

// NewHost creates a host. It starts no goroutine.
func NewHost(opts ...HostOption) *Host {
	h := &Host{
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		maxIsolates: DefaultMaxIsolates,
		isolates:    make(map[uint64]*Isolate),
		allWorkers:  make(map[*worker]struct{}),
	}
	for _, o := range opts {
		o(h)
	}
	h.outS = newOutStream(h.stdout, h.outLimit())
	h.errS = newOutStream(h.stderr, h.outLimit())
	h.hostOut = h.outS.source(nil)
	h.hostErr = h.errS.source(nil)
	if h.debug != nil {
		h.debug = &lockedWriter{w: h.debug}
	}
	if h.defaults.MaxStackDepth <= 0 {
		h.defaults.MaxStackDepth = DefaultMaxStackDepth
	}
	return h
}

// outLimit is the per-source bound of the output queues.
func (h *Host) outLimit() int {
	switch {
	case h.outBuf == 0:
		return DefaultOutputBuffer
	case h.outBuf < 0:
		return 0
	}
	return h.outBuf
}

// Stdout returns a writer onto the host's stdout that goes through the same
// ordered queue as the isolates' output, so that what the host writes keeps
// its place among their lines. Any goroutine.
func (h *Host) Stdout() io.Writer { return h.hostOut }

// Stderr is Stdout for stderr. Any goroutine.
func (h *Host) Stderr() io.Writer { return h.hostErr }

// Func returns the registered host function name. Any goroutine.
func (h *Host) Func(name string) (HostFunc, bool) {
	fn, ok := h.funcs[name]
	return fn, ok
}

// SourceKind says how a Source's code is run.
type SourceKind int

const (
	// SourceScript runs the code as a script's top level, then calls the
	// entry function if one is configured and defined.
	SourceScript SourceKind = iota
	// SourceFunction evaluates the code as a function expression or a
	// method and calls it with the spawn message. Source.Line and Column
	// place it in its file.
	SourceFunction
	// SourceModule is a file run as an ES module (or a TypeScript or JSX
	// file): Filename names it and Code is unused; Spawn bundles its
	// graph with esbuild (package engine/module). Its top-level await is
	// awaited before the isolate can end, and the entry (WithEntry) is the
	// module's export of that name.
	SourceModule
)

// Source is code to run in a new isolate.
type Source struct {
	Kind     SourceKind
	Code     string
	Filename string // for stack traces and relative paths; may be ""
	// Line and Column (1-based; 0 means 1) say where Code starts in
	// Filename when it is a function cut out of a larger file, so that the
	// positions in the isolate's errors and stack traces are those of the
	// file. Column counts bytes, as goja's positions do.
	Line, Column int
	// SourceMap is a "//# sourceMappingURL=data:..." line that maps the
	// positions of the file Code was cut from (a compiled module or
	// TypeScript file) to the original files; "" for none. A function's
	// positions, placed at Line and Column, are then reported where its
	// original text is.
	SourceMap string
}

// FunctionSource is the source text of a function: a function expression
// ("(m) => m * 2", "function (m) { ... }") or a method ("f(m) { ... }");
// the isolate calls it with the spawn message. Any goroutine.
func FunctionSource(code string) Source { return Source{Kind: SourceFunction, Code: code} }

// ScriptSource is a script's text, with the file name used in stack traces.
func ScriptSource(filename, code string) Source {
	return Source{Kind: SourceScript, Code: code, Filename: filename}
}

// FileSource reads a script file. The error wraps ErrNotFound when the file
// does not exist. A .mjs, .mts, .ts, .tsx or .jsx file is a SourceModule
// (read when it is spawned); a .js file is a script, which Spawn runs as a
// module when it only parses as one (Node's detection). Any goroutine may
// call it.
func FileSource(path string) (Source, error) {
	if module.IsModulePath(path) {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return Source{}, fmt.Errorf("%w: cannot find file %s", ErrNotFound, path)
			}
			return Source{}, fmt.Errorf("cannot read %s: %w", path, err)
		}
		return ModuleSource(path), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Source{}, fmt.Errorf("%w: cannot find file %s", ErrNotFound, path)
		}
		return Source{}, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return ScriptSource(path, string(b)), nil
}

// Spawn starts a new isolate running src. It compiles src first: a syntax
// error is returned as a *ScriptError named "SyntaxError" and nothing is
// started. Limits that Validate refuses (over their maximum, such as a
// MaxStackDepth over MaxStackDepthCeiling) are returned as an error
// wrapping ErrBadLimits, and nothing is started either. Any goroutine may
// call it, including an isolate's own loop.
func (h *Host) Spawn(src Source, opts ...SpawnOption) (*Isolate, error) {
	cfg := spawnConfig{errorsFatal: true}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.limits = cfg.limits.merge(h.defaults)
	if p := cfg.parent; p != nil {
		cfg.limits = cfg.limits.tighten(p.cfg.limits)
		if cfg.capsSet {
			cfg.caps = cfg.caps.childOf(&p.cfg.caps)
		} else {
			cfg.caps = Capabilities{}.childOf(&p.cfg.caps)
		}
	} else {
		cfg.caps.ReadRoots = normalizeRoots(cfg.caps.ReadRoots)
	}
	if cfg.limits.MaxStackDepth <= 0 {
		cfg.limits.MaxStackDepth = DefaultMaxStackDepth
	}
	if err := cfg.limits.Validate(); err != nil {
		return nil, err
	}
	if p := cfg.parent; p != nil && cfg.workDir == "" {
		cfg.workDir = p.cfg.workDir
	}
	if !cfg.processSet && h.processDefault && cfg.parent != nil {
		cfg.process = true
	}
	if cfg.process && inWorker.Load() {
		// Already behind a process wall, and confined from starting a
		// process: the child shares its parent's worker (WithProcess).
		cfg.process = false
	}
	if cfg.process {
		return h.spawnRemote(src, cfg)
	}
	prog, mp, err := h.compileFor(src, &cfg.caps, cfg.workDir)
	if err != nil {
		return nil, err
	}

	h.mu.Lock()
	if err := h.admit(); err != nil {
		h.mu.Unlock()
		return nil, err
	}
	iso := newIsolate(h, h.nextID.Add(1), src, prog, cfg)
	iso.modProg = mp
	h.isolates[iso.id] = iso
	h.wg.Add(1)
	h.mu.Unlock()

	go iso.loop()
	return iso, nil
}

// admit says whether the host takes one more isolate: ErrHostClosed after
// Shutdown, a maxIsolates *LimitError when full. Call it with h.mu held.
func (h *Host) admit() error {
	if h.closed {
		return ErrHostClosed
	}
	if n := len(h.isolates); n >= h.maxIsolates {
		return &LimitError{Limit: "maxIsolates", Max: int64(h.maxIsolates), Seen: int64(n + 1), Unit: "isolates"}
	}
	return nil
}

// SpawnFile reads path and spawns it as a script. Any goroutine.
func (h *Host) SpawnFile(path string, opts ...SpawnOption) (*Isolate, error) {
	src, err := FileSource(path)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(path); err == nil {
		src.Filename = abs
	}
	return h.Spawn(src, opts...)
}

func (h *Host) remove(iso *Isolate) {
	h.mu.Lock()
	delete(h.isolates, iso.id)
	h.mu.Unlock()
}

// Isolate returns the live isolate with the given id. Any goroutine.
func (h *Host) Isolate(id uint64) (*Isolate, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	iso, ok := h.isolates[id]
	return iso, ok
}

// Lookup finds a live isolate by decimal id or by name (the oldest with
// that name). Any goroutine.
func (h *Host) Lookup(idOrName string) (*Isolate, bool) {
	var id uint64
	if _, err := fmt.Sscanf(idOrName, "%d", &id); err == nil && fmt.Sprint(id) == idOrName {
		if iso, ok := h.Isolate(id); ok {
			return iso, true
		}
	}
	var best *Isolate
	for _, iso := range h.List() {
		if iso.name == idOrName && (best == nil || iso.id < best.id) {
			best = iso
		}
	}
	return best, best != nil
}

// List returns the live isolates ordered by id. Any goroutine.
func (h *Host) List() []*Isolate {
	h.mu.Lock()
	out := make([]*Isolate, 0, len(h.isolates))
	for _, iso := range h.isolates {
		out = append(out, iso)
	}
	h.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Stats returns a snapshot of every live isolate's stats, ordered by id.
// Any goroutine.
func (h *Host) Stats() []Stats {
	list := h.List()
	out := make([]Stats, len(list))
	for i, iso := range list {
		out[i] = iso.Stats()
	}
	return out
}

// Count returns the number of live isolates. Any goroutine.
func (h *Host) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.isolates)
}

// KillAll kills every live isolate with the given priority. Any goroutine.
func (h *Host) KillAll(p Priority) {
	for _, iso := range h.List() {
		iso.Kill(p)
	}
}

// Shutdown stops the host: new spawns fail with ErrHostClosed, every live
// isolate is killed immediately, and Shutdown waits until all their
// goroutines are gone or ctx is done. Any goroutine; idempotent.
func (h *Host) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.KillAll(Immediate)
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Every isolate is dead; no worker process may outlive the host.
	h.mu.Lock()
	workers := make([]*worker, 0, len(h.allWorkers))
	for w := range h.allWorkers {
		workers = append(workers, w)
	}
	h.mu.Unlock()
	for _, w := range workers {
		w.signal()
		select {
		case <-w.exited:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := h.hostOut.flush(ctx); err != nil {
		return err
	}
	return h.hostErr.flush(ctx)
}

// progCache caches compiled programs by source, since a *goja.Program may be
// shared by runtimes. It is bounded: when full it starts over.
type progCache struct {
	mu sync.Mutex
	m  map[Source]*goja.Program
}

const progCacheMax = 512

func (c *progCache) compile(src Source) (*goja.Program, error) {
	c.mu.Lock()
	if p, ok := c.m[src]; ok {
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	p, err := compileSource(src)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= progCacheMax {
		c.m = make(map[Source]*goja.Program)
	}
	c.m[src] = p
	c.mu.Unlock()
	return p, nil
}

func compileSource(src Source) (*goja.Program, error) {
	name := src.Filename
	code := src.Code
	if err := guard.CheckNesting(code, guard.DefaultMaxNesting); err != nil {
		return nil, &ScriptError{Name: "SyntaxError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	if src.Kind == SourceFunction {
		if name == "" {
			name = "<isolate>"
		}
		return compileFunction(name, code, max(src.Line, 1), max(src.Column, 1), src.SourceMap)
	}
	return compileChecked(name, code)
}

// compileChecked compiles text after guard.CheckSource (goja folds BigInt
// constants while compiling, on this goroutine, and a huge one is fatal)
// and guard.RewriteOps.
func compileChecked(name, text string) (*goja.Program, error) {
	if err := guard.CheckSource(text); err != nil {
		return nil, &ScriptError{Name: "RangeError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	// The BigInt operators on run-time values go through the guards' op
	// helper (engine/guard/rewrite.go); every runtime has it.
	text, err := guard.RewriteOps(text)
	if err != nil {
		return nil, &ScriptError{Name: "SyntaxError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	p, err := guard.Compile(name, text, false)
	if err != nil {
		return nil, syntaxError(err)
	}
	return p, nil
}

// compileFunction compiles the source text of a function so that its first
// character sits at line:col of the generated text: the wrapper that makes
// it an expression goes before it on its first line, or on the line before,
// and newlines and spaces pad the rest. Every position goja reports (stack
// frames, syntax errors) is then the position in the function's file.
//
// A function expression ("x => x", "function () {}") is wrapped in
// parentheses. A method ("f(x) { ... }", from an object literal or a class)
// is not an expression: it is wrapped in an object literal, and runEntry
// takes the object's only property. A function at line 1, column 1 has no
// room for a wrapper: an arrow function there is a valid expression
// statement as it is, and a function declaration is followed by its name.
//
// Every text compiled is first checked by the nesting scanner as it is, since
// the wrapper is context that changes how a "/" reads.
func compileFunction(name, code string, line, col int, sourceMap string) (*goja.Program, error) {
	tail := "\n)"
	if sourceMap != "" {
		// goja reads the map from the text's last line.
		tail += "\n" + sourceMap + "\n"
	}
	if line == 1 && col == 1 && sourceMap == "" {
		if p, ok := compileAtStart(name, code); ok {
			return p, nil
		}
	}
	wrapped := padTo("(", line, col) + code + tail
	if err := guard.CheckNesting(wrapped, guard.DefaultMaxNesting); err != nil {
		return nil, &ScriptError{Name: "SyntaxError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	p, err := compileChecked(name, wrapped)
	if err == nil {
		return p, nil
	}
	var se *ScriptError
	if errors.As(err, &se) && se.Name == "RangeError" {
		return nil, err // a BigInt constant too large: no other wrapping helps
	}
	method := code
	if strings.HasPrefix(method, "#") {
		// A private method's text: "#f() {}" is not valid in an object
		// literal, "_f() {}" is, and is as long.
		method = "_" + method[1:]
	}
	if m := padTo("({", line, col) + method + "\n}" + tail; guard.CheckNesting(m, guard.DefaultMaxNesting) == nil {
		p2, err2 := compileChecked(name, m)
		if err2 == nil {
			return p2, nil
		}
		if errors.As(err2, &se) && se.Name == "RangeError" {
			return nil, err2
		}
	}
	return nil, err
}

// compileAtStart compiles a function that starts the generated text.
func compileAtStart(name, code string) (*goja.Program, bool) {
	prg, err := guard.ParseFile(name, code)
	if err != nil || len(prg.Body) != 1 {
		return nil, false
	}
	switch st := prg.Body[0].(type) {
	case *ast.ExpressionStatement:
		switch st.Expression.(type) {
		case *ast.ArrowFunctionLiteral, *ast.FunctionLiteral:
		default:
			return nil, false
		}
	case *ast.FunctionDeclaration:
		if st.Function == nil || st.Function.Name == nil {
			return nil, false
		}
		code += "\n;" + st.Function.Name.Name.String()
	default:
		return nil, false
	}
	p, err := compileChecked(name, code)
	return p, err == nil
}

// padTo returns the text to put before a function so that it starts at
// line:col, ending with open (the wrapper's opening). When open does not
// fit before col on the function's line it goes on the line before; on
// line 1 it cannot, and the first line's columns are off by len(open).
func padTo(open string, line, col int) string {
	switch {
	case col-1 >= len(open):
		return strings.Repeat("\n", line-1) + open + strings.Repeat(" ", col-1-len(open))
	case line > 1:
		return strings.Repeat("\n", line-2) + open + "\n" + strings.Repeat(" ", col-1)
	default:
		return open
	}
}

// SyntaxMessage is the message of a compile error without goja's
// "SyntaxError: " prefix, so that "Name: message" does not say it twice.
// Any goroutine.
func SyntaxMessage(err error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "engine: "), "SyntaxError: ")
}

func syntaxError(err error) error {
	var ce *goja.CompilerSyntaxError
	if errors.As(err, &ce) {
		return &ScriptError{Name: "SyntaxError", Message: SyntaxMessage(ce), Cause: err}
	}
	return &ScriptError{Name: "SyntaxError", Message: SyntaxMessage(err), Cause: err}
}
