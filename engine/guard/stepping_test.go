package guard

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// The generic paths of the Array.prototype methods stop at a pending
// interrupt: an accessor early in the walk interrupts the runtime (from
// Go, as a kill or a limit does), and a native accessor late in the walk
// records whether goja's loop got there. Without the stepping proxy the
// loop runs to its end in Go before the interrupt is seen.
func TestArrayGenericPathsInterruptible(t *testing.T) {
	readers := []string{
		"indexOf(1)", "lastIndexOf(1)", "includes(1)", "join()", "toString()", "toLocaleString()", "slice(0)",
		"forEach(() => {})", "map(x => x)", "filter(() => false)", "some(() => false)", "every(() => true)",
		"reduce((a) => a, 0)", "reduceRight((a) => a, 0)", "toReversed()", "toSpliced(0, 0)", "with(0, 1)",
		"fill(0)", "copyWithin(0, 1)", "reverse()", "splice(0, 1)", "shift()", "unshift(1)",
	}
	receivers := map[string]string{
		"sparse array": `Array(N)`,
		"array-like":   `({length: N})`,
	}
	for rname, recv := range receivers {
		for _, m := range readers {
			if rname == "array-like" && m == "toString()" {
				continue // an array-like has no join: Object.prototype.toString
			}
			t.Run(rname+"/"+m, func(t *testing.T) {
				vm := guardedVM(t, Config{})
				reachedLate := false
				interrupt := vm.ToValue(func(goja.FunctionCall) goja.Value {
					vm.Interrupt("stop")
					return goja.Undefined()
				})
				late := vm.ToValue(func(goja.FunctionCall) goja.Value {
					reachedLate = true
					return goja.Undefined()
				})
				_ = vm.Set("interrupt", interrupt)
				_ = vm.Set("late", late)
				// Both ends of the walk have an early and a late index
				// (lastIndexOf, reduceRight and unshift walk down).
				src := strings.ReplaceAll(`
					var o = RECV;
					var target = Array.isArray(o) ? Array.prototype : Object.prototype;
					for (const i of [3, N - 4]) Object.defineProperty(target, i, {get: interrupt, set: interrupt, configurable: true});
					for (const i of [N >> 1, (N >> 1) + 1]) Object.defineProperty(target, i, {get: late, set: late, configurable: true});
					Array.prototype.METHOD.call(o, ARGS);
				`, "RECV", recv)
				name, args := m[:strings.Index(m, "(")], m[strings.Index(m, "(")+1:len(m)-1]
				src = strings.NewReplacer("N", "1048576", "METHOD", name, "ARGS", args).Replace(src)
				_, err := vm.RunString(src)
				var ie *goja.InterruptedError
				if !errors.As(err, &ie) {
					t.Fatalf("got %v, want the interrupt", err)
				}
				if reachedLate {
					t.Errorf("the loop reached the middle of %s before the interrupt took effect", rname)
				}
			})
		}
	}
}

// On a stepping proxy the methods compute what they compute on the
// receiver itself: results, this, and errors.
func TestArrayGenericPathsSameResults(t *testing.T) {
	cases := []string{
		`var o = {length: 20000, 5: "a", 19999: "z"}; [Array.prototype.indexOf.call(o, "z"), Array.prototype.lastIndexOf.call(o, "a"), Array.prototype.includes.call(o, undefined), Array.prototype.join.call(o, "").length]`,
		`var o = {length: 20000, 5: "a"}; var r = Array.prototype.fill.call(o, 1, 10, 20); [r === o, Object.keys(o).length, o[15]]`,
		`var o = {length: 20000, 0: "a", 19999: "z"}; var r = Array.prototype.reverse.call(o); [r === o, o[0], o[19999]]`,
		`var o = {length: 20000, 3: 3}; var d = Array.prototype.splice.call(o, 0, 2, "x"); [d.length, o.length, o[0], o[2]]`,
		`var a = Array(20000); a[7] = 7; var m = a.map(x => x * 2); [m.length, m[7], 6 in m, a.filter(Boolean).join(), a.slice(5, 9).length, a.toReversed()[19992]]`,
		`var a = Array(20000); a[1] = 1; a.shift(); a.unshift(9, 8); [a.length, a[0], a[1], a[2]]`,
		`var s = "ab".repeat(10000); [Array.prototype.indexOf.call(s, "b"), Array.prototype.slice.call(s, 0, 3).join(), Array.prototype.map.call(s, c => c).length]`,
		`var r; try { Array.prototype.fill.call("ab".repeat(10000), 0) } catch (e) { r = e.constructor.name } r`,
		`var o = Object.freeze({length: 20000, 0: 1}); var r; try { Array.prototype.reverse.call(o) } catch (e) { r = e.constructor.name } r`,
		`var calls = 0, o = {get length() { calls++; return 20000 }}; Array.prototype.indexOf.call(o, 1); Array.prototype.fill.call(o, 0); [calls, o[100]]`,
		`var t = {length: 20000}; var self; Object.defineProperty(t, 7, {get() { self = this; return 1 }}); Array.prototype.indexOf.call(t, 5); self === t`,
		`var a = Array(20000); a[0] = a; a.join().length + ":" + a.toString().length`,
		`var ta = new Uint8Array(20000); ta[5] = 3; [Array.prototype.indexOf.call(ta, 3), Array.prototype.fill.call(ta, 1) === ta, ta[7], Array.prototype.join.call(ta, "").length]`,
		`class A extends Array {}; var a = new A(20000); a[1] = 2; var m = a.map(x => x); [m instanceof A, m[1], a.slice(0, 3) instanceof A]`,
	}
	for _, src := range cases {
		plain, guarded := outcome(goja.New(), src), outcome(guardedVM(t, Config{}), src)
		if plain != guarded {
			t.Errorf("%s\nplain:   %s\nguarded: %s", src, plain, guarded)
		}
	}
}
