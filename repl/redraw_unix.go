//go:build unix

package repl

import (
	"os"
	"syscall"
)

// raiseWinch makes liner redraw its prompt: it redraws on SIGWINCH.
func raiseWinch() { _ = syscall.Kill(os.Getpid(), syscall.SIGWINCH) }
