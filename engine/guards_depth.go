package engine

import (
	"fmt"

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
var depthProg = goja.MustCompile("<guards-depth>", `(function (construct, apply, isArray, origStringify, limit, rangeError, OrigProxy, origBind, WeakMap, ownKeys) {
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
	// A constructor that must be checked whether called or constructed.
	function both(orig, check) {
		return function () {
			var args = check(arguments);
			if (new.target === undefined) return apply(orig, this, args);
			return construct(orig, args, new.target);
		};
	}
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
	return {both: both, stringify: stringify, Proxy: Proxy, revocable: revocable, bind: bind};
})`, true)

// installDepthGuards wraps the natively recursive built-ins of vm.
func (g *guards) installDepthGuards(lim Limits) {
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
			failSyntax(err.Error()[len("engine: "):])
		}
	}
	checkPattern := func(p string) {
		if d := PatternNesting(p); d > DefaultMaxNesting {
			failSyntax(fmt.Sprintf("Invalid regular expression: groups nest deeper than %d levels", DefaultMaxNesting))
		}
	}

	reflect := vm.Get("Reflect").(*goja.Object)
	array := vm.Get("Array").(*goja.Object)
	json := vm.Get("JSON").(*goja.Object)
	fv, err := vm.RunProgram(depthProg)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(fv)
	fp := vm.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
	kit, err := mk(goja.Undefined(), reflect.Get("construct"), reflect.Get("apply"), array.Get("isArray"),
		json.Get("stringify"), vm.ToValue(limit), g.rangeError, vm.Get("Proxy"), fp.Get("bind"), vm.Get("WeakMap"), reflect.Get("ownKeys"))
	if err != nil {
		panic(err)
	}
	kitObj := kit.(*goja.Object)
	both, _ := goja.AssertFunction(kitObj.Get("both"))

	// toStrings coerces every argument to a string once (as the original
	// would, in order), so the guard and the original see the same text.
	toStrings := func(c goja.FunctionCall) []goja.Value {
		args := c.Argument(0).(*goja.Object)
		n := int(args.Get("length").ToInteger())
		out := make([]goja.Value, n)
		for i := 0; i < n; i++ {
			v := args.Get(fmt.Sprint(i))
			if _, sym := v.(*goja.Symbol); !sym {
				v = v.ToString()
			}
			out[i] = v
		}
		return out
	}

	// eval(x): only a string is compiled.
	g.wrap(vm.GlobalObject(), "eval", 1, func(c goja.FunctionCall) {
		if s, ok := c.Argument(0).(goja.String); ok {
			checkSource(s.String())
		}
	})

	// The Function constructors: parameters and body are one source.
	fnCheck := func(c goja.FunctionCall) goja.Value {
		args := toStrings(c)
		total := 0
		for _, a := range args {
			if s, ok := a.(goja.String); ok {
				total += s.Length()
			}
		}
		if total > DefaultMaxNesting {
			var src []byte
			for _, a := range args {
				if s, ok := a.(goja.String); ok {
					src = append(src, s.String()...)
					src = append(src, '\n')
				}
			}
			checkSource(string(src))
		}
		return vm.NewArray(toAny(args)...)
	}
	v, err := vm.RunString(`[Object.getPrototypeOf(async function(){}), Object.getPrototypeOf(function*(){})]`)
	if err != nil {
		panic(err)
	}
	protos := v.(*goja.Object)
	holders := []struct {
		holder *goja.Object
		key    string
	}{{vm.GlobalObject(), "Function"}}
	for i := 0; i < 2; i++ {
		holders = append(holders, struct {
			holder *goja.Object
			key    string
		}{protos.Get(fmt.Sprint(i)).(*goja.Object), "constructor"})
	}
	for _, h := range holders {
		g.wrapBoth(both, h.holder, h.key, fnCheck)
	}

	// RegExp(pattern, flags), also when called.
	g.wrapBoth(both, vm.GlobalObject(), "RegExp", func(c goja.FunctionCall) goja.Value {
		args := c.Argument(0).(*goja.Object)
		n := int(args.Get("length").ToInteger())
		out := make([]goja.Value, n)
		for i := 0; i < n; i++ {
			out[i] = args.Get(fmt.Sprint(i))
		}
		if n > 0 {
			if o, ok := out[0].(*goja.Object); ok && o.ClassName() != "RegExp" {
				out[0] = o.ToString()
			}
			if s, ok := out[0].(goja.String); ok && s.Length() > DefaultMaxNesting {
				checkPattern(s.String())
			}
		}
		return vm.NewArray(toAny(out)...)
	})
	// String.prototype.match/matchAll/search turn a string into a RegExp
	// with the intrinsic constructor.
	sp := vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	for _, name := range []string{"match", "matchAll", "search"} {
		g.wrap(sp, name, 1, func(c goja.FunctionCall) {
			if s, ok := c.Argument(0).(goja.String); ok && s.Length() > DefaultMaxNesting {
				checkPattern(s.String())
			}
		})
	}

	// JSON.parse: the nesting of the text, before the recursive parser.
	g.wrap(json, "parse", 2, func(c goja.FunctionCall) {
		if s, ok := c.Argument(0).(goja.String); ok && s.Length() > limit {
			if JSONNesting(s.String(), limit) > limit {
				g.failDepth(fmt.Sprintf("JSON.parse: text nested deeper than %d levels", limit))
			}
		}
	})
	// JSON.stringify: the JS trampoline tracks depth and is interruptible.
	st := kitObj.Get("stringify").(*goja.Object)
	_ = st.DefineDataProperty("name", vm.ToValue("stringify"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = st.DefineDataProperty("length", vm.ToValue(3), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = json.DefineDataProperty("stringify", st, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)

	// Proxy and bound-function chains (JS, with a WeakMap of depths).
	pw := kitObj.Get("Proxy").(*goja.Object)
	_ = pw.DefineDataProperty("length", vm.ToValue(2), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = pw.Delete("prototype")
	_ = pw.DefineDataProperty("revocable", kitObj.Get("revocable"), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = vm.GlobalObject().DefineDataProperty("Proxy", pw, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = fp.DefineDataProperty("bind", kitObj.Get("bind"), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// wrapBoth replaces holder[key], a constructor, with one that runs check
// (which returns the arguments to pass on) whether it is called or
// constructed. The original's prototype and statics stay reachable.
func (g *guards) wrapBoth(both goja.Callable, holder *goja.Object, key string, check func(goja.FunctionCall) goja.Value) {
	ov, ok := holder.Get(key).(*goja.Object)
	if !ok {
		return
	}
	wv, err := both(goja.Undefined(), ov, g.vm.ToValue(check))
	if err != nil {
		panic(err)
	}
	w := wv.(*goja.Object)
	proto := ov.Get("prototype").(*goja.Object)
	_ = w.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("name", ov.Get("name"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", ov.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.SetPrototype(ov)
	_ = proto.DefineDataProperty("constructor", w, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	if holder != proto {
		_ = holder.DefineDataProperty(key, w, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
}

// failDepth throws a RangeError for a nesting breach.
func (g *guards) failDepth(what string) {
	e, err := g.vm.New(g.rangeError, g.vm.ToValue(what))
	if err != nil {
		rethrow(err)
	}
	panic(e)
}

func toAny(vs []goja.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
