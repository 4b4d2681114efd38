package engine

import "syscall"

// workerSysProcAttr puts a worker in its own process group and has the
// kernel kill it when its parent dies (PR_SET_PDEATHSIG).
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup SIGKILLs the process group of a worker (its own, by Setpgid).
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
