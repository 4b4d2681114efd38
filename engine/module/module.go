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

Every file the entry reaches through static import, export-from, require
or a dynamic import() of a literal string is bundled, in ESM evaluation
order, into one async function:

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
	"os"
	"path/filepath"
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

// resolving marks the plugin's own calls to build.Resolve.
type resolving struct{}

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
	b := &builder{opts: opts, sums: map[string][32]byte{}}
	return b.build(entry)
}

// builder is one build's state. esbuild calls the plugin from several
// goroutines at once, so order and sums are guarded by mu.
type builder struct {
	opts  Options
	mu    sync.Mutex
	sums  map[string][32]byte
	order []string
}

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
	stdin := "import * as ns from " + string(q) + ";\n__isobox_done(ns);\n"
	opts := b.options(dir)
	opts.Stdin = &api.StdinOptions{Contents: stdin, ResolveDir: dir, Sourcefile: "<isobox-entry>", Loader: api.LoaderJS}
	opts.Bundle = true
	opts.Format = api.FormatESModule
	opts.Metafile = true
	res := api.Build(opts)
	if len(res.Errors) > 0 {
		return nil, b.convertError(res.Errors[0], display, dir)
	}
	if len(b.order) == 0 {
		return nil, &Error{Message: fmt.Sprintf("Cannot import %q: nothing was loaded", spec)}
	}
	entryPath := b.order[0]
	if !entry.ForceModule && !strings.HasSuffix(entryPath, ".mjs") && !strings.HasSuffix(entryPath, ".mts") &&
		!isESM(res.Metafile, entryPath, dir) {
		return b.classic(entryPath, display)
	}
	code, sm, err := outputs(res.OutputFiles)
	if err != nil {
		return nil, err
	}
	return b.wrap(code, sm, display, dir)
}

// options are the build options both kinds of build share.
func (b *builder) options(dir string) api.BuildOptions {
	return api.BuildOptions{
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
		Plugins:     []api.Plugin{{Name: "isobox", Setup: b.setup}},
	}
}

// setup installs the resolver and loader that enforce the read rules.
func (b *builder) setup(pb api.PluginBuild) {
	pb.OnResolve(api.OnResolveOptions{Filter: `.*`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
		if _, ok := a.PluginData.(resolving); ok {
			return api.OnResolveResult{}, nil // our own call below: esbuild resolves
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
		p := a.Path
		fileURL := strings.HasPrefix(p, "file:")
		if fileURL {
			path, err := fileURLPath(p)
			if err != nil {
				return api.OnResolveResult{}, err
			}
			p = path
		}
		if a.Kind != api.ResolveJSDynamicImport {
			if fileURL {
				return api.OnResolveResult{Path: p, Namespace: "file"}, nil
			}
			// esbuild resolves; load checks the read rules. (esbuild's
			// plugin Resolve does not share the build's directory cache,
			// which made a 10,000-file directory quadratic.)
			return api.OnResolveResult{}, nil
		}
		// A literal import() of a module that cannot be found or read
		// rejects at run time, as in Node: it is left to the run-time
		// import, which applies the same rules.
		r := pb.Resolve(p, api.ResolveOptions{Importer: a.Importer, Namespace: a.Namespace, ResolveDir: a.ResolveDir,
			Kind: a.Kind, PluginData: resolving{}, With: a.With})
		if len(r.Errors) > 0 || r.External || r.Namespace != "file" || b.opts.CanRead == nil || !b.opts.CanRead(r.Path) {
			return api.OnResolveResult{Path: a.Path, External: true}, nil
		}
		return api.OnResolveResult{Path: r.Path, Namespace: "file"}, nil
	})
	pb.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "file"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
		return b.load(a.Path)
	})
}

// load reads one file of the graph, checked and hashed.
func (b *builder) load(path string) (api.OnLoadResult, error) {
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
	b.mu.Lock()
	if _, seen := b.sums[path]; !seen {
		b.order = append(b.order, path)
	}
	b.sums[path] = sum
	b.mu.Unlock()
	return api.OnLoadResult{Contents: &text, Loader: loader, ResolveDir: filepath.Dir(path)}, nil
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
	return sb.String(), nil
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
	var sb strings.Builder
	sb.Grow(len(wrapHead) + len(code) + len(sm)*4/3 + 64)
	sb.WriteString(wrapHead)
	sb.WriteString(strings.TrimRight(code, "\n"))
	sb.WriteString("\n})\n//# sourceMappingURL=data:application/json;base64,")
	sb.WriteString(base64.StdEncoding.EncodeToString(sm))
	sb.WriteString("\n")
	r := &Result{Module: true, Code: sb.String(), Files: files}
	for _, p := range b.order {
		r.Inputs = append(r.Inputs, Input{Path: p, Sum: b.sums[p]})
	}
	return r, nil
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
