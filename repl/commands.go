package repl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// command is a dot command: .name followed by its arguments.
type command struct {
	name  string
	usage string
	help  string
	run   func(r *repl, args []string, rest string) (exit int, done bool)
}

// commandList returns the dot commands in the order .help lists them.
func commandList() []command {
	return []command{
		{"help", ".help", "show this list", (*repl).cmdHelp},
		{"ps", ".ps", "list live isolates: id, name, state, uptime, queued messages, messages in/out, timers, CPU time; pid and RSS of process isolates", (*repl).cmdPs},
		{"spawn", ".spawn FILE [NAME]", "run a script file in a new isolate (its main(), if any, is called)", (*repl).cmdSpawn},
		{"kill", ".kill ID|NAME [--now]", "kill an isolate before its next event, or at once with --now", (*repl).cmdKill},
		{"send", ".send ID|NAME JSON", "send a JSON value to the isolate's default port", (*repl).cmdSend},
		{"load", ".load FILE", "evaluate a file in the REPL's main isolate", (*repl).cmdLoad},
		{"exit", ".exit", "leave the REPL (also Ctrl-D on an empty line)", (*repl).cmdExit},
	}
}

// isCommand reports whether a line is a dot command rather than JS (".5"
// is a number).
func isCommand(line string) bool {
	return len(line) > 1 && line[0] == '.' && (line[1] >= 'a' && line[1] <= 'z' || line[1] >= 'A' && line[1] <= 'Z')
}

// command runs a dot command line.
func (r *repl) command(line string) (exit int, done bool) {
	name, rest, _ := strings.Cut(strings.TrimPrefix(line, "."), " ")
	rest = strings.TrimSpace(rest)
	for _, c := range commandList() {
		if c.name == name {
			return c.run(r, strings.Fields(rest), rest)
		}
	}
	fmt.Fprintf(r.out, "Invalid REPL keyword .%s (type .help for the list)\n", name)
	return 0, false
}

func (r *repl) cmdHelp([]string, string) (int, bool) {
	w := tabwriter.NewWriter(r.out, 0, 0, 3, ' ', 0)
	for _, c := range commandList() {
		fmt.Fprintf(w, "%s\t%s\n", c.usage, c.help)
	}
	_ = w.Flush()
	fmt.Fprintln(r.out, "\nPress Ctrl-C to interrupt running code or clear the line, Ctrl-D to exit.")
	fmt.Fprintln(r.out, "Top-level await works; _ holds the last result.")
	return 0, false
}

func (r *repl) cmdExit([]string, string) (int, bool) { return exitOK, true }

// cmdPs prints a table of the live isolates.
func (r *repl) cmdPs([]string, string) (int, bool) {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	stats := r.host.Stats()
	procs := false
	for _, s := range stats {
		procs = procs || s.Pid != 0
	}
	head := "ID\tNAME\tSTATE\tUPTIME\tQUEUED\tIN\tOUT\tTIMERS\tCPU"
	if procs {
		head += "\tPID\tRSS"
	}
	fmt.Fprintln(w, head)
	for _, s := range stats {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s",
			s.ID, s.Name, s.State, roundDuration(s.Uptime, 100*time.Millisecond),
			s.Queued, s.MsgsIn, s.MsgsOut, s.Timers, roundDuration(s.CPUTime, time.Millisecond))
		if procs && s.Pid != 0 {
			fmt.Fprintf(w, "\t%d\t%.1f MB", s.Pid, float64(s.RSS)/(1<<20))
		} else if procs {
			fmt.Fprint(w, "\t-\t-")
		}
		fmt.Fprintln(w)
	}
	_ = w.Flush()
	fmt.Fprint(r.out, b.String())
	return 0, false
}

func roundDuration(d, to time.Duration) string {
	if d < to {
		return "0s"
	}
	return d.Round(to).String()
}

// cmdSpawn runs a script file in a new isolate that may read the file's
// directory. Its uncaught error, if any, is printed when it dies.
func (r *repl) cmdSpawn(args []string, _ string) (int, bool) {
	if len(args) < 1 || len(args) > 2 {
		fmt.Fprintln(r.out, "usage: .spawn FILE [NAME]")
		return 0, false
	}
	path := args[0]
	opts := []engine.SpawnOption{
		engine.WithEntry("main"),
		engine.WithCapabilities(engine.Capabilities{ReadRoots: []string{filepath.Dir(path)}}),
	}
	if len(args) == 2 {
		opts = append(opts, engine.WithName(args[1]))
	}
	iso, err := r.host.SpawnFile(path, opts...)
	if err != nil {
		r.printSpawnError(path, err)
		return 0, false
	}
	iso.OnDone(func(err error) {
		var se *engine.ScriptError
		if errors.As(err, &se) {
			fmt.Fprintf(r.errw, "[%d %s] %s", iso.ID(), iso.Name(), bindings.FormatError(se))
		}
	})
	// Wait for the entry to run, so that a .send right after .spawn finds
	// the port the script opens at its top level. A script whose entry
	// runs long is reported as starting; Ctrl-C stops the wait.
	timer := time.NewTimer(readyWait)
	defer timer.Stop()
	select {
	case <-iso.Ready():
		fmt.Fprintf(r.out, "spawned %d %s\n", iso.ID(), iso.Name())
	case <-timer.C:
		fmt.Fprintf(r.out, "spawned %d %s (its entry is still running)\n", iso.ID(), iso.Name())
	case <-r.sigs:
		fmt.Fprintf(r.out, "spawned %d %s (its entry is still running)\n", iso.ID(), iso.Name())
	}
	return 0, false
}

// readyWait is how long .spawn and .send wait for an isolate's entry to run.
const readyWait = 2 * time.Second

func (r *repl) printSpawnError(path string, err error) {
	var se *engine.ScriptError
	switch {
	case errors.As(err, &se):
		fmt.Fprintln(r.out, bindings.FormatSyntaxError(se))
	case errors.Is(err, engine.ErrNotFound):
		fmt.Fprintf(r.out, "cannot find file %s\n", path)
	default:
		fmt.Fprintln(r.out, strings.TrimPrefix(err.Error(), "engine: "))
	}
}

// lookup finds an isolate by id or name and says so when it cannot.
func (r *repl) lookup(idOrName string) (*engine.Isolate, bool) {
	iso, ok := r.host.Lookup(idOrName)
	if !ok {
		fmt.Fprintf(r.out, "no isolate %s (see .ps)\n", idOrName)
	}
	return iso, ok
}

// killWait is how long .kill waits to report that the isolate is gone.
const killWait = 5 * time.Second

// cmdKill kills an isolate (beforeNextEvent, or immediate with --now) and
// waits a moment to report that it is gone.
func (r *repl) cmdKill(args []string, _ string) (int, bool) {
	var target string
	prio := engine.BeforeNextEvent
	for _, a := range args {
		switch {
		case a == "--now":
			prio = engine.Immediate
		case target == "":
			target = a
		default:
			target = "" // too many
			args = nil
		}
	}
	if target == "" || len(args) == 0 {
		fmt.Fprintln(r.out, "usage: .kill ID|NAME [--now]")
		return 0, false
	}
	iso, ok := r.lookup(target)
	if !ok {
		return 0, false
	}
	if iso == r.main {
		fmt.Fprintln(r.out, "the REPL runs in isolate main; use .exit to leave")
		return 0, false
	}
	iso.Kill(prio)
	// Wait for it to go, but not forever: with beforeNextEvent, an isolate
	// busy in a long event dies only when the event ends. Ctrl-C stops
	// the wait.
	timer := time.NewTimer(killWait)
	defer timer.Stop()
	select {
	case <-iso.Done():
		fmt.Fprintf(r.out, "killed %d %s (%s)\n", iso.ID(), iso.Name(), prio)
	case <-timer.C:
		fmt.Fprintf(r.out, "kill requested for %d %s (%s): it is still in its current event (.kill %s --now stops it at once)\n", iso.ID(), iso.Name(), prio, target)
	case <-r.sigs:
		fmt.Fprintf(r.out, "kill requested for %d %s (%s)\n", iso.ID(), iso.Name(), prio)
	}
	return 0, false
}

// cmdSend sends a JSON value to an isolate's default port: the port it
// published with Isolate.publish(port), or else the first ReceivePort it
// opened (engine.Isolate.DefaultPort).
func (r *repl) cmdSend(args []string, rest string) (int, bool) {
	if len(args) < 2 {
		fmt.Fprintln(r.out, `usage: .send ID|NAME JSON   (e.g. .send worker {"n": 1})`)
		return 0, false
	}
	target := args[0]
	payload := strings.TrimSpace(strings.TrimPrefix(rest, target))
	iso, ok := r.lookup(target)
	if !ok {
		return 0, false
	}
	var v any
	if err := json.Unmarshal([]byte(payload), &v); err != nil {
		fmt.Fprintf(r.out, "invalid JSON: %v (strings need quotes: .send %s \"hi\")\n", err, target)
		return 0, false
	}
	port := iso.DefaultPort()
	if port == nil {
		// It may still be running its entry (spawned from JS a moment ago).
		timer := time.NewTimer(readyWait)
		select {
		case <-iso.Ready():
		case <-timer.C:
		case <-r.sigs:
		}
		timer.Stop()
		port = iso.DefaultPort()
	}
	if port == nil {
		fmt.Fprintf(r.out, "isolate %d %s has no default port: it must open a ReceivePort or call Isolate.publish(port)\n", iso.ID(), iso.Name())
		return 0, false
	}
	if err := port.SendValue(v); err != nil {
		fmt.Fprintln(r.out, "send failed:", strings.TrimPrefix(err.Error(), "engine: "))
		return 0, false
	}
	if port.Closed() {
		fmt.Fprintf(r.out, "isolate %d %s: its default port is closed; the message was dropped\n", iso.ID(), iso.Name())
	}
	return 0, false
}

// cmdLoad evaluates a file in the main isolate, as one input.
func (r *repl) cmdLoad(args []string, rest string) (int, bool) {
	if rest == "" {
		fmt.Fprintln(r.out, "usage: .load FILE")
		return 0, false
	}
	b, err := os.ReadFile(rest)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(r.out, "cannot find file %s\n", rest)
		} else {
			fmt.Fprintf(r.out, "cannot read %s: %v\n", rest, err)
		}
		return 0, false
	}
	// A module runs as one in the main isolate; so does a .js file whose
	// only fault as a script is module syntax (Node's detection).
	isModule := engine.IsModulePath(rest)
	return r.evalWith(func(ctx context.Context) (bindings.EvalResult, error) {
		if !isModule {
			res, err := r.sess.EvalFile(ctx, rest, string(b))
			if err != nil || res.Err == nil || res.Err.Name != "SyntaxError" || !strings.EqualFold(filepath.Ext(rest), ".js") {
				return res, err
			}
			mres, merr := r.sess.LoadModule(ctx, rest)
			if errors.Is(merr, engine.ErrNotModule) {
				return res, nil
			}
			return loadResult(mres, merr)
		}
		return loadResult(r.sess.LoadModule(ctx, rest))
	})
}

// loadResult shows a module's load failure (not found, refused) as the
// input's error; a cancelled wait or a dead isolate stay errors.
func loadResult(res bindings.EvalResult, err error) (bindings.EvalResult, error) {
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, engine.ErrKilled) {
		return bindings.EvalResult{Err: &engine.ScriptError{Name: "Error", Message: strings.TrimPrefix(err.Error(), "engine: ")}}, nil
	}
	return res, err
}
