package engine

import (
	"fmt"
	"math"

	"github.com/dop251/goja"
)

// DefaultMaxAllocBytes caps any single block a built-in may allocate in one
// step (a string, an ArrayBuffer, a typed array) and, divided by 8, the
// length over which natives loop without calling back into JS. MemoryMb,
// when set and smaller, lowers it.
const DefaultMaxAllocBytes = 256 << 20

// guards wraps the ECMAScript built-ins that allocate a huge block in one
// step, or loop over a huge length without running JS (so Interrupt cannot
// stop them), so that they throw a catchable RangeError before Go's
// allocator is asked. goja allocates eagerly (strings.Builder.Grow,
// make([]byte, n)) and a failed huge allocation is a fatal, unrecoverable Go
// runtime error: these checks are what keep one script from taking the
// process down.
//
// Wrappers are native functions installed through the Go API (cheap at
// spawn): they keep this and the arguments, the property attributes
// (non-enumerable), name and length. Wrapped constructors keep prototype
// and subclassing (new.target is passed on); their statics (isView, from,
// BYTES_PER_ELEMENT...) are inherited from the original, which becomes the
// wrapper's [[Prototype]].
type guards struct {
	vm             *goja.Runtime
	maxStr, maxBuf int64 // string length (UTF-16 units), bytes
	maxLen         int64 // loop length of natives without callbacks
	maxDepth       int   // MaxStackDepth: native recursion levels
	nativeDepth    int   // join/toString nesting in progress
	gopd           goja.Callable
	rangeError     *goja.Object
	factory        goja.Callable
}

// installGuards wraps the dangerous built-ins of vm. Caps derive from lim.
func installGuards(vm *goja.Runtime, lim Limits) (err error) {
	maxBuf := int64(DefaultMaxAllocBytes)
	if lim.MemoryMb > 0 && lim.MemoryMb<<20 < maxBuf {
		maxBuf = lim.MemoryMb << 20
	}
	g := &guards{vm: vm, maxBuf: maxBuf, maxStr: maxBuf / 2, maxLen: maxBuf / 8, maxDepth: lim.MaxStackDepth}
	if g.maxDepth <= 0 {
		g.maxDepth = DefaultMaxStackDepth
	}
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("engine: installing guards: %v", x)
		}
	}()
	object := vm.Get("Object").(*goja.Object)
	g.gopd, _ = goja.AssertFunction(object.Get("getOwnPropertyDescriptor"))
	g.rangeError = vm.Get("RangeError").(*goja.Object)

	sp := vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	g.wrap(sp, "repeat", 1, func(c goja.FunctionCall) {
		l, n := strLen(c.This), g.num(c.Argument(0))
		if l > 0 && n > 0 && n*float64(l) > float64(g.maxStr) {
			g.fail("String.prototype.repeat result")
		}
	})
	pad := func(c goja.FunctionCall) {
		n, l := g.num(c.Argument(0)), strLen(c.This)
		if l >= 0 && n > float64(g.maxStr) {
			if f, ok := c.Argument(1).(goja.String); ok && f.Length() == 0 {
				return
			}
			g.fail("padded string")
		}
	}
	g.wrap(sp, "padStart", 1, pad)
	g.wrap(sp, "padEnd", 1, pad)
	g.wrap(sp, "concat", 1, func(c goja.FunctionCall) {
		t := int64(strLen(c.This))
		if t < 0 {
			return
		}
		for _, a := range c.Arguments {
			if l := strLen(a); l > 0 {
				t += int64(l)
			}
		}
		if t > g.maxStr {
			g.fail("String.prototype.concat result")
		}
	})

	g.guardReplace(sp)

	array := vm.Get("Array").(*goja.Object)
	ap := array.Get("prototype").(*goja.Object)
	for _, m := range arrayLoopers {
		name := m.name
		wrap := g.wrap
		if name == "join" || name == "toString" || name == "toLocaleString" {
			// Nested arrays recurse in Go through these, one level per
			// nesting: count the levels.
			wrap = g.wrapCounted
		}
		wrap(ap, name, m.length, func(c goja.FunctionCall) {
			if l := g.lengthOf(c.This); l > float64(g.maxLen) {
				g.fail(fmt.Sprintf("Array.prototype.%s on length %v", name, l))
			}
		})
	}

	g.wrap(array, "from", 1, func(c goja.FunctionCall) {
		src, ok := c.Argument(0).(*goja.Object)
		if !ok || src.ClassName() == "Array" {
			return
		}
		if it := src.GetSymbol(goja.SymIterator); it != nil && !goja.IsUndefined(it) {
			return
		}
		if l := g.lengthOf(src); l > float64(g.maxLen) {
			g.fail(fmt.Sprintf("Array.from length %v", l))
		}
	})

	global := vm.GlobalObject()
	g.wrapCtor(global, "ArrayBuffer", 1, func(args []goja.Value) {
		if len(args) > 0 {
			if n := g.num(args[0]); n > float64(g.maxBuf) {
				g.fail(fmt.Sprintf("ArrayBuffer size %v", n))
			}
		}
	})
	for _, ta := range typedArrays {
		name, size := ta.name, float64(ta.size)
		g.wrapCtor(global, name, 3, func(args []goja.Value) {
			if len(args) == 0 {
				return
			}
			if n := g.num(args[0]); !math.IsNaN(n) {
				if n*size > float64(g.maxBuf) {
					g.fail(fmt.Sprintf("%s length %v", name, n))
				}
				return
			}
			o, ok := args[0].(*goja.Object)
			if !ok {
				return
			}
			switch o.ClassName() {
			case "ArrayBuffer", "SharedArrayBuffer":
				return // a view: nothing is allocated
			}
			if it := o.GetSymbol(goja.SymIterator); it != nil && !goja.IsUndefined(it) && o.ClassName() != "Array" {
				return // iterated in JS steps: interruptible and watched
			}
			if l := g.lengthOf(o); l*size > float64(g.maxBuf) {
				g.fail(fmt.Sprintf("%s length %v", name, l))
			}
		})
	}
	g.installDepthGuards(lim)
	return nil
}

type guardedMethod struct {
	name   string
	length int
}

// arrayLoopers are the Array.prototype methods that walk this.length in Go
// (for a sparse array, without running any JS in between).
var arrayLoopers = []guardedMethod{
	{"join", 1}, {"toString", 0}, {"toLocaleString", 0}, {"fill", 1}, {"reverse", 0},
	{"copyWithin", 2}, {"indexOf", 1}, {"lastIndexOf", 1}, {"includes", 1},
	{"slice", 2}, {"splice", 2}, {"concat", 1}, {"flat", 0}, {"flatMap", 1},
	{"forEach", 1}, {"map", 1}, {"filter", 1}, {"some", 1}, {"every", 1},
	{"reduce", 1}, {"reduceRight", 1}, {"find", 1}, {"findIndex", 1},
	{"findLast", 1}, {"findLastIndex", 1}, {"sort", 1}, {"toReversed", 0},
	{"toSorted", 1}, {"toSpliced", 2}, {"with", 2}, {"unshift", 1}, {"shift", 0},
}

var typedArrays = []struct {
	name string
	size int
}{
	{"Int8Array", 1}, {"Uint8Array", 1}, {"Uint8ClampedArray", 1}, {"Int16Array", 2},
	{"Uint16Array", 2}, {"Int32Array", 4}, {"Uint32Array", 4}, {"Float32Array", 4},
	{"Float64Array", 8}, {"BigInt64Array", 8}, {"BigUint64Array", 8},
}

func (g *guards) fail(what string) {
	e, err := g.vm.New(g.rangeError, g.vm.ToValue(what+" exceeds the isolate allocation limit"))
	if err != nil {
		rethrow(err)
	}
	panic(e)
}

// num is ToIntegerOrInfinity for primitives that need no user code; NaN
// for anything else (the original coerces it, once).
func (g *guards) num(v goja.Value) float64 {
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	if !goja.IsNumber(v) {
		return math.NaN()
	}
	f := v.ToFloat()
	if math.IsNaN(f) {
		return 0
	}
	return math.Trunc(f)
}

// strLen is the length of a string primitive, else -1.
func strLen(v goja.Value) int {
	if s, ok := v.(goja.String); ok {
		return s.Length()
	}
	return -1
}

// lengthOf reads an array's length, or an object's own data "length"
// (no getter runs); -1 otherwise.
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

// rethrow propagates an error from a wrapped original unchanged: a JS
// exception, an interrupt or a stack overflow.
func rethrow(err error) {
	panic(err)
}

func (g *guards) wrap(obj *goja.Object, key string, length int, check func(goja.FunctionCall)) {
	ov := obj.Get(key)
	orig, ok := goja.AssertFunction(ov)
	if !ok {
		return
	}
	w := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		check(c)
		r, err := orig(c.This, c.Arguments...)
		if err != nil {
			rethrow(err)
		}
		return r
	}).(*goja.Object)
	_ = w.DefineDataProperty("name", g.vm.ToValue(key), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", g.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = obj.DefineDataProperty(key, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// wrapCounted is wrap for a built-in that recurses natively: it counts the
// calls in progress and throws a RangeError past maxDepth.
func (g *guards) wrapCounted(obj *goja.Object, key string, length int, check func(goja.FunctionCall)) {
	g.wrap(obj, key, length, check)
	w := obj.Get(key).(*goja.Object)
	inner, _ := goja.AssertFunction(w)
	counted := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		if g.nativeDepth >= g.maxDepth {
			g.failDepth(fmt.Sprintf("Array.prototype.%s: arrays nested deeper than %d levels", key, g.maxDepth))
		}
		g.nativeDepth++
		defer func() { g.nativeDepth-- }()
		r, err := inner(c.This, c.Arguments...)
		if err != nil {
			rethrow(err)
		}
		return r
	}).(*goja.Object)
	_ = counted.DefineDataProperty("name", g.vm.ToValue(key), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = counted.DefineDataProperty("length", g.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = obj.DefineDataProperty(key, counted, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// ctorFactory makes a constructor wrapper in JS, since only a JS function
// tells a call from a construction (new.target) in goja.
var ctorFactory = goja.MustCompile("<guards>", `(function (construct, apply) {
	"use strict";
	return function (orig, check) {
		return function () {
			if (new.target === undefined) return apply(orig, this, arguments);
			check(arguments.length, arguments[0]);
			return construct(orig, arguments, new.target);
		};
	};
})`, false)

func (g *guards) wrapCtor(holder *goja.Object, key string, length int, check func([]goja.Value)) {
	ov, ok := holder.Get(key).(*goja.Object)
	if !ok {
		return
	}
	if g.factory == nil {
		f, err := g.vm.RunProgram(ctorFactory)
		if err != nil {
			panic(err)
		}
		mk, _ := goja.AssertFunction(f)
		reflect := g.vm.Get("Reflect").(*goja.Object)
		fv, err := mk(goja.Undefined(), reflect.Get("construct"), reflect.Get("apply"))
		if err != nil {
			panic(err)
		}
		g.factory, _ = goja.AssertFunction(fv)
	}
	chk := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		if n := c.Argument(0).ToInteger(); n > 0 {
			check([]goja.Value{c.Argument(1)})
		}
		return goja.Undefined()
	})
	wv, err := g.factory(goja.Undefined(), ov, chk)
	if err != nil {
		panic(err)
	}
	w := wv.(*goja.Object)
	proto := ov.Get("prototype").(*goja.Object)
	_ = w.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("name", g.vm.ToValue(key), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", g.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.SetPrototype(ov)
	_ = proto.DefineDataProperty("constructor", w, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = holder.DefineDataProperty(key, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
