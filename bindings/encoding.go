package bindings

import (
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/encoding/charmap"
)

// TextEncoder and TextDecoder (WHATWG Encoding Standard).
//
// The decoders are the spec's own algorithms written out, so that error
// handling (one U+FFFD per maximal subpart of an ill-formed UTF-8
// sequence, an ASCII byte after a bad lead byte decoded again), fatal mode
// and streaming (a sequence split across chunks, a decoder's state kept
// between calls) follow it step by step: UTF-8, UTF-16LE and UTF-16BE,
// x-user-defined, the single-byte legacy encodings, whose tables come from
// golang.org/x/text/encoding/charmap (generated from the WHATWG indexes,
// except that WHATWG maps the unassigned bytes of 0x80-0x9F to the C1
// controls, which newDecoder restores; Node maps windows-1252 as
// ISO-8859-1 and is not the reference there), and the multi-byte legacy
// encodings (gbk, gb18030, big5, euc-jp, iso-2022-jp, shift_jis, euc-kr;
// encoding_legacy.go, with the WHATWG index files embedded). Node's ICU
// decoders differ from the spec for these in many places (mappings, how
// many bytes an error consumes) and are not the reference either. Every
// label of the spec resolves; the replacement encoding's labels throw a
// RangeError, as the TextDecoder constructor's steps say. TextEncoder is
// UTF-8 only, as the spec defines it.

// singleByte are the single-byte encodings by WHATWG name.
var singleByte = map[string]*charmap.Charmap{
	"ibm866":         charmap.CodePage866,
	"iso-8859-2":     charmap.ISO8859_2,
	"iso-8859-3":     charmap.ISO8859_3,
	"iso-8859-4":     charmap.ISO8859_4,
	"iso-8859-5":     charmap.ISO8859_5,
	"iso-8859-6":     charmap.ISO8859_6,
	"iso-8859-7":     charmap.ISO8859_7,
	"iso-8859-8":     charmap.ISO8859_8,
	"iso-8859-8-i":   charmap.ISO8859_8, // the same index; only the HTML directionality differs
	"iso-8859-10":    charmap.ISO8859_10,
	"iso-8859-13":    charmap.ISO8859_13,
	"iso-8859-14":    charmap.ISO8859_14,
	"iso-8859-15":    charmap.ISO8859_15,
	"iso-8859-16":    charmap.ISO8859_16,
	"koi8-r":         charmap.KOI8R,
	"koi8-u":         charmap.KOI8U,
	"macintosh":      charmap.Macintosh,
	"windows-874":    charmap.Windows874,
	"windows-1250":   charmap.Windows1250,
	"windows-1251":   charmap.Windows1251,
	"windows-1252":   charmap.Windows1252,
	"windows-1253":   charmap.Windows1253,
	"windows-1254":   charmap.Windows1254,
	"windows-1255":   charmap.Windows1255,
	"windows-1256":   charmap.Windows1256,
	"windows-1257":   charmap.Windows1257,
	"windows-1258":   charmap.Windows1258,
	"x-mac-cyrillic": charmap.MacintoshCyrillic,
}

// encodingForLabel is the spec's "get an encoding": ASCII whitespace
// trimmed, ASCII case-insensitive. ok is false for an unknown label.
func encodingForLabel(label string) (name string, ok bool) {
	label = strings.Trim(label, "\t\n\f\r ")
	name, ok = encodingLabels[asciiLower(label)]
	return name, ok
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// decoderSupported reports whether TextDecoder accepts the encoding: all
// of them but replacement, which its constructor rejects with a RangeError
// as the spec says (newDecoder has the replacement decoder nonetheless).
func decoderSupported(name string) bool {
	switch name {
	case "utf-8", "utf-16le", "utf-16be", "x-user-defined",
		"gbk", "gb18030", "big5", "euc-jp", "iso-2022-jp", "shift_jis", "euc-kr":
		return true
	}
	_, ok := singleByte[name]
	return ok
}

// decoder is the state of one TextDecoder: its encoding, flags and the
// state its decoder keeps between streamed chunks. It is a plain Go value
// (the fuzz target drives it directly); JS sees it through textDecoderObj.
type decoder struct {
	name      string
	fatal     bool
	ignoreBOM bool
	table     *[256]rune // single-byte encodings; 0xFFFD marks an unmapped byte
	// legacy is the handler of a multi-byte legacy or the replacement
	// decoder (encoding_legacy.go), nil for the others.
	legacy func(d *decoder, c byte, emit func(rune) bool) bool

	// Between chunks of a stream.
	bomSeen bool // the first code point of the stream is out
	// UTF-8: the spec's bytes needed/seen, code point and boundaries.
	needed, seen   int
	cp             rune
	lower, upper   byte
	lead           int  // UTF-16: the pending lead byte, -1 for none
	leadSurrogate  rune // UTF-16: the pending lead surrogate, 0 for none
	invalidEncoded bool // set by fail for the emit that follows
	// The multi-byte legacy decoders (encoding_legacy.go).
	gbFirst, gbSecond, gbThird byte  // gb18030 first/second/third
	mbLead                     byte  // Big5/EUC-JP/Shift_JIS/EUC-KR/ISO-2022-JP leading
	jis0212                    bool  // EUC-JP jis0212
	isoState, isoOutputState   uint8 // ISO-2022-JP decoder state and output state
	isoOutput                  bool  // ISO-2022-JP output
	replacementErr             bool  // replacement error returned
}

func newDecoder(name string, fatal, ignoreBOM bool) *decoder {
	d := &decoder{name: name, fatal: fatal, ignoreBOM: ignoreBOM, lead: -1, legacy: legacyHandler(name)}
	if cm := singleByte[name]; cm != nil {
		var t [256]rune
		for i := range t {
			t[i] = cm.DecodeByte(byte(i))
			// The WHATWG indexes map the holes of 0x80-0x9F to the C1
			// controls of the same value; x/text leaves them unmapped.
			if t[i] == utf8.RuneError && i >= 0x80 && i <= 0x9F {
				t[i] = rune(i)
			}
		}
		d.table = &t
	}
	d.reset()
	return d
}

func (d *decoder) reset() {
	d.bomSeen = false
	d.needed, d.seen, d.cp, d.lower, d.upper = 0, 0, 0, 0x80, 0xBF
	d.lead, d.leadSurrogate = -1, 0
	d.gbFirst, d.gbSecond, d.gbThird, d.mbLead, d.jis0212 = 0, 0, 0, 0, false
	d.isoState, d.isoOutputState, d.isoOutput, d.replacementErr = isoASCII, isoASCII, false, false
}

// errDecode is returned by decode in fatal mode for invalid input.
type errDecode struct{}

func (errDecode) Error() string { return "invalid encoded data" }

// decode runs the decoder over b; stream says more input follows. In
// fatal mode an error ends the stream (the state is reset) and returns
// errDecode. The output is valid Unicode (no lone surrogates).
func (d *decoder) decode(b []byte, stream bool) (string, error) {
	// Fast path: a whole valid UTF-8 input with nothing pending.
	if d.name == "utf-8" && !stream && d.needed == 0 && utf8.Valid(b) {
		s := b
		if !d.bomSeen && !d.ignoreBOM && len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
			s = s[3:]
		}
		d.reset()
		return string(s), nil
	}
	var sb strings.Builder
	sb.Grow(len(b))
	bad := false
	emit := func(r rune) bool {
		if r == utf8.RuneError && d.invalidEncoded {
			d.invalidEncoded = false
			if d.fatal {
				bad = true
				return false
			}
		}
		if !d.bomSeen {
			d.bomSeen = true
			if r == 0xFEFF && !d.ignoreBOM && (d.name == "utf-8" || d.name == "utf-16le" || d.name == "utf-16be") {
				return true
			}
		}
		sb.WriteRune(r)
		return true
	}
	for _, c := range b {
		if !d.step(c, emit) {
			break
		}
	}
	if !bad && !stream {
		d.flush(emit)
	}
	if bad {
		d.reset()
		return "", errDecode{}
	}
	if !stream {
		d.reset()
	}
	return sb.String(), nil
}

// fail emits one U+FFFD as an error (the caller's emit decides on fatal).
func (d *decoder) fail(emit func(rune) bool) bool {
	d.invalidEncoded = true
	return emit(utf8.RuneError)
}

// step feeds one byte. It returns false when emit refused (fatal).
func (d *decoder) step(c byte, emit func(rune) bool) bool {
	if d.legacy != nil {
		return d.legacy(d, c, emit)
	}
	switch d.name {
	case "utf-8":
		return d.utf8Step(c, emit)
	case "utf-16le", "utf-16be":
		return d.utf16Step(c, emit)
	case "x-user-defined":
		if c < 0x80 {
			return emit(rune(c))
		}
		return emit(0xF780 + rune(c) - 0x80)
	}
	if c < 0x80 {
		return emit(rune(c))
	}
	r := d.table[c]
	if r == utf8.RuneError {
		return d.fail(emit)
	}
	return emit(r)
}

// utf8Step is the UTF-8 decoder's handler for one byte (Encoding, 8.1.1).
func (d *decoder) utf8Step(c byte, emit func(rune) bool) bool {
	if d.needed == 0 {
		switch {
		case c <= 0x7F:
			return emit(rune(c))
		case c >= 0xC2 && c <= 0xDF:
			d.needed, d.cp = 1, rune(c&0x1F)
		case c >= 0xE0 && c <= 0xEF:
			if c == 0xE0 {
				d.lower = 0xA0
			}
			if c == 0xED {
				d.upper = 0x9F
			}
			d.needed, d.cp = 2, rune(c&0xF)
		case c >= 0xF0 && c <= 0xF4:
			if c == 0xF0 {
				d.lower = 0x90
			}
			if c == 0xF4 {
				d.upper = 0x8F
			}
			d.needed, d.cp = 3, rune(c&0x7)
		default:
			return d.fail(emit)
		}
		return true
	}
	if c < d.lower || c > d.upper {
		// The sequence so far is a maximal subpart: one U+FFFD for it, and
		// the byte is processed again from the start state ("prepend").
		d.needed, d.seen, d.cp, d.lower, d.upper = 0, 0, 0, 0x80, 0xBF
		if !d.fail(emit) {
			return false
		}
		return d.utf8Step(c, emit)
	}
	d.lower, d.upper = 0x80, 0xBF
	d.cp = d.cp<<6 | rune(c&0x3F)
	d.seen++
	if d.seen != d.needed {
		return true
	}
	r := d.cp
	d.needed, d.seen, d.cp = 0, 0, 0
	return emit(r)
}

// utf16Step is the shared UTF-16 decoder's handler for one byte (8.2.1).
func (d *decoder) utf16Step(c byte, emit func(rune) bool) bool {
	if d.lead < 0 {
		d.lead = int(c)
		return true
	}
	var unit rune
	if d.name == "utf-16le" {
		unit = rune(c)<<8 | rune(d.lead)
	} else {
		unit = rune(d.lead)<<8 | rune(c)
	}
	d.lead = -1
	if d.leadSurrogate != 0 {
		lead := d.leadSurrogate
		d.leadSurrogate = 0
		if unit >= 0xDC00 && unit <= 0xDFFF {
			return emit(0x10000 + (lead-0xD800)<<10 + (unit - 0xDC00))
		}
		// An unpaired lead: an error, then the unit again.
		if !d.fail(emit) {
			return false
		}
	}
	switch {
	case unit >= 0xD800 && unit <= 0xDBFF:
		d.leadSurrogate = unit
		return true
	case unit >= 0xDC00 && unit <= 0xDFFF:
		return d.fail(emit)
	}
	return emit(unit)
}

// flush is the end-of-queue step: an incomplete sequence is one error.
func (d *decoder) flush(emit func(rune) bool) {
	switch d.name {
	case "utf-8":
		if d.needed != 0 {
			d.needed = 0
			d.fail(emit)
		}
	case "utf-16le", "utf-16be":
		if d.lead >= 0 || d.leadSurrogate != 0 {
			d.lead, d.leadSurrogate = -1, 0
			d.fail(emit)
		}
	default:
		if d.legacy != nil {
			d.legacyFlush(emit)
		}
	}
}

// textDecoderObj is the JS TextDecoder.
type textDecoderObj struct {
	hostObject
	d    *decoder
	self *goja.Object // the JS object, for inspect's preview
}

// textEncoderObj is the JS TextEncoder (it has no state).
type textEncoderObj struct{ hostObject }

func (e *env) textDecoderClass() goja.Value {
	if c, ok := e.built("TextDecoder"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("TextDecoder", func(call goja.ConstructorCall) *goja.Object {
		label := "utf-8"
		if a := call.Argument(0); !goja.IsUndefined(a) {
			label = e.toUSV(a)
		}
		name, ok := encodingForLabel(label)
		if !ok {
			e.rangeError("The \"" + label + "\" encoding is not supported")
		}
		if !decoderSupported(name) { // replacement, as the spec says
			e.rangeError("The \"" + name + "\" encoding is not supported")
		}
		fatal, ignoreBOM := false, false
		if o := call.Argument(1); !isNullish(o) {
			ob, ok := o.(*goja.Object)
			if !ok {
				e.typeError("TextDecoder: options must be an object")
			}
			fatal = ob.Get("fatal") != nil && ob.Get("fatal").ToBoolean()
			ignoreBOM = ob.Get("ignoreBOM") != nil && ob.Get("ignoreBOM").ToBoolean()
		}
		td := &textDecoderObj{d: newDecoder(name, fatal, ignoreBOM)}
		o := vm.NewDynamicObject(td)
		_ = o.SetPrototype(call.This.Prototype())
		td.self = o
		return o
	})
	get := func(name string, f func(d *decoder) goja.Value) {
		e.getter(proto, name, func(c goja.FunctionCall) goja.Value {
			return f(thisAs[*textDecoderObj](e, c, "TextDecoder", name).d)
		})
	}
	get("encoding", func(d *decoder) goja.Value { return vm.ToValue(d.name) })
	get("fatal", func(d *decoder) goja.Value { return vm.ToValue(d.fatal) })
	get("ignoreBOM", func(d *decoder) goja.Value { return vm.ToValue(d.ignoreBOM) })
	e.method(proto, "decode", func(c goja.FunctionCall) goja.Value {
		d := thisAs[*textDecoderObj](e, c, "TextDecoder", "decode").d
		var input []byte
		if a := c.Argument(0); !goja.IsUndefined(a) {
			b, kind, _ := e.bufferSource(a)
			if kind == notBuffer {
				e.typeError("TextDecoder.decode: the input must be an ArrayBuffer, a typed array or a DataView")
			}
			input = b
		}
		stream := false
		if o := c.Argument(1); !isNullish(o) {
			ob, ok := o.(*goja.Object)
			if !ok {
				e.typeError("TextDecoder.decode: options must be an object")
			}
			if s := ob.Get("stream"); s != nil {
				stream = s.ToBoolean()
			}
		}
		// Every input byte makes at most one UTF-16 unit of output: bound
		// the output as the guards bound any string (half the cap in units).
		e.checkAlloc(int64(len(input))*2, "TextDecoder.decode")
		s, err := d.decode(input, stream)
		if err != nil {
			e.typeError("The encoded data was not valid for encoding %s", d.name)
		}
		return vm.ToValue(s)
	})
	return c
}

func (e *env) textEncoderClass() goja.Value {
	if c, ok := e.built("TextEncoder"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("TextEncoder", func(call goja.ConstructorCall) *goja.Object {
		o := vm.NewDynamicObject(&textEncoderObj{})
		_ = o.SetPrototype(call.This.Prototype())
		return o
	})
	e.getter(proto, "encoding", func(c goja.FunctionCall) goja.Value {
		thisAs[*textEncoderObj](e, c, "TextEncoder", "encoding")
		return vm.ToValue("utf-8")
	})
	e.method(proto, "encode", func(c goja.FunctionCall) goja.Value {
		thisAs[*textEncoderObj](e, c, "TextEncoder", "encode")
		s := ""
		if a := c.Argument(0); !goja.IsUndefined(a) {
			str := e.toJSString(a)
			// At most 3 UTF-8 bytes per UTF-16 unit; count them exactly
			// only when that bound is over the cap.
			if n := int64(str.Length()) * 3; n > e.allocCap() {
				e.checkAlloc(utf8Length(str), "TextEncoder.encode")
			}
			s = str.String() // lone surrogates become U+FFFD
		}
		return e.newUint8Array([]byte(s))
	})
	e.method(proto, "encodeInto", func(c goja.FunctionCall) goja.Value {
		thisAs[*textEncoderObj](e, c, "TextEncoder", "encodeInto")
		str := e.toJSString(c.Argument(0))
		dst, kind, typ := e.bufferSource(c.Argument(1))
		if kind != isTypedArray || typ != 1 {
			e.typeError("TextEncoder.encodeInto: the destination must be a Uint8Array")
		}
		read, written := encodeInto(str, dst)
		res := vm.NewObject()
		_ = res.Set("read", read)
		_ = res.Set("written", written)
		return res
	})
	return c
}

// encodeInto writes the UTF-8 of s into dst, whole code points only, and
// returns the UTF-16 units read and the bytes written.
func encodeInto(s goja.String, dst []byte) (read, written int) {
	n := s.Length()
	var buf [4]byte
	for read < n {
		u := rune(s.CharAt(read))
		units := 1
		if u >= 0xD800 && u <= 0xDBFF && read+1 < n {
			if t := rune(s.CharAt(read + 1)); t >= 0xDC00 && t <= 0xDFFF {
				u, units = 0x10000+(u-0xD800)<<10+(t-0xDC00), 2
			}
		}
		if u >= 0xD800 && u <= 0xDFFF {
			u = utf8.RuneError
		}
		k := utf8.EncodeRune(buf[:], u)
		if written+k > len(dst) {
			break
		}
		copy(dst[written:], buf[:k])
		written += k
		read += units
	}
	return read, written
}

// toJSString is WebIDL's conversion to a string (ToString; a symbol is a
// TypeError), keeping the JS string's UTF-16 units.
func (e *env) toJSString(v goja.Value) goja.String {
	if v == nil {
		v = goja.Undefined()
	}
	if _, ok := v.(*goja.Symbol); ok {
		e.typeError("Cannot convert a Symbol value to a string")
	}
	if o, ok := v.(*goja.Object); ok {
		v = e.toPrimitiveString(o)
		if _, ok := v.(*goja.Symbol); ok {
			e.typeError("Cannot convert a Symbol value to a string")
		}
	}
	if s, ok := v.(goja.String); ok {
		return s
	}
	// A number, boolean, BigInt, null or undefined: its JS ToString.
	if s, ok := e.vm.ToValue(v.String()).(goja.String); ok {
		return s
	}
	return goja.StringFromUTF16(nil)
}

// toUSV is WebIDL's USVString conversion: lone surrogates become U+FFFD.
func (e *env) toUSV(v goja.Value) string { return e.toJSString(v).String() }

// utf8Length is the length of the UTF-8 encoding of s (a lone surrogate
// is U+FFFD, 3 bytes).
func utf8Length(s goja.String) int64 {
	var n int64
	l := s.Length()
	for i := 0; i < l; i++ {
		u := s.CharAt(i)
		switch {
		case u < 0x80:
			n++
		case u < 0x800:
			n += 2
		case u >= 0xD800 && u <= 0xDBFF && i+1 < l && s.CharAt(i+1) >= 0xDC00 && s.CharAt(i+1) <= 0xDFFF:
			n += 4
			i++
		default:
			n += 3
		}
	}
	return n
}
