package engine

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
// Each is bounded by the isolate's MaxStackDepth (nesting for the parser:
// DefaultMaxNesting), and a breach throws a catchable RangeError (a
// SyntaxError for sources and patterns). JSON.stringify also runs one JS
// step per property through a replacer, so kill and maxTaskMs stop it.
//
// One observable difference from V8: eval is always an indirect eval (it
// runs in the global scope), because goja's direct eval cannot be guarded.

// depthProg builds the JS halves of the guards. It receives captured
// intrinsics, so later tampering by the script does not change them.
var depthProg = goja.MustCompile("<guards-depth>", `(function (construct, apply, isArray, origStringify, limit, rangeError, OrigProxy, origBind, WeakMap, getPrototypeOf) {
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
	function stringify(value, replacer, space) {
		var stack = [], n = 0, user = null, list = null, numeric = false;
		if (typeof replacer === "function") user = replacer;
		else if (isArray(replacer)) {
			list = [];
			var seen = {}, m = 0;
			for (var i = 0; i < replacer.length; i++) {
				var v = replacer[i], item;
				if (typeof v === "string") item = v;
				else if (typeof v === "number") item = "" + v;
				else if (typeof v === "object" && v !== null && (v instanceof String || v instanceof Number)) item = "" + v;
				else continue;
				if (seen["$" + item] !== true) { seen["$" + item] = true; list[m++] = item; if ("" + (item >>> 0) === item) numeric = true; }
			}
		}
		function track(holder, v) {
			while (n > 0 && stack[n - 1] !== holder) n--;
			if (n === 0) stack[n++] = holder;
			if (typeof v === "object" && v !== null) {
				if (n > limit) throw new rangeError("JSON.stringify: value nested deeper than " + limit + " levels");
				stack[n++] = v;
			}
		}
		function pick(v) {
			// A replacer list: rebuild objects with only its keys, in its
			// order (arrays, wrappers and raw values are left alone).
			if (list === null || typeof v !== "object" || v === null || isArray(v) ||
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
		}
		return apply(origStringify, undefined, [value, function (k, v) {
			if (user !== null) v = apply(user, this, [k, v]);
			v = pick(v);
			track(this, v);
			return v;
		}, space]);
	}
	return {
		// Bound, so that it has no prototype property yet still constructs.
		stringify: stringify, Proxy: apply(origBind, Proxy, [undefined]), revocable: revocable, bind: bind,
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
			failSyntax(strings.TrimPrefix(err.Error(), "engine: "))
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
		json.Get("stringify"), vm.ToValue(limit), g.rangeError, vm.Get("Proxy"), fp.Get("bind"), vm.Get("WeakMap"),
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
	install(json, "stringify", kit.Get("stringify"))
	pw := kit.Get("Proxy").(*goja.Object)
	g.setNameLength(pw, vm.ToValue("Proxy"), vm.ToValue(2))
	install(pw, "revocable", kit.Get("revocable"))
	install(vm.GlobalObject(), "Proxy", pw)
	install(fp, "bind", kit.Get("bind"))
}

// failDepth throws a RangeError for a nesting breach.
func (g *guards) failDepth(what string) {
	e, err := g.vm.New(g.rangeError, g.vm.ToValue(what))
	if err != nil {
		rethrow(err)
	}
	panic(e)
}
