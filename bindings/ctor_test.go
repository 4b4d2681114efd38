package bindings_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/bindings"
)

// ctorCase is one class global of a fresh isolate: whether scripts may
// construct it, the arguments that construct it (JS source of an array),
// its length and the name of its [[Prototype]] ("" for
// Function.prototype), and a JS expression that must be true of an
// instance o (of the class or of a subclass).
type ctorCase struct {
	ctor   bool
	args   string
	length int
	parent string
	check  string
}

var ctorCases = map[string]ctorCase{
	"Isolate":            {},
	"SendPort":           {},
	"AbortSignal":        {parent: "EventTarget"},
	"MessagePort":        {parent: "EventTarget"},
	"Performance":        {},
	"PerformanceEntry":   {},
	"PerformanceMeasure": {parent: "PerformanceEntry"},
	"Crypto":             {},
	"SubtleCrypto":       {},

	"ReceivePort":      {ctor: true, args: "['p']", check: "o.sendPort instanceof SendPort && !o.closed"},
	"Capability":       {ctor: true, args: "[]", check: "o.equals(o)"},
	"Timer":            {ctor: true, args: "[1000, () => {}]", check: "o.isActive && o.tick === 0"},
	"DOMException":     {ctor: true, args: "['m', 'AbortError']", check: "o.name === 'AbortError' && o.message === 'm' && o.code === 20 && o instanceof Error"},
	"EventTarget":      {ctor: true, args: "[]", check: "(o.addEventListener('e', () => { o.hit = 1 }), o.dispatchEvent(new Event('e')), o.hit === 1)"},
	"Event":            {ctor: true, args: "['x', {cancelable: true}]", length: 1, check: "o.type === 'x' && o.cancelable && !o.isTrusted"},
	"CustomEvent":      {ctor: true, args: "['x', {detail: 5}]", length: 1, parent: "Event", check: "o.type === 'x' && o.detail === 5 && o instanceof Event"},
	"MessageEvent":     {ctor: true, args: "['x', {data: 7}]", length: 1, parent: "Event", check: "o.data === 7 && o instanceof Event"},
	"ErrorEvent":       {ctor: true, args: "['x', {message: 'm'}]", length: 1, parent: "Event", check: "o.message === 'm' && o instanceof Event"},
	"AbortController":  {ctor: true, args: "[]", check: "(o.abort(1), o.signal.aborted && o.signal.reason === 1)"},
	"MessageChannel":   {ctor: true, args: "[]", check: "o.port1 instanceof MessagePort && o.port2 instanceof MessagePort"},
	"BroadcastChannel": {ctor: true, args: "['b']", length: 1, parent: "EventTarget", check: "o.name === 'b' && o instanceof EventTarget"},
	"Worker":           {ctor: true, args: "['./w.js']", length: 1, parent: "EventTarget", check: "o instanceof EventTarget && typeof o.postMessage === 'function'"},
	"TextEncoder":      {ctor: true, args: "[]", check: "o.encoding === 'utf-8' && o.encode('é').length === 2"},
	"TextDecoder":      {ctor: true, args: "['latin1']", check: "o.encoding === 'windows-1252' && o.decode(new Uint8Array([0xe9])) === 'é'"},
	"URL":              {ctor: true, args: "['/p?q=1', 'http://a']", check: "o.href === 'http://a/p?q=1' && o.searchParams.get('q') === '1'"},
	"URLSearchParams":  {ctor: true, args: "['a=1&b=2']", check: "o.get('b') === '2' && o.size === 2"},
	"PerformanceMark":  {ctor: true, args: "['m', {detail: 3}]", parent: "PerformanceEntry", check: "o.name === 'm' && o.entryType === 'mark' && o.detail === 3"},
}

// ctorScript runs every check on the class globals of the isolate and
// prints a JSON line [class name, results] for each class global. BUILTINS and CASES are
// replaced by the ECMAScript globals and the table.
const ctorScript = `
const builtins = new Set(BUILTINS), cases = CASES;
const done = o => {
	if (o instanceof Timer) o.cancel();
	if (o instanceof Worker) o.terminate();
	if (o instanceof ReceivePort || o instanceof BroadcastChannel) o.close();
	if (o instanceof MessageChannel) { o.port1.close(); o.port2.close(); }
};
const err = e => (e instanceof TypeError ? 'TypeError: ' : 'not a TypeError: ') + (e && e.message);
for (const n of Object.getOwnPropertyNames(globalThis)) {
	if (!/^[A-Z]/.test(n) || builtins.has(n)) continue;
	const X = globalThis[n];
	if (typeof X !== 'function' || X.prototype === null || typeof X.prototype !== 'object' || X.prototype.constructor !== X) continue;
	const r = {};
	const c = cases[n];
	if (!c) { console.log(JSON.stringify([n, r])); continue; }
	const args = c.args;
	const parent = Object.getPrototypeOf(X);
	const d = Object.getOwnPropertyDescriptor(X, 'prototype');
	r.shape = [X.name, X.length, parent === Function.prototype ? '' : parent.name, d.writable, d.enumerable, d.configurable].join(' ');
	// A plain call that wrongly constructs must not keep the isolate alive.
	const drop = v => { try { done(v) } catch {} };
	try { drop(X(...args)); r.call = 'returned' } catch (e) { r.call = err(e) }
	try { const o = Object.create(X.prototype); drop(X.call(o, ...args)); drop(o); r.callThis = 'returned' } catch (e) { r.callThis = err(e) }
	const probe = (o, C) => {
		const ok = Object.getPrototypeOf(o) === C.prototype && o instanceof C && o instanceof X &&
			Object.prototype.toString.call(o) === '[object ' + n + ']' && c.check(o);
		done(o);
		return ok ? 'ok' : 'wrong instance';
	};
	try { r.new = probe(new X(...args), X) } catch (e) { r.new = err(e) }
	let self;
	class S extends X { constructor(...a) { super(...a); self = this } }
	try { const s = new S(...args); r.sub = self === s && s.constructor === S ? probe(s, S) : 'constructor body did not run' } catch (e) { r.sub = err(e) }
	try { r.reflect = probe(Reflect.construct(X, args, S), S) } catch (e) { r.reflect = err(e) }
	console.log(JSON.stringify([n, r]));
}
`

// TestClassConstructors checks every class global a fresh isolate has
// (found from its globals, so that a new class cannot be left out of
// ctorCases): calling one without new throws a TypeError, as for a JS
// class or a WebIDL interface; new works, for the class and for a
// subclass (whose prototype, instanceof and constructor body are right),
// or throws "Illegal constructor" for an interface scripts cannot
// construct; name, length, [[Prototype]] and prototype.constructor are as
// the spec (or isobox's own API) says.
func TestClassConstructors(t *testing.T) {
	builtinsV, err := goja.New().RunString("JSON.stringify(Object.getOwnPropertyNames(globalThis))")
	if err != nil {
		t.Fatal(err)
	}
	var cases strings.Builder
	cases.WriteString("{")
	for name, c := range ctorCases {
		check := c.check
		if check == "" {
			check = "true"
		}
		args := c.args
		if args == "" {
			args = "[]"
		}
		fmt.Fprintf(&cases, "%q: {args: %s, check: o => %s},\n", name, args, check)
	}
	cases.WriteString("}")
	src := strings.NewReplacer("BUILTINS", builtinsV.String(), "CASES", cases.String()).Replace(ctorScript)
	res := runFiles(t, map[string]string{"main.js": src, "w.js": ""})
	if res.err != nil || res.stderr != "" {
		t.Errorf("script failed: %v\nstderr: %s", res.err, res.stderr)
	}
	got := map[string]map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var entry struct {
			name string
			r    map[string]string
		}
		if err := json.Unmarshal([]byte(line), &[]any{&entry.name, &entry.r}); err != nil {
			t.Errorf("output line %q: %v", line, err)
			continue
		}
		got[entry.name] = entry.r
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	for name := range ctorCases {
		if _, ok := got[name]; !ok {
			t.Errorf("%s is in ctorCases but is not a class global of an isolate", name)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c, ok := ctorCases[name]
			if !ok {
				t.Fatalf("class global %s is missing from ctorCases: add it", name)
			}
			r := got[name]
			if want := fmt.Sprintf("%s %d %s false false false", name, c.length, c.parent); r["shape"] != want {
				t.Errorf("name length parent prototype-flags = %q, want %q", r["shape"], want)
			}
			callErr := "TypeError: Class constructor " + name + " cannot be invoked without 'new'"
			newWant, subWant := "ok", "ok"
			if !c.ctor {
				callErr = "TypeError: Illegal constructor: " + name + " cannot be constructed by scripts"
				newWant, subWant = callErr, callErr
			}
			for _, k := range []struct{ key, want string }{
				{"call", callErr}, {"callThis", callErr}, {"new", newWant}, {"sub", subWant}, {"reflect", subWant},
			} {
				if r[k.key] != k.want {
					t.Errorf("%s: %q, want %q", k.key, r[k.key], k.want)
				}
			}
		})
	}
}

// TestClassConstructorFrames checks that the wrapper of a class
// constructor stays out of printed stacks (bindings.StackFrames, used for
// uncaught errors) and of a DOMException's stack.
func TestClassConstructorFrames(t *testing.T) {
	res := runJS(t, `
		function make() { return new URL('not a url') }
		try { make() } catch (e) { console.log(e.stack) }
		console.log('--');
		console.log(new DOMException('m').stack);
	`)
	if res.err != nil {
		t.Fatalf("script failed: %v\n%s", res.err, res.stderr)
	}
	urlStack, domStack, ok := strings.Cut(res.stdout, "--\n")
	if !ok {
		t.Fatalf("output %q", res.stdout)
	}
	got := bindings.StackFrames(urlStack)
	want := []string{"make (test.js:2:28)", "test.js:3:13"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("StackFrames(%q) = %q, want %q", urlStack, got, want)
	}
	if !strings.Contains(urlStack, "<bindings>") {
		t.Errorf("the raw stack %q has no wrapper frame: the filter above proves nothing", urlStack)
	}
	if strings.Contains(domStack, "<bindings>") || strings.Contains(domStack, "construct") || !strings.Contains(domStack, "at test.js:5:") {
		t.Errorf("DOMException stack %q", domStack)
	}
}

// goja leaks a constructor's new.target into plain calls made inside it:
// a class called without new there must still throw, and with new still
// build an instance of its own class.
func TestClassCalledInsideConstructor(t *testing.T) {
	res := runJS(t, `
		function F() {
			try { Event('x'); this.call = 'no error' } catch (e) { this.call = e.name }
			this.ev = new Event('y');
			try { URL('http://a/'); this.url = 'no error' } catch (e) { this.url = e.name }
		}
		const o = new F();
		console.log(o.call, o.url, o.ev instanceof Event, Object.getPrototypeOf(o.ev) === Event.prototype, o.ev.type);
	`)
	if res.err != nil {
		t.Fatalf("script failed: %v\n%s", res.err, res.stderr)
	}
	if res.stdout != "TypeError TypeError true true y\n" {
		t.Fatalf("got %q", res.stdout)
	}
}
