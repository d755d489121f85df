package usage

import (
	"context"
	"errors"
	"os"
	"runtime/metrics"
	"sync"
	"time"
)

// How a Delta's peak RSS was measured.
const (
	// PeakHWM is an exact peak: the kernel's RSS high-water mark.
	PeakHWM = "hwm"
	// PeakSampled is the highest of periodic RSS samples and the readings
	// at the interval's boundaries: a lower bound of the true peak.
	PeakSampled = "sampled"
)

// DefaultSampleInterval is how often a sampling tracker reads RSS.
const DefaultSampleInterval = 5 * time.Millisecond

// Delta is what an interval cost the process.
type Delta struct {
	// Start and End bound the timed window.
	Start, End time.Time
	// Wall is End - Start (monotonic).
	Wall time.Duration
	// CPUUser and CPUSystem are CPU time used by the process and by the
	// child processes it waited for during the interval.
	CPUUser, CPUSystem time.Duration
	// ChildUser and ChildSystem are the children's part of CPUUser and
	// CPUSystem.
	ChildUser, ChildSystem time.Duration
	// RSSStart and RSSEnd are the resident set size, in bytes, at Begin and
	// at End.
	RSSStart, RSSEnd uint64
	// MemoryChange is RSSEnd - RSSStart, in bytes.
	MemoryChange int64
	// PeakRSS is the highest RSS, in bytes, while the interval was open.
	PeakRSS uint64
	// PeakSource is PeakHWM or PeakSampled.
	PeakSource string
	// HeapAlloc is the number of bytes allocated on the Go heap.
	HeapAlloc uint64
	// GCCycles is the number of GC cycles completed.
	GCCycles uint64
	// ChildPeakRSS is the peak RSS, in bytes, of the largest child process
	// waited for during the interval, when that child was larger than every
	// child the process had waited for before; 0 otherwise. (The kernel
	// keeps one high-water mark for all the waited-for children of a
	// process, so a smaller child after a larger one cannot be seen.)
	// PeakRSS never includes children: they are other processes.
	ChildPeakRSS uint64
}

// Option configures NewTracker.
type Option interface{ apply(*config) }

type config struct {
	sample   bool
	interval time.Duration
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithSampling makes the tracker sample RSS every interval (a non-positive
// interval means DefaultSampleInterval) instead of using the kernel's
// high-water mark, even where the mark is available.
func WithSampling(interval time.Duration) Option {
	return optionFunc(func(c *config) {
		c.sample = true
		if interval > 0 {
			c.interval = interval
		}
	})
}

// Tracker measures intervals. Create one with NewTracker, or use Default.
type Tracker struct {
	peaks peakMeter

	shutdownOnce sync.Once
}

// peakMeter follows the peak RSS of open intervals and reads the RSS at
// their boundaries.
type peakMeter interface {
	// begin registers iv as open and returns the RSS now and the process's
	// own CPU times.
	begin(iv *Interval) (rss uint64, cpu cpuTimes)
	// end closes iv and returns its peak, the RSS now and the process's own
	// CPU times.
	end(iv *Interval) (peak, rss uint64, cpu cpuTimes)
	source() string
	shutdown()
}

var (
	defaultOnce    sync.Once
	defaultTracker *Tracker
)

// EnvPeakRSS names the environment variable that chooses how Default
// measures peaks: "sampled" samples RSS (every DefaultSampleInterval)
// instead of resetting the kernel's high-water mark; anything else, or
// nothing, uses the mark where it can.
const EnvPeakRSS = "BENCHTRACE_PEAK_RSS"

// Default returns the process's tracker: exact peaks where the kernel's
// high-water mark can be used, sampled ones otherwise or when EnvPeakRSS is
// "sampled". It is never shut down.
//
// Using the mark means resetting it, for the whole process: tools that read
// it afterwards (/usr/bin/time -v's "Maximum resident set size", a parent's
// getrusage(RUSAGE_CHILDREN), VmHWM) then see the peak since the last reset,
// not since the process started. Set EnvPeakRSS=sampled, or pass a tracker
// made with WithSampling, where that matters.
func Default() *Tracker {
	defaultOnce.Do(func() {
		var opts []Option
		if os.Getenv(EnvPeakRSS) == "sampled" {
			opts = append(opts, WithSampling(0))
		}
		defaultTracker, _ = NewTracker(opts...)
	})
	return defaultTracker
}

// NewTracker returns a tracker. By default it uses the kernel's RSS
// high-water mark (Linux), and falls back to sampling RSS every
// DefaultSampleInterval where the mark is unavailable; the error then says
// why, and the tracker is usable all the same. A sampling tracker owns a
// goroutine: call Shutdown when done with it.
func NewTracker(opts ...Option) (*Tracker, error) {
	c := config{interval: DefaultSampleInterval}
	for _, o := range opts {
		o.apply(&c)
	}
	var err error
	if !c.sample {
		var h peakMeter
		if h, err = processHWM(); err == nil {
			return &Tracker{peaks: h}, nil
		}
	}
	return &Tracker{peaks: newSampler(c.interval)}, err
}

// PeakSource returns how the tracker measures peaks: PeakHWM or PeakSampled.
func (t *Tracker) PeakSource() string { return t.peaks.source() }

// Shutdown stops a sampling tracker's goroutine; intervals still open then
// keep the samples taken so far. It is a no-op for a high-water-mark tracker
// and on later calls.
func (t *Tracker) Shutdown(context.Context) error {
	t.shutdownOnce.Do(t.peaks.shutdown)
	return nil
}

// Interval is a stretch of the program being measured, from Tracker.Begin
// to End.
type Interval struct {
	t     *Tracker
	peak  uint64 // guarded by the peak meter
	start time.Time
	rss   uint64
	cpu   cpuTimes
	child childStats
	rt    runtimeStats

	endOnce sync.Once
	delta   Delta
}

// Begin opens an interval: it takes the start-side readings and then starts
// the clock.
func (t *Tracker) Begin() *Interval {
	iv := &Interval{t: t}
	iv.rt = readRuntime()
	iv.child = children()
	iv.rss, iv.cpu = t.peaks.begin(iv)
	iv.start = time.Now()
	return iv
}

// End closes the interval and returns its Delta: it stops the clock first,
// then takes the end-side readings. Later calls return the same Delta.
func (iv *Interval) End() Delta {
	iv.endOnce.Do(func() {
		end := time.Now()
		peak, rss, cpu := iv.t.peaks.end(iv)
		child := children()
		rt := readRuntime()
		childUser := child.cpu.user - iv.child.cpu.user
		childSys := child.cpu.system - iv.child.cpu.system
		var childPeak uint64
		if child.maxRSS > iv.child.maxRSS {
			childPeak = child.maxRSS
		}
		iv.delta = Delta{
			Start:        iv.start,
			End:          end,
			Wall:         end.Sub(iv.start),
			CPUUser:      cpu.user - iv.cpu.user + childUser,
			CPUSystem:    cpu.system - iv.cpu.system + childSys,
			ChildUser:    childUser,
			ChildSystem:  childSys,
			RSSStart:     iv.rss,
			RSSEnd:       rss,
			MemoryChange: int64(rss) - int64(iv.rss),
			PeakRSS:      max(peak, iv.rss, rss),
			PeakSource:   iv.t.peaks.source(),
			HeapAlloc:    rt.heapAlloc - iv.rt.heapAlloc,
			GCCycles:     rt.gcCycles - iv.rt.gcCycles,
			ChildPeakRSS: childPeak,
		}
	})
	return iv.delta
}

// cpuTimes is cumulative CPU time.
type cpuTimes struct{ user, system time.Duration }

// childStats are the cumulative CPU time and the high-water mark of the
// waited-for child processes.
type childStats struct {
	cpu    cpuTimes
	maxRSS uint64
}

// runtimeStats are cumulative Go runtime counters.
type runtimeStats struct{ heapAlloc, gcCycles uint64 }

const (
	metricHeapAllocs = "/gc/heap/allocs:bytes"
	metricGCCycles   = "/gc/cycles/total:gc-cycles"
)

var samplePool = sync.Pool{New: func() any {
	return &[2]metrics.Sample{{Name: metricHeapAllocs}, {Name: metricGCCycles}}
}}

func readRuntime() runtimeStats {
	s := samplePool.Get().(*[2]metrics.Sample)
	metrics.Read(s[:])
	var r runtimeStats
	if s[0].Value.Kind() == metrics.KindUint64 {
		r.heapAlloc = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		r.gcCycles = s[1].Value.Uint64()
	}
	samplePool.Put(s)
	return r
}

// openSet is the set of open intervals, credited with each peak reading.
// The caller holds the lock guarding it.
type openSet []*Interval

func (s *openSet) add(iv *Interval) { *s = append(*s, iv) }

func (s *openSet) remove(iv *Interval) {
	for i, x := range *s {
		if x == iv {
			last := len(*s) - 1
			(*s)[i] = (*s)[last]
			(*s)[last] = nil
			*s = (*s)[:last]
			return
		}
	}
}

// credit raises the peak of every open interval to at least peak.
func (s openSet) credit(peak uint64) {
	for _, iv := range s {
		iv.peak = max(iv.peak, peak)
	}
}

var errNoHWM = errors.New("usage: the RSS high-water mark is not available on this system; sampling RSS instead")
