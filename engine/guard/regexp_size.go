package guard

import (
	"regexp/syntax"
	"strings"

	"github.com/dop251/goja/parser"
)

// The size of a regular expression's program.
//
// Go's regexp expands a counted repetition into copies of what it
// repeats, and compiling takes ~230 bytes an instruction of the result
// (parse tree, simplified tree, program) in one Go step: the 21,000
// characters of "x{1000}".repeat(3000) compiled in 1.4 s to 3 million
// instructions and 700 MB, and "(?:ab|cd){1000}".repeat(200), 3,000
// characters, took 209 MB. (Go refuses programs past ~3.3 million
// instructions, so one compile stays under ~800 MB; several isolates
// compiling at once do not.) A pattern's length does not bound this, so
// the guard estimates the program from the parse tree, which Go builds
// without expanding anything, and refuses a pattern whose program would
// take more than the allocation cap: at run time (checkPattern) as a
// RangeError, in a source (CheckNesting, for its literals together) as
// ErrTooLarge.

// costInst is the bytes compiling one instruction takes, measured (with
// headroom).
const costInst = 256

// DefaultMaxRegexpInsts is the most instructions the regular-expression
// literals of one source may compile to: DefaultMaxAllocBytes' worth.
const DefaultMaxRegexpInsts = DefaultMaxAllocBytes / costInst

// regexpInsts estimates the instructions goja's Go regexp program for
// pattern (a JS pattern) with flags would have. It is 0 for a pattern with
// no counted repetition (its program is about as long as the pattern,
// which the length checks bound) and for one goja gives regexp2, which
// does not expand repetitions. A pure function: any goroutine.
func regexpInsts(pattern, flags string) float64 {
	if !hasCountedRepeat(pattern) {
		return 0
	}
	re2, err := parser.TransformRegExp(pattern, strings.Contains(flags, "s"), strings.Contains(flags, "u"))
	if err != nil {
		return 0
	}
	ast, err := syntax.Parse(re2, syntax.Perl)
	if err != nil {
		return 0 // goja gives it to regexp2, or refuses it
	}
	return 2 + progInsts(ast) // + the fail and match instructions
}

// progInsts estimates the instructions syntax.Compile makes for re
// after Simplify expands its repetitions: within a few of the real count
// per node (TestRegexpInstsEstimate).
func progInsts(re *syntax.Regexp) float64 {
	switch re.Op {
	case syntax.OpLiteral:
		return float64(len(re.Rune))
	case syntax.OpCapture:
		return 2 + progInsts(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		return 1 + progInsts(re.Sub[0])
	case syntax.OpConcat, syntax.OpAlternate:
		t := float64(len(re.Sub) - 1) // the alternations' branches
		if re.Op == syntax.OpConcat {
			t = 0
		}
		for _, s := range re.Sub {
			t += progInsts(s)
		}
		return t
	case syntax.OpRepeat:
		sub := progInsts(re.Sub[0])
		if re.Max < 0 {
			return sub*float64(max(re.Min, 1)) + 1
		}
		return sub*float64(max(re.Min, re.Max)) + float64(re.Max-re.Min)
	}
	return 1
}

// hasCountedRepeat reports whether s has a "{" followed by a digit: the
// only way to a program much longer than the pattern.
func hasCountedRepeat(s string) bool {
	for i := strings.IndexByte(s, '{'); i >= 0 && i+1 < len(s); {
		if c := s[i+1]; c >= '0' && c <= '9' {
			return true
		}
		j := strings.IndexByte(s[i+1:], '{')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
