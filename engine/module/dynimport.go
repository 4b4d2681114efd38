package module

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja/parser"
)

// ImportName is what the "import" of a run-time import() is renamed to in
// a bundle: a parameter of the bundle's function, as long as "import".
const ImportName = "$mport"

// MaxDynamicImports bounds the import() calls with a non-literal
// specifier in one bundle (each costs a parse of the bundle to find).
const MaxDynamicImports = 256

// RenameDynamicImports renames the "import" keyword of every import()
// call left in a bundle (those whose specifier is not a literal) to
// ImportName. goja's parser finds them: it stops at the first one with
// "Unexpected reserved word", so each is found by one parse. Call it only
// on text the nesting guard has accepted. Any goroutine.
func RenameDynamicImports(name, code string) (string, error) {
	if !strings.Contains(code, "import") {
		return code, nil
	}
	for i := 0; ; i++ {
		_, err := parser.ParseFile(nil, name, code, 0, parser.WithDisableSourceMaps)
		if err == nil {
			return code, nil
		}
		var list parser.ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			return code, nil // let the compiler report it
		}
		pos := list[0].Position
		off := offsetOf(code, pos.Line, pos.Column)
		if off < 0 || !strings.HasPrefix(code[off:], "import") || !callFollows(code[off+len("import"):]) {
			return code, nil // a real syntax error: the compiler reports it
		}
		if i >= MaxDynamicImports {
			return "", fmt.Errorf("more than %d import() calls with a computed specifier in one module graph", MaxDynamicImports)
		}
		code = code[:off] + ImportName + code[off+len("import"):]
	}
}

// callFollows reports whether s starts with "(" after white space.
func callFollows(s string) bool {
	s = strings.TrimLeft(s, " \t\n\r")
	return strings.HasPrefix(s, "(")
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
