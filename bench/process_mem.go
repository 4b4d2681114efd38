package bench

import (
	"time"

	"github.com/isobox/isobox/engine"
)

// MemoryOvershoot is how far a process isolate's worker got past its
// memoryMb before it was stopped.
type MemoryOvershoot struct {
	LimitMb    int64
	BaselineMb float64 // the worker's RSS when the isolate was ready
	PeakMb     float64 // the worker's peak RSS (VmHWM) above the baseline
	Err        error   // how the isolate ended
}

// ProcessMemoryOvershoot runs grow (a function source that allocates without
// end, sending 1 to its argument port once started) in a worker with
// memoryMb = limitMb, and reads the worker's peak RSS from outside.
func ProcessMemoryOvershoot(grow string, limitMb int64) (MemoryOvershoot, error) {
	h := NewHost(16)
	defer shutdown(h)
	port := h.NewPort("ready")
	msg, err := engine.MessageFromGo(port.SendPort())
	if err != nil {
		return MemoryOvershoot{}, err
	}
	iso, err := h.Spawn(engine.FunctionSource(grow), engine.WithProcess(""), engine.WithMessage(msg),
		engine.WithLimits(engine.Limits{MemoryMb: limitMb}))
	if err != nil {
		return MemoryOvershoot{}, err
	}
	pid := iso.Pid()
	base := procRSS(pid)
	peak := base
	if _, err := recv(port, waitLong); err != nil {
		return MemoryOvershoot{}, err
	}
	for {
		select {
		case <-iso.Done():
			return MemoryOvershoot{LimitMb: limitMb, BaselineMb: float64(base) / (1 << 20),
				PeakMb: float64(peak-base) / (1 << 20), Err: iso.Err()}, nil
		case <-time.After(200 * time.Microsecond):
			if hwm := procStatus(pid, "VmHWM:"); hwm > peak {
				peak = hwm
			}
		}
	}
}
