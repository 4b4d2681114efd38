package inspect

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Errors: stack normalisation, the name/message/cause handling of Node's
// formatError, and frames shared with a cause.

func (in *inspector) stackString(o *goja.Object) (string, bool) {
	if v := in.dataValue(o, "stack"); v != nil && v.ToBoolean() {
		if goja.IsString(v) {
			s := v.String()
			if len(s) > inspMaxStackLen {
				s = s[:inspMaxStackLen] + "... " + strconv.Itoa(len(s)-inspMaxStackLen) + " more bytes"
			}
			return normalizeStack(s), true
		}
		return in.formatValue(v, 0, false), true
	}
	return in.errorToString(o), false
}

// normalizeStack turns goja's "\tat frame" lines into Node's "    at frame".
func normalizeStack(s string) string {
	if !strings.Contains(s, "\n\tat ") {
		return s
	}
	s = strings.ReplaceAll(s, "\n\tat ", "\n    at ")
	return strings.TrimRight(s, "\n")
}

func (in *inspector) errorToString(o *goja.Object) string {
	name, msg := "Error", ""
	if v := in.dataValue(o, "name"); v != nil && !goja.IsUndefined(v) {
		name = in.safeString(v)
	}
	if v := in.dataValue(o, "message"); v != nil && !goja.IsUndefined(v) {
		msg = in.safeString(v)
	}
	switch {
	case name == "":
		return msg
	case msg == "":
		return name
	}
	return name + ": " + msg
}

// safeString converts a primitive to a string; objects become "[object]".
func (in *inspector) safeString(v goja.Value) string {
	switch x := v.(type) {
	case *goja.Object:
		return "[object " + in.internalName(x) + "]"
	case *goja.Symbol:
		return "Symbol(" + x.String() + ")"
	}
	return v.String()
}

func (in *inspector) formatError(o *goja.Object, ctor inspCtorName, tag string, keys *[]propEntry) (string, []propEntry) {
	name := "Error"
	nameV := in.dataValue(o, "name")
	if nameV != nil && !goja.IsUndefined(nameV) && !goja.IsNull(nameV) {
		name = in.safeString(nameV)
	}
	stack, _ := in.stackString(o)

	// removeDuplicateErrorKeys
	kept := (*keys)[:0:0]
	for _, k := range *keys {
		if ks, ok := k.key.(goja.String); ok {
			switch n := ks.String(); n {
			case "name", "message", "stack":
				v := in.dataValue(o, n)
				if v == nil || !goja.IsString(v) || strings.Contains(stack, v.String()) {
					continue
				}
			}
		}
		kept = append(kept, k)
	}
	*keys = kept
	var extra []propEntry
	hasKey := func(name string) bool {
		for _, k := range *keys {
			if ks, ok := k.key.(goja.String); ok && ks.String() == name {
				return true
			}
		}
		return false
	}
	causeD := in.lookup(o, in.vm.ToValue("cause"))
	if causeD.kind != descAbsent && !hasKey("cause") {
		extra = append(extra, propEntry{key: in.vm.ToValue("cause")})
	}
	if ev := in.dataValue(o, "errors"); ev != nil && !hasKey("errors") {
		if eo, ok := ev.(*goja.Object); ok && !isProxyObject(eo) && in.className(eo) == "Array" {
			extra = append(extra, propEntry{key: in.vm.ToValue("errors")})
		}
	}

	stack = in.improveStack(stack, ctor, name, tag)

	// Ignore the error message if it's contained in the stack.
	pos := -1
	if mv := in.dataValue(o, "message"); mv != nil && mv.ToBoolean() {
		m := in.safeString(mv)
		if p := strings.Index(stack, m); p > 0 { // Node: (msg && indexOf(msg)) || -1
			pos = p + len(m)
		}
	}
	from := max(pos, 0)
	stackStart := -1
	if i := strings.Index(stack[from:], "\n    at"); i >= 0 {
		stackStart = from + i
	}
	if stackStart == -1 {
		stack = "[" + stack + "]"
	} else {
		newStack := stack[:stackStart]
		lines := in.stackFrames(o, stack[stackStart+1:], causeD)
		if in.colors {
			for _, line := range lines {
				newStack += "\n" + line
			}
		} else {
			newStack += "\n" + strings.Join(lines, "\n")
		}
		stack = newStack
	}
	if in.indentLvl != 0 {
		stack = strings.ReplaceAll(stack, "\n", "\n"+strings.Repeat(" ", in.indentLvl))
	}
	return stack, extra
}

func (in *inspector) stackFrames(o *goja.Object, stack string, causeD propDesc) []string {
	frames := strings.Split(stack, "\n")
	if causeD.kind != descData {
		return frames
	}
	cause, ok := causeD.value.(*goja.Object)
	if !ok || isProxyObject(cause) || in.className(cause) != "Error" {
		return frames
	}
	causeStack, _ := in.stackString(cause)
	i := strings.Index(causeStack, "\n    at")
	if i == -1 {
		return frames
	}
	causeFrames := strings.Split(causeStack[i+1:], "\n")
	length, offset := identicalFrameRange(frames, causeFrames)
	if length > 0 {
		skipped := length - 2
		msg := in.stylize("    ... "+strconv.Itoa(skipped)+" lines matching cause stack trace ...", styleUndefined)
		out := append([]string{}, frames[:offset+1]...)
		out = append(out, msg)
		frames = append(out, frames[offset+1+skipped:]...)
	}
	return frames
}

func identicalFrameRange(a, b []string) (int, int) {
	for i := 0; i < len(a)-3; i++ {
		pos := -1
		for j, s := range b {
			if s == a[i] {
				pos = j
				break
			}
		}
		if pos != -1 {
			rest := len(b) - pos
			if rest > 3 {
				n := 1
				maxLen := min(len(a)-i, rest)
				for maxLen > n && a[i+n] == b[pos+n] {
					n++
				}
				if n > 3 {
					return n, i
				}
			}
		}
	}
	return 0, 0
}

func (in *inspector) improveStack(stack string, ctor inspCtorName, name, tag string) string {
	n := len(name)
	if ctor.null || (strings.HasSuffix(name, "Error") && strings.HasPrefix(stack, name) &&
		(len(stack) == n || stack[n] == ':' || stack[n] == '\n')) {
		fallback := "Error"
		if ctor.null {
			fallback = errorNameFromStack(stack)
			n = len(fallback)
			if fallback == "" {
				fallback = "Error"
			}
		}
		prefix := strings.TrimSuffix(inspPrefix(ctor, tag, fallback, ""), " ")
		if name != prefix {
			if strings.Contains(prefix, name) {
				if n == 0 {
					stack = prefix + ": " + stack
				} else {
					stack = prefix + stack[n:]
				}
			} else {
				stack = prefix + " [" + name + "]" + stack[n:]
			}
		}
	}
	return stack
}

// errorNameFromStack ports the two regexps improveStack uses for errors
// with a null prototype.
func errorNameFromStack(stack string) string {
	isNameChar := func(c byte, first bool) bool {
		if first {
			return c >= 'A' && c <= 'Z'
		}
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_ []()-", c) >= 0
	}
	if len(stack) > 0 && isNameChar(stack[0], true) {
		// /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/ (greedy, with backtracking)
		end := 1
		for end < len(stack) && isNameChar(stack[end], false) {
			end++
		}
		for e := end; e >= 2; e-- {
			rest := stack[e:]
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "\n    at") {
				return stack[:e]
			}
		}
	}
	// /^([a-z_A-Z0-9-]*Error)$/
	if strings.HasSuffix(stack, "Error") {
		ok := true
		for i := 0; i < len(stack); i++ {
			c := stack[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				ok = false
				break
			}
		}
		if ok {
			return stack
		}
	}
	return ""
}
