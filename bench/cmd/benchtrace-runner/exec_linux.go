package main

import (
	"os"
	"syscall"
	"unsafe"
)

// usageOf returns what wait4 said of the command: its CPU time and that of
// the children it waited for, and ru_maxrss, the peak RSS of the largest
// process of its tree (Linux reports it in KiB). ru_maxrss is never below
// the RSS exec had when it started the command: the kernel starts the
// child's mark from its parent's.
func usageOf(ps *os.ProcessState) childUsage {
	u := childUsage{user: ps.UserTime(), system: ps.SystemTime()}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > 0 {
		u.peakRSS, u.hasPeak = uint64(ru.Maxrss)<<10, true
	}
	return u
}

// exitCode returns the command's exit status, 128+N when signal N killed
// it (as a shell reports it), and that signal.
func exitCode(ps *os.ProcessState) (int, syscall.Signal) {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), ws.Signal()
	}
	return ps.ExitCode(), 0
}

// terminalForeground reports whether exec's process group is the
// foreground group of the terminal on its stdin, stdout or stderr: a
// SIGINT typed there reaches the command without exec's help.
func terminalForeground() bool {
	for _, fd := range []uintptr{0, 1, 2} {
		var pgrp int32
		_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp)))
		if errno == 0 {
			return int(pgrp) == syscall.Getpgrp()
		}
	}
	return false
}

// sigName is the conventional name of sig: SIGINT, SIGKILL.
func sigName(sig syscall.Signal) string {
	if name := signalNames[sig]; name != "" {
		return name
	}
	return sig.String()
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM",
	syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
}
