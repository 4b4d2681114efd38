package guard

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
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
//     chain of bound functions;
//   - built-ins calling each other from Go, with no JS frame in between
//     (guards_recursion.go: the native-depth counter).
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
var depthProg = goja.MustCompile("<guards-depth>", `(function (construct, apply, isArray, limit, rangeError, OrigProxy, origBind, WeakMap, getPrototypeOf, nativeTarget, invoke, TE, wmGet, wmSet, isStrNum) {
	"use strict";
	// Proxy and bound-function chains: the depth of each, kept weakly.
	var depth = new WeakMap();
	var origRevocable = OrigProxy.revocable;
	// parts: a proxy's target and handler, for the prototype-cycle check.
	var parts = new WeakMap();
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
	// new.target, unless goja leaked it into a plain call (see ctorFactory
	// in guards.go): a construction's this is made from its prototype.
	function realTarget(self, t) {
		if (t === undefined || self === null || (typeof self !== "object" && typeof self !== "function")) return undefined;
		var p = t.prototype;
		if (p !== null && (typeof p === "object" || typeof p === "function") && getPrototypeOf(self) !== p) return undefined;
		return t;
	}
	// The handler goja is given is a shim (installProxyShim, Go): each
	// trap of the shim is a getter that reads the script's trap from the
	// script's handler, once for each operation as the spec does: none,
	// and goja does the target's own operation itself; one, and goja gets
	// a shared wrapper that calls it with the script's handler as this.
	// It exists for ownKeys: goja dereferences nil on a trap result with
	// a hole ({length: 2**40}: an uncatchable internal error), so
	// ownKeysW reads the result as CreateListFromArrayLike does (length
	// once, then each element once, a TypeError at the first that is not
	// a string or a symbol, in JS steps) into a dense array that goja
	// then checks.
	var shimProto = null, makeShimProto = null;
	var ownKeysW = {ownKeys(t) {
		var r = apply(this.fownKeys, this.h, [t]);
		if ((typeof r !== "object" || r === null) && typeof r !== "function") return r; // goja's TypeError
		var n = +r.length, out = [];
		n = n !== n || n <= 0 ? 0 : n > 9007199254740991 ? 9007199254740991 : n - n % 1;
		for (var i = 0; i < n; i++) {
			var k = r[i];
			if (typeof k !== "string" && typeof k !== "symbol") throw new TE("'ownKeys' on proxy: trap result element " + i + " is not a valid property name");
			out[i] = k;
		}
		return out;
	}}.ownKeys;
	function shim(handler) {
		if ((typeof handler !== "object" || handler === null) && typeof handler !== "function") return handler; // goja's TypeError
		if (shimProto === null) shimProto = makeShimProto(); // made on first use
		var s = {__proto__: shimProto};
		s.h = handler;
		return s;
	}
	function Proxy(target, handler) {
		var nt = realTarget(this, new.target);
		if (nt === undefined) return apply(OrigProxy, undefined, [target, handler]);
		var d = next(target, handler);
		var p = construct(OrigProxy, [target, shim(handler)], nt);
		apply(wmSet, depth, [p, d]);
		apply(wmSet, parts, [p, [target, handler]]);
		return p;
	}
	var revocable = {revocable(target, handler) { // a method: no constructor, no prototype
		var d = next(target, handler);
		var r = apply(origRevocable, OrigProxy, [target, shim(handler)]);
		apply(wmSet, depth, [r.proxy, d]);
		apply(wmSet, parts, [r.proxy, [target, handler]]);
		return r;
	}}.revocable;
	// A bound function calls its target from Go: with a built-in target
	// and the object passed back as an argument (o.valueOf =
	// Math.abs.bind(null, o)), a ToPrimitive cycle would run with no JS
	// frame at all. So a built-in target is bound through a trampoline, a
	// JS function (one frame per call, counted by maxStackDepth) that
	// calls the target through invoke (Go: one level of the native-depth
	// counter) or constructs it; nativeTarget (Go) gives it the
	// target's length and name as bind reads them, and an
	// @@hasInstance that defers to the target. The trampoline is
	// reachable from no script.
	// A target that is not a constructor gets a trampoline that is not one
	// either (a method), so that the bound function is not one (Array.of,
	// Array.from and new see the difference).
	function isConstructor(f) {
		try { construct(function () {}, [], f); return true; } catch (e) { return false; }
	}
	function trampoline(target) {
		if (!isConstructor(target)) {
			return {t() { return invoke(target, this, arguments); }}.t;
		}
		var t = function () {
			var nt = realTarget(this, new.target);
			if (nt === undefined) return invoke(target, this, arguments);
			return construct(target, arguments, nt === t ? target : nt);
		};
		return t;
	}
	var bind = {bind: function (thisArg) {
		var d = next(this), f = this, target = this;
		if (typeof target === "function" && nativeTarget(target)) {
			f = trampoline(target);
			nativeTarget(target, f, function (v) { return v instanceof target; });
		}
		var r = apply(origBind, f, arguments);
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
			else if (typeof v === "object" && v !== null && isStrNum(v)) item = `+"`${v}`"+`; // ToString: toString first
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
		// For the prototype-cycle check of recursionProg (run later).
		parts: parts, wmGet: wmGet, OrigProxy: OrigProxy,
		// Bound, so that it has no prototype property yet still constructs.
		ownKeysW: ownKeysW, shimSet: function (make) { makeShimProto = make; },
		picker: picker, Proxy: apply(origBind, Proxy, [undefined]), revocable: revocable, bind: bind,
	};
})`, true)

// fnProtoProgs make an async and a generator function, whose prototypes'
// constructors (the other Function constructors) are reachable only
// from such functions (fnFamilies).
var fnProtoProgs = [...]*goja.Program{
	fnAsync:     goja.MustCompile("<guards-fnprotos>", `(async function () {})`, true),
	fnGenerator: goja.MustCompile("<guards-fnprotos>", `(function* () {})`, true),
}

// costPatternChar is what compiling a regular expression costs per
// pattern character, measured (the parse tree and the program of Go's
// regexp or regexp2).
const costPatternChar = 256

// installDepthGuards wraps the natively recursive built-ins of vm.
func (g *guards) installDepthGuards() {
	vm := g.vm
	limit := g.maxDepth
	failSyntax := func(msg string) {
		e, err := vm.New(g.syntaxErr(), vm.ToValue(msg))
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
	// Compiling a pattern takes ~250 bytes a character in one Go step
	// (new RegExp("ab".repeat(2 ** 22)): 2 s and 2 GB, found by
	// FuzzHostileGrammar; at the string cap it would end the process), so
	// a pattern may be as long as the allocation cap allows at that rate.
	maxPattern := g.maxBuf / costPatternChar
	// A counted repetition is expanded: the program can be far longer
	// than the pattern (regexp_size.go). flags is read only if it is a
	// string already (converting it here would run a toString twice);
	// the flags barely change a program's size.
	checkPatternFlags := func(p, flags goja.Value) {
		if s, ok := p.(goja.String); ok && s.Length() > DefaultMaxNesting && PatternNesting(s.String()) > DefaultMaxNesting {
			failSyntax(fmt.Sprintf("Invalid regular expression: groups nest deeper than %d levels", DefaultMaxNesting))
		}
		if s, ok := p.(goja.String); ok && int64(s.Length()) > maxPattern {
			panic(g.newRangeError(fmt.Sprintf("Invalid regular expression: a pattern of %d characters is longer than the limit (%d)", s.Length(), maxPattern)))
		}
		if s, ok := p.(goja.String); ok && s.Length() >= 16 {
			fl := ""
			if f, ok := flags.(goja.String); ok {
				fl = f.String()
			}
			if n := regexpInsts(s.String(), fl); n*costInst > float64(g.maxBuf) {
				panic(g.newRangeError(fmt.Sprintf("Invalid regular expression: its repetitions compile to ~%.0f instructions, more than the limit (%d)", n, g.maxBuf/costInst)))
			}
		}
	}
	checkPattern := func(p goja.Value) { checkPatternFlags(p, nil) }

	// goja's Function and its prototype, without making the global: the
	// constructor's wrapper is made when either route first reaches it.
	fnOrig := g.globalOriginal("Function").(*goja.Object)
	fp := fnOrig.Get("prototype").(*goja.Object)
	g.fp = fp
	g.kitIsArray = vm.Get("Array").(*goja.Object).Get("isArray") // captured now: the kits are made later

	// eval(x): only a string is compiled.
	g.wrap(vm.GlobalObject(), "eval", 1, func(c goja.FunctionCall) {
		if s, ok := c.Argument(0).(goja.String); ok {
			checkSource(s.String())
			g.ensureFor(s.String()) // families.go
		}
	})

	// The Function constructors, called or constructed: parameters and
	// body are one source. Each argument is converted to a string once
	// (as the original would, in order), and those strings are passed on,
	// so the guard and the original see the same text.
	// The text checked is the one goja compiles (functionCtor):
	// "(function anonymous(" + params joined by "," + "\n) {\n" + body +
	// "\n})", so that the scanner lexes what the parser will.
	fnCheck := func(head string) func(args []goja.Value) []goja.Value {
		return func(args []goja.Value) []goja.Value {
			for i, a := range args {
				if _, sym := a.(*goja.Symbol); sym {
					return args // the original throws the TypeError
				}
				args[i] = a.ToString()
			}
			text := functionSourceText(head, args)
			checkSource(text)                        // nesting
			g.ensureFor(text)                        // literals, generators, async (families.go)
			g.checkFunctionSource(text)              // BigInt constants (guards_bigint.go)
			return g.rewriteFunctionArgs(head, args) // BigInt operators (guards_ops.go)
		}
	}
	g.wrapCtorProto("Function", fnOrig, fp, ctorCheckBoth, fnCheck("(function anonymous("), func(w *goja.Object) {
		// The wrapper does not expose its unguarded original as its
		// [[Prototype]] (nor do RegExp's and the other Function
		// constructors'). (The buffer family's wrappers never did:
		// adoptStatics gives them the original's [[Prototype]].)
		g.unhide(w, nil, false)
	})
	g.fnChecks[fnAsync] = fnCheck("(async function anonymous(")
	g.fnChecks[fnGenerator] = fnCheck("(function* anonymous(")
	if !g.hooks {
		g.ensureFnFamily(fnAsync)
		g.ensureFnFamily(fnGenerator)
	}

	// RegExp(pattern, flags), called or constructed; a pattern object
	// other than a RegExp is converted once here.
	var reWrapper goja.Value // the wrapper, as the called form's active function
	reCheck := func(args []goja.Value) []goja.Value {
		if len(args) > 0 {
			if o, ok := args[0].(*goja.Object); ok && g.ctorCalled && (len(args) < 2 || goja.IsUndefined(args[1])) {
				// RegExp(pattern) called: a regexp-like pattern whose
				// constructor is RegExp is returned as it is.
				if m := o.GetSymbol(goja.SymMatch); m != nil && (!goja.IsUndefined(m) && m.ToBoolean() || goja.IsUndefined(m) && o.ClassName() == "RegExp") {
					if c := o.Get("constructor"); c != nil && reWrapper != nil && c.SameAs(reWrapper) {
						g.ctorReturn = o
						return nil
					}
				}
			}
			if o, ok := args[0].(*goja.Object); ok && o.ClassName() != "RegExp" {
				// A regexp-like object (IsRegExp: a truthy @@match) gives
				// its source and, without flags, its flags, each read once
				// here and passed on as strings (a getter read again by
				// goja could return a deeper pattern than the one checked);
				// any other object is converted with ToString.
				if m := o.GetSymbol(goja.SymMatch); m != nil && !goja.IsUndefined(m) && m.ToBoolean() {
					src := (&replaceGuard{g: g}).stringOfValue(o.Get("source"))
					if len(args) < 2 || goja.IsUndefined(args[1]) {
						fl := o.Get("flags")
						if fl == nil || goja.IsUndefined(fl) {
							fl = goja.Undefined()
						} else {
							fl = (&replaceGuard{g: g}).stringOfValue(fl)
						}
						args = append(args[:1], fl)
					}
					args[0] = src
				} else {
					args[0] = o.ToString()
				}
			}
			var flags goja.Value
			if len(args) > 1 {
				flags = args[1]
			}
			checkPatternFlags(args[0], flags)
		}
		return args
	}
	// Made when RegExp is first needed (families.go). The wrapper
	// does not expose its unguarded original as its [[Prototype]]
	// (unhide), and has an own @@species.
	g.onGlobal("RegExp", func(re *goja.Object) {
		w, proto := g.makeCtorWrapper(re, "RegExp", ctorCheckBoth, reCheck)
		g.replaceConstructor(proto, w)
		g.unhide(w, nil, true)
		reWrapper = w
		g.globalGuardOf("RegExp").value = w
	})
	// String.prototype.match/matchAll/search turn anything that is not a
	// RegExp (and has no matcher method) into one with the intrinsic
	// constructor: guardStringMatch does goja's steps up to that
	// conversion, checks the pattern string, and passes it on.
	sp := vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	g.wrapWith(sp, "match", 1, g.guardStringMatch(goja.SymMatch, false, checkPattern))
	g.wrapWith(sp, "matchAll", 1, g.guardStringMatch(goja.SymMatchAll, true, checkPattern))
	g.wrapWith(sp, "search", 1, g.guardStringMatch(goja.SymSearch, false, checkPattern))
	// RegExp.prototype.compile(pattern) recompiles this in place.
	g.onRegExpProto(func(rp *goja.Object) {
		g.guardCompile(rp, checkPattern)
	})

	// JSON.parse: ToString(text) once, the nesting of the text before the
	// recursive parser, and a reviver walked by depthProg (counted levels:
	// a reviver can insert a cycle under the next key).
	var revived func(text, reviver goja.Value) goja.Value // installRecursionGuards, below
	g.onGlobal("JSON", func(json *goja.Object) {
		g.guardParse(json, limit, func(text, reviver goja.Value) goja.Value { return revived(text, reviver) })
	})
	g.onGlobal("JSON", g.guardStringify)

	// JSON.stringify, Proxy, Proxy.revocable and bind are the JS functions
	// of depthProg (named and sized as the built-ins), installed with the
	// built-ins' attributes: writable, configurable, not enumerable.
	// They are made on first use (depthKit): Proxy when goja makes the
	// global, bind when it makes the method, the rest when called.
	install := func(o *goja.Object, key string, v goja.Value) {
		_ = o.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	if !g.hooks || !gojax.HookGlobal(vm, "Proxy", func(goja.Value) goja.Value { return g.proxyWrapper() }) {
		install(vm.GlobalObject(), "Proxy", g.proxyWrapper())
	}
	if !g.hooks || !gojax.DeferProperty(vm, fp, "bind", func(orig goja.Value) goja.Value {
		if g.kit == nil {
			g.kitBind = orig
		}
		return g.depthKit().Get("bind")
	}) {
		install(fp, "bind", g.depthKit().Get("bind"))
	}
	revived = g.installRecursionGuards()
}

// guardCompile wraps RegExp.prototype.compile(pattern), which recompiles
// this in place: the pattern is converted once and checked.
func (g *guards) guardCompile(rp *goja.Object, checkPattern func(goja.Value)) {
	g.wrapWith(rp, "compile", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		args := append([]goja.Value(nil), c.Arguments...)
		if t, ok := c.This.(*goja.Object); ok && t.ClassName() == "RegExp" && len(args) > 0 {
			if o, ok := args[0].(*goja.Object); ok && o.ClassName() != "RegExp" {
				args[0] = o.ToString()
			}
			checkPattern(args[0])
		}
		return call(orig, c.This, args...)
	})
}

// guardParse wraps JSON.parse: ToString(text) once, the nesting of the
// text before the recursive parser, and a reviver walked by
// recursionProg.
func (g *guards) guardParse(json *goja.Object, limit int, revived func(text, reviver goja.Value) goja.Value) {
	g.wrapWith(json, "parse", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		text := c.Argument(0)
		if _, sym := text.(*goja.Symbol); !sym {
			text = text.ToString()
		}
		if s, ok := text.(goja.String); ok && s.Length() > limit {
			if JSONNesting(s.String(), limit) > limit {
				g.failDepth(fmt.Sprintf("JSON.parse: text nested deeper than %d levels", limit))
			}
		}
		if _, ok := goja.AssertFunction(c.Argument(1)); ok {
			return revived(text, c.Argument(1))
		}
		return call(orig, c.This, text)
	})
}

// depthKit runs depthProg, once per runtime, on first use (at boot when
// the lazy path is off), with the intrinsics captured at boot and goja's
// own Proxy, bind and TypeError: read from goja's templates, not from the
// global object or Function.prototype, where a script may have put its
// own by then. It runs JS, so it can fail (a stack overflow, an
// interrupt): then nothing is kept and the next use runs it again.
func (g *guards) depthKit() *goja.Object {
	if g.kit != nil {
		return g.kit
	}
	vm := g.vm
	bind := g.kitBind
	if bind == nil {
		if bind = gojax.TemplateValue(vm, g.fp, "bind"); bind == nil {
			bind = g.fp.Get("bind") // no layout: this runs at boot
		}
	}
	fv, err := vm.RunProgram(depthProg)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(fv)
	kit := call(mk, goja.Undefined(), g.original("Reflect", "construct"), g.original("Reflect", "apply"), g.kitIsArray,
		vm.ToValue(g.maxDepth), g.rangeErr(), g.globalOriginal("Proxy"), bind, g.original("WeakMap", ""), g.kitGetProto,
		g.nativeTarget(), g.invoke(), g.globalOriginal("TypeError"), g.original("WeakMap", "prototype.get"),
		g.original("WeakMap", "prototype.set"), g.namedNative("isStrNum", 1, func(c goja.FunctionCall) goja.Value {
			// A [[StringData]] or [[NumberData]] slot (subclasses too, not a
			// proxy), as the spec has it: not instanceof, which reads the
			// globals a script may have replaced.
			o, ok := c.Argument(0).(*goja.Object)
			return vm.ToValue(ok && (o.ClassName() == "String" || o.ClassName() == "Number"))
		})).(*goja.Object)
	g.installProxyShim(kit)
	pw := kit.Get("Proxy").(*goja.Object)
	g.setNameLength(pw, vm.ToValue("Proxy"), vm.ToValue(2))
	_ = pw.DefineDataProperty("revocable", kit.Get("revocable"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if wrapperMade != nil {
		for _, k := range []string{"Proxy", "revocable", "bind"} {
			wrapperMade(vm, kit.Get(k).(*goja.Object))
		}
	}
	g.kit = kit
	return kit
}

// proxyWrapper is the Proxy the global holds: depthProg's.
func (g *guards) proxyWrapper() goja.Value { return g.depthKit().Get("Proxy") }

// globalOriginal is goja's own value of a global (whatever the global
// object holds now); without the template layout, the global's value,
// which is goja's at boot.
func (g *guards) globalOriginal(name string) goja.Value {
	if v := gojax.GlobalOriginal(g.vm, name); v != nil {
		return v
	}
	return g.vm.Get(name)
}

// proxyTraps are the traps of a Proxy handler.
var proxyTraps = []string{"getPrototypeOf", "setPrototypeOf", "isExtensible", "preventExtensions",
	"getOwnPropertyDescriptor", "defineProperty", "has", "get", "set", "deleteProperty", "ownKeys", "apply", "construct"}

// installProxyShim gives depthProg's Proxy the maker of the prototype of
// the handler shims it gives goja (see there): native getters and
// wrappers, one of each per trap, shared by every shim, so that a proxy
// costs one small object more and an operation two native calls. The
// prototype (~15 KB) is made when the first proxy is.
func (g *guards) installProxyShim(kit *goja.Object) {
	set, _ := goja.AssertFunction(kit.Get("shimSet"))
	ownKeysW := kit.Get("ownKeysW")
	call(set, goja.Undefined(), g.namedNative("makeShimProto", 0, func(goja.FunctionCall) goja.Value {
		return g.makeShimProto(ownKeysW)
	}))
}

func (g *guards) makeShimProto(ownKeysW goja.Value) *goja.Object {
	vm := g.vm
	proto := vm.NewObject()
	for _, name := range proxyTraps {
		name, slot := name, "f"+name
		w := ownKeysW
		// goja hands the apply and construct traps an array over its own
		// value stack (newArrayValues of the call's arguments): a trap
		// that keeps it saw other values there once the call returned
		// (test262 Proxy/construct/call-parameters.js). The trap gets a
		// copy.
		argList := map[string]int{"apply": 2, "construct": 1}[name]
		if name != "ownKeys" {
			w = g.namedNative(name, 0, func(c goja.FunctionCall) goja.Value {
				sh := c.This.(*goja.Object)
				fn, ok := goja.AssertFunction(sh.Get(slot))
				if !ok {
					panic(vm.NewTypeError(fmt.Sprintf("'%s' on proxy: the trap is not a function", name)))
				}
				args := c.Arguments
				if argList > 0 && len(args) > argList {
					if a, ok := args[argList].(*goja.Object); ok {
						args = append([]goja.Value(nil), args...)
						args[argList] = vm.NewArray(toAny(argsOf(a))...) // (dense, goja's own: reading it runs no script code)
					}
				}
				return call(fn, sh.Get("h"), args...)
			})
		}
		get := g.namedNative("get "+name, 0, func(c goja.FunctionCall) goja.Value {
			sh := c.This.(*goja.Object)
			h, _ := sh.Get("h").(*goja.Object)
			if h == nil {
				return goja.Undefined()
			}
			f := h.Get(name)
			if nullish(f) {
				return goja.Undefined()
			}
			_ = sh.Set(slot, f)
			return w
		})
		_ = proto.DefineAccessorProperty(name, get, nil, goja.FLAG_FALSE, goja.FLAG_FALSE)
	}
	return proto
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
func (g *guards) guardStringify(json *goja.Object) {
	isArray, _ := goja.AssertFunction(g.kitIsArray) // Install's: JSON may be made long after a script replaced Array.isArray
	// One state per stringify in progress: a toJSON or a replacer may call
	// stringify again, and the calls nest.
	type state struct {
		user, pick goja.Callable
		stack      []goja.Value
		seen       int
		gap        int     // an upper bound of the indent's length
		out        float64 // an upper bound of the output's length so far
	}
	var states []*state
	replacer := g.namedNative("replacer", 2, func(c goja.FunctionCall) goja.Value {
		st := states[len(states)-1]
		v := c.Argument(1)
		if st.user != nil {
			v = call(st.user, c.This, c.Argument(0), v)
		}
		if st.pick != nil {
			v = call(st.pick, goja.Undefined(), v)
		}
		if st.seen++; st.seen%jsonTick == 0 {
			g.jsStep()
		}
		// The holder path: truncated to the holder for every value (so
		// that its length is this value's depth), grown by objects.
		h := c.This
		n := len(st.stack)
		for n > 0 && st.stack[n-1] != h {
			n--
		}
		st.stack = st.stack[:n]
		if n == 0 {
			st.stack = append(st.stack, h)
		}
		st.out += g.jsonCost(st.gap, len(st.stack), h, c.Argument(0), v, float64(g.maxStr)-st.out)
		if st.out > float64(g.maxStr) {
			g.fail("JSON.stringify result")
		}
		if o, ok := v.(*goja.Object); ok {
			if len(st.stack) > g.maxDepth {
				g.failDepth(fmt.Sprintf("JSON.stringify: value nested deeper than %d levels", g.maxDepth))
			}
			st.stack = append(st.stack, o)
		}
		return v
	})
	g.wrapWith(json, "stringify", 3, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		st := &state{}
		if !nullish(c.Argument(2)) {
			st.gap = 10 // the spec's cap on the indent, whatever space is
		}
		if r, ok := c.Argument(1).(*goja.Object); ok {
			if f, ok := goja.AssertFunction(r); ok {
				st.user = f
			} else if call(isArray, goja.Undefined(), r).ToBoolean() {
				picker, _ := goja.AssertFunction(g.depthKit().Get("picker"))
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
	e, err := g.vm.New(g.rangeErr(), g.vm.ToValue(what))
	if err != nil {
		rethrow(err)
	}
	panic(e)
}

// functionSourceText is the text goja compiles for a Function constructor
// call (builtin_function.go functionCtor): head, the parameters joined by
// commas, then the body. args are already strings.
func functionSourceText(head string, args []goja.Value) string {
	var src strings.Builder
	src.WriteString(head)
	for i := 0; i+1 < len(args); i++ {
		if i > 0 {
			src.WriteByte(',')
		}
		src.WriteString(args[i].String())
	}
	src.WriteString("\n) {\n")
	if len(args) > 0 {
		src.WriteString(args[len(args)-1].String())
	}
	src.WriteString("\n})")
	return src.String()
}
