/*
Package guard holds the sandbox guards of one *goja.Runtime: the checks
that keep a hostile script from ending the whole Go process through a
built-in that goja runs natively, where neither Interrupt nor
SetMaxCallStackSize can reach it.

goja allocates eagerly and recurses in Go, and both a failed huge
allocation and a Go stack overflow are fatal runtime errors that no
recover catches. Install wraps the built-ins concerned so that they throw
a catchable JS error first:

  - allocation caps (guards.go): String.prototype.repeat, padStart,
    padEnd and concat, ArrayBuffer and the typed-array constructors,
    Array.from and the Array.prototype methods that walk a length in Go
    throw a RangeError before asking for a block over
    Config.MaxAllocBytes (a string: half of it in UTF-16 units; a walked
    length: an eighth);
  - length-driven lists and amplifiers (guards_alloc.go):
    Function.prototype.apply, Reflect.apply and construct, bind chains,
    String.raw, concat, Array.from, typed-array construction and set, and
    the Array.prototype methods on array-likes bound the length they walk
    (a length read through user code is read once, by the original,
    through a native proxy that checks it); join, split, normalize,
    Object.keys/values/entries/getOwnPropertyNames/Descriptors and
    Reflect.ownKeys of typed arrays and strings, %TypedArray% join and
    toLocaleString and the default-comparator sorts bound the size or work
    of their result before it is built. Constructor wrappers copy the
    original's statics and never make it reachable;
  - BigInt sizes (guards_bigint.go): CheckSource refuses a source whose
    BigInt constants (folded by goja while compiling) would exceed
    DefaultMaxBigIntBits, and eval and the Function constructors run it;
    BigInt(), asUintN/asIntN and toString are bounded;
  - run-time operators (rewrite.go, guards_ops.go): RewriteOps, called on
    every compile path, routes <<, >> and ** with a non-literal right
    operand, and the source of every object spread, through the op helper
    String.prototype.__isoboxOp (non-configurable), which refuses a BigInt
    result over DefaultMaxBigIntBits before it is computed and makes a
    large spread interruptible; audit.md lists every site covered and
    what is left;
  - the replace guard (guards_replace.go): String.prototype.replace and
    replaceAll and RegExp.prototype[Symbol.replace] tally the result's
    length as it is built and throw a RangeError past the string cap;
  - native recursion and nesting checks (guards_depth.go): JSON.parse and
    JSON.stringify, nested join/toString/toLocaleString, and proxy and
    bound-function chains throw a RangeError past Config.MaxDepth; eval,
    the Function constructors and RegExp patterns are scanned first and
    refused with a SyntaxError past DefaultMaxNesting;
  - native-to-native recursion (guards_recursion.go): every guard wrapper
    is one level of a per-runtime native-depth counter (RangeError past
    Config.MaxDepth), and the built-ins that call back into script code
    through this or their arguments (String.prototype methods,
    Error.prototype.toString, Object.prototype.toString/toLocaleString,
    Date.prototype.toJSON, the RegExp methods and flags getter,
    Promise.prototype.catch/finally, Reflect.apply, bound built-ins) are
    wrapped to be counted; Array.prototype.flat/flatMap and the JSON.parse
    reviver walk are rebuilt in JS with a level count, and the prototype
    setters refuse a cycle through a proxy;
  - regular-expression work (regexp_work.go, regexp_split.go,
    regexp_size.go): a search or find-all whose worst case is over
    ~2^26 NFA steps is first done by the guard through a reader that takes
    JS steps, as goja will do it, so the isolate's limits stop it, and a
    find-all's matches are counted against the cap; a regexp2 find-all
    steps between matches; a split with the script's own splitter runs
    by the spec's steps in JS; a pattern whose counted repetitions
    expand past the cap is refused, at run time and in a source;
  - the Proxy handler shim (guards_depth.go): traps looked up per
    operation and called with the script's handler, an ownKeys result
    read as the spec reads it (a hole is a TypeError, where goja
    dereferenced nil);
  - slow linear natives: normalize of long non-ASCII text runs in
    segments with JS steps, and parseFloat of a long argument is read by
    a scanner instead of goja's regexp (guards_alloc.go,
    guards_number.go);
  - the source-nesting scanner (nesting.go): a conservative lexical
    estimate of the parser's recursion, lexing as goja's lexer does and
    reading both ways where only the grammar decides, which the guards
    use and which an embedder calls (CheckNesting) on every source it
    compiles itself.

audit.md lists the goja sites that recurse or allocate on a script's say,
their bounds and their guards, and what is not covered.

Every wrapper keeps the original's name, length, attributes, this,
arguments and results, so ordinary scripts see no difference. One
deviation: eval is always an indirect eval (global scope), because
goja's direct eval cannot be guarded.

# What it must not know

The package depends on goja and two of goja's own dependencies (regexp2,
golang.org/x/text/unicode/norm), internal/gojax and the standard library
only. It knows
nothing of isolates, hosts, event loops, messages, structured clone or
engine.Limits: its caps arrive as plain values in a Config, and its
errors are plain JS exceptions thrown into the runtime or Go errors
wrapping ErrTooDeep. Imports run one way: package engine (and, for the
nesting check, package bindings) imports guard, never the reverse.

# Surface

	Install(vm, Config) error    wrap the built-ins of a fresh runtime
	Config{MaxAllocBytes, MaxDepth, Eager, Import, Reserve}  the caps, eager wrapping, the import() loader, the host ceiling's reservation; zero fields: the defaults
	DefaultMaxAllocBytes, DefaultMaxDepth, DefaultMaxNesting, DefaultMaxSourceTokens, DefaultMaxRegexpLiteral, DefaultMaxRegexpInsts, ReserveMin
	CheckNesting(src, limit) error   refuse a source nested too deep, or with too many tokens
	ErrTooDeep, ErrTooLarge          what CheckNesting's errors wrap
	ParserOptions, ParseFile, Compile  parse and compile script text without loading a source map it names by URL
	CheckSource(src) error           refuse a source with a huge BigInt constant
	CheckProgram(*ast.Program) error the same, for a parsed program
	RewriteOps(src) (string, error)  route run-time BigInt operators, string +, template literals, spreads, object rests and import() through the op helper
	MaskImports(src) string          import() calls hidden from goja's parser, for analysis only
	MaxDynamicImports                the import() calls one source may hold
	MaxRegexpMatch                   how long one regexp2 match may run (its match timeout)
	OpHelper, ErrRewrite             the helper's key; what RewriteOps's errors wrap
	ErrBigIntTooLarge                what their errors wrap
	DefaultMaxBigIntBits             the BigInt cap
	SourceNesting, PatternNesting, JSONNesting  the scanners

# Goroutines

A guard is installed by Install on the goroutine that owns the runtime,
and runs there, inside the built-in it wraps; like the runtime itself it
is never touched from another goroutine. The one exception goja allows,
Runtime.Interrupt, works with the guards: JSON.stringify runs a JS step
every 1024 values so that a pending interrupt takes effect. CheckNesting,
CheckSource, CheckProgram, RewriteOps and the scanners are pure functions of their
arguments, safe from any goroutine; the constants, ErrTooDeep and
ErrBigIntTooLarge are read-only.
*/
package guard
