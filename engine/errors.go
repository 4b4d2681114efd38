package engine

import (
	"errors"
	"fmt"

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
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }
