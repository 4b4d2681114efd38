package inspect

import (
	"errors"
	"reflect"
	"strconv"

	"github.com/dop251/goja"
)

// Options control Inspect. The zero value means Node's defaults (depth 2,
// no colors, breakLength 80). It is plain data: any goroutine may build or
// copy one.
type Options struct {
	// Depth is how many nesting levels are expanded: 0 means the default
	// 2, a negative value means unlimited (still capped at 1000 levels).
	Depth int
	// Colors adds ANSI colors as in Node's REPL.
	Colors bool
	// BreakLength is the line length beyond which entries are split over
	// several lines; 0 means Node's default of 80.
	BreakLength int
	// MaxArrayLength is how many elements of an array, typed array, Set
	// or Map are shown; 0 means Node's default of 100.
	MaxArrayLength int
	// ExactDepth takes Depth as Node's depth option itself: 0 expands
	// only the top level, -1 not even that ([Object]); unlimited is then
	// any Depth of 1000 or more (console.dir and console.table need the
	// small depths).
	ExactDepth bool
}

// Previewer is implemented by the Go value of a host object (a goja
// DynamicObject) whose state lives in Go, so that Inspect can show it as
// Node shows a class with a custom inspect: InspectPreview returns an
// ordinary object holding the properties to print, with the host object's
// prototype (so the constructor name prints), or nil to print the host
// object itself. It is called on the goroutine that owns vm, and must not
// call script code.
type Previewer interface {
	InspectPreview(vm *goja.Runtime) *goja.Object
}

var previewerType = reflect.TypeOf((*Previewer)(nil)).Elem()

// The bounds that keep the work done per call finite whatever the value.
const (
	inspMaxArrayLength  = 100
	inspMaxStringLength = 10000
	inspMaxObjectKeys   = 1000
	inspMaxArrayKeysLen = 16384 // arrays longer than this don't list extra keys
	inspMaxRecursion    = 1000
	inspMaxStackLen     = 1 << 20
	inspMaxOps          = 1 << 17 // objects formatted before degrading to [Object]
	inspHoleProbes      = 1024
)

// Inspect formats v like Node's util.inspect(v, opts). A nil v prints as
// undefined; a nil vm gives "". It never panics: a failure part-way prints
// as "[Inspection failed]".
//
// Call it only on the goroutine that owns vm (a goja.Runtime is not safe
// for concurrent use), typically from a native function running inside
// that runtime or between runs of it. Different runtimes may be inspected
// on different goroutines at the same time.
func Inspect(vm *goja.Runtime, v goja.Value, opts Options) (out string) {
	if vm == nil {
		return ""
	}
	in := newInspector(vm, opts.Colors, opts.Depth, opts.BreakLength)
	if opts.ExactDepth {
		in.depth = max(min(opts.Depth, inspMaxRecursion), -1)
	}
	in.maxArrayLen = opts.MaxArrayLength
	defer func() {
		if r := recover(); r != nil {
			out = in.stylize("[Inspection failed]", styleSpecial)
		}
	}()
	return in.formatValue(v, 0, false)
}

// Format formats console.log arguments like Node's util.format: if the first
// argument is a string, the printf-style directives %s %d %i %f %j %o %O %c
// and %% are applied; the remaining arguments are appended separated by
// spaces; strings print raw at the top level, everything else through
// Inspect (colored if colors is set). As in Node, %s, %d, %i, %f and %j may
// call user code (toString, valueOf, toJSON). No arguments or a nil vm give
// "". It never panics: a failure part-way prints as "[Format failed]".
//
// Call it only on the goroutine that owns vm, as for Inspect.
func Format(vm *goja.Runtime, args []goja.Value, colors bool) (out string) {
	if vm == nil || len(args) == 0 {
		return ""
	}
	defer func() {
		if r := recover(); r != nil {
			out = "[Format failed]"
		}
	}()
	return formatNodeArgs(vm, args, colors)
}

// prime captures the built-ins Inspect relies on. Called before any user
// code runs, it guarantees Inspect uses the original built-ins even if a
// script later replaces them (otherwise they are captured on first use).
// Only on the goroutine that owns vm.
func prime(vm *goja.Runtime) {
	defer func() { _ = recover() }()
	loadIntrinsics(vm)
}

// ---------------------------------------------------------------------------
// Styles

type inspStyle int

const (
	styleNone inspStyle = iota
	styleSpecial
	styleNumber
	styleBigInt
	styleBoolean
	styleUndefined
	styleNull
	styleString
	styleSymbol
	styleDate
	styleRegExp
	styleModule
)

var styleCodes = [...][2]int{
	styleSpecial:   {36, 39},
	styleNumber:    {33, 39},
	styleBigInt:    {33, 39},
	styleBoolean:   {33, 39},
	styleUndefined: {90, 39},
	styleNull:      {1, 22},
	styleString:    {32, 39},
	styleSymbol:    {32, 39},
	styleDate:      {35, 39},
	styleRegExp:    {31, 39},
	styleModule:    {4, 24},
}

func stylizeWith(colors bool, s string, st inspStyle) string {
	if !colors || st == styleNone {
		return s
	}
	c := styleCodes[st]
	return "\x1b[" + strconv.Itoa(c[0]) + "m" + s + "\x1b[" + strconv.Itoa(c[1]) + "m"
}

// ---------------------------------------------------------------------------
// Inspector state

const (
	kObjectType = iota
	kArrayType
	kArrayExtrasType
)

type inspCtorName struct {
	name string
	null bool
}

type inspProtoInfo struct {
	ctor     inspCtorName
	tag      string
	tagGet   *goja.Object // pristine built-in tag getter to call on the object
	resolved bool
}

type inspector struct {
	vm           *goja.Runtime
	intr         *[nIntrinsics]*goja.Object
	colors       bool
	depth        int
	breakLength  int
	indentLvl    int
	currentDepth int
	seen         []*goja.Object
	circular     map[*goja.Object]int
	protoCache   map[*goja.Object]*inspProtoInfo
	callables    map[*goja.Object]goja.Callable
	ops          int
	aborted      bool
	maxArrayLen  int                   // 0: inspMaxArrayLength
	namespaces   map[*goja.Object]bool // targets of module namespace proxies being printed
}

// maxArr is the number of elements shown of a list-like value.
func (in *inspector) maxArr() int {
	if in.maxArrayLen > 0 {
		return in.maxArrayLen
	}
	return inspMaxArrayLength
}

func newInspector(vm *goja.Runtime, colors bool, depth, breakLength int) *inspector {
	inspInitExoticTypes()
	in := &inspector{vm: vm, colors: colors, depth: depth, breakLength: breakLength}
	if in.depth == 0 {
		in.depth = 2
	} else if in.depth < 0 || in.depth > inspMaxRecursion {
		in.depth = inspMaxRecursion
	}
	if in.breakLength <= 0 {
		in.breakLength = 80
	}
	return in
}

func (in *inspector) stylize(s string, st inspStyle) string { return stylizeWith(in.colors, s, st) }

func (in *inspector) intrinsic(i int) *goja.Object {
	if in.intr == nil {
		in.intr = loadIntrinsics(in.vm)
	}
	return in.intr[i]
}

// try runs f, converting JS exceptions into false. Uncatchable errors
// (interrupts) propagate to the recover in Inspect/Format.
func (in *inspector) try(f func()) bool {
	if in.aborted {
		return false
	}
	return in.vm.Try(f) == nil
}

// call calls a built-in (or, for util.format, user) function.
func (in *inspector) call(fn *goja.Object, this goja.Value, args ...goja.Value) (goja.Value, bool) {
	if fn == nil || in.aborted {
		return nil, false
	}
	c, ok := in.callables[fn]
	if !ok {
		c, ok = goja.AssertFunction(fn)
		if !ok {
			return nil, false
		}
		if in.callables == nil {
			in.callables = make(map[*goja.Object]goja.Callable)
		}
		in.callables[fn] = c
	}
	v, err := c(this, args...)
	if err != nil {
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			in.aborted = true // interrupted or otherwise uncatchable
		}
		return nil, false
	}
	return v, true
}
