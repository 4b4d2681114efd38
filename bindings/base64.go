package bindings

import (
	"encoding/base64"

	"github.com/dop251/goja"
)

// atob and btoa (HTML, "Base64 utility methods"): atob runs the
// forgiving-base64 decode of the Infra Standard and returns a binary
// string (one code unit per byte); btoa encodes a string whose code units
// are all at most U+00FF. Failures throw an InvalidCharacterError
// DOMException.

// forgivingBase64Decode is Infra's forgiving-base64 decode over the code
// units of a string. ok is false on failure.
func forgivingBase64Decode(units []uint16) (out []byte, ok bool) {
	data := make([]byte, 0, len(units))
	for _, u := range units {
		switch u {
		case '\t', '\n', '\f', '\r', ' ':
			continue
		}
		if u > 0x7F {
			return nil, false
		}
		data = append(data, byte(u))
	}
	if len(data)%4 == 0 {
		if n := len(data); n >= 2 && data[n-1] == '=' && data[n-2] == '=' {
			data = data[:n-2]
		} else if n >= 1 && data[n-1] == '=' {
			data = data[:n-1]
		}
	}
	if len(data)%4 == 1 {
		return nil, false
	}
	for _, c := range data {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	// RawStdEncoding with Strict off discards the leftover bits, as the
	// spec does ("discard" the 4 or 2 trailing bits).
	out = make([]byte, base64.RawStdEncoding.DecodedLen(len(data)))
	n, err := base64.RawStdEncoding.Decode(out, data)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

func (e *env) atob(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) == 0 {
		e.typeError("atob: 1 argument required, but only 0 present")
	}
	s := e.toJSString(c.Argument(0))
	units := make([]uint16, s.Length())
	for i := range units {
		units[i] = s.CharAt(i)
	}
	b, ok := forgivingBase64Decode(units)
	if !ok {
		e.throwDOMException("InvalidCharacterError", atobMessage(units))
	}
	for i, x := range b {
		units[i] = uint16(x)
	}
	return goja.StringFromUTF16(units[:len(b)])
}

func (e *env) btoa(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) == 0 {
		e.typeError("btoa: 1 argument required, but only 0 present")
	}
	s := e.toJSString(c.Argument(0))
	n := s.Length()
	e.checkAlloc(int64(base64.StdEncoding.EncodedLen(n)), "btoa")
	b := make([]byte, n)
	for i := range b {
		u := s.CharAt(i)
		if u > 0xFF {
			e.throwDOMException("InvalidCharacterError", "Invalid character")
		}
		b[i] = byte(u)
	}
	return e.vm.ToValue(base64.StdEncoding.EncodeToString(b))
}

// atobMessage is Node's message for a failed atob: "Invalid character" for
// a character outside the alphabet or a misplaced "=", else the length
// message (a remainder of 1 after whitespace and padding are removed).
func atobMessage(units []uint16) string {
	n, eq := 0, 0
	for _, u := range units {
		switch {
		case u == '\t' || u == '\n' || u == '\f' || u == '\r' || u == ' ':
			continue
		case u == '=':
			eq++
		case u < 0x80 && (u >= 'A' && u <= 'Z' || u >= 'a' && u <= 'z' || u >= '0' && u <= '9' || u == '+' || u == '/'):
			if eq > 0 {
				return "Invalid character"
			}
		default:
			return "Invalid character"
		}
		n++
		if eq > 2 {
			return "Invalid character"
		}
	}
	rem := n % 4
	if rem == 0 {
		rem = (n - eq) % 4
	} else if eq > 0 {
		return "Invalid character"
	}
	if rem == 1 {
		return "The string to be decoded is not correctly encoded."
	}
	return "Invalid character"
}
