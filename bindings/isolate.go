package bindings

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine"
)

// isolateObj is the JS handle of an isolate. Sent in a message, it arrives
// as a handle to the same isolate, with the same rights, as in Dart.
type isolateObj struct {
	hostObject
	iso    *engine.Isolate
	exited *goja.Object
}

// EngineIsolate lets the engine's clone recognise the object, so that it
// can be sent. Called on the goroutine of the isolate that owns the object.
func (h *isolateObj) EngineIsolate() *engine.Isolate { return h.iso }

// capabilityObj is the JS Capability. Sent in a message, it arrives as a
// Capability equal to the original (capability.equals), as in Dart.
type capabilityObj struct {
	hostObject
	c *engine.Capability
}

// EngineCapability lets the engine's clone recognise the object, so that it
// can be sent. Called on the goroutine of the isolate that owns the object.
func (c *capabilityObj) EngineCapability() *engine.Capability { return c.c }

// JSClassName names the class in clone errors (clone.HostObject).
func (*isolateObj) JSClassName() string { return "Isolate" }

// JSClassName names the class in clone errors (clone.HostObject).
func (*capabilityObj) JSClassName() string { return "Capability" }

func (e *env) wrapIsolate(iso *engine.Isolate) *goja.Object {
	return e.wrap(&isolateObj{iso: iso}, "Isolate")
}

func (e *env) capabilityClass() goja.Value {
	if c, ok := e.built("Capability"); ok {
		return c
	}
	var proto *goja.Object
	c, proto := e.class("Capability", func(call goja.ConstructorCall) *goja.Object {
		o := e.vm.NewDynamicObject(&capabilityObj{c: engine.NewCapability()})
		_ = o.SetPrototype(instanceProto(call, proto))
		return o
	})
	// A Capability that went through a message is a new object for the
	// same capability (as Dart's ==, equals compares the capability).
	e.method(proto, "equals", func(c goja.FunctionCall) goja.Value {
		self := thisAs[*capabilityObj](e, c, "Capability", "equals")
		if o, ok := c.Argument(0).(*goja.Object); ok {
			if other, ok := o.Export().(*capabilityObj); ok {
				return e.vm.ToValue(other.c == self.c)
			}
		}
		return e.vm.ToValue(false)
	})
	e.getter(proto, "id", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(thisAs[*capabilityObj](e, c, "Capability", "id").c.ID())
	})
	return c
}

func (e *env) wrapCapability(c *engine.Capability) *goja.Object {
	return e.wrap(&capabilityObj{c: c}, "Capability")
}

// priority reads {priority} from an options object checked by e.options.
// Accepted values are Isolate.immediate / Isolate.beforeNextEvent
// ("immediate", "beforeNextEvent"); anything else is a TypeError.
func (e *env) priority(opts *goja.Object) engine.Priority {
	v := e.get(opts, "priority")
	if v == nil {
		return engine.BeforeNextEvent
	}
	switch v.String() {
	case "immediate":
		return engine.Immediate
	case "beforeNextEvent":
		return engine.BeforeNextEvent
	}
	e.typeError("priority must be Isolate.immediate or Isolate.beforeNextEvent")
	return 0
}

// responseMessage clones opts.response (undefined → null) from an options
// object checked by e.options.
func (e *env) responseMessage(opts *goja.Object) *engine.Message {
	v := e.get(opts, "response")
	if v == nil {
		return nil
	}
	m, err := e.iso.Clone(v, nil)
	if err != nil {
		e.throw(err)
	}
	return m
}

func (e *env) isolateClass() goja.Value {
	if c, ok := e.built("Isolate"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("Isolate", nil)
	_ = c.DefineDataProperty("immediate", vm.ToValue("immediate"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = c.DefineDataProperty("beforeNextEvent", vm.ToValue("beforeNextEvent"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	var current *goja.Object
	e.getter(c, "current", func(goja.FunctionCall) goja.Value {
		if current == nil {
			current = e.wrapIsolate(e.iso)
		}
		return current
	})
	e.method(c, "spawn", e.spawn)
	e.method(c, "spawnFile", e.spawnFile)
	e.method(c, "run", e.run)
	e.method(c, "publish", func(call goja.FunctionCall) goja.Value {
		a := call.Argument(0)
		if o, ok := a.(*goja.Object); ok {
			if r, ok := o.Export().(*receivePortObj); ok {
				e.iso.SetDefaultPort(r.rp.SendPort())
				return goja.Undefined()
			}
		}
		e.iso.SetDefaultPort(e.sendPortArg(a, "Isolate.publish: port"))
		return goja.Undefined()
	})
	e.method(c, "exit", func(call goja.FunctionCall) goja.Value {
		if p := call.Argument(0); !isNullish(p) {
			sp := e.sendPortArg(p, "Isolate.exit: port")
			if err := e.iso.Send(sp, call.Argument(1), nil); err != nil {
				e.throw(err)
			}
		}
		e.iso.Exit()
		return goja.Undefined()
	})

	this := func(c goja.FunctionCall, m string) *isolateObj {
		return thisAs[*isolateObj](e, c, "Isolate", m)
	}
	e.getter(proto, "id", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(this(c, "id").iso.ID())
	})
	e.getter(proto, "name", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(this(c, "name").iso.Name())
	})
	e.getter(proto, "pauseCapability", func(c goja.FunctionCall) goja.Value {
		return e.wrapCapability(this(c, "pauseCapability").iso.PauseCapability())
	})
	e.method(proto, "kill", func(c goja.FunctionCall) goja.Value {
		h := this(c, "kill")
		h.iso.Kill(e.priority(e.options(c.Argument(0), "Isolate.kill", "priority")))
		return goja.Undefined()
	})
	e.method(proto, "pause", func(c goja.FunctionCall) goja.Value {
		h := this(c, "pause")
		var cp *engine.Capability
		if a := c.Argument(0); !isNullish(a) {
			cp = e.capabilityArg(a)
		}
		return e.wrapCapability(h.iso.Pause(cp))
	})
	e.method(proto, "resume", func(c goja.FunctionCall) goja.Value {
		h := this(c, "resume")
		h.iso.Resume(e.capabilityArg(c.Argument(0)))
		return goja.Undefined()
	})
	e.method(proto, "ping", func(c goja.FunctionCall) goja.Value {
		h := this(c, "ping")
		sp := e.sendPortArg(c.Argument(0), "Isolate.ping: port")
		opts := e.options(c.Argument(1), "Isolate.ping", "response", "priority")
		h.iso.Ping(sp, e.responseMessage(opts), e.priority(opts))
		return goja.Undefined()
	})
	e.method(proto, "addOnExitListener", func(c goja.FunctionCall) goja.Value {
		h := this(c, "addOnExitListener")
		sp := e.sendPortArg(c.Argument(0), "addOnExitListener: port")
		opts := e.options(c.Argument(1), "Isolate.addOnExitListener", "response")
		h.iso.AddOnExitListener(sp, e.responseMessage(opts))
		return goja.Undefined()
	})
	e.method(proto, "removeOnExitListener", func(c goja.FunctionCall) goja.Value {
		h := this(c, "removeOnExitListener")
		h.iso.RemoveOnExitListener(e.sendPortArg(c.Argument(0), "removeOnExitListener: port"))
		return goja.Undefined()
	})
	e.method(proto, "addErrorListener", func(c goja.FunctionCall) goja.Value {
		h := this(c, "addErrorListener")
		h.iso.AddErrorListener(e.sendPortArg(c.Argument(0), "addErrorListener: port"))
		return goja.Undefined()
	})
	e.method(proto, "removeErrorListener", func(c goja.FunctionCall) goja.Value {
		h := this(c, "removeErrorListener")
		h.iso.RemoveErrorListener(e.sendPortArg(c.Argument(0), "removeErrorListener: port"))
		return goja.Undefined()
	})
	e.method(proto, "setErrorsFatal", func(c goja.FunctionCall) goja.Value {
		h := this(c, "setErrorsFatal")
		h.iso.SetErrorsFatal(c.Argument(0).ToBoolean())
		return goja.Undefined()
	})
	e.getter(proto, "exited", func(c goja.FunctionCall) goja.Value {
		h := this(c, "exited")
		if h.exited == nil {
			p, resolve, _ := e.promise()
			h.exited = p
			release := e.iso.Hold() // a pending exited promise keeps us alive
			h.iso.OnDone(func(error) {
				e.iso.Post(func() error {
					resolve(goja.Undefined())
					return nil
				})
				release()
			})
		}
		return h.exited
	})
	return c
}

func (e *env) capabilityArg(v goja.Value) *engine.Capability {
	if o, ok := v.(*goja.Object); ok {
		if c, ok := o.Export().(*capabilityObj); ok {
			return c.c
		}
	}
	e.typeError("expected a Capability")
	return nil
}

// spawnOptionNames are the options of Isolate.spawn, spawnFile and run.
var spawnOptionNames = []string{"name", "paused", "errorsAreFatal", "onExit", "onError", "entry", "limits", "process"}

// spawnOptions converts the JS options object of api into engine options;
// an unknown key is a TypeError (see e.options).
func (e *env) spawnOptions(api string, optsArg goja.Value, msg goja.Value) []engine.SpawnOption {
	opts := e.options(optsArg, api, spawnOptionNames...)
	out := []engine.SpawnOption{engine.WithParent(e.iso)}
	caps := e.iso.Capabilities()
	// A child may read what its parent reads and call what its parent
	// calls, never more; stdin, exit and args stay with the main isolate.
	out = append(out, engine.WithCapabilities(engine.Capabilities{ReadRoots: caps.ReadRoots, Funcs: caps.Funcs}))
	if !isNullish(msg) {
		m, err := e.iso.Clone(msg, nil)
		if err != nil {
			e.throw(err)
		}
		out = append(out, engine.WithMessage(m))
	}
	if v := e.get(opts, "name"); v != nil {
		out = append(out, engine.WithName(v.String()))
	}
	if v := e.get(opts, "paused"); v != nil {
		out = append(out, engine.WithPaused(v.ToBoolean()))
	}
	if v := e.get(opts, "errorsAreFatal"); v != nil {
		out = append(out, engine.WithErrorsAreFatal(v.ToBoolean()))
	}
	if v := e.get(opts, "onExit"); v != nil {
		out = append(out, engine.WithOnExit(e.sendPortArg(v, "options.onExit"), nil))
	}
	if v := e.get(opts, "onError"); v != nil {
		out = append(out, engine.WithOnError(e.sendPortArg(v, "options.onError")))
	}
	if v := e.get(opts, "entry"); v != nil {
		out = append(out, engine.WithEntry(v.String()))
	}
	if v := e.get(opts, "limits"); v != nil {
		out = append(out, engine.WithLimits(e.limits(v)))
	}
	if v := e.get(opts, "process"); v != nil {
		// true: a worker process of its own; "NAME": the shared worker of
		// that group; false: in this process (overriding a host default).
		_, isStr := v.(goja.String)
		_, isObj := v.(*goja.Object)
		switch {
		case !isObj && v.ExportType() == reflect.TypeOf(true):
			out = append(out, engine.WithInProcess(!v.ToBoolean()))
		case isStr && v.String() != "":
			out = append(out, engine.WithProcess(v.String()))
		default:
			e.typeError("%s: options.process must be true, false or a group name", api)
		}
	}
	return out
}

// limitFields are the keys of options.limits and what each sets: the one
// list both the check for unknown keys and the reading use.
var limitFields = []struct {
	name string
	set  func(*engine.Limits, int64)
}{
	{"maxStackDepth", func(l *engine.Limits, n int64) { l.MaxStackDepth = int(min(n, 1<<20)) }},
	{"maxTaskMs", func(l *engine.Limits, n int64) { l.MaxTaskMs = n }},
	{"maxTaskWallMs", func(l *engine.Limits, n int64) { l.MaxTaskWallMs = n }},
	{"cpuMs", func(l *engine.Limits, n int64) { l.CPUMs = n }},
	{"memoryMb", func(l *engine.Limits, n int64) { l.MemoryMb = n }},
	{"maxQueue", func(l *engine.Limits, n int64) { l.MaxQueue = int(min(n, 1<<40)) }},
	{"maxMessageBytes", func(l *engine.Limits, n int64) { l.MaxMessageBytes = n }},
	{"maxTimers", func(l *engine.Limits, n int64) { l.MaxTimers = int(min(n, 1<<40)) }},
}

// limitField returns the setter of limit k, or nil.
func limitField(k string) func(*engine.Limits, int64) {
	for _, f := range limitFields {
		if f.name == k {
			return f.set
		}
	}
	return nil
}

// unknownLimit throws the TypeError for an unknown key of options.limits.
func (e *env) unknownLimit(k string) {
	names := make([]string, len(limitFields))
	for i, f := range limitFields {
		names[i] = f.name
	}
	e.typeError("options.limits: unknown limit %s (valid limits: %s)", strconv.Quote(k), strings.Join(names, ", "))
}

// limits reads a limits object; unknown keys are a TypeError (even with an
// undefined value), so a typo does not silently leave an isolate unbounded.
func (e *env) limits(v goja.Value) engine.Limits {
	obj, ok := v.(*goja.Object)
	if !ok {
		e.typeError("options.limits must be an object")
	}
	var l engine.Limits
	keys := obj.Keys()
	for _, k := range keys {
		if limitField(k) == nil {
			e.unknownLimit(k)
		}
	}
	for _, k := range keys {
		val := obj.Get(k)
		if isNullish(val) {
			continue
		}
		n := e.toInt64(val, "limits."+k)
		// A value over what the process survives (a maxStackDepth whose
		// recursion would overflow Go's stack, a time that overflows a
		// Duration) is refused, naming the maximum: engine.Limits.Validate.
		if max, known := engine.LimitMax(k); known && n > max {
			e.typeError("limits.%s %d is over the maximum %d", k, n, max)
		}
		limitField(k)(&l, n)
	}
	return l
}

// spawnPromise runs spawn and settles a promise with the isolate handle.
func (e *env) spawnPromise(spawn func() (*engine.Isolate, error)) goja.Value {
	p, resolve, reject := e.promise()
	iso, err := e.try(spawn)
	if err != nil {
		reject(e.jsError(err))
	} else {
		resolve(e.wrapIsolate(iso))
	}
	return p
}

// try runs fn, turning a JS exception thrown inside it (bad options, an
// unclonable message) into an error.
func (e *env) try(fn func() (*engine.Isolate, error)) (iso *engine.Isolate, err error) {
	ex := e.vm.Try(func() { iso, err = fn() })
	if ex != nil {
		return nil, ex
	}
	return iso, err
}

func (e *env) spawn(c goja.FunctionCall) goja.Value {
	return e.spawnPromise(func() (*engine.Isolate, error) {
		src := e.functionSource(c.Argument(0), "Isolate.spawn")
		return e.iso.Host().Spawn(src, e.spawnOptions("Isolate.spawn", c.Argument(2), c.Argument(1))...)
	})
}

func (e *env) spawnFile(c goja.FunctionCall) goja.Value {
	return e.spawnPromise(func() (*engine.Isolate, error) {
		if isNullish(c.Argument(0)) {
			e.typeError("Isolate.spawnFile: path must be a string")
		}
		path := c.Argument(0).String()
		e.options(c.Argument(2), "Isolate.spawnFile", spawnOptionNames...) // before reading the file
		src, err := e.iso.ReadFile(path)
		if err != nil {
			return nil, err
		}
		opts := append([]engine.SpawnOption{engine.WithEntry("main")}, e.spawnOptions("Isolate.spawnFile", c.Argument(2), c.Argument(1))...)
		return e.iso.Host().Spawn(src, opts...)
	})
}

// run implements Isolate.run(fn, arg, options): the result (or error) comes
// back from the child's goroutine and is posted to this isolate's loop.
func (e *env) run(c goja.FunctionCall) goja.Value {
	p, resolve, reject := e.promise()
	release := e.iso.Hold()
	settle := func(m *engine.Message, err error) {
		posted := e.iso.Post(func() error {
			defer release()
			if err != nil {
				if errors.Is(err, engine.ErrNoResult) {
					reject(e.newError("Error", "Isolate.run: the isolate exited without producing a result"))
				} else if errors.Is(err, engine.ErrKilled) {
					reject(e.newError("Error", "Isolate.run: the isolate was killed before producing a result"))
				} else {
					reject(e.jsError(err))
				}
				return nil
			}
			v, err := e.iso.Value(m)
			if err != nil {
				reject(e.jsError(err))
				return nil
			}
			resolve(v)
			return nil
		})
		if !posted {
			release()
		}
	}
	_, err := e.try(func() (*engine.Isolate, error) {
		src := e.functionSource(c.Argument(0), "Isolate.run")
		opts := append(e.spawnOptions("Isolate.run", c.Argument(2), c.Argument(1)), engine.WithResult(settle), engine.WithErrorsAreFatal(true))
		return e.iso.Host().Spawn(src, opts...)
	})
	if err != nil {
		release()
		reject(e.jsError(err))
	}
	return p
}
