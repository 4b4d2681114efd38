package engine

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/dop251/goja"
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
func (iso *Isolate) classify(err error) *ScriptError {
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
		return &ScriptError{Name: "RangeError", Message: "Maximum call stack size exceeded (maxStackDepth " + fmt.Sprint(lim.Max) + ")", Stack: so.String(), Cause: lim}
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
		return &ScriptError{Name: "InternalError", Message: fmt.Sprint(pe.Value), Stack: pe.Stack, Cause: pe}
	}
	return &ScriptError{Name: "Error", Message: err.Error(), Cause: err}
}

// notDefined matches goja's message for an unresolvable name.
var notDefined = regexp.MustCompile(`^\S+ is not defined$`)

// captureHint is added to a "X is not defined" ReferenceError of an isolate
// whose entry is a function from the spawner: the usual cause is a variable
// of the spawning scope, which the function's source cannot carry along.
const captureHint = " (isolate entry functions cannot capture variables from the spawning scope; pass them in the message)"

// errorFromValue reads name, message and stack from a thrown value. It runs
// while the task's watchdog is still armed, since getters may run.
func (iso *Isolate) errorFromValue(v goja.Value) (se *ScriptError) {
	se = &ScriptError{}
	defer func() {
		if x := recover(); x != nil {
			se = &ScriptError{Name: "Error", Message: "uncaught error (unreadable)"}
		}
	}()
	if v == nil {
		se.Message = "undefined"
		return se
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		se.Message = v.String()
		return se
	}
	if le, ok := obj.Export().(*LimitError); ok {
		return &ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
	}
	str := func(name string) string {
		var s string
		if ex := iso.vm.Try(func() {
			if p := obj.Get(name); p != nil && !goja.IsUndefined(p) && !goja.IsNull(p) {
				s = p.String()
			}
		}); ex != nil {
			return ""
		}
		return s
	}
	se.Name = str("name")
	se.Message = str("message")
	se.Stack = str("stack")
	if se.Name == "" && se.Message == "" {
		se.Message = v.String()
	}
	if iso.src.Kind == SourceFunction && se.Name == "ReferenceError" && notDefined.MatchString(se.Message) {
		// The stack's first line repeats name and message: keep them
		// equal, so that printing the stack shows the hint once too.
		head := se.Name + ": " + se.Message
		se.Message += captureHint
		if rest, ok := strings.CutPrefix(se.Stack, head); ok && (rest == "" || rest[0] == '\n') {
			se.Stack = head + captureHint + rest
		}
	}
	if le, ok := obj.Get("limit").(goja.Value); ok && se.Name == "ResourceLimitError" && le != nil {
		se.Cause = &LimitError{Limit: le.String()}
	}
	return se
}

// ReportError reports err as an uncaught error of the isolate: error
// listeners are told, and if errors are fatal the isolate dies. Loop only.
func (iso *Isolate) ReportError(err error) {
	if se := iso.classify(err); se != nil {
		iso.reportError(se)
	}
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
		fmt.Fprintf(iso.stderr, "Uncaught %s\n", se.Error())
	}
	if iso.remote != nil {
		return // the worker decides whether the error ends the isolate
	}
	var le *LimitError
	if fatal || errors.As(se, &le) {
		iso.terminate(se, killSignal{})
	} else if len(iso.errorLs) == 0 && iso.cfg.parent == nil {
		// Not fatal and nobody listens: say it on stderr rather than lose it.
		fmt.Fprintf(iso.stderr, "Uncaught %s\n", se.Error())
	}
}

func errorPayload(se *ScriptError) *Message {
	fields := map[string]any{"name": se.Name, "message": se.Message, "stack": se.Stack}
	var le *LimitError
	if errors.As(se.Cause, &le) && le.Limit != "" {
		fields["limit"] = le.Limit
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
