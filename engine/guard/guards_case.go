package guard

import (
	"reflect"
	"sync"

	"github.com/dop251/goja"
)

// String.prototype.toUpperCase / toLowerCase (and their toLocale
// twins): goja maps a non-ASCII string with full case mapping in one Go
// step, through UTF-8 and rune copies, and some characters grow ("ΐ" is 3
// characters upper-cased, "ﬃ" too, "İ" 2 lower-cased): 32 Mi "ΐ" under
// memoryMb 64 ran 6 s past maxTaskMs 2000 and reached 1.2 GB RSS. The
// wrapper converts this once and refuses a result over the string cap,
// counting each character's mapped length (from goja's own mapping,
// tabled once per process) only when 3x the length would be over.

// caseUnits[upper][u] is how many UTF-16 units goja's toUpperCase
// (upper) or toLowerCase gives the BMP character u; made on first use.
var (
	caseOnce  sync.Once
	caseUnits [2][]uint8
)

func caseTable() [2][]uint8 {
	caseOnce.Do(func() {
		vm := goja.New() // unguarded: a fixed script on fixed input
		for i, m := range []string{"toLowerCase", "toUpperCase"} {
			v, err := vm.RunString(`(function () {
				const a = new Uint8Array(65536).fill(3);
				for (let c = 0; c < 65536; c++) {
					if (c >= 0xD800 && c < 0xE000) { a[c] = 1; continue }
					a[c] = String.fromCharCode(c).` + m + `().length;
				}
				return a.buffer;
			})()`)
			if err != nil {
				continue // stays nil: every character counts 3
			}
			if ab, ok := v.Export().(goja.ArrayBuffer); ok {
				caseUnits[i] = append([]uint8(nil), ab.Bytes()...)
			}
		}
	})
	return caseUnits
}

func (g *guards) installCaseGuards(sp *goja.Object) {
	for _, m := range []struct {
		name  string
		upper int
	}{{"toUpperCase", 1}, {"toLowerCase", 0}, {"toLocaleUpperCase", 1}, {"toLocaleLowerCase", 0}} {
		m := m
		g.wrapWith(sp, m.name, 0, func(orig goja.Callable, c goja.FunctionCall) goja.Value {
			if nullish(c.This) {
				return call(orig, c.This, c.Arguments...)
			}
			s, p, ok := (&replaceGuard{g: g}).toStr(c.This) // ToString(this), once
			if !ok {
				return call(orig, p, c.Arguments...)
			}
			if caseLen(s, m.upper, float64(g.maxStr)) > float64(g.maxStr) {
				g.fail("String.prototype." + m.name + " result")
			}
			return call(orig, s, c.Arguments...)
		})
	}
}

// caseLen is an upper bound of the length of s case-mapped: s's own for
// ASCII, 3 a character when that fits in room, else counted.
func caseLen(s goja.String, upper int, room float64) float64 {
	l := float64(s.Length())
	if reflect.TypeOf(s).Kind() == reflect.String || 3*l <= room {
		return min(l, 3*l) // ASCII maps one to one
	}
	t := caseTable()[upper]
	n := 0.0
	for i, end := 0, s.Length(); i < end; i++ {
		if u := s.CharAt(i); t != nil {
			n += float64(t[u])
		} else {
			n += 3
		}
	}
	return n
}
