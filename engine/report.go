package engine

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine/clone"
)

// Error classification and reporting: what a task returned becomes the
// *ScriptError that error listeners, the CLI and Isolate.run see.

// rejectionError turns the first still-unhandled rejection into an error
// and forgets the rest (each is reported once).
func (iso *Isolate) rejectionError() error {
	p := iso.rejections[0]
	iso.rejections = iso.rejections[:0]
	if p.State() != goja.PromiseStateRejected {
		return nil
	}
	se := iso.errorFromValue(p.Result())
	if se.Name == "" {
		se.Name = "Error"
		se.Message = "Unhandled promise rejection: " + se.Message
	}
	return se
}

// classify turns whatever a task returned into the ScriptError reported to
// listeners, or nil when the isolate was killed or exited (not an error).
// Every ScriptError it returns carries a Value.
func (iso *Isolate) classify(err error) *ScriptError {
	se := iso.classifyError(err)
	if se != nil && se.Value == nil {
		se.Value = errorValueOf(se)
	}
	return se
}

func (iso *Isolate) classifyError(err error) *ScriptError {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		switch v := ie.Value().(type) {
		case killSignal, exitSignal:
			return nil
		case *LimitError:
			return &ScriptError{Name: "ResourceLimitError", Message: v.Message(), Cause: v}
		case error:
			if errors.Is(v, ErrInterrupted) {
				return &ScriptError{Name: "Error", Message: "Script execution interrupted", Cause: ErrInterrupted}
			}
			return &ScriptError{Name: "Error", Message: v.Error(), Cause: v}
		default:
			return &ScriptError{Name: "Error", Message: fmt.Sprint(v)}
		}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		lim := &LimitError{Limit: "maxStackDepth", Max: int64(iso.cfg.limits.MaxStackDepth), Seen: int64(iso.cfg.limits.MaxStackDepth) + 1, Unit: "frames"}
		msg := "Maximum call stack size exceeded (maxStackDepth " + fmt.Sprint(lim.Max) + ")"
		return &ScriptError{Name: "RangeError", Message: msg, Stack: "RangeError: " + msg + "\n" + so.String(), Cause: lim}
	}
	var se *ScriptError
	if errors.As(err, &se) {
		return se
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		se := iso.errorFromValue(ex.Value())
		if se.Stack == "" {
			se.Stack = ex.String()
		}
		return se
	}
	var le *LimitError
	if errors.As(err, &le) {
		return &ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
	}
	var pe *PanicError
	if errors.As(err, &pe) {
		return iso.internalError(pe)
	}
	return &ScriptError{Name: "Error", Message: strings.TrimPrefix(err.Error(), "engine: "), Cause: err}
}

// notDefined matches goja's message for an unresolvable name.
var notDefined = regexp.MustCompile(`^\S+ is not defined$`)

// captureHint is added to a "X is not defined" ReferenceError of an isolate
// whose entry is a function from the spawner: the usual cause is a variable
// of the spawning scope, which the function's source cannot carry along.
const captureHint = " (isolate entry functions cannot capture variables from the spawning scope; pass them in the message)"

// InternalError is what scripts see of a Go panic: an InternalError with a
// one-line message and the JS stack only. The Go stack goes to the host's
// debug log (WithDebugLog). Any goroutine.
func (iso *Isolate) InternalError(pe *PanicError) *ScriptError {
	return iso.internalError(pe)
}

func (iso *Isolate) internalError(pe *PanicError) *ScriptError {
	iso.host.debugf("isolate %d (%s): panic: %v\n%s", iso.id, iso.name, pe.Value, pe.Stack)
	msg := pe.Message()
	se := &ScriptError{Name: "InternalError", Message: msg, Stack: "InternalError: " + msg + "\n" + pe.JSStack, Cause: pe}
	se.Value = errorValueOf(se)
	return se
}

// errorValueOf makes the Value of a ScriptError that has none: an Error
// with its name, message and stack, and a limit's limit, max, seen and unit.
// Any goroutine.
func errorValueOf(se *ScriptError) *Message {
	ev := clone.ErrorValue{Name: se.Name, Message: se.Message, Stack: se.Stack}
	var le *LimitError
	if errors.As(se.Cause, &le) {
		ev.Props = le.Props()
	}
	m, err := clone.NewError(ev, nil)
	if err != nil {
		return nil
	}
	return m
}

// errorFromValue reads name, message and stack from a thrown value and
// copies it (see ScriptError.Value). It runs while the task's watchdog is
// still armed, since getters may run. Loop only.
func (iso *Isolate) errorFromValue(v goja.Value) (se *ScriptError) {
	se = &ScriptError{}
	defer func() {
		if x := recover(); x != nil {
			se = &ScriptError{Name: "Error", Message: "uncaught error (unreadable)"}
		}
	}()
	if v == nil {
		v = goja.Undefined()
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		se.Message = v.String()
		se.Value = iso.thrownValue(v)
		return se
	}
	if le, ok := obj.Export().(*LimitError); ok {
		return &ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
	}
	get := func(name string) goja.Value {
		var p goja.Value
		if ex := iso.vm.Try(func() { p = obj.Get(name) }); ex != nil {
			return nil
		}
		if p == nil || goja.IsUndefined(p) || goja.IsNull(p) {
			return nil
		}
		return p
	}
	str := func(name string) string {
		var s string
		if p := get(name); p != nil {
			iso.vm.Try(func() { s = p.String() })
		}
		return s
	}
	se.Name = str("name")
	se.Message = str("message")
	se.Stack = str("stack")
	if se.Name == "" && se.Message == "" {
		iso.vm.Try(func() { se.Message = v.String() })
	}
	if iso.src.Kind == SourceFunction && se.Name == "ReferenceError" && notDefined.MatchString(se.Message) {
		// The stack's first line repeats name and message: keep them
		// equal, so that printing the stack shows the hint once too.
		head := se.Name + ": " + se.Message
		se.Message += captureHint
		if rest, ok := strings.CutPrefix(se.Stack, head); ok && (rest == "" || rest[0] == '\n') {
			se.Stack = head + captureHint + rest
		}
		// The copy of the thrown error (Isolate.run's rejection, the
		// listeners' error) says it too: put it on the error itself.
		iso.vm.Try(func() {
			_ = obj.Set("message", se.Message)
			_ = obj.Set("stack", se.Stack)
		})
	}
	if se.Name == "ResourceLimitError" {
		// A limit error caught and rethrown by the script: keep its numbers.
		le := &LimitError{}
		if p := get("limit"); p != nil {
			le.Limit = p.String()
		}
		if p := get("max"); p != nil {
			le.Max = p.ToInteger()
		}
		if p := get("seen"); p != nil {
			le.Seen = p.ToInteger()
		}
		if p := get("unit"); p != nil {
			le.Unit = p.String()
		}
		if le.Limit != "" {
			se.Cause = le
		}
	}
	se.Value = iso.thrownValue(v)
	return se
}

// thrownValue copies a thrown value for ScriptError.Value; one that cannot
// be copied becomes an Error saying why. Loop only.
func (iso *Isolate) thrownValue(v goja.Value) *Message {
	m, err := iso.codec.Clone(iso.vm, (*isoHosts)(iso), v, nil, clone.Options{MaxBytes: iso.cfg.limits.MaxMessageBytes, Thrown: true})
	if err == nil {
		return m
	}
	why := "it could not be read"
	var ce *clone.Error
	var size *clone.SizeError
	switch {
	case errors.As(err, &ce):
		why = ce.Msg
	case errors.As(err, &size):
		why = fmt.Sprintf("it is larger than maxMessageBytes (%d bytes)", size.Max)
	}
	m, _ = clone.NewError(clone.ErrorValue{Name: "Error", Message: "the thrown value could not be cloned: " + why}, nil)
	return m
}

// ReportError reports err as an uncaught error of the isolate: error
// listeners are told, and if errors are fatal the isolate dies. Loop only.
func (iso *Isolate) ReportError(err error) {
	if se := iso.classify(err); se != nil {
		iso.reportError(se)
	}
}

// SetErrorFormatter sets how the isolate prints an uncaught error that no
// error listener receives: the text of one error, ending in a newline
// (the bindings render it like Node). A child's text is prefixed with
// "[id name] ". The default prints "Uncaught Name: message". f runs on the
// isolate's loop. Loop only.
func (iso *Isolate) SetErrorFormatter(f func(*ScriptError) string) { iso.errFormat = f }

// printUncaught writes an uncaught error nobody listens to on stderr.
func (iso *Isolate) printUncaught(se *ScriptError) {
	var text string
	if iso.errFormat != nil {
		text = iso.errFormat(se)
	} else {
		text = "Uncaught " + se.Error() + "\n"
	}
	if iso.cfg.parent != nil {
		text = fmt.Sprintf("[%d %s] %s", iso.id, iso.name, text)
	}
	_, _ = io.WriteString(iso.stderr, text)
}

func (iso *Isolate) reportError(se *ScriptError) {
	if hook := iso.cfg.errorHook; hook != nil {
		// A worker's isolate: its host reports the error to the listeners
		// of the isolate's shadow; the fatal rule still applies here.
		hook(se)
		iso.mu.Lock()
		fatal := iso.errorsFatal
		iso.mu.Unlock()
		var le *LimitError
		if fatal || errors.As(se, &le) {
			iso.terminate(se, killSignal{})
		}
		return
	}
	if len(iso.errorLs) > 0 {
		payload := errorPayload(se)
		for _, p := range iso.errorLs {
			_ = p.Send(payload)
		}
	}
	iso.mu.Lock()
	fatal := iso.errorsFatal
	iso.mu.Unlock()
	// A child nobody watches would otherwise fail silently (Dart prints
	// "Unhandled exception" here). Root isolates are reported by their host.
	if len(iso.errorLs) == 0 && iso.result.Load() == nil && iso.cfg.parent != nil {
		iso.printUncaught(se)
	}
	if iso.remote != nil {
		return // the worker decides whether the error ends the isolate
	}
	var le *LimitError
	if fatal || errors.As(se, &le) {
		iso.terminate(se, killSignal{})
	} else if len(iso.errorLs) == 0 && iso.cfg.parent == nil {
		// Not fatal and nobody listens: say it on stderr rather than lose it.
		iso.printUncaught(se)
	}
}

// errorPayload is what error listeners receive: {name, message, stack} as
// in Dart, a limit's limit, max, seen and unit, and the thrown value itself
// as error.
func errorPayload(se *ScriptError) *Message {
	fields := map[string]any{"name": se.Name, "message": se.Message, "stack": se.Stack}
	var le *LimitError
	if errors.As(se.Cause, &le) && le.Limit != "" {
		for k, v := range le.Props() {
			fields[k] = v
		}
	}
	if se.Value != nil {
		fields["error"] = se.Value
	}
	m, err := MessageFromGo(fields)
	if err != nil {
		return nullMessage()
	}
	return m
}

func nullMessage() *Message {
	m, _ := MessageFromGo(nil)
	return m
}

// finish runs on the loop after the last task: it discards what is queued,
