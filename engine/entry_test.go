package engine

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// A function source placed at Line:Column reports its errors at positions
// of its file: the wrapper and padding never shift them, on the first line
// or the next ones, for expressions and methods alike.
func TestFunctionSourcePositions(t *testing.T) {
	cases := []struct {
		name      string
		code      string
		line, col int
		want      string // position of the throw
	}{
		{"no position", "() => {\n  null.x }", 0, 0, "f.js:2:8"},
		{"line 8, column 12, error on a later line", "() => {\n  null.x }", 8, 12, "f.js:9:8"},
		{"error on the first line", "() => null.x", 3, 20, "f.js:3:31"},
		{"column 1 of line 5", "() => null.x", 5, 1, "f.js:5:12"},
		{"column 2 of line 1", "() => null.x", 1, 2, "f.js:1:13"},
		{"line 1, column 1 arrow", "() => null.x", 1, 1, "f.js:1:12"},
		{"line 1, column 1 declaration", "function f() { null.x }", 1, 1, "f.js:1:21"},
		{"method on its line", "m() { null.x }", 4, 7, "f.js:4:18"},
		{"method at column 1", "m() { null.x }", 4, 1, "f.js:4:12"},
		{"private method", "#m() { null.x }", 2, 3, "f.js:2:15"},
	}
	h := NewHost(WithStdout(io.Discard), WithStderr(io.Discard))
	defer h.Shutdown(context.Background())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iso, err := h.Spawn(Source{Kind: SourceFunction, Code: c.code, Filename: "f.js", Line: c.line, Column: c.col})
			if err != nil {
				t.Fatalf("spawn: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var se *ScriptError
			if err := iso.Wait(ctx); !errors.As(err, &se) || se.Name != "TypeError" {
				t.Fatalf("err %v, want a TypeError", err)
			}
			if !strings.Contains(se.Stack, c.want+"(") {
				t.Errorf("stack %q, want the throw at %s", se.Stack, c.want)
			}
		})
	}
}

// A syntax error in a placed function source is reported at its position
// in the file.
func TestFunctionSourceSyntaxErrorPosition(t *testing.T) {
	h := NewHost(WithStdout(io.Discard), WithStderr(io.Discard))
	_, err := h.Spawn(Source{Kind: SourceFunction, Code: "() => {\n  let = ; }", Filename: "f.js", Line: 6, Column: 9})
	var se *ScriptError
	if !errors.As(err, &se) || se.Name != "SyntaxError" || !strings.Contains(se.Message, "Line 7:") {
		t.Fatalf("err %v, want a SyntaxError on line 7", err)
	}
}

// TestSpawnRefusesHugeBigIntConstants: every compile path of Spawn checks
// BigInt constants before goja folds them (which would end the process):
// scripts, functions, methods and a function at the start of its file.
func TestSpawnRefusesHugeBigIntConstants(t *testing.T) {
	h := NewHost()
	defer h.Shutdown(context.Background())
	for _, src := range []Source{
		ScriptSource("s.js", "function g() { return 1n << (2n ** 40n) }"),
		FunctionSource("() => { function g() { return 1n << (2n ** 40n) } }"),
		{Kind: SourceFunction, Code: "f() { return 3n ** (2n ** 27n) }", Filename: "m.js", Line: 3, Column: 5},
		{Kind: SourceFunction, Code: "function f() { return 1n << (2n ** 40n) }", Filename: "start.js", Line: 1, Column: 1},
	} {
		_, err := h.Spawn(src)
		var se *ScriptError
		if !errors.As(err, &se) || se.Name != "RangeError" {
			t.Errorf("%q: %v, want a RangeError", src.Code, err)
		}
	}
}
