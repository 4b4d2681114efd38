package guard

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// The ArrayBuffer and typed-array constructor guards, made on first use.
//
// Their wrappers (wrapCtor) are a quarter of a spawn's cost, and most
// scripts never touch a buffer. A script reaches the family's originals
// only by one of these routes, each of which installs the whole family
// first (ensureBuffers), before it yields a value:
//
//   - the globals ArrayBuffer, DataView and the eleven typed arrays, by any
//     access (a get, typeof, a descriptor read, a delete, enumeration of
//     values, with, Reflect): goja creates each from its global template
//     the first time it is touched, and gojax.HookGlobal puts the wrapper
//     in the original's place at that moment;
//   - instances made without the global: goja makes ArrayBuffers for Go
//     code (vm.NewArrayBuffer, whose prototype's constructor is the
//     original) and typed arrays only through a constructor; every Go site
//     of this module makes its buffers through gojax.NewArrayBuffer, which
//     runs the hook registered here (gojax.SetBufferHook) first, and gets
//     typed-array constructors from the globals;
//   - %TypedArray%, its statics and prototype, and the buffers goja makes
//     itself (slice, subarray, .buffer), are reached only from one of the
//     above.
//
// ensureBuffers makes every wrapper first (JS runs: it can be
// interrupted) and only then points the prototypes' constructor
// properties at them, which runs no JS, so an interrupted install leaves
// nothing changed and the next route tries again. Config.Eager, or a goja
// layout gojax does not recognize, installs the family at boot.

// bufferFamily are the constructors ensureBuffers wraps; DataView is not
// wrapped (a view allocates nothing) but is a route to a buffer.
var bufferFamily = func() []string {
	names := []string{"ArrayBuffer"}
	for _, ta := range typedArrays {
		names = append(names, ta.name)
	}
	return names
}()

// bufferHooked are the globals hooked: the family and DataView.
var bufferHooked = append(bufferFamily[:len(bufferFamily):len(bufferFamily)], "DataView")

// bufferState is the family's install, one per runtime.
type bufferState struct {
	lazy     bool                    // the globals are hooked: ensureBuffers does not define them
	hooked   map[string]bool         // the globals hooked (all of them when lazy)
	done     bool                    // every wrapper is in place
	tapDone  bool                    // %TypedArray%.prototype's guards are installed
	wrappers map[string]*goja.Object // by global name, once done
}

// installBufferCtors hooks the family's globals (or installs it now).
func (g *guards) installBufferCtors() {
	vm := g.vm
	if g.hooks {
		ok := true
		for _, name := range bufferHooked {
			name := name
			if !gojax.HookGlobal(vm, name, func(orig goja.Value) goja.Value {
				g.ensureBuffers()
				if name == "DataView" {
					return orig // a route, not guarded itself
				}
				if w := g.buffers.wrappers[name]; w != nil {
					return w
				}
				panic(vm.NewTypeError("guard: " + name + " is not available")) // never: the name is goja's
			}) {
				ok = false
				break
			}
			if g.buffers.hooked == nil {
				g.buffers.hooked = make(map[string]bool, len(bufferFamily)+1)
			}
			g.buffers.hooked[name] = true
		}
		if ok && gojax.SetBufferHook(vm, func() error {
			if ex := vm.Try(g.ensureBuffers); ex != nil {
				return ex
			}
			return nil
		}) {
			g.buffers.lazy = true
			return
		}
		// Some name was already created: install now. Hooks already
		// set find the family done and return its wrappers.
	}
	g.ensureBuffers()
}

// ensureBuffers installs the family's guards once: all of them or, if it
// panics (an interrupt, a stack overflow), none. vm's goroutine.
func (g *guards) ensureBuffers() {
	st := &g.buffers
	if st.done {
		return
	}
	vm := g.vm
	global := vm.GlobalObject()
	type made struct {
		name     string
		w, proto *goja.Object
	}
	var ws []made
	var tap *goja.Object // %TypedArray%.prototype
	for _, name := range bufferFamily {
		// Not through the global when it is hooked: that is the hook
		// this may run from.
		ov, _ := gojax.GlobalOriginal(vm, name).(*goja.Object)
		if ov == nil {
			if st.hooked[name] {
				// HookGlobal accepted the name, so goja has it: never
				// here, but never a global without its guard either.
				panic(vm.NewTypeError("guard: " + name + " is not available"))
			}
			if ov, _ = global.Get(name).(*goja.Object); ov == nil {
				continue // not in this goja
			}
		}
		var check func(args []goja.Value) []goja.Value
		if name == "ArrayBuffer" {
			check = g.checkArrayBuffer
		} else {
			size := 0
			for _, ta := range typedArrays {
				if ta.name == name {
					size = ta.size
				}
			}
			name, fsize := name, float64(size)
			check = func(args []goja.Value) []goja.Value { return g.checkTypedArray(name, fsize, args) }
			if tap == nil {
				if ta := ov.Prototype(); ta != nil {
					tap, _ = ta.Get("prototype").(*goja.Object)
				}
			}
		}
		w, proto := g.makeCtorWrapper(ov, name, ctorCheckConstruct, check)
		ws = append(ws, made{name, w, proto})
	}
	if tap != nil && !st.tapDone {
		// Deferred wraps, or (eager) wrappers on an object no script
		// reaches before the constructors below are in place.
		g.installTypedArrayProtoGuards(tap)
		st.tapDone = true
	}
	// Commit: plain defines, no JS.
	st.wrappers = make(map[string]*goja.Object, len(ws))
	for _, m := range ws {
		_ = m.proto.DefineDataProperty("constructor", m.w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		st.wrappers[m.name] = m.w
	}
	st.done = true
	if !st.lazy {
		for _, m := range ws {
			_ = global.DefineDataProperty(m.name, m.w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
}

// checkArrayBuffer is the ArrayBuffer constructor's check.
func (g *guards) checkArrayBuffer(args []goja.Value) []goja.Value {
	if len(args) == 0 {
		return nil
	}
	// ToIndex(length) once, so that '1e12' or a valueOf is counted as the
	// built-in counts it; the converted value is passed on.
	args[0] = g.toNumber(args[0])
	if n := truncNum(args[0]); n > float64(g.maxBuf) {
		g.fail(fmt.Sprintf("ArrayBuffer size %v", n))
	} else if n > 0 {
		g.lease(int64(n), "ArrayBuffer")
	}
	return args
}
