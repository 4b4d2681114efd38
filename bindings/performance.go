package bindings

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"time"

	"github.com/dop251/goja"
)

// performance (High Resolution Time and User Timing): now() and timeOrigin,
// mark/measure and the performance timeline of their entries.
//
// The time origin is the isolate's start (engine.Stats.Uptime back from the
// first use), so now() counts from the isolate's creation as it counts from
// a worker's in browsers. Times are rounded to the microsecond.
//
// The entry buffer holds at most maxPerfEntries marks and measures: past
// that, mark and measure throw a QuotaExceededError DOMException until the
// script clears some (clearMarks/clearMeasures). Each entry's detail is a
// structured clone, so its memory is on the isolate's heap like any other
// object it makes (the memoryMb accounting sees it).

// maxPerfEntries bounds the performance entry buffer.
const maxPerfEntries = 1 << 16

// perfEntry is one PerformanceMark or PerformanceMeasure.
type perfEntry struct {
	hostObject
	name, typ  string
	start, dur float64
	detail     goja.Value
	self       *goja.Object // the JS object, for inspect's preview
}

// perfState is the isolate's performance timeline.
type perfState struct {
	origin  time.Time
	entries []*goja.Object // in insertion order
}

func (e *env) perf() *perfState {
	w := e.webs()
	if w.perf == nil {
		w.perf = &perfState{origin: time.Now().Add(-e.iso.Stats().Uptime)}
	}
	return w.perf
}

// now is performance.now(): ms since the time origin, to the microsecond.
func (e *env) perfNow() float64 {
	return math.Round(float64(time.Since(e.perf().origin).Nanoseconds())/1e3) / 1e3
}

func (e *env) performanceClass() goja.Value {
	if c, ok := e.built("Performance"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("Performance", nil)
	this := func(c goja.FunctionCall, name string) {
		if o, ok := c.This.(*goja.Object); !ok || o != e.webs().perfObj {
			e.typeError("Performance.prototype.%s called on an object that is not a Performance", name)
		}
	}
	e.method(proto, "now", func(c goja.FunctionCall) goja.Value {
		this(c, "now")
		return vm.ToValue(e.perfNow())
	})
	e.getter(proto, "timeOrigin", func(c goja.FunctionCall) goja.Value {
		this(c, "timeOrigin")
		return vm.ToValue(math.Round(float64(e.perf().origin.UnixNano())/1e3) / 1e3)
	})
	e.method(proto, "toJSON", func(c goja.FunctionCall) goja.Value {
		this(c, "toJSON")
		o := vm.NewObject()
		_ = o.Set("timeOrigin", math.Round(float64(e.perf().origin.UnixNano())/1e3)/1e3)
		return o
	})
	e.method(proto, "mark", func(c goja.FunctionCall) goja.Value {
		this(c, "mark")
		if len(c.Arguments) == 0 {
			e.typeError("Performance.mark: 1 argument required, but only 0 present")
		}
		m := e.newMark(c.Argument(0), c.Argument(1), "Performance.mark")
		e.addEntry(m)
		return m
	})
	e.method(proto, "measure", func(c goja.FunctionCall) goja.Value {
		this(c, "measure")
		m := e.measure(c)
		e.addEntry(m)
		return m
	})
	list := func(name string, keep func(c goja.FunctionCall, en *perfEntry) bool) {
		e.method(proto, name, func(c goja.FunctionCall) goja.Value {
			this(c, name)
			var out []*goja.Object
			for _, o := range e.perf().entries {
				if keep(c, o.Export().(*perfEntry)) {
					out = append(out, o)
				}
			}
			// By startTime; ties keep insertion order.
			slices.SortStableFunc(out, func(a, b *goja.Object) int {
				x, y := a.Export().(*perfEntry).start, b.Export().(*perfEntry).start
				switch {
				case x < y:
					return -1
				case x > y:
					return 1
				}
				return 0
			})
			vals := make([]any, len(out))
			for i, o := range out {
				vals[i] = o
			}
			return vm.NewArray(vals...)
		})
	}
	list("getEntries", func(goja.FunctionCall, *perfEntry) bool { return true })
	list("getEntriesByType", func(c goja.FunctionCall, en *perfEntry) bool { return en.typ == e.toUSV(c.Argument(0)) })
	list("getEntriesByName", func(c goja.FunctionCall, en *perfEntry) bool {
		if en.name != e.toUSV(c.Argument(0)) {
			return false
		}
		return goja.IsUndefined(c.Argument(1)) || en.typ == e.toUSV(c.Argument(1))
	})
	clear := func(name, typ string) {
		e.method(proto, name, func(c goja.FunctionCall) goja.Value {
			this(c, name)
			all := goja.IsUndefined(c.Argument(0))
			n := ""
			if !all {
				n = e.toUSV(c.Argument(0))
			}
			p := e.perf()
			p.entries = slices.DeleteFunc(p.entries, func(o *goja.Object) bool {
				en := o.Export().(*perfEntry)
				return en.typ == typ && (all || en.name == n)
			})
			return goja.Undefined()
		})
	}
	clear("clearMarks", "mark")
	clear("clearMeasures", "measure")
	return c
}

// performanceObject is the performance global.
func (e *env) performanceObject() goja.Value {
	e.performanceClass()
	o := e.wrap(&hostObject{}, "Performance")
	e.webs().perfObj = o
	return o
}

func (e *env) addEntry(o *goja.Object) {
	p := e.perf()
	if len(p.entries) >= maxPerfEntries {
		e.throwDOMException("QuotaExceededError", fmt.Sprintf("the performance entry buffer is full (%d marks and measures); clear some with clearMarks or clearMeasures", maxPerfEntries))
	}
	p.entries = append(p.entries, o)
}

// perfEntryClasses builds PerformanceEntry, PerformanceMark and
// PerformanceMeasure.
func (e *env) perfEntryClass() goja.Value {
	if c, ok := e.built("PerformanceEntry"); ok {
		return c
	}
	vm := e.vm
	c, proto := e.class("PerformanceEntry", nil)
	get := func(p *goja.Object, class, name string, f func(en *perfEntry) goja.Value) {
		e.getter(p, name, func(c goja.FunctionCall) goja.Value {
			return f(thisAs[*perfEntry](e, c, class, name))
		})
	}
	get(proto, "PerformanceEntry", "name", func(en *perfEntry) goja.Value { return vm.ToValue(en.name) })
	get(proto, "PerformanceEntry", "entryType", func(en *perfEntry) goja.Value { return vm.ToValue(en.typ) })
	get(proto, "PerformanceEntry", "startTime", func(en *perfEntry) goja.Value { return vm.ToValue(en.start) })
	get(proto, "PerformanceEntry", "duration", func(en *perfEntry) goja.Value { return vm.ToValue(en.dur) })
	e.method(proto, "toJSON", func(c goja.FunctionCall) goja.Value {
		en := thisAs[*perfEntry](e, c, "PerformanceEntry", "toJSON")
		o := vm.NewObject()
		_ = o.Set("name", en.name)
		_ = o.Set("entryType", en.typ)
		_ = o.Set("startTime", en.start)
		_ = o.Set("duration", en.dur)
		if en.typ == "mark" || en.typ == "measure" {
			_ = o.Set("detail", en.detail)
		}
		return o
	})
	sub := func(name string, ctor func(goja.ConstructorCall) *goja.Object) {
		sc, sp := e.class(name, ctor)
		_ = sc.SetPrototype(c)
		_ = sp.SetPrototype(proto)
		get(sp, name, "detail", func(en *perfEntry) goja.Value { return en.detail })
	}
	sub("PerformanceMark", func(call goja.ConstructorCall) *goja.Object {
		if len(call.Arguments) == 0 {
			e.typeError("PerformanceMark: 1 argument required, but only 0 present")
		}
		m := e.newMark(call.Argument(0), call.Argument(1), "PerformanceMark")
		_ = m.SetPrototype(call.This.Prototype())
		return m
	})
	sub("PerformanceMeasure", nil)
	return c
}

func (e *env) entryProto(class string) *goja.Object {
	e.perfEntryClass()
	return e.protoCache[class]
}

func (e *env) newEntry(en *perfEntry, class string) *goja.Object {
	o := e.vm.NewDynamicObject(en)
	_ = o.SetPrototype(e.entryProto(class))
	en.self = o
	return o
}

// cloneDetail is the entries' detail: a structured clone, null for
// undefined or null.
func (e *env) cloneDetail(v goja.Value) goja.Value {
	if isNullish(v) {
		return goja.Null()
	}
	m, err := e.iso.Clone(v, nil)
	if err != nil {
		e.throw(err)
	}
	out, err := e.iso.Value(m)
	if err != nil {
		e.throw(err)
	}
	return out
}

// newMark makes a PerformanceMark (the constructor's steps).
func (e *env) newMark(nameV, optsV goja.Value, api string) *goja.Object {
	name := e.toUSV(nameV)
	start := -1.0
	var detail goja.Value = goja.Null()
	if !isNullish(optsV) {
		o, ok := optsV.(*goja.Object)
		if !ok {
			e.typeError("%s: options must be an object", api)
		}
		if st := o.Get("startTime"); st != nil && !goja.IsUndefined(st) {
			start = e.timestampArg(st, api+": startTime")
		}
		detail = e.cloneDetail(o.Get("detail"))
	}
	if start < 0 {
		start = e.perfNow()
	}
	return e.newEntry(&perfEntry{name: name, typ: "mark", start: start, detail: detail}, "PerformanceMark")
}

// timestampArg converts a DOMHighResTimeStamp argument: finite and not
// negative, else a TypeError.
func (e *env) timestampArg(v goja.Value, what string) float64 {
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.typeError("%s must be a finite number", what)
	}
	if f < 0 {
		e.typeError("%s cannot be negative", what)
	}
	return f
}

// markTime is User Timing's "convert a mark to a timestamp": a string
// names the latest mark of that name (SyntaxError if none), a number is a
// time itself.
func (e *env) markTime(v goja.Value, what string) float64 {
	if _, ok := v.(*goja.Object); !ok {
		if t := v.ExportType(); t != nil && (t.Kind() == reflect.Float64 || t.Kind() == reflect.Int64) {
			return e.timestampArg(v, what)
		}
	}
	name := e.toUSV(v)
	entries := e.perf().entries
	for i := len(entries) - 1; i >= 0; i-- {
		if en := entries[i].Export().(*perfEntry); en.typ == "mark" && en.name == name {
			return en.start
		}
	}
	e.throwDOMException("SyntaxError", fmt.Sprintf("The \"%s\" performance mark has not been set", name))
	return 0
}

// measure is performance.measure(name, startOrMeasureOptions, endMark).
func (e *env) measure(c goja.FunctionCall) *goja.Object {
	if len(c.Arguments) == 0 {
		e.typeError("Performance.measure: 1 argument required, but only 0 present")
	}
	name := e.toUSV(c.Argument(0))
	so, endMark := c.Argument(1), c.Argument(2)
	var opts *goja.Object
	var oStart, oEnd, oDur, oDetail goja.Value
	if o, ok := so.(*goja.Object); ok {
		opts = o
		present := func(k string) goja.Value {
			if v := o.Get(k); v != nil && !goja.IsUndefined(v) {
				return v
			}
			return nil
		}
		oStart, oEnd, oDur, oDetail = present("start"), present("end"), present("duration"), present("detail")
		if oStart == nil && oEnd == nil && oDur == nil && oDetail == nil {
			opts = nil // an empty dictionary is no options
		}
	}
	if opts != nil {
		if !goja.IsUndefined(endMark) {
			e.typeError("Performance.measure: endMark cannot be given with a measure options object")
		}
		// The spec also refuses {detail} alone; browsers and Node take it
		// as a measure from 0 to now, and so does this. A duration needs
		// a start or an end to anchor it.
		if oStart == nil && oEnd == nil && oDur != nil {
			e.typeError("Performance.measure: a duration needs a start or an end")
		}
		if oStart != nil && oEnd != nil && oDur != nil {
			e.typeError("Performance.measure: the options cannot have start, end and duration together")
		}
	}
	var end float64
	switch {
	case !goja.IsUndefined(endMark):
		end = e.markTime(endMark, "Performance.measure: endMark")
	case opts != nil && oEnd != nil:
		end = e.markTime(oEnd, "Performance.measure: end")
	case opts != nil && oStart != nil && oDur != nil:
		end = e.markTime(oStart, "Performance.measure: start") + e.timestampArg(oDur, "Performance.measure: duration")
	default:
		end = e.perfNow()
	}
	var start float64
	switch {
	case opts != nil && oStart != nil:
		start = e.markTime(oStart, "Performance.measure: start")
	case opts != nil && oDur != nil && oEnd != nil:
		start = end - e.timestampArg(oDur, "Performance.measure: duration")
	case opts == nil && !isNullish(so) && !isPlainObjectValue(so):
		start = e.markTime(so, "Performance.measure: startMark")
	}
	var detail goja.Value = goja.Null()
	if opts != nil {
		detail = e.cloneDetail(oDetail)
	}
	return e.newEntry(&perfEntry{name: name, typ: "measure", start: start, dur: end - start, detail: detail}, "PerformanceMeasure")
}

// isPlainObjectValue reports whether v is an object (an options
// dictionary, possibly empty), as opposed to a mark name or time.
func isPlainObjectValue(v goja.Value) bool {
	_, ok := v.(*goja.Object)
	return ok
}
