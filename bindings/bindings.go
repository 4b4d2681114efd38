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
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
	"github.com/isobox/isobox/internal/gojax"
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
		iso.SetHostWrappers(engine.HostWrappers{
			SendPort:   e.wrapSendPort,
			Capability: func(c *engine.Capability) goja.Value { return e.wrapCapability(c) },
			Isolate:    func(i *engine.Isolate) goja.Value { return e.wrapIsolate(i) },
			PortEnd:    e.wrapPort,
			Platform:   e.wrapPlatform,
		})
		iso.SetErrorFormatter(e.formatUncaught)
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

	entries    map[entryKey]engine.Source // functionSource's cache
	protoCache map[string]*goja.Object
	ctorCache  map[string]*goja.Object
	errorProto *goja.Object
	owners     map[*goja.Object]string // see own
	webmsg     *msgState               // Web events and messaging (events.go)
	web        *webState               // the Web globals' state, see webs

	ctorMake   goja.Callable // makes a class's JS constructor (ctor.go)
	ctorNative *goja.Object  // the native behind every such constructor
	ctors      []ctorEntry   // Go constructors, by the wrappers' tags
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
	e.lazy(g, "DOMException", e.domExceptionClass)
	e.installMessaging(g)
	e.lazy(g, "console", e.console)
	e.installWeb(g)
	e.lazy(g, "stdout", func() goja.Value { return e.stream("stdout", e.iso.Stdout()) })
	e.lazy(g, "stderr", func() goja.Value { return e.stream("stderr", e.iso.Stderr()) })
	// The global functions too are made on first touch (~1.3 KB each).
	e.lazyFn(g, "setTimeout", func() func(goja.FunctionCall) goja.Value { return e.setTimeout(false) })
	e.lazyFn(g, "setInterval", func() func(goja.FunctionCall) goja.Value { return e.setTimeout(true) })
	e.lazyFn(g, "clearTimeout", func() func(goja.FunctionCall) goja.Value { return e.clearTimer })
	e.lazyFn(g, "clearInterval", func() func(goja.FunctionCall) goja.Value { return e.clearTimer })
	e.lazyFn(g, "queueMicrotask", func() func(goja.FunctionCall) goja.Value { return e.queueMicrotask })
	e.lazyFn(g, "structuredClone", func() func(goja.FunctionCall) goja.Value { return e.structuredClone })
	if caps.Stdin {
		e.lazy(g, "stdin", e.stdinObject)
	}
	if caps.Exit {
		e.lazyFn(g, "exit", func() func(goja.FunctionCall) goja.Value { return e.exit })
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
	// goja lists only a top-level var in Object.getOwnPropertyNames of a
	// global object no define has touched yet; every global above is lazy,
	// so the object gets its own list of names now, lazy names and all.
	gojax.SettleGlobalNames(e.vm)
}

// native makes the JS function of a bound Go function. It is the one place
// bindings turn Go functions into JS ones: the function gets the JS name
// given (goja would name it after the Go function, and stack frames would
// show that), and a Go panic inside it becomes an *engine.PanicError that
// carries the JS stack, so that the isolate reports an InternalError with a
// JS stack and no Go one. display is also what stack frames show
// ("Isolate.spawn").
func (e *env) native(display string, f func(goja.FunctionCall) goja.Value) *goja.Object {
	return newNative(e.vm, display, f)
}

// newNative is env.native for code that has the runtime but not the env
// (the REPL session).
func newNative(vm *goja.Runtime, display string, f func(goja.FunctionCall) goja.Value) *goja.Object {
	fn := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		defer recoverNative(vm)
		return f(c)
	}).(*goja.Object)
	setName(vm, fn, display)
	return fn
}

// nativeCtor is native for a constructor.
func (e *env) nativeCtor(display string, f func(goja.ConstructorCall) *goja.Object) *goja.Object {
	vm := e.vm
	fn := vm.ToValue(func(c goja.ConstructorCall) *goja.Object {
		defer recoverNative(vm)
		return f(c)
	}).(*goja.Object)
	setName(vm, fn, display)
	return fn
}

// setName gives fn its JS name: not writable, configurable, not enumerable,
// as for any function.
func setName(vm *goja.Runtime, fn *goja.Object, name string) {
	_ = fn.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// recoverNative, deferred in every native, turns a Go panic (a bug) into a
// *engine.PanicError with the JS stack of the call. JS exceptions and goja's
// own uncatchable errors (interrupts, stack overflow) pass through as they
// are.
func recoverNative(vm *goja.Runtime) {
	x := recover()
	if x == nil {
		return
	}
	if passThrough(x) {
		panic(x)
	}
	panic(&engine.PanicError{Value: x, Stack: string(debug.Stack()), JSStack: jsStack(vm)})
}

// passThrough reports whether a panic value is one goja handles itself (a
// thrown JS value, an exception, an interrupt, goja's internal error
// values) or one already converted by an inner native.
func passThrough(x any) bool {
	switch x.(type) {
	case goja.Value, *goja.Exception, *goja.InterruptedError, *goja.StackOverflowError, *engine.PanicError:
		return true
	}
	t := reflect.TypeOf(x)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && strings.HasPrefix(t.PkgPath(), "github.com/dop251/goja")
}

// jsStack renders the JS call stack of the running native as frame lines,
// without the frames of a class's constructor wrapper (ctor.go): the
// wrapper and the native it calls.
func jsStack(vm *goja.Runtime) string {
	var b bytes.Buffer
	frames := vm.CaptureCallStack(0, nil)
	for i, f := range frames {
		if f.SrcName() == ctorFile {
			continue
		}
		if i+1 < len(frames) && frames[i+1].SrcName() == ctorFile && f.SrcName() == "<native>" && f.FuncName() == "construct" {
			continue
		}
		b.WriteString("\tat ")
		f.Write(&b)
		b.WriteByte('\n')
	}
	return b.String()
}

// qualified is the name stack frames show for a method of owner.
func (e *env) qualified(owner *goja.Object, name string) string {
	if n, ok := e.owners[owner]; ok {
		return n + "." + name
	}
	return name
}

// own records the JS name of an object whose methods bindings define
// ("console", "Isolate", "SendPort" for its prototype).
func (e *env) own(o *goja.Object, name string) {
	if e.owners == nil {
		e.owners = make(map[*goja.Object]string)
	}
	e.owners[o] = name
}

// fn defines a global function (writable, configurable, not enumerable).
func (e *env) fn(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
	_ = o.DefineDataProperty(name, e.native(name, f), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// lazy defines o[name] as an accessor that builds the value on first read
// and then becomes a plain data property. Assigning replaces it.
//
// On the global object it costs no object per name until touched: the name
// goes into the runtime's copy of goja's global template
// (gojax.LazyGlobal), so that typeof, in, delete, assignment, descriptor
// reads and Object.getOwnPropertyNames behave as for any plain global and
// the first touch builds it. Where that mechanism is unavailable (goja's
// layout not recognized, or another object) it is an accessor pair that
// replaces itself by the data property on first read or write.
func (e *env) lazy(o *goja.Object, name string, build func() goja.Value) {
	if o == e.vm.GlobalObject() && gojax.LazyGlobal(e.vm, name, build) {
		return
	}
	define := func(v goja.Value) {
		_ = o.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	getter := e.native("get "+name, func(goja.FunctionCall) goja.Value {
		v := build()
		define(v)
		return v
	})
	setter := e.native("set "+name, func(c goja.FunctionCall) goja.Value {
		define(c.Argument(0))
		return goja.Undefined()
	})
	_ = o.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// lazyFn is lazy for a function o[name] whose Go body f makes: the
// function object is made on first touch.
func (e *env) lazyFn(o *goja.Object, name string, f func() func(goja.FunctionCall) goja.Value) {
	if o == e.vm.GlobalObject() && gojax.LazyGlobal(e.vm, name, func() goja.Value { return e.native(name, f()) }) {
		return
	}
	e.fn(o, name, f()) // without the layout: a data property now, as before, not lazy's accessor pair
}

// method defines a non-enumerable method on a prototype or namespace.
func (e *env) method(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
	_ = o.DefineDataProperty(name, e.native(e.qualified(o, name), f), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// getter defines a read-only accessor on a prototype.
func (e *env) getter(o *goja.Object, name string, f func(goja.FunctionCall) goja.Value) {
	_ = o.DefineAccessorProperty(name, e.native("get "+e.qualified(o, name), f), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// class makes a constructor function with the given prototype. A nil ctor
// makes a class scripts cannot construct: calling it or constructing it
// throws a TypeError. Otherwise construction runs ctor, with call.This an
// object whose prototype is new.target's (a subclass's, for a subclass),
// and calling it without new throws a TypeError as calling a JS class does
// (see wrapperCtor).
func (e *env) class(name string, ctor func(goja.ConstructorCall) *goja.Object) (*goja.Object, *goja.Object) {
	vm := e.vm
	var c *goja.Object
	if ctor == nil {
		c = e.nativeCtor(name, func(goja.ConstructorCall) *goja.Object {
			panic(vm.NewTypeError("Illegal constructor: " + name + " cannot be constructed by scripts"))
		})
	} else {
		c = e.wrapperCtor(name, ctor)
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
	e.own(c, name)
	e.own(proto, name)
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
	case "DOMException":
		e.domExceptionClass()
	default:
		e.buildMessaging(name)
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
// with: what a script threw arrives as its copy (ScriptError.Value), engine
// errors as the JS errors they stand for.
func (e *env) jsError(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	var se *engine.ScriptError
	if errors.As(err, &se) && se.Value != nil {
		if v, verr := e.iso.Value(se.Value); verr == nil {
			return v
		}
	}
	var ce *engine.CloneError
	if errors.As(err, &ce) {
		// A DOMException named DataCloneError (code 25), as in browsers.
		return e.newDOMException("DataCloneError", ce.Msg)
	}
	var le *engine.LimitError
	if errors.As(err, &le) {
		name, msg := "ResourceLimitError", le.Message()
		if se != nil && se.Name != "" {
			name, msg = se.Name, se.Message
		}
		o := e.newError(name, msg)
		if se != nil && se.Stack != "" {
			_ = o.DefineDataProperty("stack", e.vm.ToValue(se.Stack), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		for _, k := range [...]string{"limit", "max", "seen", "unit"} {
			_ = o.DefineDataProperty(k, e.vm.ToValue(le.Props()[k]), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
		return o
	}
	var pe *engine.PanicError
	if errors.As(err, &pe) {
		ise := e.iso.InternalError(pe)
		return e.newError(ise.Name, ise.Message)
	}
	if se != nil {
		name := se.Name
		if name == "" {
			name = "Error"
		}
		o := e.newError(name, se.Message)
		if se.Stack != "" {
			_ = o.DefineDataProperty("stack", e.vm.ToValue(se.Stack), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
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
	p, res, rej := e.iso.NewPromise()
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
	if !ok || obj == nil || isNullish(o) { // obj == nil: no options from e.options
		return nil
	}
	v := obj.Get(key)
	if isNullish(v) {
		return nil
	}
	return v
}

// options checks the options argument of api: nullish is no options (nil);
// an object may have only the own enumerable keys in valid; anything else is
// a TypeError that names the key and the valid ones, so that a typo
// ({onExt: port}) never silently drops an option.
func (e *env) options(v goja.Value, api string, valid ...string) *goja.Object {
	if isNullish(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		e.typeError("%s: options must be an object", api)
	}
	for _, k := range obj.Keys() {
		if !slices.Contains(valid, k) {
			e.typeError("%s: unknown option %s (valid options: %s)", api, strconv.Quote(k), strings.Join(valid, ", "))
		}
	}
	return obj
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

// maxTransfer bounds the length of a transfer list, so that an endless
// iterable cannot grow one without limit.
const maxTransfer = 1 << 16

// postTransfer reads the second argument of SendPort.send and postMessage
// the way WebIDL resolves the overloads postMessage(message,
// sequence<object> transfer) and postMessage(message, optional
// StructuredSerializeOptions options): undefined or null is no transfer; an
// object with a Symbol.iterator method is the transfer list itself; any
// other object is an options dictionary; anything else is a TypeError.
func (e *env) postTransfer(v goja.Value, api string) []goja.Value {
	if isNullish(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		e.typeError("%s: the second argument must be a transfer list (an iterable of ArrayBuffers) or an options object", api)
	}
	if m := obj.GetSymbol(goja.SymIterator); !isNullish(m) {
		fn, ok := goja.AssertFunction(m)
		if !ok {
			e.typeError("%s: the transfer list's Symbol.iterator is not a function", api)
		}
		return e.objectSequence(obj, fn, api+": transfer list")
	}
	return e.optionsTransfer(obj, api)
}

// optionsTransfer reads the transfer member of a StructuredSerializeOptions
// dictionary (structuredClone's second argument, or send's): undefined or
// null options, or an undefined transfer, is no transfer. Other members are
// ignored, as WebIDL dictionaries do.
func (e *env) optionsTransfer(v goja.Value, api string) []goja.Value {
	if isNullish(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		e.typeError("%s: options must be an object", api)
	}
	t := obj.Get("transfer")
	if t == nil || goja.IsUndefined(t) {
		return nil
	}
	what := api + ": options.transfer"
	to, ok := t.(*goja.Object)
	var fn goja.Callable
	if ok {
		fn, ok = goja.AssertFunction(to.GetSymbol(goja.SymIterator))
	}
	if !ok {
		e.typeError("%s must be an iterable of objects (an array of ArrayBuffers)", what)
	}
	return e.objectSequence(to, fn, what)
}

// objectSequence converts the iterable obj, whose Symbol.iterator method is
// method, to a WebIDL sequence<object>: it runs the iterator protocol in a
// loop (never recursing into the items), and every item must be an object;
// more than maxTransfer items is a TypeError. Whether the items can be
// transferred is the codec's check (a DataCloneError). A throwing iterator
// propagates its exception. Nothing is detached here.
func (e *env) objectSequence(obj *goja.Object, method goja.Callable, what string) []goja.Value {
	itv, err := method(obj)
	if err != nil {
		e.throw(err)
	}
	it, ok := itv.(*goja.Object)
	if !ok {
		e.typeError("%s: Symbol.iterator did not return an object", what)
	}
	next, ok := goja.AssertFunction(it.Get("next"))
	if !ok {
		e.typeError("%s: the iterator has no next method", what)
	}
	var out []goja.Value
	for {
		rv, err := next(it)
		if err != nil {
			e.throw(err)
		}
		res, ok := rv.(*goja.Object)
		if !ok {
			e.typeError("%s: the iterator result is not an object", what)
		}
		if res.Get("done").ToBoolean() {
			return out
		}
		item := res.Get("value")
		if _, ok := item.(*goja.Object); !ok {
			e.typeError("%s: item %d is not an object", what, len(out))
		}
		if len(out) == maxTransfer {
			e.typeError("%s is too long (more than %d items)", what, maxTransfer)
		}
		out = append(out, item)
	}
}

// sendPortObj is the JS SendPort. Its Go value is unreachable from JS.
type sendPortObj struct {
	hostObject
	p *engine.SendPort
}

// JSClassName names the class in clone errors (clone.HostObject).
func (s *sendPortObj) JSClassName() string { return "SendPort" }

// EngineSendPort lets the engine's clone recognise the object, so that it
// can be sent. Called on the goroutine of the isolate that owns the object.
func (s *sendPortObj) EngineSendPort() *engine.SendPort { return s.p }

func (e *env) wrapSendPort(p *engine.SendPort) goja.Value {
	return e.wrap(&sendPortObj{p: p}, "SendPort")
}

func (e *env) sendPortClass() goja.Value {
	if c, ok := e.built("SendPort"); ok {
		return c
	}
	c, proto := e.class("SendPort", nil)
	send := func(name string) func(c goja.FunctionCall) goja.Value {
		api := "SendPort." + name
		return func(c goja.FunctionCall) goja.Value {
			sp := thisAs[*sendPortObj](e, c, "SendPort", name)
			// MessagePorts in the transfer list move with the message
			// (they must be inside it to be reachable there).
			e.postWithPorts(sp.p, nil, c.Argument(0), e.postTransfer(c.Argument(1), api), api, false)
			return goja.Undefined()
		}
	}
	e.method(proto, "send", send("send"))
	e.method(proto, "postMessage", send("postMessage"))
	e.getter(proto, "id", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(thisAs[*sendPortObj](e, c, "SendPort", "id").p.ID())
	})
	return c
}
