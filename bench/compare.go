package bench

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/isobox/isobox/engine"
)

//go:embed node/workloads.js
var nodeScript []byte

// Config sizes the compare run. Every workload runs Repeats times and each
// reported figure is the median of the per-run figures.
type Config struct {
	Repeats       int    `json:"repeats"`
	SpawnN        int    `json:"spawnN"`        // sequential spawns per run (isobox)
	NodeSpawnN    int    `json:"nodeSpawnN"`    // sequential workers per run (node)
	IdleN         int    `json:"idleN"`         // idle isolates (isobox)
	NodeIdleN     int    `json:"nodeIdleN"`     // idle workers (node)
	MaxIsolates   int    `json:"maxIsolates"`   // opt-in: spawn up to this many under MaxRSSBytes; 0 = skip
	MaxRSSBytes   int64  `json:"maxRSSBytes"`   // RSS ceiling of the MaxIsolates workload
	RoundTripN    int    `json:"roundTripN"`    // round trips per run
	ThroughputN   int    `json:"throughputN"`   // messages per run
	CloneN        int    `json:"cloneN"`        // 1 MB clone round trips per run
	CloneBytes    int    `json:"cloneBytes"`    // graph size (JSON length)
	TransferN     int    `json:"transferN"`     // transfer round trips per size per run
	TransferSizes []int  `json:"transferSizes"` // ArrayBuffer sizes in bytes
	KillN         int    `json:"killN"`         // kills per run
	CPUIters      int    `json:"cpuIters"`      // loop iterations per CPU-bound isolate
	NodeCPUIters  int    `json:"nodeCpuIters"`  // the same for node (V8's JIT is far faster than goja)
	CPUWorkers    int    `json:"cpuWorkers"`    // N for the scaling run; 0 = NumCPU
	TimerMs       int    `json:"timerMs"`       // setInterval period
	TimerTotalMs  int    `json:"timerTotalMs"`  // how long the interval runs
	ProcessN      int    `json:"processN"`      // process-isolate spawns, round trips/100 and kills per run
	JSSpawnN      int    `json:"jsSpawnN"`      // sequential spawns timed from JS per run
	JSRoundTripN  int    `json:"jsRoundTripN"`  // JS-to-JS round trips of each kind per run
	TuneGC        bool   `json:"tuneGC"`        // apply engine.TuneGC (the CLI's GC policy) for the isobox run
	Only          string `json:"only"`          // comma-separated workload names; "" = all
}

// DefaultConfig is the compare command's default: a full run takes about
// two minutes on a 2-core machine.
func DefaultConfig() Config {
	return Config{
		Repeats: 5, SpawnN: 200, NodeSpawnN: 20, IdleN: 10_000, NodeIdleN: 20,
		MaxRSSBytes: 8 << 30, RoundTripN: 10_000, ThroughputN: 1_000_000,
		CloneN: 20, CloneBytes: 1 << 20, TransferN: 20,
		TransferSizes: []int{1 << 20, 64 << 20, 256 << 20},
		KillN:         20, CPUIters: 20_000_000, TimerMs: 10, TimerTotalMs: 2000, ProcessN: 20,
		JSSpawnN: 2000, JSRoundTripN: 20_000,
	}
}

// TinyConfig runs every workload once at a size small enough for a test.
func TinyConfig() Config {
	return Config{
		Repeats: 1, SpawnN: 3, NodeSpawnN: 2, IdleN: 20, NodeIdleN: 2,
		MaxRSSBytes: 8 << 30, RoundTripN: 5, ThroughputN: 1000,
		CloneN: 2, CloneBytes: 10_000, TransferN: 2, TransferSizes: []int{1 << 16},
		KillN: 2, CPUIters: 10_000, NodeCPUIters: 10_000, CPUWorkers: 2, TimerMs: 10, TimerTotalMs: 100, ProcessN: 2,
		JSSpawnN: 3, JSRoundTripN: 5,
	}
}

func (c Config) wants(name string) bool {
	if c.Only == "" {
		return true
	}
	for _, w := range strings.Split(c.Only, ",") {
		if strings.TrimSpace(w) == name {
			return true
		}
	}
	return false
}

// Figures maps a metric name to its value in each repeated run, and
// remembers the order in which metrics were first added.
type Figures struct {
	Values map[string][]float64 // metric name → one value per run
	order  []string
}

// Order returns the metric names in the order they were first added.
func (f *Figures) Order() []string { return f.order }

func (f *Figures) add(metric string, v float64) {
	if f.Values == nil {
		f.Values = map[string][]float64{}
	}
	if _, ok := f.Values[metric]; !ok {
		f.order = append(f.order, metric)
	}
	f.Values[metric] = append(f.Values[metric], v)
}

func (f *Figures) addLatency(prefix string, ds []time.Duration) {
	f.add(prefix+" p50 (µs)", micros(Percentile(ds, 50)))
	f.add(prefix+" p99 (µs)", micros(Percentile(ds, 99)))
}

// sizeName names a byte size as "1 MB", "64 MB" or "64 KB".
func sizeName(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// RunIsobox runs the isobox side of every wanted workload cfg.Repeats
// times. progress, if not nil, gets a line per workload run.
func RunIsobox(cfg Config, progress io.Writer) (*Figures, error) {
	f := &Figures{}
	say := func(format string, a ...any) {
		if progress != nil {
			fmt.Fprintf(progress, format+"\n", a...)
		}
	}
	if cfg.TuneGC {
		defer engine.TuneGC(0)()
	}
	for r := 0; r < cfg.Repeats; r++ {
		say("isobox run %d/%d", r+1, cfg.Repeats)
		if cfg.wants("spawn") {
			ds, err := SpawnFirstMessage(cfg.SpawnN)
			if err != nil {
				return nil, fmt.Errorf("spawn: %w", err)
			}
			f.addLatency("spawn → first message", ds)
		}
		if cfg.wants("idle") {
			m, err := IdleIsolates(cfg.IdleN)
			if err != nil {
				return nil, fmt.Errorf("idle: %w", err)
			}
			f.add("idle isolate: Go heap (bytes)", m.HeapPerIsolate)
			f.add("idle isolate: RSS (bytes)", m.RSSPerIsolate)
		}
		if cfg.wants("roundtrip") {
			for _, c := range []struct {
				name string
				v    any
			}{{"number", 42}, {"object", SmallObject()}} {
				ds, err := RoundTrip(cfg.RoundTripN, c.v)
				if err != nil {
					return nil, fmt.Errorf("roundtrip: %w", err)
				}
				f.addLatency("round trip "+c.name, ds)
			}
		}
		if cfg.wants("jsside") {
			j, err := JSSideRun(cfg.JSSpawnN, cfg.JSRoundTripN)
			if err != nil {
				return nil, fmt.Errorf("jsside: %w", err)
			}
			f.add("from JS: spawn → first message, mean (µs)", j.Spawn)
			f.add("from JS: round trip number JS ↔ JS, mean (µs)", j.Number)
			f.add("from JS: round trip object JS ↔ JS, mean (µs)", j.Object)
		}
		if cfg.wants("throughput") {
			v, err := Throughput(cfg.ThroughputN)
			if err != nil {
				return nil, fmt.Errorf("throughput: %w", err)
			}
			f.add("throughput one-way (msgs/s)", v)
		}
		if cfg.wants("clone") {
			c, err := Clone(cfg.CloneN, cfg.CloneBytes)
			if err != nil {
				return nil, fmt.Errorf("clone: %w", err)
			}
			name := sizeName(cfg.CloneBytes)
			f.addLatency("clone "+name+" graph round trip", c.RoundTrip)
			f.addLatency("JSON.stringify+parse "+name+" graph", c.JSON)
		}
		if cfg.wants("transfer") {
			for _, size := range cfg.TransferSizes {
				c, err := Transfer(cfg.TransferN, size)
				if err != nil {
					return nil, fmt.Errorf("transfer %d: %w", size, err)
				}
				f.addLatency("transfer "+sizeName(size)+" ArrayBuffer round trip", c.RoundTrip)
				runtime.GC()
			}
		}
		if cfg.wants("kill") {
			ds, err := KillLatency(cfg.KillN)
			if err != nil {
				return nil, fmt.Errorf("kill: %w", err)
			}
			f.addLatency("kill busy isolate → exit seen", ds)
		}
		if cfg.wants("process") {
			if err := runProcess(cfg, f); err != nil {
				return nil, fmt.Errorf("process: %w", err)
			}
		}
		if cfg.wants("cpu") {
			s, err := CPUScaling(cfg.CPUWorkers, cfg.CPUIters)
			if err != nil {
				return nil, fmt.Errorf("cpu: %w", err)
			}
			f.add(fmt.Sprintf("CPU speed-up, %d isolates vs 1 (×)", cpuWorkers(cfg)), s)
		}
		if cfg.wants("timer") {
			d, err := TimerPrecision(time.Duration(cfg.TimerMs)*time.Millisecond, time.Duration(cfg.TimerTotalMs)*time.Millisecond)
			if err != nil {
				return nil, fmt.Errorf("timer: %w", err)
			}
			addTimer(f, cfg, d)
		}
	}
	if cfg.MaxIsolates > 0 && cfg.wants("max") {
		say("isobox max isolates (up to %d, RSS under %d MiB)", cfg.MaxIsolates, cfg.MaxRSSBytes>>20)
		live, rss, err := MaxIsolates(cfg.MaxRSSBytes, cfg.MaxIsolates)
		if err != nil {
			say("max isolates stopped by: %v", err)
		}
		f.add(fmt.Sprintf("live idle isolates reached (RSS cap %d GiB)", cfg.MaxRSSBytes>>30), float64(live))
		f.add("RSS at that count (MiB)", float64(rss)/(1<<20))
	}
	return f, nil
}

func cpuWorkers(cfg Config) int {
	if cfg.CPUWorkers > 0 {
		return cfg.CPUWorkers
	}
	return runtime.NumCPU()
}

func addTimer(f *Figures, cfg Config, d TimerDrift) {
	p := fmt.Sprintf("setInterval(%d) over %g s", cfg.TimerMs, float64(cfg.TimerTotalMs)/1000)
	f.add(p+": final drift (ms)", d.FinalDriftMs)
	f.add(p+": mean jitter (ms)", d.MeanJitterMs)
	f.add(p+": max jitter (ms)", d.MaxJitterMs)
}

// RunNode runs bench/node/workloads.js (embedded) with node and returns its
// figures, named as RunIsobox names them.
func RunNode(cfg Config) (*Figures, error) {
	dir, err := os.MkdirTemp("", "isobox-bench-node")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "workloads.js")
	if err := os.WriteFile(script, nodeScript, 0o644); err != nil {
		return nil, err
	}
	ncfg := cfg
	ncfg.CPUWorkers = cpuWorkers(cfg)
	arg, err := json.Marshal(ncfg)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("node", script, string(arg))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	f := &Figures{}
	if err := json.Unmarshal(out, &f.Values); err != nil {
		return nil, fmt.Errorf("node output: %w: %.200s", err, out)
	}
	return f, nil
}

// Row is one line of the comparison table. A nil value is "not measured".
type Row struct {
	Metric     string   `json:"metric"`
	Isobox     *float64 `json:"isobox"`
	Node       *float64 `json:"node"`
	NodeIsobox *float64 `json:"node_over_isobox"`
}

// Table merges the two sides' figures into rows (medians), in the order
// RunIsobox produced its metrics, then any metric only Node has.
func Table(iso, node *Figures, order []string) []Row {
	med := func(f *Figures, k string) *float64 {
		if f == nil {
			return nil
		}
		xs, ok := f.Values[k]
		if !ok || len(xs) == 0 {
			return nil
		}
		v := Median(append([]float64(nil), xs...))
		return &v
	}
	var rows []Row
	seen := map[string]bool{}
	add := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		r := Row{Metric: k, Isobox: med(iso, k), Node: med(node, k)}
		if r.Isobox != nil && r.Node != nil && *r.Isobox != 0 {
			q := *r.Node / *r.Isobox
			r.NodeIsobox = &q
		}
		rows = append(rows, r)
	}
	for _, k := range order {
		add(k)
	}
	for _, k := range sortedKeys(iso) {
		add(k)
	}
	for _, k := range sortedKeys(node) {
		add(k)
	}
	return rows
}

func sortedKeys(f *Figures) []string {
	if f == nil {
		return nil
	}
	ks := make([]string, 0, len(f.Values))
	for k := range f.Values {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

// FormatTable renders rows as a Markdown table.
func FormatTable(rows []Row) string {
	var b strings.Builder
	b.WriteString("| metric | isobox | node | node/isobox |\n| --- | ---: | ---: | ---: |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.Metric, num(r.Isobox), num(r.Node), ratio(r.NodeIsobox))
	}
	return b.String()
}

func num(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	v := *p
	switch a := math.Abs(v); {
	case a >= 1e6:
		return fmt.Sprintf("%.3g M", v/1e6)
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func ratio(p *float64) string {
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
		return "—"
	}
	if math.Abs(*p) >= 100 {
		return fmt.Sprintf("%.0f×", *p)
	}
	return fmt.Sprintf("%.2f×", *p)
}

// runProcess adds the process-isolate rows: spawn with and without a pool,
// round trips, one-way throughput into a worker, kill and idle memory.
func runProcess(cfg Config, f *Figures) error {
	n := max(cfg.ProcessN, 1)
	ds, err := ProcessSpawnFirstMessage(n, 0)
	if err != nil {
		return err
	}
	f.addLatency("process spawn → first message, no pool", ds)
	if ds, err = ProcessSpawnFirstMessage(n, 2); err != nil {
		return err
	}
	f.addLatency("process spawn → first message, pool of 2", ds)
	for _, c := range []struct {
		name string
		v    any
	}{{"number", 42}, {"object", SmallObject()}} {
		ds, err := ProcessRoundTrip(100*n, c.v)
		if err != nil {
			return err
		}
		f.addLatency("process round trip "+c.name, ds)
	}
	v, err := ProcessThroughput(max(cfg.ThroughputN/5, 1000))
	if err != nil {
		return err
	}
	f.add("process throughput one-way (msgs/s)", v)
	if ds, err = ProcessKillLatency(n); err != nil {
		return err
	}
	f.addLatency("process kill busy isolate → exit seen", ds)
	m, err := ProcessIdleMemory(min(n, 5), 10*n)
	if err != nil {
		return err
	}
	f.add("process worker with one idle isolate: RSS (bytes)", m.WorkerRSS)
	f.add("idle isolate in a shared worker: RSS (bytes)", m.GroupIsolateRSS)
	o, err := ProcessMemoryOvershoot(growSrc, 64)
	if err != nil {
		return err
	}
	var le *engine.LimitError
	if !errors.As(o.Err, &le) || le.Limit != "memoryMb" {
		return fmt.Errorf("memory overshoot: the grower ended with %v", o.Err)
	}
	f.add("process memoryMb 64: worker baseline RSS (MB)", o.BaselineMb)
	f.add("process memoryMb 64: peak RSS above baseline (MB)", o.PeakMb)
	return nil
}

// growSrc allocates small objects without end once it has said it started.
const growSrc = `(p) => { p.send(1); const keep = []; setInterval(() => { for (let i = 0; i < 1e5; i++) keep.push({i, s: "x" + i}); }, 1); }`
