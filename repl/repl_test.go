package repl_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/isobox/isobox/repl"
)

// syncBuffer is a bytes.Buffer safe for the isolates' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run runs the REPL in-process on piped input.
func run(t *testing.T, in string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb syncBuffer
	code = repl.Run(repl.Options{Stdin: strings.NewReader(in), Stdout: &out, Stderr: &errb, Args: []string{"a"}})
	return out.String(), errb.String(), code
}

func TestRunPiped(t *testing.T) {
	// regexp2's match-timeout clock is process-wide (guard.MaxRegexpMatch).
	defer goleak.VerifyNone(t, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock"))
	cases := []struct {
		name, in, out, err string
		code               int
	}{
		{name: "results", in: "1 + 1\nargs\n", out: "2\n[ 'a' ]\n"},
		{name: "last line without newline", in: "40 + 2", out: "42\n"},
		{name: "long line", in: "'" + strings.Repeat("x", 10000) + "'.length\n", out: "10000\n"},
		{name: "await", in: "await Isolate.run(x => x + 1, 41)\n", out: "42\n"},
		{name: "error in a timer goes to stderr and the REPL lives", in: "setTimeout(() => { throw new Error('late') }, 1); await new Promise(r => setTimeout(r, 30))\n'alive'\n",
			out: "'alive'\n", err: "Uncaught Error: late\n"},
		{name: "exit code", in: "exit(5)\n", code: 5},
		{name: ".exit stops reading", in: ".exit\n1\n"},
		{name: "help", in: ".help\n", out: ".help                   show this list\n"},
		{name: "ps", in: ".ps\n", out: "ID  NAME  STATE    UPTIME  QUEUED  IN  OUT  TIMERS  CPU\n1   main  running  "},
		{name: "self kill ends the REPL", in: "Isolate.exit()\n'never'\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := run(t, c.in)
			if code != c.code {
				t.Errorf("exit code %d, want %d", code, c.code)
			}
			if !strings.HasPrefix(out, c.out) || (c.out == "" && out != "") {
				t.Errorf("stdout %q, want it to start with %q", out, c.out)
			}
			if !strings.HasPrefix(errs, c.err) || (c.err == "" && errs != "") {
				t.Errorf("stderr %q, want it to start with %q", errs, c.err)
			}
		})
	}
}
