package module

import (
	"strings"
	"testing"
)

// FuzzSourceMapMappings: shiftColumns and the VLQ decoder take any text.
func FuzzSourceMapMappings(f *testing.F) {
	for _, s := range []string{"AAAA;AACA", ";;AAAA,EAAE", "", "////", "gggggggg", "A,,;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := shiftColumns(s)
		if strings.Count(out, ";") != strings.Count(s, ";") {
			t.Fatalf("line count changed: %q -> %q", s, out)
		}
		if vals, ok := decodeVLQ(s); ok {
			back, ok := decodeVLQ(encodeVLQ(vals))
			if !ok || len(back) != len(vals) {
				t.Fatalf("round trip of %v", vals)
			}
		}
	})
}
