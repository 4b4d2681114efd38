package bindings_test

import (
	"os"
	"strings"
	"testing"
)

// TestURLWPT runs the Web Platform Tests' URL parsing and setter data
// through the JS URL class: every parse case (href and every component, or
// a TypeError for a failure) and every setter case.
func TestURLWPT(t *testing.T) {
	parse, err := os.ReadFile("testdata/wpt/urltestdata.json")
	if err != nil {
		t.Fatal(err)
	}
	setters, err := os.ReadFile("testdata/wpt/setters_tests.json")
	if err != nil {
		t.Fatal(err)
	}
	src := `
	const cases = ` + string(parse) + `;
	const setters = ` + string(setters) + `;
	let n = 0, bad = 0;
	const fail = (...a) => { bad++; if (bad <= 20) console.log("FAIL", ...a); };
	for (const c of cases) {
		if (typeof c === "string") continue;
		n++;
		let u;
		try {
			u = c.base === null || c.base === undefined ? new URL(c.input) : new URL(c.input, c.base);
		} catch (e) {
			if (!c.failure) fail(JSON.stringify(c.input), "threw", e.name, e.message);
			else if (!(e instanceof TypeError)) fail(JSON.stringify(c.input), "threw a", e.name);
			continue;
		}
		if (c.failure) { fail(JSON.stringify(c.input), "parsed as", u.href); continue; }
		for (const k of ["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash", "origin"]) {
			if (k in c && u[k] !== c[k]) fail(JSON.stringify(c.input), k, JSON.stringify(u[k]), "want", JSON.stringify(c[k]));
		}
		if ("searchParams" in c && u.searchParams.toString() !== c.searchParams) fail(JSON.stringify(c.input), "searchParams", u.searchParams.toString());
		if (URL.canParse(c.input, c.base ?? undefined) !== true) fail("canParse", JSON.stringify(c.input));
	}
	for (const [attr, list] of Object.entries(setters)) {
		if (attr === "comment") continue;
		for (const c of list) {
			n++;
			const u = new URL(c.href);
			u[attr] = c.new_value;
			for (const [k, v] of Object.entries(c.expected)) {
				if (u[k] !== v) fail("set", attr, JSON.stringify(c.href), JSON.stringify(c.new_value), k, JSON.stringify(u[k]), "want", JSON.stringify(v));
			}
		}
	}
	console.log("cases", n > 1000, "failures", bad);
	`
	r := runJS(t, src)
	if r.err != nil {
		t.Fatalf("script error: %v\n%s", r.err, r.stderr)
	}
	if !strings.HasSuffix(r.stdout, "cases true failures 0\n") {
		t.Errorf("WPT URL cases failed:\n%s", r.stdout)
	}
}

// TestWebGlobals runs each case as a main isolate; its stdout must be what
// Node prints for the same script.
func TestWebGlobals(t *testing.T) {
	for _, c := range webCases {
		t.Run(c.name, func(t *testing.T) {
			r := runJS(t, c.src)
			if r.err != nil {
				t.Fatalf("error: %v\nstderr: %s", r.err, r.stderr)
			}
			if r.stdout != c.want {
				t.Errorf("stdout:\n%s\nwant (Node):\n%s", r.stdout, c.want)
			}
		})
	}
}
