package gojax

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"unsafe"

	"github.com/dop251/goja"
)

// RegExp internals and native functions.
//
// goja runs a pattern that Go's regexp package can express on Go's regexp
// (linear in the subject, but pattern × subject steps in its NFA, and a
// find-all that can rescan the rest of the subject for every match), all
// inside one VM instruction. The sandbox guard bounds that work, and needs
// two things the public API does not give: the *regexp.Regexp goja runs for
// a RegExp object, and a way to guard RegExp.prototype.exec without
// replacing the property (goja's fast paths watch that property, and a
// replaced exec sends every regexp down its slow generic path).

type rxLayout struct {
	err                     error
	rxType                  reflect.Type // *goja.regexpObject
	pattern                 []int        // regexpObject.pattern (*regexpPattern)
	wrapper                 []int        // regexpPattern.regexpWrapper (*regexpWrapper, a regexp.Regexp)
	global, sticky, unicode []int
	nativeType              reflect.Type // *goja.nativeFuncObject
	fOffset                 uintptr      // nativeFuncObject.f
}

var (
	rxOnce sync.Once
	rxL    rxLayout
)

type nativeFn = func(goja.FunctionCall) goja.Value

func rxGet() *rxLayout {
	rxOnce.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				rxL = rxLayout{err: fmt.Errorf("gojax: regexp layout: %v", p)}
			}
		}()
		rxL = buildRx()
	})
	return &rxL
}

func buildRx() rxLayout {
	l := get()
	if l.err != nil {
		return rxLayout{err: l.err}
	}
	var x rxLayout
	r := goja.New()
	obj := func(src string) *goja.Object {
		v, err := r.RunString(src)
		if err != nil {
			panic(err)
		}
		return v.(*goja.Object)
	}
	x.rxType = l.selfType(obj("/x/"))
	x.pattern = mustPtrField(x.rxType, "pattern")
	pt := x.rxType.Elem().FieldByIndex(x.pattern).Type
	x.wrapper = mustPtrField(pt, "regexpWrapper")
	if wt := pt.Elem().FieldByIndex(x.wrapper).Type.Elem(); !wt.ConvertibleTo(reflect.TypeOf(regexp.Regexp{})) {
		panic(fmt.Sprintf("regexpWrapper is %v, not a regexp.Regexp", wt))
	}
	boolField := func(name string) []int {
		f, ok := pt.Elem().FieldByName(name)
		if !ok || f.Type.Kind() != reflect.Bool {
			panic(fmt.Sprintf("regexpPattern has no bool field %s", name))
		}
		return f.Index
	}
	x.global, x.sticky, x.unicode = boolField("global"), boolField("sticky"), boolField("unicode")

	fn := r.ToValue(func(goja.FunctionCall) goja.Value { return goja.Undefined() }).(*goja.Object) // never reaches a script
	x.nativeType = l.selfType(fn)
	f, ok := x.nativeType.Elem().FieldByName("f")
	if !ok || f.Type != reflect.TypeOf(nativeFn(nil)) || len(f.Index) != 1 {
		panic("nativeFuncObject has no field f of the native function type")
	}
	x.fOffset = f.Offset
	if l.selfType(obj("RegExp.prototype.exec")) != x.nativeType {
		panic("RegExp.prototype.exec is not a native function object")
	}

	// Samples, read back through the public API's view of them.
	re, g, s, u, ok := x.regexpOf(obj("/a(b+)c/g"))
	if !ok || re == nil || re.String() != "a(b+)c" || !g || s || u {
		panic(fmt.Sprintf("sample /a(b+)c/g read back as %v %v %v %v %v", re, g, s, u, ok))
	}
	if re, g, s, u, ok := x.regexpOf(obj("/x/yu")); !ok || re == nil || g || !s || !u {
		panic("sample /x/yu read back wrong")
	}
	if re, _, _, _, ok := x.regexpOf(obj("/(?<=a)b/")); !ok || re != nil {
		panic("sample /(?<=a)b/ (regexp2) read back with a Go regexp")
	}
	fo := obj("(function () { return 1 })")
	if _, ok := x.native(fo); ok {
		panic("a JS function read back as a native one")
	}
	orig, ok := x.native(fn)
	if !ok || orig == nil {
		panic("sample native function not read back")
	}
	x.setNative(fn, func(goja.FunctionCall) goja.Value { return r.ToValue(42) })
	if v, err := r.RunString("0"); err != nil || v == nil {
		panic("scratch runtime broken")
	}
	c, _ := goja.AssertFunction(fn)
	if v, err := c(goja.Undefined()); err != nil || v.ToInteger() != 42 {
		panic(fmt.Sprintf("a replaced native function returned %v, %v", v, err))
	}
	return x
}

func (x *rxLayout) regexpOf(o *goja.Object) (re *regexp.Regexp, global, sticky, unicode, ok bool) {
	l := get()
	if l.selfType(o) != x.rxType {
		return nil, false, false, false, false
	}
	p := l.field(o, x.pattern)
	if p.IsNil() {
		return nil, false, false, false, false
	}
	pe := p.Elem()
	w := pe.FieldByIndex(x.wrapper)
	global, sticky, unicode = pe.FieldByIndex(x.global).Bool(), pe.FieldByIndex(x.sticky).Bool(), pe.FieldByIndex(x.unicode).Bool()
	if !w.IsNil() {
		re = (*regexp.Regexp)(w.UnsafePointer())
	}
	return re, global, sticky, unicode, true
}

func (x *rxLayout) native(o *goja.Object) (nativeFn, bool) {
	l := get()
	if l.selfType(o) != x.nativeType {
		return nil, false
	}
	return *(*nativeFn)(unsafe.Add(l.self(o).UnsafePointer(), x.fOffset)), true
}

func (x *rxLayout) setNative(o *goja.Object, f nativeFn) {
	*(*nativeFn)(unsafe.Add(get().self(o).UnsafePointer(), x.fOffset)) = f
}

var errRxLayout = errors.New("gojax: the regexp layout is not available")

// RegexpLayout reports whether RegexpOf and ReplaceNative are available:
// nil if goja's layout matched, else why not. Any goroutine.
func RegexpLayout() error {
	x := rxGet()
	if x.err != nil {
		return x.err
	}
	if disabled.Load() {
		return errDisabled
	}
	return nil
}

// RegexpOf returns the Go regexp goja runs for the RegExp object o (nil if
// goja runs regexp2 for its pattern: lookbehind, backreferences...) and
// the pattern's global, sticky and unicode flags. ok is false if o is not
// a RegExp object or the layout is not available. The caller must not use
// the regexp's Longest or anything that changes it. o's goroutine only.
func RegexpOf(o *goja.Object) (re *regexp.Regexp, global, sticky, unicode, ok bool) {
	x := rxGet()
	if x.err != nil || disabled.Load() {
		return nil, false, false, false, false
	}
	return x.regexpOf(o)
}

// ReplaceNative makes the native function object o run f instead of what
// it ran, and returns what it ran: the object itself (its identity, name,
// length and properties) does not change, so a property holding it is not
// written. ok is false, and nothing is changed, if o is not a native
// function object or the layout is not available. o's goroutine only,
// before any script runs on it.
func ReplaceNative(o *goja.Object, f func(goja.FunctionCall) goja.Value) (orig func(goja.FunctionCall) goja.Value, ok bool) {
	x := rxGet()
	if x.err != nil || disabled.Load() || f == nil {
		return nil, false
	}
	orig, ok = x.native(o)
	if !ok || orig == nil {
		return nil, false
	}
	x.setNative(o, f)
	return orig, true
}
