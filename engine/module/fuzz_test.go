package module

import (
	"strings"
	"testing"
)

// FuzzRenameDynamicImports: any text, never a panic, and the output differs
// from the input only where "import" became "$mport".
func FuzzRenameDynamicImports(f *testing.F) {
	for _, s := range []string{"import(x)", "a.import(b)", "`${import(a)}`", "import.meta", "'import('", "/import(/", "import\n(x)", "(import)(x)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<12 {
			return
		}
		code := "(async function(){" + s + "\n})"
		got, err := RenameDynamicImports("f.js", code)
		if err != nil {
			return
		}
		if len(got) != len(code) {
			t.Fatalf("length changed: %q -> %q", code, got)
		}
		for i := 0; i < len(code); i++ {
			if got[i] != code[i] {
				if !strings.HasPrefix(code[i:], "import") || !strings.HasPrefix(got[i:], ImportName) {
					t.Fatalf("changed at %d: %q -> %q", i, code, got)
				}
				i += len("import") - 1
			}
		}
	})
}

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
