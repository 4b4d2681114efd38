// Package repl is isobox's interactive shell: a loop that reads JavaScript,
// evaluates it in a long-lived main isolate and prints the result like
// Node's REPL, plus dot commands to spawn, list, message and kill isolates
// (.help lists them).
//
// # Shape
//
// The package is a thin loop over bindings.Session (evaluation with
// top-level await, `_`, completion, incomplete-input detection) and the
// engine's Host (isolates, stats, kill, default ports). It is the only
// package that imports liner, so embedders of the engine never pull it in.
//
// # Terminal and pipe
//
// On a terminal (Options.Interactive) it uses liner for line editing,
// history and tab completion, and output from isolates appears above the
// prompt while the user types (see console). Otherwise it reads lines with
// bufio, prints no prompts and no escape codes, and exits 0 at EOF: that is
// how it is tested.
//
// # Event loop
//
// The main isolate's loop keeps running between prompts: timers fire and
// messages are handled while the user types. Ctrl-C while code runs
// interrupts it (even `while(true){}`) and the REPL goes on; Ctrl-C at the
// prompt clears the input; Ctrl-D on an empty line exits.
package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/peterh/liner"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// Options configures Run.
type Options struct {
	// Stdin, Stdout and Stderr are the REPL's streams. In interactive mode
	// liner reads os.Stdin and writes os.Stdout itself, so they must be
	// those. Nil Stdin reads nothing; nil Stdout and Stderr discard.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Interactive uses liner (line editing, history, completion, live
	// output above the prompt). Set it only when stdin and stdout are a
	// terminal.
	Interactive bool
	// Colors prints results with ANSI colors (interactive mode only).
	Colors bool
	// HistoryFile keeps the interactive history; "" keeps none.
	HistoryFile string
	// Args is the main isolate's global args (nil: an empty array).
	Args []string
	// Dir is the directory isolates may read scripts from
	// (Isolate.spawnFile); "" is the working directory.
	Dir string
	// Version is shown in the interactive banner.
	Version string
	// Host are extra options for the REPL's host (limits, caps); Limits
	// are the main isolate's own (every isolate it spawns is held to them).
	Host   []engine.HostOption
	Limits engine.Limits
}

// Exit codes Run returns besides exit(n)'s.
const (
	exitOK    = 0
	exitError = 1
)

// Run runs the REPL until EOF, .exit, Ctrl-D or exit(n), and returns the
// exit code. It kills every isolate before it returns.
func Run(opts Options) int {
	r, err := start(opts)
	if err != nil {
		fmt.Fprintln(opts.stderr(), "isobox:", err)
		return exitError
	}
	defer r.close()
	return r.loop()
}

func (o *Options) stdout() io.Writer {
	if o.Stdout == nil {
		return io.Discard
	}
	return o.Stdout
}

func (o *Options) stderr() io.Writer {
	if o.Stderr == nil {
		return io.Discard
	}
	return o.Stderr
}

// repl is one running REPL. Only the goroutine running loop touches it,
// except where noted.
type repl struct {
	opts  Options
	con   *console
	out   io.Writer // stdout through the console
	errw  io.Writer // stderr through the console
	host  *engine.Host
	main  *engine.Isolate
	sess  *bindings.Session
	hold  func()
	lines lineSource
	line  *liner.State // nil unless interactive

	exits chan int       // exit(n) from the main isolate; any goroutine
	sigs  chan os.Signal // SIGINT
}

func start(opts Options) (*repl, error) {
	if opts.Interactive && !liner.TerminalSupported() {
		opts.Interactive = false // TERM=dumb and friends: no line editing, no escapes
	}
	r := &repl{
		opts:  opts,
		con:   &console{},
		exits: make(chan int, 1),
		sigs:  make(chan os.Signal, 1),
	}
	if opts.Interactive {
		r.con.redraw = raiseWinch
	}
	r.out = r.con.writer(opts.stdout())
	r.errw = r.con.writer(opts.stderr())
	args := opts.Args
	if args == nil {
		args = []string{}
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	r.host = engine.NewHost(append([]engine.HostOption{
		engine.WithStdout(r.out),
		engine.WithStderr(r.errw),
		engine.WithSetup(bindings.Setup(bindings.Config{
			Exit: func(code int) {
				select {
				case r.exits <- code:
				default:
				}
			},
			Colors: opts.Colors,
		})),
	}, opts.Host...)...)
	// The REPL's own lines go through the host's output queue too, so that
	// they keep their place among the isolates' lines.
	r.out, r.errw = r.host.Stdout(), r.host.Stderr()
	// Spawned paused, so that the hold below is in place before its (empty)
	// entry runs: an idle isolate with nothing pending would end at once.
	main, err := r.host.Spawn(engine.ScriptSource("<repl>", ""),
		engine.WithName("main"),
		engine.WithPaused(true),
		engine.WithErrorsAreFatal(false), // an error in a timer must not end the REPL
		engine.WithLimits(opts.Limits),
		engine.WithCapabilities(engine.Capabilities{Exit: true, Args: args, ReadRoots: []string{dir}}))
	if err != nil {
		return nil, err
	}
	r.main = main
	r.hold = main.Hold() // the REPL keeps its isolate alive between inputs
	main.Resume(main.PauseCapability())
	r.sess = bindings.NewSession(main, bindings.REPLOptions{Colors: opts.Colors})
	// Wait until the isolate has booted, so that the first prompt (and
	// .ps) finds it running.
	if _, err := r.sess.EvalFile(context.Background(), "<repl-start>", "undefined"); err != nil {
		r.hold()
		_ = r.host.Shutdown(context.Background())
		return nil, err
	}
	signal.Notify(r.sigs, os.Interrupt)

	if opts.Interactive {
		r.line = liner.NewLiner()
		r.line.SetCtrlCAborts(true)
		r.line.SetTabCompletionStyle(liner.TabPrints)
		r.line.SetWordCompleter(r.complete)
		if opts.HistoryFile != "" {
			if f, err := os.Open(opts.HistoryFile); err == nil {
				_, _ = r.line.ReadHistory(f)
				_ = f.Close()
			}
		}
		r.lines = newLinerSource(r.line, r.con)
		fmt.Fprintf(r.out, "Welcome to isobox %s.\nType \".help\" for more information.\n", opts.Version)
	} else {
		in := opts.Stdin
		if in == nil {
			in = strings.NewReader("")
		}
		r.lines = newReaderSource(in)
	}
	return r, nil
}

// close saves the history, restores the terminal and kills every isolate.
func (r *repl) close() {
	signal.Stop(r.sigs)
	r.lines.close()
	if r.line != nil {
		if r.opts.HistoryFile != "" {
			if f, err := os.Create(r.opts.HistoryFile); err == nil {
				_, _ = r.line.WriteHistory(f)
				_ = f.Close()
			}
		}
		_ = r.line.Close()
	}
	r.hold()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.host.Shutdown(ctx)
}

// Prompts.
const (
	promptMain = "> "
	promptMore = "... "
)

// loop reads inputs and runs them until the REPL ends.
func (r *repl) loop() int {
	var buf []string // the lines of an incomplete input
	for {
		prompt := promptMain
		if len(buf) > 0 {
			prompt = promptMore
		}
		r.lines.request(prompt)
		var res lineResult
	wait:
		for {
			select {
			case res = <-r.lines.results():
				break wait
			case code := <-r.exits:
				return code
			case <-r.main.Done():
				return r.mainEnded()
			case <-r.sigs:
				// At a liner prompt Ctrl-C is a key, not a signal: this is
				// a pipe, or a signal sent from outside.
				if !r.opts.Interactive {
					return 130
				}
				r.main.InterruptTask()
			}
		}
		switch {
		case errors.Is(res.err, liner.ErrPromptAborted):
			buf = buf[:0]
			r.main.InterruptTask() // unstick a busy timer, if any
			continue
		case errors.Is(res.err, io.EOF):
			if len(buf) > 0 && !r.opts.Interactive {
				if code, done := r.eval(strings.Join(buf, "\n")); done {
					return code
				}
			}
			if r.opts.Interactive {
				fmt.Fprintln(r.out)
			}
			return exitOK
		case res.err != nil:
			fmt.Fprintln(r.errw, "isobox: reading input:", res.err)
			return exitError
		}
		text := res.line
		if r.line != nil && strings.TrimSpace(text) != "" {
			r.line.AppendHistory(text)
		}
		if len(buf) == 0 {
			trimmed := strings.TrimSpace(text)
			if trimmed == "" {
				continue
			}
			if isCommand(trimmed) {
				if code, done := r.command(trimmed); done {
					return code
				}
				continue
			}
		}
		buf = append(buf, text)
		input := strings.Join(buf, "\n")
		if bindings.Incomplete(input) {
			continue
		}
		buf = buf[:0]
		if code, done := r.eval(input); done {
			return code
		}
	}
}

// mainEnded reports why the main isolate ended and returns the exit code.
func (r *repl) mainEnded() int {
	select {
	case code := <-r.exits:
		return code
	default:
	}
	err := r.main.Err()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(r.errw, "isobox: the REPL's main isolate ended:", err)
	return exitError
}

// eval evaluates one input and prints its result. Ctrl-C interrupts it.
// done is true when the REPL must end with code.
func (r *repl) eval(code string) (exit int, done bool) {
	return r.evalWith(func(ctx context.Context) (bindings.EvalResult, error) {
		return r.sess.Eval(ctx, code)
	})
}

func (r *repl) evalWith(fn func(context.Context) (bindings.EvalResult, error)) (exit int, done bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type outcome struct {
		res bindings.EvalResult
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		res, err := fn(ctx)
		ch <- outcome{res, err}
	}()
	for {
		select {
		case o := <-ch:
			switch {
			case o.err == nil:
				r.print(o.res)
			case errors.Is(o.err, context.Canceled):
				// Interrupted while awaiting: the promise is abandoned.
				fmt.Fprint(r.out, bindings.FormatError(&engine.ScriptError{Name: "Error", Message: "Script execution interrupted"}))
			default:
				select {
				case <-r.main.Done():
					return r.mainEnded(), true
				default:
				}
				fmt.Fprintln(r.out, "isobox:", o.err)
			}
			return 0, false
		case code := <-r.exits:
			return code, true
		case <-r.sigs:
			if !r.main.InterruptTask() {
				cancel() // nothing running: it is awaiting
			}
		}
	}
}

// print shows an evaluation result the way Node's REPL does.
func (r *repl) print(res bindings.EvalResult) {
	switch {
	case res.Err != nil:
		fmt.Fprint(r.out, bindings.FormatError(res.Err))
	case res.Undefined:
		// Node prints undefined dim; without a terminal we skip it.
		if r.opts.Interactive {
			if r.opts.Colors {
				fmt.Fprintln(r.out, "\033[90mundefined\033[39m")
			} else {
				fmt.Fprintln(r.out, "undefined")
			}
		}
	default:
		fmt.Fprintln(r.out, res.Text)
	}
}

// complete is liner's word completer: pos counts runes.
func (r *repl) complete(line string, pos int) (head string, completions []string, tail string) {
	runes := []rune(line)
	if pos > len(runes) {
		pos = len(runes)
	}
	before, after := string(runes[:pos]), string(runes[pos:])
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	start, cands := r.sess.Complete(ctx, before)
	if !utf8.ValidString(before[:start]) {
		return before, nil, after
	}
	return before[:start], cands, after
}

// lineResult is one line read, or the error that ended reading.
type lineResult struct {
	line string
	err  error
}

// lineSource reads lines on its own goroutine, one per request, so the
// loop can wait for a line, an exit and a signal at once.
type lineSource interface {
	request(prompt string)
	results() <-chan lineResult
	// close ends the goroutine once it is idle; no request may follow.
	close()
}

// linerSource reads with liner on a terminal.
type linerSource struct {
	prompts chan string
	out     chan lineResult
}

func newLinerSource(st *liner.State, con *console) *linerSource {
	l := &linerSource{prompts: make(chan string, 1), out: make(chan lineResult, 1)}
	go func() {
		for p := range l.prompts {
			con.setPrompting(true)
			s, err := st.Prompt(p)
			con.setPrompting(false)
			l.out <- lineResult{s, err}
		}
	}()
	return l
}

func (l *linerSource) request(prompt string)      { l.prompts <- prompt }
func (l *linerSource) results() <-chan lineResult { return l.out }
func (l *linerSource) close()                     { close(l.prompts) }

// readerSource reads lines from a pipe or file with bufio: no prompt, no
// escape codes, and lines of any length.
type readerSource struct {
	prompts chan string
	out     chan lineResult
}

func newReaderSource(in io.Reader) *readerSource {
	l := &readerSource{prompts: make(chan string, 1), out: make(chan lineResult, 1)}
	br := bufio.NewReaderSize(in, 64<<10)
	go func() {
		for range l.prompts {
			s, err := br.ReadString('\n')
			if err != nil && s != "" {
				err = nil // the last line has no newline
			}
			s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
			l.out <- lineResult{s, err}
			if err != nil {
				return
			}
		}
	}()
	return l
}

func (l *readerSource) request(string)             { l.prompts <- "" }
func (l *readerSource) results() <-chan lineResult { return l.out }
func (l *readerSource) close()                     { close(l.prompts) }
