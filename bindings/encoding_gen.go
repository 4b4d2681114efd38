//go:build ignore

// encoding_gen writes the WHATWG Encoding Standard's multi-byte indexes as
// the compact binary tables that encoding_legacy.go embeds. Run it from
// bindings/ with the directory of a checkout of github.com/whatwg/encoding
// (the index-*.txt files):
//
//	go run encoding_gen.go /path/to/whatwg/encoding
//
// Formats (all little-endian, indexed by pointer from 0):
//   - jis0208, jis0212, euc-kr, gb18030: 2 bytes per pointer, the code
//     point (all in the BMP), 0 for none (no index maps a pointer to U+0000);
//   - big5: 3 bytes per pointer (it has code points past U+FFFF), 0 for none;
//   - gb18030-ranges: 8 bytes per row, the pointer then the code point, in
//     the file's (ascending) order.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run encoding_gen.go WHATWG_ENCODING_DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	for _, t := range []struct {
		name  string
		width int
	}{{"jis0208", 2}, {"jis0212", 2}, {"euc-kr", 2}, {"gb18030", 2}, {"big5", 3}, {"gb18030-ranges", 0}} {
		rows, err := readIndex(filepath.Join(dir, "index-"+t.name+".txt"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var out []byte
		if t.width == 0 {
			for _, r := range rows {
				out = append(out, le(r[0], 4)...)
				out = append(out, le(r[1], 4)...)
			}
		} else {
			max := 0
			for _, r := range rows {
				if r[0] > max {
					max = r[0]
				}
			}
			out = make([]byte, (max+1)*t.width)
			for _, r := range rows {
				if r[1] == 0 || r[1] >= 1<<(8*t.width) {
					fmt.Fprintf(os.Stderr, "%s: pointer %d: code point %#x does not fit\n", t.name, r[0], r[1])
					os.Exit(1)
				}
				copy(out[r[0]*t.width:], le(r[1], t.width))
			}
		}
		if err := os.WriteFile(filepath.Join("encoding_index", t.name+".bin"), out, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func le(v, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

// readIndex parses an index file as the spec says: lines that are empty
// or start with # are skipped; the rest are pointer TAB code point.
func readIndex(path string) ([][2]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][2]int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		p, err1 := strconv.Atoi(strings.TrimSpace(fields[0]))
		c, err2 := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(fields[1]), "0x"), 16, 32)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		rows = append(rows, [2]int{p, int(c)})
	}
	return rows, sc.Err()
}
