package guard

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// MaxRegexpMatch bounds one match of goja's backtracking regular
// expression engine (regexp2, which goja uses for a pattern Go's linear
// regexp cannot run: lookbehind, backreferences, some lookaheads). A
// match runs inside one VM instruction, so neither an interrupt nor a
// kill reaches it: /^(\w+\s?)*$(?<!x)/ on 27 characters ran 15 s past
// maxTaskMs 200, and on 40 it would run for days. regexp2 abandons a match
// past its MatchTimeout, and goja then reports no match; an isolate whose
// time limit has passed meanwhile is stopped at its next instruction. So
// a match has at most this long, and one that needs longer finds nothing
// (README, security model). A constant: any goroutine.
const MaxRegexpMatch = 2 * time.Second

// regexp2 reads DefaultMatchTimeout when a pattern is compiled; goja
// compiles each RegExp's pattern when the RegExp is made, after this
// package's init. It is process-wide: an embedder's own regexp2 patterns
// get the same bound unless they set MatchTimeout.
func init() { regexp2.DefaultMatchTimeout = MaxRegexpMatch }
