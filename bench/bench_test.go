package bench

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the worker of process isolates.
func TestMain(m *testing.M) {
	WorkerMain()
	os.Exit(m.Run())
}

// TestWorkloadsTiny runs every workload once at a tiny size so the suite
// cannot rot. It checks counts and errors, never timings.
func TestWorkloadsTiny(t *testing.T) {
	t.Run("spawn", func(t *testing.T) {
		ds, err := SpawnFirstMessage(3)
		if err != nil || len(ds) != 3 {
			t.Fatalf("SpawnFirstMessage: %v, %d samples", err, len(ds))
		}
	})
	t.Run("idle", func(t *testing.T) {
		m, err := IdleIsolates(20)
		if err != nil || m.Isolates != 20 {
			t.Fatalf("IdleIsolates: %v, %+v", err, m)
		}
	})
	t.Run("max", func(t *testing.T) {
		live, rss, err := MaxIsolates(1<<40, 10)
		if err != nil || live != 10 || rss <= 0 {
			t.Fatalf("MaxIsolates: %v, live %d rss %d", err, live, rss)
		}
	})
	t.Run("roundtrip", func(t *testing.T) {
		for _, v := range []any{42, SmallObject()} {
			ds, err := RoundTrip(5, v)
			if err != nil || len(ds) != 5 {
				t.Fatalf("RoundTrip(%v): %v, %d samples", v, err, len(ds))
			}
		}
	})
	t.Run("jsside", func(t *testing.T) {
		j, err := JSSideRun(3, 5)
		if err != nil || j.Spawn < 0 || j.Number < 0 || j.Object < 0 {
			t.Fatalf("JSSideRun: %v, %+v", err, j)
		}
	})
	t.Run("throughput", func(t *testing.T) {
		r, err := Throughput(1000)
		if err != nil || r <= 0 {
			t.Fatalf("Throughput: %v, %v", err, r)
		}
	})
	t.Run("clone", func(t *testing.T) {
		r, err := Clone(2, 10_000)
		if err != nil || len(r.RoundTrip) != 2 || len(r.JSON) != 2 || r.Bytes < 10_000 {
			t.Fatalf("Clone: %v, %+v", err, r)
		}
	})
	t.Run("transfer", func(t *testing.T) {
		r, err := Transfer(2, 1<<16)
		if err != nil || len(r.RoundTrip) != 2 || r.Bytes != 1<<16 {
			t.Fatalf("Transfer: %v, %+v", err, r)
		}
	})
	t.Run("kill", func(t *testing.T) {
		ds, err := KillLatency(2)
		if err != nil || len(ds) != 2 {
			t.Fatalf("KillLatency: %v, %d samples", err, len(ds))
		}
	})
	t.Run("process", func(t *testing.T) {
		f := &Figures{}
		if err := runProcess(TinyConfig(), f); err != nil {
			t.Fatal(err)
		}
		for _, k := range f.Order() {
			if v := f.Values[k]; len(v) != 1 || !(v[0] > 0) {
				t.Errorf("%s = %v", k, v)
			}
		}
	})
	t.Run("cpu", func(t *testing.T) {
		s, err := CPUScaling(2, 10_000)
		if err != nil || s <= 0 {
			t.Fatalf("CPUScaling: %v, %v", err, s)
		}
	})
	t.Run("timer", func(t *testing.T) {
		d, err := TimerPrecision(10*time.Millisecond, 100*time.Millisecond)
		if err != nil || d.Ticks != 10 {
			t.Fatalf("TimerPrecision: %v, %+v", err, d)
		}
	})
	t.Run("node", func(t *testing.T) {
		if _, err := exec.LookPath("node"); err != nil {
			t.Skip("node is not on PATH")
		}
		rows, err := RunNode(TinyConfig())
		if err != nil {
			t.Fatalf("RunNode: %v", err)
		}
		if len(rows.Values) == 0 {
			t.Fatal("RunNode returned no figures")
		}
	})
}
