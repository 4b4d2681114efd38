package guard

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

// Native-to-native recursion.
//
// goja counts a JS frame (SetMaxCallStackSize) when JS calls a function,
// but not when Go calls one: ToPrimitive calling toString or valueOf, a
// getter run by a property read, a proxy trap, a callback of a built-in.
// When the function Go calls is itself a built-in that calls back, the
// recursion never passes a JS frame and nothing bounds it before Go's
// stack overflows (fatal, every isolate dies):
//
//	const e = new Error(); e.name = e; String(e)   // Error.prototype.toString -> ToString(name) -> ...
//	o.toString = Object.prototype.toLocaleString; String(o)
//	o.toString = String.prototype.trim; String(o)  // ToString(this) -> o.toString -> ...
//	o.then = Promise.prototype.finally; o.then()   // Invoke(this, "then") -> ...
//
// The mechanism: one native-depth counter per runtime (guards.nativeDepth)
// that every guard wrapper increments while the built-in it wraps runs
// (wrapWith calls counted), with a catchable RangeError past
// Config.MaxDepth. So a cycle is bounded as soon as one member is a
// wrapped built-in, and installRecursionGuards wraps, besides the
// allocation and parsing guards that already were, every built-in that
// calls back into script-chosen code with its this value or its arguments
// (ToString/ToPrimitive, Get through a getter or a proxy, Call/Invoke):
// see countedBuiltins. Three recursions run inside one built-in call,
// with no function call per level, and are rebuilt in JS with an explicit
// level count instead (depthProg): Array.prototype.flat/flatMap on a
// self-containing array, the JSON.parse reviver walk (a reviver can insert
// a cycle under the next key), and a prototype cycle through a proxy (a
// property read walks target -> prototype -> proxy -> target in Go), which
// Object.setPrototypeOf, Reflect.setPrototypeOf and the __proto__ setter
// refuse to create.
//
// The counter and the JS frame count are separate budgets of MaxDepth
// each; engine.MaxStackDepthCeiling is sized for both.

// counted runs a guard wrapper as one native level. It is the hook every
// wrapper of wrapWith goes through.
func (g *guards) counted(fn func(goja.Callable, goja.FunctionCall) goja.Value, orig goja.Callable, c goja.FunctionCall) goja.Value {
	if max := g.maxDepth; g.nativeDepth >= max && max > 0 || g.nativeDepth >= DefaultMaxDepth && max <= 0 {
		g.failDepth(fmt.Sprintf("Maximum call stack size exceeded: built-ins call each other deeper than %d levels", g.nativeDepth))
	}
	g.nativeDepth++
	defer func() { g.nativeDepth-- }()
	return fn(orig, c)
}

// countedBuiltins are the built-ins wrapped only to be counted: each calls
// back into script code through its this value or its arguments, so it
// can be a link of a native cycle. (Those already wrapped by another guard
// are counted through it: the Array.prototype methods, repeat, padStart,
// padEnd, concat, replace, replaceAll, match, matchAll, search,
// RegExp.prototype[Symbol.replace], JSON.parse and JSON.stringify, eval.)
var countedBuiltins = []struct {
	holder string // a global, or global.prototype
	names  []string
}{
	// ToString(this) first, whatever this is: o.toString = any of them.
	{"String.prototype", stringFamily},
	// LengthOfArrayLike(this): ToNumber(this.length), for the Array
	// methods no allocation guard wraps (o.valueOf = pop; o.length = o).
	{"Array.prototype", []string{"push", "pop", "at"}},
	// Get(this, @@toStringTag) runs a getter; toLocaleString invokes this.toString.
	{"Object.prototype", []string{"toString", "toLocaleString"}},
	// Get(this, name / message), then ToString of each.
	{"Error.prototype", []string{"toString"}},
	// ToPrimitive(this), then Invoke(this, "toISOString").
	{"Date.prototype", []string{"toJSON"}},
	// Get(this, source / flags), ToString; test invokes this.exec.
	{"RegExp.prototype", []string{"toString"}}, // test: installRegExpWork
	// Invoke(this, "then").
	{"Promise.prototype", []string{"catch", "finally"}},
	// CreateListFromArrayLike(args) reads args.length: a trap of a proxy
	// over a function can be Reflect.apply itself.
	{"Reflect", []string{"apply"}},
}

// stringFamily are the String.prototype methods not wrapped by another
// guard; each does ToString(this) first.
var stringFamily = []string{"at", "charAt", "charCodeAt", "codePointAt", "endsWith", "includes", "indexOf",
	"lastIndexOf", "localeCompare", "normalize", "slice", "split", "startsWith", "substring", "substr",
	"toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toUpperCase", "trim", "trimEnd", "trimStart"}

// countedSymbols are the symbol-keyed and accessor built-ins counted the
// same way.
var countedSymbols = []struct {
	holder string
	sym    *goja.Symbol
}{
	{"RegExp.prototype", goja.SymMatch}, {"RegExp.prototype", goja.SymMatchAll},
	{"RegExp.prototype", goja.SymSplit},    // @@search: installRegExpWork
	{"String.prototype", goja.SymIterator}, // ToString(this)
}

// holderOf resolves "X" or "X.prototype" ("" is the global object).
func (g *guards) holderOf(path string) *goja.Object {
	if path == "" {
		return g.vm.GlobalObject()
	}
	name, proto := strings.CutSuffix(path, ".prototype")
	o, ok := g.vm.Get(name).(*goja.Object)
	if !ok {
		return nil
	}
	if proto {
		o, _ = o.Get("prototype").(*goja.Object)
	}
	return o
}

// toLocaleString is Object.prototype.toLocaleString whole: Invoke(this,
// "toString"). goja's calls the method it looked up without checking it,
// so {toString: null} made it dereference nil (an InternalError; found by
// FuzzHostileGrammar).
func (g *guards) toLocaleString(_ goja.Callable, c goja.FunctionCall) goja.Value {
	if nullish(c.This) {
		panic(g.vm.NewTypeError("Object.prototype.toLocaleString called on null or undefined"))
	}
	var tf goja.Value
	if o, isObj := c.This.(*goja.Object); isObj {
		tf = o.Get("toString")
	} else {
		tf = g.getV(c.This, "toString") // a getter sees the primitive as this, as GetV says
	}
	f, ok := goja.AssertFunction(tf)
	if !ok {
		panic(g.vm.NewTypeError("toString is not a function"))
	}
	return call(f, c.This)
}

// getVProg is GetV(v, k): a property read whose receiver is v itself,
// also when v is a primitive (goja's Object.Get passes the wrapper).
var getVProg = goja.MustCompile("<guards-getv>", `(function (v, k) { "use strict"; return v[k] })`, true)

// getV reads v[k] with v as the receiver; the function is made on first use.
func (g *guards) getV(v goja.Value, k string) goja.Value {
	if g.getVFn == nil {
		fv, err := g.vm.RunProgram(getVProg)
		if err != nil {
			rethrow(err)
		}
		g.getVFn, _ = goja.AssertFunction(fv)
	}
	return call(g.getVFn, goja.Undefined(), v, g.vm.ToValue(k))
}

// passOn is the wrapper body of a built-in that is only counted.
func passOn(orig goja.Callable, c goja.FunctionCall) goja.Value {
	return call(orig, c.This, c.Arguments...)
}

// installRecursionGuards counts the built-ins of countedBuiltins and
// countedSymbols and the RegExp.prototype.flags getter, and installs the
// rebuilt flat, flatMap and prototype setters, whose JS (recursionProg)
// runs on first use, not at spawn. It returns the reviver walk for
// JSON.parse, likewise lazy.
func (g *guards) installRecursionGuards() (parseRevived func(text, reviver goja.Value) goja.Value) {
	vm := g.vm
	for _, h := range countedBuiltins {
		h := h
		wrapAll := func(holder *goja.Object) {
			for _, name := range h.names {
				body := passOn
				if h.holder == "Object.prototype" && name == "toLocaleString" {
					body = g.toLocaleString
				}
				g.wrapWith(holder, name, -1, body) // the original's length
			}
		}
		if name, proto := strings.CutSuffix(h.holder, ".prototype"); hookedGlobals[name] {
			// Installed when goja makes the global (globals.go).
			g.onGlobal(name, func(o *goja.Object) {
				if proto {
					o, _ = o.Get("prototype").(*goja.Object)
				}
				if o != nil {
					wrapAll(o)
				}
			})
			continue
		}
		if holder := g.holderOf(h.holder); holder != nil {
			wrapAll(holder)
		}
	}
	for _, s := range countedSymbols {
		body := passOn
		// The only makers of string and regexp string iterators: the
		// first iterator made guards its prototype's next (installIterGuards).
		if hook := g.iterHookOf(s.holder, s.sym); hook != nil {
			body = func(orig goja.Callable, c goja.FunctionCall) goja.Value {
				r := call(orig, c.This, c.Arguments...)
				if f := *hook; f != nil {
					f(r)
					*hook = nil
				}
				return r
			}
		}
		if name, proto := strings.CutSuffix(s.holder, ".prototype"); hookedGlobals[name] && proto {
			sym := s.sym
			g.onGlobal(name, func(o *goja.Object) {
				if p, ok := o.Get("prototype").(*goja.Object); ok {
					g.wrapWith(p, sym, -1, body)
				}
			})
		} else if holder := g.holderOf(s.holder); holder != nil {
			g.wrapWith(holder, s.sym, -1, body)
		}
	}
	// The flags getter reads this.hasIndices, this.global ... through
	// getters: Object.defineProperty(o, "global", {get: flagsGetter}).
	g.onRegExpProto(func(rp *goja.Object) { g.wrapGetter(rp, "flags") })

	// What recursionProg needs, captured now, before any script runs.
	object := g.holderOf("Object")
	op := g.holderOf("Object.prototype")
	ap := g.holderOf("Array.prototype")
	intr := map[string]goja.Value{
		"isArray": g.holderOf("Array").Get("isArray"), "getPrototypeOf": object.Get("getPrototypeOf"),
		"setProto": object.Get("setPrototypeOf"),
	}
	var protoDesc *goja.Object
	if d, err := g.gopd(goja.Undefined(), op, vm.ToValue("__proto__")); err == nil {
		protoDesc, _ = d.(*goja.Object)
	}
	if protoDesc != nil {
		intr["protoSet"] = protoDesc.Get("set")
	}
	var rk *goja.Object
	lazy := func(name string) goja.Callable {
		if rk == nil {
			kit := g.depthKit()
			intr["Proxy"], intr["parts"], intr["wmGet"] = kit.Get("OrigProxy"), kit.Get("parts"), kit.Get("wmGet")
			intr["construct"], intr["apply"], intr["rangeError"] = g.original("Reflect", "construct"), g.original("Reflect", "apply"), g.rangeErr()
			intr["reflectSetProto"], intr["parse"] = g.original("Reflect", "setPrototypeOf"), g.original("JSON", "parse")
			rk = g.recursionKit(intr)
		}
		f, _ := goja.AssertFunction(rk.Get(name))
		return f
	}
	install := func(holder *goja.Object, key string, length int, name string) {
		g.wrapWith(holder, key, length, func(_ goja.Callable, c goja.FunctionCall) goja.Value {
			return call(lazy(name), c.This, c.Arguments...)
		})
	}
	for _, name := range []string{"flat", "flatMap"} {
		name := name
		g.wrapWith(ap, name, map[string]int{"flat": 0, "flatMap": 1}[name], func(_ goja.Callable, c goja.FunctionCall) goja.Value {
			if l := g.lengthOf(c.This); l > float64(g.maxLen) {
				g.fail(fmt.Sprintf("Array.prototype.%s on length %v", name, l))
			}
			return call(lazy(name), c.This, c.Arguments...)
		})
	}
	install(object, "setPrototypeOf", 2, "setPrototypeOf")
	g.onGlobal("Reflect", func(reflect *goja.Object) { install(reflect, "setPrototypeOf", 2, "reflectSetPrototypeOf") })
	if protoDesc != nil {
		if get, ok := protoDesc.Get("get").(*goja.Object); ok {
			set := vm.ToValue(func(c goja.FunctionCall) goja.Value {
				return g.counted(func(_ goja.Callable, c goja.FunctionCall) goja.Value {
					return call(lazy("protoSetter"), c.This, c.Arguments...)
				}, nil, c)
			}).(*goja.Object)
			g.setNameLength(set, vm.ToValue("set __proto__"), vm.ToValue(1))
			_ = op.DefineAccessorProperty("__proto__", get, set, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	return func(text, reviver goja.Value) goja.Value {
		return call(lazy("parseRevived"), goja.Undefined(), text, reviver)
	}
}

// recursionKit runs recursionProg with the intrinsics captured at spawn
// and Go helpers, once per runtime, on first use.
func (g *guards) recursionKit(intr map[string]goja.Value) *goja.Object {
	vm := g.vm
	x := vm.NewObject()
	for k, v := range intr {
		_ = x.Set(k, v)
	}
	_ = x.Set("limit", g.maxDepth)
	_ = x.Set("species", goja.SymSpecies)
	_ = x.Set("typeError", func(msg string) { panic(vm.NewTypeError(msg)) })
	_ = x.Set("box", func(v goja.Value) goja.Value { return v.ToObject(vm) })
	_ = x.Set("isConstructor", func(v goja.Value) bool { _, ok := goja.AssertConstructor(v); return ok })
	_ = x.Set("keys", func(o *goja.Object) goja.Value { return vm.ToValue(o.Keys()) })
	// CreateDataProperty and [[Delete]] as the JSON.parse reviver walk
	// uses them: false for an ordinary object that refuses (a
	// non-configurable property, ignored by the walk), but what a proxy's
	// trap throws propagates (test262 JSON/parse/reviver-*).
	_ = x.Set("createData", func(o *goja.Object, k string, v goja.Value) bool {
		err := o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		if err != nil && isProxy(o) {
			rethrow(err)
		}
		return err == nil
	})
	_ = x.Set("del", func(o *goja.Object, k string) {
		if err := o.Delete(k); err != nil && isProxy(o) {
			rethrow(err)
		}
	})
	for _, k := range []string{"typeError", "box", "isConstructor", "keys", "createData", "del"} {
		g.unname(x.Get(k)) // what typeError throws shows its frame
	}
	f, err := vm.RunProgram(recursionProg)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(f)
	return call(mk, goja.Undefined(), x).(*goja.Object)
}

// recursionProg is the JS of the recursions that run inside one built-in
// call, rebuilt after the spec with an explicit level count (a level past
// limit is a RangeError, where goja's original recursed in Go until the
// process died): Array.prototype.flat and flatMap (FlattenIntoArray),
// JSON.parse's reviver walk (InternalizeJSONProperty), and the prototype
// setters, which refuse a cycle through a proxy (as an ordinary cycle is
// refused: a TypeError, false from Reflect.setPrototypeOf).
var recursionProg = goja.MustCompile("<guards-recursion>", `(function (x) {
	"use strict";
	var construct = x.construct, apply = x.apply, isArray = x.isArray, getPrototypeOf = x.getPrototypeOf;
	var limit = x.limit, rangeError = x.rangeError, typeError = x.typeError, OrigProxy = x.Proxy;
	var createData = x.createData, del = x.del, keys = x.keys, box = x.box, isConstructor = x.isConstructor;
	var species = x.species, origParse = x.parse, origSetProto = x.setProto, origReflectSetProto = x.reflectSetProto;
	var origProtoSet = x.protoSet, parts = x.parts, wmGet = x.wmGet, MAXLEN = 9007199254740991;
	function tooDeep(what) { throw new rangeError(what + " nested deeper than " + limit + " levels"); }
	function toLength(v) {
		var n = +v;
		if (n !== n || n <= 0) return 0;
		return n > MAXLEN ? MAXLEN : n - n % 1;
	}
	function isObject(v) { return (typeof v === "object" && v !== null) || typeof v === "function"; }
	function arraySpeciesCreate(o) {
		if (!isArray(o)) return [];
		var c = o.constructor;
		if (isObject(c)) {
			c = c[species];
			if (c === null) c = undefined;
		}
		if (c === undefined) return [];
		if (!isConstructor(c)) typeError("object constructor is not a constructor");
		return construct(c, [0]);
	}
	function flattenInto(target, source, sourceLen, start, d, mapper, thisArg, level) {
		var t = start;
		for (var i = 0; i < sourceLen; i++) {
			var k = "" + i;
			if (!(k in source)) continue;
			var el = source[k];
			if (mapper !== undefined) el = apply(mapper, thisArg, [el, i, source]);
			if (d > 0 && isArray(el)) {
				if (level >= limit) tooDeep("Array.prototype.flat: arrays");
				t = flattenInto(target, el, toLength(el.length), t, d - 1, undefined, undefined, level + 1);
			} else {
				if (t >= MAXLEN) typeError("array too long");
				if (!createData(target, "" + t, el)) typeError("Cannot add property " + t + ", object is not extensible");
				t++;
			}
		}
		return t;
	}
	function flat() {
		if (this === undefined || this === null) typeError("Array.prototype.flat called on null or undefined");
		var o = box(this), len = toLength(o.length), d = 1, a0 = arguments[0];
		if (a0 !== undefined) {
			d = +a0;
			if (d !== d) d = 0;
			else if (d !== Infinity && d !== -Infinity) d = d - d % 1;
			if (d < 0) d = 0;
		}
		var a = arraySpeciesCreate(o);
		flattenInto(a, o, len, 0, d, undefined, undefined, 0);
		return a;
	}
	function flatMap(mapper) {
		if (this === undefined || this === null) typeError("Array.prototype.flatMap called on null or undefined");
		var o = box(this), len = toLength(o.length);
		if (typeof mapper !== "function") typeError("flatMap mapper function is not callable");
		var a = arraySpeciesCreate(o);
		flattenInto(a, o, len, 0, 1, mapper, arguments[1], 0);
		return a;
	}
	// A reviver may put a cycle under the next key: the walk counts it.
	function internalize(holder, name, reviver, level) {
		if (level > limit) tooDeep("JSON.parse: reviver walk");
		var val = holder[name];
		if (isObject(val)) {
			var i, k, nv, ks;
			if (isArray(val)) {
				var len = toLength(val.length);
				for (i = 0; i < len; i++) {
					k = "" + i;
					nv = internalize(val, k, reviver, level + 1);
					if (nv === undefined) del(val, k);
					else createData(val, k, nv);
				}
			} else {
				ks = keys(val);
				for (i = 0; i < ks.length; i++) {
					k = ks[i];
					nv = internalize(val, k, reviver, level + 1);
					if (nv === undefined) del(val, k);
					else createData(val, k, nv);
				}
			}
		}
		return apply(reviver, holder, [name, val]);
	}
	function parseRevived(text, reviver) {
		var root = {};
		createData(root, "", apply(origParse, undefined, [text]));
		return internalize(root, "", reviver, 0);
	}
	// A prototype cycle through a proxy makes a property read walk it in
	// Go for ever. Walks prototypes, and a proxy's target and handler,
	// from proto (at most limit objects), looking for o or, when o is a
	// proxy, its targets. An ordinary cycle is left to the original (its
	// TypeError).
	function cycles(o, proto) {
		if (!isObject(o) || !isObject(proto)) return false;
		var goals = [o], g = o, n = 0, pp;
		while ((pp = apply(wmGet, parts, [g])) !== undefined && n++ < limit) { g = pp[0]; goals[goals.length] = g; }
		var stack = [proto, goals.length > 1], seen = 0;
		while (stack.length > 0) {
			var through = stack.pop(), v = stack.pop();
			for (var i = 0; i < goals.length; i++) if (goals[i] === v) { if (through) return true; break; }
			if (++seen > limit) throw new rangeError("prototype chain through proxies longer than " + limit + " objects");
			pp = apply(wmGet, parts, [v]);
			if (pp !== undefined) {
				if (isObject(pp[0])) { stack[stack.length] = pp[0]; stack[stack.length] = true; }
				if (isObject(pp[1])) { stack[stack.length] = pp[1]; stack[stack.length] = true; }
			} else {
				var up = getPrototypeOf(v);
				if (up !== null) { stack[stack.length] = up; stack[stack.length] = through; }
			}
		}
		return false;
	}
	// Refused as [[SetPrototypeOf]] refuses an ordinary cycle: false, which
	// Object.setPrototypeOf and the __proto__ setter turn into a TypeError.
	function refuse() { typeError("Cyclic __proto__ value through a proxy"); }
	return {
		flat: flat, flatMap: flatMap, parseRevived: parseRevived,
		setPrototypeOf: function (o, proto) {
			if (cycles(o, proto)) refuse();
			return apply(origSetProto, undefined, [o, proto]);
		},
		reflectSetPrototypeOf: function (o, proto) {
			if (cycles(o, proto)) return false;
			return apply(origReflectSetProto, undefined, [o, proto]);
		},
		protoSetter: function (proto) {
			if (cycles(this, proto)) refuse();
			return apply(origProtoSet, this, [proto]);
		},
	};
})`, false)

// lengthOfFn is a function's length property, 0 for anything else.
func (g *guards) lengthOfFn(v goja.Value) int {
	if o, ok := v.(*goja.Object); ok {
		if l := o.Get("length"); l != nil {
			return int(l.ToInteger())
		}
	}
	return 0
}

// wrapGetter counts the getter of the accessor obj[key] (its name "get
// key", length 0, attributes kept).
func (g *guards) wrapGetter(obj *goja.Object, key string) {
	if obj == nil {
		return
	}
	d, err := g.gopd(goja.Undefined(), obj, g.vm.ToValue(key))
	if err != nil {
		return
	}
	do, ok := d.(*goja.Object)
	if !ok {
		return
	}
	orig, ok := goja.AssertFunction(do.Get("get"))
	if !ok {
		return
	}
	w := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		return g.counted(passOn, orig, c)
	}).(*goja.Object)
	g.setNameLength(w, g.vm.ToValue("get "+key), g.vm.ToValue(0))
	var set goja.Value
	if s, ok := do.Get("set").(*goja.Object); ok {
		set = s
	}
	enum, conf := goja.FLAG_FALSE, goja.FLAG_FALSE
	if do.Get("enumerable").ToBoolean() {
		enum = goja.FLAG_TRUE
	}
	if do.Get("configurable").ToBoolean() {
		conf = goja.FLAG_TRUE
	}
	_ = obj.DefineAccessorProperty(key, w, set, conf, enum)
}

// guardStringMatch is String.prototype.match (sym SymMatch), matchAll
// (SymMatchAll, global) or search (SymSearch) with the pattern checked
// after the conversions goja applies, each done once: for an object
// argument, the IsRegExp and flags checks (matchAll) and the matcher
// lookup are done here, and a matcher found is called here; an object
// that is not a RegExp is converted to its string here, the string is
// checked, and the original gets the string (a primitive, which it
// converts no further).
func (g *guards) guardStringMatch(sym *goja.Symbol, global bool, check func(goja.Value)) func(goja.Callable, goja.FunctionCall) goja.Value {
	return func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		this, arg := c.This, c.Argument(0)
		if this == nil || goja.IsUndefined(this) || goja.IsNull(this) {
			return call(orig, this, c.Arguments...) // its TypeError
		}
		if o, ok := arg.(*goja.Object); ok {
			if global {
				isRe := o.ClassName() == "RegExp"
				if m := o.GetSymbol(goja.SymMatch); m != nil && !goja.IsUndefined(m) {
					isRe = m.ToBoolean()
				}
				if isRe {
					flags := o.Get("flags")
					if flags == nil || goja.IsUndefined(flags) || goja.IsNull(flags) {
						panic(g.vm.NewTypeError("Value is not object coercible"))
					}
					if !strings.Contains(flags.String(), "g") {
						panic(g.vm.NewTypeError("RegExp doesn't have global flag set"))
					}
				}
			}
			if m := o.GetSymbol(sym); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
				f, ok := goja.AssertFunction(m)
				if !ok {
					panic(g.vm.NewTypeError("%s is not a function", m.String()))
				}
				return call(f, o, this)
			}
			if o.ClassName() == "RegExp" {
				// Compiled already (and checked when it was). The
				// original repeats the matcher lookup.
				return call(orig, this, arg)
			}
			arg = o.ToString()
		}
		check(arg)
		g.ensureRegExp() // the original makes a RegExp of the pattern (families.go)
		return call(orig, this, arg)
	}
}

// jsCallPC is the code address of what goja's Export returns for a JS
// function (the method value of its Call): the same for every JS
// function, of any kind. Anything else callable is a built-in, a Go
// function, a bound function or a proxy.
var jsCallPC = func() uintptr {
	v, err := goja.New().RunString("(function () {})")
	if err != nil {
		return 0
	}
	return reflect.ValueOf(v.Export()).Pointer()
}()

// nativeTarget is the Go half of the bind trampoline (depthProg):
// nativeTarget(f) tells whether f is not a JS function (its bound calls
// need a trampoline); nativeTarget(f, t, hasInstance) gives the
// trampoline t what bind reads from f, read from f once as bind would
// (HasOwnProperty and Get "length", Get "name"), and hasInstance as its
// @@hasInstance.
func (g *guards) nativeTarget() goja.Value {
	return g.namedNative("nativeTarget", 3, func(c goja.FunctionCall) goja.Value {
		f, ok := c.Argument(0).(*goja.Object)
		if !ok {
			return g.vm.ToValue(false)
		}
		t, ok := c.Argument(1).(*goja.Object)
		if !ok {
			if jsCallPC == 0 {
				return g.vm.ToValue(true)
			}
			ex := f.Export()
			if fn, ok := ex.(func(goja.FunctionCall) goja.Value); ok && fn != nil && reflect.ValueOf(fn).Pointer() == jsCallPC {
				return g.vm.ToValue(false)
			}
			return g.vm.ToValue(true)
		}
		d, err := g.gopd(goja.Undefined(), f, g.vm.ToValue("length"))
		if err != nil {
			rethrow(err)
		}
		if goja.IsUndefined(d) {
			if err := t.Delete("length"); err != nil {
				rethrow(err)
			}
		} else {
			_ = t.DefineDataProperty("length", f.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		_ = t.DefineDataProperty("name", f.Get("name"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = t.DefineDataPropertySymbol(goja.SymHasInstance, c.Argument(2), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		return goja.Undefined()
	})
}

// invoke(f, this, args) calls f as one level of the native-depth counter:
// the bind trampoline's call.
// It is named "apply": a native frame shows its function's name in a
// script's stack traces, and goja names an unnamed Go function after its
// Go symbol (github.com/...(*guards).invoke.func1 reached every stack
// through a bound built-in).
func (g *guards) invoke() goja.Value {
	return g.namedNative("apply", 3, func(c goja.FunctionCall) goja.Value {
		return g.counted(func(_ goja.Callable, c goja.FunctionCall) goja.Value {
			f, ok := goja.AssertFunction(c.Argument(0))
			if !ok {
				panic(g.vm.NewTypeError("not a function"))
			}
			return call(f, c.Argument(1), argsOf(c.Argument(2))...)
		}, nil, c)
	})
}

// namedNative is a native function with a JS name and length, never the
// Go symbol goja would give it.
// unname gives a native made by ToValue the empty name: goja names it
// after the Go function, which a stack trace would show a script. It
// returns f.
func (g *guards) unname(f goja.Value) goja.Value {
	if o, ok := f.(*goja.Object); ok {
		_ = o.DefineDataProperty("name", g.vm.ToValue(""), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return f
}

func (g *guards) namedNative(name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	w := g.vm.ToValue(fn).(*goja.Object)
	g.setNameLength(w, g.vm.ToValue(name), g.vm.ToValue(length))
	return w
}

// iterHookOf is where installIterGuards leaves the guard of the iterators
// that holder[sym] makes, for its first result: String.prototype's
// @@iterator is goja's only maker of string iterators, RegExp.prototype's
// @@matchAll of regexp string iterators.
func (g *guards) iterHookOf(holder string, sym *goja.Symbol) *func(goja.Value) {
	switch {
	case holder == "String.prototype" && sym == goja.SymIterator:
		return &g.strIterHook
	case holder == "RegExp.prototype" && sym == goja.SymMatchAll:
		return &g.rxIterHook
	}
	return nil
}

// nativeConstruct and nativeApply are Reflect.construct and Reflect.apply
// for the constructor wrappers' JS (ctorFactory), made in Go so that boot
// need not make Reflect: construct(c, args, newTarget), apply(f, this,
// args), args an array or an arguments object of the wrapper's.
func (g *guards) nativeConstruct() goja.Value {
	return g.namedNative("construct", 2, func(c goja.FunctionCall) goja.Value {
		ctor, ok := goja.AssertConstructor(c.Argument(0))
		nt, isObj := c.Argument(2).(*goja.Object)
		if !ok || !isObj {
			panic(g.vm.NewTypeError("not a constructor"))
		}
		o, err := ctor(nt, argsOf(c.Argument(1))...)
		if err != nil {
			rethrow(err)
		}
		return o
	})
}

func (g *guards) nativeApply() goja.Value {
	return g.namedNative("apply", 3, func(c goja.FunctionCall) goja.Value {
		f, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			panic(g.vm.NewTypeError("not a function"))
		}
		return call(f, c.Argument(1), argsOf(c.Argument(2))...)
	})
}

// unhide undoes what made a constructor wrapper (wrapCtor) leak its
// original: the wrapper inherited its statics from the original, so the
// unguarded original was one Object.getPrototypeOf away
// (new (Object.getPrototypeOf(RegExp))(pattern) compiled anything). The
// original's own statics, named by the caller (goja's are
// ArrayBuffer.isView, BYTES_PER_ELEMENT, and @@species on ArrayBuffer and
// RegExp; the typed arrays' from, of and @@species live on %TypedArray%),
// become own properties of the wrapper (methods writable and
// configurable, values fixed, @@species with its getter), and the
// wrapper takes the original's own [[Prototype]] (Function.prototype,
// %TypedArray%), as the spec has it. Named statics, not a listing of the
// original's keys: listing materializes every property, at spawn. A
// wrapper whose [[Prototype]] is not its original is left alone.
func (g *guards) unhide(w *goja.Object, statics []string, species bool) {
	o := w.Prototype()
	if o == nil || o == w {
		return
	}
	if _, ok := goja.AssertFunction(o); !ok || o.Get("prototype") != w.Get("prototype") {
		return
	}
	for _, k := range statics {
		v := o.Get(k)
		if _, isFn := goja.AssertFunction(v); isFn {
			_ = w.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		} else {
			_ = w.DefineDataProperty(k, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		}
	}
	if species {
		if d, err := g.gopd(goja.Undefined(), o, goja.SymSpecies); err == nil {
			if do, ok := d.(*goja.Object); ok {
				_ = w.DefineAccessorPropertySymbol(goja.SymSpecies, do.Get("get"), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
		}
	}
	_ = w.SetPrototype(o.Prototype())
}

// lengthOf reads an array's length, or an object's own data "length" (no
// getter runs); -1 otherwise. The flat guards use it; a length behind a
// getter is left to their JS reimplementation, which is interruptible.
func (g *guards) lengthOf(v goja.Value) float64 {
	o, ok := v.(*goja.Object)
	if !ok {
		return -1
	}
	if o.ClassName() == "Array" {
		return o.Get("length").ToFloat()
	}
	d, err := g.gopd(goja.Undefined(), o, g.vm.ToValue("length"))
	if err != nil {
		return -1
	}
	do, ok := d.(*goja.Object)
	if !ok {
		return -1
	}
	if val := do.Get("value"); val != nil && goja.IsNumber(val) {
		return val.ToFloat()
	}
	return -1
}
