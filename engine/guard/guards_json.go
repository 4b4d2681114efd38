package guard

import (
	"math"
	"reflect"

	"github.com/dop251/goja"
)

// The size of JSON.stringify's result.
//
// goja builds the whole text in one Go buffer, and the values it is made
// of can be much smaller than the text: a string of 16 Mi characters held
// 1000 times by an array is 16 MB of memory and 16 GB of text, which ended
// the process (fatal out of memory, under memoryMb 64) before the memory
// monitor could stop it: the buffer's doublings happen between two of the
// replacer's JS steps. A string is also written 6x longer when its
// characters need escapes ("\u0001"). So the native replacer of
// guardStringify adds, for each value it is handed, an upper bound of the
// text that value adds, and refuses the stringify past the string cap.

// jsonCost is an upper bound of the text holder[key] = v adds to
// JSON.stringify's output: the key (when the holder is not an Array), the
// indent (gap at most, times depth) and the value itself. A large string
// is counted exactly (one pass) only when its cheap bound, 6 characters
// each, would exceed room. Runs no script code.
func (g *guards) jsonCost(gap, depth int, holder, key, v goja.Value, room float64) float64 {
	cost := 0.0
	if gap > 0 {
		cost += 1 + float64(gap*depth) // newline and indent
	}
	if h, ok := holder.(*goja.Object); !ok || h.ClassName() != "Array" {
		if ks, ok := key.(goja.String); ok {
			cost += 3 + jsonQuoted(ks, room-cost) // "key": and a comma
		}
	}
	switch x := v.(type) {
	case goja.String:
		cost += jsonQuoted(x, room-cost)
	case *goja.Object:
		switch {
		case x.ClassName() == "String":
			// Written as its string (a wrapper's length is its own,
			// fixed data property: no script code).
			cost += 6*x.Get("length").ToFloat() + 2
		default:
			// Brackets, the closing line, and for a typed array the key
			// list goja builds natively before any element is written
			// (costKey bytes a key, counted in characters at 2 bytes).
			cost += 3 + float64(gap*depth)
			if n, _, ok := taInfo(x); ok {
				cost += float64(n) * costKey / 2
			}
		}
	default:
		cost += jsonScalar(v)
	}
	return cost
}

// jsonQuoted is an upper bound of the size of s quoted by JSON.stringify,
// in bytes of goja's UTF-8 buffer (a character outside ASCII is 2-4 bytes
// there, then 1 or 2 UTF-16 units in the result): 6 a character when that
// fits in room, else counted: an escaped ASCII character 6 (\u00XX; \n
// and \" are shorter), a lone surrogate 6 (\uXXXX), any other character
// its UTF-8 bytes.
func jsonQuoted(s goja.String, room float64) float64 {
	l := float64(s.Length())
	if 6*l+2 <= room {
		return 6*l + 2
	}
	n := 2.0
	if reflect.TypeOf(s).Kind() == reflect.String {
		// goja's ASCII string: its bytes, without a copy.
		gs := s.String()
		for i := 0; i < len(gs); i++ {
			switch b := gs[i]; {
			case b < 0x20:
				n += 6
			case b == '"' || b == '\\':
				n += 2
			default:
				n++
			}
		}
		return n
	}
	// UTF-16 units, read in place (String() would copy it to UTF-8).
	for i, end := 0, s.Length(); i < end; i++ {
		switch u := s.CharAt(i); {
		case u < 0x20:
			n += 6
		case u == '"' || u == '\\':
			n += 2
		case u < 0x80:
			n++
		case u < 0x800:
			n += 2
		case u >= 0xD800 && u < 0xDC00 && i+1 < end && s.CharAt(i+1) >= 0xDC00 && s.CharAt(i+1) < 0xE000:
			n += 4 // a pair: one astral character, 4 bytes
			i++
		case u >= 0xD800 && u < 0xE000:
			n += 6 // a lone surrogate: \uXXXX
		default:
			n += 3
		}
	}
	return n
}

// jsonScalar is an upper bound of the text of a number, boolean or null:
// an integer's digits, 25 for any other number.
func jsonScalar(v goja.Value) float64 {
	if !goja.IsNumber(v) {
		return 5
	}
	f := v.ToFloat()
	if f != math.Trunc(f) || math.Abs(f) >= 1e15 {
		return 25
	}
	n := 1.0
	if f < 0 {
		n, f = 2, -f
	}
	for ; f >= 10; f /= 10 {
		n++
	}
	return n
}
