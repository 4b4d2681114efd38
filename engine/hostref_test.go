package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/isobox/isobox/engine"
)

// TestHostRefsGo: the engine's host references (*SendPort, *Capability,
// *Isolate) go through MessageFromGo and come back from ToGo as the same
// pointers; nil ones are null.
func TestHostRefsGo(t *testing.T) {
	host := newHost()
	defer host.Shutdown(context.Background())
	iso, err := host.Spawn(engine.FunctionSource(`() => {}`))
	if err != nil {
		t.Fatal(err)
	}
	port := host.NewPort("p")
	defer port.Close()
	c := engine.NewCapability()
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"SendPort", port.SendPort()},
		{"Capability", c},
		{"Isolate", iso},
		{"nil Capability", (*engine.Capability)(nil)},
		{"nil Isolate", (*engine.Isolate)(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := engine.MessageFromGo(map[string]any{"a": tc.v, "b": []any{tc.v}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.ToGo()
			if err != nil {
				t.Fatal(err)
			}
			g := got.(map[string]any)
			want := tc.v
			switch x := tc.v.(type) {
			case *engine.Capability:
				if x == nil {
					want = nil
				}
			case *engine.Isolate:
				if x == nil {
					want = nil
				}
			}
			if g["a"] != want || g["b"].([]any)[0] != want {
				t.Errorf("ToGo = %#v, want %v", g, want)
			}
		})
	}
}

// TestHostRefsThroughJS: a Capability and Isolate handles sent from Go into
// an isolate, and the isolate's own handle, come back to Go as the same
// pointers; a capability sent twice is one JS object.
func TestHostRefsThroughJS(t *testing.T) {
	host := newHost()
	defer host.Shutdown(context.Background())
	other, err := host.Spawn(engine.FunctionSource(`() => { new ReceivePort(); }`))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Kill(engine.Immediate)
	replies := host.NewPort("replies")
	defer replies.Close()
	c := engine.NewCapability()
	msg, err := engine.MessageFromGo(map[string]any{"reply": replies.SendPort(), "c": c, "c2": c, "iso": other})
	if err != nil {
		t.Fatal(err)
	}
	iso, err := host.Spawn(engine.FunctionSource(`({reply, c, c2, iso}) => reply.send({
		same: c === c2, isCap: c instanceof Capability, isIso: iso instanceof Isolate,
		c, iso, self: Isolate.current, pause: Isolate.current.pauseCapability, otherPause: iso.pauseCapability,
	})`), engine.WithMessage(msg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := replies.RecvValue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := v.(map[string]any)
	if g["same"] != true || g["isCap"] != true || g["isIso"] != true {
		t.Errorf("in JS: %v", g)
	}
	if g["c"] != c || g["iso"] != other || g["self"] != iso {
		t.Errorf("references changed: %v", g)
	}
	if g["pause"] != iso.PauseCapability() || g["otherPause"] != other.PauseCapability() {
		t.Errorf("pause capabilities changed: %v", g)
	}
}
