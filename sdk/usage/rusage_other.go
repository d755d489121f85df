//go:build !unix

package usage

import (
	"os"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// selfCPU returns the process's own CPU time, or zero when unknown.
func selfCPU() cpuTimes {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		return cpuTimes{}
	}
	t, err := p.Times()
	if err != nil {
		return cpuTimes{}
	}
	return cpuTimes{user: time.Duration(t.User * float64(time.Second)), system: time.Duration(t.System * float64(time.Second))}
}

// children are not measured on this system: zero.
func children() childStats { return childStats{} }
