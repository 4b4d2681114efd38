package bindings

import (
	"math"
	"time"

	"github.com/dop251/goja"
)

// AbortController and AbortSignal (DOM Standard, "Aborting ongoing
// activities"). A signal is an EventTarget; signals made by
// AbortSignal.any depend on their sources and abort with the first of
// them. AbortSignal.timeout's timer does not keep the isolate alive.

// abortState is the state of one AbortSignal.
type abortState struct {
	targetState
	aborted    bool
	reason     goja.Value
	algorithms []func()
	dependent  bool
	sources    []*abortState
	dependents []*abortState
}

// abortOf returns the AbortSignal behind v.
func (e *env) abortOf(v goja.Value) (*abortState, bool) {
	return slotOf[*abortState](e, v)
}

// newSignal makes a new AbortSignal object.
func (e *env) newSignal() *abortState {
	e.abortSignalClass()
	o := e.vm.NewObject()
	_ = o.SetPrototype(e.protoCache["AbortSignal"])
	s := &abortState{}
	s.self = o
	e.setSlot(o, s)
	return s
}

// signalAbort is the DOM's "signal abort".
func (e *env) signalAbort(s *abortState, reason goja.Value) {
	if s.aborted {
		return
	}
	if reason == nil || goja.IsUndefined(reason) {
		reason = e.newDOMException("AbortError", "This operation was aborted")
	}
	s.aborted, s.reason = true, reason
	var deps []*abortState
	for _, d := range s.dependents {
		if !d.aborted {
			d.aborted, d.reason = true, reason
			deps = append(deps, d)
		}
	}
	e.abortSteps(s)
	for _, d := range deps {
		e.abortSteps(d)
	}
}

func (e *env) abortSteps(s *abortState) {
	algs := s.algorithms
	s.algorithms = nil
	for _, f := range algs {
		f()
	}
	e.fire(&s.targetState, e.newEvent("Event", kindEvent, "abort"))
}

func (e *env) abortSignalClass() goja.Value {
	if c, ok := e.built("AbortSignal"); ok {
		return c
	}
	base := e.eventTargetClass().(*goja.Object)
	c, proto := e.class("AbortSignal", nil)
	_ = proto.SetPrototype(e.protoCache["EventTarget"])
	_ = c.SetPrototype(base)
	this := func(c goja.FunctionCall, m string) *abortState {
		s, ok := e.abortOf(c.This)
		if !ok {
			e.illegal("AbortSignal", m)
		}
		return s
	}
	e.getter(proto, "aborted", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "aborted").aborted) })
	e.getter(proto, "reason", func(c goja.FunctionCall) goja.Value {
		s := this(c, "reason")
		if s.reason == nil {
			return goja.Undefined()
		}
		return s.reason
	})
	e.method(proto, "throwIfAborted", func(c goja.FunctionCall) goja.Value {
		if s := this(c, "throwIfAborted"); s.aborted {
			panic(s.reason)
		}
		return goja.Undefined()
	})
	e.handlerAttr(proto, "AbortSignal", "onabort")
	e.method(c, "abort", func(c goja.FunctionCall) goja.Value {
		s := e.newSignal()
		e.signalAbort(s, c.Argument(0))
		return s.self
	})
	e.method(c, "timeout", func(c goja.FunctionCall) goja.Value {
		e.needArgs(c, 1, "AbortSignal.timeout")
		f := c.Argument(0).ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<53-1 {
			e.typeError("AbortSignal.timeout: the delay must be a finite number between 0 and 2^53-1")
		}
		s := e.newSignal()
		d := time.Duration(math.Min(math.Trunc(f), float64(math.MaxInt64/int64(time.Millisecond)))) * time.Millisecond
		if _, err := e.iso.AddWeakTimer(d, func() error {
			e.signalAbort(s, e.newDOMException("TimeoutError", "The operation was aborted due to timeout"))
			return nil
		}); err != nil {
			e.throw(err)
		}
		return s.self
	})
	e.method(c, "any", func(c goja.FunctionCall) goja.Value {
		e.needArgs(c, 1, "AbortSignal.any")
		o, ok := c.Argument(0).(*goja.Object)
		var fn goja.Callable
		if ok {
			fn, ok = goja.AssertFunction(o.GetSymbol(goja.SymIterator))
		}
		if !ok {
			e.typeError("AbortSignal.any: parameter 1 is not iterable")
		}
		var srcs []*abortState
		for i, v := range e.objectSequence(o, fn, "AbortSignal.any: signals") {
			s, ok := e.abortOf(v)
			if !ok {
				e.typeError("AbortSignal.any: item %d is not an AbortSignal", i)
			}
			srcs = append(srcs, s)
		}
		r := e.newSignal()
		r.dependent = true
		for _, s := range srcs {
			if s.aborted {
				r.aborted, r.reason = true, s.reason
				return r.self
			}
		}
		add := func(s *abortState) {
			for _, x := range r.sources {
				if x == s {
					return
				}
			}
			r.sources = append(r.sources, s)
			s.dependents = append(s.dependents, r)
		}
		for _, s := range srcs {
			if !s.dependent {
				add(s)
				continue
			}
			for _, ss := range s.sources {
				add(ss)
			}
		}
		return r.self
	})
	e.setLength(c, "timeout", 1)
	e.setLength(c, "any", 1)
	return c
}

func (e *env) abortControllerClass() goja.Value {
	if c, ok := e.built("AbortController"); ok {
		return c
	}
	c, proto := e.class("AbortController", func(call goja.ConstructorCall) *goja.Object {
		e.setSlot(call.This, &abortController{self: call.This, signal: e.newSignal()})
		return nil
	})
	this := func(c goja.FunctionCall, m string) *abortController {
		a, ok := slotOf[*abortController](e, c.This)
		if !ok {
			e.illegal("AbortController", m)
		}
		return a
	}
	e.getter(proto, "signal", func(c goja.FunctionCall) goja.Value { return this(c, "signal").signal.self })
	e.method(proto, "abort", func(c goja.FunctionCall) goja.Value {
		e.signalAbort(this(c, "abort").signal, c.Argument(0))
		return goja.Undefined()
	})
	return c
}

// abortController is the state of one AbortController.
type abortController struct {
	hostObject
	self   *goja.Object
	signal *abortState
}

func (a *abortController) owner() *goja.Object { return a.self }
