package bindings

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/isobox/isobox/bindings/inspect"
	"github.com/isobox/isobox/internal/gojax"
)

// The console (Console Standard, formatted as Node 20 prints): log, info,
// debug and dirxml print to stdout, warn, error and trace to stderr, all
// through util.format; dir through util.inspect with its options; table,
// count/countReset, time/timeLog/timeEnd, assert and group/groupCollapsed/
// groupEnd as in Node. Every line a console method prints is indented by
// the current group indentation. Warnings Node sends through
// process.emitWarning (a missing label) go to stderr as
// "(isobox) Warning: <Node's message>", without indentation.

// consoleState is the per-isolate console state: counters, timers and the
// group indentation.
type consoleState struct {
	indent string
	counts map[string]int
	timers map[string]time.Time
}

// Bounds of console.table: rows and columns past these are not shown (a
// last line says how many were left out), so that a huge object cannot
// make one call build an unbounded string.
const (
	tableMaxRows = 10000
	tableMaxCols = 256
)

func (e *env) cons() *consoleState {
	w := e.webs()
	if w.console == nil {
		w.console = &consoleState{counts: map[string]int{}, timers: map[string]time.Time{}}
	}
	return w.console
}

// print writes one console line (text and a newline) to stdout or stderr,
// with the group indentation before every line of it.
func (e *env) print(stderr bool, text string) {
	if ind := e.cons().indent; ind != "" {
		text = ind + strings.ReplaceAll(text, "\n", "\n"+ind)
	}
	w := e.iso.Stdout()
	if stderr {
		w = e.iso.Stderr()
	}
	_, _ = io.WriteString(w, text+"\n")
}

// warn prints a process warning as Node's emitWarning does (see above).
func (e *env) consoleWarning(msg string) {
	_, _ = io.WriteString(e.iso.Stderr(), "(isobox) Warning: "+msg+"\n")
}

func (e *env) format(args []goja.Value) string {
	return inspect.Format(e.vm, args, e.cfg.Colors)
}

// label converts a console label: undefined is "default", anything else
// its string (a symbol is a TypeError, as for Node's template string).
func (e *env) label(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "default"
	}
	return e.toJSString(v).String()
}

// console returns the console object.
func (e *env) console() goja.Value {
	vm := e.vm
	o := vm.NewObject()
	e.own(o, "console")
	printer := func(stderr bool) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			e.print(stderr, e.format(c.Arguments))
			return goja.Undefined()
		}
	}
	for _, n := range []string{"log", "info", "debug", "dirxml"} {
		e.method(o, n, printer(false))
	}
	for _, n := range []string{"warn", "error"} {
		e.method(o, n, printer(true))
	}
	e.method(o, "trace", func(c goja.FunctionCall) goja.Value {
		head := "Trace"
		if msg := e.format(c.Arguments); msg != "" {
			head += ": " + msg
		}
		e.print(true, head+e.traceFrames())
		return goja.Undefined()
	})
	e.method(o, "assert", func(c goja.FunctionCall) goja.Value {
		if c.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		args := append([]goja.Value(nil), c.Arguments...)
		if len(args) > 0 {
			args = args[1:]
		}
		// Node 20: args[0] = `Assertion failed${args.length === 0 ? '' : `: ${args[0]}`}`.
		if len(args) == 0 {
			args = []goja.Value{vm.ToValue("Assertion failed")}
		} else {
			args[0] = vm.ToValue("Assertion failed: " + e.toJSString(args[0]).String())
		}
		e.print(true, e.format(args))
		return goja.Undefined()
	})
	e.method(o, "count", func(c goja.FunctionCall) goja.Value {
		l := e.label(c.Argument(0))
		s := e.cons()
		s.counts[l]++
		e.print(false, l+": "+strconv.Itoa(s.counts[l]))
		return goja.Undefined()
	})
	e.method(o, "countReset", func(c goja.FunctionCall) goja.Value {
		l := e.label(c.Argument(0))
		s := e.cons()
		if _, ok := s.counts[l]; !ok {
			e.consoleWarning("Count for '" + l + "' does not exist")
			return goja.Undefined()
		}
		s.counts[l] = 0
		return goja.Undefined()
	})
	group := func(c goja.FunctionCall) goja.Value {
		if len(c.Arguments) > 0 {
			e.print(false, e.format(c.Arguments))
		}
		e.cons().indent += "  "
		return goja.Undefined()
	}
	e.method(o, "group", group)
	e.method(o, "groupCollapsed", group)
	e.method(o, "groupEnd", func(c goja.FunctionCall) goja.Value {
		s := e.cons()
		s.indent = s.indent[:max(0, len(s.indent)-2)]
		return goja.Undefined()
	})
	e.method(o, "time", func(c goja.FunctionCall) goja.Value {
		l := e.label(c.Argument(0))
		s := e.cons()
		if _, ok := s.timers[l]; ok {
			e.consoleWarning("Label '" + l + "' already exists for console.time()")
			return goja.Undefined()
		}
		s.timers[l] = time.Now()
		return goja.Undefined()
	})
	timeLog := func(name string, end bool) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			l := e.label(c.Argument(0))
			s := e.cons()
			t0, ok := s.timers[l]
			if !ok {
				e.consoleWarning("No such label '" + l + "' for console." + name + "()")
				return goja.Undefined()
			}
			elapsed := formatTime(float64(time.Since(t0).Nanoseconds()) / 1e6)
			if end {
				delete(s.timers, l)
				e.print(false, l+": "+elapsed)
				return goja.Undefined()
			}
			args := []goja.Value{vm.ToValue("%s: %s"), vm.ToValue(l), vm.ToValue(elapsed)}
			if len(c.Arguments) > 1 {
				args = append(args, c.Arguments[1:]...)
			}
			e.print(false, e.format(args))
			return goja.Undefined()
		}
	}
	e.method(o, "timeEnd", timeLog("timeEnd", true))
	e.method(o, "timeLog", timeLog("timeLog", false))
	e.method(o, "dir", func(c goja.FunctionCall) goja.Value {
		e.print(false, inspect.Inspect(vm, c.Argument(0), e.dirOptions(c.Argument(1))))
		return goja.Undefined()
	})
	e.method(o, "table", func(c goja.FunctionCall) goja.Value {
		e.table(c)
		return goja.Undefined()
	})
	e.method(o, "clear", func(goja.FunctionCall) goja.Value {
		// Node clears only a TTY; the console's writers are not one.
		return goja.Undefined()
	})
	return o
}

// traceFrames is the JS stack of the caller of console.trace, one
// "\n    at ..." line per frame (the native trace frame left out).
func (e *env) traceFrames() string {
	var b strings.Builder
	frames := e.vm.CaptureCallStack(0, nil)
	for i, f := range frames {
		if i == 0 && f.SrcName() == "<native>" {
			continue
		}
		var fb bytes.Buffer
		f.Write(&fb)
		b.WriteString("\n    at ")
		b.WriteString(pcSuffix.ReplaceAllString(fb.String(), "$1"))
	}
	return b.String()
}

// dirOptions reads console.dir's options: depth (a number, null or
// Infinity for unlimited), colors, breakLength, maxArrayLength.
func (e *env) dirOptions(v goja.Value) inspect.Options {
	opts := inspect.Options{Colors: e.cfg.Colors}
	o, ok := v.(*goja.Object)
	if !ok {
		return opts
	}
	if d := o.Get("depth"); d != nil && !goja.IsUndefined(d) {
		f := d.ToFloat()
		switch {
		case goja.IsNull(d) || math.IsInf(f, 1):
			opts.Depth = -1 // unlimited
		case !math.IsNaN(f):
			opts.Depth, opts.ExactDepth = int(max(-1, min(f, 1000))), true
		}
	}
	if c := o.Get("colors"); c != nil && !goja.IsUndefined(c) {
		opts.Colors = c.ToBoolean()
	}
	if b := o.Get("breakLength"); b != nil && !goja.IsUndefined(b) {
		if f := b.ToFloat(); f >= 1 {
			opts.BreakLength = int(min(f, 1<<30))
		}
	}
	if m := o.Get("maxArrayLength"); m != nil && !goja.IsUndefined(m) {
		if f := m.ToFloat(); !math.IsNaN(f) {
			// Node's 0 shows no element; ours means the default, so 0
			// becomes "one fewer than one": at least one is shown.
			opts.MaxArrayLength = int(max(1, min(f, 1<<20)))
		}
	}
	return opts
}

// formatTime is Node's console formatTime (lib/internal/console/
// constructor.js).
func formatTime(ms float64) string {
	const second, minute, hour = 1000.0, 60000.0, 3600000.0
	var hours, minutes, seconds float64
	if ms >= second {
		if ms >= minute {
			if ms >= hour {
				hours = math.Floor(ms / hour)
				ms = math.Mod(ms, hour)
			}
			minutes = math.Floor(ms / minute)
			ms = math.Mod(ms, minute)
		}
		seconds = ms / second
	}
	pad := func(s string) string {
		for len(s) < 2 {
			s = "0" + s
		}
		return s
	}
	if hours != 0 || minutes != 0 {
		sec, frac, _ := strings.Cut(strconv.FormatFloat(seconds, 'f', 3, 64), ".")
		res := strconv.Itoa(int(minutes))
		unit := "m:ss.mmm"
		if hours != 0 {
			res = strconv.Itoa(int(hours)) + ":" + pad(strconv.Itoa(int(minutes)))
			unit = "h:mm:ss.mmm"
		}
		return res + ":" + pad(sec) + "." + frac + " (" + unit + ")"
	}
	if seconds != 0 {
		return strconv.FormatFloat(seconds, 'f', 3, 64) + "s"
	}
	// Number(ms.toFixed(3)): trailing zeros dropped.
	f, _ := strconv.ParseFloat(strconv.FormatFloat(ms, 'f', 3, 64), 64)
	return strconv.FormatFloat(f, 'f', -1, 64) + "ms"
}

// tableCell is console.table's _inspect: depth 0 (an object with more
// than two keys: -1, "[Object]"), three array elements, one line.
func (e *env) tableCell(v goja.Value) string {
	depth := 0
	if o, ok := v.(*goja.Object); ok {
		if _, fn := goja.AssertFunction(o); !fn && !e.isArray(o) && len(o.Keys()) > 2 {
			depth = -1
		}
	}
	return inspect.Inspect(e.vm, v, inspect.Options{Depth: depth, ExactDepth: true, MaxArrayLength: 3,
		BreakLength: 1 << 30, Colors: e.cfg.Colors})
}

func (e *env) isArray(o *goja.Object) bool {
	if k, _, ok := gojax.KindOf(o); ok {
		return k == gojax.Array
	}
	return o.ClassName() == "Array"
}

// table is console.table(tabularData, properties), Node 20's algorithm
// (lib/internal/console/constructor.js and cli_table.js).
func (e *env) table(c goja.FunctionCall) {
	data := c.Argument(0)
	var props []string
	hasProps := false
	if p := c.Argument(1); !goja.IsUndefined(p) {
		po, ok := p.(*goja.Object)
		if !ok || !e.isArray(po) {
			e.typeError("The \"properties\" argument must be an instance of Array")
		}
		hasProps = true
		n := po.Get("length").ToInteger()
		for i := int64(0); i < n && i < tableMaxCols; i++ {
			props = append(props, e.toJSString(po.Get(strconv.FormatInt(i, 10))).String())
		}
	}
	o, ok := data.(*goja.Object)
	if !ok {
		e.print(false, e.format([]goja.Value{data}))
		return
	}
	kind, _, _ := gojax.KindOf(o)
	index := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.Itoa(i)
		}
		return out
	}
	more := 0
	if kind == gojax.Map || kind == gojax.Set {
		var keys, values []string
		e.iterate(o, func(v goja.Value) bool {
			if len(values) == tableMaxRows {
				more++
				return more < 1<<20
			}
			if kind == gojax.Set {
				values = append(values, e.tableCell(v))
				return true
			}
			kv, _ := v.(*goja.Object)
			if kv == nil {
				e.typeError("Iterator value %s is not an entry object", e.format([]goja.Value{v}))
			}
			keys = append(keys, e.tableCell(kv.Get("0")))
			values = append(values, e.tableCell(kv.Get("1")))
			return true
		})
		if kind == gojax.Set {
			e.printTable([]string{"(iteration index)", "Values"}, [][]string{index(len(values)), values}, more)
		} else {
			e.printTable([]string{"(iteration index)", "Key", "Values"}, [][]string{index(len(keys)), keys, values}, more)
		}
		return
	}
	rowKeys := o.Keys()
	if len(rowKeys) > tableMaxRows {
		more = len(rowKeys) - tableMaxRows
		rowKeys = rowKeys[:tableMaxRows]
	}
	cols := newColumnSet()
	var values []string
	hasPrimitives := false
	for i, k := range rowKeys {
		item := o.Get(k)
		io, isObj := item.(*goja.Object)
		if !hasProps && !isObj {
			hasPrimitives = true
			for len(values) <= i {
				values = append(values, "")
			}
			values[i] = e.tableCell(item)
			continue
		}
		keys := props
		var own map[string]bool
		if !hasProps {
			keys = io.Keys()
		} else if isObj {
			own = map[string]bool{}
			for _, n := range io.GetOwnPropertyNames() {
				own[n] = true
			}
		}
		for _, key := range keys {
			col := cols.get(key)
			if col == nil {
				continue // past tableMaxCols
			}
			if !isObj || (hasProps && !own[key]) {
				col.set(i, "")
			} else {
				col.set(i, e.tableCell(io.Get(key)))
			}
		}
	}
	head := append([]string{"(index)"}, cols.order()...)
	columns := [][]string{rowKeys}
	for _, k := range head[1:] {
		columns = append(columns, cols.cols[k].cells)
	}
	if hasPrimitives {
		head = append(head, "Values")
		columns = append(columns, values)
	}
	e.printTable(head, columns, more)
}

// iterate runs the iterator protocol over o (Node's for-of), calling f
// with each value until f returns false.
func (e *env) iterate(o *goja.Object, f func(goja.Value) bool) {
	m, ok := goja.AssertFunction(o.GetSymbol(goja.SymIterator))
	if !ok {
		e.typeError("object is not iterable")
	}
	itv, err := m(o)
	if err != nil {
		e.throw(err)
	}
	it, ok := itv.(*goja.Object)
	if !ok {
		e.typeError("Result of the Symbol.iterator method is not an object")
	}
	next, ok := goja.AssertFunction(it.Get("next"))
	if !ok {
		e.typeError("the iterator has no next method")
	}
	for {
		rv, err := next(it)
		if err != nil {
			e.throw(err)
		}
		res, ok := rv.(*goja.Object)
		if !ok {
			e.typeError("Iterator result %s is not an object", e.format([]goja.Value{rv}))
		}
		if res.Get("done").ToBoolean() || !f(res.Get("value")) {
			return
		}
	}
}

// column is one console.table column: a sparse list of cells.
type column struct{ cells []string }

func (c *column) set(i int, s string) {
	for len(c.cells) <= i {
		c.cells = append(c.cells, "")
	}
	c.cells[i] = s
}

// columnSet keeps the columns in JS property order: array indices first,
// ascending, then the other keys in insertion order (as Object.keys of
// Node's map object lists them).
type columnSet struct {
	cols  map[string]*column
	names []string
}

func newColumnSet() *columnSet { return &columnSet{cols: map[string]*column{}} }

func (s *columnSet) get(k string) *column {
	if c, ok := s.cols[k]; ok {
		return c
	}
	if len(s.names) >= tableMaxCols {
		return nil
	}
	c := &column{}
	s.cols[k] = c
	s.names = append(s.names, k)
	return c
}

func (s *columnSet) order() []string {
	var idx []uint64
	var other []string
	for _, n := range s.names {
		if v, ok := arrayIndex(n); ok {
			idx = append(idx, v)
		} else {
			other = append(other, n)
		}
	}
	out := make([]string, 0, len(s.names))
	for _, v := range sortedUints(idx) {
		out = append(out, strconv.FormatUint(v, 10))
	}
	return append(out, other...)
}

// arrayIndex reports whether k is a canonical array index.
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	v, err := strconv.ParseUint(k, 10, 64)
	if err != nil || v >= math.MaxUint32 {
		return 0, false
	}
	return v, true
}

func sortedUints(v []uint64) []uint64 {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	return v
}

// printTable is Node's cli_table: box-drawing borders, cells padded on
// the right to the column's width.
func (e *env) printTable(head []string, columns [][]string, more int) {
	widths := make([]int, len(head))
	rows := 0
	for i, h := range head {
		widths[i] = inspect.StringWidth(h)
		rows = max(rows, len(columns[i]))
	}
	cell := func(col, row int) string {
		if row < len(columns[col]) {
			return columns[col][row]
		}
		return ""
	}
	for i := range head {
		for j := 0; j < rows; j++ {
			widths[i] = max(widths[i], inspect.StringWidth(cell(i, j)))
		}
	}
	divider := make([]string, len(widths))
	for i, w := range widths {
		divider[i] = strings.Repeat("─", w+2)
	}
	var b strings.Builder
	row := func(cells func(i int) string) {
		b.WriteString("│ ")
		for i := range head {
			s := cells(i)
			b.WriteString(s)
			b.WriteString(strings.Repeat(" ", widths[i]-inspect.StringWidth(s)))
			if i != len(head)-1 {
				b.WriteString(" │ ")
			}
		}
		b.WriteString(" │\n")
	}
	b.WriteString("┌" + strings.Join(divider, "┬") + "┐\n")
	row(func(i int) string { return head[i] })
	b.WriteString("├" + strings.Join(divider, "┼") + "┤\n")
	for j := 0; j < rows; j++ {
		row(func(i int) string { return cell(i, j) })
	}
	b.WriteString("└" + strings.Join(divider, "┴") + "┘")
	if more > 0 {
		b.WriteString("\n... " + strconv.Itoa(more) + " more row" + map[bool]string{true: "", false: "s"}[more == 1] + " not shown")
	}
	e.print(false, b.String())
}
