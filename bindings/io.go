package bindings

import (
	"bufio"
	"io"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// toText converts what stdout.write is given to text as Dart's
// write(Object?) does, by calling its toString: a string is itself, null
// and undefined are "null" and "undefined", a symbol is "Symbol(desc)", and
// an object goes through JS's ToString (its toString method, then
// valueOf). A toString that throws throws into the caller. Loop only.
func (e *env) toText(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if sym, ok := v.(*goja.Symbol); ok {
		return "Symbol(" + sym.String() + ")"
	}
	if obj, ok := v.(*goja.Object); ok {
		return e.toText(e.toPrimitiveString(obj))
	}
	return v.String()
}

// toPrimitiveString is JS's ToPrimitive(obj, "string"): obj[Symbol.
// toPrimitive]("string") if it has one, else the first of toString and
// valueOf that returns a primitive. It is written out here because goja's
// own conversion names a Go type in its TypeError. Loop only.
func (e *env) toPrimitiveString(obj *goja.Object) goja.Value {
	if m := obj.GetSymbol(goja.SymToPrimitive); !isNullish(m) {
		f, ok := goja.AssertFunction(m)
		if !ok {
			e.typeError("Symbol.toPrimitive is not a function")
		}
		r, err := f(obj, e.vm.ToValue("string"))
		if err != nil {
			e.throw(err)
		}
		if _, isObj := r.(*goja.Object); isObj {
			e.typeError("Cannot convert object to primitive value")
		}
		return r
	}
	for _, name := range []string{"toString", "valueOf"} {
		f, ok := goja.AssertFunction(obj.Get(name))
		if !ok {
			continue
		}
		r, err := f(obj)
		if err != nil {
			e.throw(err)
		}
		if _, isObj := r.(*goja.Object); !isObj {
			return r
		}
	}
	e.typeError("Cannot convert object to primitive value")
	return nil
}

// stream returns the {write, writeln} object named name over w: write(x)
// writes x's text (see toText), writeln(x) that and a newline.
func (e *env) stream(name string, w io.Writer) goja.Value {
	o := e.vm.NewObject()
	e.own(o, name)
	text := func(c goja.FunctionCall) string {
		if len(c.Arguments) == 0 {
			return ""
		}
		return e.toText(c.Argument(0))
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
	list := e.optionsTransfer(c.Argument(1), "structuredClone")
	if e.hasPort(list) {
		return e.cloneWithPorts(c.Argument(0), list) // messaging.go
	}
	m, err := e.iso.Clone(c.Argument(0), list)
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
	e.iso.SetExitCode(code)
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
	e.own(o, "host")
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
// it. Reads are served one at a time, in the order they were asked for, by
// a single goroutine that runs while requests are queued; EOF is sticky.
type lineReader struct {
	r *bufio.Reader // read only by the serving goroutine

	mu      sync.Mutex
	queue   []func(line string, ok bool) // waiting requests, oldest first
	serving bool                         // a goroutine is draining queue
	eof     bool
}

func newLineReader(r io.Reader) *lineReader {
	if r == nil {
		r = strings.NewReader("")
	}
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// request queues a read: deliver is called with the next unread line
// (without its newline), or with ok false at EOF, from the reader's
// goroutine, after every earlier request got its line. Any goroutine.
func (l *lineReader) request(deliver func(line string, ok bool)) {
	l.mu.Lock()
	l.queue = append(l.queue, deliver)
	if l.serving {
		l.mu.Unlock()
		return
	}
	l.serving = true
	l.mu.Unlock()
	go l.serve()
}

// serve answers queued requests in order until none is left. Exactly one
// serve runs at a time.
func (l *lineReader) serve() {
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.serving = false
			l.mu.Unlock()
			return
		}
		deliver := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		eof := l.eof
		l.mu.Unlock()
		line, ok := "", false
		if !eof {
			line, ok = l.readLine()
		}
		deliver(line, ok)
	}
}

// readLine reads the next line; ok is false at EOF. It blocks. Only serve
// calls it.
func (l *lineReader) readLine() (line string, ok bool) {
	s, err := l.r.ReadString('\n')
	if err != nil {
		l.mu.Lock()
		l.eof = true
		l.mu.Unlock()
		if s == "" {
			return "", false
		}
	}
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return s, true
}

// stdinObject returns {first, readLine()}. Each read holds the isolate
// alive until the line (or EOF) arrives; reads resolve in the order they
// were made.
func (e *env) stdinObject() goja.Value {
	o := e.vm.NewObject()
	e.own(o, "stdin")
	read := func() goja.Value {
		p, resolve, _ := e.promise()
		release := e.iso.Hold()
		e.stdin.request(func(line string, ok bool) {
			// Posted in request order, so the promises settle in order.
			e.iso.Post(func() error {
				if ok {
					resolve(e.vm.ToValue(line))
				} else {
					resolve(goja.Null())
				}
				return nil
			})
			release()
		})
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
