package gojax

// Lazy globals and deferred built-in properties through goja's templates.
//
// goja builds the global object as a "templated" object: its built-in names
// (Object, Array, parseInt...) are listed in a process-wide template of
// factories, and a property is created only when something first touches
// that name (a get, a set, a define, a delete, a descriptor read;
// enumerating the values creates them all, listing the names does not).
// LazyGlobal puts extra names into that mechanism: the runtime's global
// object gets its own shallow copy of the template (a few pointers: the
// factory maps and name lists are shared, per set of names, by every
// runtime), whose extra factories call the runtime's own builders.
//
// DeferProperty uses the same mechanism for the methods of the other
// templated built-ins (String.prototype, Array.prototype, Object...): the
// object is pointed at a process-wide copy of its template whose factory
// for the name calls goja's and then the runtime's wraps (the sandbox
// guards), so the guard is made at the moment goja makes the original.
//
// This file owns every access to goja's template structures. Unlike the
// rest of the package it writes into goja: the template pointer of the
// global object and of built-in objects, and (when goja has already copied
// the name list into the global object) that object's name list. The layout is verified once, on first use,
// against goja's reflect types and a probe on a scratch runtime; on any
// mismatch LazyGlobal reports false and the caller keeps its fallback (an
// accessor pair).

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/dop251/goja/unistring"
)

// factory is goja's templatePropFactory, func(*Runtime) Value.
type factory = func(*goja.Runtime) goja.Value

// tmplMirror mirrors goja's objectTemplate field for field; tmplCheck
// verifies that before any cast.
type tmplMirror struct {
	propNames    []unistring.String
	props        map[unistring.String]factory
	symProps     map[*goja.Symbol]factory
	symPropNames []*goja.Symbol
	protoFactory func(*goja.Runtime) *goja.Object
}

// propMirror mirrors goja's valueProperty.
type propMirror struct {
	value        goja.Value
	writable     bool
	configurable bool
	enumerable   bool
	accessor     bool
	getterFunc   *goja.Object
	setterFunc   *goja.Object
}

// globalsTmpl is what a runtime's global object points at once it has lazy
// globals: the shallow template copy first (goja reads only that), then
// this package's per-runtime state.
type globalsTmpl struct {
	t        tmplMirror
	owner    *goja.Runtime
	version  *tmplVersion
	builders []func() goja.Value // LazyGlobal's builders, by the name's place in propNames past goja's own
	deferred []func(goja.Value) goja.Value                    // DeferProperty's wrappers (composed), by deferID
	hooks    []func(goja.Value) goja.Value // HookGlobal's hooks (composed), by globalIdx
	buffers  func() error                                     // SetBufferHook's hook
}

// deferKey names a property of a built-in: goja's process-wide template of
// the object, and the name.
type deferKey struct {
	base *tmplMirror
	name unistring.String
}

// tmplVersion is one set of extra names over goja's global template:
// props and propNames hold goja's entries plus the extra ones, in order of
// addition. Versions form a trie keyed by the added name, shared by every
// runtime (process-wide, under versionsMu).
type tmplVersion struct {
	props     map[unistring.String]factory
	propNames []unistring.String
	children  map[unistring.String]*tmplVersion
	hookKids  map[unistring.String]*tmplVersion // versions with one of goja's names hooked (HookGlobal)
}

type tmplLayout struct {
	err       error
	types     map[reflect.Type]bool // goja's templated object types (plain, function, array)
	tmplOff   uintptr               // templatedObject.tmpl
	valuesOff uintptr               // templatedObject.values (baseObject)
	namesOff  uintptr               // templatedObject.propNames (baseObject)
	propType  reflect.Type
	root      *tmplVersion
	base      *tmplMirror // goja's process-wide global template
	globalIdx map[unistring.String]int // the index of each of base's names, for globalsTmpl.hooks
}

var (
	tmplOnce   sync.Once
	theT       tmplLayout
	versionsMu sync.Mutex
)

func tmplGet() *tmplLayout {
	tmplOnce.Do(func() { theT = tmplBuild() })
	return &theT
}

// TemplateLayout reports whether LazyGlobal is available: nil if goja's
// template layout matched and the probe passed, else why not (also when
// Disable is in force). Any goroutine.
func TemplateLayout() error {
	l := tmplGet()
	if l.err == nil && disabled.Load() {
		return errDisabled
	}
	return l.err
}

func tmplBuild() (tl tmplLayout) {
	defer func() {
		if x := recover(); x != nil {
			tl = tmplLayout{err: fmt.Errorf("gojax: unexpected goja template layout: %v", x)}
		}
	}()
	l := get()
	if l.err != nil {
		return tmplLayout{err: l.err}
	}
	if !l.fastPlain || l.valueProperty == nil {
		return tmplLayout{err: errors.New("gojax: goja's property type was not found")}
	}
	ot := l.templatedType.Elem()
	f, ok := ot.FieldByName("tmpl")
	if !ok || len(f.Index) != 1 || f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
		panic("templatedObject has no tmpl pointer")
	}
	tl.tmplOff = f.Offset
	sameLayout(f.Type.Elem(), reflect.TypeOf(tmplMirror{}))
	// Object is a templated function, Array.prototype a templated array:
	// both embed the templated object first.
	tl.types = map[reflect.Type]bool{l.templatedType: true}
	for _, src := range []string{"Object", "Array.prototype"} {
		v, err := goja.New().RunString(src)
		if err != nil {
			panic(err)
		}
		t := l.selfType(v.(*goja.Object))
		if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || t.Elem().NumField() == 0 {
			panic(src + " is not a struct pointer")
		}
		if f0 := t.Elem().Field(0); !f0.Anonymous || f0.Offset != 0 || f0.Type != ot {
			panic(src + " does not embed the templated object first")
		}
		tl.types[t] = true
	}
	tl.valuesOff = promotedOffset(ot, "values", typePropMap)
	tl.namesOff = promotedOffset(ot, "propNames", typePropNames)
	tl.propType = l.valueProperty
	sameLayout(l.valueProperty.Elem(), reflect.TypeOf(propMirror{}))

	// goja's global template, from a fresh runtime's global object.
	r := goja.New()
	o := r.GlobalObject()
	if l.selfType(o) != l.templatedType {
		panic("the global object is not a templated object")
	}
	base := *(**tmplMirror)(unsafe.Add(l.selfPtr(o), tl.tmplOff))
	if base == nil || base.props["Object"] == nil || len(base.propNames) != len(base.props) {
		panic("the global template does not list Object")
	}
	tl.base = base
	tl.globalIdx = make(map[unistring.String]int, len(base.propNames))
	for i, n := range base.propNames {
		tl.globalIdx[n] = i
	}
	tl.root = &tmplVersion{props: base.props, propNames: base.propNames}
	if err := tl.probe(r); err != nil {
		panic(err.Error())
	}
	return tl
}

// sameLayout panics unless goja's struct g has the fields of mirror m, in
// order, with the same names, offsets and (convertible) types.
func sameLayout(g, m reflect.Type) {
	if g.NumField() != m.NumField() || g.Size() != m.Size() {
		panic(fmt.Sprintf("%v: %d fields, %d bytes; expected %d, %d", g, g.NumField(), g.Size(), m.NumField(), m.Size()))
	}
	for i := 0; i < m.NumField(); i++ {
		gf, mf := g.Field(i), m.Field(i)
		if gf.Name != mf.Name || gf.Offset != mf.Offset || !sameType(gf.Type, mf.Type) {
			panic(fmt.Sprintf("%v.%s (%v at %d) does not match %s (%v at %d)", g, gf.Name, gf.Type, gf.Offset, mf.Name, mf.Type, mf.Offset))
		}
	}
}

// sameType reports whether a value of goja's type g may be read as m: the
// same type, or the same kind of container whose element types have
// identical representations (a named func type and its underlying type).
func sameType(g, m reflect.Type) bool {
	if g == m {
		return true
	}
	if g.Kind() != m.Kind() {
		return false
	}
	switch g.Kind() {
	case reflect.Map:
		return sameType(g.Key(), m.Key()) && sameType(g.Elem(), m.Elem())
	case reflect.Slice, reflect.Pointer:
		return sameType(g.Elem(), m.Elem())
	case reflect.Func:
		return g.ConvertibleTo(m)
	}
	return false
}

// promotedOffset is the offset in struct t of a field promoted from
// embedded structs (held by value), checked to have type want.
func promotedOffset(t reflect.Type, name string, want reflect.Type) uintptr {
	f, ok := t.FieldByName(name)
	if !ok || f.Type != want {
		panic(fmt.Sprintf("%v has no field %s of type %v", t, name, want))
	}
	var off uintptr
	cur := t
	for _, i := range f.Index {
		sf := cur.Field(i)
		off += sf.Offset
		cur = sf.Type
		if cur.Kind() == reflect.Pointer {
			panic(fmt.Sprintf("%v.%s is reached through a pointer", t, name))
		}
	}
	return off
}

// probe checks on a scratch runtime that a lazy global behaves as a plain
// global data property would.
func (tl *tmplLayout) probe(r *goja.Runtime) error {
	built := 0
	if !tl.add(r, "__gojaxProbe", func() goja.Value { built++; return r.ToValue(42) }) {
		return errors.New("gojax: probe global not added")
	}
	if built != 0 {
		return errors.New("gojax: probe global built before use")
	}
	v, err := r.RunString(`(function(){
		var names = Object.getOwnPropertyNames(globalThis);
		var listed = names.indexOf("__gojaxProbe") >= 0 && names.indexOf("Object") >= 0;
		var has = "__gojaxProbe" in globalThis && typeof __gojaxProbe === "number";
		var d = Object.getOwnPropertyDescriptor(globalThis, "__gojaxProbe");
		var attrs = d.value === 42 && d.writable && d.configurable && !d.enumerable;
		__gojaxProbe = 7;
		var set = __gojaxProbe === 7;
		var del = delete globalThis.__gojaxProbe && !("__gojaxProbe" in globalThis);
		return listed + "," + has + "," + attrs + "," + set + "," + del;
	})()`)
	if err != nil {
		return fmt.Errorf("gojax: probe: %v", err)
	}
	if s := v.String(); s != "true,true,true,true,true" || built != 1 {
		return fmt.Errorf("gojax: probe global misbehaved: %s (built %d times)", s, built)
	}
	return nil
}

// LazyGlobal defines name on vm's global object as a global that costs no
// object until something touches it: the first get, set, define, delete,
// descriptor read or value enumeration calls build (once, on vm's
// goroutine) and stores its result as a writable, configurable,
// non-enumerable data property, which behaves from then on as any other.
// Before that, "in", typeof-free checks like hasOwnProperty, and
// Object.getOwnPropertyNames see the name without building it. If build
// throws, nothing is stored and the next touch calls it again.
//
// It reports false, changing nothing, when the template mechanism is not
// available (layout mismatch, Disable), when the name is already on the
// global object or in goja's template, or when the name is an array index:
// the caller then defines the global its own way. Call it on the
// goroutine that owns vm.
func LazyGlobal(vm *goja.Runtime, name string, build func() goja.Value) bool {
	l := tmplGet()
	if l.err != nil || disabled.Load() {
		return false
	}
	return l.add(vm, name, build)
}

// SettleGlobalNames gives vm's global object its own list of names now, as
// goja does on the first define of a name outside its template. Until
// then goja enumerates the template's names, except after a top-level var
// is declared first, whose path starts the object's list with the var
// alone: Object.getOwnPropertyNames(globalThis) then lists only the var
// (a goja bug). LazyGlobal after this keeps the list whole. It reports
// false when the layout is not available or Disable is in force. Call it
// on the goroutine that owns vm.
func SettleGlobalNames(vm *goja.Runtime) bool {
	tl := tmplGet()
	if tl.err != nil || disabled.Load() {
		return false
	}
	l := get()
	o := vm.GlobalObject()
	if l.selfType(o) != l.templatedType {
		return false
	}
	g := tl.container(vm)
	if g == nil {
		return false
	}
	np := (*[]unistring.String)(unsafe.Add(l.selfPtr(o), tl.namesOff))
	if *np == nil {
		*np = append([]unistring.String(nil), g.t.propNames...)
	}
	return true
}

func (tl *tmplLayout) add(vm *goja.Runtime, name string, build func() goja.Value) bool {
	if name == "" || isIndexName(name) || build == nil {
		return false
	}
	l := get()
	o := vm.GlobalObject()
	if l.selfType(o) != l.templatedType {
		return false
	}
	p := l.selfPtr(o)
	values := *(*map[unistring.String]goja.Value)(unsafe.Add(p, tl.valuesOff))
	key := unistring.NewFromString(name)
	if _, exists := values[key]; exists {
		return false
	}
	g := tl.container(vm)
	if g == nil {
		return false
	}
	if _, exists := g.t.props[key]; exists {
		return false
	}
	v := tl.child(g.version, key)
	g.version = v
	g.t.props, g.t.propNames = v.props, v.propNames
	i := len(v.propNames) - 1 - len(tl.base.propNames)
	if g.builders == nil {
		g.builders = make([]func() goja.Value, 0, 48) // the bindings add ~40
	}
	for len(g.builders) <= i {
		g.builders = append(g.builders, nil)
	}
	g.builders[i] = build
	// goja copies the template's names into the object the first time a
	// name outside the template is added; from then on the object's own
	// list is the one enumerated, so the new name goes there too.
	np := (*[]unistring.String)(unsafe.Add(p, tl.namesOff))
	if names := *np; names != nil {
		if cap(names) > len(names) && names[:cap(names)][cap(names)-1] == "" {
			*np = append(names, key) // goja appends in place too when the list is not marked for copying
		} else {
			n := make([]unistring.String, len(names), 2*len(names)+1)
			copy(n, names)
			*np = append(n, key)
		}
	}
	return true
}

// container returns vm's per-runtime global template, pointing the global
// object at a new one first if it still has goja's; nil if the global
// object is not what this package expects. vm's goroutine.
func (tl *tmplLayout) container(vm *goja.Runtime) *globalsTmpl {
	l := get()
	o := vm.GlobalObject()
	if l.selfType(o) != l.templatedType {
		return nil
	}
	tp := (*unsafe.Pointer)(unsafe.Add(l.selfPtr(o), tl.tmplOff))
	if *tp == unsafe.Pointer(tl.base) {
		g := &globalsTmpl{t: *tl.base, owner: vm, version: tl.root}
		*tp = unsafe.Pointer(g)
		return g
	}
	return tl.containerOf(vm) // nil: someone else's template, left alone
}

// containerOf returns r's per-runtime global template, or nil if r's
// global object still has goja's. Only this file ever points a global
// object at anything else, and only at a globalsTmpl owned by its runtime.
func (tl *tmplLayout) containerOf(r *goja.Runtime) *globalsTmpl {
	l := get()
	o := r.GlobalObject()
	if l.selfType(o) != l.templatedType {
		return nil
	}
	t := *(*unsafe.Pointer)(unsafe.Add(l.selfPtr(o), tl.tmplOff))
	if t == nil || t == unsafe.Pointer(tl.base) {
		return nil
	}
	g := (*globalsTmpl)(t)
	if g.owner != r || g.version == nil {
		return nil
	}
	return g
}

// child returns the version of v with name added, making it on first use.
func (tl *tmplLayout) child(v *tmplVersion, name unistring.String) *tmplVersion {
	versionsMu.Lock()
	defer versionsMu.Unlock()
	if c := v.children[name]; c != nil {
		return c
	}
	c := &tmplVersion{props: make(map[unistring.String]factory, len(v.props)+1)}
	for k, f := range v.props {
		c.props[k] = f
	}
	c.props[name] = tl.lazyFactory(len(v.propNames) - len(tl.base.propNames))
	c.propNames = append(v.propNames[:len(v.propNames):len(v.propNames)], name)
	if v.children == nil {
		v.children = make(map[unistring.String]*tmplVersion)
	}
	v.children[name] = c
	return c
}

// lazyFactory is the template factory of an extra name, the i-th past
// goja's own in its version's names: it finds the runtime's builder
// through its global object's template (the only template that lists the
// name) and wraps the value as a writable, configurable, non-enumerable
// data property.
func (tl *tmplLayout) lazyFactory(i int) factory {
	return func(r *goja.Runtime) goja.Value {
		g := tl.containerOf(r)
		if g == nil || i >= len(g.builders) {
			return nil
		}
		b := g.builders[i]
		if b == nil {
			return nil
		}
		v := b()
		if v == nil {
			v = goja.Undefined()
		}
		prop := reflect.New(tl.propType.Elem())
		m := (*propMirror)(prop.UnsafePointer())
		m.value, m.writable, m.configurable = v, true, true
		return prop.Interface().(goja.Value)
	}
}

// hookVersion is goja's template of one built-in object with some of its
// properties deferred: t is what the object points at (goja's entries, the
// deferred names' factories replaced by hooked ones). Versions form a
// trie per base template keyed by the deferred name, shared by every
// runtime (process-wide, under versionsMu); hooks maps the t of every
// version made to it, so that an object's template can be told ours or
// goja's.
type hookVersion struct {
	t        tmplMirror
	base     *tmplMirror
	keys     map[unistring.String]int // the hooked names, each with its deferIDOf
	children map[unistring.String]*hookVersion
}

var (
	hooks     = map[*tmplMirror]*hookVersion{}                      // under versionsMu
	hookRoots = map[*tmplMirror]map[unistring.String]*hookVersion{} // under versionsMu: first-level versions per base
)

// DeferProperty arranges for wrap to replace the value of the built-in
// property o[key] at the moment goja first creates it, by whatever route
// (a get, a descriptor read, a delete, a define, enumeration of values):
// the property is created with wrap's result as its value and the
// attributes goja gives it (a method: writable, configurable, not
// enumerable). wrap gets the value goja made and runs on vm's goroutine;
// several wraps of one property apply in the order given, each to the
// previous result. If a wrap panics, nothing is stored and the next touch
// of the property runs them again: the original is never observable
// through the property.
//
// It reports false, changing nothing, when o is not one of goja's lazily
// built ("templated") objects other than the global object, key is not one
// of its template's names, the property already exists, the layout is not
// available, or Disable is in force: the caller then wraps the property
// now. Call it on the goroutine that owns vm, for an object of vm.
func DeferProperty(vm *goja.Runtime, o *goja.Object, key string, wrap func(orig goja.Value) goja.Value) bool {
	tl := tmplGet()
	if tl.err != nil || disabled.Load() || wrap == nil || o == nil || o == vm.GlobalObject() {
		return false
	}
	l := get()
	if !tl.types[l.selfType(o)] {
		return false
	}
	p := l.selfPtr(o)
	k := unistring.NewFromString(key)
	if _, exists := (*(*map[unistring.String]goja.Value)(unsafe.Add(p, tl.valuesOff)))[k]; exists {
		return false
	}
	tp := (*unsafe.Pointer)(unsafe.Add(p, tl.tmplOff))
	cur := (*tmplMirror)(*tp)
	if cur == nil {
		return false
	}
	versionsMu.Lock()
	hv := hooks[cur]
	versionsMu.Unlock()
	base := cur
	if hv != nil {
		base = hv.base
	}
	if base.props[k] == nil {
		return false
	}
	g := tl.container(vm)
	if g == nil {
		return false
	}
	id, hooked := 0, false
	if hv != nil {
		id, hooked = hv.keys[k]
	}
	if !hooked {
		hv = tl.hookChild(hv, base, k)
		*tp = unsafe.Pointer(&hv.t)
		id = hv.keys[k]
	}
	if id >= len(g.deferred) {
		g.deferred = append(g.deferred, make([]func(goja.Value) goja.Value, max(id+1-len(g.deferred), 160-len(g.deferred)))...)
	}
	if prev := g.deferred[id]; prev != nil {
		g.deferred[id] = func(v goja.Value) goja.Value { return wrap(prev(v)) }
	} else {
		g.deferred[id] = wrap
	}
	return true
}

// deferIDs numbers the properties ever deferred, process-wide, so that a
// runtime keeps its wraps in a slice (a few bytes a name) rather than a
// map (~70 bytes a name, most of them never made: ~7 KB an isolate).
var deferIDs = map[deferKey]int{} // under versionsMu

// deferIDLocked returns the id of dk, numbering it on first use. Under
// versionsMu.
func deferIDLocked(dk deferKey) int {
	id, ok := deferIDs[dk]
	if !ok {
		id = len(deferIDs)
		deferIDs[dk] = id
	}
	return id
}

// TemplateValue returns a value goja's template makes for the built-in
// property o[key] (for a method, a new function object that behaves as
// goja's own), without creating the property or running any deferred
// wrap: for the caller that needs goja's original while the property
// itself may not exist yet, or may hold what a script put there. Nil when
// o is not one of goja's templated objects other than the global object,
// key is not one of its template's names or an accessor, the layout is
// not available, or Disable is in force. Call it on the goroutine that
// owns vm, for an object of vm.
func TemplateValue(vm *goja.Runtime, o *goja.Object, key string) goja.Value {
	tl := tmplGet()
	if tl.err != nil || disabled.Load() || o == nil || o == vm.GlobalObject() {
		return nil
	}
	l := get()
	if !tl.types[l.selfType(o)] {
		return nil
	}
	cur := (*tmplMirror)(*(*unsafe.Pointer)(unsafe.Add(l.selfPtr(o), tl.tmplOff)))
	if cur == nil {
		return nil
	}
	versionsMu.Lock()
	if hv := hooks[cur]; hv != nil {
		cur = hv.base
	}
	versionsMu.Unlock()
	return tl.made(vm, cur.props[unistring.NewFromString(key)])
}

// Intrinsic returns goja's own global[name][key] (Object.freeze): the value
// goja's templates make for it, whatever a script has done to the global
// or to the property since; when goja has dropped the object's template
// (every name made) the property as it is now on goja's object, not on
// what the global holds; without the layout, vm's global as it is. For
// code that needs a built-in long after boot without paying for it at
// boot. Nil if there is none. Call it on the goroutine that owns vm.
func Intrinsic(vm *goja.Runtime, name, key string) goja.Value {
	o, _ := GlobalOriginal(vm, name).(*goja.Object)
	if o == nil {
		o, _ = vm.Get(name).(*goja.Object)
		if o == nil {
			return nil
		}
	}
	if v := TemplateValue(vm, o, key); v != nil {
		return v
	}
	return o.Get(key)
}

// made is the value factory f makes (nil f: nil), unwrapped from goja's
// property record; nil for an accessor.
func (tl *tmplLayout) made(vm *goja.Runtime, f factory) goja.Value {
	if f == nil {
		return nil
	}
	v := f(vm)
	if v != nil && reflect.TypeOf(v) == tl.propType {
		m := (*propMirror)(reflect.ValueOf(v).UnsafePointer())
		if m.accessor {
			return nil
		}
		return m.value
	}
	return v
}

// hookChild returns the version of parent (nil: base itself) with k
// hooked, making it on first use.
func (tl *tmplLayout) hookChild(parent *hookVersion, base *tmplMirror, k unistring.String) *hookVersion {
	versionsMu.Lock()
	defer versionsMu.Unlock()
	kids := hookRoots[base]
	from := base
	if parent != nil {
		kids, from = parent.children, &parent.t
	}
	if c := kids[k]; c != nil {
		return c
	}
	c := &hookVersion{t: *from, base: base, keys: map[unistring.String]int{k: deferIDLocked(deferKey{base, k})}}
	if parent != nil {
		for x, id := range parent.keys {
			c.keys[x] = id
		}
	}
	c.t.props = make(map[unistring.String]factory, len(from.props))
	for x, f := range from.props {
		c.t.props[x] = f
	}
	c.t.props[k] = tl.hookedFactory(base, k, base.props[k])
	if parent == nil {
		if kids == nil {
			kids = map[unistring.String]*hookVersion{}
			hookRoots[base] = kids
		}
	} else if parent.children == nil {
		parent.children = map[unistring.String]*hookVersion{}
		kids = parent.children
	}
	kids[k] = c
	hooks[&c.t] = c
	return c
}

// hookedFactory is the factory of a deferred property: goja's own, then
// the runtime's wraps for it (none: goja's value, as for a runtime that
// deferred nothing but shares the version).
// Called under versionsMu.
func (tl *tmplLayout) hookedFactory(base *tmplMirror, k unistring.String, orig factory) factory {
	id := deferIDLocked(deferKey{base, k})
	return func(r *goja.Runtime) goja.Value {
		v := orig(r)
		g := tl.containerOf(r)
		if g == nil || id >= len(g.deferred) || g.deferred[id] == nil || v == nil {
			return v
		}
		var fv goja.Value
		var m *propMirror
		if reflect.TypeOf(v) == tl.propType {
			m = (*propMirror)(reflect.ValueOf(v).UnsafePointer())
			if m.accessor {
				return v
			}
			fv = m.value
		} else {
			fv = v
		}
		fv = g.deferred[id](fv)
		g.deferred[id] = nil // only once every wrap has succeeded
		if m == nil {
			return fv
		}
		prop := reflect.New(tl.propType.Elem())
		nm := (*propMirror)(prop.UnsafePointer())
		*nm = *m
		nm.value = fv
		return prop.Interface().(goja.Value)
	}
}

// HookGlobal arranges for hook to replace the value of goja's own global
// vm[name] (one of the names of goja's global template: Int8Array,
// ArrayBuffer...) at the moment goja first creates it, by whatever route
// (a get, typeof, a descriptor read, a delete, a define, enumeration of
// values, with, Reflect): the property is created with hook's result as
// its value and goja's attributes. hook gets goja's value and runs on vm's
// goroutine; if it panics nothing is stored and the next touch calls it
// again, so goja's value is never observable through the property.
// Several hooks of one name apply in the order given, each to the previous
// result (a panic in any: all run again at the next touch).
//
// It reports false, changing nothing, when the layout is not available
// (or Disable is in force), name is not one of goja's global names, or
// the property already exists: the caller then does its work now. Call it
// on the goroutine that owns vm.
func HookGlobal(vm *goja.Runtime, name string, hook func(orig goja.Value) goja.Value) bool {
	tl := tmplGet()
	if tl.err != nil || disabled.Load() || hook == nil {
		return false
	}
	l := get()
	o := vm.GlobalObject()
	if l.selfType(o) != l.templatedType {
		return false
	}
	key := unistring.NewFromString(name)
	if tl.base.props[key] == nil {
		return false
	}
	if _, exists := (*(*map[unistring.String]goja.Value)(unsafe.Add(l.selfPtr(o), tl.valuesOff)))[key]; exists {
		return false
	}
	g := tl.container(vm)
	if g == nil {
		return false
	}
	i, ok := tl.globalIdx[key]
	if !ok {
		return false
	}
	if g.hooks == nil {
		g.hooks = make([]func(goja.Value) goja.Value, len(tl.globalIdx))
	}
	if prev := g.hooks[i]; prev != nil {
		g.hooks[i] = func(v goja.Value) goja.Value { return hook(prev(v)) }
		return true
	}
	v := tl.hookGlobalChild(g.version, key)
	g.version = v
	g.t.props, g.t.propNames = v.props, v.propNames
	g.hooks[i] = hook
	return true
}

// hookGlobalChild returns the version of v with goja's name hooked,
// making it on first use.
func (tl *tmplLayout) hookGlobalChild(v *tmplVersion, name unistring.String) *tmplVersion {
	versionsMu.Lock()
	defer versionsMu.Unlock()
	if c := v.hookKids[name]; c != nil {
		return c
	}
	c := &tmplVersion{props: make(map[unistring.String]factory, len(v.props)), propNames: v.propNames}
	for k, f := range v.props {
		c.props[k] = f
	}
	c.props[name] = tl.hookedGlobalFactory(name, tl.base.props[name])
	if v.hookKids == nil {
		v.hookKids = make(map[unistring.String]*tmplVersion)
	}
	v.hookKids[name] = c
	return c
}

// hookedGlobalFactory is the factory of a hooked global: goja's, then the
// runtime's hook on the value (none: goja's value).
func (tl *tmplLayout) hookedGlobalFactory(name unistring.String, orig factory) factory {
	i := tl.globalIdx[name]
	return func(r *goja.Runtime) goja.Value {
		v := orig(r)
		g := tl.containerOf(r)
		if g == nil || i >= len(g.hooks) || g.hooks[i] == nil || v == nil {
			return v
		}
		hook := g.hooks[i]
		if reflect.TypeOf(v) != tl.propType {
			return hook(v)
		}
		m := (*propMirror)(reflect.ValueOf(v).UnsafePointer())
		if m.accessor {
			return v
		}
		fv := hook(m.value)
		prop := reflect.New(tl.propType.Elem())
		nm := (*propMirror)(prop.UnsafePointer())
		*nm = *m
		nm.value = fv
		return prop.Interface().(goja.Value)
	}
}

// GlobalOriginal returns the value goja's global template makes for name
// (goja's own constructor, for ArrayBuffer), without creating the global
// property or running any hook: for the caller that wraps it before a
// script can see it. Nil when the layout is not available or name is not
// one of goja's global names. Disable does not affect it (a runtime
// already hooked keeps working). Call it on the goroutine that owns vm.
func GlobalOriginal(vm *goja.Runtime, name string) goja.Value {
	tl := tmplGet()
	if tl.err != nil {
		return nil
	}
	return tl.made(vm, tl.base.props[unistring.NewFromString(name)])
}

// SetBufferHook registers fn as vm's buffer hook: EnsureBuffers and
// NewArrayBuffer call it before goja makes an ArrayBuffer for a script
// (whose prototype's constructor is reachable from it). It reports false
// when the layout is not available: the caller then installs what fn
// would now. Call it on the goroutine that owns vm.
func SetBufferHook(vm *goja.Runtime, fn func() error) bool {
	tl := tmplGet()
	if tl.err != nil || disabled.Load() {
		return false
	}
	g := tl.container(vm)
	if g == nil {
		return false
	}
	g.buffers = fn
	return true
}

// EnsureBuffers runs vm's buffer hook (SetBufferHook), if any, and returns
// its error. Every Go site that hands a script an ArrayBuffer or a typed
// array it did not get from a script calls it first (NewArrayBuffer does).
// Call it on the goroutine that owns vm.
func EnsureBuffers(vm *goja.Runtime) error {
	tl := tmplGet()
	if tl.err != nil {
		return nil
	}
	g := tl.containerOf(vm)
	if g == nil || g.buffers == nil {
		return nil
	}
	return g.buffers()
}

// NewArrayBuffer is vm.NewArrayBuffer(data) after EnsureBuffers: the only
// way this module's Go code makes an ArrayBuffer. On error nothing is made.
// Call it on the goroutine that owns vm.
func NewArrayBuffer(vm *goja.Runtime, data []byte) (goja.ArrayBuffer, error) {
	if err := EnsureBuffers(vm); err != nil {
		return goja.ArrayBuffer{}, err
	}
	return vm.NewArrayBuffer(data), nil
}
