package guard

import (
	"strconv"

	"github.com/dop251/goja"
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

// iterTick is how many next calls pass between two JS steps.
const iterTick = 1024

// iterKit makes the iterators whose prototypes hold the built-in next
// methods, and the JS step.
var iterKit = goja.MustCompile("<guards-iter>", `(function () {
	return [
		[][Symbol.iterator](),
		new Map()[Symbol.iterator](),
		new Set()[Symbol.iterator](),
		""[Symbol.iterator](),
		/(?:)/g[Symbol.matchAll](""),
		function () {},
	];
})`, true)

// installIterGuards wraps next on %ArrayIteratorPrototype% (arrays, typed
// arrays, keys/values/entries, arguments), %MapIteratorPrototype%,
// %SetIteratorPrototype%, %StringIteratorPrototype% and
// %RegExpStringIteratorPrototype%.
func (g *guards) installIterGuards() {
	vm := g.vm
	mk, err := vm.RunProgram(iterKit)
	if err != nil {
		panic(err)
	}
	f, _ := goja.AssertFunction(mk)
	list := call(f, goja.Undefined()).(*goja.Object)
	n := int(list.Get("length").ToInteger())
	tick, _ := goja.AssertFunction(list.Get(strconv.Itoa(n - 1)))
	var steps uint32
	for i := 0; i < n-1; i++ {
		proto := list.Get(strconv.Itoa(i)).(*goja.Object).Prototype()
		g.wrap(proto, "next", 0, func(goja.FunctionCall) {
			if steps++; steps%iterTick == 0 {
				call(tick, goja.Undefined())
			}
		})
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
