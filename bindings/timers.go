package bindings

import (
	"time"

	"github.com/dop251/goja"
)

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// setTimeout returns setTimeout (or setInterval): fn(...args) after ms. It
// returns the timer id, a positive integer.
func (e *env) setTimeout(periodic bool) func(goja.FunctionCall) goja.Value {
	name := "setTimeout"
	if periodic {
		name = "setInterval"
	}
	return func(c goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			e.typeError("%s: callback must be a function", name)
		}
		d := toDuration(c.Argument(1))
		var args []goja.Value
		if len(c.Arguments) > 2 {
			args = append(args, c.Arguments[2:]...)
		}
		id, err := e.iso.AddTimer(ms(d), periodic, func() error {
			_, err := fn(goja.Undefined(), args...)
			return err
		})
		if err != nil {
			e.throw(err)
		}
		return e.vm.ToValue(id)
	}
}

func (e *env) clearTimer(c goja.FunctionCall) goja.Value {
	a := c.Argument(0)
	if isNullish(a) {
		return goja.Undefined()
	}
	if o, ok := a.(*goja.Object); ok {
		if t, ok := o.Export().(*timerObj); ok {
			e.iso.CancelTimer(t.id)
		}
		return goja.Undefined()
	}
	f := a.ToFloat()
	if f >= 1 && f <= 1<<53 && f == float64(int64(f)) {
		e.iso.CancelTimer(int64(f))
	}
	return goja.Undefined()
}

// queueMicrotask queues fn as a promise job. It goes through the VM's own
// promise machinery (Promise.resolve().then), captured from a fresh promise
// so a script that replaced Promise cannot redirect it.
func (e *env) queueMicrotask(c goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		e.typeError("queueMicrotask: callback must be a function")
	}
	p, resolve, _ := e.iso.NewPromise()
	_ = resolve(goja.Undefined())
	then, err := e.vm.RunProgram(microtaskProg)
	if err != nil {
		e.throw(err)
	}
	call, _ := goja.AssertFunction(then)
	job := e.native("queueMicrotask", func(goja.FunctionCall) goja.Value {
		if _, err := fn(goja.Undefined()); err != nil {
			panic(err)
		}
		return goja.Undefined()
	})
	if _, err := call(goja.Undefined(), e.vm.ToValue(p), job); err != nil {
		e.throw(err)
	}
	return goja.Undefined()
}

// microtaskProg schedules a job with await, which uses the intrinsic
// PerformPromiseThen rather than the script's Promise.prototype.then.
var microtaskProg = goja.MustCompile("<microtask>", `(function(p, job){ (async function(){ await p; job() })() })`, false)

// timerObj is the JS Timer (Dart's Timer): Timer.periodic(ms, cb) and
// new Timer(ms, cb).
type timerObj struct {
	hostObject
	id   int64
	tick int64
}

// JSClassName names the class in clone errors (clone.HostObject).
func (*timerObj) JSClassName() string { return "Timer" }

func (e *env) timerClass() goja.Value {
	if c, ok := e.built("Timer"); ok {
		return c
	}
	var proto *goja.Object
	start := func(d goja.Value, cbv goja.Value, periodic bool, api string, p *goja.Object) *goja.Object {
		fn, ok := goja.AssertFunction(cbv)
		if !ok {
			e.typeError("%s: callback must be a function", api)
		}
		t := &timerObj{}
		o := e.vm.NewDynamicObject(t)
		_ = o.SetPrototype(p)
		id, err := e.iso.AddTimer(ms(toDuration(d)), periodic, func() error {
			t.tick++
			var err error
			if periodic {
				_, err = fn(goja.Undefined(), o)
			} else {
				_, err = fn(goja.Undefined())
			}
			return err
		})
		if err != nil {
			e.throw(err)
		}
		t.id = id
		return o
	}
	c, proto := e.class("Timer", func(call goja.ConstructorCall) *goja.Object {
		return start(call.Argument(0), call.Argument(1), false, "new Timer", instanceProto(call, proto))
	})
	e.method(c, "periodic", func(call goja.FunctionCall) goja.Value {
		return start(call.Argument(0), call.Argument(1), true, "Timer.periodic", proto)
	})
	this := func(c goja.FunctionCall, m string) *timerObj {
		return thisAs[*timerObj](e, c, "Timer", m)
	}
	e.method(proto, "cancel", func(c goja.FunctionCall) goja.Value {
		e.iso.CancelTimer(this(c, "cancel").id)
		return goja.Undefined()
	})
	e.getter(proto, "isActive", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(e.iso.TimerActive(this(c, "isActive").id))
	})
	e.getter(proto, "tick", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(this(c, "tick").tick)
	})
	return c
}
