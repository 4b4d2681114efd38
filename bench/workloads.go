package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/isobox/isobox/engine"
)

const waitLong = 60 * time.Second

// SpawnFirstMessage spawns n function isolates one after another, each of
// which sends one message back to a Go port, and returns for each the time
// from the Spawn call to the message's arrival.
func SpawnFirstMessage(n int) ([]time.Duration, error) {
	h := NewHost(engine.DefaultMaxIsolates)
	defer shutdown(h)
	return spawnFirstMessage(h, n, 0)
}

// spawnFirstMessage is SpawnFirstMessage on h; pause (untimed) separates
// the spawns, opts are added to each.
func spawnFirstMessage(h *engine.Host, n int, pause time.Duration, opts ...engine.SpawnOption) ([]time.Duration, error) {
	port := h.NewPort("first")
	src := engine.FunctionSource("(p) => p.send(1)")
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		msg, err := engine.MessageFromGo(port.SendPort())
		if err != nil {
			return nil, err
		}
		time.Sleep(pause)
		t0 := time.Now()
		iso, err := h.Spawn(src, append([]engine.SpawnOption{engine.WithMessage(msg)}, opts...)...)
		if err != nil {
			return nil, err
		}
		if _, err := recv(port, waitLong); err != nil {
			return nil, fmt.Errorf("spawn %d: %w", i, err)
		}
		out = append(out, time.Since(t0))
		<-iso.Done()
	}
	return out, nil
}

// idleSrc opens a ReceivePort with a listener (which keeps the isolate
// alive) and reports that it is ready.
var idleSrc = engine.FunctionSource("(p) => { const r = new ReceivePort(); r.listen(() => {}); p.send(1); }")

// IdleMemory is the cost of idle isolates.
type IdleMemory struct {
	Isolates        int
	HeapPerIsolate  float64 // Go heap in use, bytes per isolate
	RSSPerIsolate   float64 // process RSS, bytes per isolate
	SpawnAllSeconds float64 // time to spawn them all and see each ready
}

// IdleIsolates spawns n isolates that each keep a ReceivePort open, waits
// until every one has reported ready, and measures the growth of the Go
// heap (after GC) and of the process RSS, per isolate.
func IdleIsolates(n int) (IdleMemory, error) {
	h := NewHost(n + 16)
	defer shutdown(h)
	port := h.NewPort("ready")
	heap0, rss0 := heapInUse(), RSS()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		msg, err := engine.MessageFromGo(port.SendPort())
		if err != nil {
			return IdleMemory{}, err
		}
		if _, err := h.Spawn(idleSrc, engine.WithMessage(msg)); err != nil {
			return IdleMemory{}, fmt.Errorf("spawn %d: %w", i, err)
		}
	}
	for i := 0; i < n; i++ {
		if _, err := recv(port, waitLong); err != nil {
			return IdleMemory{}, fmt.Errorf("ready %d: %w", i, err)
		}
	}
	spawnAll := time.Since(t0)
	heap1 := heapInUse()
	rss1 := RSS()
	if c := h.Count(); c != n {
		return IdleMemory{}, fmt.Errorf("%d isolates live, want %d", c, n)
	}
	return IdleMemory{
		Isolates:        n,
		HeapPerIsolate:  (float64(heap1) - float64(heap0)) / float64(n),
		RSSPerIsolate:   float64(rss1-rss0) / float64(n),
		SpawnAllSeconds: spawnAll.Seconds(),
	}, nil
}

// MaxIsolates spawns idle isolates (as IdleIsolates) in batches of 1000
// until the process RSS passes rssLimit bytes, max isolates are live, or a
// spawn fails. It returns the largest live count seen with RSS at or under
// rssLimit, and that RSS.
//
// The host memory ceiling is off here: this workload has its own limit
// (RSS), and the default ceiling (a quarter of RAM) would stop isolates
// before it.
func MaxIsolates(rssLimit int64, max int) (live int, rss int64, err error) {
	h := NewHost(max+16, engine.WithMemoryLimit(-1))
	defer shutdown(h)
	port := h.NewPort("ready")
	const batch = 1000
	n := 0
	for n < max {
		k := min(batch, max-n)
		for i := 0; i < k; i++ {
			msg, err := engine.MessageFromGo(port.SendPort())
			if err != nil {
				return live, rss, err
			}
			if _, err := h.Spawn(idleSrc, engine.WithMessage(msg)); err != nil {
				return live, rss, err
			}
		}
		for i := 0; i < k; i++ {
			if _, err := recv(port, waitLong); err != nil {
				return live, rss, err
			}
		}
		n += k
		r := RSS()
		if r > rssLimit {
			break
		}
		live, rss = n, r
	}
	return live, rss, nil
}

// echoSrc answers every message on a new port to p, after first sending p
// that port.
var echoSrc = engine.FunctionSource("(p) => { const r = new ReceivePort(); r.listen((m) => p.send(m)); p.send(r.sendPort); }")

// SmallObject is the object of the round-trip workload,
// {a:1,b:"hello",c:[1,2,3],d:{e:true}}, as a Go value.
func SmallObject() map[string]any {
	return map[string]any{"a": 1, "b": "hello", "c": []any{1, 2, 3}, "d": map[string]any{"e": true}}
}

// RoundTrip sends v from Go to an echo isolate n times, one at a time, and
// returns each round trip's time (Go value to message, delivery, the
// isolate's decode, clone and send back, the Go receive and decode).
func RoundTrip(n int, v any) ([]time.Duration, error) {
	h := NewHost(16)
	defer shutdown(h)
	return roundTrip(h, n, v)
}

func roundTrip(h *engine.Host, n int, v any, opts ...engine.SpawnOption) ([]time.Duration, error) {
	port := h.NewPort("echo")
	msg, err := engine.MessageFromGo(port.SendPort())
	if err != nil {
		return nil, err
	}
	if _, err := h.Spawn(echoSrc, append([]engine.SpawnOption{engine.WithMessage(msg)}, opts...)...); err != nil {
		return nil, err
	}
	x, err := recv(port, waitLong)
	if err != nil {
		return nil, err
	}
	sp, ok := x.(*engine.SendPort)
	if !ok {
		return nil, errUnexpected("echo", x)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := sp.SendValue(v); err != nil {
			return nil, err
		}
		m, err := port.Recv(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := m.ToGo(); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}

// throughputSrc is a function isolate that, given {mode, out, to, n}, is
// either the receiver (opens a port, sends it to out, and after n
// messages sends n to out) or the sender (sends 0..n-1 to to).
var throughputSrc = engine.FunctionSource(`(a) => {
	if (a.mode === "recv") {
		const r = new ReceivePort();
		let k = 0;
		r.listen(() => { if (++k === a.n) { a.out.send(k); r.close(); } });
		a.out.send(r.sendPort);
	} else {
		const to = a.to, n = a.n;
		for (let i = 0; i < n; i++) to.send(i);
	}
}`)

// Throughput sends n small messages (numbers) one way from one isolate to
// another and returns messages per second, timed from the sender's spawn to
// the receiver seeing the last message.
func Throughput(n int) (float64, error) {
	h := NewHost(16)
	defer shutdown(h)
	return throughput(h, n, nil, nil)
}

// throughput runs the receiver with recvOpts and the sender with sendOpts.
func throughput(h *engine.Host, n int, recvOpts, sendOpts []engine.SpawnOption) (float64, error) {
	port := h.NewPort("tp")
	m1, err := engine.MessageFromGo(map[string]any{"mode": "recv", "out": port.SendPort(), "n": n})
	if err != nil {
		return 0, err
	}
	if _, err := h.Spawn(throughputSrc, append([]engine.SpawnOption{engine.WithMessage(m1)}, recvOpts...)...); err != nil {
		return 0, err
	}
	x, err := recv(port, waitLong)
	if err != nil {
		return 0, err
	}
	sp, ok := x.(*engine.SendPort)
	if !ok {
		return 0, errUnexpected("throughput", x)
	}
	m2, err := engine.MessageFromGo(map[string]any{"mode": "send", "to": sp, "n": n})
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	if _, err := h.Spawn(throughputSrc, append([]engine.SpawnOption{engine.WithMessage(m2)}, sendOpts...)...); err != nil {
		return 0, err
	}
	x, err = recv(port, 5*waitLong)
	if err != nil {
		return 0, err
	}
	d := time.Since(t0)
	if got := int(toFloat(x)); got != n {
		return 0, fmt.Errorf("throughput: receiver counted %d, want %d", got, n)
	}
	return float64(n) / d.Seconds(), nil
}

// cloneSrc is the JS harness of Clone and Transfer. Given {out, mode, n,
// size} it spawns an echo isolate and times n round trips with host.now();
// mode "clone" sends a ~size-byte object graph (and also times
// JSON.stringify + JSON.parse of it), mode "transfer" sends an ArrayBuffer
// of size bytes in the transfer list both ways. It sends {rt, json, bytes}
// (microsecond arrays) to out.
var cloneSrc = engine.FunctionSource(`async (a) => {
	const now = () => host.now();
	function graph(bytes) {
		const items = [];
		let size = 2;
		for (let i = 0; size < bytes; i++) {
			const it = { id: i, name: "item-" + i, tags: ["x", "y", "z"], pos: { x: i * 0.5, y: -i, ok: i % 2 === 0 } };
			items.push(it);
			size += JSON.stringify(it).length + 1;
		}
		return { kind: "graph", items };
	}
	const inbox = new ReceivePort();
	let wake = null, queue = [];
	inbox.listen((m) => { if (wake) { const w = wake; wake = null; w(m); } else queue.push(m); });
	const next = () => queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => { wake = r; });
	const mode = a.mode;
	await Isolate.spawn((p) => {
		const r = new ReceivePort();
		r.listen((m) => { if (m === "stop") { r.close(); return; } if (m instanceof ArrayBuffer) p.send(m, [m]); else p.send(m); });
		p.send(r.sendPort);
	}, inbox.sendPort);
	const echo = await next();
	const rt = [], json = [];
	let bytes = 0;
	if (mode === "clone") {
		const g = graph(a.size);
		bytes = JSON.stringify(g).length;
		for (let i = 0; i < a.n; i++) {
			const t0 = now();
			echo.send(g);
			const back = await next();
			rt.push(now() - t0);
			if (back.items.length !== g.items.length) throw new Error("bad echo");
		}
		for (let i = 0; i < a.n; i++) {
			const t0 = now();
			const back = JSON.parse(JSON.stringify(g));
			json.push(now() - t0);
			if (back.items.length !== g.items.length) throw new Error("bad json");
		}
	} else {
		let buf = new ArrayBuffer(a.size);
		bytes = buf.byteLength;
		for (let i = 0; i < a.n; i++) {
			const t0 = now();
			echo.send(buf, [buf]);
			buf = await next();
			rt.push(now() - t0);
			if (buf.byteLength !== bytes) throw new Error("bad transfer");
		}
	}
	echo.send("stop");
	inbox.close();
	a.out.send({ rt, json, bytes });
}`)

// CloneResult holds the timings of Clone and Transfer.
type CloneResult struct {
	RoundTrip []time.Duration // one send there and back, per iteration
	JSON      []time.Duration // JSON.parse(JSON.stringify(g)) in goja (Clone only)
	Bytes     int             // JSON length of the graph, or the buffer size
}

func runCloneHarness(mode string, n, size int) (CloneResult, error) {
	h := NewHost(16)
	defer shutdown(h)
	port := h.NewPort("clone")
	m, err := engine.MessageFromGo(map[string]any{"out": port.SendPort(), "mode": mode, "n": n, "size": size})
	if err != nil {
		return CloneResult{}, err
	}
	iso, err := h.Spawn(cloneSrc, engine.WithMessage(m), clockCaps)
	if err != nil {
		return CloneResult{}, err
	}
	x, err := recvOrDeath(port, iso, 5*waitLong)
	if err != nil {
		return CloneResult{}, err
	}
	r, ok := x.(map[string]any)
	if !ok {
		return CloneResult{}, errUnexpected(mode, x)
	}
	return CloneResult{
		RoundTrip: durationsFromMicros(r["rt"]),
		JSON:      durationsFromMicros(r["json"]),
		Bytes:     int(toFloat(r["bytes"])),
	}, nil
}

// Clone round-trips a ~size-byte object graph (size counted as its JSON
// length) between two isolates n times, and times JSON.stringify +
// JSON.parse of the same graph n times.
func Clone(n, size int) (CloneResult, error) { return runCloneHarness("clone", n, size) }

// Transfer round-trips an ArrayBuffer of size bytes between two isolates n
// times, moving it in the transfer list each way.
func Transfer(n, size int) (CloneResult, error) { return runCloneHarness("transfer", n, size) }

// busySrc reports that it is running and then spins forever.
var busySrc = engine.FunctionSource("(p) => { p.send(1); while (true) {} }")

// KillLatency spawns n busy isolates one at a time and returns, for each,
// the time from Kill(Immediate) to its exit message arriving on a Go port.
func KillLatency(n int) ([]time.Duration, error) {
	h := NewHost(16)
	defer shutdown(h)
	return killLatency(h, n)
}

func killLatency(h *engine.Host, n int, opts ...engine.SpawnOption) ([]time.Duration, error) {
	ready := h.NewPort("ready")
	exits := h.NewPort("exit")
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		msg, err := engine.MessageFromGo(ready.SendPort())
		if err != nil {
			return nil, err
		}
		iso, err := h.Spawn(busySrc, append([]engine.SpawnOption{engine.WithMessage(msg), engine.WithOnExit(exits.SendPort(), nil)}, opts...)...)
		if err != nil {
			return nil, err
		}
		if _, err := recv(ready, waitLong); err != nil {
			return nil, err
		}
		time.Sleep(time.Millisecond) // let it get into the loop
		t0 := time.Now()
		iso.Kill(engine.Immediate)
		if _, err := recv(exits, waitLong); err != nil {
			return nil, fmt.Errorf("kill %d: %w", i, err)
		}
		out = append(out, time.Since(t0))
		<-iso.Done()
	}
	return out, nil
}

// cpuSrc is a CPU-bound function returning a checksum.
var cpuSrc = engine.FunctionSource("(n) => { let s = 0; for (let i = 0; i < n; i++) { s = (s + i * 7) % 1000003; } return s; }")

// runCPU runs k isolates of cpuSrc(iters) at once and returns the wall time.
func runCPU(h *engine.Host, k, iters int) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make(chan error, k)
	t0 := time.Now()
	for i := 0; i < k; i++ {
		msg, err := engine.MessageFromGo(iters)
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		_, err = h.Spawn(cpuSrc, engine.WithMessage(msg), engine.WithResult(func(_ *engine.Message, err error) {
			errs <- err
			wg.Done()
		}))
		if err != nil {
			return 0, err
		}
	}
	wg.Wait()
	d := time.Since(t0)
	close(errs)
	for err := range errs {
		if err != nil {
			return 0, err
		}
	}
	return d, nil
}

// CPUScaling runs one CPU-bound isolate, then n at once (each doing the
// same work), and returns the speed-up n*T(1)/T(n). n <= 0 means
// runtime.NumCPU().
func CPUScaling(n, iters int) (speedup float64, err error) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	h := NewHost(n + 16)
	defer shutdown(h)
	t1, err := runCPU(h, 1, iters)
	if err != nil {
		return 0, err
	}
	tn, err := runCPU(h, n, iters)
	if err != nil {
		return 0, err
	}
	return float64(n) * t1.Seconds() / tn.Seconds(), nil
}

// timerSrc runs setInterval(interval) for total ms and sends the host.now()
// time of every tick (µs) to out.
var timerSrc = engine.FunctionSource(`(a) => {
	const ticks = [];
	const t0 = host.now();
	const id = setInterval(() => {
		ticks.push(host.now() - t0);
		if (ticks.length * a.interval >= a.total) { clearInterval(id); a.out.send(ticks); }
	}, a.interval);
}`)

// TimerDrift is what TimerPrecision measured.
type TimerDrift struct {
	Ticks        int
	FinalDriftMs float64 // last tick's time minus ticks*interval
	MeanJitterMs float64 // mean |gap - interval| between ticks
	MaxJitterMs  float64
}

// TimerPrecision runs setInterval(interval) for total and reports the
// drift of the last tick and the jitter of the gaps.
func TimerPrecision(interval, total time.Duration) (TimerDrift, error) {
	h := NewHost(16)
	defer shutdown(h)
	port := h.NewPort("timer")
	im, tm := interval.Milliseconds(), total.Milliseconds()
	msg, err := engine.MessageFromGo(map[string]any{"out": port.SendPort(), "interval": im, "total": tm})
	if err != nil {
		return TimerDrift{}, err
	}
	iso, err := h.Spawn(timerSrc, engine.WithMessage(msg), clockCaps)
	if err != nil {
		return TimerDrift{}, err
	}
	x, err := recvOrDeath(port, iso, total+waitLong)
	if err != nil {
		return TimerDrift{}, err
	}
	return driftOf(x, float64(im))
}

func driftOf(x any, intervalMs float64) (TimerDrift, error) {
	arr, ok := x.([]any)
	if !ok || len(arr) == 0 {
		return TimerDrift{}, errUnexpected("timer", x)
	}
	var d TimerDrift
	d.Ticks = len(arr)
	prev := 0.0
	for i, v := range arr {
		t := toFloat(v) / 1e3
		j := t - prev - intervalMs
		if j < 0 {
			j = -j
		}
		d.MeanJitterMs += j
		d.MaxJitterMs = max(d.MaxJitterMs, j)
		prev = t
		if i == len(arr)-1 {
			d.FinalDriftMs = t - float64(len(arr))*intervalMs
		}
	}
	d.MeanJitterMs /= float64(len(arr))
	return d, nil
}

// recvOrDeath receives from port, or reports the isolate's error if it
// dies first.
func recvOrDeath(port *engine.Port, iso *engine.Isolate, d time.Duration) (any, error) {
	type res struct {
		v   any
		err error
	}
	ch := make(chan res, 1)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	go func() {
		v, err := port.RecvValue(ctx)
		ch <- res{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-iso.Done():
		select {
		case r := <-ch:
			return r.v, r.err
		case <-time.After(100 * time.Millisecond):
		}
		port.Close()
		if err := iso.Err(); err != nil {
			return nil, fmt.Errorf("harness isolate died: %w", err)
		}
		return nil, fmt.Errorf("harness isolate ended without a result")
	}
}
