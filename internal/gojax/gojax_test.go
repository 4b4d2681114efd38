package gojax

import (
	"math"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
)

// TestLayout fails when a goja upgrade changes the layout this package
// reads: the upgrade must then update gojax (or accept the slow paths).
func TestLayout(t *testing.T) {
	if err := Layout(); err != nil {
		t.Fatalf("goja layout not recognized: %v", err)
	}
	if !Fast() {
		t.Fatal("unsafe fast paths unavailable")
	}
	l := get()
	if !l.arrayDense {
		t.Error("dense array fields not found")
	}
	if len(l.taTypes) != len(TypedArrayNames) {
		t.Errorf("typed array types: %d", len(l.taTypes))
	}
}

func run(t *testing.T, r *goja.Runtime, src string) *goja.Object {
	t.Helper()
	v, err := r.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v.(*goja.Object)
}

func TestKindOf(t *testing.T) {
	r := goja.New()
	for _, tc := range []struct {
		src  string
		want Kind
	}{
		{"({a: 1})", Plain}, {"[1, 2]", Array}, {"new Map", Map}, {"new Set", Set}, {"new Date(5)", Date},
		{"/a/g", RegExp}, {"new TypeError('x')", Error}, {"new ArrayBuffer(2)", ArrayBuffer},
		{"new Float64Array(2)", TypedArray}, {"new BigUint64Array(1)", TypedArray}, {"new DataView(new ArrayBuffer(2))", DataView},
		{"new Boolean(true)", PrimitiveWrapper}, {"new String('s')", StringWrapper},
		{"new Proxy({}, {})", Rejected}, {"new WeakMap", Rejected}, {"(function*(){})()", Rejected},
		{"(function(){})", Unknown},
		// Built-in ordinary objects, whatever goja's implementation type.
		{"Object.prototype", Plain}, {"Math", Plain}, {"Date.prototype", Plain}, {"RegExp.prototype", Plain},
		{"globalThis", Plain}, {"Array.prototype", Array}, {"Number.prototype", PrimitiveWrapper},
		{"String.prototype", StringWrapper}, {"Function.prototype", Unknown},
	} {
		k, _, ok := KindOf(run(t, r, tc.src))
		if !ok || k != tc.want {
			t.Errorf("KindOf(%s) = %d, %v; want %d", tc.src, k, ok, tc.want)
		}
	}
}

func TestSlots(t *testing.T) {
	r := goja.New()
	arr := run(t, r, "const b = new ArrayBuffer(32); [new Uint32Array(b, 8, 4), new DataView(b, 3, 9), b, new Date(NaN), new Date(-7)]")
	ta, dv, buf := arr.Get("0").(*goja.Object), arr.Get("1").(*goja.Object), arr.Get("2").(*goja.Object)
	typ, off, n, tb, ok := TypedArraySlots(ta)
	if !ok || TypedArrayNames[typ] != "Uint32Array" || off != 8 || n != 4 || !SameImpl(buf, tb) {
		t.Errorf("TypedArraySlots = %d %d %d %v", typ, off, n, ok)
	}
	off, n, db, ok := DataViewSlots(dv)
	if !ok || off != 3 || n != 9 || !SameImpl(buf, db) {
		t.Errorf("DataViewSlots = %d %d %v", off, n, ok)
	}
	if SameImpl(ta, db) {
		t.Error("SameImpl true for a different object")
	}
	if _, _, _, _, ok := TypedArraySlots(dv); ok {
		t.Error("TypedArraySlots of a DataView")
	}
	if tv, ok := DateMsec(arr.Get("3").(*goja.Object)); !ok || !math.IsNaN(tv) {
		t.Errorf("invalid date: %v %v", tv, ok)
	}
	if tv, ok := DateMsec(arr.Get("4").(*goja.Object)); !ok || tv != -7 {
		t.Errorf("date: %v %v", tv, ok)
	}
}

func TestFastPaths(t *testing.T) {
	r := goja.New()
	key := func(n unistring.String) string { return n.String() }
	o := run(t, r, "({a: 1, b: 'x', c: null})")
	keys, ok := PlainKeys(o, nil, key)
	if !ok || len(keys) != 3 || keys[0] != "a" || keys[2] != "c" {
		t.Errorf("PlainKeys = %v %v", keys, ok)
	}
	if v := PlainGet(o, "b"); v == nil || v.String() != "x" {
		t.Errorf("PlainGet = %v", v)
	}
	for _, src := range []string{"({get a() { return 1 }})", "({1: 2})", "(function(){ const o = {}; Object.defineProperty(o, 'x', {value: 1, enumerable: false}); return o })()"} {
		if _, ok := PlainKeys(run(t, r, src), nil, key); ok {
			t.Errorf("PlainKeys(%s) took the fast path", src)
		}
	}
	a := run(t, r, "[1, 'two', {}]")
	if n, ok := DenseArrayLen(a); !ok || n != 3 {
		t.Errorf("DenseArrayLen = %d %v", n, ok)
	}
	if v, ok := ArrayElement(a, 1); !ok || v.String() != "two" {
		t.Errorf("ArrayElement = %v %v", v, ok)
	}
	if _, ok := DenseArrayLen(run(t, r, "[1, , 3]")); ok {
		t.Error("DenseArrayLen of a holey array")
	}
	if _, ok := DenseArrayLen(run(t, r, "(function(){ const a = [1]; a.x = 1; return a })()")); ok {
		t.Error("DenseArrayLen of an array with an extra property")
	}
}

// TestDisable checks that every accessor reports "not available" when the
// layout is off, which is what a mismatch does.
func TestDisable(t *testing.T) {
	r := goja.New()
	o := run(t, r, "({a: 1})")
	a := run(t, r, "[1]")
	d := run(t, r, "new Date(1)")
	restore := Disable()
	defer restore()
	if Layout() == nil || Fast() {
		t.Fatal("Disable did not disable")
	}
	if _, _, ok := KindOf(o); ok {
		t.Error("KindOf available")
	}
	if _, ok := PlainKeys(o, nil, func(n unistring.String) string { return n.String() }); ok {
		t.Error("PlainKeys available")
	}
	if PlainGet(o, "a") != nil || IsPlainObject(o) {
		t.Error("PlainGet/IsPlainObject available")
	}
	if _, ok := DenseArrayLen(a); ok {
		t.Error("DenseArrayLen available")
	}
	if _, ok := ArrayElement(a, 0); ok {
		t.Error("ArrayElement available")
	}
	if _, ok := DateMsec(d); ok {
		t.Error("DateMsec available")
	}
}

// The regexp layout reads the Go regexp goja runs (none for a pattern it
// gives regexp2) and replaces a native function's code in place.
func TestRegexpLayout(t *testing.T) {
	if err := RegexpLayout(); err != nil {
		t.Fatalf("RegexpLayout: %v (a goja upgrade changed regexpObject, regexpPattern or nativeFuncObject)", err)
	}
	r := goja.New()
	v, _ := r.RunString(`[/a+(b)/gm, /(?<=a)b/, {}, RegExp.prototype.exec]`)
	arr := v.(*goja.Object)
	ri, ok := RegexpOf(arr.Get("0").(*goja.Object))
	if !ok || ri.Go == nil || !ri.Global || ri.Sticky || ri.Unicode || !ri.Multiline || !ri.Go.MatchString("xaab") {
		t.Errorf("/a+(b)/gm: %+v %v", ri, ok)
	}
	if ri, ok := RegexpOf(arr.Get("1").(*goja.Object)); !ok || ri.Go != nil || ri.Src != "(?<=a)b" {
		t.Errorf("a regexp2 pattern: %+v %v", ri, ok)
	}
	if _, ok := RegexpOf(arr.Get("2").(*goja.Object)); ok {
		t.Error("a plain object read as a RegExp")
	}
	exec := arr.Get("3").(*goja.Object)
	calls := 0
	orig, ok := ReplaceNative(exec, nil)
	if ok || orig != nil {
		t.Error("ReplaceNative accepted a nil function")
	}
	orig, ok = ReplaceNative(exec, func(c goja.FunctionCall) goja.Value { calls++; return orig(c) })
	if !ok {
		t.Fatal("ReplaceNative refused RegExp.prototype.exec")
	}
	_ = r.Set("exec", exec)
	v, err := r.RunString(`[/b/.exec("abc").index, RegExp.prototype.exec === exec, "abc".replace(/c/, "d")].join()`)
	if err != nil || v.String() != "1,true,abd" || calls != 1 {
		t.Errorf("after ReplaceNative: %v %v, %d calls", v, err, calls)
	}
	restore := Disable()
	defer restore()
	if _, ok := RegexpOf(arr.Get("0").(*goja.Object)); ok {
		t.Error("RegexpOf answered while disabled")
	}
	if _, ok := ReplaceNative(exec, func(goja.FunctionCall) goja.Value { return nil }); ok {
		t.Error("ReplaceNative answered while disabled")
	}
}

// ArrayCount counts a dense array's elements whatever else it holds, and
// answers nothing for sparse arrays and other objects.
func TestArrayCount(t *testing.T) {
	r := goja.New()
	v, _ := r.RunString(`var a = [1, 2, 3]; a.x = 1; var b = []; b[1e6] = 1; [a, b, {length: 5}]`)
	arr := v.(*goja.Object)
	if n, ok := ArrayCount(arr.Get("0").(*goja.Object)); !ok || n != 3 {
		t.Errorf("dense with an extra property: %d %v", n, ok)
	}
	if _, ok := ArrayCount(arr.Get("2").(*goja.Object)); ok {
		t.Error("an array-like counted")
	}
	if n, ok := ArrayCount(arr.Get("1").(*goja.Object)); ok && n > 1 {
		t.Errorf("a sparse array counted %d", n)
	}
}

// The implementation reads of every layout user go through the interface
// words on this goja (a layout check falls back to reflect), and agree with
// reflect on objects of every kind.
func TestFastSelf(t *testing.T) {
	l := get()
	if l.err != nil || !l.fastSelf {
		t.Fatalf("fast self reads off: %v", l.err)
	}
	r := goja.New()
	for _, src := range []string{"({})", "[]", "Object.prototype", "Math", "new Map", "new Proxy({}, {})", "new Uint8Array(2)",
		"(function () {})", "(() => 1)", "Math.max", "/x/", "new Error('e')", "new String('s')", "globalThis", "Promise.resolve()"} {
		v, err := r.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		o := v.(*goja.Object)
		s := l.self(o)
		if l.selfType(o) != s.Type() || l.selfPtr(o) != s.UnsafePointer() {
			t.Errorf("%s: fast read %v %p, reflect %v %p", src, l.selfType(o), l.selfPtr(o), s.Type(), s.UnsafePointer())
		}
	}
}
