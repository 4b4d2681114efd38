package engine

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf16"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/engine/guard"
	"github.com/isobox/isobox/engine/module"
)

// ES modules, TypeScript and JSX. Package engine/module bundles a file's
// graph with esbuild into one async function (see its documentation);
// this file caches the compiled bundles per host, runs them, and gives
// them import.meta and run-time import().

// ModuleSource names a file to run as an ES module, whatever its
// extension (new Worker(url, {type: "module"})). path is the name errors
// and stack traces use; it is made absolute against the working directory
// when the module is built. Nothing is read until Spawn. Any goroutine.
func ModuleSource(path string) Source { return Source{Kind: SourceModule, Filename: path} }

// IsModulePath reports whether a file of this name is always run as a
// module or compiled TypeScript/JSX (.mjs, .mts, .ts, .tsx, .jsx); a .js
// file is a module only when it does not parse as a script. Any goroutine.
func IsModulePath(path string) bool { return module.IsModulePath(path) }

// JSXOptions set the functions JSX compiles to in every module and
// TypeScript file the host builds; empty fields keep esbuild's defaults
// (React.createElement, React.Fragment) or what a tsconfig.json says.
type JSXOptions struct{ Factory, Fragment string }

// WithJSX configures JSX for the host's modules. Any goroutine may call
// it; it applies when NewHost runs.
func WithJSX(o JSXOptions) HostOption { return func(h *Host) { h.jsx = o } }

// ModuleBuilds returns how many module graphs the host has built (bundled
// and compiled) so far; a spawn or import() served from the cache builds
// nothing. Any goroutine.
func (h *Host) ModuleBuilds() int64 { return h.mods.builds.Load() }

// ModuleDiskHits returns how many module graphs the host read from its
// on-disk cache (WithModuleCache) instead of bundling them. Any goroutine.
func (h *Host) ModuleDiskHits() int64 { return h.mods.disk.Load() }

// modKey names one cached build.
type modKey struct {
	path, spec, dir string // path for a file entry; spec and dir for a run-time import()
	display         string
	force           bool
	reg             [32]byte // the registered files the build left out (moduleRun.regSum); zero: none
}

// modProg is a compiled module graph. Its program is shared by every
// isolate that runs it; each runs it into its own module instances.
type modProg struct {
	prog     *goja.Program
	module   bool // false: a TypeScript classic script
	inputs   []module.Input
	files    map[string]string // position file name -> absolute path
	registry []string          // module.Result.Registry
	reused   string            // module.Result.Reused: the entry is a registered file; nothing to run
}

// modCache caches compiled module graphs by entry, checked against the
// content of every file of the graph on each use. Bounded: a full cache
// starts over.
type modCache struct {
	mu     sync.Mutex
	m      map[modKey]*modProg
	builds atomic.Int64
	dir    string // WithModuleCache; "" = memory only
	disk   atomic.Int64
}

const modCacheMax = 256

// build returns the compiled graph for entry, from the cache when every
// file it read is unchanged and readable under caps. A .js entry with no
// module syntax returns (nil, nil): the caller runs it as a classic
// script. Any goroutine.
func (h *Host) buildModule(entry module.Entry, caps *Capabilities) (*modProg, error) {
	return h.buildModuleIn(entry, caps, nil)
}

// buildModuleIn is buildModule for an isolate that already has module
// instances, reg (nil: none): those files are not bundled again. Any
// goroutine; reg is only read.
func (h *Host) buildModuleIn(entry module.Entry, caps *Capabilities, reg *moduleRun) (*modProg, error) {
	c := &h.mods
	key := modKey{path: entry.Path, spec: entry.Spec, dir: entry.Dir, display: entry.Display, force: entry.ForceModule}
	var registered func(string) bool
	if reg != nil && len(reg.reg) > 0 {
		key.reg = reg.regSum
		set := reg.reg
		registered = func(p string) bool { _, ok := set[p]; return ok }
	}
	canRead := func(p string) bool { return caps.canReadModule(p) }
	c.mu.Lock()
	mp := c.m[key]
	c.mu.Unlock()
	if mp != nil && fresh(mp.inputs, canRead) {
		return mp, nil
	}
	res := c.loadDisk(key, canRead)
	fromDisk := res != nil
	if fromDisk {
		c.disk.Add(1)
	} else {
		var err error
		res, err = module.Build(entry, module.Options{
			CanRead:     canRead,
			Check:       checkModuleText,
			Registered:  registered,
			JSXFactory:  h.jsx.Factory,
			JSXFragment: h.jsx.Fragment,
		})
		if err != nil {
			return nil, moduleError(err)
		}
		defer c.storeDisk(key, res) // once it compiled
	}
	if res.Reused != "" {
		return &modProg{module: true, reused: res.Reused}, nil
	}
	if !res.Module && res.Code == "" {
		return nil, nil
	}
	if !fromDisk {
		c.builds.Add(1)
	}
	name := entry.Display
	if name == "" {
		name = entry.Path
	}
	mp = &modProg{module: res.Module, inputs: res.Inputs, files: res.Files, registry: res.Registry}
	var err error
	if mp.prog, err = compileModule(name, res.Code); err != nil {
		res.Inputs = nil // not stored
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= modCacheMax {
		c.m = make(map[modKey]*modProg)
	}
	c.m[key] = mp
	c.mu.Unlock()
	return mp, nil
}

// fresh reports whether every input is still readable and unchanged.
func fresh(inputs []module.Input, canRead func(string) bool) bool {
	for _, in := range inputs {
		if !canRead(in.Path) {
			return false
		}
		b, err := os.ReadFile(in.Path)
		if err != nil || sha256.Sum256(b) != in.Sum {
			return false
		}
	}
	return true
}

// checkModuleText is the guards' check of a file before esbuild parses it.
func checkModuleText(name, text string) error {
	if err := guard.CheckNesting(text, guard.DefaultMaxNesting); err != nil {
		return fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "guard: "))
	}
	return nil
}

// compileModule compiles a bundle through the engine's compile helper:
// the nesting scanner, then compileChecked (the BigInt check, the
// operator and import() rewrite, and goja).
func compileModule(name, code string) (*goja.Program, error) {
	if err := guard.CheckNesting(code, guard.DefaultMaxNesting); err != nil {
		return nil, &ScriptError{Name: "SyntaxError", Message: strings.TrimPrefix(err.Error(), "guard: "), Cause: err}
	}
	return compileChecked(name, code)
}

// moduleError makes a build error a ScriptError: a SyntaxError at its
// original position, or an Error saying what was refused or not found.
func moduleError(err error) error {
	var me *module.Error
	if errors.As(err, &me) {
		if me.Syntax {
			return &ScriptError{Name: "SyntaxError", Message: me.Error(), Cause: err}
		}
		msg := me.Message
		if me.File != "" && me.Line > 0 {
			msg = fmt.Sprintf("%s (at %s:%d:%d)", msg, me.File, me.Line, me.Column)
		}
		return &ScriptError{Name: "Error", Message: msg, Cause: err}
	}
	return &ScriptError{Name: "Error", Message: err.Error(), Cause: err}
}

// canReadModule is canRead for module graphs: the read roots, and the
// node_modules directories of their ancestors (where bare specifiers
// resolve from).
func (c *Capabilities) canReadModule(path string) bool {
	if c.canRead(path) {
		return true
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for _, root := range c.ReadRoots {
		for dir := root; ; {
			nm := filepath.Join(dir, "node_modules")
			if rel, err := filepath.Rel(nm, abs); err == nil && rel != "." && !filepath.IsAbs(rel) && rel != ".." && !startsWithDotDot(rel) {
				return true
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return false
}

// compileFor compiles src for a spawn with capabilities caps (relative
// file names read against workDir, "" = the working directory): a module
// graph for a SourceModule (or a .js script that only parses as a
// module), the cached script otherwise.
func (h *Host) compileFor(src Source, caps *Capabilities, workDir string) (*goja.Program, *modProg, error) {
	switch {
	case src.Kind == SourceModule:
		abs, err := absIn(workDir, src.Filename)
		if err != nil {
			return nil, nil, err
		}
		if _, err := os.Stat(abs); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, nil, fmt.Errorf("%w: cannot find file %s", ErrNotFound, src.Filename)
			}
			return nil, nil, fmt.Errorf("cannot read %s: %w", src.Filename, err)
		}
		force := !module.IsModulePath(abs)
		mp, err := h.buildModule(module.Entry{Path: abs, Display: src.Filename, ForceModule: force}, caps)
		if err != nil {
			return nil, nil, err
		}
		if mp == nil { // a .js file read as a classic script after all
			s, err := FileSource(src.Filename)
			if err != nil {
				return nil, nil, err
			}
			p, err := h.progs.compile(s)
			return p, nil, err
		}
		return mp.prog, mp, nil
	case src.Kind == SourceScript && src.Filename != "" && strings.EqualFold(filepath.Ext(src.Filename), ".js"):
		p, err := h.progs.compile(src)
		var se *ScriptError
		if err == nil || !errors.As(err, &se) || se.Name != "SyntaxError" {
			return p, nil, err
		}
		// Node's detection: a .js file that is not a valid script but
		// has module syntax is a module.
		abs, aerr := absIn(workDir, src.Filename)
		if aerr != nil {
			return nil, nil, err
		}
		if b, rerr := os.ReadFile(abs); rerr != nil || !sameScript(string(b), src.Code) {
			return nil, nil, err
		}
		mp, merr := h.buildModule(module.Entry{Path: abs, Display: src.Filename}, caps)
		if merr != nil || mp == nil {
			return nil, nil, err // not a module: the script's syntax error
		}
		return mp.prog, mp, nil
	}
	p, err := h.progs.compile(src)
	return p, nil, err
}

// absIn makes a file name absolute against dir ("" = the working
// directory).
func absIn(dir, name string) (string, error) {
	if dir == "" || filepath.IsAbs(name) {
		return filepath.Abs(name)
	}
	return filepath.Join(dir, name), nil
}

// sameScript reports whether a file's text is the script's code (the CLI
// turns a "#!" line into a comment).
func sameScript(file, code string) bool {
	if file == code {
		return true
	}
	return strings.HasPrefix(file, "#!") && strings.HasPrefix(code, "//") && file[2:] == code[2:]
}

// moduleRun is an isolate's module state: import.meta objects and the
// namespaces of run-time imports, per absolute path. Loop only.
type moduleRun struct {
	files   map[string]string       // position file name -> absolute path, over every graph run
	metas   map[string]*goja.Object // absolute path -> import.meta
	imports map[string]*goja.Object // absolute entry path -> promise of its completion
	ctx     *goja.Object            // __isobox_ctx
	// reg is the registry of module instances: the namespace of every
	// module a graph run here evaluated through static imports, by
	// absolute path, so that an import() of the same file, from any
	// source, finds the same instance, and a later graph reads it rather
	// than bundling its own (module.Options.Registered). esbuild's
	// goroutines read it during a build, which the loop waits for.
	// regSum is the SHA-256 of its sorted paths.
	reg     map[string]regEntry
	regSum  [32]byte
	current *graphRun // the graph whose bundle is running its first step
	// preventExt is Object.preventExtensions as it was when the first
	// module ran, for namespace targets (nil if it was not a function).
	preventExt goja.Callable
}

// graphRun is one run of a graph's bundle in an isolate.
type graphRun struct {
	mp   *modProg
	fn   goja.Callable // the bundle's registry function, once it has given it
	done *goja.Object  // the promise of the bundle's completion, once it has returned it
}

// regEntry finds one module's namespace: element idx of what its graph's
// registry function returns (undefined until that module has started).
type regEntry struct {
	run *graphRun
	idx int
}

// runModule runs a compiled graph in this isolate and returns the promise
// of its completion (top-level await included); done is called with the
// entry's namespace when its body has run. Loop only.
func (iso *Isolate) runModule(mp *modProg, done func(ns *goja.Object) error) (*goja.Object, error) {
	mr := iso.ensureMods()
	for k, v := range mp.files {
		mr.files[k] = v
	}
	if err := iso.Prepare(mp.prog); err != nil {
		return nil, err
	}
	v, err := iso.vm.RunProgram(mp.prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, &ScriptError{Name: "InternalError", Message: "module bundle is not a function"}
	}
	run := &graphRun{mp: mp}
	doneFn := iso.named("", func(c goja.FunctionCall) goja.Value {
		ns, _ := c.Argument(0).(*goja.Object)
		if reg, ok := goja.AssertFunction(c.Argument(1)); ok {
			iso.register(run, reg) // when the bundle could not register early
		}
		if err := done(ns); err != nil {
			panic(iso.jsErrorValue(err))
		}
		return goja.Undefined()
	})
	prev := mr.current
	mr.current = run
	p, err := fn(goja.Undefined(), mr.ctx, doneFn)
	mr.current = prev
	if err != nil {
		return nil, err
	}
	obj, _ := p.(*goja.Object)
	run.done = obj
	return obj, nil
}

// ensureMods returns the isolate's module state, made on first use. Loop
// only.
func (iso *Isolate) ensureMods() *moduleRun {
	if iso.mods == nil {
		mr := &moduleRun{files: map[string]string{}, metas: map[string]*goja.Object{}, imports: map[string]*goja.Object{}}
		mr.ctx = iso.vm.NewObject()
		getter := iso.named("get meta", func(goja.FunctionCall) goja.Value { return iso.importMeta() })
		_ = mr.ctx.DefineAccessorProperty("meta", getter, nil, goja.FLAG_FALSE, goja.FLAG_FALSE)
		_ = mr.ctx.Set("early", iso.named("early", func(c goja.FunctionCall) goja.Value {
			if fn, ok := goja.AssertFunction(c.Argument(0)); ok && mr.current != nil {
				iso.register(mr.current, fn)
			}
			return goja.Undefined()
		}))
		_ = mr.ctx.Set("export", iso.named("__export", iso.fillNamespace))
		// goja's, whatever a script did to Object before its first import.
		mr.preventExt, _ = goja.AssertFunction(guard.Intrinsic(iso.vm, "Object", "preventExtensions"))
		_ = mr.ctx.Set("reg", iso.named("reg", func(c goja.FunctionCall) goja.Value {
			return iso.registered(c.Argument(0).String())
		}))
		iso.mods = mr
	}
	return iso.mods
}

// register adds a run's modules to the registry (those not in it yet: the
// first instance of a file stays the one import() finds). Loop only.
func (iso *Isolate) register(run *graphRun, fn goja.Callable) {
	if run.fn != nil {
		return
	}
	run.fn = fn
	mr := iso.mods
	added := false
	for i, p := range run.mp.registry {
		if _, ok := mr.reg[p]; ok {
			continue
		}
		if mr.reg == nil {
			mr.reg = map[string]regEntry{}
		}
		mr.reg[p] = regEntry{run: run, idx: i}
		added = true
	}
	if !added {
		return
	}
	mr.regSum = sha256.Sum256([]byte(strings.Join(registeredKeys(mr.reg), "\x00")))
}

// lookup returns the namespace of a registered module, or nil while its
// module has not started. Loop only.
func (iso *Isolate) lookup(path string) *goja.Object {
	e, ok := iso.mods.reg[path]
	if !ok || e.run.fn == nil {
		return nil
	}
	v, err := e.run.fn(goja.Undefined())
	if err != nil {
		return nil
	}
	arr, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	ns, _ := arr.Get(strconv.Itoa(e.idx)).(*goja.Object)
	return ns
}

// registered is __isobox_ctx.reg(path): the object a later graph's
// stand-in module for a registered file exports, with a getter for each of
// the instance's exports (so that they stay live) and __esModule, which
// esbuild's interop reads. Loop only.
func (iso *Isolate) registered(path string) goja.Value {
	vm := iso.vm
	ns := iso.lookup(path)
	if ns == nil {
		panic(vm.NewTypeError("module " + path + " is still being evaluated by another graph"))
	}
	o := vm.NewObject()
	_ = o.SetPrototype(nil)
	for _, k := range ns.Keys() {
		k := k
		get := vm.ToValue(func(goja.FunctionCall) goja.Value { return ns.Get(k) }).(*goja.Object)
		_ = get.DefineDataProperty("name", vm.ToValue(""), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE) // not Go's name, in a stack
		_ = o.DefineAccessorProperty(k, get, nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	_ = o.DefineDataProperty("__esModule", vm.ToValue(true), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return o
}

// fillNamespace is esbuild's __export(target, all) made closer to a module
// namespace object: the exports in code unit order as enumerable,
// non-configurable accessors (a namespace's are writable data properties
// no script can write: an accessor without a setter behaves the same to
// reads, writes and deletes), a null prototype and Symbol.toStringTag
// "Module". It stays extensible: esbuild adds the exports of a CommonJS
// export * later. Loop only.
func (iso *Isolate) fillNamespace(c goja.FunctionCall) goja.Value {
	all, ok := c.Argument(1).(*goja.Object)
	if !ok {
		return goja.Undefined()
	}
	if goja.IsNull(c.Argument(0)) {
		return iso.newNamespace(all)
	}
	target, ok := c.Argument(0).(*goja.Object)
	if !ok {
		return goja.Undefined()
	}
	keys := all.Keys()
	sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
	for _, k := range keys {
		_ = target.DefineAccessorProperty(k, all.Get(k), nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	_ = target.SetPrototype(nil)
	_ = target.DefineDataPropertySymbol(goja.SymToStringTag, iso.vm.ToValue("Module"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return goja.Undefined()
}

// newNamespace makes a module namespace object (ECMA-262 10.4.6) over
// esbuild's getters, all: a proxy with native traps over a non-extensible
// target that holds every export as a non-configurable writable data
// property (value undefined) and Symbol.toStringTag, so that every proxy
// invariant holds for what the traps report. No script function runs
// but esbuild's getters. Loop only.
func (iso *Isolate) newNamespace(all *goja.Object) goja.Value {
	vm := iso.vm
	keys := all.Keys()
	sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
	getters := make(map[string]goja.Callable, len(keys))
	target := vm.NewObject()
	_ = target.SetPrototype(nil)
	for _, k := range keys {
		fn, ok := goja.AssertFunction(all.Get(k))
		if !ok {
			continue
		}
		getters[k] = fn
		_ = target.DefineDataProperty(k, goja.Undefined(), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	_ = target.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("Module"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	if pe := iso.mods.preventExt; pe != nil {
		_, _ = pe(goja.Undefined(), target)
	}
	get := func(k string) (goja.Value, bool) {
		fn, ok := getters[k]
		if !ok {
			return nil, false
		}
		v, err := fn(goja.Undefined())
		if err != nil {
			panic(err) // the binding's own error (a getter runs no other code)
		}
		return v, true
	}
	p := vm.NewProxy(target, &goja.ProxyTrapConfig{
		Get: func(_ *goja.Object, k string, _ goja.Value) goja.Value {
			if v, ok := get(k); ok {
				return v
			}
			return goja.Undefined()
		},
		Set:            func(*goja.Object, string, goja.Value, goja.Value) bool { return false },
		SetSym:         func(*goja.Object, *goja.Symbol, goja.Value, goja.Value) bool { return false },
		Has:            func(_ *goja.Object, k string) bool { _, ok := getters[k]; return ok },
		DeleteProperty: func(_ *goja.Object, k string) bool { _, ok := getters[k]; return !ok },
		GetOwnPropertyDescriptor: func(_ *goja.Object, k string) goja.PropertyDescriptor {
			v, ok := get(k)
			if !ok {
				return goja.PropertyDescriptor{}
			}
			return goja.PropertyDescriptor{Value: v, Writable: goja.FLAG_TRUE, Enumerable: goja.FLAG_TRUE, Configurable: goja.FLAG_FALSE}
		},
		DefineProperty: func(_ *goja.Object, k string, d goja.PropertyDescriptor) bool {
			v, ok := get(k)
			switch {
			case !ok, d.Configurable == goja.FLAG_TRUE, d.Enumerable == goja.FLAG_FALSE,
				d.Getter != nil, d.Setter != nil, d.Writable == goja.FLAG_FALSE:
				return false
			case d.Value != nil:
				return sameValue(d.Value, v)
			}
			return true
		},
		GetPrototypeOf:    func(*goja.Object) *goja.Object { return nil },
		SetPrototypeOf:    func(_ *goja.Object, proto *goja.Object) bool { return proto == nil },
		IsExtensible:      func(*goja.Object) bool { return false },
		PreventExtensions: func(*goja.Object) bool { return true },
	})
	return vm.ToValue(p)
}

// sameValue is SameValue(a, b).
func sameValue(a, b goja.Value) bool {
	if goja.IsNumber(a) && goja.IsNumber(b) {
		x, y := a.ToFloat(), b.ToFloat()
		if x != x && y != y {
			return true
		}
		return x == y && math.Signbit(x) == math.Signbit(y)
	}
	return a.StrictEquals(b)
}

// lessUTF16 orders strings by UTF-16 code units, as Array.prototype.sort
// and a namespace's keys do.
func lessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// callerFile returns the absolute path of the module whose code called
// the native running now, from its source-mapped position. Loop only.
func (iso *Isolate) callerFile() string {
	for _, f := range iso.vm.CaptureCallStack(8, nil) {
		name := f.Position().Filename
		if name == "" {
			continue
		}
		if p, ok := iso.mods.files[name]; ok {
			return p
		}
		// A classic script's frames carry its file name (a script the
		// REPL loaded, say): one that names a file is the caller.
		if !strings.HasPrefix(name, "<") {
			if p := iso.abs(name); fileExists(p) {
				return p
			}
		}
	}
	if iso.src.Filename != "" {
		return iso.abs(iso.src.Filename)
	}
	return ""
}

// fileExists reports whether path names a regular file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// importMeta returns import.meta for the calling module: url (a file:
// URL), filename and dirname. One object per module per isolate. Loop only.
func (iso *Isolate) importMeta() goja.Value {
	path := iso.callerFile()
	if m, ok := iso.mods.metas[path]; ok {
		return m
	}
	m := iso.vm.NewObject()
	_ = m.SetPrototype(nil) // as the specification's import.meta
	_ = m.Set("url", fileURL(path))
	_ = m.Set("filename", path)
	_ = m.Set("dirname", filepath.Dir(path))
	_ = m.Set("resolve", iso.named("resolve", func(c goja.FunctionCall) goja.Value {
		spec := toJSString(iso.vm, c.Argument(0))
		if strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../") || strings.HasPrefix(spec, "/") {
			return iso.vm.ToValue(fileURL(filepath.Join(filepath.Dir(path), spec)))
		}
		return iso.vm.ToValue(spec)
	}))
	iso.mods.metas[path] = m
	return m
}

// fileURL makes a file: URL of an absolute path.
func fileURL(path string) string {
	var sb strings.Builder
	sb.WriteString("file://")
	for _, r := range filepath.ToSlash(path) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("/-._~!$&'()*+,;=:@", r):
			sb.WriteRune(r)
		default:
			for _, b := range []byte(string(r)) {
				fmt.Fprintf(&sb, "%%%02X", b)
			}
		}
	}
	return sb.String()
}

// dynamicImport implements import(specifier, options) for every source
// of the isolate (the guards' Config.Import): a module graph, a classic
// script, the REPL, eval code. The specifier is resolved from the calling
// module's or script's directory (the working directory when the caller
// has no file) under the isolate's read rules and built as its own graph
// (cached by the host), evaluated once per isolate per resolved file. It
// returns a promise of the module's namespace; every failure, including a
// specifier whose conversion throws and bad options, rejects it, as the
// specification's import() does. Loop only.
func (iso *Isolate) dynamicImport(spec, opts goja.Value) goja.Value {
	vm := iso.vm
	rejected := func(v goja.Value) goja.Value {
		p, _, reject := iso.NewPromise()
		_ = reject(v)
		return vm.ToValue(p)
	}
	var s string
	if ex := vm.Try(func() { s = toJSString(vm, spec) }); ex != nil {
		return rejected(ex.Value())
	}
	if ex := vm.Try(func() { checkImportOptions(vm, opts) }); ex != nil {
		return rejected(ex.Value())
	}
	iso.ensureMods()
	base := iso.callerFile()
	dir := filepath.Dir(base)
	if base == "" {
		dir = iso.abs(".")
	}
	// Every file import() reaches is a module, as in the specification
	// (a file with no module syntax is one with no exports).
	return iso.importEntry(module.Entry{Spec: s, Dir: dir, Display: filepath.Join(dir, "<import>"), ForceModule: true})
}

// toJSString is ToString(v): an object through its conversion, a Symbol a
// TypeError (goja's String() gives a Symbol's description, so that
// import(Symbol("./m.js")) imported ./m.js). Loop only.
func toJSString(vm *goja.Runtime, v goja.Value) string {
	if o, ok := v.(*goja.Object); ok {
		v = o.ToString()
	}
	if _, sym := v.(*goja.Symbol); sym {
		panic(vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	return v.String()
}

// checkImportOptions checks import()'s second argument as the
// specification does (EvaluateImportCall): undefined, or an object whose
// "with" property is undefined or an object of string values; anything
// else throws a TypeError. Loop only.
func checkImportOptions(vm *goja.Runtime, opts goja.Value) {
	if opts == nil || goja.IsUndefined(opts) {
		return
	}
	o, ok := opts.(*goja.Object)
	if !ok {
		panic(vm.NewTypeError("import(): the options must be an object"))
	}
	with := o.Get("with")
	if with == nil || goja.IsUndefined(with) {
		return
	}
	wo, ok := with.(*goja.Object)
	if !ok {
		panic(vm.NewTypeError("import(): options.with must be an object"))
	}
	keys := wo.Keys()
	for _, k := range keys {
		if !goja.IsString(wo.Get(k)) {
			panic(vm.NewTypeError("import(): the value of import attribute " + strconv.Quote(k) + " must be a string"))
		}
	}
	for _, k := range keys {
		if err := module.CheckAttribute(k, wo.Get(k).String()); err != nil {
			se, _ := guard.Intrinsic(vm, "SyntaxError", "").(*goja.Object) // goja's, not the global's
			if e, nerr := vm.New(se, vm.ToValue("import(): "+err.Error())); nerr == nil {
				panic(e)
			}
			panic(vm.NewTypeError("import(): " + err.Error()))
		}
	}
}

// ImportFile runs the file at path as an ES module in this isolate (the
// REPL's .load of a module) and returns the promise of its namespace. The
// path resolves as ReadFile's does and must be readable. A .js file that
// parses as a classic script is not a module: the error wraps ErrNotModule.
// A file already imported this way is not run again. Loop only.
func (iso *Isolate) ImportFile(path string) (goja.Value, error) {
	abs := iso.Resolve(path)
	if !iso.cfg.caps.canRead(abs) {
		return nil, fmt.Errorf("%w: cannot read %s", ErrPermission, abs)
	}
	if _, err := os.Stat(abs); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: cannot find file %s", ErrNotFound, path)
		}
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	mp, err := iso.host.buildModuleIn(module.Entry{Path: abs, Display: path}, &iso.cfg.caps, iso.mods)
	if err != nil {
		return nil, err
	}
	if mp == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotModule, path)
	}
	return iso.importGraphErr(mp)
}

// importEntry builds entry's graph and imports it. Loop only.
func (iso *Isolate) importEntry(entry module.Entry) goja.Value {
	mp, err := iso.host.buildModuleIn(entry, &iso.cfg.caps, iso.mods)
	if err == nil && mp == nil {
		err = &ScriptError{Name: "Error", Message: "import(): cannot import " + entry.Spec}
	}
	if err != nil {
		p, _, reject := iso.NewPromise()
		_ = reject(iso.jsErrorValue(err))
		return iso.vm.ToValue(p)
	}
	return iso.importGraph(mp)
}

// importGraph runs a built graph once per isolate (per entry file) and
// returns the promise of its entry's namespace. Loop only.
func (iso *Isolate) importGraph(mp *modProg) goja.Value {
	v, err := iso.importGraphErr(mp)
	if err != nil {
		panic(err) // an interrupt (kill, limit): goja unwinds the VM with it
	}
	return v
}

// importGraphErr is importGraph, returning the interrupt that stopped the
// module (kill, exit, a limit) instead of rejecting with it. Loop only.
func (iso *Isolate) importGraphErr(mp *modProg) (goja.Value, error) {
	key := ""
	if len(mp.inputs) > 0 {
		key = mp.inputs[0].Path
	}
	iso.ensureMods()
	if mp.reused != "" {
		return iso.importReused(mp.reused)
	}
	if prev, ok := iso.mods.imports[key]; ok && key != "" {
		return iso.again(prev)
	}
	p, resolve, reject := iso.NewPromise()
	if !mp.module { // a TypeScript classic script: run it as one
		err := iso.Prepare(mp.prog)
		if err == nil {
			_, err = iso.vm.RunProgram(mp.prog)
		}
		if err != nil {
			if interrupted(err) {
				return nil, err
			}
			_ = reject(iso.jsErrorValue(err))
		} else {
			_ = resolve(goja.Undefined())
		}
		return iso.vm.ToValue(p), nil
	}
	var nsv goja.Value = goja.Undefined()
	done, err := iso.runModule(mp, func(ns *goja.Object) error {
		if ns != nil {
			nsv = ns
		}
		return nil
	})
	if err != nil {
		if interrupted(err) {
			return nil, err
		}
		_ = reject(iso.jsErrorValue(err))
		return iso.vm.ToValue(p), nil
	}
	then, err := iso.runPromiseProg(thenProg)
	if err == nil {
		f, _ := goja.AssertFunction(then)
		out, err := f(goja.Undefined(), done, iso.named("", func(goja.FunctionCall) goja.Value { return nsv }))
		if err == nil {
			if o, ok := out.(*goja.Object); ok {
				iso.mods.imports[key] = o
				return iso.again(o)
			}
		}
	}
	_ = reject(iso.vm.NewGoError(errors.New("import(): internal error")))
	return iso.vm.ToValue(p), nil
}

// importReused is import() of a module the isolate has an instance of:
// a new promise of its namespace, once its module has started (at once,
// unless its graph is still running its first step). Loop only.
func (iso *Isolate) importReused(path string) (goja.Value, error) {
	if ns := iso.lookup(path); ns != nil {
		return iso.again(ns)
	}
	e := iso.mods.reg[path]
	if e.run == nil || e.run.done == nil {
		p, _, reject := iso.NewPromise()
		_ = reject(iso.vm.NewTypeError("import(): " + path + " is being evaluated"))
		return iso.vm.ToValue(p), nil
	}
	then, err := iso.runPromiseProg(thenProg)
	if err != nil {
		return nil, err
	}
	f, _ := goja.AssertFunction(then)
	return f(goja.Undefined(), e.run.done, iso.named("", func(goja.FunctionCall) goja.Value {
		if ns := iso.lookup(path); ns != nil {
			return ns
		}
		panic(iso.vm.NewTypeError("import(): " + path + " did not evaluate"))
	}))
}

// again returns a new promise that settles as v (a promise or a value)
// does: each import() evaluates to a promise of its own. Loop only.
func (iso *Isolate) again(v goja.Value) (goja.Value, error) {
	a, err := iso.runPromiseProg(againProg)
	if err != nil {
		return nil, err
	}
	f, _ := goja.AssertFunction(a)
	return f(goja.Undefined(), v)
}

// againProg makes a new promise of what p settles to, with the VM's own
// await.
var againProg = goja.MustCompile("<import>", `(function (p) { return (async function () { return await p; })(); })`, false)

// interrupted reports whether err is the VM being interrupted (kill,
// exit, a limit), which no script may catch.
func interrupted(err error) bool {
	var ie *goja.InterruptedError
	return errors.As(err, &ie)
}

// thenProg chains with the VM's own await, not the script's (replaceable)
// Promise.prototype.then.
var thenProg = goja.MustCompile("<import>", `(function (p, f) { return (async function () { await p; return f(); })(); })`, false)

// jsErrorValue makes a Go error a JS value to reject with. Loop only.
func (iso *Isolate) jsErrorValue(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	var se *ScriptError
	if !errors.As(err, &se) {
		se = &ScriptError{Name: "Error", Message: strings.TrimPrefix(err.Error(), "engine: ")}
	}
	m := se.Value
	if m == nil {
		m = errorValueOf(se)
	}
	if v, err := iso.Value(m); err == nil {
		return v
	}
	return iso.vm.ToValue(se.Error())
}

// settleProg keeps the isolate alive until a module's completion settles,
// and lets a rejection stay unhandled so that it is reported as the
// isolate's error.
var settleProg = goja.MustCompile("<module>", `(function (p, release) { (async function () { try { await p } finally { release() } })() })`, false)
