//go:build !linux

package engine

import "syscall"

// workerSysProcAttr puts a worker in its own process group.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killGroup SIGKILLs the process group of a worker (its own, by Setpgid).
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

// setDataLimit is Linux-only (prlimit); elsewhere only the RSS watch holds.
func setDataLimit(pid int, bytes int64) {}
