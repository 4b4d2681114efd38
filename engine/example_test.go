package engine_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// newHost is the usual embedding: the JS bindings, output to os.Stdout.
func newHost(opts ...engine.HostOption) *engine.Host {
	opts = append([]engine.HostOption{
		engine.WithStdout(os.Stdout),
		engine.WithSetup(bindings.Setup(bindings.Config{})),
	}, opts...)
	return engine.NewHost(opts...)
}

// Spawn a function isolate, send it a Go value, and receive its reply on a
// Go-side port.
func ExampleHost_Spawn() {
	host := newHost()
	defer host.Shutdown(context.Background())

	replies := host.NewPort("replies")
	msg, _ := engine.MessageFromGo(map[string]any{"reply": replies.SendPort(), "n": 21})
	iso, err := host.Spawn(engine.FunctionSource(`({reply, n}) => reply.send({doubled: n * 2})`),
		engine.WithName("doubler"), engine.WithMessage(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := replies.RecvValue(context.Background())
	fmt.Println(v.(map[string]any)["doubled"])
	fmt.Println(iso.Wait(context.Background()))
	// Output:
	// 42
	// <nil>
}

// Send messages to an isolate from Go through the port it publishes.
func ExampleSendPort_SendValue() {
	host := newHost()
	defer host.Shutdown(context.Background())

	iso, _ := host.Spawn(engine.ScriptSource("echo.js", `
		const port = new ReceivePort();   // the first port is the default port
		port.listen(m => { console.log("got", m.word, m.when instanceof Date, m.bytes.length); port.close(); });
	`))
	for iso.DefaultPort() == nil {
		time.Sleep(time.Millisecond)
	}
	_ = iso.DefaultPort().SendValue(map[string]any{"word": "hi", "when": time.Unix(0, 0), "bytes": []byte{1, 2, 3}})
	_ = iso.Wait(context.Background())
	// Output:
	// got hi true 3
}

// Grant a Go function to one isolate; scripts call it as host.NAME(...).
func ExampleWithFunc() {
	add := func(_ context.Context, args []any) (any, error) {
		return args[0].(float64) + args[1].(float64), nil
	}
	host := newHost(engine.WithFunc("add", add))
	defer host.Shutdown(context.Background())

	iso, _ := host.Spawn(engine.ScriptSource("calc.js", `console.log(host.add(40, 2))`),
		engine.WithCapabilities(engine.Capabilities{Funcs: []string{"add"}}))
	_ = iso.Wait(context.Background())
	// Output:
	// 42
}

// Kill a busy isolate and read why it ended.
func ExampleIsolate_Kill() {
	host := newHost()
	defer host.Shutdown(context.Background())

	iso, _ := host.Spawn(engine.ScriptSource("busy.js", `while (true) {}`))
	iso.Kill(engine.Immediate)
	err := iso.Wait(context.Background())
	fmt.Println(errors.Is(err, engine.ErrKilled))
	// Output:
	// true
}

// A limit breach stops the isolate with a *LimitError inside its error.
func ExampleWithLimits() {
	host := newHost()
	defer host.Shutdown(context.Background())

	iso, _ := host.Spawn(engine.ScriptSource("spin.js", `while (true) {}`),
		engine.WithLimits(engine.Limits{MaxTaskMs: 20}))
	err := iso.Wait(context.Background())
	var le *engine.LimitError
	fmt.Println(errors.As(err, &le), le.Limit)
	// Output:
	// true maxTaskMs
}

// List live isolates with their stats.
func ExampleHost_Stats() {
	host := newHost()
	defer host.Shutdown(context.Background())

	_, _ = host.Spawn(engine.ScriptSource("idle.js", `new ReceivePort()`), engine.WithName("idle"))
	for _, s := range host.Stats() {
		fmt.Println(s.Name, s.Ports >= 0)
	}
	// Output:
	// idle true
}

// Run an isolate in a worker process: the hard wall for hostile code. The
// binary serves as its own worker, so main (here, TestMain) calls
// engine.WorkerMain first with the same bindings. A crash of the worker
// takes only its isolates; here the isolate just answers and exits.
func ExampleWithProcess() {
	host := newHost(engine.WithWorkerPool(1))
	defer host.Shutdown(context.Background())

	replies := host.NewPort("replies")
	msg, _ := engine.MessageFromGo(replies.SendPort())
	iso, err := host.Spawn(engine.FunctionSource(`(reply) => reply.send("hello from pid " + (typeof Deno))`),
		engine.WithProcess(""), engine.WithMessage(msg))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := replies.RecvValue(context.Background())
	fmt.Println(v, iso.Pid() > 0)
	fmt.Println(iso.Wait(context.Background()))
	// Output:
	// hello from pid undefined true
	// <nil>
}
