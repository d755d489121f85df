package usage

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"
	"unsafe"
)

// hwm measures exact peaks with the kernel's RSS high-water mark. There is
// one per process (processHWM), since the mark is process-wide.
type hwm struct {
	mu   sync.Mutex
	open openSet

	clearRefs *os.File // /proc/self/clear_refs, kept open: a reset is one write
	status    *os.File // /proc/self/status, for VmHWM below the floor
	clearFD   int
	statusFD  int
	// floorKB is the largest value of ru_maxrss that may be the pre-exec
	// floor rather than the mark: readings at or below it are checked
	// against VmHWM.
	floorKB int64
	buf     [4096]byte // guarded by mu
}

var (
	procOnce sync.Once
	procHWM  *hwm
	procErr  error
)

// processHWM returns the process's high-water-mark meter, or an error when
// the mark cannot be reset here.
func processHWM() (peakMeter, error) {
	procOnce.Do(func() { procHWM, procErr = openHWM() })
	if procErr != nil {
		return nil, procErr
	}
	return procHWM, nil
}

func openHWM() (*hwm, error) {
	cr, err := os.OpenFile("/proc/self/clear_refs", os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoHWM, err)
	}
	st, err := os.Open("/proc/self/status")
	if err != nil {
		cr.Close()
		return nil, fmt.Errorf("%w: %w", errNoHWM, err)
	}
	h := &hwm{clearRefs: cr, status: st, clearFD: int(cr.Fd()), statusFD: int(st.Fd())}
	if err := h.reset(); err != nil {
		cr.Close()
		st.Close()
		return nil, fmt.Errorf("%w: resetting it: %w", errNoHWM, err)
	}
	// Just after a reset the mark is the current RSS, so ru_maxrss is the
	// larger of the floor and the current RSS: an upper bound of the floor.
	h.floorKB = getrusage(syscall.RUSAGE_SELF).Maxrss
	return h, nil
}

func (h *hwm) source() string { return PeakHWM }

func (h *hwm) shutdown() {}

var resetCmd = []byte("5")

// reset sets the high-water mark to the current RSS; h.mu is held.
func (h *hwm) reset() error {
	_, err := rawWrite(h.clearFD, resetCmd)
	return err
}

// rawWrite and rawPread are write(2) and pread(2) without the scheduler
// hand-off of syscall.Write and syscall.Pread: on procfs files they return
// at once, and the hand-off would cost more than the call (this is how the
// runtime itself makes such calls).
func rawWrite(fd int, b []byte) (int, error) {
	n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

func rawPread(fd int, b []byte) (int, error) {
	n, _, errno := syscall.RawSyscall6(syscall.SYS_PREAD64, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

func (h *hwm) begin(iv *Interval) (uint64, cpuTimes) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.open) > 0 {
		h.open.credit(h.mark(getrusage(syscall.RUSAGE_SELF)))
	}
	_ = h.reset() // it worked in openHWM; a failure now only widens peaks
	// After the reset the mark is the current RSS: ru_maxrss has it, unless
	// it is at the floor, where statm is cheaper than VmHWM.
	ru := getrusage(syscall.RUSAGE_SELF)
	var rss uint64
	if ru.Maxrss > h.floorKB {
		rss = uint64(ru.Maxrss) << 10
	} else {
		rss = currentRSS()
	}
	iv.peak = rss
	h.open.add(iv)
	return rss, cpuOf(ru)
}

// end credits the mark to every open interval (the mark since the last
// reset covers only stretches during which all of them were open, as each
// reset at a Begin) and closes iv. No reset is needed here.
func (h *hwm) end(iv *Interval) (peak, rss uint64, cpu cpuTimes) {
	h.mu.Lock()
	ru := getrusage(syscall.RUSAGE_SELF)
	h.open.credit(h.mark(ru))
	peak = iv.peak
	h.open.remove(iv)
	h.mu.Unlock()
	return peak, currentRSS(), cpuOf(ru)
}

// mark returns the high-water mark in bytes from ru, read just before;
// h.mu is held.
func (h *hwm) mark(ru syscall.Rusage) uint64 {
	if ru.Maxrss > h.floorKB {
		return uint64(ru.Maxrss) << 10
	}
	// ru_maxrss may be the pre-exec floor: read the mark itself.
	if kb, ok := h.vmHWM(); ok {
		return kb << 10
	}
	return currentRSS()
}

var vmHWMKey = []byte("VmHWM:")

// vmHWM reads VmHWM, in kB, from /proc/self/status; h.mu is held.
func (h *hwm) vmHWM() (uint64, bool) {
	n, err := rawPread(h.statusFD, h.buf[:])
	if err != nil || n <= 0 {
		return 0, false
	}
	return statusKB(h.buf[:n], vmHWMKey)
}

// statusKB parses the "Key:   1234 kB" line of /proc/PID/status.
func statusKB(status, key []byte) (uint64, bool) {
	i := bytes.Index(status, key)
	if i < 0 {
		return 0, false
	}
	line := status[i+len(key):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	line = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(line), []byte("kB")))
	kb, err := strconv.ParseUint(string(line), 10, 64)
	return kb, err == nil
}

var (
	statmOnce sync.Once
	statmFile *os.File
	statmFD   = -1
	pageSize  = uint64(os.Getpagesize())
)

// currentRSS returns the resident set size in bytes, from /proc/self/statm,
// or 0 when it cannot be read.
func currentRSS() uint64 {
	statmOnce.Do(func() {
		var err error
		if statmFile, err = os.Open("/proc/self/statm"); err == nil {
			statmFD = int(statmFile.Fd())
		}
	})
	if statmFD < 0 {
		return 0
	}
	var buf [128]byte
	n, err := rawPread(statmFD, buf[:])
	if err != nil || n <= 0 {
		return 0
	}
	pages, ok := statmResident(buf[:n])
	if !ok {
		return 0
	}
	return pages * pageSize
}

// statmResident parses the second field of /proc/PID/statm ("size resident
// shared text lib data dt", in pages).
func statmResident(statm []byte) (uint64, bool) {
	_, rest, ok := bytes.Cut(statm, []byte(" "))
	if !ok {
		return 0, false
	}
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		rest = rest[:i]
	}
	var pages uint64
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, false
		}
		pages = pages*10 + uint64(c-'0')
	}
	return pages, len(rest) > 0
}
