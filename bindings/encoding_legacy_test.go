package bindings

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// legacyCases are the multi-byte legacy decoders on valid and invalid
// input: the WPT encoding tests (iso-2022-jp-decoder, gb18030-decoder,
// textdecoder-eof, legacy-mb-*/*-decode-errors) and code points looked up
// by hand in the WHATWG index files.
var legacyCases = []struct {
	enc  string
	in   []byte
	want string
}{
	// gb18030-decoder.any.js (gbk gets the same cases below).
	{"gb18030", []byte{115}, "s"},
	{"gb18030", []byte{0x80}, "\u20AC"},
	{"gb18030", []byte{0xFF}, "\uFFFD"},
	{"gb18030", []byte{0x81}, "\uFFFD"},
	{"gb18030", []byte{0x81, 0x28}, "\ufffd("},
	{"gb18030", []byte{0x81, 0x40}, "\u4E02"},
	{"gb18030", []byte{0x81, 0x7E}, "\u4E8A"},
	{"gb18030", []byte{0x81, 0x7F}, "\ufffd\u007f"},
	{"gb18030", []byte{0x81, 0x80}, "\u4E90"},
	{"gb18030", []byte{0x81, 0xFE}, "\u4FA2"},
	{"gb18030", []byte{0x81, 0xFF}, "\ufffd"},
	{"gb18030", []byte{0xFE, 0x40}, "\uFA0C"},
	{"gb18030", []byte{0xFE, 0xFE}, "\uE4C5"},
	{"gb18030", []byte{0xFE, 0xFF}, "\ufffd"},
	{"gb18030", []byte{0x81, 0x30}, "\ufffd"},
	{"gb18030", []byte{0x81, 0x30, 0xFE}, "\ufffd"},
	{"gb18030", []byte{0x81, 0x30, 0xFF}, "\ufffd0\ufffd"},
	{"gb18030", []byte{0x81, 0x30, 0xFE, 0x29}, "\ufffd0\ufffd)"},
	{"gb18030", []byte{0xFE, 0x39, 0xFE, 0x39}, "\ufffd"},
	{"gb18030", []byte{0x81, 0x35, 0xF4, 0x36}, "\u1E3E"},
	{"gb18030", []byte{0x81, 0x35, 0xF4, 0x37}, "\ue7c7"},
	{"gb18030", []byte{0x81, 0x35, 0xF4, 0x38}, "\u1E40"},
	{"gb18030", []byte{0x84, 0x31, 0xA4, 0x39}, "\uffff"},
	{"gb18030", []byte{0x84, 0x31, 0xA5, 0x30}, "\ufffd"},
	{"gb18030", []byte{0x8F, 0x39, 0xFE, 0x39}, "\ufffd"},
	{"gb18030", []byte{0x90, 0x30, 0x81, 0x30}, "\U00010000"},
	{"gb18030", []byte{0xE3, 0x32, 0x9A, 0x35}, "\U0010FFFF"},
	{"gb18030", []byte{0xE3, 0x32, 0x9A, 0x36}, "\ufffd"},
	{"gb18030", []byte{0x83, 0x36, 0xC8, 0x30}, "\uE7C8"},
	{"gb18030", []byte{0xA1, 0xAD}, "\u2026"},
	{"gb18030", []byte{0xA1, 0xAB}, "\uFF5E"},
	{"gb18030", []byte{0x81, 0x30, 0x81, 0x30}, "\u0080"}, // range 0
	{"gb18030", []byte{0xA1, 0x40}, "\uE4C6"},             // pointer 6080, PUA in the index
	// A restored « second, third, byte »: the third starts a new sequence.
	{"gb18030", []byte{0x81, 0x30, 0x81, 0x81, 0x40}, "\ufffd0\u4E96@"},
	{"gb18030", []byte{0x81, 0x30, 0x41}, "\ufffd0A"},

	// textdecoder-eof.any.js and big5-decode-errors.
	{"big5", []byte{0x81, 0x40}, "\uFFFD@"},
	{"big5", []byte{0x81, 0x81}, "\uFFFD"},
	{"big5", []byte{0x87, 0x87, 0x40}, "\uFFFD@"},
	{"big5", []byte{0xAB}, "\uFFFD"},
	{"big5", []byte{0xFF}, "\uFFFD"},
	{"big5", []byte{0xAB, 0x31}, "\uFFFD1"},
	{"big5", []byte{0xAB, 0xFF}, "\uFFFD"},
	{"big5", []byte{0xC8, 0xF2}, "\uFFFD"},
	{"big5", []byte{0xA4, 0x40}, "\u4E00"},
	{"big5", []byte{0x87, 0x40}, "\u43F0"},
	{"big5", []byte{0x87, 0x45}, "\U00027267"},
	{"big5", []byte{0x88, 0x62, 0x88, 0x64, 0x88, 0xA3, 0x88, 0xA5}, "\u00CA\u0304\u00CA\u030C\u00EA\u0304\u00EA\u030C"},
	{"big5", []byte{0x88, 0x65}, "\u1EC0"},
	{"big5", []byte{0x80}, "\uFFFD"},
	{"big5", []byte{0xA4, 0x7F}, "\uFFFD\u007f"},

	// eucjp-decode-errors and the indexes.
	{"euc-jp", []byte{0xB0}, "\uFFFD"},
	{"euc-jp", []byte{0xFF}, "\uFFFD"},
	{"euc-jp", []byte{0x91}, "\uFFFD"},
	{"euc-jp", []byte{0xB0, 0x31}, "\uFFFD1"},
	{"euc-jp", []byte{0xB0, 0xFF}, "\uFFFD"},
	{"euc-jp", []byte{0xB0, 0xA0}, "\uFFFD"},
	{"euc-jp", []byte{0xB0, 0xA1}, "\u4E9C"},
	{"euc-jp", []byte{0x8E, 0xA1, 0x8E, 0xDF}, "\uFF61\uFF9F"},
	{"euc-jp", []byte{0x8E, 0xE0}, "\uFFFD"},
	{"euc-jp", []byte{0x8E, 0x41}, "\uFFFDA"},
	{"euc-jp", []byte{0x8F, 0xB0, 0xA1}, "\u4E02"}, // jis0212
	{"euc-jp", []byte{0x8F, 0xA2, 0xAF}, "\u02D8"},
	{"euc-jp", []byte{0x8F, 0xA1, 0xA1, 0xB0, 0xA1}, "\uFFFD\u4E9C"}, // jis0212 pointer 0 is null; the flag resets
	{"euc-jp", []byte{0x8F, 0xB0}, "\uFFFD"},
	{"euc-jp", []byte{0x8F, 0xB0, 0x41}, "\uFFFDA"},
	{"euc-jp", []byte{0x8F, 0x41}, "\uFFFDA"},

	// iso-2022-jp-decoder.any.js (its current version: the first escape
	// sequence of a stream is no error, ISO-2022-JP output starts false).
	{"iso-2022-jp", []byte{0x1b, 0x24}, "\ufffd$"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x50}, "\ufffd$P"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x42, 0x50}, "P"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x42, 0x1b, 0x28, 0x42, 0x50}, "\ufffdP"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x28, 0x42, 0x50}, "PP"},
	{"iso-2022-jp", []byte{0x5C, 0x5D, 0x7E}, "\\]~"},
	{"iso-2022-jp", []byte{0x0D, 0x0E, 0x0F, 0x10}, "\x0D\ufffd\ufffd\x10"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x4A, 0x5C, 0x5D, 0x7E}, "\u00A5]\u203E"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x4A, 0x0D, 0x0E, 0x0F, 0x10}, "\x0D\ufffd\ufffd\x10"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x4A, 0x1b, 0x1b, 0x28, 0x49, 0x50}, "\ufffd\uff90"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x49, 0x50}, "\uff90"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x49, 0x1b, 0x24, 0x40, 0x50, 0x50}, "\ufffd\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x49, 0x1b, 0x50}, "\ufffd\uff90"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x49, 0x1b, 0x24, 0x50}, "\ufffd\uff64\uff90"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x49, 0x50, 0x1b, 0x28, 0x49, 0x50}, "\uff90\uff90"},
	{"iso-2022-jp", []byte{0x1b, 0x28, 0x49, 0x0D, 0x0E, 0x0F, 0x10}, "\ufffd\ufffd\ufffd\ufffd"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x50, 0x50}, "\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x42, 0x50, 0x50}, "\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x42, 0x1b, 0x50, 0x50}, "\ufffd\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x1b, 0x24, 0x40}, "\ufffd"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x1b, 0x24, 0x40, 0x50, 0x50}, "\ufffd\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x1b, 0x24, 0x42, 0x50, 0x50}, "\ufffd\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x1b, 0x24, 0x50, 0x50}, "\ufffd\u3070\ufffd"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x50, 0x1b, 0x24, 0x40, 0x50, 0x50}, "\ufffd\u4f69"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x20, 0x50}, "\ufffd\ufffd"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x40, 0x50, 0x20}, "\ufffd"},
	{"iso-2022-jp", []byte{0x50, 0x1b}, "P\ufffd"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x24}, "P\ufffd$"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x50}, "P\ufffdP"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x28, 0x42}, "P"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x28, 0x4A}, "P"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x28, 0x49}, "P"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x24, 0x40}, "P"},
	{"iso-2022-jp", []byte{0x50, 0x1b, 0x24, 0x42}, "P"},
	// End-of-queue in the escape state of a two-byte mode: the restored
	// 0x24 is a leading byte there, so end-of-queue is a second error.
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x42, 0x30, 0x21, 0x1b, 0x24}, "\u4e9c\ufffd\ufffd"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x42, 0x30}, "\ufffd"},
	{"iso-2022-jp", []byte{0x1b, 0x24, 0x42, 0x30, 0x1b, 0x28, 0x42, 0x41}, "\ufffdA"}, // ESC in the trailing byte state: an error, then the escape
	{"iso-2022-jp", []byte{0x80, 0xFF}, "\ufffd\ufffd"},

	// sjis-decode-errors and the indexes.
	{"shift_jis", []byte{0xFA}, "\uFFFD"},
	{"shift_jis", []byte{0xFF}, "\uFFFD"},
	{"shift_jis", []byte{0xA0}, "\uFFFD"},
	{"shift_jis", []byte{0xFD}, "\uFFFD"},
	{"shift_jis", []byte{0xFA, 0xFD}, "\uFFFD"},
	{"shift_jis", []byte{0x81, 0xB5}, "\uFFFD"},
	{"shift_jis", []byte{0x81, 0x31}, "\uFFFD1"},
	{"shift_jis", []byte{0x88, 0x9F}, "\u4E9C"},
	{"shift_jis", []byte{0x80, 0x5C, 0x7E}, "\u0080\\~"},
	{"shift_jis", []byte{0xA1, 0xDF}, "\uFF61\uFF9F"},
	{"shift_jis", []byte{0xF0, 0x40, 0xF9, 0xFC}, "\uE000\uE757"}, // EUDC
	{"shift_jis", []byte{0xFA, 0x40}, "\u2170"},
	{"shift_jis", []byte{0x81, 0x7F}, "\uFFFD\u007f"},

	// euckr-decode-errors and the indexes.
	{"euc-kr", []byte{0xB0}, "\uFFFD"},
	{"euc-kr", []byte{0xFF}, "\uFFFD"},
	{"euc-kr", []byte{0xB0, 0x31}, "\uFFFD1"},
	{"euc-kr", []byte{0xB0, 0xFF}, "\uFFFD"},
	{"euc-kr", []byte{0x81, 0x5B}, "\uFFFD["},
	{"euc-kr", []byte{0xB0, 0xA1}, "\uAC00"},
	{"euc-kr", []byte{0xFD, 0xFE}, "\u8A70"},
	{"euc-kr", []byte{0x80}, "\uFFFD"},
	{"euc-kr", []byte{0xFE, 0xFE}, "\uFFFD"}, // past the index
}

// allLegacyCases is legacyCases with every gb18030 case run as gbk too
// (the same decoder).
func allLegacyCases() []struct {
	enc  string
	in   []byte
	want string
} {
	cs := legacyCases
	for _, c := range legacyCases {
		if c.enc == "gb18030" {
			c.enc = "gbk"
			cs = append(cs, c)
		}
	}
	return cs
}

// TestLegacyDecoderSpec checks each case whole, streamed at every split
// point and byte by byte (the state carries between calls), and in fatal
// mode (an error exactly when the output has a U+FFFD; no case decodes a
// real U+FFFD).
func TestLegacyDecoderSpec(t *testing.T) {
	for _, c := range allLegacyCases() {
		got, err := newDecoder(c.enc, false, false).decode(c.in, false)
		if err != nil || got != c.want {
			t.Errorf("%s % X: %+q %v, want %+q", c.enc, c.in, got, err, c.want)
			continue
		}
		for i := 0; i <= len(c.in); i++ {
			d := newDecoder(c.enc, false, false)
			a, _ := d.decode(c.in[:i], true)
			b, _ := d.decode(c.in[i:], false)
			if a+b != c.want {
				t.Errorf("%s % X split at %d: %+q + %+q, want %+q", c.enc, c.in, i, a, b, c.want)
			}
		}
		d := newDecoder(c.enc, false, false)
		var sb strings.Builder
		for _, x := range c.in {
			s, _ := d.decode([]byte{x}, true)
			sb.WriteString(s)
		}
		s, _ := d.decode(nil, false)
		if sb.WriteString(s); sb.String() != c.want {
			t.Errorf("%s % X byte by byte: %+q, want %+q", c.enc, c.in, sb.String(), c.want)
		}
		fgot, ferr := newDecoder(c.enc, true, false).decode(c.in, false)
		if bad := strings.ContainsRune(c.want, utf8.RuneError); bad != (ferr != nil) || (!bad && fgot != c.want) {
			t.Errorf("%s % X fatal: %+q %v", c.enc, c.in, fgot, ferr)
		}
	}
}

// TestLegacyDecoderState checks the state that carries between streamed
// calls (and is dropped by a call without stream), and that a fatal error
// resets the decoder.
func TestLegacyDecoderState(t *testing.T) {
	type call struct {
		in     []byte
		stream bool
		want   string
		err    bool
	}
	cases := []struct {
		enc   string
		fatal bool
		calls []call
	}{
		// ISO-2022-JP: the two-byte mode set in one call holds in the next.
		{"iso-2022-jp", false, []call{{[]byte{0x1b, 0x24, 0x42}, true, "", false}, {[]byte{0x30, 0x21, 0x30}, true, "\u4e9c", false}, {[]byte{0x21}, true, "\u4e9c", false}, {nil, false, "", false}}},
		// ... and is gone after a call without stream.
		{"iso-2022-jp", false, []call{{[]byte{0x1b, 0x24, 0x42, 0x30, 0x21}, false, "\u4e9c", false}, {[]byte{0x30, 0x21}, false, "0!", false}}},
		// An escape split across calls; its output flag too.
		{"iso-2022-jp", false, []call{{[]byte{0x1b}, true, "", false}, {[]byte{0x28}, true, "", false}, {[]byte{0x49, 0x50}, true, "\uff90", false}, {[]byte{0x1b, 0x28}, true, "", false}, {[]byte{0x42}, true, "", false}, {[]byte{0x1b, 0x28, 0x42}, false, "\ufffd", false}}},
		// A pending lead byte, then an ASCII trail byte in the next call.
		{"shift_jis", false, []call{{[]byte{0x41, 0x81}, true, "A", false}, {[]byte{0x31}, true, "\ufffd1", false}, {nil, false, "", false}}},
		{"big5", false, []call{{[]byte{0x81}, true, "", false}, {[]byte{0x40}, true, "\ufffd@", false}, {nil, false, "", false}}},
		{"euc-kr", false, []call{{[]byte{0xB0}, true, "", false}, {nil, false, "\ufffd", false}, {[]byte{0xA1}, false, "\ufffd", false}}},
		// gb18030: three bytes pending, then a non-digit: « second, third,
		// byte » are decoded again.
		{"gb18030", false, []call{{[]byte{0x81, 0x30}, true, "", false}, {[]byte{0x81}, true, "", false}, {[]byte{0x41}, false, "\ufffd0\u4E04", false}}},
		{"gbk", false, []call{{[]byte{0x90, 0x30, 0x81}, true, "", false}, {[]byte{0x30}, false, "\U00010000", false}}},
		{"euc-jp", false, []call{{[]byte{0x8F}, true, "", false}, {[]byte{0xB0}, true, "", false}, {[]byte{0xA1}, false, "\u4E02", false}}},
		// Fatal: an error throws and resets; the next call starts afresh.
		{"shift_jis", true, []call{{[]byte{0x81}, true, "", false}, {[]byte{0x31}, true, "", true}, {[]byte{0x88, 0x9F}, false, "\u4E9C", false}}},
		{"iso-2022-jp", true, []call{{[]byte{0x1b, 0x24, 0x42}, true, "", false}, {[]byte{0x30}, false, "", true}, {[]byte{0x30, 0x21}, false, "0!", false}}},
		{"euc-kr", true, []call{{[]byte{0xB0}, true, "", false}, {nil, false, "", true}, {[]byte{0xB0, 0xA1}, false, "\uAC00", false}}},
		// replacement: one U+FFFD for a non-empty stream, then nothing.
		{"replacement", false, []call{{nil, false, "", false}, {[]byte("ab"), true, "\ufffd", false}, {[]byte("cd"), true, "", false}, {nil, false, "", false}, {[]byte("x"), false, "\ufffd", false}}},
		{"replacement", true, []call{{nil, false, "", false}, {[]byte("a"), false, "", true}}},
	}
	for _, c := range cases {
		d := newDecoder(c.enc, c.fatal, false)
		for i, k := range c.calls {
			got, err := d.decode(k.in, k.stream)
			if got != k.want || (err != nil) != k.err {
				t.Errorf("%s fatal=%v call %d (% X, stream %v): %+q %v, want %+q error %v", c.enc, c.fatal, i, k.in, k.stream, got, err, k.want, k.err)
			}
		}
	}
}

// TestLegacyIndexes checks the embedded tables' extents and the gb18030
// ranges against the WHATWG files they were generated from.
func TestLegacyIndexes(t *testing.T) {
	// Highest pointer + 1 of each index file, times the entry width.
	sizes := map[string][2]int{"jis0208": {len(indexJIS0208), 11104 * 2}, "jis0212": {len(indexJIS0212), 7211 * 2},
		"euc-kr": {len(indexEUCKR), 23750 * 2}, "gb18030": {len(indexGB18030), 23940 * 2}, "big5": {len(indexBig5), 19782 * 3},
		"gb18030-ranges": {len(indexGB18030Ranges), 207 * 8}}
	for name, s := range sizes {
		if s[0] != s[1] {
			t.Errorf("index %s: %d bytes, want %d", name, s[0], s[1])
		}
	}
	for _, c := range []struct {
		pointer int
		want    rune
	}{{0, 0x80}, {35, 0xA3}, {36, 0xA5}, {7457, 0xE7C7}, {19043, 0x9FA6}, {39419, 0xFFFF}, {39420, -1}, {188999, -1}, {189000, 0x10000}, {1237575, 0x10FFFF}, {1237576, -1}} {
		if got := gb18030RangesCodePoint(c.pointer); got != c.want {
			t.Errorf("gb18030 ranges code point %d: %#x, want %#x", c.pointer, got, c.want)
		}
	}
	if indexCodePoint(indexJIS0208, -1) != -1 || indexCodePoint(indexJIS0208, 11104) != -1 || big5CodePoint(19782) != -1 || indexCodePoint(indexJIS0212, 0) != -1 {
		t.Error("a pointer outside an index is not null")
	}
}

// TestLegacyIndexesVsXText decodes every two-byte sequence (and EUC-JP's
// JIS X 0212 three-byte ones, and a sample of gb18030's four-byte ones)
// with these decoders and with golang.org/x/text's, an independent
// reading of older WHATWG indexes: the code points must agree wherever
// both decode without error. The known differences: x/text leaves out the
// Private Use mappings (GBK's user-defined areas, Shift_JIS's EUDC), and
// predates the GB18030-2022 changes the current index has.
func TestLegacyIndexesVsXText(t *testing.T) {
	gb2022 := map[string]string{
		"\xA6\xD9": "\ufe10", "\xA6\xDA": "\ufe12", "\xA6\xDB": "\ufe11", "\xA6\xDC": "\ufe13", "\xA6\xDD": "\ufe14",
		"\xA6\xDE": "\ufe15", "\xA6\xDF": "\ufe16", "\xA6\xEC": "\ufe17", "\xA6\xED": "\ufe18", "\xA6\xF3": "\ufe19",
		"\xA8\xBC": "\u1e3f", "\xFE\x59": "\u9fb4", "\xFE\x61": "\u9fb5", "\xFE\x66": "\u9fb6", "\xFE\x67": "\u9fb7",
		"\xFE\x6D": "\u9fb8", "\xFE\x7E": "\u9fb9", "\xFE\x90": "\u9fba", "\xFE\xA0": "\u9fbb",
		"\x81\x35\xF4\x37": "\ue7c7", // pointer 7457 (x/text: U+1E3F, now at 0xA8 0xBC)
	}
	for _, c := range []struct {
		name string
		x    encoding.Encoding
	}{{"gbk", simplifiedchinese.GBK}, {"gb18030", simplifiedchinese.GB18030}, {"big5", traditionalchinese.Big5},
		{"euc-jp", japanese.EUCJP}, {"shift_jis", japanese.ShiftJIS}, {"euc-kr", korean.EUCKR}} {
		checked := 0
		try := func(in []byte) {
			mine, err := newDecoder(c.name, false, false).decode(in, false)
			x, xerr := c.x.NewDecoder().Bytes(in)
			if err != nil || xerr != nil {
				t.Fatalf("%s % X: %v %v", c.name, in, err, xerr)
			}
			if want, ok := gb2022[string(in)]; ok && (c.name == "gb18030" || c.name == "gbk" && len(in) == 2) {
				if mine != want {
					t.Errorf("%s % X: %+q, want %+q", c.name, in, mine, want)
				}
				return
			}
			r := []rune(mine)
			switch {
			case mine == string(x):
				checked++
			case len(r) == 1 && r[0] >= 0xE000 && r[0] <= 0xF8FF && string(x) == "\uFFFD":
			case strings.ContainsRune(mine, utf8.RuneError) && strings.ContainsRune(string(x), utf8.RuneError):
				// Both errors; the spec's error handling is TestLegacyDecoderSpec's.
			default:
				t.Errorf("%s % X: %+q, x/text %+q", c.name, in, mine, x)
			}
		}
		for a := 0x81; a <= 0xFE; a++ {
			for b := 0x40; b <= 0xFE; b++ {
				try([]byte{byte(a), byte(b)})
			}
		}
		switch c.name {
		case "euc-jp":
			for a := 0xA1; a <= 0xFE; a++ {
				for b := 0xA1; b <= 0xFE; b++ {
					try([]byte{0x8F, byte(a), byte(b)})
				}
			}
		case "gb18030":
			for a := 0x81; a <= 0xFE; a++ {
				for b := 0x30; b <= 0x39; b++ {
					for _, c3 := range []int{0x81, 0x82, 0x99, 0xC0, 0xF4, 0xFE} {
						for d := 0x30; d <= 0x39; d++ {
							try([]byte{byte(a), byte(b), byte(c3), byte(d)})
						}
					}
				}
			}
			try([]byte{0x81, 0x35, 0xF4, 0x37})
		}
		if checked < 15000 {
			t.Errorf("%s: only %d sequences agree", c.name, checked)
		}
	}
}

// TestEncodingLabelsSpec checks encoding_labels.go against the spec's
// encodings.json: the same labels, each to its encoding, and TextDecoder
// accepts every encoding but replacement.
func TestEncodingLabelsSpec(t *testing.T) {
	raw, err := os.ReadFile("testdata/wpt/encodings.json")
	if err != nil {
		t.Fatal(err)
	}
	var groups []struct {
		Encodings []struct {
			Name   string   `json:"name"`
			Labels []string `json:"labels"`
		} `json:"encodings"`
	}
	if err := json.Unmarshal(raw, &groups); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range groups {
		for _, e := range g.Encodings {
			name := strings.ToLower(e.Name)
			if want := name != "replacement"; decoderSupported(name) != want {
				t.Errorf("decoderSupported(%q) = %v, want %v", name, !want, want)
			}
			for _, l := range e.Labels {
				n++
				if got, ok := encodingForLabel(l); !ok || got != name {
					t.Errorf("label %q: %q %v, want %q", l, got, ok, name)
				}
				if got, ok := encodingForLabel(" \t" + strings.ToUpper(l) + "\n\f\r"); !ok || got != name {
					t.Errorf("label %q padded and upper-cased: %q %v", l, got, ok)
				}
			}
		}
	}
	if n != len(encodingLabels) {
		t.Errorf("encodings.json has %d labels, encodingLabels %d", n, len(encodingLabels))
	}
}

// FuzzLegacyDecoders checks the multi-byte decoders on any input: the
// output is valid Unicode, at most one UTF-16 unit per input byte (the
// bound TextDecoder.decode checks against the allocation cap), streaming in
// random chunks gives the one-shot result, and fatal mode fails exactly
// when the replacement-mode output has an error (a U+FFFD the input did
// not encode: these encodings have no U+FFFD of their own, except that
// gb18030 has one four-byte sequence for it).
func FuzzLegacyDecoders(f *testing.F) {
	for _, c := range legacyCases {
		f.Add(c.in, uint64(0x0123456789))
	}
	f.Add([]byte{0x1b, 0x24, 0x42, 0x30, 0x21, 0x1b, 0x24}, uint64(7))
	f.Add([]byte{0x81, 0x30, 0x81, 0x30, 0x84, 0x31, 0xA4}, uint64(0xFFFF))
	encs := []string{"gbk", "gb18030", "big5", "euc-jp", "iso-2022-jp", "shift_jis", "euc-kr", "replacement"}
	f.Fuzz(func(t *testing.T, in []byte, splits uint64) {
		for _, enc := range encs {
			whole, err := newDecoder(enc, false, false).decode(in, false)
			if err != nil || !utf8.ValidString(whole) {
				t.Fatalf("%s % X: %+q %v", enc, in, whole, err)
			}
			units := 0
			for _, r := range whole {
				units++
				if r > 0xFFFF {
					units++ // a surrogate pair
				}
			}
			if units > len(in) {
				t.Fatalf("%s % X: %d UTF-16 units from %d bytes", enc, in, units, len(in))
			}
			// Chunks of 1-7 bytes, the lengths taken 3 bits at a time (a 0
			// is an empty chunk, then one byte).
			d := newDecoder(enc, false, false)
			var sb strings.Builder
			rest, bits := in, splits
			for len(rest) > 0 {
				k := min(int(bits&7), len(rest))
				bits = bits>>3 | bits<<61
				if k == 0 {
					s, _ := d.decode(nil, true)
					sb.WriteString(s)
					k = 1
				}
				s, _ := d.decode(rest[:k], true)
				sb.WriteString(s)
				rest = rest[k:]
			}
			s, _ := d.decode(nil, false)
			if sb.WriteString(s); sb.String() != whole {
				t.Fatalf("%s % X in chunks (%#x): %+q, whole %+q", enc, in, splits, sb.String(), whole)
			}
			_, ferr := newDecoder(enc, true, false).decode(in, false)
			hasErr := strings.ContainsRune(whole, utf8.RuneError)
			if ferr != nil && !hasErr || ferr == nil && hasErr && enc != "gb18030" && enc != "gbk" {
				t.Fatalf("%s % X fatal: %v, output %+q", enc, in, ferr, whole)
			}
			if ferr == nil {
				if got, _ := newDecoder(enc, true, false).decode(in, false); got != whole {
					t.Fatalf("%s % X fatal: %+q, want %+q", enc, in, got, whole)
				}
			}
		}
	})
}

// BenchmarkLegacyDecode decodes 64 KB of valid text per encoding (two-byte
// characters and ASCII mixed).
func BenchmarkLegacyDecode(b *testing.B) {
	for _, c := range []struct {
		enc    string
		sample []byte
	}{
		{"shift_jis", []byte{0x88, 0x9F, 0x41, 0xB1}},
		{"euc-jp", []byte{0xB0, 0xA1, 0x41, 0x8E, 0xB1}},
		{"gb18030", []byte{0xC4, 0xE3, 0x41, 0x81, 0x30, 0x81, 0x30}},
		{"big5", []byte{0xA4, 0x40, 0x41}},
		{"euc-kr", []byte{0xB0, 0xA1, 0x41}},
		{"iso-2022-jp", []byte{0x1B, 0x24, 0x42, 0x30, 0x21, 0x30, 0x21, 0x1B, 0x28, 0x42, 0x41}},
	} {
		in := []byte(strings.Repeat(string(c.sample), 65536/len(c.sample)))
		b.Run(c.enc, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for i := 0; i < b.N; i++ {
				if _, err := newDecoder(c.enc, true, false).decode(in, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
