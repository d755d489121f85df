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
	nan := math.NaN()
	s := sample{n: len(xs), mean: nan, stddev: nan, cv: nan, minimum: nan, median: nan, maximum: nan}
	if len(xs) == 0 {
		return s
	}
	v := slices.Sorted(slices.Values(xs))
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

// benchmarkStats groups runs by benchmark, in order of first appearance.
func benchmarkStats(runs []Run) []benchStats {
	var order []string
	byName := map[string][]*Run{}
	for i := range runs {
		r := &runs[i]
		if _, ok := byName[r.Name]; !ok {
			order = append(order, r.Name)
		}
		byName[r.Name] = append(byName[r.Name], r)
	}
	out := make([]benchStats, 0, len(order))
	for _, name := range order {
		out = append(out, statsOf(name, byName[name]))
	}
	return out
}

func statsOf(name string, runs []*Run) benchStats {
	b := benchStats{name: name, runs: len(runs)}
	var durations, mains, cpus, utils, mems []float64
	mainPhase, sameMain := "", true
	for _, r := range runs {
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
			continue
		}
		if isFinite(r.Duration) {
			durations = append(durations, r.Duration)
		}
		if r.MainPhase != "" {
			if mainPhase == "" {
				mainPhase = r.MainPhase
			}
			sameMain = sameMain && r.MainPhase == mainPhase
			if isFinite(r.MainPhaseSeconds) {
				mains = append(mains, r.MainPhaseSeconds)
			}
		}
		if c := r.CPUSeconds(); isFinite(c) {
			cpus = append(cpus, c)
		}
		if u := r.CPUUtilization(); isFinite(u) {
			utils = append(utils, u)
		}
		if r.HasMemoryChange {
			mems = append(mems, float64(r.MemoryChangeBytes))
		}
		b.peakMax = max(b.peakMax, r.PeakRSSBytes)
	}
	b.duration = summarize(durations)
	b.mainPhaseMean = math.NaN()
	if sameMain && mainPhase != "" {
		b.mainPhase = mainPhase
		b.mainPhaseMean = summarize(mains).mean
	}
	b.cpuMean = summarize(cpus).mean
	b.utilMean = summarize(utils).mean
	b.memChangeMean = summarize(mems).mean

	if n := b.duration.n; n >= 2 && n < minSamples {
		b.notes = append(b.notes, fmt.Sprintf("%s: only %d successful runs: too few to judge the spread (want at least %d)", name, n, minSamples))
	}
	if b.duration.cv > maxCV {
		b.notes = append(b.notes, fmt.Sprintf("%s: high variance: CV %.1f%% > %.0f%%; the runs may not be comparable (load, frequency scaling?)", name, 100*b.duration.cv, 100*maxCV))
	}
	return b
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
