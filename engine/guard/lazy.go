package guard

import (
	"errors"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// Lazy guards.
//
// goja creates the methods of most built-in prototypes and namespaces
// (String.prototype, Array.prototype, Object, Object.prototype,
// Function.prototype, %TypedArray%.prototype, Math, Number, Date...) one
// by one, from process-wide templates, the first time anything touches
// each name. Wrapping such a method at boot forces goja to create the
// original first, and the wrapper on top: most of a spawn's cost. So
// wrapWith, for a method goja has not created yet, only records the wrap
// (gojax.DeferProperty): goja calls it when it creates the method, by
// whatever route the script takes (a get through a primitive, a
// descriptor read, Reflect, a delete, enumeration of values), and stores
// the wrapper in its place. The original is never stored anywhere a
// script can reach, and making a wrapper runs no script code, so it
// cannot be interrupted half way; if it panics nothing is stored and the
// next touch makes it again.
//
// The ArrayBuffer and typed-array constructors are made lazily by their
// own mechanism, a hook on goja's global template plus the buffers Go code
// makes (guards_buffers.go).
//
// The globals only the global object reaches (Reflect, JSON, WeakMap,
// Date, and Proxy with the depth guards' JS) are guarded when goja makes
// the global (globals.go); RegExp and the async and generator Function
// constructors, which literals reach without the global, when a program
// that may need them is prepared, or by their other routes (families.go);
// the string and regexp string iterators by their only makers
// (installIterGuards); Function and BigInt when goja makes the global or
// their prototype's constructor (wrapCtorProto). A wrap of a function of
// the global object itself (eval, encodeURI...) is a hook on goja's
// global template (gojax.HookGlobal), made by the same rules.
//
// Everything else is installed at boot as before: wrappers of methods
// already created (the installers read some originals they keep), of
// symbol-keyed methods, of the other constructors (wrapCtor: their
// prototypes' constructor properties are reachable from instances goja
// makes without the global), and of Error.prototype. Those routes that
// bypass the templates (errors goja throws) therefore reach objects whose
// guards are already in place.
//
// Config.Eager turns deferral off, and so does a goja layout gojax does
// not recognize (DeferProperty reports false and the wrap happens now).

// deferWrap records the wrap of obj[key] for when goja creates it and
// reports true, or reports false if it must be done now.
func (g *guards) deferWrap(obj *goja.Object, key string, length int, fn func(goja.Callable, goja.FunctionCall) goja.Value, note func(*goja.Object)) bool {
	if !g.deferOK {
		return false
	}
	wrap := func(ov goja.Value) goja.Value {
		if w := g.makeWrapper(ov, key, length, fn); w != nil {
			if note != nil {
				note(w)
			}
			return w
		}
		return ov
	}
	if obj == g.vm.GlobalObject() {
		return gojax.HookGlobal(g.vm, key, wrap)
	}
	return gojax.DeferProperty(g.vm, obj, key, wrap)
}

// Test hooks, nil outside this package's tests (which do not run in
// parallel): wrapperMade sees every wrapper makeWrapper and
// makeCtorWrapper make, and wrapFault, when it returns true, makes them
// panic before they finish, as a stack overflow or an interrupt would.
var (
	wrapperMade func(vm *goja.Runtime, w *goja.Object)
	wrapFault   func() bool
)

var errWrapFault = errors.New("guard: injected wrapper fault")
