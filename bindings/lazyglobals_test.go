package bindings_test

import (
	"strings"
	"testing"

	"github.com/isobox/isobox/internal/gojax"
)

// The bindings' lazy globals (e.lazy on the global object) behave as plain
// globals whether they live in goja's global template (the default) or,
// when goja's layout is not recognized, in an accessor pair. Each row runs
// in a fresh main isolate both ways; fallback, when set, is what the
// accessor pair shows instead (a descriptor read before first use).
func TestLazyGlobals(t *testing.T) {
	lazy := []string{"Isolate", "ReceivePort", "SendPort", "Capability", "Timer", "DOMException", "console", "stdout", "stderr", "stdin", "args"}
	for _, tc := range []struct {
		name, src, want, fallback string
	}{
		{name: "listed-before-use", src: `const n = Object.getOwnPropertyNames(globalThis); stdout.write(JSON.stringify(` + jsList(lazy) + `.filter(x => !n.includes(x))) + "\n")`, want: "[]\n"},
		{name: "in-and-typeof", src: `stdout.write(["Isolate" in globalThis, typeof ReceivePort, typeof console.log, typeof nope].join() + "\n")`, want: "true,function,function,undefined\n"},
		{name: "descriptor-before-use", src: `const d = Object.getOwnPropertyDescriptor(globalThis, "Timer"); stdout.write(["value" in d, d.enumerable, d.configurable].join() + "\n")`, want: "true,false,true\n", fallback: "false,false,true\n"},
		{name: "descriptor-after-use", src: `Timer; const d = Object.getOwnPropertyDescriptor(globalThis, "Timer"); stdout.write([typeof d.value, d.writable, d.enumerable, d.configurable].join() + "\n")`, want: "function,true,false,true\n"},
		{name: "not-enumerable", src: `const k = []; for (const x in globalThis) k.push(x); stdout.write(JSON.stringify([k.includes("console"), Object.keys(globalThis).includes("Isolate")]) + "\n")`, want: "[false,false]\n"},
		{name: "assign-before-use", src: `Isolate = 5; stdout.write([Isolate, typeof Object.getOwnPropertyDescriptor(globalThis, "Isolate").value].join() + "\n")`, want: "5,number\n"},
		{name: "delete-before-use", src: `const ok = delete globalThis.DOMException; stdout.write([ok, typeof DOMException, "DOMException" in globalThis].join() + "\n")`, want: "true,undefined,false\n"},
		{name: "delete-after-use", src: `console; const ok = delete globalThis.console; stdout.write([ok, typeof console].join() + "\n")`, want: "true,undefined\n"},
		{name: "same-object", src: `const rp = new ReceivePort(); stdout.write([SendPort === SendPort, rp.sendPort instanceof SendPort, args.join("")].join() + "\n"); rp.close()`, want: "true,true,ab\n"},
		{name: "define-over", src: `Object.defineProperty(globalThis, "stderr", {value: 1, enumerable: true}); stdout.write([stderr, Object.keys(globalThis).includes("stderr")].join() + "\n")`, want: "1,true\n"},
		// goja lists only the var when a top-level var is the first global
		// the runtime adds; the bindings' eager globals come first, so
		// every name stays listed.
		{name: "top-level-var-first", src: `var first = 1; const n = Object.getOwnPropertyNames(globalThis); stdout.write([n.includes("first"), n.includes("Object"), n.includes("Isolate"), n.includes("setTimeout")].join() + "\n")`, want: "true,true,true,true\n"},
	} {
		for _, fallback := range []bool{false, true} {
			name := tc.name
			if fallback {
				name += "/accessor-fallback"
			}
			t.Run(name, func(t *testing.T) {
				want := tc.want
				if fallback {
					restore := gojax.Disable()
					defer restore()
					if tc.fallback != "" {
						want = tc.fallback
					}
				} else if err := gojax.TemplateLayout(); err != nil {
					t.Fatalf("template layout unavailable: %v", err)
				}
				res := runJS(t, tc.src)
				if res.stdout != want || res.stderr != "" {
					t.Errorf("stdout %q, want %q (stderr %q, err %v)", res.stdout, want, res.stderr, res.err)
				}
			})
		}
	}
}

func jsList(names []string) string {
	return `["` + strings.Join(names, `","`) + `"]`
}
