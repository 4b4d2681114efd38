package bindings

import (
	"bufio"
	"io"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/bindings/inspect"
	"github.com/isobox/isobox/engine"
)

// console returns the console object: log/info/debug print to stdout,
// warn/error to stderr, formatted like Node's util.format.
func (e *env) console() goja.Value {
	o := e.vm.NewObject()
	printer := func(w func() io.Writer) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			line := inspect.Format(e.vm, c.Arguments, e.cfg.Colors) + "\n"
			_, _ = io.WriteString(w(), line)
			return goja.Undefined()
		}
	}
	out := printer(e.iso.Stdout)
	errw := printer(e.iso.Stderr)
	for _, n := range []string{"log", "info", "debug", "trace"} {
		e.method(o, n, out)
	}
	for _, n := range []string{"warn", "error"} {
		e.method(o, n, errw)
	}
	return o
}

// stream returns a {write, writeln} object over w.
func (e *env) stream(w io.Writer) goja.Value {
	o := e.vm.NewObject()
	text := func(c goja.FunctionCall) string {
		if len(c.Arguments) == 0 {
			return ""
		}
		v := c.Argument(0)
		if s, ok := v.Export().(string); ok {
			return s
		}
		return inspect.Inspect(e.vm, v, inspect.Options{})
	}
	e.method(o, "write", func(c goja.FunctionCall) goja.Value {
		_, _ = io.WriteString(w, text(c))
		return goja.Undefined()
	})
	e.method(o, "writeln", func(c goja.FunctionCall) goja.Value {
		_, _ = io.WriteString(w, text(c)+"\n")
		return goja.Undefined()
	})
	return o
}

// structuredClone(value, {transfer}) runs the same clone as a send. Its
// second argument is only ever an options object, as in HTML: an array
// there is a dictionary without a transfer member.
func (e *env) structuredClone(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) == 0 {
		e.typeError("structuredClone: 1 argument required, but only 0 present")
	}
	m, err := e.iso.Clone(c.Argument(0), e.optionsTransfer(c.Argument(1), "structuredClone"))
	if err != nil {
		e.throw(err)
	}
	v, err := e.iso.Value(m)
	if err != nil {
		e.throw(err)
	}
	return v
}

// exit(code) ends the process through Config.Exit, then stops the isolate
// at once.
func (e *env) exit(c goja.FunctionCall) goja.Value {
	code := 0
	if a := c.Argument(0); !isNullish(a) {
		f := a.ToFloat()
		if f == f && f >= -1<<31 && f <= 1<<31 {
			code = int(f)
		}
	}
	if e.cfg.Exit != nil {
		e.cfg.Exit(code)
	}
	e.iso.Exit()
	return goja.Undefined()
}

// hostObject returns the `host` global: one method per granted host
// function.
func (e *env) hostObject() goja.Value {
	o := e.vm.NewObject()
	for _, name := range e.iso.Capabilities().Funcs {
		name := name
		if _, ok := e.iso.Host().Func(name); !ok {
			continue
		}
		e.method(o, name, func(c goja.FunctionCall) goja.Value {
			args := make([]any, len(c.Arguments))
			for i, a := range c.Arguments {
				m, err := e.iso.Clone(a, nil)
				if err != nil {
					e.throw(err)
				}
				if args[i], err = m.ToGo(); err != nil {
					e.throw(err)
				}
			}
			res, err := e.iso.CallHost(name, args)
			if err != nil {
				e.throw(err)
			}
			m, err := engine.MessageFromGo(res)
			if err != nil {
				e.throw(err)
			}
			v, err := e.iso.Value(m)
			if err != nil {
				e.throw(err)
			}
			return v
		})
	}
	return o
}

// lineReader reads lines from the process stdin for any isolate granted
// it. One goroutine reads at a time; EOF is sticky.
type lineReader struct {
	mu  sync.Mutex
	r   *bufio.Reader
	eof bool
}

func newLineReader(r io.Reader) *lineReader {
	if r == nil {
		r = strings.NewReader("")
	}
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// readLine returns the next line without its newline; ok is false at EOF.
// It blocks, so it is called from its own goroutine.
func (l *lineReader) readLine() (line string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.eof {
		return "", false
	}
	s, err := l.r.ReadString('\n')
	if err != nil {
		l.eof = true
		if s == "" {
			return "", false
		}
	}
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return s, true
}

// stdinObject returns {first, readLine()}. Each read holds the isolate
// alive until the line (or EOF) arrives.
func (e *env) stdinObject() goja.Value {
	o := e.vm.NewObject()
	read := func() goja.Value {
		p, resolve, _ := e.promise()
		release := e.iso.Hold()
		go func() {
			line, ok := e.stdin.readLine()
			e.iso.Post(func() error {
				if ok {
					resolve(e.vm.ToValue(line))
				} else {
					resolve(goja.Null())
				}
				return nil
			})
			release()
		}()
		return p
	}
	var first goja.Value
	e.getter(o, "first", func(goja.FunctionCall) goja.Value {
		if first == nil {
			first = read()
		}
		return first
	})
	e.method(o, "readLine", func(goja.FunctionCall) goja.Value { return read() })
	return o
}
