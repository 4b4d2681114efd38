package clone

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// Tests of the Go side of the codec: FromGo, ToGo and their round trip.

func TestFromGo(t *testing.T) {
	port := newTestPort()
	cyclic := map[string]any{"name": "c"}
	cyclic["self"] = cyclic
	shared := []any{1, 2}
	type myString string
	type myInt int16
	sub, err := FromGo(map[string]any{"inner": []any{"x"}}, isTestPort)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    any
		check string
	}{
		{"nil", nil, "m === null"},
		{"bool", true, "m === true"},
		{"string", "héllo", "m === 'h\\u00e9llo'"},
		{"int", 42, "m === 42"},
		{"int8", int8(-5), "m === -5"},
		{"uint64 small", uint64(7), "m === 7"},
		{"float32", float32(1.5), "m === 1.5"},
		{"float64 -0", math.Copysign(0, -1), "Object.is(m, -0)"},
		{"NaN", math.NaN(), "Number.isNaN(m)"},
		{"max safe int", int64(1<<53 - 1), "m === 9007199254740991"},
		{"int64 big", int64(1 << 60), "m === 1152921504606846976n"},
		{"int64 big negative", int64(-1 << 60), "m === -1152921504606846976n"},
		{"uint64 big", uint64(math.MaxUint64), "m === 18446744073709551615n"},
		{"big.Int", new(big.Int).Lsh(big.NewInt(1), 100), "m === 2n ** 100n"},
		{"bytes", []byte{1, 2, 255}, "m instanceof Uint8Array && m.length === 3 && m[2] === 255 && m.buffer.byteLength === 3"},
		{"time", time.UnixMilli(1700000000123), "m instanceof Date && m.getTime() === 1700000000123"},
		{"map", map[string]any{"b": 1, "a": []any{true, nil, "x"}, "c": map[string]int{"z": 1, "y": 2}}, "Object.keys(m).join() === 'a,b,c' && m.a[2] === 'x' && m.a[1] === null && Object.keys(m.c).join() === 'y,z'"},
		{"typed slice", []string{"a", "b"}, "Array.isArray(m) && m.join() === 'a,b'"},
		{"array", [2]int{3, 4}, "m[1] === 4 && m.length === 2"},
		{"named types", map[myString]myInt{"k": 3}, "m.k === 3"},
		{"nil map", map[string]any(nil), "m === null"},
		{"nil slice", []any(nil), "m === null"},
		{"empty slice", []any{}, "Array.isArray(m) && m.length === 0"},
		{"port", map[string]any{"p": port, "q": port}, "m.p === m.q && m.p.id === " + itoa(int64(port.id))},
		{"cyclic map", cyclic, "m.self === m && m.name === 'c'"},
		{"shared slice", map[string]any{"a": shared, "b": shared}, "m.a === m.b && m.a[1] === 2"},
		{"message", map[string]any{"sub": sub, "sub2": sub}, "m.sub.inner[0] === 'x' && m.sub === m.sub2"},
		{"goja primitive", []any{goja.Undefined(), noRuntime.ToValue("s")}, "m[0] === undefined && m[1] === 's' && m.length === 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := FromGo(tc.in, isTestPort)
			if err != nil {
				t.Fatal(err)
			}
			if m.Size() <= 0 {
				t.Errorf("size %d", m.Size())
			}
			b := newSide(t)
			b.check(b.receive(m), tc.check)
			if _, err := m.ToGo(); err != nil {
				t.Error(err)
			}
		})
	}
	x := 1
	for _, bad := range []any{func() {}, make(chan int), struct{}{}, &x, complex(1, 2), map[int]string{1: "a"}, []any{1, func() {}}, goja.New().NewObject()} {
		if _, err := FromGo(bad, isTestPort); !errors.As(err, new(*Error)) {
			t.Errorf("FromGo(%T): %v, want *Error", bad, err)
		}
	}
}

func TestToGo(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		src  string
		want any
	}{
		{"undefined", "undefined", nil},
		{"null", "null", nil},
		{"bool", "true", true},
		{"number", "42", float64(42)},
		{"float", "1.25", 1.25},
		{"string", "'héllo'", "héllo"},
		{"bigint", "2n ** 70n", new(big.Int).Lsh(big.NewInt(1), 70)},
		{"object", "({a: 1, b: 'x', c: null})", map[string]any{"a": float64(1), "b": "x", "c": nil}},
		{"array", "[1, , 'x']", []any{float64(1), nil, "x"}},
		{"array extra", "Object.assign([1], {p: 2})", []any{float64(1)}},
		{"date", "new Date(1700000000123)", time.UnixMilli(1700000000123).UTC()},
		{"invalid date", "new Date(NaN)", time.Time{}},
		{"map", "new Map([[1, 'a'], ['b', 2]])", [][2]any{{float64(1), "a"}, {"b", float64(2)}}},
		{"set", "new Set([1, 'x'])", []any{float64(1), "x"}},
		{"arraybuffer", "new Uint8Array([1, 2, 3]).buffer", []byte{1, 2, 3}},
		{"typed array view", "new Uint16Array(new Uint8Array([1, 2, 3, 4, 5, 6]).buffer, 2, 2)", []byte{3, 4, 5, 6}},
		{"dataview", "new DataView(new Uint8Array([1, 2, 3]).buffer, 1)", []byte{2, 3}},
		{"regexp", "/a\\/b/gi", "/a\\/b/gi"},
		{"wrappers", "[new Number(2), new String('s'), new Boolean(true), Object(3n)]", []any{float64(2), "s", true, big.NewInt(3)}},
		{"error", "(function(){ const e = new RangeError('r', {cause: 1}); e.stack = 'st'; return e })()", map[string]any{"name": "RangeError", "message": "r", "stack": "st", "cause": float64(1)}},
		{"aggregate", "(function(){ const e = new AggregateError([1], 'a'); e.stack = 's'; return e })()", map[string]any{"name": "AggregateError", "message": "a", "stack": "s", "errors": []any{float64(1)}}},
		{"nan", "NaN", nan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newSide(t)
			m, err := a.clone(a.run(tc.src), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.ToGo()
			if err != nil {
				t.Fatal(err)
			}
			if f, ok := tc.want.(float64); ok && math.IsNaN(f) {
				if g, ok := got.(float64); !ok || !math.IsNaN(g) {
					t.Errorf("got %#v, want NaN", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	// Cycles survive.
	a := newSide(t)
	m, err := a.clone(a.run("(function(){ const o = {}; o.o = o; const l = [o]; l.push(l); return l })()"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.ToGo()
	if err != nil {
		t.Fatal(err)
	}
	l := g.([]any)
	o := l[0].(map[string]any)
	if reflect.ValueOf(o["o"]).Pointer() != reflect.ValueOf(o).Pointer() || &l[1].([]any)[0] != &l[0] {
		t.Error("ToGo lost a cycle")
	}
}

func TestGoRoundTrip(t *testing.T) {
	// MessageFromGo then ToGo, table driven.
	for _, tc := range []struct {
		name    string
		in, out any
	}{
		{"nil", nil, nil},
		{"bool", false, false},
		{"int", 3, float64(3)},
		{"uint32", uint32(9), float64(9)},
		{"big int64", int64(1 << 62), big.NewInt(1 << 62)},
		{"string", "s", "s"},
		{"bytes", []byte("ab"), []byte("ab")},
		{"time", time.UnixMilli(5).UTC(), time.UnixMilli(5).UTC()},
		{"map", map[string]any{"a": []any{1, "x"}}, map[string]any{"a": []any{float64(1), "x"}}},
		{"slice of maps", []map[string]bool{{"t": true}}, []any{map[string]any{"t": true}}},
		{"message", mustMessage(t, []any{1}), []any{float64(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := FromGo(tc.in, isTestPort)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.ToGo()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.out) {
				t.Errorf("got %#v, want %#v", got, tc.out)
			}
		})
	}
}

func mustMessage(t *testing.T, v any) *Message {
	m, err := FromGo(v, isTestPort)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
