package guard

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/isobox/isobox/internal/gojax"
)

// DefaultMaxAllocBytes caps any single block a built-in may allocate in one
// step (a string, an ArrayBuffer, a typed array) and, divided by 8, the
// length over which natives loop without calling back into JS. It is the
// cap when Config.MaxAllocBytes is zero. A constant: any goroutine.
const DefaultMaxAllocBytes = 256 << 20

// DefaultMaxDepth is the native recursion depth (nested arrays joined,
// JSON nesting, proxy and bound-function chains) allowed when
// Config.MaxDepth is zero. A constant: any goroutine.
const DefaultMaxDepth = 10000

// Config holds the caps the guards enforce, as plain values. The zero
// Config means the package defaults. A value: any goroutine may build one.
type Config struct {
	// MaxAllocBytes caps a single one-step allocation, in bytes; half of
	// it is the longest string (UTF-16 units), an eighth the longest
	// length natives walk without calling back into JS. Zero or less:
	// DefaultMaxAllocBytes.
	MaxAllocBytes int64
	// MaxDepth bounds native recursion: JSON nesting, nested arrays
	// joined, proxy and bound-function chains. Zero or less:
	// DefaultMaxDepth.
	MaxDepth int
	// Eager makes Install create every wrapper at once. By default a
	// method of a built-in goja creates lazily (String.prototype,
	// Array.prototype, Object, Function.prototype, %TypedArray%.prototype
	// ...) is wrapped at the moment goja first creates it, by any route,
	// so that a script that never touches it pays nothing for its guard
	// (see lazy.go); Eager is for tests that compare the two, and the
	// lazy path falls back to it by itself when goja's layout is not
	// recognized.
	Eager bool
	// Import is the loader behind import(): the helper calls it, on the
	// runtime's goroutine, with the evaluated specifier and options
	// (undefined when absent) of every import() call in a source that
	// went through RewriteOps, and returns what it returns, the promise
	// import() evaluates to. It must not throw: a bad specifier or a
	// module that fails rejects the promise. Nil: every import() rejects
	// with a TypeError.
	Import func(specifier, options goja.Value) goja.Value
	// Reserve, when set, is asked before a one-step result of at least
	// ReserveMin bytes is made (a string built by +, +=, a template
	// literal, repeat, padStart/padEnd, concat, Array and typed array
	// join, an ArrayBuffer or typed array constructed): with an error it
	// is refused, and the operation throws a RangeError carrying the
	// error's text; otherwise the n bytes are held until release is
	// called, right after the result exists. A constructor's reservation
	// is held across the JS its construction may run (new.target's
	// prototype read), and released by the next reservation; the caller
	// releases any left at the end of the task. It is the host memory ceiling's check
	// before an allocation that one instruction makes whole, which no
	// sampling can stop half-way. Called on the runtime's goroutine; it
	// must not call into the runtime.
	Reserve func(n int64) (release func(), err error)
}

// ReserveMin is the smallest result Config.Reserve is asked about, in
// bytes: below it the memory monitor's sampling is precise enough. A
// constant: any goroutine.
const ReserveMin = 1 << 20

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
	maxStr, maxBuf int64                                          // string length (UTF-16 units), bytes
	maxLen         int64                                          // loop length of natives without callbacks
	maxDepth       int                                            // Config.MaxDepth: native recursion levels
	nativeDepth    int                                            // join/toString nesting in progress
	liveProxies    map[*goja.Object]*goja.Object                  // length proxies of calls in progress -> their targets (guards_alloc.go)
	liveStepping   map[*goja.Object]*goja.Object                  // targets of the stepping proxies of calls in progress -> the proxies
	importer       func(specifier, options goja.Value) goja.Value // Config.Import
	reserveFn      func(n int64) (func(), error)                  // Config.Reserve
	leaseRel       func()                                         // a constructor's reservation (lease)
	deferOK        bool                                           // wrappers of lazily built methods are made on first use (lazy.go)
	hooks          bool                                           // deferOK, and goja's template layout known: globals are hooked, families wait (set once, at Install)
	gopd           goja.Callable
	rxInfos        map[*regexp.Regexp]*rxInfo // regexp_work.go
	rx2s           map[rx2Key]*regexp2.Regexp
	reProto        *goja.Object // RegExp.prototype, the RegExp wrapper and its @@species getter (regexp_split.go)
	reCtor         *goja.Object
	reSpecies      goja.Value
	splitFn        goja.Callable
	arrayToString  *goja.Object // Array.prototype.toString's wrapper, once made: %TypedArray%.prototype's too
	rangeError     *goja.Object
	syntaxError    *goja.Object
	factory        goja.Callable
	taLenGetter    *goja.Object // intrinsic %TypedArray%.prototype.length getter
	buffers        bufferState  // the ArrayBuffer and typed-array constructor guards (guards_buffers.go)
	alloc          *allocGuards // guards_alloc.go state, made once
	chk            goja.Value   // the constructor wrappers' native check
	ctorChecks     []func(args []goja.Value) []goja.Value
	ctorCalled     bool          // the running check's wrapper was called, not constructed
	ctorReturn     goja.Value    // set by a check: the wrapper returns it as its result
	ctorDone       *goja.Object  // the factory's marker of such a result
	step           goja.Callable // jsStep's function, made on first use
	getVFn         goja.Callable // getV's function, made on first use
	kit            *goja.Object  // depthProg's result, made on first use (depthKit)
	kitIsArray     goja.Value    // its arguments captured at boot: Array.isArray, Object.getPrototypeOf
	kitGetProto    goja.Value
	kitBind        goja.Value                              // goja's bind, when the deferred bind was made before the kit
	fp             *goja.Object                            // Function.prototype
	ap, sp         *goja.Object                            // Array.prototype and String.prototype, goja's, read at Install
	globals        []*globalGuard                          // the guards of Reflect, JSON, WeakMap, Date (globals.go)
	fnChecks       [2]func(args []goja.Value) []goja.Value // the async and generator Function constructors' checks (families.go)
	fnDone         [2]bool
	ready          uint8            // the families ensure has installed (families.go)
	strIterHook    func(goja.Value) // the string and regexp string iterators' guards, for the first one made (installIterGuards)
	rxIterHook     func(goja.Value)
}

// Install wraps the dangerous built-ins of vm (allocation caps, native
// recursion and nesting checks, the replace guard), with the caps of cfg.
// Call it once per runtime, on a fresh one, before any script runs; an
// error means a built-in was not where it should be and vm is unusable.
// Install and the guards it installs run on the goroutine that owns vm,
// as every use of a *goja.Runtime must.
// Every guard is in place for any program vm runs, however compiled
// (RunString included).
func Install(vm *goja.Runtime, cfg Config) error {
	gs, err := InstallGuards(vm, cfg)
	if err != nil {
		return err
	}
	return gs.Prepare(nil)
}

// InstallGuards is Install for a caller that prepares every program it
// runs (Guards.Prepare, which it returns the handle for): the guards a
// program can need only by its text (RegExp's, for a literal) are then
// installed by Prepare, when first needed, rather than now. Same
// goroutine rules as Install.
func InstallGuards(vm *goja.Runtime, cfg Config) (gs *Guards, err error) {
	maxBuf := cfg.MaxAllocBytes
	if maxBuf <= 0 {
		maxBuf = DefaultMaxAllocBytes
	}
	g := &guards{vm: vm, maxBuf: maxBuf, maxStr: maxBuf / 2, maxLen: maxBuf / 8, maxDepth: cfg.MaxDepth, deferOK: !cfg.Eager, importer: cfg.Import, reserveFn: cfg.Reserve}
	if g.maxDepth <= 0 {
		g.maxDepth = DefaultMaxDepth
	}
	vm.SetParserOptions(parserOptions...) // eval, the Function constructors, RunString (parse.go)
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("guard: installing guards: %v", x)
		}
	}()
	object := vm.Get("Object").(*goja.Object)
	g.gopd, _ = goja.AssertFunction(object.Get("getOwnPropertyDescriptor"))
	g.kitGetProto = object.Get("getPrototypeOf") // captured now, for what is made later
	g.hooks = g.deferOK && gojax.TemplateLayout() == nil
	if !g.hooks {
		// No lazy path: the globals are goja's now, not later.
		g.rangeError, g.syntaxError = vm.Get("RangeError").(*goja.Object), vm.Get("SyntaxError").(*goja.Object)
	}

	sp := vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	g.sp = sp
	g.installStringGuards(sp) // guards_string.go

	g.guardReplace(sp)
	g.installOpHelper(sp) // guards_ops.go

	array := vm.Get("Array").(*goja.Object)
	ap := array.Get("prototype").(*goja.Object)
	g.ap = ap
	for _, m := range arrayLoopers {
		// join, toString and toLocaleString recurse in Go through nested
		// arrays, one level per nesting: they count the levels.
		counted := m.name == "join" || m.name == "toString" || m.name == "toLocaleString"
		g.wrapLooper(ap, m.name, m.length, counted)
	}

	g.installBufferCtors() // guards_buffers.go
	g.installDepthGuards()
	g.installAllocGuards()     // guards_alloc.go
	g.installBigIntGuards()    // guards_bigint.go
	g.installIterGuards()      // guards_iter.go
	g.installRegExpGuards()    // guards_regexp.go
	g.installEncodeGuards()    // guards_encode.go
	g.installParseFloatGuard() // guards_number.go
	g.nativeToString(g.fp)
	g.aliasTrims(sp) // last: after every wrap of trimStart and trimEnd
	g.armGlobals()   // globals.go
	return &Guards{g: g}, nil
}

// rangeErr and syntaxErr are goja's RangeError and SyntaxError, read on
// first use (~4 KB each at boot otherwise) from goja's template, not from
// the global object, where a script may have put its own.
func (g *guards) rangeErr() *goja.Object {
	if g.rangeError == nil {
		g.rangeError = g.globalOriginal("RangeError").(*goja.Object)
	}
	return g.rangeError
}

func (g *guards) syntaxErr() *goja.Object {
	if g.syntaxError == nil {
		g.syntaxError = g.globalOriginal("SyntaxError").(*goja.Object)
	}
	return g.syntaxError
}

// nativeToString makes Function.prototype.toString print the functions
// that the guards and the bindings write in JS in place of built-ins
// (constructor wrappers, bind, Proxy.revocable, the Web classes: every
// function of a program whose name is "<guards...>", "<bindings>" or
// "<isobox...>") as goja prints a native one,
// "function NAME() { [native code] }", which is what they stand for;
// their source is the guards' business. Made when goja makes toString.
func (g *guards) nativeToString(fp *goja.Object) {
	g.wrapWith(fp, "toString", 0, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if o, ok := c.This.(*goja.Object); ok {
			if fl, _, _, ok := gojax.FuncSource(o); ok && isInternalProgram(fl.Name()) {
				name := ""
				if n, ok := o.Get("name").(goja.String); ok {
					name = n.String()
				}
				return g.vm.ToValue("function " + name + "() { [native code] }")
			}
		}
		return call(orig, c.This, c.Arguments...)
	})
}

// isInternalProgram reports whether a program name is one of the guards'
// or the bindings' own (no script is compiled under such a name).
func isInternalProgram(name string) bool {
	return strings.HasPrefix(name, "<guards") || name == "<bindings>" || strings.HasPrefix(name, "<isobox")
}

// checkTypedArray refuses a typed array whose length is over the cap; it
// returns the arguments to pass on (nil: the same).
func (g *guards) checkTypedArray(name string, size float64, args []goja.Value) []goja.Value {
	if len(args) == 0 {
		return nil
	}
	if _, isObj := args[0].(*goja.Object); !isObj {
		// Not an object: ToIndex(length), once, passed on converted
		// ('1e12' is a length, as a number is).
		args[0] = g.toNumber(args[0])
		if n := truncNum(args[0]); n*size > float64(g.maxBuf) {
			g.fail(fmt.Sprintf("%s length %v", name, n))
		} else if n > 0 {
			g.lease(int64(n*size), name)
		}
		return args
	}
	return g.checkTypedArrayArgs(name, size, args) // guards_alloc.go
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

// fail throws a RangeError for an allocation over the cap. The message
// names "the isolate allocation limit", as scripts have always seen it.
func (g *guards) fail(what string) {
	e, err := g.vm.New(g.rangeErr(), g.vm.ToValue(what+" exceeds the isolate allocation limit"))
	if err != nil {
		rethrow(err)
	}
	panic(e)
}

// reserve asks Config.Reserve for n bytes of what before it is made, and
// throws a RangeError when that is refused. The release it returns must
// be called once the result exists (or failed).
func (g *guards) reserve(n int64, what string) (release func()) {
	if g.reserveFn == nil || n < ReserveMin {
		return noRelease
	}
	g.endLease()
	release, err := g.reserveFn(n)
	if err != nil {
		panic(g.newRangeError(what + ": " + err.Error()))
	}
	if release == nil {
		return noRelease
	}
	return release
}

func noRelease() {}

// lease is reserve for a result made after the guard returns (a
// constructor's check runs before the original constructs): the release
// is kept until the next reservation, and Config.Reserve's caller
// releases what is left at the end of the task.
func (g *guards) lease(n int64, what string) {
	if g.reserveFn == nil || n < ReserveMin {
		return
	}
	g.leaseRel = g.reserve(n, what)
}

func (g *guards) endLease() {
	if r := g.leaseRel; r != nil {
		g.leaseRel = nil
		r()
	}
}

// strLen is the length of a string primitive, else -1.
func strLen(v goja.Value) int {
	if s, ok := v.(goja.String); ok {
		return s.Length()
	}
	return -1
}

// rethrow propagates an error from a wrapped original unchanged: a JS
// exception, an interrupt or a stack overflow.
func rethrow(err error) {
	panic(err)
}

func (g *guards) wrap(obj *goja.Object, key string, length int, check func(goja.FunctionCall)) {
	g.wrapWith(obj, key, length, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		check(c)
		return call(orig, c.This, c.Arguments...)
	})
}

// wrapWith replaces obj[key] (a string or a *goja.Symbol) by a native
// function calling fn with the original; name, length (a negative length:
// the original's) and attributes are those of the built-in. It is what
// every guard wrapper is built on. A method goja has not created yet gets
// its wrapper when goja creates it (deferWrap, lazy.go).
func (g *guards) wrapWith(obj *goja.Object, key any, length int, fn func(goja.Callable, goja.FunctionCall) goja.Value) {
	g.wrapNoted(obj, key, length, fn, nil)
}

// wrapNoted is wrapWith, with note told the wrapper when it is made.
func (g *guards) wrapNoted(obj *goja.Object, key any, length int, fn func(goja.Callable, goja.FunctionCall) goja.Value, note func(w *goja.Object)) {
	var ov goja.Value
	var name string
	switch k := key.(type) {
	case string:
		if g.deferWrap(obj, k, length, fn, note) {
			return
		}
		ov, name = obj.Get(k), k
	case *goja.Symbol:
		ov, name = obj.GetSymbol(k), "["+k.String()+"]"
	default:
		return
	}
	w := g.makeWrapper(ov, name, length, fn)
	if w == nil {
		return
	}
	if note != nil {
		note(w)
	}
	switch k := key.(type) {
	case string:
		_ = obj.DefineDataProperty(k, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	case *goja.Symbol:
		_ = obj.DefineDataPropertySymbol(k, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// makeWrapper makes the wrapper of the built-in function ov (nil if ov is
// not a function): a native function calling fn with the original, with
// the built-in's name and length. It runs no script code.
func (g *guards) makeWrapper(ov goja.Value, name string, length int, fn func(goja.Callable, goja.FunctionCall) goja.Value) *goja.Object {
	orig, ok := goja.AssertFunction(ov)
	if !ok {
		return nil
	}
	if wrapFault != nil && wrapFault() {
		panic(g.vm.NewGoError(errWrapFault))
	}
	if length < 0 {
		length = g.lengthOfFn(ov)
	}
	w := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		return g.counted(fn, orig, c) // every wrapped built-in is one native level (guards_recursion.go)
	}).(*goja.Object)
	nv := ov.(*goja.Object).Get("name") // the built-in's own name value
	if nv == nil || nv.String() != name {
		nv = g.vm.ToValue(name)
	}
	if length == 0 {
		// A native function's own length is already 0, with the
		// built-ins' attributes: only the name needs defining.
		_ = w.DefineDataProperty("name", nv, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	} else {
		g.setNameLength(w, nv, g.vm.ToValue(length))
	}
	if wrapperMade != nil {
		wrapperMade(g.vm, w)
	}
	return w
}

// setNameLength gives a wrapper the name and length of the built-in it
// stands for (non-writable, non-enumerable, configurable, as built-ins).
func (g *guards) setNameLength(w *goja.Object, name, length goja.Value) {
	_ = w.DefineDataProperty("name", name, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", length, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// call calls f and rethrows its error into the calling JS.
func call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	r, err := f(this, args...)
	if err != nil {
		rethrow(err)
	}
	return r
}

// ctorFactory makes constructor wrappers in JS, since only a JS function
// tells a call from a construction (new.target) in goja.
//
// goja leaks new.target into plain calls: a function called as f() from
// inside a constructor sees that constructor's new.target (but not when
// called through apply). So a wrapper takes new.target as a construction
// only when this is the fresh object a construction makes from
// new.target.prototype (freshThis); RegExp('x') in a constructor is a call.
var ctorFactory = goja.MustCompile("<guards>", `(function (construct, apply, getProto, done) {
	"use strict";
	function nt(self, t) {
		if (t === undefined || self === null || (typeof self !== "object" && typeof self !== "function")) return undefined;
		var p = t.prototype;
		if (p !== null && (typeof p === "object" || typeof p === "function") && getProto(self) !== p) return undefined;
		return t;
	}
	// check(arguments) runs on construction (mode 0), on both (1) or on a
	// plain call only (2); it returns the arguments to pass on, or
	// undefined for the same ones.
	return function (orig, check, mode, tag) {
		return function () {
			var t = nt(this, new.target);
			if (t === undefined ? mode === 0 : mode === 2) {
				return t === undefined ? apply(orig, this, arguments) : construct(orig, arguments, t);
			}
			var args = check(arguments, tag, t === undefined);
			if (args === undefined) args = arguments;
			else if (args[0] === done) return args[1]; // the check's own result (RegExp(re) is re)
			if (t === undefined) return apply(orig, this, args);
			return construct(orig, args, t);
		};
	};
})`, false)

// wrapCtor replaces the constructor holder[key] by a JS wrapper that runs
// check on its arguments when it constructs (and, with always, when it is
// called: Function and RegExp compile either way). check returns the
// arguments to pass on, or nil for the same ones. The wrapper keeps the
// original's name, length, prototype (whose constructor becomes the
// wrapper) and statics (the original is its [[Prototype]]).
func (g *guards) wrapCtor(holder *goja.Object, key string, always bool, check func(args []goja.Value) []goja.Value) {
	mode := ctorCheckConstruct
	if always {
		mode = ctorCheckBoth
	}
	g.wrapCtorMode(holder, key, mode, check)
}

// When a constructor wrapper runs its check (wrapCtorMode).
const (
	ctorCheckConstruct = 0
	ctorCheckBoth      = 1
	ctorCheckCall      = 2 // BigInt: a construction throws before it converts anything
)

// wrapCtorMode is wrapCtor with the check run on construction, on both or
// on a plain call only.
func (g *guards) wrapCtorMode(holder *goja.Object, key string, mode int, check func(args []goja.Value) []goja.Value) {
	ov, ok := holder.Get(key).(*goja.Object)
	if !ok {
		return
	}
	w, proto := g.makeCtorWrapper(ov, key, mode, check)
	g.replaceConstructor(proto, w)
	if holder != proto {
		_ = holder.DefineDataProperty(key, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// aliasTrims keeps trimLeft and trimRight the very functions trimStart
// and trimEnd are (goja makes both names from one object each): now the
// guarded ones. With the lazy path, an alias is made when goja first makes
// it, as the function its name then holds if goja has made that name
// (whatever a script did to that name since), else by making it; without,
// now. sp is String.prototype.
func (g *guards) aliasTrims(sp *goja.Object) {
	for _, p := range [][2]string{{"trimLeft", "trimStart"}, {"trimRight", "trimEnd"}} {
		alias, name := p[0], p[1]
		var made goja.Value // name's value, once goja has made it
		if g.hooks && gojax.DeferProperty(g.vm, sp, name, func(v goja.Value) goja.Value { made = v; return v }) &&
			gojax.DeferProperty(g.vm, sp, alias, func(goja.Value) goja.Value {
				if made == nil {
					// Made by a descriptor read: no getter a script put
					// on the name (or on Object.prototype) runs.
					_, _ = g.gopd(goja.Undefined(), sp, g.vm.ToValue(name))
				}
				if made == nil {
					panic(g.vm.NewTypeError("guard: String.prototype." + name + " was not made")) // cannot happen; nothing is stored
				}
				return made
			}) {
			continue
		}
		_ = sp.DefineDataProperty(alias, sp.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// wrapCtorProto wraps the constructor global name whose only routes are
// the global itself and proto.constructor (goja makes both from its
// templates and from nothing else: Function, BigInt), when goja first
// makes either, so that a spawn that never reaches the constructor does
// not pay for its wrapper (~6 KB each). orig is goja's constructor, not
// yet the global's value; then, if not nil, finishes the wrapper. The
// wrapper is made once, before it is stored: a failure (it runs JS, which
// a stack overflow or an interrupt can stop) stores nothing, and the next
// touch makes it again. Without the lazy path it is made now.
func (g *guards) wrapCtorProto(name string, orig, proto *goja.Object, mode int, check func(args []goja.Value) []goja.Value, then func(w *goja.Object)) {
	var w *goja.Object
	wrapper := func(ov *goja.Object) *goja.Object {
		if w == nil {
			nw, _ := g.makeCtorWrapper(ov, name, mode, check)
			if then != nil {
				then(nw)
			}
			w = nw
		}
		return w
	}
	if g.hooks && gojax.DeferProperty(g.vm, proto, "constructor", func(v goja.Value) goja.Value {
		if ov, ok := v.(*goja.Object); ok && ov == orig {
			return wrapper(ov)
		}
		return v
	}) {
		g.onGlobal(name, func(o *goja.Object) {
			if o == orig {
				g.globalGuardOf(name).value = wrapper(o)
			}
		})
		return
	}
	g.wrapCtorMode(g.vm.GlobalObject(), name, mode, check)
	if then != nil {
		if nw, ok := g.vm.GlobalObject().Get(name).(*goja.Object); ok && nw != orig {
			then(nw)
		}
	}
}

// replaceConstructor puts w in proto.constructor with the attributes the
// property had (%GeneratorFunction.prototype%.constructor is not
// writable; the others are), enumerable or not as it was.
func (g *guards) replaceConstructor(proto, w *goja.Object) {
	writable, enumerable, configurable := goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE
	if d, err := g.gopd(goja.Undefined(), proto, g.vm.ToValue("constructor")); err == nil {
		if do, ok := d.(*goja.Object); ok {
			flag := func(k string) goja.Flag {
				if do.Get(k).ToBoolean() {
					return goja.FLAG_TRUE
				}
				return goja.FLAG_FALSE
			}
			writable, enumerable, configurable = flag("writable"), flag("enumerable"), flag("configurable")
		}
	}
	_ = proto.DefineDataProperty("constructor", w, writable, configurable, enumerable)
}

// makeCtorWrapper makes the wrapper of constructor ov (see wrapCtor) and
// returns it with ov's prototype, whose constructor the caller points at
// it: until then nothing reachable refers to the wrapper. It runs JS (the
// wrapper factory), so it can be interrupted.
func (g *guards) makeCtorWrapper(ov *goja.Object, key string, mode int, check func(args []goja.Value) []goja.Value) (w, proto *goja.Object) {
	if g.factory == nil {
		f, err := g.vm.RunProgram(ctorFactory)
		if err != nil {
			panic(err)
		}
		mk, _ := goja.AssertFunction(f)
		g.ctorDone = g.vm.NewObject()
		// Object.getPrototypeOf as Install read it: the first wrapper may be
		// made long after a script replaced the global's.
		g.factory, _ = goja.AssertFunction(call(mk, goja.Undefined(), g.nativeConstruct(), g.nativeApply(), g.kitGetProto, g.ctorDone))
	}
	if g.chk == nil {
		// One native check for every wrapper: tag picks the constructor's.
		g.chk = g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
			g.ctorCalled, g.ctorReturn = c.Argument(2).ToBoolean(), nil
			out := g.ctorChecks[c.Argument(1).ToInteger()](argsOf(c.Argument(0)))
			if r := g.ctorReturn; r != nil {
				g.ctorReturn = nil
				return g.vm.NewArray(g.ctorDone, r)
			}
			if out != nil {
				return g.vm.NewArray(toAny(out)...)
			}
			return goja.Undefined()
		})
		g.unname(g.chk) // its frame shows in the stack of what the check throws
	}
	g.ctorChecks = append(g.ctorChecks, check)
	w = call(g.factory, goja.Undefined(), ov, g.chk, g.vm.ToValue(mode), g.vm.ToValue(len(g.ctorChecks)-1)).(*goja.Object)
	if wrapFault != nil && wrapFault() {
		panic(g.vm.NewGoError(errWrapFault))
	}
	if wrapperMade != nil {
		wrapperMade(g.vm, w)
	}
	proto = ov.Get("prototype").(*goja.Object)
	_ = w.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	g.setNameLength(w, ov.Get("name"), ov.Get("length"))
	g.adoptStatics(w, ov, key) // statics copied; ov is not w's prototype
	return w, proto
}

// argsOf returns the elements of an arguments object.
func argsOf(v goja.Value) []goja.Value {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	n := int(o.Get("length").ToInteger())
	out := make([]goja.Value, n)
	for i := range out {
		out[i] = o.Get(strconv.Itoa(i))
	}
	return out
}

func toAny(vs []goja.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
