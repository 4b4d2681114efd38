package engine

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// workerSysProcAttr puts a worker in its own process group and has the
// kernel kill it when its parent dies (PR_SET_PDEATHSIG).
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup SIGKILLs the process group of a worker (its own, by Setpgid).
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

// setDataLimit sets RLIMIT_DATA (data mappings) of process pid (0: this
// one) to bytes.
func setDataLimit(pid int, bytes int64) {
	if bytes > 0 {
		lim := unix.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
		_ = unix.Prlimit(pid, unix.RLIMIT_DATA, &lim, nil)
	}
}
