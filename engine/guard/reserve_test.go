package guard

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Config.Reserve is asked, with the result's size, before each one-step
// result of ReserveMin bytes or more is made, by every route; never for a
// small one; a refusal is a catchable RangeError that makes nothing, and
// every reservation granted is released.
func TestReserveOneStepResults(t *testing.T) {
	const mb = 1 << 20
	prelude := `var s = "x".repeat(2**20), u = "\u00e9".repeat(2**19), small = "ab"; `
	cases := []struct {
		src  string
		want []int64 // the sizes asked for, in order
	}{
		{`s + s`, []int64{2 * mb}},
		{`s + 1`, []int64{mb + 1}},
		{`var t = s; t += s; t`, []int64{2 * mb}},
		{`var o = {p: s}; o.p += s; o.p`, []int64{2 * mb}},
		{"`${s}-${s}`", []int64{2*mb + 1}},
		{`u + u`, []int64{2 * mb}}, // two bytes a unit
		{`s.repeat(3)`, []int64{3 * mb}},
		{`s.concat(s, s)`, []int64{3 * mb}},
		{`small.padEnd(2**20)`, []int64{2 * mb}},
		{`[s, s, s].join("")`, []int64{6 * mb}}, // two bytes a unit: the encoding is not known
		{`[s, s].join(small)`, []int64{4*mb + 4}},
		{`new Uint8Array(2**20).join("")`, []int64{mb, 6 * mb}}, // the array, then three digits an element at most
		{`[1, 2].join(s)`, []int64{2*mb + 96}},                  // 24 units a number at most
		{`small + small + "x".repeat(1000)`, nil},
		{`[small, small].join(small) + new Uint8Array(10).join()`, nil},
		{"`${small}${small}`", nil},
	}
	for _, tc := range cases {
		vm, asked, held := recordingVM(t)
		src, err := RewriteOps(prelude + tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vm.RunString(src); err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		want := append([]int64{mb, mb}, tc.want...) // the prelude's two
		if fmt.Sprint(*asked) != fmt.Sprint(want) {
			t.Errorf("%s: asked %v, want %v", tc.src, *asked, want)
		}
		if *held != 0 {
			t.Errorf("%s: %d reservations not released", tc.src, *held)
		}
	}

	// A constructor's reservation is held across its construction (its
	// check runs before the original constructs), until the guards' next
	// reservation; what the last one leaves is the caller's to release.
	vm, asked, held := recordingVM(t)
	for i, step := range []struct {
		src  string
		held int
	}{
		{`new ArrayBuffer(3 * 2**20).byteLength`, 1},
		{`new Float64Array(2**18).length`, 1}, // the first released
		{`new Uint16Array([1, 2, 3]).length + new Int32Array(new Uint8Array(2**19)).length`, 1},
		{`new Uint8Array(new ArrayBuffer(2**21)).length`, 1}, // a view reserves nothing
		{`class B extends ArrayBuffer {} new B(2**21).byteLength`, 1},
		{`var s = "x".repeat(2**20); s.concat(s).length`, 0},
	} {
		if _, err := vm.RunString(step.src); err != nil {
			t.Fatalf("%s: %v", step.src, err)
		}
		if *held != step.held {
			t.Errorf("step %d, %s: %d held, want %d", i, step.src, *held, step.held)
		}
	}
	if got, want := fmt.Sprint(*asked), fmt.Sprint([]int64{3 * mb, 2 * mb, 2 * mb, 2 * mb, 2 * mb, mb, 2 * mb}); got != want {
		t.Errorf("constructors asked %s, want %s", got, want)
	}

	// Refused: the script sees a RangeError it can catch, and goes on.
	for _, expr := range []string{`s + s`, "`${s}${s}`", `s.repeat(2)`, `s.concat(s)`, `t += s`, `o.p += s`,
		`[s, s].join()`, `new ArrayBuffer(2**21)`, `new Float64Array(2**18)`, `new Uint8Array(Array(2**21))`} {
		vm := guardedVM(t, Config{Reserve: func(n int64) (func(), error) {
			if n < 2*mb {
				return nil, nil
			}
			return nil, errors.New("no room")
		}})
		src, err := RewriteOps(`var s = "x".repeat(2**20), t = s, o = {p: s}, r; try { r = ` + expr + ` } catch (e) { r = [e instanceof RangeError, e.message].join(" ") } [r, t.length, o.p.length].join()`)
		if err != nil {
			t.Fatal(err)
		}
		v, err := vm.RunString(src)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if got := v.String(); !strings.HasPrefix(got, "true ") || !strings.HasSuffix(got, ": no room,1048576,1048576") {
			t.Errorf("%s refused: %q", expr, got)
		}
	}
}

// recordingVM is a guarded runtime whose Config.Reserve grants every
// reservation, recording its size and counting those not released.
func recordingVM(t *testing.T) (vm *goja.Runtime, asked *[]int64, held *int) {
	asked, held = new([]int64), new(int)
	vm = guardedVM(t, Config{Reserve: func(n int64) (func(), error) {
		*asked = append(*asked, n)
		*held++
		return func() { *held-- }, nil
	}})
	return vm, asked, held
}

// The regexp methods that list every match first reserve the most their
// matches can hold on a long subject, by every route, for as long as they
// run; refused, they make nothing.
func TestReserveRegExpMatches(t *testing.T) {
	const n = 1 << 20
	want := fmt.Sprint([]int64{(n + 1) * costMatch})
	for _, expr := range []string{
		`s.match(/x/g).length`, `/x/g[Symbol.match](s).length`, `s.replace(/x/g, "y").length`,
		`s.replaceAll(/x/g, () => "y").length`, `RegExp.prototype[Symbol.replace].call(/x/g, s, "").length`,
		`s.split(/x/).length`, `/x/[Symbol.split](s, 3).length`, `s.match(/q/)`,
	} {
		vm, asked, held := recordingVM(t)
		// The reservation follows the subject's length, not its matches
		// (few here, to keep the test short under -race).
		_ = vm.Set("s", vm.ToValue("x"+strings.Repeat("y", n-2)+"x"))
		if _, err := vm.RunString(expr); err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if fmt.Sprint(*asked) != want {
			t.Errorf("%s: asked %v, want %s", expr, *asked, want)
		}
		if *held != 0 {
			t.Errorf("%s: %d reservations not released", expr, *held)
		}
	}
	vm, asked, _ := recordingVM(t)
	if _, err := vm.RunString(`"x".repeat(1000).match(/x/g).length + "ab".split(/b/).length`); err != nil || len(*asked) != 0 {
		t.Errorf("a short subject: %v, asked %v", err, *asked)
	}
	vm = guardedVM(t, Config{Reserve: func(n int64) (func(), error) {
		if n < 16<<20 {
			return nil, nil
		}
		return nil, errors.New("no room")
	}})
	v, err := vm.RunString(`var s = "x".repeat(2**20), r = /x/g; r.lastIndex = 7; var e; try { s.match(r) } catch (x) { e = x } [e instanceof RangeError, e.message, r.lastIndex].join()`)
	if err != nil || v.String() != "true,RegExp.prototype[Symbol.match] on a 1048576-character subject: no room,7" {
		t.Errorf("refused: %v %v", v, err)
	}
}
