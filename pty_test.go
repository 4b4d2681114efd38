//go:build !windows

package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptySession drives the interactive REPL through a pseudo-terminal, as a
// person at a terminal would.
type ptySession struct {
	t    *testing.T
	tty  *os.File
	cmd  *exec.Cmd
	out  lockedBuffer
	mark int
	done chan error
}

func newPtySession(t *testing.T, env []string) *ptySession {
	t.Helper()
	s := &ptySession{t: t, cmd: exec.Command(binary), done: make(chan error, 1)}
	s.cmd.Env = append(env, "TERM=xterm")
	tty, err := pty.StartWithSize(s.cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("starting isobox on a pty: %v", err)
	}
	s.tty = tty
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&s.out, tty) // ends with EIO when the child exits
		close(copied)
	}()
	go func() {
		err := s.cmd.Wait()
		<-copied
		s.done <- err
	}()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		_ = tty.Close()
	})
	return s
}

// typ types text as keystrokes.
func (s *ptySession) typ(text string) {
	s.t.Helper()
	if _, err := s.tty.WriteString(text); err != nil {
		s.t.Fatalf("typing %q: %v", text, err)
	}
}

// expect waits until the output after the last match matches re, and
// returns the output up to the end of the match.
func (s *ptySession) expect(re string) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for {
		all := s.out.String()
		if loc := rx.FindStringIndex(all[s.mark:]); loc != nil {
			got := all[s.mark : s.mark+loc[1]]
			s.mark += loc[1]
			return got
		}
		if time.Now().After(deadline) {
			rest := all[s.mark:]
			if len(rest) > 2000 {
				rest = "..." + rest[len(rest)-2000:]
			}
			s.t.Fatalf("no match for %q in %q", re, rest)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *ptySession) wait() int {
	s.t.Helper()
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
		s.t.Fatalf("the REPL did not exit; output %q", s.out.String()[s.mark:])
		return -1
	}
}

// TestREPLTerminal: `isobox` with no arguments on a terminal starts the
// REPL; output from a periodic isolate appears above the prompt while the
// user types, and the typed text survives; Ctrl-C interrupts running code
// and clears the line; tab completes; Ctrl-D exits; history is saved.
func TestREPLTerminal(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	var hist string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "ISOBOX_HISTORY="); ok {
			hist = v
		}
	}
	s := newPtySession(t, env)
	s.expect(`Type "\.help" for more information\.\r\n> `)

	// A worker that prints on a timer, and a wait until it has started.
	s.typ("const w = await Isolate.spawn(() => Timer.periodic(100, t => console.log('tick ' + t.tick)), null, {name: 'ticker'})\r")
	s.expect(`\r\n(\x1b\[90m)?undefined.*\r\n> `)
	s.expect(`tick 1\r\n`)

	// Type half an expression and leave it there while ticks arrive.
	s.typ("6 * ")
	s.expect(`> 6 \* `)
	// Each tick is printed on a cleared line ("\r\x1b[K") above the
	// prompt, and then liner redraws the prompt with the typed text.
	s.expect(`\r\x1b\[Ktick \d+\r\n`)
	s.expect(`> 6 \* `)
	s.expect(`\r\x1b\[Ktick \d+\r\n`)
	s.expect(`> 6 \* `)
	s.typ("7\r")
	s.expect(`\r\n42\r\n`)

	// Ctrl-C while code runs interrupts it; the REPL survives.
	s.typ("w.kill(); console.log('spinning'); while (true) {}\r")
	s.expect(`spinning\r\n`)
	s.typ("\x03")
	s.expect(`Uncaught Error: Script execution interrupted\r\n`)
	s.expect(`> `)

	// Ctrl-C at the prompt clears the typed text.
	s.typ("this is not javascript")
	s.expect(`not javascript`)
	s.typ("\x03")
	s.expect(`\^C`)
	s.typ("1 + 1\r")
	s.expect(`\r\n2\r\n> `)

	// Multi-line input shows the continuation prompt.
	s.typ("[1,\r")
	s.expect(`\.\.\. `)
	s.typ("2]\r")
	s.expect(`\[ 1, 2 \]\r\n> `)

	// Tab completes properties after a dot.
	s.typ("Isolate.spawnF\t")
	s.expect(`Isolate\.spawnFile`)
	s.typ("\x03")
	s.expect(`> `)

	// Ctrl-D on an empty line exits 0.
	s.typ("\x04")
	if code := s.wait(); code != 0 {
		t.Errorf("exit code %d after Ctrl-D; output %q", code, s.out.String())
	}
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	if !strings.Contains(string(b), "1 + 1\n") {
		t.Errorf("history %s lacks the input:\n%s", filepath.Base(hist), b)
	}
}
