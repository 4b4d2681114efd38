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
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`
		const protos = [[][Symbol.iterator](), new Map().keys(), new Set().values(), ""[Symbol.iterator](), /a/g[Symbol.matchAll]("a")].map(Object.getPrototypeOf);
		const ds = protos.map(p => Object.getOwnPropertyDescriptor(p, "next"));
		const ok = ds.every(d => d.writable && d.configurable && !d.enumerable && d.value.name === "next" && d.value.length === 0);
		const it = [1, 2][Symbol.iterator]();
		const r = [it.next(), it.next(), it.next()].map(x => x.value + ":" + x.done).join(",");
		let threw = false; try { protos[0].next.call({}) } catch (e) { threw = e instanceof TypeError }
		ok + " " + r + " " + threw + " " + [...new Set([1, 2, 2])].join("") + " " + Array.from(new Map([[1, 2]])).join("");
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "true 1:false,2:false,undefined:true true 12 1,2"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// BenchmarkIterGuard is the cost of the next wrappers on a for-of loop and
// a spread over a 10,000-element array.
func BenchmarkIterGuard(b *testing.B) {
	setup := `var data = Array.from({length: 10000}, (_, i) => i);`
	for _, c := range []struct {
		name    string
		guarded bool
		expr    string
	}{
		{"for-of/unguarded", false, "{ let s = 0; for (const x of data) s += x }"},
		{"for-of/guarded", true, "{ let s = 0; for (const x of data) s += x }"},
		{"spread/unguarded", false, "[...data.values()]"},
		{"spread/guarded", true, "[...data.values()]"},
	} {
		vm := goja.New()
		if c.guarded {
			vm = guardedVM(b, Config{})
		}
		if _, err := vm.RunString(setup); err != nil {
			b.Fatal(err)
		}
		p := goja.MustCompile("x", c.expr, false)
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := vm.RunProgram(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Sparse arrays through the join and sort guards: goja's ExportTo panics on
// a hole, which made [1,,2].join() an InternalError in every guarded VM
// (found by FuzzHostileGrammar).
func TestGuardsSparseArrays(t *testing.T) {
	vm := guardedVM(t, Config{})
	v, err := vm.RunString(`
		const big = Array(300000).fill('b'); big[5] = 'a'; delete big[7]; big.sort();
		[[1,,2].join("-"), String([,1]), [,,].toString(), [3,,1].sort().join(), Object.prototype.toLocaleString.call([,,,1]),
		 big[0], big.length, big[big.length - 1], 7 in big, 299999 in big].join("|")
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.String(), "1--2|,1|,|1,3,|,,,1|a|300000||true|false"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
