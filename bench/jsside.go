package bench

import (
	"fmt"

	"github.com/isobox/isobox/engine"
)

// jsSideSrc measures from inside JS, with Date.now over many iterations
// (scripts have no finer clock): n sequential spawns, each timed to the
// spawned isolate's first message, and n sequential echo round trips of a
// number and of the small object, between two isolates. It sends the
// means, in µs, to out as {spawn, number, object}.
var jsSideSrc = engine.FunctionSource(`(a) => (async () => {
	const r = new ReceivePort();
	let next = null;
	r.listen((m) => { const f = next; next = null; f(m); });
	const recv = () => new Promise((res) => { next = res; });
	const res = {};
	if (a.spawn > 0) {
		const first = (p) => p.send(1);
		for (let i = 0; i < 20; i++) { Isolate.spawn(first, r.sendPort); await recv(); }
		const t0 = Date.now();
		for (let i = 0; i < a.spawn; i++) { Isolate.spawn(first, r.sendPort); await recv(); }
		res.spawn = (Date.now() - t0) * 1000 / a.spawn;
	}
	if (a.n > 0) {
		Isolate.spawn((p) => { const e = new ReceivePort(); e.listen((m) => { if (m === "stop") e.close(); else p.send(m); }); p.send(e.sendPort); }, r.sendPort);
		const echo = await recv();
		for (const [name, v] of [["number", 42], ["object", {a: 1, b: "hello", c: [1, 2, 3], d: {e: true}}]]) {
			for (let i = 0; i < 200; i++) { echo.send(v); await recv(); }
			const t0 = Date.now();
			for (let i = 0; i < a.n; i++) { echo.send(v); await recv(); }
			res[name] = (Date.now() - t0) * 1000 / a.n;
		}
		echo.send("stop");
	}
	r.close();
	a.out.send(res);
})()`)

// JSSide is what jsSideSrc measures, in µs per operation (means).
type JSSide struct {
	Spawn, Number, Object float64
}

// JSSideRun runs jsSideSrc with spawns sequential spawns and n round trips
// of each kind (zero skips that part).
func JSSideRun(spawns, n int) (JSSide, error) {
	h := NewHost(engine.DefaultMaxIsolates)
	defer shutdown(h)
	port := h.NewPort("jsside")
	msg, err := engine.MessageFromGo(map[string]any{"out": port.SendPort(), "spawn": spawns, "n": n})
	if err != nil {
		return JSSide{}, err
	}
	if _, err := h.Spawn(jsSideSrc, engine.WithMessage(msg)); err != nil {
		return JSSide{}, err
	}
	x, err := recv(port, waitLong)
	if err != nil {
		return JSSide{}, err
	}
	m, ok := x.(map[string]any)
	if !ok {
		return JSSide{}, errUnexpected("jsside", x)
	}
	missing := false
	get := func(k string, want bool) float64 {
		v, ok := m[k]
		if want && !ok {
			missing = true
		}
		return toFloat(v)
	}
	s := JSSide{Spawn: get("spawn", spawns > 0), Number: get("number", n > 0), Object: get("object", n > 0)}
	if missing {
		return s, fmt.Errorf("jsside: incomplete result %v", m)
	}
	return s, nil
}
