package inspect

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// util.format: the printf-style directives %s %d %i %f %j %o %O %c and %%,
// with the global parseInt/parseFloat they rely on.

func formatNodeArgs(vm *goja.Runtime, args []goja.Value, colors bool) string {
	inspect := func(v goja.Value, depth int) string {
		in := newInspector(vm, colors, depth, 0)
		return in.formatValue(v, 0, false)
	}
	first, isStr := args[0].(goja.String)
	if isStr && len(args) == 1 {
		return first.String()
	}
	var sb strings.Builder
	a := 0
	join := ""
	if isStr {
		f := utf16Of(first)
		lastPos := 0
		for i := 0; i < len(f)-1; i++ {
			if f[i] != '%' {
				continue
			}
			i++
			next := f[i]
			if a+1 != len(args) {
				var tmp string
				switch next {
				case 's':
					a++
					tmp = formatDirS(vm, args[a])
				case 'j':
					a++
					tmp = formatDirJ(vm, args[a])
				case 'd':
					a++
					tmp = formatDirD(vm, args[a], false)
				case 'i':
					a++
					tmp = formatDirD(vm, args[a], true)
				case 'f':
					a++
					tmp = formatDirF(vm, args[a])
				case 'O':
					a++
					tmp = inspect(args[a], 0)
				case 'o':
					a++
					tmp = inspect(args[a], 4)
				case 'c':
					a++
					tmp = ""
				case '%':
					sb.WriteString(utf16ToString(f[lastPos:i]))
					lastPos = i + 1
					continue
				default:
					continue
				}
				if lastPos != i-1 {
					sb.WriteString(utf16ToString(f[lastPos : i-1]))
				}
				sb.WriteString(tmp)
				lastPos = i + 1
			} else if next == '%' {
				sb.WriteString(utf16ToString(f[lastPos:i]))
				lastPos = i + 1
			}
		}
		if lastPos != 0 {
			a++
			join = " "
			if lastPos < len(f) {
				sb.WriteString(utf16ToString(f[lastPos:]))
			}
		}
	}
	for ; a < len(args); a++ {
		sb.WriteString(join)
		if s, ok := args[a].(goja.String); ok {
			sb.WriteString(s.String())
		} else {
			sb.WriteString(inspect(args[a], 0))
		}
		join = " "
	}
	return sb.String()
}

// utf16ToString converts UTF-16 units to a Go string (lone surrogates become
// U+FFFD).
func utf16ToString(u []uint16) string {
	var sb strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c < utf8.RuneSelf:
			sb.WriteByte(byte(c))
		case c >= 0xd800 && c <= 0xdbff && i+1 < len(u) && u[i+1] >= 0xdc00 && u[i+1] <= 0xdfff:
			sb.WriteRune((rune(c)-0xd800)<<10 + (rune(u[i+1]) - 0xdc00) + 0x10000)
			i++
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// formatDirS ports %s: numbers, bigints and symbols are formatted, objects
// without a user-defined toString are inspected with depth 0, others are
// converted with their toString.
func formatDirS(vm *goja.Runtime, v goja.Value) string {
	in := newInspector(vm, false, 0, 0)
	switch x := v.(type) {
	case *goja.Symbol:
		return "Symbol(" + x.String() + ")"
	case *goja.Object:
		if fn := in.userToString(x); fn != nil {
			if r, ok := in.call(fn, x); ok {
				if _, isObj := r.(*goja.Object); !isObj {
					return in.safeString(r)
				}
			}
		}
		if _, callable := goja.AssertFunction(x); callable {
			// typeof is 'function': Node uses String(fn), i.e. the source.
			if r, ok := in.call(in.intrinsic(iFunctionToString), x); ok && goja.IsString(r) {
				return r.String()
			}
		}
		in.depth = 0
		return in.formatValue(x, 0, false)
	}
	if goja.IsNumber(v) {
		return jsNumberString(vm, v.ToFloat())
	}
	if goja.IsBigInt(v) {
		return v.String() + "n"
	}
	if v == nil {
		return "undefined"
	}
	return v.String()
}

// userToString ports hasBuiltInToString: it returns the object's toString
// if one is defined by user code (own, or on a prototype whose constructor
// is not a built-in), else nil. Symbol.toPrimitive is not consulted.
func (in *inspector) userToString(o *goja.Object) *goja.Object {
	for isProxyObject(o) {
		p, _ := o.Export().(goja.Proxy)
		if o = p.Target(); o == nil {
			return nil
		}
	}
	key := in.vm.ToValue("toString")
	for cur, i := o, 0; cur != nil && i < 10000; i++ {
		if isProxyObject(cur) {
			return nil
		}
		d := in.own(cur, key)
		if d.kind != descAbsent {
			fn, ok := d.value.(*goja.Object)
			if d.kind != descData || !ok {
				return nil
			}
			if _, ok := goja.AssertFunction(fn); !ok {
				return nil
			}
			if cur == o {
				return fn
			}
			if cd := in.own(cur, in.vm.ToValue("constructor")); cd.kind == descData {
				if c, ok := cd.value.(*goja.Object); ok {
					if nd := in.own(c, in.vm.ToValue("name")); nd.kind == descData && inspectBuiltInNames[nd.value.String()] {
						return nil
					}
				}
			}
			return fn
		}
		var ok bool
		if cur, ok = in.proto(cur); !ok {
			return nil
		}
	}
	return nil
}

var inspectBuiltInNames = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`Object Function Array Number Boolean String Symbol Date Promise RegExp Error
		AggregateError EvalError RangeError ReferenceError SyntaxError TypeError URIError ArrayBuffer Uint8Array
		Int8Array Uint16Array Int16Array Uint32Array Int32Array Float32Array Float64Array Uint8ClampedArray
		BigUint64Array BigInt64Array DataView Map BigInt Set WeakMap WeakSet Proxy Reflect WeakRef
		FinalizationRegistry SharedArrayBuffer Atomics JSON Math Intl`) {
		m[s] = true
	}
	return m
}()

func formatDirJ(vm *goja.Runtime, v goja.Value) string {
	in := newInspector(vm, false, 0, 0)
	fn := in.intrinsic(iJSONStringify)
	if fn == nil {
		return "undefined"
	}
	c, ok := goja.AssertFunction(fn)
	if !ok {
		return "undefined"
	}
	r, err := c(goja.Undefined(), v)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) && strings.Contains(strings.ToLower(ex.Error()), "circular") {
			return "[Circular]"
		}
		if errors.As(err, &ex) {
			return "[" + ex.Value().String() + "]"
		}
		return "undefined"
	}
	if r == nil || goja.IsUndefined(r) {
		return "undefined"
	}
	return r.String()
}

// toPrimitiveString converts v to a string the way String(v) does, but
// for objects only when that does not throw.
func jsToStringSafe(vm *goja.Runtime, v goja.Value) (s string, ok bool) {
	if _, isSym := v.(*goja.Symbol); isSym {
		return "", false
	}
	ex := vm.Try(func() { s = v.String() })
	return s, ex == nil
}

func formatDirD(vm *goja.Runtime, v goja.Value, integer bool) string {
	if goja.IsBigInt(v) {
		return v.String() + "n"
	}
	if _, isSym := v.(*goja.Symbol); isSym {
		return "NaN"
	}
	if integer {
		s, ok := jsToStringSafe(vm, v)
		if !ok {
			return "NaN"
		}
		return jsNumberString(vm, jsParseInt(s))
	}
	var f float64
	if vm.Try(func() { f = v.ToFloat() }) != nil {
		return "NaN"
	}
	return jsNumberString(vm, f)
}

func formatDirF(vm *goja.Runtime, v goja.Value) string {
	if _, isSym := v.(*goja.Symbol); isSym {
		return "NaN"
	}
	s, ok := jsToStringSafe(vm, v)
	if !ok {
		return "NaN"
	}
	return jsNumberString(vm, jsParseFloat(s))
}

func trimLeftJSSpace(s string) string {
	return strings.TrimLeftFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0xa0 ||
			r == 0xfeff || r == 0x1680 || r >= 0x2000 && r <= 0x200a || r == 0x2028 || r == 0x2029 ||
			r == 0x202f || r == 0x205f || r == 0x3000
	})
}

// jsParseInt ports the global jsParseInt with no radix.
func jsParseInt(s string) float64 {
	s = trimLeftJSSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	radix := 10.0
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		radix = 16
		s = s[2:]
	}
	var n float64
	digits := 0
	for _, c := range s {
		var d float64
		switch {
		case c >= '0' && c <= '9':
			d = float64(c - '0')
		case radix == 16 && c >= 'a' && c <= 'f':
			d = float64(c - 'a' + 10)
		case radix == 16 && c >= 'A' && c <= 'F':
			d = float64(c - 'A' + 10)
		default:
			d = -1
		}
		if d < 0 {
			break
		}
		n = n*radix + d
		digits++
	}
	if digits == 0 {
		return math.NaN()
	}
	if radix == 10 && digits > 15 {
		// Re-parse exactly for long decimal literals.
		if f, err := strconv.ParseFloat(s[:digits], 64); err == nil {
			n = f
		}
	}
	if neg {
		return -n
	}
	return n
}

// jsParseFloat ports the global jsParseFloat.
func jsParseFloat(s string) float64 {
	s = trimLeftJSSpace(s)
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "Infinity") {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	start := i
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return math.NaN()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	_ = start
	f, err := strconv.ParseFloat(strings.TrimSuffix(s[:i], "."), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}
