package inspect

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// The inspectCases table (and formatCases in format_test.go) was produced by
// running each expression through Node v20.20.2's util.inspect / util.format
// (see genCasesJS); every case is evaluated in a fresh goja runtime here.

type inspectCase struct {
	expr string
	opts Options
	want string
}

func inspEval(t *testing.T, vm *goja.Runtime, src string) goja.Value {
	t.Helper()
	v, err := vm.RunString("(" + src + ")")
	if err != nil {
		t.Fatalf("eval %s: %v", src, err)
	}
	return v
}

func TestInspectMatchesNode(t *testing.T) {
	for _, c := range inspectCases {
		vm := goja.New()
		got := Inspect(vm, inspEval(t, vm, c.expr), c.opts)
		if got != c.want {
			t.Errorf("Inspect(%s, %+v)\n got: %q\nwant: %q", c.expr, c.opts, got, c.want)
		}
	}
}

var inspectCases = []inspectCase{
	{"1", Options{}, "1"},
	{"-0", Options{}, "-0"},
	{"0", Options{}, "0"},
	{"1.5", Options{}, "1.5"},
	{"NaN", Options{}, "NaN"},
	{"-Infinity", Options{}, "-Infinity"},
	{"1e21", Options{}, "1e+21"},
	{"1e-7", Options{}, "1e-7"},
	{"123456789012345680000", Options{}, "123456789012345680000"},
	{"10n", Options{}, "10n"},
	{"-5n", Options{}, "-5n"},
	{"true", Options{}, "true"},
	{"undefined", Options{}, "undefined"},
	{"null", Options{}, "null"},
	{"Symbol('x')", Options{}, "Symbol(x)"},
	{"Symbol()", Options{}, "Symbol()"},
	{"Symbol.iterator", Options{}, "Symbol(Symbol.iterator)"},
	{"'hello'", Options{}, "'hello'"},
	{"\"it's\"", Options{}, "\"it's\""},
	{"'a\\'\"b'", Options{}, "`a'\"b`"},
	{"'a\\'\"`b'", Options{}, "'a\\'\"`b'"},
	{"'tab\\there\\n'", Options{}, "'tab\\there\\n'"},
	{"'a\\x01\\x7f\\u0085b'", Options{}, "'a\\x01\\x7F\\x85b'"},
	{"'back\\\\slash'", Options{}, "'back\\\\slash'"},
	{"'\\ud800x'", Options{}, "'\\ud800x'"},
	{"'emoji \\u{1F600}'", Options{}, "'emoji 😀'"},
	{"''", Options{}, "''"},
	{"'x'.repeat(10005)", Options{}, "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... 5 more characters"},
	{"'a\\nb'.repeat(30)", Options{}, "'a\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'ba\\n' +\n  'b'"},
	{"{s: 'line one\\nline two\\nline three is here and it is long enough to wrap around'}", Options{}, "{\n  s: 'line one\\nline two\\nline three is here and it is long enough to wrap around'\n}"},
	{"({})", Options{}, "{}"},
	{"({a: 1, b: 'hello'})", Options{}, "{ a: 1, b: 'hello' }"},
	{"({'a-b': 1, [Symbol('x')]: 2, __proto__x: 3, '': 4, 'x\\ny': 5})", Options{}, "{ 'a-b': 1, __proto__x: 3, '': 4, 'x\\ny': 5, [Symbol(x)]: 2 }"},
	{"({[Symbol(\"a'b\")]: 1})", Options{}, "{ [Symbol(a\\'b)]: 1 }"},
	{"({'__proto__': 4})", Options{}, "{}"},
	{"JSON.parse('{\"__proto__\": 1}')", Options{}, "{ ['__proto__']: 1 }"},
	{"Object.create(null)", Options{}, "[Object: null prototype] {}"},
	{"(()=>{const o=Object.create(null); o.a=1; return o})()", Options{}, "[Object: null prototype] { a: 1 }"},
	{"Object.create(Object.create(null))", Options{}, "Object <[Object: null prototype] {}> {}"},
	{"new (class Foo{constructor(){this.x=1}})", Options{}, "Foo { x: 1 }"},
	{"new (class Foo{})", Options{}, "Foo {}"},
	{"(()=>{class A{}; class B extends A{constructor(){super(); this.b=[1]}}; return new B})()", Options{}, "B { b: [ 1 ] }"},
	{"({a:{b:{c:{d:1}}}})", Options{}, "{ a: { b: { c: [Object] } } }"},
	{"[[[[1]]]]", Options{}, "[ [ [ [Array] ] ] ]"},
	{"({a:{b:{c:{d:1}}}})", Options{Depth: -1}, "{\n  a: { b: { c: { d: 1 } } }\n}"},
	{"({a:{b:{c:{}}}})", Options{}, "{ a: { b: { c: {} } } }"},
	{"({a:{b:{c:[]}}})", Options{}, "{ a: { b: { c: [] } } }"},
	{"({a:{b:{c:{d:1}}}})", Options{Depth: 1}, "{ a: { b: [Object] } }"},
	{"[1, 2, 3]", Options{}, "[ 1, 2, 3 ]"},
	{"[]", Options{}, "[]"},
	{"[1,,3]", Options{}, "[ 1, <1 empty item>, 3 ]"},
	{"new Array(5)", Options{}, "[ <5 empty items> ]"},
	{"[,'a',,]", Options{}, "[ <1 empty item>, 'a', <1 empty item> ]"},
	{"Object.assign([1,2],{x:1})", Options{}, "[ 1, 2, x: 1 ]"},
	{"(()=>{const a=[1]; a[Symbol('s')]=2; return a})()", Options{}, "[ 1, [Symbol(s)]: 2 ]"},
	{"(()=>{const a=[1]; Object.defineProperty(a,'x',{value:1,enumerable:false}); return a})()", Options{}, "[ 1 ]"},
	{"Array.from({length:30},(_, i)=>i*100)", Options{}, "[\n     0,  100,  200,  300,  400,  500,\n   600,  700,  800,  900, 1000, 1100,\n  1200, 1300, 1400, 1500, 1600, 1700,\n  1800, 1900, 2000, 2100, 2200, 2300,\n  2400, 2500, 2600, 2700, 2800, 2900\n]"},
	{"Array.from({length:120},(_, i)=>i)", Options{}, "[\n   0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11,\n  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,\n  24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n  36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,\n  48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,\n  60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71,\n  72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83,\n  84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,\n  96, 97, 98, 99,\n  ... 20 more items\n]"},
	{"Array.from({length: 7}, (_, i) => 'item' + i)", Options{}, "[\n  'item0', 'item1',\n  'item2', 'item3',\n  'item4', 'item5',\n  'item6'\n]"},
	{"Array.from({length: 26}, (_, i) => String.fromCharCode(97+i).repeat(i%5+1))", Options{}, "[\n  'a',     'bb',    'ccc',   'dddd',\n  'eeeee', 'f',     'gg',    'hhh',\n  'iiii',  'jjjjj', 'k',     'll',\n  'mmm',   'nnnn',  'ooooo', 'p',\n  'qq',    'rrr',   'ssss',  'ttttt',\n  'u',     'vv',    'www',   'xxxx',\n  'yyyyy', 'z'\n]"},
	{"({x: Array.from({length: 10}, (_, i) => i)})", Options{}, "{\n  x: [\n    0, 1, 2, 3, 4,\n    5, 6, 7, 8, 9\n  ]\n}"},
	{"Array.from({length: 3}, (_, i) => ({id: i, name: 'n'+i, tags: ['a','b']}))", Options{}, "[\n  { id: 0, name: 'n0', tags: [ 'a', 'b' ] },\n  { id: 1, name: 'n1', tags: [ 'a', 'b' ] },\n  { id: 2, name: 'n2', tags: [ 'a', 'b' ] }\n]"},
	{"Array.from({length: 8}, (_, i) => i % 2 ? 'x' : i)", Options{}, "[\n  0, 'x', 2, 'x',\n  4, 'x', 6, 'x'\n]"},
	{"Array.from({length: 101}, (_, i) => -i)", Options{}, "[\n   -0,  -1,  -2,  -3,  -4,  -5,  -6,  -7,  -8,  -9, -10, -11,\n  -12, -13, -14, -15, -16, -17, -18, -19, -20, -21, -22, -23,\n  -24, -25, -26, -27, -28, -29, -30, -31, -32, -33, -34, -35,\n  -36, -37, -38, -39, -40, -41, -42, -43, -44, -45, -46, -47,\n  -48, -49, -50, -51, -52, -53, -54, -55, -56, -57, -58, -59,\n  -60, -61, -62, -63, -64, -65, -66, -67, -68, -69, -70, -71,\n  -72, -73, -74, -75, -76, -77, -78, -79, -80, -81, -82, -83,\n  -84, -85, -86, -87, -88, -89, -90, -91, -92, -93, -94, -95,\n  -96, -97, -98, -99,\n  ... 1 more item\n]"},
	{"(()=>{const a=[]; a[150]=1; a[2]=5; return a})()", Options{}, "[ <2 empty items>, 5, <147 empty items>, 1 ]"},
	{"(()=>{const a=[1,2,3,4,5,6,7,8]; delete a[3]; return a})()", Options{}, "[ 1, 2, 3, <1 empty item>, 5, 6, 7, 8 ]"},
	{"[1.5, -0, 0, NaN, Infinity, -Infinity, 1e21, 1e-7, 123456789012345680000]", Options{}, "[\n  1.5,\n  -0,\n  0,\n  NaN,\n  Infinity,\n  -Infinity,\n  1e+21,\n  1e-7,\n  123456789012345680000\n]"},
	{"[true, null, undefined, 10n]", Options{}, "[ true, null, undefined, 10n ]"},
	{"['a\\'b', 'a\\'\"b', 'a\\'\"`b']", Options{}, "[ \"a'b\", `a'\"b`, 'a\\'\"`b' ]"},
	{"(()=>{const o={}; o.self=o; return o})()", Options{}, "<ref *1> { self: [Circular *1] }"},
	{"(()=>{const o={}; o.self=o; return [o, new Map([[1,o]])]})()", Options{}, "[\n  <ref *1> { self: [Circular *1] },\n  Map(1) { 1 => <ref *1> { self: [Circular *1] } }\n]"},
	{"(()=>{const a={}, b={a}; a.b=b; return {a, b}})()", Options{}, "{\n  a: <ref *1> { b: { a: [Circular *1] } },\n  b: <ref *2> { a: <ref *1> { b: [Circular *2] } }\n}"},
	{"(()=>{const s=new Set(); s.add(s); return s})()", Options{}, "<ref *1> Set(1) { [Circular *1] }"},
	{"(()=>{const m=new Map(); m.set(m, [m]); return m})()", Options{}, "<ref *1> Map(1) { [Circular *1] => [ [Circular *1] ] }"},
	{"new Map([['a',1],['b',2]])", Options{}, "Map(2) { 'a' => 1, 'b' => 2 }"},
	{"new Set([1])", Options{}, "Set(1) { 1 }"},
	{"new Map()", Options{}, "Map(0) {}"},
	{"new Set()", Options{}, "Set(0) {}"},
	{"new Map([[{a:1},[1,2]]])", Options{}, "Map(1) { { a: 1 } => [ 1, 2 ] }"},
	{"new Set(Array.from({length: 120}, (_, i) => i))", Options{}, "Set(120) {\n  0,\n  1,\n  2,\n  3,\n  4,\n  5,\n  6,\n  7,\n  8,\n  9,\n  10,\n  11,\n  12,\n  13,\n  14,\n  15,\n  16,\n  17,\n  18,\n  19,\n  20,\n  21,\n  22,\n  23,\n  24,\n  25,\n  26,\n  27,\n  28,\n  29,\n  30,\n  31,\n  32,\n  33,\n  34,\n  35,\n  36,\n  37,\n  38,\n  39,\n  40,\n  41,\n  42,\n  43,\n  44,\n  45,\n  46,\n  47,\n  48,\n  49,\n  50,\n  51,\n  52,\n  53,\n  54,\n  55,\n  56,\n  57,\n  58,\n  59,\n  60,\n  61,\n  62,\n  63,\n  64,\n  65,\n  66,\n  67,\n  68,\n  69,\n  70,\n  71,\n  72,\n  73,\n  74,\n  75,\n  76,\n  77,\n  78,\n  79,\n  80,\n  81,\n  82,\n  83,\n  84,\n  85,\n  86,\n  87,\n  88,\n  89,\n  90,\n  91,\n  92,\n  93,\n  94,\n  95,\n  96,\n  97,\n  98,\n  99,\n  ... 20 more items\n}"},
	{"Object.assign(new Map([[1,2]]), {extra: true})", Options{}, "Map(1) { 1 => 2, extra: true }"},
	{"new (class A extends Map{})", Options{}, "A(0) [Map] {}"},
	{"new (class S extends Set{})([1])", Options{}, "S(1) [Set] { 1 }"},
	{"[new Date(0), new Date(NaN)]", Options{}, "[ 1970-01-01T00:00:00.000Z, Invalid Date ]"},
	{"new Date(8.64e15)", Options{}, "+275760-09-13T00:00:00.000Z"},
	{"new Date(-1e14)", Options{}, "-001199-02-15T14:13:20.000Z"},
	{"Object.assign(new Date(0), {x: 1})", Options{}, "1970-01-01T00:00:00.000Z { x: 1 }"},
	{"/a/g", Options{}, "/a/g"},
	{"/[a-z]+\\//gimsuy", Options{}, "/[a-z]+\\//gimsuy"},
	{"Object.assign(/x/, {y: 1})", Options{}, "/x/ { y: 1 }"},
	{"new RegExp('')", Options{}, "/(?:)/"},
	{"[new Number(-0), new String('ab'), Object(Symbol('s')), Object(1n), new Boolean(false), new Number(3)]", Options{}, "[\n  [Number: -0],\n  [String: 'ab'],\n  [Symbol: Symbol(s)],\n  [BigInt: 1n],\n  [Boolean: false],\n  [Number: 3]\n]"},
	{"Object.assign(new String('ab'), {x: 1})", Options{}, "[String: 'ab'] { x: 1 }"},
	{"new (class N extends Number{})(4)", Options{}, "[Number (N): 4]"},
	{"(function(){return arguments})(1,2)", Options{}, "[Arguments] { '0': 1, '1': 2 }"},
	{"[function f(){}, ()=>{}, class A{}, class B extends Array{}, async function af(){}, function*g(){}]", Options{}, "[\n  [Function: f],\n  [Function (anonymous)],\n  [class A],\n  [class B extends Array],\n  [AsyncFunction: af],\n  [GeneratorFunction: g]\n]"},
	{"function named(){}", Options{}, "[Function: named]"},
	{"Object.assign(function f(){}, {a:1})", Options{}, "[Function: f] { a: 1 }"},
	{"Object.defineProperty(function f(){}, 'name', {value: 5})", Options{}, "[Function: 5]"},
	{"(()=>{const f = function(){}; return f})()", Options{}, "[Function: f]"},
	{"async () => {}", Options{}, "[AsyncFunction (anonymous)]"},
	{"class {}", Options{}, "[class (anonymous)]"},
	{"Object.setPrototypeOf(function nf(){}, null)", Options{}, "[Function (null prototype): nf]"},
	{"Promise.resolve(1)", Options{}, "Promise { 1 }"},
	{"new Promise(()=>{})", Options{}, "Promise { <pending> }"},
	{"Promise.resolve({a: [1, {b: 2}]})", Options{}, "Promise { { a: [ 1, [Object] ] } }"},
	{"new Uint8Array([1,2,3])", Options{}, "Uint8Array(3) [ 1, 2, 3 ]"},
	{"new Float32Array([1.5,0.1])", Options{}, "Float32Array(2) [ 1.5, 0.10000000149011612 ]"},
	{"new BigInt64Array([1n,-2n])", Options{}, "BigInt64Array(2) [ 1n, -2n ]"},
	{"new Uint8Array(0)", Options{}, "Uint8Array(0) []"},
	{"new Int16Array(120)", Options{}, "Int16Array(120) [\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,\n  0, 0, 0, 0,\n  ... 20 more items\n]"},
	{"new (class Foo extends Uint8Array{})(2)", Options{}, "Foo(2) [Uint8Array] [ 0, 0 ]"},
	{"new Uint8Array([1,2,3]).buffer", Options{}, "ArrayBuffer { [Uint8Contents]: <01 02 03>, byteLength: 3 }"},
	{"new ArrayBuffer(0)", Options{}, "ArrayBuffer { [Uint8Contents]: <>, byteLength: 0 }"},
	{"new ArrayBuffer(120)", Options{}, "ArrayBuffer {\n  [Uint8Contents]: <00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ... 20 more bytes>,\n  byteLength: 120\n}"},
	{"new DataView(new ArrayBuffer(2))", Options{}, "DataView {\n  byteLength: 2,\n  byteOffset: 0,\n  buffer: ArrayBuffer { [Uint8Contents]: <00 00>, byteLength: 2 }\n}"},
	{"new WeakMap()", Options{}, "WeakMap { <items unknown> }"},
	{"new WeakSet()", Options{}, "WeakSet { <items unknown> }"},
	{"Object.defineProperty({}, 'a', {get(){return 1}, enumerable:true})", Options{}, "{ a: [Getter] }"},
	{"Object.defineProperty({}, 'a', {set(v){}, enumerable:true})", Options{}, "{ a: [Setter] }"},
	{"Object.defineProperty({}, 'a', {get(){return 1}, set(v){}, enumerable:true})", Options{}, "{ a: [Getter/Setter] }"},
	{"({get x(){throw new Error('boom')}, set y(v){}, z: 1})", Options{}, "{ x: [Getter], y: [Setter], z: 1 }"},
	{"Object.defineProperty([1], '0', {get(){return 1}})", Options{}, "[ [Getter] ]"},
	{"Object.defineProperty({}, 'h', {value:1, enumerable:false})", Options{}, "{}"},
	{"({[Symbol.toStringTag]: 'Tagged', a: 1})", Options{}, "{ a: 1, [Symbol(Symbol.toStringTag)]: 'Tagged' }"},
	{"new (class X { static { Object.defineProperty(this.prototype, Symbol.toStringTag, {value: 'Z'}) } })", Options{}, "X [Z] {}"},
	{"(()=>{function SendPort(){}; SendPort.prototype[Symbol.toStringTag]='SendPort'; Object.defineProperty(SendPort.prototype, Symbol.toStringTag, {enumerable:false}); return new SendPort})()", Options{}, "SendPort {}"},
	{"(()=>{const e=new Error('x'); e.stack='Error: x'; e.code='E1'; return e})()", Options{}, "[Error: x] { code: 'E1' }"},
	{"(()=>{const e=new Error('x'); e.stack='Error: x\\n    at foo (a.js:1:1)'; return {e}})()", Options{}, "{\n  e: Error: x\n      at foo (a.js:1:1)\n}"},
	{"(()=>{const e=new TypeError('x', {cause: 1}); e.stack='TypeError: x'; return e})()", Options{}, "[TypeError: x] { [cause]: 1 }"},
	{"(()=>{class MyErr extends Error{}; const e=new MyErr('x'); e.stack='Error: x'; return e})()", Options{}, "[MyErr [Error]: x]"},
	{"(()=>{const e = new Error('m'); e.stack = 'Error: m\\n    at a (x.js:1:1)'; e.extra = {a:1}; return e})()", Options{}, "Error: m\n    at a (x.js:1:1) {\n  extra: { a: 1 }\n}"},
	{"(()=>{const e = new RangeError('m'); e.stack = undefined; return e})()", Options{}, "[RangeError: m]"},
	{"(()=>{const e = new Error('m'); e.name='Custom'; e.stack='Custom: m'; return e})()", Options{}, "[Custom: m]"},
	{"(()=>{const e = new Error('m'); e.stack='Error: m'; return [e]})()", Options{}, "[ [Error: m] ]"},
	{"(()=>{const e = new Error('outer', {cause: new Error('inner')}); e.stack='Error: outer'; e.cause.stack='Error: inner'; return e})()", Options{}, "[Error: outer] { [cause]: [Error: inner] }"},
	{"({a: 1, b: {c: 'x'.repeat(60)}, d: [1, 2, 3]})", Options{}, "{\n  a: 1,\n  b: { c: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' },\n  d: [ 1, 2, 3 ]\n}"},
	{"({aaaaaaaaaa: 1, bbbbbbbbbb: 2, cccccccccc: 3, dddddddddd: 4, eeeeeeeeee: 5, ffffffffff: 6})", Options{}, "{\n  aaaaaaaaaa: 1,\n  bbbbbbbbbb: 2,\n  cccccccccc: 3,\n  dddddddddd: 4,\n  eeeeeeeeee: 5,\n  ffffffffff: 6\n}"},
	{"({a: [{b: {c: 1}}], d: 'str'})", Options{}, "{ a: [ { b: [Object] } ], d: 'str' }"},
	{"({a: 1, b: 2})", Options{BreakLength: 10}, "{\n  a: 1,\n  b: 2\n}"},
	{"[1, 'a', null, undefined, {x: 1}]", Options{Colors: true}, "[ \x1b[33m1\x1b[39m, \x1b[32m'a'\x1b[39m, \x1b[1mnull\x1b[22m, \x1b[90mundefined\x1b[39m, { x: \x1b[33m1\x1b[39m } ]"},
	{"({n: 1, s: 's', b: true, u: undefined, z: null, y: Symbol('q'), big: 2n, d: new Date(0), r: /x/})", Options{Colors: true}, "{\n  n: \x1b[33m1\x1b[39m,\n  s: \x1b[32m's'\x1b[39m,\n  b: \x1b[33mtrue\x1b[39m,\n  u: \x1b[90mundefined\x1b[39m,\n  z: \x1b[1mnull\x1b[22m,\n  y: \x1b[32mSymbol(q)\x1b[39m,\n  big: \x1b[33m2n\x1b[39m,\n  d: \x1b[35m1970-01-01T00:00:00.000Z\x1b[39m,\n  r: \x1b[31m/x/\x1b[39m\n}"},
	{"[function f(){}, new Map([[1,2]]), [ , 1]]", Options{Colors: true}, "[ \x1b[36m[Function: f]\x1b[39m, Map(1) { \x1b[33m1\x1b[39m => \x1b[33m2\x1b[39m }, [ \x1b[90m<1 empty item>\x1b[39m, \x1b[33m1\x1b[39m ] ]"},
	{"Array.from({length: 10}, (_, i) => i)", Options{Colors: true}, "[\n  \x1b[33m0\x1b[39m, \x1b[33m1\x1b[39m, \x1b[33m2\x1b[39m, \x1b[33m3\x1b[39m, \x1b[33m4\x1b[39m,\n  \x1b[33m5\x1b[39m, \x1b[33m6\x1b[39m, \x1b[33m7\x1b[39m, \x1b[33m8\x1b[39m, \x1b[33m9\x1b[39m\n]"},
	{"(()=>{const o={}; o.o=o; return o})()", Options{Colors: true}, "\x1b[36m<ref *1>\x1b[39m { o: \x1b[36m[Circular *1]\x1b[39m }"},
	{"({get a(){return 1}})", Options{Colors: true}, "{ a: \x1b[36m[Getter]\x1b[39m }"},
	{"({a:{b:{c:{d:{e:1}}}}})", Options{Depth: -1}, "{\n  a: {\n    b: { c: { d: { e: 1 } } }\n  }\n}"},
	{"({a:{b:{c:new Map([[1,2]]), s: new Set([1]), t: new Uint8Array(2), f: new (class Foo{constructor(){this.x=1}}), n: Object.assign(Object.create(null), {q: 1}), d: new Date(0), r: /x/, e: {}, ea: []}}})", Options{}, "{\n  a: {\n    b: {\n      c: [Map],\n      s: [Set],\n      t: [Uint8Array],\n      f: [Foo],\n      n: [Object: null prototype],\n      d: 1970-01-01T00:00:00.000Z,\n      r: /x/,\n      e: {},\n      ea: []\n    }\n  }\n}"},
	{"({a:{b:{c:[1], m: new Map(), s: new Set(), fn: function g(){}}}})", Options{}, "{\n  a: { b: { c: [Array], m: Map(0) {}, s: Set(0) {}, fn: [Function: g] } }\n}"},
	{"({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 })", Options{}, "{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }"},
	{"Array.from({length: 10}, (_, i) => '漢字'.repeat(i % 3 + 1))", Options{}, "[\n  '漢字',         '漢字漢字',\n  '漢字漢字漢字', '漢字',\n  '漢字漢字',     '漢字漢字漢字',\n  '漢字',         '漢字漢字',\n  '漢字漢字漢字', '漢字'\n]"},
	{"(()=>{const a=[]; a.length=1e7; a[5]=1; return a})()", Options{}, "[ <5 empty items>, 1, <9999994 empty items> ]"},
	{"(()=>{const a=[]; a[1e7-1]=1; return a})()", Options{}, "[ <9999999 empty items>, 1 ]"},
	{"new Array(1e6).fill(7)", Options{}, "[\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,\n  7, 7, 7, 7,\n  ... 999900 more items\n]"},
	{"new Proxy({a: 1}, {get(){throw 1}, ownKeys(){throw 1}, getOwnPropertyDescriptor(){throw 1}, getPrototypeOf(){throw 1}, has(){throw 1}})", Options{}, "{ a: 1 }"},
	{"(()=>{const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy})()", Options{}, "<Revoked Proxy>"},
	{"new Proxy(function pf(){}, {get(){throw 1}})", Options{}, "[Function: pf]"},
	{"new Proxy(new Proxy([1, 2], {}), {ownKeys(){throw 1}})", Options{}, "[ 1, 2 ]"},
	{"({get a(){while(true){}}, b: 2})", Options{}, "{ a: [Getter], b: 2 }"},
	{"(()=>{const m = new Map(); const s = new Set([m]); m.set('s', s); return m})()", Options{}, "<ref *1> Map(1) { 's' => Set(1) { [Circular *1] } }"},
	{"(()=>{const m = new Map(); const s = new Set([m]); m.set('s', s); return [s, m]})()", Options{}, "[\n  <ref *1> Set(1) { Map(1) { 's' => [Circular *1] } },\n  <ref *2> Map(1) { 's' => <ref *1> Set(1) { [Circular *2] } }\n]"},
	{"[[1, 2, [3, 4, [5, [6]]]], {x: {y: {z: {}}}}]", Options{}, "[ [ 1, 2, [ 3, 4, [Array] ] ], { x: { y: [Object] } } ]"},
	{"{ 'key with spaces': [ 'a long string value number one', 'a long string value number two' ], other: 1 }", Options{}, "{\n  'key with spaces': [\n    'a long string value number one',\n    'a long string value number two'\n  ],\n  other: 1\n}"},
	{"[{ a: 1, b: { c: 2 } }, { a: 3, b: { c: 4 } }, 'a string that makes this longer than eighty chars']", Options{}, "[\n  { a: 1, b: { c: 2 } },\n  { a: 3, b: { c: 4 } },\n  'a string that makes this longer than eighty chars'\n]"},
	{"Array.from({length: 8}, (_, i) => i % 2 ? null : i)", Options{}, "[\n  0,    null, 2,\n  null, 4,    null,\n  6,    null\n]"},
	{"[{}, {}, {}, {}, {}, {}, {}]", Options{}, "[\n  {}, {}, {}, {},\n  {}, {}, {}\n]"},
	{"Array.from({length: 9}, (_, i) => 'a fairly long string number ' + i)", Options{}, "[\n  'a fairly long string number 0',\n  'a fairly long string number 1',\n  'a fairly long string number 2',\n  'a fairly long string number 3',\n  'a fairly long string number 4',\n  'a fairly long string number 5',\n  'a fairly long string number 6',\n  'a fairly long string number 7',\n  'a fairly long string number 8'\n]"},
	{"({1: 'a', 2: 'b', x: 'c'})", Options{}, "{ '1': 'a', '2': 'b', x: 'c' }"},
	{"new (class P { get hidden() { return 1 } constructor() { this.shown = 2 } })", Options{}, "P { shown: 2 }"},
	{"(()=>{class A { static x = 1 }; return A})()", Options{}, "[class A] { x: 1 }"},
	{"(function f(){}).bind(null)", Options{}, "[Function: bound f]"},
	{"(()=>{const e = new Error('x'); e.stack = 'Error: x\\n    at a (b.js:1:1)\\n    at c (d.js:2:2)'; return [e, {deep: {e}}]})()", Options{}, "[\n  Error: x\n      at a (b.js:1:1)\n      at c (d.js:2:2),\n  {\n    deep: {\n      e: Error: x\n          at a (b.js:1:1)\n          at c (d.js:2:2)\n    }\n  }\n]"},
	{"[Symbol('a\\nb'), {[Symbol('a\\nb')]: 1}]", Options{}, "[\n  Symbol(a\nb),\n  { [Symbol(a\\nb)]: 1 }\n]"},
	{"({'\\ud800': 1, 'é': 2})", Options{}, "{ '\\ud800': 1, 'é': 2 }"},
	{"Object(Symbol())", Options{}, "[Symbol: Symbol()]"},
	{"Object.assign(new Number(1), {a: 1})", Options{}, "[Number: 1] { a: 1 }"},
	{"[new Boolean(true), new String('s')]", Options{Colors: true}, "[ \x1b[33m[Boolean: true]\x1b[39m, \x1b[32m[String: 's']\x1b[39m ]"},
	{"new (class D extends Date{})(0)", Options{}, "D 1970-01-01T00:00:00.000Z"},
	{"new (class R extends RegExp{})('x', 'g')", Options{}, "R /x/g"},
	{"new (class MyPromise extends Promise{})(() => {})", Options{}, "MyPromise [Promise] { <pending> }"},
	{"(()=>{const e = new Error('x'); e.stack = 'Error: x'; const p = Promise.reject(e); p.catch(() => {}); return p})()", Options{}, "Promise { <rejected> [Error: x] }"},
	{"new Map([[{ key: 'first key object' }, { value: 'first value object' }], [{ key: 'second' }, 'v']])", Options{}, "Map(2) {\n  { key: 'first key object' } => { value: 'first value object' },\n  { key: 'second' } => 'v'\n}"},
	{"new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g'])", Options{}, "Set(7) { 'a', 'b', 'c', 'd', 'e', 'f', 'g' }"},
	{"new Uint8Array(10)", Options{}, "Uint8Array(10) [\n  0, 0, 0, 0, 0,\n  0, 0, 0, 0, 0\n]"},
	{"new Float64Array([1.5, 2, -0, NaN, 1e300, 3, 4])", Options{}, "Float64Array(7) [\n     1.5,   2,\n      -0, NaN,\n  1e+300,   3,\n       4\n]"},
	{"[1, 'two', 3, 'four', 5, 'six', 7, 'eight']", Options{}, "[ 1, 'two', 3, 'four', 5, 'six', 7, 'eight' ]"},
	{"({a: 'x'.repeat(100)})", Options{}, "{\n  a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n}"},
	{"['x'.repeat(20) + '\\n' + 'y'.repeat(70)]", Options{}, "[\n  'xxxxxxxxxxxxxxxxxxxx\\n' +\n    'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'\n]"},
	{"{ 'key with spaces': [ 'a long string value number one', 'a long string value number two' ], other: 1 }", Options{BreakLength: 120}, "{ 'key with spaces': [ 'a long string value number one', 'a long string value number two' ], other: 1 }"},
	{"[[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14]]", Options{}, "[\n  [ 1, 2 ],\n  [ 3, 4 ],\n  [ 5, 6 ],\n  [ 7, 8 ],\n  [ 9, 10 ],\n  [ 11, 12 ],\n  [ 13, 14 ]\n]"},
	{"Object.assign(Object.create(null), {a: 1, b: [1, 2]})", Options{Colors: true}, "[Object: null prototype] { a: \x1b[33m1\x1b[39m, b: [ \x1b[33m1\x1b[39m, \x1b[33m2\x1b[39m ] }"},
}

// deviationCases document where the output deliberately differs from Node
// 20 (see the list in doc.go); the expected values are ours.
var deviationCases = []inspectCase{
	// Node calls the Symbol.toStringTag getter ("X [Y] {}"); we never
	// call user getters.
	{"new (class X { get [Symbol.toStringTag]() { return 'Y' } })", Options{}, "X {}"},
	// Node previews iterator entries ("[Map Entries] { [ 1, 2 ] }").
	{"new Map([[1, 2]]).entries()", Options{}, "Object [Map Iterator] {}"},
	// goja stacks are re-indented to Node's "    at " form.
	{"(()=>{const e = new Error('boom'); e.stack = 'Error: boom\\n\\tat f (x.js:1:2(3))\\n'; return e})()", Options{}, "Error: boom\n    at f (x.js:1:2(3))"},
	// Node prints every property; we stop after 1000.
	{"Object.fromEntries(Array.from({length: 1003}, (_, i) => ['k' + i, i]))", Options{Depth: 0}, ""},
}

func TestInspectDeviations(t *testing.T) {
	for _, c := range deviationCases {
		vm := goja.New()
		got := Inspect(vm, inspEval(t, vm, c.expr), c.opts)
		if c.want == "" {
			if !strings.HasSuffix(got, "k999: 999,\n  ... 3 more properties\n}") {
				t.Errorf("Inspect(%s): got %q", c.expr, got[max(0, len(got)-80):])
			}
			continue
		}
		if got != c.want {
			t.Errorf("Inspect(%s)\n got: %q\nwant: %q", c.expr, got, c.want)
		}
	}
	// %o prints like %O with depth 4 (Node adds hidden properties).
	vm := goja.New()
	if got := Format(vm, []goja.Value{vm.ToValue("%o"), inspEval(t, vm, "[1, {a: 2}]")}, false); got != "[ 1, { a: 2 } ]" {
		t.Errorf("%%o: got %q", got)
	}
}

// inspectFuzzGen builds pseudo-random values (primitives, nested arrays with
// holes, objects, Maps, Sets, class instances, null-prototype objects,
// getters, cycles, typed arrays, errors, boxed primitives, multi-line
// strings) from a seed; the same code runs in Node and in goja.
const inspectFuzzGen = `function makeGen(seed) {
  let s = seed >>> 0;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; };
  const ri = (n) => Math.floor(rnd() * n);
  const strs = ['a', 'hello', "it's", 'say "hi"', 'x\ny', 'tab\t', '', 'long string '.repeat(6), 'ünï', '漢字', 'mix \'"\x60', 'key-with-dash', '\\', '${x}\'"'];
  const keys = ['a', 'b', 'foo', 'bar_1', 'key-x', '1', '22', 'with space', '__proto__x', 'Z'];
  function val(d) {
    const t = ri(d > 3 ? 8 : 24);
    switch (t) {
      case 0: return ri(1000) - 500;
      case 1: return rnd() * 1000;
      case 2: return strs[ri(strs.length)];
      case 3: return [null, undefined, true, false, -0, NaN, Infinity][ri(7)];
      case 4: return BigInt(ri(100000)) * 12345678901n;
      case 5: return Symbol(['x', '', 'sym bol'][ri(3)]);
      case 6: return new Date(ri(2e12));
      case 7: return strs[ri(strs.length)].repeat(ri(4));
      case 8: case 9: { const n = ri(12); const a = []; for (let i = 0; i < n; i++) a.push(val(d + 1)); if (ri(5) === 0 && n > 2) delete a[1]; if (ri(8) === 0) a.extra = val(d + 1); return a; }
      case 10: case 11: case 12: { const n = ri(8); const o = {}; for (let i = 0; i < n; i++) o[keys[ri(keys.length)]] = val(d + 1); return o; }
      case 13: { const m = new Map(); const n = ri(5); for (let i = 0; i < n; i++) m.set(val(d + 2), val(d + 1)); return m; }
      case 14: { const st = new Set(); const n = ri(6); for (let i = 0; i < n; i++) st.add(val(d + 1)); return st; }
      case 16: { class Foo { constructor() { this.x = val(d + 1); } } return new Foo(); }
      case 17: { const o = Object.create(null); o.q = val(d + 1); return o; }
      case 18: { const o = {a: 1}; Object.defineProperty(o, 'g', {get() { return 1; }, enumerable: true}); o.self = o; return o; }
      case 19: return new Uint16Array(ri(10));
      case 20: { const e = new (ri(2) ? Error : TypeError)('msg ' + ri(9)); e.stack = ri(2) ? e.name + ': ' + e.message : e.name + ': ' + e.message + '\n    at f (a.js:1:1)\n    at g (b.js:2:2)'; if (ri(2)) e.code = 'E' + ri(99); return e; }
      case 21: return 'line\n'.repeat(ri(30)) + 'end';
      case 22: return [new Number(ri(9)), new String('s' + ri(9)), /re+g/gi][ri(3)];
      case 23: { const a = [val(d + 1)]; a.push(a); return new Map([[a, new Set([a])]]); }
      case 15: { const n = ri(15); return Array.from({length: n}, () => ri(3) ? ri(100000) : rnd()); }
    }
  }
  return () => { const v = []; for (let i = 0; i < 1 + ri(4); i++) v.push(ri(2) ? val(1) : {k: val(1), m: val(2)}); return ri(2) ? v : {top: v, other: val(1)}; };
}
`

// inspectFuzzHashes holds, for seeds 1..400, the first 12 hex digits of the
// SHA-256 of Node v20.20.2's util.inspect output, with the options
// [{}, {depth: 4}, {breakLength: 40}, {colors: true}][seed % 4].
const inspectFuzzHashes = "" +
	"b713171de678 45c119bf2381 9beead11d4bf 6c5ae6fb651f a6e891b7f86b b2eb73c878c9 0e380322c89b 06ce20ebb0c7 " +
	"2e7eb234c63b 2d6f5dc23a68 adcac3952745 6c694a386b42 189d56270462 a563bbfe212b 612cd675c4ae 9b4852de4bd0 " +
	"ff15bf5cf15a dc208eff3169 5b5b45cca784 a3689ce9dcd3 6355c809cae2 ad6f61d67c07 d07c0ee295dc fd625cc979cb " +
	"a66eed712dcb 02a034b5acf5 9b847b6ecba3 fbcf8d2b2d97 f87f8ebe3e84 5435102f9b3a f49b6f558c98 a2e3815bc149 " +
	"afaf7569f6ad 93385aa53dbb f749075dcefd aaccf61a7c60 67bb94bc4404 542e9cb6820d 7359651116a1 ee205db6f84c " +
	"10462863d4cd 8f30d64a8782 abbff519ba63 09233f498ca0 01ce1765c596 bd4f61b2d923 2c884081a7a1 21d81793637d " +
	"db76a7fad7fc f8b710b401ad c9cea8743182 a8fc297a0965 f27c297b5382 d25e60ddd9b5 6381569fb421 8baa4c4f250d " +
	"7b76ade39d1a 43361490f8f7 add13c36a278 4389cd1addc8 393859c601c9 42f69249da33 8eb15b105ac3 2ea74e9a9d45 " +
	"e6e64d769798 066d3789344d 4bc2dc6bb051 5c919bb47afb 16b556a83c7f bc8a93785086 d86aaa97abfe f0cc9fad3a7d " +
	"bbff20e4dbc5 21c33c4dcc52 372ed3cb50ef dc1fd8ed0750 e25efcfdc8b1 19cc7c62bd3e 823ae4656e4d 0d6bf58ce40e " +
	"ec38aedc8ddb 604e0860cea0 f40e3c0921de e21685e4cb77 08bfdcc80e5a ade2f7fecfe4 fa71079a1451 74909e972b14 " +
	"8c95c60cee46 76c1b96165e8 49913b61c113 f2bac4bcef07 5a65adce41ea cb39aa30ae9c 166330035367 f33eae1f0e7e " +
	"1a9480da16a0 e8044e8a457e 392433142e8a af8b8b77b3d0 248b9be3cddb 72ab8cfcc482 82bccae172dd 932d08002bca " +
	"7eec2de5f143 5d6c103a6964 d5fa6d3432fa bae52fb57f55 2ec23b3b1911 3fa8cd269d88 3e4ac234b00f 4b0c2b9b11ee " +
	"cf2686f8064c fe9630a81b3a 8e5fe5a966f0 18594d0a6f4b 0dd1b0d74d6f ab0f428d7286 04e714f15f39 99bee201340d " +
	"8ff768d30b81 e880a0449c2a a4994b8b1269 92aca4038f1e 11b1e23572c9 8906882a483b 7cb2ea85f1ab 822e36a419dd " +
	"ce7347b0c375 6995034bab6b a4cda3791836 2edc5393cbf9 79c13948ddc8 3b849e7e4f72 a55facb347c6 69415e3e24d7 " +
	"da996ad81f1b 01c97b0ff9f6 c3d67b31efda 06c347f7e662 4480a12bd335 3eb751549250 43a9b24f696c 03a109bf8fbd " +
	"d8d07eee9d3f 6e9288170f5f 76132e1dbf3b 76b32e5eb4e0 90a8856dde95 88dee7ab806a ee5618e8a57c 99d64d39714b " +
	"082307337987 aafd0a4a4f04 6938d0437738 a2e7d771ec69 492cbd7f697d c3003989e783 42407ec8f0e8 c62f9daf2560 " +
	"3602bae45334 9e8c8cbeaf56 747aef5c5b24 61d35747b1ce 9dfd2e40f17a abb95685339c 965c64a461b6 9c2843c466c9 " +
	"dfde0af7342a e688269b4aae b21e0a2817ae 22ee7c9628f0 2ea27b3ded06 d6dfb2c704ad f57500c1b633 1cd73ed13e49 " +
	"67c73b70d0a4 04a6e1f582a9 e1cf4f3524c7 440e865abe42 a70510653315 67c3862bc7f3 0787c4965a9f 4807099ac992 " +
	"81190e9553f2 587392328560 3e5db0f82f98 533a2cac3c6d 932e8a03ef88 6a8fbbacd8ea 6f4074504a4f bf0b16780281 " +
	"1f228f8df927 c7c62660608f 2ec1680b8fe1 3a26a0a9d903 56bc13b15422 5fd2fbd7c026 e1a65dddb969 ea3830fbc1db " +
	"7966862af33e d08bb7a31ae0 213cf28d9581 cf5af55bffc1 e1bdb52381b8 bd8fe9f6750b c43cb020f0d4 7fc4dc9d112b " +
	"9f1dfb6ece21 63f099fa8ec9 56540f33a8e0 44307950ed1d fe41ede32284 72f2a7651981 d6e7e251c8a8 3c6c30a572e5 " +
	"abb501b04ffd c249ebe38943 5853ed7a36dc dcff4d4f21f2 bf84e6a69381 5748c698ff34 85e3bd4fc0bd b1349ab926e7 " +
	"c4a32eed7c4d 4db6586a5187 b85aa941ce69 c21908a671ed 878f5b285458 3a5aa5067f85 e32406223b14 349408dd0bfe " +
	"057ed0254385 99fd675f3269 137bd0890544 7bf506ac59bb 3c586262f5ef eaafc67dd65b b7bba2c6a5ba b77194441e26 " +
	"88f76f9a5687 c02e947d4e15 e04ccbf6b44f b9a31d06d523 b0eaf9417876 0a452e19d07d d9caa80472e4 d6f77624922b " +
	"aa66c28456e6 f752973697f6 3979ebe77369 9c790b3fdd1c 05afee4a4ea0 e423c4cf0891 5ce892af86eb 74bb4fa8ff65 " +
	"144db4aa3203 92aee7db53e0 e807659ce6ec 5151654b5c44 1a4f37032e46 58b5dad277ff 7c765f64e0fc 845117f09ba5 " +
	"3e6c5e1ff642 a879c723dd81 af7f9a45fc8f ba042a473858 5a630917bbf3 deed4f67b227 dc49c06de72c f7c7c744f7f0 " +
	"acea415de1f7 f24ea250f5af 891adc821a12 ca32a2dff105 641d88510c79 68e7bffda328 246e4199b3f5 b2a85ca809f3 " +
	"e767ec8b1ff3 c9b291daa65a c5e93fdbade7 fdee4fdc386a 8a821b45b895 650b52a2d474 f8e89073804e f4ff01201671 " +
	"4bcf1fa539c8 9381c47165a5 5839f30498d5 94d55ab7685f 1a4c63ca9250 8f199b4dad9b 28d9295da1d7 47073944d27b " +
	"ac5b2529cfc3 e3b109cb9621 ef46b735c4bf 00bb35341c07 dd6fa0b8d7a5 31636925b03c 416ac382abf3 7f5c78ccb779 " +
	"28323a69baef cc8e7211e5de c4e409ae778e 0d2b75d08b93 8c6f8a68054a ba87ea7ec70f 8802419369b4 c66c76bc682f " +
	"2ff50c39b12a 9706a4a548b3 1605b507867b c384ee0e81a4 5a25ff4b7009 ee8e54d73144 c2cd80739fcd 9ec4b596ff6a " +
	"1cb09a4a599e e99922c1fa74 ac403375b322 2c97abbaf085 0bb7fc152f53 98d2e77ed79d cdf10c6ad10d 632306b96281 " +
	"a28de4fd82d0 bf20469d94fc 96857e3edfbf 770e44bbaf4a c512c9c7304c 49a2ea751093 d61a7df76290 9067054f8c68 " +
	"b68bf6c4f7c1 ad00dc2b23e7 f8e2afa8a3fb 91c6613073ee 5c14c6098169 5a4af63d5e05 773c67a16627 49c9d08babfd " +
	"2a6a9af4ca92 6445b66e7864 9631d1ddff30 79772e8ed079 9c6dbd15e1c7 6ed5b03f77fb 742e5ec97ff8 5d4e22c01ab0 " +
	"5224ea657482 bb58941b4862 c0dc17c53ca5 15977f79a303 9bef0b26fe19 0ff0137578ea 59391091ac65 fc9adaa99133 " +
	"e9e6821857b5 2129ddc77a17 a77d5f8b4926 f04e1100b0f9 a91501721678 43b5e5579af1 14d2d59e0747 9db730b0172f " +
	"d2a95fb14f29 10776b2627c6 6661a254e6b1 9e131f8758e8 b2f0e26e816c 7d7aa0340345 dd2093c9bcea 8f602e2c0766 " +
	"c0a27a58cebe e4ea1703ba8d 6b95819713e8 4daba2c71ea4 51293fe3898f 8a22ff2d3986 565cd8c01287 73ad99d21e6e " +
	"ea63a6f0754a 7da917a905fc 2fbcbcb4ec75 e85432870e8b 243913c41012 3478c7de3a37 855a5b50e446 fb8b19c37c27 " +
	"c563b84c6d4d fe8b95cc1286 ca04a0105303 4419fb25fd7b a11fd832fa62 cf46f9c35100 ca73326119e6 994dac497292 "

func TestInspectRandomValuesMatchNode(t *testing.T) {
	want := strings.Fields(inspectFuzzHashes)
	vm := goja.New()
	if _, err := vm.RunString(inspectFuzzGen); err != nil {
		t.Fatal(err)
	}
	for seed := 1; seed <= len(want); seed++ {
		v, err := vm.RunString("makeGen(" + strconv.Itoa(seed) + ")()")
		if err != nil {
			t.Fatal(err)
		}
		opts := []Options{{}, {Depth: 4}, {BreakLength: 40}, {Colors: true}}[seed%4]
		got := Inspect(vm, v, opts)
		sum := sha256.Sum256([]byte(got))
		if h := hex.EncodeToString(sum[:6]); h != want[seed-1] {
			t.Errorf("seed %d (%+v): output differs from Node's:\n%s", seed, opts, got)
		}
	}
}

// inspCounterVM returns a runtime with a global `hits` counter and `hit()`.
func inspCounterVM(t *testing.T) *goja.Runtime {
	vm := goja.New()
	if _, err := vm.RunString("var hits = 0; function hit() { hits++; }"); err != nil {
		t.Fatal(err)
	}
	return vm
}

func inspHits(vm *goja.Runtime) int64 { return vm.Get("hits").ToInteger() }

func TestInspectProxyTrapsNeverCalled(t *testing.T) {
	vm := inspCounterVM(t)
	v := inspEval(t, vm, `(() => {
		const traps = {};
		for (const k of ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf',
			'setPrototypeOf', 'defineProperty', 'deleteProperty', 'isExtensible', 'preventExtensions',
			'apply', 'construct']) {
			traps[k] = function () { hit(); throw new Error('trap ' + k); };
		}
		const p = new Proxy({a: 1, nested: {b: 2}}, traps);
		const pa = new Proxy([1, 2, 3], traps);
		const pf = new Proxy(function f() {}, traps);
		const pp = new Proxy(p, traps);
		return {p, pa, pf, pp, inMap: new Map([[p, pa]]), inSet: new Set([pf]), arr: [p, pp]};
	})()`)
	got := Inspect(vm, v, Options{Depth: -1})
	want := "{\n  p: { a: 1, nested: { b: 2 } },\n  pa: [ 1, 2, 3 ],\n  pf: [Function: f],\n  pp: { a: 1, nested: { b: 2 } },\n" +
		"  inMap: Map(1) { { a: 1, nested: { b: 2 } } => [ 1, 2, 3 ] },\n  inSet: Set(1) { [Function: f] },\n" +
		"  arr: [ { a: 1, nested: { b: 2 } }, { a: 1, nested: { b: 2 } } ]\n}"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	// (%j is left out: JSON.stringify runs traps, in Node too.)
	_ = Format(vm, []goja.Value{vm.ToValue("%s %d %i %f %O %o"), v, v, v, v, v, v}, true)
	if n := inspHits(vm); n != 0 {
		t.Errorf("proxy traps called %d times", n)
	}
}

func TestInspectGettersNeverCalled(t *testing.T) {
	vm := inspCounterVM(t)
	v := inspEval(t, vm, `(() => {
		const o = {
			get throws() { hit(); throw new Error('boom'); },
			get loops() { hit(); for (;;) {} },
			set onlySet(v) { hit(); },
			get both() { hit(); return 1; }, set both(v) { hit(); },
		};
		Object.defineProperty(o, Symbol.toStringTag, {get() { hit(); return 'T'; }});
		const arr = [1, 2];
		Object.defineProperty(arr, 1, {get() { hit(); return 2; }, enumerable: true});
		const e = new Error('x');
		Object.defineProperty(e, 'stack', {get() { hit(); return 'S'; }});
		Object.defineProperty(e, 'cause', {get() { hit(); return 'C'; }});
		class K { static get name() { hit(); return 'N'; } }
		return {o, arr, e, k: new K, K};
	})()`)
	got := Inspect(vm, v, Options{})
	if inspHits(vm) != 0 {
		t.Fatalf("getters called %d times", inspHits(vm))
	}
	for _, want := range []string{"throws: [Getter]", "loops: [Getter]", "onlySet: [Setter]", "both: [Getter/Setter]", "[ 1, [Getter] ]", "[cause]: [Getter]"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
}

func TestInspectHugeArrays(t *testing.T) {
	vm := goja.New()
	start := time.Now()
	got := Inspect(vm, inspEval(t, vm, "(() => { const a = []; a.length = 1e7; a[3] = 'x'; a[5e6] = 'y'; return a; })()"), Options{})
	if want := "[\n  <3 empty items>,\n  'x',\n  <4999996 empty items>,\n  'y',\n  <4999999 empty items>\n]"; got != want {
		t.Errorf("sparse: got %q want %q", got, want)
	}
	got = Inspect(vm, inspEval(t, vm, "(() => { const a = new Array(2e6).fill(1); a.extra = true; delete a[1]; return a; })()"), Options{})
	if !strings.HasSuffix(got, "... 1999900 more items\n]") || !strings.Contains(got, "<1 empty item>") {
		t.Errorf("dense: got %q", got)
	}
	got = Inspect(vm, inspEval(t, vm, "new Uint8Array(1e7)"), Options{})
	if !strings.HasPrefix(got, "Uint8Array(10000000) [") || !strings.HasSuffix(got, "... 9999900 more items\n]") {
		t.Errorf("typed: got %q", got)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("huge arrays took %v", d)
	}
}

func TestInspectDeepNesting(t *testing.T) {
	for _, c := range []struct {
		src       string
		innermost string // printed at the recursion cap, or the real innermost value
	}{
		{"(() => { let o = {}; for (let i = 0; i < 100000; i++) o = {o}; return o; })()", "o: [Object]"},
		{"(() => { let o = []; for (let i = 0; i < 100000; i++) o = [o]; return o; })()", "[Array]"},
		{"(() => { let o = new Map(); for (let i = 0; i < 300; i++) o = new Map([[i, o]]); return o; })()", "0 => Map(0) {}"},
	} {
		vm := goja.New()
		v := inspEval(t, vm, c.src)
		start := time.Now()
		got := Inspect(vm, v, Options{Depth: -1})
		if d := time.Since(start); d > 60*time.Second || !strings.Contains(got, c.innermost) {
			t.Errorf("%s: %v, %d bytes, missing %q", c.src, d, len(got), c.innermost)
		}
		if got := Inspect(vm, v, Options{}); !strings.Contains(got, "[Object]") && !strings.Contains(got, "[Array]") && !strings.Contains(got, "[Map]") {
			t.Errorf("%s: default depth: %q", c.src, got)
		}
	}
}

func TestInspectBounded(t *testing.T) {
	vm := goja.New()
	got := Inspect(vm, inspEval(t, vm, "'ab'.repeat(500000)"), Options{})
	if !strings.HasSuffix(got, "'... 990000 more characters") || len(got) > 10100 {
		t.Errorf("long string: %d bytes, ends %q", len(got), got[len(got)-40:])
	}
	got = Inspect(vm, inspEval(t, vm, "Object.fromEntries(Array.from({length: 5000}, (_, i) => ['k' + i, i]))"), Options{})
	if !strings.HasSuffix(got, "  ... 4000 more properties\n}") {
		t.Errorf("huge object ends %q", got[len(got)-40:])
	}
	// A DAG that doubles at every level is cut off by the work budget.
	start := time.Now()
	v := inspEval(t, vm, "(() => { let o = {}; for (let i = 0; i < 30; i++) o = {a: o, b: o}; return o; })()")
	got = Inspect(vm, v, Options{Depth: -1})
	if d := time.Since(start); d > 60*time.Second || !strings.Contains(got, "[Object]") {
		t.Errorf("DAG: %v, %d bytes", d, len(got))
	}
}

func TestInspectCyclesThroughCollections(t *testing.T) {
	vm := goja.New()
	v := inspEval(t, vm, `(() => { const m = new Map(), s = new Set(), o = {m, s}; m.set('o', o); m.set(s, m); s.add(o); s.add(m); return o; })()`)
	got := Inspect(vm, v, Options{Depth: -1})
	// From Node v20.20.2.
	want := "<ref *1> {\n  m: <ref *2> Map(2) {\n    'o' => [Circular *1],\n    Set(2) { [Circular *1], [Circular *2] } => [Circular *2]\n  },\n" +
		"  s: <ref *3> Set(2) {\n    [Circular *1],\n    <ref *2> Map(2) {\n      'o' => [Circular *1],\n      [Circular *3] => [Circular *2]\n    }\n  }\n}"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// inspSecretHost is a host value whose Go fields must never be printed.
type inspSecretHost struct {
	Secret string
	keys   []string
}

func (h *inspSecretHost) Get(k string) goja.Value {
	if k == "visible" && len(h.keys) > 0 {
		return goja.New().ToValue(1)
	}
	return nil
}
func (h *inspSecretHost) Set(string, goja.Value) bool { return false }
func (h *inspSecretHost) Has(k string) bool           { return k == "visible" && len(h.keys) > 0 }
func (h *inspSecretHost) Delete(string) bool          { return false }
func (h *inspSecretHost) Keys() []string              { return h.keys }

// inspPanicHost panics in Go on every access.
type inspPanicHost struct{}

func (inspPanicHost) Get(string) goja.Value       { panic("host bug") }
func (inspPanicHost) Set(string, goja.Value) bool { panic("host bug") }
func (inspPanicHost) Has(string) bool             { panic("host bug") }
func (inspPanicHost) Delete(string) bool          { panic("host bug") }
func (inspPanicHost) Keys() []string              { panic("host bug") }

func TestInspectHostObjects(t *testing.T) {
	vm := goja.New()
	// A host class as an embedder builds one: a Go constructor whose prototype
	// carries the constructor and a Symbol.toStringTag.
	ctor := vm.ToValue(func(goja.ConstructorCall) *goja.Object { return nil }).(*goja.Object)
	proto := vm.NewObject()
	_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = ctor.DefineDataProperty("name", vm.ToValue("SendPort"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("SendPort"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)

	plain := vm.NewDynamicObject(&inspSecretHost{Secret: "s3cr3t"})
	_ = plain.SetPrototype(proto)
	withKeys := vm.NewDynamicObject(&inspSecretHost{Secret: "s3cr3t", keys: []string{"visible"}})
	_ = withKeys.SetPrototype(proto)
	bare := vm.NewDynamicObject(&inspSecretHost{Secret: "s3cr3t"})

	for _, c := range []struct {
		v    goja.Value
		want string
	}{
		{plain, "SendPort {}"},
		{withKeys, "SendPort { visible: 1 }"},
		{bare, "{}"},
		{vm.NewArray(plain, bare), "[ SendPort {}, {} ]"},
		{ctor, "[Function: SendPort]"},
	} {
		if got := Inspect(vm, c.v, Options{}); got != c.want || strings.Contains(got, "s3cr3t") {
			t.Errorf("got %q want %q", got, c.want)
		}
	}
	if got := Format(vm, []goja.Value{vm.ToValue("port:"), plain}, false); got != "port: SendPort {}" {
		t.Errorf("Format: %q", got)
	}

	// A host object that panics in Go must not crash Inspect, and the
	// runtime must stay usable.
	bad := vm.NewDynamicObject(inspPanicHost{})
	_ = Inspect(vm, vm.NewArray(bad), Options{})
	_ = Format(vm, []goja.Value{vm.ToValue("%s %j"), bad, bad}, true)
	if v, err := vm.RunString("1 + 1"); err != nil || v.ToInteger() != 2 {
		t.Errorf("runtime broken after host panic: %v %v", v, err)
	}
}

func TestInspectTamperedBuiltins(t *testing.T) {
	const tamper = `
		Object.getOwnPropertyDescriptor = function () { hit(); throw new Error('no'); };
		Map.prototype.entries = function () { hit(); throw new Error('no'); };
		Set.prototype.values = function () { hit(); throw new Error('no'); };
		Object.defineProperty(Map.prototype, 'size', {get() { hit(); return 99; }});
		Object.prototype.constructor = function Evil() {};
		JSON.stringify = function () { hit(); return 'evil'; };
		Symbol.prototype.valueOf = function () { hit(); };
	`
	const src = "({a: 1, m: new Map([[1, 2]]), s: new Set([3]), b: Object(Symbol('q'))})"
	want := "{ a: 1, m: Map(1) { 1 => 2 }, s: Set(1) { 3 }, b: [Symbol: Symbol(q)] }"

	// Primed before the script runs: output unaffected, no user code run.
	vm := inspCounterVM(t)
	prime(vm)
	inspEval(t, vm, "(function () {"+tamper+"})()")
	if got := Inspect(vm, inspEval(t, vm, src), Options{}); got != want {
		t.Errorf("primed: got %q want %q", got, want)
	}
	if got := Format(vm, []goja.Value{vm.ToValue("%j"), inspEval(t, vm, "({a: 1})")}, false); got != `{"a":1}` {
		t.Errorf("primed %%j: %q", got)
	}
	if n := inspHits(vm); n != 0 {
		t.Errorf("tampered built-ins called %d times", n)
	}

	// Not primed: degraded output is fine, panics are not.
	vm = inspCounterVM(t)
	inspEval(t, vm, "(function () {"+tamper+"})()")
	_ = Inspect(vm, inspEval(t, vm, src), Options{})
	_ = Format(vm, []goja.Value{vm.ToValue("%s %j %d"), inspEval(t, vm, src), inspEval(t, vm, src), inspEval(t, vm, src)}, true)
}

func TestInspectInterrupted(t *testing.T) {
	vm := goja.New()
	v := inspEval(t, vm, "({a: [1, 2, {b: new Map([[1, 2]])}], s: new Set([1])})")
	vm.Interrupt("stop")
	_ = Inspect(vm, v, Options{})
	_ = Format(vm, []goja.Value{vm.ToValue("%s %j"), v, v}, false)
	vm.ClearInterrupt()
	if got := Inspect(vm, v, Options{}); got != "{ a: [ 1, 2, { b: [Map] } ], s: Set(1) { 1 } }" {
		t.Errorf("after interrupt: %q", got)
	}
}

func TestInspectOddInputs(t *testing.T) {
	vm := goja.New()
	if got := Inspect(vm, nil, Options{}); got != "undefined" {
		t.Errorf("nil: %q", got)
	}
	if got := Inspect(nil, goja.Undefined(), Options{}); got != "" {
		t.Errorf("nil vm: %q", got)
	}
	if got := Format(vm, nil, false); got != "" {
		t.Errorf("no args: %q", got)
	}
	if got := Format(vm, []goja.Value{vm.ToValue("a"), nil}, false); got != "a undefined" {
		t.Errorf("nil arg: %q", got)
	}
	if got := Format(vm, []goja.Value{vm.ToValue(map[string]any{"go": 1})}, false); got != "{ go: 1 }" {
		t.Errorf("go map: %q", got)
	}
	if got := Format(vm, []goja.Value{vm.ToValue("x"), vm.ToValue(1)}, true); got != "x \x1b[33m1\x1b[39m" {
		t.Errorf("colors: %q", got)
	}
}

func TestInspectConcurrentRuntimes(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vm := goja.New()
			v, err := vm.RunString("({a: [1, 2, 3], m: new Map([['k', new Set([1])]]), d: new Date(0)})")
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < 50; i++ {
				if got := Inspect(vm, v, Options{}); got != "{\n  a: [ 1, 2, 3 ],\n  m: Map(1) { 'k' => Set(1) { 1 } },\n  d: 1970-01-01T00:00:00.000Z\n}" {
					t.Errorf("got %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func inspBench(b *testing.B, src string) {
	vm := goja.New()
	v, err := vm.RunString("(" + src + ")")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Inspect(vm, v, Options{})
	}
}

func BenchmarkInspectSmallObject(b *testing.B) { inspBench(b, "({a: 1, b: 'hello'})") }
func BenchmarkInspectArray100(b *testing.B) {
	inspBench(b, "Array.from({length: 100}, (_, i) => i)")
}
func BenchmarkInspectNested(b *testing.B) {
	inspBench(b, "Array.from({length: 20}, (_, i) => ({id: i, name: 'n' + i, tags: ['a', 'b']}))")
}
