package guard

import (
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/dop251/goja/ast"
)

// Object rest wherever a pattern may hold one.
//
// goja copies the properties an object rest ({a, ...r}) collects in one
// instruction (vm.go _copyRest), as it copies a spread: a string or typed
// array of n elements becomes n properties, ~2 µs and ~240 bytes each,
// that no kill or limit can stop (4 Mi elements: 41 s and 2.7 GB past
// maxTaskMs 200 and memoryMb 64, and more ends the process). The op
// helper's spread code (50) bounds such a source, so every rest must take
// its source from the helper. At the top of a declaration with an
// initializer or of an assignment, the initializer is that source
// (rewrite.go). Everywhere else the source is a value the pattern itself
// reads, a property or an iterator's element, with no expression to wrap,
// so the rewrite restructures the pattern:
//
//   - In an assignment pattern (({a: {...r}} = e), for ({a: {...r}} of xs),
//     for ({...r} of xs)), the inner pattern becomes a property target whose
//     setter does the rest through the helper, in place, so nothing moves
//     and the order of evaluation is the original's:
//
//     {a: ""[H](51,(__isoboxV) => ({...r} = ""[H](50,__isoboxV))).v}
//
//     (code 51 makes an object whose v setter calls the function). An inner
//     pattern holding yield or await is refused: the arrow cannot hold them.
//
//   - In a declaration (var, let, const, a for(;;) head), a nested pattern
//     with a rest is replaced by a temporary binding, and is declared itself
//     right after the declarator, from the helper:
//
//     const {a: {...r}, b} = e  ->  const {a: __isoboxR1, b} = e, {...r} = ""[H](50,__isoboxR1)
//
//   - A for-in/of head's binding, a catch parameter and a function's
//     parameters that hold a rest anywhere are replaced by a temporary and
//     declared at the start of the body (a for body is wrapped in a block
//     for that; an arrow's expression body becomes a block that returns
//     it):
//
//     function f(x, {a, ...r} = d) {...}  ->  function f(x, __isoboxR2 = d) {var {a, ...r} = ""[H](50,__isoboxR2);...}
//
// What moves: a declaration's nested rest is done after the declarator's
// other properties are read, not between them; a parameter's destructuring
// happens at the start of the body (so a generator's happens at the first
// next(), and a later parameter's default does not see its names), as
// Babel's object-rest transform does it; a for head's names are bound
// after the iterable is evaluated. Temporaries are named __isoboxR<n>, n
// unique in the process; a var temporary at the top of a script is a
// property of the global object.

// opSink is the op helper code that makes a setter object: (f).
const opSink = 51

// restTemp counts the temporaries RewriteOps names, process-wide, so that
// two sources run in one realm (REPL lines, eval) never declare the same.
var restTemp atomic.Uint64

func (rw *rewriter) temp() string {
	return fmt.Sprintf("__isoboxR%d", restTemp.Add(1))
}

// patRange is the text of a binding or assignment pattern.
func (rw *rewriter) patRange(p ast.Expression) (int, int, bool) {
	switch p := p.(type) {
	case *ast.ObjectPattern:
		return rw.off(p.LeftBrace), rw.off(p.RightBrace) + 1, true
	case *ast.ArrayPattern:
		return rw.off(p.LeftBracket), rw.off(p.RightBracket) + 1, true
	}
	return 0, 0, false
}

// patternTargets calls f for each target directly inside pattern p (a
// property's value, an element, a rest), with its default, if any, taken
// off.
func patternTargets(p ast.Expression, f func(t ast.Expression)) {
	target := func(e ast.Expression) {
		if a, ok := e.(*ast.AssignExpression); ok && a.Operator.String() == "=" {
			e = a.Left
		}
		if e != nil {
			f(e)
		}
	}
	switch p := p.(type) {
	case *ast.ObjectPattern:
		for _, pr := range p.Properties {
			if k, ok := pr.(*ast.PropertyKeyed); ok {
				target(k.Value)
			}
		}
		if p.Rest != nil {
			target(p.Rest)
		}
	case *ast.ArrayPattern:
		for _, e := range p.Elements {
			target(e)
		}
		if p.Rest != nil {
			target(p.Rest)
		}
	}
}

// holdsRest reports whether pattern p has an object rest at any depth.
func holdsRest(p ast.Expression) bool {
	if hasObjectRest(p) {
		return true
	}
	found := false
	patternTargets(p, func(t ast.Expression) {
		found = found || holdsRest(t)
	})
	return found
}

// restMove is a pattern of a declaration that the rewrite moves: its text
// is replaced by temp, and declared from init after its declarator.
type restMove struct {
	pos, end int
	id       int // its cut's
	temp     string
	init     string
	inner    []*restMove // the nested patterns with a rest inside it, moved too
}

// nestedMoves finds the patterns with a rest inside pattern p (not p
// itself), outermost first, and registers each as a move.
func (rw *rewriter) nestedMoves(p ast.Expression) []*restMove {
	var out []*restMove
	patternTargets(p, func(t ast.Expression) {
		if hasObjectRest(t) {
			if m := rw.move(t, true); m != nil {
				out = append(out, m)
			}
			return
		}
		out = append(out, rw.nestedMoves(t)...)
	})
	return out
}

// move registers the move of pattern p, from the helper when viaHelper
// (p has a rest at its top) or from the temporary itself.
func (rw *rewriter) move(p ast.Expression, viaHelper bool) *restMove {
	pos, end, ok := rw.patRange(p)
	if !ok || pos < 0 || end > len(rw.src) || pos >= end {
		rw.fail(p, "a pattern the rewrite cannot place")
		return nil
	}
	m := &restMove{pos: pos, end: end, temp: rw.temp()}
	m.init = m.temp
	if viaHelper {
		m.init = helperCall(opSpread) + m.temp + ")"
	}
	m.inner = rw.nestedMoves(p)
	rw.nextID++
	m.id = rw.nextID
	rw.edits = append(rw.edits, edit{pos: pos, end: end, text: m.temp, class: 1, cut: true, id: m.id})
	return m
}

// decl is the declarator list text of moves: ", P = init" for each, each
// followed by its own inner moves'.
func (rw *rewriter) decl(moves []*restMove) string {
	var sb strings.Builder
	for _, m := range moves {
		sb.WriteString(", ")
		sb.WriteString(rw.render(m.pos, m.end, m.id))
		sb.WriteString(" = ")
		sb.WriteString(m.init)
		sb.WriteString(rw.decl(m.inner))
	}
	return sb.String()
}

// insertGen inserts text made when the edits are applied (it renders
// moved pieces): an opening insertion before everything at pos, or a
// closing one after everything.
func (rw *rewriter) insertGen(pos int, opening bool, gen func() string) {
	e := edit{pos: pos, end: pos, gen: gen, class: 0, depth: -1}
	if opening {
		e.class = 2
	}
	rw.edits = append(rw.edits, e)
}

// markDefaults records the defaults inside pattern p (a = d, {...} = d):
// they are not assignment expressions, for compound to route.
func (rw *rewriter) markDefaults(p ast.Expression) {
	mark := func(e ast.Expression) {
		if a, ok := e.(*ast.AssignExpression); ok && a.Operator.String() == "=" {
			if rw.patDefault == nil {
				rw.patDefault = map[*ast.AssignExpression]bool{}
			}
			rw.patDefault[a] = true
		}
	}
	switch p := p.(type) {
	case *ast.ObjectPattern:
		for _, pr := range p.Properties {
			if k, ok := pr.(*ast.PropertyKeyed); ok {
				mark(k.Value)
			}
		}
	case *ast.ArrayPattern:
		for _, e := range p.Elements {
			mark(e)
		}
	default:
		return
	}
	patternTargets(p, rw.markDefaults)
}

func (rw *rewriter) markBindings(list []*ast.Binding) {
	for _, b := range list {
		if b != nil {
			rw.markDefaults(b.Target)
		}
	}
}

// ---- declarations ----

// declarators handles the bindings of a declaration: nested rests are
// moved after their declarator.
func (rw *rewriter) declarators(list []*ast.Binding) {
	for _, b := range list {
		if b == nil || b.Initializer == nil {
			continue
		}
		if _, _, ok := rw.patRange(b.Target); !ok {
			continue
		}
		moves := rw.nestedMoves(b.Target)
		if len(moves) == 0 {
			continue
		}
		_, tEnd, _ := rw.patRange(b.Target)
		q, ok := rw.exprEnd(tEnd, "=", b.Initializer)
		if !ok {
			rw.fail(b.Initializer, "a declaration the rewrite cannot place")
			return
		}
		rw.insertGen(q, false, func() string { return rw.decl(moves) })
	}
}

// exprEnd is where the text of e ends with the parentheses around it that
// open after the token op, which ends at or after from.
func (rw *rewriter) exprEnd(from int, op string, e ast.Expression) (int, bool) {
	n, ok := rw.after(from, op, e)
	if !ok {
		return 0, false
	}
	end := rw.end(e)
	if n == 0 {
		return end, true
	}
	cs, _ := rw.closers(end, len(rw.src))
	if len(cs) < n {
		return 0, false
	}
	return cs[n-1] + 1, true
}

// ---- for-in/of heads, catch, parameters: moved into the body ----

// headMove moves the pattern target of a for head, a catch parameter or
// a parameter, if it holds a rest: it returns the declarator text maker
// ("P = init, ..." without the leading ", "), or nil.
func (rw *rewriter) headMove(t ast.Expression) func() string {
	if _, _, ok := rw.patRange(t); !ok || !holdsRest(t) {
		return nil
	}
	m := rw.move(t, hasObjectRest(t))
	if m == nil {
		return nil
	}
	return func() string { return strings.TrimPrefix(rw.decl([]*restMove{m}), ", ") }
}

// forHead handles for (var/let/const P of/in xs) S.
func (rw *rewriter) forHead(into ast.ForInto, source ast.Expression, body ast.Statement, op string) {
	var t ast.Expression
	kind := "var"
	switch in := into.(type) {
	case *ast.ForIntoVar:
		if in.Binding == nil || in.Binding.Initializer != nil {
			return
		}
		t = in.Binding.Target
	case *ast.ForDeclaration:
		t = in.Target
		kind = "let"
		if in.IsConst {
			kind = "const"
		}
	case *ast.ForIntoExpression:
		rw.markDefaults(in.Expression)
		rw.sinks(in.Expression, true)
		return
	default:
		return
	}
	rw.markDefaults(t)
	if _, _, ok := rw.patRange(t); !ok || !holdsRest(t) {
		return
	}
	bodyStart, ok := rw.forBody(into, source, op)
	if !ok {
		rw.fail(source, "a for head the rewrite cannot place")
		return
	}
	bodyEnd, ok := rw.stmtEnd(bodyStart, body)
	if !ok {
		rw.fail(body, "a for loop with an object rest in its head whose body the rewrite cannot place")
		return
	}
	d := rw.headMove(t)
	if d == nil {
		return
	}
	rw.insertGen(bodyStart, true, func() string { return " { " + kind + " " + d() + "; " })
	rw.insertGen(bodyEnd, false, func() string { return " }" })
}

// stmtEnd is where the text of statement s, which starts at from, ends,
// with its semicolon if it has one; false for a layout it does not know
// (a for(;;) body, which is refused then).
func (rw *rewriter) stmtEnd(from int, s ast.Statement) (int, bool) {
	semi := func(end int) (int, bool) {
		if j := rw.skipSpace(end); j < len(rw.src) && rw.src[j] == ';' {
			end = j + 1
		}
		return end, true
	}
	// at: where the keyword kw starts the statement, or -1 (goja leaves
	// some statements' positions unset: they are read from the text).
	at := func(kw string) int {
		i := rw.skipSpace(from)
		if !strings.HasPrefix(rw.src[i:], kw) || scanIdent(rw.src, i) != i+len(kw) {
			return -1
		}
		return i
	}
	// keyword: the end of a keyword of n letters at i, or of e after it.
	keyword := func(i, n int, e ast.Expression) (int, bool) {
		if i < 0 {
			return 0, false
		}
		if e == nil {
			return semi(i + n)
		}
		end, ok := rw.exprEnd(i+n, "", e)
		if !ok {
			return 0, false
		}
		return semi(end)
	}
	switch s := s.(type) {
	case *ast.BlockStatement:
		return rw.off(s.RightBrace) + 1, true
	case *ast.EmptyStatement:
		return rw.off(s.Semicolon) + 1, true
	case *ast.ExpressionStatement:
		end, ok := rw.exprEnd(from, "", s.Expression)
		if !ok {
			return 0, false
		}
		return semi(end)
	case *ast.ReturnStatement:
		return keyword(at("return"), len("return"), s.Argument)
	case *ast.ThrowStatement:
		return keyword(at("throw"), len("throw"), s.Argument)
	case *ast.DebuggerStatement:
		return keyword(at("debugger"), len("debugger"), nil)
	case *ast.BranchStatement:
		if s.Label != nil {
			return semi(rw.end(s.Label))
		}
		return keyword(at(s.Token.String()), len(s.Token.String()), nil)
	case *ast.IfStatement:
		c, ok := rw.parenHead(at("if"), len("if"), s.Test)
		if !ok {
			return 0, false
		}
		end, ok := rw.stmtEnd(c, s.Consequent)
		if !ok || s.Alternate == nil {
			return end, ok
		}
		e := rw.skipSpace(end)
		if !strings.HasPrefix(rw.src[e:], "else") || scanIdent(rw.src, e) != e+len("else") {
			return 0, false
		}
		return rw.stmtEnd(e+len("else"), s.Alternate)
	case *ast.WhileStatement:
		c, ok := rw.parenHead(at("while"), len("while"), s.Test)
		if !ok {
			return 0, false
		}
		return rw.stmtEnd(c, s.Body)
	case *ast.WithStatement:
		c, ok := rw.parenHead(at("with"), len("with"), s.Object)
		if !ok {
			return 0, false
		}
		return rw.stmtEnd(c, s.Body)
	case *ast.DoWhileStatement:
		return semi(rw.off(s.RightParenthesis) + 1)
	case *ast.LabelledStatement:
		return rw.stmtEnd(rw.off(s.Colon)+1, s.Statement)
	case *ast.TryStatement:
		if s.Finally != nil {
			return rw.off(s.Finally.RightBrace) + 1, true
		}
		if s.Catch != nil && s.Catch.Body != nil {
			return rw.off(s.Catch.Body.RightBrace) + 1, true
		}
	case *ast.SwitchStatement:
		return rw.off(s.RightBrace) + 1, true
	case *ast.VariableStatement:
		if len(s.List) == 0 {
			return 0, false
		}
		b := s.List[len(s.List)-1]
		if b.Initializer == nil {
			return semi(rw.targetEnd(b.Target))
		}
		end, ok := rw.exprEnd(rw.targetEnd(b.Target), "=", b.Initializer)
		if !ok {
			return 0, false
		}
		return semi(end)
	case *ast.ForInStatement:
		return rw.forEnd(s.Into, s.Source, s.Body, "in")
	case *ast.ForOfStatement:
		return rw.forEnd(s.Into, s.Source, s.Body, "of")
	}
	return 0, false
}

// targetEnd is where the text of a binding target ends.
func (rw *rewriter) targetEnd(t ast.Expression) int {
	if _, e, ok := rw.patRange(t); ok {
		return e
	}
	return rw.end(t)
}

// parenHead is the offset after the ")" of a head "(e)" that follows the
// keyword of n letters at kw.
func (rw *rewriter) parenHead(kw, n int, e ast.Expression) (int, bool) {
	if kw < 0 {
		return 0, false
	}
	return rw.pastClose(kw+n, "(", e)
}

// pastClose is the offset after the ")" that follows e and the
// parentheses around it that open after the token op ending at or after
// from: a head's closing parenthesis.
func (rw *rewriter) pastClose(from int, op string, e ast.Expression) (int, bool) {
	n, ok := rw.after(from, op, e)
	if !ok {
		return 0, false
	}
	cs, _ := rw.closers(rw.end(e), len(rw.src))
	if len(cs) <= n {
		return 0, false
	}
	return cs[n] + 1, true
}

// forBody is where the body of a for-in/of statement starts: after the
// head's ")".
func (rw *rewriter) forBody(into ast.ForInto, source ast.Expression, op string) (int, bool) {
	var from int
	switch in := into.(type) {
	case *ast.ForIntoVar:
		if in.Binding == nil {
			return 0, false
		}
		from = rw.targetEnd(in.Binding.Target)
	case *ast.ForDeclaration:
		from = rw.targetEnd(in.Target)
	case *ast.ForIntoExpression:
		from = rw.targetEnd(in.Expression)
	default:
		return 0, false
	}
	return rw.pastClose(from, op, source)
}

func (rw *rewriter) forEnd(into ast.ForInto, source ast.Expression, body ast.Statement, op string) (int, bool) {
	b, ok := rw.forBody(into, source, op)
	if !ok {
		return 0, false
	}
	return rw.stmtEnd(b, body)
}

// catchParam handles catch (P) {...}.
func (rw *rewriter) catchParam(c *ast.CatchStatement) {
	if c.Parameter == nil || c.Body == nil {
		return
	}
	rw.markDefaults(c.Parameter)
	d := rw.headMove(c.Parameter)
	if d == nil {
		return
	}
	rw.insertGen(rw.off(c.Body.LeftBrace)+1, true, func() string { return " let " + d() + ";" })
}

// params handles a function's parameters.
func (rw *rewriter) params(pl *ast.ParameterList, body ast.Node) {
	if pl == nil {
		return
	}
	var ds []func() string
	var at ast.Node
	for _, b := range pl.List {
		if b == nil {
			continue
		}
		rw.markDefaults(b.Target)
		if d := rw.headMove(b.Target); d != nil {
			if rw.moved == nil {
				rw.moved = map[*ast.Binding]bool{}
			}
			rw.moved[b] = true // its default is kept as it is, for the temporary
			ds = append(ds, d)
			at = b.Target
		}
	}
	rw.markDefaults(pl.Rest)
	if d := rw.headMove(pl.Rest); d != nil {
		ds = append(ds, d)
		at = pl.Rest
	}
	if len(ds) == 0 {
		return
	}
	gen := func(prefix, suffix string) func() string {
		return func() string {
			parts := make([]string, len(ds))
			for i, d := range ds {
				parts[i] = d()
			}
			return prefix + "var " + strings.Join(parts, ", ") + ";" + suffix
		}
	}
	switch b := body.(type) {
	case *ast.BlockStatement:
		if hasUseStrict(b.List) {
			// A SyntaxError as it stands (non-simple parameters); the
			// moved form would compile as sloppy code.
			rw.fail(at, `"use strict" in a function with non-simple parameters`)
			return
		}
		// After the space and comments that follow the "{" (the Function
		// constructors split their rewritten text at a comment there).
		rw.insertGen(rw.skipSpace(rw.off(b.LeftBrace)+1), true, gen("", " "))
	case *ast.ExpressionBody:
		// goja leaves the list's parentheses unset for some arrows: the
		// arrow is found after the last parameter.
		from := rw.paramsEnd(pl)
		if from <= 0 || from > len(rw.src) {
			rw.fail(at, "an arrow function the rewrite cannot place")
			return
		}
		_, arrow, _, _, ok := rw.gap(from, rw.first(b.Expression), "=>")
		end, ok2 := rw.exprEnd(from, "=>", b.Expression)
		if !ok || !ok2 {
			rw.fail(at, "an arrow function the rewrite cannot place")
			return
		}
		rw.insertGen(arrow+2, true, gen(" {", " return "))
		rw.insertGen(end, false, func() string { return " }" })
	default:
		rw.fail(at, "a function body the rewrite cannot place")
	}
}

// paramsEnd is where the text of the last parameter in pl ends.
func (rw *rewriter) paramsEnd(pl *ast.ParameterList) int {
	endOf := func(t ast.Expression) int {
		if p, e, ok := rw.patRange(t); ok && p >= 0 {
			return e
		}
		return rw.end(t)
	}
	if pl.Rest != nil {
		return endOf(pl.Rest)
	}
	if len(pl.List) == 0 || pl.List[len(pl.List)-1] == nil {
		return -1
	}
	b := pl.List[len(pl.List)-1]
	if b.Initializer != nil {
		// Its parentheses, if any, close with the list's: gap skips them.
		return rw.end(b.Initializer)
	}
	return endOf(b.Target)
}

// ---- assignment patterns: sinks ----

// sinks routes the rests nested in assignment pattern p (and p's own
// rest when top) through setter targets, in place.
func (rw *rewriter) sinks(p ast.Expression, top bool) {
	if top && hasObjectRest(p) {
		rw.sink(p)
		return
	}
	patternTargets(p, func(t ast.Expression) {
		if hasObjectRest(t) {
			rw.sink(t)
			return
		}
		rw.sinks(t, false)
	})
}

// sink turns the assignment pattern p (with a rest) into a setter target.
// Its inner patterns are left to sinks, from the walk of p's own
// assignment: p becomes the target of one inside the arrow.
func (rw *rewriter) sink(p ast.Expression) {
	pos, end, ok := rw.patRange(p)
	if !ok {
		rw.fail(p, "a pattern the rewrite cannot place")
		return
	}
	if holdsYieldAwait(p) {
		rw.fail(p, "yield or await inside a nested object rest pattern")
		return
	}
	const v = "__isoboxV"
	rw.open(pos, -1, helperCall(opSink)+"("+v+") => (")
	rw.close(end, -1, " = "+helperCall(opSpread)+v+"))).v")
	rw.sinks(p, false)
}

// holdsYieldAwait reports whether n has a yield or await expression
// outside any function nested in it.
func holdsYieldAwait(n ast.Node) bool {
	found := false
	walkAST(reflect.ValueOf(n), func(node any) bool {
		switch node.(type) {
		case *ast.YieldExpression, *ast.AwaitExpression:
			found = true
		case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral, *ast.ClassLiteral:
			return false
		}
		return !found
	})
	return found
}
