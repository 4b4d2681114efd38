package engine

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/isobox/isobox/engine/clone"
)

// Sentinel errors. Compare with errors.Is.
var (
	// ErrInvalidArgument is returned for a nil or malformed argument.
	ErrInvalidArgument = errors.New("engine: invalid argument")
	// ErrKilled is the error of an isolate that was killed (by Kill, by the
	// host shutting down, or by an immediate self-kill).
	ErrKilled = errors.New("engine: isolate killed")
	// ErrHostClosed is returned by Spawn after Shutdown.
	ErrHostClosed = errors.New("engine: host shut down")
	// ErrNotFound is returned when a file or isolate cannot be found.
	ErrNotFound = errors.New("engine: not found")
	// ErrPermission is returned when an isolate asks for something it was
	// not granted (a file outside its read roots, a host function).
	ErrPermission = errors.New("engine: permission denied")
	// ErrNotModule is returned by Isolate.ImportFile for a .js file that
	// parses as a classic script.
	ErrNotModule = errors.New("engine: not a module")
	// ErrPortClosed is returned by Port.Recv after Close.
	ErrPortClosed = errors.New("engine: port closed")
	// ErrNoResult is the error of Isolate.run when the isolate ended
	// without producing a result.
	ErrNoResult = errors.New("engine: isolate ended without a result")
)

// CloneError is a structured clone failure: a value that cannot be cloned, a
// bad transfer list. In JS it surfaces as an error named "DataCloneError".
// It is the codec's own error type, clone.Error; this name stays so that
// embedders' errors.As(err, &ce) with a *engine.CloneError keeps working.
type CloneError = clone.Error

// LimitError reports that an isolate exceeded one of its resource limits.
// In JS it is an error named "ResourceLimitError" whose limit property holds
// Limit.
type LimitError struct {
	Limit string // option name: "maxTaskMs", "cpuMs", "memoryMb", "maxQueue", ...
	Max   int64  // the configured limit
	Seen  int64  // the value observed
	Unit  string // "ms", "MB", "messages", "bytes", "frames", ...
}

func (e *LimitError) Error() string {
	unit := e.Unit
	if unit != "" {
		unit = " " + unit
	}
	return fmt.Sprintf("ResourceLimitError: %s exceeded: limit %d%s, saw %d%s", e.Limit, e.Max, unit, e.Seen, unit)
}

// Props returns the JS properties of the error's ResourceLimitError: limit
// (the option name), max, seen and unit. Any goroutine.
func (e *LimitError) Props() map[string]any {
	return map[string]any{"limit": e.Limit, "max": e.Max, "seen": e.Seen, "unit": e.Unit}
}

// Message returns the error text without the name prefix.
func (e *LimitError) Message() string {
	unit := e.Unit
	if unit != "" {
		unit = " " + unit
	}
	return fmt.Sprintf("%s exceeded: limit %d%s, saw %d%s", e.Limit, e.Max, unit, e.Seen, unit)
}

// ScriptError is an uncaught JavaScript error reported by an isolate: the
// payload its error listeners receive.
type ScriptError struct {
	Name    string
	Message string
	Stack   string
	// Cause is the Go error behind it, if any (a *LimitError, ErrKilled, a
	// recovered panic).
	Cause error
	// Value is a copy of what was thrown, as Isolate.run rejects with it
	// and error listeners receive it (their payload's "error"): an error
	// keeps its class for the standard names, its name, message, stack,
	// cause and own enumerable properties; any other value is its clone.
	// An error that never was a JS value (a limit, an internal error) is an
	// equivalent Error; a thrown value that cannot be cloned is an Error
	// saying so. Nil when the engine had none to give (a ScriptError made
	// by an embedder). Materialize it with Isolate.Value (on that isolate's
	// loop) or read it with Message.ToGo (any goroutine).
	Value *Message
}

func (e *ScriptError) Error() string {
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// Unwrap returns the Go cause, so errors.As finds a *LimitError inside.
func (e *ScriptError) Unwrap() error { return e.Cause }

// PanicError is a Go panic recovered under a VM entry. It never crashes the
// process; it becomes an isolate error named "InternalError".
type PanicError struct {
	Value any
	Stack string // the Go stack: for the host's debug log, never for scripts
	// JSStack is the JS call stack where the panic surfaced, as frame
	// lines ("\tat f (file.js:1:2(3))"), when the bindings could capture it.
	JSStack string
}

func (e *PanicError) Error() string { return "internal error: " + e.Message() }

// runtimeFault is what scripts see of a Go runtime error (a nil
// dereference, an index out of range, a failed type assertion): its text
// names Go types and internals, which stay in the host's debug log.
const runtimeFault = "the JS engine failed inside a built-in (the details are in the host's debug log)"

// Message is the panic value as one line of text, as scripts see it in an
// InternalError: a Go runtime error is replaced by a fixed sentence (its
// text would name Go types); other values are kept, cut to one line of at
// most 200 bytes. Any goroutine.
func (e *PanicError) Message() string {
	if _, ok := e.Value.(runtime.Error); ok {
		return runtimeFault
	}
	s := strings.TrimSpace(fmt.Sprint(e.Value))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	if s == "" {
		s = "Go panic"
	}
	return s
}
