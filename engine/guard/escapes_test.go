package guard

import (
	"errors"
	"testing"

	"github.com/dop251/goja"
)

// \u{10FFFF} made goja's parser panic (escapes.go): in a string or a
// template it is written as its surrogate pair, with the same value; in
// a regular expression, a comment or after an escaped backslash it stays.
func TestFixEscapes(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`'\u{10FFFF}'`, `'\uDBFF\uDFFF'`},
		{`"a\u{20BB7}b\u{10ffff}c"`, `"a\u{20BB7}b\uDBFF\uDFFFc"`},
		{`'\u{0010FFFF}'`, `'\uDBFF\uDFFF'`},
		{"`x${'\\u{10FFFF}'}\\u{10FFFF}`", "`x${'\\uDBFF\\uDFFF'}\\uDBFF\\uDFFF`"},
		{`'\\u{10FFFF}'`, `'\\u{10FFFF}'`},     // a backslash, then text
		{`'\\\u{10FFFF}'`, `'\\\uDBFF\uDFFF'`}, // a backslash, then the escape
		{`/\u{10FFFF}/u`, `/\u{10FFFF}/u`},
		{`// '\u{10FFFF}'` + "\n1", `// '\u{10FFFF}'` + "\n1"},
		{`'\u{10FFFE}' + '\u{110000}'`, `'\u{10FFFE}' + '\u{110000}'`},
		{`x = 1`, `x = 1`},
	} {
		if got := fixEscapes(c.src); got != c.want {
			t.Errorf("fixEscapes(%s) = %s, want %s", c.src, got, c.want)
		}
	}
	// Every compile path: the value is the code point, and nothing panics.
	vm := guardedVM(t, Config{})
	for _, src := range []string{
		`'\u{10FFFF}'.codePointAt(0) === 0x10FFFF`,
		"`\\u{10FFFF}`.codePointAt(0) === 0x10FFFF",
		`eval("'\\u{10FFFF}'").codePointAt(0) === 0x10FFFF`,
		`Function("return '\\u{10FFFF}'")().codePointAt(0) === 0x10FFFF`,
		`/^\u{10FFFF}$/u.test(String.fromCodePoint(0x10FFFF))`,
	} {
		out, err := RewriteOps(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		p, err := Compile("x.js", out, false)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if v, err := vm.RunProgram(p); err != nil || !v.ToBoolean() {
			t.Errorf("%s: %v, %v", src, v, err)
		}
	}
	// The bug is still goja's (when this fails, escapes.go can go), and a
	// parser panic is an error of ParseFile and Compile, not a panic.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("goja's parser no longer panics on \\u{10FFFF}: escapes.go can go")
			}
		}()
		_, _ = goja.Parse("", `'\u{10FFFF}'`)
	}()
	var err error
	func() {
		defer recoverParse(&err)
		panic("a parser bug")
	}()
	if !errors.Is(err, ErrParserFailed) {
		t.Errorf("recoverParse: %v", err)
	}
}
