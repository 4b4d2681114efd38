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

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine/guard"
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
	stdout, stderr io.Writer
	setup          SetupFunc
	defaults       Limits
	maxIsolates    int
	memLimitMb     int64 // WithMemoryLimit: 0 = the default, < 0 = none
	funcs          map[string]HostFunc

	mu       sync.Mutex
	isolates map[uint64]*Isolate
	closed   bool
	wg       sync.WaitGroup
	nextID   atomic.Uint64

	progs progCache
}

// HostOption configures NewHost.
type HostOption func(*Host)

// WithStdout sets where console.log and stdout.write go (default os.Stdout).
// Every line is written whole with one Write call.
func WithStdout(w io.Writer) HostOption { return func(h *Host) { h.stdout = w } }

// WithStderr sets where console.error and stderr.write go (default os.Stderr).
func WithStderr(w io.Writer) HostOption { return func(h *Host) { h.stderr = w } }

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
	}
	for _, o := range opts {
		o(h)
	}
	h.stdout = newLineWriter(h.stdout)
	h.stderr = newLineWriter(h.stderr)
	if h.defaults.MaxStackDepth <= 0 {
		h.defaults.MaxStackDepth = DefaultMaxStackDepth
	}
	return h
}

// Stdout returns the host's line-synchronized stdout writer. Any goroutine.
func (h *Host) Stdout() io.Writer { return h.stdout }

// Stderr returns the host's line-synchronized stderr writer. Any goroutine.
func (h *Host) Stderr() io.Writer { return h.stderr }

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
	// SourceFunction evaluates the code as a function expression and calls
	// it with the spawn message.
	SourceFunction
)

// Source is code to run in a new isolate.
type Source struct {
	Kind     SourceKind
	Code     string
	Filename string // for stack traces and relative paths; may be ""
}

// FunctionSource is the source text of a function (what Function.prototype.
// toString returns); the isolate calls it with the spawn message.
func FunctionSource(code string) Source { return Source{Kind: SourceFunction, Code: code} }

// ScriptSource is a script's text, with the file name used in stack traces.
func ScriptSource(filename, code string) Source {
	return Source{Kind: SourceScript, Code: code, Filename: filename}
}

// FileSource reads a script file. The error wraps ErrNotFound when the file
// does not exist. Any goroutine may call it.
func FileSource(path string) (Source, error) {
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
// started. Any goroutine may call it, including an isolate's own loop.
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
	prog, err := h.progs.compile(src)
	if err != nil {
		return nil, err
	}

	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ErrHostClosed
	}
	if len(h.isolates) >= h.maxIsolates {
		n := len(h.isolates)
		h.mu.Unlock()
		return nil, &LimitError{Limit: "maxIsolates", Max: int64(h.maxIsolates), Seen: int64(n + 1), Unit: "isolates"}
	}
	iso := newIsolate(h, h.nextID.Add(1), src, prog, cfg)
	h.isolates[iso.id] = iso
	h.wg.Add(1)
	h.mu.Unlock()

	go iso.loop()
	return iso, nil
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
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
		p, err := compileChecked(name, "("+code+"\n)")
		if err == nil {
			return p, nil
		}
		// A method shorthand ("f(x) { ... }") is not an expression; wrap it
		// in an object literal and take its only property.
		var se *ScriptError
		if errors.As(err, &se) && se.Name == "RangeError" {
			return nil, err
		}
		if p2, err2 := compileChecked(name, "(function(){var o=({"+code+"\n});for(var k in o)return o[k]})()"); err2 == nil {
			return p2, nil
		} else if errors.As(err2, &se) && se.Name == "RangeError" {
			return nil, err2
		}
		return nil, syntaxError(err)
	}
	return compileChecked(name, code)
}

// compileChecked compiles text after guard.CheckSource: goja folds BigInt
// constants while compiling, on this goroutine, and a huge one is fatal.
func compileChecked(name, text string) (*goja.Program, error) {
	if err := guard.CheckSource(text); err != nil {
		return nil, &ScriptError{Name: "RangeError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	p, err := goja.Compile(name, text, false)
	if err != nil {
		return nil, syntaxError(err)
	}
	return p, nil
}

func syntaxError(err error) error {
	var ce *goja.CompilerSyntaxError
	if errors.As(err, &ce) {
		return &ScriptError{Name: "SyntaxError", Message: ce.Error(), Cause: err}
	}
	return &ScriptError{Name: "SyntaxError", Message: err.Error(), Cause: err}
}

// lineWriter writes each Write whole under a mutex, so lines from many
// isolates never interleave.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func newLineWriter(w io.Writer) io.Writer {
	if lw, ok := w.(*lineWriter); ok {
		return lw
	}
	return &lineWriter{w: w}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
