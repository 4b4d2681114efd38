package guard

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// replaceVM is a VM with the other guards and the replace guard, capped at
// maxStr UTF-16 units (0: the default cap).
func replaceVM(t testing.TB, maxStr int64) *goja.Runtime {
	vm := goja.New()
	if err := Install(vm, Config{}); err != nil {
		t.Fatalf("Install: %v", err)
	}
	if maxStr == 0 {
		maxStr = DefaultMaxAllocBytes / 2
	}
	g := &guards{vm: vm, maxBuf: maxStr * 2, maxStr: maxStr, maxLen: maxStr / 4}
	g.rangeError = vm.Get("RangeError").(*goja.Object)
	g.guardReplace(vm.Get("String").(*goja.Object).Get("prototype").(*goja.Object))
	g.ensureRegExp() // its RegExp.prototype[Symbol.replace] wrap, over Install's
	return vm
}

func tryJS(src string) string {
	return `(function(){ try { var res$ = (function(){ ` + src + ` })(); return typeof res$ + ":" + String(res$) } catch (e) { return "throw:" + (e instanceof RangeError ? "RangeError" : String(e)) } })()`
}

func runJS(t testing.TB, vm *goja.Runtime, src string) string {
	v, err := vm.RunString(tryJS(src))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v.String()
}

func TestReplaceGuardHostile(t *testing.T) {
	cases := []string{
		`return 'x'.repeat(1e5).replaceAll('x', 'y'.repeat(1e5))`,
		"return 'x'.repeat(2e4).replaceAll('x', '$`')",
		"return 'x'.repeat(2e4).replaceAll('x', \"$'\")",
		"return 'x'.repeat(2e4).replaceAll('', '$`')",
		"return 'x'.repeat(2e4).replace(/x/g, '$`')",
		"return 'x'.repeat(2e4).replaceAll(/x/g, \"$'\")",
		"return 'x'.repeat(2e4).replace(/(x)/g, '$1'.repeat(1e4))",
		"return 'a'.repeat(1e5).replace(/(?<n>a+)/g, '$<n>'.repeat(2000))",
		"return 'x'.repeat(1e5).replace(/(?:)/g, 'y'.repeat(2000))",
		"return 'x'.repeat(1e5).replace(/x/g, function(){ return 'y'.repeat(1e5) })",
		"var big = 'y'.repeat(1e5); return 'x'.repeat(1e5).replaceAll('x', () => big)",
		"var big = 'y'.repeat(1e5); return 'x'.repeat(1e5).replaceAll('x', () => ({toString(){ return big }}))",
		"return 'x'.repeat(1e5).replaceAll('x', {toString(){ return 'y'.repeat(2000) }})",
		"return RegExp.prototype[Symbol.replace].call(/x/g, 'x'.repeat(2e4), '$`')",
		"return 'x'.repeat(2e4).replaceAll({toString(){ return 'x' }}, '$`')",
		"return 'x'.repeat(2e4).replace({toString(){ return 'x'.repeat(2e4) }}, '$&'.repeat(1e4))",
		"return String.prototype.replaceAll.call({toString(){ return 'x'.repeat(2e4) }}, 'x', '$`')",
		// exec in user code: captures and match count unbounded by the input
		`var big = 'y'.repeat(1e5), n = 0, re = /x/g;
		 re.exec = function(){ return n++ < 2000 ? {0: '', 1: big, index: 0, length: 2} : null };
		 return 'x'.replace(re, '$1')`,
		`var big = 'y'.repeat(1e5), n = 0;
		 class R extends RegExp { exec(){ return n++ < 2000 ? {0: '', index: 0, length: 1} : null } }
		 return 'x'.replace(new R('x', 'g'), big)`,
		`var big = 'y'.repeat(1e5), n = 0, re = /x/g;
		 Object.defineProperty(re, 'flags', {get(){ re.exec = function(){ return n++ < 2000 ? {0: '', 1: big, index: 0, length: 2} : null }; return 'g' }});
		 return 'x'.replace(re, '$1')`,
		`var big = 'y'.repeat(1e5), re = /(x)/;
		 re.exec = function(){ return {0: 'x', 1: big, index: 0, length: 2} };
		 return 'x'.replace(re, '$1'.repeat(2000))`,
	}
	// A 8M-unit cap (MaxAllocBytes 16 MB) keeps the race-enabled run short: the
	// prefix built before the throw is proportional to the cap.
	vm := replaceVM(t, 1<<23)
	for _, src := range cases {
		start := time.Now()
		if got := runJS(t, vm, src); got != "throw:RangeError" {
			t.Errorf("%s: got %.100s, want RangeError", src, got)
		}
		if d := time.Since(start); d > hangBound {
			t.Errorf("%s: took %v", src, d)
		}
	}
}

var replaceNormalCases = []string{
	`return 'abcabc'.replace('b', 'X')`,
	`return 'abcabc'.replaceAll('b', 'X')`,
	"return 'abcabc'.replaceAll('b', '[$&|$`|$\\'|$$|$1|$<n>|$]')",
	"return 'abcabc'.replace('b', '[$&|$`|$\\'|$$|$0|$01|$<n>|$')",
	`return 'abc'.replaceAll('', '-')`,
	`return 'abc'.replace('', '$&-$')`,
	`return ''.replaceAll('', 'x')`,
	`return 'aaa'.replaceAll('aa', 'b')`,
	`return 'a.b.c'.replaceAll('.', '$$')`,
	`return 'John Smith'.replace(/(\w+)\s(\w+)/, '$2, $1')`,
	`return '2020-01-02'.replace(/(?<y>\d+)-(?<m>\d+)-(?<d>\d+)/, '$<d>/$<m>/$<y> $<zz> $<y')`,
	`return 'aXbXc'.replace(/x/gi, '[$&]')`,
	`return 'aXbXc'.replaceAll(/x/gi, '$\'')`,
	`return 'abc'.replace(/(?:)/g, '-')`,
	`return '\u{1F600}\u{1F600}'.replace(/(?:)/gu, '-')`,
	`return '\u{1F600}\u{1F600}'.replace(/(?:)/g, '-').length`,
	`var re = /a/y; re.lastIndex = 1; var r = 'aaba'.replace(re, 'X'); return r + re.lastIndex`,
	`var re = /a/gy; return 'aaba'.replace(re, 'X') + re.lastIndex`,
	`var re = /a/g; re.lastIndex = 3; return 'aaba'.replace(re, 'X') + re.lastIndex`,
	`return 'abc'.replaceAll(/b/, 'X')`,
	`return 'abc'.replaceAll({[Symbol.match]: true, flags: 'i'}, 'X')`,
	`return 'abc'.replaceAll({[Symbol.match]: true, flags: null}, 'X')`,
	`return 'abc'.replaceAll({[Symbol.match]: true, flags: 'g', toString(){ return 'b' }}, 'X')`,
	`return 'abc'.replace({[Symbol.replace]: 5}, 'X')`,
	`var f = function(){}; return 'abc'.replace({[Symbol.replace](s, r){ return [this.tag, s, r === f].join() }, tag: 't'}, f)`,
	`return 'abc'.replace({[Symbol.replace](s, r){ return typeof r + r }}, 'X')`,
	`return 'abc'.replace({toString(){ return 'b' }}, 'X')`,
	`return 'abc'.replace(null, 'X') + 'anullb'.replace(null, 'X')`,
	`return 'a1b'.replace(1, '$&$&')`,
	`return String.prototype.replace.call(12321, 2, '$\'')`,
	`return String.prototype.replace.call(null, 'a', 'b')`,
	`return String.prototype.replace.call(Symbol(), 'a', 'b')`,
	`return 'abc'.replace(Symbol(), 'b')`,
	`return 'abc'.replace('b', Symbol())`,
	`return 'abc'.replace(/b/, Symbol())`,
	`return RegExp.prototype[Symbol.replace].call('x', 'abc', 'b')`,
	`return RegExp.prototype[Symbol.replace].call(/b/, Symbol(), 'b')`,
	`return RegExp.prototype[Symbol.replace].call(/b/, {toString(){ return 'abc' }}, '[$&]')`,
	`return RegExp.prototype[Symbol.replace].call(/b/)`,
	`return 'abc'.replace(/b/)`,
	`return 'abc'.replace('b')`,
	`return 'abc'.replace()`,
	`return 'abcb'.replace(/(b)/g, function(m, p1, off, s){ return [this === undefined, m, p1, off, s, arguments.length].join() })`,
	`return 'abcb'.replace(/(?<n>b)/g, function(){ var g = arguments[arguments.length-1]; return JSON.stringify(g) + Object.getPrototypeOf(g) })`,
	`return 'abcb'.replaceAll('b', function(){ return [].join.call(arguments) })`,
	`return 'abcb'.replaceAll('b', function(){ return 1 }) + 'abc'.replace('b', () => undefined) + 'abc'.replace('b', () => null)`,
	`return 'abc'.replace('b', () => ({toString(){ return 'T' }, valueOf(){ return 'V' }}))`,
	`return 'abc'.replace('b', () => Symbol())`,
	`return 'abc'.replace('b', () => { throw new Error('boom') })`,
	`return 'abc'.replace(/b/, () => ({toString(){ return Symbol() }}))`,
	`var log = []; var t = {toString(){ log.push('this'); return 'abc' }}; var s = {toString(){ log.push('search'); return 'b' }};
	 var r = {toString(){ log.push('repl'); return 'X' }};
	 return String.prototype.replace.call(t, s, r) + log.join()`,
	`var log = []; var t = {toString(){ log.push('this'); return 'abc' }};
	 var s = {get [Symbol.replace](){ log.push('get@@replace') }, get [Symbol.match](){ log.push('get@@match') }, get flags(){ log.push('flags'); return 'g' }, toString(){ log.push('search'); return 'b' }};
	 return String.prototype.replaceAll.call(t, s, 'X') + String.prototype.replace.call(t, s, 'X') + log.join()`,
	`var log = []; var s = {get [Symbol.match](){ log.push('get@@match'); return true }, get flags(){ log.push('flags'); return {toString(){ log.push('flagsToString'); return 'i' }} }};
	 try { 'abc'.replaceAll(s, 'X') } catch (e) { log.push(String(e)) } return log.join()`,
	`var log = []; var p = new Proxy(/b/g, {get(t, k, r){ log.push(String(k)); var v = Reflect.get(t, k, t); return typeof v === 'function' ? v.bind(t) : v }});
	 return 'abcb'.replaceAll(p, 'X') + log.join()`,
	`var re = /b/g; re.exec = function(s){ var r = RegExp.prototype.exec.call(this, s); if (r) r.groups = {a: 'G'}; return r }; return 'abcb'.replace(re, '[$<a>|$<b>|$&]')`,
	`var re = /b/g; re.exec = function(s){ var r = RegExp.prototype.exec.call(this, s); if (r) r.groups = null; return r }; return 'abcb'.replace(re, '[$&]')`,
	`var n = 0, re = /b/g; re.exec = function(){ return n++ < 3 ? {0: 'bcd', index: n, length: 1} : null }; return 'abcdef'.replace(re, '[$&$\'$\x60]')`,
	`var n = 0, re = /b/g; re.exec = function(){ return n++ < 3 ? {0: 'b', 1: 7, 2: {toString(){ return 'T' }}, index: -5, length: 3} : null }; return 'abcdef'.replace(re, '[$1$2$3$&]')`,
	`var n = 0, re = /b/g; var log = []; re.exec = function(){ return n++ < 2 ? {0: 'b', index: 1, length: 1, get groups(){ log.push('g'); return {get x(){ log.push('x'); return 'X' }} }} : null }; return 'abc'.replace(re, '$<x>') + log.join()`,
	`class R extends RegExp { exec(s){ return super.exec(s) } } return 'abcb'.replace(new R('(b)', 'g'), '<$1>')`,
	`var re = /b/g; re[Symbol.replace] = function(s, r){ return 'own:' + s + r }; return 'abc'.replace(re, 'X')`,
	`return String.prototype.replace.name + String.prototype.replace.length + String.prototype.replaceAll.name + String.prototype.replaceAll.length + RegExp.prototype[Symbol.replace].name + RegExp.prototype[Symbol.replace].length`,
	`return JSON.stringify([Object.getOwnPropertyDescriptor(String.prototype, 'replace'), Object.getOwnPropertyDescriptor(RegExp.prototype, Symbol.replace)].map(d => [d.writable, d.enumerable, d.configurable]))`,
	`return 'ab\uD800cd'.replace(/(?:)/g, '\uDC00$&')`,
	`return 'x'.repeat(20).replaceAll('x', '$\x60').length`,
	`return 'x'.repeat(20).replace(/x/g, '$\'').length`,
	`return 'axbxc'.replace(/x/g, '$').replace(/b/g, '$$$')`,
	`return 'aaaa'.replace(/(?=(a+))/g, '[$1]')`,
	`return 'aaaa'.replace(/(a)|(b)/g, '[$2$1$02$10$99]')`,
}

// Guarded results equal an unguarded VM's, with the default cap and with a
// small one that sends most cases through the substituting path.
func TestReplaceGuardTransparent(t *testing.T) {
	plain := goja.New()
	for _, maxStr := range []int64{0, 300} {
		vm := replaceVM(t, maxStr)
		for _, src := range replaceNormalCases {
			want := runJS(t, plain, src)
			if got := runJS(t, vm, src); got != want {
				t.Errorf("cap %d: %s:\n got %q\nwant %q", maxStr, src, got, want)
			}
		}
	}
}

// With a small cap: results that fit are returned, results over it throw.
func TestReplaceGuardCap(t *testing.T) {
	vm := replaceVM(t, 100)
	cases := []struct {
		src  string
		fits bool
	}{
		{`return 'x'.repeat(100).replaceAll('x', 'y')`, true},
		{`return 'x'.repeat(100).replace(/x/g, 'y')`, true},
		{`return 'x'.repeat(50).replace(/x/g, '$&$&')`, true},
		{`return 'x'.repeat(51).replace(/x/g, '$&$&')`, false},
		{"return 'x'.repeat(10).replaceAll('x', '$`')", true},  // 45
		{"return 'x'.repeat(15).replaceAll('x', '$`')", false}, // 105
		{`return 'x'.repeat(300).replace(/x+/, '')`, true},
		{`return 'x'.repeat(300).replaceAll('x', '')`, true},
		{`return 'x'.repeat(300).replace(/x/g, () => '')`, true},
		{`return 'ab'.repeat(30).replace(/b/g, () => 'yy')`, true},
		{`return 'ab'.repeat(30).replace(/b/g, () => 'yyy')`, false},
	}
	for _, c := range cases {
		got := runJS(t, vm, c.src)
		if (got == "throw:RangeError") == c.fits {
			t.Errorf("%s: got %.80s, fits=%v", c.src, got, c.fits)
		}
	}
}

func BenchmarkReplaceRegexp(b *testing.B) {
	for _, guarded := range []bool{false, true} {
		b.Run(fmt.Sprint("guarded=", guarded), func(b *testing.B) {
			vm := goja.New()
			if guarded {
				vm = replaceVM(b, 0)
			}
			prog := goja.MustCompile("", `'a b  c   d '.repeat(1000).replace(/\s+/g, ' ')`, false)
			for b.Loop() {
				if _, err := vm.RunProgram(prog); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// replaceOracle runs the replacement unguarded and reports its result and
// whether the guard capped at maxStr must throw: some replacement grows
// the result's running length (result so far plus the rest of S) over it.
func replaceOracle(t *testing.T, vm *goja.Runtime, expr string, s string, function bool, maxStr int64) (string, bool) {
	want := runJS(t, vm, "return "+expr)
	var rec goja.Value
	var err error
	if function {
		rec, err = vm.RunString(`(function(){ var rec = []; var f0 = f; f = function(){ var v = String(f0.apply(undefined, arguments)); var a = arguments, i = typeof a[a.length-2] === 'number' ? a.length-2 : a.length-3; rec.push(a[i], a[0].length, v.length); return v };
			try { ` + expr + ` } catch (e) { return null } finally { f = f0 } return rec.join() })()`)
	} else {
		rec, err = vm.RunString(`(function(){ var r0 = r; r = '\uE000$&\uE001' + r + '\uE002'; try { return ` + expr + ` } catch (e) { return null } finally { r = r0 } })()`)
	}
	if err != nil {
		t.Fatal(err)
	}
	if goja.IsNull(rec) {
		return want, false
	}
	ls := int64(len(utf16Of(s)))
	var steps [][3]int64 // position, match length, replacement length
	if function {
		if str := rec.String(); str != "" {
			var nums []int64
			for _, f := range strings.Split(str, ",") {
				var n int64
				fmt.Sscan(f, &n)
				nums = append(nums, n)
			}
			for i := 0; i+2 < len(nums); i += 3 {
				steps = append(steps, [3]int64{nums[i], nums[i+1], nums[i+2]})
			}
		}
	} else {
		u := utf16Of(rec.String())
		var src int64
		for i := 0; i < len(u); i++ {
			if u[i] != 0xE000 {
				src++
				continue
			}
			j := i + 1
			for u[j] != 0xE001 {
				j++
			}
			k := j + 1
			for u[k] != 0xE002 {
				k++
			}
			steps = append(steps, [3]int64{src, int64(j - i - 1), int64(k - j - 1)})
			src += int64(j - i - 1)
			i = k
		}
	}
	total, next := ls, int64(0)
	for _, st := range steps {
		if st[0] < next {
			continue
		}
		meff := max(0, min(st[1], ls-st[0]))
		d := st[2] - meff
		total += d
		next = st[0] + st[1]
		if d > 0 && total > maxStr {
			return want, true
		}
	}
	return want, false
}

func utf16Of(s string) []uint16 {
	var u []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			u = append(u, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
		} else {
			u = append(u, uint16(r))
		}
	}
	return u
}

func FuzzReplaceGuard(f *testing.F) {
	f.Add("abcabc", "b", "[$&]", uint8(0))
	f.Add("abcabc", "b", "$`$'", uint8(1))
	f.Add("aaaa", "", "$$-$0$1", uint8(1))
	f.Add("John Smith", `(\w+)\s(\w+)`, "$2, $1", uint8(2))
	f.Add("2020-01-02", `(?<y>\d+)-(?<m>\d+)`, "$<m>/$<y>$<q>$<", uint8(3))
	f.Add("aXbXc", "x", "$'$'$'", uint8(3|4))
	f.Add("aaaa", "(?=(a+))", "[$1$01$10]", uint8(2|4))
	f.Add("xyz", "(?:)", "-", uint8(3|8))
	f.Add("abab", "a|(b)", "<$1>", uint8(6|16))
	f.Add("\U0001F600\U0001F600", "", "$&!", uint8(2|4|32))
	f.Fuzz(func(t *testing.T, s, q, r string, mode uint8) {
		if !utf8.ValidString(s+q+r) || len(s) > 24 || len(q) > 12 || len(r) > 24 {
			t.Skip()
		}
		if strings.ContainsAny(s+q+r, "\uE000\uE001\uE002") {
			t.Skip()
		}
		function := mode&16 != 0
		flags := ""
		if mode&4 != 0 {
			flags += "g"
		}
		if mode&8 != 0 {
			flags += "i"
		}
		if mode&32 != 0 {
			flags += "u"
		}
		if mode&64 != 0 {
			flags += "y"
		}
		search := "q"
		if mode&2 != 0 {
			search = "new RegExp(q, '" + flags + "')"
		}
		method := "replace"
		if mode&1 != 0 {
			method = "replaceAll"
		}
		repl := "r"
		if function {
			repl = "f"
		}
		expr := "s." + method + "(" + search + ", " + repl + ")"
		plainExpr := expr
		if mode&3 == 1 && q == "" {
			// goja's own replaceAll('') never ends on a non-ASCII string;
			// the guard does it itself. The unguarded reference is the
			// equivalent global empty regexp.
			plainExpr = "s.replace(/(?:)/g, " + repl + ")"
		}
		plain := goja.New()
		guarded := replaceVM(t, 0)
		const small = 40
		tiny := replaceVM(t, small)
		for _, vm := range []*goja.Runtime{plain, guarded, tiny} {
			vm.Set("s", s)
			vm.Set("q", q)
			vm.Set("r", r)
			if _, err := vm.RunString(`var f = function(m){ return r + arguments.length + m + [].slice.call(arguments, 1, -2).join('|') }`); err != nil {
				t.Fatal(err)
			}
		}
		want, capped := replaceOracle(t, plain, plainExpr, s, function, small)
		if got := runJS(t, guarded, "return "+expr); got != want {
			t.Fatalf("%s (s=%q q=%q r=%q): got %q, want %q", expr, s, q, r, got, want)
		}
		got := runJS(t, tiny, "return "+expr)
		if capped {
			if got != "throw:RangeError" {
				t.Fatalf("cap %d: %s (s=%q q=%q r=%q): got %q, want RangeError (unguarded %q)", small, expr, s, q, r, got, want)
			}
		} else if got != want {
			t.Fatalf("cap %d: %s (s=%q q=%q r=%q): got %q, want %q", small, expr, s, q, r, got, want)
		}
	})
}
