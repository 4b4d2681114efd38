package guard

import (
	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// Iteration inside one VM instruction (class 2 of the hardening work).
//
// goja runs whole iterations in Go, inside a single instruction: spread in
// array literals and calls ([...a], f(...a)), array destructuring with a
// rest element, Array.from, new Set / Map / WeakSet / WeakMap,
// Object.fromEntries, Promise.all / allSettled / any / race, typed-array
// constructors from an iterable and yield*. Each of these loops calls the
// iterator's next method and never returns to the VM's run loop, which is
// the only place that sees a pending Runtime.Interrupt. An iterator over
// Array(2**32 - 1) then runs for minutes, past maxTaskMs, kills and the
// memory monitor, growing to many GB.
//
// Every such loop, in every one of those sites, gets its next method by a
// property read on the iterator (goja's getIterator), so the root fix is at
// the next methods of the built-in iterators: a wrapper that, every
// iterTick calls, runs one JS step. A pending interrupt (kill, maxTaskMs,
// cpuMs, memoryMb, the host ceiling) takes effect there, as an uncatchable
// error out of the native loop. A script's own iterators run JS in next
// already. A for-of loop in JS pays the wrapper too (one native call more
// per element; BenchmarkIterGuard).
//
// The loops that bypass next (Array.from and new Set of a plain array with
// the default iterator copy its elements directly) are bounded by the
// array, which is already in memory.

// iterTick is how many next calls pass between two JS steps (every call,
// for the regexp string iterator).
const iterTick = 1024

// installIterGuards wraps next on %ArrayIteratorPrototype% (arrays, typed
// arrays, keys/values/entries, arguments), %StringIteratorPrototype% and
// %RegExpStringIteratorPrototype% now, and on %MapIteratorPrototype% and
// %SetIteratorPrototype% when goja first creates the Map or Set global
// (gojax.HookGlobal): a Map or Set, and so its iterator, is made only
// through that constructor (the clone codec reads it from the global
// object too), and building Map and Set at every spawn cost ~27 KB. The
// iterators are made through the Go API, not with Symbol.iterator in JS,
// which would build the Symbol global (~9 KB). Config.Eager, or a goja
// layout gojax does not know, wraps all five now.
func (g *guards) installIterGuards() {
	vm := g.vm
	var steps uint32
	guardEvery := func(it goja.Value, every uint32) {
		proto := it.(*goja.Object).Prototype()
		g.wrap(proto, "next", 0, func(goja.FunctionCall) {
			if steps++; steps%every == 0 {
				g.jsStep()
			}
		})
	}
	guard := func(it goja.Value) { guardEvery(it, iterTick) }
	iterOf := func(o *goja.Object) goja.Value {
		f, ok := goja.AssertFunction(o.GetSymbol(goja.SymIterator))
		if !ok {
			panic(vm.NewTypeError("guard: no iterator"))
		}
		return call(f, o)
	}
	// An array iterator from goja's Array.prototype.values, read from its
	// template: reading an array's @@iterator would make every symbol of
	// Array.prototype, @@unscopables' object too (~2 KB a spawn).
	if values, ok := goja.AssertFunction(gojax.TemplateValue(vm, g.ap, "values")); ok {
		guard(call(values, vm.NewArray()))
	} else {
		guard(iterOf(vm.NewArray()))
	}
	// Every next of a regexp string iterator is a search (up to
	// MaxRegexpMatch with regexp2, regexpWorkMin steps unchecked with Go's
	// regexp: regexp_work.go), so each takes a step.
	rxGuard := func(it goja.Value) { guardEvery(it, 1) }
	if g.hooks {
		// Made by one built-in each, whose wrapper guards the first
		// (iterHookOf): ~11 KB a spawn saved.
		g.strIterHook, g.rxIterHook = guard, rxGuard
	} else {
		guard(iterOf(vm.ToValue("").ToObject(vm)))
		re := g.original("RegExp", "").(*goja.Object) // never reaches a script
		rx, err := vm.New(re, vm.ToValue("(?:)"), vm.ToValue("g"))
		if err != nil {
			panic(err)
		}
		matchAll, _ := goja.AssertFunction(rx.GetSymbol(goja.SymMatchAll))
		rxGuard(call(matchAll, rx, vm.ToValue("")))
	}
	for _, name := range []string{"Map", "Set"} {
		install := func(ctor goja.Value) {
			o, err := vm.New(ctor)
			if err != nil {
				panic(err)
			}
			guard(iterOf(o))
		}
		if g.hooks && gojax.HookGlobal(vm, name, func(orig goja.Value) goja.Value {
			install(orig)
			return orig
		}) {
			continue
		}
		install(vm.Get(name))
	}
}

// stepProg is a function of no statements: calling it from a native runs a
// JS step, where a pending Interrupt takes effect.
var stepProg = goja.MustCompile("<guards-step>", "(function () {})", true)

// jsStep runs one JS step from inside a native loop (see stepProg).
func (g *guards) jsStep() {
	if g.step == nil {
		v, err := g.vm.RunProgram(stepProg)
		if err != nil {
			panic(err)
		}
		g.step, _ = goja.AssertFunction(v)
	}
	call(g.step, goja.Undefined())
}
