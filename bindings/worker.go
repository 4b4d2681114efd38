package bindings

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// Worker (HTML, "Web workers"): new Worker(file) spawns an isolate that
// runs the file with the same capability rules as Isolate.spawnFile, and
// the two talk with postMessage. It is built on ports: the setup message
// (engine.WithSetupMessage) gives the worker a SendPort to its parent's
// ReceivePort and one to say hello with; the hello carries the SendPort
// of the worker's own port, and what the parent posts before it arrives
// waits in a Go-side queue, so that nothing posted before the worker's
// script has run is lost. Errors come back through an error listener and
// fire an ErrorEvent at the Worker object.

// workerObj is the JS Worker.
type workerObj struct {
	targetState
	expando
	e          *env
	child      *engine.Isolate
	in         *engine.SendPort // the worker's port, once it said hello
	early      *engine.Port     // what was posted before the hello
	fromRP     *engine.ReceivePort
	helloRP    *engine.ReceivePort
	errRP      *engine.ReceivePort
	terminated bool
	dead       bool
}

// JSClassName names the class in clone errors (clone.HostObject).
func (w *workerObj) JSClassName() string { return "Worker" }

func (w *workerObj) Get(k string) goja.Value         { return w.expando.Get(k) }
func (w *workerObj) Set(k string, v goja.Value) bool { return w.expando.Set(k, v) }
func (w *workerObj) Has(k string) bool               { return w.expando.Has(k) }
func (w *workerObj) Delete(k string) bool            { return w.expando.Delete(k) }
func (w *workerObj) Keys() []string                  { return w.expando.Keys() }
func (w *workerObj) eventTarget() *targetState       { return &w.targetState }

// keepAlive: a live Worker with listeners keeps its parent alive, as an
// open ReceivePort does.
func (w *workerObj) keepAlive() {
	if w.fromRP == nil {
		return
	}
	w.fromRP.SetKeepAlive(!w.dead && !w.terminated && (w.has("message") || w.has("error") || w.has("messageerror")))
}

// shut closes the parent's ports of the worker. Loop only.
func (w *workerObj) shut() {
	for _, rp := range []*engine.ReceivePort{w.fromRP, w.helloRP, w.errRP} {
		if rp != nil {
			rp.Close()
		}
	}
	if w.early != nil {
		// Channel ends posted before the hello go nowhere now: close
		// them, so that their peers stop waiting.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for {
			m, err := w.early.Recv(ctx)
			if err != nil {
				break
			}
			for _, r := range m.HostRefs() {
				if pe, ok := r.(*engine.PortEnd); ok {
					pe.Close()
				}
			}
		}
		w.early.Close()
	}
}

// workerSpecifier turns a Worker specifier (a path, or a file: URL) into
// a path.
func (e *env) workerSpecifier(s string) string {
	if !strings.HasPrefix(strings.ToLower(s), "file:") {
		if i := strings.Index(s, ":"); i > 1 && !strings.ContainsAny(s[:i], "/\\.") {
			e.throwDOMException("NotSupportedError", "Worker: only paths and file: URLs can be loaded, not "+strconv.Quote(s))
		}
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Host != "" && u.Host != "localhost") {
		e.throwDOMException("SyntaxError", "Worker: "+strconv.Quote(s)+" is not a valid file: URL")
	}
	if u.Path == "" {
		return u.Opaque
	}
	return u.Path
}

// workerModuleSource is the source of a module worker (type: "module"):
// the same read check as a classic worker's file, then bundled as an ES
// module at spawn whatever its extension.
func (e *env) workerModuleSource(path string) engine.Source {
	src, err := e.iso.ReadModule(path)
	if err != nil {
		e.throw(err)
	}
	return src
}

func (e *env) workerClass() goja.Value {
	if c, ok := e.built("Worker"); ok {
		return c
	}
	var proto *goja.Object
	base := e.eventTargetClass().(*goja.Object)
	c, proto := e.class("Worker", func(call goja.ConstructorCall) *goja.Object {
		e.needArgs(goja.FunctionCall{Arguments: call.Arguments}, 1, "Worker")
		return e.newWorker(call, proto)
	})
	_ = proto.SetPrototype(e.protoCache["EventTarget"])
	_ = c.SetPrototype(base)
	this := func(c goja.FunctionCall, m string) *workerObj {
		return thisAs[*workerObj](e, c, "Worker", m)
	}
	e.method(proto, "postMessage", func(c goja.FunctionCall) goja.Value {
		w := this(c, "postMessage")
		e.needArgs(c, 1, "Worker.postMessage")
		list := e.postTransfer(c.Argument(1), "Worker.postMessage")
		var to *engine.SendPort
		switch {
		case w.terminated || w.dead:
		case w.in != nil:
			to = w.in
		default:
			to = w.early.SendPort()
		}
		e.postWithPorts(to, nil, c.Argument(0), list, "Worker.postMessage", true)
		return goja.Undefined()
	})
	e.method(proto, "terminate", func(c goja.FunctionCall) goja.Value {
		w := this(c, "terminate")
		if !w.terminated {
			w.terminated = true
			w.child.Kill(engine.Immediate)
			w.shut()
		}
		return goja.Undefined()
	})
	e.handlerAttr(proto, "Worker", "onmessage", "onmessageerror", "onerror")
	e.setLength(c, "", 1)
	e.setLength(proto, "postMessage", 1)
	return c
}

func (e *env) newWorker(call goja.ConstructorCall, proto *goja.Object) *goja.Object {
	path := e.workerSpecifier(call.Argument(0).String())
	var opts *goja.Object
	if a := call.Argument(1); !isNullish(a) {
		o, ok := a.(*goja.Object)
		if !ok {
			e.typeError("Worker: options must be an object")
		}
		opts = o
	}
	name := ""
	module := false
	spawnOpts := e.vm.NewObject()
	if opts != nil {
		if v := opts.Get("name"); v != nil && !goja.IsUndefined(v) {
			name = v.String()
		}
		if v := opts.Get("type"); v != nil && !goja.IsUndefined(v) {
			switch v.String() {
			case "classic":
			case "module":
				module = true
			default:
				e.typeError("Worker: options.type must be \"classic\" or \"module\", not %s", strconv.Quote(v.String()))
			}
		}
		for _, k := range []string{"limits", "process"} {
			if v := opts.Get(k); v != nil && !goja.IsUndefined(v) {
				_ = spawnOpts.Set(k, v)
			}
		}
	}
	if name != "" {
		_ = spawnOpts.Set("name", name)
	}
	var src engine.Source
	if module {
		src = e.workerModuleSource(path)
	} else {
		s, err := e.iso.ReadFile(path)
		if err != nil {
			e.throw(err)
		}
		src = s
	}
	w := &workerObj{e: e}
	o := e.vm.NewDynamicObject(w)
	_ = o.SetPrototype(instanceProto(call, proto))
	w.self = o
	w.changed = w.keepAlive
	w.fromRP = e.iso.NewReceivePort("worker")
	w.helloRP = e.iso.NewReceivePort("worker-hello")
	w.errRP = e.iso.NewReceivePort("worker-error")
	w.helloRP.SetKeepAlive(false)
	w.errRP.SetKeepAlive(false)
	w.keepAlive()
	w.early = e.iso.Host().NewPort("worker-early")
	setup, err := engine.MessageFromGo(map[string]any{
		"name": name, "parent": w.fromRP.SendPort(), "hello": w.helloRP.SendPort(),
	})
	if err != nil {
		w.shut()
		e.throw(err)
	}
	so := append(e.spawnOptions("Worker", spawnOpts, nil), engine.WithSetupMessage(setup), engine.WithOnError(w.errRP.SendPort()))
	child, err := e.iso.Host().Spawn(src, so...)
	if err != nil {
		w.shut()
		e.throw(err)
	}
	w.child = child
	w.fromRP.SetHandler(func(m *engine.Message) error {
		if w.terminated {
			return nil
		}
		e.deliverEnvelope(&w.targetState, m)
		return nil
	})
	w.helloRP.SetHandler(func(m *engine.Message) error {
		v, err := m.ToGo()
		sp, ok := v.(*engine.SendPort)
		if err != nil || !ok || w.in != nil {
			return nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for {
			em, err := w.early.Recv(ctx)
			if err != nil {
				break
			}
			_ = sp.Send(em)
		}
		w.early.Close()
		w.in = sp
		return nil
	})
	w.errRP.SetHandler(func(m *engine.Message) error {
		if w.terminated {
			return nil
		}
		return e.workerError(w, m)
	})
	child.OnDone(func(error) {
		e.iso.Post(func() error {
			w.dead = true
			w.shut()
			return nil
		})
	})
	return o
}

// stackLoc finds file:line:col in the first frame of a stack.
var stackLoc = regexp.MustCompile(`at (?:.*?\()?([^()\s]+):(\d+):(\d+)(?:\(\d+\))?\)?\s*$`)

// workerError fires an ErrorEvent for an uncaught error of the worker at
// the Worker object; unless a listener cancels it, it becomes an uncaught
// error of this isolate. Loop only.
func (e *env) workerError(w *workerObj, m *engine.Message) error {
	v, err := e.iso.Value(m)
	payload, _ := v.(*goja.Object)
	if err != nil || payload == nil {
		return nil
	}
	ev := e.newEvent("ErrorEvent", kindError, "error")
	ev.cancelable = true
	name, msg := payload.Get("name"), payload.Get("message")
	text := "Uncaught "
	if !isNullish(name) && name.String() != "" {
		text += name.String()
		if !isNullish(msg) && msg.String() != "" {
			text += ": " + msg.String()
		}
	} else if !isNullish(msg) {
		text += msg.String()
	}
	ev.message = text
	ev.errorV = payload.Get("error")
	if ev.errorV == nil {
		ev.errorV = goja.Null()
	}
	if st := payload.Get("stack"); !isNullish(st) {
		for _, line := range strings.Split(st.String(), "\n") {
			if mm := stackLoc.FindStringSubmatch(strings.TrimSpace(line)); mm != nil {
				ev.filename = mm[1]
				ev.lineno, _ = strconv.ParseInt(mm[2], 10, 64)
				ev.colno, _ = strconv.ParseInt(mm[3], 10, 64)
				break
			}
		}
	}
	if ev.filename == "" && w.child != nil {
		ev.filename = w.child.Filename()
	}
	if e.fire(&w.targetState, ev) {
		// Not canceled: an error of this isolate too, thrown as the
		// worker's error (or, without one, an Error with the message).
		val := ev.errorV
		if isNullish(val) {
			val = e.newError("Error", text)
		}
		return e.asException(val)
	}
	return nil
}

// asException turns a JS value into the *goja.Exception of throwing it.
func (e *env) asException(v goja.Value) error {
	ws := e.msgs()
	if ws.thrower == nil {
		ws.thrower, _ = goja.AssertFunction(e.native("throw", func(c goja.FunctionCall) goja.Value { panic(c.Argument(0)) }))
	}
	_, err := ws.thrower(nil, v)
	return err
}

// installWorkerScope makes this isolate's global a worker's global scope:
// an EventTarget with name, postMessage, close, onmessage and
// onmessageerror, receiving on a port of its own whose SendPort it sends
// to the parent's hello port. Loop only, at setup.
func (e *env) installWorkerScope(g *goja.Object, setup *engine.Message) {
	v, err := setup.ToGo()
	cfg, _ := v.(map[string]any)
	if err != nil || cfg == nil {
		return
	}
	parent, _ := cfg["parent"].(*engine.SendPort)
	hello, _ := cfg["hello"].(*engine.SendPort)
	name, _ := cfg["name"].(string)
	if parent == nil || hello == nil {
		return
	}
	e.eventTargetClass()
	_ = g.SetPrototype(e.protoCache["EventTarget"])
	t := e.newTargetState(g)
	in := e.iso.NewReceivePort("worker")
	closing := false
	t.changed = func() { in.SetKeepAlive(!closing && t.has("message")) }
	t.changed()
	in.SetHandler(func(m *engine.Message) error {
		if !closing {
			e.deliverEnvelope(t, m)
		}
		return nil
	})
	_ = hello.SendValue(in.SendPort())
	_ = g.DefineDataProperty("self", g, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = g.DefineDataProperty("name", e.vm.ToValue(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	e.fn(g, "postMessage", func(c goja.FunctionCall) goja.Value {
		e.needArgs(c, 1, "postMessage")
		e.postWithPorts(parent, nil, c.Argument(0), e.postTransfer(c.Argument(1), "postMessage"), "postMessage", true)
		return goja.Undefined()
	})
	e.setLength(g, "postMessage", 1)
	e.fn(g, "close", func(goja.FunctionCall) goja.Value {
		if !closing {
			closing = true
			in.Close()
			e.iso.Kill(engine.BeforeNextEvent)
		}
		return goja.Undefined()
	})
	for _, h := range []string{"onmessage", "onmessageerror"} {
		h := h
		_ = g.DefineAccessorProperty(h, e.native("get "+h, func(goja.FunctionCall) goja.Value {
			return e.handlerGet(t, h)
		}), e.native("set "+h, func(c goja.FunctionCall) goja.Value {
			e.handlerSet(t, h, c.Argument(0))
			return goja.Undefined()
		}), goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
}
