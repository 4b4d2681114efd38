package bindings

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/file"

	"github.com/isobox/isobox/engine"
	"github.com/isobox/isobox/engine/guard"
	"github.com/isobox/isobox/internal/gojax"
)

// The source of an entry function. Isolate.spawn and Isolate.run send the
// child the function's source text, cut out of the program the function
// was compiled from, with the file name and the position it starts at, so
// that the child's errors point into the spawner's file.
//
// Function.prototype.toString is not used for the text: goja's text for an
// arrow function whose body ends in a parenthesized expression lacks the
// closing parentheses ("x => (x)" reads "x => (x"), and a script may
// replace toString. gojax.FuncSource gives the program's text, the
// function's start and goja's (possibly short) text; entryText completes
// it from the program's text.

// entryKey names a function's text: its program's file and its start. A
// file's text never changes, so neither does the entry source cut from it.
type entryKey struct {
	fl    *file.File
	start int
}

// maxEntryCache bounds env.entries; a full cache starts over.
const maxEntryCache = 64

// functionSource returns the entry source of the script function v, or
// throws a TypeError naming api. Sources are cached per isolate, so a
// function spawned in a loop is cut out and checked once. Loop only.
func (e *env) functionSource(v goja.Value, api string) engine.Source {
	obj, ok := v.(*goja.Object)
	if _, isFn := goja.AssertFunction(v); !ok || !isFn {
		e.typeError("%s: entry must be a function", api)
	}
	if e.isCtorWrapper(obj) {
		e.typeError("%s: entry must be a script function, not a native or bound one, or a class", api)
	}
	if fl, start, text, ok := gojax.FuncSource(obj); ok {
		key := entryKey{fl, start}
		if s, ok := e.entries[key]; ok {
			return s
		}
		src := fl.Source()
		code := entryText(src, start, text)
		line, col := position(src, start)
		s := engine.Source{Kind: engine.SourceFunction, Code: code, Filename: fl.Name(), Line: line, Column: col, SourceMap: sourceMapLine(src)}
		if e.entries == nil || len(e.entries) >= maxEntryCache {
			e.entries = make(map[entryKey]engine.Source)
		}
		e.entries[key] = s
		return s
	}
	if gojax.FuncLayout() == nil {
		// The layout is known and this is not a script function.
		e.typeError("%s: entry must be a script function, not a native or bound one, or a class", api)
	}
	// No access to goja's layout: fall back on toString, completed with
	// the closing parentheses it may lack. Positions are then counted from
	// the function's start.
	src := v.String()
	if len(src) > 20 && src[len(src)-15:] == "[native code] }" {
		e.typeError("%s: entry must be a script function, not a native or bound one", api)
	}
	return engine.Source{Kind: engine.SourceFunction, Code: closeParens(src), Filename: e.iso.Filename()}
}

// sourceMapLine returns the inline source map line a compiled module or
// TypeScript file ends with, or "".
func sourceMapLine(src string) string {
	const prefix = "//# sourceMappingURL=data:"
	end := len(src)
	for end > 0 && (src[end-1] == '\n' || src[end-1] == '\r') {
		end--
	}
	i := strings.LastIndexByte(src[:end], '\n')
	if line := src[i+1 : end]; strings.HasPrefix(line, prefix) {
		return line
	}
	return ""
}

// entryText returns the whole source text of the function that starts at
// start in src and whose text, as goja keeps it, is text. goja's text ends
// where the function body's last node ends; the parentheses that close a
// parenthesized expression at the end of an arrow function's body are
// missing. Between that end and the missing ")" there can only be
// whitespace, comments and other ")", so entryText takes ")" from src one
// at a time, skipping those, until the text parses as a function
// expression or a method. Since parentheses balance, the first text that
// parses is the function.
func entryText(src string, start int, text string) string {
	code := text
	end := start + len(text)
	for i := 0; ; i++ {
		if parsesAsEntry(code) {
			return code
		}
		next := skipSpaceAndComments(src, end)
		if next >= len(src) || src[next] != ')' || i > 1<<16 {
			return text // not ours to fix: let the spawn report the syntax error
		}
		end = next + 1
		code = src[start:end]
	}
}

// closeParens appends ")" to a toString text until it parses (at most 64),
// for when the program's text is not available.
func closeParens(text string) string {
	code := text
	for i := 0; i < 64; i++ {
		if parsesAsEntry(code) {
			return code
		}
		code += ")"
	}
	return text
}

// parsesAsEntry reports whether code is a function expression or a method,
// the two forms the engine accepts for a function source.
func parsesAsEntry(code string) bool {
	if _, err := guard.ParseFile("", "("+code+"\n)"); err == nil {
		return true
	}
	if strings.HasPrefix(code, "#") {
		code = "_" + code[1:]
	}
	_, err := guard.ParseFile("", "({"+code+"\n})")
	return err == nil
}

// skipSpaceAndComments returns the offset of the first byte at or after i
// that is neither whitespace nor inside a comment.
func skipSpaceAndComments(src string, i int) int {
	for i < len(src) {
		switch {
		case src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r' || src[i] == '\v' || src[i] == '\f':
			i++
		case strings.HasPrefix(src[i:], "//"):
			nl := strings.IndexAny(src[i:], "\n\r")
			if nl < 0 {
				return len(src)
			}
			i += nl
		case strings.HasPrefix(src[i:], "/*"):
			c := strings.Index(src[i+2:], "*/")
			if c < 0 {
				return len(src)
			}
			i += 2 + c + 2
		case strings.HasPrefix(src[i:], "\u00a0"), strings.HasPrefix(src[i:], "\ufeff"),
			strings.HasPrefix(src[i:], "\u2028"), strings.HasPrefix(src[i:], "\u2029"):
			if src[i] == 0xc2 {
				i += 2
			} else {
				i += 3
			}
		default:
			return i
		}
	}
	return i
}

// position returns the 1-based line and byte column of offset in src,
// counting line terminators as goja does (\n, \r, \r\n, U+2028, U+2029).
func position(src string, offset int) (line, col int) {
	line, lineStart := 1, 0
	for i := 0; i < offset && i < len(src); i++ {
		switch src[i] {
		case '\n':
			line, lineStart = line+1, i+1
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			line, lineStart = line+1, i+1
		case 0xe2:
			if strings.HasPrefix(src[i:], "\u2028") || strings.HasPrefix(src[i:], "\u2029") {
				i += 2
				line, lineStart = line+1, i+1
			}
		}
	}
	return line, offset - lineStart + 1
}
