package guard

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/token"
)

// BigInt guards.
//
// goja computes BigInt operators with math/big and no size limit, so one
// step can ask for an arbitrarily large block (1n << 2n**40n: 128 GiB) or
// run for minutes (3n ** 2n**27n, toString of a huge value, parsing a
// huge decimal string). The operators are VM instructions (vm.go: _mul,
// _exp, _sal, _sar): no goja hook reaches them at run time. What is
// covered:
//
//   - compile time: goja folds constant expressions while compiling
//     (compiler_expr.go evalConst), on the compiling goroutine, even in a
//     function never called. CheckSource (called by the engine for every
//     script and function it compiles, and here for eval and the Function
//     constructors) walks the AST and evaluates BigInt constant
//     expressions with a bound on each result before computing it, and
//     refuses a source whose constant would exceed DefaultMaxBigIntBits;
//     it also refuses a shift or an exponent by a constant over the cap
//     applied to a non-constant operand (its result can only be huge), and
//     BigInt literals over the cap (the lexer parses decimal literals in
//     quadratic time);
//   - built-ins: BigInt(value) (a string over the cap is refused before
//     it is parsed), BigInt.asUintN / asIntN (the 2**bits block goja
//     builds is avoided: a result over the cap throws, one equal to the
//     argument is returned as is), BigInt.prototype.toString and
//     toLocaleString (a value over the cap is refused).
//
// The run-time operators on values that are not constants (let a = 2n **
// 40n; 1n << a) are bounded by rewriting the source (rewrite.go,
// guards_ops.go). Not covered: * and + (their result is at most the sum
// of the operands' sizes), and the VM's own ToString of a BigInt
// (String(x), `${x}`, x + ""), which need a hook in goja's vm.go.

// DefaultMaxBigIntBits is the largest BigInt, in bits, that the guards let
// a constant, a literal, BigInt(), asUintN/asIntN produce or toString
// print: 1 Mi bits (128 KiB, 315,653 decimal digits), where multiplying,
// printing or parsing takes tens of milliseconds. A constant: any
// goroutine.
const DefaultMaxBigIntBits = 1 << 20

// ErrBigIntTooLarge is what CheckSource's errors wrap.
var ErrBigIntTooLarge = errors.New("guard: BigInt too large")

const log2of10 = 3.321928094887362

// bigLimitErr builds CheckSource's error.
func bigLimitErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s (limit %d bits)", ErrBigIntTooLarge, fmt.Sprintf(format, args...), DefaultMaxBigIntBits)
}

// CheckSource refuses a source whose compilation would compute a BigInt
// over DefaultMaxBigIntBits (see the comment above). It is cheap for a
// source without a BigInt literal (one byte scan); otherwise it parses the
// source (after CheckNesting, so that the parse cannot overflow the
// stack: a source nested too deep is left to CheckNesting's caller) and
// walks it. A source that does not parse is left to the compiler. Pure:
// any goroutine.
func CheckSource(src string) error {
	has, err := scanBigIntLiterals(src)
	if err != nil || !has {
		return err
	}
	if CheckNesting(src, DefaultMaxNesting) != nil {
		return nil
	}
	prg, perr := ParseFile("", src)
	if perr != nil {
		return nil
	}
	return CheckProgram(prg)
}

// CheckProgram is CheckSource for a program already parsed. Pure: any
// goroutine.
func CheckProgram(prg *ast.Program) (err error) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(bigErr); ok {
				err = e.error
				return
			}
			panic(x)
		}
	}()
	walkNode(reflect.ValueOf(prg))
	return nil
}

type bigErr struct{ error }

// scanBigIntLiterals reports whether src may hold a BigInt literal (a
// numeric token ending in n; strings and comments may give false
// positives), and refuses a literal over the cap.
func scanBigIntLiterals(src string) (bool, error) {
	found := false
	for i := 1; i < len(src); i++ {
		if src[i] != 'n' || !isNumChar(src[i-1]) {
			continue
		}
		j := i - 1
		for j > 0 && isNumChar(src[j-1]) {
			j--
		}
		if src[j] < '0' || src[j] > '9' || (j > 0 && (isIdentChar(src[j-1]) || src[j-1] == '.')) {
			continue
		}
		if i+1 < len(src) && isIdentChar(src[i+1]) {
			continue
		}
		found = true
		lit := strings.ReplaceAll(src[j:i], "_", "")
		var bits float64
		switch {
		case len(lit) > 1 && (lit[1] == 'x' || lit[1] == 'X'):
			bits = float64(len(lit)-2) * 4
		case len(lit) > 1 && (lit[1] == 'o' || lit[1] == 'O'):
			bits = float64(len(lit)-2) * 3
		case len(lit) > 1 && (lit[1] == 'b' || lit[1] == 'B'):
			bits = float64(len(lit) - 2)
		default:
			bits = float64(len(lit)) * log2of10
		}
		if bits > DefaultMaxBigIntBits+4 {
			return true, bigLimitErr("a BigInt literal of %d digits", len(lit))
		}
	}
	return found, nil
}

func isNumChar(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' || b == '_' ||
		b == 'x' || b == 'X' || b == 'o' || b == 'O'
}

func isIdentChar(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == '$' || b >= 0x80
}

var (
	exprType = reflect.TypeOf((*ast.Expression)(nil)).Elem()
)

// walkNode visits every node under v, evaluating the outermost
// expressions goja may fold.
func walkNode(v reflect.Value) {
	walkAST(v, func(n any) bool {
		switch e := n.(type) {
		case *ast.BinaryExpression, *ast.UnaryExpression, *ast.AssignExpression:
			constEval(e.(ast.Expression))
			return false
		}
		return true
	})
}

// cval is a folded value: a BigInt (big != nil), another constant
// (known), or unknown.
type cval struct {
	big   *big.Int
	known bool
	truth bool // for logical operators, when known
}

var unknown = cval{}

func bitsOf(x *big.Int) float64 { return float64(x.BitLen()) }

func checkBits(bits float64, what string) {
	if bits > DefaultMaxBigIntBits {
		panic(bigErr{bigLimitErr("%s would have %.0f bits", what, bits)})
	}
}

// constEval folds e as goja's compiler would, bounding each BigInt result
// before it is computed; subexpressions it cannot fold are walked.
func constEval(e ast.Expression) cval {
	switch e := e.(type) {
	case *ast.NumberLiteral:
		if b, ok := e.Value.(*big.Int); ok {
			return cval{big: b, known: true, truth: b.Sign() != 0}
		}
		f, _ := e.Value.(float64)
		if i, ok := e.Value.(int64); ok {
			f = float64(i)
		}
		return cval{known: true, truth: f != 0 && !math.IsNaN(f)}
	case *ast.StringLiteral:
		return cval{known: true, truth: len(e.Value) > 0}
	case *ast.BooleanLiteral:
		return cval{known: true, truth: e.Value}
	case *ast.NullLiteral:
		return cval{known: true}
	case *ast.UnaryExpression:
		x := constEval(e.Operand)
		if !x.known || e.Postfix {
			return unknown
		}
		switch e.Operator {
		case token.MINUS:
			if x.big != nil {
				r := new(big.Int).Neg(x.big)
				return cval{big: r, known: true, truth: r.Sign() != 0}
			}
		case token.BITWISE_NOT:
			if x.big != nil {
				r := new(big.Int).Not(x.big)
				return cval{big: r, known: true, truth: r.Sign() != 0}
			}
		case token.NOT:
			return cval{known: true, truth: !x.truth}
		}
		return unknown
	case *ast.AssignExpression:
		walkNode(reflect.ValueOf(e.Left))
		r := constEval(e.Right)
		runtimeOp(e.Operator, r)
		return unknown
	case *ast.BinaryExpression:
		l := constEval(e.Left)
		r := constEval(e.Right)
		switch e.Operator {
		case token.LOGICAL_AND:
			if l.known && !l.truth {
				return l
			}
			if l.known {
				return r
			}
			return unknown
		case token.LOGICAL_OR:
			if l.known && l.truth {
				return l
			}
			if l.known {
				return r
			}
			return unknown
		case token.COALESCE:
			// null and undefined are the only nullish constants; a known
			// value other than null keeps the left side.
			if _, isNull := e.Left.(*ast.NullLiteral); isNull {
				return r
			}
			if l.known {
				return l
			}
			return unknown
		}
		if l.big == nil || r.big == nil {
			if l.big == nil && !l.known {
				runtimeOp(e.Operator, r)
			}
			if l.known && r.known {
				return cval{known: true, truth: true} // a non-BigInt constant
			}
			return unknown
		}
		v := foldBig(e.Operator, l.big, r.big)
		if v == nil {
			return cval{known: true, truth: true}
		}
		return cval{big: v, known: true, truth: v.Sign() != 0}
	}
	walkNode(reflect.ValueOf(e))
	return unknown
}

// runtimeOp refuses an operator whose right operand is a BigInt constant
// that makes the result huge whatever the (non-constant) left operand is,
// but 0n, 1n and -1n.
func runtimeOp(op token.Token, r cval) {
	if r.big == nil {
		return
	}
	switch op {
	case token.SHIFT_LEFT, token.SHIFT_LEFT_ASSIGN:
		if r.big.Sign() > 0 {
			checkBits(float64(shiftOf(r.big)), "a shift by a constant")
		}
	case token.SHIFT_RIGHT, token.SHIFT_RIGHT_ASSIGN:
		if r.big.Sign() < 0 {
			checkBits(float64(shiftOf(r.big)), "a shift by a constant")
		}
	case token.EXPONENT, token.EXPONENT_ASSIGN:
		if r.big.Sign() > 0 && (!r.big.IsInt64() || r.big.Int64() > DefaultMaxBigIntBits) {
			panic(bigErr{bigLimitErr("an exponent by a constant over the limit")})
		}
	}
}

// shiftOf is the shift count goja uses: the low 64 bits of |n|.
func shiftOf(n *big.Int) uint64 {
	return new(big.Int).Abs(n).Uint64()
}

// foldBig computes l op r as goja does, after bounding the result; nil
// for an operator whose result is not a BigInt (or throws).
func foldBig(op token.Token, l, r *big.Int) *big.Int {
	lb, rb := bitsOf(l), bitsOf(r)
	switch op {
	case token.PLUS:
		checkBits(math.Max(lb, rb)+1, "a sum")
		return new(big.Int).Add(l, r)
	case token.MINUS:
		checkBits(math.Max(lb, rb)+1, "a difference")
		return new(big.Int).Sub(l, r)
	case token.MULTIPLY:
		checkBits(lb+rb, "a product")
		return new(big.Int).Mul(l, r)
	case token.SLASH:
		if r.Sign() == 0 {
			return nil
		}
		return new(big.Int).Quo(l, r)
	case token.REMAINDER:
		if r.Sign() == 0 {
			return nil
		}
		return new(big.Int).Rem(l, r)
	case token.EXPONENT:
		if r.Sign() < 0 {
			return nil
		}
		a := new(big.Int).Abs(l)
		if a.BitLen() <= 1 || r.Sign() == 0 { // 0, 1, -1, x**0
			return new(big.Int).Exp(l, r, nil)
		}
		if !r.IsInt64() {
			checkBits(math.Inf(1), "a power")
		}
		// log2|l| from its top bits.
		f, _ := new(big.Float).SetInt(a).Float64()
		lg := math.Log2(f)
		if math.IsInf(lg, 1) {
			lg = lb
		}
		checkBits(float64(r.Int64())*lg, "a power")
		return new(big.Int).Exp(l, r, nil)
	case token.SHIFT_LEFT, token.SHIFT_RIGHT:
		n := shiftOf(r)
		left := (op == token.SHIFT_LEFT) == (r.Sign() >= 0)
		if left {
			checkBits(lb+float64(n), "a shift")
			return new(big.Int).Lsh(l, uint(n))
		}
		return new(big.Int).Rsh(l, uint(n))
	case token.AND:
		return new(big.Int).And(l, r)
	case token.OR:
		return new(big.Int).Or(l, r)
	case token.EXCLUSIVE_OR:
		return new(big.Int).Xor(l, r)
	}
	return nil
}

// ---- run time: eval, the Function constructors, BigInt built-ins ----

// checkFunctionSource is called by the Function constructors' guard
// (guards_depth.go fnCheck) with the exact text goja will compile for that
// constructor (functionSourceText): its BigInt constants are bounded before
// goja folds them. A quick scan skips the parse when there is no BigInt
// literal at all.
func (g *guards) checkFunctionSource(text string) {
	if has, err := scanBigIntLiterals(text); err != nil {
		g.bigRangeError(err)
	} else if !has {
		return
	}
	if err := CheckSource(text); err != nil {
		g.bigRangeError(err)
	}
}

func (g *guards) bigRangeError(err error) {
	e, nerr := g.vm.New(g.rangeErr(), g.vm.ToValue(strings.TrimPrefix(err.Error(), "guard: ")))
	if nerr != nil {
		rethrow(nerr)
	}
	panic(e)
}

func (g *guards) installBigIntGuards() {
	vm := g.vm
	rangeErr := g.bigRangeError
	global := vm.GlobalObject()
	g.wrapWith(global, "eval", 1, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
		if s, ok := c.Argument(0).(goja.String); ok {
			text := s.String()
			if err := CheckSource(text); err != nil {
				rangeErr(err)
			}
			// The run-time BigInt operators go through the op helper
			// (rewrite.go): eval passes the rewritten text on.
			if out := g.rewrite(text); out != text {
				args := append([]goja.Value{vm.ToValue(out)}, c.Arguments[1:]...)
				return call(orig, c.This, args...)
			}
		}
		return call(orig, c.This, c.Arguments...)
	})
	bi, ok := g.globalOriginal("BigInt").(*goja.Object) // goja's: the global is not made here
	if !ok {
		return
	}
	b := &bigGuards{guards: g}
	b.origBigInt, _ = goja.AssertFunction(bi)
	for _, signed := range []bool{false, true} {
		signed := signed
		name := "asUintN"
		if signed {
			name = "asIntN"
		}
		g.wrapWith(bi, name, 2, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			return b.asN(orig, c, signed, name)
		})
	}
	bp := bi.Get("prototype").(*goja.Object)
	for _, name := range []string{"toString", "toLocaleString"} {
		name := name
		g.wrap(bp, name, 0, func(c goja.FunctionCall) {
			if x := bigOf(c.This); x != nil && x.BitLen() > DefaultMaxBigIntBits {
				g.fail(fmt.Sprintf("BigInt.prototype.%s of a %d-bit value", name, x.BitLen()))
			}
		})
	}
	// BigInt itself: a constructor wrapper (wrapCtor) that converts the
	// argument once on a call (ToPrimitive, then a string is bounded before
	// it is parsed) and hands the converted value on; new BigInt() reaches
	// the original, which throws its TypeError before converting anything.
	check := func(args []goja.Value) []goja.Value {
		if len(args) == 0 {
			return nil
		}
		p := args[0]
		if o, ok := p.(*goja.Object); ok {
			p = b.toPrimitive(o, "number")
		}
		if s, ok := p.(goja.String); ok {
			b.checkBigString(s, "BigInt")
		}
		args[0] = p
		return args
	}
	// Made when the global or BigInt.prototype.constructor is first
	// reached: a BigInt primitive (a literal, a BigInt64Array element, a
	// clone) reaches only the prototype, which goja makes from its template.
	g.wrapCtorProto("BigInt", bi, bp, ctorCheckCall, check, func(w *goja.Object) {
		for _, name := range []string{"asUintN", "asIntN"} {
			_ = w.DefineDataProperty(name, bi.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	})
}

type bigGuards struct {
	*guards
	origBigInt goja.Callable
}

// bigOf is the *big.Int of a BigInt primitive or wrapper, else nil.
func bigOf(v goja.Value) *big.Int {
	if v == nil {
		return nil
	}
	if o, ok := v.(*goja.Object); ok {
		if o.ClassName() != "BigInt" {
			return nil
		}
	} else if !goja.IsBigInt(v) {
		return nil
	}
	x, _ := v.Export().(*big.Int)
	return x
}

// checkBigString refuses a string whose BigInt would be over the cap (a
// decimal one is parsed in quadratic time).
func (b *bigGuards) checkBigString(s goja.String, what string) {
	n := s.Length()
	if float64(n) < DefaultMaxBigIntBits/log2of10 {
		return
	}
	t := strings.TrimSpace(s.String())
	bits := float64(len(t)) * log2of10
	if len(t) > 2 && t[0] == '0' {
		switch t[1] {
		case 'x', 'X':
			bits = float64(len(t)-2) * 4
		case 'o', 'O':
			bits = float64(len(t)-2) * 3
		case 'b', 'B':
			bits = float64(len(t) - 2)
		}
	}
	if bits > DefaultMaxBigIntBits+4 {
		b.fail(fmt.Sprintf("%s of a %d-character string", what, len(t)))
	}
}

// toPrimitive is ToPrimitive(o, hint), hint "number" or "string", as the
// spec defines it: @@toPrimitive, else valueOf and toString in the hint's
// order. User code runs here, once.
func (g *guards) toPrimitive(o *goja.Object, hint string) goja.Value {
	vm := g.vm
	if ex := o.GetSymbol(goja.SymToPrimitive); !nullish(ex) {
		f, ok := goja.AssertFunction(ex)
		if !ok {
			panic(vm.NewTypeError("Symbol.toPrimitive is not a function"))
		}
		r := call(f, o, vm.ToValue(hint))
		if _, obj := r.(*goja.Object); obj {
			panic(vm.NewTypeError("Cannot convert object to primitive value"))
		}
		return r
	}
	order := [2]string{"valueOf", "toString"}
	if hint == "string" {
		order = [2]string{"toString", "valueOf"}
	}
	for _, m := range order {
		if f, ok := goja.AssertFunction(o.Get(m)); ok {
			r := call(f, o)
			if _, obj := r.(*goja.Object); !obj {
				return r
			}
		}
	}
	panic(vm.NewTypeError("Cannot convert object to primitive value"))
}

// asN is BigInt.asUintN / asIntN without goja's 2**bits block when bits is
// over the cap: the result is then the argument itself (a value that
// fits), or over the cap and refused.
func (b *bigGuards) asN(orig goja.Callable, c goja.FunctionCall, signed bool, name string) goja.Value {
	if len(c.Arguments) < 2 {
		return call(orig, goja.Undefined(), c.Arguments...)
	}
	bitsV := c.Argument(0).ToNumber() // ToNumber once; ToIndex is side-effect free after it
	bits := bitsV.ToFloat()
	if math.IsNaN(bits) {
		bits = 0
	}
	bits = math.Trunc(bits)
	xv := c.Argument(1)
	if bits < 0 || bits > 1<<53-1 {
		return call(orig, goja.Undefined(), bitsV, xv) // ToIndex's RangeError, before ToBigInt
	}
	// ToBigInt(bigint): ToPrimitive once, and a string is bounded before
	// it is parsed (goja's parse of a decimal string is quadratic: 1 M
	// digits took a second, in one step, for asUintN(64, s) too).
	if o, ok := xv.(*goja.Object); ok {
		xv = b.toPrimitive(o, "number")
	}
	s, isStr := xv.(goja.String)
	if isStr {
		b.checkBigString(s, "BigInt."+name)
	}
	if bits <= DefaultMaxBigIntBits {
		return call(orig, goja.Undefined(), bitsV, xv)
	}
	if isStr {
		xv = call(b.origBigInt, goja.Undefined(), xv) // StringToBigInt, as ToBigInt
	} else if xv != nil && xv.ExportType() == reflect.TypeOf(true) {
		xv = call(b.origBigInt, goja.Undefined(), xv)
	}
	x := bigOf(xv)
	if x == nil {
		// undefined, null, a number, a symbol: the original throws.
		return call(orig, goja.Undefined(), b.vm.ToValue(0), xv)
	}
	if x.Sign() >= 0 && float64(x.BitLen()) < bits {
		return xv
	}
	if signed && float64(x.BitLen()) < bits {
		return xv
	}
	b.fail(fmt.Sprintf("BigInt.%s(%v, ...) result", name, bits))
	return nil
}
