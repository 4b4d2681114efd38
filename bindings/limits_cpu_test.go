package bindings_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The JS limits option knows maxTaskWallMs; maxTaskMs, cpuMs and
// maxTaskWallMs each stop a spinning isolate, and none reports less time
// than its limit.
func TestJSTaskTimeLimits(t *testing.T) {
	res := runJS(t, `(async () => {
		for (const limits of [{maxTaskWallMs: 50}, {maxTaskMs: 50}, {cpuMs: 50}]) {
			const got = await Isolate.run(() => { for (;;) {} }, null, {limits}).then(() => "no error", e => e.name + " " + e.limit + " " + e.message);
			console.log(got);
		}
	})()`)
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if res.err != nil || len(lines) != 3 {
		t.Fatalf("got %q, %v", res.stdout, res.err)
	}
	seen := regexp.MustCompile(`limit 50 ms, saw (\d+) ms`)
	for i, limit := range []string{"maxTaskWallMs", "maxTaskMs", "cpuMs"} {
		if !strings.HasPrefix(lines[i], "ResourceLimitError "+limit+" ") {
			t.Errorf("line %d: %q, want a %s ResourceLimitError", i, lines[i], limit)
			continue
		}
		m := seen.FindStringSubmatch(lines[i])
		if m == nil {
			t.Errorf("line %d: %q has no 'limit 50 ms, saw N ms'", i, lines[i])
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n < 50 {
			t.Errorf("%s reported %d ms, under its limit", limit, n)
		}
	}
}
