package guard

import (
	"errors"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// Source maps named by a script.
//
// goja's parser reads the source map a "//# sourceMappingURL=" comment
// names: inline (data:application/json;base64,...) it decodes the comment
// itself; any other URL it resolves against the file name and reads with
// os.ReadFile, on the compiling goroutine, unless a loader is given. So a
// script's last line "//# sourceMappingURL=/dev/zero" read until the
// process died of Go's out-of-memory (on the parent's goroutine, for
// Isolate.spawn), a FIFO blocked the compile for good, and any file the
// process may read was opened on a script's say. Every parse of a
// script's text goes through ParserOptions: a map inline in the source
// (which TypeScript output and bundles carry) is used; one named by URL is
// never loaded.

// errSourceMapURL is what the loader returns: goja then compiles without
// the map.
var errSourceMapURL = errors.New("guard: a source map named by URL is not loaded")

func refuseSourceMap(string) ([]byte, error) { return nil, errSourceMapURL }

var parserOptions = []parser.Option{parser.WithSourceMapLoader(refuseSourceMap)}

// ParserOptions are the options every parse of a script's source must
// use (see above); Install sets them on the runtime, for eval and the
// Function constructors. Any goroutine.
func ParserOptions() []parser.Option { return parserOptions }

// ParseFile is parser.ParseFile with ParserOptions, of src with its
// \u{10FFFF} escapes fixed (escapes.go); a panic of goja's parser is an
// error. Pure: any goroutine.
func ParseFile(name, src string) (prg *ast.Program, err error) {
	defer recoverParse(&err)
	return parser.ParseFile(nil, name, fixEscapes(src), 0, parserOptions...)
}

// Compile is goja.Compile with ParserOptions, of src with its \u{10FFFF}
// escapes fixed; a panic of goja's parser is an error. Pure: any
// goroutine.
func Compile(name, src string, strict bool) (p *goja.Program, err error) {
	defer recoverParse(&err)
	prg, err := goja.Parse(name, fixEscapes(src), parserOptions...)
	if err != nil {
		return nil, err
	}
	if p, err = goja.CompileAST(prg, strict); err == nil {
		noteNeeds(p, src) // families.go
	}
	return p, err
}

// ErrParserFailed is what the error of a parse goja's parser panicked on
// wraps (a bug of the parser, on input valid or not): the source is
// refused as a SyntaxError rather than ending the goroutine. Read-only:
// any goroutine.
var ErrParserFailed = errors.New("guard: the parser failed on this source")

func recoverParse(err *error) {
	if x := recover(); x != nil {
		// The panic's own text is a Go runtime error: not for scripts.
		*err = ErrParserFailed
	}
}
