package clone

import (
	"fmt"
	"runtime/debug"

	"github.com/dop251/goja"
)

// Error is a structured clone failure: a value that cannot be cloned, a bad
// transfer list, a message that cannot be received. In JS it surfaces as an
// error named "DataCloneError". Msg never names a Go type.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return "DataCloneError: " + e.Msg }

// SizeError reports a clone that went over Options.MaxBytes.
type SizeError struct {
	Max  int64 // the limit
	Seen int64 // the size reached when the clone stopped
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("clone: message size exceeded: limit %d bytes, saw %d bytes", e.Max, e.Seen)
}

// InternalError is a Go panic recovered inside the codec (a bug, never a
// script's doing). Stack is the Go stack: it is for logs, never for scripts.
type InternalError struct {
	Value any
	Stack string
}

func (e *InternalError) Error() string { return fmt.Sprintf("clone: internal error: %v", e.Value) }

// ErrInvalidArgument is returned for a nil runtime or message.
var ErrInvalidArgument = errorString("clone: invalid argument")

type errorString string

func (e errorString) Error() string { return string(e) }

func cloneErrorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// recoverToError converts a panic under the codec into an error: a JS
// exception or goja's uncatchable errors (interrupts) unchanged, anything else
// as an *InternalError.
func recoverToError(x any) error {
	switch e := x.(type) {
	case *goja.Exception:
		return e
	case *goja.InterruptedError:
		return e
	case *goja.StackOverflowError:
		return e
	}
	return &InternalError{Value: x, Stack: string(debug.Stack())}
}
