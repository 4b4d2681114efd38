package gojax

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"
)

// Where a script function came from. goja keeps, in every script function
// object (the types embedding baseJsFuncObject), the *Program of its body;
// that program holds the *file.File of the whole compiled source the
// function was written in, and its first source map entry is the offset of
// the function's first character in that source (compiledFunctionLiteral.
// compile seeds srcMap with e.offset). goja's public API exposes neither,
// and Function.prototype.toString is not enough: it drops the closing
// parentheses of an arrow function whose body ends in a parenthesized
// expression ("x => (x)" prints as "x => (x"), and it says nothing about
// where the function is. FuncSource reads the three fields.

type funcLayout struct {
	err      error
	base     reflect.Type // goja's baseJsFuncObject
	prg, src []int        // its prg (*Program) and src (string) fields
	progFile []int        // Program.src (*file.File)
	srcMap   []int        // Program.srcMap ([]srcMapItem)
	srcPos   []int        // srcMapItem.srcPos

	mu    sync.Mutex
	paths map[reflect.Type][]int // implementation type -> path to its baseJsFuncObject; nil: none
}

var (
	funcOnce sync.Once
	theF     funcLayout
)

var typeFile = reflect.TypeOf((*file.File)(nil))

func getFunc() *funcLayout {
	funcOnce.Do(func() { buildFunc(&theF) })
	return &theF
}

// FuncLayout reports whether FuncSource is available: nil if goja's layout
// matched what it expects, else why not. Any goroutine.
func FuncLayout() error {
	if disabled.Load() {
		return errDisabled
	}
	return getFunc().err
}

func buildFunc(f *funcLayout) {
	defer func() {
		if x := recover(); x != nil {
			*f = funcLayout{err: fmt.Errorf("gojax: unexpected goja function layout: %v", x)}
		}
	}()
	l := get()
	if l.err != nil {
		f.err = l.err
		return
	}
	r := goja.New()
	const sample = "var a = 1;\n  var f = [x => (x), ({ m() { return 2 } }).m, async function g() {}];\nf"
	prg, err := goja.Compile("sample.js", sample, false) // a constant source
	if err != nil {
		panic(err)
	}
	v, err := r.RunProgram(prg)
	if err != nil {
		panic(err)
	}
	arr := v.(*goja.Object)
	arrow := arr.Get("0").(*goja.Object)
	bt, ok := l.selfType(arrow).Elem().FieldByName("baseJsFuncObject")
	if !ok || bt.Type.Kind() != reflect.Struct {
		panic("no baseJsFuncObject in an arrow function")
	}
	f.base = bt.Type
	fp, ok1 := f.base.FieldByName("prg")
	fs, ok2 := f.base.FieldByName("src")
	if !ok1 || !ok2 || fp.Type.Kind() != reflect.Pointer || fp.Type.Elem().Kind() != reflect.Struct || fs.Type.Kind() != reflect.String {
		panic("baseJsFuncObject has no prg/src fields")
	}
	f.prg, f.src = fp.Index, fs.Index
	pt := fp.Type.Elem()
	pf, ok1 := pt.FieldByName("src")
	pm, ok2 := pt.FieldByName("srcMap")
	if !ok1 || !ok2 || pf.Type != typeFile || pm.Type.Kind() != reflect.Slice || pm.Type.Elem().Kind() != reflect.Struct {
		panic("Program has no src/srcMap fields")
	}
	f.progFile, f.srcMap = pf.Index, pm.Index
	sp, ok := pm.Type.Elem().FieldByName("srcPos")
	if !ok || !isIntKind(sp.Type.Kind()) {
		panic("srcMapItem has no srcPos field")
	}
	f.srcPos = sp.Index
	f.paths = make(map[reflect.Type][]int)

	// Read the samples back.
	for i, want := range []string{"x => (x", "m() { return 2 }", "async function g() {}"} {
		fn := arr.Get(fmt.Sprint(i)).(*goja.Object)
		fl, start, text, ok := f.read(l, fn)
		if !ok || fl.Name() != "sample.js" || text != want || start != strings.Index(sample, want) || fl.Source() != sample {
			panic(fmt.Sprintf("function sample %d read back as %q at %d", i, text, start))
		}
	}
	if _, _, _, ok := f.read(l, r.ToValue(func(goja.FunctionCall) goja.Value { return nil }).(*goja.Object)); ok { // never reaches a script
		panic("a native function read back as a script function")
	}
}

// path returns the field path from an implementation struct to its
// embedded baseJsFuncObject, or nil if it has none.
func (f *funcLayout) path(t reflect.Type) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.paths[t]; ok {
		return p
	}
	var p []int
	if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
		if sf, ok := t.Elem().FieldByName("baseJsFuncObject"); ok && sf.Type == f.base {
			p = sf.Index
		}
	}
	if len(f.paths) < 256 {
		f.paths[t] = p
	}
	return p
}

func (f *funcLayout) read(l *layout, o *goja.Object) (fl *file.File, start int, text string, ok bool) {
	s := l.self(o)
	if s.Kind() != reflect.Pointer || s.IsNil() {
		return nil, 0, "", false
	}
	p := f.path(s.Type())
	if p == nil {
		return nil, 0, "", false
	}
	b := s.Elem().FieldByIndex(p)
	text = b.FieldByIndex(f.src).String()
	prg := b.FieldByIndex(f.prg)
	if prg.IsNil() {
		return nil, 0, "", false
	}
	pv := prg.Elem()
	fv := pv.FieldByIndex(f.progFile)
	sm := pv.FieldByIndex(f.srcMap)
	if fv.IsNil() || sm.Len() == 0 {
		return nil, 0, "", false
	}
	fl = (*file.File)(unsafe.Pointer(fv.Pointer()))
	start = int(intOf(sm.Index(0).FieldByIndex(f.srcPos)))
	src := fl.Source()
	if start > 0 && start <= len(src) && strings.HasPrefix(text, "#") && strings.HasPrefix(src[start-1:], text) {
		start-- // a private method's offset is that of its name, after the '#'
	}
	if start < 0 || start > len(src) || !strings.HasPrefix(src[start:], text) {
		return nil, 0, "", false
	}
	return fl, start, text, true
}

// FuncSource tells where the script function o was written: fl is the
// whole compiled source it belongs to (fl.Name() is the file name given to
// goja, fl.Source() the full text), start the byte offset of the function's
// first character in fl.Source(), and text what goja keeps as the
// function's source (what Function.prototype.toString returns, which may
// lack the closing parentheses of an expression body; see above). It is
// guaranteed that fl.Source()[start:] begins with text. ok is false when o
// is not a script function (native, bound, a class) or the layout is not
// available. The caller must own o's runtime (be on its goroutine); the
// returned *file.File is immutable text and may be used from any goroutine.
func FuncSource(o *goja.Object) (fl *file.File, start int, text string, ok bool) {
	if o == nil || disabled.Load() {
		return nil, 0, "", false
	}
	f := getFunc()
	if f.err != nil {
		return nil, 0, "", false
	}
	defer func() {
		if x := recover(); x != nil {
			fl, start, text, ok = nil, 0, "", false
		}
	}()
	return f.read(get(), o)
}
