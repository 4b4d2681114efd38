// Package bindings installs the isobox JS surface in every isolate: the
// Isolate class, ReceivePort/SendPort, timers, console/stdout/stderr,
// structuredClone and, for the CLI's main isolate, stdin, exit and args.
//
// It translates between goja values and engine calls. Every function here
// runs on the goroutine of the isolate it was installed in, except where a
// comment says otherwise; results from other goroutines come back through
// engine.Isolate.Post.
package bindings

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// Config configures the bindings for a host.
type Config struct {
	// Stdin is read by stdin.first and stdin.readLine() in isolates granted
	// Capabilities.Stdin. Nil means an empty stdin.
	Stdin io.Reader
	// Exit is called by exit(code) in isolates granted Capabilities.Exit,
	// on that isolate's goroutine, before the isolate stops. Nil: exit
	// only stops the isolate.
	Exit func(code int)
	// Colors makes console output use ANSI colors for inspected values.
	Colors bool
}

// Setup returns the engine.SetupFunc that installs the bindings. The
// returned function is called by the engine on each new isolate's goroutine.
func Setup(cfg Config) engine.SetupFunc {
	in := newLineReader(cfg.Stdin)
	return func(iso *engine.Isolate) error {
		e := &env{iso: iso, vm: iso.Runtime(), cfg: &cfg, stdin: in}
		iso.SetLocal(e)
		iso.SetSendPortWrapper(e.wrapSendPort)
		e.install()
		return nil
	}
}

// envOf returns the bindings state of an isolate. Loop only.
func envOf(iso *engine.Isolate) *env {
	e, _ := iso.Local().(*env)
	return e
}

// env is the per-isolate bindings state. Loop only.
type env struct {
	iso   *engine.Isolate
	vm    *goja.Runtime
	cfg   *Config
	stdin *lineReader

	protoCache map[string]*goja.Object
	ctorCache  map[string]*goja.Object
	errorProto *goja.Object
}

// install defines the globals. Each is built on first access, so an isolate
// that never touches console pays nothing for it.
func (e *env) install() {
	g := e.vm.GlobalObject()
	caps := e.iso.Capabilities()
	// Package inspect captures the built-ins it relies on at first use, not
	// here: doing it eagerly costs ~150 µs per spawn. A script that replaces
	// built-ins before its first console.log can only garble its own output.
	e.lazy(g, "Isolate", e.isolateClass)
	e.lazy(g, "ReceivePort", e.receivePortClass)
	e.lazy(g, "SendPort", e.sendPortClass)
	e.lazy(g, "Capability", e.capabilityClass)
	e.lazy(g, "Timer", e.timerClass)
	e.lazy(g, "console", e.console)
	e.lazy(g, "stdout", func() goja.Value { return e.stream(e.iso.Stdout()) })
	e.lazy(g, "stderr", func() goja.Value { return e.stream(e.iso.Stderr()) })
	e.fn(g, "setTimeout", e.setTimeout(false))
	e.fn(g, "setInterval", e.setTimeout(true))
	e.fn(g, "clearTimeout", e.clearTimer)
	e.fn(g, "clearInterval", e.clearTimer)
	e.fn(g, "queueMicrotask", e.queueMicrotask)
	e.fn(g, "structuredClone", e.structuredClone)
	if caps.Stdin {
		e.lazy(g, "stdin", e.stdinObject)
	}
	if caps.Exit {
		e.fn(g, "exit", e.exit)
	}
	if caps.Args != nil {
		e.lazy(g, "args", func() goja.Value {
			vals := make([]any, len(caps.Args))
			for i, a := range caps.Args {
				vals[i] = a
			}
			return e.vm.NewArray(vals...)
		})
	}
	if len(caps.Funcs) > 0 {
		e.lazy(g, "host", e.hostObject)
	}
}

// fn defines a global function (writable, configurable, not enumerable).
func (e *env) fn(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
	_ = o.DefineDataProperty(name, e.vm.ToValue(f), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// lazy defines o[name] as an accessor that builds the value on first read
// and then becomes a plain data property. Assigning replaces it.
func (e *env) lazy(o *goja.Object, name string, build func() goja.Value) {
	vm := e.vm
	define := func(v goja.Value) {
		_ = o.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	getter := vm.ToValue(func(goja.FunctionCall) goja.Value {
		v := build()
		define(v)
		return v
	})
	setter := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		define(c.Argument(0))
		return goja.Undefined()
	})
	_ = o.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// method defines a non-enumerable method on a prototype.
func (e *env) method(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
	_ = o.DefineDataProperty(name, e.vm.ToValue(f), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// getter defines a read-only accessor on a prototype.
func (e *env) getter(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
	_ = o.DefineAccessorProperty(name, e.vm.ToValue(f), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// class makes a constructor function with the given prototype. A nil ctor
// makes a class scripts cannot construct.
func (e *env) class(name string, ctor func(goja.ConstructorCall) *goja.Object) (*goja.Object, *goja.Object) {
	vm := e.vm
	var c *goja.Object
	if ctor == nil {
		c = vm.ToValue(func(goja.ConstructorCall) *goja.Object {
			panic(vm.NewTypeError("Illegal constructor: " + name + " cannot be constructed by scripts"))
		}).(*goja.Object)
	} else {
		c = vm.ToValue(ctor).(*goja.Object)
	}
	proto := vm.NewObject()
	_ = proto.DefineDataProperty("constructor", c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = c.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = c.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if e.protoCache == nil {
		e.protoCache = make(map[string]*goja.Object)
		e.ctorCache = make(map[string]*goja.Object)
	}
	e.protoCache[name] = proto
	e.ctorCache[name] = c
	// Symbol.toStringTag makes inspect print "SendPort {}" and friends.
	_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return c, proto
}

// built returns the constructor of a class built before, so that the lazy
// global and the prototypes used for wrapping are the same objects.
func (e *env) built(name string) (goja.Value, bool) {
	c, ok := e.ctorCache[name]
	return c, ok
}

// proto returns the prototype of a bindings class, building it on demand.
func (e *env) proto(name string) *goja.Object {
	if p, ok := e.protoCache[name]; ok {
		return p
	}
	// Reading the global builds it (see lazy) and fills protoCache. If the
	// script replaced the global, build the class directly.
	switch name {
	case "SendPort":
		e.sendPortClass()
	case "ReceivePort":
		e.receivePortClass()
	case "Isolate":
		e.isolateClass()
	case "Capability":
		e.capabilityClass()
	case "Timer":
		e.timerClass()
	}
	return e.protoCache[name]
}

// hostObject is the base of every object the bindings hand to JS. It is a
// goja DynamicObject with no own properties, so no Go field or method is
// ever reachable from JS; behaviour lives on the class prototype.
type hostObject struct{}

func (hostObject) Get(string) goja.Value       { return nil }
func (hostObject) Set(string, goja.Value) bool { return false }
func (hostObject) Has(string) bool             { return false }
func (hostObject) Delete(string) bool          { return true }
func (hostObject) Keys() []string              { return nil }

// wrap makes a JS object for a host value with the prototype of class.
func (e *env) wrap(d goja.DynamicObject, class string) *goja.Object {
	o := e.vm.NewDynamicObject(d)
	_ = o.SetPrototype(e.proto(class))
	return o
}

// this returns the host value behind call.This, or throws a TypeError.
func thisAs[T any](e *env, c goja.FunctionCall, class, method string) T {
	if o, ok := c.This.(*goja.Object); ok {
		if v, ok := o.Export().(T); ok {
			return v
		}
	}
	panic(e.vm.NewTypeError(fmt.Sprintf("%s.prototype.%s called on an object that is not a %s", class, method, class)))
}

// newError makes an Error object with the given name and message, without
// consulting the script's (replaceable) Error global.
func (e *env) newError(name, message string) *goja.Object {
	o := e.vm.NewTypeError(message)
	if e.errorProto == nil {
		e.errorProto = o.Prototype().Prototype()
	}
	_ = o.SetPrototype(e.errorProto)
	_ = o.DefineDataProperty("name", e.vm.ToValue(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return o
}

// jsError converts an engine error into the JS value to throw or reject
// with.
func (e *env) jsError(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	var ce *engine.CloneError
	if errors.As(err, &ce) {
		return e.newError("DataCloneError", ce.Msg)
	}
	var le *engine.LimitError
	if errors.As(err, &le) {
		o := e.newError("ResourceLimitError", le.Message())
		_ = o.DefineDataProperty("limit", e.vm.ToValue(le.Limit), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return o
	}
	var se *engine.ScriptError
	if errors.As(err, &se) {
		name := se.Name
		if name == "" {
			name = "Error"
		}
		o := e.newError(name, se.Message)
		if se.Stack != "" {
			_ = o.DefineDataProperty("stack", e.vm.ToValue(se.Stack), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		if errors.As(err, &le) {
			_ = o.DefineDataProperty("limit", e.vm.ToValue(le.Limit), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		return o
	}
	if errors.Is(err, engine.ErrKilled) {
		return e.newError("Error", "isolate was killed")
	}
	return e.newError("Error", strings.TrimPrefix(err.Error(), "engine: "))
}

// throw panics with the JS form of err; goja turns the panic into a JS
// exception in the calling script.
func (e *env) throw(err error) {
	// An interrupt (kill, exit, a limit) or a stack overflow raised inside
	// (a getter run by a clone, say) stays uncatchable: re-panic it as is.
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	if errors.As(err, &ie) || errors.As(err, &so) {
		panic(err)
	}
	panic(e.jsError(err))
}

func (e *env) typeError(format string, args ...any) {
	panic(e.vm.NewTypeError(fmt.Sprintf(format, args...)))
}

// promise returns a new promise with resolve/reject functions that ignore
// errors (a promise can only settle once).
func (e *env) promise() (*goja.Object, func(goja.Value), func(goja.Value)) {
	p, res, rej := e.vm.NewPromise()
	return e.vm.ToValue(p).(*goja.Object),
		func(v goja.Value) { _ = res(v) },
		func(v goja.Value) { _ = rej(v) }
}

// isNullish reports whether v is missing, undefined or null.
func isNullish(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}

// get reads a property of an options object; a non-object yields nil.
func (e *env) get(o goja.Value, key string) goja.Value {
	obj, ok := o.(*goja.Object)
	if !ok || isNullish(o) {
		return nil
	}
	v := obj.Get(key)
	if isNullish(v) {
		return nil
	}
	return v
}

// toDuration converts a JS delay in ms: NaN, negative and non-numbers are
// 0, and delays are capped at 2^31-1 ms like browsers and Node.
func toDuration(v goja.Value) (ms float64) {
	if isNullish(v) {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	return f
}

// toInt64 converts an options number; it rejects NaN, infinities and
// negative values.
func (e *env) toInt64(v goja.Value, what string) int64 {
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		e.typeError("%s must be a non-negative finite number", what)
	}
	if f > math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return int64(f)
}

// sendPortArg returns the engine port behind a JS SendPort argument or
// throws a TypeError naming the argument.
func (e *env) sendPortArg(v goja.Value, what string) *engine.SendPort {
	if o, ok := v.(*goja.Object); ok {
		if sp, ok := o.Export().(*sendPortObj); ok {
			return sp.p
		}
	}
	e.typeError("%s must be a SendPort", what)
	return nil
}

// transferList reads a transfer list: an array of ArrayBuffers, or an
// options object {transfer: [...]}. It reads the script's value once and
// one level deep: an options object's transfer must itself be an array (it
// once recursed, and o.transfer = o overflowed the Go stack).
func (e *env) transferList(v goja.Value) []goja.Value {
	if isNullish(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		e.typeError("transfer list must be an array")
	}
	if obj.ClassName() != "Array" {
		t := obj.Get("transfer")
		if isNullish(t) {
			return nil
		}
		if obj, ok = t.(*goja.Object); !ok || obj.ClassName() != "Array" {
			e.typeError("options.transfer must be an array")
		}
	}
	n := obj.Get("length").ToInteger()
	if n > 1<<20 {
		e.typeError("transfer list too long")
	}
	out := make([]goja.Value, 0, n)
	for i := int64(0); i < n; i++ {
		out = append(out, obj.Get(fmt.Sprint(i)))
	}
	return out
}

// sendPortObj is the JS SendPort. Its Go value is unreachable from JS.
type sendPortObj struct {
	hostObject
	p *engine.SendPort
}

// EngineSendPort lets the engine's clone recognise the object.
func (s *sendPortObj) EngineSendPort() *engine.SendPort { return s.p }

func (e *env) wrapSendPort(p *engine.SendPort) goja.Value {
	return e.wrap(&sendPortObj{p: p}, "SendPort")
}

func (e *env) sendPortClass() goja.Value {
	if c, ok := e.built("SendPort"); ok {
		return c
	}
	c, proto := e.class("SendPort", nil)
	send := func(c goja.FunctionCall) goja.Value {
		sp := thisAs[*sendPortObj](e, c, "SendPort", "send")
		if err := e.iso.Send(sp.p, c.Argument(0), e.transferList(c.Argument(1))); err != nil {
			e.throw(err)
		}
		return goja.Undefined()
	}
	e.method(proto, "send", send)
	e.method(proto, "postMessage", send)
	e.getter(proto, "id", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(thisAs[*sendPortObj](e, c, "SendPort", "id").p.ID())
	})
	return c
}
