package guard

import (
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// Guards of globals that goja builds whole and that only the global object
// reaches (Reflect, JSON, WeakMap: no literal, no built-in and no host
// value leads to them otherwise).
//
// Their guards are installed when goja first makes the global
// (gojax.HookGlobal), by whatever route the script takes, before the
// script holds the object; so are the originals the guards keep (Reflect.
// apply for the guards' own JS, WeakMap.prototype.get for their weak
// tables...) read: from the object goja has just made, which nothing has
// touched. A guard that needs an original before that reads it from goja's
// own object (gojax.GlobalOriginal), which no script has seen either,
// without making the global. With the lazy path off (Config.Eager, or a
// goja layout gojax does not recognize), all of it happens at the end of
// Install.
//
// An installer runs Go only (wrappers, no script code), so it cannot be
// interrupted half way; the installers of a global run in the order they
// were registered, and one that panics is run again, with those after it,
// at the next touch.

// hookedGlobals are the globals whose guards onGlobal installs: those
// above, and Date (templated, but its prototype is reachable only from
// the global: goja's own Go code makes dates through vm.Get("Date")).
var hookedGlobals = map[string]bool{"Reflect": true, "JSON": true, "WeakMap": true, "Date": true, "RegExp": true, "Promise": true}

// keptOriginals names, per global, the originals the guards keep: a
// property of the global's object, or a property of one of its properties
// ("prototype.get"). They are read once, before any installer runs.
var keptOriginals = []struct {
	global string
	keys   []string
}{
	{"Reflect", []string{"apply", "construct", "has", "set", "deleteProperty", "setPrototypeOf"}},
	{"WeakMap", []string{"prototype.get", "prototype.set"}},
	{"JSON", []string{"parse"}},
}

// globalGuard is the state of one such global.
type globalGuard struct {
	name     string
	obj      *goja.Object           // goja's object, once read
	vals     map[string]goja.Value  // the kept originals, once read
	installs []func(o *goja.Object) // the installers, in order
	done     int                    // how many have run
	value    goja.Value             // what the global holds, if not goja's object (an installer sets it)
}

// globalGuardOf returns the state of name, making it on first use.
func (g *guards) globalGuardOf(name string) *globalGuard {
	for _, st := range g.globals {
		if st.name == name {
			return st
		}
	}
	st := &globalGuard{name: name}
	g.globals = append(g.globals, st)
	return st
}

// onGlobal registers install to run on goja's object of the global name
// when goja first makes the global (or at the end of Install). Install
// registers every installer before armGlobals.
func (g *guards) onGlobal(name string, install func(o *goja.Object)) {
	st := g.globalGuardOf(name)
	st.installs = append(st.installs, install)
}

// original returns the kept original key of the global name (see
// keptOriginals); key "" is goja's object itself.
func (g *guards) original(name, key string) goja.Value {
	st := g.globalGuardOf(name)
	if st.obj == nil {
		o, ok := g.globalOriginal(name).(*goja.Object)
		if !ok {
			panic(g.vm.NewTypeError("guard: no " + name))
		}
		g.keep(st, o)
	}
	if key == "" {
		return st.obj
	}
	return st.vals[key]
}

// originalFn is original, as a function.
func (g *guards) originalFn(name, key string) goja.Callable {
	f, _ := goja.AssertFunction(g.original(name, key))
	return f
}

// keep reads the kept originals of st from o, goja's object, once.
func (g *guards) keep(st *globalGuard, o *goja.Object) {
	if st.obj != nil {
		return
	}
	vals := map[string]goja.Value{}
	for _, k := range keptOriginals {
		if k.global != st.name {
			continue
		}
		for _, key := range k.keys {
			v := goja.Value(o)
			for _, part := range strings.Split(key, ".") {
				if vo, ok := v.(*goja.Object); ok {
					v = vo.Get(part)
				} else {
					v = goja.Undefined()
				}
			}
			vals[key] = v
		}
	}
	st.obj, st.vals = o, vals
}

// ensureGlobal runs the installers of name not yet run, on goja's object,
// without making the global: for a route to the object that bypasses it
// (families.go).
func (g *guards) ensureGlobal(name string) {
	st := g.globalGuardOf(name)
	if st.obj != nil && st.done == len(st.installs) {
		return
	}
	g.runGlobal(st, g.original(name, "").(*goja.Object))
}

// runGlobal keeps the originals of st from o and runs the installers not
// yet run.
func (g *guards) runGlobal(st *globalGuard, o *goja.Object) {
	g.keep(st, o)
	for st.done < len(st.installs) {
		st.installs[st.done](st.obj)
		st.done++
	}
}

// armGlobals, at the end of Install, hooks every global with kept
// originals or installers, or (the lazy path off) runs them now.
func (g *guards) armGlobals() {
	for _, k := range keptOriginals {
		g.globalGuardOf(k.global)
	}
	for _, st := range g.globals {
		st := st
		if g.deferOK && gojax.HookGlobal(g.vm, st.name, func(v goja.Value) goja.Value {
			if o, ok := v.(*goja.Object); ok {
				g.runGlobal(st, o)
			}
			if st.value != nil {
				return st.value
			}
			return v
		}) {
			continue
		}
		if o, ok := g.vm.Get(st.name).(*goja.Object); ok {
			g.runGlobal(st, o)
			if st.value != nil {
				_ = g.vm.GlobalObject().DefineDataProperty(st.name, st.value, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
		}
	}
}

// Intrinsic returns goja's own global name (key "") or its property key
// (Object.freeze), whatever a script has done to the global or to the
// property since boot, for code that needs a built-in long after boot
// without paying for it at boot (gojax.Intrinsic; without goja's layout,
// the global as it is now). Nil if there is none. Call it on vm's
// goroutine.
func Intrinsic(vm *goja.Runtime, name, key string) goja.Value {
	if key == "" {
		if v := gojax.GlobalOriginal(vm, name); v != nil {
			return v
		}
		return vm.Get(name)
	}
	return gojax.Intrinsic(vm, name, key)
}
