package bindings

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/isobox/isobox/bindings/inspect"
	"github.com/isobox/isobox/engine"
	"github.com/isobox/isobox/engine/guard"
)

// This file is the REPL's evaluation API: a Session evaluates inputs in a
// long-lived isolate (with top-level await and `_`), tells whether an input
// is incomplete, and lists completions. The repl package is a thin loop
// over it. Only new functions live here; it uses the bindings' existing
// API.

// REPLOptions configures a Session.
type REPLOptions struct {
	// Colors prints results with ANSI colors.
	Colors bool
	// Filename names inputs in stack traces: "REPL" gives REPL1, REPL2...
	// Empty means "REPL".
	Filename string
}

// Session evaluates REPL inputs in one isolate, Node-REPL style: each input
// runs as a task on the isolate's loop, so its timers and ports keep
// running between inputs. It is safe for use by one goroutine at a time
// (the REPL's); the isolate's loop does the evaluating.
type Session struct {
	iso  *engine.Isolate
	opts REPLOptions

	mu       sync.Mutex
	n        int                 // inputs evaluated, for file names
	lexicals map[string]struct{} // top-level let/const/class names, for completion
}

// NewSession returns a session that evaluates in iso. Any goroutine.
func NewSession(iso *engine.Isolate, opts REPLOptions) *Session {
	if opts.Filename == "" {
		opts.Filename = "REPL"
	}
	return &Session{iso: iso, opts: opts, lexicals: make(map[string]struct{})}
}

// Isolate returns the isolate the session evaluates in. Any goroutine.
func (s *Session) Isolate() *engine.Isolate { return s.iso }

// EvalResult is the outcome of one input.
type EvalResult struct {
	// Text is the value inspected like Node's util.inspect (colored when
	// REPLOptions.Colors is set). It is "undefined" for undefined.
	Text string
	// Undefined reports that the value was undefined: Node's REPL prints
	// it dim, and a non-interactive REPL may skip it.
	Undefined bool
	// Err is the error the input threw, or the rejection of an awaited
	// promise. Text is empty then.
	Err *engine.ScriptError
}

// Eval evaluates code in the session's isolate and waits for the result.
// If code uses await at the top level it runs inside an async function
// whose last expression is the result, and Eval waits for it to settle
// while the isolate's loop goes on. On success the global `_` holds the
// value (and `_error` the last error). Any goroutine except the isolate's
// own loop.
//
// Eval returns ctx.Err() when ctx is done first (the input may still run to
// its end), and an error wrapping engine.ErrKilled when the isolate dies
// before the result is in.
func (s *Session) Eval(ctx context.Context, code string) (EvalResult, error) {
	s.mu.Lock()
	s.n++
	name := fmt.Sprintf("%s%d", s.opts.Filename, s.n)
	s.mu.Unlock()
	return s.EvalFile(ctx, name, code)
}

// EvalFile is Eval with an explicit file name for stack traces (the REPL's
// .load uses the file's path). Any goroutine except the isolate's loop.
func (s *Session) EvalFile(ctx context.Context, filename, code string) (EvalResult, error) {
	in, perr := prepareInput(filename, code)
	if perr != nil {
		return EvalResult{Err: perr}, nil
	}
	s.mu.Lock()
	for _, n := range in.lexicals {
		s.lexicals[n] = struct{}{}
	}
	s.mu.Unlock()

	done := make(chan EvalResult, 1)
	var once sync.Once
	release := s.iso.Hold() // a pending top-level await keeps the isolate alive
	finish := func(r EvalResult) {
		once.Do(func() {
			done <- r
			release()
		})
	}
	posted := s.iso.Post(func() error { return s.run(in, finish) })
	if !posted {
		release()
		return EvalResult{}, fmt.Errorf("repl: %w", engine.ErrKilled)
	}
	select {
	case r := <-done:
		return r, nil
	case <-ctx.Done():
		// The task may still be running or awaiting; its result is dropped
		// and it no longer keeps the isolate alive.
		release()
		return EvalResult{}, ctx.Err()
	case <-s.iso.Done():
		release()
		err := s.iso.Err()
		if err == nil {
			err = engine.ErrKilled
		}
		return EvalResult{}, fmt.Errorf("repl: isolate ended: %w", err)
	}
}

// LoadModule runs the file at path as an ES module in the session's
// isolate (the REPL's .load of a .mjs, .ts or module .js file) and waits
// until it has run, top-level await included; the result is its namespace.
// A .js file that is a classic script returns an error wrapping
// engine.ErrNotModule (EvalFile it instead). Any goroutine except the
// isolate's loop.
func (s *Session) LoadModule(ctx context.Context, path string) (EvalResult, error) {
	done := make(chan EvalResult, 1)
	errc := make(chan error, 1)
	var once sync.Once
	release := s.iso.Hold()
	finish := func(r EvalResult) {
		once.Do(func() {
			done <- r
			release()
		})
	}
	posted := s.iso.Post(func() error {
		vm := s.iso.Runtime()
		p, err := s.iso.ImportFile(path)
		if err != nil {
			var se *engine.ScriptError
			var ie *goja.InterruptedError
			if errors.As(err, &ie) {
				return err // killed, exit() or a limit: the isolate is ending
			}
			if errors.As(err, &se) {
				finish(EvalResult{Err: se})
				return nil
			}
			errc <- err
			release()
			return nil
		}
		s.iso.EnsurePromise() // an async function (engine.Isolate.NewPromise)
		f, err := vm.RunProgram(awaitValueProg)
		if err != nil {
			finish(EvalResult{Err: scriptError(vm, err)})
			return nil
		}
		call, _ := goja.AssertFunction(f)
		ok := newNative(vm, "REPL", func(c goja.FunctionCall) goja.Value {
			finish(s.result(vm, c.Argument(0)))
			return goja.Undefined()
		})
		rej := newNative(vm, "REPL", func(c goja.FunctionCall) goja.Value {
			reason := c.Argument(0)
			_ = vm.GlobalObject().Set("_error", reason)
			finish(EvalResult{Err: errorValue(vm, reason)})
			return goja.Undefined()
		})
		if _, err := call(goja.Undefined(), p, ok, rej); err != nil {
			finish(EvalResult{Err: scriptError(vm, err)})
		}
		return nil
	})
	if !posted {
		release()
		return EvalResult{}, fmt.Errorf("repl: %w", engine.ErrKilled)
	}
	select {
	case r := <-done:
		return r, nil
	case err := <-errc:
		return EvalResult{}, err
	case <-ctx.Done():
		release()
		return EvalResult{}, ctx.Err()
	case <-s.iso.Done():
		release()
		err := s.iso.Err()
		if err == nil {
			err = engine.ErrKilled
		}
		return EvalResult{}, fmt.Errorf("repl: isolate ended: %w", err)
	}
}

// run evaluates a prepared input and calls finish with the result, now or
// when an awaited promise settles. It returns only the errors that are the
// engine's business: a kill, an exit or a resource limit stopped the input,
// and the isolate is ending. Loop only.
func (s *Session) run(in *input, finish func(EvalResult)) error {
	vm := s.iso.Runtime()
	fail := func(err error) {
		se := scriptError(vm, err)
		var ex *goja.Exception
		if errors.As(err, &ex) {
			_ = vm.GlobalObject().Set("_error", ex.Value())
		}
		finish(EvalResult{Err: in.fixStack(se)})
	}
	err := s.iso.Prepare(in.prog)
	var v goja.Value
	if err == nil {
		v, err = vm.RunProgram(in.prog)
	}
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			if e, ok := ie.Value().(error); !ok || !errors.Is(e, engine.ErrInterrupted) {
				// Killed, exit() or a limit: the isolate is going away and
				// Eval sees it die. The engine classifies the reason.
				return err
			}
		}
		fail(err)
		return nil
	}
	if !in.async {
		finish(s.result(vm, v))
		return nil
	}
	// The input's async function returned a promise: settle with it, with
	// the VM's own await so that a replaced Promise.prototype.then cannot
	// interfere.
	s.iso.EnsurePromise() // an async function (engine.Isolate.NewPromise)
	f, err := vm.RunProgram(awaitValueProg)
	if err != nil {
		fail(err)
		return nil
	}
	call, _ := goja.AssertFunction(f)
	ok := newNative(vm, "REPL", func(c goja.FunctionCall) goja.Value {
		finish(s.result(vm, c.Argument(0)))
		return goja.Undefined()
	})
	rej := newNative(vm, "REPL", func(c goja.FunctionCall) goja.Value {
		reason := c.Argument(0)
		_ = vm.GlobalObject().Set("_error", reason)
		finish(EvalResult{Err: in.fixStack(errorValue(vm, reason))})
		return goja.Undefined()
	})
	if _, err := call(goja.Undefined(), v, ok, rej); err != nil {
		fail(err)
	}
	return nil
}

// result inspects v and stores it in `_`. Loop only.
func (s *Session) result(vm *goja.Runtime, v goja.Value) EvalResult {
	if v == nil || goja.IsUndefined(v) {
		return EvalResult{Text: "undefined", Undefined: true}
	}
	_ = vm.GlobalObject().Set("_", v)
	return EvalResult{Text: inspect.Inspect(vm, v, inspect.Options{Colors: s.opts.Colors})}
}

var awaitValueProg = goja.MustCompile("<repl-await>", `(function(p, ok, fail){ (async function(){ var v; try { v = await p } catch (e) { fail(e); return } ok(v) })() })`, false)

// input is one REPL input, parsed and ready to run.
type input struct {
	filename string
	prog     *goja.Program
	code     string    // what the user typed
	run      string    // the async rewrite that runs (async only)
	edits    []srcEdit // how run was made from the wrapped code, by offset
	async    bool      // prog evaluates to a promise of the result
	lexicals []string  // top-level lexical names it declares
}

// Async wrapping: an input with top-level await runs as the body of an
// async arrow function. The prefix ends in a newline, so columns are
// unchanged and lines shift by one.
const (
	asyncPrefix = "(async () => {\n"
	asyncSuffix = "\n})()"
)

// errEndOfInput is the parser's message for input that stops too early.
const errEndOfInput = "Unexpected end of input"

// Incomplete reports whether code is an unfinished statement that more
// lines could complete (an open brace, bracket, template or argument list),
// which is when a REPL shows its continuation prompt. Code that is
// complete, or wrong in a way more input cannot fix, is not incomplete.
// Any goroutine.
func Incomplete(code string) bool {
	if strings.TrimSpace(code) == "" || guard.CheckNesting(code, 0) != nil {
		return false
	}
	_, err := guard.ParseFile("", code)
	if err == nil {
		return false
	}
	if first := firstError(err); first != nil && first.Message == errEndOfInput {
		return true
	}
	if !strings.Contains(code, "await") {
		return false
	}
	_, err = guard.ParseFile("", asyncPrefix+code+asyncSuffix)
	if err == nil {
		return false
	}
	first := firstError(err)
	if first == nil {
		return false
	}
	// An error in the suffix means the code ran out before it was done,
	// unless the code closed the wrapper's body itself ("await x }").
	userLines := strings.Count(code, "\n") + 1
	if first.Message != errEndOfInput && first.Position.Line <= userLines+1 {
		return false
	}
	_, err = guard.ParseFile("", asyncPrefix+code+"\n)()")
	return err != nil
}

func firstError(err error) *parser.Error {
	var el parser.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		return el[0]
	}
	var e *parser.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// prepareInput parses and compiles code, wrapping it in an async function
// when it awaits at the top level.
func prepareInput(filename, code string) (*input, *engine.ScriptError) {
	if err := guard.CheckNesting(code, 0); err != nil {
		return nil, &engine.ScriptError{Name: "SyntaxError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	// import() calls are masked for the parse (the compile, through
	// RewriteOps, routes them to the loader).
	prg, err := guard.ParseFile(filename, guard.MaskImports(code))
	if err == nil {
		if berr := guard.CheckProgram(prg); berr != nil {
			return nil, &engine.ScriptError{Name: "RangeError", Message: strings.TrimPrefix(berr.Error(), "guard: "), Cause: berr}
		}
		lexicals := lexicalNames(prg.Body)
		// The BigInt operators on run-time values go through the guards'
		// op helper: a rewritten input is parsed again.
		if out, rerr := guard.RewriteOps(code); rerr != nil {
			return nil, &engine.ScriptError{Name: "SyntaxError", Message: strings.TrimPrefix(rerr.Error(), "guard: "), Cause: rerr}
		} else if out != code || strings.Contains(code, "import") {
			if prg, err = guard.ParseFile(filename, out); err != nil {
				return nil, syntaxErr(err)
			}
		}
		prog, cerr := goja.CompileAST(prg, false)
		if cerr != nil {
			return nil, syntaxErr(cerr)
		}
		return &input{filename: filename, prog: prog, lexicals: lexicals}, nil
	}
	if strings.Contains(code, "await") {
		if in := prepareAsync(filename, code); in != nil {
			return in, nil
		}
	}
	return nil, syntaxErr(err)
}

func syntaxErr(err error) *engine.ScriptError {
	msg := err.Error()
	if first := firstError(err); first != nil {
		msg = fmt.Sprintf("%s: Line %d:%d %s", first.Position.Filename, first.Position.Line, first.Position.Column, first.Message)
	}
	return &engine.ScriptError{Name: "SyntaxError", Message: msg, Cause: err}
}

// prepareAsync rewrites code with top-level await into an async arrow
// function called at once, or returns nil if that does not parse either.
// The rewrite, done on the source text:
//   - the last statement, if it is an expression, is returned;
//   - top-level var/let/const become assignments, so the names become
//     globals that later inputs see (as in Node's REPL);
//   - top-level classes become global assignments, and top-level
//     functions are also stored on the global object.
func prepareAsync(filename, code string) *input {
	src := asyncPrefix + code + asyncSuffix
	prg, err := guard.ParseFile(filename, guard.MaskImports(src))
	if err != nil || len(prg.Body) != 1 {
		return nil
	}
	es, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil
	}
	call, ok := es.Expression.(*ast.CallExpression)
	if !ok {
		return nil
	}
	arrow, ok := call.Callee.(*ast.ArrowFunctionLiteral)
	if !ok {
		return nil
	}
	body, ok := arrow.Body.(*ast.BlockStatement)
	if !ok {
		return nil
	}
	var edits []srcEdit
	for i, st := range body.List {
		switch st := st.(type) {
		case *ast.ExpressionStatement:
			if i == len(body.List)-1 {
				edits = append(edits, srcEdit{at: exprStart(src, int(st.Expression.Idx0())-1), text: "return "})
			}
		case *ast.VariableStatement:
			edits = append(edits, declEdits(int(st.Var)-1, len("var"), st.List)...)
		case *ast.LexicalDeclaration:
			edits = append(edits, declEdits(int(st.Idx)-1, len(st.Token.String()), st.List)...)
		case *ast.ClassDeclaration:
			if st.Class.Name != nil {
				edits = append(edits, srcEdit{at: int(st.Class.Class) - 1, text: ";" + st.Class.Name.Name.String() + " = "})
			}
		case *ast.FunctionDeclaration:
			if st.Function.Name != nil {
				n := st.Function.Name.Name.String()
				edits = append(edits, srcEdit{at: len(asyncPrefix), text: "globalThis." + n + " = " + n + ";"})
			}
		}
	}
	if guard.CheckProgram(prg) != nil {
		return nil // the same constants as the plain parse: refused there
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].at < edits[j].at })
	out := src
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		out = out[:e.at] + e.text + out[e.at+e.del:]
	}
	prog, err := compileGuarded(filename, out)
	if err != nil {
		// The rewrite went wrong somewhere; run the plain wrapper, whose
		// value is undefined, rather than fail.
		if prog, err = compileGuarded(filename, src); err != nil {
			return nil
		}
		out, edits = src, nil
	}
	return &input{filename: filename, prog: prog, async: true, code: code, run: out, edits: edits}
}

// fixStack maps the positions in an async input's stack from the
// rewritten source back to what the user typed, and drops the frames of
// the wrapper itself.
func (in *input) fixStack(se *engine.ScriptError) *engine.ScriptError {
	if !in.async || se == nil || se.Stack == "" {
		return se
	}
	pat := regexp.MustCompile(regexp.QuoteMeta(in.filename) + `:(\d+):(\d+)`)
	var out []string
	for _, line := range strings.Split(se.Stack, "\n") {
		drop := false
		line = pat.ReplaceAllStringFunc(line, func(m string) string {
			sub := pat.FindStringSubmatch(m)
			l, _ := strconv.Atoi(sub[1])
			c, _ := strconv.Atoi(sub[2])
			l, c, ok := in.userPos(l, c)
			if !ok {
				drop = true
			}
			return fmt.Sprintf("%s:%d:%d", in.filename, l, c)
		})
		if !drop {
			out = append(out, line)
		}
	}
	c := *se
	c.Stack = strings.Join(out, "\n")
	return &c
}

// userPos maps a 1-based line and column of the rewritten source to the
// user's code. ok is false for a position in the wrapper.
func (in *input) userPos(line, col int) (int, int, bool) {
	// Line and column to an offset in the rewritten source.
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(in.run[off:], '\n')
		if i < 0 {
			return line, col, false
		}
		off += i + 1
	}
	off += col - 1
	// Undo the edits, in source order.
	orig, delta := -1, 0
	for _, e := range in.edits {
		start := e.at + delta // where the edit's text begins in run
		if off < start {
			break
		}
		if off < start+len(e.text) {
			orig = e.at // inside inserted text: blame the edit's place
			break
		}
		delta += len(e.text) - e.del
	}
	if orig < 0 {
		orig = off - delta
	}
	orig -= len(asyncPrefix)
	if orig < 0 || orig > len(in.code) {
		return line, col, false
	}
	// Offset to line and column in the user's code.
	before := in.code[:orig]
	l := strings.Count(before, "\n") + 1
	c := orig - (strings.LastIndexByte(before, '\n') + 1) + 1
	return l, c, true
}

// srcEdit replaces del bytes at offset at with text.
type srcEdit struct {
	at, del int
	text    string
}

// exprStart moves a statement's start back over the opening parentheses
// that goja's AST leaves out: in "(a) + b" the expression starts at "(",
// not at "a". Only "(" and spaces can stand there, since a statement
// cannot end in "(".
func exprStart(src string, at int) int {
	i := at
	for i > 0 {
		c := src[i-1]
		if c == '(' {
			at = i - 1
		} else if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
		i--
	}
	return at
}

// declEdits turns "let a = 1, {b} = c, d" into ";0, a = 1, {b} = c, d = undefined".
func declEdits(kw, kwLen int, list []*ast.Binding) []srcEdit {
	out := []srcEdit{{at: kw, del: kwLen, text: ";0,"}}
	for _, b := range list {
		if b.Initializer == nil {
			if id, ok := b.Target.(*ast.Identifier); ok {
				out = append(out, srcEdit{at: int(id.Idx1()) - 1, text: " = undefined"})
			}
		}
	}
	return out
}

// lexicalNames lists the names declared by top-level let, const and class.
func lexicalNames(body []ast.Statement) []string {
	var names []string
	var target func(t ast.Node)
	target = func(t ast.Node) {
		switch t := t.(type) {
		case *ast.Identifier:
			names = append(names, t.Name.String())
		case *ast.ObjectPattern:
			for _, p := range t.Properties {
				switch p := p.(type) {
				case *ast.PropertyShort:
					names = append(names, p.Name.Name.String())
				case *ast.PropertyKeyed:
					target(p.Value)
				}
			}
			if t.Rest != nil {
				target(t.Rest)
			}
		case *ast.ArrayPattern:
			for _, e := range t.Elements {
				if e != nil {
					target(e)
				}
			}
			if t.Rest != nil {
				target(t.Rest)
			}
		case *ast.AssignExpression:
			target(t.Left)
		}
	}
	for _, st := range body {
		switch st := st.(type) {
		case *ast.LexicalDeclaration:
			for _, b := range st.List {
				target(b.Target)
			}
		case *ast.ClassDeclaration:
			if st.Class.Name != nil {
				names = append(names, st.Class.Name.Name.String())
			}
		}
	}
	return names
}

// completable matches the dotted name being typed at the end of a line:
// "Isolate.sp" gives object path "Isolate" and prefix "sp".
var completable = regexp.MustCompile(`((?:[A-Za-z_$][\w$]*\.)*)([A-Za-z_$][\w$]*)?$`)

// jsKeywords are offered with the globals.
var jsKeywords = []string{
	"async", "await", "break", "case", "catch", "class", "const", "continue",
	"debugger", "default", "delete", "do", "else", "export", "extends", "false",
	"finally", "for", "function", "if", "import", "in", "instanceof", "let", "new",
	"null", "return", "super", "switch", "this", "throw", "true", "try", "typeof",
	"undefined", "var", "void", "while", "with", "yield",
}

// Complete returns completions for the end of line (the text before the
// cursor): global names and keywords, or, after a dot, the properties of
// the object the dotted path names (own and inherited, like Node's REPL).
// start is where the completed word begins in line, so a candidate
// replaces line[start:]. Candidates are sorted. Reading the path may run
// getters but never calls a function. It gives up when ctx is done (a busy
// isolate). Any goroutine except the isolate's loop.
func (s *Session) Complete(ctx context.Context, line string) (start int, candidates []string) {
	m := completable.FindStringSubmatchIndex(line)
	if m == nil {
		return len(line), nil
	}
	path := line[m[2]:m[3]]
	prefix := ""
	if m[4] >= 0 {
		prefix = line[m[4]:m[5]]
	}
	start = len(line) - len(prefix)
	if path == "" && m[2] > 0 && line[m[2]-1] == '.' {
		return start, nil // "foo().x": not a plain path
	}
	type res struct{ names []string }
	ch := make(chan res, 1)
	s.mu.Lock()
	var lex []string
	if path == "" {
		for n := range s.lexicals {
			lex = append(lex, n)
		}
	}
	s.mu.Unlock()
	if !s.iso.Post(func() error {
		var names []string
		vm := s.iso.Runtime()
		_ = vm.Try(func() { names = propertyNames(vm, strings.TrimSuffix(path, ".")) })
		ch <- res{names}
		return nil
	}) {
		return start, nil
	}
	var names []string
	select {
	case r := <-ch:
		names = r.names
	case <-ctx.Done():
		return start, nil
	case <-s.iso.Done():
		return start, nil
	}
	if path == "" {
		names = append(names, lex...)
		names = append(names, jsKeywords...)
	}
	seen := make(map[string]bool)
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !seen[n] && isIdentifier(n) {
			seen[n] = true
			candidates = append(candidates, n)
		}
	}
	sort.Strings(candidates)
	return start, candidates
}

// propertyNames lists the property names of the object at a dotted path
// from the global object, through its prototype chain. Loop only.
func propertyNames(vm *goja.Runtime, path string) []string {
	obj := vm.GlobalObject()
	if path != "" {
		for _, part := range strings.Split(path, ".") {
			v := obj.Get(part)
			if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
				return nil
			}
			obj = v.ToObject(vm)
		}
	}
	var names []string
	for o, depth := obj, 0; o != nil && depth < 32; o, depth = o.Prototype(), depth+1 {
		names = append(names, o.GetOwnPropertyNames()...)
		if path == "" {
			break // the global object's prototype is Object.prototype: noise
		}
	}
	return names
}

var identRe = regexp.MustCompile(`^[A-Za-z_$][\w$]*$`)

func isIdentifier(s string) bool { return identRe.MatchString(s) }

// compileGuarded compiles text with its BigInt operators routed through
// the guards' op helper (guard.RewriteOps).
func compileGuarded(filename, text string) (*goja.Program, error) {
	out, err := guard.RewriteOps(text)
	if err != nil {
		return nil, err
	}
	return guard.Compile(filename, out, false)
}
