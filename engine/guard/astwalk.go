package guard

import (
	"reflect"

	"github.com/dop251/goja/ast"
)

var astPkg = reflect.TypeOf(ast.Program{}).PkgPath()

// walkAST calls visit with every node (a non-nil pointer into goja's ast
// package) under v, through the exported fields of the ast package's
// structs, once each: goja's tree reaches some nodes twice (a var's
// binding is in the hoisting list too). visit returns whether to walk the
// node's children. Pure: any goroutine.
func walkAST(v reflect.Value, visit func(node any) bool) {
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			if visit(v.Interface()) {
				walk(v.Elem())
			}
		case reflect.Struct:
			if v.Type().PkgPath() != astPkg {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		}
	}
	walk(v)
}
