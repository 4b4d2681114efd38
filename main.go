// Command isobox runs JavaScript isolates: a script file, or an
// interactive REPL.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) < 1 {
		fmt.Fprintln(os.Stderr, "usage: isobox FILE [ARGS...]")
		return 2
	}
	file := args[0]
	src, err := engine.FileSource(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "isobox:", err)
		return 1
	}
	var code atomic.Int32
	var exited atomic.Bool
	host := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{
		Stdin: os.Stdin,
		Exit:  func(c int) { code.Store(int32(c)); exited.Store(true) },
	})))
	dir, _ := filepath.Abs(filepath.Dir(file))
	abs, _ := filepath.Abs(file)
	src.Filename = abs
	iso, err := host.Spawn(src, engine.WithName("main"), engine.WithCapabilities(engine.Capabilities{
		Stdin: true, Exit: true, Args: args[1:], ReadRoots: []string{dir},
	}))
	if err != nil {
		fmt.Fprintln(os.Stderr, "isobox:", err)
		return 1
	}
	err = iso.Wait(context.Background())
	_ = host.Shutdown(context.Background())
	if exited.Load() {
		return int(code.Load())
	}
	if err != nil {
		var se *engine.ScriptError
		if errors.As(err, &se) {
			fmt.Fprintf(os.Stderr, "Uncaught %s\n", se.Stack)
		} else {
			fmt.Fprintln(os.Stderr, "isobox:", err)
		}
		return 1
	}
	return 0
}
