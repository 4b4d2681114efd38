package guard

import (
	"math"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// The one-step string builders: String.prototype.repeat, padStart, padEnd
// and concat. Each guard does the conversions the built-in does, in the
// spec's order and once (ToString(this), then ToIntegerOrInfinity of the
// count or ToLength of maxLength, then ToString of the filler or of each
// argument), bounds the result from the converted values, and hands the
// converted primitives to the original, which then runs no user code of
// its own. Looking only at string and number primitives let
// 'x'.repeat('1e12'), a count with valueOf, or a this with toString ask
// Go for terabytes in one step (class 7 of the hardening work).
func (g *guards) installStringGuards(sp *goja.Object) {
	g.wrapWith(sp, "repeat", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		s, this, ok := g.thisString(c.This)
		if !ok {
			return call(orig, this, c.Arguments...)
		}
		count := g.toNumber(c.Argument(0))
		if n := truncNum(count); s.Length() > 0 && n > 0 && !math.IsInf(n, 1) && n*float64(s.Length()) > float64(g.maxStr) {
			g.fail("String.prototype.repeat result")
		}
		if n := truncNum(count); n > 0 && !math.IsInf(n, 1) {
			defer g.reserve(int64(n)*gojax.StringBytes(s), "String.prototype.repeat result")()
		}
		return call(orig, s, count)
	})
	pad := func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		s, this, ok := g.thisString(c.This)
		if !ok {
			return call(orig, this, c.Arguments...)
		}
		maxLen := g.toNumber(c.Argument(0))
		fill := c.Argument(1)
		if !goja.IsUndefined(fill) {
			fs, p, ok := (&replaceGuard{g: g}).toStr(fill)
			if !ok {
				return call(orig, s, maxLen, p) // a Symbol: the original throws
			}
			fill = fs
			if fs.Length() == 0 {
				return s
			}
		}
		if n := truncNum(maxLen); n > float64(g.maxStr) && n > float64(s.Length()) {
			g.fail("padded string")
		}
		if n := truncNum(maxLen); n > float64(s.Length()) {
			defer g.reserve(2*int64(n), "padded string")()
		}
		return call(orig, s, maxLen, fill)
	}
	g.wrapWith(sp, "padStart", 1, pad)
	g.wrapWith(sp, "padEnd", 1, pad)
	g.wrapWith(sp, "concat", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		s, this, ok := g.thisString(c.This)
		if !ok {
			return call(orig, this, c.Arguments...)
		}
		t, bytes := int64(s.Length()), gojax.StringBytes(s)
		args := make([]goja.Value, len(c.Arguments))
		for i, a := range c.Arguments {
			as, p, ok := (&replaceGuard{g: g}).toStr(a)
			if !ok {
				args[i] = p // a Symbol: the original throws
				return call(orig, s, args[:i+1]...)
			}
			args[i] = as
			if t += int64(as.Length()); t > g.maxStr {
				g.fail("String.prototype.concat result")
			}
			bytes += gojax.StringBytes(as)
		}
		defer g.reserve(bytes, "String.prototype.concat result")()
		return call(orig, s, args...)
	})
}

// thisString is RequireObjectCoercible(this) and ToString(this), once. ok
// is false when the original must see this as it is (null, undefined) or
// as the primitive whose conversion throws (a Symbol).
func (g *guards) thisString(this goja.Value) (goja.String, goja.Value, bool) {
	if nullish(this) {
		return nil, this, false
	}
	s, p, ok := (&replaceGuard{g: g}).toStr(this)
	return s, p, ok
}

// toNumber is ToNumber, once (an object's valueOf or toString runs here).
// A Symbol or a BigInt is handed on unchanged: the original's own
// conversion throws its TypeError.
func (g *guards) toNumber(v goja.Value) goja.Value {
	switch v.(type) {
	case *goja.Symbol:
		return v
	case *goja.Object:
		p := v.(*goja.Object).ToNumber() // ToPrimitive(hint number): user code, once
		return p
	}
	if v == nil {
		return goja.Undefined()
	}
	if goja.IsBigInt(v) {
		return v
	}
	return g.vm.ToValue(v.ToFloat())
}

// truncNum is ToIntegerOrInfinity of a value toNumber returned (0 for
// NaN, undefined, or what the original will refuse).
func truncNum(v goja.Value) float64 {
	if v == nil || goja.IsUndefined(v) || goja.IsBigInt(v) {
		return 0
	}
	if _, ok := v.(*goja.Symbol); ok {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) {
		return 0
	}
	return math.Trunc(f)
}
