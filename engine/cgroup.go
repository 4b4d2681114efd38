package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kernel memory limits for worker processes through cgroup v2.
//
// When the host has a delegated cgroup v2 directory (WithWorkerCgroup, or
// found by itself: its own cgroup when that one already enables the memory
// controller for its children), a worker with a memory limit gets a child
// cgroup there, "isobox-<host pid>-<worker pid>", with memory.max set to the
// limit plus a margin (the worker's idle memory stays charged where it was
// allocated: charges do not move with a process) and memory.swap.max 0, and
// the worker is moved into it before its first limited isolate runs. A
// breach is then the kernel's OOM killer inside that cgroup, which
// memory.events counts (oom_kill); the isolate dies with ResourceLimitError
// limit "memoryMb". The cgroup is removed when the worker has exited. The
// RSS watch and RLIMIT_DATA (limitMemory) stay on either way; without a
// delegated cgroup they are the whole limit.

// WithWorkerCgroup names a cgroup v2 directory delegated to this host: it
// must be writable, and its cgroup.subtree_control must enable the memory
// controller (its children get memory.max). "" (the default) lets the host
// look for one itself; "off" never uses cgroups. Set before NewHost returns.
func WithWorkerCgroup(dir string) HostOption {
	return func(h *Host) { h.cgroupDir, h.cgroupSet = dir, true }
}

// cgroupRoot is where the cgroup v2 hierarchy is mounted.
const cgroupRoot = "/sys/fs/cgroup"

var (
	cgroupOnce sync.Once
	cgroupAuto string // the delegated directory found by itself, or ""
)

// workerCgroupParent returns the directory worker cgroups are made in, or
// "" when there is none.
func (h *Host) workerCgroupParent() string {
	if h.cgroupSet {
		if h.cgroupDir == "off" {
			return ""
		}
		if h.cgroupDir != "" {
			return h.cgroupDir
		}
	}
	cgroupOnce.Do(func() {
		f, err := os.Open("/proc/self/cgroup")
		if err != nil {
			return
		}
		defer f.Close()
		if dir := ownCgroup(f, cgroupRoot); dir != "" && cgroupDelegated(dir) {
			cgroupAuto = dir
		}
	})
	return cgroupAuto
}

// ownCgroup reads the cgroup v2 entry ("0::/path") of /proc/self/cgroup and
// returns its directory under root, or "".
func ownCgroup(r io.Reader, root string) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok && strings.HasPrefix(p, "/") && !strings.Contains(p, "..") {
			return filepath.Join(root, p)
		}
	}
	return ""
}

// cgroupDelegated reports whether dir is a cgroup v2 directory whose
// children get the memory controller.
func cgroupDelegated(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return false
	}
	for _, c := range strings.Fields(string(b)) {
		if c == "memory" {
			return true
		}
	}
	return false
}

// cgroupMargin is what memory.max allows past the limit: the Go runtime's
// own growth while an isolate runs (heap metadata, stacks, the scavenger's
// lag), so that the RSS watch, which counts from the idle baseline, is what
// normally stops a grower and the kernel only catches what it cannot see
// (one huge step between two samples).
func cgroupMargin(mb int64) int64 { return max(mb<<20/16, 4<<20) }

// joinCgroup makes the worker's cgroup under parent with memory.max for mb
// MB and moves pid into it; it returns the cgroup's directory.
func joinCgroup(parent string, pid int, mb int64) (string, error) {
	dir := filepath.Join(parent, fmt.Sprintf("isobox-%d-%d", os.Getpid(), pid))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	write := func(name, v string) error {
		return os.WriteFile(filepath.Join(dir, name), []byte(v), 0o644)
	}
	err := write("memory.max", strconv.FormatInt(mb<<20+cgroupMargin(mb), 10))
	if err == nil {
		_ = write("memory.swap.max", "0") // absent without swap accounting
		err = write("cgroup.procs", strconv.Itoa(pid))
	}
	if err != nil {
		removeCgroup(dir)
		return "", err
	}
	return dir, nil
}

// cgroupOOMKills reads memory.events' oom_kill count of a worker's cgroup.
func cgroupOOMKills(dir string) int64 {
	b, err := os.ReadFile(filepath.Join(dir, "memory.events"))
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("oom_kill ")); ok {
			n, _ := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			return n
		}
	}
	return 0
}

// removeCgroup removes a worker's cgroup once its processes are gone (the
// kernel may take a moment after the worker's exit).
func removeCgroup(dir string) {
	for i := 0; i < 50; i++ {
		err := os.Remove(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
