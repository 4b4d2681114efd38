package guard

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// Native recursion guards.
//
// Some built-ins recurse in Go without running a JS instruction per level,
// so neither SetMaxCallStackSize nor Interrupt sees them, and Go's stack
// overflow is fatal to the whole process:
//
//   - parsing: eval, the Function constructors and RegExp patterns
//     (see nesting.go);
//   - JSON.parse of deep text and JSON.stringify of deep values;
//   - Array.prototype.join/toString/toLocaleString of nested arrays;
//   - a chain of proxies (each level forwards to its target in Go) and a
//     chain of bound functions.
//
// Each is bounded by Config.MaxDepth (nesting for the parser:
// DefaultMaxNesting), and a breach throws a catchable RangeError (a
// SyntaxError for sources and patterns). JSON.stringify also runs a JS
// step every jsonTick values, so kill and maxTaskMs stop it.
//
// One observable difference from V8: eval is always an indirect eval (it
// runs in the global scope), because goja's direct eval cannot be guarded.

// depthProg builds the JS halves of the guards. It receives captured
// intrinsics, so later tampering by the script does not change them.
var depthProg = goja.MustCompile("<guards-depth>", `(function (construct, apply, isArray, limit, rangeError, OrigProxy, origBind, WeakMap, getPrototypeOf) {
	"use strict";
	// Proxy and bound-function chains: the depth of each, kept weakly.
	var depth = new WeakMap(), wmGet = WeakMap.prototype.get, wmSet = WeakMap.prototype.set;
	var origRevocable = OrigProxy.revocable;
	function dOf(x) {
		if ((typeof x !== "object" || x === null) && typeof x !== "function") return 0;
		return apply(wmGet, depth, [x]) || 0;
	}
	function next(a, b) {
		var d = dOf(a), e = dOf(b);
		if (e > d) d = e;
		if (d + 1 > limit) throw new rangeError("proxy or bound-function chain deeper than " + limit + " levels");
		return d + 1;
	}
	function Proxy(target, handler) {
		if (new.target === undefined) return apply(OrigProxy, undefined, [target, handler]);
		var d = next(target, handler);
		var p = construct(OrigProxy, [target, handler], new.target);
		apply(wmSet, depth, [p, d]);
		return p;
	}
	var revocable = {revocable: function (target, handler) {
		var d = next(target, handler);
		var r = apply(origRevocable, OrigProxy, [target, handler]);
		apply(wmSet, depth, [r.proxy, d]);
		return r;
	}}.revocable;
	var bind = {bind: function (thisArg) {
		var d = next(this);
		var r = apply(origBind, this, arguments);
		apply(wmSet, depth, [r, d]);
		return r;
	}}.bind;
	// picker(list) turns a JSON.stringify replacer list into a function
	// that rebuilds an object with only the listed keys, in the list's
	// order (arrays, wrappers and raw values are left alone), or null for a
	// list without usable items.
	function picker(replacer) {
		var list = [], seen = {}, m = 0, numeric = false;
		for (var i = 0; i < replacer.length; i++) {
			var v = replacer[i], item;
			if (typeof v === "string") item = v;
			else if (typeof v === "number") item = "" + v;
			else if (typeof v === "object" && v !== null && (v instanceof String || v instanceof Number)) item = "" + v;
			else continue;
			if (seen["$" + item] !== true) { seen["$" + item] = true; list[m++] = item; if ("" + (item >>> 0) === item) numeric = true; }
		}
		return function (v) {
			if (typeof v !== "object" || v === null || isArray(v) ||
				v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof BigInt) return v;
			var o = {}, keys = [], m = 0;
			for (var i = 0; i < list.length; i++) {
				var k = list[i];
				o[k] = v[k];
				keys[m++] = k;
			}
			if (!numeric) return o;
			// Integer-like keys would come first in a plain object: a
			// proxy keeps the list's order.
			return new OrigProxy(o, {ownKeys: function () { return keys; }});
		};
	}
	return {
		// Bound, so that it has no prototype property yet still constructs.
		picker: picker, tick: function () {}, Proxy: apply(origBind, Proxy, [undefined]), revocable: revocable, bind: bind,
		// The other Function constructors, reachable only this way.
		fnProtos: [getPrototypeOf(async function () {}), getPrototypeOf(function* () {})],
	};
})`, true)

// installDepthGuards wraps the natively recursive built-ins of vm.
func (g *guards) installDepthGuards() {
	vm := g.vm
	limit := g.maxDepth
	syntaxError := vm.Get("SyntaxError").(*goja.Object)
	failSyntax := func(msg string) {
		e, err := vm.New(syntaxError, vm.ToValue(msg))
		if err != nil {
			rethrow(err)
		}
		panic(e)
	}
	checkSource := func(src string) {
		if err := CheckNesting(src, DefaultMaxNesting); err != nil {
			failSyntax(strings.TrimPrefix(err.Error(), "guard: "))
		}
	}
	checkPattern := func(p goja.Value) {
		if s, ok := p.(goja.String); ok && s.Length() > DefaultMaxNesting && PatternNesting(s.String()) > DefaultMaxNesting {
			failSyntax(fmt.Sprintf("Invalid regular expression: groups nest deeper than %d levels", DefaultMaxNesting))
		}
	}

	reflect := vm.Get("Reflect").(*goja.Object)
	json := vm.Get("JSON").(*goja.Object)
	object := vm.Get("Object").(*goja.Object)
	fp := vm.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
	fv, err := vm.RunProgram(depthProg)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(fv)
	kit := call(mk, goja.Undefined(), reflect.Get("construct"), reflect.Get("apply"), vm.Get("Array").(*goja.Object).Get("isArray"),
		vm.ToValue(limit), g.rangeError, vm.Get("Proxy"), fp.Get("bind"), vm.Get("WeakMap"),
		object.Get("getPrototypeOf")).(*goja.Object)

	// eval(x): only a string is compiled.
	g.wrap(vm.GlobalObject(), "eval", 1, func(c goja.FunctionCall) {
		if s, ok := c.Argument(0).(goja.String); ok {
			checkSource(s.String())
		}
	})

	// The Function constructors, called or constructed: parameters and
	// body are one source. Each argument is converted to a string once
	// (as the original would, in order), and those strings are passed on,
	// so the guard and the original see the same text.
	fnCheck := func(args []goja.Value) []goja.Value {
		var src strings.Builder
		for i, a := range args {
			if _, sym := a.(*goja.Symbol); sym {
				continue // the original throws the TypeError
			}
			args[i] = a.ToString()
			src.WriteString(args[i].String())
			src.WriteByte('\n')
		}
		checkSource(src.String())
		g.checkFunctionArgs(args) // guards_bigint.go: BigInt constants
		return args
	}
	g.wrapCtor(vm.GlobalObject(), "Function", true, fnCheck)
	protos := kit.Get("fnProtos").(*goja.Object)
	for _, i := range []string{"0", "1"} {
		g.wrapCtor(protos.Get(i).(*goja.Object), "constructor", true, fnCheck)
	}

	// RegExp(pattern, flags), called or constructed; a pattern object
	// other than a RegExp is converted once here.
	g.wrapCtor(vm.GlobalObject(), "RegExp", true, func(args []goja.Value) []goja.Value {
		if len(args) > 0 {
			if o, ok := args[0].(*goja.Object); ok && o.ClassName() != "RegExp" {
				args[0] = o.ToString()
			}
			checkPattern(args[0])
		}
		return args
	})
	// String.prototype.match/matchAll/search turn a string into a RegExp
	// with the intrinsic constructor.
	sp := vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	for _, name := range []string{"match", "matchAll", "search"} {
		g.wrap(sp, name, 1, func(c goja.FunctionCall) { checkPattern(c.Argument(0)) })
	}

	// JSON.parse: the nesting of the text, before the recursive parser.
	g.wrap(json, "parse", 2, func(c goja.FunctionCall) {
		if s, ok := c.Argument(0).(goja.String); ok && s.Length() > limit {
			if JSONNesting(s.String(), limit) > limit {
				g.failDepth(fmt.Sprintf("JSON.parse: text nested deeper than %d levels", limit))
			}
		}
	})
	// JSON.stringify, Proxy, Proxy.revocable and bind are the JS functions
	// of depthProg (named and sized as the built-ins), installed with the
	// built-ins' attributes: writable, configurable, not enumerable.
	install := func(o *goja.Object, key string, v goja.Value) {
		_ = o.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	g.guardStringify(json, kit)
	pw := kit.Get("Proxy").(*goja.Object)
	g.setNameLength(pw, vm.ToValue("Proxy"), vm.ToValue(2))
	install(pw, "revocable", kit.Get("revocable"))
	install(vm.GlobalObject(), "Proxy", pw)
	install(fp, "bind", kit.Get("bind"))
}

// jsonTick is how many values the native stringify replacer sees between
// two checks for a pending interrupt.
const jsonTick = 1024

// guardStringify installs JSON.stringify: the original, always given a
// native replacer that tracks the nesting of the values it is handed
// (their holders are the path from the root) and, every jsonTick values,
// runs one JS step so that a pending Interrupt (kill, maxTaskMs) takes
// effect. The script's own replacer function is called from it, and a
// replacer list is applied by the picker of depthProg. Cost: ~1.3x the
// original's time (BenchmarkStringify).
func (g *guards) guardStringify(json, kit *goja.Object) {
	vm := g.vm
	picker, _ := goja.AssertFunction(kit.Get("picker"))
	tick, _ := goja.AssertFunction(kit.Get("tick"))
	isArray, _ := goja.AssertFunction(vm.Get("Array").(*goja.Object).Get("isArray"))
	// One state per stringify in progress: a toJSON or a replacer may call
	// stringify again, and the calls nest.
	type state struct {
		user, pick goja.Callable
		stack      []goja.Value
		seen       int
	}
	var states []*state
	replacer := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		st := states[len(states)-1]
		v := c.Argument(1)
		if st.user != nil {
			v = call(st.user, c.This, c.Argument(0), v)
		}
		if st.pick != nil {
			v = call(st.pick, goja.Undefined(), v)
		}
		if st.seen++; st.seen%jsonTick == 0 {
			call(tick, goja.Undefined())
		}
		if o, ok := v.(*goja.Object); ok {
			h := c.This
			n := len(st.stack)
			for n > 0 && st.stack[n-1] != h {
				n--
			}
			st.stack = st.stack[:n]
			if n == 0 {
				st.stack = append(st.stack, h)
			}
			if len(st.stack) > g.maxDepth {
				g.failDepth(fmt.Sprintf("JSON.stringify: value nested deeper than %d levels", g.maxDepth))
			}
			st.stack = append(st.stack, o)
		}
		return v
	})
	g.wrapWith(json, "stringify", 3, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		st := &state{}
		if r, ok := c.Argument(1).(*goja.Object); ok {
			if f, ok := goja.AssertFunction(r); ok {
				st.user = f
			} else if call(isArray, goja.Undefined(), r).ToBoolean() {
				st.pick, _ = goja.AssertFunction(call(picker, goja.Undefined(), r))
			}
		}
		states = append(states, st)
		defer func() { states = states[:len(states)-1] }()
		return call(orig, goja.Undefined(), c.Argument(0), replacer, c.Argument(2))
	})
}

// failDepth throws a RangeError for a nesting breach.
func (g *guards) failDepth(what string) {
	e, err := g.vm.New(g.rangeError, g.vm.ToValue(what))
	if err != nil {
		rethrow(err)
	}
	panic(e)
}
