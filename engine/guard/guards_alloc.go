package guard

import (
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"golang.org/x/text/unicode/norm"

	"github.com/isobox/isobox/internal/gojax"
)

// Length-driven lists and amplifiers (see audit.md for the site table).
//
// Two families of built-ins are bounded here, each before goja is asked to
// build the result:
//
//   - natives that build a list from a length the script controls
//     (CreateListFromArrayLike and its kin): Function.prototype.apply,
//     Reflect.apply, Reflect.construct, Function.prototype.bind (the bound
//     arguments of a whole chain), String.raw, Array.prototype.concat (the
//     lengths of every spread item), Array.from, the typed-array
//     constructors and %TypedArray%.prototype.set on array-likes, and the
//     Array.prototype methods on an array-like this;
//   - amplifiers, where one allowed block becomes many times its size or
//     minutes of CPU in one native step: Object.keys/values/entries,
//     getOwnPropertyNames, getOwnPropertyDescriptors and Reflect.ownKeys of
//     a typed array or a string, String.prototype.normalize and split,
//     Array.prototype.join (separator and elements counted),
//     %TypedArray%.prototype.join, Array.from of a typed array or a string,
//     and the default-comparator sort/toSorted of arrays and typed arrays.
//
// A length the built-in reads through user code (a getter, a proxy, a
// valueOf) is read once: the original is handed a native proxy of the
// object whose "length" is that value, converted and checked (lengthProxy).
// Everything else the original reads goes to the real object.

// maxArgsDivisor: an argument list may hold MaxAllocBytes/256 values (1 Mi
// at the default): 16 bytes each, and goja copies such a list two or three
// times (the call, the VM stack, the arguments object).
const maxArgsDivisor = 256

// Per-item result costs, in bytes, of the key and entry lists (a string
// key, a value, a [key, value] array, a descriptor object).
const (
	costKey   = 48
	costValue = 16
	costEntry = 160
	costDesc  = 320
	costPiece = 32 // one element of split's result
	// costAssign is one own property Object.assign creates on an ordinary
	// object (the value, the key string, the map entry, the key list).
	costAssign = 128
)

// Sort budgets, in comparisons (n*log2 n), for the default comparator:
// goja compares numbers by their strings, a few hundred ns each, and an
// uninterruptible sort must end in well under a second.
const (
	sortBudgetOther = 1 << 21 // numbers, mixed: ~100 Ki elements
	sortBudgetStr   = 1 << 23 // all strings: ~400 Ki
	sortBudgetTA    = 1 << 24 // typed arrays, numeric compare: ~800 Ki
)

var (
	proxyType       = reflect.TypeOf(goja.Proxy{})
	arrayBufferType = reflect.TypeOf(goja.ArrayBuffer{})
)

type allocGuards struct {
	*guards
	maxArgs  int64
	boundMap *goja.Object // WeakMap: bound function -> bound-argument total
	wmGet    goja.Callable
	wmSet    goja.Callable
	isArray  goja.Callable
}

// installAllocGuards wraps the list builders and amplifiers. It runs last
// in Install, so it wraps what the other guards installed (bind, concat,
// join, from...) and their captured intrinsics stay the originals.
func (g *guards) installAllocGuards() {
	a := g.newAllocGuards()

	fp := g.fp
	g.wrapWith(fp, "apply", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		args := c.Argument(1)
		if !nullish(args) {
			args = a.arrayLike(args, float64(a.maxArgs), "Function.prototype.apply arguments")
		}
		return call(orig, c.This, c.Argument(0), args)
	})
	g.onGlobal("Reflect", a.guardReflect) // globals.go
	// bind: a bound function's call appends its bound arguments to those
	// of every function it wraps; the whole chain's total is bounded.
	g.wrapWith(fp, "bind", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		n := int64(len(c.Arguments) - 1)
		if n < 0 {
			n = 0
		}
		total := n + a.boundArgs(c.This)
		if total > a.maxArgs {
			g.fail(fmt.Sprintf("Function.prototype.bind: %d bound arguments", total))
		}
		r := call(orig, c.This, c.Arguments...)
		if total > 0 {
			a.setBoundArgs(r, total)
		}
		return r
	})
	a.installRest()
}

// guardReflect wraps Reflect.apply, construct and ownKeys.
func (a *allocGuards) guardReflect(reflectObj *goja.Object) {
	g := a.guards
	g.wrapWith(reflectObj, "apply", 3, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if _, ok := goja.AssertFunction(c.Argument(0)); !ok {
			return call(orig, goja.Undefined(), c.Arguments...)
		}
		return call(orig, goja.Undefined(), c.Argument(0), c.Argument(1),
			a.arrayLike(c.Argument(2), float64(a.maxArgs), "Reflect.apply arguments"))
	})
	g.wrapWith(reflectObj, "construct", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if _, ok := goja.AssertConstructor(c.Argument(0)); !ok {
			return call(orig, goja.Undefined(), c.Arguments...)
		}
		if len(c.Arguments) < 2 {
			return call(orig, goja.Undefined(), c.Arguments...)
		}
		if len(c.Arguments) > 2 {
			if _, ok := goja.AssertConstructor(c.Argument(2)); !ok {
				return call(orig, goja.Undefined(), c.Arguments...)
			}
		}
		args := append([]goja.Value(nil), c.Arguments...)
		args[1] = a.arrayLike(c.Argument(1), float64(a.maxArgs), "Reflect.construct arguments")
		return call(orig, goja.Undefined(), args...)
	})
	g.wrapWith(reflectObj, "ownKeys", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		a.checkKeys(c.Argument(0), costKey, "Reflect.ownKeys")
		return call(orig, goja.Undefined(), c.Arguments...)
	})
}

// installRest wraps String.raw, the String.prototype amplifiers,
// Array.from and Object's key listers.
func (a *allocGuards) installRest() {
	g, vm := a.guards, a.vm

	str := vm.Get("String").(*goja.Object)
	g.wrapWith(str, "raw", 1, func(_ goja.Callable, c goja.FunctionCall) goja.Value {
		return a.stringRaw(c)
	})
	sp := str.Get("prototype").(*goja.Object)
	g.wrapWith(sp, "normalize", 0, a.normalize)
	g.installCaseGuards(sp) // guards_case.go
	g.wrapWith(sp, "split", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		return a.split(orig, c, "String.prototype.split")
	})
	// RegExp.prototype[Symbol.split] is reached through split with the
	// limit above; called directly it is not wrapped: goja lists every
	// match before the limit applies anyway (see audit.md).
	array := vm.Get("Array").(*goja.Object)
	// concat, join, sort and toSorted are bounded in wrapLooper.
	g.wrapWith(array, "from", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		args := append([]goja.Value(nil), c.Arguments...)
		if len(args) > 0 {
			args[0] = a.fromSource(args[0], "Array.from")
		}
		return call(orig, c.This, args...)
	})

	object := vm.Get("Object").(*goja.Object)
	for _, k := range []struct {
		name string
		cost int64
	}{{"keys", costKey}, {"values", costValue}, {"entries", costEntry}, {"getOwnPropertyNames", costKey}, {"getOwnPropertyDescriptors", costDesc}} {
		k := k
		g.wrapWith(object, k.name, 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			a.checkKeys(c.Argument(0), k.cost, "Object."+k.name)
			return call(orig, goja.Undefined(), c.Arguments...)
		})
	}
	// Object.assign copies every indexed property of a string or typed
	// array source in one Go loop (no JS step, no interrupt): 16 Mi
	// characters became 16 Mi own properties, ~2 GB, unkillable. Found by
	// FuzzHostileGrammar.
	g.wrapWith(object, "assign", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		var n float64
		for _, src := range c.Arguments[min(1, len(c.Arguments)):] {
			n += indexCount(src)
		}
		if n*costAssign > float64(a.maxBuf) {
			a.fail(fmt.Sprintf("Object.assign of %v indexed properties", n))
		}
		return call(orig, goja.Undefined(), c.Arguments...)
	})
}

// installTypedArrayProtoGuards wraps %TypedArray%.prototype's join,
// toLocaleString, sort, toSorted and set, and finds its intrinsic length
// getter. Called by ensureBuffers (guards_buffers.go), before any typed
// array is reachable.
func (g *guards) installTypedArrayProtoGuards(tap *goja.Object) {
	a := g.newAllocGuards()
	if g.taLenGetter == nil {
		if d, err := g.gopd(goja.Undefined(), tap, g.vm.ToValue("length")); err == nil {
			if do, ok := d.(*goja.Object); ok {
				g.taLenGetter, _ = do.Get("get").(*goja.Object)
			}
		}
	}
	// %TypedArray%.prototype.toString is Array.prototype.toString, the
	// same function object (the spec's and goja's): the guard too. Read
	// through a descriptor of Array.prototype the wrapper is made if it
	// was not; a script that replaced it since has touched it, so the
	// wrapper was made and noted then.
	if g.arrayToString == nil && g.ap != nil {
		// goja's Array.prototype, read at Install: not the global, which a
		// script may have replaced by now.
		_, _ = g.gopd(goja.Undefined(), g.ap, g.vm.ToValue("toString"))
	}
	if w := g.arrayToString; w != nil {
		_ = tap.DefineDataProperty("toString", w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	{
		{
			g.wrapWith(tap, "join", 1, a.taJoin)
			g.wrapWith(tap, "toLocaleString", 0, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
				// n-1 commas and at least one character per element.
				if n, _, ok := taInfo(c.This); ok && float64(2*n-1) > float64(g.maxStr) {
					g.fail(fmt.Sprintf("%%TypedArray%%.prototype.toLocaleString of %d elements", n))
				}
				return call(orig, c.This, c.Arguments...)
			})
			for _, name := range []string{"sort", "toSorted"} {
				name := name
				g.wrapWith(tap, name, 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
					if goja.IsUndefined(c.Argument(0)) {
						if n, _, ok := taInfo(c.This); ok && sortCost(float64(n)) > sortBudgetTA {
							g.fail(fmt.Sprintf("%%TypedArray%%.prototype.%s of %d elements (default comparator)", name, n))
						}
					}
					return call(orig, c.This, c.Arguments...)
				})
			}
			g.wrapWith(tap, "fill", 1, a.taFill)
			g.wrapWith(tap, "set", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
				args := append([]goja.Value(nil), c.Arguments...)
				if len(args) > 0 {
					if _, _, isTA := taInfo(args[0]); !isTA {
						args[0] = a.arrayLike(args[0], float64(g.maxLen), "%TypedArray%.prototype.set source")
					}
				}
				return call(orig, c.This, args...)
			})
		}
	}
}

func (g *guards) newAllocGuards() *allocGuards {
	if g.alloc != nil {
		return g.alloc
	}
	a := &allocGuards{guards: g, maxArgs: g.maxBuf / maxArgsDivisor}
	if a.maxArgs < 1024 {
		a.maxArgs = 1024
	}
	// Called from Install only, before any script: the intrinsics.
	a.isArray, _ = goja.AssertFunction(g.vm.Get("Array").(*goja.Object).Get("isArray"))
	g.alloc = a
	return a
}

// ---- lengths ----

// toLengthOf is ToLength: ToNumber (a valueOf runs once), truncated,
// clamped to [0, 2**53-1].
func toLengthOf(v goja.Value) float64 {
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	f := v.ToNumber().ToFloat()
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	return math.Min(math.Trunc(f), 1<<53-1)
}

func isProxy(o *goja.Object) bool {
	return o.ExportType() == proxyType
}

// dataLength is o's own "length" when it is a data property whose value
// needs no user code to convert (an Array's always is); ok false otherwise.
func (a *allocGuards) dataLength(o *goja.Object) (float64, bool) {
	if o.ClassName() == "Array" {
		return o.Get("length").ToFloat(), true
	}
	if isProxy(o) {
		return 0, false
	}
	d, err := a.gopd(goja.Undefined(), o, a.vm.ToValue("length"))
	if err != nil {
		return 0, false
	}
	do, ok := d.(*goja.Object)
	if !ok {
		return 0, false
	}
	v := do.Get("value")
	if v == nil || do.Get("get") != nil {
		return 0, false
	}
	if _, obj := v.(*goja.Object); obj {
		return 0, false
	}
	if _, sym := v.(*goja.Symbol); sym {
		return 0, false
	}
	return toLengthOf(v), true
}

// lengthProxy is a native proxy of o whose "length" is read from o once,
// when the built-in asks, converted with ToLength, handed to check, and
// then kept; every other read goes to o. It is what the original gets
// when o's length runs user code, so that a getter returning a small
// length to the guard and a huge one to goja cannot pass.
func (a *allocGuards) lengthProxy(o *goja.Object, check func(n float64)) *goja.Object {
	var cached goja.Value
	p := a.vm.NewProxy(o, &goja.ProxyTrapConfig{
		Get: func(t *goja.Object, prop string, _ goja.Value) goja.Value {
			if prop == "length" {
				if cached == nil {
					n := toLengthOf(t.Get("length"))
					check(n)
					cached = a.vm.ToValue(n)
				}
				return cached
			}
			return t.Get(prop)
		},
	})
	return a.vm.ToValue(p).(*goja.Object)
}

// arrayLike returns what to pass to a built-in that walks v's length:
// v itself when its length is a plain value within limit, a lengthProxy
// when reading it runs user code; it throws past limit.
func (a *allocGuards) arrayLike(v goja.Value, limit float64, what string) goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return v
	}
	if t, ours := a.liveProxies[o]; ours {
		// A length proxy of a call still in progress came back as this
		// (toString calling a join that is toString, say): proxy its
		// target rather than the proxy, so that each level costs the same
		// and not one more proxy hop than the last.
		o = t
	}
	if n, ok := a.dataLength(o); ok {
		if n > limit {
			a.fail(fmt.Sprintf("%s: length %v", what, n))
		}
		return v
	}
	return a.lengthProxy(o, a.limitCheck(limit, what))
}

func (a *allocGuards) limitCheck(limit float64, what string) func(float64) {
	return func(n float64) {
		if n > limit {
			a.fail(fmt.Sprintf("%s: length %v", what, n))
		}
	}
}

// checkTypedArrayArgs bounds a typed-array construction from an object:
// another typed array (its length times the element size), an array or
// array-like (read once, see arrayLike). Iterables other than arrays run
// their iterator in JS steps or are collections already in memory. It
// returns the arguments to pass on.
func (g *guards) checkTypedArrayArgs(name string, size float64, args []goja.Value) []goja.Value {
	o, ok := args[0].(*goja.Object)
	if !ok {
		return nil
	}
	if o.ExportType() == arrayBufferType {
		return nil // a view: nothing is allocated
	}
	a := &allocGuards{guards: g} // no intrinsics needed: lookup, arrayLike
	limit := float64(g.maxBuf) / size
	what := name + " source"
	if n, _, ok := taInfo(o); ok {
		a.limitCheck(limit, what)(float64(n))
		g.lease(int64(float64(n)*size), name)
		return nil
	}
	if o.ClassName() == "Array" {
		n := o.Get("length").ToFloat()
		a.limitCheck(limit, what)(n)
		g.lease(int64(n*size), name)
		return nil
	}
	it, ok := a.lookup(o, goja.SymIterator)
	if ok && !nullish(it) {
		return nil
	}
	if ok {
		args[0] = a.arrayLike(o, limit, what)
	} else {
		args[0] = a.lengthProxy(o, a.limitCheck(limit, what))
	}
	return args
}

// adoptStatics makes w, a constructor wrapper, stand in for orig without
// orig being reachable from it: orig's own static properties
// (BYTES_PER_ELEMENT, isView, Symbol.species) are copied to w with their
// attributes, and w's [[Prototype]] is orig's. Were orig w's prototype,
// Object.getPrototypeOf(Float64Array) would be the unguarded constructor.
// The statics are known per constructor (listing them through
// Reflect.ownKeys cost a quarter of the guards' spawn time).
func (g *guards) adoptStatics(w, orig *goja.Object, key string) {
	switch key {
	case "ArrayBuffer":
		_ = w.DefineDataProperty("isView", orig.Get("isView"), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		g.copySpecies(w, orig)
	case "RegExp":
		g.copySpecies(w, orig)
	case "Function", "constructor":
	default: // the typed arrays
		if v := orig.Get("BYTES_PER_ELEMENT"); v != nil {
			_ = w.DefineDataProperty("BYTES_PER_ELEMENT", v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		}
	}
	_ = w.SetPrototype(orig.Prototype())
}

// copySpecies copies orig's own Symbol.species getter to w.
func (g *guards) copySpecies(w, orig *goja.Object) {
	d, err := g.gopd(goja.Undefined(), orig, goja.SymSpecies)
	if err != nil {
		return
	}
	if do, ok := d.(*goja.Object); ok {
		_ = w.DefineAccessorPropertySymbol(goja.SymSpecies, do.Get("get"), goja.Undefined(), goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// taInfo reports a typed array's length and element kind from its internal
// slots (no user code: the length getter is not called).
func taInfo(v goja.Value) (int, reflect.Kind, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return 0, 0, false
	}
	t := o.ExportType()
	if t == nil || t.Kind() != reflect.Slice {
		return 0, 0, false
	}
	switch k := t.Elem().Kind(); k {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32, reflect.Uint32,
		reflect.Float32, reflect.Float64, reflect.Int64, reflect.Uint64:
		return reflect.ValueOf(o.Export()).Len(), k, true
	}
	return 0, 0, false
}

// ---- Array.prototype loopers (called from Install's loop) ----

// wrapLooper wraps an Array.prototype method that walks this.length in Go:
// the length is checked against maxLen, read once when it runs user code
// (this becomes a lengthProxy; a result that is the proxy is this again).
// concat (every spread item counted), join (separators and elements) and
// the default-comparator sorts get their result bounds here too: one
// wrapper per method keeps the spawn cost down.
func (g *guards) wrapLooper(ap *goja.Object, name string, length int, counted bool) {
	a := g.newAllocGuards()
	what := looperWhat[name]
	body := func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if nullish(c.This) {
			// ToObject(this) throws first, before any argument is touched.
			return call(orig, c.This, c.Arguments...)
		}
		limit := float64(g.maxLen)
		switch name {
		case "concat":
			// this is counted with the items (it may be appended itself,
			// so it is never replaced by a proxy).
			return a.concat(orig, c)
		case "join":
			// The separator, converted once here, bounds the length too:
			// (n-1) copies of it are in the result.
			if sep := c.Argument(0); !goja.IsUndefined(sep) {
				if _, isStr := sep.(goja.String); !isStr {
					c.Arguments = append([]goja.Value(nil), c.Arguments...)
					c.Arguments[0] = (&replaceGuard{g: g}).stringOfValue(sep)
				}
				if sl := strLen(c.Arguments[0]); sl > 0 {
					limit = math.Min(limit, math.Floor(float64(g.maxStr)/float64(sl))+1)
				}
			}
			// Reserved at two bytes a unit: the elements' encoding is
			// not known before they are joined.
			defer g.reserve(int64(2*a.checkJoin(c)), "Array.prototype.join result")()
		case "sort", "toSorted":
			if goja.IsUndefined(c.Argument(0)) {
				a.checkArraySort(c.This, what)
			}
		}
		this := c.This
		// toString loops in nothing itself: it calls this.join, which is
		// guarded (and stepped) where it is Array's or a typed array's,
		// and must see this as it is.
		stepping := name != "toString"
		if l := strLen(this); l > 0 && float64(l) > limit {
			g.fail(fmt.Sprintf("Array.prototype.%s on length %v", name, l))
		} else if l > stepMin && stepping {
			return a.stepped(orig, c, this.ToObject(g.vm), nil)
		}
		if o, ok := this.(*goja.Object); ok {
			if n, _, isTA := taInfo(o); isTA && a.intrinsicTALength(o) {
				if float64(n) > limit {
					g.fail(fmt.Sprintf("Array.prototype.%s on length %v", name, n))
				}
				if n > stepMin && stepping {
					return a.stepped(orig, c, o, nil)
				}
				return call(orig, this, c.Arguments...)
			}
			target := o
			if t, ours := a.liveProxies[o]; ours {
				// A proxy of a call still in progress came back as this
				// (toString calling a join that is toString, say): proxy
				// its target, so that each level costs the same.
				target = t
			}
			if n, ok := a.dataLength(target); ok {
				if n > limit {
					a.fail(fmt.Sprintf("%s: length %v", what, n))
				}
				if _, dense := gojax.DenseArrayLen(target); n <= stepMin || dense || !stepping {
					return call(orig, this, c.Arguments...)
				}
				return a.stepped(orig, c, target, nil)
			}
			if !stepping {
				return call(orig, this, c.Arguments...) // toString reads no length
			}
			return a.stepped(orig, c, target, a.limitCheck(limit, what))
		}
		return call(orig, this, c.Arguments...)
	}
	if !counted {
		g.wrapWith(ap, name, length, body)
		return
	}
	var note func(*goja.Object)
	if name == "toString" {
		// %TypedArray%.prototype.toString is the same function
		// (installTypedArrayProtoGuards).
		note = func(w *goja.Object) { g.arrayToString = w }
	}
	g.wrapNoted(ap, name, length, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if g.nativeDepth >= g.maxDepth {
			g.failDepth(fmt.Sprintf("Array.prototype.%s: arrays nested deeper than %d levels", name, g.maxDepth))
		}
		g.nativeDepth++
		defer func() { g.nativeDepth-- }()
		return body(orig, c)
	}, note)
}

// taFillChunk is how many elements %TypedArray%.prototype.fill sets
// between two JS steps.
const taFillChunk = 1 << 20

// taFill is %TypedArray%.prototype.fill in chunks of taFillChunk
// elements with a JS step between them: goja sets each element in one Go
// loop (~3 ns an element, ~100 under the race detector), so filling a
// 256 MB array ran up to seconds with no interrupt check, and a kill or a
// host shutdown waited for it. The value and the range are converted
// once, here, in the specification's order (value, start, end), and the
// original is called on each chunk with the converted primitives, which
// it converts again without running any code. A value that would convert
// by parsing (a string for a BigInt array, say) is left to one call of
// the original, as are small arrays.
func (a *allocGuards) taFill(orig goja.Callable, c goja.FunctionCall) goja.Value {
	n, kind, ok := taInfo(c.This)
	if !ok || n <= taFillChunk || !a.intrinsicTALength(c.This.(*goja.Object)) {
		return call(orig, c.This, c.Arguments...)
	}
	v := c.Argument(0)
	if o, isObj := v.(*goja.Object); isObj {
		v = a.toPrimitive(o, "number")
	}
	big := kind == reflect.Int64 || kind == reflect.Uint64
	if big != goja.IsBigInt(v) || !big && !goja.IsNumber(v) {
		args := append([]goja.Value{v}, c.Arguments[min(1, len(c.Arguments)):]...)
		return call(orig, c.This, args...)
	}
	rel := func(x goja.Value, def float64) float64 {
		if goja.IsUndefined(x) {
			return def
		}
		if o, isObj := x.(*goja.Object); isObj {
			x = a.toPrimitive(o, "number")
		}
		f := x.ToNumber().ToFloat() // a Symbol throws the TypeError here
		if math.IsNaN(f) {
			f = 0
		}
		f = math.Trunc(f)
		if f < 0 {
			return math.Max(float64(n)+f, 0)
		}
		return math.Min(f, float64(n))
	}
	k := rel(c.Argument(1), 0)
	final := rel(c.Argument(2), float64(n))
	vm := a.vm
	for k < final {
		e := math.Min(k+taFillChunk, final)
		call(orig, c.This, v, vm.ToValue(k), vm.ToValue(e))
		k = e
		if k < final {
			a.jsStep() // a pending interrupt stops the fill here
		}
	}
	return c.This
}

// stepMin is the length past which an Array.prototype method's generic
// path (a receiver that is not a dense array: a sparse array, an
// array-like, a string, a typed array) runs on a stepping proxy. goja's
// generic paths loop in Go at 0.2-1 µs an element with no interrupt check
// (new Array(2 ** 24).fill(0) ran 13 s past maxTaskMs 200); a call on up
// to stepMin elements runs as it is, a few ms at most.
const stepMin = 1 << 14

// stepped calls orig with this as a stepping proxy of o: every property
// read, test, write and delete goja's loop makes goes through a trap that
// runs a JS step every 1024 calls, so that a pending interrupt (kill,
// maxTaskMs, cpuMs, memoryMb, the host ceiling) stops the loop there. The
// traps forward to o (getters and setters see o as this, as without the
// proxy). check, when set, sees o's length, read once when goja asks for
// it (a length getter runs once, as without the proxy). A result that is
// the proxy is this again.
func (a *allocGuards) stepped(orig goja.Callable, c goja.FunctionCall, o *goja.Object, check func(float64)) goja.Value {
	if p, live := a.liveStepping[o]; live {
		// o is being walked by a call in progress that reached it again
		// (a.join() with a[0] === a): the same proxy, so that goja's own
		// cycle check, which knows the proxy, sees the cycle.
		r := call(orig, p, c.Arguments...)
		if r == p {
			return c.This
		}
		return r
	}
	vm := a.vm
	calls := 0
	step := func() {
		if calls++; calls&1023 == 0 {
			a.jsStep()
		}
	}
	var length goja.Value
	key := func(i int) goja.Value { return vm.ToValue(strconv.Itoa(i)) }
	// refl is a step, then Reflect.has / set / deleteProperty on the target.
	refl := func(name string, t *goja.Object, args ...goja.Value) bool {
		step()
		return call(a.originalFn("Reflect", name), goja.Undefined(), append([]goja.Value{t}, args...)...).ToBoolean()
	}
	p := vm.NewProxy(o, &goja.ProxyTrapConfig{
		Get: func(t *goja.Object, prop string, _ goja.Value) goja.Value {
			if prop == "length" && check != nil {
				if length == nil {
					n := toLengthOf(t.Get("length"))
					check(n)
					length = vm.ToValue(n)
				}
				return length
			}
			step()
			return t.Get(prop)
		},
		GetIdx: func(t *goja.Object, i int, _ goja.Value) goja.Value {
			step()
			return t.Get(strconv.Itoa(i))
		},
		Has:    func(t *goja.Object, prop string) bool { return refl("has", t, vm.ToValue(prop)) },
		HasIdx: func(t *goja.Object, i int) bool { return refl("has", t, key(i)) },
		Set: func(t *goja.Object, prop string, v, _ goja.Value) bool {
			return refl("set", t, vm.ToValue(prop), v)
		},
		SetIdx:            func(t *goja.Object, i int, v, _ goja.Value) bool { return refl("set", t, key(i), v) },
		DeleteProperty:    func(t *goja.Object, prop string) bool { return refl("deleteProperty", t, vm.ToValue(prop)) },
		DeletePropertyIdx: func(t *goja.Object, i int) bool { return refl("deleteProperty", t, key(i)) },
	})
	po := vm.ToValue(p).(*goja.Object)
	if a.liveProxies == nil {
		a.liveProxies = map[*goja.Object]*goja.Object{}
	}
	if a.liveStepping == nil {
		a.liveStepping = map[*goja.Object]*goja.Object{}
	}
	a.liveProxies[po] = o
	a.liveStepping[o] = po
	defer func() {
		delete(a.liveProxies, po)
		delete(a.liveStepping, o)
	}()
	r := call(orig, po, c.Arguments...)
	if r == po {
		if _, isObj := c.This.(*goja.Object); isObj {
			return c.This
		}
		return o
	}
	return r
}

// intrinsicTALength reports whether o's "length" is the intrinsic
// %TypedArray%.prototype.length getter (so its internal length is what a
// built-in reading o.length sees).
func (a *allocGuards) intrinsicTALength(o *goja.Object) bool {
	if a.taLenGetter == nil {
		return false
	}
	key := a.vm.ToValue("length")
	for p := o; p != nil; p = p.Prototype() {
		if isProxy(p) {
			return false
		}
		d, err := a.gopd(goja.Undefined(), p, key)
		if err != nil {
			return false
		}
		if do, ok := d.(*goja.Object); ok {
			return do.Get("get") == goja.Value(a.taLenGetter)
		}
	}
	return false
}

// looperWhat names each looper in messages, built once per process.
var looperWhat = func() map[string]string {
	m := make(map[string]string, len(arrayLoopers))
	for _, l := range arrayLoopers {
		m[l.name] = "Array.prototype." + l.name
	}
	return m
}()

// ---- argument lists ----

func (a *allocGuards) boundArgs(f goja.Value) int64 {
	if a.boundMap == nil {
		return 0
	}
	if _, ok := f.(*goja.Object); !ok {
		return 0
	}
	return call(a.wmGet, a.boundMap, f).ToInteger()
}

func (a *allocGuards) setBoundArgs(f goja.Value, n int64) {
	if _, ok := f.(*goja.Object); !ok {
		return
	}
	if a.boundMap == nil {
		// WeakMap and its methods as goja made them (globals.go): a
		// script's WeakMap.prototype.get = () => 0 must not zero the count.
		m, err := a.vm.New(a.original("WeakMap", "").(*goja.Object))
		if err != nil {
			rethrow(err)
		}
		a.boundMap = m
		a.wmGet, a.wmSet = a.originalFn("WeakMap", "prototype.get"), a.originalFn("WeakMap", "prototype.set")
	}
	call(a.wmSet, a.boundMap, f, a.vm.ToValue(n))
}

// stringRaw is String.raw, with the result's length and the number of
// segments bounded as it is built.
func (a *allocGuards) stringRaw(c goja.FunctionCall) goja.Value {
	vm := a.vm
	rg := &replaceGuard{g: a.guards}
	cooked := c.Argument(0).ToObject(vm)
	raw := nilSafe(cooked.Get("raw")).ToObject(vm)
	n := toLengthOf(raw.Get("length"))
	if n <= 0 {
		return vm.ToValue("")
	}
	if n > float64(a.maxArgs) { // a template's parts: as many as arguments at most
		a.fail(fmt.Sprintf("String.raw: %v segments", n))
	}
	subs := int64(len(c.Arguments) - 1)
	var b goja.StringBuilder
	var total int64
	add := func(s goja.String) {
		total += int64(s.Length())
		if total > a.maxStr {
			a.fail("String.raw result")
		}
		b.WriteString(s)
	}
	for i := int64(0); ; i++ {
		add(rg.stringOfValue(nilSafe(raw.Get(strconv.FormatInt(i, 10)))))
		if float64(i+1) >= n {
			return b.String()
		}
		if i < subs {
			add(rg.stringOfValue(nilSafe(c.Arguments[i+1])))
		}
	}
}

// ---- concat ----

// concat bounds the total length of the result: this and every argument
// that is spread. When an item's spreadability or length can be read
// without user code, it is counted first and the original runs; otherwise
// concat is done here, reading each property once, in the original's
// order, with the running total checked before each item is copied.
func (a *allocGuards) concat(orig goja.Callable, c goja.FunctionCall) goja.Value {
	items := make([]goja.Value, 0, len(c.Arguments)+1)
	items = append(items, c.This)
	items = append(items, c.Arguments...)
	var total float64
	for _, it := range items {
		o, ok := it.(*goja.Object)
		if !ok {
			total++
			continue
		}
		n, ok := a.spreadLength(o)
		if !ok {
			return a.concatSlow(c)
		}
		total += n
	}
	if total > float64(a.maxLen) {
		a.fail(fmt.Sprintf("Array.prototype.concat result length %v", total))
	}
	return call(orig, c.This, c.Arguments...)
}

// lookup reads o[key] (a string or a *goja.Symbol) along the prototype
// chain through own data descriptors only; ok false when it meets an
// accessor or a proxy (reading would run user code).
func (a *allocGuards) lookup(o *goja.Object, key goja.Value) (goja.Value, bool) {
	for p := o; p != nil; p = p.Prototype() {
		if isProxy(p) {
			return nil, false
		}
		d, err := a.gopd(goja.Undefined(), p, key)
		if err != nil {
			return nil, false
		}
		if do, ok := d.(*goja.Object); ok {
			if g := do.Get("get"); g != nil {
				return nil, false
			}
			if s := do.Get("set"); s != nil {
				return nil, false
			}
			return do.Get("value"), true
		}
	}
	return goja.Undefined(), true
}

// spreadLength is how many elements concat takes from o (1 if it is not
// spread), when that is known without running user code.
func (a *allocGuards) spreadLength(o *goja.Object) (float64, bool) {
	spread, ok := a.lookup(o, goja.SymIsConcatSpreadable)
	if !ok {
		return 0, false
	}
	isSpread := false
	if goja.IsUndefined(spread) || spread == nil {
		isSpread = o.ClassName() == "Array"
	} else {
		isSpread = spread.ToBoolean()
	}
	if !isSpread {
		return 1, true
	}
	if o.ClassName() == "Array" {
		return o.Get("length").ToFloat(), true
	}
	lv, ok := a.lookup(o, a.vm.ToValue("length"))
	if !ok {
		return 0, false
	}
	if _, obj := lv.(*goja.Object); obj {
		return 0, false
	}
	if _, sym := lv.(*goja.Symbol); sym {
		return 0, false
	}
	return toLengthOf(lv), true
}

// concatSlow is Array.prototype.concat per the specification, for items
// whose spreadability or length runs user code.
func (a *allocGuards) concatSlow(c goja.FunctionCall) goja.Value {
	vm := a.vm
	o := c.This.ToObject(vm)
	arr := a.arraySpeciesCreate(o)
	items := append([]goja.Value{o}, c.Arguments...)
	var n float64
	for _, it := range items {
		e, ok := it.(*goja.Object)
		spread := false
		if ok {
			if s := e.GetSymbol(goja.SymIsConcatSpreadable); s != nil && !goja.IsUndefined(s) {
				spread = s.ToBoolean()
			} else {
				spread = call(a.isArray, goja.Undefined(), e).ToBoolean()
			}
		}
		if !spread {
			if n >= 1<<53-1 {
				panic(vm.NewTypeError("Invalid array length"))
			}
			a.createData(arr, n, it)
			n++
			continue
		}
		l := toLengthOf(e.Get("length"))
		if n+l > 1<<53-1 {
			panic(vm.NewTypeError("Invalid array length"))
		}
		if n+l > float64(a.maxLen) {
			a.fail(fmt.Sprintf("Array.prototype.concat result length %v", n+l))
		}
		for k := float64(0); k < l; k++ {
			if int64(k)&1023 == 1023 {
				a.jsStep() // a pending interrupt stops the copy here
			}
			if v := e.Get(strconv.FormatFloat(k, 'f', -1, 64)); v != nil {
				a.createData(arr, n, v)
			}
			n++
		}
	}
	if err := arr.Set("length", n); err != nil {
		rethrow(err)
	}
	return arr
}

func (a *allocGuards) createData(arr *goja.Object, i float64, v goja.Value) {
	if err := arr.DefineDataProperty(strconv.FormatFloat(i, 'f', -1, 64), v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		rethrow(err)
	}
}

// arraySpeciesCreate(o, 0).
func (a *allocGuards) arraySpeciesCreate(o *goja.Object) *goja.Object {
	vm := a.vm
	if !call(a.isArray, goja.Undefined(), o).ToBoolean() {
		return vm.NewArray()
	}
	ctor := o.Get("constructor")
	if co, ok := ctor.(*goja.Object); ok {
		ctor = co.GetSymbol(goja.SymSpecies)
		if ctor != nil && goja.IsNull(ctor) {
			ctor = goja.Undefined()
		}
	}
	if ctor == nil || goja.IsUndefined(ctor) {
		return vm.NewArray()
	}
	if _, ok := goja.AssertConstructor(ctor); !ok {
		panic(vm.NewTypeError("object.constructor[Symbol.species] is not a constructor"))
	}
	r, err := vm.New(ctor, vm.ToValue(0))
	if err != nil {
		rethrow(err)
	}
	return r
}

// ---- join ----

// checkJoin bounds Array.prototype.join's result: (n-1) separators plus
// the elements' strings; it returns that length, in code units. A string element counts its length, a number
// its longest form, null and undefined nothing; an object's toString
// runs in JS steps and its result is the array's own memory (not counted).
func (a *allocGuards) checkJoin(c goja.FunctionCall) float64 {
	o, ok := c.This.(*goja.Object)
	if !ok || o.ClassName() != "Array" {
		return 0
	}
	n := o.Get("length").ToFloat()
	if n <= 1 {
		return 0
	}
	sep := c.Argument(0)
	sl := 1
	if !goja.IsUndefined(sep) {
		if l := strLen(sep); l >= 0 {
			sl = l
		} else {
			return 0 // the original converts it (user code); small for a primitive
		}
	}
	total := (n - 1) * float64(sl)
	if total > float64(a.maxStr) {
		a.fail(fmt.Sprintf("Array.prototype.join: %v separators of length %d", n-1, sl))
	}
	if n > float64(a.maxLen) {
		return 0 // the looper guard refuses it
	}
	elem := func(v goja.Value) {
		switch {
		case v == nil:
		case goja.IsString(v):
			total += float64(v.(goja.String).Length())
		case goja.IsNumber(v):
			total += 24
		}
		if total > float64(a.maxStr) {
			a.fail("Array.prototype.join result")
		}
	}
	if n*16 <= float64(a.maxBuf/8) {
		if vals, ok := exportValues(a.vm, o); ok {
			for _, v := range vals {
				elem(v)
			}
			return total
		}
	}
	for i := int64(0); float64(i) < n; i++ {
		elem(o.Get(strconv.FormatInt(i, 10)))
	}
	return total
}

// taJoin is %TypedArray%.prototype.join with the result bounded: n-1
// separators plus each element's digits.
func (a *allocGuards) taJoin(orig goja.Callable, c goja.FunctionCall) goja.Value {
	n, kind, ok := taInfo(c.This)
	if !ok || n <= 1 {
		return call(orig, c.This, c.Arguments...)
	}
	sep := c.Argument(0)
	if !goja.IsUndefined(sep) {
		if _, isStr := sep.(goja.String); !isStr {
			// Converted once here, as the original would.
			sep = (&replaceGuard{g: a.guards}).stringOfValue(sep)
		}
	}
	sl := 1
	if !goja.IsUndefined(sep) {
		sl = strLen(sep)
	}
	lo := float64(n-1)*float64(sl) + float64(n)
	if lo > float64(a.maxStr) {
		a.fail(fmt.Sprintf("%%TypedArray%%.prototype.join of %d elements", n))
	}
	hi := float64(n-1)*float64(sl) + float64(n)*float64(maxDigits(kind))
	est := hi // the result's length, at most
	if hi > float64(a.maxStr) {
		total := float64(n-1) * float64(sl)
		rv := reflect.ValueOf(c.This.(*goja.Object).Export())
		var buf []byte
		for i := 0; i < n; i++ {
			e := rv.Index(i)
			switch kind {
			case reflect.Float32, reflect.Float64:
				buf = strconv.AppendFloat(buf[:0], e.Float(), 'g', -1, 64)
			case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				buf = strconv.AppendUint(buf[:0], e.Uint(), 10)
			default:
				buf = strconv.AppendInt(buf[:0], e.Int(), 10)
			}
			total += float64(len(buf))
			if total > float64(a.maxStr) {
				a.fail(fmt.Sprintf("%%TypedArray%%.prototype.join of %d elements", n))
			}
		}
		est = total
	}
	// Two bytes a unit: the separator may be any string.
	defer a.reserve(int64(2*est), "%TypedArray%.prototype.join result")()
	if n > taJoinChunk && kind != reflect.Float32 && kind != reflect.Float64 {
		if s, ok := a.taJoinInterruptible(c.This.(*goja.Object), kind, sep); ok {
			return s
		}
	}
	args := append([]goja.Value(nil), c.Arguments...)
	if len(args) > 0 {
		args[0] = sep
	}
	return call(orig, c.This, args...)
}

func maxDigits(k reflect.Kind) int {
	switch k {
	case reflect.Int8:
		return 4
	case reflect.Uint8:
		return 3
	case reflect.Int16, reflect.Uint16:
		return 6
	case reflect.Int32, reflect.Uint32:
		return 11
	case reflect.Int64, reflect.Uint64:
		return 20
	}
	return 25
}

// ---- sort ----

func sortCost(n float64) float64 {
	if n < 2 {
		return 0
	}
	return n * float64(bits.Len64(uint64(n)))
}

// checkArraySort bounds a default-comparator sort of this: strings compare
// cheaply, anything else through its string.
func (a *allocGuards) checkArraySort(this goja.Value, what string) {
	if s, ok := this.(goja.String); ok {
		// A string this is ToObject'd into a String object of one-unit
		// strings: sort.call('ab'.repeat(2**22)) sorted 8 Mi of them
		// natively for seconds (found by FuzzHostileGrammar).
		if n := float64(s.Length()); sortCost(n) > sortBudgetStr {
			a.fail(fmt.Sprintf("%s of %v elements (default comparator)", what, n))
		}
		return
	}
	o, ok := this.(*goja.Object)
	if !ok {
		return
	}
	if _, _, isTA := taInfo(o); isTA {
		return
	}
	n, ok := a.dataLength(o)
	if !ok {
		return // a user-code length: the looper guard reads it once
	}
	cost := sortCost(n)
	if cost <= sortBudgetOther {
		return
	}
	if cost > sortBudgetStr || o.ClassName() != "Array" {
		a.fail(fmt.Sprintf("%s of %v elements (default comparator)", what, n))
	}
	vals, ok := exportValues(a.vm, o)
	if !ok {
		// Holes: read element by element (a hole is nil, sorted last).
		vals = make([]goja.Value, 0, int(n))
		for i := int64(0); float64(i) < n; i++ {
			vals = append(vals, o.Get(strconv.FormatInt(i, 10)))
		}
	}
	for _, v := range vals {
		if v != nil && !goja.IsUndefined(v) && !goja.IsString(v) {
			a.fail(fmt.Sprintf("%s of %v non-string elements (default comparator)", what, n))
		}
	}
}

// ---- keys ----

// indexCount is the number of integer-indexed own properties o has without
// them taking memory of their own: a typed array's length, a string's.
func indexCount(v goja.Value) float64 {
	if l := strLen(v); l >= 0 {
		return float64(l)
	}
	// A proxy without an ownKeys trap lists its target's keys: count the
	// target's (a trap's list is built by JS steps).
	for i := 0; i < 64; i++ {
		o, ok := v.(*goja.Object)
		if !ok || !isProxy(o) {
			break
		}
		p, ok := o.Export().(goja.Proxy)
		if !ok || p.Target() == nil {
			break
		}
		v = p.Target()
	}
	if n, _, ok := taInfo(v); ok {
		return float64(n)
	}
	// An array's elements: Object.entries of a dense one makes a ~160 B
	// entry of each 16 B element in one Go step (audit.md).
	if o, ok := v.(*goja.Object); ok {
		if n, ok := gojax.ArrayCount(o); ok {
			return float64(n)
		}
	}
	if o, ok := v.(*goja.Object); ok && o.ClassName() == "String" {
		return o.Get("length").ToFloat()
	}
	return 0
}

func (a *allocGuards) checkKeys(v goja.Value, cost int64, what string) {
	if n := indexCount(v); n*float64(cost) > float64(a.maxBuf) {
		a.fail(fmt.Sprintf("%s of an object with %v indexed properties", what, n))
	}
}

// ---- normalize ----

// normalize bounds String.prototype.normalize: ASCII is unchanged, any
// other code point grows at most 3x (NFC), 4x (NFD) or 18x (NFKC, NFKD).
func (a *allocGuards) normalize(orig goja.Callable, c goja.FunctionCall) goja.Value {
	if nullish(c.This) {
		return call(orig, c.This, c.Arguments...)
	}
	s, p, ok := (&replaceGuard{g: a.guards}).toStr(c.This) // ToString(this), once
	if !ok {
		return call(orig, p, c.Arguments...)
	}
	c.This = s
	form := c.Argument(0)
	if o, ok := form.(*goja.Object); ok { // ToString(form), once, after this's (goja's order)
		fs, _, ok := (&replaceGuard{g: a.guards}).toStr(o)
		if !ok {
			panic(a.vm.NewTypeError("Cannot convert a Symbol value to a string"))
		}
		form = fs
		c.Arguments = []goja.Value{fs}
	}
	factor := 18.0
	if fs, ok := form.(goja.String); ok {
		switch fs.String() {
		case "NFC":
			factor = 3
		case "NFD":
			factor = 4
		}
	} else if goja.IsUndefined(form) {
		factor = 3
	}
	l := float64(s.Length())
	if l*factor <= float64(a.maxStr) {
		return a.normalizeStepped(orig, c, s, form)
	}
	gs := s.String()
	var ascii, other float64
	for i := 0; i < len(gs); i++ {
		b := gs[i]
		switch {
		case b < 0x80:
			ascii++
		case b >= 0xC0:
			other++
		}
	}
	if ascii+other*factor > float64(a.maxStr) {
		a.fail("String.prototype.normalize result")
	}
	return a.normalizeStepped(orig, c, s, form)
}

// normalizeStepped normalizes a long non-ASCII string segment by segment
// (norm.Iter: the same result as goja's norm.Form.String of its UTF-8
// text), with a JS step every 64 KiB of output: goja's one call took
// ~230 ns a character in one Go step (7 s for the longest NFD input the
// result bound allows). Anything else goes to goja.
func (a *allocGuards) normalizeStepped(orig goja.Callable, c goja.FunctionCall, s goja.String, form goja.Value) goja.Value {
	f := norm.NFC
	if fs, ok := form.(goja.String); ok {
		switch fs.String() {
		case "NFC":
		case "NFD":
			f = norm.NFD
		case "NFKC":
			f = norm.NFKC
		case "NFKD":
			f = norm.NFKD
		default:
			return call(orig, c.This, c.Arguments...) // its RangeError
		}
	} else if !goja.IsUndefined(form) {
		return call(orig, c.This, c.Arguments...) // its conversion or RangeError
	}
	if s.Length() < normalizeStepMin {
		return call(orig, c.This, c.Arguments...)
	}
	src := s.String()
	if len(src) == s.Length() {
		return call(orig, c.This, c.Arguments...) // ASCII: goja returns it as it is
	}
	var it norm.Iter
	it.InitString(f, src)
	var b strings.Builder
	b.Grow(len(src))
	n := 0
	for !it.Done() {
		seg := it.Next()
		b.Write(seg)
		if n += len(seg); n >= 1<<16 {
			n = 0
			a.jsStep()
		}
	}
	return a.vm.ToValue(b.String())
}

// normalizeStepMin is the length from which normalize runs in steps.
const normalizeStepMin = 1 << 16

// ---- split ----

// split bounds the number of pieces: the original is given a limit one
// over the cap, and a result that reaches it (when the script's own limit
// is higher) is refused.
func (a *allocGuards) split(orig goja.Callable, c goja.FunctionCall, what string) goja.Value {
	// A separator with its own @@split is called with this and the limit
	// as they are, before either is converted (the spec's step 2): only
	// RegExp's own splitter, whose pieces goja lists in Go, is bounded
	// below. (Converting the limit first passed a custom splitter 0 for
	// "limit", and threw for a Symbol limit; test262 String.prototype.split.)
	if so, ok := c.Argument(0).(*goja.Object); ok && !nullish(c.This) {
		m := so.GetSymbol(goja.SymSplit)
		if f, ok := goja.AssertFunction(m); ok && !a.isRegExpSplit(m) {
			return call(f, so, c.This, c.Argument(1))
		}
	}
	maxPieces := a.maxBuf / costPiece
	if _, ok := c.This.(goja.String); !ok && !nullish(c.This) {
		// ToString of the receiver, once, before the limit and the
		// separator are converted (the original then gets the string).
		c.This = (&replaceGuard{g: a.guards}).stringOfValue(c.This)
	}
	if str, ok := c.This.(goja.String); ok && float64(str.Length())+1 <= float64(maxPieces) {
		if _, ok := c.Argument(0).(*goja.Object); !ok {
			return call(orig, c.This, c.Arguments...) // at most len+1 pieces: nothing to count
		}
	}
	lim := float64(math.MaxUint32)
	limit := c.Argument(1)
	if !goja.IsUndefined(limit) {
		lim = float64(uint32(int64(math.Mod(math.Trunc(nanZero(limit.ToNumber().ToFloat())), 1<<32)) & 0xFFFFFFFF))
	}
	if str, ok := c.This.(goja.String); ok && lim > float64(maxPieces) {
		// A string split by a string: the pieces are counted first.
		if sep, ok := c.Argument(0).(goja.String); ok {
			pieces := float64(str.Length())
			if sep.Length() > 0 {
				pieces = float64(strings.Count(str.String(), sep.String()) + 1)
			}
			if math.Min(pieces, lim) > float64(maxPieces) {
				a.fail(fmt.Sprintf("%s: %v pieces", what, pieces))
			}
			if !goja.IsUndefined(limit) {
				limit = a.vm.ToValue(lim) // converted once, here
			}
			return call(orig, c.This, c.Argument(0), limit)
		}
	}
	if lim <= float64(maxPieces) {
		if goja.IsUndefined(limit) {
			return call(orig, c.This, c.Argument(0), limit)
		}
		return call(orig, c.This, c.Argument(0), a.vm.ToValue(lim))
	}
	r := call(orig, c.This, c.Argument(0), a.vm.ToValue(maxPieces+1))
	if ro, ok := r.(*goja.Object); ok {
		if n := ro.Get("length"); n != nil && n.ToFloat() > float64(maxPieces) {
			a.fail(fmt.Sprintf("%s: more than %d pieces", what, maxPieces))
		}
	}
	return r
}

// isRegExpSplit reports whether m is RegExp.prototype[Symbol.split] as
// it is now (read on first use: RegExp is built when first touched).
func (a *allocGuards) isRegExpSplit(m goja.Value) bool {
	mo, ok := m.(*goja.Object)
	if !ok {
		return false
	}
	re, _ := gojax.GlobalOriginal(a.vm, "RegExp").(*goja.Object)
	if re == nil {
		re, _ = a.vm.Get("RegExp").(*goja.Object)
	}
	if re == nil {
		return false
	}
	proto, _ := re.Get("prototype").(*goja.Object)
	return proto != nil && proto.GetSymbol(goja.SymSplit) == mo
}

func nanZero(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// ---- Array.from ----

// fromSource bounds Array.from's source: a typed array or a string is
// iterated natively, a few microseconds per element (an iterator result
// object each), so at most maxLen/32 elements (1 Mi at the default); an
// array-like is walked up to maxLen.
func (a *allocGuards) fromSource(v goja.Value, what string) goja.Value {
	if n := indexCount(v); n > float64(a.maxLen/32) {
		a.fail(fmt.Sprintf("%s of %v elements", what, n))
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return v
	}
	it, ok := a.lookup(o, goja.SymIterator)
	if !ok {
		// Reading @@iterator runs user code: the original reads it once,
		// through a proxy that checks the length if it is an array-like.
		return a.lengthProxy(o, a.limitCheck(float64(a.maxLen), what))
	}
	if !nullish(it) {
		return v // iterated: a typed array or a string is counted above
	}
	return a.arrayLike(o, float64(a.maxLen), what)
}

// exportValues lists the elements of a dense Array, as ExportTo does; a
// hole reads as undefined. goja's ExportTo into []goja.Value panics on a
// hole (reflect.Value.Set of the nil it stores there), which turned
// [1,,2].join() into an InternalError; found by FuzzHostileGrammar.
func exportValues(vm *goja.Runtime, o *goja.Object) (vals []goja.Value, ok bool) {
	defer func() {
		if recover() != nil {
			vals, ok = nil, false
		}
	}()
	if err := vm.ExportTo(o, &vals); err != nil {
		return nil, false
	}
	return vals, true
}

// taJoinChunk is how many elements the typed-array join formats between
// two JS steps.
const taJoinChunk = 1 << 16

// taJoinInterruptible joins an integer typed array (ToString of one too)
// in Go with a JS step every taJoinChunk elements, so that a kill or a
// limit stops it: the original is one Go loop, and String(new
// Uint8Array(2**24)) ran 2.4 s unkillable (FuzzHostileGrammar). Integers
// print the same in Go and JS; float arrays, and separators that are not
// ASCII, go to the original (ok false).
func (a *allocGuards) taJoinInterruptible(o *goja.Object, kind reflect.Kind, sep goja.Value) (goja.Value, bool) {
	sepStr := ","
	if !goja.IsUndefined(sep) {
		sepStr = sep.String()
		if s, ok := sep.(goja.String); !ok || s.Length() != len(sepStr) {
			return nil, false
		}
		for i := 0; i < len(sepStr); i++ {
			if sepStr[i] >= 0x80 {
				return nil, false
			}
		}
	}
	rv := reflect.ValueOf(o.Export())
	var b []byte
	for i, n := 0, rv.Len(); i < n; i++ {
		if i > 0 {
			b = append(b, sepStr...)
			if i%taJoinChunk == 0 {
				a.jsStep()
			}
		}
		e := rv.Index(i)
		switch kind {
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			b = strconv.AppendUint(b, e.Uint(), 10)
		default:
			b = strconv.AppendInt(b, e.Int(), 10)
		}
	}
	return a.vm.ToValue(string(b)), true
}
