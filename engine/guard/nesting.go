package guard

import (
	"errors"
	"fmt"
)

// Parser nesting.
//
// goja's parser, its compiler and regexp2's pattern parser are recursive
// descent with no depth limit, and Go's stack overflow ("goroutine stack
// exceeds 1000000000-byte limit") is a fatal error that no recover catches:
// eval('('.repeat(1e6) + ')'.repeat(1e6)) would end the whole process. So
// every source and pattern a guarded runtime may compile is scanned first
// (by the eval, Function and RegExp guards here, and by the embedder, with
// CheckNesting, before it compiles a source itself), and one that nests
// deeper than the limit is refused with a SyntaxError.
//
// The scan is lexical and conservative: it over-estimates the parser's
// recursion, never under-estimates it. It counts, at each point, every open
// bracket ( [ { and ${, plus the chain of constructs that make the parser
// recurse without a bracket since the current expression or statement
// began: prefix operators (! ~ - + typeof void delete await new yield ...
// ++ --), right-associative ones (= op= ? : ** =>), and statement heads
// (if else for while do with, labels). Each counted level costs the parser
// at most ~4 KB of stack (measured: 3.4 KB for "(", 0.4-0.9 KB for the
// others), so the default limit keeps a parse under ~40 MB of stack. A
// source shorter than the limit cannot exceed it and is not scanned.
//
// A regular expression literal's group nesting is added at its position;
// RegExp patterns built at run time are checked by the RegExp guard with
// PatternNesting.

// DefaultMaxNesting is the deepest source or pattern nesting the guards let
// a runtime compile, and CheckNesting's limit when given zero. A constant:
// any goroutine.
const DefaultMaxNesting = 10000

// ErrTooDeep reports a source, pattern or JSON text that nests deeper than
// the parser can take safely. Test with errors.Is. The errors wrapping it
// read "guard: nesting too deep: ..."; a SyntaxError shown to a script
// drops the "guard: " prefix. Read-only: any goroutine.
var ErrTooDeep = errors.New("guard: nesting too deep")

// CheckNesting returns an error wrapping ErrTooDeep when src, JavaScript
// source text, may nest deeper than limit (a conservative lexical
// estimate, see SourceNesting). limit <= 0 means DefaultMaxNesting. A pure
// function: any goroutine.
func CheckNesting(src string, limit int) error {
	if limit <= 0 {
		limit = DefaultMaxNesting
	}
	if len(src) <= limit {
		return nil
	}
	if d, at := SourceNesting(src, limit); d > limit {
		return fmt.Errorf("%w: the source nests deeper than %d levels (at offset %d)", ErrTooDeep, limit, at)
	}
	return nil
}

// SourceNesting estimates the parser recursion src needs; it stops early,
// returning the estimate and the byte offset, once the estimate exceeds
// stop (stop <= 0: scan everything). A pure function: any goroutine.
func SourceNesting(src string, stop int) (max, at int) {
	type level struct {
		chain    int  // prefix / right-assoc / statement chain at this level
		template bool // the '}' closing this level resumes a template
		head     bool // the ( of an if/for/while/with head
	}
	levels := []level{{}}
	base := 0 // sum over levels below the top of (1 + chain)
	operand := false
	pendingHead := false // the last token was if/for/while/with
	depth := func() int { return base + levels[len(levels)-1].chain }
	bump := func(i int) {
		levels[len(levels)-1].chain++
		if d := depth(); d > max {
			max, at = d, i
		}
	}
	push := func(template bool, i int) {
		top := &levels[len(levels)-1]
		base += 1 + top.chain
		levels = append(levels, level{template: template})
		if d := depth(); d > max {
			max, at = d, i
		}
	}
	pop := func() (template, head bool) {
		if len(levels) == 1 {
			return false, false
		}
		t, h := levels[len(levels)-1].template, levels[len(levels)-1].head
		levels = levels[:len(levels)-1]
		base -= 1 + levels[len(levels)-1].chain
		return t, h
	}
	n := len(src)
	i := 0
	// inTemplate scans template text from i (after ` or after the } of a
	// ${...}) to the closing ` (false) or the next ${ (true).
	inTemplate := func() bool {
		for i < n {
			switch src[i] {
			case '\\':
				i += 2
				continue
			case '`':
				i++
				return false
			case '$':
				if i+1 < n && src[i+1] == '{' {
					i += 2
					push(true, i)
					return true
				}
			}
			i++
		}
		return false
	}
	for i < n {
		if stop > 0 && max > stop {
			return max, at
		}
		c := src[i]
		switch {
		case c == '\n':
			i++
			// Automatic semicolon insertion: an operand at the end of a
			// line followed by a line that starts a new statement ends
			// the statement; its chain is closed. Words that continue an
			// expression or a statement (in, instanceof, of, else, while)
			// keep it.
			if operand && asiBreak(src, i) {
				levels[len(levels)-1].chain = 0
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < n && src[i+1] == '*':
			i += 2
			for i+1 < n && !(src[i] == '*' && src[i+1] == '/') {
				i++
			}
			i += 2
			continue
		case c == '\'' || c == '"':
			i++
			for i < n && src[i] != c {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
			operand = true
			continue
		case c == '`':
			bump(i) // a tagged template chain nests like calls
			i++
			inTemplate()
			operand = true
			continue
		case c == '/' && !operand:
			// A regular expression literal: its group nesting counts.
			start := i
			i++
			inClass := false
			for i < n && src[i] != '\n' {
				if src[i] == '\\' {
					i += 2
					continue
				}
				if src[i] == '[' {
					inClass = true
				} else if src[i] == ']' {
					inClass = false
				} else if src[i] == '/' && !inClass {
					break
				}
				i++
			}
			if i > n {
				i = n
			}
			if g := PatternNesting(src[start+1 : i]); depth()+g > max {
				max, at = depth()+g, start
			}
			i++
			for i < n && isIdentByte(src[i]) { // flags
				i++
			}
			operand = true
			continue
		case c == '(' || c == '[' || c == '{':
			push(false, i)
			levels[len(levels)-1].head = c == '(' && pendingHead
			pendingHead = false
			i++
			operand = false
			continue
		case c == ')' || c == ']' || c == '}':
			template, head := pop()
			pendingHead = false
			i++
			if template {
				if inTemplate() {
					operand = false
					continue
				}
				operand = true
				continue
			}
			operand = !head // after if (...) a statement must follow
			if c != '}' {
				// f()()() and a[0][0] build a left-deep tree that the
				// compiler walks recursively: each call or index counts.
				bump(i)
			}
			if c == '}' {
				// A block ends a statement chain unless else/while follows.
				if !nextWordIs(src, i, "else") && !nextWordIs(src, i, "while") {
					levels[len(levels)-1].chain = 0
				}
			}
			continue
		case c == ';':
			i++
			if !nextWordIs(src, i, "else") && !nextWordIs(src, i, "while") {
				levels[len(levels)-1].chain = 0
			}
			operand = false
			continue
		case c == ',':
			i++
			levels[len(levels)-1].chain = 0
			operand = false
			continue
		case isIdentStart(c):
			j := i
			for j < n && isIdentByte(src[j]) {
				j++
			}
			word := src[i:j]
			i = j
			pendingHead = word == "if" || word == "for" || word == "while" || word == "with"
			switch word {
			case "typeof", "void", "delete", "await", "new", "yield", "if", "for", "while", "do", "with", "else", "return", "throw", "case", "in", "of", "instanceof", "extends", "class", "function":
				bump(i)
				operand = false
			default:
				operand = true
				// A label "name:" heads a statement.
				k := i
				for k < n && (src[k] == ' ' || src[k] == '\t') {
					k++
				}
				if k < n && src[k] == ':' {
					bump(i)
				}
			}
			continue
		case c >= '0' && c <= '9' || c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9':
			for i < n && (isIdentByte(src[i]) || src[i] == '.') {
				i++
			}
			operand = true
			continue
		case c >= 0x80:
			// Non-ASCII: part of an identifier (or a stray char the
			// parser will reject).
			i++
			operand = true
			continue
		}
		// Punctuators.
		j := i + 1
		for j < n && j-i < 4 && isPunct(src[j]) && src[j] != '/' && src[j] != '(' && src[j] != '[' && src[j] != '{' {
			j++
		}
		op := src[i:j]
		i = j
		pendingHead = false
		// Every punctuator character counts once: "!!!!" is four prefix
		// operators, and over-counting "===" or ">>>=" is safe.
		for range op {
			bump(i)
		}
		if (op == "++" || op == "--") && operand {
			continue // postfix: still an operand
		}
		operand = false
	}
	return max, at
}

// PatternNesting returns the group nesting of a regular expression pattern
// (parentheses outside character classes and escapes). A pure function:
// any goroutine.
func PatternNesting(p string) int {
	d, max := 0, 0
	inClass := false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '(':
			if !inClass {
				d++
				if d > max {
					max = d
				}
			}
		case ')':
			if !inClass && d > 0 {
				d--
			}
		}
	}
	return max
}

// JSONNesting returns the array/object nesting of a JSON text (brackets
// outside strings), stopping once it exceeds stop (stop <= 0: never).
// A pure function: any goroutine.
func JSONNesting(s string, stop int) int {
	d, max := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			d++
			if d > max {
				max = d
				if stop > 0 && max > stop {
					return max
				}
			}
		case ']', '}':
			if d > 0 {
				d--
			}
		}
	}
	return max
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c == '#' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '\\'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c >= 0x80
}

func isPunct(c byte) bool {
	switch c {
	case '!', '%', '&', '*', '+', '-', '.', ':', '<', '=', '>', '?', '^', '|', '~':
		return true
	}
	return false
}

// asiBreak reports whether the line starting at i begins a new statement
// after an operand: it starts with a word, a number or a string, and not
// with one that continues the previous line.
func asiBreak(src string, i int) bool {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r') {
		i++
	}
	if i >= len(src) {
		return false
	}
	c := src[i]
	if !(isIdentStart(c) && c != '\\' || c >= '0' && c <= '9' || c == '\'' || c == '"') {
		return false
	}
	for _, w := range []string{"in", "instanceof", "of", "else", "while"} {
		if nextWordIs(src, i, w) {
			return false
		}
	}
	return true
}

func nextWordIs(src string, i int, w string) bool {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	if len(src)-i < len(w) || src[i:i+len(w)] != w {
		return false
	}
	return i+len(w) == len(src) || !isIdentByte(src[i+len(w)])
}
