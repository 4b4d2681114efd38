// Package confine installs the seccomp filter of an isobox worker process.
// It is one of two packages allowed to import unsafe (for the system call's
// pointer argument only; internal/gojax is the other, for goja's layout).
//
// Public surface: Apply and Supported. Apply is called once, by the
// goroutine running the worker's main, before it serves its channel.
package confine

import (
	"fmt"
	"syscall"
	"unsafe"
)

// The seccomp filter every worker process installs on itself (unless the
// host turned confinement off) before it serves its channel. A worker needs
// no sockets, no new processes or programs, and no writes to the file
// system: its only channel is the inherited descriptor, and its isolates
// read files (Isolate.spawnFile) but never write them. Each denied system
// call fails with EPERM, which scripts see as an ordinary error; a system
// call of another ABI (x32, i386) kills the process.

const (
	auditArchX8664 = 0xC000003E
	x32SyscallBit  = 0x40000000

	seccompSetModeFilter   = 1
	seccompFilterFlagTsync = 1
	seccompRetKillProcess  = 0x80000000
	seccompRetErrno        = 0x00050000
	seccompRetAllow        = 0x7fff0000

	cloneThread = 0x00010000

	bpfLd   = 0x00
	bpfW    = 0x00
	bpfAbs  = 0x20
	bpfJmp  = 0x05
	bpfJeq  = 0x10
	bpfJge  = 0x30
	bpfJset = 0x40
	bpfK    = 0x00
	bpfRet  = 0x06
)

// deniedSyscalls fail with EPERM in a confined worker.
var deniedSyscalls = []uint32{
	// networking
	syscall.SYS_SOCKET, syscall.SYS_SOCKETPAIR, syscall.SYS_CONNECT, syscall.SYS_BIND, syscall.SYS_LISTEN,
	syscall.SYS_ACCEPT, syscall.SYS_ACCEPT4, syscall.SYS_SENDTO, syscall.SYS_SENDMSG,
	// new programs and processes (threads are clone with CLONE_THREAD, below)
	syscall.SYS_EXECVE, 322 /* execveat */, syscall.SYS_FORK, syscall.SYS_VFORK,
	// changing the file system
	syscall.SYS_CREAT, syscall.SYS_MKDIR, syscall.SYS_MKDIRAT, syscall.SYS_MKNOD, syscall.SYS_MKNODAT,
	syscall.SYS_UNLINK, syscall.SYS_UNLINKAT, syscall.SYS_RMDIR, syscall.SYS_RENAME, syscall.SYS_RENAMEAT, 316, /* renameat2 */
	syscall.SYS_LINK, syscall.SYS_LINKAT, syscall.SYS_SYMLINK, syscall.SYS_SYMLINKAT,
	syscall.SYS_CHMOD, syscall.SYS_FCHMOD, syscall.SYS_FCHMODAT, syscall.SYS_CHOWN, syscall.SYS_FCHOWN,
	syscall.SYS_LCHOWN, syscall.SYS_FCHOWNAT, syscall.SYS_TRUNCATE, syscall.SYS_UTIMES, syscall.SYS_UTIMENSAT,
	syscall.SYS_SETXATTR, syscall.SYS_LSETXATTR, syscall.SYS_FSETXATTR,
	// reaching other processes and the kernel
	syscall.SYS_PTRACE, 310 /* process_vm_readv */, 311 /* process_vm_writev */, syscall.SYS_MOUNT,
	syscall.SYS_UMOUNT2, syscall.SYS_PIVOT_ROOT, syscall.SYS_CHROOT, 308 /* setns */, syscall.SYS_UNSHARE,
	321 /* bpf */, 298 /* perf_event_open */, 250 /* keyctl */, 248 /* add_key */, 249, /* request_key */
	syscall.SYS_INIT_MODULE, 313 /* finit_module */, syscall.SYS_DELETE_MODULE, syscall.SYS_REBOOT,
	syscall.SYS_KEXEC_LOAD, syscall.SYS_SWAPON, syscall.SYS_SWAPOFF, syscall.SYS_ACCT,
	syscall.SYS_SETTIMEOFDAY, syscall.SYS_CLOCK_SETTIME, syscall.SYS_SETHOSTNAME, syscall.SYS_SETDOMAINNAME,
	syscall.SYS_IOPL, syscall.SYS_IOPERM, 323 /* userfaultfd */, 425, 426, 427, /* io_uring */
}

// openWriteFlags are the open flags that write or create.
const openWriteFlags = syscall.O_WRONLY | syscall.O_RDWR | syscall.O_CREAT | syscall.O_TRUNC | syscall.O_APPEND

type sockFilter struct {
	code uint16
	jt   uint8
	jf   uint8
	k    uint32
}

type sockFprog struct {
	len    uint16
	filter *sockFilter
}

func stmt(code uint16, k uint32) sockFilter { return sockFilter{code: code, k: k} }
func jump(code uint16, k uint32, jt, jf uint8) sockFilter {
	return sockFilter{code: code, jt: jt, jf: jf, k: k}
}

// seccompProgram builds the filter. Offsets into struct seccomp_data: nr 0,
// arch 4, args[i] 16+8i (the low 32 bits, little endian).
func seccompProgram() []sockFilter {
	eperm := seccompRetErrno | uint32(syscall.EPERM)
	p := []sockFilter{
		stmt(bpfLd|bpfW|bpfAbs, 4),
		jump(bpfJmp|bpfJeq|bpfK, auditArchX8664, 1, 0),
		stmt(bpfRet|bpfK, seccompRetKillProcess),
		stmt(bpfLd|bpfW|bpfAbs, 0),
		jump(bpfJmp|bpfJge|bpfK, x32SyscallBit, 0, 1),
		stmt(bpfRet|bpfK, seccompRetKillProcess),
	}
	for _, nr := range deniedSyscalls {
		p = append(p, jump(bpfJmp|bpfJeq|bpfK, nr, 0, 1), stmt(bpfRet|bpfK, eperm))
	}
	// clone3 cannot be filtered by its flags (they are behind a pointer):
	// it fails with ENOSYS, which makes glibc's pthread_create fall back
	// to clone, filtered below. (EPERM made pthread_create fail, and a cgo
	// runtime that needed one more thread, as esbuild's parallel parser
	// does, aborted.)
	p = append(p,
		jump(bpfJmp|bpfJeq|bpfK, 435 /* clone3 */, 0, 1),
		stmt(bpfRet|bpfK, seccompRetErrno|uint32(syscall.ENOSYS)),
	)
	// clone: threads only.
	p = append(p,
		jump(bpfJmp|bpfJeq|bpfK, syscall.SYS_CLONE, 0, 4),
		stmt(bpfLd|bpfW|bpfAbs, 16),
		jump(bpfJmp|bpfJset|bpfK, cloneThread, 0, 1),
		stmt(bpfRet|bpfK, seccompRetAllow),
		stmt(bpfRet|bpfK, eperm),
	)
	// open(path, flags) and openat(dir, path, flags): reading only.
	for _, o := range []struct{ nr, off uint32 }{{syscall.SYS_OPEN, 24}, {syscall.SYS_OPENAT, 32}} {
		p = append(p,
			stmt(bpfLd|bpfW|bpfAbs, 0),
			jump(bpfJmp|bpfJeq|bpfK, o.nr, 0, 4),
			stmt(bpfLd|bpfW|bpfAbs, o.off),
			jump(bpfJmp|bpfJset|bpfK, openWriteFlags, 0, 1),
			stmt(bpfRet|bpfK, eperm),
			stmt(bpfRet|bpfK, seccompRetAllow),
		)
	}
	return append(p, stmt(bpfRet|bpfK, seccompRetAllow))
}

// Apply installs the filter on every thread of the process. It cannot be
// undone.
func Apply() error {
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, 38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0, 0); e != 0 {
		return fmt.Errorf("no_new_privs: %w", e)
	}
	prog := seccompProgram()
	fp := sockFprog{len: uint16(len(prog)), filter: &prog[0]}
	if _, _, e := syscall.RawSyscall(317 /* seccomp */, seccompSetModeFilter, seccompFilterFlagTsync, uintptr(unsafe.Pointer(&fp))); e != 0 {
		return fmt.Errorf("seccomp: %w", e)
	}
	return nil
}

// Supported reports whether Apply can work on this platform.
const Supported = true
