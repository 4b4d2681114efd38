package guard

import (
	"strings"

	"github.com/dop251/goja/ast"
)

// The + rewrite's fast path.
//
// Routing every + through the op helper costs a native call each (~150 ns),
// most of them on Numbers, where + allocates nothing worth bounding. So
// where both operands can be read twice without anyone seeing it, the
// rewrite tests them inline and adds Numbers as the operator does:
//
//	a + 1   (typeof a === "number" ? a + 1 : ""[H](5,a , 1))
//	s += x  s = (typeof s === "number" && typeof x === "number" ? s + x : ""[H](5,s , x))
//
// An operand qualifies when it is a Number literal or a name bound by a
// declaration the rewrite can see around the expression (a parameter, a
// var of an enclosing function, a let, const, class or function of an
// enclosing block, a catch parameter, a for head's let or const) with no
// with statement in between. Reading such a binding runs no code; a name
// it cannot resolve may be a property of the global object or of a with
// object, whose getter or proxy trap would see the second read, so it
// goes to the helper whole. A name declared only by a destructuring
// pattern is not collected (the helper path, never a wrong one).

// scope is the names one node declares for its descendants; with marks a
// with statement, past which no name is resolved.
type scope struct {
	names map[string]bool
	with  bool
}

// pushScope pushes the scope node n opens, if any, and reports whether it
// did.
func (rw *rewriter) pushScope(n any) bool {
	sc := scope{}
	add := func(t ast.BindingTarget) {
		if id, ok := t.(*ast.Identifier); ok {
			if sc.names == nil {
				sc.names = map[string]bool{}
			}
			sc.names[id.Name.String()] = true
		}
	}
	params := func(pl *ast.ParameterList) {
		if pl == nil {
			return
		}
		for _, b := range pl.List {
			add(b.Target)
		}
		if id, ok := pl.Rest.(*ast.Identifier); ok {
			add(id)
		}
	}
	vars := func(list []*ast.VariableDeclaration) {
		for _, d := range list {
			for _, b := range d.List {
				add(b.Target)
			}
		}
	}
	lexical := func(list []ast.Statement, functions bool) {
		for _, st := range list {
			switch d := st.(type) {
			case *ast.LexicalDeclaration:
				for _, b := range d.List {
					add(b.Target)
				}
			case *ast.ClassDeclaration:
				if d.Class != nil && d.Class.Name != nil {
					add(d.Class.Name)
				}
			case *ast.FunctionDeclaration:
				if functions && d.Function != nil && d.Function.Name != nil {
					add(d.Function.Name)
				}
			}
		}
	}
	switch n := n.(type) {
	case *ast.Program:
		lexical(n.Body, false) // top-level var and function names are global object properties
	case *ast.FunctionLiteral:
		params(n.ParameterList)
		vars(n.DeclarationList)
	case *ast.ArrowFunctionLiteral:
		params(n.ParameterList)
		vars(n.DeclarationList)
	case *ast.BlockStatement:
		lexical(n.List, true)
	case *ast.ForStatement:
		if d, ok := n.Initializer.(*ast.ForLoopInitializerLexicalDecl); ok {
			for _, b := range d.LexicalDeclaration.List {
				add(b.Target)
			}
		}
	case *ast.ForInStatement:
		if d, ok := n.Into.(*ast.ForDeclaration); ok {
			add(d.Target)
		}
	case *ast.ForOfStatement:
		if d, ok := n.Into.(*ast.ForDeclaration); ok {
			add(d.Target)
		}
	case *ast.CatchStatement:
		add(n.Parameter)
	case *ast.WithStatement:
		sc.with = true
	default:
		return false
	}
	if sc.names == nil && !sc.with {
		return false
	}
	rw.scopes = append(rw.scopes, sc)
	return true
}

func (rw *rewriter) popScope() { rw.scopes = rw.scopes[:len(rw.scopes)-1] }

// bound reports whether name resolves to a declaration around the node
// being visited, with no with statement in between.
func (rw *rewriter) bound(name string) bool {
	for i := len(rw.scopes) - 1; i >= 0; i-- {
		sc := rw.scopes[i]
		if sc.with {
			return false
		}
		if sc.names[name] {
			return true
		}
	}
	return false
}

// numberTest is the inline test of the fast path for l + r: ok when both
// operands qualify (see above) and at least one is a name.
func (rw *rewriter) numberTest(l, r ast.Expression) (string, bool) {
	var tests []string
	for _, e := range []ast.Expression{l, r} {
		switch e := e.(type) {
		case *ast.NumberLiteral:
			if strings.HasSuffix(e.Literal, "n") {
				return "", false
			}
		case *ast.Identifier:
			if !rw.bound(e.Name.String()) {
				return "", false
			}
			tests = append(tests, `typeof `+rw.src[rw.off(e.Idx):rw.end(e)]+` === "number"`)
		default:
			return "", false
		}
	}
	if len(tests) == 0 {
		return "", false
	}
	return strings.Join(tests, " && "), true
}

// addFast rewrites x += r, for a name x and an r that qualify, to
// x = (test ? x + r : ""[H](5,x , r)); false when they do not.
func (rw *rewriter) addFast(n *ast.AssignExpression, t *ast.Identifier, opText string, depth int) bool {
	tStart, k := rw.start(t)
	tEnd := rw.end(t)
	closes, opPos, opLen, opens, ok := rw.gap(tEnd, rw.first(n.Right), opText)
	if !ok || k > 0 || len(closes) > 0 || opens > 0 {
		return false
	}
	test, ok := rw.numberTest(t, n.Right)
	if !ok {
		return false
	}
	x, r := rw.src[tStart:tEnd], rw.src[rw.first(n.Right):rw.end(n.Right)]
	rw.open(tStart, depth, x+" = ("+test+" ? "+x+" + "+r+" : "+helperCall(opAdd))
	rw.replace(opPos, opPos+opLen, ",")
	rw.close(rw.end(n.Right), depth, "))")
	return true
}

// isConstant: a number, BigInt or string literal, possibly signed.
func isConstant(e ast.Expression) bool {
	if _, ok := e.(*ast.StringLiteral); ok {
		return true
	}
	return isLiteral(e)
}

// template rewrites an untagged template literal with substitutions,
// `a${x}b${f()}c`, to (""[H](6,`a`,(x),`b`,""[H](7,(f())),`c`)): goja
// joins the pieces in one instruction (vm.go concatStrings), even
// `${s}${s}`, so the helper joins them instead, bounded and reserved. A
// substitution whose evaluation could run code has its ToString done in
// its place (opToStr), so conversions keep their order; the others are
// converted by the join, in order. Each piece stays a template literal,
// with its text and escapes as they were.
func (rw *rewriter) template(n *ast.TemplateLiteral, depth int) {
	if n.Tag != nil || len(n.Expressions) == 0 || len(n.Elements) != len(n.Expressions)+1 {
		return
	}
	open, end := rw.off(n.OpenQuote), rw.off(n.CloseQuote)
	if open < 0 || end >= len(rw.src) || rw.src[open] != '`' || rw.src[end] != '`' {
		rw.fail(n, "a template literal the rewrite cannot place")
		return
	}
	pure := true
	for _, e := range n.Expressions {
		switch e := e.(type) {
		case *ast.NumberLiteral, *ast.StringLiteral:
		case *ast.Identifier:
			pure = pure && rw.bound(e.Name.String())
		default:
			pure = false
		}
	}
	subOpen, subClose := "`,(", "),`"
	if !pure {
		subOpen, subClose = "`,"+helperCall(opToStr)+"(", ")),`"
	}
	var edits []edit
	from := open + 1 // where the template characters of the next piece start
	for i := range n.Expressions {
		d := rw.substitution(from)
		// The "}" that ends the substitution is the first character after
		// the expression's end that is not space, a comment or one of its
		// closing parentheses (goja's Idx of the next piece is not exact).
		_, c := rw.closers(rw.end(n.Expressions[i]), len(rw.src))
		if d < 0 || c <= d+1 || c >= len(rw.src) || rw.src[c] != '}' {
			rw.fail(n, "a template literal the rewrite cannot place")
			return
		}
		edits = append(edits, edit{pos: d, end: d + 2, text: subOpen, class: 1}, edit{pos: c, end: c + 1, text: subClose, class: 1})
		from = c + 1
	}
	rw.open(open, depth, "("+helperCall(opConcat))
	rw.edits = append(rw.edits, edits...)
	rw.close(end+1, depth, "))")
}

// substitution is the offset of the "${" that ends the template
// characters starting at i, or -1: a backslash escapes the next
// character, a backquote ends the literal.
func (rw *rewriter) substitution(i int) int {
	s := rw.src
	for i >= 0 && i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
		case '`':
			return -1
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				return i
			}
			i++
		default:
			i++
		}
	}
	return -1
}
