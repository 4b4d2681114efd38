package guard

import (
	"regexp"
	"strings"
)

// The last code point's escape.
//
// goja's lexer stops reading the digits of a \u{...} escape once the value
// reaches utf8.MaxRune, so \u{10FFFF} (any spelling: \u{10ffff},
// \u{0010FFFF}) leaves its "}" unread, counts one unit too many, and
// parseStringLiteral panics: "unexpected unicode length". A script file
// holding the valid literal '\u{10FFFF}' ended the process with a Go panic
// before its first line ran; in eval it was an InternalError no script
// could catch. fixEscapes writes such an escape in a string or template
// literal as its surrogate pair, \uDBFF\uDFFF, the same string; a regular
// expression keeps its text (goja reads it correctly there, and without
// the u flag it means something else). The one difference a script can
// see: a template's raw text (String.raw, a tag's strings.raw) shows the
// pair. Every compile path reaches it: ParseFile, Compile, RewriteOps.

var maxRuneEscape = regexp.MustCompile(`\\u\{0*10[fF][fF][fF][fF]\}`)

// fixEscapes returns src with each \u{10FFFF} escape in a string or
// template literal replaced by \uDBFF\uDFFF (see above), or src itself.
// Pure: any goroutine.
func fixEscapes(src string) string {
	if !strings.Contains(src, `\u{`) {
		return src
	}
	found := maxRuneEscape.FindAllStringIndex(src, -1)
	if found == nil {
		return src
	}
	var lits []span
	scan(src, 0, 0, &lits)
	var b strings.Builder
	last, k := 0, 0
	for _, f := range found {
		for k < len(lits) && lits[k].to <= f[0] {
			k++
		}
		if k == len(lits) || lits[k].from > f[0] || f[1] > lits[k].to {
			continue // not in a literal
		}
		// Escaped only when an odd run of backslashes ends here.
		bs := 0
		for i := f[0]; i > lits[k].from && src[i-1] == '\\'; i-- {
			bs++
		}
		if bs%2 == 1 {
			continue // \\u{10FFFF}: a backslash, then text
		}
		b.WriteString(src[last:f[0]])
		b.WriteString(`\uDBFF\uDFFF`)
		last = f[1]
	}
	if last == 0 {
		return src
	}
	b.WriteString(src[last:])
	return b.String()
}
