package analyze

import (
	"fmt"
	"math"
	"slices"
)

// Thresholds of the soft findings on a benchmark's statistics.
const (
	// minSamples is the fewest successful runs whose spread is reported
	// without a note.
	minSamples = 3
	// maxCV is the coefficient of variation above which the runs are
	// reported as too noisy to compare.
	maxCV = 0.10
)

// assumptions states how the per-benchmark statistics are computed.
const assumptions = "Successful runs only; stddev is the sample standard deviation (n-1); " +
	"CV = stddev/mean; no outliers removed."

// sample summarizes a set of measurements. Fields that need more values
// than there are (stddev and CV need two) are NaN.
type sample struct {
	n                        int
	mean, stddev, cv         float64
	minimum, median, maximum float64
}

func summarize(xs []float64) sample {
	return summarizeInPlace(slices.Clone(xs))
}

// summarizeInPlace is summarize, sorting xs itself rather than a copy: the
// statistics builder's samples, which may hold a million durations.
func summarizeInPlace(v []float64) sample {
	nan := math.NaN()
	s := sample{n: len(v), mean: nan, stddev: nan, cv: nan, minimum: nan, median: nan, maximum: nan}
	if len(v) == 0 {
		return s
	}
	slices.Sort(v)
	s.minimum, s.maximum = v[0], v[len(v)-1]
	if len(v)%2 == 1 {
		s.median = v[len(v)/2]
	} else {
		s.median = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	var sum float64
	for _, x := range v {
		sum += x
	}
	s.mean = sum / float64(len(v))
	if len(v) < 2 {
		return s
	}
	var ss float64
	for _, x := range v {
		d := x - s.mean
		// The conversion keeps the compiler from fusing the multiply and
		// add, so the result is the same on every architecture.
		ss += float64(d * d)
	}
	s.stddev = math.Sqrt(ss / float64(len(v)-1))
	if s.mean != 0 {
		s.cv = s.stddev / s.mean
	}
	return s
}

// benchStats are one benchmark's statistics over the runs given.
type benchStats struct {
	name                                    string
	runs                                    int
	successful, failed, interrupted, broken int // broken: incomplete

	// Over the successful runs:
	duration      sample
	mainPhase     string  // the main phase, when all successful runs name the same
	mainPhaseDur  sample  // its times (NaN statistics without one)
	mainPhaseMean float64 // mean of its time
	cpuMean       float64 // mean CPU seconds
	utilMean      float64 // mean CPU utilization
	memChangeMean float64 // mean memory change, bytes
	peakMax       int64   // highest peak RSS, bytes; 0 when unknown

	notes []string // soft findings on the duration statistics
}

func (b *benchStats) successRate() float64 {
	if b.runs == 0 {
		return math.NaN()
	}
	return float64(b.successful) / float64(b.runs)
}

// statsBuilder groups runs by benchmark, in order of first appearance,
// and sums what their statistics need.
type statsBuilder struct {
	// all: every figure (the exports); else the durations only (the
	// summary's table), which keeps less.
	all    bool
	order  []*benchSums
	byName map[string]*benchSums
}

// benchSums is what one benchmark's statistics are computed from.
type benchSums struct {
	benchStats
	durations, mains, cpus, utils, mems []float64
	sameMain                            bool
}

func newStatsBuilder(all bool) *statsBuilder {
	return &statsBuilder{all: all, byName: map[string]*benchSums{}}
}

func (sb *statsBuilder) add(r *Run) {
	b, ok := sb.byName[r.Name]
	if !ok {
		b = &benchSums{benchStats: benchStats{name: r.Name}, sameMain: true}
		sb.byName[r.Name] = b
		sb.order = append(sb.order, b)
	}
	b.runs++
	switch r.Outcome {
	case Success:
		b.successful++
	case Failed:
		b.failed++
	case Interrupted:
		b.interrupted++
	default:
		b.broken++
	}
	if r.Outcome != Success {
		return
	}
	if isFinite(r.Duration) {
		b.durations = append(b.durations, r.Duration)
	}
	b.peakMax = max(b.peakMax, r.PeakRSSBytes)
	if !sb.all {
		return
	}
	if r.MainPhase != "" {
		if b.mainPhase == "" {
			b.mainPhase = r.MainPhase
		}
		b.sameMain = b.sameMain && r.MainPhase == b.mainPhase
		if isFinite(r.MainPhaseSeconds) {
			b.mains = append(b.mains, r.MainPhaseSeconds)
		}
	}
	if c := r.CPUSeconds(); isFinite(c) {
		b.cpus = append(b.cpus, c)
	}
	if u := r.CPUUtilization(); isFinite(u) {
		b.utils = append(b.utils, u)
	}
	if r.HasMemoryChange {
		b.mems = append(b.mems, float64(r.MemoryChangeBytes))
	}
}

// stats returns the statistics of each benchmark, in order of first
// appearance. The means of summarize do not depend on the order the
// values came in: it sorts them first. It sorts the values in place and
// lets them go: call it once.
func (sb *statsBuilder) stats() []benchStats {
	out := make([]benchStats, 0, len(sb.order))
	for _, b := range sb.order {
		s := b.benchStats
		s.duration = summarizeInPlace(b.durations)
		s.mainPhaseDur = summarize(nil)
		if !b.sameMain || s.mainPhase == "" {
			s.mainPhase = ""
		} else {
			s.mainPhaseDur = summarizeInPlace(b.mains)
		}
		s.mainPhaseMean = s.mainPhaseDur.mean
		s.cpuMean = summarizeInPlace(b.cpus).mean
		s.utilMean = summarizeInPlace(b.utils).mean
		s.memChangeMean = summarizeInPlace(b.mems).mean
		b.durations, b.mains, b.cpus, b.utils, b.mems = nil, nil, nil, nil, nil

		if n := s.duration.n; n >= 2 && n < minSamples {
			s.notes = append(s.notes, fmt.Sprintf("%s: only %d successful runs: too few to judge the spread (want at least %d)", s.name, n, minSamples))
		}
		if s.duration.cv > maxCV {
			s.notes = append(s.notes, fmt.Sprintf("%s: high variance: CV %.1f%% > %.0f%%; the runs may not be comparable (load, frequency scaling?)", s.name, 100*s.duration.cv, 100*maxCV))
		}
		out = append(out, s)
	}
	return out
}

// benchmarkStats returns the statistics of runs, by benchmark, in order
// of first appearance.
func benchmarkStats(runs runList) []benchStats {
	sb := newStatsBuilder(true)
	var r Run
	for i := range runs.Len() {
		runs.at(i, &r, 0)
		sb.add(&r)
	}
	return sb.stats()
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
