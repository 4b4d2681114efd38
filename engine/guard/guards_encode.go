package guard

import (
	"reflect"

	"github.com/dop251/goja"
)

// The URI and escape encoders: encodeURI, encodeURIComponent and escape
// write a character as up to 9 characters (a BMP character is 3 UTF-8
// bytes, each %XX) or 6 (%uXXXX), in one Go loop: a string at the cap
// became 1.2 GB in one step and ended the process (fatal out of memory,
// host ceiling 512 MB). Each wrapper converts its argument once (ToString,
// passed on converted) and refuses a result over the string cap before it
// is built, counting exactly only when the cheap bound (9x, 6x) is over.
//
// They are globals, which goja makes from its global template; the
// template mechanism does not defer wraps on the global object
// (gojax.DeferProperty), so these three are wrapped at boot.

// uriUnescaped marks the ASCII characters encodeURIComponent leaves as
// they are; uriReserved adds those encodeURI keeps too.
var uriUnescaped, uriKept, escapeKept [128]bool

func init() {
	for c := 0; c < 128; c++ {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		uriUnescaped[c] = alnum || indexByte("-_.!~*'()", byte(c))
		uriKept[c] = uriUnescaped[c] || indexByte(";/?:@&=+$,#", byte(c))
		escapeKept[c] = alnum || indexByte("@*_+-./", byte(c))
	}
}

func indexByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

func (g *guards) installEncodeGuards() {
	global := g.vm.GlobalObject()
	for _, e := range []struct {
		name   string
		kept   *[128]bool
		escape bool
	}{{"encodeURI", &uriKept, false}, {"encodeURIComponent", &uriUnescaped, false}, {"escape", &escapeKept, true}} {
		e := e
		g.wrapWith(global, e.name, 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			s, p, ok := (&replaceGuard{g: g}).toStr(c.Argument(0)) // ToString, once
			if !ok {
				return call(orig, goja.Undefined(), p)
			}
			if encodedLen(s, e.kept, e.escape, float64(g.maxStr)) > float64(g.maxStr) {
				g.fail(e.name + " result")
			}
			return call(orig, goja.Undefined(), s)
		})
	}
}

// encodedLen is an upper bound of the length of s encoded by the URI
// encoders (escape false: a kept ASCII character 1, another 3, any other
// UTF-16 unit 9, as 3 UTF-8 bytes) or by escape (kept 1, up to U+00FF 3,
// any other unit 6). It scans s only when the cheap bound is over room.
func encodedLen(s goja.String, kept *[128]bool, escape bool, room float64) float64 {
	l := float64(s.Length())
	per := 9.0
	if escape {
		per = 6
	}
	if l*per <= room {
		return l * per
	}
	n := 0.0
	if reflect.TypeOf(s).Kind() == reflect.String { // goja's ASCII string, read without a copy
		gs := s.String()
		for i := 0; i < len(gs); i++ {
			if b := gs[i]; b < 128 && kept[b] {
				n++
			} else {
				n += 3
			}
		}
		return n
	}
	for i, end := 0, s.Length(); i < end; i++ {
		switch u := s.CharAt(i); {
		case u < 128 && kept[u]:
			n++
		case u < 0x80 || escape && u <= 0xFF:
			n += 3
		case escape:
			n += 6
		case u < 0x800:
			n += 6
		default:
			n += 9 // a BMP character, or half of a pair (4 bytes: 12 for 2 units)
		}
	}
	return n
}
