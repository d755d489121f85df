//go:build !linux

package usage

import (
	"os"

	"github.com/shirou/gopsutil/v4/process"
)

// processHWM reports that no resettable high-water mark exists here.
func processHWM() (peakMeter, error) { return nil, errNoHWM }

// currentRSS returns the resident set size in bytes, or 0 when unknown.
func currentRSS() uint64 {
	p, err := process.NewProcess(int32(os.Getpid()))
	if err != nil {
		return 0
	}
	m, err := p.MemoryInfo()
	if err != nil {
		return 0
	}
	return m.RSS
}
