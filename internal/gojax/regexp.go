package gojax

import (
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
	err                      error
	rxType                   reflect.Type // *goja.regexpObject
	pattern                  []int        // regexpObject.pattern (*regexpPattern)
	wrapper                  []int        // regexpPattern.regexpWrapper (*regexpWrapper, a regexp.Regexp)
	global, sticky, unicode  []int
	multiline, dotAll, icase []int
	src                      []int        // regexpPattern.src: the pattern goja compiled
	nativeType               reflect.Type // *goja.nativeFuncObject
	fOffset                  uintptr      // nativeFuncObject.f
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
	x.multiline, x.dotAll, x.icase = boolField("multiline"), boolField("dotAll"), boolField("ignoreCase")
	if f, ok := pt.Elem().FieldByName("src"); !ok || f.Type.Kind() != reflect.String {
		panic("regexpPattern has no string field src")
	} else {
		x.src = f.Index
	}

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
	if ri, ok := x.regexpOf(obj("/a(b+)c/g")); !ok || ri.Go == nil || ri.Go.String() != "a(b+)c" || ri.Src != "a(b+)c" || !ri.Global || ri.Sticky || ri.Unicode || ri.Multiline {
		panic(fmt.Sprintf("sample /a(b+)c/g read back as %+v %v", ri, ok))
	}
	if ri, ok := x.regexpOf(obj("/x/yums")); !ok || ri.Go == nil || ri.Global || !ri.Sticky || !ri.Unicode || !ri.Multiline || !ri.DotAll || ri.IgnoreCase {
		panic(fmt.Sprintf("sample /x/yums read back as %+v", ri))
	}
	if ri, ok := x.regexpOf(obj("/(?<=a)b/i")); !ok || ri.Go != nil || ri.Src != "(?<=a)b" || !ri.IgnoreCase {
		panic(fmt.Sprintf("sample /(?<=a)b/i (regexp2) read back as %+v", ri))
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

func (x *rxLayout) regexpOf(o *goja.Object) (ri RegexpInfo, ok bool) {
	l := get()
	if l.selfType(o) != x.rxType {
		return ri, false
	}
	p := l.field(o, x.pattern)
	if p.IsNil() {
		return ri, false
	}
	pe := p.Elem()
	ri = RegexpInfo{
		Src:    pe.FieldByIndex(x.src).String(),
		Global: pe.FieldByIndex(x.global).Bool(), Sticky: pe.FieldByIndex(x.sticky).Bool(), Unicode: pe.FieldByIndex(x.unicode).Bool(),
		Multiline: pe.FieldByIndex(x.multiline).Bool(), DotAll: pe.FieldByIndex(x.dotAll).Bool(), IgnoreCase: pe.FieldByIndex(x.icase).Bool(),
	}
	if w := pe.FieldByIndex(x.wrapper); !w.IsNil() {
		ri.Go = (*regexp.Regexp)(w.UnsafePointer())
	}
	return ri, true
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

// RegexpInfo is what goja compiled for a RegExp object.
type RegexpInfo struct {
	// Go is the Go regexp goja runs, nil if it gives the pattern to
	// regexp2 (lookbehind, backreferences...). goja also runs regexp2, on
	// Src, for a search that does not start at 0 and for a find-all on a
	// non-ASCII subject. The caller must not change it (Longest).
	Go *regexp.Regexp
	// Src is the pattern as goja compiles it for regexp2 (with
	// compileRegexp2's options for the flags below).
	Src                                                    string
	Global, Sticky, Unicode, Multiline, DotAll, IgnoreCase bool
}

// RegexpOf returns what goja compiled for the RegExp object o. ok is
// false if o is not a RegExp object or the layout is not available. o's
// goroutine only.
func RegexpOf(o *goja.Object) (ri RegexpInfo, ok bool) {
	x := rxGet()
	if x.err != nil || disabled.Load() {
		return ri, false
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
