package inspect

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// Primitives: numbers, bigints, symbols, and strings with Node's quoting and
// escaping (on UTF-16 code units, so lone surrogates survive).

func (in *inspector) formatPrimitive(v goja.Value, split bool) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return in.stylize("undefined", styleUndefined)
	case goja.IsNull(v):
		return in.stylize("null", styleNull)
	}
	switch x := v.(type) {
	case goja.String:
		return in.formatString(x, split)
	case *goja.Symbol:
		return in.stylize("Symbol("+x.String()+")", styleSymbol)
	}
	switch {
	case goja.IsNumber(v):
		return in.formatNumber(v.ToFloat(), false)
	case goja.IsBigInt(v):
		return in.stylize(v.String()+"n", styleBigInt)
	}
	if v.ExportType() == inspTypeBool {
		return in.stylize(v.String(), styleBoolean)
	}
	return in.stylize(v.String(), styleNone)
}

// formatNumber formats f as JS Number#toString, with -0 as "-0".
func (in *inspector) formatNumber(f float64, _ bool) string {
	return in.stylize(jsNumberString(in.vm, f), styleNumber)
}

func jsNumberString(vm *goja.Runtime, f float64) string {
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return vm.ToValue(f).String()
}

// utf16Of returns the UTF-16 code units of a string value.
func utf16Of(v goja.Value) []uint16 {
	s, ok := v.(goja.String)
	if !ok {
		return stringToUTF16(v.String())
	}
	n := s.Length()
	out := make([]uint16, n)
	for i := 0; i < n; i++ {
		out[i] = s.CharAt(i)
	}
	return out
}

func stringToUTF16(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

func (in *inspector) formatString(s goja.String, split bool) string {
	n := s.Length()
	trailer := ""
	if n > inspMaxStringLength {
		rem := n - inspMaxStringLength
		trailer = "... " + strconv.Itoa(rem) + " more character" + pluralSuffix(rem, "", "s")
		n = inspMaxStringLength
	}
	units := make([]uint16, n)
	for i := 0; i < n; i++ {
		units[i] = s.CharAt(i)
	}
	if split && n > 16 && n > in.breakLength-in.indentLvl-4 {
		// Split after each newline.
		var parts []string
		last := 0
		for i, u := range units {
			if u == '\n' && i+1 < n {
				parts = append(parts, in.stylize(strEscape(units[last:i+1]), styleString))
				last = i + 1
			}
		}
		parts = append(parts, in.stylize(strEscape(units[last:]), styleString))
		return strings.Join(parts, " +\n"+strings.Repeat(" ", in.indentLvl+2)) + trailer
	}
	return in.stylize(strEscape(units), styleString) + trailer
}

var escMeta = func() (m [0xa0]string) {
	for i := 0; i < 0x20; i++ {
		m[i] = `\x` + strings.ToUpper(hexByte(i))
	}
	m['\b'], m['\t'], m['\n'], m['\f'], m['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	m['\''] = `\'`
	m['\\'] = `\\`
	for i := 0x7f; i < 0xa0; i++ {
		m[i] = `\x` + strings.ToUpper(hexByte(i))
	}
	return
}()

func hexByte(i int) string {
	const d = "0123456789abcdef"
	return string([]byte{d[i>>4], d[i&15]})
}

func hasUTF16Unit(u []uint16, c uint16) bool {
	for _, x := range u {
		if x == c {
			return true
		}
	}
	return false
}

// strEscape ports Node's strEscape: quote and escape a string given as
// UTF-16 code units, picking single, double or back quotes.
func strEscape(u []uint16) string {
	quote := byte('\'')
	escapeSingle := true
	if hasUTF16Unit(u, '\'') {
		if !hasUTF16Unit(u, '"') {
			quote = '"'
		} else if !hasUTF16Unit(u, '`') && !containsDollarBrace(u) {
			quote = '`'
		}
		if quote != '\'' {
			escapeSingle = false
		}
	}
	var sb strings.Builder
	sb.Grow(len(u) + 2)
	sb.WriteByte(quote)
	writeEscaped(&sb, u, escapeSingle)
	sb.WriteByte(quote)
	return sb.String()
}

func containsDollarBrace(u []uint16) bool {
	for i := 0; i+1 < len(u); i++ {
		if u[i] == '$' && u[i+1] == '{' {
			return true
		}
	}
	return false
}

func writeEscaped(sb *strings.Builder, u []uint16, escapeSingle bool) {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c < 0xa0 && escMeta[c] != "" && (c != '\'' || escapeSingle):
			sb.WriteString(escMeta[c])
		case c >= 0xd800 && c <= 0xdbff && i+1 < len(u) && u[i+1] >= 0xdc00 && u[i+1] <= 0xdfff:
			r := (rune(c)-0xd800)<<10 + (rune(u[i+1]) - 0xdc00) + 0x10000
			sb.WriteRune(r)
			i++
		case c >= 0xd800 && c <= 0xdfff:
			sb.WriteString(`\u` + strconv.FormatInt(int64(c), 16))
		case c < utf8.RuneSelf:
			sb.WriteByte(byte(c))
		default:
			sb.WriteRune(rune(c))
		}
	}
}

// escapeKeyText escapes like strEscapeSequencesReplacer (quotes included),
// without adding quotes.
func escapeKeyText(s string) string {
	var sb strings.Builder
	writeEscaped(&sb, stringToUTF16(s), true)
	return sb.String()
}
