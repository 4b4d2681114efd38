package bindings_test

import (
	"strings"
	"testing"
)

// Concurrent reads resolve in the order they were made, with the lines in
// input order; a pending read keeps the isolate alive. Each case runs
// several times: with one goroutine per read the order was right about one
// run in eight.
func TestStdinReadsInOrder(t *testing.T) {
	cases := []struct {
		name, src, stdin, want string
	}{
		{"Promise.all of three", `Promise.all([stdin.readLine(), stdin.readLine(), stdin.readLine()]).then(v => console.log(v.join(",")));`,
			"L1\nL2\nL3\n", "L1,L2,L3"},
		{"resolution order", `const got = [], ps = []; for (let i = 0; i < 6; i++) ps.push(stdin.readLine().then(l => got.push(i + ":" + l))); Promise.all(ps).then(() => console.log(got.join(" ")));`,
			"a\nb\nc\nd\ne\nf\n", "0:a 1:b 2:c 3:d 4:e 5:f"},
		{"past EOF", `Promise.all([stdin.readLine(), stdin.readLine(), stdin.readLine(), stdin.readLine()]).then(v => console.log(JSON.stringify(v)));`,
			"x\ny", `["x","y",null,null]`},
		{"first, then readLine", `Promise.all([stdin.readLine(), stdin.first, stdin.readLine()]).then(v => console.log(v.join(",")));`,
			"1\n2\n3\n", "1,2,3"},
		{"a pending read keeps the isolate alive", `stdin.readLine().then(l => stdin.readLine()).then(l => console.log("second", l));`,
			"one\ntwo\n", "second two"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for run := 0; run < 8; run++ {
				res := runJSWith(t, c.src, c.stdin)
				got := strings.TrimSuffix(res.stdout, "\n")
				want := c.want
				if got != want {
					t.Fatalf("run %d: stdout %q, want %q (stderr %q)", run, res.stdout, want, res.stderr)
				}
			}
		})
	}
}
