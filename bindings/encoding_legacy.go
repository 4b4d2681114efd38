package bindings

import (
	_ "embed" // the WHATWG indexes
	"sort"
)

// The multi-byte legacy decoders of the Encoding Standard (gb18030 and
// GBK, Big5, EUC-JP, ISO-2022-JP, Shift_JIS, EUC-KR) and the replacement
// decoder, each the spec's handler written out step by step. A "restore
// to ioQueue" is the handler running again on the restored bytes, in
// order, before the next input byte; the end-of-queue steps are in
// legacyFlush.
//
// The indexes are the WHATWG index files (2024-09-18: gb18030 has the
// GB18030-2022 two-byte changes) in the binary form encoding_gen.go
// writes, embedded read-only: nothing is built or allocated at isolate
// spawn or on first use, and a table's pages are read in only when a
// decoder touches them.
//
//go:generate go run encoding_gen.go $WHATWG_ENCODING
//
// (WHATWG_ENCODING: a checkout of github.com/whatwg/encoding.)

var (
	//go:embed encoding_index/jis0208.bin
	indexJIS0208 string
	//go:embed encoding_index/jis0212.bin
	indexJIS0212 string
	//go:embed encoding_index/euc-kr.bin
	indexEUCKR string
	//go:embed encoding_index/gb18030.bin
	indexGB18030 string
	//go:embed encoding_index/big5.bin
	indexBig5 string
	//go:embed encoding_index/gb18030-ranges.bin
	indexGB18030Ranges string
)

// indexCodePoint is the spec's "index code point" for pointer in a 2-byte
// table: -1 for null.
func indexCodePoint(tab string, pointer int) rune {
	i := 2 * pointer
	if pointer < 0 || i+1 >= len(tab) {
		return -1
	}
	if r := rune(tab[i]) | rune(tab[i+1])<<8; r != 0 {
		return r
	}
	return -1
}

// big5CodePoint is the index code point in index Big5 (3-byte entries).
func big5CodePoint(pointer int) rune {
	i := 3 * pointer
	if pointer < 0 || i+2 >= len(indexBig5) {
		return -1
	}
	if r := rune(indexBig5[i]) | rune(indexBig5[i+1])<<8 | rune(indexBig5[i+2])<<16; r != 0 {
		return r
	}
	return -1
}

func gb18030RangeRow(i int) (pointer int, cp rune) {
	s := indexGB18030Ranges[8*i:]
	pointer = int(s[0]) | int(s[1])<<8 | int(s[2])<<16 | int(s[3])<<24
	cp = rune(s[4]) | rune(s[5])<<8 | rune(s[6])<<16 | rune(s[7])<<24
	return pointer, cp
}

// gb18030RangesCodePoint is the spec's "index gb18030 ranges code point":
// -1 for null.
func gb18030RangesCodePoint(pointer int) rune {
	if (pointer > 39419 && pointer < 189000) || pointer > 1237575 {
		return -1
	}
	if pointer == 7457 {
		return 0xE7C7
	}
	// The last row whose pointer is <= pointer (row 0's pointer is 0).
	n := len(indexGB18030Ranges) / 8
	i := sort.Search(n, func(i int) bool { p, _ := gb18030RangeRow(i); return p > pointer }) - 1
	offset, cp := gb18030RangeRow(i)
	return cp + rune(pointer-offset)
}

// ISO-2022-JP decoder states; the zero value is ASCII, the initial state.
const (
	isoASCII uint8 = iota
	isoRoman
	isoKatakana
	isoLeadByte
	isoTrailByte
	isoEscapeStart
	isoEscape
)

func isASCIIByte(c byte) bool { return c < 0x80 }

// legacyHandler is the handler of a multi-byte legacy or the replacement
// decoder for the encoding name, nil for the others.
func legacyHandler(name string) func(d *decoder, c byte, emit func(rune) bool) bool {
	switch name {
	case "gbk", "gb18030":
		return (*decoder).gb18030Step
	case "big5":
		return (*decoder).big5Step
	case "euc-jp":
		return (*decoder).eucJPStep
	case "iso-2022-jp":
		return (*decoder).iso2022JPStep
	case "shift_jis":
		return (*decoder).shiftJISStep
	case "euc-kr":
		return (*decoder).eucKRStep
	case "replacement":
		return (*decoder).replacementStep
	}
	return nil
}

// replacementStep is the replacement decoder's handler (14.1.1).
func (d *decoder) replacementStep(_ byte, emit func(rune) bool) bool {
	if !d.replacementErr {
		d.replacementErr = true
		return d.fail(emit)
	}
	return true // finished: the rest of the input is ignored
}

// restoreASCII ends a two-byte sequence that has no code point: an error,
// and the trail byte again when it is an ASCII byte.
// leadByte is the last steps of the Big5 and EUC-KR handlers with no lead
// pending: an ASCII byte is itself, 0x81 to 0xFE a lead, anything else an
// error.
func (d *decoder) leadByte(c byte, emit func(rune) bool) bool {
	switch {
	case isASCIIByte(c):
		return emit(rune(c))
	case c >= 0x81 && c <= 0xFE:
		d.mbLead = c
		return true
	}
	return d.fail(emit)
}

func (d *decoder) restoreASCII(c byte, emit func(rune) bool) bool {
	if !d.fail(emit) {
		return false
	}
	if isASCIIByte(c) {
		return d.legacy(d, c, emit)
	}
	return true
}

// gb18030Step is the gb18030 decoder's handler (10.2.1), also GBK's.
func (d *decoder) gb18030Step(c byte, emit func(rune) bool) bool {
	switch {
	case d.gbThird != 0:
		if c < 0x30 || c > 0x39 {
			second, third := d.gbSecond, d.gbThird
			d.gbFirst, d.gbSecond, d.gbThird = 0, 0, 0
			return d.fail(emit) && d.gb18030Step(second, emit) && d.gb18030Step(third, emit) && d.gb18030Step(c, emit)
		}
		pointer := (int(d.gbFirst)-0x81)*(10*126*10) + (int(d.gbSecond)-0x30)*(10*126) + (int(d.gbThird)-0x81)*10 + int(c) - 0x30
		d.gbFirst, d.gbSecond, d.gbThird = 0, 0, 0
		if r := gb18030RangesCodePoint(pointer); r >= 0 {
			return emit(r)
		}
		return d.fail(emit)
	case d.gbSecond != 0:
		if c >= 0x81 && c <= 0xFE {
			d.gbThird = c
			return true
		}
		second := d.gbSecond
		d.gbFirst, d.gbSecond = 0, 0
		return d.fail(emit) && d.gb18030Step(second, emit) && d.gb18030Step(c, emit)
	case d.gbFirst != 0:
		if c >= 0x30 && c <= 0x39 {
			d.gbSecond = c
			return true
		}
		leading := d.gbFirst
		d.gbFirst = 0
		offset := 0x41
		if c < 0x7F {
			offset = 0x40
		}
		if (c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFE) {
			if r := indexCodePoint(indexGB18030, (int(leading)-0x81)*190+int(c)-offset); r >= 0 {
				return emit(r)
			}
		}
		return d.restoreASCII(c, emit)
	}
	switch {
	case isASCIIByte(c):
		return emit(rune(c))
	case c == 0x80:
		return emit(0x20AC)
	case c >= 0x81 && c <= 0xFE:
		d.gbFirst = c
		return true
	}
	return d.fail(emit)
}

// big5Step is the Big5 decoder's handler (11.1.1).
func (d *decoder) big5Step(c byte, emit func(rune) bool) bool {
	if d.mbLead != 0 {
		leading := d.mbLead
		d.mbLead = 0
		offset := 0x62
		if c < 0x7F {
			offset = 0x40
		}
		if (c >= 0x40 && c <= 0x7E) || (c >= 0xA1 && c <= 0xFE) {
			pointer := (int(leading)-0x81)*157 + int(c) - offset
			switch pointer {
			case 1133:
				return emit(0x00CA) && emit(0x0304)
			case 1135:
				return emit(0x00CA) && emit(0x030C)
			case 1164:
				return emit(0x00EA) && emit(0x0304)
			case 1166:
				return emit(0x00EA) && emit(0x030C)
			}
			if r := big5CodePoint(pointer); r >= 0 {
				return emit(r)
			}
		}
		return d.restoreASCII(c, emit)
	}
	return d.leadByte(c, emit)
}

// eucJPStep is the EUC-JP decoder's handler (12.1.1).
func (d *decoder) eucJPStep(c byte, emit func(rune) bool) bool {
	switch {
	case d.mbLead == 0x8E && c >= 0xA1 && c <= 0xDF:
		d.mbLead = 0
		return emit(0xFF61 - 0xA1 + rune(c))
	case d.mbLead == 0x8F && c >= 0xA1 && c <= 0xFE:
		d.jis0212 = true
		d.mbLead = c
		return true
	case d.mbLead != 0:
		leading := d.mbLead
		d.mbLead = 0
		r := rune(-1)
		if leading >= 0xA1 && leading <= 0xFE && c >= 0xA1 && c <= 0xFE {
			tab := indexJIS0208
			if d.jis0212 {
				tab = indexJIS0212
			}
			r = indexCodePoint(tab, (int(leading)-0xA1)*94+int(c)-0xA1)
		}
		d.jis0212 = false
		if r >= 0 {
			return emit(r)
		}
		return d.restoreASCII(c, emit)
	}
	switch {
	case isASCIIByte(c):
		return emit(rune(c))
	case c == 0x8E || c == 0x8F || (c >= 0xA1 && c <= 0xFE):
		d.mbLead = c
		return true
	}
	return d.fail(emit)
}

// iso2022JPStep is the ISO-2022-JP decoder's handler (12.2.1).
func (d *decoder) iso2022JPStep(c byte, emit func(rune) bool) bool {
	switch d.isoState {
	case isoASCII, isoRoman, isoKatakana, isoLeadByte:
		if c == 0x1B {
			d.isoState = isoEscapeStart
			return true
		}
		d.isoOutput = false
		switch d.isoState {
		case isoASCII:
			if c <= 0x7F && c != 0x0E && c != 0x0F {
				return emit(rune(c))
			}
		case isoRoman:
			switch {
			case c == 0x5C:
				return emit(0x00A5)
			case c == 0x7E:
				return emit(0x203E)
			case c <= 0x7F && c != 0x0E && c != 0x0F:
				return emit(rune(c))
			}
		case isoKatakana:
			if c >= 0x21 && c <= 0x5F {
				return emit(0xFF61 - 0x21 + rune(c))
			}
		case isoLeadByte:
			if c >= 0x21 && c <= 0x7E {
				d.mbLead = c
				d.isoState = isoTrailByte
				return true
			}
		}
		return d.fail(emit)
	case isoTrailByte:
		if c == 0x1B {
			d.isoState = isoEscapeStart
			return d.fail(emit)
		}
		d.isoState = isoLeadByte
		if c >= 0x21 && c <= 0x7E {
			if r := indexCodePoint(indexJIS0208, (int(d.mbLead)-0x21)*94+int(c)-0x21); r >= 0 {
				return emit(r)
			}
		}
		return d.fail(emit)
	case isoEscapeStart:
		if c == 0x24 || c == 0x28 {
			d.mbLead = c
			d.isoState = isoEscape
			return true
		}
		d.isoOutput = false
		d.isoState = d.isoOutputState
		return d.fail(emit) && d.iso2022JPStep(c, emit)
	}
	// Escape.
	leading := d.mbLead
	d.mbLead = 0
	state := uint8(0xFF)
	switch {
	case leading == 0x28 && c == 0x42:
		state = isoASCII
	case leading == 0x28 && c == 0x4A:
		state = isoRoman
	case leading == 0x28 && c == 0x49:
		state = isoKatakana
	case leading == 0x24 && (c == 0x40 || c == 0x42):
		state = isoLeadByte
	}
	if state != 0xFF {
		d.isoState, d.isoOutputState = state, state
		output := d.isoOutput
		d.isoOutput = true
		if output {
			return d.fail(emit)
		}
		return true
	}
	d.isoOutput = false
	d.isoState = d.isoOutputState
	return d.fail(emit) && d.iso2022JPStep(leading, emit) && d.iso2022JPStep(c, emit)
}

// shiftJISStep is the Shift_JIS decoder's handler (12.3.1).
func (d *decoder) shiftJISStep(c byte, emit func(rune) bool) bool {
	if d.mbLead != 0 {
		leading := d.mbLead
		d.mbLead = 0
		offset, leadingOffset := 0x41, 0xC1
		if c < 0x7F {
			offset = 0x40
		}
		if leading < 0xA0 {
			leadingOffset = 0x81
		}
		if (c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFC) {
			pointer := (int(leading)-leadingOffset)*188 + int(c) - offset
			if pointer >= 8836 && pointer <= 10715 {
				return emit(0xE000 - 8836 + rune(pointer))
			}
			if r := indexCodePoint(indexJIS0208, pointer); r >= 0 {
				return emit(r)
			}
		}
		return d.restoreASCII(c, emit)
	}
	switch {
	case isASCIIByte(c) || c == 0x80:
		return emit(rune(c))
	case c >= 0xA1 && c <= 0xDF:
		return emit(0xFF61 - 0xA1 + rune(c))
	case (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC):
		d.mbLead = c
		return true
	}
	return d.fail(emit)
}

// eucKRStep is the EUC-KR decoder's handler (13.1.1).
func (d *decoder) eucKRStep(c byte, emit func(rune) bool) bool {
	if d.mbLead != 0 {
		leading := d.mbLead
		d.mbLead = 0
		if c >= 0x41 && c <= 0xFE {
			if r := indexCodePoint(indexEUCKR, (int(leading)-0x81)*190+int(c)-0x41); r >= 0 {
				return emit(r)
			}
		}
		return d.restoreASCII(c, emit)
	}
	return d.leadByte(c, emit)
}

// legacyFlush runs the handler on end-of-queue (repeatedly, when it
// restores bytes) for the multi-byte legacy decoders.
func (d *decoder) legacyFlush(emit func(rune) bool) {
	switch d.name {
	case "gbk", "gb18030":
		if d.gbFirst != 0 || d.gbSecond != 0 || d.gbThird != 0 {
			d.gbFirst, d.gbSecond, d.gbThird = 0, 0, 0
			d.fail(emit)
		}
	case "big5", "euc-jp", "shift_jis", "euc-kr":
		if d.mbLead != 0 {
			d.mbLead = 0
			d.fail(emit)
		}
	case "iso-2022-jp":
		switch d.isoState {
		case isoTrailByte:
			d.isoState = isoLeadByte
			d.fail(emit)
		case isoEscapeStart:
			d.isoOutput = false
			d.isoState = d.isoOutputState
			d.fail(emit)
		case isoEscape:
			// Restore the leading byte, then end-of-queue again (0x24 in
			// the leading byte state waits for a trailing byte).
			leading := d.mbLead
			d.mbLead = 0
			d.isoOutput = false
			d.isoState = d.isoOutputState
			if d.fail(emit) && d.iso2022JPStep(leading, emit) {
				d.legacyFlush(emit)
			}
		}
	}
}
