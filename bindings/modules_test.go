package bindings_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// writeTree writes files (slash-separated names relative to dir) into dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runFile spawns dir/entry as the main isolate (as the CLI does: it may
// read its own directory), waits, and returns stdout, stderr and its error.
func runFile(t *testing.T, host *engine.Host, out, errb *syncBuffer, dir, entry string, roots ...string) error {
	t.Helper()
	if roots == nil {
		roots = []string{filepath.Dir(filepath.Join(dir, entry))}
	}
	src, err := engine.FileSource(filepath.Join(dir, entry))
	if err != nil {
		return err
	}
	iso, err := host.Spawn(src, engine.WithName("main"), engine.WithCapabilities(engine.Capabilities{ReadRoots: roots}))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return iso.Wait(ctx)
}

func newModuleHost(t *testing.T, opts ...engine.HostOption) (*engine.Host, *syncBuffer, *syncBuffer) {
	t.Helper()
	out, errb := &syncBuffer{}, &syncBuffer{}
	host := engine.NewHost(append([]engine.HostOption{engine.WithStdout(out), engine.WithStderr(errb),
		engine.WithSetup(bindings.Setup(bindings.Config{}))}, opts...)...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = host.Shutdown(ctx)
	})
	return host, out, errb
}

// The node_modules fixture: an ESM package with exports conditions, a
// CommonJS package, a package with only "module", and one that needs a
// Node built-in.
var nodeModules = map[string]string{
	"node_modules/esm-pkg/package.json":  `{"name":"esm-pkg","exports":{".":{"require":"./wrong.cjs","import":"./index.mjs","default":"./wrong.cjs"},"./sub":{"default":"./sub.mjs"}}}`,
	"node_modules/esm-pkg/index.mjs":     `export const kind = "esm"; export default function greet(n) { return "hello " + n }`,
	"node_modules/esm-pkg/sub.mjs":       `export const sub = "sub via exports";`,
	"node_modules/esm-pkg/wrong.cjs":     `module.exports = { kind: "wrong condition" };`,
	"node_modules/cjs-pkg/package.json":  `{"name":"cjs-pkg","main":"lib/main.js"}`,
	"node_modules/cjs-pkg/lib/main.js":   `const h = require("./helper"); module.exports = { add: (a, b) => a + b, name: h.name }; module.exports.default2 = 2;`,
	"node_modules/cjs-pkg/lib/helper.js": `exports.name = "cjs";`,
	"node_modules/mod-pkg/package.json":  `{"name":"mod-pkg","module":"m.mjs","main":"c.js"}`,
	"node_modules/mod-pkg/m.mjs":         `export const from = "module field";`,
	"node_modules/mod-pkg/c.js":          `exports.from = "main field";`,
	"node_modules/needs-fs/package.json": `{"name":"needs-fs","main":"index.js"}`,
	"node_modules/needs-fs/index.js":     `const fs = require("fs"); module.exports = fs.readFileSync;`,
	"node_modules/opt-fs/package.json":   `{"name":"opt-fs","main":"index.js"}`,
	"node_modules/opt-fs/index.js":       `let fs = null; try { fs = require("node:fs") } catch (e) { exports.why = e.message } exports.fs = fs;`,
}

func withNodeModules(files map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range nodeModules {
		out[k] = v
	}
	for k, v := range files {
		out[k] = v
	}
	return out
}

// moduleCases run an entry file as the main isolate; stdout must be want
// (or the error must contain wantErr). Expected outputs were checked
// against Node 20 where Node runs the same files (TypeScript aside).
var moduleCases = []struct {
	name    string
	files   map[string]string
	entry   string
	want    string
	wantErr string
}{
	{"cycle with ESM evaluation order", map[string]string{
		"a.mjs": `import { b } from "./b.mjs"; console.log("a runs, b is", b()); export function a() { return "a" }`,
		"b.mjs": `import { a } from "./a.mjs"; console.log("b runs first, a is hoisted:", a()); export function b() { return "b" }`,
	}, "a.mjs", "b runs first, a is hoisted: a\na runs, b is b\n", ""},
	{"top-level await orders dependents", map[string]string{
		"main.mjs":  `import { v } from "./slow.mjs"; import "./other.mjs"; console.log("main", v);`,
		"slow.mjs":  `console.log("slow start"); export const v = await new Promise(r => setTimeout(() => r(42), 5)); console.log("slow end");`,
		"other.mjs": `console.log("other");`,
	}, "main.mjs", "slow start\nslow end\nother\nmain 42\n", ""},
	{"TLA rejection is the isolate's error", map[string]string{
		"m.mjs": `await null; throw new RangeError("late");`,
	}, "m.mjs", "", "RangeError: late"},
	{"import and export forms", map[string]string{
		"main.mjs": `import def, { x as y, z } from "./lib.mjs"; import * as ns from "./lib.mjs"; export { y };
			import { again } from "./re.mjs";
			console.log(def(), y, z, Object.keys(ns).sort().join(","), again, ns.default === def);`,
		"lib.mjs": `export default function () { return "def" } export const x = 1; let z = 2; export { z };`,
		"re.mjs":  `export { x as again } from "./lib.mjs"; export * from "./lib.mjs";`,
	}, "main.mjs", "def 1 2 default,x,z 1 true\n", ""},
	{"live bindings", map[string]string{
		"main.mjs":    `import { count, inc } from "./counter.mjs"; inc(); inc(); console.log(count);`,
		"counter.mjs": `export let count = 0; export function inc() { count++ }`,
	}, "main.mjs", "2\n", ""},
	{"dynamic import, literal and computed", map[string]string{
		"main.mjs": `const a = await import("./dyn.mjs"); const name = "./dyn2" + ".mjs"; const b = await import(name);
			console.log(a.v, b.v, b === await import(name));
			try { await import("./" + "missing.mjs") } catch (e) { console.log(e.name, /Cannot find module/.test(e.message)) }`,
		"dyn.mjs":  `export const v = "literal";`,
		"dyn2.mjs": `export const v = "computed";`,
	}, "main.mjs", "literal computed true\nError true\n", ""},
	{"import.meta", map[string]string{
		"dir/main.mjs": `import { meta } from "./sub/m.mjs"; const here = import.meta;
			console.log(here.url.startsWith("file:///"), here.url.endsWith("/dir/main.mjs"), here.filename.endsWith("/dir/main.mjs"),
				here.dirname.endsWith("/dir"), meta.endsWith("/dir/sub/m.mjs"), here === import.meta);`,
		"dir/sub/m.mjs": `export const meta = import.meta.filename;`,
	}, "dir/main.mjs", "true true true true true true\n", ""},
	{"bare specifiers: ESM, CommonJS, module field", withNodeModules(map[string]string{
		"main.mjs": `import greet, { kind } from "esm-pkg"; import { sub } from "esm-pkg/sub"; import cjs from "cjs-pkg";
			import { add } from "cjs-pkg"; import { from } from "mod-pkg";
			console.log(greet("x"), kind, sub, cjs.name, add(1, 2), from);`,
	}), "main.mjs", "hello x esm sub via exports cjs 3 module field\n", ""},
	{"bare specifier from an ancestor's node_modules", withNodeModules(map[string]string{
		"src/app/main.mjs": `import { kind } from "esm-pkg"; console.log(kind);`,
	}), "src/app/main.mjs", "esm\n", ""},
	{"node: built-in refused by name", map[string]string{
		"main.mjs": `import fs from "node:fs"; console.log(fs);`,
	}, "main.mjs", "", `cannot import "node:fs"`},
	{"package needing a built-in refused by name", withNodeModules(map[string]string{
		"main.mjs": `import read from "needs-fs"; console.log(read);`,
	}), "main.mjs", "", `Dynamic require of "fs" is not supported`},
	{"package with an optional built-in catches the refusal", withNodeModules(map[string]string{
		"main.mjs": `import opt from "opt-fs"; console.log(opt.fs, opt.why);`,
	}), "main.mjs", "null Dynamic require of \"node:fs\" is not supported\n", ""},
	{"import of a built-in in a package is refused by name", withNodeModules(map[string]string{
		"main.mjs":                         `import "esm-fs";`,
		"node_modules/esm-fs/package.json": `{"name":"esm-fs","exports":"./i.mjs"}`,
		"node_modules/esm-fs/i.mjs":        `import { readFile } from "fs/promises"; export { readFile };`,
	}), "main.mjs", "", `node_modules/esm-fs/i.mjs: isobox has no Node built-in modules`},
	{"missing module", map[string]string{
		"main.mjs": `import "./nope.mjs";`,
	}, "main.mjs", "", `Cannot find module "./nope.mjs"`},
	{"TypeScript: enums, namespaces, parameter properties, decorators", map[string]string{
		"main.ts": `enum Color { Red, Green = 5, Blue }
			namespace Geo { export const origin = { x: 0, y: 0 } }
			function logged(value: any, ctx: ClassMethodDecoratorContext) { return function (this: any, ...args: any[]) { return "logged " + value.apply(this, args) } }
			class P { constructor(public x: number, private y: number = 2) {} @logged sum(): number { return this.x + this.y } }
			const p: P = new P(1);
			console.log(Color.Blue, Color[5], Geo.origin.x, p.x, p.sum());
			export {};`,
	}, "main.ts", "6 Green 0 1 logged 3\n", ""},
	{"tsconfig: JSX settings through a relative extends, comments and trailing commas", map[string]string{
		"tsconfig.json":      "// the project\n{\"extends\": \"./tsconfig.base.json\", \"compilerOptions\": {\"jsxFragmentFactory\": \"Frag\",},}",
		"tsconfig.base.json": `{"compilerOptions": {"jsx": "react", "jsxFactory": "h", /* mine */ "jsxFragmentFactory": "NotThis"}}`,
		"main.tsx":           `const h = (t: any, p: any, ...c: any[]) => [t, c.length]; const Frag = "F"; console.log(JSON.stringify([<a>x</a>, <>y</>]));`,
	}, "main.tsx", `[["a",1],["F",1]]` + "\n", ""},
	{"TypeScript: legacy decorators from tsconfig", map[string]string{
		"tsconfig.json": `{"compilerOptions":{"experimentalDecorators":true}}`,
		"main.ts": `function sealed(ctor: Function) { Object.seal(ctor); }
			@sealed class S { static tag = "s" }
			console.log(Object.isSealed(S), S.tag);
			export {};`,
	}, "main.ts", "true s\n", ""},
	{"TypeScript imports TypeScript, types stripped", map[string]string{
		"main.mts": `import { Shape, area } from "./shape.ts"; import type { Unit } from "./shape.ts";
			const s: Shape = { w: 2, h: 3 }; const u: Unit = "cm"; console.log(area(s), u);`,
		"shape.ts": `export interface Shape { w: number; h: number } export type Unit = "cm" | "in";
			export function area(s: Shape): number { return s.w * s.h }`,
	}, "main.mts", "6 cm\n", ""},
	{"TSX with a configurable factory", map[string]string{
		"main.tsx": `function h(tag: string, props: any, ...kids: any[]) { return tag + "(" + kids.join(",") + ")" }
			const Fragment = "frag";
			/** @jsx h */
			console.log(<div>{1}<b>x</b></div>);
			export {};`,
	}, "main.tsx", "div(1,b(x))\n", ""},
	{"detection: .js with import is a module", map[string]string{
		"main.js": `import { v } from "./v.js"; var top = 1; console.log(v, typeof globalThis.top);`,
		"v.js":    `export const v = "esm";`,
	}, "main.js", "esm undefined\n", ""},
	{"detection: .js with only top-level await is a module", map[string]string{
		"main.js": `var top = 1; await null; console.log("tla", typeof globalThis.top);`,
	}, "main.js", "tla undefined\n", ""},
	{"detection: .js classic script stays classic", map[string]string{
		"main.js": `var top = 1; console.log("classic", typeof globalThis.top, typeof require);`,
	}, "main.js", "classic number undefined\n", ""},
	{"detection: a classic .js syntax error is the script's", map[string]string{
		"main.js": "var x = ;\n",
	}, "main.js", "", "main.js: Line 1:9 Unexpected token ;"},
	{"detection: .mjs without imports is a module", map[string]string{
		"main.mjs": `var top = 1; console.log(typeof globalThis.top, this);`,
	}, "main.mjs", "undefined undefined\n", ""},
	{"detection: .ts without module syntax is a classic script", map[string]string{
		"main.ts": `var top: number = 1; console.log(typeof globalThis.top);`,
	}, "main.ts", "number\n", ""},
	{"spawnFile of a module calls its exported main", map[string]string{
		"main.mjs": `const rp = new ReceivePort(); rp.listen(m => { console.log("got", m); rp.close() });
			await Isolate.spawnFile("./worker.ts", rp.sendPort);`,
		"worker.ts": `import { twice } from "./shared.ts";
			export function main(port: SendPort) { port.send(twice(21)) }`,
		"shared.ts": `export const twice = (n: number) => n * 2;`,
	}, "main.mjs", "got 42\n", ""},
	{"each isolate has its own module instances", map[string]string{
		"main.mjs": `import { bump } from "./state.mjs"; bump(); bump();
			const rp = new ReceivePort(); let n = 0;
			rp.listen(m => { console.log("child saw", m); if (++n === 2) rp.close() });
			await Isolate.spawnFile("./child.mjs", rp.sendPort); await Isolate.spawnFile("./child.mjs", rp.sendPort);`,
		"child.mjs": `import { bump } from "./state.mjs"; export function main(p) { p.send(bump()) }`,
		"state.mjs": `let n = 0; export function bump() { return ++n }`,
	}, "main.mjs", "child saw 1\nchild saw 1\n", ""},
	{"a module in a worker process (confined), TypeScript and source maps included", map[string]string{
		"main.mjs": `const rp = new ReceivePort();
			await Isolate.spawnFile("./proc.ts", rp.sendPort, { process: true });
			console.log(await rp.first);
			console.log(await Isolate.run(() => 6 * 7, null, { process: true }));`,
		"proc.ts": `import { twice } from "./two.ts";
			export function main(p: SendPort): void { try { twice(-1) } catch (e) { p.send(twice(21) + " " + String((e as Error).stack).includes("two.ts:2:")) } }`,
		"two.ts": "export function twice(n: number): number {\n  if (n < 0) throw new RangeError(\"negative\");\n  return n * 2;\n}\n",
	}, "main.mjs", "42 true\n42\n", ""},
	{"JSON import", map[string]string{
		"main.mjs":  `import data from "./data.json"; console.log(data.n);`,
		"data.json": `{"n": 7}`,
	}, "main.mjs", "7\n", ""},
	{"file: URL and absolute specifiers", map[string]string{
		"main.mjs": `const u = url("./lib.mjs"); const a = await import(u); const b = await import(import.meta.dirname + "/lib.mjs"); console.log(a.x, b.x);
			function url(rel) { return import.meta.url.replace(/[^/]*$/, "") + rel.slice(2) }`,
		"lib.mjs": `export const x = "ok";`,
	}, "main.mjs", "ok ok\n", ""},

	// import() in every kind of source, and one instance per file per
	// isolate whatever route reaches it.
	{"import() in a classic script, eval code and a Function body", map[string]string{
		"main.js": `import("./lib.mjs").then(a => eval("import('./lib.mjs')").then(b => new Function("return import('./lib.mjs')")().then(c => console.log(a.x, a === b, b === c))))`,
		"lib.mjs": `export const x = "ok"; console.log("lib ran");`,
	}, "main.js", "lib ran\nok true true\n", ""},
	{"a computed import() finds the static import's instance", map[string]string{
		"main.mjs": `import * as s from "./shared.mjs"; import { inc, count } from "./shared.mjs";
			inc(); const name = "./plugin.mjs"; const p = await import(name);
			console.log(p.read(), count); p.bump(); console.log(count, s.count);
			console.log((await import("./" + "shared.mjs")) === s, (await import(name)) === p);`,
		"shared.mjs": `export let count = 0; export function inc() { count++ } export default "d"; console.log("shared ran");`,
		"plugin.mjs": `import d, { count, inc } from "./shared.mjs"; import * as sh from "./shared.mjs";
			export function read() { return [count, d, sh.count].join() } export function bump() { inc() }`,
	}, "main.mjs", "shared ran\n1,d,1 1\n2 2\ntrue true\n", ""},
	{"a literal import() is the same instance as a static import", map[string]string{
		"main.mjs": `import * as a from "./a.mjs"; const b = await import("./a.mjs"); const n = "./a.mjs"; console.log(a === b, b === await import(n));`,
		"a.mjs":    `export const v = 1; console.log("a ran");`,
	}, "main.mjs", "a ran\ntrue true\n", ""},
	{"each import() is a new promise", map[string]string{
		"main.mjs": `const p = import("./a.mjs"), q = import("./a.mjs"); console.log(p === q, (await p) === (await q));`,
		"a.mjs":    `export const v = 1;`,
	}, "main.mjs", "false true\n", ""},
	{"namespace objects are module namespaces", map[string]string{
		"main.mjs": `import * as ns from "./a.mjs"; "use strict";
			const d = Object.getOwnPropertyDescriptor(ns, "b");
			let threw = false; try { (o => { o.b = 2 })(ns) } catch (e) { threw = e instanceof TypeError }
			console.log(Object.getPrototypeOf(ns), ns[Symbol.toStringTag], Object.isExtensible(ns), Object.keys(ns).join(),
				d.value, d.writable, d.configurable, threw, Reflect.deleteProperty(ns, "b"), Reflect.deleteProperty(ns, "nope"),
				Reflect.defineProperty(ns, "b", {value: 1}), Reflect.defineProperty(ns, "b", {value: 3}), Reflect.setPrototypeOf(ns, {}),
				Object.prototype.toString.call(ns), Object.getPrototypeOf(await import("./empty.mjs")));`,
		"a.mjs":     `export const c = 3, b = 1, a = 2; export default 0;`,
		"empty.mjs": `console.log("empty ran")`,
	}, "main.mjs", "empty ran\nnull Module false a,b,c,default 1 true false true false true true false false [object Module] null\n", ""},
	{"a namespace is not extensible, whatever the script did to Object before its first import()", map[string]string{
		"main.js": `const isExt = Object.isExtensible; Object.preventExtensions = (o) => { console.log("called"); return o }; globalThis.Object = 1;
			import("./a.mjs").then((ns) => console.log(isExt(ns), ns.v));`,
		"a.mjs": `export const v = 1;`,
	}, "main.js", "false 1\n", ""},
	{"a script-like file import() reaches is a module; a Node built-in rejects when called", map[string]string{
		"main.mjs": `const ns = await import("./plain.js"); console.log(Object.keys(ns).length, globalThis.plainRan);
			try { await import("node:fs") } catch (e) { console.log(e.message) }`,
		"plain.js": `globalThis.plainRan = true;`,
	}, "main.mjs", "0 true\nCannot import \"node:fs\": isobox has no Node built-in modules\n", ""},
	{"import attributes: type json only, values strings", map[string]string{
		"main.mjs": `import d from "./data.json" with { type: "json" };
			const r = []; for (const o of [{with: {type: 1}}, {with: {other: "x"}}, 5, {with: {type: "css"}}]) {
				try { await import("./data.json", o); r.push("ok") } catch (e) { r.push(e.name) } }
			console.log(d.n, r.join());`,
		"data.json": `{"n": 7}`,
	}, "main.mjs", "7 TypeError,SyntaxError,TypeError,SyntaxError\n", ""},
	// ToString of the specifier: a Symbol is a TypeError (its description
	// was imported), an object converts.
	{"import() of a Symbol rejects with a TypeError", map[string]string{
		"main.mjs": `const r = []; for (const s of [Symbol("./a.mjs"), {toString() { return "./a.mjs" }}]) {
				try { r.push((await import(s)).x) } catch (e) { r.push(e.name) } }
			try { import.meta.resolve(Symbol("./a.mjs")); r.push("resolved") } catch (e) { r.push(e.name) }
			console.log(r.join());`,
		"a.mjs": `export const x = 1;`,
	}, "main.mjs", "TypeError,1,TypeError\n", ""},
	{"a static import with an unsupported attribute is a SyntaxError", map[string]string{
		"main.mjs":  `import d from "./data.json" with { kind: "json" };`,
		"data.json": `{}`,
	}, "main.mjs", "", "SyntaxError"},
	{"a top-level await that nothing can settle ends the isolate with an error", map[string]string{
		"main.mjs": `console.log("before"); await new Promise(() => {}); console.log("never");`,
	}, "main.mjs", "", "unsettled top-level await"},
	{"a top-level await a timer or a port settles keeps it alive", map[string]string{
		"main.mjs": `await new Promise(r => setTimeout(r, 20)); const rp = new ReceivePort();
			Isolate.spawn(p => setTimeout(() => p.send(5), 20), rp.sendPort);
			console.log(await new Promise(r => rp.listen(m => { rp.close(); r(m) })));`,
	}, "main.mjs", "5\n", ""},
	{"functions keep their names across modules", map[string]string{
		"main.mjs": `import f, { helper as h } from "./a.mjs"; function helper() {} console.log(f.name, h.name, helper.name);`,
		"a.mjs":    `export default function () {} export function helper() {} helper = helper;`,
	}, "main.mjs", "default helper helper\n", ""},
}

func TestModules(t *testing.T) {
	for _, c := range moduleCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, c.files)
			host, out, errb := newModuleHost(t)
			var roots []string
			if strings.HasPrefix(c.entry, "src/") {
				roots = []string{filepath.Join(dir, "src", "app")}
			}
			err := runFile(t, host, out, errb, dir, c.entry, roots...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want it to contain %q (stdout %q)", err, c.wantErr, out.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v (stdout %q, stderr %q)", err, out.String(), errb.String())
			}
			if got := out.String(); got != c.want {
				t.Errorf("stdout = %q, want %q", got, c.want)
			}
		})
	}
}

// A module may import only what its isolate may read; the error names the
// refused path, and the entry's read roots bound static and run-time
// imports alike.
func TestModuleRefusedPath(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"secret.mjs":        `export const s = "secret";`,
		"app/static.mjs":    `import { s } from "../secret.mjs"; console.log(s);`,
		"app/dynamic.mjs":   `const p = "../secret.mjs"; try { await import(p) } catch (e) { console.log(e.message) }`,
		"app/viaspawn.mjs":  `try { await Isolate.spawnFile("../secret.mjs") } catch (e) { console.log(e.name) }`,
		"app/symlinked.mjs": `import { s } from "./link.mjs"; console.log(s);`,
	})
	if err := os.Symlink(filepath.Join(dir, "secret.mjs"), filepath.Join(dir, "app", "link.mjs")); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret.mjs")
	for _, c := range []struct{ entry, want string }{
		{"app/static.mjs", "cannot import " + secret + ": it is outside the directories this isolate may read"},
		{"app/symlinked.mjs", "cannot import " + secret + ": it is outside the directories this isolate may read"},
	} {
		host, out, errb := newModuleHost(t)
		err := runFile(t, host, out, errb, dir, c.entry)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to name %q", c.entry, err, c.want)
		}
		if out.String() != "" {
			t.Errorf("%s: the refused module ran: %q", c.entry, out.String())
		}
	}
	host, out, errb := newModuleHost(t)
	if err := runFile(t, host, out, errb, dir, "app/dynamic.mjs"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "cannot import "+secret+": it is outside the directories this isolate may read") {
		t.Errorf("run-time import: %q", out.String())
	}
	host, out, errb = newModuleHost(t)
	if err := runFile(t, host, out, errb, dir, "app/viaspawn.mjs"); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "Error\n" {
		t.Errorf("spawnFile outside the roots: %q", got)
	}
}

// Errors in TypeScript point at the TypeScript: thrown errors' stacks in
// the isolate's error, error listeners and Isolate.run rejections, and
// syntax errors at their TS position.
func TestModuleSourceMappedPositions(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"throw.ts":  "interface P { x: number }\nimport { check } from \"./lib.ts\";\n\nfunction f(p: P): void {\n  check(p.x);\n}\nf({ x: 1 });\n",
		"lib.ts":    "type N = number;\nexport function check(n: N): void {\n  if (n > 0) throw new TypeError(\"bad \" + n);\n}\n",
		"syntax.ts": "const a: number = 1;\nlet b: string = ;\n",
		"run.ts":    "type N = number;\nconst f = (x: N): N => {\n  throw new RangeError(\"no \" + x);\n};\ntry { await Isolate.run(f, 1) } catch (e) { console.log(e.stack.split(\"\\n\")[1].trim()) }\n",
		"listen.ts": "const rp = new ReceivePort();\nrp.listen((e: any) => { console.log(e.stack.split(\"\\n\").slice(0, 2).join(\" | \")); rp.close() });\nawait Isolate.spawnFile(\"./child.ts\", null, { onError: rp.sendPort });\n",
		"child.ts":  "export function main(): void {\n  const n: number = Math.random() + 3;\n  if (n > 2) throw new TypeError(\"boom \" + (n > 0));\n}\n",
	})
	host, out, errb := newModuleHost(t)
	err := runFile(t, host, out, errb, dir, "throw.ts")
	var se *engine.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v", err)
	}
	lib := filepath.Join(dir, "lib.ts")
	main := filepath.Join(dir, "throw.ts")
	for _, want := range []string{"TypeError: bad 1", "at check (" + lib + ":3:20", "at f (" + main + ":5:3", "at " + main + ":7:1"} {
		if !strings.Contains(se.Stack, want) {
			t.Errorf("stack lacks %q:\n%s", want, se.Stack)
		}
	}
	host, out, errb = newModuleHost(t)
	err = runFile(t, host, out, errb, dir, "syntax.ts")
	if !errors.As(err, &se) || se.Name != "SyntaxError" || bindings.FormatSyntaxError(se) != filepath.Join(dir, "syntax.ts")+`:2:17: SyntaxError: Unexpected ";"` {
		t.Errorf("syntax error = %v (%s)", err, bindings.FormatSyntaxError(se))
	}
	host, out, errb = newModuleHost(t)
	if err := runFile(t, host, out, errb, dir, "run.ts"); err != nil {
		t.Fatal(err)
	}
	if want := "at " + filepath.Join(dir, "run.ts") + ":3:9"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("Isolate.run rejection: %q, want %q", out.String(), want)
	}
	host, out, errb = newModuleHost(t)
	if err := runFile(t, host, out, errb, dir, "listen.ts"); err != nil {
		t.Fatal(err)
	}
	if want := "TypeError: boom true | \tat main (" + filepath.Join(dir, "child.ts") + ":3:20"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("error listener: %q, want %q", out.String(), want)
	}
}

// Spawning one module many times builds it once; a changed file is seen.
func TestModuleCache(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"w.ts":   `import { v } from "./dep.ts"; export function main(p: SendPort) { p.send(v) }`,
		"dep.ts": `export const v: number = 1;`,
	})
	host, _, _ := newModuleHost(t)
	got := func() []any {
		t.Helper()
		port := host.NewPort("r")
		defer port.Close()
		var out []any
		for i := 0; i < 20; i++ {
			m, _ := engine.MessageFromGo(port.SendPort())
			src, err := engine.FileSource(filepath.Join(dir, "w.ts"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := host.Spawn(src, engine.WithEntry("main"), engine.WithMessage(m),
				engine.WithCapabilities(engine.Capabilities{ReadRoots: []string{dir}})); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for i := 0; i < 20; i++ {
			v, err := port.RecvValue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	first := got()
	if n := host.ModuleBuilds(); n != 1 {
		t.Errorf("20 spawns built the module %d times, want 1", n)
	}
	writeTree(t, dir, map[string]string{"dep.ts": `export const v: number = 2;`})
	second := got()
	if n := host.ModuleBuilds(); n != 2 {
		t.Errorf("after a dependency changed: %d builds, want 2", n)
	}
	if fmt.Sprint(first[0], second[0]) != "1 2" {
		t.Errorf("values %v then %v", first[0], second[0])
	}
}

// Hostile module graphs end in errors, never in a crash or a hang.
func TestModuleHostile(t *testing.T) {
	dir := t.TempDir()
	deep := "export const x = " + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + ";\n"
	files := map[string]string{
		"deep.mjs":                             `import { x } from "./deepdep.mjs"; console.log(x);`,
		"deepdep.mjs":                          deep,
		"deepentry.mjs":                        deep,
		"loop/main.mjs":                        `import "loopy"; console.log("no");`,
		"loop/node_modules/loopy/package.json": `{"name":"loopy","exports":{".":"./index.mjs"},"main":"."}`,
		"bigint.mjs":                           "export const b = 1n << (2n ** 40n);\n",
	}
	// A cycle of 10,000 modules: m0 -> m1 -> ... -> m9999 -> m0.
	const n = 10000
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("ring/m%d.mjs", i)] = fmt.Sprintf("import { v%d } from \"./m%d.mjs\";\nexport function v%d() { return %d }\n", (i+1)%n, (i+1)%n, i, i)
	}
	files["ring/main.mjs"] = `import { v0 } from "./m0.mjs"; console.log("ring", v0());`
	writeTree(t, dir, files)
	if err := os.Symlink("self", filepath.Join(dir, "loop", "node_modules", "loopy", "self")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ entry, want string }{
		{"deep.mjs", "nesting"},
		{"deepentry.mjs", "nesting"},
		{"loop/main.mjs", `Cannot find module "loopy"`},
		{"bigint.mjs", "RangeError"},
	} {
		host, out, errb := newModuleHost(t)
		err := runFile(t, host, out, errb, dir, c.entry)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want %q", c.entry, err, c.want)
		}
	}
	host, out, errb := newModuleHost(t)
	if err := runFile(t, host, out, errb, dir, "ring/main.mjs"); err != nil {
		t.Fatalf("ring: %v", err)
	}
	if out.String() != "ring 0\n" {
		t.Errorf("ring: %q", out.String())
	}
}

// WithModuleCache: a second host (the next process) reads a built graph
// from the directory instead of bundling it; a changed source, a corrupt
// file or a file the isolate may no longer read is not used.
func TestModuleDiskCache(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{
		"main.ts": `import { v } from "./dep.ts"; console.log("v", v satisfies number);`,
		"dep.ts":  `export const v: number = 1;`,
	})
	run := func(roots ...string) (out string, builds, hits int64) {
		t.Helper()
		host, o, e := newModuleHost(t, engine.WithModuleCache(cache))
		if err := runFile(t, host, o, e, dir, "main.ts", roots...); err != nil {
			return err.Error(), host.ModuleBuilds(), host.ModuleDiskHits()
		}
		return o.String(), host.ModuleBuilds(), host.ModuleDiskHits()
	}
	for i, c := range []struct {
		prepare     func()
		out         string
		builds, hit int64
	}{
		{nil, "v 1\n", 1, 0},
		{nil, "v 1\n", 0, 1},
		{func() { writeTree(t, dir, map[string]string{"dep.ts": `export const v: number = 2;`}) }, "v 2\n", 1, 0},
		{nil, "v 2\n", 0, 1},
		{func() {
			files, _ := filepath.Glob(filepath.Join(cache, "*.json"))
			for _, f := range files {
				_ = os.WriteFile(f, []byte(`{"version": "x", "code": "console.log('injected')"}`), 0o600)
			}
		}, "v 2\n", 1, 0},
	} {
		if c.prepare != nil {
			c.prepare()
		}
		out, builds, hits := run()
		if out != c.out || builds != c.builds || hits != c.hit {
			t.Errorf("run %d: %q, %d builds, %d disk hits; want %q, %d, %d", i, out, builds, hits, c.out, c.builds, c.hit)
		}
	}
	// An isolate that may not read dep.ts does not get it from the cache.
	sub := filepath.Join(dir, "nothing")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, _, hits := run(sub); hits != 0 || strings.Contains(out, "v 2") {
		t.Errorf("a refused isolate: %q, %d disk hits", out, hits)
	}
}

// esbuild used to read tsconfig.json files, and their "extends", by itself:
// a planted one could read a file outside the read roots into the build
// (an error message, a JSX setting). The builder now reads them through
// the read rules.
func TestTSConfigExtendsStaysInReadRoots(t *testing.T) {
	outer := t.TempDir()
	dir := filepath.Join(outer, "app")
	writeTree(t, outer, map[string]string{
		"secret.json":       `{"compilerOptions": {"jsx": "react", "jsxFactory": "LEAKED_SECRET"}}`,
		"app/tsconfig.json": `{"extends": "../secret.json"}`,
		"app/main.tsx":      `const React = {createElement: (t: any) => "react:" + t}; const LEAKED_SECRET = () => "leaked"; console.log(<b/>);`,
	})
	host, out, errb := newModuleHost(t)
	if err := runFile(t, host, out, errb, dir, "main.tsx", dir); err != nil {
		t.Fatalf("error: %v (stderr %q)", err, errb.String())
	}
	if got := out.String(); got != "react:b\n" {
		t.Errorf("stdout %q: the configuration outside the read roots was read", got)
	}
}
