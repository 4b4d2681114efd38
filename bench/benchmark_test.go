package bench

import (
	"testing"
	"time"
)

// reportLatency reports p50 and p99 of ds in µs.
func reportLatency(b *testing.B, ds []time.Duration) {
	b.ReportMetric(micros(Percentile(ds, 50)), "p50-µs")
	b.ReportMetric(micros(Percentile(ds, 99)), "p99-µs")
}

// BenchmarkSpawnFirstMessage: spawn a function isolate that sends one
// message back; ns/op is the mean spawn → first message time.
func BenchmarkSpawnFirstMessage(b *testing.B) {
	ds, err := SpawnFirstMessage(b.N)
	if err != nil {
		b.Fatal(err)
	}
	reportLatency(b, ds)
}

// BenchmarkIdleIsolate: memory per idle isolate with an open ReceivePort,
// over b.N isolates (at least 1000 for a stable figure).
func BenchmarkIdleIsolate(b *testing.B) {
	n := max(b.N, 1000)
	m, err := IdleIsolates(n)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(m.HeapPerIsolate, "heap-bytes/isolate")
	b.ReportMetric(m.RSSPerIsolate, "rss-bytes/isolate")
}

// BenchmarkRoundTripNumber: Go → echo isolate → Go round trip of 42.
func BenchmarkRoundTripNumber(b *testing.B) {
	ds, err := RoundTrip(b.N, 42)
	if err != nil {
		b.Fatal(err)
	}
	reportLatency(b, ds)
}

// BenchmarkRoundTripObject: the same with {a:1,b:"hello",c:[1,2,3],d:{e:true}}.
func BenchmarkRoundTripObject(b *testing.B) {
	ds, err := RoundTrip(b.N, SmallObject())
	if err != nil {
		b.Fatal(err)
	}
	reportLatency(b, ds)
}

// BenchmarkThroughput: one-way messages between two isolates; ns/op is per
// message.
func BenchmarkThroughput(b *testing.B) {
	n := max(b.N, 1000)
	r, err := Throughput(n)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r, "msgs/s")
}

// BenchmarkClone1MB: round trip of a ~1 MB object graph between isolates.
func BenchmarkClone1MB(b *testing.B) {
	r, err := Clone(b.N, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	reportLatency(b, r.RoundTrip)
	b.ReportMetric(micros(Percentile(r.JSON, 50)), "json-p50-µs")
}

func benchTransfer(b *testing.B, size int) {
	r, err := Transfer(b.N, size)
	if err != nil {
		b.Fatal(err)
	}
	reportLatency(b, r.RoundTrip)
}

// BenchmarkTransfer1MB: round trip of a transferred 1 MB ArrayBuffer.
func BenchmarkTransfer1MB(b *testing.B) { benchTransfer(b, 1<<20) }

// BenchmarkTransfer64MB: round trip of a transferred 64 MB ArrayBuffer.
func BenchmarkTransfer64MB(b *testing.B) { benchTransfer(b, 64<<20) }

// BenchmarkKillBusy: Kill(Immediate) of a while(true){} isolate until its
// exit message arrives.
func BenchmarkKillBusy(b *testing.B) {
	ds, err := KillLatency(b.N)
	if err != nil {
		b.Fatal(err)
	}
	reportLatency(b, ds)
}

// BenchmarkCPUScaling: speed-up of NumCPU CPU-bound isolates over one;
// ns/op is per 100,000 loop iterations of the single-isolate run plus the
// parallel run.
func BenchmarkCPUScaling(b *testing.B) {
	s, err := CPUScaling(0, max(b.N, 1)*100_000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(s, "speedup")
}

// BenchmarkJSRoundTripObject: the small object echoed JS → JS (two
// isolates, timed inside JS with Date.now); the metric is the mean in µs.
func BenchmarkJSRoundTripObject(b *testing.B) {
	j, err := JSSideRun(0, max(b.N, 1000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(j.Object, "mean-µs")
	b.ReportMetric(j.Number, "number-mean-µs")
}
