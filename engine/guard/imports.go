package guard

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Dynamic import().
//
// goja's parser has no import() call: it stops at one with "Unexpected
// reserved word". RewriteOps finds each (one parse per call: the parser
// stops at the first), renames its keyword to importName, of the same
// length, and once the whole source parses rewrites every renamed call to
// the op helper:
//
//	import(s)       ""[OpHelper](70,s)
//	import(s, o)    ""[OpHelper](70,s, o)
//
// The helper hands the evaluated specifier and options to Config.Import,
// the embedder's loader, which returns the promise import() returns. So
// import() works in every source that goes through RewriteOps: scripts,
// module bundles, the REPL, eval code and the Function constructors. A call
// the walker does not find as a call of one or two arguments (new
// import(x), import(...a), import()) leaves the source as it was, for the
// compiler to report as the SyntaxError it is.

// importName stands for the import keyword between the rename and the
// rewrite; it never reaches the compiler.
const importName = "$mport"

// MaxDynamicImports bounds the import() calls in one source (each costs a
// parse of the source to find). A constant: any goroutine.
const MaxDynamicImports = 256

// mayImport reports whether src may hold an import() call.
func mayImport(src string) bool {
	for i := strings.Index(src, "import"); i >= 0; {
		if callFollows(src[i+len("import"):]) {
			return true
		}
		j := strings.Index(src[i+1:], "import")
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// renameImports renames the keyword of every import() call in src to
// importName and returns the offsets renamed. A source with another syntax
// error comes back with what was renamed before it (the caller then
// compiles the original). Call it only on text the nesting scanner has
// accepted. Any goroutine.
func renameImports(src string) (string, map[int]bool, error) {
	var offs map[int]bool
	for i := 0; ; i++ {
		_, err := parser.ParseFile(nil, "", src, 0, parser.WithDisableSourceMaps)
		if err == nil {
			return src, offs, nil
		}
		var list parser.ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			return src, nil, nil
		}
		pos := list[0].Position
		off := offsetOf(src, pos.Line, pos.Column)
		if off < 0 || !strings.HasPrefix(src[off:], "import") || !callFollows(src[off+len("import"):]) {
			return src, nil, nil // a real syntax error: the compiler reports it
		}
		if i >= MaxDynamicImports {
			return "", nil, fmt.Errorf("guard: more than %d import() calls in one source", MaxDynamicImports)
		}
		if offs == nil {
			offs = map[int]bool{}
		}
		offs[off] = true
		src = src[:off] + importName + src[off+len("import"):]
	}
}

// callFollows reports whether s starts with "(" after white space, line
// terminators and comments.
func callFollows(s string) bool {
	for len(s) > 0 {
		switch {
		case s[0] == '(':
			return true
		case strings.HasPrefix(s, "//"):
			i := strings.IndexAny(s, "\n\r\u2028\u2029")
			if i < 0 {
				return false
			}
			s = s[i:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return false
			}
			s = s[2+i+2:]
		default:
			r, n := utf8.DecodeRuneInString(s)
			if !unicode.IsSpace(r) && r != '\ufeff' {
				return false
			}
			s = s[n:]
		}
	}
	return false
}

// offsetOf returns the byte offset of 1-based line:col, counting line
// terminators as goja does, or -1.
func offsetOf(code string, line, col int) int {
	l, start := 1, 0
	for i := 0; i < len(code) && l < line; i++ {
		switch code[i] {
		case '\n':
			l, start = l+1, i+1
		case '\r':
			if i+1 < len(code) && code[i+1] == '\n' {
				i++
			}
			l, start = l+1, i+1
		case 0xe2:
			if strings.HasPrefix(code[i:], "\u2028") || strings.HasPrefix(code[i:], "\u2029") {
				i += 2
				l, start = l+1, i+1
			}
		}
	}
	if l != line {
		return -1
	}
	off := start + col - 1
	if off < 0 || off > len(code) {
		return -1
	}
	return off
}

// importCall is import(specifier, options): Config.Import's promise, or
// one rejected with a TypeError when the runtime has no loader.
func (og *opsGuard) importCall(spec, opts goja.Value) goja.Value {
	if og.g.importer != nil {
		return og.g.importer(spec, opts)
	}
	p, _, reject := og.g.vm.NewPromise()
	_ = reject(og.g.vm.NewTypeError("import() is not available in this runtime"))
	return og.g.vm.ToValue(p)
}

// MaskImports returns src with the keyword of each import() call replaced
// by an identifier of the same length, when that makes src parse, and src
// itself otherwise: for code that inspects a source's syntax tree with
// goja's parser (the REPL's analysis of an input) before compiling the
// original through RewriteOps. Offsets do not move. Never compile its
// result: the calls would not reach the loader. Any goroutine.
func MaskImports(src string) string {
	if !mayImport(src) || CheckNesting(src, DefaultMaxNesting) != nil {
		return src
	}
	out, offs, err := renameImports(src)
	if err != nil || len(offs) == 0 {
		return src
	}
	return out
}
