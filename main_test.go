package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The tests in this package build the isobox binary once and run it as a
// user would: they check exit codes, stdout and stderr.

var update = flag.Bool("update", false, "rewrite the scripts/*.out golden files")

// binary is the isobox binary built by TestMain.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "isobox-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "isobox")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	args := []string{"build", "-buildvcs=false", "-o", binary}
	if raceEnabled {
		args = append(args, "-race") // the binary's goroutines get checked too
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building isobox:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one finished run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// isobox runs the binary with stdin and args and waits for it (at most a
// minute: a hang is a failure, not a stuck test run).
func isobox(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = testEnv(t)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("isobox %q: %v", args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("isobox %q did not finish; stdout:\n%s\nstderr:\n%s", args, res.stdout, res.stderr)
	}
	if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic:") || strings.Contains(res.stderr, "DATA RACE") {
		t.Errorf("isobox %q: Go stack trace or race report on stderr:\n%s", args, res.stderr)
	}
	return res
}

// testEnv is the environment for the binary: no colors, and a home of its
// own so the REPL history never touches the real one.
func testEnv(t *testing.T) []string {
	home := t.TempDir()
	env := []string{"NO_COLOR=1", "HOME=" + home, "ISOBOX_HISTORY=" + filepath.Join(home, "history"),
		// A -race binary otherwise sleeps a second before it exits.
		"GORACE=atexit_sleep_ms=0 " + os.Getenv("GORACE")}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "NO_COLOR", "ISOBOX_HISTORY", "TERM", "GORACE":
		default:
			env = append(env, kv)
		}
	}
	return env
}

// writeScript writes a script into a temporary directory and returns its
// path.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunExitCodesAndOutput(t *testing.T) {
	t.Parallel()
	errScript := writeScript(t, "err.js", "function f() {\n  throw new TypeError(\"bad thing\");\n}\nf();\n")
	syntaxScript := writeScript(t, "syntax.js", "let ok = 1;\nlet x = ;\n")
	argsScript := writeScript(t, "args.js", "console.log(args.join(','));\n")
	exitScript := writeScript(t, "exit.js", "console.log('before');\nsetTimeout(() => { exit(3); console.log('never'); }, 10);\n")
	dir := t.TempDir()

	cases := []struct {
		name       string
		stdin      string
		args       []string
		code       int
		stdout     string         // exact, unless nil check below
		stderr     string         // exact
		stderrLike *regexp.Regexp // used instead of stderr when set
	}{
		{name: "normal exit", args: []string{"-e", `console.log("ok", 1 + 1)`}, stdout: "ok 2\n"},
		{name: "file with args", args: []string{argsScript, "a", "b c"}, stdout: "a,b c\n"},
		{name: "run subcommand", args: []string{"run", argsScript, "x"}, stdout: "x\n"},
		{name: "-e with args", args: []string{"-e", "console.log(args)", "1", "2"}, stdout: "[ '1', '2' ]\n"},
		{name: "script from stdin", stdin: "console.log('from stdin')", args: []string{"-"}, stdout: "from stdin\n"},
		{name: "no args, stdin not a terminal", stdin: "console.log(typeof args)", stdout: "object\n"},
		{name: "exit(n)", args: []string{exitScript}, code: 3, stdout: "before\n"},
		{name: "exit() is 0", args: []string{"-e", "exit(); console.log('never')"}},
		{name: "main ends, workers are killed", args: []string{"-e",
			"Isolate.spawn(() => Timer.periodic(5, () => {})).then(() => console.log('spawned'))"}, stdout: "spawned\n"},
		{
			name: "uncaught error with position", args: []string{errScript}, code: 1,
			stderrLike: regexp.MustCompile(`^Uncaught TypeError: bad thing\n    at f \(.*err\.js:2:9\)\n    at .*err\.js:4:2\n$`),
		},
		{
			name: "uncaught error in a worker-free async main", args: []string{"-e", "(async () => { await 0; null.boom })()"}, code: 1,
			stderrLike: regexp.MustCompile(`^Uncaught TypeError: Cannot read property 'boom' of (null|undefined)\n(    at .*<eval>:1:\d+\)?\n)+$`),
		},
		{
			name: "uncaught error while workers run", args: []string{"-e",
				"Isolate.spawn(() => Timer.periodic(5, () => {})).then(() => { throw new RangeError('late') })"}, code: 1,
			stderrLike: regexp.MustCompile(`^Uncaught RangeError: late\n    at <eval>:1:\d+\n$`),
		},
		{name: "thrown string", args: []string{"-e", "throw 'plain'"}, code: 1, stderrLike: regexp.MustCompile(`^Uncaught plain\n    at <eval>:1:1\n$`)},
		{name: "syntax error", args: []string{syntaxScript}, code: 1, stderr: syntaxScript + ":2:9: SyntaxError: Unexpected token ;\n"},
		{name: "syntax error in -e", args: []string{"-e", "1 +"}, code: 1, stderr: "<eval>:1:4: SyntaxError: Unexpected end of input\n"},
		{name: "missing file", args: []string{"nope.js"}, code: 1, stderr: "isobox: cannot find file nope.js\n"},
		{name: "unreadable file", args: []string{dir}, code: 1, stderr: "isobox: cannot read " + dir + ": is a directory\n"},
		{name: "unknown option", args: []string{"--bogus"}, code: 2, stderr: "isobox: unknown option --bogus (see 'isobox --help')\n"},
		{name: "run without file", args: []string{"run"}, code: 2, stderr: "isobox: run needs a FILE (see 'isobox --help')\n"},
		{name: "-e without code", args: []string{"-e"}, code: 2, stderr: "isobox: -e needs CODE (see 'isobox --help')\n"},
		{name: "repl with arguments", args: []string{"repl", "x"}, code: 2, stderr: "isobox: repl takes no arguments (see 'isobox --help')\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := isobox(t, c.stdin, c.args...)
			if r.code != c.code {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, c.code, r.stderr)
			}
			if r.stdout != c.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, c.stdout)
			}
			if c.stderrLike != nil {
				if !c.stderrLike.MatchString(r.stderr) {
					t.Errorf("stderr %q does not match %s", r.stderr, c.stderrLike)
				}
			} else if r.stderr != c.stderr {
				t.Errorf("stderr %q, want %q", r.stderr, c.stderr)
			}
		})
	}
}

// TestLimitFlags: --limit, --child-limit, --max-isolates, --max-running and
// --host-memory-mb reach the engine; bad values are usage errors.
func TestLimitFlags(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr *regexp.Regexp
	}{
		{name: "main maxTaskMs", args: []string{"--limit", "maxTaskMs=100", "-e", "while (true) {}"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught ResourceLimitError: maxTaskMs exceeded: limit 100 ms`)},
		{name: "main memoryMb, = form", args: []string{"--limit=memoryMb=64", "-e", "let a = []; for (;;) a.push({i: a.length})"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught ResourceLimitError: memoryMb exceeded: limit 64 MB`)},
		{name: "child default", args: []string{"--limit", "maxTaskMs=5000", "--child-limit", "maxTaskMs=50", "-e",
			"Isolate.spawn(() => { while (true) {} }).then(i => i.exited).then(() => console.log('child ended'))"},
			stdout: "child ended\n", stderr: regexp.MustCompile(`maxTaskMs exceeded: limit 50 ms`)},
		{name: "child never gets more", args: []string{"--limit", "maxTimers=1", "-e",
			"Isolate.run(() => { setTimeout(() => {}, 1); try { setTimeout(() => {}, 1) } catch (e) { return e.limit } }, null, {limits: {maxTimers: 100}}).then(console.log)"},
			stdout: "maxTimers\n", stderr: regexp.MustCompile(`^$`)},
		{name: "max isolates", args: []string{"--max-isolates", "2", "-e",
			"Isolate.spawn(() => { new ReceivePort() }).then(() => Isolate.spawn(() => {})).catch(e => { console.log(e.name, e.limit); exit(0) })"},
			stdout: "ResourceLimitError maxIsolates\n", stderr: regexp.MustCompile(`^$`)},
		{name: "host memory", args: []string{"--host-memory-mb", "128", "-e", "let a = []; for (;;) a.push({i: a.length, s: 'x' + a.length})"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught ResourceLimitError: hostMemoryMb exceeded: limit 128 MB`)},
		{name: "main maxTaskWallMs", args: []string{"--limit", "maxTaskWallMs=100", "-e", "while (true) {}"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught ResourceLimitError: maxTaskWallMs exceeded: limit 100 ms`)},
		{name: "max running", args: []string{"--max-running", "1", "-e",
			"Isolate.run(() => 6 * 7).then(console.log)"},
			stdout: "42\n", stderr: regexp.MustCompile(`^$`)},
		{name: "zero max running", args: []string{"--max-running", "0", "-e", "1"}, code: 2, stderr: regexp.MustCompile(`--max-running needs a positive N`)},
		{name: "unknown limit", args: []string{"--limit", "foo=1", "-e", "1"}, code: 2, stderr: regexp.MustCompile(`--limit foo=1: want NAME=N`)},
		{name: "negative limit", args: []string{"--limit", "cpuMs=-1", "-e", "1"}, code: 2, stderr: regexp.MustCompile(`want NAME=N with N >= 0`)},
		{name: "missing value", args: []string{"--max-isolates"}, code: 2, stderr: regexp.MustCompile(`--max-isolates needs N`)},
		// Accepted must be safe: 1e6 frames of [1].forEach recursion
		// overflow Go's stack (fatal), so the value is refused, with the
		// maximum named; the maximum itself runs and fails cleanly.
		{name: "stack depth over the maximum", args: []string{"--limit", "maxStackDepth=1000000", "-e", "1"}, code: 2,
			stderr: regexp.MustCompile(`--limit maxStackDepth=1000000: maxStackDepth is at most 50000`)},
		{name: "child stack depth over the maximum", args: []string{"--child-limit", "maxStackDepth=50001", "-e", "1"}, code: 2,
			stderr: regexp.MustCompile(`maxStackDepth is at most 50000`)},
		{name: "huge maxTaskMs", args: []string{"--limit", "maxTaskMs=9223372036854775807", "-e", "1"}, code: 2,
			stderr: regexp.MustCompile(`maxTaskMs is at most 9223372036854`)},
		{name: "stack depth at the maximum", args: []string{"--limit", "maxStackDepth=50000", "-e", "const f = () => [1].forEach(f); f()"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught RangeError: Maximum call stack size exceeded \(maxStackDepth 50000\)`)},
		{name: "zero host memory", args: []string{"--host-memory-mb", "0", "-e", "1"}, code: 2, stderr: regexp.MustCompile(`--host-memory-mb needs N > 0`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := isobox(t, "", c.args...)
			if res.code != c.code || res.stdout != c.stdout || !c.stderr.MatchString(res.stderr) {
				t.Errorf("isobox %q: code %d stdout %q stderr %q; want code %d stdout %q stderr like %s", c.args, res.code, res.stdout, res.stderr, c.code, c.stdout, c.stderr)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"--help", "-h"} {
		r := isobox(t, "", a)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "isobox repl") {
			t.Errorf("%s: code %d, stdout %q", a, r.code, r.stdout)
		}
	}
	for _, a := range []string{"--version", "-v"} {
		r := isobox(t, "", a)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "isobox ") {
			t.Errorf("%s: code %d, stdout %q", a, r.code, r.stdout)
		}
	}
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls out until it contains want, for at most d.
func waitFor(t *testing.T, out fmt.Stringer, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in output after %v; output:\n%s", want, d, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSIGINTBusyLoop: Ctrl-C stops a main isolate stuck in while(true){}
// (and a busy worker) and exits 130 within a second.
func TestSIGINTBusyLoop(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on windows")
	}
	t.Parallel()
	script := writeScript(t, "busy.js", `
		Isolate.spawn(() => { while (true) {} }, null, { name: "busy-worker" }).then(() => {
			console.log("ready");
			while (true) {}
		});
	`)
	cmd := exec.Command(binary, script)
	cmd.Env = testEnv(t)
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFor(t, &out, "ready\n", 30*time.Second)
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		elapsed := time.Since(sent)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 130 {
			t.Fatalf("exit: %v, want exit status 130 (stderr %q)", err, errb.String())
		}
		// A stall detector, not a timing goal (the machine is shared).
		if elapsed > 10*time.Second {
			t.Errorf("took %v to exit after SIGINT, want well under 10s", elapsed)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running 30s after SIGINT; stderr %q", errb.String())
	}
}

// TestGeekAcceptance is `(sleep 4.5; echo) | isobox scripts/geek.js`,
// except that the line is sent once the second greeting is out rather
// than after a fixed sleep.
func TestGeekAcceptance(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "scripts/geek.js")
	cmd.Env = testEnv(t)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFor(t, &out, "Welcome to GeeksForGeeks 2\n", 30*time.Second)
	if _, err := io.WriteString(stdin, "\n"); err != nil {
		t.Fatal(err)
	}
	_ = stdin.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v (stderr %q)", err, errb.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("geek.js did not exit after the line")
	}
	want := "--------------Start Geek Isolate--------------\n" +
		"Press enter key to quit\n" +
		"Welcome to GeeksForGeeks 1\n" +
		"Welcome to GeeksForGeeks 2\n" +
		"--------------Stopping Geek Isolate--------------\n" +
		"GoodBye Geek!\n"
	if got := out.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if errb.String() != "" {
		t.Errorf("stderr: %q", errb.String())
	}
}

// nondeterministic lists the gallery scripts without a golden file, and
// why. Every other script in scripts/ must have scripts/NAME.out.
var nondeterministic = map[string]string{
	"geek.js": "waits for a line on stdin; TestGeekAcceptance runs it",
}

// TestGallery runs every script in scripts/ (not its subdirectories) and
// compares its stdout with scripts/NAME.out. Run with -update to rewrite
// the golden files.
func TestGallery(t *testing.T) {
	t.Parallel()
	var files []string
	for _, pat := range []string{"scripts/*.js", "scripts/*.mjs", "scripts/*.ts"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, filepath.Ext(name)), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(src), "// "+name+": ") {
				t.Errorf("%s must start with a comment saying what it shows: // %s: ...", file, name)
			}
			if _, ok := nondeterministic[name]; ok {
				return
			}
			golden := strings.TrimSuffix(file, filepath.Ext(file)) + ".out"
			r := isobox(t, "", file)
			if r.code != 0 || r.stderr != "" {
				t.Errorf("exit code %d, stderr:\n%s", r.code, r.stderr)
			}
			if *update {
				if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v: every deterministic script needs a golden file (go test -run TestGallery -update)", err)
			}
			if r.stdout != string(want) {
				t.Errorf("stdout differs from %s\ngot:\n%s\nwant:\n%s", golden, r.stdout, want)
			}
		})
	}
}

// The REPL without a terminal: piped input, no prompts, results on stdout.
func TestREPLPiped(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		code           int
	}{
		{"expressions", "1 + 1\n'a' + 'b'\n[1, {x: 2}]\n", "2\n'ab'\n[ 1, { x: 2 } ]\n", 0},
		{"undefined is not printed", "let x = 5\nundefined\nx * 2\n", "10\n", 0},
		{"underscore holds the last value", "6 * 7\n_ + 1\n", "42\n43\n", 0},
		{"multi-line input", "function f(a) {\n  return a * 2;\n}\nf(\n  21\n)\n", "42\n", 0},
		{"template across lines", "`one\ntwo`\n", "'one\\ntwo'\n", 0},
		{"top-level await", "await Isolate.run(x => x * 2, 21)\n", "42\n", 0},
		{"await declarations become globals", "const {a, b} = await Promise.resolve({a: 1, b: 2})\na + b\n", "3\n", 0},
		{"multi-line await", "await Promise.resolve(\n  40\n) + 2\n", "42\n", 0},
		{"error then more input", "null.x\n1 + 1\n", "Uncaught TypeError: Cannot read property 'x' of undefined\n    at REPL1:1:6\n2\n", 0},
		{"rejected await", "await Promise.reject(new RangeError('no'))\n'next'\n", "Uncaught RangeError: no\n    at REPL1:1:22\n'next'\n", 0},
		{"syntax error", "let x = ;\n2\n", "Uncaught SyntaxError: Unexpected token ;\n    at REPL1:1:9\n2\n", 0},
		{"timers run between inputs", "setTimeout(() => console.log('fired'), 10); await new Promise(r => setTimeout(r, 50))\n", "fired\n", 0},
		{"unknown dot command", ".nope\n", "Invalid REPL keyword .nope (type .help for the list)\n", 0},
		{"a number is not a dot command", ".5 + 1\n", "1.5\n", 0},
		{"exit(n)", "exit(4)\n'never'\n", "", 4},
		{".exit", ".exit\n'never'\n", "", 0},
		{"incomplete input at EOF", "function f() {\n", "Uncaught SyntaxError: Unexpected end of input\n    at REPL1:1:15\n", 0},
		{"load", ".load testdata/repl/lib.js\ntwice(21)\n", "'lib loaded'\n42\n", 0},
		{"load missing file", ".load testdata/repl/nope.js\n", "cannot find file testdata/repl/nope.js\n", 0},
		{"send without default port", ".spawn testdata/repl/noport.js quiet\n.send quiet 1\n",
			"spawned 2 quiet\nisolate 2 quiet has no default port: it must open a ReceivePort or call Isolate.publish(port)\n", 0},
		{"kill the REPL's own isolate", ".kill main\n", "the REPL runs in isolate main; use .exit to leave\n", 0},
		{"kill unknown", ".kill 99\n", "no isolate 99 (see .ps)\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := isobox(t, c.in, "repl")
			if r.code != c.code || r.stdout != c.want {
				t.Errorf("input:\n%s\ncode %d, stdout:\n%q\nwant code %d, stdout:\n%q\nstderr: %q", c.in, r.code, r.stdout, c.code, c.want, r.stderr)
			}
			if strings.Contains(r.stdout, "\033") {
				t.Errorf("escape codes in piped output: %q", r.stdout)
			}
		})
	}
}

// replSession drives `isobox repl` through pipes: it writes a line, then
// waits for what it must print before it writes the next one.
type replSession struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   lockedBuffer
	errb  lockedBuffer
	mark  int // output already matched
	done  chan error
}

func newREPLSession(t *testing.T) *replSession {
	t.Helper()
	s := &replSession{t: t, cmd: exec.Command(binary, "repl"), done: make(chan error, 1)}
	s.cmd.Env = testEnv(t)
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.errb
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	return s
}

func (s *replSession) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
		s.t.Fatalf("writing %q: %v", line, err)
	}
}

// expect waits until the output after the last match contains want, and
// returns that output.
func (s *replSession) expect(want string) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		all := s.out.String()
		if i := strings.Index(all[s.mark:], want); i >= 0 {
			got := all[s.mark : s.mark+i+len(want)]
			s.mark += i + len(want)
			return got
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no %q after %q; stderr %q", want, all[s.mark:], s.errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *replSession) exit() int {
	s.t.Helper()
	_ = s.stdin.Close()
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		s.t.Fatal("the REPL did not exit at EOF")
		return -1
	}
}

// TestREPLDotCommands spawns, lists, messages and kills isolates.
func TestREPLDotCommands(t *testing.T) {
	t.Parallel()
	s := newREPLSession(t)
	s.send(".help")
	help := s.expect("Ctrl-D to exit.\n")
	for _, cmd := range []string{".help", ".ps", ".spawn FILE [NAME]", ".kill ID|NAME [--now]", ".send ID|NAME JSON", ".load FILE", ".exit"} {
		if !strings.Contains(help, cmd) {
			t.Errorf(".help does not mention %s:\n%s", cmd, help)
		}
	}
	s.send(".spawn testdata/repl/echo.js echo")
	s.expect("spawned 2 echo\n")
	s.send(`.send echo {"n": 1, "s": "hi"}`)
	s.expect("echo got { n: 1, s: 'hi' }\n")
	s.send(`.send 2 "by id"`)
	s.expect("echo got by id\n")
	s.send(".spawn testdata/repl/published.js pub")
	s.expect("spawned 3 pub\n")
	s.send(".send pub 7")
	s.expect("published port got 7\n")

	s.send(".ps")
	ps := s.expect("pub")
	ps += s.expect("\n")
	header := regexp.MustCompile(`ID\s+NAME\s+STATE\s+UPTIME\s+QUEUED\s+IN\s+OUT\s+TIMERS\s+CPU\n`)
	if !header.MatchString(ps) {
		t.Errorf(".ps header missing:\n%s", ps)
	}
	for _, row := range []string{`1\s+main\s+running\s`, `2\s+echo\s+running\s+\S+\s+0\s+2\s+0\s+0\s`, `3\s+pub\s+running\s+\S+\s+0\s+1\s+0\s+1\s`} {
		if !regexp.MustCompile(row).MatchString(ps) {
			t.Errorf(".ps has no row like %s:\n%s", row, ps)
		}
	}

	s.send(".kill echo")
	s.expect("killed 2 echo (beforeNextEvent)\n")
	s.send(".kill 3 --now")
	s.expect("killed 3 pub (immediate)\n")
	s.send(".ps")
	ps = s.expect("main")
	ps += s.expect("\n")
	s.send("'end'")
	ps += s.expect("'end'\n")
	if strings.Contains(ps, "echo") || strings.Contains(ps, "pub") {
		t.Errorf("killed isolates still listed:\n%s", ps)
	}
	s.send(".spawn testdata/repl/crash.js")
	s.expect("spawned 4 isolate-4\n")
	waitFor(t, &s.errb, "[4 isolate-4] Uncaught Error: crash.js failed\n    at main (", 30*time.Second)
	if code := s.exit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestREPLSendAfterSlowSpawn: .spawn returns once the entry has run, so a
// .send straight after it finds the port the script opens at the end of a
// slow top level.
func TestREPLSendAfterSlowSpawn(t *testing.T) {
	t.Parallel()
	s := newREPLSession(t)
	s.send(".spawn testdata/repl/slow.js slow")
	s.send(".send slow 1")
	s.expect("spawned 2 slow\n")
	s.expect("slow got 1\n")
	if code := s.exit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestREPLInterrupt: SIGINT while code runs interrupts it and the REPL
// goes on; the event loop keeps running between inputs.
func TestREPLInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on windows")
	}
	t.Parallel()
	s := newREPLSession(t)
	s.send("console.log('spinning'); while (true) {}")
	s.expect("spinning\n")
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	s.expect("Uncaught Error: Script execution interrupted\n")
	s.send("console.log('awaiting'); await new Promise(() => {})")
	s.expect("awaiting\n")
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	s.expect("Uncaught Error: Script execution interrupted\n")
	s.send("1 + 1")
	s.expect("2\n")
	if code := s.exit(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestSpawnedFunctionErrors: an error inside a spawned function is printed
// at its position in the spawner's file, a captured variable says why it
// is not defined (once, and only for entry functions), and concurrent
// stdin reads get the lines in order.
func TestSpawnedFunctionErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	lines := write("lines.js", "// lines.js\nconst p = 1;\n\nIsolate.run(async (o) => {\n  const a = 1;\n  const b = 2;\n  await null;\n  return a + b + o.missing.deep;\n}, {});\n")
	write("w.js", "function main() { return nope }\n")
	spawner := write("spawner.js", "Isolate.spawnFile('w.js').then(i => i.exited).then(() => console.log('done'));\n")
	hint := " (isolate entry functions cannot capture variables from the spawning scope; pass them in the message)"
	cases := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr *regexp.Regexp
	}{
		// Line 8 of the spawner's file. Not column 28: the guard's rewrite of
		// the + operators before it on that line moves the columns after
		// them (engine/guard/rewrite.go).
		{name: "position in the spawner's file", args: []string{lines}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught TypeError: Cannot read property 'deep' of undefined\n    at .*lines\.js:8:\d+\n$`)},
		{name: "captured variable", args: []string{"-e", "const secret = 1; Isolate.run(() => secret)"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught ReferenceError: secret is not defined` + regexp.QuoteMeta(hint) + `\n    at <eval>:1:37\n$`)},
		{name: "captured variable in a nested run", args: []string{"-e", "const s = 1; Isolate.run(() => Isolate.run(() => s))"}, code: 1,
			stderr: regexp.MustCompile(`^Uncaught ReferenceError: s is not defined` + regexp.QuoteMeta(hint) + `\n    at <eval>:1:`)},
		{name: "no hint for a file's isolate", args: []string{spawner}, stdout: "done\n",
			stderr: regexp.MustCompile(`^\[2 isolate-2\] Uncaught ReferenceError: nope is not defined\n    at main \(.*w\.js:1:26\)\n$`)},
		{name: "concurrent stdin reads", stdin: "L1\nL2\nL3\n", args: []string{"-e", "Promise.all([stdin.readLine(), stdin.readLine(), stdin.readLine()]).then(v => console.log(...v))"},
			stdout: "L1 L2 L3\n", stderr: regexp.MustCompile(`^$`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := isobox(t, c.stdin, c.args...)
			if r.code != c.code || r.stdout != c.stdout || !c.stderr.MatchString(r.stderr) {
				t.Errorf("code %d stdout %q stderr %q; want code %d stdout %q stderr like %s", r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
			}
		})
	}
}

// TestRunErrorMessages: error texts say each thing once, a child's uncaught
// error names the isolate it came from, and Go internals stay out.
func TestRunErrorMessages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("bad.js", "let ok = 1;\nlet x = ;\n")
	spawnBad := write("spawn-bad.js", "Isolate.spawnFile('./bad.js').catch(e => console.log(String(e)));\n")
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout *regexp.Regexp
		stderr *regexp.Regexp
	}{
		{name: "spawnFile syntax error names SyntaxError once", args: []string{spawnBad},
			stdout: regexp.MustCompile(`^SyntaxError: [^\n]*bad\.js: Line 2:9 Unexpected token ;[^\n]*\n$`), stderr: regexp.MustCompile(`^$`)},
		{name: "child uncaught error is prefixed with its isolate", args: []string{"-e",
			"Isolate.spawn(() => { throw new TypeError('kid') }, null, {name: 'w1'}).then(iso => iso.exited)"},
			stdout: regexp.MustCompile(`^$`), stderr: regexp.MustCompile(`^\[2 w1\] Uncaught TypeError: kid\n    at <eval>:1:\d+\n$`)},
		{name: "unnamed child", args: []string{"-e", "Isolate.spawn(() => { null.x }).then(iso => iso.exited)"},
			stdout: regexp.MustCompile(`^$`), stderr: regexp.MustCompile(`^\[2 isolate-2\] Uncaught TypeError: Cannot read property 'x' of (null|undefined)\n    at `)},
		{name: "non-fatal main prints a thrown string like Node", args: []string{"-e",
			"Isolate.current.setErrorsFatal(false); setTimeout(() => { throw 'Oh no!' }, 0)"},
			stdout: regexp.MustCompile(`^$`), stderr: regexp.MustCompile(`^Uncaught 'Oh no!'\n    at <eval>:1:\d+\n$`)},
		// (An Isolate handle is sendable, as in Dart; a ReceivePort is not.)
		{name: "clone error names the JS class", args: []string{"-e", "const r = new ReceivePort(); try { structuredClone(r) } catch (e) { console.log(e.message) } r.close()"},
			stdout: regexp.MustCompile(`^ReceivePort could not be cloned\n$`), stderr: regexp.MustCompile(`^$`)},
		{name: "native frames are named in JS", args: []string{"-e", "Isolate.spawn(5)"}, code: 1,
			stdout: regexp.MustCompile(`^$`), stderr: regexp.MustCompile(`^Uncaught TypeError: Isolate.spawn: entry must be a function\n    at Isolate.spawn \(native\)\n    at <eval>:1:14\n$`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := isobox(t, "", c.args...)
			if r.code != c.code {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, c.code, r.stderr)
			}
			if !c.stdout.MatchString(r.stdout) {
				t.Errorf("stdout %q does not match %s", r.stdout, c.stdout)
			}
			if !c.stderr.MatchString(r.stderr) {
				t.Errorf("stderr %q does not match %s", r.stderr, c.stderr)
			}
		})
	}
}

// TestProcessFlag: with --process the main script runs in a worker process
// and this one only supervises: stdin, args, output, exit codes and errors
// behave as without it.
func TestProcessFlag(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, stdin string
		args        []string
		code        int
		stdout      string
		stderr      *regexp.Regexp
	}{
		{"stdin, args and exit", "L1\nL2\n", []string{"--process", "-e", "stdin.readLine().then(l => { console.log(l, args.join(',')); exit(7) })", "a", "b"},
			7, "L1 a,b\n", regexp.MustCompile(`^$`)},
		{"uncaught error", "", []string{"--process", "-e", "throw new TypeError('bad')"},
			1, "", regexp.MustCompile(`^Uncaught TypeError: bad\n    at <eval>:1:7\n$`)},
		{"nested run", "", []string{"--process", "-e", "Isolate.run(() => 6 * 7).then(console.log)"},
			0, "42\n", regexp.MustCompile(`^$`)},
		{"process: true inside the worker shares it", "", []string{"--process", "-e", "Isolate.run(() => 1, null, {process: true}).then(console.log)"},
			0, "1\n", regexp.MustCompile(`^$`)},
		{"limits hold in the worker", "", []string{"--process", "--limit", "maxTaskMs=100", "-e", "while (true) {}"},
			1, "", regexp.MustCompile(`^Uncaught ResourceLimitError: maxTaskMs exceeded`)},
		{"bad value", "", []string{"--process=1", "-e", "1"}, 2, "", regexp.MustCompile(`--process takes no value`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := isobox(t, c.stdin, c.args...)
			if r.code != c.code || r.stdout != c.stdout || !c.stderr.MatchString(r.stderr) {
				t.Errorf("code %d stdout %q stderr %q; want code %d stdout %q stderr like %s", r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
			}
		})
	}
}

// A script's "//# sourceMappingURL=" naming a file is never read (goja's
// default reads it: /dev/zero ended the process, a FIFO hung the
// compile), by any compile path the CLI has: the file, eval, the Function
// constructor, a spawned function, the REPL.
func TestSourceMapURLsNotRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mapFile := filepath.Join(dir, "leak.map")
	if err := os.WriteFile(mapFile, []byte(`{"version":3,"sources":["LEAKED.js"],"names":[],"mappings":"AAAA;AACA;AACA;AACA;AACA;AACA"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tail := `\n//# sourceMappingURL=` + mapFile
	script := filepath.Join(dir, "sm.js")
	src := `const tail = "` + tail + `";
try { eval("throw new Error('e')" + tail) } catch (e) { console.log(e.stack) }
try { new Function("throw new Error('f')" + tail)() } catch (e) { console.log(e.stack) }
Isolate.run(() => { throw new Error("run") }).catch(e => { console.log(e.stack); throw new Error("file") })
//# sourceMappingURL=` + mapFile + "\n"
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := isobox(t, "", script)
	if res.code != 1 || !strings.Contains(res.stderr, "sm.js:4") || strings.Contains(res.stdout+res.stderr, "LEAKED") {
		t.Errorf("code %d, stdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	repl := isobox(t, `try { eval("throw new Error('r')" + "`+tail+`") } catch (e) { e.stack }`+"\n", "repl")
	if strings.Contains(repl.stdout+repl.stderr, "LEAKED") || !strings.Contains(repl.stdout, "Error: r") {
		t.Errorf("repl: stdout:\n%s\nstderr:\n%s", repl.stdout, repl.stderr)
	}
}
