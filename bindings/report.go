package bindings

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/bindings/inspect"
	"github.com/isobox/isobox/engine"
)

// This file renders uncaught errors and syntax errors for people: the CLI
// and the REPL print them with FormatError and FormatSyntaxError. It only
// adds functions; it uses no bindings state.

// pcSuffix matches goja's program-counter suffix in a stack frame:
// "file.js:3:5(12)" becomes "file.js:3:5".
var pcSuffix = regexp.MustCompile(`(:\d+:\d+)\(\d+\)`)

// parserPos matches goja's parser position: "file.js: Line 3:5 message".
var parserPos = regexp.MustCompile(`^(.*?): Line (\d+):(\d+) (.*)$`)

// compilerPos matches goja's compiler position: "message at file.js:3:5".
var compilerPos = regexp.MustCompile(`^(.*) at (.+):(\d+):(\d+)$`)

// moreErrors matches the parser's " (and 2 more errors)" tail.
var moreErrors = regexp.MustCompile(` \(and \d+ more errors?\)$`)

// StackFrames returns the frames of a JS stack trace, one per line, each
// without its leading "at " and with goja's program-counter suffix removed,
// so that every frame ends in file:line:column. Lines that are not frames
// (the "Name: message" header) are skipped, and so are the frames of a
// class's constructor wrapper (ctor.go: the wrapper and its native).
func StackFrames(stack string) []string {
	var out []string
	for _, line := range strings.Split(stack, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "at ") {
			continue
		}
		f := pcSuffix.ReplaceAllString(strings.TrimPrefix(line, "at "), "$1")
		if strings.HasPrefix(f, ctorFile+":") {
			if n := len(out); n > 0 && out[n-1] == "construct (native)" {
				out = out[:n-1]
			}
			continue
		}
		out = append(out, f)
	}
	return out
}

// FormatError renders an uncaught error the way the CLI and the REPL print
// it, like Node: a first line "Uncaught Name: message", then one line
// "    at frame" per stack frame. A syntax error is rendered with its
// position on the first line instead. The result ends in a newline.
func FormatError(se *engine.ScriptError) string {
	if se == nil {
		return ""
	}
	if se.Name == "SyntaxError" {
		if pos, msg, ok := syntaxPos(se); ok {
			return "Uncaught SyntaxError: " + msg + "\n    at " + pos + "\n"
		}
	}
	var b strings.Builder
	b.WriteString("Uncaught ")
	switch {
	case se.Name == "":
		b.WriteString(se.Message)
	case se.Message == "":
		b.WriteString(se.Name)
	default:
		b.WriteString(se.Name + ": " + se.Message)
	}
	b.WriteByte('\n')
	for _, line := range stackLines(StackFrames(se.Stack)) {
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}

// Printed stacks stay readable when the stack is deep (a stack overflow
// has maxStackDepth frames, 10000 by default): a run of more than
// repeatFold identical frames prints as the frame and a count, and past
// maxFrameLines lines the middle is left out, as a count.
const (
	repeatFold    = 3
	maxFrameLines = 40
	keepHead      = 30
	keepTail      = 9
)

// stackLines turns frames into the lines FormatError prints (without
// their indentation).
func stackLines(frames []string) []string {
	var lines []string
	for i := 0; i < len(frames); {
		j := i + 1
		for j < len(frames) && frames[j] == frames[i] {
			j++
		}
		if n := j - i; n > repeatFold {
			lines = append(lines, "at "+frames[i], fmt.Sprintf("... the frame above %d more times", n-1))
		} else {
			for k := i; k < j; k++ {
				lines = append(lines, "at "+frames[k])
			}
		}
		i = j
	}
	if len(lines) > maxFrameLines {
		omitted := len(lines) - keepHead - keepTail
		tail := lines[len(lines)-keepTail:]
		lines = append(lines[:keepHead:keepHead], fmt.Sprintf("... %d more frames", omitted))
		lines = append(lines, tail...)
	}
	return lines
}

// FormatSyntaxError renders a syntax error as one line,
// "file:line:column: SyntaxError: message", without a trailing newline.
// For an error that is not a syntax error it returns FormatError's first
// line without "Uncaught ".
func FormatSyntaxError(se *engine.ScriptError) string {
	if se == nil {
		return ""
	}
	if pos, msg, ok := syntaxPos(se); ok {
		return pos + ": SyntaxError: " + msg
	}
	first, _, _ := strings.Cut(FormatError(se), "\n")
	return strings.TrimPrefix(first, "Uncaught ")
}

// syntaxPos parses goja's syntax error texts, with or without a
// "SyntaxError: " prefix, into "file:line:column" and the message:
//
//	file.js: Line 3:5 Unexpected token ; (and 1 more errors)
//	Illegal return statement at file.js:3:5
func syntaxPos(se *engine.ScriptError) (pos, msg string, ok bool) {
	msg = strings.TrimPrefix(strings.TrimSpace(se.Message), "SyntaxError: ")
	msg = moreErrors.ReplaceAllString(msg, "")
	if m := parserPos.FindStringSubmatch(msg); m != nil {
		return m[1] + ":" + m[2] + ":" + m[3], m[4], true
	}
	if m := compilerPos.FindStringSubmatch(msg); m != nil {
		return m[2] + ":" + m[3] + ":" + m[4], m[1], true
	}
	if frames := StackFrames(se.Stack); len(frames) > 0 {
		return frames[0], msg, true
	}
	return "", msg, false
}

// formatUncaught renders an uncaught error for the isolate's stderr, as
// FormatError does, except that a thrown value that is not an error is
// shown inspected, as Node shows it: "Uncaught 'Oh no!'". Loop only (it
// materializes the thrown value in the isolate).
func (e *env) formatUncaught(se *engine.ScriptError) string {
	if se.Name != "" || se.Value == nil || e.vm == nil {
		return FormatError(se)
	}
	v, err := e.iso.Value(se.Value)
	if err != nil {
		return FormatError(se)
	}
	shown := *se
	shown.Message = inspect.Inspect(e.vm, v, inspect.Options{})
	return FormatError(&shown)
}

// scriptError converts what running JS returned into the error a person
// sees. It runs on the loop of the isolate that owns vm, since reading an
// error's properties may run getters.
func scriptError(vm *goja.Runtime, err error) *engine.ScriptError {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if e, ok := ie.Value().(error); ok && errors.Is(e, engine.ErrInterrupted) {
			return &engine.ScriptError{Name: "Error", Message: "Script execution interrupted", Cause: engine.ErrInterrupted}
		}
		if le, ok := ie.Value().(*engine.LimitError); ok {
			return &engine.ScriptError{Name: "ResourceLimitError", Message: le.Message(), Cause: le}
		}
		return &engine.ScriptError{Name: "Error", Message: "isolate stopped", Cause: engine.ErrKilled}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return &engine.ScriptError{Name: "RangeError", Message: "Maximum call stack size exceeded", Stack: so.String(), Cause: err}
	}
	var ce *goja.CompilerSyntaxError
	if errors.As(err, &ce) {
		return &engine.ScriptError{Name: "SyntaxError", Message: engine.SyntaxMessage(ce), Cause: err}
	}
	var se *engine.ScriptError
	if errors.As(err, &se) {
		return se
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		out := errorValue(vm, ex.Value())
		if out.Stack == "" {
			out.Stack = ex.String()
		}
		return out
	}
	return &engine.ScriptError{Name: "Error", Message: strings.TrimPrefix(err.Error(), "engine: "), Cause: err}
}

// errorValue reads name, message and stack from a thrown or rejected value.
// Loop only.
func errorValue(vm *goja.Runtime, v goja.Value) (se *engine.ScriptError) {
	se = &engine.ScriptError{}
	defer func() {
		if x := recover(); x != nil {
			se = &engine.ScriptError{Name: "Error", Message: "uncaught error (unreadable)"}
		}
	}()
	if v == nil || goja.IsUndefined(v) {
		se.Message = "undefined"
		return se
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		se.Message = inspect.Inspect(vm, v, inspect.Options{})
		return se
	}
	str := func(name string) string {
		var s string
		if ex := vm.Try(func() {
			if p := obj.Get(name); p != nil && !goja.IsUndefined(p) && !goja.IsNull(p) {
				s = p.String()
			}
		}); ex != nil {
			return ""
		}
		return s
	}
	se.Name, se.Message, se.Stack = str("name"), str("message"), str("stack")
	if se.Name == "" && se.Message == "" && se.Stack == "" {
		se.Message = inspect.Inspect(vm, v, inspect.Options{})
	}
	return se
}
