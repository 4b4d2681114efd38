package bindings

import (
	"errors"
	"math"
	"reflect"
	"time"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// The DOM Standard's events: EventTarget, Event and the HTML events
// MessageEvent and ErrorEvent (plus CustomEvent). Every target here has no
// parent, so an event's path is its target alone: capture listeners run
// first, then the others, both at AT_TARGET, as the DOM's dispatch does.
//
// Events and script-made EventTargets are ordinary objects (so that
// classes may extend them); their state lives in a Go value held under a
// per-isolate symbol, and a getter checks that the state belongs to the
// very object it is called on. The host targets (MessagePort, Worker,
// BroadcastChannel) are host objects whose Go value carries the state.
// Everything here runs on the isolate's goroutine.

// Event phases (Event.NONE ...).
const (
	phaseNone     = 0
	phaseAtTarget = 2
)

// event kinds, for the brand checks of the subclasses' getters.
const (
	kindEvent = iota
	kindMessage
	kindError
	kindCustom
)

// eventState is the state of one Event object.
type eventState struct {
	hostObject
	self                              *goja.Object
	kind                              int
	typ                               string
	target, currentTarget             goja.Value // nil is null
	phase                             int
	bubbles, cancelable, composed     bool
	canceled, stopProp, stopImmediate bool
	inPassive, dispatching, trusted   bool
	timeStamp                         float64

	// MessageEvent
	data, source, ports goja.Value
	origin, lastEventID string
	// ErrorEvent
	message, filename string
	lineno, colno     int64
	errorV            goja.Value
	// CustomEvent
	detail goja.Value
}

// listener is one entry of an event listener list.
type listener struct {
	typ                    string
	cb                     *goja.Object
	capture, once, passive bool
	removed                bool
}

// handlerSlot is an event handler attribute (onmessage...): its value and
// the listener that runs it, added when it first became non-null.
type handlerSlot struct {
	value goja.Value
	l     *listener
}

// targetState is the state of one EventTarget.
type targetState struct {
	hostObject
	self      *goja.Object
	listeners []*listener
	handlers  map[string]*handlerSlot
	// changed, if set, is called after the listeners change (a port
	// starts or stops keeping its isolate alive).
	changed func()
}

// eventTarget lets a host object's Go value carry a targetState.
type eventTarget interface{ eventTarget() *targetState }

func (t *targetState) eventTarget() *targetState { return t }

// has reports whether some listener of type typ is registered.
func (t *targetState) has(typ string) bool {
	for _, l := range t.listeners {
		if l.typ == typ && !l.removed {
			return true
		}
	}
	return false
}

func (t *targetState) remove(l *listener) {
	l.removed = true
	for i, x := range t.listeners {
		if x == l {
			t.listeners = append(t.listeners[:i:i], t.listeners[i+1:]...)
			break
		}
	}
	if t.changed != nil {
		t.changed()
	}
}

// msgState is the per-isolate state of the Web surface.
type msgState struct {
	slot   *goja.Symbol
	origin time.Time
	// thrower rethrows its argument: calling it turns a JS value into the
	// *goja.Exception an error-returning Go path needs.
	thrower goja.Callable
	freeze  goja.Callable // Object.freeze
}

// propBool reads a boolean member of a dictionary (missing is false).
func propBool(o *goja.Object, k string) bool {
	v := o.Get(k)
	return v != nil && v.ToBoolean()
}

func (e *env) msgs() *msgState {
	if e.webmsg == nil {
		// The time origin is the isolate's start, as performance.now()'s.
		e.webmsg = &msgState{slot: goja.NewSymbol("isobox.internal"), origin: time.Now().Add(-e.iso.Stats().Uptime)}
	}
	return e.webmsg
}

// setSlot attaches Go state to an ordinary object.
func (e *env) setSlot(o *goja.Object, d goja.DynamicObject) {
	_ = o.DefineDataPropertySymbol(e.msgs().slot, e.vm.NewDynamicObject(d), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// slotValue returns the Go state of an ordinary object made by the
// bindings, if it is the object the state was made for.
func (e *env) slotValue(v goja.Value) any {
	o, ok := v.(*goja.Object)
	if !ok || o == nil || e.webmsg == nil {
		return nil
	}
	sv, ok := o.GetSymbol(e.webmsg.slot).(*goja.Object)
	if !ok {
		return nil
	}
	s, ok := sv.Export().(interface{ owner() *goja.Object })
	if !ok || s.owner() != o {
		return nil
	}
	return s
}

// slotOf returns the Go state of type T behind v (a host object's own Go
// value, or an ordinary object's slot).
func slotOf[T any](e *env, v goja.Value) (T, bool) {
	var zero T
	o, ok := v.(*goja.Object)
	if !ok || o == nil {
		return zero, false
	}
	if s, ok := e.slotValue(v).(T); ok {
		return s, true
	}
	// A host object (a goja DynamicObject) exports its Go value, a
	// pointer; an ordinary object would export as a map, reading every
	// property (getters included), so it is never exported.
	if t := o.ExportType(); t != nil && t.Kind() == reflect.Pointer {
		s, ok := o.Export().(T)
		return s, ok
	}
	return zero, false
}

func (s *eventState) owner() *goja.Object  { return s.self }
func (t *targetState) owner() *goja.Object { return t.self }

// targetOf returns the EventTarget state behind v, or false.
func (e *env) targetOf(v goja.Value) (*targetState, bool) {
	if t, ok := slotOf[eventTarget](e, v); ok {
		return t.eventTarget(), true
	}
	return nil, false
}

func (e *env) illegal(class, member string) {
	e.typeError("Illegal invocation: %s.%s called on an object that is not a %s", class, member, class)
}

// accessor defines a getter and a setter on a prototype.
func (e *env) accessor(o *goja.Object, name string, get, set func(goja.FunctionCall) goja.Value) {
	_ = o.DefineAccessorProperty(name, e.native("get "+e.qualified(o, name), get), e.native("set "+e.qualified(o, name), set), goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// setLength gives the function o[name] (or o itself, for name "") its
// WebIDL length: the number of required arguments.
func (e *env) setLength(o *goja.Object, name string, n int) {
	f := o
	if name != "" {
		f, _ = o.Get(name).(*goja.Object)
	}
	if f != nil {
		_ = f.DefineDataProperty("length", e.vm.ToValue(n), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// constant defines a read-only enumerable number, as WebIDL constants are.
func (e *env) constant(o *goja.Object, name string, v int) {
	_ = o.DefineDataProperty(name, e.vm.ToValue(v), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

func (e *env) needArgs(c goja.FunctionCall, n int, what string) {
	if len(c.Arguments) < n {
		e.typeError("%s: %d argument(s) required, but only %d present", what, n, len(c.Arguments))
	}
}

// orNull turns a nil slot into null.
func orNull(v goja.Value) goja.Value {
	if v == nil {
		return goja.Null()
	}
	return v
}

// ----- EventTarget -----

func (e *env) eventTargetClass() goja.Value {
	if c, ok := e.built("EventTarget"); ok {
		return c
	}
	c, proto := e.class("EventTarget", func(call goja.ConstructorCall) *goja.Object {
		e.newTargetState(call.This)
		return nil
	})
	this := func(c goja.FunctionCall, m string) *targetState {
		t, ok := e.targetOf(c.This)
		if !ok {
			if c.This == nil || isNullish(c.This) {
				// Called unbound (a global's addEventListener read as a
				// plain function): WebIDL uses the global object.
				if t, ok := e.targetOf(e.vm.GlobalObject()); ok {
					return t
				}
			}
			e.illegal("EventTarget", m)
		}
		return t
	}
	e.method(proto, "addEventListener", func(c goja.FunctionCall) goja.Value {
		t := this(c, "addEventListener")
		e.needArgs(c, 2, "EventTarget.addEventListener")
		e.addListener(t, c.Argument(0).String(), c.Argument(1), c.Argument(2))
		return goja.Undefined()
	})
	e.method(proto, "removeEventListener", func(c goja.FunctionCall) goja.Value {
		t := this(c, "removeEventListener")
		e.needArgs(c, 2, "EventTarget.removeEventListener")
		typ := c.Argument(0).String()
		cb, ok := e.callbackArg(c.Argument(1), "removeEventListener")
		capture := e.flatten(c.Argument(2))
		if !ok {
			return goja.Undefined()
		}
		for _, l := range t.listeners {
			if l.typ == typ && l.cb.SameAs(cb) && l.capture == capture {
				t.remove(l)
				break
			}
		}
		return goja.Undefined()
	})
	e.method(proto, "dispatchEvent", func(c goja.FunctionCall) goja.Value {
		t := this(c, "dispatchEvent")
		e.needArgs(c, 1, "EventTarget.dispatchEvent")
		ev, ok := slotOf[*eventState](e, c.Argument(0))
		if !ok {
			e.typeError("EventTarget.dispatchEvent: parameter 1 is not of type 'Event'")
		}
		if ev.dispatching {
			e.throwDOMException("InvalidStateError", "The event is already being dispatched.")
		}
		ev.trusted = false
		return e.vm.ToValue(e.dispatch(t, ev))
	})
	e.setLength(proto, "addEventListener", 2)
	e.setLength(proto, "removeEventListener", 2)
	e.setLength(proto, "dispatchEvent", 1)
	return c
}

// newTargetState makes o an EventTarget.
func (e *env) newTargetState(o *goja.Object) *targetState {
	t := &targetState{self: o}
	e.setSlot(o, t)
	return t
}

// callbackArg checks an EventListener argument: null is none (false);
// anything else but an object is a TypeError.
func (e *env) callbackArg(v goja.Value, api string) (*goja.Object, bool) {
	if isNullish(v) {
		return nil, false
	}
	o, ok := v.(*goja.Object)
	if !ok {
		e.typeError("EventTarget.%s: parameter 2 is not of type 'EventListener'", api)
	}
	return o, true
}

// flatten reads the capture flag of a listener's options: a boolean, or
// an object's capture member.
func (e *env) flatten(v goja.Value) bool {
	if o, ok := v.(*goja.Object); ok {
		return propBool(o, "capture")
	}
	if v == nil {
		return false
	}
	return v.ToBoolean()
}

// addListener is the DOM's "add an event listener", options included.
func (e *env) addListener(t *targetState, typ string, cbv, opts goja.Value) {
	cb, ok := e.callbackArg(cbv, "addEventListener")
	capture := e.flatten(opts)
	var once, passive bool
	var signal *abortState
	if o, isObj := opts.(*goja.Object); isObj {
		once = propBool(o, "once")
		passive = propBool(o, "passive")
		if sv := o.Get("signal"); sv != nil && !goja.IsUndefined(sv) {
			s, ok := e.abortOf(sv)
			if !ok {
				e.typeError("EventTarget.addEventListener: member signal is not of type 'AbortSignal'")
			}
			signal = s
		}
	}
	if !ok {
		return
	}
	if signal != nil && signal.aborted {
		return
	}
	for _, l := range t.listeners {
		if l.typ == typ && l.cb.SameAs(cb) && l.capture == capture {
			return
		}
	}
	l := &listener{typ: typ, cb: cb, capture: capture, once: once, passive: passive}
	t.listeners = append(t.listeners, l)
	if signal != nil {
		signal.algorithms = append(signal.algorithms, func() {
			if !l.removed {
				t.remove(l)
			}
		})
	}
	if t.changed != nil {
		t.changed()
	}
}

// dispatch is the DOM's dispatch for a target without parents. It returns
// false if the event was canceled.
func (e *env) dispatch(t *targetState, ev *eventState) bool {
	ev.dispatching = true
	ev.target = t.self
	ev.phase = phaseAtTarget
	ev.currentTarget = t.self
	defer func() {
		ev.phase = phaseNone
		ev.currentTarget = nil
		ev.dispatching = false
		ev.stopProp = false
		ev.stopImmediate = false
	}()
	e.invoke(t, ev, true)
	e.invoke(t, ev, false)
	return !ev.canceled
}

// invoke runs the listeners of one phase over a copy of the list, so that
// listeners added meanwhile do not run and removed ones are skipped.
func (e *env) invoke(t *targetState, ev *eventState, capture bool) {
	if ev.stopProp {
		return
	}
	ls := append([]*listener(nil), t.listeners...)
	for _, l := range ls {
		if l.removed || l.typ != ev.typ || l.capture != capture {
			continue
		}
		if l.once {
			t.remove(l)
		}
		if l.passive {
			ev.inPassive = true
		}
		e.callListener(l.cb, ev)
		ev.inPassive = false
		if ev.stopImmediate {
			return
		}
	}
}

// callListener calls a listener (a function, or an object's handleEvent)
// with the event. An exception is reported as uncaught once the dispatch
// is over, and the dispatch goes on.
func (e *env) callListener(cb *goja.Object, ev *eventState) {
	var err error
	if fn, ok := goja.AssertFunction(cb); ok {
		_, err = fn(ev.currentTarget, ev.self)
	} else {
		ex := e.vm.Try(func() {
			h := cb.Get("handleEvent")
			fn, ok := goja.AssertFunction(h)
			if !ok {
				e.typeError("The listener's handleEvent is not a function")
			}
			_, err = fn(cb, ev.self)
		})
		if ex != nil {
			err = ex
		}
	}
	if err != nil {
		e.reportLater(err)
	}
}

// reportLater reports err as an uncaught error of the isolate in a task of
// its own, after the current dispatch, as Node does for listeners. An
// interrupt (kill, a limit) or a stack overflow is not catchable and
// stops the dispatch.
func (e *env) reportLater(err error) {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	if errors.As(err, &ie) || errors.As(err, &so) {
		panic(err)
	}
	e.iso.Post(func() error { return err })
}

// ----- event handler attributes -----

// handlerGet and handlerSet implement an event handler IDL attribute
// (onmessage...) of a target: the handler's listener is added when the
// handler first becomes non-null, keeps its place when the handler is
// replaced, and is removed when it is set to null (or a non-object).
func (e *env) handlerGet(t *targetState, name string) goja.Value {
	if s := t.handlers[name]; s != nil && s.value != nil {
		return s.value
	}
	return goja.Null()
}

func (e *env) handlerSet(t *targetState, name string, v goja.Value) {
	if t.handlers == nil {
		t.handlers = make(map[string]*handlerSlot)
	}
	s := t.handlers[name]
	if s == nil {
		s = &handlerSlot{}
		t.handlers[name] = s
	}
	if _, ok := v.(*goja.Object); !ok {
		s.value = nil
		if s.l != nil {
			l := s.l
			s.l = nil
			t.remove(l)
		}
		return
	}
	s.value = v
	if s.l == nil {
		slot := s
		cb := e.native(name, func(c goja.FunctionCall) goja.Value {
			ev, _ := slotOf[*eventState](e, c.Argument(0))
			fn, ok := goja.AssertFunction(slot.value)
			if !ok {
				if slot.value == nil {
					return goja.Undefined()
				}
				e.typeError("the %s handler is not a function", name)
			}
			r, err := fn(c.This, c.Argument(0))
			if err != nil {
				e.throw(err)
			}
			if ev != nil && r != nil && r.StrictEquals(e.vm.ToValue(false)) {
				ev.preventDefault()
			}
			return goja.Undefined()
		})
		s.l = &listener{typ: name[2:], cb: cb}
		t.listeners = append(t.listeners, s.l)
		if t.changed != nil {
			t.changed()
		}
	}
}

// handlerAttr defines the onNAME accessors on a prototype.
func (e *env) handlerAttr(proto *goja.Object, class string, names ...string) {
	for _, name := range names {
		name := name
		e.accessor(proto, name, func(c goja.FunctionCall) goja.Value {
			t, ok := e.targetOf(c.This)
			if !ok {
				e.illegal(class, name)
			}
			return e.handlerGet(t, name)
		}, func(c goja.FunctionCall) goja.Value {
			t, ok := e.targetOf(c.This)
			if !ok {
				e.illegal(class, name)
			}
			e.handlerSet(t, name, c.Argument(0))
			return goja.Undefined()
		})
	}
}

// ----- Event -----

func (ev *eventState) preventDefault() {
	if ev.cancelable && !ev.inPassive {
		ev.canceled = true
	}
}

// initEvent reads an EventInit dictionary into ev.
func (e *env) eventInit(ev *eventState, init goja.Value, what string) *goja.Object {
	if isNullish(init) {
		return nil
	}
	o, ok := init.(*goja.Object)
	if !ok {
		e.typeError("Failed to construct '%s': The provided value is not of type '%sInit'", what, what)
	}
	ev.bubbles = propBool(o, "bubbles")
	ev.cancelable = propBool(o, "cancelable")
	ev.composed = propBool(o, "composed")
	return o
}

// newEventState makes o an Event of type typ.
func (e *env) newEventState(o *goja.Object, kind int, typ string) *eventState {
	ev := &eventState{self: o, kind: kind, typ: typ, timeStamp: float64(time.Since(e.msgs().origin).Microseconds()) / 1000}
	e.setSlot(o, ev)
	// isTrusted is an own, unforgeable accessor ([LegacyUnforgeable]).
	_ = o.DefineAccessorProperty("isTrusted", e.isTrustedGetter(), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return ev
}

func (e *env) isTrustedGetter() *goja.Object {
	if g, ok := e.ctorCache["\x00isTrusted"]; ok {
		return g
	}
	g := e.native("get isTrusted", func(c goja.FunctionCall) goja.Value {
		ev, ok := slotOf[*eventState](e, c.This)
		if !ok {
			e.illegal("Event", "isTrusted")
		}
		return e.vm.ToValue(ev.trusted)
	})
	e.ctorCache["\x00isTrusted"] = g
	return g
}

func (e *env) eventClass() goja.Value {
	if c, ok := e.built("Event"); ok {
		return c
	}
	c, proto := e.class("Event", func(call goja.ConstructorCall) *goja.Object {
		if len(call.Arguments) < 1 {
			e.typeError("Failed to construct 'Event': 1 argument required, but only 0 present.")
		}
		ev := e.newEventState(call.This, kindEvent, call.Argument(0).String())
		e.eventInit(ev, call.Argument(1), "Event")
		return nil
	})
	for _, o := range []*goja.Object{c, proto} {
		e.constant(o, "NONE", 0)
		e.constant(o, "CAPTURING_PHASE", 1)
		e.constant(o, "AT_TARGET", 2)
		e.constant(o, "BUBBLING_PHASE", 3)
	}
	this := func(c goja.FunctionCall, m string) *eventState {
		ev, ok := slotOf[*eventState](e, c.This)
		if !ok {
			e.illegal("Event", m)
		}
		return ev
	}
	e.getter(proto, "type", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "type").typ) })
	e.getter(proto, "target", func(c goja.FunctionCall) goja.Value { return orNull(this(c, "target").target) })
	e.getter(proto, "srcElement", func(c goja.FunctionCall) goja.Value { return orNull(this(c, "srcElement").target) })
	e.getter(proto, "currentTarget", func(c goja.FunctionCall) goja.Value {
		return orNull(this(c, "currentTarget").currentTarget)
	})
	e.method(proto, "composedPath", func(c goja.FunctionCall) goja.Value {
		ev := this(c, "composedPath")
		if ev.currentTarget == nil {
			return e.vm.NewArray()
		}
		return e.vm.NewArray(ev.currentTarget)
	})
	e.getter(proto, "eventPhase", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "eventPhase").phase) })
	e.method(proto, "stopPropagation", func(c goja.FunctionCall) goja.Value {
		this(c, "stopPropagation").stopProp = true
		return goja.Undefined()
	})
	e.accessor(proto, "cancelBubble", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(this(c, "cancelBubble").stopProp)
	}, func(c goja.FunctionCall) goja.Value {
		ev := this(c, "cancelBubble")
		if c.Argument(0).ToBoolean() {
			ev.stopProp = true
		}
		return goja.Undefined()
	})
	e.method(proto, "stopImmediatePropagation", func(c goja.FunctionCall) goja.Value {
		ev := this(c, "stopImmediatePropagation")
		ev.stopProp, ev.stopImmediate = true, true
		return goja.Undefined()
	})
	e.getter(proto, "bubbles", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "bubbles").bubbles) })
	e.getter(proto, "cancelable", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(this(c, "cancelable").cancelable)
	})
	e.accessor(proto, "returnValue", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(!this(c, "returnValue").canceled)
	}, func(c goja.FunctionCall) goja.Value {
		ev := this(c, "returnValue")
		if !c.Argument(0).ToBoolean() {
			ev.preventDefault()
		}
		return goja.Undefined()
	})
	e.method(proto, "preventDefault", func(c goja.FunctionCall) goja.Value {
		this(c, "preventDefault").preventDefault()
		return goja.Undefined()
	})
	e.getter(proto, "defaultPrevented", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(this(c, "defaultPrevented").canceled)
	})
	e.getter(proto, "composed", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "composed").composed) })
	e.getter(proto, "timeStamp", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "timeStamp").timeStamp) })
	e.method(proto, "initEvent", func(c goja.FunctionCall) goja.Value {
		ev := this(c, "initEvent")
		e.needArgs(c, 1, "Event.initEvent")
		if ev.dispatching {
			return goja.Undefined()
		}
		ev.typ = c.Argument(0).String()
		ev.bubbles = c.Argument(1).ToBoolean()
		ev.cancelable = c.Argument(2).ToBoolean()
		ev.canceled, ev.stopProp, ev.stopImmediate, ev.trusted, ev.target = false, false, false, false, nil
		return goja.Undefined()
	})
	e.setLength(c, "", 1)
	e.setLength(proto, "initEvent", 1)
	return c
}

// subclass makes a class whose prototype inherits from Event.prototype and
// whose constructor inherits from Event.
func (e *env) subclass(name string, ctor func(goja.ConstructorCall) *goja.Object) (*goja.Object, *goja.Object) {
	base := e.eventClass().(*goja.Object)
	c, proto := e.class(name, ctor)
	_ = proto.SetPrototype(e.protoCache["Event"])
	_ = c.SetPrototype(base)
	return c, proto
}

// dictString reads a DOMString member of a dictionary, with its default.
func dictString(o *goja.Object, k, def string) string {
	if o == nil {
		return def
	}
	v := o.Get(k)
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	return v.String()
}

// dictUint32 reads an unsigned long member (WebIDL ToUint32).
func dictUint32(o *goja.Object, k string) int64 {
	if o == nil {
		return 0
	}
	v := o.Get(k)
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int64(uint32(int64(math.Trunc(f))))
}

func (e *env) messageEventClass() goja.Value {
	if c, ok := e.built("MessageEvent"); ok {
		return c
	}
	c, proto := e.subclass("MessageEvent", func(call goja.ConstructorCall) *goja.Object {
		if len(call.Arguments) < 1 {
			e.typeError("Failed to construct 'MessageEvent': 1 argument required, but only 0 present.")
		}
		ev := e.newEventState(call.This, kindMessage, call.Argument(0).String())
		o := e.eventInit(ev, call.Argument(1), "MessageEvent")
		e.messageInit(ev, o)
		return nil
	})
	this := func(c goja.FunctionCall, m string) *eventState {
		ev, ok := slotOf[*eventState](e, c.This)
		if !ok || ev.kind != kindMessage {
			e.illegal("MessageEvent", m)
		}
		return ev
	}
	e.getter(proto, "data", func(c goja.FunctionCall) goja.Value { return orNull(this(c, "data").data) })
	e.getter(proto, "origin", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "origin").origin) })
	e.getter(proto, "lastEventId", func(c goja.FunctionCall) goja.Value {
		return e.vm.ToValue(this(c, "lastEventId").lastEventID)
	})
	e.getter(proto, "source", func(c goja.FunctionCall) goja.Value { return orNull(this(c, "source").source) })
	e.getter(proto, "ports", func(c goja.FunctionCall) goja.Value {
		ev := this(c, "ports")
		if ev.ports == nil {
			ev.ports = e.frozenArray(nil)
		}
		return ev.ports
	})
	e.method(proto, "initMessageEvent", func(c goja.FunctionCall) goja.Value {
		ev := this(c, "initMessageEvent")
		e.needArgs(c, 1, "MessageEvent.initMessageEvent")
		if ev.dispatching {
			return goja.Undefined()
		}
		ev.typ = c.Argument(0).String()
		ev.bubbles, ev.cancelable = c.Argument(1).ToBoolean(), c.Argument(2).ToBoolean()
		ev.data = c.Argument(3)
		ev.origin, ev.lastEventID = "", ""
		if a := c.Argument(4); !goja.IsUndefined(a) {
			ev.origin = a.String()
		}
		if a := c.Argument(5); !goja.IsUndefined(a) {
			ev.lastEventID = a.String()
		}
		ev.source = nil
		if a := c.Argument(6); !isNullish(a) {
			ev.source = a
		}
		ev.ports = e.frozenArray(e.portList(c.Argument(7)))
		return goja.Undefined()
	})
	e.setLength(c, "", 1)
	e.setLength(proto, "initMessageEvent", 1)
	return c
}

// messageInit reads a MessageEventInit dictionary.
func (e *env) messageInit(ev *eventState, o *goja.Object) {
	ev.data = goja.Null()
	if o == nil {
		return
	}
	if v := o.Get("data"); v != nil && !goja.IsUndefined(v) {
		ev.data = v
	}
	ev.origin = dictString(o, "origin", "")
	ev.lastEventID = dictString(o, "lastEventId", "")
	if v := o.Get("source"); !isNullish(v) {
		// MessageEventSource: of its members (WindowProxy, MessagePort,
		// ServiceWorker) isolates have MessagePort.
		if _, ok := slotOf[*messagePortObj](e, v); !ok {
			e.typeError("Failed to construct 'MessageEvent': member source is not of type 'MessageEventSource'")
		}
		ev.source = v
	}
	ev.ports = e.frozenArray(e.portList(o.Get("ports")))
}

// portList reads a sequence<MessagePort>; undefined is empty.
func (e *env) portList(v goja.Value) []goja.Value {
	if v == nil || goja.IsUndefined(v) {
		return nil
	}
	o, ok := v.(*goja.Object)
	var fn goja.Callable
	if ok {
		fn, ok = goja.AssertFunction(o.GetSymbol(goja.SymIterator))
	}
	if !ok {
		e.typeError("Failed to construct 'MessageEvent': member ports is not iterable")
	}
	items := e.objectSequence(o, fn, "MessageEvent: ports")
	for i, it := range items {
		if _, ok := slotOf[*messagePortObj](e, it); !ok {
			e.typeError("Failed to construct 'MessageEvent': ports item %d is not of type 'MessagePort'", i)
		}
	}
	return items
}

// frozenArray makes a frozen JS array.
func (e *env) frozenArray(items []goja.Value) goja.Value {
	vals := make([]any, len(items))
	for i, v := range items {
		vals[i] = v
	}
	a := e.vm.NewArray(vals...)
	ws := e.msgs()
	if ws.freeze == nil {
		// goja's Object.freeze, whatever the script did to Object or to
		// Object.freeze before its first message.
		ws.freeze, _ = goja.AssertFunction(gojax.Intrinsic(e.vm, "Object", "freeze"))
	}
	if ws.freeze != nil {
		_, _ = ws.freeze(nil, a)
	}
	return a
}

func (e *env) errorEventClass() goja.Value {
	if c, ok := e.built("ErrorEvent"); ok {
		return c
	}
	c, proto := e.subclass("ErrorEvent", func(call goja.ConstructorCall) *goja.Object {
		if len(call.Arguments) < 1 {
			e.typeError("Failed to construct 'ErrorEvent': 1 argument required, but only 0 present.")
		}
		ev := e.newEventState(call.This, kindError, call.Argument(0).String())
		o := e.eventInit(ev, call.Argument(1), "ErrorEvent")
		ev.message = dictString(o, "message", "")
		ev.filename = dictString(o, "filename", "")
		ev.lineno, ev.colno = dictUint32(o, "lineno"), dictUint32(o, "colno")
		ev.errorV = goja.Undefined()
		if o != nil {
			if v := o.Get("error"); v != nil {
				ev.errorV = v
			}
		}
		return nil
	})
	this := func(c goja.FunctionCall, m string) *eventState {
		ev, ok := slotOf[*eventState](e, c.This)
		if !ok || ev.kind != kindError {
			e.illegal("ErrorEvent", m)
		}
		return ev
	}
	e.getter(proto, "message", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "message").message) })
	e.getter(proto, "filename", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "filename").filename) })
	e.getter(proto, "lineno", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "lineno").lineno) })
	e.getter(proto, "colno", func(c goja.FunctionCall) goja.Value { return e.vm.ToValue(this(c, "colno").colno) })
	e.getter(proto, "error", func(c goja.FunctionCall) goja.Value {
		ev := this(c, "error")
		if ev.errorV == nil {
			return goja.Undefined()
		}
		return ev.errorV
	})
	e.setLength(c, "", 1)
	return c
}

func (e *env) customEventClass() goja.Value {
	if c, ok := e.built("CustomEvent"); ok {
		return c
	}
	c, proto := e.subclass("CustomEvent", func(call goja.ConstructorCall) *goja.Object {
		if len(call.Arguments) < 1 {
			e.typeError("Failed to construct 'CustomEvent': 1 argument required, but only 0 present.")
		}
		ev := e.newEventState(call.This, kindCustom, call.Argument(0).String())
		o := e.eventInit(ev, call.Argument(1), "CustomEvent")
		ev.detail = goja.Null()
		if o != nil {
			if v := o.Get("detail"); v != nil && !goja.IsUndefined(v) {
				ev.detail = v
			}
		}
		return nil
	})
	e.getter(proto, "detail", func(c goja.FunctionCall) goja.Value {
		ev, ok := slotOf[*eventState](e, c.This)
		if !ok || ev.kind != kindCustom {
			e.illegal("CustomEvent", "detail")
		}
		return ev.detail
	})
	e.setLength(c, "", 1)
	return c
}

// newEvent makes a trusted event the platform dispatches (a message, an
// error): an object of class, as if constructed by it.
func (e *env) newEvent(class string, kind int, typ string) *eventState {
	switch class {
	case "MessageEvent":
		e.messageEventClass()
	case "ErrorEvent":
		e.errorEventClass()
	default:
		e.eventClass()
	}
	o := e.vm.NewObject()
	_ = o.SetPrototype(e.protoCache[class])
	ev := e.newEventState(o, kind, typ)
	ev.trusted = true
	return ev
}

// fire dispatches a new trusted event at t and reports whether it was
// not canceled.
func (e *env) fire(t *targetState, ev *eventState) bool {
	return e.dispatch(t, ev)
}
