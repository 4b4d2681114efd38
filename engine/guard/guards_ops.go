package guard

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/internal/gojax"
)

// The op helper: String.prototype[OpHelper], which the sources RewriteOps
// produced call in place of <<, >> and ** (rewrite.go). It is one native
// function a runtime, installed at boot as non-writable, non-enumerable
// and non-configurable, so that no script can replace it or take its name
// first; the JS functions it hands the ordinary cases to are made on its
// first use.

// opsProg makes the operators themselves, on primitives, and the member
// reads and writes of a compound assignment, in sloppy and strict code. It
// is compiled directly, never through RewriteOps.
var opsProg = goja.MustCompile("<isobox ops>", `[
	function (a, b) { return a << b },
	function (a, b) { return a >> b },
	function (a, b) { return a ** b },
	function (o, k) { return o[k] },
	function (o, k, v) { o[k] = v },
	function (o, k, v) { "use strict"; o[k] = v },
	function (a, b) { return a * b },
	function (a, b) { return a + b },
]`, false)

type opsGuard struct {
	g    *guards
	fns  [8]goja.Callable // opsProg's functions, made on first use
	made bool
	// stash carries the key of super[k] op= r, or the object of o.#p op= r,
	// from the target's evaluation to the read right after it (opPushK /
	// opPopK, opPushO / opPopO): nothing runs in between, so one slot.
	stash goja.Value
}

// memberRef is the reference of a member compound assignment: the object,
// the key (already a property key) and the value read.
type memberRef struct {
	o, key, value goja.Value
}

func (g *guards) installOpHelper(sp *goja.Object) {
	og := &opsGuard{g: g}
	f := g.namedNative(OpHelper, 0, og.helper) // named: its frame shows in stack traces
	_ = sp.DefineDataProperty(OpHelper, f, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

func (og *opsGuard) fn(i int) goja.Callable {
	if !og.made {
		v, err := og.g.vm.RunProgram(opsProg)
		if err != nil {
			rethrow(err)
		}
		arr := v.(*goja.Object)
		for j := range og.fns {
			og.fns[j], _ = goja.AssertFunction(arr.Get(fmt.Sprint(j)))
		}
		og.made = true
	}
	return og.fns[i]
}

func (og *opsGuard) helper(c goja.FunctionCall) goja.Value {
	code := int(c.Argument(0).ToInteger())
	switch {
	case code >= opShl && code <= opAdd:
		return og.binary(code, c.Argument(1), c.Argument(2))
	case code == opConcat:
		return og.concat(c.Arguments)
	case code == opToStr:
		return og.str(c.Argument(1))
	case code == opRef:
		return og.ref(c.Argument(1), c.Argument(2))
	case code == opSpread:
		return og.spread(c.Argument(1))
	case code == opSink:
		return og.sink(c.Argument(1))
	case code == opImport:
		return og.importCall(c.Argument(1), c.Argument(2))
	case code == opPushK:
		k := c.Argument(1)
		if ko, ok := k.(*goja.Object); ok {
			k = og.g.toPrimitive(ko, "string")
		}
		if _, sym := k.(*goja.Symbol); !sym {
			k = k.ToString()
		}
		og.stash = k
		return k
	case code == opPushO:
		og.stash = c.Argument(1)
		return og.stash
	case code == opPopK || code == opPopO:
		v := og.stash
		og.stash = nil
		if v == nil {
			panic(og.g.vm.NewTypeError("invalid reference"))
		}
		return v
	case code > opMember && code <= opMember+opStrict+opAdd:
		ref, ok := c.Argument(1).Export().(*memberRef)
		if !ok {
			panic(og.g.vm.NewTypeError("invalid reference"))
		}
		strict := code > opMember+opStrict
		op := code - opMember
		if strict {
			op -= opStrict
		}
		if op < opShl || op > opAdd {
			break
		}
		v := og.binary(op, ref.value, c.Argument(2))
		set := og.fn(4)
		if strict {
			set = og.fn(5)
		}
		call(set, goja.Undefined(), ref.o, ref.key, v)
		return v
	}
	panic(og.g.vm.NewTypeError("invalid operator"))
}

// toNumeric is the operator's ToNumeric(v) for an object (its conversion
// runs here, once); a primitive is returned as it is, for the operator's
// own conversion, which runs no code. A Symbol throws here, as ToNumeric
// does, before the other operand is converted.
func (og *opsGuard) toNumeric(v goja.Value) goja.Value {
	if o, ok := v.(*goja.Object); ok {
		v = og.g.toPrimitive(o, "number")
	}
	if v == nil {
		return goja.Undefined()
	}
	if _, sym := v.(*goja.Symbol); sym {
		panic(og.g.vm.NewTypeError("Cannot convert a Symbol value to a number"))
	}
	return v
}

// binary is l op r, converted in the operator's order, bounded before a
// BigInt result is computed.
func (og *opsGuard) binary(op int, l, r goja.Value) goja.Value {
	if op == opAdd {
		return og.add(l, r)
	}
	l = og.toNumeric(l)
	r = og.toNumeric(r)
	x, y := bigOf(l), bigOf(r)
	if x != nil && y != nil && goja.IsBigInt(l) && goja.IsBigInt(r) {
		return og.g.vm.ToValue(og.bigOp(op, x, y))
	}
	if goja.IsNumber(l) && goja.IsNumber(r) {
		switch op {
		case opShl:
			return og.g.vm.ToValue(int64(jsInt32(l) << (jsUint32(r) & 31)))
		case opSar:
			return og.g.vm.ToValue(int64(jsInt32(l) >> (jsUint32(r) & 31)))
		case opMul:
			return og.g.vm.ToValue(l.ToFloat() * r.ToFloat()) // IEEE 754, as the operator
		}
	}
	if op == opMul {
		return call(og.fn(6), goja.Undefined(), l, r)
	}
	return call(og.fn(op-1), goja.Undefined(), l, r)
}

// bigOp computes x op y for two BigInts, after bounding the result.
func (og *opsGuard) bigOp(op int, x, y *big.Int) *big.Int {
	switch op {
	case opShl, opSar:
		left := (op == opShl) == (y.Sign() >= 0)
		n := new(big.Int).Abs(y)
		if left {
			if x.Sign() == 0 {
				return new(big.Int)
			}
			if !n.IsInt64() || float64(x.BitLen())+float64(n.Int64()) > DefaultMaxBigIntBits {
				og.tooLarge("a shift by %s bits", n)
			}
			return new(big.Int).Lsh(x, uint(n.Int64()))
		}
		if !n.IsInt64() || n.Int64() > int64(x.BitLen()) {
			if x.Sign() < 0 {
				return big.NewInt(-1)
			}
			return new(big.Int)
		}
		return new(big.Int).Rsh(x, uint(n.Int64()))
	case opMul:
		if x.Sign() != 0 && y.Sign() != 0 && x.BitLen()+y.BitLen() > DefaultMaxBigIntBits {
			og.tooLarge("a product of %d and %d bits", x.BitLen(), y.BitLen())
		}
		return new(big.Int).Mul(x, y)
	default:
		if y.Sign() < 0 {
			panic(og.g.newRangeError("exponent must be positive"))
		}
		a := new(big.Int).Abs(x)
		if a.BitLen() > 1 && y.Sign() > 0 {
			f, _ := new(big.Float).SetInt(a).Float64()
			lg := math.Log2(f)
			if math.IsInf(lg, 1) {
				lg = float64(a.BitLen())
			}
			if !y.IsInt64() || float64(y.Int64())*lg > DefaultMaxBigIntBits {
				og.tooLarge("a power of %d bits to the %s", x.BitLen(), y)
			}
		}
		return new(big.Int).Exp(x, y, nil)
	}
}

func (og *opsGuard) tooLarge(format string, args ...any) {
	og.g.bigRangeError(bigLimitErr(format, args...))
}

// ref reads o[k] for a member compound assignment: RequireObjectCoercible
// and ToPropertyKey once, then the read, as GetValue does.
func (og *opsGuard) ref(o, k goja.Value) goja.Value {
	vm := og.g.vm
	if nullish(o) {
		panic(vm.NewTypeError(fmt.Sprintf("Cannot read properties of %s", o)))
	}
	if ko, ok := k.(*goja.Object); ok {
		k = og.g.toPrimitive(ko, "string")
		if _, sym := k.(*goja.Symbol); !sym {
			k = k.ToString()
		}
	}
	v := call(og.fn(3), goja.Undefined(), o, k)
	return vm.ToValue(&memberRef{o: o, key: k, value: v})
}

// jsInt32 and jsUint32 are goja's toInt32 / toUint32 of a Number.
func jsInt32(v goja.Value) int32 {
	switch n := v.Export().(type) {
	case int64:
		return int32(n)
	case float64:
		if !math.IsNaN(n) && !math.IsInf(n, 0) {
			return int32(int64(n))
		}
	}
	return 0
}

func jsUint32(v goja.Value) uint32 { return uint32(jsInt32(v)) } // the same low 32 bits

func (g *guards) newRangeError(msg string) *goja.Object {
	e, err := g.vm.New(g.rangeErr(), g.vm.ToValue(msg))
	if err != nil {
		rethrow(err)
	}
	return e
}

// rewrite is RewriteOps for the compile paths inside the runtime (eval,
// the Function constructors): an error is thrown as the SyntaxError or
// RangeError the compiler would have thrown.
func (g *guards) rewrite(text string) string {
	if !mayRewrite(text) {
		g.parseCheck(text)
		return text
	}
	out, err := RewriteOps(text)
	if err != nil {
		g.throwRewrite(err)
	}
	return out
}

// parseCheck throws the SyntaxError for a source goja's parser panics on
// (ErrParserFailed), which eval and the Function constructors would
// otherwise hand to goja's own parse: a Go panic inside the built-in,
// which ends the isolate with an InternalError. The other parse errors
// are left to the compiler, which reports them.
func (g *guards) parseCheck(text string) {
	// Nesting first: goja's parser recurses, and a Go stack overflow is
	// fatal (RewriteOps checks it the same way before it parses).
	if err := CheckNesting(text, DefaultMaxNesting); err != nil {
		g.throwRewrite(err)
	}
	if _, err := ParseFile("", text); errors.Is(err, ErrParserFailed) {
		g.throwRewrite(err)
	}
}

// throwRewrite throws RewriteOps's error as a SyntaxError, as the
// compiler reports a source it will not compile.
func (g *guards) throwRewrite(err error) {
	e, nerr := g.vm.New(g.syntaxErr(), g.vm.ToValue(strings.TrimPrefix(err.Error(), "guard: ")))
	if nerr != nil {
		rethrow(nerr)
	}
	panic(e)
}

// rewriteFunctionArgs rewrites the parameters and the body a Function
// constructor was given (already strings) inside the text goja will wrap
// them in, so that the parser reads them in their context, and as one
// source, since the rewrite of a parameter's object rest moves it into
// the body (rest.go). It returns args itself when nothing changed, else
// the parameters joined into one argument and the body.
func (g *guards) rewriteFunctionArgs(head string, args []goja.Value) []goja.Value {
	if len(args) == 0 {
		return args
	}
	params := ""
	for i := 0; i+1 < len(args); i++ {
		if i > 0 {
			params += ","
		}
		params += args[i].String()
	}
	body := args[len(args)-1].String()
	if !mayRewrite(params) && !mayRewrite(body) {
		g.parseCheck(head + params + "\n) {\n" + body + "\n})")
		return args
	}
	// The rewritten text is split again where a comment no script can
	// guess marks the parameters' end (a rest's declarations go after it:
	// they are inserted after the comments that follow the "{").
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	mark := "/*" + hex.EncodeToString(nonce[:]) + "*/"
	const end = "\n})"
	mid := "\n) {" + mark + "\n"
	out := g.rewrite(head + params + mid + body + end)
	i := strings.Index(out, mark)
	if !strings.HasPrefix(out, head) || !strings.HasSuffix(out, end) || i < len(head)+len("\n) {") ||
		strings.Count(out, mark) != 1 || out[i-len("\n) {"):i] != "\n) {" || !strings.HasPrefix(out[i+len(mark):], "\n") {
		g.throwRewrite(fmt.Errorf("%w: the function's text moved", ErrRewrite))
	}
	newParams := out[len(head) : i-len("\n) {")]
	newBody := out[i+len(mark)+1 : len(out)-len(end)]
	if newBody == body && newParams == params {
		return args
	}
	vm := g.vm
	if len(args) == 1 {
		return []goja.Value{vm.ToValue(newBody)}
	}
	return []goja.Value{vm.ToValue(newParams), vm.ToValue(newBody)}
}

const (
	// spreadDirect is the largest spread source (in indexed properties)
	// passed to goja as it is.
	spreadDirect = 4096
	// costSpread is what one property of a spread costs, measured (the
	// key list the proxy builds, the key, the property).
	costSpread = 256
)

// spread guards the source of an object spread (see rewrite.go).
func (og *opsGuard) spread(x goja.Value) goja.Value {
	n := indexCount(x)
	if n <= spreadDirect {
		return x
	}
	g := og.g
	if n*costSpread > float64(g.maxBuf) {
		g.fail(fmt.Sprintf("object spread of an object with %v indexed properties", n))
	}
	vm := g.vm
	src := x.ToObject(vm)
	calls := 0
	step := func() {
		if calls++; calls%1024 == 0 {
			g.jsStep()
		}
	}
	desc := func(key goja.Value) goja.PropertyDescriptor {
		step()
		d := call(g.gopd, goja.Undefined(), src, key)
		do, ok := d.(*goja.Object)
		if !ok {
			return goja.PropertyDescriptor{}
		}
		// Reported configurable, as the proxy's target (an empty object)
		// requires; only enumerable and the value are read by the copy.
		return goja.PropertyDescriptor{
			Value:        do.Get("value"),
			Writable:     goja.FLAG_TRUE,
			Enumerable:   goja.ToFlag(do.Get("enumerable").ToBoolean()),
			Configurable: goja.FLAG_TRUE,
		}
	}
	get := func(key string) goja.Value {
		step()
		return src.Get(key)
	}
	p := vm.NewProxy(vm.NewObject(), &goja.ProxyTrapConfig{
		OwnKeys: func(*goja.Object) *goja.Object {
			keys := src.Keys()
			vals := make([]any, 0, len(keys)+4)
			for _, k := range keys {
				vals = append(vals, k)
			}
			for _, s := range src.Symbols() {
				vals = append(vals, s)
			}
			return vm.NewArray(vals...)
		},
		GetOwnPropertyDescriptor:    func(_ *goja.Object, k string) goja.PropertyDescriptor { return desc(vm.ToValue(k)) },
		GetOwnPropertyDescriptorIdx: func(_ *goja.Object, i int) goja.PropertyDescriptor { return desc(vm.ToValue(i)) },
		GetOwnPropertyDescriptorSym: func(_ *goja.Object, s *goja.Symbol) goja.PropertyDescriptor { return desc(s) },
		Get:                         func(_ *goja.Object, k string, _ goja.Value) goja.Value { return get(k) },
		GetIdx:                      func(_ *goja.Object, i int, _ goja.Value) goja.Value { return get(strconv.Itoa(i)) },
		GetSym: func(_ *goja.Object, s *goja.Symbol, _ goja.Value) goja.Value {
			step()
			return src.GetSymbol(s)
		},
	})
	return vm.ToValue(p)
}

// sink is the target a nested object rest of an assignment pattern is
// rewritten to (rest.go): an object whose v setter calls f, the arrow that
// does the rest, with the value.
func (og *opsGuard) sink(f goja.Value) goja.Value {
	fn, ok := goja.AssertFunction(f)
	g := og.g
	if !ok {
		panic(g.vm.NewTypeError("not a function"))
	}
	o := g.vm.NewObject()
	set := g.namedNative("set v", 1, func(c goja.FunctionCall) goja.Value {
		if _, err := fn(goja.Undefined(), c.Argument(0)); err != nil {
			rethrow(err)
		}
		return goja.Undefined()
	})
	if err := o.DefineAccessorProperty("v", nil, set, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		rethrow(err)
	}
	return o
}

// add is l + r (ApplyStringOrNumericBinaryOperator): ToPrimitive of the
// left, then of the right, then a string concatenation when either is a
// string, bounded by the allocation cap and reserved (Config.Reserve)
// before it is made; anything else is the operator itself on the two
// primitives, which runs no code.
func (og *opsGuard) add(l, r goja.Value) goja.Value {
	g := og.g
	if o, ok := l.(*goja.Object); ok {
		l = g.toPrimitive(o, "default")
	}
	if o, ok := r.(*goja.Object); ok {
		r = g.toPrimitive(o, "default")
	}
	ls, lok := l.(goja.String)
	rs, rok := r.(goja.String)
	if !lok && !rok {
		if goja.IsNumber(l) && goja.IsNumber(r) {
			return g.vm.ToValue(l.ToFloat() + r.ToFloat()) // IEEE 754, as the operator
		}
		return call(og.fn(7), goja.Undefined(), l, r)
	}
	if !lok {
		ls = og.primString(l)
	}
	if !rok {
		rs = og.primString(r)
	}
	if ls.Length() == 0 {
		return rs
	}
	if rs.Length() == 0 {
		return ls
	}
	n := int64(ls.Length()) + int64(rs.Length())
	if n > g.maxStr {
		g.fail("string concatenation result")
	}
	defer g.reserve(gojax.StringBytes(ls)+gojax.StringBytes(rs), "string concatenation")()
	return ls.Concat(rs)
}

// primString is ToString of a primitive (a Symbol throws the TypeError).
func (og *opsGuard) primString(v goja.Value) goja.String {
	if v == nil {
		v = goja.Undefined()
	}
	if _, sym := v.(*goja.Symbol); sym {
		panic(og.g.vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	s, ok := og.g.vm.ToValue(v.String()).(goja.String)
	if !ok {
		panic(og.g.vm.NewTypeError("Cannot convert value to a string"))
	}
	return s
}

// str is ToString(v), the conversion of a template literal's substitution
// (an object's ToPrimitive with hint string runs here, in order).
func (og *opsGuard) str(v goja.Value) goja.Value {
	if s, ok := v.(goja.String); ok {
		return s
	}
	if o, ok := v.(*goja.Object); ok {
		v = og.g.toPrimitive(o, "string")
		if s, ok := v.(goja.String); ok {
			return s
		}
	}
	return og.primString(v)
}

// concat is a template literal: its pieces, code first, converted with
// ToString in order (the rewrite passes a substitution through opToStr
// when its evaluation could run code), then joined, bounded and reserved
// as + is.
func (og *opsGuard) concat(args []goja.Value) goja.Value {
	g := og.g
	parts := make([]goja.String, 0, len(args))
	var n, bytes int64
	for _, a := range args[1:] {
		s := og.str(a).(goja.String)
		parts = append(parts, s)
		if n += int64(s.Length()); n > g.maxStr {
			g.fail("template literal result")
		}
		bytes += gojax.StringBytes(s)
	}
	defer g.reserve(bytes, "template literal")()
	var sb goja.StringBuilder
	for _, s := range parts {
		sb.WriteString(s)
	}
	return sb.String()
}
