package guard

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"
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
		{"class", PatternNesting(`[(((](a)`), 1},
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
