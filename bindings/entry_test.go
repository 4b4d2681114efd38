package bindings_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/internal/gojax"
)

// Every form of function can be an entry: the child gets the function's
// exact source. goja's toString drops the closing parentheses of an arrow
// whose body ends in a parenthesized expression, so those forms failed with
// "Unexpected end of input" when the source came from toString.
func TestEntryForms(t *testing.T) {
	cases := []struct {
		name string
		pre  string // statements before the call; may define the function
		fn   string // the function expression passed to Isolate.run
		arg  string
		want string
	}{
		{"arrow, expression body", "", "x => x * 2", "21", "42"},
		{"arrow, object literal body", "", "o => ({ s: o })", "1", `{"s":1}`},
		{"arrow, parenthesized body", "", "x => (x)", "5", "5"},
		{"arrow, doubly parenthesized body", "", "x => ((x + 1))", "5", "6"},
		{"arrow, body ends in parentheses", "", "x => 2 * (x + 1)", "5", "12"},
		{"arrow, conditional ending in parentheses", "", "x => x ? (1) : (2)", "0", "2"},
		{"arrow, parenthesized sequence", "", "x => (x, x + 1)", "1", "2"},
		{"arrow returning an arrow's call", "", "x => (y => (y * 3))(x)", "2", "6"},
		{"arrow, block body", "", "x => { return (x + 1) }", "1", "2"},
		{"arrow inside parentheses", "", "((x => (x)))", "7", "7"},
		{"arrow, comments and parens inside and after", "", "x => (x /* ) ( */ ) // ( )\n", "3", "3"},
		{"arrow, comment between the closing parens", "", "x => ((x) /* ) */\n)", "4", "4"},
		{"async arrow, object literal body", "", "async (o) => ({ sum: o.a + o.b })", "{a: 1, b: 2}", `{"sum":3}`},
		{"async arrow, parenthesized await", "", "async x => (await x)", "9", "9"},
		{"function expression", "", "function (x) { return (x) }", "1", "1"},
		{"named function declaration", "function add(x) { return (x + 1) }", "add", "1", "2"},
		{"async function", "", "async function (x) { return (await x) * 2 }", "4", "8"},
		{"generator function", "", "function* (x) { yield x }", "1", "DataCloneError"},
		{"method", "", "({ f(x) { return (x) } }).f", "3", "3"},
		{"async method", "", "({ async f(x) { return (x) } }).f", "3", "3"},
		{"generator method", "", "({ *g(x) { yield x } }).g", "3", "DataCloneError"},
		{"computed-key method", "", "({ ['a' + 'b'](x) { return x } }).ab", "3", "3"},
		{"symbol-key method", "", "({ [Symbol.iterator](x) { return x } })[Symbol.iterator]", "3", "3"},
		{"class static method", "class A { static m(x) { return [x] } }", "A.m", "5", "[5]"},
		{"class method", "class B { n(x) { return (x) } }", "B.prototype.n", "6", "6"},
		{"class async method", "class C { async n(x) { return (x) } }", "C.prototype.n", "6", "6"},
		{"class private method", "class D { static #p(x) { return (x) } static p() { return D.#p } }", "D.p()", "7", "7"},
		{"getter", "", `Object.getOwnPropertyDescriptor({ get x() { return (8) } }, "x").get`, "0", "8"},
		{"setter", "", `Object.getOwnPropertyDescriptor({ set x(v) { return } }, "x").set`, "0", "undefined"},
		{"default parameters", "", "(a = (1), b = (2)) => (a + b)", "undefined", "3"},
		{"destructured parameters", "", "({ a, b: [c] }) => (a + c)", "{a: 1, b: [2]}", "3"},
		{"rest parameters", "", "(...xs) => (xs.length)", "1", "1"},
		{"template literal", "", "x => (`(${x})` + `)`)", "1", `"(1))"`},
		{"regex literal", "", `s => (s.replace(/\)+/g, "]"))`, `"a))"`, `"a]"`},
		{"string with parens", "", `x => (")" + x + "(")`, `"x"`, `")x("`},
		{"eval'd arrow at line 1, column 1", "", `eval("x => (x + 1)")`, "1", "2"},
		{"new Function", "", `new Function("a", "return (a + 1)")`, "1", "2"},
		{"Function.prototype.toString replaced", "Function.prototype.toString = () => 'x => 666';", "x => (x)", "1", "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.pre + "\nIsolate.run(" + c.fn + ", " + c.arg + ").then(v => console.log(JSON.stringify(v)), e => console.log(e.name, e.message));\n"
			res := runJS(t, src)
			got := strings.TrimSuffix(res.stdout, "\n")
			if c.want == "DataCloneError" {
				got, _, _ = strings.Cut(got, " ")
			}
			if got != c.want {
				t.Errorf("got %q, want %q\nscript:\n%s\nstderr: %s", res.stdout, c.want, src, res.stderr)
			}
		})
	}
}

// A function declared at line 1, column 1 (no room for a wrapper before it).
func TestEntryAtFileStart(t *testing.T) {
	res := runJS(t, "function first(x) { return (x * 10) }\nIsolate.run(first, 4).then(console.log);\n")
	if res.stdout != "40\n" {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
}

// Not a script function: a TypeError, not a syntax error in the child.
func TestEntryMustBeScriptFunction(t *testing.T) {
	res := runJS(t, `
		for (const f of [Math.max, (x => x).bind(null), class {}, URL, ReceivePort, 5, "x => x"]) {
			try { Isolate.run(f).catch(e => console.log("rejected", e.name, e.message)) } catch (e) { console.log(e.name, e.message) }
		}
	`)
	want := strings.Repeat("rejected TypeError Isolate.run: entry must be a script function, not a native or bound one, or a class\n", 5) +
		strings.Repeat("rejected TypeError Isolate.run: entry must be a function\n", 2)
	if res.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
	}
}

// framePos is the file:line:column of a stack frame.
var framePos = regexp.MustCompile(`([^\s(]+:\d+:\d+)\)?$`)

func topPos(t *testing.T, stack string) string {
	t.Helper()
	frames := bindings.StackFrames(stack)
	if len(frames) == 0 {
		t.Fatalf("no frames in %q", stack)
	}
	m := framePos.FindStringSubmatch(frames[0])
	if m == nil {
		t.Fatalf("no position in frame %q", frames[0])
	}
	return m[1]
}

// An error in a spawned function is reported at its position in the
// spawner's file, not counted from the function's start: the child's
// stack, the error listener's payload and the Isolate.run rejection agree
// with where the same function fails when the spawner calls it itself.
func TestEntryErrorPositions(t *testing.T) {
	cases := []struct {
		name string
		pre  string // defines f, which throws
		want string // position of the throw in test.js
	}{
		{"eight lines down", "// one\n// two\nconst f = (o) => {\n  const a = 1;\n  const b = 2;\n  function inner() {\n    return a + b +\n      null.x;\n  }\n  return inner();\n};", "test.js:8:12"},
		{"same line, after other code", "const pad = 1; const f = () => null.first;", "test.js:1:37"},
		{"multi-byte text before it", `const s = "héllo ☃"; const f = () => null.first;`, "test.js:1:46"},
		{"column 1 of a later line", "const f = [\n() => {\n  null.q }][0];", "test.js:3:8"},
		{"line 1, column 1", "function f() {\n  null.z }", "test.js:2:8"},
		{"method", "const f = ({\n m() {\n    null.y\n }\n}).m;", "test.js:3:10"},
		{"method at column 2", "const f = ({\nm() { null.y }}).m;", "test.js:2:12"},
		{"arrow with parenthesized body", "const f = (o) =>\n  (null.w);", "test.js:2:9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.pre + `
let local = "";
try { f(0) } catch (e) { local = e.stack }
const ev = new ReceivePort();
const out = [];
ev.listen(m => {
	if (m) { out.push(m.stack); return; }
	ev.close();
	Isolate.run(f, 0).catch(e => {
		out.push(e.stack);
		console.log([local, ...out].join("\n--\n"));
	});
});
Isolate.spawn(f, 0, {onError: ev.sendPort, onExit: ev.sendPort});
`
			res := runJS(t, src)
			parts := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n--\n")
			if len(parts) != 3 {
				t.Fatalf("stdout %q, stderr %q", res.stdout, res.stderr)
			}
			for i, what := range []string{"the spawner's own call", "the error listener", "Isolate.run"} {
				if got := topPos(t, parts[i]); got != c.want {
					t.Errorf("%s: top frame at %s, want %s\nstack:\n%s", what, got, c.want, parts[i])
				}
			}
		})
	}
}

// Without goja's layout the text comes from toString, completed with the
// parentheses it lacks.
func TestEntryFormsWithoutLayout(t *testing.T) {
	restore := gojax.Disable()
	defer restore()
	res := runJS(t, `(async () => {
		console.log(await Isolate.run(x => (x), 5), JSON.stringify(await Isolate.run(o => ({ s: o }), 1)), await Isolate.run(x => 2 * ((x + 1)), 1));
		console.log(await Isolate.run({ m(x) { return x } }.m, 3));
		await Isolate.run(Math.max).catch(e => console.log(e.message));
	})()`)
	want := "5 {\"s\":1} 4\n3\nIsolate.run: entry must be a script function, not a native or bound one\n"
	if res.stdout != want {
		t.Errorf("stdout %q, want %q (stderr %q)", res.stdout, want, res.stderr)
	}
}
