package engine

import (
	"errors"
	"strings"
	"testing"
)

// A Go runtime error never shows its text (Go types, internals) to a
// script; other panic values keep theirs, on one line.
func TestPanicErrorMessage(t *testing.T) {
	runtimeErr := func(f func()) (v any) {
		defer func() { v = recover() }()
		f()
		return nil
	}
	var nilMap map[string]*int
	var iface any = "x"
	cases := []struct {
		name  string
		value any
		want  string
	}{
		{"nil dereference", runtimeErr(func() { _ = *nilMap["k"] }), runtimeFault},
		{"index out of range", runtimeErr(func() { s := []int{}; _ = s[len(s)+1-1] }), runtimeFault},
		{"type assertion", runtimeErr(func() { _ = iface.(error) }), runtimeFault},
		{"string", "kaboom", "kaboom"},
		{"error", errors.New("bad thing\nsecond line"), "bad thing"},
		{"empty", "", "Go panic"},
		{"long", strings.Repeat("x", 300), strings.Repeat("x", 200) + "..."},
	}
	for _, c := range cases {
		got := (&PanicError{Value: c.value}).Message()
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
		if strings.Contains(got, "interface conversion") || strings.Contains(got, "runtime error") {
			t.Errorf("%s: Go text reached the message: %q", c.name, got)
		}
	}
}
