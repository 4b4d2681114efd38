// Command isobox runs JavaScript isolates: a script file, code given with
// -e or on stdin, or an interactive REPL.
//
//	isobox FILE [ARGS...]       run FILE in the main isolate (also: isobox run FILE)
//	isobox -e CODE [ARGS...]    run CODE
//	isobox - [ARGS...]          run the script read from stdin
//	isobox [repl]               start the REPL (no arguments: only on a terminal)
//	isobox types                print types/isobox.d.ts
//
// main only parses the command line and wires the engine, the bindings and
// the REPL together; the behaviour lives in those packages.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
	"github.com/isobox/isobox/repl"
)

// typesDecl is types/isobox.d.ts, printed by "isobox types".
//
//go:embed types/isobox.d.ts
var typesDecl string

// version is the isobox version; release builds set it with
// -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `isobox runs JavaScript in isolates: each one a VM on its own goroutine,
talking to the others only through ports.

Usage:
  isobox FILE [ARGS...]       run a script in the main isolate; ARGS become the global args
  isobox run FILE [ARGS...]   the same
  isobox -e CODE [ARGS...]    run CODE
  isobox - [ARGS...]          run the script read from stdin
  isobox repl                 start the interactive REPL
  isobox types                print TypeScript declarations of the isolate globals
  isobox                      start the REPL on a terminal, or run stdin as a script

Options:
  -e, --eval CODE   evaluate CODE
  -h, --help        show this help
  -v, --version     print the version

Limits (before the command; NAME is maxStackDepth (at most 50000),
maxTaskMs, maxTaskWallMs, cpuMs, memoryMb, maxQueue, maxMessageBytes or
maxTimers; maxTaskMs and cpuMs count CPU time, maxTaskWallMs wall time):
  --limit NAME=N         a limit of the main isolate; the isolates it spawns
                         never get more
  --child-limit NAME=N   the default for every isolate that does not set NAME
                         itself (the main isolate too, unless --limit sets it)
  --max-isolates N       live isolates at most (default 10000)
  --max-running N        isolates running JS at once at most; the others wait
                         their turn in order (default: no cap)
  --host-memory-mb N     stop the isolate holding the most memory when the
                         heap passes N MB (default: a quarter of RAM; -1: off)

Modules (before the command):
  --module-cache DIR     keep built module and TypeScript graphs in DIR too,
                         so that the next run does not bundle them again
                         (checked against every source file's SHA-256)

Process isolates (before the command):
  --process              run the main script, and the isolates it spawns, in
                         a worker process: this process runs no script code
                         and only supervises; memoryMb is then a hard limit,
                         and a crash takes only the worker

Exit status: 0 when the main isolate ends, 1 on an uncaught error, n after
exit(n), 2 on a usage error, 130 after Ctrl-C.
In the REPL, type .help for its commands.
ISOBOX_DEBUG=1 writes the Go stack of an internal error to stderr.
`

// Exit codes.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitInterrupt = 130
)

func main() {
	// A worker process for process isolates runs here and never returns.
	// Its stdin is the terminal only in the main isolate's worker of
	// --process (engine.WithWorkerStdin); elsewhere it is /dev/null.
	engine.WorkerMain(engine.WithSetup(bindings.Setup(bindings.Config{Stdin: os.Stdin})))
	engine.EnsureProcs()
	os.Exit(run(os.Args[1:]))
}

// cliLimits are the limit options given before the command.
var cliLimits struct {
	main, child  Limits
	host         []engine.HostOption
	hostMemoryMb int64 // --host-memory-mb; 0: the default ceiling
	process      bool  // --process: the main isolate and every spawn in worker processes
}

// Limits is engine.Limits, named here for the flag parser.
type Limits = engine.Limits

// limitField returns the field of l that a JS limit name denotes.
func limitField(l *Limits, name string) (set func(int64), ok bool) {
	switch name {
	case "maxStackDepth":
		return func(v int64) { l.MaxStackDepth = int(v) }, true
	case "maxTaskMs":
		return func(v int64) { l.MaxTaskMs = v }, true
	case "maxTaskWallMs":
		return func(v int64) { l.MaxTaskWallMs = v }, true
	case "cpuMs":
		return func(v int64) { l.CPUMs = v }, true
	case "memoryMb":
		return func(v int64) { l.MemoryMb = v }, true
	case "maxQueue":
		return func(v int64) { l.MaxQueue = int(v) }, true
	case "maxMessageBytes":
		return func(v int64) { l.MaxMessageBytes = v }, true
	case "maxTimers":
		return func(v int64) { l.MaxTimers = int(v) }, true
	}
	return nil, false
}

// parseLimitFlags consumes the limit options at the front of args and
// returns the rest, or an error message.
func parseLimitFlags(args []string) ([]string, string) {
	for len(args) > 0 {
		name, val, hasVal := strings.Cut(args[0], "=")
		switch name {
		case "--limit", "--child-limit", "--max-isolates", "--host-memory-mb", "--max-running", "--module-cache":
		case "--process":
			if hasVal {
				return nil, "--process takes no value"
			}
			cliLimits.process = true
			cliLimits.host = append(cliLimits.host, engine.WithWorkerStdin(os.Stdin))
			args = args[1:]
			continue
		default:
			return args, ""
		}
		if !hasVal || name == "--limit" || name == "--child-limit" {
			if name == "--limit" || name == "--child-limit" {
				if hasVal { // --limit=NAME=N
					val = strings.SplitN(args[0], "=", 2)[1]
				} else {
					if len(args) < 2 {
						return nil, name + " needs NAME=N"
					}
					val = args[1]
					args = args[1:]
				}
			} else {
				if len(args) < 2 {
					return nil, name + " needs N"
				}
				val = args[1]
				args = args[1:]
			}
		}
		args = args[1:]
		switch name {
		case "--limit", "--child-limit":
			k, v, ok := strings.Cut(val, "=")
			n, err := strconv.ParseInt(v, 10, 64)
			l := &cliLimits.main
			if name == "--child-limit" {
				l = &cliLimits.child
			}
			set, known := limitField(l, k)
			if !ok || err != nil || n < 0 || !known {
				return nil, fmt.Sprintf("%s %s: want NAME=N with N >= 0 and NAME one of maxStackDepth, maxTaskMs, maxTaskWallMs, cpuMs, memoryMb, maxQueue, maxMessageBytes, maxTimers", name, val)
			}
			// Accepted is safe: a value the process cannot survive (a
			// maxStackDepth whose recursion overflows Go's stack) is a
			// usage error naming the maximum.
			if max, _ := engine.LimitMax(k); n > max {
				return nil, fmt.Sprintf("%s %s: %s is at most %d", name, val, k, max)
			}
			set(n)
		case "--max-isolates":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return nil, "--max-isolates needs a positive N"
			}
			cliLimits.host = append(cliLimits.host, engine.WithMaxIsolates(n))
		case "--max-running":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return nil, "--max-running needs a positive N"
			}
			cliLimits.host = append(cliLimits.host, engine.WithMaxRunning(n))
		case "--module-cache":
			if val == "" {
				return nil, "--module-cache needs a directory"
			}
			cliLimits.host = append(cliLimits.host, engine.WithModuleCache(val))
		case "--host-memory-mb":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n == 0 {
				return nil, "--host-memory-mb needs N > 0, or -1 for no ceiling"
			}
			cliLimits.host = append(cliLimits.host, engine.WithMemoryLimit(n))
			cliLimits.hostMemoryMb = n
		}
	}
	return args, ""
}

// run parses the command line and returns the exit code.
func run(args []string) int {
	args, msg := parseLimitFlags(args)
	if msg != "" {
		return usageError(msg)
	}
	cliLimits.host = append(cliLimits.host, engine.WithDefaultLimits(cliLimits.child))
	// GOGC 400 with a soft memory limit under the host ceiling: CPU-bound
	// isolates otherwise share their cores with the collector.
	defer engine.TuneGC(cliLimits.hostMemoryMb)()
	if len(args) == 0 {
		if isTerminal(os.Stdin) && isTerminal(os.Stdout) {
			return startREPL(nil)
		}
		return runStdin(nil)
	}
	switch a := args[0]; {
	case a == "-h" || a == "--help" || a == "help":
		fmt.Print(usage)
		return exitOK
	case a == "-v" || a == "--version" || a == "version":
		fmt.Println("isobox", version)
		return exitOK
	case a == "types":
		if len(args) > 1 {
			return usageError("types takes no arguments")
		}
		fmt.Print(typesDecl)
		return exitOK
	case a == "repl":
		if len(args) > 1 {
			return usageError("repl takes no arguments")
		}
		return startREPL(nil)
	case a == "run":
		if len(args) < 2 {
			return usageError("run needs a FILE")
		}
		return runFile(args[1], args[2:])
	case a == "-e" || a == "--eval":
		if len(args) < 2 {
			return usageError(a + " needs CODE")
		}
		return runSource(engine.ScriptSource("<eval>", args[1]), args[2:], mustGetwd())
	case strings.HasPrefix(a, "--eval="):
		return runSource(engine.ScriptSource("<eval>", strings.TrimPrefix(a, "--eval=")), args[1:], mustGetwd())
	case a == "-":
		return runStdin(args[1:])
	case a == "--":
		if len(args) < 2 {
			return usageError("-- needs a FILE")
		}
		return runFile(args[1], args[2:])
	case strings.HasPrefix(a, "-"):
		return usageError("unknown option " + a)
	default:
		return runFile(a, args[1:])
	}
}

// usageError prints a one-line hint and returns the usage exit code.
func usageError(msg string) int {
	fmt.Fprintf(os.Stderr, "isobox: %s (see 'isobox --help')\n", msg)
	return exitUsage
}

func runFile(path string, args []string) int {
	var b []byte
	_, err := os.Stat(path)
	if err == nil && !engine.IsModulePath(path) {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "isobox: cannot find file %s\n", path)
		} else {
			fmt.Fprintf(os.Stderr, "isobox: cannot read %s: %v\n", path, err)
		}
		return exitError
	}
	if engine.IsModulePath(path) {
		return runSource(engine.ModuleSource(path), args, filepath.Dir(path))
	}
	return runSource(engine.ScriptSource(path, string(b)), args, filepath.Dir(path))
}

func runStdin(args []string) int {
	b, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "isobox: cannot read stdin: %v\n", err)
		return exitError
	}
	return runSource(engine.ScriptSource("<stdin>", string(b)), args, mustGetwd())
}

// runSource runs src in the main isolate and returns the exit code. When
// the main isolate ends, every other isolate is killed. SIGINT kills them
// all at once, even in a busy loop.
func runSource(src engine.Source, args []string, dir string) int {
	if strings.HasPrefix(src.Code, "#!") { // keep line numbers
		src.Code = "//" + src.Code[2:]
	}
	if args == nil {
		args = []string{}
	}
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)

	var code atomic.Int32
	var exited atomic.Bool
	host := engine.NewHost(append([]engine.HostOption{engine.WithSetup(bindings.Setup(bindings.Config{
		Stdin:  os.Stdin,
		Exit:   func(c int) { code.Store(int32(c)); exited.Store(true) },
		Colors: colors(os.Stdout),
	})), debugLog()}, cliLimits.host...)...)
	defer shutdown(host)
	spawnOpts := []engine.SpawnOption{engine.WithName("main"), engine.WithLimits(cliLimits.main), engine.WithCapabilities(engine.Capabilities{
		Stdin: true, Exit: true, Args: args, ReadRoots: []string{dir},
	})}
	if cliLimits.process {
		// This process runs no script code: it only supervises.
		spawnOpts = append(spawnOpts, engine.WithProcess(""))
	}
	main, err := host.Spawn(src, spawnOpts...)
	if err != nil {
		var se *engine.ScriptError
		if errors.As(err, &se) {
			fmt.Fprintln(os.Stderr, bindings.FormatSyntaxError(se))
		} else {
			fmt.Fprintln(os.Stderr, "isobox:", strings.TrimPrefix(err.Error(), "engine: "))
		}
		return exitError
	}
	select {
	case <-main.Done():
	case <-interrupts:
		main.Kill(engine.Immediate)
		host.KillAll(engine.Immediate)
		return exitInterrupt
	}
	if exited.Load() {
		return int(code.Load())
	}
	if c, ok := main.ExitCode(); ok { // exit(code) in a worker process
		return c
	}
	err = main.Err()
	var se *engine.ScriptError
	switch {
	case err == nil || errors.Is(err, engine.ErrKilled):
		return exitOK
	case errors.As(err, &se):
		fmt.Fprint(os.Stderr, bindings.FormatError(se))
	default:
		fmt.Fprintln(os.Stderr, "isobox:", err)
	}
	return exitError
}

func startREPL(args []string) int {
	hist := os.Getenv("ISOBOX_HISTORY")
	if hist == "" {
		if home, err := os.UserHomeDir(); err == nil {
			hist = filepath.Join(home, ".isobox_history")
		}
	}
	interactive := isTerminal(os.Stdin) && isTerminal(os.Stdout)
	return repl.Run(repl.Options{
		Stdin:       os.Stdin,
		Stdout:      os.Stdout,
		Stderr:      os.Stderr,
		Interactive: interactive,
		Colors:      interactive && colors(os.Stdout),
		HistoryFile: hist,
		Args:        args,
		Dir:         mustGetwd(),
		Version:     version,
		Host:        append(cliLimits.host, debugLog()),
		Limits:      cliLimits.main,
	})
}

// debugLog sends the host's debug log (the Go stacks of recovered panics)
// to stderr when ISOBOX_DEBUG is set; scripts never see it.
func debugLog() engine.HostOption {
	if os.Getenv("ISOBOX_DEBUG") == "" {
		return engine.WithDebugLog(nil)
	}
	return engine.WithDebugLog(os.Stderr)
}

// shutdown kills every isolate and waits a little for their goroutines.
func shutdown(host *engine.Host) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = host.Shutdown(ctx)
}

func mustGetwd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// colors reports whether output to f should use ANSI colors.
func colors(f *os.File) bool {
	return isTerminal(f) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}
