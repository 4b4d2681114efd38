/*
Package module turns ES modules, TypeScript and JSX files into one script
that goja can run, with esbuild (github.com/evanw/esbuild/pkg/api) doing
the parsing, type stripping, JSX and bundling. It knows nothing of
isolates or of goja runtimes: it takes a file (or a specifier and the
directory it is resolved from), a read check and a source check, and
returns the text to compile, a source map inside it, and the list of files
it read. Package engine compiles that text through its one compile helper
and runs it.

# What a module graph becomes

Every file the entry reaches through static import, export-from or
require is bundled, in ESM evaluation order, into one async function:

	(async function (__isobox_ctx, __isobox_done) {"use strict";
	... the bundle: top-level await stays top-level await ...
	__isobox_done(namespaceOfTheEntry)
	})
	//# sourceMappingURL=data:application/json;base64,...

The caller runs it once per isolate, so each isolate has its own module
instances. import.meta is __isobox_ctx.meta, which the caller implements
as a getter that finds the calling module from the caller's (source-mapped)
position. A dynamic import() whose specifier is not a literal is left by
esbuild for the caller to resolve at run time, again from the caller's
position (the engine's compile helper routes every import() call to its
loader, in bundles as in scripts).

# Capabilities

Options.CanRead is asked about every resolved path before esbuild reads
it, and Options.Check about every file's text before esbuild parses it (the
engine passes its nesting scanner, so that a deeply nested file is refused
before a recursive parser sees it). Node's built-in modules ("node:fs",
"fs", ...) are refused with an error naming the module and its importer.

# Public surface

Build (with Entry and Options, returning a Result of Inputs or an
*Error), IsModulePath, and the bounds MaxFileBytes and MaxInputs. Caching is the caller's
(engine keeps one cache per host).
*/
package module

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja/file"
	"github.com/evanw/esbuild/pkg/api"
)

// MaxFileBytes is the largest file a module graph may contain.
const MaxFileBytes = 32 << 20

// MaxInputs is the largest number of files one module graph may contain.
const MaxInputs = 20000

// Options say what a build may read and how it reads it.
type Options struct {
	// CanRead reports whether the isolate may read the absolute path.
	// Nil refuses every file.
	CanRead func(abs string) bool
	// Check is called with every file's name and text before esbuild
	// parses it; an error refuses the file (the engine's guards). Nil
	// checks nothing.
	Check func(name, text string) error
	// Registered reports the files the caller already has instances of
	// (from earlier graphs run in the same isolate): they are not bundled
	// again, and their importers read the caller's instance through
	// __isobox_ctx.reg(path). Called from several goroutines at once. Nil:
	// none.
	Registered func(abs string) bool
	// JSXFactory and JSXFragment name the functions JSX compiles to
	// (default React.createElement and React.Fragment, or what the
	// nearest tsconfig.json says).
	JSXFactory, JSXFragment string
}

// Input is one file a build read, with the SHA-256 of its content.
type Input struct {
	Path string
	Sum  [32]byte
}

// Result is a built module graph (or a TypeScript classic script).
type Result struct {
	// Module is false for a TypeScript or JSX file with no module syntax,
	// which runs as a classic script with its types stripped; Code is then
	// a plain script.
	Module bool
	// Code is the text to compile, named by the entry's display name,
	// with its source map inline.
	Code string
	// Inputs are the files read, entry first when it is a file.
	Inputs []Input
	// Files maps a file name as goja reports it in positions (the source
	// map's source resolved against the display name) to its absolute
	// path, for import.meta and run-time import().
	Files map[string]string
	// Registry lists the absolute paths of the modules whose namespace
	// objects the bundle's registry function returns, in its order: the
	// entry first, then every module the entry reaches through static
	// import declarations. The bundle hands the function to
	// __isobox_ctx.early before any module runs (when Early is true) and
	// to __isobox_done at the end; an element is undefined until its
	// module has started.
	Registry []string
	// Early reports that the bundle calls __isobox_ctx.early.
	Early bool
	// Reused is set, and nothing else, when the entry itself is a
	// Registered file: the caller has its instance already.
	Reused string
}

// Error is a build error: a syntax error at its position in the original
// file, a refused path, a module that cannot be found.
type Error struct {
	Syntax       bool   // a syntax error (as opposed to resolution or a refusal)
	File         string // as the display names go: relative to the entry's display name's directory when the entry's is relative
	Line, Column int    // 1-based; 0 when unknown
	Message      string
}

func (e *Error) Error() string {
	if e.File == "" {
		return e.Message
	}
	if e.Line == 0 {
		return e.File + ": " + e.Message
	}
	return fmt.Sprintf("%s: Line %d:%d %s", e.File, e.Line, e.Column, e.Message)
}

// Extensions esbuild loads, and with which loader.
var loaders = map[string]api.Loader{
	".js": api.LoaderJS, ".mjs": api.LoaderJS, ".cjs": api.LoaderJS,
	".jsx": api.LoaderJSX, ".ts": api.LoaderTS, ".mts": api.LoaderTS, ".cts": api.LoaderTS,
	".tsx": api.LoaderTSX, ".json": api.LoaderJSON,
}

// IsModulePath reports whether a file of this name always goes through
// Build: .mjs and .mts are modules, and .ts, .tsx and .jsx need their
// types or JSX compiled (each is a module when it has module syntax). A
// .js file goes through Build only when it does not parse as a classic
// script (see Build's detect). Any goroutine.
func IsModulePath(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mjs", ".mts", ".ts", ".tsx", ".jsx":
		return true
	}
	return false
}

// CheckAttribute reports whether an import attribute (with { key: value })
// is one isobox supports: type "json" alone. The specification makes any
// other a SyntaxError (static imports) or a rejection with one (import()).
// Any goroutine.
func CheckAttribute(key, value string) error {
	if key != "type" {
		return fmt.Errorf("import attribute %q is not supported (only type is)", key)
	}
	if value != "json" {
		return fmt.Errorf("import attribute type %q is not supported (only \"json\" is)", value)
	}
	return nil
}

// syntaxMark starts the text of a plugin error that is a SyntaxError.
const syntaxMark = "isobox-syntax: "

// nodeBuiltins are Node's built-in module names: a bare specifier with one
// of them is refused by name (with or without "node:").
var nodeBuiltins = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`assert async_hooks buffer child_process cluster console constants crypto
		dgram diagnostics_channel dns domain events fs http http2 https inspector module net os path
		perf_hooks process punycode querystring readline repl stream string_decoder sys timers tls
		trace_events tty url util v8 vm wasi worker_threads zlib test sqlite sea`) {
		nodeBuiltins[n] = true
	}
}

// builtinName returns the Node built-in a specifier names ("fs/promises"
// names "fs"), or "".
func builtinName(spec string) string {
	name, isNode := strings.CutPrefix(spec, "node:")
	base, _, _ := strings.Cut(name, "/")
	if isNode || nodeBuiltins[base] {
		return spec
	}
	return ""
}

// Entry is what a build starts from: a file, or a specifier resolved from
// a directory (a run-time import()).
type Entry struct {
	// Path is the absolute path of the entry file; "" for a specifier.
	Path string
	// Spec and Dir are the specifier and the directory it is resolved
	// from, when Path is "".
	Spec, Dir string
	// Display is the name positions and stack traces use for the entry
	// (the path as the user gave it); other files are named relative to
	// its directory.
	Display string
	// ForceModule builds a .js (or .ts) entry as a module even without
	// module syntax (new Worker(url, {type: "module"})).
	ForceModule bool
}

// Build bundles the graph that starts at entry. A .js, .ts, .tsx or .jsx
// entry with no module syntax (import, export, import.meta or top-level
// await, as esbuild detects them) is returned with Module false: a .js
// entry then has an empty Code (the caller runs it as a classic script),
// a TypeScript or JSX one its types-stripped text. Any goroutine.
func Build(entry Entry, opts Options) (*Result, error) {
	b := &builder{opts: opts, sums: map[string][32]byte{}, force: entry.ForceModule}
	return b.build(entry)
}

// builder is one build's state. esbuild calls the plugin from several
// goroutines at once, so order and sums are guarded by mu.
type builder struct {
	opts     Options
	mu       sync.Mutex
	sums     map[string][32]byte
	order    []string
	first    string // the first file esbuild asked for: the entry
	force    bool   // Entry.ForceModule
	tsconfig string // the TsconfigRaw of every build of this graph (tsconfig.go)
}

// Names the bundle's own code uses. A module of the graph that declares
// one at its top level makes esbuild rename ours; build then sees it and
// leaves the early registration out.
const (
	registryFn = "__isobox_registry"
	entryNS    = "__isobox_ns"
)

// Namespaces of the virtual modules that stand for a Registered file, and
// of data: URL modules.
const (
	regESM = "isobox-regesm"
	regCJS = "isobox-regcjs"
	dataNS = "isobox-data"
)

func (b *builder) build(entry Entry) (*Result, error) {
	var dir, spec string
	if entry.Path != "" {
		dir, spec = filepath.Dir(entry.Path), entry.Path
	} else {
		dir, spec = entry.Dir, entry.Spec
	}
	display := entry.Display
	if display == "" {
		display = spec
	}
	if bn := builtinName(spec); bn != "" {
		return nil, &Error{Message: fmt.Sprintf("Cannot import %q: isobox has no Node built-in modules", bn)}
	}
	q, _ := json.Marshal(spec)
	run := func(statics []string) api.BuildResult {
		var sb strings.Builder
		fmt.Fprintf(&sb, "import * as %s from %s;\n", entryNS, q)
		for i, p := range statics {
			pq, _ := json.Marshal(p)
			fmt.Fprintf(&sb, "import * as __isobox_m%d from %s;\n", i, pq)
		}
		fmt.Fprintf(&sb, "function %s() { return [%s", registryFn, entryNS)
		for i := range statics {
			fmt.Fprintf(&sb, ", __isobox_m%d", i)
		}
		fmt.Fprintf(&sb, "]; }\n__isobox_done(%s, %s);\n", entryNS, registryFn)
		opts := b.options(dir)
		opts.Stdin = &api.StdinOptions{Contents: sb.String(), ResolveDir: dir, Sourcefile: "<isobox-entry>", Loader: api.LoaderJS}
		opts.Bundle = true
		opts.Format = api.FormatESModule
		opts.Metafile = true
		return api.Build(opts)
	}
	res := run(nil)
	if len(res.Errors) > 0 {
		return nil, b.convertError(res.Errors[0], display, dir)
	}
	if b.first != "" && b.opts.Registered != nil && b.opts.Registered(b.first) {
		return &Result{Module: true, Reused: b.first}, nil
	}
	if len(b.order) == 0 {
		return nil, &Error{Message: fmt.Sprintf("Cannot import %q: nothing was loaded", spec)}
	}
	entryPath := b.order[0]
	if !entry.ForceModule && !strings.HasSuffix(entryPath, ".mjs") && !strings.HasSuffix(entryPath, ".mts") &&
		!isESM(res.Metafile, entryPath, dir) {
		return b.classic(entryPath, display)
	}
	// The modules the entry reaches through import declarations get
	// their namespaces into the registry, so that a later import() of one
	// finds this instance: a second build names them in the entry.
	registry := []string{entryPath}
	if statics := b.statics(res.Metafile, entryPath, dir); len(statics) > 0 {
		if res = run(statics); len(res.Errors) > 0 {
			return nil, b.convertError(res.Errors[0], display, dir)
		}
		registry = append(registry, statics...)
	}
	code, sm, err := outputs(res.OutputFiles)
	if err != nil {
		return nil, err
	}
	r, err := b.wrap(code, sm, display, dir)
	if err != nil {
		return nil, err
	}
	r.Registry = registry
	return r, nil
}

// statics returns, in the order found, the files other than the entry
// that the entry reaches through import and export-from declarations
// alone (not require, not import()): those evaluated with it. Files the
// build did not read (Registered ones) are left out.
func (b *builder) statics(metafile, entry, dir string) []string {
	var meta struct {
		Inputs map[string]struct {
			Imports []struct {
				Path string `json:"path"`
				Kind string `json:"kind"`
			} `json:"imports"`
		} `json:"inputs"`
	}
	if json.Unmarshal([]byte(metafile), &meta) != nil {
		return nil
	}
	abs := func(name string) string {
		if filepath.IsAbs(name) {
			return name
		}
		return filepath.Join(dir, filepath.FromSlash(name))
	}
	byPath := map[string]string{} // absolute path -> metafile name
	for name := range meta.Inputs {
		byPath[abs(name)] = name
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[string]bool{entry: true}
	var out []string
	queue := []string{entry}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, im := range meta.Inputs[byPath[p]].Imports {
			if im.Kind != "import-statement" {
				continue
			}
			q := abs(im.Path)
			if _, read := b.sums[q]; !read || seen[q] {
				continue
			}
			seen[q] = true
			out = append(out, q)
			queue = append(queue, q)
		}
	}
	return out
}

// options are the build options both kinds of build share.
func (b *builder) options(dir string) api.BuildOptions {
	if b.tsconfig == "" {
		b.tsconfig = b.tsconfigFor(dir) // tsconfig.go: esbuild reads none itself
	}
	return api.BuildOptions{
		TsconfigRaw:   b.tsconfig,
		Write:         false,
		LogLevel:      api.LogLevelSilent,
		AbsWorkingDir: dir,
		Outdir:        dir,
		Platform:      api.PlatformNeutral,
		MainFields:    []string{"module", "main"},
		ResolveExtensions: []string{".tsx", ".ts", ".mts", ".cts", ".jsx", ".js",
			".mjs", ".cjs", ".json"},
		Sourcemap:      api.SourceMapExternal,
		SourcesContent: api.SourcesContentExclude,
		Target:         api.ESNext,
		// What goja lacks, esbuild lowers.
		Supported: map[string]bool{
			"async-generator": false, "for-await": false, "decorators": false, "using": false,
			"regexp-set-notation": false, "import-meta": true, "top-level-await": true, "dynamic-import": true,
		},
		Define:      map[string]string{"import.meta": "__isobox_ctx.meta"},
		JSXFactory:  b.opts.JSXFactory,
		JSXFragment: b.opts.JSXFragment,
		// Scope hoisting renames a module's top-level functions and
		// classes that clash with another module's, and names an
		// anonymous default export after its file: KeepNames keeps the
		// names the source gives (f.name === "f", "default").
		KeepNames: true,
		Plugins:   []api.Plugin{{Name: "isobox", Setup: b.setup}},
	}
}

// setup installs the resolver and loader that enforce the read rules.
func (b *builder) setup(pb api.PluginBuild) {
	pb.OnResolve(api.OnResolveOptions{Filter: `.*`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
		for _, ns := range []string{regESM, regCJS} {
			if p, ok := strings.CutPrefix(a.Path, ns+":"); ok {
				return api.OnResolveResult{Path: p, Namespace: ns}, nil
			}
		}
		for k, v := range a.With {
			if err := CheckAttribute(k, v); err != nil {
				return api.OnResolveResult{}, fmt.Errorf("%s%s", syntaxMark, err)
			}
		}
		if a.Kind == api.ResolveJSDynamicImport {
			// Every import() is left to the run-time import, which builds
			// its graph on first use and registers its instances: a literal
			// specifier then finds the same instance as a computed one,
			// and a module that cannot be found or read, or a Node
			// built-in, rejects when the call runs, as in Node.
			return api.OnResolveResult{Path: a.Path, External: true}, nil
		}
		from := a.Importer
		if from == "" || from == "<stdin>" || from == "<isobox-entry>" {
			from = "the entry"
		}
		if bn := builtinName(a.Path); bn != "" {
			if a.Kind == api.ResolveJSRequireCall {
				// A require() may sit in a try block (an optional
				// dependency): it throws when it runs, naming the module
				// ("Dynamic require of \"fs\" is not supported").
				return api.OnResolveResult{Path: a.Path, External: true}, nil
			}
			return api.OnResolveResult{}, fmt.Errorf("cannot import %q from %s: isobox has no Node built-in modules", bn, from)
		}
		if strings.HasPrefix(a.Path, "data:") {
			// esbuild would load a data: URL itself, with no Check: a
			// deeply nested one ended the process (Go stack overflow in
			// esbuild's parser). loadData applies it.
			return api.OnResolveResult{Path: a.Path, Namespace: dataNS}, nil
		}
		if strings.HasPrefix(a.Path, "file:") {
			path, err := fileURLPath(a.Path)
			if err != nil {
				return api.OnResolveResult{}, err
			}
			return api.OnResolveResult{Path: path, Namespace: "file"}, nil
		}
		// esbuild resolves; load checks the read rules. (esbuild's plugin
		// Resolve does not share the build's directory cache, which made a
		// 10,000-file directory quadratic.)
		return api.OnResolveResult{}, nil
	})
	pb.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "file"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
		return b.load(a.Path)
	})
	pb.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: dataNS}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
		return b.loadData(a.Path)
	})
	// A Registered file P becomes three modules. P itself re-exports
	// everything, default included, from an ES module without P's
	// extension (so that a .mjs P's node mode, which would make default
	// the whole namespace, does not apply), which re-exports a CommonJS
	// module whose exports are the caller's instance: esbuild then reads
	// every import of P as a property of that object, live.
	pb.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: regESM}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
		q, _ := json.Marshal(regCJS + ":" + strings.TrimSuffix(a.Path, "#isobox.js") + "#isobox.cjs")
		text := fmt.Sprintf("export * from %s;\nexport { default } from %s;\n", q, q)
		return api.OnLoadResult{Contents: &text, Loader: api.LoaderJS}, nil
	})
	pb.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: regCJS}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
		q, _ := json.Marshal(strings.TrimSuffix(a.Path, "#isobox.cjs"))
		text := fmt.Sprintf("module.exports = __isobox_ctx.reg(%s);\n", q)
		return api.OnLoadResult{Contents: &text, Loader: api.LoaderJS}, nil
	})
}

// load reads one file of the graph, checked and hashed.
func (b *builder) load(path string) (api.OnLoadResult, error) {
	b.mu.Lock()
	isEntry := b.first == "" || b.first == path
	if b.first == "" {
		b.first = path
	}
	b.mu.Unlock()
	if b.opts.Registered != nil && b.opts.Registered(path) {
		q, _ := json.Marshal(regESM + ":" + path + "#isobox.js")
		text := fmt.Sprintf("export * from %s;\nexport { default } from %s;\n", q, q)
		return api.OnLoadResult{Contents: &text, Loader: api.LoaderJS, ResolveDir: filepath.Dir(path)}, nil
	}
	if path != filepath.Clean(path) {
		// What CanRead checks is the cleaned path, which the system may
		// not open (.. after a symbolic link): a path esbuild did not
		// clean is refused.
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: not a clean path", path)
	}
	if b.opts.CanRead == nil || !b.opts.CanRead(path) {
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: it is outside the directories this isolate may read", path)
	}
	loader, ok := loaders[strings.ToLower(filepath.Ext(path))]
	if !ok {
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: isobox imports .js, .mjs, .cjs, .ts, .mts, .cts, .jsx, .tsx and .json files", path)
	}
	b.mu.Lock()
	n := len(b.order)
	b.mu.Unlock()
	if n >= MaxInputs {
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: a module graph has at most %d files", path, MaxInputs)
	}
	text, err := readFile(path)
	if err != nil {
		return api.OnLoadResult{}, err
	}
	if b.opts.Check != nil {
		if err := b.opts.Check(path, text); err != nil {
			return api.OnLoadResult{}, err
		}
	}
	sum := sha256.Sum256([]byte(text))
	if isEntry && b.force && !usesCommonJS(text) {
		// A forced module with no import or export is still one: esbuild
		// would read it as CommonJS, evaluated only where it is required.
		text += "\nexport {};\n"
	}
	b.mu.Lock()
	if _, seen := b.sums[path]; !seen {
		b.order = append(b.order, path)
	}
	b.sums[path] = sum
	b.mu.Unlock()
	return api.OnLoadResult{Contents: &text, Loader: loader, ResolveDir: filepath.Dir(path)}, nil
}

// loadData loads a data: URL module (data:[type][;base64],text) of type
// text/javascript, application/javascript or application/json, checked as
// a file is.
func (b *builder) loadData(u string) (api.OnLoadResult, error) {
	name := u
	if len(name) > 40 {
		name = name[:40] + "..."
	}
	head, body, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok {
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: not a data: URL", name)
	}
	typ, b64 := strings.CutSuffix(head, ";base64")
	typ, _, _ = strings.Cut(typ, ";") // parameters such as charset
	var loader api.Loader
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "text/javascript", "application/javascript":
		loader = api.LoaderJS
	case "application/json":
		loader = api.LoaderJSON
	default:
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: isobox imports data: URLs of type text/javascript and application/json", name)
	}
	var text string
	if b64 {
		raw, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return api.OnLoadResult{}, fmt.Errorf("cannot import %s: %v", name, err)
		}
		text = string(raw)
	} else {
		t, err := url.PathUnescape(body)
		if err != nil {
			return api.OnLoadResult{}, fmt.Errorf("cannot import %s: %v", name, err)
		}
		text = t
	}
	if len(text) > MaxFileBytes {
		return api.OnLoadResult{}, fmt.Errorf("cannot import %s: larger than %d MB", name, MaxFileBytes>>20)
	}
	if b.opts.Check != nil {
		if err := b.opts.Check(name, text); err != nil {
			return api.OnLoadResult{}, err
		}
	}
	return api.OnLoadResult{Contents: &text, Loader: loader}, nil
}

// usesCommonJS reports whether a file's text mentions CommonJS's
// module, exports or require, which a forced module leaves to esbuild's
// interop (Node runs such a .js file as CommonJS too).
func usesCommonJS(text string) bool {
	return strings.Contains(text, "module.exports") || strings.Contains(text, "exports.") ||
		strings.Contains(text, "exports[") || strings.Contains(text, "require(")
}

func readFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxFileBytes {
		return "", fmt.Errorf("cannot import %s: larger than %d MB", path, MaxFileBytes>>20)
	}
	buf := make([]byte, 0, 4096)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, len(buf))
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxFileBytes {
			return "", fmt.Errorf("cannot import %s: larger than %d MB", path, MaxFileBytes>>20)
		}
		if err != nil {
			break
		}
	}
	return string(buf), nil
}

// fileURLPath turns a file: URL into a path.
func fileURLPath(u string) (string, error) {
	rest := strings.TrimPrefix(u, "file:")
	rest = strings.TrimPrefix(rest, "//localhost")
	rest = strings.TrimPrefix(rest, "//")
	if !strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("cannot import %q: not an absolute file: URL", u)
	}
	var sb strings.Builder
	for i := 0; i < len(rest); i++ {
		if rest[i] == '%' && i+2 < len(rest) {
			if v, err := strconv.ParseUint(rest[i+1:i+3], 16, 8); err == nil {
				sb.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		if rest[i] == '?' || rest[i] == '#' {
			break
		}
		sb.WriteByte(rest[i])
	}
	// Cleaned, as every other path isobox reads: the read check cleans
	// a path before it compares it with the read roots, and reading
	// root/link/../x as it was (link a symbolic link to a directory
	// outside) read outside them (file:///root/link/%2e%2e/x).
	return filepath.Clean(sb.String()), nil
}

// isESM reports whether esbuild found module syntax in the entry file.
func isESM(metafile, entry, dir string) bool {
	var meta struct {
		Inputs map[string]struct {
			Format string `json:"format"`
		} `json:"inputs"`
	}
	if json.Unmarshal([]byte(metafile), &meta) != nil {
		return true
	}
	for name, in := range meta.Inputs {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if p == entry {
			return in.Format == "esm"
		}
	}
	return true
}

// classic builds a TypeScript or JSX file without module syntax as a
// classic script: its types stripped, nothing bundled. A .js entry is left
// to the caller.
func (b *builder) classic(path, display string) (*Result, error) {
	in := Input{Path: path, Sum: b.sums[path]}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".js" || ext == ".cjs" {
		return &Result{Module: false, Inputs: []Input{in}}, nil
	}
	dir := filepath.Dir(path)
	opts := b.options(dir)
	opts.Define = nil
	opts.Plugins = []api.Plugin{{Name: "isobox", Setup: func(pb api.PluginBuild) {
		pb.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "file"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			return b.load(a.Path)
		})
	}}}
	opts.EntryPoints = []string{path}
	res := api.Build(opts)
	if len(res.Errors) > 0 {
		return nil, b.convertError(res.Errors[0], display, dir)
	}
	code, sm, err := outputs(res.OutputFiles)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	sm, err = b.fixMap(sm, display, dir, files, 0)
	if err != nil {
		return nil, err
	}
	text := strings.TrimRight(code, "\n") + "\n//# sourceMappingURL=data:application/json;base64," + base64.StdEncoding.EncodeToString(sm) + "\n"
	return &Result{Module: false, Code: text, Inputs: []Input{in}, Files: files}, nil
}

// outputs returns the JS and its source map from a build's output files.
func outputs(files []api.OutputFile) (code string, sm []byte, err error) {
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Path, ".map"):
			sm = f.Contents
		case strings.HasSuffix(f.Path, ".js"):
			code = string(f.Contents)
		}
	}
	if sm == nil {
		return "", nil, errors.New("module: esbuild gave no source map")
	}
	// esbuild's own comment names an external file; ours is inline.
	if i := strings.LastIndex(code, "//# sourceMappingURL="); i >= 0 {
		code = code[:i]
	}
	return code, sm, nil
}

// wrapHead is the first line of a bundle: it adds one line before the
// bundle's first, which the source map accounts for.
const wrapHead = `(async function (__isobox_ctx, __isobox_done) {"use strict";` + "\n"

// wrap makes the bundle an async function with its source map inline.
func (b *builder) wrap(code string, sm []byte, display, dir string) (*Result, error) {
	files := map[string]string{}
	sm, err := b.fixMap(sm, display, dir, files, 1)
	if err != nil {
		return nil, err
	}
	early := strings.Count(code, "function "+registryFn+"()") == 1 &&
		strings.Contains(code, ", "+registryFn+");\n")
	code = patchExport(code)
	var sb strings.Builder
	sb.Grow(len(wrapHead) + len(code) + len(sm)*4/3 + 64)
	sb.WriteString(strings.TrimSuffix(wrapHead, "\n"))
	if early {
		sb.WriteString(" __isobox_ctx.early(" + registryFn + ");")
	}
	sb.WriteString("\n")
	sb.WriteString(strings.TrimRight(code, "\n"))
	sb.WriteString("\n})\n//# sourceMappingURL=data:application/json;base64,")
	sb.WriteString(base64.StdEncoding.EncodeToString(sm))
	sb.WriteString("\n")
	r := &Result{Module: true, Code: sb.String(), Files: files, Early: early}
	for _, p := range b.order {
		r.Inputs = append(r.Inputs, Input{Path: p, Sum: b.sums[p]})
	}
	return r, nil
}

// esbuildExport is esbuild's helper that fills a namespace object, as
// its runtime writes it at the top of a bundle.
const esbuildExport = "var __export = (target, all) => {\n  for (var name in all)\n    __defProp(target, name, { get: all[name], enumerable: true });\n};\n"

// esbuildName is KeepNames's helper as esbuild's runtime writes it, and
// safeName the same on one line that names only a function it can.
const (
	esbuildName = "var __name = (target, value) => __defProp(target, \"name\", { value, configurable: true });\n"
	safeName    = "var __name = (target, value) => { try { if (typeof target === \"function\") __defProp(target, \"name\", { value, configurable: true }) } catch (e) {} return target };\n"
)

// nsDecl is how esbuild declares a module's namespace object, at the top
// of the module's part of the bundle (after the "// path" comment), and
// fills it when the module has exports.
var nsDecl = regexp.MustCompile(`(?m)^(// [^\n]*\n)var (\w+_exports) = \{\};\n(__export\((\w+_exports), \{\n)?`)

// patchExport makes esbuild's namespace objects module namespace objects.
// Its helper becomes __isobox_ctx.export, on as many lines, so that no
// mapping moves (only the runtime's own copy, before the first module, is
// replaced), and each declaration of a namespace becomes a call of it
// that makes the namespace, again on as many lines:
//
//	var m_exports = {};              var m_exports =
//	__export(m_exports, {            __isobox_ctx.export(null, {
//
// which returns the exotic object the specification describes (a proxy:
// see the engine). A namespace esbuild adds to later (export * from a
// CommonJS module, __reExport) keeps the ordinary object, filled by the
// same helper as closely as an ordinary object can be (null prototype,
// Symbol.toStringTag, exports in code unit order, not configurable).
func patchExport(code string) string {
	head := code
	if i := strings.Index(code, "\n// "); i >= 0 {
		head = code[:i+1]
	}
	if i := strings.Index(head, esbuildExport); i >= 0 {
		repl := "var __export = __isobox_ctx.export;" + strings.Repeat("\n", strings.Count(esbuildExport, "\n"))
		code = code[:i] + repl + code[i+len(esbuildExport):]
	}
	// KeepNames's helper runs where a declaration was, after code that may
	// have assigned the name something else (f = null before function
	// f(){}), or frozen the function: it names only what it can.
	if j := strings.Index(code, esbuildName); j >= 0 && j < len(head) {
		code = code[:j] + safeName + code[j+len(esbuildName):]
	}
	return nsDecl.ReplaceAllStringFunc(code, func(m string) string {
		g := nsDecl.FindStringSubmatch(m)
		name := g[2]
		if g[4] != "" && g[4] != name || strings.Contains(code, "__reExport("+name+",") {
			return m
		}
		if g[3] == "" {
			return g[1] + "var " + name + " = __isobox_ctx.export(null, {});\n"
		}
		return g[1] + "var " + name + " =\n__isobox_ctx.export(null, {\n"
	})
}

// fixMap rewrites a source map's sources to names relative to the
// display name's directory (absolute when the display name is), records
// each as goja will report it, and shifts the mappings down by lines.
func (b *builder) fixMap(sm []byte, display, dir string, files map[string]string, lines int) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(sm, &m); err != nil {
		return nil, fmt.Errorf("module: bad source map: %w", err)
	}
	srcs, _ := m["sources"].([]any)
	ddir := filepath.Dir(display)
	for i, s := range srcs {
		name, _ := s.(string)
		abs := name
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, filepath.FromSlash(name))
		}
		shown := abs
		if !filepath.IsAbs(display) {
			if rel, err := filepath.Rel(dir, abs); err == nil {
				shown = filepath.Join(ddir, rel)
			}
		}
		// goja resolves a source against the program's name; a source
		// relative to the display name's directory resolves to shown.
		src := shown
		if !filepath.IsAbs(display) {
			if rel, err := filepath.Rel(ddir, shown); err == nil {
				src = rel
			}
		}
		srcs[i] = filepath.ToSlash(src)
		if name != "<isobox-entry>" && !strings.HasSuffix(name, "%3Cisobox-entry%3E") {
			files[reported(display, filepath.ToSlash(src))] = abs
		}
	}
	m["sources"] = srcs
	delete(m, "sourceRoot")
	if mp, ok := m["mappings"].(string); ok {
		m["mappings"] = strings.Repeat(";", lines) + shiftColumns(mp)
	}
	return json.Marshal(m)
}

// reported is a source's name as goja reports it in positions: the
// source resolved against the program's name.
func reported(display, src string) string {
	if u := file.ResolveSourcemapURL(display, src); u != nil {
		return u.String()
	}
	return src
}

// convertError turns esbuild's first error into an *Error at the
// original position.
func (b *builder) convertError(m api.Message, display, dir string) error {
	e := &Error{Message: m.Text}
	e.Syntax = m.PluginName == "" && !strings.HasPrefix(m.Text, "Could not resolve") &&
		!strings.HasPrefix(m.Text, "No matching export") && !strings.Contains(m.Text, "is not exported by")
	if t, ok := strings.CutPrefix(m.Text, syntaxMark); ok {
		e.Message, e.Syntax = t, true
	}
	if l := m.Location; l != nil && l.File != "" && l.File != "<isobox-entry>" {
		abs := l.File
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, filepath.FromSlash(abs))
		}
		e.File = abs
		if !filepath.IsAbs(display) {
			if rel, err := filepath.Rel(dir, abs); err == nil {
				e.File = filepath.Join(filepath.Dir(display), rel)
			}
		}
		e.Line, e.Column = l.Line, l.Column+1
	}
	if strings.HasPrefix(m.Text, "Could not resolve") {
		e.Message = "Cannot find module " + strings.TrimPrefix(m.Text, "Could not resolve ")
		for _, n := range m.Notes {
			if strings.Contains(n.Text, "mark the path") || n.Text == "" {
				continue
			}
			e.Message += " (" + n.Text + ")"
			break
		}
	}
	return e
}
