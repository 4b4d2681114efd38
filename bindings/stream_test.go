package bindings_test

import (
	"testing"
)

// stdout.write and stderr.write (and writeln) write what the value's
// toString gives, as Dart's write(Object?) does, not its inspection; a
// throwing toString throws into the caller.
func TestStreamWriteCallsToString(t *testing.T) {
	cases := []struct {
		name, src, stdout, stderr string
	}{
		{"object with toString", `stdout.write({ toString() { return "T" } })`, "T", ""},
		{"plain object", `stdout.write({ a: 1 })`, "[object Object]", ""},
		{"array", `stdout.write([1, [2, 3]])`, "1,2,3", ""},
		{"class instance", `class P { toString() { return "P!" } }; stdout.writeln(new P())`, "P!\n", ""},
		{"string", `stdout.write("s")`, "s", ""},
		{"number and bigint", `stdout.write(4.5); stdout.write(7n)`, "4.57", ""},
		{"null and undefined", `stdout.write(null); stdout.write(undefined)`, "nullundefined", ""},
		{"symbol", `stdout.write(Symbol("s"))`, "Symbol(s)", ""},
		{"error", `stdout.write(new RangeError("r"))`, "RangeError: r", ""},
		{"Symbol.toPrimitive", `stdout.write({ [Symbol.toPrimitive](hint) { return hint } })`, "string", ""},
		{"valueOf when toString gives an object", `stdout.write({ toString() { return {} }, valueOf() { return 5 } })`, "5", ""},
		{"no argument", `stdout.write(); stdout.writeln()`, "\n", ""},
		{"writeln", `stdout.writeln({ toString() { return "W" } })`, "W\n", ""},
		{"stderr.write", `stderr.write({ toString() { return "E" } })`, "", "E"},
		{"stderr.writeln", `stderr.writeln([1, 2])`, "", "1,2\n"},
		{"throwing toString throws into the caller", `try { stdout.write({ toString() { throw new RangeError("no") } }) } catch (e) { console.log(e.name, e.message) }`, "RangeError no\n", ""},
		{"no conversion is a TypeError naming no Go type", `try { stdout.write(Object.create(null)) } catch (e) { console.log(e.name, e.message) }`, "TypeError Cannot convert object to primitive value\n", ""},
		{"nothing written when toString throws", `try { stdout.writeln({ toString() { throw 1 } }) } catch (e) {} stdout.write("after")`, "after", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runJS(t, c.src)
			if res.stdout != c.stdout || res.stderr != c.stderr {
				t.Errorf("stdout %q stderr %q, want %q %q (err %v)", res.stdout, res.stderr, c.stdout, c.stderr, res.err)
			}
		})
	}
}
