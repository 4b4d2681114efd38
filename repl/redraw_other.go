//go:build !unix

package repl

// raiseWinch does nothing where there is no SIGWINCH; output printed
// while the prompt is active then leaves the prompt to be redrawn by the
// next key press.
func raiseWinch() {}
