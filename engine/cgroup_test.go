package engine

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOwnCgroup reads the cgroup v2 line of /proc/self/cgroup.
func TestOwnCgroup(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0::/user.slice/a.scope\n", "/r/user.slice/a.scope"},
		{"12:memory:/x\n0::/\n", "/r"},
		{"4:memory:/docker/abc\n1:cpu:/\n", ""}, // v1 only
		{"0::relative\n", ""},
		{"0::/a/../../etc\n", ""},
		{"", ""},
	} {
		if got := ownCgroup(strings.NewReader(c.in), "/r"); got != c.want {
			t.Errorf("ownCgroup(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestJoinCgroup checks what a worker's cgroup is given, on a directory
// that stands in for a delegated cgroup.
func TestJoinCgroup(t *testing.T) {
	parent := t.TempDir()
	if cgroupDelegated(parent) {
		t.Fatal("a directory without cgroup.subtree_control counts as delegated")
	}
	if err := os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("cpu memory pids\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !cgroupDelegated(parent) {
		t.Fatal("a subtree_control with memory is not delegated")
	}
	dir, err := joinCgroup(parent, 4242, 64)
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got, want := read("memory.max"), strconv.Itoa(64<<20+4<<20); got != want {
		t.Errorf("memory.max = %q, want %q", got, want)
	}
	if got := read("memory.swap.max"); got != "0" {
		t.Errorf("memory.swap.max = %q, want 0", got)
	}
	if got := read("cgroup.procs"); got != "4242" {
		t.Errorf("cgroup.procs = %q, want the worker's pid", got)
	}
	if !strings.HasPrefix(filepath.Base(dir), "isobox-"+strconv.Itoa(os.Getpid())+"-4242") {
		t.Errorf("cgroup name %q", dir)
	}
	if _, err := joinCgroup(parent, 4242, 64); err == nil {
		t.Error("a second cgroup of the same name was made")
	}
	if n := cgroupOOMKills(dir); n != 0 {
		t.Errorf("oom_kill %d before any event", n)
	}
	if err := os.WriteFile(filepath.Join(dir, "memory.events"), []byte("low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := cgroupOOMKills(dir); n != 1 {
		t.Errorf("oom_kill %d, want 1", n)
	}
	if got := cgroupMargin(1024); got != 64<<20 {
		t.Errorf("margin of 1 GB = %d", got)
	}
}

// TestWorkerCgroupSetting checks WithWorkerCgroup's "off" and explicit
// directory.
func TestWorkerCgroupSetting(t *testing.T) {
	if got := NewHost(WithWorkerCgroup("off")).workerCgroupParent(); got != "" {
		t.Errorf("off: %q", got)
	}
	if got := NewHost(WithWorkerCgroup("/some/dir")).workerCgroupParent(); got != "/some/dir" {
		t.Errorf("explicit: %q", got)
	}
}
