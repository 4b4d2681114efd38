package guard

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/token"
)

// Run-time BigInt operators.
//
// goja computes x << n, x >> n and x ** n with math/big inside one VM
// instruction (vm.go _sal, _sar, _exp), whatever the size: with a BigInt n
// of 2**40 that is a 128 GiB allocation, which ends the process, and no
// hook reaches the instruction. CheckSource bounds the constants; the
// operators on values computed at run time are bounded by rewriting the
// source before goja compiles it: every such operator whose operands are
// not literals becomes a call of the op helper, a non-configurable,
// non-writable method of String.prototype that no script can replace and
// no binding (with, eval, a parameter) can shadow, reached as ""[OpHelper]:
//
//	x << n      ""[OpHelper](1,(x),(n))      also >> (2), ** (3) and * (4)
//	x **= n     x = ""[OpHelper](3,(x),(n))  a name, this.#p or x.#p
//	o[k] <<= n  ""[OpHelper](21,""[OpHelper](40,(o),(k)),(n))  any member
//	                                      (20 + op, +10 in strict code)
//
// The helper (guards_ops.go) converts the operands as the operator would,
// in the same order (ToNumeric of the left, then of the right), refuses a
// BigInt result over DefaultMaxBigIntBits with a RangeError before it is
// computed, and otherwise returns exactly what the operator returns. The
// rewrite only inserts text inside the expression and replaces the
// operator and parentheses of the operands, on the same lines, so line
// numbers in errors and stack traces do not move; columns after an
// insertion on the same line do. Function.prototype.toString of a function
// holding such an operator shows the rewritten text.
//
// The same helper takes the source of an object spread, {...x}: goja
// copies its properties in one instruction (vm.go _copySpread), and a
// string or typed array of n elements becomes n properties, ~2 µs and
// ~240 bytes each, for 16 MiB of string 30 s and 4 GB that no kill could
// stop. The helper passes a source of up to 4096 indexed properties on
// as it is, refuses one whose properties would exceed the allocation cap
// (256 bytes each: 1 Mi properties at the default cap), and hands the
// rest on behind a proxy whose traps run a JS step every 1024 properties,
// so that maxTaskMs, kill and the memory limits stop it. What is left
// without a JS step is the proxy's key list, built and checked by goja in
// one go: ~0.7 µs a property, 0.7 s at the cap.
// Object rest at the top of a declaration or assignment pattern (const
// {a, ...r} = s, ({...r} = s)) copies as a spread does, and its source
// goes through the same helper; rest.go restructures the patterns that
// hold a rest anywhere else so that theirs does too.
//
// String + and template literals. goja makes s + s (vm.go _add) and
// `${a}${b}` (concatStrings) in one instruction too: a whole copy of a
// string that no cap saw, and which several isolates at once made faster
// than the memory monitor samples. So every + and += (code 5) and every
// untagged template with substitutions (6, its pieces; 7, the ToString of
// a substitution whose evaluation may run code, in its place) go through
// the helper, which converts as the operator does and bounds the result
// by the allocation cap, and reserves one of ReserveMin bytes or more
// (Config.Reserve) before making it. Numbers must stay cheap: when both
// operands are bound names (parameters, variables and lexical bindings of
// an enclosing scope, no with in between) or Number literals, the rewrite
// is
//
//	(typeof a === "number" && typeof b === "number" ? a + b : ""[OpHelper](5,a , b))
//
// (names read twice have no side effect; a global or with-scoped name
// may be a getter, so it is not a bound name). Left alone: two constants
// and tagged templates (the tag gets the pieces; nothing is joined).
//
// Parentheses: goja's AST has none, so the rewrite pairs them from the
// text: those closing after a left operand's text are the operand's own
// (around its last operand: a + (b)) or opened before it; dangling counts
// the former.
//
// Operators left alone (leftAlone): a Number literal operand (a Number
// cannot meet a BigInt), a literal shift count from -64 to 64 and a literal
// factor up to 64 bits (the value grows by that much an instruction), two
// literals (CheckSource bounds constants), and >>> (a TypeError on
// BigInts). super.x op= n is rebuilt as super.x = ""[OpHelper](op,
// super.x, n); super[k] op= n and f().#p op= n, whose target must be
// evaluated once, hand the key or object through the helper (60/61,
// 62/63) from the target to the read right after it; parentheses around
// a target stay around it ((super[k]) = ...). An operator whose operands
// the rewrite cannot place is refused (ErrRewrite), never left with its
// right operand bounded alone: the helper must see both (x >> -n and a
// blind exponent of 2 each grew a value without bound, a step at a time).

// OpHelper is the String.prototype key of the op helper that RewriteOps
// calls. A constant: any goroutine.
const OpHelper = "__isoboxOp"

// ErrRewrite is what RewriteOps's errors wrap when it cannot guard an
// operator or a pattern (a layout of the source it did not expect): the
// source is refused rather than compiled unguarded.
var ErrRewrite = errors.New("guard: cannot guard this source")

// Op helper codes, the first argument of the helper.
const (
	opShl    = 1  // binary x << n: (l, r)
	opSar    = 2  // binary x >> n
	opExp    = 3  // binary x ** n
	opMul    = 4  // binary x * y
	opAdd    = 5  // binary x + y: a string result is bounded and reserved
	opConcat = 6  // a template literal: (pieces...), each converted with ToString
	opToStr  = 7  // a template substitution's ToString: (v)
	opMember = 20 // + op: a member compound assignment, on a reference: (ref, r)
	opStrict = 10 // added to opMember + op in strict code
	opRef    = 40 // the reference of a member compound assignment: (o, k)
	opSpread = 50 // the source of an object spread, {...x}: (x)
	opPushK  = 60 // stash the key of super[k] op= r (ToPropertyKey), return it: (k)
	opPopK   = 61 // the key stashed: ()
	opPushO  = 62 // stash the object of o.#p op= r, return it: (o)
	opPopO   = 63 // the object stashed: ()
	opImport = 70 // import(s) or import(s, o): (s, o)
)

// RewriteOps returns src with its BigInt-capable operators, string + and
// template literals routed through the op helper (see above), or src
// itself when it has none. A source
// that does not parse is returned as it is, for the compiler to report;
// one nested deeper than DefaultMaxNesting is refused (ErrTooDeep), as
// parsing it could overflow the stack. Pure: any goroutine.
func RewriteOps(src string) (out string, err error) {
	src = fixEscapes(src) // escapes.go: before any parse, and returned
	defer recoverParse(&err)
	imports := mayImport(src)
	if !imports && !mayHaveOps(src) {
		return src, nil
	}
	if err := CheckNesting(src, DefaultMaxNesting); err != nil {
		return "", err
	}
	orig := src
	prg, err := ParseFile("", src)
	var renamed map[int]bool
	if errors.Is(err, ErrParserFailed) {
		return "", err // the compiler's parser would panic on it too
	}
	if err != nil {
		if !imports {
			return src, nil
		}
		// import() calls (imports.go): renamed, then rewritten below.
		var rerr error
		src, renamed, prg, rerr = renameImportsParsed(src)
		if rerr != nil {
			return "", rerr
		}
		if len(renamed) == 0 || prg == nil {
			return orig, nil
		}
	}
	rw := &rewriter{src: src, imports: renamed}
	rw.walk(reflect.ValueOf(prg), false, 0)
	if rw.importsDone != len(renamed) {
		// A renamed keyword that is not a call of one or two arguments
		// (new import(x), import(...a)): the original is the SyntaxError.
		return orig, nil
	}
	if rw.err != nil {
		return "", rw.err
	}
	if len(rw.edits) == 0 {
		return src, nil
	}
	// The result is not parsed again here: every caller compiles it next,
	// and a rewrite that did not parse would be refused there as a
	// SyntaxError, never run (FuzzRewriteOps checks that it parses).
	return rw.apply(), rw.err
}

// mayRewrite reports whether RewriteOps may change src: an operator it
// routes, an import() or a \u{ escape (escapes.go). Pure.
func mayRewrite(src string) bool {
	return mayHaveOps(src) || mayImport(src) || strings.Contains(src, `\u{`)
}

// mayHaveOps reports whether src holds "<<", ">>", "...", "+", a backquote
// or a "*" that is not part of a /* or */ comment fence (so "*" and "**").
func mayHaveOps(src string) bool {
	if strings.Contains(src, "<<") || strings.Contains(src, ">>") || strings.Contains(src, "...") ||
		strings.ContainsAny(src, "+`") {
		return true
	}
	for i := strings.IndexByte(src, '*'); i >= 0; {
		if !(i > 0 && src[i-1] == '/') && !(i+1 < len(src) && src[i+1] == '/') {
			return true
		}
		j := strings.IndexByte(src[i+1:], '*')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

type edit struct {
	pos, end int           // replaced range [pos, end); end == pos: an insertion
	text     string        // what goes there
	gen      func() string // or what makes it, when the edits are applied (rest.go)
	class    int           // at one position: 0 closing inserts, 1 replacements, 2 opening inserts
	depth    int           // closing: inner first; opening: outer first
	cut      bool          // the text of [pos, end), with the edits inside it, is rendered elsewhere (rest.go)
	id       int           // a cut's name, for its own rendering
}

type rewriter struct {
	src         string
	edits       []edit
	err         error
	imports     map[int]bool     // offsets of import keywords renamed to importName
	importsDone int              // how many of them were rewritten
	seen        map[uintptr]bool // nodes visited: goja's AST reaches some twice (a var's binding is in the hoisting list too)
	scopes      []scope          // the declarations around the node being visited (scope.go)
	nextID      int              // the last cut's id
	moved       map[*ast.Binding]bool
	patDefault  map[*ast.AssignExpression]bool // defaults inside patterns: not assignments (rest.go)
}

func (rw *rewriter) off(i file.Idx) int { return int(i) - 1 }

func (rw *rewriter) open(pos, depth int, text string) {
	rw.edits = append(rw.edits, edit{pos: pos, end: pos, text: text, class: 2, depth: depth})
}

func (rw *rewriter) close(pos, depth int, text string) {
	rw.edits = append(rw.edits, edit{pos: pos, end: pos, text: text, class: 0, depth: depth})
}

func (rw *rewriter) replace(pos, end int, text string) {
	rw.edits = append(rw.edits, edit{pos: pos, end: end, text: text, class: 1})
}

func (rw *rewriter) fail(e ast.Node, why string) {
	if rw.err == nil {
		rw.err = fmt.Errorf("%w at offset %d: %s", ErrRewrite, rw.off(e.Idx0()), why)
	}
}

func (rw *rewriter) apply() string {
	sort.SliceStable(rw.edits, func(i, j int) bool {
		a, b := rw.edits[i], rw.edits[j]
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		if a.class != b.class {
			return a.class < b.class
		}
		if a.class == 0 {
			return a.depth > b.depth
		}
		return a.depth < b.depth
	})
	out := rw.render(0, len(rw.src), 0)
	if rw.err != nil {
		return rw.src
	}
	return out
}

// render is the text of [lo, hi) with the edits inside it applied (all
// of them, those at hi too, for the whole source; inside the cut self,
// those strictly inside). The text of a cut is left out, for its
// insertion elsewhere to render.
func (rw *rewriter) render(lo, hi, self int) string {
	var sb strings.Builder
	sb.Grow(hi - lo + 32*len(rw.edits))
	at := lo
	i := sort.Search(len(rw.edits), func(i int) bool { return rw.edits[i].pos >= lo })
	for ; i < len(rw.edits); i++ {
		e := rw.edits[i]
		if self != 0 && (e.pos >= hi || e.id == self || e.pos == lo && e.class == 0) {
			if e.pos >= hi {
				break
			}
			continue
		}
		if e.pos > hi {
			break
		}
		if e.pos < at { // overlapping edits: cannot happen for a valid layout
			rw.err = fmt.Errorf("%w: overlapping edits", ErrRewrite)
			return ""
		}
		sb.WriteString(rw.src[at:e.pos])
		if e.gen != nil {
			sb.WriteString(e.gen())
		} else {
			sb.WriteString(e.text)
		}
		at = e.end
		if e.cut {
			for i+1 < len(rw.edits) && rw.edits[i+1].pos < e.end {
				i++
			}
		}
	}
	sb.WriteString(rw.src[at:hi])
	return sb.String()
}

// walk visits every node under v, tracking strict mode (for member
// compound assignments, whose store the helper makes) and nesting depth.
func (rw *rewriter) walk(v reflect.Value, strict bool, depth int) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			rw.walk(v.Elem(), strict, depth)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if rw.seen == nil {
			rw.seen = map[uintptr]bool{}
		}
		if rw.seen[v.Pointer()] {
			return
		}
		rw.seen[v.Pointer()] = true
		if rw.pushScope(v.Interface()) {
			defer rw.popScope()
		}
		switch n := v.Interface().(type) {
		case *ast.Program:
			strict = strict || hasUseStrict(n.Body)
		case *ast.FunctionLiteral:
			if n.Body != nil {
				rw.params(n.ParameterList, n.Body)
				strict = strict || hasUseStrict(n.Body.List)
			}
		case *ast.ArrowFunctionLiteral:
			if b, ok := n.Body.(*ast.BlockStatement); ok {
				strict = strict || hasUseStrict(b.List)
			}
			rw.params(n.ParameterList, n.Body)
		case *ast.ClassLiteral:
			strict = true
		case *ast.BinaryExpression:
			rw.binary(n, depth)
		case *ast.AssignExpression:
			rw.compound(n, strict, depth)
		case *ast.CallExpression:
			rw.importCall(n, depth)
		case *ast.TemplateLiteral:
			rw.template(n, depth)
		case *ast.VariableStatement:
			rw.markBindings(n.List)
			rw.declarators(n.List)
		case *ast.LexicalDeclaration:
			rw.markBindings(n.List)
			rw.declarators(n.List)
		case *ast.ForLoopInitializerVarDeclList:
			rw.markBindings(n.List)
			rw.declarators(n.List)
		case *ast.ForLoopInitializerLexicalDecl:
			rw.markBindings(n.LexicalDeclaration.List)
			rw.declarators(n.LexicalDeclaration.List)
		case *ast.ForInStatement:
			rw.forHead(n.Into, n.Source, n.Body, "in")
		case *ast.ForOfStatement:
			rw.forHead(n.Into, n.Source, n.Body, "of")
		case *ast.CatchStatement:
			rw.catchParam(n)
		case *ast.Binding:
			// const {...r} = s copies s as a spread does (a moved
			// parameter's source is the helper's already: rest.go).
			if hasObjectRest(n.Target) && n.Initializer != nil && !rw.moved[n] {
				rw.wrapArg(n.Initializer, opSpread, depth)
			}
		case *ast.ObjectLiteral:
			for _, p := range n.Value {
				if se, ok := p.(*ast.SpreadElement); ok {
					rw.wrapArg(se.Expression, opSpread, depth)
				}
			}
		}
		rw.walk(v.Elem(), strict, depth+1)
	case reflect.Struct:
		if v.Type().PkgPath() != astPkg {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				rw.walk(v.Field(i), strict, depth)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			rw.walk(v.Index(i), strict, depth)
		}
	}
}

func hasUseStrict(list []ast.Statement) bool {
	for _, s := range list {
		es, ok := s.(*ast.ExpressionStatement)
		if !ok {
			return false
		}
		lit, ok := es.Expression.(*ast.StringLiteral)
		if !ok {
			return false
		}
		if lit.Literal == `"use strict"` || lit.Literal == `'use strict'` {
			return true
		}
	}
	return false
}

func opCode(t token.Token) int {
	switch t {
	case token.SHIFT_LEFT:
		return opShl
	case token.SHIFT_RIGHT:
		return opSar
	case token.EXPONENT:
		return opExp
	case token.MULTIPLY:
		return opMul
	case token.PLUS:
		return opAdd
	}
	return 0
}

// leftAlone reports whether an operator's operands make it safe as it is:
// a Number literal operand (a Number cannot meet a BigInt: the operator
// throws), a small literal shift count or factor (up to 64 bits: the
// result grows by at most that much an instruction, each one a step the
// limits see, so that a huge value takes quadratic time to build), or two
// literals (CheckSource folds and bounds them). A large literal shift
// count or factor is guarded: x <<= 1000000n a hundred times, or x times
// a megabit literal, built in a few steps a value whose conversion to a
// string then ran a minute in one instruction.
func leftAlone(op int, l, r ast.Expression) bool {
	if op == opAdd {
		// 1 + s and s + "x" copy s: only two constants are safe.
		return l != nil && isConstant(l) && isConstant(r)
	}
	if l != nil && isNumberLiteral(unsign(l)) {
		return true
	}
	if l != nil && isLiteral(l) && isLiteral(r) {
		return true
	}
	switch op {
	case opShl:
		return isLiteral(r) && !isLongShift(r)
	case opSar:
		// x >> -n is x << n: a negative count is a left shift.
		return isLiteral(r) && !isLongLeftSar(r)
	case opExp:
		return isNumberLiteral(unsign(r))
	case opMul:
		return isNumberLiteral(unsign(r)) || (isLiteral(r) && !isBigLiteral(r)) || (l != nil && isLiteral(l) && !isBigLiteral(l))
	}
	return true
}

// isBigLiteral: a BigInt literal over 64 bits (signed or not).
func isBigLiteral(e ast.Expression) bool {
	v := bigLiteral(e)
	return v == nil || v.BitLen() > 64
}

// isLongShift: a BigInt literal shift count over 64, or a Number one
// (which throws with a BigInt left operand) left alone.
func isLongShift(e ast.Expression) bool {
	if isNumberLiteral(unsign(e)) {
		return false
	}
	v := bigLiteral(e)
	return v == nil || v.CmpAbs(big.NewInt(64)) > 0
}

// isLongLeftSar: a BigInt literal count of >> that shifts left by more
// than 64 (-65n and below: x >> -1000000n grew a value a megabit an
// instruction).
func isLongLeftSar(e ast.Expression) bool {
	if isNumberLiteral(unsign(e)) {
		return false
	}
	u, neg := e.(*ast.UnaryExpression)
	if !neg || u.Operator != token.MINUS {
		return false
	}
	v := bigLiteral(e)
	return v == nil || v.CmpAbs(big.NewInt(64)) > 0
}

// bigLiteral is the value of a BigInt literal (its sign ignored), or nil
// when e is not one or is too long to read.
func bigLiteral(e ast.Expression) *big.Int {
	n, ok := unsign(e).(*ast.NumberLiteral)
	if !ok || !strings.HasSuffix(n.Literal, "n") {
		return nil
	}
	if b, ok := n.Value.(*big.Int); ok {
		return b
	}
	text := strings.ReplaceAll(strings.TrimSuffix(n.Literal, "n"), "_", "")
	if len(text) > 24 { // more than 64 bits in any base goja reads (0x, 0o, 0b, decimal)
		return nil
	}
	b, ok := new(big.Int).SetString(text, 0)
	if !ok {
		return nil
	}
	return b
}

// unsign strips a unary + or - from e.
func unsign(e ast.Expression) ast.Expression {
	if u, ok := e.(*ast.UnaryExpression); ok && !u.Postfix && (u.Operator == token.MINUS || u.Operator == token.PLUS) {
		return u.Operand
	}
	return e
}

// isLiteral: a number or BigInt literal, possibly signed.
func isLiteral(e ast.Expression) bool {
	if u, ok := e.(*ast.UnaryExpression); ok && !u.Postfix && (u.Operator == token.MINUS || u.Operator == token.PLUS) {
		e = u.Operand
	}
	_, ok := e.(*ast.NumberLiteral)
	return ok
}

// isNumberLiteral: a Number (not BigInt) literal.
func isNumberLiteral(e ast.Expression) bool {
	n, ok := e.(*ast.NumberLiteral)
	return ok && !strings.HasSuffix(n.Literal, "n")
}

func helperCall(op int) string { return fmt.Sprintf(`""[%q](%d,`, OpHelper, op) }

// hasObjectRest reports whether a binding or assignment target is an
// object pattern with a rest element ({a, ...r}): the rest copies the
// source's remaining properties in one instruction, as a spread does.
func hasObjectRest(t ast.Node) bool {
	p, ok := t.(*ast.ObjectPattern)
	return ok && p.Rest != nil
}

// importCall rewrites a renamed import(s[, o]) to ""[H](70,s[, o]).
func (rw *rewriter) importCall(n *ast.CallExpression, depth int) {
	id, ok := n.Callee.(*ast.Identifier)
	if !ok || rw.imports == nil || !rw.imports[rw.off(id.Idx)] {
		return
	}
	if len(n.ArgumentList) == 0 || len(n.ArgumentList) > 2 {
		return
	}
	for _, a := range n.ArgumentList {
		if _, spread := a.(*ast.SpreadElement); spread {
			return
		}
	}
	at := rw.off(id.Idx)
	rw.replace(at, at+len(importName), fmt.Sprintf(`""[%q]`, OpHelper))
	lp := rw.off(n.LeftParenthesis) // replaced, not inserted after: an inner import( may start right after it
	rw.replace(lp, lp+1, fmt.Sprintf("(%d,", opImport))
	rw.importsDone++
}

// binary rewrites L op R to ""[H](op,(L),(R)).
//
// Parentheses: goja's AST has none, and a node's Idx0 is that of its
// leftmost descendant, so the text of L may start with openers before
// L.Idx0 whose closers lie inside L or in the gap before the operator.
// Those stay where they are (they end up around the call); the prefix,
// inserted at L.Idx0, opens as many again, which the closers inside
// match, and the suffix closes the originals. Closers next to each other
// are interchangeable, so the suffix may go before or after the closers
// of R's own parentheses.
func (rw *rewriter) binary(n *ast.BinaryExpression, depth int) {
	op := opCode(n.Operator)
	if op == 0 || leftAlone(op, n.Left, n.Right) {
		return
	}
	lStart, k := rw.start(n.Left)
	closes, opPos, opLen, opens, ok := rw.gap(rw.end(n.Left), rw.first(n.Right), n.Operator.String())
	if !ok {
		rw.refuse(n.Right)
		return
	}
	if op == opAdd && k == 0 && len(closes) == 0 && opens == 0 {
		if test, ok := rw.numberTest(n.Left, n.Right); ok {
			// (typeof a === "number" ? a + 1 : ""[H](5,a + 1)), with the
			// operator replaced: Numbers add inline, the rest in the helper.
			l, r := rw.src[lStart:rw.end(n.Left)], rw.src[rw.first(n.Right):rw.end(n.Right)]
			rw.open(lStart, depth, "("+test+" ? "+l+" + "+r+" : "+helperCall(op))
			rw.replace(opPos, opPos+opLen, ",")
			rw.close(rw.end(n.Right), depth, "))")
			return
		}
	}
	d, ok := rw.dangling(n.Left)
	if !ok || d > len(closes) {
		rw.refuse(n.Right)
		return
	}
	k += len(closes) - d
	rw.open(lStart, depth, helperCall(op)+strings.Repeat("(", k+1))
	rw.replace(opPos, opPos+opLen, "),(")
	rw.close(rw.end(n.Right), depth, "))"+strings.Repeat(")", k))
}

// refuse is where the rewrite cannot route an operator whole (a layout of
// the source it did not expect): the source is refused. It used to pass
// the right operand alone through the helper (op+10), which
// cannot see the left one: (f().#p) **= 2n squared a value a step, and
// x ** t“ (a tagged template goja places at its backquote), new F() ** y
// and x ** new.target did the same, so that a few steps built a value
// whose string conversion ran for seconds in one instruction.
func (rw *rewriter) refuse(r ast.Expression) {
	rw.fail(r, "an operator whose left operand the rewrite cannot find")
}

// wrapArg rewrites the expression e to ""[H](code,(e)).
func (rw *rewriter) wrapArg(e ast.Expression, code, depth int) {
	p, k := rw.start(e)
	rw.open(p, depth, helperCall(code)+strings.Repeat("(", k+1))
	rw.close(rw.end(e), depth, "))"+strings.Repeat(")", k))
}

// compound rewrites T op= R.
func (rw *rewriter) compound(n *ast.AssignExpression, strict bool, depth int) {
	if rw.patDefault[n] {
		return // a default inside a pattern (rest.go)
	}
	if n.Operator == token.ASSIGN {
		if _, _, ok := rw.patRange(n.Left); ok {
			rw.markDefaults(n.Left)
			rw.sinks(n.Left, false) // rest.go
		}
	}
	if n.Operator == token.ASSIGN && hasObjectRest(n.Left) {
		rw.wrapArg(n.Right, opSpread, depth) // ({...r} = s)
		return
	}
	op := opCode(n.Operator)
	if op == 0 || leftAlone(op, nil, n.Right) {
		return
	}
	opText := n.Operator.String() + "="
	switch t := n.Left.(type) {
	case *ast.Identifier:
		if op == opAdd && rw.addFast(n, t, opText, depth) {
			return
		}
		rw.duplicate(n, t, op, opText, depth)
	case *ast.PrivateDotExpression:
		switch t.Left.(type) {
		case *ast.ThisExpression, *ast.Identifier:
			rw.duplicate(n, t, op, opText, depth)
		default:
			rw.privateStash(n, t, op, opText, depth)
		}
	case *ast.DotExpression:
		if _, sup := t.Left.(*ast.SuperExpression); sup {
			// super.x has no side effect to repeat: super.x = H(op, super.x, R).
			rw.duplicate(n, t, op, opText, depth)
			return
		}
		rw.member(n, t.Left, nil, &t.Identifier, op, opText, strict, depth)
	case *ast.BracketExpression:
		if _, sup := t.Left.(*ast.SuperExpression); sup {
			rw.superStash(n, t, op, opText, depth)
			return
		}
		rw.member(n, t.Left, t, nil, op, opText, strict, depth)
	default:
		rw.refuse(n.Right)
	}
}

// superStash rewrites super[K] op= R, whose key must be evaluated once,
// to super[H(60,(K))] = H(op,super[H(61)],(R)): the helper keeps the key
// (converted) from the target's evaluation to the read that follows it,
// with nothing run in between. (A super reference cannot be passed to
// the helper as member's o can; keeping only R bounded, as before, let
// super[k] **= r with a large base end the process.)
func (rw *rewriter) superStash(n *ast.AssignExpression, t *ast.BracketExpression, op int, opText string, depth int) {
	_, k := rw.start(t)
	lb, rb := rw.off(t.LeftBracket), rw.off(t.RightBracket)
	if k > 0 || lb < 0 || rb >= len(rw.src) || rw.src[lb] != '[' || rw.src[rb] != ']' {
		rw.refuse(n.Right)
		return
	}
	// Parentheses around the target stay around it: (super[H(60,(K))]) = ...
	_, opPos, opLen, _, ok := rw.gap(rb+1, rw.first(n.Right), opText)
	if !ok {
		rw.refuse(n.Right)
		return
	}
	rw.open(lb+1, depth, helperCall(opPushK)+"(")
	rw.close(rb, depth, "))")
	rw.replace(opPos, opPos+opLen, "= "+helperCall(op)+"super["+fmt.Sprintf(`""[%q](%d)`, OpHelper, opPopK)+"],(")
	rw.close(rw.end(n.Right), depth, "))")
}

// privateStash rewrites O.#p op= R for an O with possible side effects to
// H(62,(O)).#p = H(op,H(63).#p,(R)), keeping O as superStash keeps K.
func (rw *rewriter) privateStash(n *ast.AssignExpression, t *ast.PrivateDotExpression, op int, opText string, depth int) {
	oEnd := rw.end(t.Left)
	idStart := rw.off(t.Identifier.Idx)
	idEnd := rw.end(t)
	_, _, ok := rw.dotGap(oEnd, idStart)
	if !ok || idStart >= idEnd || rw.src[idStart] != '#' {
		rw.refuse(n.Right)
		return
	}
	// Parentheses around O or the target stay where they are: O is
	// wrapped as wrapArg wraps an operand, ((f)()).#p and (f().#p) alike.
	_, opPos, opLen, _, ok := rw.gap(idEnd, rw.first(n.Right), opText)
	if !ok {
		rw.refuse(n.Right)
		return
	}
	rw.wrapArg(t.Left, opPushO, depth)
	rw.replace(opPos, opPos+opLen, "= "+helperCall(op)+fmt.Sprintf(`""[%q](%d)`, OpHelper, opPopO)+"."+rw.src[idStart:idEnd]+",(")
	rw.close(rw.end(n.Right), depth, "))")
}

// duplicate rewrites T op= R to T = ""[H](op,(T),(R)) for a target whose
// evaluation has no side effect (a name, this.#p, x.#p).
func (rw *rewriter) duplicate(n *ast.AssignExpression, t ast.Expression, op int, opText string, depth int) {
	tStart, k := rw.start(t)
	tEnd := rw.end(t)
	if pd, ok := t.(*ast.PrivateDotExpression); ok && k > 0 {
		// (this).#p: its text is not one piece to repeat.
		rw.privateStash(n, pd, op, opText, depth)
		return
	}
	closes, opPos, opLen, _, ok := rw.gap(tEnd, rw.first(n.Right), opText)
	if !ok || k > 0 {
		rw.refuse(n.Right)
		return
	}
	k = len(closes)
	rw.open(tStart, depth, rw.src[tStart:tEnd]+" = "+helperCall(op)+strings.Repeat("(", k+1))
	rw.replace(opPos, opPos+opLen, "),(")
	rw.close(rw.end(n.Right), depth, "))"+strings.Repeat(")", k))
}

// member rewrites o.p op= R and o[k] op= R to
// ""[H](20+op(+10),""[H](40,(o),(key)),(R)); parentheses as in binary.
func (rw *rewriter) member(n *ast.AssignExpression, o ast.Expression, br *ast.BracketExpression, id *ast.Identifier, op int, opText string, strict bool, depth int) {
	code := opMember + op
	if strict {
		code += opStrict
	}
	oStart, k := rw.start(o)
	oEnd := rw.end(o)
	d, ok := rw.dangling(o) // (-(a)).p: the first ")" is -(a)'s own
	if !ok {
		rw.refuse(n.Right)
		return
	}
	k -= d
	var edits []edit
	var targetEnd int
	if br != nil {
		lb, rb := rw.off(br.LeftBracket), rw.off(br.RightBracket)
		cs, ok := rw.parens(oEnd, lb)
		if !ok || rw.src[lb] != '[' || rw.src[rb] != ']' {
			rw.refuse(n.Right)
			return
		}
		k += len(cs)
		edits = append(edits, edit{pos: lb, end: lb + 1, text: "),(", class: 1}, edit{pos: rb, end: rb + 1, text: "))", class: 1})
		targetEnd = rb + 1
	} else {
		idStart := rw.off(id.Idx)
		idEnd := scanIdent(rw.src, idStart)
		cs, dot, ok := rw.dotGap(oEnd, idStart)
		if !ok || idEnd <= idStart {
			rw.refuse(n.Right)
			return
		}
		k += len(cs)
		name := rw.src[idStart:idEnd]
		edits = append(edits,
			edit{pos: dot, end: dot + 1, text: "),", class: 1},
			edit{pos: idStart, end: idEnd, text: quoteJS(name, id.Name.String()) + ")", class: 1})
		targetEnd = idEnd
	}
	closes2, opPos, opLen, _, ok := rw.gap(targetEnd, rw.first(n.Right), opText)
	if !ok {
		rw.refuse(n.Right)
		return
	}
	rw.open(oStart, depth, helperCall(code)+strings.Repeat("(", len(closes2))+helperCall(opRef)+strings.Repeat("(", k+1))
	rw.edits = append(rw.edits, edits...)
	rw.replace(opPos, opPos+opLen, ",(")
	rw.close(rw.end(n.Right), depth, "))"+strings.Repeat(")", k+len(closes2)))
}

// quoteJS is a string literal for a property name written as raw (which
// may hold \u escapes): the raw text is kept when it is plain.
func quoteJS(raw, name string) string {
	if !strings.ContainsAny(raw, `\"`) {
		return `"` + raw + `"`
	}
	return fmt.Sprintf("%q", name)
}

// ---- the source between and after nodes ----

// skipSpace skips white space, line terminators and comments from i.
func (rw *rewriter) skipSpace(i int) int {
	s := rw.src
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			i += 2
			for i < len(s) {
				r, w := utf8.DecodeRuneInString(s[i:])
				if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
					break
				}
				i += w
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return len(s)
			}
			i += 2 + j + 2
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == '\u2028' || r == '\u2029' || r == '\ufeff' || unicode.Is(unicode.Zs, r) {
				i += w
				continue
			}
			return i
		default:
			return i
		}
	}
	return i
}

// gap reads the text between two operands: closing parentheses of the
// left one, the operator, opening parentheses of the right one, with
// space and comments anywhere.
func (rw *rewriter) gap(from, to int, op string) (closes []int, opPos, opLen, opens int, ok bool) {
	if from < 0 || to > len(rw.src) || from > to {
		return nil, 0, 0, 0, false
	}
	closes, i := rw.closers(from, to)
	if !strings.HasPrefix(rw.src[i:], op) || i+len(op) > to {
		return nil, 0, 0, 0, false
	}
	opPos, opLen = i, len(op)
	i = rw.skipSpace(i + len(op))
	for i < to && rw.src[i] == '(' {
		opens++
		i = rw.skipSpace(i + 1)
	}
	if i != to {
		return nil, 0, 0, 0, false
	}
	return closes, opPos, opLen, opens, true
}

// closers reads the closing parentheses (and space) from from on, up to
// to: their offsets, and where they end.
func (rw *rewriter) closers(from, to int) ([]int, int) {
	var closes []int
	i := rw.skipSpace(from)
	for i < to && rw.src[i] == ')' {
		closes = append(closes, i)
		i = rw.skipSpace(i + 1)
	}
	return closes, i
}

// parens reads closing parentheses (and space) between from and to.
func (rw *rewriter) parens(from, to int) ([]int, bool) {
	closes, i := rw.closers(from, to)
	return closes, i == to
}

// dotGap reads ")...)." between an object and a property name.
func (rw *rewriter) dotGap(from, to int) ([]int, int, bool) {
	closes, i := rw.closers(from, to)
	if i >= to || rw.src[i] != '.' {
		return nil, 0, false
	}
	dot := i
	if rw.skipSpace(i+1) != to {
		return nil, 0, false
	}
	return closes, dot, true
}

// first is where e's text starts: start's offset (goja's Idx0 of a
// tagged template is its backquote, of new.target unset).
func (rw *rewriter) first(e ast.Node) int {
	p, _ := rw.start(e)
	return p
}

// start is where e's text starts as far as the AST tells (its leftmost
// descendant's first character; a tagged template's tag), and how many
// parentheses around its leftmost descendants open before that: each
// closes in the gap after that descendant.
func (rw *rewriter) start(e ast.Node) (int, int) {
	var c ast.Expression
	switch n := e.(type) {
	case *ast.BinaryExpression:
		c = n.Left
	case *ast.AssignExpression:
		c = n.Left
	case *ast.BracketExpression:
		c = n.Left
	case *ast.CallExpression:
		c = n.Callee
	case *ast.ConditionalExpression:
		c = n.Test
	case *ast.DotExpression:
		c = n.Left
	case *ast.PrivateDotExpression:
		c = n.Left
	case *ast.SequenceExpression:
		c = n.Sequence[0]
	case *ast.UnaryExpression:
		if n.Postfix {
			c = n.Operand
		}
	case *ast.TemplateLiteral:
		if n.Tag != nil {
			c = n.Tag
		}
	case *ast.OptionalChain:
		return rw.start(n.Expression)
	case *ast.Optional:
		return rw.start(n.Expression)
	case *ast.MetaProperty:
		if n.Meta != nil {
			return rw.off(n.Meta.Idx), 0 // goja leaves its Idx unset
		}
	}
	if c == nil {
		return rw.off(e.Idx0()), 0
	}
	p, k := rw.start(c)
	i := rw.skipSpace(rw.end(c))
	for i < len(rw.src) && rw.src[i] == ')' {
		k++
		i = rw.skipSpace(i + 1)
	}
	// The first of those close parentheses that open inside c, around its
	// last operand ((b) in a + (b)): they are not before p.
	if d, ok := rw.dangling(c); ok && d <= k {
		k -= d
	} else {
		rw.fail(c, "parentheses the rewrite cannot pair")
	}
	return p, k
}

// dangling is how many parentheses open inside e's text, around its last
// operand, and close after end(e): the text of a + (b) ends at b, and its
// ")" is read after it with those of parentheses that open before e. False
// when the text is not as the AST says.
func (rw *rewriter) dangling(e ast.Node) (int, bool) {
	after := rw.after
	switch n := e.(type) {
	case *ast.BinaryExpression:
		return after(rw.end(n.Left), n.Operator.String(), n.Right)
	case *ast.AssignExpression:
		op := n.Operator.String() + "="
		if n.Operator == token.ASSIGN {
			op = "="
		}
		return after(rw.end(n.Left), op, n.Right)
	case *ast.ConditionalExpression:
		return after(rw.end(n.Consequent), ":", n.Alternate)
	case *ast.SequenceExpression:
		if len(n.Sequence) < 2 {
			return rw.dangling(n.Sequence[0])
		}
		return after(rw.end(n.Sequence[len(n.Sequence)-2]), ",", n.Sequence[len(n.Sequence)-1])
	case *ast.AwaitExpression:
		return after(rw.off(n.Await), "await", n.Argument)
	case *ast.YieldExpression:
		if n.Argument == nil {
			return 0, true
		}
		from := rw.off(n.Yield)
		if !strings.HasPrefix(rw.src[from:], "yield") {
			return 0, false
		}
		if n.Delegate {
			return after(rw.skipSpace(from+len("yield")), "*", n.Argument)
		}
		return after(from, "yield", n.Argument)
	case *ast.UnaryExpression:
		if n.Postfix {
			return 0, true
		}
		return after(rw.off(n.Idx), n.Operator.String(), n.Operand)
	case *ast.ArrowFunctionLiteral:
		b, ok := n.Body.(*ast.ExpressionBody)
		if !ok {
			return 0, true
		}
		if n.ParameterList == nil {
			return 0, false
		}
		return after(rw.off(n.ParameterList.Closing)+1, "=>", b.Expression)
	case *ast.ExpressionBody:
		return rw.dangling(n.Expression)
	case *ast.NewExpression:
		if n.LeftParenthesis != 0 {
			return 0, true
		}
		return after(rw.off(n.New), "new", n.Callee)
	case *ast.OptionalChain:
		return rw.dangling(n.Expression)
	case *ast.Optional:
		return rw.dangling(n.Expression)
	}
	return 0, true
}

// after is how many parentheses open between the token that ends at (or
// the text op at) from and r, and close after r's text, less those r's
// own text closes.
func (rw *rewriter) after(from int, op string, r ast.Node) (int, bool) {
	_, _, _, opens, ok := rw.gap(from, rw.first(r), op)
	if !ok {
		return 0, false
	}
	_, k := rw.start(r)
	d, ok := rw.dangling(r)
	if !ok || k > opens {
		return 0, false
	}
	return opens - k + d, true
}

// end is the offset after e's last character: goja's Idx1 but where it
// is known to be short (a name written with \u escapes, a postfix
// operator after a comment).
func (rw *rewriter) end(e ast.Node) int {
	switch n := e.(type) {
	case *ast.Identifier:
		return scanIdent(rw.src, rw.off(n.Idx))
	case *ast.DotExpression:
		return scanIdent(rw.src, rw.off(n.Identifier.Idx))
	case *ast.PrivateDotExpression:
		i := rw.off(n.Identifier.Idx)
		if i < len(rw.src) && rw.src[i] == '#' {
			i++
		}
		return scanIdent(rw.src, i)
	case *ast.PrivateIdentifier: // #x in o; goja's Idx1 leaves out the "#"
		i := rw.off(n.Idx)
		if i < len(rw.src) && rw.src[i] == '#' {
			i++
		}
		return scanIdent(rw.src, i)
	case *ast.MetaProperty:
		return scanIdent(rw.src, rw.off(n.Property.Idx))
	case *ast.RegExpLiteral:
		// goja's Literal (and so Idx1) ends one character before the end
		// of the token after the flags: short at the end of the source
		// (/a/g), long before ** (/a/g**x). The pattern is the raw text
		// between the slashes; an unterminated /[ at the end of the source,
		// which goja takes, has no closing slash.
		i := rw.off(n.Idx) + len(n.Pattern) + 1
		if i >= len(rw.src) || rw.src[i] != '/' || !strings.HasPrefix(rw.src[i+1:], n.Flags) || openClass(n.Pattern) {
			rw.fail(n, "an unterminated regular expression literal")
			return rw.off(n.Idx1())
		}
		return i + 1 + len(n.Flags)
	case *ast.BinaryExpression:
		return rw.end(n.Right)
	case *ast.AssignExpression:
		return rw.end(n.Right)
	case *ast.ConditionalExpression:
		return rw.end(n.Alternate)
	case *ast.SequenceExpression:
		return rw.end(n.Sequence[len(n.Sequence)-1])
	case *ast.AwaitExpression:
		return rw.end(n.Argument)
	case *ast.YieldExpression:
		if n.Argument != nil {
			return rw.end(n.Argument)
		}
	case *ast.UnaryExpression:
		if !n.Postfix {
			return rw.end(n.Operand)
		}
		i := rw.skipSpace(rw.end(n.Operand))
		return i + 2
	case *ast.ArrowFunctionLiteral:
		if b, ok := n.Body.(*ast.ExpressionBody); ok {
			return rw.end(b.Expression)
		}
	case *ast.ExpressionBody:
		return rw.end(n.Expression)
	case *ast.NewExpression:
		if n.LeftParenthesis == 0 {
			return rw.end(n.Callee)
		}
		// goja's Idx1 of new F() (no arguments) is F's end.
		return rw.off(n.RightParenthesis) + 1
	case *ast.OptionalChain:
		return rw.end(n.Expression)
	case *ast.Optional:
		return rw.end(n.Expression)
	}
	return rw.off(e.Idx1())
}

// openClass reports whether a regular expression's pattern text ends
// inside a class ([...): goja takes /a[/ at the end of a source, whose
// closing slash any text after it would turn into class content.
func openClass(p string) bool {
	in := false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '[':
			in = true
		case ']':
			in = false
		}
	}
	return in
}

// scanIdent is the end of the identifier name (with \u escapes) at i.
func scanIdent(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 < len(s) && s[i+1] == 'u' {
				if i+2 < len(s) && s[i+2] == '{' {
					j := strings.IndexByte(s[i:], '}')
					if j < 0 {
						return len(s)
					}
					i += j + 1
				} else {
					i = min(i+6, len(s))
				}
				continue
			}
			return i
		case c == '$' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			i++
		case c >= utf8.RuneSelf:
			r, w := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) ||
				unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Nl, r) || r == '\u200c' || r == '\u200d' || unicode.Is(unicode.Other_ID_Start, r) || unicode.Is(unicode.Other_ID_Continue, r) {
				i += w
				continue
			}
			return i
		default:
			return i
		}
	}
	return i
}
