package bindings

import (
	"strconv"
	"sync"

	"github.com/dop251/goja"
)

// A goja native constructor cannot tell `X()` from `new X()`: both reach
// the Go function with no new.target. WebIDL interfaces and JS classes
// must throw a TypeError on a plain call, so a constructible bindings
// class is a JS function (only JS sees new.target) that hands the
// construction to one native per isolate, env.ctorNative, which runs the
// class's Go constructor on the `this` that [[Construct]] made from
// new.target's prototype (so subclasses get their own prototype).
//
// The wrapper's text is compiled once per process; an isolate runs the
// program once, when its first constructible class is built (classes are
// built lazily, on first read of their global), and each class then costs
// one JS function, as its native constructor did.

// ctorFile names the wrapper's frames in stacks; jsStack and StackFrames
// leave them out (a script's own e.stack still shows them).
const ctorFile = "<bindings>"

var ctorProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile(ctorFile, `(function (construct) {
	"use strict";
	return function (tag) {
		return function (...args) { return construct(tag, new.target, this, args) };
	};
})`, true)
})

// ctorEntry is a constructible class's Go constructor.
type ctorEntry struct {
	name string
	f    func(goja.ConstructorCall) *goja.Object
	w    *goja.Object // the wrapper
}

// wrapperCtor makes the JS constructor of class name whose construction
// runs f (see ctorProgram). Loop only.
func (e *env) wrapperCtor(name string, f func(goja.ConstructorCall) *goja.Object) *goja.Object {
	vm := e.vm
	if e.ctorMake == nil {
		e.ctorNative = e.native("construct", e.construct)
		v, err := vm.RunProgram(ctorProgram())
		if err != nil {
			panic(err) // a fixed program that only returns a function
		}
		outer, _ := goja.AssertFunction(v)
		mk, err := outer(goja.Undefined(), e.ctorNative)
		if err != nil {
			panic(err)
		}
		e.ctorMake, _ = goja.AssertFunction(mk)
	}
	e.ctors = append(e.ctors, ctorEntry{name: name, f: f})
	w, err := e.ctorMake(goja.Undefined(), vm.ToValue(len(e.ctors)-1))
	if err != nil {
		panic(err)
	}
	c := w.(*goja.Object)
	e.ctors[len(e.ctors)-1].w = c
	setName(vm, c, name)
	return c
}

// isCtorWrapper reports whether o is a bindings class's constructor made
// by wrapperCtor: a JS function to goja, but no script's (functionSource
// must not send its text to a new isolate). Loop only.
func (e *env) isCtorWrapper(o *goja.Object) bool {
	for _, ce := range e.ctors {
		if ce.w == o {
			return true
		}
	}
	return false
}

// construct is the native behind every wrapper: construct(tag, new.target,
// this, args), args the array of the wrapper's arguments (a rest parameter
// costs less than an arguments object). Only the wrappers can reach it.
func (e *env) construct(c goja.FunctionCall) goja.Value {
	ce := e.ctors[c.Argument(0).ToInteger()]
	nt, ok := c.Argument(1).(*goja.Object)
	this, _ := c.Argument(2).(*goja.Object)
	// goja leaks new.target into plain calls made from inside a
	// constructor (f() there sees the caller's new.target): a construction
	// has a this made from new.target's prototype.
	if ok && (this == nil || !madeFrom(this, nt)) {
		ok = false
	}
	if !ok {
		e.typeError("Class constructor %s cannot be invoked without 'new'", ce.name)
	}
	res := ce.f(goja.ConstructorCall{This: this, Arguments: argsOf(c.Argument(3)), NewTarget: nt})
	if res == nil {
		return this
	}
	return res
}

// madeFrom reports whether this is what a construction with new.target nt
// makes: an object whose prototype is nt.prototype (or, when that is not
// an object, any object).
func madeFrom(this, nt *goja.Object) bool {
	p, ok := nt.Get("prototype").(*goja.Object)
	return !ok || this.Prototype() == p
}

// instanceProto is the prototype a class's Go constructor gives the
// object it makes in place of call.This: call.This's (new.target's
// prototype, so that subclasses work), else def.
func instanceProto(call goja.ConstructorCall, def *goja.Object) *goja.Object {
	if call.This != nil {
		if p := call.This.Prototype(); p != nil {
			return p
		}
	}
	return def
}

// argsOf returns the elements of a wrapper's args array.
func argsOf(v goja.Value) []goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	n := o.Get("length").ToInteger()
	if n == 0 {
		return nil
	}
	out := make([]goja.Value, n)
	for i := range out {
		out[i] = o.Get(strconv.Itoa(i))
	}
	return out
}
