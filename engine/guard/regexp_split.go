package guard

import (
	"github.com/dop251/goja"
)

// RegExp.prototype[Symbol.split] with a splitter of the script's making.
//
// The split makes its splitter with the species constructor of this
// (SpeciesConstructor(rx, %RegExp%)), and goja searches that splitter
// with its own fast path when it is a standard RegExp: a script whose
// species returns /.*b|a/y split 20,000 characters in 4.4 s (quadratic,
// one Go step) while the work bound (regexp_work.go) had looked at this's
// pattern. So unless this is a plain RegExp whose species is the
// RegExp constructor's own, the guard splits by the spec's steps itself
// (22.2.6.14), in JS: each search is a call of the splitter's exec, a
// step the limits see (a built-in exec from lastIndex is one regexp2
// match, at most MaxRegexpMatch). Every read the spec makes is made
// once, in its order; goja is not called.
var splitProg = goja.MustCompile("<guards-split>", `(function (x) {
	"use strict";
	var RegExpCtor = x.RegExp, execBuiltin = x.exec, apply = x.apply, construct = x.construct, species = x.species;
	var isConstructor = x.isConstructor, createData = x.createData, TE = x.TypeError, charCodeAt = x.charCodeAt;
	var substring = x.substring, indexOf = x.indexOf;
	function toLength(v) { v = +v; return v !== v || v <= 0 ? 0 : v > 9007199254740991 ? 9007199254740991 : v - v % 1; }
	function isObject(v) { return (typeof v === "object" && v !== null) || typeof v === "function"; }
	function speciesConstructor(o) {
		var C = o.constructor;
		if (C === undefined) return RegExpCtor;
		if (!isObject(C)) throw new TE("the constructor of a RegExp is not an object");
		var S = C[species];
		if (S === undefined || S === null) return RegExpCtor;
		if (isConstructor(S)) return S;
		throw new TE("the species of a RegExp is not a constructor");
	}
	function regExpExec(R, S) {
		var exec = R.exec;
		if (typeof exec === "function") {
			var r = apply(exec, R, [S]);
			if (r !== null && !isObject(r)) throw new TE("a RegExp exec returned neither an object nor null");
			return r;
		}
		return apply(execBuiltin, R, [S]); // its TypeError if R is no RegExp
	}
	function advance(S, i, unicode) {
		if (!unicode || i + 1 >= S.length) return i + 1;
		var c = apply(charCodeAt, S, [i]);
		if (c < 0xd800 || c > 0xdbff) return i + 1;
		var d = apply(charCodeAt, S, [i + 1]);
		return d < 0xdc00 || d > 0xdfff ? i + 1 : i + 2;
	}
	return {split(rx, S, limit) {
		var C = speciesConstructor(rx);
		var flags = `+"`${rx.flags}`"+`;
		var unicodeMatching = apply(indexOf, flags, ["u"]) >= 0 || apply(indexOf, flags, ["v"]) >= 0;
		var newFlags = apply(indexOf, flags, ["y"]) >= 0 ? flags : flags + "y";
		var splitter = construct(C, [rx, newFlags]);
		var A = [], lengthA = 0;
		var lim = limit === undefined ? 4294967295 : limit >>> 0;
		if (lim === 0) return A;
		var size = S.length, z;
		if (size === 0) {
			z = regExpExec(splitter, S);
			if (z !== null) return A;
			createData(A, "0", S);
			return A;
		}
		var p = 0, q = p;
		while (q < size) {
			splitter.lastIndex = q;
			z = regExpExec(splitter, S);
			if (z === null) { q = advance(S, q, unicodeMatching); continue; }
			var e = toLength(splitter.lastIndex);
			if (e > size) e = size;
			if (e === p) { q = advance(S, q, unicodeMatching); continue; }
			createData(A, "" + lengthA++, apply(substring, S, [p, q]));
			if (lengthA === lim) return A;
			p = e;
			var n = toLength(z.length) - 1;
			for (var i = 1; i <= n; i++) {
				createData(A, "" + lengthA++, z[i]);
				if (lengthA === lim) return A;
			}
			q = p;
		}
		createData(A, "" + lengthA, apply(substring, S, [p, size]));
		return A;
	}}.split;
})`, true)

// plainSplitter reports whether goja's split on this would make its
// splitter with the RegExp constructor: this is a RegExp (not a proxy)
// with RegExp.prototype as its prototype and no own constructor, and
// RegExp.prototype.constructor and its @@species are still the ones
// installed. It reads descriptors only: no script code runs.
func (g *guards) plainSplitter(this goja.Value) bool {
	o, ok := this.(*goja.Object)
	if !ok || g.reProto == nil || isProxy(o) || o.ClassName() != "RegExp" || o.Prototype() != g.reProto {
		return false
	}
	if d, err := g.gopd(goja.Undefined(), o, g.vm.ToValue("constructor")); err != nil || !goja.IsUndefined(d) {
		return false
	}
	d, err := g.gopd(goja.Undefined(), g.reProto, g.vm.ToValue("constructor"))
	do, _ := d.(*goja.Object)
	if err != nil || do == nil || do.Get("value") == nil || !do.Get("value").SameAs(g.reCtor) {
		return false
	}
	d, err = g.gopd(goja.Undefined(), g.reCtor, goja.SymSpecies)
	do, _ = d.(*goja.Object)
	return err == nil && do != nil && do.Get("get") != nil && do.Get("get").SameAs(g.reSpecies)
}

// genericSplit runs splitProg's split, made on first use.
func (g *guards) genericSplit(rx goja.Value, s goja.String, limit goja.Value) goja.Value {
	if g.splitFn == nil {
		vm := g.vm
		f, err := vm.RunProgram(splitProg)
		if err != nil {
			panic(err)
		}
		mk, _ := goja.AssertFunction(f)
		x := vm.NewObject()
		sp := g.sp // goja's, read at Install: not the global, which a script may have replaced
		isCtor := g.namedNative("isConstructor", 1, func(c goja.FunctionCall) goja.Value {
			_, ok := goja.AssertConstructor(c.Argument(0))
			return vm.ToValue(ok)
		})
		// CreateDataPropertyOrThrow on the fresh result array.
		createData := g.namedNative("createData", 3, func(c goja.FunctionCall) goja.Value {
			if err := c.Argument(0).(*goja.Object).DefineDataProperty(c.Argument(1).String(), c.Argument(2), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
				rethrow(err)
			}
			return goja.Undefined()
		})
		for k, v := range map[string]goja.Value{
			"RegExp": g.reCtor, "exec": g.reProto.Get("exec"), "apply": g.original("Reflect", "apply"), "construct": g.original("Reflect", "construct"),
			"species": goja.SymSpecies, "isConstructor": isCtor, "createData": createData, "TypeError": g.globalOriginal("TypeError"),
			"charCodeAt": sp.Get("charCodeAt"), "substring": sp.Get("substring"), "indexOf": sp.Get("indexOf"),
		} {
			_ = x.Set(k, v)
		}
		g.splitFn, _ = goja.AssertFunction(call(mk, goja.Undefined(), x))
	}
	return call(g.splitFn, goja.Undefined(), rx, s, limit)
}
