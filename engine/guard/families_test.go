package guard

import (
	"errors"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// runPrepared runs src as the engine runs a program: compiled by Compile,
// prepared, then run.
func runPrepared(t *testing.T, vm *goja.Runtime, gs *Guards, src string) (goja.Value, error) {
	t.Helper()
	src, err := RewriteOps(src) // as the engine compiles (import(), BigInt operators)
	if err != nil {
		t.Fatalf("rewrite %s: %v", src, err)
	}
	p, err := Compile("route.js", src, false)
	if err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	if err := gs.Prepare(p); err != nil {
		return nil, err
	}
	return vm.RunProgram(p)
}

// regexpDone reports whether RegExp's guards are installed in gs's
// runtime.
func regexpDone(gs *Guards) bool {
	st := gs.g.globalGuardOf("RegExp")
	return st.obj != nil && st.done == len(st.installs) && len(st.installs) > 0
}

// RegExp's guards wait for a program that may need them, and every route
// to a regexp installs them first: the value each route yields is the
// guard, and RegExp.prototype's methods are guarded afterwards. The
// programs that do not hold a "/" build one with String.fromCharCode, so
// that only the route under test can install the guards.
func TestLazyRegExpRoutes(t *testing.T) {
	if err := gojax.TemplateLayout(); err != nil {
		t.Fatalf("template layout unavailable, the lazy path is off: %v", err)
	}
	made := trackWrappers(t)
	const S = `String.fromCharCode(47)`
	for _, tc := range []struct{ name, src string }{
		{"literal", `/x/.constructor`},
		{"literal-in-function", `function f() { return /x/g } f()[Symbol.replace]`},
		{"literal-in-comment-only", `// a comment
			RegExp.prototype[Symbol.split]`},
		{"global", `RegExp`},
		{"global-descriptor", `Object.getOwnPropertyDescriptor(globalThis, "RegExp").value`},
		{"global-typeof", `typeof RegExp; globalThis.RegExp`},
		{"global-enumeration", `Object.values(Object.getOwnPropertyDescriptors(globalThis)); RegExp.prototype.compile`},
		{"global-with", `with (globalThis) { RegExp }`},
		{"eval", `eval(` + S + ` + "x" + ` + S + ` + ".constructor")`},
		{"eval-indirect", `(0, eval)(` + S + ` + "x" + ` + S + `)[Symbol.match]`},
		{"function-ctor", `Function("return " + ` + S + ` + "x" + ` + S + `)().constructor`},
		{"function-ctor-constructed", `new Function("return " + ` + S + ` + "x" + ` + S + `)()[Symbol.matchAll]`},
		{"generator-ctor", `Object.getPrototypeOf(function* () {}).constructor("yield " + ` + S + ` + "x" + ` + S + `)().next().value.constructor`},
		{"async-ctor", `Object.getPrototypeOf(async function () {}).constructor("r(" + ` + S + ` + "x" + ` + S + ` + ")").call(null)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm, gs := unpreparedVM(t, Config{})
			if regexpDone(gs) {
				t.Fatal("RegExp's guards installed at boot")
			}
			if tc.name == "async-ctor" {
				var got goja.Value
				_ = vm.Set("r", func(v goja.Value) { got = v })
				if _, err := runPrepared(t, vm, gs, tc.src); err != nil {
					t.Fatal(err)
				}
				o, _ := got.(*goja.Object)
				if o == nil || o.ClassName() != "RegExp" || !regexpDone(gs) {
					t.Fatalf("%s: got %v, guards installed %v", tc.src, got, regexpDone(gs))
				}
				return
			}
			v, err := runPrepared(t, vm, gs, tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			if o, _ := v.(*goja.Object); o == nil || !made[vm][o] {
				t.Errorf("%s is not a guard wrapper: %v", tc.src, v)
			}
			checkRegExpProtoGuarded(t, vm, made)
		})
	}
	// The String methods that make a RegExp of a pattern install the
	// guards before goja does.
	for _, src := range []string{`"ab".match("a")`, `"ab".search("b")`, `[..."ab".matchAll("a")]`,
		`String.prototype.match.call("x", {toString() { return "x" }})`} {
		vm, gs := unpreparedVM(t, Config{})
		if _, err := runPrepared(t, vm, gs, src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !regexpDone(gs) {
			t.Errorf("%s: RegExp's guards not installed", src)
		}
		checkRegExpProtoGuarded(t, vm, made)
	}
}

// checkRegExpProtoGuarded fails unless goja's RegExp.prototype holds the
// guards (read without a script's help).
func checkRegExpProtoGuarded(t *testing.T, vm *goja.Runtime, made map[*goja.Runtime]map[*goja.Object]bool) {
	t.Helper()
	re, _ := gojax.GlobalOriginal(vm, "RegExp").(*goja.Object)
	rp, _ := re.Get("prototype").(*goja.Object)
	for _, sym := range []*goja.Symbol{goja.SymMatch, goja.SymMatchAll, goja.SymReplace, goja.SymSearch, goja.SymSplit} {
		if o, _ := rp.GetSymbol(sym).(*goja.Object); o == nil || !made[vm][o] {
			t.Errorf("RegExp.prototype[%s] is not guarded", sym)
		}
	}
	for _, k := range []string{"compile", "test", "toString"} {
		if o, _ := rp.Get(k).(*goja.Object); o == nil || !made[vm][o] {
			t.Errorf("RegExp.prototype.%s is not guarded", k)
		}
	}
	if c, _ := rp.Get("constructor").(*goja.Object); c == nil || !made[vm][c] {
		t.Error("RegExp.prototype.constructor is not the guard")
	}
}

// Prepare installs RegExp's guards for a program that may hold a literal:
// any program not compiled by Compile, and one whose source has a "/";
// not for the others.
func TestPrepareRegExp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prog    func() *goja.Program
		install bool
	}{
		{"slash-free", func() *goja.Program { p, _ := Compile("a.js", "1 + 2", false); return p }, false},
		{"division", func() *goja.Program { p, _ := Compile("a.js", "6 / 2", false); return p }, true},
		{"comment", func() *goja.Program { p, _ := Compile("a.js", "1 // one", false); return p }, true},
		{"literal", func() *goja.Program { p, _ := Compile("a.js", "/x/", false); return p }, true},
		{"goja-compiled", func() *goja.Program { return goja.MustCompile("a.js", "1 + 2", false) }, true},
		{"nil", func() *goja.Program { return nil }, true},
	} {
		vm, gs := unpreparedVM(t, Config{})
		p := tc.prog()
		if err := gs.Prepare(p); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := regexpDone(gs); got != tc.install {
			t.Errorf("%s: installed %v, want %v", tc.name, got, tc.install)
		}
		if p != nil {
			if _, err := vm.RunProgram(p); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	}
	// Install itself prepares for anything: RunString is safe after it.
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`Object.getPrototypeOf(/x/).constructor === RegExp && !RegExp.toString().includes("function RegExp() { [native code] }") === false`)
	if err != nil || !v.ToBoolean() {
		t.Errorf("after Install: %v %v", v, err)
	}
	expectRangeErrors(t, vm, []string{`new (/x/.constructor)("a{2}".repeat(1 << 20))`})
}

// An interrupt pending at Prepare fails it and installs nothing half way:
// the next Prepare installs everything.
func TestPrepareFailureAtomic(t *testing.T) {
	made := trackWrappers(t)
	vm, gs := unpreparedVM(t, Config{})
	fail := true
	wrapFault = func() bool { f := fail; fail = false; return f }
	defer func() { wrapFault = nil }()
	if err := gs.Prepare(nil); err == nil {
		t.Fatal("Prepare succeeded through the injected fault")
	}
	if regexpDone(gs) {
		t.Fatal("guards reported installed after a failed Prepare")
	}
	if err := gs.Prepare(nil); err != nil {
		t.Fatal(err)
	}
	checkRegExpProtoGuarded(t, vm, made)
	v, err := vm.RunString(`/x/.constructor`)
	if o, _ := v.(*goja.Object); err != nil || o == nil || !made[vm][o] {
		t.Errorf("after the retry: %v %v", v, err)
	}
}

// The record of what programs need is weak: a program collected leaves
// nothing behind.
func TestProgramNeedsIsWeak(t *testing.T) {
	p, err := Compile("w.js", "40 + 2", false)
	if err != nil {
		t.Fatal(err)
	}
	wp := weak.Make(p)
	if _, ok := programNeeds.Load(wp); !ok {
		t.Fatal("not recorded")
	}
	p = nil
	for i := 0; i < 50; i++ {
		runtime.GC()
		if _, ok := programNeeds.Load(wp); !ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("the record outlived its program")
}

// The differential walk, on a VM whose RegExp guards wait for Prepare:
// the walk's program holds a literal, so Prepare installs them, and every
// path shows what the eager VM shows.
func TestLazyRegExpDifferential(t *testing.T) {
	made := trackWrappers(t)
	eager := guardedVM(t, Config{Eager: true})
	lazy, gs := unpreparedVM(t, Config{})
	p, err := Compile("walk.js", walkSrc, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := gs.Prepare(p); err != nil {
		t.Fatal(err)
	}
	we, wl := walk(t, eager, made), walk(t, lazy, made)
	if strings.Join(we, "\n") != strings.Join(wl, "\n") {
		for i := range we {
			if i >= len(wl) || we[i] != wl[i] {
				t.Fatalf("path %d differs:\n  eager: %s\n  lazy:  %v", i, we[i], wl[min(i, len(wl)-1)])
			}
		}
		t.Fatalf("walks differ in length: %d, %d", len(we), len(wl))
	}
}

// The async and generator Function constructors wait for a program that
// may make such a function; every route to one is the guard. Sources
// without a "*" or "async" build them with Function or eval, from text
// made at run time.
func TestLazyFnFamilyRoutes(t *testing.T) {
	if err := gojax.TemplateLayout(); err != nil {
		t.Fatalf("template layout unavailable, the lazy path is off: %v", err)
	}
	made := trackWrappers(t)
	const star, as = `String.fromCharCode(42)`, `String.fromCharCode(97, 115, 121, 110, 99)`
	for _, tc := range []struct {
		name, src string
		kind      int
	}{
		{"generator-literal", `(function* () {}).constructor`, fnGenerator},
		{"generator-method", `({ *g() {} }).g.constructor`, fnGenerator},
		{"generator-class-method", `new (class { *g() {} })().g.constructor`, fnGenerator},
		{"generator-object", `Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())).constructor.constructor`, fnGenerator},
		{"generator-eval", `eval("(function" + ` + star + ` + " () {})").constructor`, fnGenerator},
		{"generator-function-ctor", `Function("return function" + ` + star + ` + " () {}")().constructor`, fnGenerator},
		{"async-literal", `(async function () {}).constructor`, fnAsync},
		{"async-arrow", `(async () => 1).constructor`, fnAsync},
		{"async-method", `({ async m() {} }).m.constructor`, fnAsync},
		{"async-generator-is-not-async-fn", `Object.getPrototypeOf(async function () {}).constructor`, fnAsync},
		{"async-eval", `eval("(" + ` + as + ` + " function () {})").constructor`, fnAsync},
		{"async-function-ctor", `new Function("return " + ` + as + ` + " () => 1")().constructor`, fnAsync},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm, gs := unpreparedVM(t, Config{})
			if gs.g.fnDone[fnAsync] || gs.g.fnDone[fnGenerator] {
				t.Fatal("a function family installed at boot")
			}
			v, err := runPrepared(t, vm, gs, tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			if o, _ := v.(*goja.Object); o == nil || !made[vm][o] {
				t.Errorf("%s is not a guard wrapper: %v", tc.src, v)
			}
			if !gs.g.fnDone[tc.kind] {
				t.Error("the family is not marked installed")
			}
		})
	}
	// And the guard works when reached that way: the nesting check.
	vm, gs := unpreparedVM(t, Config{})
	v, err := runPrepared(t, vm, gs, `try { (function* () {}).constructor("[".repeat(1e6)); "no error" } catch (e) { e.name }`)
	if err != nil || v.String() != "SyntaxError" {
		t.Errorf("deep generator body: %v %v, want SyntaxError", v, err)
	}
}

// Prepare installs each family only for a program whose text may need
// it.
func TestPrepareNeeds(t *testing.T) {
	for _, tc := range []struct {
		src                     string
		regexp, generator, asyn bool
	}{
		{"1 + 2", false, false, false},
		{"2 * 3", false, true, false},
		{"/x/", true, false, false},
		{"var asyncOps = 1", false, false, true},
		{`"\u0041"`, false, false, true},
		{"async () => 1", false, false, true},
		{"/* c */ 1", true, true, false},
	} {
		_, gs := unpreparedVM(t, Config{})
		p, err := Compile("n.js", tc.src, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := gs.Prepare(p); err != nil {
			t.Fatal(err)
		}
		if got := [3]bool{regexpDone(gs), gs.g.fnDone[fnGenerator], gs.g.fnDone[fnAsync]}; got != [3]bool{tc.regexp, tc.generator, tc.asyn} {
			t.Errorf("%q: installed regexp, generator, async = %v, want %v", tc.src, got, [3]bool{tc.regexp, tc.generator, tc.asyn})
		}
	}
}

// Every promise the module's Go code makes comes after the guards of
// Promise.prototype (engine.Isolate.NewPromise, Guards.EnsurePromise): no
// raw vm.NewPromise but there and in this package's import() stub; and
// every program of the module's own that makes promises (an async
// function) runs right after EnsurePromise or a NewPromise, or through
// the engine's runPromiseProg.
func TestNoRawNewPromise(t *testing.T) {
	raw := regexp.MustCompile(`\.NewPromise\(\)`)
	asyncProg := regexp.MustCompile(`^var (\w+) = goja\.MustCompile\(.*\basync\b`)
	progs := map[string]bool{}
	files := map[string][]string{}
	walkModuleGo(t, func(p string, lines []string) {
		files[p] = lines
		for _, line := range lines {
			if m := asyncProg.FindStringSubmatch(line); m != nil {
				progs[m[1]] = true
			}
		}
	})
	delete(progs, "fnProtoProgs") // makes no promise: the function is not called
	if len(progs) < 5 {
		t.Fatalf("found only %d async programs: is the walk looking at the module?", len(progs))
	}
	n := 0
	for p, lines := range files {
		for i, line := range lines {
			if raw.MatchString(line) {
				ok := strings.Contains(line, "iso.NewPromise()") || strings.Contains(line, "return iso.vm.NewPromise()") ||
					(strings.HasSuffix(filepath.ToSlash(p), "engine/guard/imports.go") && i > 0 && strings.Contains(lines[i-1], `ensureGlobal("Promise")`))
				if !ok {
					t.Errorf("%s:%d: %s: use engine.Isolate.NewPromise", p, i+1, strings.TrimSpace(line))
				}
				n++
			}
			for name := range progs {
				if !strings.Contains(line, "RunProgram("+name+")") {
					continue
				}
				ok := false
				for j := max(0, i-3); j < i; j++ {
					if strings.Contains(lines[j], "EnsurePromise()") || strings.Contains(lines[j], "NewPromise()") {
						ok = true
					}
				}
				if !strings.Contains(line, "runPromiseProg("+name+")") && !ok {
					t.Errorf("%s:%d: %s runs before the Promise guards (EnsurePromise)", p, i+1, name)
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("found only %d NewPromise calls", n)
	}
}

// A promise reached first by each route has the guarded prototype.
func TestLazyPromiseRoutes(t *testing.T) {
	made := trackWrappers(t)
	const as = `String.fromCharCode(97, 115, 121, 110, 99)`
	for _, tc := range []struct{ name, src string }{
		{"global", `Promise.prototype.finally`},
		{"global-descriptor", `Object.getOwnPropertyDescriptor(globalThis, "Promise").value.prototype.catch`},
		{"async-literal", `(async () => 1)().finally`},
		{"async-method", `({ async m() {} }).m().catch`},
		{"async-function-ctor", `Function("return (" + ` + as + ` + " () => 1)()")().finally`},
		{"async-eval", `eval("(" + ` + as + ` + " function () {})()").catch`},
		{"import-stub", `import("x").finally`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm, gs := unpreparedVM(t, Config{})
			v, err := runPrepared(t, vm, gs, tc.src)
			if err != nil {
				t.Fatalf("%s: %v", tc.src, err)
			}
			if o, _ := v.(*goja.Object); o == nil || !made[vm][o] {
				t.Errorf("%s is not a guard wrapper: %v", tc.src, v)
			}
		})
	}
}

// A constructor wrapper takes the place of prototype.constructor with the
// attributes goja gave the original (%GeneratorFunction.prototype%'s is
// not writable: test262 built-ins/GeneratorFunction/prototype/constructor).
func TestWrappedConstructorAttributes(t *testing.T) {
	const src = `[Function.prototype, RegExp.prototype, Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}),
		ArrayBuffer.prototype, Uint8Array.prototype, BigInt64Array.prototype, BigInt.prototype].map(function (p) {
		var d = Object.getOwnPropertyDescriptor(p, "constructor");
		return [d.writable, d.enumerable, d.configurable, typeof d.value].join();
	}).join(" ")`
	plain, err := goja.New().RunString(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{{}, {Eager: true}} {
		v, err := guardedVM(t, cfg).RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != plain.String() {
			t.Errorf("eager %v:\n  guarded %s\n  goja    %s", cfg.Eager, v, plain)
		}
	}
}

// An interrupt that lands while Prepare installs a family is returned as
// RunProgram would return it, not thrown at the caller, and the next
// Prepare finishes the install.
func TestPrepareInterrupted(t *testing.T) {
	made := trackWrappers(t)
	vm, gs := unpreparedVM(t, Config{})
	vm.Interrupt("stop")
	err := gs.Prepare(nil)
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("Prepare under an interrupt: %v, want an InterruptedError", err)
	}
	vm.ClearInterrupt()
	if err := gs.Prepare(nil); err != nil {
		t.Fatal(err)
	}
	checkRegExpProtoGuarded(t, vm, made)
}
