//go:build unix

package usage

import (
	"syscall"
	"time"
)

func getrusage(who int) syscall.Rusage {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru) // cannot fail for these arguments
	return ru
}

func cpuOf(ru syscall.Rusage) cpuTimes {
	return cpuTimes{user: time.Duration(ru.Utime.Nano()), system: time.Duration(ru.Stime.Nano())}
}

// selfCPU returns the process's own CPU time, all threads.
func selfCPU() cpuTimes { return cpuOf(getrusage(syscall.RUSAGE_SELF)) }

// children returns the CPU time of the child processes that have ended and
// been waited for, and the peak RSS of the largest of them, in bytes
// (ru_maxrss of RUSAGE_CHILDREN, which Linux reports in KiB).
func children() childStats {
	ru := getrusage(syscall.RUSAGE_CHILDREN)
	return childStats{cpu: cpuOf(ru), maxRSS: uint64(max(ru.Maxrss, 0)) << 10}
}
