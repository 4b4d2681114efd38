package inspect

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Line breaking: joining entries on one line or several, grouping long
// arrays into columns, and the JS-length and terminal-width helpers it needs.

func (in *inspector) isBelowBreakLength(output []string, start int, base string) bool {
	total := len(output) + start
	if total+len(output) > in.breakLength {
		return false
	}
	for _, s := range output {
		if !in.colors && len(s)/3 > in.breakLength {
			return false // a UTF-16 unit takes at most 3 bytes
		}
		if in.colors {
			total += jsLength(stripSGR(s))
		} else {
			total += jsLength(s)
		}
		if total > in.breakLength {
			return false
		}
	}
	return base == "" || !strings.Contains(base, "\n")
}

const inspCompact = 3

func (in *inspector) reduceToSingleString(output []string, base string, braces [2]string, extrasType, recurseTimes int, numericAt func(int) bool) string {
	entries := len(output)
	if extrasType == kArrayExtrasType && entries > 6 {
		output = in.groupArrayElements(output, numericAt)
	}
	if in.currentDepth-recurseTimes < inspCompact && entries == len(output) {
		start := len(output) + in.indentLvl + jsLength(braces[0]) + jsLength(base) + 10
		if in.isBelowBreakLength(output, start, base) {
			joined := strings.Join(output, ", ")
			if !strings.Contains(joined, "\n") {
				if base != "" {
					base += " "
				}
				return base + braces[0] + " " + joined + " " + braces[1]
			}
		}
	}
	// Line up each entry on an individual line (one allocation: nested
	// output can be large).
	indentation := "\n" + strings.Repeat(" ", in.indentLvl)
	n := len(base) + 1 + len(braces[0]) + len(braces[1]) + (len(indentation)+3)*(len(output)+1)
	for _, s := range output {
		n += len(s)
	}
	var sb strings.Builder
	sb.Grow(n)
	if base != "" {
		sb.WriteString(base)
		sb.WriteByte(' ')
	}
	sb.WriteString(braces[0])
	for i, s := range output {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(indentation)
		sb.WriteString("  ")
		sb.WriteString(s)
	}
	sb.WriteString(indentation)
	sb.WriteString(braces[1])
	return sb.String()
}

func (in *inspector) groupArrayElements(output []string, numericAt func(int) bool) []string {
	totalLength := 0
	maxLength := 0
	outputLength := len(output)
	if in.maxArr() < len(output) {
		outputLength--
	}
	const separatorSpace = 2
	dataLen := make([]int, outputLength)
	for i := 0; i < outputLength; i++ {
		l := termStringWidth(output[i], in.colors)
		dataLen[i] = l
		totalLength += l + separatorSpace
		if maxLength < l {
			maxLength = l
		}
	}
	actualMax := maxLength + separatorSpace
	if actualMax*3+in.indentLvl < in.breakLength &&
		(float64(totalLength)/float64(actualMax) > 5 || maxLength <= 6) {
		const approxCharHeights = 2.5
		averageBias := math.Sqrt(float64(actualMax) - float64(totalLength)/float64(len(output)))
		biasedMax := math.Max(float64(actualMax)-3-averageBias, 1)
		columns := min(
			int(math.Round(math.Sqrt(approxCharHeights*biasedMax*float64(outputLength))/biasedMax)),
			(in.breakLength-in.indentLvl)/actualMax,
			inspCompact*4,
			15,
		)
		if columns <= 1 {
			return output
		}
		var tmp []string
		maxLineLength := make([]int, 0, columns)
		for i := 0; i < columns; i++ {
			lineMax := 0
			for j := i; j < outputLength; j += columns {
				if dataLen[j] > lineMax {
					lineMax = dataLen[j]
				}
			}
			maxLineLength = append(maxLineLength, lineMax+separatorSpace)
		}
		padStart := true
		if numericAt != nil {
			for i := 0; i < len(output); i++ {
				if !numericAt(i) {
					padStart = false
					break
				}
			}
		}
		for i := 0; i < outputLength; i += columns {
			maxI := min(i+columns, outputLength)
			var sb strings.Builder
			j := i
			for ; j < maxI-1; j++ {
				padding := maxLineLength[j-i] + jsLength(output[j]) - dataLen[j]
				if padStart {
					sb.WriteString(padStartJS(output[j]+", ", padding))
				} else {
					sb.WriteString(padEndJS(output[j]+", ", padding))
				}
			}
			if padStart {
				padding := maxLineLength[j-i] + jsLength(output[j]) - dataLen[j] - separatorSpace
				sb.WriteString(padStartJS(output[j], padding))
			} else {
				sb.WriteString(output[j])
			}
			tmp = append(tmp, sb.String())
		}
		if in.maxArr() < len(output) {
			tmp = append(tmp, output[outputLength])
		}
		output = tmp
	}
	return output
}

func padStartJS(s string, n int) string {
	if l := jsLength(s); l < n {
		return strings.Repeat(" ", n-l) + s
	}
	return s
}

func padEndJS(s string, n int) string {
	if l := jsLength(s); l < n {
		return s + strings.Repeat(" ", n-l)
	}
	return s
}

// jsLength is the length of s in UTF-16 code units, as JS .length.
func jsLength(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// stripSGR strips the SGR sequences the stylizer emits.
func stripSGR(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+2 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j > i+2 && j < len(s) && s[j] == 'm' {
				i = j + 1
				continue
			}
		}
		sb.WriteByte(s[i])
		i++
	}
	return sb.String()
}

// termStringWidth approximates getStringWidth: the number of terminal columns.
func termStringWidth(s string, removeControl bool) int {
	if removeControl {
		s = stripSGR(s)
	}
	w := 0
	for _, r := range s {
		switch {
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0x300 && r <= 0x36f || r >= 0x200b && r <= 0x200f ||
			r >= 0x20d0 && r <= 0x20ff || r >= 0xfe00 && r <= 0xfe0f || r >= 0xfe20 && r <= 0xfe2f ||
			r >= 0xe0100 && r <= 0xe01ef:
		case isFullWidthRune(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

func isFullWidthRune(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
		r >= 0x2e80 && r <= 0x3247 && r != 0x303f || r >= 0x3250 && r <= 0x4dbf ||
		r >= 0x4e00 && r <= 0xa4c6 || r >= 0xa960 && r <= 0xa97c || r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff || r >= 0xfe10 && r <= 0xfe19 || r >= 0xfe30 && r <= 0xfe6b ||
		r >= 0xff01 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6 || r >= 0x1b000 && r <= 0x1b001 ||
		r >= 0x1f200 && r <= 0x1f251 || r >= 0x1f300 && r <= 0x1f64f || r >= 0x20000 && r <= 0x3fffd)
}

// StringWidth is Node's getStringWidth(s): the columns s takes in a
// terminal, ANSI color sequences removed, full-width characters counting
// two and combining or zero-width ones none. A pure function: any
// goroutine.
func StringWidth(s string) int { return termStringWidth(s, true) }
