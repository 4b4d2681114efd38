package bindings_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/isobox/isobox/engine"
)

func TestChildrenDoNotKeepParentAlive(t *testing.T) {
	res := runJS(t, `Isolate.spawn(() => { new ReceivePort(); setInterval(() => {}, 5); }); console.log("parent done");`)
	if res.stdout != "parent done\n" || res.err != nil {
		t.Fatalf("stdout %q err %v", res.stdout, res.err)
	}
}

func TestLinesAreWrittenWhole(t *testing.T) {
	res := runJS(t, `
		for (let i = 0; i < 8; i++) Isolate.spawn(n => { for (let j = 0; j < 200; j++) console.log("isolate " + n + " line " + j + " " + "x".repeat(300)); }, i).then(iso => iso.exited);
	`)
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	if len(lines) != 8*200 {
		t.Fatalf("got %d lines, want 1600", len(lines))
	}
	last := map[string]int{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 5 || len(f[4]) != 300 {
			t.Fatalf("torn line %q", l)
		}
		// Each isolate's own output keeps its order.
		var j int
		for _, c := range f[3] {
			j = j*10 + int(c-'0')
		}
		if prev, ok := last[f[1]]; ok && j != prev+1 {
			t.Fatalf("isolate %s out of order: %d after %d", f[1], j, prev)
		}
		last[f[1]] = j
	}
}

func TestGoPanicInHostFunctionIsAnIsolateError(t *testing.T) {
	boom := func(context.Context, []any) (any, error) { panic("host bug") }
	var out, errb syncBuffer
	host := engine.NewHost(engine.WithStdout(&out), engine.WithStderr(&errb),
		engine.WithSetup(setupForTest()), engine.WithFunc("boom", boom))
	iso, err := host.Spawn(engine.ScriptSource("p.js", `host.boom()`),
		engine.WithCapabilities(engine.Capabilities{Funcs: []string{"boom"}}))
	if err != nil {
		t.Fatal(err)
	}
	werr := iso.Wait(context.Background())
	var pe *engine.PanicError
	if !errors.As(werr, &pe) {
		t.Fatalf("err = %v, want a PanicError inside", werr)
	}
	if err := host.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestUngrantedHostFunctionIsAbsent(t *testing.T) {
	res := runJS(t, `console.log(typeof host)`, engine.WithFunc("secret", func(context.Context, []any) (any, error) { return 1, nil }))
	if res.stdout != "undefined\n" {
		t.Fatalf("stdout %q", res.stdout)
	}
}

func TestSpawnSyntaxErrorAndHostClosed(t *testing.T) {
	host := engine.NewHost(engine.WithSetup(setupForTest()))
	_, err := host.Spawn(engine.ScriptSource("bad.js", "let x = ;"))
	var se *engine.ScriptError
	if !errors.As(err, &se) || se.Name != "SyntaxError" {
		t.Fatalf("err = %v", err)
	}
	_ = host.Shutdown(context.Background())
	if _, err := host.Spawn(engine.ScriptSource("ok.js", "1")); !errors.Is(err, engine.ErrHostClosed) {
		t.Fatalf("after shutdown err = %v", err)
	}
}

func TestMaxIsolates(t *testing.T) {
	host := engine.NewHost(engine.WithSetup(setupForTest()), engine.WithMaxIsolates(1))
	defer host.Shutdown(context.Background())
	if _, err := host.Spawn(engine.ScriptSource("a.js", "new ReceivePort()")); err != nil {
		t.Fatal(err)
	}
	_, err := host.Spawn(engine.ScriptSource("b.js", "1"))
	var le *engine.LimitError
	if !errors.As(err, &le) || le.Limit != "maxIsolates" {
		t.Fatalf("err = %v", err)
	}
}

// TestReady: Ready closes once the entry task (top level, entry function,
// their promise jobs) has run, or when the isolate dies first; a paused
// isolate is not ready until resumed.
func TestReady(t *testing.T) {
	cases := []struct {
		name        string
		src         string
		opts        []engine.SpawnOption
		wantPort    bool
		resume      bool
		wantErrKind string // "", "script", "killed"
	}{
		{name: "top-level port", src: `new ReceivePort().listen(() => {});`, wantPort: true},
		{name: "port from entry function", src: `function main() { new ReceivePort().listen(() => {}); }`, opts: []engine.SpawnOption{engine.WithEntry("main")}, wantPort: true},
		{name: "port from a promise job", src: `Promise.resolve().then(() => Isolate.publish(new ReceivePort()));`, wantPort: true},
		{name: "no port", src: `setTimeout(() => {}, 50);`},
		{name: "entry throws", src: `throw new Error("no")`, wantErrKind: "script"},
		{name: "paused then resumed", src: `new ReceivePort().listen(() => {});`, opts: []engine.SpawnOption{engine.WithPaused(true)}, resume: true, wantPort: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			host := engine.NewHost(engine.WithSetup(setupForTest()))
			defer func() { _ = host.Shutdown(context.Background()) }()
			iso, err := host.Spawn(engine.ScriptSource("r.js", c.src), c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if c.resume {
				// A paused isolate must not run its entry.
				select {
				case <-iso.Ready():
					t.Fatal("a paused isolate is ready before it is resumed")
				case <-time.After(20 * time.Millisecond):
				}
				iso.Resume(iso.PauseCapability())
			}
			select {
			case <-iso.Ready():
			case <-time.After(10 * time.Second):
				t.Fatal("Ready never closed")
			}
			if got := iso.DefaultPort() != nil; got != c.wantPort {
				t.Errorf("default port present = %v, want %v", got, c.wantPort)
			}
			if c.wantErrKind == "script" {
				var se *engine.ScriptError
				if err := iso.Wait(context.Background()); !errors.As(err, &se) {
					t.Errorf("Wait = %v, want a ScriptError", err)
				}
			}
			iso.Kill(engine.Immediate)
			<-iso.Done()
		})
	}
	t.Run("killed while paused", func(t *testing.T) {
		host := engine.NewHost(engine.WithSetup(setupForTest()))
		defer func() { _ = host.Shutdown(context.Background()) }()
		iso, err := host.Spawn(engine.ScriptSource("r.js", `1`), engine.WithPaused(true))
		if err != nil {
			t.Fatal(err)
		}
		iso.Kill(engine.Immediate)
		select {
		case <-iso.Ready():
		case <-time.After(10 * time.Second):
			t.Fatal("Ready never closed after a kill")
		}
	})
}
