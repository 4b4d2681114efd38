package guard

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// nestingCases are constructs that make goja's parser or compiler recurse
// once per repetition. Each, repeated 20,000 times, must be refused.
var nestingCases = []struct{ name, open, mid, close string }{
	{"paren", "(", "1", ")"}, {"bracket", "[", "", "]"}, {"object", "({a:", "1", "})"},
	{"not", "!", "1", ""}, {"neg", "- ", "1", ""}, {"assign", "a=", "1", ""},
	{"assign-asi", "a=\n", "1", ""}, {"ternary", "a?1:", "1", ""}, {"exp", "2**", "1", ""},
	{"if-else", "if(a);else ", ";", ""}, {"if-else-lines", "if (a) x = 1\nelse ", "x = 2", ""},
	{"if", "if(a)", ";", ""}, {"if-lines", "if (a)\n", "x", ""}, {"new", "new ", "F", ""},
	{"typeof", "typeof ", "1", ""}, {"template", "`${", "1", "}`"}, {"call-arg", "f(", "", ")"},
	{"block", "{", "", "}"}, {"label", "l:", ";", ""}, {"function", "(function(){", "", "})"},
	{"arrow", "a=>", "1", ""}, {"call-chain", "", "f", "()"}, {"index-chain", "", "a", "[0]"},
	{"member-chain", "", "a", ".b"}, {"plus-chain", "", "a", "+a"}, {"tagged", "", "f", "``"},
	{"while", "while(a)", ";", ""}, {"do-while", "do ", ";", " while(a);"},
	{"regexp-literal", "x = /", "a", ""}, {"spread", "[...", "a", "]"},
	{"await", "async function g(){ return ", "", "}"}, {"comment-free", "/*x*/(", "1", ")"},
}

func TestCheckNestingRefusesDeepSources(t *testing.T) {
	for _, c := range nestingCases {
		t.Run(c.name, func(t *testing.T) {
			n := 20000
			src := strings.Repeat(c.open, n) + c.mid + strings.Repeat(c.close, n)
			if c.name == "regexp-literal" {
				src = "x = /" + strings.Repeat("(", n) + "a" + strings.Repeat(")", n) + "/"
			}
			if c.name == "await" {
				src = c.open + strings.Repeat("await ", n) + "1" + c.close
			}
			err := CheckNesting(src, 0)
			if !errors.Is(err, ErrTooDeep) {
				d, _ := SourceNesting(src, 0)
				t.Fatalf("not refused (estimate %d)", d)
			}
		})
	}
}

// At a depth the guard lets through, goja must parse and compile the
// construct (so the limit never refuses what is safe to compile, and the
// estimate is not wildly high).
func TestCheckNestingAcceptsModerateDepth(t *testing.T) {
	for _, c := range nestingCases {
		t.Run(c.name, func(t *testing.T) {
			n := 1000
			src := strings.Repeat(c.open, n) + c.mid + strings.Repeat(c.close, n)
			switch c.name {
			case "regexp-literal":
				src = "x = /" + strings.Repeat("(", n) + "a" + strings.Repeat(")", n) + "/"
			case "await":
				src = c.open + strings.Repeat("await ", n) + "1" + c.close
			}
			if err := CheckNesting(src, 0); err != nil {
				t.Fatalf("refused at depth %d: %v", n, err)
			}
		})
	}
}

func TestCheckNestingRealCode(t *testing.T) {
	srcs := []string{
		"const a = 1\nconst b = 2\nlet c = a + b\n" + strings.Repeat("x = x + 1\ny = y + 2\n", 20000),
		strings.Repeat("if (a) { b() } else if (c) { d() }\n", 5000),
		strings.Repeat("f(a, b, c); g[1] = h.i.j(k);\n", 5000),
		strings.Repeat("var s = 'a string with ((( and [[[ and `` inside';\n", 2000),
		strings.Repeat("// a comment with (((((((\n/* and [[[[[ */ x = /[(((]/g.test(y)\n", 2000),
		strings.Repeat("label: for (;;) { break label }\n", 2000),
		strings.Repeat("x = `t ${a} t ${b + `${c}`}`;\n", 2000),
	}
	for i, src := range srcs {
		if err := CheckNesting(src, 0); err != nil {
			d, at := SourceNesting(src, 0)
			t.Errorf("case %d refused: %v (estimate %d near %q)", i, err, d, src[max(0, at-40):at])
		}
		if _, err := goja.Compile("x", src, false); err != nil {
			t.Errorf("case %d is not valid JS: %v", i, err)
		}
	}
}

func TestPatternAndJSONNesting(t *testing.T) {
	cases := []struct {
		name string
		got  int
		want int
	}{
		{"groups", PatternNesting("(a(b)(c(d)))"), 3},
		{"escaped", PatternNesting(`\((a)\)`), 1},
		// "(" counts inside a class too (conservative): 1 class + 3 + 0.
		{"class", PatternNesting(`[(((](a)`), 4},
		{"subtraction", PatternNesting(`[a-[b-[c]]]`), 3},
		{"first-bracket", PatternNesting(`[]a](b)`), 1},
		{"posix", PatternNesting(`[[:alpha:]](a)`), 1},
		{"json", JSONNesting(`[1, {"a": [2]}, "[[[["]`, 0), 3},
		{"json-escape", JSONNesting(`["\"[[", [1]]`, 0), 2},
		{"json-stop", JSONNesting(strings.Repeat("[", 100), 10), 11},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}

// FuzzSourceNesting: the scanner never panics, and a bracket nest wrapped
// around any input is never under-counted.
func FuzzSourceNesting(f *testing.F) {
	for _, s := range []string{"", "a", "'", "`${", "/", "/[/", "x = /a/g; y", "if (a) b\nelse c", "a\n++b", "f()()", "'\\", "`\\", "/*", "<!--", "${}"} {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		d, at := SourceNesting(s, 0)
		if d < 0 || at < 0 || at > len(s)+8 {
			t.Fatalf("SourceNesting(%q) = %d at %d", s, d, at)
		}
		PatternNesting(s)
		JSONNesting(s, 0)
		if strings.ContainsAny(s, "'\"`/\\") {
			return // the wrapper's brackets could sit inside a literal
		}
		n := int(k)
		w := strings.Repeat("(", n) + s + "\n" + strings.Repeat(")", n)
		if d2, _ := SourceNesting(w, 0); d2 < n {
			t.Fatalf("%d parens around %q estimated %d", n, s, d2)
		}
	})
}

// Each source lexes differently for a naive scanner and for goja's lexer,
// and hid a 1e6-deep nest from the scanner while goja's recursive parser
// went on to parse it (goja reports an error and parses on, so the rest
// need not be valid). Each must be refused.
func TestCheckNestingLexesAsGoja(t *testing.T) {
	deep := strings.Repeat("(", 1e6) + "1" + strings.Repeat(")", 1e6)
	neg := strings.Repeat("-", 1e6) + "1"
	for name, src := range map[string]string{
		"comment-cr":          "// c\r" + deep,
		"comment-crlf":        "// c\r\n" + deep,
		"comment-u2028":       "// c\u2028" + deep,
		"comment-u2029":       "// c\u2029" + deep,
		"comment-cr-unary":    "// c\r x = " + neg,
		"keyword-property":    "x.of/[" + deep + "]/",
		"keyword-property-qd": "x?.if/[" + deep + "]/",
		"regexp-after-block":  "{}/'/;" + deep + "//'",
		"regexp-after-if":     "if (a) {} /'/;" + deep + "//'",
		"of-division":         "of / " + deep + " / 2",
		"of-regexp":           "for (x of /'/) " + deep + "//'",
		"string-newline":      "'abc\n" + deep + "'",
		"string-cr":           "x = 'abc\r" + deep + "'",
		"regexp-newline":      "x = /abc\n" + deep + "/",
		"unicode-space":       "return\u00a0/'/;" + deep + "'",
		"unicode-space-2":     "x =\u3000/'/;" + deep + "'",
		"hashbang":            "#!'\n" + deep + "'",
		"class-subtraction":   "x = /" + strings.Repeat("[a-", 1e5) + strings.Repeat("]", 1e5) + "(?=a)/",
	} {
		if err := CheckNesting(src, 0); !errors.Is(err, ErrTooDeep) {
			d, _ := SourceNesting(src, 0)
			t.Errorf("%s: not refused (estimate %d)", name, d)
		}
	}
	for name, p := range map[string]string{
		"subtraction":      strings.Repeat("[a-", 1e5) + strings.Repeat("]", 1e5),
		"subtraction-esc":  strings.Repeat("[\\\\-", 1e5) + strings.Repeat("]", 1e5),
		"group-in-class":   "[" + strings.Repeat("(", 1e5) + "]",
		"posix-then-group": "[[:alpha:]" + strings.Repeat(")", 10) + "]" + strings.Repeat("(", 1e5),
	} {
		if PatternNesting(p) <= DefaultMaxNesting {
			t.Errorf("pattern %s: nesting %d", name, PatternNesting(p))
		}
	}
}

// The slash forks are bounded: a source with many ambiguous slashes is
// scanned in linear time (each fork rescans at most once) and, past
// maxForks, refused rather than misread.
func TestSourceNestingForkBudget(t *testing.T) {
	src := strings.Repeat("{}/1/\n", 40) + strings.Repeat("x = 1\n", 20000)
	d, _ := SourceNesting(src, 0)
	if d <= DefaultMaxNesting {
		t.Errorf("40 ambiguous slashes: estimate %d, want over the limit", d)
	}
	few := strings.Repeat("{}/1/g\n", 3) + strings.Repeat("x = 1\n", 20000)
	if err := CheckNesting(few, 0); err != nil {
		t.Errorf("3 ambiguous slashes: %v", err)
	}
}

// astSlack is how many AST levels a scanned level may stand for besides
// itself: the Program, a statement, a leaf, a member/call wrapper.
const astSlack = 4

// astDepth is the deepest nesting of goja AST nodes in v: a lower bound
// of the recursion goja's parser needed for it.
func astDepth(v reflect.Value, seen map[uintptr]bool) int {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		if v.Kind() == reflect.Pointer {
			if seen[v.Pointer()] {
				return 0
			}
			seen[v.Pointer()] = true
		}
		d := astDepth(v.Elem(), seen)
		if v.Type().Implements(reflect.TypeOf((*ast.Node)(nil)).Elem()) && v.Kind() == reflect.Pointer {
			d++
		}
		return d
	case reflect.Struct:
		m := 0
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanInterface() || f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice {
				m = max(m, astDepth(f, seen))
			}
		}
		return m
	case reflect.Slice, reflect.Array:
		m := 0
		for i := 0; i < v.Len(); i++ {
			m = max(m, astDepth(v.Index(i), seen))
		}
		return m
	}
	return 0
}

// FuzzNestingDifferential checks the scanner against goja's own parser:
// for every input goja parses, the scanner's estimate is at least the
// depth of the AST goja built, less astSlack. The input
// is split in two around a nest of k brackets, so the fuzzer can try to
// hide the nest from the scanner with what comes before it.
func FuzzNestingDifferential(f *testing.F) {
	for _, s := range []string{"", "//\r", "//\u2028", "x.of/[", "{}/'/;", "'\n", "`${", "/[/]/;", "#!x\n", "if(a){}/'/;", "a\u00a0/", "return\u00a0/'/;", "x = /(?=a)/;", "/* \n */"} {
		f.Add(s, "", uint8(30), uint8(0))
		f.Add(s, "'", uint8(30), uint8(1))
	}
	f.Fuzz(func(t *testing.T, before, after string, k, shape uint8) {
		open, close := "(", ")"
		switch shape % 4 {
		case 1:
			open, close = "[", "]"
		case 2:
			open, close = "-", ""
		case 3:
			open, close = "{a:", "}"
		}
		n := int(k % 64)
		src := before + "\n" + strings.Repeat(open, n) + "0" + strings.Repeat(close, n) + "\n" + after
		prog, err := parser.ParseFile(nil, "", src, 0)
		if err != nil {
			return
		}
		// Program, statement and leaf nodes are AST levels the scanner
		// does not count: a slack of astSlack.
		want := astDepth(reflect.ValueOf(prog), map[uintptr]bool{}) - astSlack
		if got, _ := SourceNesting(src, 0); got < want {
			t.Fatalf("SourceNesting(%q) = %d, below goja's AST depth %d", src, got, want)
		}
	})
}

// A source is refused by its token count, which bounds the AST goja
// builds in one Go call; bytes that are not tokens (a long string, a
// comment, space) do not count.
func TestCheckNestingRefusesHugeSources(t *testing.T) {
	n := DefaultMaxSourceTokens
	for _, c := range []struct {
		name string
		src  string
		want error
	}{
		{"commas", strings.Repeat("0,", n/2+1) + "0", ErrTooLarge},
		{"statements", strings.Repeat("a;", n/2+1), ErrTooLarge},
		{"under", strings.Repeat("0,", n/2-8) + "0", nil},
		{"string", `var s = "` + strings.Repeat("x", 3*n) + `"`, nil},
		{"template", "var s = `" + strings.Repeat("x", 3*n) + "`", nil},
		{"comment", "/*" + strings.Repeat("(", 3*n) + "*/ 1", nil},
		{"line comment", "// " + strings.Repeat("0,", 2*n) + "\n1", nil},
		{"space", strings.Repeat(" \n\t", n) + "1", nil},
		{"regexp", "var r = /" + strings.Repeat("a", DefaultMaxRegexpLiteral-2) + "/", nil},
		{"long regexp", "var r = /" + strings.Repeat("a", 3*n) + "/", ErrTooLarge}, // by its length (compiled at ~250 B a character)
		// A slash read both ways: the reading with more tokens counts.
		{"fork", "x = a\n/" + strings.Repeat("0,", n/2+1) + "/g", ErrTooLarge},
	} {
		err := CheckNesting(c.src, 0)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// A regular-expression literal longer than DefaultMaxRegexpLiteral is
// refused (ErrTooLarge) before the compiler compiles it with the source;
// the division a forked reading may take for one is not.
func TestNestingRegexpLiteralLength(t *testing.T) {
	long := strings.Repeat("ab", DefaultMaxRegexpLiteral/2+1)
	longer := strings.Repeat("ab", 4*DefaultMaxRegexpLiteral+1) // past a forked reading's bound
	for _, src := range []string{"var r = /" + long + "/;", "x = 1;\n/" + long + "/g.test(s)", "if (a) {} /" + longer + "/.exec(s)"} {
		if err := CheckNesting(src, 0); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%.40s...: %v, want ErrTooLarge", src, err)
		}
	}
	for _, src := range []string{
		"var r = /" + long[:DefaultMaxRegexpLiteral-2] + "/;",
		"var x = {} / 2, y = '" + long + "' / 3;", // one long line, a division a fork reads as a literal
	} {
		if err := CheckNesting(src, 0); err != nil {
			t.Errorf("%.40s...: %v", src, err)
		}
	}
}
