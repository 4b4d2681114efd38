package guard

import (
	"testing"
	"time"

	"github.com/dop251/goja"
)

// hangBound is how long a guarded call may take before a test calls it a
// hang. It is not a performance check (those are benchmarks): a guard that
// works throws in milliseconds, and the RangeError it throws is what the
// tests check; this only catches a guard that let the original run on
// (minutes, or for ever), with room for -race on a loaded 2-core machine.
const hangBound = 60 * time.Second

// expectRangeErrors runs each source in vm and fails unless it throws a
// RangeError, within hangBound.
func expectRangeErrors(t *testing.T, vm *goja.Runtime, sources []string) {
	t.Helper()
	for _, src := range sources {
		if testing.Verbose() {
			t.Logf("running %.70s", src)
		}
		start := time.Now()
		v, err := vm.RunString(`(function(){ try { ` + src + `; return "no error" } catch (e) { return e instanceof RangeError ? "RangeError" : String(e) } })()`)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if v.String() != "RangeError" {
			t.Errorf("%s: got %s, want RangeError", src, v)
		}
		if d := time.Since(start); d > hangBound {
			t.Errorf("%s: took %v", src, d)
		}
	}
}

// guardedVM is a fresh runtime with every guard installed (Install),
// capped by cfg.
func guardedVM(t testing.TB, cfg Config) *goja.Runtime {
	vm := goja.New()
	if err := Install(vm, cfg); err != nil {
		t.Fatalf("Install: %v", err)
	}
	return vm
}

// unpreparedVM is a fresh runtime with its guards installed and nothing
// prepared, for the tests of Prepare and of what it installs.
func unpreparedVM(t testing.TB, cfg Config) (*goja.Runtime, *Guards) {
	vm := goja.New()
	gs, err := InstallGuards(vm, cfg)
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	return vm, gs
}

// Each expression must throw a catchable RangeError quickly, without Go
// ever being asked for the block.
func TestGuardsThrowRangeError(t *testing.T) {
	cases := []string{
		`'x'.repeat(2**40)`,
		// The same conversions goja applies: a numeric string, valueOf,
		// a this with toString, a number this.
		`'x'.repeat('1e12')`,
		`'x'.repeat({valueOf() { return 2**40 }})`,
		`'x'.padStart('1e12')`,
		`'x'.padEnd({valueOf() { return 2**40 }}, {toString() { return 'ab' }})`,
		`String.prototype.repeat.call({toString() { return 'xx' }}, 2**40)`,
		`String.prototype.padEnd.call(1, 2**40, 'ab')`,
		`new ArrayBuffer('1e12')`,
		`Object.assign({}, 'x'.repeat(2**24))`,
		`Object.assign({}, 'a', new Uint8Array(2**22), new Float64Array(2**20))`,
		`new ArrayBuffer({valueOf() { return 2**40 }})`,
		`new Uint8Array('1e12')`,
		`new Float64Array({valueOf() { return 2**40 }}.valueOf())`,
		`String.prototype.concat.call({toString() { return 'x'.repeat(2**25) }}, {toString() { return 'x'.repeat(2**26) }}, 'x'.repeat(2**26))`,
		`'x'.repeat(2**62)`,
		`'xy'.repeat(2**28)`,
		`'\u1234'.repeat(2**40)`,
		`'x'.padEnd(2**40)`,
		`'x'.padStart(2**62, 'ab')`,
		`new ArrayBuffer(2**40)`,
		`new ArrayBuffer(2**62)`,
		`new Float64Array(2**40)`,
		`new Uint8Array(2**33)`,
		`new Float64Array({length: 2**40})`,
		`new Int32Array([]).constructor.from({length: 2**40})`,
		`new Array(2**32-1).join('x')`,
		`new Array(2**32-1).join()`,
		`Array(2**32-1).toString()`,
		`new Array(2**32-1).fill(1)`,
		`new Array(2**32-1).reverse()`,
		`new Array(2**32-1).includes(1)`,
		`new Array(2**32-1).forEach(function(){})`,
		`new Array(2**32-1).copyWithin(0, 1)`,
		`Array.prototype.join.call({length: 2**40}, 'x')`,
		`Array.from({length: 2**40})`,
		`var s = 'x'.repeat(1024).repeat(2**14); s.concat(s, s, s, s, s, s, s, s)`,
	}
	expectRangeErrors(t, guardedVM(t, Config{}), cases)
}

// The wrappers behave like the originals.
func TestGuardsTransparent(t *testing.T) {
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`
		var out = [];
		function check(name, ok) { if (!ok) out.push(name); }
		check("repeat", 'ab'.repeat(3) === 'ababab');
		check("padStart", '5'.padStart(3, '0') === '005');
		check("padEnd", '5'.padEnd(3) === '5  ');
		check("concat", 'a'.concat('b', 1, null) === 'ab1null');
		check("join", [1,2,3].join('-') === '1-2-3');
		check("name", String.prototype.repeat.name === 'repeat' && Array.prototype.join.length === 1);
		check("enum", Object.keys(String.prototype).length === 0 && Object.keys(Array.prototype).length === 0);
		for (var k in []) check("for-in " + k, false);
		check("abctor", new ArrayBuffer(8).byteLength === 8);
		check("abproto", new ArrayBuffer(1) instanceof ArrayBuffer && ArrayBuffer.prototype.constructor === ArrayBuffer);
		check("abisView", ArrayBuffer.isView(new Uint8Array(1)));
		check("abname", ArrayBuffer.name === 'ArrayBuffer' && ArrayBuffer.length === 1);
		check("ta", new Float64Array(4).length === 4 && new Float64Array([1,2]).length === 2);
		check("tafrom", Float64Array.from([1,2,3]).length === 3 && Uint8Array.of(1,2).length === 2);
		check("tainst", new Uint8Array(2) instanceof Uint8Array);
		check("taview", new Uint8Array(new ArrayBuffer(8), 2, 4).length === 4);
		check("tasub", (function(){ class X extends Uint8Array { hi() { return 1 } } var x = new X(3); return x.length === 3 && x.hi() === 1 && x instanceof Uint8Array })());
		check("absub", (function(){ class B extends ArrayBuffer {} return new B(4) instanceof B })());
		check("tamap", new Uint8Array([1,2]).map(function(x){return x*2})[1] === 4);
		check("needsNew", (function(){ try { ArrayBuffer(1); return false } catch (e) { return e instanceof TypeError } })());
		check("from", Array.from({length: 3}).length === 3 && Array.from('abc').join() === 'a,b,c');
		check("this", (function(){ try { String.prototype.repeat.call(null, 2); return false } catch (e) { return e instanceof TypeError } })());
		check("generic", Array.prototype.map.call('ab', function(c){return c+c}).join() === 'aa,bb');
		check("sparse length ok", (function(){ var a = []; a.length = 2**32-1; return a.length === 2**32-1 })());
		check("big Array ok", Array(2**32-1).length === 2**32-1);
		out.join(",");
	`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "" {
		t.Errorf("wrappers differ from the originals: %s", v)
	}
}

// MaxAllocBytes lowers the single-allocation cap.
func TestGuardsFollowMaxAllocBytes(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 16 << 20})
	v, err := vm.RunString(`try { new ArrayBuffer(32 << 20); "no error" } catch (e) { e.name }`)
	if err != nil || v.String() != "RangeError" {
		t.Fatalf("got %v, %v", v, err)
	}
	v, err = vm.RunString(`new ArrayBuffer(8 << 20).byteLength`)
	if err != nil || v.ToInteger() != 8<<20 {
		t.Fatalf("under the cap: got %v, %v", v, err)
	}
}

// BenchmarkSpawnVM measures what the guards add to creating a VM.
func BenchmarkSpawnVM(b *testing.B) {
	b.Run("goja.New", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = goja.New()
		}
	})
	b.Run("goja.New+guards", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			guardedVM(b, Config{})
		}
	})
	// What the engine pays at a spawn: the guards a program needs only by
	// its text (RegExp's) wait for Prepare.
	b.Run("goja.New+guards-unprepared", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			unpreparedVM(b, Config{})
		}
	})
	b.Run("goja.New+guards-eager", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			guardedVM(b, Config{Eager: true})
		}
	})
}

// goja leaks a constructor's new.target into plain calls made inside it;
// the constructor wrappers must still see those as calls.
func TestWrappersCalledInsideConstructors(t *testing.T) {
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`
		const bound = Math.max.bind(null, 5);
		function F() {
			this.re = RegExp("a+", "g");
			this.fn = Function("return 1");
			this.big = BigInt(7);
			this.v = bound(9);
			try { Proxy({}, {}); this.proxy = "no error" } catch (e) { this.proxy = e.name }
		}
		const o = new F();
		class R extends RegExp {}
		[o.re instanceof RegExp && Object.getPrototypeOf(o.re) === RegExp.prototype && o.re.test("aa"), o.fn(), o.big === 7n,
		 o.v, o.proxy, new R("x") instanceof R, Reflect.construct(RegExp, ["y"], R) instanceof R].join()`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "true,1,true,9,TypeError,true,true" {
		t.Fatalf("got %s", v)
	}
}
