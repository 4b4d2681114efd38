package guard

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
)

// Dynamic import().
//
// goja's parser has no import() call: it stops at one with "Unexpected
// reserved word". RewriteOps finds each (renameImports: two parses),
// renames its keyword to importName, of the same length, and once the
// whole source parses rewrites every renamed call to the op helper:
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

// MaxDynamicImports bounds the import() calls in one source. A constant:
// any goroutine.
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
// error comes back as it was (the caller then compiles the original, for
// the compiler to report). Call it only on text the nesting scanner has
// accepted. Any goroutine.
//
// Two parses, whatever the number of calls: every "import" followed by
// "(" is renamed (in strings, comments and property names too, where the
// rename changes no token), the result parsed, and the renames that did
// not become an identifier of the syntax tree (a.import(x), a method
// import() {}, the text of a string) put back; what is left must parse
// again. (One parse per call, each up to the next call, made 250 calls
// at the end of a 3.5 MB eval source a quadratic compile no limit could
// stop: minutes in one step.)
func renameImports(src string) (string, map[int]bool, error) {
	out, offs, _, err := renameImportsParsed(src)
	return out, offs, err
}

// parseImports is the parse renameImports makes (a variable for the test
// that counts them).
var parseImports = func(src string) (*ast.Program, error) {
	return ParseFile("", src)
}

// renameImportsParsed is renameImports, with the syntax tree of its result
// when it has one.
func renameImportsParsed(src string) (string, map[int]bool, *ast.Program, error) {
	var cands []int
	for i := strings.Index(src, "import"); i >= 0; {
		if callFollows(src[i+len("import"):]) {
			cands = append(cands, i)
		}
		j := strings.Index(src[i+1:], "import")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if len(cands) == 0 {
		return src, nil, nil, nil
	}
	all := []byte(src)
	for _, off := range cands {
		copy(all[off:], importName)
	}
	prg, err := parseImports(string(all))
	if err != nil {
		return src, nil, nil, nil // a real syntax error: the compiler reports it
	}
	idents := identOffsets(prg)
	var offs map[int]bool
	out := []byte(src)
	for _, off := range cands {
		if !idents[off] {
			continue
		}
		if len(offs) >= MaxDynamicImports {
			return "", nil, nil, fmt.Errorf("guard: more than %d import() calls in one source", MaxDynamicImports)
		}
		if offs == nil {
			offs = map[int]bool{}
		}
		offs[off] = true
		copy(out[off:], importName)
	}
	if len(offs) == 0 {
		return src, nil, nil, nil
	}
	res := string(out)
	if len(offs) < len(cands) {
		if prg, err = parseImports(res); err != nil {
			return src, nil, nil, nil
		}
	}
	return res, offs, prg, nil
}

// identOffsets returns the offsets of the identifiers (*ast.Identifier:
// references, bindings, labels; not property names, which goja keeps as
// string literals or Identifier values) in a syntax tree.
func identOffsets(prg *ast.Program) map[int]bool {
	out := map[int]bool{}
	walkAST(reflect.ValueOf(prg), func(n any) bool {
		if id, ok := n.(*ast.Identifier); ok {
			out[int(id.Idx)-1] = true
			return false
		}
		return true
	})
	return out
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

// importCall is import(specifier, options): Config.Import's promise, or
// one rejected with a TypeError when the runtime has no loader.
func (og *opsGuard) importCall(spec, opts goja.Value) goja.Value {
	if og.g.importer != nil {
		return og.g.importer(spec, opts)
	}
	og.g.ensureGlobal("Promise") // its guards come with the first promise (families.go)
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
