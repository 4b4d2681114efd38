package bindings_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/isobox/isobox/engine"
)

// webFuzzAPIs are the Web messaging calls FuzzWebArgs exercises, each
// with the fuzz-chosen arguments a (ch is a MessageChannel, t an
// EventTarget, bc a BroadcastChannel, made fresh per input).
var webFuzzAPIs = []string{
	`new Event(...a)`, `new MessageEvent(...a)`, `new ErrorEvent(...a)`, `new CustomEvent(...a)`, `new EventTarget(...a)`,
	`t.addEventListener(...a)`, `t.removeEventListener(...a)`, `t.dispatchEvent(...a)`, `t.dispatchEvent(new Event(...a))`,
	`t.addEventListener('x', ...a)`, `new AbortController().abort(...a)`, `AbortSignal.abort(...a)`, `AbortSignal.timeout(...a)`,
	`AbortSignal.any(...a)`, `AbortSignal.any([ac.signal, ...a])`, `ac.abort(...a)`,
	`ch.port1.postMessage(...a)`, `ch.port2.postMessage(...a)`, `ch.port1.start(...a)`, `ch.port2.close(...a)`,
	`ch.port2.onmessage = a[0]`, `ch.port1.addEventListener('message', ...a)`, `ch.port1.postMessage(1, a)`,
	`ch.port1.postMessage(a[0], {transfer: a})`, `new ReceivePort().sendPort.send(a[0], a)`,
	`new BroadcastChannel(...a)`, `bc.postMessage(...a)`, `bc.close(...a)`, `bc.onmessage = a[0]`,
	`new Worker(...a)`, `Object.getOwnPropertyDescriptor(Event.prototype, 'type').get.call(...a)`,
	`MessagePort.prototype.postMessage.call(...a)`, `EventTarget.prototype.addEventListener.call(...a)`,
}

// webFuzzValues add Web objects to the shared fuzzValues.
var webFuzzValues = append(append([]string(nil), fuzzValues...),
	`ch.port1`, `ch.port2`, `new MessageChannel().port1`, `t`, `new Event('x')`, `new Event('x', {cancelable: true})`,
	`ac.signal`, `AbortSignal.abort()`, `{once: true, signal: ac.signal}`, `{capture: true}`, `{handleEvent() { throw 1 }}`,
	`() => { throw new Error('l') }`, `e => e.preventDefault()`, `e => t.dispatchEvent(e)`, `'message'`, `'x'`,
	`{ports: [ch.port1]}`, `{data: 1, source: t}`, `[ch.port1, ch.port1]`, `{transfer: [ch.port2]}`, `bc`, `'file:///nope.js'`)

func webFuzzScript(data []byte) string {
	var b strings.Builder
	b.WriteString("const ch = new MessageChannel(), t = new EventTarget(), ac = new AbortController(), bc = new BroadcastChannel('f');\n")
	for len(data) > 0 {
		api := webFuzzAPIs[int(data[0])%len(webFuzzAPIs)]
		n := 0
		if len(data) > 1 {
			n = int(data[1]) % 4
		}
		data = data[min(2, len(data)):]
		args := make([]string, 0, n)
		for i := 0; i < n && len(data) > 0; i++ {
			args = append(args, webFuzzValues[int(data[0])%len(webFuzzValues)])
			data = data[1:]
		}
		b.WriteString("try { const a = [" + strings.Join(args, ", ") + "]; " + api + " } catch (e) {}\n")
	}
	b.WriteString("setTimeout(() => { ch.port1.close(); ch.port2.close(); bc.close(); }, 5);\n")
	return b.String()
}

// FuzzWebArgs calls the Web messaging APIs with fuzz-chosen arguments: no
// input may panic the process or reach a Go panic.
func FuzzWebArgs(f *testing.F) {
	f.Add([]byte{16, 1, 3, 20, 1, 40})
	f.Add([]byte{5, 2, 70, 65, 7, 1, 66, 22, 2, 3, 4})
	f.Add([]byte{25, 1, 17, 26, 1, 1, 22, 3, 60, 61, 62})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64 {
			data = data[:64]
		}
		src := webFuzzScript(data)
		runFuzzHost(t, func(h *engine.Host) {
			iso, err := h.Spawn(engine.ScriptSource("fuzz.js", src), engine.WithName("fuzz"), engine.WithErrorsAreFatal(false))
			if err != nil {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			checkNoPanic(t, iso.Wait(ctx))
		})
	})
}
