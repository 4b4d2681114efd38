package guard

import (
	"errors"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// Each expression iterates a built-in iterator inside one VM instruction
// (a Go loop in goja) for minutes; an Interrupt sent while it runs must end
// it. Without the next wrappers every one of these runs to the end.
func TestIterationInterruptible(t *testing.T) {
	cases := []string{
		`[...Array(2**32 - 1)]`,
		`((...a) => a.length)(...Array(2**32 - 1))`,
		`Math.max(...Array(2**32 - 1).keys())`,
		`{ const [...rest] = Array(2**32 - 1) }`,
		`Array.from(Array(2**32 - 1).keys())`,
		`new Set(Array(2**32 - 1).keys())`,
		`new Map(Array(2**32 - 1).entries())`,
		`Object.fromEntries(Array(2**32 - 1).entries())`,
		`Promise.all(Array(2**32 - 1))`,
		`Promise.allSettled(Array(2**32 - 1).values())`,
		`Promise.race(Array(2**32 - 1))`,
		`Promise.any(Array(2**32 - 1))`,
		`new Float64Array(Array(2**32 - 1).keys())`,
		`new Set('ab'.repeat(2**26))`,
		`{ const s = new Set(); for (let i = 0; i < 1e5; i++) s.add(i); for (;;) new Set([...s, ...s.keys(), ...s.entries()]) }`,
		`{ const m = new Map([[1, 1]]); for (;;) [...m, ...m.keys(), ...m.values()] }`,
		`[...'a'.repeat(2**26).matchAll(/a/g)]`,
		`{ function* g() { yield* Array(2**32 - 1) } [...g()] }`,
		`[...new Uint8Array(2**27)]`,
		`for (;;) String(new Uint8Array(2**20))`,
		`new Int32Array(2**26).fill(-123456).join('; ')`,
	}
	for _, src := range cases {
		t.Run(src, func(t *testing.T) {
			vm := guardedVM(t, Config{MaxAllocBytes: 1 << 40}) // only the interrupt can stop these
			timer := time.AfterFunc(100*time.Millisecond, func() { vm.Interrupt("stop") })
			defer timer.Stop()
			done := make(chan error, 1)
			go func() {
				_, err := vm.RunString(src)
				done <- err
			}()
			select {
			case err := <-done:
				var ie *goja.InterruptedError
				if !errors.As(err, &ie) {
					t.Fatalf("got %v, want the interrupt", err)
				}
			case <-time.After(hangBound):
				t.Fatal("not interruptible")
			}
		})
	}
}

// The wrappers keep next's observable shape.
func TestIterNextShape(t *testing.T) {
	expectJS(t, `
		const protos = [[][Symbol.iterator](), new Map().keys(), new Set().values(), ""[Symbol.iterator](), /a/g[Symbol.matchAll]("a")].map(Object.getPrototypeOf);
		const ds = protos.map(p => Object.getOwnPropertyDescriptor(p, "next"));
		const ok = ds.every(d => d.writable && d.configurable && !d.enumerable && d.value.name === "next" && d.value.length === 0);
		const it = [1, 2][Symbol.iterator]();
		const r = [it.next(), it.next(), it.next()].map(x => x.value + ":" + x.done).join(",");
		let threw = false; try { protos[0].next.call({}) } catch (e) { threw = e instanceof TypeError }
		ok + " " + r + " " + threw + " " + [...new Set([1, 2, 2])].join("") + " " + Array.from(new Map([[1, 2]])).join("");
	`, "true 1:false,2:false,undefined:true true 12 1,2")
}

// BenchmarkIterGuard is the cost of the next wrappers on a for-of loop and
// a spread over a 10,000-element array.
func BenchmarkIterGuard(b *testing.B) {
	benchGuarded(b, `var data = Array.from({length: 10000}, (_, i) => i);`, []benchCase{
		{"for-of/unguarded", false, "{ let s = 0; for (const x of data) s += x }"},
		{"for-of/guarded", true, "{ let s = 0; for (const x of data) s += x }"},
		{"spread/unguarded", false, "[...data.values()]"},
		{"spread/guarded", true, "[...data.values()]"},
	})
}

// Sparse arrays through the join and sort guards: goja's ExportTo panics on
// a hole, which made [1,,2].join() an InternalError in every guarded VM
// (found by FuzzHostileGrammar).
func TestGuardsSparseArrays(t *testing.T) {
	expectJS(t, `
		const big = Array(300000).fill('b'); big[5] = 'a'; delete big[7]; big.sort();
		[[1,,2].join("-"), String([,1]), [,,].toString(), [3,,1].sort().join(), Object.prototype.toLocaleString.call([,,,1]),
		 big[0], big.length, big[big.length - 1], 7 in big, 299999 in big].join("|")
	`, "1--2|,1|,|1,3,|,,,1|a|300000||true|false")
}

// The string builders' guards convert once and pass the converted values
// on: results and errors are the built-ins' own.
func TestStringGuardsConvertOnce(t *testing.T) {
	expectJS(t, `
		let calls = 0;
		const n = {valueOf() { calls++; return 2 }}, f = {toString() { calls++; return '-' }}, th = {toString() { calls++; return 'ab' }};
		const out = ['ab'.repeat('3'), 'x'.padStart('5', f), 'q'.concat(1, f, null), 'x'.padEnd(2**40, ''), String.prototype.repeat.call(12, 2),
			String.prototype.repeat.call(th, n), 'x'.padEnd(n, f), ''.repeat(2**40)];
		const errs = [() => 'x'.repeat(Symbol()), () => 'x'.repeat(1n), () => String.prototype.repeat.call(null, 1), () => 'a'.padStart(5, Symbol()),
			() => 'a'.concat(Symbol()), () => 'x'.repeat(-1), () => 'x'.repeat(Infinity)].map(g => { try { g(); return "none" } catch (e) { return e.name } });
		out.join("|") + " " + calls + " " + errs.join(",");
	`, "ababab|----x|q1-null|x|1212|abab|x-| 6 TypeError,TypeError,TypeError,TypeError,TypeError,RangeError,RangeError")
}

// goja's Object.prototype.toLocaleString called a missing toString through
// nil; the guarded one throws the spec's TypeError, and still works.
func TestToLocaleStringWithoutToString(t *testing.T) {
	expectJS(t, `
		const r = [];
		for (const o of [{toString: null, valueOf: null}, {toString: 1}, null, undefined]) {
			try { Object.prototype.toLocaleString.call(o); r.push("none") } catch (e) { r.push(e.name) }
		}
		r.push(Object.prototype.toLocaleString.call(5), ({toString() { return "t" + (this === o2) }}).toLocaleString(), [1, {a: 1}].toLocaleString());
		var o2; r.join(",")
	`, "TypeError,TypeError,TypeError,TypeError,5,tfalse,1,[object Object]")
}

// expectJS runs src in a guarded VM and compares its completion value.
func expectJS(t *testing.T, src, want string) {
	t.Helper()
	v, err := guardedVM(t, Config{}).RunString(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// The Go join of large integer typed arrays prints what the original does.
func TestTypedArrayJoinChunked(t *testing.T) {
	src := `
		const n = (1 << 16) * 2 + 5, out = [];
		for (const C of [Uint8Array, Int8Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array, Float64Array]) {
			const a = new C(n);
			for (let i = 0; i < n; i++) a[i] = C.name.startsWith("Big") ? BigInt(i * 7919) * (C === BigInt64Array && i % 2 ? -1n : 1n) : (i * 7919) % 1000003 * (i % 3 ? 1 : -1) / (C === Float64Array ? 7 : 1);
			const s1 = a.join(), s2 = a.join(" - "), s3 = String(a), s4 = a.join("\u00e9");
			let h = 0; for (const s of [s1, s2, s3, s4]) for (let i = 0; i < s.length; i += 97) h = (h * 31 + s.charCodeAt(i)) | 0;
			out.push(C.name + ":" + s1.length + "," + s2.length + "," + s3.length + "," + s4.length + "," + h);
		}
		out.join(" ")`
	got, err := guardedVM(t, Config{}).RunString(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := goja.New().RunString(src)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Fatalf("guarded  %s\noriginal %s", got, want)
	}
}
