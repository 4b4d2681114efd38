package bindings

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

// utf8Cases are the Encoding Standard's UTF-8 decoder on ill-formed input:
// one U+FFFD per maximal subpart (Unicode 3.9, table 3-8 and the WPT
// textdecoder-fatal cases).
var utf8Cases = []struct {
	name string
	in   []byte
	want string
}{
	{"ascii", []byte("abc"), "abc"},
	{"euro", []byte{0xE2, 0x82, 0xAC}, "€"},
	{"astral", []byte{0xF0, 0x9F, 0x98, 0x80}, "😀"},
	{"lone continuation", []byte{0x80}, "\uFFFD"},
	{"two continuations", []byte{0x80, 0xBF}, "\uFFFD\uFFFD"},
	{"truncated 3-byte", []byte{0xE2, 0x82}, "\uFFFD"},
	{"truncated 3-byte then ascii", []byte{0xE2, 0x82, 0x41}, "\uFFFDA"},
	{"truncated 4-byte", []byte{0xF0, 0x9F, 0x98}, "\uFFFD"},
	{"overlong 2-byte", []byte{0xC0, 0xAF}, "\uFFFD\uFFFD"},
	{"overlong 3-byte", []byte{0xE0, 0x80, 0xAF}, "\uFFFD\uFFFD\uFFFD"},
	{"overlong 4-byte", []byte{0xF0, 0x80, 0x80, 0x41}, "\uFFFD\uFFFD\uFFFDA"},
	{"surrogate", []byte{0xED, 0xA0, 0x80}, "\uFFFD\uFFFD\uFFFD"},
	{"max", []byte{0xF4, 0x8F, 0xBF, 0xBF}, "\U0010FFFF"},
	{"over max", []byte{0xF4, 0x90, 0x80, 0x80}, "\uFFFD\uFFFD\uFFFD\uFFFD"},
	{"F5", []byte{0xF5, 0x80}, "\uFFFD\uFFFD"},
	{"FF", []byte{0xFF}, "\uFFFD"},
	{"unicode 3.9 example", []byte{0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64}, "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd"},
	{"BOM stripped", []byte{0xEF, 0xBB, 0xBF, 0x41}, "A"},
	{"only first BOM stripped", []byte{0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF}, "\uFEFF"},
	{"error then BOM kept", []byte{0xFF, 0xEF, 0xBB, 0xBF}, "\uFFFD\uFEFF"},
	{"legit U+FFFD", []byte{0xEF, 0xBF, 0xBD}, "\uFFFD"},
}

func TestUTF8DecoderSpec(t *testing.T) {
	for _, c := range utf8Cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := newDecoder("utf-8", false, false).decode(c.in, false)
			if err != nil || got != c.want {
				t.Errorf("decode(% X) = %+q, %v; want %+q", c.in, got, err, c.want)
			}
			// Fatal fails exactly when the input is not well-formed.
			_, err = newDecoder("utf-8", true, false).decode(c.in, false)
			if (err != nil) != !utf8.Valid(c.in) {
				t.Errorf("fatal decode(% X): err %v, valid %v", c.in, err, utf8.Valid(c.in))
			}
			// Every split into two streamed chunks gives the same text.
			for i := 0; i <= len(c.in); i++ {
				d := newDecoder("utf-8", false, false)
				a, _ := d.decode(c.in[:i], true)
				b, _ := d.decode(c.in[i:], false)
				if a+b != c.want {
					t.Errorf("split at %d: %+q + %+q, want %+q", i, a, b, c.want)
				}
			}
			// Byte by byte.
			d := newDecoder("utf-8", false, false)
			var sb strings.Builder
			for _, x := range c.in {
				s, _ := d.decode([]byte{x}, true)
				sb.WriteString(s)
			}
			s, _ := d.decode(nil, false)
			if sb.String()+s != c.want {
				t.Errorf("byte by byte: %+q, want %+q", sb.String()+s, c.want)
			}
		})
	}
}

func TestUTF16DecoderSpec(t *testing.T) {
	cases := []struct {
		name, enc string
		in        []byte
		want      string
	}{
		{"le", "utf-16le", []byte{0x41, 0x00, 0xAC, 0x20}, "A€"},
		{"be", "utf-16be", []byte{0x00, 0x41, 0x20, 0xAC}, "A€"},
		{"pair", "utf-16le", []byte{0x3D, 0xD8, 0x00, 0xDE}, "😀"},
		{"lone lead then unit", "utf-16le", []byte{0x00, 0xD8, 0x41, 0x00}, "\uFFFDA"},
		{"lone trail", "utf-16le", []byte{0x00, 0xDC}, "\uFFFD"},
		{"odd byte", "utf-16le", []byte{0x41, 0x00, 0x42}, "A\uFFFD"},
		{"lead at end", "utf-16be", []byte{0xD8, 0x00}, "\uFFFD"},
		{"BOM le", "utf-16le", []byte{0xFF, 0xFE, 0x41, 0x00}, "A"},
		{"BOM be", "utf-16be", []byte{0xFE, 0xFF, 0x00, 0x41}, "A"},
		{"wrong BOM kept", "utf-16le", []byte{0xFE, 0xFF}, "\uFFFE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i <= len(c.in); i++ {
				d := newDecoder(c.enc, false, false)
				a, _ := d.decode(c.in[:i], true)
				b, _ := d.decode(c.in[i:], false)
				if a+b != c.want {
					t.Errorf("split at %d: %+q, want %+q", i, a+b, c.want)
				}
			}
			_, err := newDecoder(c.enc, true, false).decode(c.in, false)
			if (err != nil) != strings.Contains(c.want, "\uFFFD") {
				t.Errorf("fatal: err %v for %+q", err, c.want)
			}
		})
	}
}

func TestSingleByteTables(t *testing.T) {
	cases := []struct {
		enc  string
		in   byte
		want rune // -1: an error
	}{
		{"windows-1252", 0x80, '€'},
		{"windows-1252", 0x81, 0x81}, // WHATWG: the C1 control, not an error
		{"windows-1252", 0x9D, 0x9D},
		{"windows-1252", 0xE9, 'é'},
		{"iso-8859-2", 0x85, 0x85},
		{"iso-8859-3", 0xA5, -1}, // unassigned
		{"koi8-u", 0xAE, 'ў'},
		{"windows-874", 0xDB, -1},
		{"windows-1255", 0xCA, 0x05BA},
		{"x-user-defined", 0x80, 0xF780},
		{"x-user-defined", 0xFF, 0xF7FF},
		{"ibm866", 0x80, 'А'},
	}
	for _, c := range cases {
		got, err := newDecoder(c.enc, true, false).decode([]byte{c.in}, false)
		if c.want < 0 {
			if err == nil {
				t.Errorf("%s %02X: %+q, want an error", c.enc, c.in, got)
			}
			continue
		}
		if err != nil || got != string(c.want) {
			t.Errorf("%s %02X: %+q %v, want %+q", c.enc, c.in, got, err, string(c.want))
		}
	}
}

func TestEncodingLabels(t *testing.T) {
	cases := map[string]string{
		"utf8": "utf-8", " UTF-8\n": "utf-8", "unicode-1-1-utf-8": "utf-8", "latin1": "windows-1252",
		"ascii": "windows-1252", "iso-8859-1": "windows-1252", "utf-16": "utf-16le", "unicodefffe": "utf-16be",
		"l2": "iso-8859-2", "cp1251": "windows-1251", "x-user-defined": "x-user-defined", "csiso88598i": "iso-8859-8-i",
	}
	for label, want := range cases {
		if got, ok := encodingForLabel(label); !ok || got != want {
			t.Errorf("label %q: %q %v, want %q", label, got, ok, want)
		}
	}
	for _, bad := range []string{"utf-7", "", "utf 8", "\u00a0utf-8", "iso-2022-kr"} {
		if name, ok := encodingForLabel(bad); ok && decoderSupported(name) {
			t.Errorf("label %q accepted as %q", bad, name)
		}
	}
}

func TestForgivingBase64(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "", true}, {"YQ==", "a", true}, {"YQ=", "", false}, {"YQ", "a", true}, {"Y", "", false},
		{" Y Q = = ", "a", true}, {"\tYW\nJj\fZA\r==", "abcd", true}, {"YR==", "a", true}, // leftover bits dropped
		{"YQ===", "", false}, {"=YQ", "", false}, {"YQ==YQ==", "", false}, {"Y\u00a0Q", "", false},
		{"ab-c", "", false}, {"ab_c", "", false}, {"YWJj", "abc", true}, {"////", "\xff\xff\xff", true}, {"\vYQ", "", false},
	}
	for _, c := range cases {
		var units []uint16
		for _, r := range c.in {
			units = append(units, uint16(r))
		}
		got, ok := forgivingBase64Decode(units)
		if ok != c.ok || (ok && string(got) != c.want) {
			t.Errorf("decode(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzTextDecoder checks the decoders' invariants on any input: the output
// is valid Unicode, streaming in two chunks gives the whole-input result,
// and UTF-8's fatal mode fails exactly on ill-formed input.
func FuzzTextDecoder(f *testing.F) {
	for _, c := range utf8Cases {
		f.Add(c.in, uint8(3))
	}
	f.Add([]byte{0x00, 0xD8, 0x00}, uint8(1))
	encs := []string{"utf-8", "utf-16le", "utf-16be", "windows-1252", "iso-8859-3", "x-user-defined"}
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		for _, enc := range encs {
			whole, err := newDecoder(enc, false, false).decode(in, false)
			if err != nil || !utf8.ValidString(whole) {
				t.Fatalf("%s: %+q %v", enc, whole, err)
			}
			i := int(split) % (len(in) + 1)
			d := newDecoder(enc, false, false)
			a, _ := d.decode(in[:i], true)
			b, _ := d.decode(in[i:], false)
			if a+b != whole {
				t.Fatalf("%s: split at %d: %+q, whole %+q", enc, i, a+b, whole)
			}
		}
		_, err := newDecoder("utf-8", true, true).decode(in, false)
		if (err != nil) != !utf8.Valid(in) {
			t.Fatalf("fatal utf-8 on % X: %v", in, err)
		}
	})
}

// FuzzAtob checks forgiving-base64 against Go's decoder on the normalized
// input, and that btoa's encoding of the result decodes back.
func FuzzAtob(f *testing.F) {
	for _, s := range []string{"YQ==", "Y Q", "YR==", "====", "abc", "ab=c", "\u0100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var units []uint16
		for _, r := range s {
			units = append(units, uint16(r))
		}
		got, ok := forgivingBase64Decode(units)
		// Reference: strip ASCII whitespace, pad to a multiple of 4, decode
		// leniently (padding bits ignored).
		ref := strings.Map(func(r rune) rune {
			if strings.ContainsRune("\t\n\f\r ", r) {
				return -1
			}
			return r
		}, s)
		if len(ref)%4 == 0 {
			ref = strings.TrimSuffix(ref, "=")
			if len(ref)%4 == 3 {
				ref = strings.TrimSuffix(ref, "=")
			}
		}
		want, err := base64.RawStdEncoding.DecodeString(ref)
		if ok != (err == nil && !strings.ContainsAny(ref, "=\r\n")) {
			t.Fatalf("%q: ok %v, reference err %v", s, ok, err)
		}
		if ok && string(got) != string(want) {
			t.Fatalf("%q: %q, reference %q", s, got, want)
		}
		if ok {
			back := base64.StdEncoding.EncodeToString(got)
			var bu []uint16
			for i := 0; i < len(back); i++ {
				bu = append(bu, uint16(back[i]))
			}
			if again, ok := forgivingBase64Decode(bu); !ok || string(again) != string(got) {
				t.Fatalf("%q: round trip %q %v", s, again, ok)
			}
		}
	})
}
