package engine

import "github.com/dop251/goja"

// The entry task and results: running the compiled source, calling the
// entry function with the spawn message, and delivering its result.

// runEntry is the first task: it runs the compiled source and calls the
// entry function with the spawn message.
func (iso *Isolate) runEntry() error {
	if iso.modProg != nil && iso.modProg.module {
		return iso.runModuleEntry()
	}
	if err := iso.Prepare(iso.prog); err != nil {
		return err
	}
	v, err := iso.vm.RunProgram(iso.prog)
	if err != nil {
		return err
	}
	var fn goja.Callable
	switch {
	case iso.src.Kind == SourceFunction:
		f, ok := goja.AssertFunction(iso.methodOf(v))
		if !ok {
			return &ScriptError{Name: "TypeError", Message: "spawn entry is not a function"}
		}
		fn = f
	case iso.cfg.entry != "":
		if f, ok := goja.AssertFunction(iso.vm.Get(iso.cfg.entry)); ok {
			fn = f
		}
	}
	return iso.callEntry(fn)
}

// callEntry calls the entry function fn (nil: none) with the spawn
// message and delivers its result. Loop only.
func (iso *Isolate) callEntry(fn goja.Callable) error {
	if fn == nil {
		iso.deliverResult(goja.Undefined())
		return nil
	}
	arg := goja.Undefined()
	if iso.cfg.arg != nil {
		a, err := iso.Value(iso.cfg.arg)
		if err != nil {
			return err
		}
		arg = a
	}
	res, err := fn(goja.Undefined(), arg)
	if err != nil {
		return err
	}
	iso.deliverResult(res)
	return nil
}

// runModuleEntry runs the isolate's module graph. The entry (WithEntry) is
// the entry module's export of that name, called with the spawn message
// once the module's body, top-level await included, has run. The isolate
// stays alive until the module completes; a rejection is reported as its
// uncaught error.
func (iso *Isolate) runModuleEntry() error {
	p, err := iso.runModule(iso.modProg, func(ns *goja.Object) error {
		var fn goja.Callable
		if iso.cfg.entry != "" && ns != nil {
			fn, _ = goja.AssertFunction(ns.Get(iso.cfg.entry))
		}
		return iso.callEntry(fn)
	})
	if err != nil {
		return err
	}
	release := iso.holdTLA()
	f, err := iso.runPromiseProg(settleProg)
	if err != nil {
		release()
		return err
	}
	settle, _ := goja.AssertFunction(f)
	rel := iso.named("", func(goja.FunctionCall) goja.Value { release(); return goja.Undefined() })
	if _, err := settle(goja.Undefined(), p, rel); err != nil {
		release()
		return err
	}
	return nil
}

// methodOf returns the method a method's source was compiled into: the
// only property of the object literal compileFunction wrapped it in (for
// an accessor, its getter or setter, not the getter's result). Any other
// value is returned as it is. It runs right after the entry's source was
// evaluated, before the entry itself.
func (iso *Isolate) methodOf(v goja.Value) goja.Value {
	if _, ok := goja.AssertFunction(v); ok {
		return v
	}
	if _, ok := v.(*goja.Object); !ok {
		return v
	}
	f, err := iso.vm.RunProgram(methodProg)
	if err != nil {
		return v
	}
	pick, _ := goja.AssertFunction(f)
	m, err := pick(goja.Undefined(), v)
	if err != nil {
		return v
	}
	return m
}

var methodProg = goja.MustCompile("<method>", `(function (o) {
	var keys = Reflect.ownKeys(o);
	if (keys.length !== 1) return o;
	var d = Object.getOwnPropertyDescriptor(o, keys[0]);
	return "value" in d ? d.value : (d.get || d.set);
})`, true)

// deliverResult reports the entry's result to a WithResult callback,
// awaiting a promise first.
func (iso *Isolate) deliverResult(v goja.Value) {
	if iso.result.Load() == nil {
		return
	}
	if obj, ok := v.(*goja.Object); ok {
		if p, ok := obj.Export().(*goja.Promise); ok {
			switch p.State() {
			case goja.PromiseStatePending:
				iso.awaitResult(obj)
				return
			case goja.PromiseStateRejected:
				iso.resultError(p.Result())
				return
			default:
				v = p.Result()
			}
		}
	}
	m, err := iso.Clone(v, nil)
	if fn := iso.result.Swap(nil); fn != nil {
		(*fn)(m, err)
	}
	// Isolate.run: the isolate exits once its result is out.
	iso.terminate(nil, exitSignal{})
}

func (iso *Isolate) resultError(reason goja.Value) {
	se := iso.errorFromValue(reason)
	if se.Value == nil {
		se.Value = errorValueOf(se)
	}
	if fn := iso.result.Swap(nil); fn != nil {
		(*fn)(nil, se)
	}
	// The rejection is handled by the result; don't report it again.
	iso.rejections = iso.rejections[:0]
	iso.terminate(nil, exitSignal{})
}

// awaitProg awaits a promise with the VM's own await, which does not look
// up the script's (replaceable) Promise.prototype.then.
var awaitProg = goja.MustCompile("<await>", `(function(p, ok, fail){ (async function(){ var v; try { v = await p } catch (e) { fail(e); return } ok(v) })() })`, false)

// awaitResult delivers the result once the pending promise settles. A
// pending promise whose isolate ends first yields ErrNoResult.
func (iso *Isolate) awaitResult(promise *goja.Object) {
	f, err := iso.runPromiseProg(awaitProg)
	if err != nil {
		iso.resultError(iso.vm.ToValue(err.Error()))
		return
	}
	call, _ := goja.AssertFunction(f)
	ok := iso.named("Isolate.run", func(c goja.FunctionCall) goja.Value {
		iso.deliverResult(c.Argument(0))
		return goja.Undefined()
	})
	fail := iso.named("Isolate.run", func(c goja.FunctionCall) goja.Value {
		iso.resultError(c.Argument(0))
		return goja.Undefined()
	})
	if _, err := call(goja.Undefined(), promise, ok, fail); err != nil {
		iso.resultError(iso.vm.ToValue(err.Error()))
	}
}

// named makes a JS function of an engine native with a JS name, so that a
// stack frame never shows its Go name. Loop only.
func (iso *Isolate) named(name string, f func(goja.FunctionCall) goja.Value) goja.Value {
	fn := iso.vm.ToValue(f).(*goja.Object)
	_ = fn.DefineDataProperty("name", iso.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return fn
}

// runPromiseProg runs one of the engine's own programs that make promises
// (async functions), after the guards of Promise.prototype (NewPromise).
func (iso *Isolate) runPromiseProg(p *goja.Program) (goja.Value, error) {
	iso.guards.EnsurePromise()
	return iso.vm.RunProgram(p)
}
