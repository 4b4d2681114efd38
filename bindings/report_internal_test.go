package bindings

import (
	"fmt"
	"strings"
	"testing"
)

// Deep stacks print folded: identical frames in a run become one frame and
// a count, and a long stack keeps its head and tail.
func TestStackLines(t *testing.T) {
	rep := func(f string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f
		}
		return out
	}
	alternating := make([]string, 100)
	for i := range alternating {
		alternating[i] = []string{"a (x.js:1:1)", "b (x.js:2:1)"}[i%2]
	}
	cases := []struct {
		name   string
		frames []string
		want   []string // nil: only the length and the markers are checked
		lines  int
	}{
		{"short", []string{"f (x.js:1:1)", "g (x.js:2:1)"}, []string{"at f (x.js:1:1)", "at g (x.js:2:1)"}, 2},
		{"three repeats stay", rep("f (x.js:1:1)", 3), rep("at f (x.js:1:1)", 3), 3},
		{"recursion folds", append(rep("f (x.js:1:1)", 10000), "x.js:3:1"),
			[]string{"at f (x.js:1:1)", "... the frame above 9999 more times", "at x.js:3:1"}, 3},
		{"mutual recursion is cut", alternating, nil, keepHead + 1 + keepTail},
	}
	for _, c := range cases {
		got := stackLines(c.frames)
		if len(got) != c.lines {
			t.Errorf("%s: %d lines, want %d: %q", c.name, len(got), c.lines, got)
			continue
		}
		if c.want != nil && strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
		if c.want == nil && (got[keepHead] != fmt.Sprintf("... %d more frames", 100-keepHead-keepTail) || got[len(got)-1] != "at b (x.js:2:1)") {
			t.Errorf("%s: got %q", c.name, got)
		}
	}
}
