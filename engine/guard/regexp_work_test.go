package guard

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Each call runs Go's regexp for pattern × subject steps (quadratic for a
// find-all) in one VM instruction. The subject's toString (a native)
// interrupts the runtime, as a kill or a limit would, just before the
// searches start: the guard's searches must stop at their first step.
// Without the guard the searches run to their end (seconds) and the
// interrupt is seen at the script's next instruction instead.
func TestRegexpWorkInterruptible(t *testing.T) {
	for _, expr := range []string{
		`new RegExp("a".repeat(2**15)).test(S)`,
		`new RegExp("a".repeat(2**15)).exec(S)`,
		`RegExp.prototype.exec.call(new RegExp("a".repeat(2**15)), S)`,
		`String.prototype.search.call(S, new RegExp("a".repeat(2**15)))`,
		`new RegExp("a".repeat(2**15))[Symbol.search](S)`,
		`String.prototype.match.call(S, new RegExp("a".repeat(2**15)))`,
		`String.prototype.replace.call(S, /.*b|a/g, "")`,
		`String.prototype.replaceAll.call(S, /.*b|a/g, () => "")`,
		`String.prototype.match.call(S, /.*b|a/g)`,
		`String.prototype.split.call(S, /.*b|a/)`,
		`/.*b|a/[Symbol.split](S, 5)`,
		`RegExp.prototype[Symbol.replace].call(/.*b|a/gu, S, "")`,
		`RegExp.prototype[Symbol.match].call(/\Ba.*b|a/gm, S)`,
		// regexp2's find-alls: a pattern only it runs, and a non-ASCII
		// subject without the u flag.
		`String.prototype.replace.call(S, /.*b|(?<!x)a/g, "")`,
		`String.prototype.match.call(U, /.*b|\u00e9/g)`,
		`String.prototype.split.call(U, /.*b|\u00e9/)`,
	} {
		t.Run(expr, func(t *testing.T) {
			vm := guardedVM(t, Config{})
			interruptingSubject(vm, "S", strings.Repeat("a", 1<<15))
			interruptingSubject(vm, "U", strings.Repeat("\u00e9", 1<<15))
			_, err := vm.RunString(expr)
			var ie *goja.InterruptedError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want the interrupt", err)
			}
			if !strings.Contains(ie.Error(), "<guards-step>") {
				t.Errorf("the interrupt took effect at %q, after the searches, not in them", ie.Error())
			}
		})
	}
}

// interruptingSubject sets the global name to an object whose toString,
// a native, interrupts vm (as a kill or a limit would) and returns
// subject: a built-in given it as its subject has the interrupt pending
// when its own work starts, with no JS step in between.
func interruptingSubject(vm *goja.Runtime, name, subject string) {
	o := vm.NewObject()
	_ = o.Set("toString", func(goja.FunctionCall) goja.Value {
		vm.Interrupt("stop")
		return vm.ToValue(subject)
	})
	_ = vm.Set(name, o)
}

// With the guard's searches done first, every call returns what goja
// returns: find-alls on long subjects with assertions at the positions
// where searches restart (\b, \B, ^ and $ with m), empty matches, the u
// flag on non-ASCII text, sticky, captures, and patterns goja gives
// regexp2.
func TestRegexpWorkSameResults(t *testing.T) {
	cases := []string{
		`var s = "ab cd ".repeat(3000); s.replace(/\b\w/g, c => c.toUpperCase()).slice(0, 40) + s.replace(/\Bb/g, "B").length`,
		`var s = "x\ny\n".repeat(3000); [s.match(/^y$/gm).length, s.split(/^/m).length, s.replace(/$/gm, "!").length].join()`,
		`var s = "aaa-".repeat(3000); [s.match(/a*/g).length, s.split(/a*?/).length, s.replace(/(?:)/g, ".").length].join()`,
		`var s = "\u00e9t\u00e9 ".repeat(3000); [s.match(/\u00e9./gu).length, s.replace(/t/gu, "T").slice(0, 9), s.split(/ /u).length].join()`,
		`var s = "k=v;".repeat(3000); var r = /(\w)=(\w);/y; var n = 0; while (r.exec(s)) n++; [n, s.replace(/(\w)=(\w)/g, "$2=$1").slice(0, 8)].join()`,
		`var s = "ab".repeat(5000); [s.replace(/(?<=a)b/g, "B").slice(0, 6), s.match(/(a)(b)/).slice(1).join()].join()`,
		`var s = "a".repeat(3000) + "b"; [s.replace(/.*b|a/g, "x").length, s.search(/b/), /a{3}b/.test(s)].join()`,
		`class R extends RegExp {}; var s = "xy".repeat(3000); s.replace(new R("y", "g"), "z").slice(0, 6)`,
		// The split by the spec's steps (regexp_split.go), for splitters of
		// the script's making.
		`class R extends RegExp {}; ["a,b,,c".split(new R(",")).join("|"), "a,b,c".split(new R(","), 2).join(), "a1b2c".split(new R("(\\d)")).join()].join(";")`,
		`class R extends RegExp { exec(s) { return super.exec(s) } }; ["a1b22c".split(new R("\\d+")).join(), "".split(new R("x")).length, "".split(new R("")).length].join(";")`,
		`class R extends RegExp {}; ["\ud83d\ude00x\ud83d\ude00".split(new R("", "u")).length, "\ud83d\ude00x".split(new R("")).length, "abc".split(new R(""), 0).length].join()`,
		`var r = /-/; r.constructor = undefined; var q = /-/; q.constructor = {[Symbol.species]: RegExp}; ["a-b".split(r).join(), "c-d".split(q).join()].join()`,
		`var log = []; class R extends RegExp { get flags() { log.push("flags"); return "g" } }; "a b".split(new R(" ")); log.join()`,
		`try { var r = /x/; r.constructor = {[Symbol.species]: 5}; "axb".split(r) } catch (e) { e.name }`,
		`var s = "\u00e9 t".repeat(3000); [s.replace(/t/g, "T").slice(0, 6), s.match(/\u00e9 /g).length, s.split(/ /).length, s.replace(/(?<=\u00e9) /g, "_").slice(0, 4)].join()`,
		`var s = "\ud83d\ude00x".repeat(3000); [s.match(/./gu).length, s.replace(/x/gu, "").length, s.split(/(?:)/u).length].join()`,
	}
	for _, src := range cases {
		plain, guarded := outcome(goja.New(), src), outcome(guardedVM(t, Config{}), src)
		if plain != guarded {
			t.Errorf("%s\nplain:   %s\nguarded: %s", src, plain, guarded)
		}
	}
}

// The guard's search-by-search find-all restarts where Go's does: the
// matches it sees are Go's own, for patterns whose assertions look at the
// character before a restart.
func TestRegexpWorkSearchesAsGo(t *testing.T) {
	g := &guards{}
	for _, c := range []struct{ pat, s string }{
		{`\b\w`, "ab cd ef"}, {`\Ba`, "aab aa a"}, {`(?m)^x`, "x\nxx\nx"}, {`(?m)$`, "a\nb\n"},
		{`a*`, "baaab"}, {`a*?`, "aa"}, {`(?:)`, "h\u00e9llo"}, {`.*b|a`, "aaab"}, {`\b`, "a b"},
		{`[^a]`, "\u00e9a\u00e9"}, {`a|`, "aba"},
	} {
		re := regexp.MustCompile(c.pat)
		var got [][2]int
		g.searchAll(re, g.rxInfoOf(re), &tickReader{s: c.s, tick: func() {}, every: 1}, true, func(a, b int) { got = append(got, [2]int{a, b}) })
		// Go's FindAll drops an empty match right after a match; the
		// searches still start there, and searchAll reports every one.
		var want [][2]int
		for _, m := range re.FindAllStringIndex(c.s, -1) {
			want = append(want, [2]int{m[0], m[1]})
		}
		if fmt.Sprint(dropAdjacentEmpty(got)) != fmt.Sprint(want) {
			t.Errorf("%q on %q: searches found %v, Go %v", c.pat, c.s, got, want)
		}
	}
}

func dropAdjacentEmpty(ms [][2]int) [][2]int {
	var out [][2]int
	prev := -1
	for _, m := range ms {
		if !(m[0] == m[1] && m[0] == prev) {
			out = append(out, m)
		}
		prev = m[1]
	}
	return out
}

// BenchmarkRegexpWork: a global replace on a 10 KB subject with an
// unbounded repetition (over the threshold: the searches are done twice),
// one with none (a bounded match: only the check), and a test on a short
// subject, guarded and not.
func BenchmarkRegexpWork(b *testing.B) {
	benchGuarded(b, `var html = "<p>some <b>text</b></p> ".repeat(400); var short = "user@example.com";`, []benchCase{
		{"replace-10KB-unguarded", false, `html.replace(/<[^>]*>/g, "")`},
		{"replace-10KB-guarded", true, `html.replace(/<[^>]*>/g, "")`},
		{"escape-10KB-unguarded", false, `html.replace(/[<>&"]/g, "_")`},
		{"escape-10KB-guarded", true, `html.replace(/[<>&"]/g, "_")`},
		{"test-short-unguarded", false, `/^[\w.]+@[\w.]+$/.test(short)`},
		{"test-short-guarded", true, `/^[\w.]+@[\w.]+$/.test(short)`},
	})
}

// BenchmarkRegexp2Work: a global replace on a 12 KB non-ASCII subject,
// which goja gives regexp2 (over regexp2WorkMin: the matches are found
// twice), guarded and not.
func BenchmarkRegexp2Work(b *testing.B) {
	benchGuarded(b, `var text = "caf\u00e9 cr\u00e8me ".repeat(1000);`, []benchCase{
		{"replace-non-ascii-unguarded", false, `text.replace(/\u00e9/g, "e")`},
		{"replace-non-ascii-guarded", true, `text.replace(/\u00e9/g, "e")`},
	})
}

// The searches done first count the matches, and a find-all whose list
// would pass the allocation cap (~160 bytes a match) is a RangeError
// before goja lists them, on both engines; under it, the result is goja's.
func TestRegexpListBound(t *testing.T) {
	vm := guardedVM(t, Config{MaxAllocBytes: 16 << 20}) // ~100,000 matches
	expectRangeErrors(t, vm, []string{
		`"x".repeat(2**17).match(/x/g)`,
		`"x".repeat(2**17).replace(/x/g, "y")`,
		`"x".repeat(2**17).replaceAll(/x/g, () => "y")`,
		`"x".repeat(2**17).split(/(?:)/)`,
		`"\u00e9".repeat(2**17).match(/\u00e9/g)`,
		`"x".repeat(2**17).match(/(?<=x)|x/g)`,
	})
	v, err := vm.RunString(`["x".repeat(2**16).match(/x/g).length, "\u00e9".repeat(2**16).split(/(?:)/).length].join()`)
	if err != nil || v.String() != "65536,65536" {
		t.Errorf("under the cap: %v %v", v, err)
	}
}

// maxSpan is the longest match, and infinite exactly when a repetition of
// something non-empty is unbounded: the find-all bound relies on it.
func TestRegexpMaxSpan(t *testing.T) {
	for _, c := range []struct {
		pat  string
		want float64
	}{
		{`abc`, 3}, {`[<>&"]`, 1}, {`a|bcd|ef`, 3}, {`(a)(bc)?`, 3}, {`x{3,5}`, 5}, {`\bword\b`, 4}, {`^$`, 0},
		{`(?:)*`, 0}, {`\b*`, 0}, {`a*`, math.Inf(1)}, {`<[^>]*>`, math.Inf(1)}, {`.+`, math.Inf(1)}, {`x{2,}`, math.Inf(1)},
		{`(?:a|b*)c`, math.Inf(1)},
	} {
		p, err := syntax.Parse(c.pat, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if got := maxSpan(p); got != c.want {
			t.Errorf("%s: %v, want %v", c.pat, got, c.want)
		}
	}
}

// exec, test and @@search check this before they convert the argument,
// with the guard inside them as without.
func TestRegexpWorkReceiverFirst(t *testing.T) {
	for _, m := range []string{"exec", "test", "[Symbol.search]"} {
		src := `var n = 0; try { RegExp.prototype` + map[bool]string{true: "", false: "."}[m[0] == '['] + m + `.call({}, {toString() { n++; return "x".repeat(100) }}) } catch (e) { e.name + n }`
		plain, guarded := outcome(goja.New(), src), outcome(guardedVM(t, Config{}), src)
		if plain != guarded {
			t.Errorf("%s\nplain:   %s\nguarded: %s", src, plain, guarded)
		}
	}
}
