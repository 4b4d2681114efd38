// Command compare runs the isobox benchmark workloads and, when node is on
// PATH, the same workloads on Node worker_threads, and prints one table of
// medians: metric | isobox | node | node/isobox.
//
//	go run ./bench/compare [flags]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/isobox/isobox/bench"
)

func main() {
	// This binary serves as the worker of the process-isolate workloads.
	bench.WorkerMain()
	cfg := bench.DefaultConfig()
	jsonFile := flag.String("json", "", "also write the table as JSON to `FILE`")
	noNode := flag.Bool("no-node", false, "skip the Node side even if node is on PATH")
	tiny := flag.Bool("tiny", false, "run every workload once at a tiny size (a smoke test)")
	sizes := flag.String("transfer-sizes", "", "comma-separated ArrayBuffer sizes in MB (default 1,64,256)")
	flag.IntVar(&cfg.Repeats, "repeats", cfg.Repeats, "runs per workload; each figure is the median over runs")
	flag.IntVar(&cfg.SpawnN, "spawn", cfg.SpawnN, "sequential isolate spawns per run")
	flag.IntVar(&cfg.NodeSpawnN, "node-spawn", cfg.NodeSpawnN, "sequential worker spawns per run (node)")
	flag.IntVar(&cfg.IdleN, "idle", cfg.IdleN, "idle isolates for the memory workload")
	flag.IntVar(&cfg.NodeIdleN, "node-idle", cfg.NodeIdleN, "idle workers for the memory workload (node)")
	flag.IntVar(&cfg.MaxIsolates, "max-isolates", 0, "opt-in: spawn idle isolates up to `N` while RSS stays under -max-rss-gib (try 200000)")
	maxRSS := flag.Float64("max-rss-gib", 8, "RSS ceiling for -max-isolates, GiB")
	flag.IntVar(&cfg.RoundTripN, "roundtrip", cfg.RoundTripN, "round trips per run")
	flag.IntVar(&cfg.ThroughputN, "throughput", cfg.ThroughputN, "messages per throughput run")
	flag.IntVar(&cfg.CloneN, "clone", cfg.CloneN, "clone round trips per run")
	flag.IntVar(&cfg.CloneBytes, "clone-bytes", cfg.CloneBytes, "size of the cloned object graph (JSON bytes)")
	flag.IntVar(&cfg.TransferN, "transfer", cfg.TransferN, "transfer round trips per size per run")
	flag.IntVar(&cfg.KillN, "kill", cfg.KillN, "kills per run")
	flag.IntVar(&cfg.CPUIters, "cpu-iters", cfg.CPUIters, "loop iterations of each CPU-bound isolate")
	flag.IntVar(&cfg.NodeCPUIters, "node-cpu-iters", cfg.NodeCPUIters, "loop iterations of each CPU-bound worker (node)")
	flag.IntVar(&cfg.CPUWorkers, "cpu-workers", 0, "isolates in the scaling run (0 = number of CPUs)")
	flag.IntVar(&cfg.TimerTotalMs, "timer-ms", cfg.TimerTotalMs, "how long setInterval(10) runs, ms")
	flag.IntVar(&cfg.JSSpawnN, "js-spawn", cfg.JSSpawnN, "sequential spawns timed from JS per run")
	flag.IntVar(&cfg.JSRoundTripN, "js-roundtrip", cfg.JSRoundTripN, "JS-to-JS round trips of each kind per run")
	flag.BoolVar(&cfg.TuneGC, "tune-gc", false, "run the isobox side under engine.TuneGC, the CLI's GC policy (GOGC 400, soft memory limit)")
	flag.StringVar(&cfg.Only, "only", "", "comma-separated workloads: spawn,idle,max,roundtrip,jsside,throughput,clone,transfer,kill,process,cpu,timer")
	flag.Parse()
	cfg.MaxRSSBytes = int64(*maxRSS * (1 << 30))
	if *tiny {
		t := bench.TinyConfig()
		t.Only, t.MaxIsolates = cfg.Only, cfg.MaxIsolates
		cfg = t
	}
	if *sizes != "" {
		cfg.TransferSizes = nil
		for _, s := range strings.Split(*sizes, ",") {
			mb, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				fail(fmt.Errorf("-transfer-sizes: %w", err))
			}
			cfg.TransferSizes = append(cfg.TransferSizes, int(mb*(1<<20)))
		}
	}

	start := time.Now()
	iso, err := bench.RunIsobox(cfg, os.Stderr)
	if err != nil {
		fail(err)
	}
	var node *bench.Figures
	if _, err := exec.LookPath("node"); err == nil && !*noNode {
		if node, err = bench.RunNode(cfg); err != nil {
			fail(err)
		}
	} else {
		fmt.Fprintln(os.Stderr, "node side skipped")
	}
	rows := bench.Table(iso, node, iso.Order())
	fmt.Print(bench.FormatTable(rows))
	fmt.Fprintf(os.Stderr, "total %.1fs\n", time.Since(start).Seconds())
	if *jsonFile != "" {
		b, err := json.MarshalIndent(struct {
			Config bench.Config `json:"config"`
			Rows   []bench.Row  `json:"rows"`
		}{cfg, rows}, "", "  ")
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(*jsonFile, append(b, '\n'), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}
