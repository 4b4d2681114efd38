package inspect

import (
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Arrays (holes included), typed arrays, ArrayBuffers, Maps, Sets and
// Promises.

type arrayState struct {
	in       *inspector
	o        *goja.Object
	length   int64
	idxKeys  []string // sorted own enumerable index keys, when known
	haveKeys bool
	numeric  map[int64]bool
}

func (st *arrayState) key(i int64) goja.Value {
	return st.in.vm.ToValue(strconv.FormatInt(i, 10))
}

// nextIndex returns the first own index >= from, or -1.
func (st *arrayState) nextIndex(from int64) int64 {
	if !st.haveKeys {
		for i := from; i < st.length && i < from+inspHoleProbes; i++ {
			if st.in.own(st.o, st.key(i)).kind != descAbsent {
				return i
			}
		}
		if from+inspHoleProbes >= st.length {
			return -1
		}
		st.idxKeys, _ = splitIndexKeys(st.in.keys(st.o))
		st.haveKeys = true
	}
	j := sort.Search(len(st.idxKeys), func(j int) bool {
		n, _ := strconv.ParseInt(st.idxKeys[j], 10, 64)
		return n >= from
	})
	if j == len(st.idxKeys) {
		return -1
	}
	n, _ := strconv.ParseInt(st.idxKeys[j], 10, 64)
	return n
}

func (st *arrayState) element(i int64, recurseTimes int) (string, bool) {
	d := st.in.own(st.o, st.key(i))
	if d.kind == descAbsent {
		return "", false
	}
	if st.numeric == nil {
		st.numeric = map[int64]bool{}
	}
	st.numeric[i] = d.kind == descData && (goja.IsNumber(d.value) || goja.IsBigInt(d.value))
	return st.in.formatPropValue(d, recurseTimes, kArrayType), true
}

func (st *arrayState) format(recurseTimes int) []string {
	maxLen := min(int64(st.in.maxArr()), st.length)
	output := make([]string, 0, maxLen+1)
	var i int64
	for ; i < maxLen; i++ {
		s, ok := st.element(i, recurseTimes)
		if !ok {
			return st.formatSpecial(recurseTimes, int(maxLen), output, i)
		}
		output = append(output, s)
	}
	if rem := st.length - maxLen; rem > 0 {
		output = append(output, moreItemsText(rem))
	}
	return output
}

// formatSpecial ports formatSpecialArray: the array has holes.
func (st *arrayState) formatSpecial(recurseTimes, maxLen int, output []string, index int64) []string {
	in := st.in
	for len(output) < maxLen {
		next := st.nextIndex(index)
		if next < 0 || next >= st.length {
			break
		}
		if next != index {
			n := next - index
			output = append(output, in.stylize("<"+strconv.FormatInt(n, 10)+" empty item"+pluralSuffix(int(min(n, 2)), "", "s")+">", styleUndefined))
			index = next
			if len(output) == maxLen {
				break
			}
		}
		s, ok := st.element(index, recurseTimes)
		if !ok {
			s = in.stylize("undefined", styleUndefined)
		}
		output = append(output, s)
		index++
	}
	remaining := st.length - index
	if len(output) != maxLen {
		if remaining > 0 {
			output = append(output, in.stylize("<"+strconv.FormatInt(remaining, 10)+" empty item"+pluralSuffix(int(min(remaining, 2)), "", "s")+">", styleUndefined))
		}
	} else if remaining > 0 {
		output = append(output, moreItemsText(remaining))
	}
	return output
}

// numericAt reports whether value[i] is a number or bigint (for the
// alignment decision of groupArrayElements).
func (st *arrayState) numericAt(i int) bool {
	if n, ok := st.numeric[int64(i)]; ok {
		return n
	}
	if int64(i) >= st.length {
		return false
	}
	d := st.in.own(st.o, st.key(int64(i)))
	return d.kind == descData && (goja.IsNumber(d.value) || goja.IsBigInt(d.value))
}

func moreItemsText(n int64) string {
	return "... " + strconv.FormatInt(n, 10) + " more item" + pluralSuffix(int(min(n, 2)), "", "s")
}

func (in *inspector) formatTypedArray(data any, length int) []string {
	maxLen := min(in.maxArr(), length)
	output := make([]string, 0, maxLen+1)
	rv := reflect.ValueOf(data)
	for i := 0; i < maxLen; i++ {
		e := rv.Index(i)
		switch e.Kind() {
		case reflect.Float32, reflect.Float64:
			output = append(output, in.formatNumber(e.Float(), false))
		case reflect.Int8, reflect.Int16, reflect.Int32:
			output = append(output, in.stylize(strconv.FormatInt(e.Int(), 10), styleNumber))
		case reflect.Uint8, reflect.Uint16, reflect.Uint32:
			output = append(output, in.stylize(strconv.FormatUint(e.Uint(), 10), styleNumber))
		case reflect.Int64:
			output = append(output, in.stylize(strconv.FormatInt(e.Int(), 10)+"n", styleBigInt))
		case reflect.Uint64:
			output = append(output, in.stylize(strconv.FormatUint(e.Uint(), 10)+"n", styleBigInt))
		}
	}
	if length > maxLen {
		output = append(output, moreItemsText(int64(length-maxLen)))
	}
	return output
}

func (in *inspector) formatArrayBuffer(ab goja.ArrayBuffer) []string {
	if ab.Detached() {
		return []string{in.stylize("(detached)", styleSpecial)}
	}
	b := ab.Bytes()
	n := min(in.maxArr(), len(b))
	var sb strings.Builder
	const hexdigits = "0123456789abcdef"
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(hexdigits[b[i]>>4])
		sb.WriteByte(hexdigits[b[i]&15])
	}
	if rem := len(b) - in.maxArr(); rem > 0 {
		sb.WriteString(" ... " + strconv.Itoa(rem) + " more byte" + pluralSuffix(rem, "", "s"))
	}
	return []string{in.stylize("[Uint8Contents]", styleSpecial) + ": <" + sb.String() + ">"}
}

// ---------------------------------------------------------------------------
// Map, Set, Promise

// iterate calls fn for up to limit values of the built-in iterator
// returned by start.call(o).
func (in *inspector) iterate(o *goja.Object, start, next int, limit int64, fn func(v goja.Value)) {
	it, ok := in.call(in.intrinsic(start), o)
	if !ok {
		return
	}
	nextFn := in.intrinsic(next)
	for i := int64(0); i < limit; i++ {
		r, ok := in.call(nextFn, it)
		if !ok {
			return
		}
		ro, ok := r.(*goja.Object)
		if !ok {
			return
		}
		var done bool
		var val goja.Value
		in.try(func() {
			done = ro.Get("done").ToBoolean()
			val = ro.Get("value")
		})
		if done || val == nil {
			return
		}
		fn(val)
	}
}

func (in *inspector) formatSet(o *goja.Object, size int64, recurseTimes int) []string {
	maxLen := min(int64(in.maxArr()), size)
	var output []string
	in.indentLvl += 2
	in.iterate(o, iSetValues, iSetIterNext, maxLen, func(v goja.Value) {
		output = append(output, in.formatValue(v, recurseTimes, false))
	})
	if rem := size - maxLen; rem > 0 {
		output = append(output, moreItemsText(rem))
	}
	in.indentLvl -= 2
	return output
}

func (in *inspector) formatMap(o *goja.Object, size int64, recurseTimes int) []string {
	maxLen := min(int64(in.maxArr()), size)
	var output []string
	in.indentLvl += 2
	in.iterate(o, iMapEntries, iMapIterNext, maxLen, func(v goja.Value) {
		e, ok := v.(*goja.Object)
		if !ok {
			return
		}
		var k, val goja.Value
		in.try(func() {
			k = e.Get("0")
			val = e.Get("1")
		})
		output = append(output, in.formatValue(k, recurseTimes, false)+" => "+in.formatValue(val, recurseTimes, false))
	})
	if rem := size - maxLen; rem > 0 {
		output = append(output, moreItemsText(rem))
	}
	in.indentLvl -= 2
	return output
}

func (in *inspector) formatPromise(o *goja.Object, recurseTimes int) []string {
	var p *goja.Promise
	in.try(func() { p, _ = o.Export().(*goja.Promise) })
	if p == nil || p.State() == goja.PromiseStatePending {
		return []string{in.stylize("<pending>", styleSpecial)}
	}
	in.indentLvl += 2
	s := in.formatValue(p.Result(), recurseTimes, false)
	in.indentLvl -= 2
	if p.State() == goja.PromiseStateRejected {
		return []string{in.stylize("<rejected>", styleSpecial) + " " + s}
	}
	return []string{s}
}
