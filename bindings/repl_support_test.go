package bindings_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// newSession starts a REPL-style main isolate (kept alive by a hold, errors
// not fatal) and a Session on it. Cleanup shuts the host down and checks
// for leaked goroutines.
func newSession(t *testing.T) (*bindings.Session, *syncBuffer) {
	t.Helper()
	var out syncBuffer
	host := engine.NewHost(engine.WithStdout(&out), engine.WithStderr(&out),
		engine.WithSetup(bindings.Setup(bindings.Config{})))
	iso, err := host.Spawn(engine.ScriptSource("<repl>", ""), engine.WithName("main"), engine.WithErrorsAreFatal(false), engine.WithPaused(true))
	if err != nil {
		t.Fatal(err)
	}
	release := iso.Hold() // before the entry runs: hence paused
	iso.Resume(iso.PauseCapability())
	t.Cleanup(func() {
		release()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := host.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		goleak.VerifyNone(t, ignoreRegexpClock)
	})
	return bindings.NewSession(iso, bindings.REPLOptions{}), &out
}

func eval(t *testing.T, s *bindings.Session, code string) bindings.EvalResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := s.Eval(ctx, code)
	if err != nil {
		t.Fatalf("Eval(%q): %v", code, err)
	}
	return res
}

// show renders a result the way a test compares it.
func show(r bindings.EvalResult) string {
	if r.Err != nil {
		return strings.TrimSuffix(bindings.FormatError(r.Err), "\n")
	}
	return r.Text
}

func TestSessionEvalSequence(t *testing.T) {
	s, _ := newSession(t)
	steps := []struct{ in, want string }{
		{"1 + 1", "2"},
		{"_ * 10", "20"},
		{"let x = 5", "undefined"},
		{"x + 1", "6"},
		{"'s'", "'s'"},
		{"({a: [1, 2]})", "{ a: [ 1, 2 ] }"},
		// Top-level await: the last expression is the value.
		{"await Promise.resolve(41) + 1", "42"},
		{"(await 20) + (await 22)", "42"},
		{"await Isolate.run(x => x * 2, 21)", "42"},
		{"await 1; 'last'", "'last'"},
		{"await 0; let y", "undefined"},
		// Declarations in awaiting input become globals.
		{"const {p, q: [r]} = await Promise.resolve({p: 1, q: [2]}); var v = await 3, w", "undefined"},
		{"[p, r, v, w]", "[ 1, 2, 3, undefined ]"},
		{"function twice(n) { return n * 2 }; class K { k() { return 'k' } }; await 0", "0"},
		{"[twice(2), new K().k()]", "[ 4, 'k' ]"},
		// Errors, and `_error`.
		{"null.x", "Uncaught TypeError: Cannot read property 'x' of undefined\n    at REPL16:1:6"},
		{"_error.name", "'TypeError'"},
		{"await Promise.reject(new RangeError('nope'))", "Uncaught RangeError: nope\n    at REPL18:1:22"},
		{"const z = await 1; null.y", "Uncaught TypeError: Cannot read property 'y' of undefined\n    at REPL19:1:25"},
		{"await 0\nfunction f() {\n  throw new Error('deep')\n}\nf()", "Uncaught Error: deep\n    at f (REPL20:3:9)\n    at REPL20:5:2"},
		{"throw 'str'", "Uncaught 'str'\n    at REPL21:1:1"},
		{"let = ;", "Uncaught SyntaxError: Unexpected token ;\n    at REPL22:1:7"},
		{"await )", "Uncaught SyntaxError: Unexpected token )\n    at REPL23:1:7"},
		{"_", "'TypeError'"}, // errors leave `_` alone
	}
	for _, st := range steps {
		if got := show(eval(t, s, st.in)); got != st.want {
			t.Errorf("%q\n got: %q\nwant: %q", st.in, got, st.want)
		}
	}
}

func TestSessionLoopRunsBetweenInputs(t *testing.T) {
	s, out := newSession(t)
	eval(t, s, "globalThis.n = 0; setInterval(() => n++, 1)")
	// A later input sees the timer's work without any input running.
	res := eval(t, s, "await new Promise(r => { const id = setInterval(() => { if (n >= 5) { clearInterval(id); r(n >= 5) } }, 1) })")
	if show(res) != "true" {
		t.Errorf("got %q", show(res))
	}
	eval(t, s, "console.log('printed')")
	if !strings.Contains(out.String(), "printed\n") {
		t.Errorf("output %q", out.String())
	}
}

func TestSessionInterrupt(t *testing.T) {
	s, _ := newSession(t)
	// Interrupt a busy loop: the input fails, the isolate lives on.
	done := make(chan bindings.EvalResult, 1)
	go func() { done <- eval(t, s, "globalThis.started = true; while (true) {}") }()
	// Interrupt until the input ends: an interrupt that lands on a task
	// before the input's (the session's setup) is spent there, and the
	// loop would then run forever.
	var res bindings.EvalResult
	for waiting := true; waiting; {
		select {
		case res = <-done:
			waiting = false
		default:
			s.Isolate().InterruptTask()
			time.Sleep(time.Millisecond)
		}
	}
	if got := show(res); got != "Uncaught Error: Script execution interrupted" {
		t.Errorf("interrupted: %q", got)
	}
	if got := show(eval(t, s, "typeof started + (2 + 2)")); got != "'boolean4'" && got != "'undefined4'" {
		t.Errorf("after interrupt: %q", got)
	}
	// A cancelled context abandons an await that never settles.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Eval(ctx, "await new Promise(() => {})"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled await: %v", err)
	}
	if got := show(eval(t, s, "'alive'")); got != "'alive'" {
		t.Errorf("after cancel: %q", got)
	}
}

func TestSessionIsolateDies(t *testing.T) {
	s, _ := newSession(t)
	_, err := s.Eval(context.Background(), "Isolate.current.kill({priority: Isolate.immediate}); 1")
	if !errors.Is(err, engine.ErrKilled) {
		t.Errorf("eval in a killed isolate: %v, want ErrKilled", err)
	}
	if _, err := s.Eval(context.Background(), "1"); !errors.Is(err, engine.ErrKilled) {
		t.Errorf("eval after death: %v, want ErrKilled", err)
	}
}

func TestIncomplete(t *testing.T) {
	cases := map[string]bool{
		"":                           false,
		"1 + 1":                      false,
		"1 +":                        true,
		"function f() {":             true,
		"if (x) {\n  y()":            true,
		"foo(":                       true,
		"[1,\n2":                     true,
		"`abc":                       true,
		"/* open comment":            true,
		"'unterminated":              false, // more lines cannot fix it
		"}":                          false,
		"let x = ;":                  false,
		"await f(":                   true,
		"await Promise.resolve(1) +": true,
		"const a = await x; {":       true,
		"await x }":                  false,
		"await 1":                    false,
	}
	for code, want := range cases {
		if got := bindings.Incomplete(code); got != want {
			t.Errorf("Incomplete(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestSessionComplete(t *testing.T) {
	s, _ := newSession(t)
	eval(t, s, "const myConst = 1; var myVar = { alpha: 1, beta: { gamma: 2 } }")
	ctx := context.Background()
	cases := []struct {
		line      string
		start     int
		want      []string
		mustHave  string
		mustntAll bool
	}{
		{line: "Isolate.sp", start: 8, want: []string{"spawn", "spawnFile"}},
		{line: "myVar.", start: 6, mustHave: "alpha"},
		{line: "myVar.beta.g", start: 11, want: []string{"gamma"}},
		{line: "x = myV", start: 4, want: []string{"myVar"}},
		{line: "myCo", start: 0, want: []string{"myConst"}},
		{line: "Isol", start: 0, want: []string{"Isolate"}},
		{line: "retu", start: 0, want: []string{"return"}},
		{line: "nothing.here.", start: 13, want: nil},
		{line: "f().x", start: 4, want: nil},
	}
	for _, c := range cases {
		start, got := s.Complete(ctx, c.line)
		if start != c.start {
			t.Errorf("Complete(%q) start %d, want %d", c.line, start, c.start)
		}
		if c.mustHave != "" {
			if !contains(got, c.mustHave) {
				t.Errorf("Complete(%q) = %v, want it to include %q", c.line, got, c.mustHave)
			}
			continue
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("Complete(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFormatError(t *testing.T) {
	cases := []struct {
		se   *engine.ScriptError
		want string
	}{
		{&engine.ScriptError{Name: "TypeError", Message: "bad", Stack: "TypeError: bad\n\tat f (a.js:1:21(3))\n\tat a.js:2:2(7)\n"},
			"Uncaught TypeError: bad\n    at f (a.js:1:21)\n    at a.js:2:2\n"},
		{&engine.ScriptError{Message: "plain"}, "Uncaught plain\n"},
		{&engine.ScriptError{Name: "Error"}, "Uncaught Error\n"},
		{&engine.ScriptError{Name: "SyntaxError", Message: "SyntaxError: a.js: Line 2:9 Unexpected token ; (and 1 more errors)"},
			"Uncaught SyntaxError: Unexpected token ;\n    at a.js:2:9\n"},
		{&engine.ScriptError{Name: "SyntaxError", Message: "SyntaxError: Illegal return statement at b.js:3:1"},
			"Uncaught SyntaxError: Illegal return statement\n    at b.js:3:1\n"},
	}
	for _, c := range cases {
		if got := bindings.FormatError(c.se); got != c.want {
			t.Errorf("FormatError(%+v)\n got %q\nwant %q", c.se, got, c.want)
		}
	}
	se := &engine.ScriptError{Name: "SyntaxError", Message: "SyntaxError: dir/a.js: Line 2:9 Unexpected token ;"}
	if got, want := bindings.FormatSyntaxError(se), "dir/a.js:2:9: SyntaxError: Unexpected token ;"; got != want {
		t.Errorf("FormatSyntaxError = %q, want %q", got, want)
	}
	if got, want := bindings.FormatSyntaxError(&engine.ScriptError{Name: "Error", Message: "x"}), "Error: x"; got != want {
		t.Errorf("FormatSyntaxError(non-syntax) = %q, want %q", got, want)
	}
}
