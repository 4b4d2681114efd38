package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/isobox/isobox/engine"
)

// Process-isolate workloads: the same measurements as the in-process ones,
// for isolates in worker processes (engine.WithProcess). The binary running
// them must call engine.WorkerMain first (the compare command and the
// package's TestMain do), since it serves as the worker.

// ProcessSpawnFirstMessage is SpawnFirstMessage for process isolates, with
// pool workers started ahead (0: each spawn starts its process). Between
// spawns it waits, untimed, long enough for the pool to refill.
func ProcessSpawnFirstMessage(n, pool int) ([]time.Duration, error) {
	h := NewHost(16, engine.WithWorkerPool(pool))
	defer shutdown(h)
	pause := time.Duration(0)
	if pool > 0 {
		pause = 40 * time.Millisecond
		time.Sleep(200 * time.Millisecond) // let the first pool start
	}
	return spawnFirstMessage(h, n, pause, engine.WithProcess(""))
}

// ProcessRoundTrip is RoundTrip to an echo isolate in a worker process.
func ProcessRoundTrip(n int, v any) ([]time.Duration, error) {
	h := NewHost(16)
	defer shutdown(h)
	return roundTrip(h, n, v, engine.WithProcess(""))
}

// ProcessThroughput is Throughput from an in-process sender to a receiver
// in a worker process: every message crosses the channel.
func ProcessThroughput(n int) (float64, error) {
	h := NewHost(16)
	defer shutdown(h)
	return throughput(h, n, []engine.SpawnOption{engine.WithProcess("")}, nil)
}

// ProcessKillLatency is KillLatency for busy isolates in worker processes.
func ProcessKillLatency(n int) ([]time.Duration, error) {
	h := NewHost(16)
	defer shutdown(h)
	return killLatency(h, n, engine.WithProcess(""))
}

// ProcessIdle is the memory of idle process isolates.
type ProcessIdle struct {
	WorkerRSS       float64 // RSS of one worker process holding one idle isolate, bytes
	GroupIsolateRSS float64 // RSS growth per idle isolate inside one shared worker, bytes
	WorkersMeasured int
	IsolatesInGroup int
}

// ProcessIdleMemory spawns workers idle isolates, each in its own worker,
// and groupN idle isolates in one shared worker, and reads their RSS.
func ProcessIdleMemory(workers, groupN int) (ProcessIdle, error) {
	h := NewHost(workers + groupN + 16)
	defer shutdown(h)
	port := h.NewPort("ready")
	msg, err := engine.MessageFromGo(port.SendPort())
	if err != nil {
		return ProcessIdle{}, err
	}
	var total int64
	for i := 0; i < workers; i++ {
		iso, err := h.Spawn(idleSrc, engine.WithMessage(msg), engine.WithProcess(""))
		if err != nil {
			return ProcessIdle{}, err
		}
		if _, err := recv(port, waitLong); err != nil {
			return ProcessIdle{}, err
		}
		total += procRSS(iso.Pid())
	}
	res := ProcessIdle{WorkerRSS: float64(total) / float64(max(workers, 1)), WorkersMeasured: workers, IsolatesInGroup: groupN}
	if groupN > 0 {
		first, err := h.Spawn(idleSrc, engine.WithMessage(msg), engine.WithProcess("idle-group"))
		if err != nil {
			return res, err
		}
		if _, err := recv(port, waitLong); err != nil {
			return res, err
		}
		before := procRSS(first.Pid())
		for i := 1; i < groupN; i++ {
			if _, err := h.Spawn(idleSrc, engine.WithMessage(msg), engine.WithProcess("idle-group")); err != nil {
				return res, err
			}
			if _, err := recv(port, waitLong); err != nil {
				return res, err
			}
		}
		time.Sleep(100 * time.Millisecond)
		res.GroupIsolateRSS = float64(procRSS(first.Pid())-before) / float64(max(groupN-1, 1))
	}
	return res, nil
}

// procRSS reads a process's RSS in bytes from /proc (0 if unknown).
func procRSS(pid int) int64 { return procStatus(pid, "VmRSS:") }

// procStatus reads a size field (in kB) of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, field)), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}
