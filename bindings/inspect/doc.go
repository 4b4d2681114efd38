// Package inspect is util.inspect and util.format for goja values: a port of
// Node 20's lib/internal/util/inspect.js. console.log and friends, the REPL's
// echo of results and the printing of uncaught non-Error values all go
// through it, so they print what Node would.
//
// The package knows goja and the standard library, nothing else. It must not
// know about isolates, the engine, hosts or the REPL: it formats one value
// of one runtime on the caller's goroutine and returns a string. Whoever
// owns the runtime decides where the string goes.
//
// Its public surface is small:
//
//   - Inspect(vm, v, Options) formats a value like util.inspect.
//   - Options holds depth (ExactDepth for Node's own depth values),
//     colors, breakLength and maxArrayLength.
//   - Format(vm, args, colors) formats console arguments like util.format.
//   - Previewer lets a host object (a goja DynamicObject's Go value) print
//     the properties Node's custom inspector for that class would show.
//   - StringWidth(s) is Node's getStringWidth (console.table's columns).
//
// Written for a sandbox, it never panics, never invokes getters, Proxy traps
// or user toString/valueOf (except where util.format's %s/%d/%i/%f/%j
// directives require it, as in Node), and does bounded work whatever the
// value. A "pristine" copy of the built-ins the formatter needs (property
// descriptors, Map/Set iteration, brand checks) is captured per runtime on
// first use and cached weakly, so a script that replaces them afterwards
// cannot make the formatter run its code.
//
// Known deviations from Node 20 (all deliberate or forced by goja):
//   - showHidden, showProxy, sorted, getters, numericSeparator and
//     [util.inspect.custom] are not supported; %o prints like %O with depth 4.
//   - Symbol.toStringTag, name, stack, message and cause are read without
//     calling accessors: an accessor (other than a pristine built-in
//     getter) counts as absent, where Node would call it.
//   - Map/Set iterators and generator objects are printed as plain objects
//     (goja offers no non-consuming preview of their entries).
//   - WeakMap, WeakSet and DataView are recognised only while their
//     prototype chain still contains the original prototype; errors are
//     recognised by goja's internal class, so an object that merely
//     inherits from Error.prototype prints as "Error {}" (Node: "[Error]").
//   - goja error stacks ("\tat f (file:1:2(3))") are re-indented to Node's
//     form (four spaces, then "at "); stacks are capped at 1 MiB.
//   - Objects print at most 1000 properties ("... N more properties");
//     arrays and typed arrays longer than 16384 elements do not list their
//     non-index properties (finding them would mean enumerating every index).
//   - Getter results are never shown ([Getter] only), and the display width
//     of East Asian wide characters is approximated without ICU.
//   - Recursion is capped at 1000 levels even with unlimited depth, and
//     after 131072 objects everything else prints as [Object].
//   - In color mode, stack frames are not highlighted (Node greys out
//     core-module frames and the working directory).
package inspect
