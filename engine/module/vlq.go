package module

import "strings"

// goja asks go-sourcemap for the original position of a 1-based column,
// and that library counts columns from 0 (and drops a mapping to line 1,
// column 0). shiftColumns adds 1 to every generated and every original
// column of a source map's mappings, so that the positions goja reports are
// the original 1-based ones. Generated columns restart on every line (only
// each line's first segment is absolute); original columns are deltas over
// the whole string, so only the first segment that has one changes.

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func shiftColumns(mappings string) string {
	lines := strings.Split(mappings, ";")
	srcDone := false
	for i, line := range lines {
		if line == "" {
			continue
		}
		segs := strings.Split(line, ",")
		for j, seg := range segs {
			if j > 0 && srcDone {
				break
			}
			vals, ok := decodeVLQ(seg)
			if !ok || len(vals) == 0 {
				return mappings // not ours to fix
			}
			if j == 0 {
				vals[0]++
			}
			if !srcDone && len(vals) >= 4 {
				vals[3]++
				srcDone = true
			}
			segs[j] = encodeVLQ(vals)
		}
		lines[i] = strings.Join(segs, ",")
	}
	return strings.Join(lines, ";")
}

func decodeVLQ(s string) ([]int, bool) {
	var out []int
	shift, v := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(b64, s[i])
		if d < 0 || shift > 60 {
			return nil, false
		}
		v |= (d & 31) << shift
		if d&32 != 0 {
			shift += 5
			continue
		}
		n := v >> 1
		if v&1 != 0 {
			n = -n
		}
		out = append(out, n)
		shift, v = 0, 0
	}
	return out, shift == 0
}

func encodeVLQ(vals []int) string {
	var sb strings.Builder
	for _, n := range vals {
		v := n << 1
		if n < 0 {
			v = (-n << 1) | 1
		}
		for {
			d := v & 31
			v >>= 5
			if v > 0 {
				d |= 32
			}
			sb.WriteByte(b64[d])
			if v == 0 {
				break
			}
		}
	}
	return sb.String()
}
