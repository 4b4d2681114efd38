package guard

import (
	"math"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// guardReplace wraps String.prototype.replace and replaceAll, and
// RegExp.prototype[Symbol.replace] (which String.prototype.replace calls
// for a RegExp, and which a script can also call directly, so guarding only
// the String methods would leave the same native loop open), so that a
// replacement whose result would exceed g.maxStr throws a catchable
// RangeError instead of making goja grow a huge buffer.
//
// How the result length is known, per kind of replaceValue:
//
//   - A function: it is wrapped, per call, in a native function that calls
//     it with the same this (undefined) and arguments, converts its result
//     with ToString exactly once (as the original would) and adds the
//     replacement's length to a running total of the result's length.
//
//   - A string with a string (primitive) search: an upper bound is computed
//     first, without running anything: len(S) + n*max(0, expand-len(search))
//     where n is the largest possible number of matches (len/len(search),
//     len+1 for an empty search, 1 for replace) and expand the replacement's
//     length after substitution, $` and $' counting len(S), $& len(search),
//     $$ one, and $n / $<name> their literal length (a string search has no
//     groups). When it fits, the original runs untouched. Otherwise (rare:
//     large inputs with long or $`/$' replacements) the replacement is done
//     through a native function that performs the same substitution (a port
//     of goja's writeSubstitution) and keeps the same running total.
//
//   - A string with a RegExp: RegExp.prototype.exec may be user code (on the
//     instance, a subclass, RegExp.prototype, or swapped by a flags getter
//     while replace runs), so neither the number of matches nor the captures
//     (which $n / $<name> copy) are bounded by the input: no cheap bound is
//     sound. The replacement is therefore always done through the native
//     substituting function, which computes each replacement exactly. The
//     cost is one native call per match (see the benchmark in the tests).
//
// The running total is the exact length of the result as goja builds it:
// len(S) + sum over written matches of (len(replacement) - len(matched part
// of S)), matches that start before the end of the previous one being
// skipped as goja skips them. It throws when a replacement makes it grow
// past the cap. False positives: none for a result that fits, except when
// a later match would shrink the result back under the cap after an
// earlier one took it over (the guard cannot see the later matches); a
// result over the cap is never built, except when it is no longer than S
// itself (shrinking or neutral replacements never throw).
//
// Everything the originals would observe is kept: ToString of this, of the
// search value, of the replacement and of a function's results runs once,
// in the original order, and the converted primitives are then passed to
// the original. A search object's Symbol.replace (and, for replaceAll, its
// Symbol.match and flags) is read once; its method is then called exactly
// as the original would, and the errors the original throws for bad values
// are produced by the original itself, given a null-prototype stand-in
// object holding the values already read.
func (g *guards) guardReplace(sp *goja.Object) {
	rg := &replaceGuard{g: g}
	g.wrapWith(sp, "replace", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		return rg.stringReplace(orig, c, false)
	})
	g.wrapWith(sp, "replaceAll", 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		return rg.stringReplace(orig, c, true)
	})
	g.onRegExpProto(func(rp *goja.Object) { g.wrapWith(rp, goja.SymReplace, 2, rg.regexpReplace) })
}

type replaceGuard struct {
	g *guards
}

func nullish(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}

// toStr is ToString, run once. ok is false when the result is not a string
// (a Symbol, directly or from ToPrimitive): v is then the primitive to hand
// to the original, whose own conversion throws the TypeError.
func (rg *replaceGuard) toStr(v goja.Value) (s goja.String, p goja.Value, ok bool) {
	if s, ok := v.(goja.String); ok {
		return s, s, true
	}
	p = v
	if o, ok := v.(*goja.Object); ok {
		p = o.ToString() // ToPrimitive(hint string): user code, once
		if s, ok := p.(goja.String); ok {
			return s, s, true
		}
	}
	if p == nil {
		p = goja.Undefined()
	}
	if _, ok := p.(*goja.Symbol); ok {
		return nil, p, false
	}
	// A non-string primitive: its String() is its ToString.
	s, ok = rg.g.vm.ToValue(p.String()).(goja.String)
	return s, p, ok
}

// standIn is a null-prototype object holding values already read from the
// real argument, so that the original repeats the same steps (and throws the
// same errors) without reading them again.
func (rg *replaceGuard) standIn(props map[any]goja.Value) *goja.Object {
	o := rg.g.vm.NewObject()
	_ = o.SetPrototype(nil)
	for k, v := range props {
		switch k := k.(type) {
		case string:
			_ = o.Set(k, v)
		case *goja.Symbol:
			_ = o.SetSymbol(k, v)
		}
	}
	return o
}

func (rg *replaceGuard) stringReplace(orig goja.Callable, c goja.FunctionCall, all bool) goja.Value {
	this, search, rv := c.This, c.Argument(0), c.Argument(1)
	if nullish(this) {
		return call(orig, this, c.Arguments...)
	}
	if so, ok := search.(*goja.Object); ok {
		// The steps the original takes on a search object, in its order:
		// (replaceAll) IsRegExp, flags; then GetMethod(@@replace).
		if all {
			var isRe bool
			if m := so.GetSymbol(goja.SymMatch); !goja.IsUndefined(nilSafe(m)) {
				isRe = m.ToBoolean()
			} else {
				isRe = so.ClassName() == "RegExp"
			}
			if isRe {
				flags := nilSafe(so.Get("flags"))
				var fs goja.String
				ok := !nullish(flags)
				if ok {
					fs, flags, ok = rg.toStr(flags)
				}
				if !ok || !strings.Contains(fs.String(), "g") {
					return call(orig, this, rg.standIn(map[any]goja.Value{goja.SymMatch: rg.g.vm.ToValue(true), "flags": flags}), rv)
				}
			}
		}
		m := so.GetSymbol(goja.SymReplace)
		if !nullish(m) {
			if f, ok := goja.AssertFunction(m); ok {
				return call(f, so, this, rv)
			}
			return call(orig, this, rg.standIn(map[any]goja.Value{goja.SymReplace: m}), rv)
		}
		// No @@replace: ToString(this), ToString(search), then as for
		// primitives.
		s, sv, ok := rg.toStr(this)
		if !ok {
			return call(orig, sv, rg.standIn(nil), rv)
		}
		q, qv, ok := rg.toStr(so)
		if !ok {
			return call(orig, s, qv, rv)
		}
		return rg.stringCore(orig, s, q, rv, all)
	}
	if _, ok := search.(*goja.Symbol); ok {
		return call(orig, this, c.Arguments...)
	}
	s, sv, ok := rg.toStr(this)
	if !ok {
		return call(orig, sv, search, rv)
	}
	q, _, _ := rg.toStr(search) // a non-Symbol primitive: always a string
	return rg.stringCore(orig, s, q, rv, all)
}

func nilSafe(v goja.Value) goja.Value {
	if v == nil {
		return goja.Undefined()
	}
	return v
}

// stringCore handles a string this and a string search.
func (rg *replaceGuard) stringCore(orig goja.Callable, s, q goja.String, rv goja.Value, all bool) goja.Value {
	g := rg.g
	if all && q.Length() == 0 {
		return rg.emptyAll(orig, s, q, rv)
	}
	if f, ok := goja.AssertFunction(rv); ok {
		return call(orig, s, q, rg.counting(s, f))
	}
	r, p, ok := rg.toStr(rv)
	if !ok {
		return call(orig, s, q, p)
	}
	ls, lq := float64(s.Length()), float64(q.Length())
	n := ls + 1
	if lq > 0 {
		n = math.Floor(ls / lq)
	}
	if !all && n > 1 {
		n = 1
	}
	if ls+n*math.Max(0, substBound(r, ls, lq)-lq) <= float64(g.maxStr) {
		return call(orig, s, q, r)
	}
	return call(orig, s, q, rg.substituting(s, r))
}

// emptyAll is replaceAll with an empty search, done here: goja's own never
// ends on a non-ASCII string ('\ud7be'.replaceAll(”, '0') allocates
// until the process dies). An empty search matches at every position
// 0..len(s); each replacement comes from the same guarded replacer
// functions as above, called with ("", position, s) as the original would.
func (rg *replaceGuard) emptyAll(orig goja.Callable, s, q goja.String, rv goja.Value) goja.Value {
	vm := rg.g.vm
	var fv goja.Value
	if f, ok := goja.AssertFunction(rv); ok {
		fv = rg.counting(s, f)
	} else {
		r, p, ok := rg.toStr(rv)
		if !ok {
			return call(orig, s, q, p) // the original's ToString throws first
		}
		fv = rg.substituting(s, r)
	}
	fn, _ := goja.AssertFunction(fv)
	n := s.Length()
	var b goja.StringBuilder
	for i := 0; i <= n; i++ {
		b.WriteString(rg.stringOfValue(call(fn, goja.Undefined(), q, vm.ToValue(i), s)))
		if i < n {
			b.WriteString(s.Substring(i, i+1))
		}
	}
	return b.String()
}

func (rg *replaceGuard) regexpReplace(orig goja.Callable, c goja.FunctionCall) goja.Value {
	rx, ok := c.This.(*goja.Object)
	if !ok {
		return call(orig, c.This, c.Arguments...)
	}
	str, rv := c.Argument(0), c.Argument(1)
	s, sv, ok := rg.toStr(str)
	if !ok {
		return call(orig, rx, sv, rv)
	}
	defer rg.g.reserveMatches(s, "RegExp.prototype[Symbol.replace]")() // guards_regexp.go
	if ri, ok := gojax.RegexpOf(rx); ok {
		rg.g.boundRegexpWork(ri, s, ri.Global) // regexp_work.go
	}
	if f, ok := goja.AssertFunction(rv); ok {
		return call(orig, rx, s, rg.counting(s, f))
	}
	r, p, ok := rg.toStr(rv)
	if !ok {
		return call(orig, rx, s, p)
	}
	return call(orig, rx, s, rg.substituting(s, r))
}

// substBound bounds the length of one substitution of r for a string
// search of length lq in a string of length ls (no capture groups).
func substBound(r goja.String, ls, lq float64) float64 {
	var t float64
	rl := r.Length()
	for i := 0; i < rl; i++ {
		if r.CharAt(i) != '$' || i == rl-1 {
			t++
			continue
		}
		switch r.CharAt(i + 1) {
		case '$':
			t++
		case '`', '\'':
			t += ls
		case '&':
			t += lq
		default: // $n, $<name> and others stay literal
			t += 2
		}
		i++
	}
	return t
}

// tally keeps the exact length of the result goja is building.
type tally struct {
	g          *guards
	ls         int64 // len(S)
	total      int64 // length of the result so far, plus the rest of S
	next       int64 // end of the last written match
	groupsSeen bool
}

// match reads (matched, position, groups) from the arguments goja passes
// to a replacer function: matched, captures..., position, S[, groups].
// Captures are strings or undefined, position a number and S a string, so
// a number second to last means there is no groups argument.
func parseReplacerArgs(args []goja.Value) (caps []goja.Value, position int64, groups goja.Value, ok bool) {
	n := len(args)
	if n < 3 {
		return nil, 0, nil, false
	}
	if goja.IsNumber(args[n-2]) {
		return args[:n-2], args[n-2].ToInteger(), nil, true
	}
	if n < 4 || !goja.IsNumber(args[n-3]) {
		return nil, 0, nil, false
	}
	return args[:n-3], args[n-3].ToInteger(), args[n-1], true
}

// check throws if a replacement of length lr at position for a match of
// length lm would take the result over the cap, without accounting for it.
func (t *tally) check(position, lm, lr int64) {
	if position < t.next {
		return
	}
	meff := max(0, min(lm, t.ls-position))
	if d := lr - meff; d > 0 && t.total+d > t.g.maxStr {
		t.g.fail("String.prototype.replace result")
	}
}

// add accounts for a replacement of length lr at position for a match of
// length lm, and throws when it would take the result over the cap. It
// reports whether goja writes this replacement.
func (t *tally) add(position, lm, lr int64) bool {
	if position < t.next {
		return false
	}
	meff := min(lm, t.ls-position)
	if meff < 0 {
		meff = 0
	}
	delta := lr - meff
	t.next = position + lm
	t.total += delta
	if delta > 0 && t.total > t.g.maxStr {
		t.g.fail("String.prototype.replace result")
	}
	return true
}

func strLen64(v goja.Value) int64 {
	if s, ok := v.(goja.String); ok {
		return int64(s.Length())
	}
	if v == nil || goja.IsUndefined(v) {
		return 9 // "undefined"
	}
	if _, ok := v.(*goja.Symbol); ok {
		return 0
	}
	return int64(len(v.String())) // a number, boolean, null or bigint: ASCII
}

// counting wraps a replacer function f: same this and arguments, its result
// converted once, the result's length tallied.
func (rg *replaceGuard) counting(s goja.String, f goja.Callable) goja.Value {
	t := &tally{g: rg.g, ls: int64(s.Length()), total: int64(s.Length())}
	return rg.g.unname(rg.g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		r := call(f, c.This, c.Arguments...)
		if o, ok := r.(*goja.Object); ok {
			r = o.ToString() // ToString once; a Symbol is left for goja to reject
		}
		if _, ok := r.(*goja.Symbol); ok {
			return r
		}
		caps, position, _, ok := parseReplacerArgs(c.Arguments)
		if !ok {
			return r
		}
		t.add(position, strLen64(caps[0]), strLen64(r))
		return r
	}))
}

// substituting is a replacer function doing GetSubstitution of r exactly
// as goja's writeSubstitution does for a string replaceValue, tallying the
// result's length before building each replacement.
func (rg *replaceGuard) substituting(s goja.String, r goja.String) goja.Value {
	t := &tally{g: rg.g, ls: int64(s.Length()), total: int64(s.Length())}
	vm := rg.g.vm
	var pieces []goja.String
	return rg.g.unname(vm.ToValue(func(c goja.FunctionCall) goja.Value {
		caps, position, groups, ok := parseReplacerArgs(c.Arguments)
		if !ok {
			return goja.Undefined()
		}
		matched, _ := caps[0].(goja.String) // goja passes a string
		if matched == nil {
			return goja.Undefined()
		}
		var named *goja.Object
		if groups != nil && !goja.IsUndefined(groups) {
			named = groups.ToObject(vm) // TypeError for null, as goja
		}
		if position < t.next {
			return goja.Undefined() // not written by goja, nothing read
		}
		var lr int64
		if named == nil {
			// Nothing observable runs: measure first, so that a replacement
			// over the cap is refused before its pieces are gathered.
			rg.substitute(s, int(position), matched, caps, nil, r, func(p goja.String) { lr += int64(p.Length()) })
			t.check(position, int64(matched.Length()), lr)
			lr = 0
		}
		pieces = pieces[:0]
		emit := func(p goja.String) {
			pieces = append(pieces, p)
			lr += int64(p.Length())
		}
		rg.substitute(s, int(position), matched, caps, named, r, emit)
		t.add(position, int64(matched.Length()), lr)
		var b goja.StringBuilder
		b.Grow(int(lr))
		for _, p := range pieces {
			b.WriteString(p)
		}
		return b.String()
	}))
}

// substitute is goja's writeSubstitution (builtin_regexp.go), emitting
// pieces instead of writing them.
func (rg *replaceGuard) substitute(s goja.String, position int, matched goja.String, caps []goja.Value, named *goja.Object, r goja.String, emit func(goja.String)) {
	l := s.Length()
	rl := r.Length()
	tailPos := position + matched.Length()
	numCaptures := len(caps)
	getCapture := func(idx int) goja.String {
		if idx == 0 {
			return matched
		}
		if c := caps[idx]; c != nil && !goja.IsUndefined(c) {
			return rg.stringOfValue(c) // goja may pass a number through
		}
		return r.Substring(0, 0)
	}
	lit := -1 // start of a pending literal run in r
	flush := func(end int) {
		if lit >= 0 && end > lit {
			emit(r.Substring(lit, end))
		}
		lit = -1
	}
	for i := 0; i < rl; i++ {
		c := r.CharAt(i)
		if c == '$' && i < rl-1 {
			flush(i)
			ch := r.CharAt(i + 1)
			switch ch {
			case '$':
				emit(r.Substring(i, i+1))
			case '`':
				emit(s.Substring(0, position))
			case '\'':
				if tailPos < l {
					emit(s.Substring(tailPos, l))
				}
			case '&':
				emit(matched)
			case '<':
				j := i + 2
				found := false
				for ; j < rl; j++ {
					if r.CharAt(j) == '>' {
						found = true
						break
					}
				}
				if found && named != nil {
					ref := r.Substring(i+2, j)
					v := named.Get(ref.String())
					if v != nil && !goja.IsUndefined(v) {
						emit(rg.stringOfValue(v))
					}
					i = j
					continue
				}
				emit(r.Substring(i, i+2))
			default:
				index := 0
				j := i + 1
				lim := min(j+2, rl)
				for ; j < lim; j++ {
					ch := r.CharAt(j)
					if ch >= '0' && ch <= '9' {
						m := index*10 + int(ch-'0')
						if m >= numCaptures {
							break
						}
						index = m
					} else {
						break
					}
				}
				if index > 0 {
					emit(getCapture(index))
					i = j - 1
					continue
				}
				emit(r.Substring(i, i+2))
			}
			i++
		} else if lit < 0 {
			lit = i
		}
	}
	flush(rl)
}

// stringOfValue is goja's internal toString: a Symbol throws.
func (rg *replaceGuard) stringOfValue(v goja.Value) goja.String {
	s, _, ok := rg.toStr(v)
	if !ok {
		panic(rg.g.vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	return s
}
