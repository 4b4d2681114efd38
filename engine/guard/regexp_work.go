package guard

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"regexp/syntax"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// The work of Go's regexp, bounded by the isolate's own limits.
//
// goja runs a pattern Go's regexp package can express on Go's regexp,
// inside one VM instruction, so neither an interrupt (maxTaskMs, cpuMs, a
// kill) nor anything else reaches it while it runs. Go's regexp is linear
// in the subject, but its NFA takes up to one step per instruction of the
// pattern's program per character: new RegExp("a".repeat(2**16)) matched
// against "a".repeat(2**16) took 16 s. A find-all (match, replace and
// split of a global regexp) searches again from the end of each match,
// and a search can read the rest of the subject before it settles for
// the match it has: "a".repeat(40000).replace(/.*b|a/g, "") took 30 s,
// quadratic in the subject, with a six-character pattern.
//
// So when a call's worst case (program × subject steps, × the subject
// again for a find-all) is more than regexpWorkMin, the guard first does
// the same searches itself, through a reader that runs one JS step every
// regexpTick NFA steps' worth of characters: a pending interrupt stops it there, as it stops
// any loop. Only a call whose searches finished is handed to goja, which
// then does at most the work just done (the same engine, program and
// subject, searched from the same positions: a search that goja starts
// after a match is done here with the character before it as context, by
// a pattern that consumes that character and then searches lazily). The
// cost is that such calls do their searches twice; calls under the
// threshold, the usual case, pay only the check.
//
// Patterns goja gives regexp2 (lookbehind, backreferences, and any search
// that does not start at 0: exec with a lastIndex, a non-ASCII subject's
// find-all) are bounded per match by MaxRegexpMatch (regexp_timeout.go).
const (
	regexpWorkMin = 1 << 26 // NFA steps (~0.25 s) a call may take unchecked
	regexpTick    = 1 << 20 // NFA steps (~4 ms) between two interrupt checks, at most
)

// rxInfo is what the work bound knows about one Go regexp.
type rxInfo struct {
	insts int            // instructions of the program
	span  float64        // the longest match, +Inf with an unbounded repetition
	ctx   *regexp.Regexp // \A(?s:.)(?s:.*?)(pattern): a search from after one character of context
}

// rxInfoOf returns (and caches, per runtime, a bounded number of) the
// program size and context pattern of re.
func (g *guards) rxInfoOf(re *regexp.Regexp) *rxInfo {
	if in, ok := g.rxInfos[re]; ok {
		return in
	}
	in := &rxInfo{insts: 1 << 30} // unknown: always checked
	// Estimated from the parse tree (regexp_size.go): compiling the
	// program again would cost as much as goja's compile did.
	in.span = math.Inf(1)
	if p, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		in.insts = int(min(2+progInsts(p), 1<<30))
		in.span = maxSpan(p)
	}
	if g.rxInfos == nil || len(g.rxInfos) >= 256 {
		g.rxInfos = make(map[*regexp.Regexp]*rxInfo)
	}
	g.rxInfos[re] = in
	return in
}

// boundRegexpWork does, interruptibly, the searches goja is about to do
// on s for the RegExp whose compiled form is ri (gojax.RegexpOf, read
// once by the caller): every match if all, else the first, when their
// worst case is over the threshold. It returns normally if they
// finished; a pending interrupt panics out of it, as out of any JS step.
func (g *guards) boundRegexpWork(ri gojax.RegexpInfo, s goja.String, all bool) {
	if s.Length() < 16 {
		return // (16 characters: at most 16 steps an instruction)
	}
	ascii := gojax.StringBytes(s) == int64(s.Length()) // goja's one-byte representation
	if ri.Go == nil || all && !ascii && (!ri.Unicode || !wellFormed(s)) {
		// goja gives this find-all, or every search of this pattern, to
		// regexp2: one match is bounded by MaxRegexpMatch, the list of
		// them is not.
		if all && s.Length() >= regexp2WorkMin {
			g.boundRegexp2Work(ri, s)
		}
		return
	}
	re := ri.Go
	in := g.rxInfoOf(re)
	n := float64(s.Length())
	// A search reads from where it starts to its match, and on while a
	// thread that could still win lives: at most span characters past the
	// match's start when no repetition is unbounded, else to the end. The
	// gaps before the matches do not overlap, so a find-all reads at most
	// n + (n+1)·(span+1) characters, or (n+1)² with an unbounded one.
	worst := float64(in.insts) * (n + 1)
	if all {
		worst = float64(in.insts) * (n + (n+1)*min(in.span+1, n+1))
	}
	// (A find-all that could list more matches than the allocation cap
	// allows is searched first to count them: listBound.)
	if worst <= regexpWorkMin && (!all || n+1 < regexpListMin || (n+1)*costMatch <= float64(g.maxBuf)) {
		return
	}
	// The input goja searches: an ASCII subject's bytes; otherwise a
	// single search reads UTF-16 units (code points with the u flag) and
	// a find-all with the u flag the subject as UTF-8. The UTF-8 text
	// stands for all of these: one rune a unit or code point, as many as
	// goja reads.
	// (Made only here: a call under the threshold copies nothing.)
	str := s.String()
	rd := &tickReader{s: str, tick: g.jsStep, every: max(1, min(4096, regexpTick/in.insts))}
	if !all {
		rd.reset(0)
		re.FindReaderIndex(rd)
		return
	}
	var found int64
	g.searchAll(re, in, rd, false, func(int, int) { found++; g.listBound(found) })
}

// regexpListMin is the fewest matches listBound refuses: a shorter list
// (up to ~10 MB) is allowed whatever the cap, as a reservation is only
// asked for from a megabyte.
const regexpListMin = 1 << 16

// listBound throws the RangeError of a find-all whose list of matches
// would pass the allocation cap: goja lists every match (~costMatch
// bytes each, guards_regexp.go) in one Go step before it builds the
// result, so the searches done here count them first.
func (g *guards) listBound(found int64) {
	if found >= regexpListMin && found*costMatch > g.maxBuf {
		g.fail(fmt.Sprintf("the list of more than %d matches of a regular expression", found))
	}
}

// regexp2WorkMin is the subject length from which a find-all goja runs on
// regexp2 is done first here, match by match with a JS step between two:
// each match can take up to MaxRegexpMatch, and one that scans to the end
// of the subject (/.*b|(?<!x)a/g) makes the list quadratic.
const regexp2WorkMin = 1 << 12

// boundRegexp2Work does goja's regexp2 find-all (regexp2Wrapper's
// findAllSubmatchIndex: one match from the start, then FindNextMatch) on
// its own copy of the pattern, compiled as goja compiles it, over the
// same characters (UTF-16 units, code points with the u flag), with a JS
// step after every match.
func (g *guards) boundRegexp2Work(ri gojax.RegexpInfo, s goja.String) {
	rx := g.regexp2Of(ri)
	if rx == nil {
		return
	}
	n := s.Length()
	runes := make([]rune, 0, n)
	for i := 0; i < n; i++ {
		c := rune(s.CharAt(i))
		if ri.Unicode && utf16.IsSurrogate(c) && i+1 < n {
			if r := utf16.DecodeRune(c, rune(s.CharAt(i+1))); r != utf8.RuneError {
				c = r
				i++
			}
		}
		runes = append(runes, c)
	}
	m, err := rx.FindRunesMatchStartingAt(runes, 0)
	for found := int64(1); m != nil && err == nil; found++ {
		g.listBound(found)
		g.jsStep()
		m, err = rx.FindNextMatch(m)
	}
}

// regexp2Of compiles (and caches, per runtime, a bounded number of) the
// regexp2 pattern goja makes for ri (compileRegexp2).
func (g *guards) regexp2Of(ri gojax.RegexpInfo) *regexp2.Regexp {
	opts := regexp2.ECMAScript
	for _, f := range []struct {
		on  bool
		opt regexp2.RegexOptions
	}{{ri.Multiline, regexp2.Multiline}, {ri.DotAll, regexp2.Singleline}, {ri.IgnoreCase, regexp2.IgnoreCase}, {ri.Unicode, regexp2.Unicode}} {
		if f.on {
			opts |= f.opt
		}
	}
	key := rx2Key{ri.Src, opts}
	if rx, ok := g.rx2s[key]; ok {
		return rx
	}
	rx, err := regexp2.Compile(ri.Src, opts)
	if err != nil {
		rx = nil
	}
	if g.rx2s == nil || len(g.rx2s) >= 64 {
		g.rx2s = make(map[rx2Key]*regexp2.Regexp)
	}
	g.rx2s[key] = rx
	return rx
}

type rx2Key struct {
	src  string
	opts regexp2.RegexOptions
}

// wellFormed reports whether s has no unpaired surrogate.
func wellFormed(s goja.String) bool {
	n := s.Length()
	for i := 0; i < n; i++ {
		c := rune(s.CharAt(i))
		switch {
		case c < 0xd800 || c > 0xdfff:
		case c <= 0xdbff && i+1 < n && s.CharAt(i+1) >= 0xdc00 && s.CharAt(i+1) <= 0xdfff:
			i++
		default:
			return false
		}
	}
	return true
}

// maxSpan is the longest text re can match (+Inf with an unbounded
// repetition of something that is not empty).
func maxSpan(re *syntax.Regexp) float64 {
	switch re.Op {
	case syntax.OpLiteral:
		return float64(len(re.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpNoMatch:
		return 0
	case syntax.OpCapture, syntax.OpQuest:
		return maxSpan(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		if maxSpan(re.Sub[0]) == 0 {
			return 0
		}
		return math.Inf(1)
	case syntax.OpRepeat:
		sub := maxSpan(re.Sub[0])
		if sub == 0 {
			return 0
		}
		if re.Max < 0 {
			return math.Inf(1)
		}
		return sub * float64(re.Max)
	case syntax.OpConcat:
		t := 0.0
		for _, s := range re.Sub {
			t += maxSpan(s)
		}
		return t
	case syntax.OpAlternate:
		t := 0.0
		for _, s := range re.Sub {
			t = max(t, maxSpan(s))
		}
		return t
	}
	return math.Inf(1)
}

// searchAll does the searches of Go's allMatches one by one, reading
// through rd, and tells visit where each match is: the next search starts
// at the end of the last match, one character further after an empty
// match. (Which of those matches Go keeps, an empty one right after a
// match is dropped, does not change where the searches start.)
func (g *guards) searchAll(re *regexp.Regexp, in *rxInfo, rd *tickReader, wantStart bool, visit func(a, b int)) {
	str := rd.s
	end := len(str)
	for pos := 0; pos <= end; {
		var a, b int
		if pos == 0 {
			rd.reset(0)
			m := re.FindReaderIndex(rd)
			if m == nil {
				return
			}
			a, b = m[0], m[1]
		} else {
			if in.ctx == nil {
				var err error
				if in.ctx, err = regexp.Compile(`\A(?s:.)(?s:.*?)(` + re.String() + `)`); err != nil {
					panic(g.newRangeError("the regular expression cannot be searched in steps"))
				}
			}
			_, w := utf8.DecodeLastRuneInString(str[:pos])
			rd.reset(pos - w)
			// The match of ctx ends where the pattern's does; only a
			// caller that wants the start (the tests) pays for captures.
			var m []int
			if wantStart {
				m = in.ctx.FindReaderSubmatchIndex(rd)
			} else if m = in.ctx.FindReaderIndex(rd); m != nil {
				m = []int{m[0], m[1], m[1], m[1]}
			}
			if m == nil {
				return
			}
			a, b = m[2]+pos-w, m[3]+pos-w
		}
		visit(a, b)
		if b == pos {
			if pos < end {
				_, w := utf8.DecodeRuneInString(str[pos:])
				pos += w
			} else {
				pos = end + 1
			}
		} else {
			pos = b
		}
	}
}

// tickReader reads a string's runes from an offset for Go's regexp,
// running one JS step (tick) every so many of them (regexpTick NFA
// steps' worth, for the program's size).
type tickReader struct {
	s           string
	pos         int
	left, every int
	tick        func()
}

func (r *tickReader) reset(pos int) { r.pos, r.left = pos, r.every }

func (r *tickReader) ReadRune() (rune, int, error) {
	if r.pos >= len(r.s) {
		return 0, 0, io.EOF
	}
	if r.left--; r.left <= 0 {
		r.left = r.every
		r.tick()
	}
	c := r.s[r.pos]
	if c < utf8.RuneSelf {
		r.pos++
		return rune(c), 1, nil
	}
	ru, w := utf8.DecodeRuneInString(r.s[r.pos:])
	r.pos += w
	return ru, w, nil
}
