package guard

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
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

// DefaultMaxSourceTokens is the most tokens a source may have to be
// compiled. goja parses a whole source into its AST in Go, with no JS step
// and no check of any limit: ~60 bytes a token, eval("0,".repeat(3e7))
// took 27 s and 3.6 GB that nothing could stop, and twice that ended the
// process with Go's out-of-memory. 4 Mi tokens is ~250 MB and ~2 s;
// TypeScript's compiler (lib/typescript.js, 8.9 MB) has 1.3 Mi. A
// constant: any goroutine.
const DefaultMaxSourceTokens = 4 << 20

// ErrTooLarge reports a source with more than DefaultMaxSourceTokens
// tokens. Test with errors.Is; its errors read "guard: source too
// large: ...". Read-only: any goroutine.
var ErrTooLarge = errors.New("guard: source too large")

// CheckNesting returns an error wrapping ErrTooDeep when src, JavaScript
// source text, may nest deeper than limit (a conservative lexical
// estimate, see SourceNesting), or wrapping ErrTooLarge when it has more
// than DefaultMaxSourceTokens tokens. limit <= 0 means DefaultMaxNesting.
// Every compile path calls it. A pure function: any goroutine.
func CheckNesting(src string, limit int) error {
	if limit <= 0 {
		limit = DefaultMaxNesting
	}
	if len(src) <= limit {
		// A short source is not scanned: nothing in it can nest deeper
		// than limit, and its regular-expression literals compile to at
		// most ~143 instructions a character (x{1000}; Go refuses deeper
		// repetitions of repetitions), ~1.4 M and ~330 MB for 10,000
		// characters. (Scanning it would refuse a short source with more
		// ambiguous slashes than the scanner follows.)
		return nil
	}
	sc := scan(src, limit, DefaultMaxSourceTokens, nil)
	if sc.max > limit {
		return fmt.Errorf("%w: the source nests deeper than %d levels (at offset %d)", ErrTooDeep, limit, sc.at)
	}
	if n := max(sc.tokens, sc.forkTokens); n > DefaultMaxSourceTokens {
		return fmt.Errorf("%w: more than %d tokens (%d)", ErrTooLarge, DefaultMaxSourceTokens, n)
	}
	// A regular-expression literal is compiled with the source, at ~250
	// bytes a character in one Go step (checkPattern bounds the run-time
	// paths the same way). A reading forked at an ambiguous slash may
	// take a division for a literal up to the next slash on the line:
	// its bound is looser, so that no real source is refused for it.
	if sc.longRe > DefaultMaxRegexpLiteral || sc.forkLongRe > 8*DefaultMaxRegexpLiteral {
		return fmt.Errorf("%w: a regular expression literal of %d characters (more than %d)", ErrTooLarge, max(sc.longRe, sc.forkLongRe), DefaultMaxRegexpLiteral)
	}
	// Their counted repetitions are expanded when they compile.
	if sc.reInsts > DefaultMaxRegexpInsts || sc.forkReInsts > 8*DefaultMaxRegexpInsts {
		return fmt.Errorf("%w: its regular expression literals compile to ~%.0f instructions (more than %d)", ErrTooLarge, max(sc.reInsts, sc.forkReInsts), DefaultMaxRegexpInsts)
	}
	return nil
}

// SourceNesting estimates the parser recursion src needs; it stops early,
// returning the estimate and the byte offset, once the estimate exceeds
// stop (stop <= 0: scan everything). A pure function: any goroutine.
//
// It lexes as goja's lexer does (parser/lexer.go), because a source the
// scanner reads differently from the parser can hide a deep nest from it:
// line terminators are \n, \r, U+2028 and U+2029 (they end a // comment,
// a string and a regular expression literal, and separate lines for
// ASI); a string cannot span a raw \n or \r (goja reports it and parses
// on); Unicode spaces separate tokens; a #! first line is a comment; a
// keyword after "." or "?." is a property name. Where the lexer's choice
// depends on the grammar (a "/" after "}" or after of, yield, await: a
// regular expression, or a division), the scanner forks and scans both
// readings, keeping the larger estimate; past maxForks ambiguous slashes
// it gives up and reports the source as too deep (tooManyForks).
func SourceNesting(src string, stop int) (max, at int) {
	sc := scan(src, stop, 0, nil)
	return sc.max, sc.at
}

// scan is SourceNesting's reading of src, with its token counts; it
// stops past maxTokens tokens too (0: no bound). With lits set, it
// records the string and template pieces it reads there.
func scan(src string, stop, maxTokens int, lits *[]span) *scanner {
	forks := maxForks
	sc := &scanner{src: src, stop: stop, maxTokens: maxTokens, forks: &forks, levels: []level{{}}, lits: lits}
	if strings.HasPrefix(src, "#!") {
		sc.skipLine()
	}
	sc.run()
	return sc
}

// DefaultMaxRegexpLiteral is the longest regular-expression literal a
// source may hold, in bytes of its text (compiling one takes ~250 bytes a
// character, as checkPattern bounds the patterns made at run time).
const DefaultMaxRegexpLiteral = 1 << 20

// maxForks bounds how many ambiguous slashes SourceNesting reads both
// ways; each fork rescans the rest of the source once.
const maxForks = 16

// tooManyForks is the estimate of a source with more ambiguous slashes
// than maxForks: deeper than any limit.
const tooManyForks = 1 << 30

type level struct {
	chain    int  // prefix / right-assoc / statement chain at this level
	template bool // the '}' closing this level resumes a template
	head     bool // the ( of an if/for/while/with head
}

// scanner is the state of one reading of a source; fork copies it.
type scanner struct {
	src         string
	i           int
	stop        int
	forks       *int // left, shared by all readings
	levels      []level
	base        int  // sum over levels below the top of (1 + chain)
	operand     bool // the last token ends an operand: "/" divides
	ambiguous   bool // ... or the last token may end one: "/" is either
	afterDot    bool // the last token was "." or "?.": a word is a name
	pendingHead bool // the last token was if/for/while/with
	max, at     int
	maxTokens   int     // stop past this many tokens (0: no bound)
	lits        *[]span // when set, the string and template pieces read (not by forks)
	tokens      int     // tokens read (space, comments and line ends are not)
	forkTokens  int     // the most a forked reading read
	longRe      int     // the longest regular-expression literal read (this reading)
	reInsts     float64 // the instructions its literals compile to (this reading; regexp_size.go)
	forkReInsts float64 // the most of any forked reading
	forkLongRe  int     // ... and in a forked reading
}

func (sc *scanner) fork() *scanner {
	c := *sc
	c.levels = append([]level(nil), sc.levels...)
	c.lits = nil // the main reading records them
	return &c
}

// span is a range of the source, [from, to).
type span struct{ from, to int }

func (sc *scanner) lit(from int) {
	if sc.lits != nil {
		*sc.lits = append(*sc.lits, span{from, sc.i})
	}
}

func (sc *scanner) depth() int { return sc.base + sc.levels[len(sc.levels)-1].chain }

func (sc *scanner) note(d, i int) {
	if d > sc.max {
		sc.max, sc.at = d, i
	}
}

func (sc *scanner) bump(i int) {
	sc.levels[len(sc.levels)-1].chain++
	sc.note(sc.depth(), i)
}

func (sc *scanner) push(template bool, i int) {
	top := &sc.levels[len(sc.levels)-1]
	sc.base += 1 + top.chain
	sc.levels = append(sc.levels, level{template: template})
	sc.note(sc.depth(), i)
}

func (sc *scanner) pop() (template, head bool) {
	if len(sc.levels) == 1 {
		return false, false
	}
	t, h := sc.levels[len(sc.levels)-1].template, sc.levels[len(sc.levels)-1].head
	sc.levels = sc.levels[:len(sc.levels)-1]
	sc.base -= 1 + sc.levels[len(sc.levels)-1].chain
	return t, h
}

// lineTerminator returns the length of the line terminator at i (\n, \r,
// U+2028, U+2029), or 0.
func lineTerminator(src string, i int) int {
	switch c := src[i]; {
	case c == '\n' || c == '\r':
		return 1
	case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9):
		return 3
	}
	return 0
}

// skipLine moves to the next line terminator (or the end).
func (sc *scanner) skipLine() {
	for sc.i < len(sc.src) && lineTerminator(sc.src, sc.i) == 0 {
		sc.i++
	}
}

// inTemplate scans template text from i (after ` or after the } of a
// ${...}) to the closing ` (false) or the next ${ (true).
func (sc *scanner) inTemplate() bool {
	src, n := sc.src, len(sc.src)
	defer sc.lit(sc.i)
	for sc.i < n {
		switch src[sc.i] {
		case '\\':
			sc.i += 2
			continue
		case '`':
			sc.i++
			return false
		case '$':
			if sc.i+1 < n && src[sc.i+1] == '{' {
				sc.i += 2
				sc.push(true, sc.i)
				return true
			}
		}
		sc.i++
	}
	return false
}

// regexp scans a regular expression literal from the / at i, as goja's
// lexer does, and counts its group nesting at its position.
func (sc *scanner) regexp() {
	src, n := sc.src, len(sc.src)
	start := sc.i
	sc.i++
	inClass, closed := false, false
	for sc.i < n {
		if lineTerminator(src, sc.i) > 0 {
			break // unterminated: goja reports it and goes on
		}
		c := src[sc.i]
		if c == '\\' {
			sc.i++
			if sc.i < n && lineTerminator(src, sc.i) > 0 {
				break
			}
			sc.i++
			continue
		}
		if c == '[' {
			inClass = true
		} else if c == ']' {
			inClass = false
		} else if c == '/' && !inClass {
			closed = true
			break
		}
		sc.i++
	}
	if sc.i > n {
		sc.i = n
	}
	sc.longRe = max(sc.longRe, sc.i-start)
	g := PatternNesting(src[start+1 : sc.i])
	if sc.depth()+g > sc.max {
		sc.max, sc.at = sc.depth()+g, start
	}
	if closed {
		body := src[start+1 : sc.i]
		sc.i++
		fl := sc.i
		for sc.i < n && isIdentByte(src[sc.i]) && src[sc.i] < 0x80 { // flags
			sc.i++
		}
		if g <= DefaultMaxNesting { // (deeper is refused, and not parsed)
			sc.reInsts += regexpInsts(body, src[fl:sc.i])
		}
	}
	sc.operand, sc.ambiguous, sc.afterDot = true, false, false
}

func (sc *scanner) run() {
	src, n := sc.src, len(sc.src)
	for sc.i < n {
		if sc.stop > 0 && sc.max > sc.stop || sc.maxTokens > 0 && sc.tokens > sc.maxTokens {
			return
		}
		i := sc.i
		c := src[i]
		if l := lineTerminator(src, i); l > 0 {
			sc.i += l
			// Automatic semicolon insertion: an operand at the end of a
			// line followed by a line that starts a new statement ends
			// the statement; its chain is closed. Words that continue an
			// expression or a statement (in, instanceof, of, else, while)
			// keep it.
			if sc.operand && !sc.ambiguous && asiBreak(src, sc.i) {
				sc.levels[len(sc.levels)-1].chain = 0
			}
			continue
		}
		sc.tokens++ // taken back below for space and comments
		switch {
		case c == ' ' || c == '\t' || c == '\f' || c == '\v':
			sc.tokens--
			sc.i++
			continue
		case c == '/' && i+1 < n && src[i+1] == '/':
			sc.tokens--
			sc.skipLine()
			continue
		case c == '/' && i+1 < n && src[i+1] == '*':
			sc.tokens--
			sc.i += 2
			for sc.i+1 < n && !(src[sc.i] == '*' && src[sc.i+1] == '/') {
				sc.i++
			}
			sc.i += 2
			continue
		case c == '\'' || c == '"':
			// A string ends at its quote or, unterminated, at a raw \n or
			// \r (U+2028 and U+2029 may appear in it); a backslash
			// escapes one character or continues the line.
			sc.i++
			for sc.i < n && src[sc.i] != c && src[sc.i] != '\n' && src[sc.i] != '\r' {
				if src[sc.i] == '\\' {
					sc.i++
					if sc.i+1 < n && src[sc.i] == '\r' && src[sc.i+1] == '\n' {
						sc.i++
					}
				}
				sc.i++
			}
			if sc.i < n && src[sc.i] == c {
				sc.i++
			}
			sc.lit(i)
			sc.operand, sc.ambiguous, sc.afterDot = true, false, false
			continue
		case c == '`':
			sc.bump(i) // a tagged template chain nests like calls
			sc.i++
			sc.inTemplate()
			sc.operand, sc.ambiguous, sc.afterDot = true, false, false
			continue
		case c == '/' && sc.ambiguous:
			// A regular expression or a division, by the grammar: read
			// it both ways.
			if *sc.forks <= 0 {
				sc.note(tooManyForks, i) // too many to follow: give up, refused
				return
			}
			*sc.forks--
			re := sc.fork()
			re.regexp()
			re.run()
			sc.note(re.max, re.at)
			sc.forkTokens = max(sc.forkTokens, re.tokens, re.forkTokens)
			sc.forkLongRe = max(sc.forkLongRe, re.longRe, re.forkLongRe)
			sc.forkReInsts = max(sc.forkReInsts, re.reInsts, re.forkReInsts)
			sc.ambiguous = false // then read it as a division, below
		case c == '/' && !sc.operand:
			sc.regexp()
			continue
		case c == '(' || c == '[' || c == '{':
			sc.push(false, i)
			sc.levels[len(sc.levels)-1].head = c == '(' && sc.pendingHead
			sc.pendingHead = false
			sc.i++
			sc.operand, sc.ambiguous, sc.afterDot = false, false, false
			continue
		case c == ')' || c == ']' || c == '}':
			template, head := sc.pop()
			sc.pendingHead = false
			sc.i++
			sc.afterDot = false
			if template {
				if sc.inTemplate() {
					sc.operand, sc.ambiguous = false, false
					continue
				}
				sc.operand, sc.ambiguous = true, false
				continue
			}
			sc.operand = !head // after if (...) a statement must follow
			// After a block a statement follows ("/" starts a regular
			// expression); after an object literal or a function
			// expression an operator may ("/" divides).
			sc.ambiguous = c == '}'
			if c != '}' {
				// f()()() and a[0][0] build a left-deep tree that the
				// compiler walks recursively: each call or index counts.
				sc.bump(i)
			}
			if c == '}' {
				// A block ends a statement chain unless else/while follows.
				if !nextWordIs(src, sc.i, "else") && !nextWordIs(src, sc.i, "while") {
					sc.levels[len(sc.levels)-1].chain = 0
				}
			}
			continue
		case c == ';':
			sc.i++
			if !nextWordIs(src, sc.i, "else") && !nextWordIs(src, sc.i, "while") {
				sc.levels[len(sc.levels)-1].chain = 0
			}
			sc.operand, sc.ambiguous, sc.afterDot = false, false, false
			continue
		case c == ',':
			sc.i++
			sc.levels[len(sc.levels)-1].chain = 0
			sc.operand, sc.ambiguous, sc.afterDot = false, false, false
			continue
		case isIdentStart(c) || c >= 0x80:
			if c >= 0x80 {
				if r, size := utf8.DecodeRuneInString(src[i:]); unicode.IsSpace(r) || r == 0xFEFF {
					sc.i += size // a Unicode space (U+2028/9 were lines)
					sc.tokens--
					continue
				}
			}
			j := sc.wordEnd(i)
			word := src[i:j]
			sc.i = j
			if sc.afterDot {
				// A property name, whatever the word.
				sc.afterDot, sc.pendingHead = false, false
				sc.operand, sc.ambiguous = true, false
				continue
			}
			sc.pendingHead = word == "if" || word == "for" || word == "while" || word == "with"
			sc.ambiguous = false
			switch word {
			case "typeof", "void", "delete", "new", "if", "for", "while", "do", "with", "else", "return", "throw", "case", "in", "instanceof", "extends", "class", "function":
				sc.bump(j)
				sc.operand = false
			case "of", "yield", "await":
				// Keywords or identifiers, by the grammar.
				sc.bump(j)
				sc.operand, sc.ambiguous = false, true
			default:
				sc.operand = true
				// A label "name:" heads a statement.
				k := j
				for k < n && (src[k] == ' ' || src[k] == '\t') {
					k++
				}
				if k < n && src[k] == ':' {
					sc.bump(j)
				}
			}
			continue
		case c >= '0' && c <= '9' || c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9':
			for sc.i < n && (isIdentByte(src[sc.i]) && src[sc.i] < 0x80 || src[sc.i] == '.') {
				sc.i++
			}
			sc.operand, sc.ambiguous, sc.afterDot = true, false, false
			continue
		}
		// Punctuators (and a "/" read as a division).
		j := i + 1
		for j < n && j-i < 4 && isPunct(src[j]) && src[j] != '/' && src[j] != '(' && src[j] != '[' && src[j] != '{' {
			j++
		}
		op := src[i:j]
		sc.i = j
		sc.pendingHead = false
		// Every punctuator character counts once: "!!!!" is four prefix
		// operators, and over-counting "===" or ">>>=" is safe.
		for range op {
			sc.bump(j)
		}
		sc.afterDot = op == "." || op == "?."
		if (op == "++" || op == "--") && sc.operand {
			sc.ambiguous = false
			continue // postfix: still an operand
		}
		sc.operand, sc.ambiguous = false, false
	}
}

// wordEnd returns the end of the identifier or keyword at i: ASCII
// identifier bytes and non-ASCII runes that are not spaces.
func (sc *scanner) wordEnd(i int) int {
	src := sc.src
	for i < len(src) {
		c := src[i]
		if c < 0x80 {
			if !isIdentByte(c) {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if unicode.IsSpace(r) || r == 0xFEFF {
			break
		}
		i += size
	}
	return i
}

// PatternNesting returns an upper bound of the recursion a regular
// expression pattern costs regexp2's parser (goja's engine for patterns
// Go's regexp cannot take): its group nesting plus its character-class
// nesting, since regexp2 reads class subtraction ([a-[b]]) recursively.
// Where regexp2 and a JS reading of the pattern could differ, it counts
// the larger: a "(" counts inside a class too (a ")" there closes
// nothing), any "-[" in a class opens a nested class, a "]" right after
// "[" or "[^" is a literal, and a POSIX-style "[:name:]" in a class is
// skipped to its ":]". A pure function: any goroutine.
func PatternNesting(p string) int {
	groups, classes, max := 0, 0, 0
	first := false // the next char is the first of a class
	note := func() {
		if groups+classes > max {
			max = groups + classes
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		wasFirst := first
		first = false
		switch c {
		case '\\':
			i++
		case '(':
			groups++
			note()
		case ')':
			if classes == 0 && groups > 0 {
				groups--
			}
		case '^':
			if wasFirst {
				first = true // [^]...: ] is still a literal
			}
		case '[':
			switch {
			case classes == 0:
				classes, first = 1, true
				note()
			case i > 0 && p[i-1] == '-':
				// Subtraction (escaped or not: counting more is safe).
				classes++
				first = true
				note()
			case i+1 < len(p) && p[i+1] == ':':
				i += posixClass(p[i:])
			}
		case ']':
			if classes > 0 && !wasFirst {
				classes--
			}
		}
	}
	return max
}

// posixClass returns how many bytes after the [ of s regexp2 skips as a
// POSIX-style name "[:name:]" (optionally "[:^name:]"), 0 if none: its
// scanWord rule (letters, Mn, Nd, Pc, ZWJ, ZWNJ), then ":]".
func posixClass(s string) int {
	j := 2
	if j < len(s) && s[j] == '^' {
		j++
	}
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !(unicode.In(r, unicode.L, unicode.Mn, unicode.Nd, unicode.Pc) || r == '\u200D' || r == '\u200C') {
			break
		}
		j += size
	}
	if strings.HasPrefix(s[j:], ":]") {
		return j + 1
	}
	return 0
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
