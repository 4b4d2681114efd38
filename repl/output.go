package repl

import (
	"io"
	"sync"
)

// console serializes what the REPL and every isolate write to the
// terminal. While the prompt is active, a write first clears the prompt
// line ("\r\033[K"), so the text appears above the prompt, and then asks
// liner to redraw the prompt and the text typed so far. Liner has no API
// for that, but it redraws on SIGWINCH, so redraw raises SIGWINCH in our
// own process.
type console struct {
	mu        sync.Mutex
	prompting bool
	redraw    func()
}

// setPrompting says whether a liner prompt is on the screen.
func (c *console) setPrompting(on bool) {
	c.mu.Lock()
	c.prompting = on
	c.mu.Unlock()
}

// writer returns an io.Writer onto w that goes through the console.
func (c *console) writer(w io.Writer) io.Writer { return &consoleWriter{c: c, w: w} }

type consoleWriter struct {
	c *console
	w io.Writer
}

func (cw *consoleWriter) Write(p []byte) (int, error) {
	c := cw.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.prompting || len(p) == 0 {
		return cw.w.Write(p)
	}
	buf := make([]byte, 0, len(p)+8)
	buf = append(buf, "\r\033[K"...)
	buf = append(buf, p...)
	if p[len(p)-1] != '\n' {
		buf = append(buf, '\n') // the prompt goes on a line of its own
	}
	if _, err := cw.w.Write(buf); err != nil {
		return 0, err
	}
	if c.redraw != nil {
		c.redraw()
	}
	return len(p), nil
}
