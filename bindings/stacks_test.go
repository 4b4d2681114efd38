package bindings_test

import "testing"

// A stack trace never shows a Go function's name: goja names a native
// made from a Go func after it, and the guards' constructor check, the
// replacer wrappers and the recursion kit's helpers were such natives
// (every RangeError of new ArrayBuffer(2**40) showed
// "github.com/isobox/isobox/engine/guard.(*guards).makeCtorWrapper.func1").
func TestStacksShowNoGoNames(t *testing.T) {
	res := runJS(t, stacksSrc)
	if res.err != nil || res.stdout != "no Go names true\n" {
		t.Errorf("stdout:\n%s\nstderr:\n%s\nerr: %v", res.stdout, res.stderr, res.err)
	}
}

const stacksSrc = `const out = [];
let n = 0;
const tryit = (name, f) => { try { f() } catch (e) { if (e && e.stack) n++; if (/github\.com|\.func\d|goja|\(\*/.test(String(e && e.stack))) out.push(name + ": " + e.stack) } };
tryit("replace", () => "ab".repeat(10).replace(/a/g, () => { throw new Error("r") }));
tryit("replaceAll", () => "ab".repeat(10).replaceAll("a", () => { throw new Error("r") }));
tryit("replace-str", () => "ab".replace("a", () => { throw new Error("r") }));
tryit("ctor", () => new Function("0,".repeat(5e6)));
tryit("ctor3", () => new Function("(".repeat(20000)));
tryit("ctor4", () => new Float64Array(2**40));
tryit("reflect", () => Reflect.construct(ArrayBuffer, [2**40]));
tryit("import", () => { throw 1 });
tryit("cycle", () => { const a = new Proxy({}, {}); Object.setPrototypeOf(Object.getPrototypeOf(a), a) });
tryit("ctor2", () => new ArrayBuffer(2**40));
tryit("regexp", () => new RegExp("(".repeat(20000)));
tryit("proto", () => { const o = {}; Object.setPrototypeOf(o, o) });
tryit("proto2", () => { const o = {}; o.__proto__ = o });
tryit("sort", () => [3, 2, 1].sort(() => { throw new Error("s") }));
tryit("map", () => new Map([[1, 2]]).forEach(() => { throw new Error("m") }));
tryit("json", () => JSON.parse("[1]", () => { throw new Error("j") }));
tryit("stringify", () => JSON.stringify({ toJSON() { throw new Error("j") } }));
tryit("flat", () => [[1]].flatMap(() => { throw new Error("f") }));
tryit("from", () => Array.from({ length: 2, get 0() { throw new Error("a") } }));
tryit("typed", () => new Uint8Array({ length: 2, get 0() { throw new Error("t") } }));
tryit("spread", () => ({ ...new Proxy({}, { ownKeys() { throw new Error("o") } }) }));
tryit("add", () => ({ valueOf() { throw new Error("v") } }) + 1);
tryit("tpl", () => ` + "`" + `${{ toString() { throw new Error("v") } }}` + "`" + `);
tryit("repeat", () => "x".repeat({ valueOf() { throw new Error("v") } }));
console.log(out.length ? out.join("\n---\n") : "no Go names", n > 15);
`
