// Package fakelogs writes synthetic run logs for the tests of compare,
// trend and report: seeded, every measure drawn from a stated distribution,
// with changes planted where a test wants them. Generating logs in a test's
// temporary directory keeps thousands of fixture files out of the
// repository.
//
// Its functions have no state and may be called concurrently.
package fakelogs

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Phase is one phase of a Benchmark, with the centers of its measures.
type Phase struct {
	Name    string
	Seconds float64 // duration_seconds
	CPU     float64 // cpu_user_seconds + cpu_system_seconds
	PeakRSS float64 // peak_rss_bytes
	// MemChange is the center of memory_change_bytes.
	MemChange float64
	GoHeap    float64 // go_heap_alloc_bytes
}

// Benchmark is one benchmark: its phases in order, its main phase and its
// accuracy.
type Benchmark struct {
	Name      string
	MainPhase string
	Phases    []Phase
	MAE       float64 // center of results.mae; precision_bits is -log2(mae)
	// Results are other numeric results and their centers.
	Results map[string]float64
}

// Change plants a change in one measure of the logs Write writes: its
// values are multiplied by Factor (1 when 0). Phase "" is the run.
type Change struct {
	Benchmark string
	Phase     string // "" for a result
	// Measure is "duration", "cpu", "peak_rss", "memory_change", "go_heap"
	// for a phase, or "mae" (which moves precision_bits the other way) or
	// a result's name for the run.
	Measure string
	Factor  float64
}

// Set says what Write writes.
type Set struct {
	Benchmarks []Benchmark
	// Runs is the number of runs of each benchmark.
	Runs int
	// Seed seeds the draws: the same Set writes the same logs.
	Seed uint64
	// Commit, if not "", is every log's metadata.git_commit.
	Commit string
	// Start is the first run's start; the runs follow a minute apart.
	Start time.Time
	// Changes are planted in every run.
	Changes []Change
	// Python writes the logs in the shape the Orion Python logger wrote:
	// no run_id, timestamps without an offset, only durations per phase.
	Python bool
	// Warmup marks every log as a warmup run's (metadata.warmup true).
	Warmup bool
	// Noise is the relative standard deviation of every measure
	// (default 0.02).
	Noise float64
}

// Default returns a set of three benchmarks, with 12 phases between them,
// for the tests' fixtures.
func Default() []Benchmark {
	const mib = 1 << 20
	return []Benchmark{
		{
			Name: "resnet20_relu_cifar10", MainPhase: "fhe_inference", MAE: 1.2e-4,
			Phases: []Phase{
				{Name: "data_loading", Seconds: 2.3, CPU: 2.1, PeakRSS: 300 * mib, MemChange: 200 * mib, GoHeap: 180 * mib},
				{Name: "compile", Seconds: 3.7, CPU: 3.6, PeakRSS: 420 * mib, MemChange: 120 * mib, GoHeap: 90 * mib},
				{Name: "encrypt", Seconds: 1.2, CPU: 1.1, PeakRSS: 450 * mib, MemChange: 30 * mib, GoHeap: 25 * mib},
				{Name: "fhe_inference", Seconds: 45.6, CPU: 44, PeakRSS: 900 * mib, MemChange: 450 * mib, GoHeap: 400 * mib},
				{Name: "decrypt", Seconds: 0.8, CPU: 0.75, PeakRSS: 910 * mib, MemChange: 4 * mib, GoHeap: 3 * mib},
			},
		},
		{
			Name: "kmeans_embeddings", MainPhase: "fit", MAE: 3e-3,
			Results: map[string]float64{"ari": 0.82, "held_out_inertia": 1520},
			Phases: []Phase{
				{Name: "data_loading", Seconds: 0.4, CPU: 0.38, PeakRSS: 60 * mib, MemChange: 40 * mib, GoHeap: 35 * mib},
				{Name: "fit", Seconds: 1.9, CPU: 7.2, PeakRSS: 95 * mib, MemChange: 30 * mib, GoHeap: 60 * mib},
				{Name: "evaluate", Seconds: 0.3, CPU: 0.29, PeakRSS: 96 * mib, MemChange: 2 * mib, GoHeap: 5 * mib},
			},
		},
		{
			Name: "int8_gemm_quantized", MainPhase: "inference", MAE: 2.5e-7,
			Phases: []Phase{
				{Name: "generate", Seconds: 0.25, CPU: 0.26, PeakRSS: 56 * mib, MemChange: 16 * mib, GoHeap: 16 * mib},
				{Name: "quantize", Seconds: 0.12, CPU: 0.12, PeakRSS: 64 * mib, MemChange: 8 * mib, GoHeap: 8 * mib},
				{Name: "inference", Seconds: 1.2, CPU: 4.3, PeakRSS: 100 * mib, MemChange: 32 * mib, GoHeap: 16 * mib},
				{Name: "verify", Seconds: 0.05, CPU: 0.05, PeakRSS: 100 * mib, MemChange: 0, GoHeap: 1 * mib},
			},
		},
	}
}

// Write writes the logs of set into dir, which must exist, and returns
// their paths.
func Write(dir string, set Set) ([]string, error) {
	if set.Noise == 0 {
		set.Noise = 0.02
	}
	if set.Start.IsZero() {
		set.Start = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	}
	rng := rand.New(rand.NewPCG(set.Seed, set.Seed^0x9e3779b97f4a7c15))
	var paths []string
	start := set.Start
	for i := 0; i < set.Runs; i++ {
		for _, b := range set.Benchmarks {
			l, end := set.log(rng, b, start, i)
			data, err := benchlog.Encode(l)
			if err != nil {
				return nil, fmt.Errorf("encoding a log of %s: %w", b.Name, err)
			}
			name := fmt.Sprintf("%s_%d.json", benchlog.FileBase(b.Name, start), i)
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return nil, err
			}
			paths = append(paths, path)
			start = end.Add(time.Minute).Truncate(time.Second)
		}
	}
	return paths, nil
}

// factor returns the planted factor of b's phase's measure.
func (s *Set) factor(bench, phase, measure string) float64 {
	f := 1.0
	for _, c := range s.Changes {
		if c.Benchmark == bench && c.Phase == phase && c.Measure == measure && c.Factor != 0 {
			f *= c.Factor
		}
	}
	return f
}

// draw returns center·factor·(1 + noise·N(0,1)). The conversions keep
// the compiler from fusing a multiply and an add, so that the logs are the
// same on every architecture.
func (s *Set) draw(rng *rand.Rand, center, factor float64) float64 {
	return center * factor * (1 + float64(s.Noise*rng.NormFloat64()))
}

func (s *Set) log(rng *rand.Rand, b Benchmark, start time.Time, i int) (*benchlog.Log, time.Time) {
	ts := func(t time.Time) string {
		if s.Python {
			return t.Format("2006-01-02T15:04:05.000000")
		}
		return t.Format(benchlog.TimeLayout)
	}
	l := &benchlog.Log{Status: "success"}
	l.Metadata.Set(benchlog.KeyBenchmarkName, b.Name)
	if !s.Python {
		l.Metadata.Set(benchlog.KeyRunID, fmt.Sprintf("%016x%016x", s.Seed, uint64(i)<<32|uint64(len(b.Name))))
	}
	l.Metadata.Set(benchlog.KeyTimestampStart, ts(start))
	l.Metadata.Set(benchlog.KeyHostname, "bench-01")
	if s.Python {
		l.Metadata.Set("python_version", "3.10.12")
	} else {
		l.Metadata.Set("go_version", "go1.26.8")
		l.Metadata.Set(benchlog.KeyCPUModel, "Test CPU @ 3.00GHz")
	}
	if s.Commit != "" {
		l.Metadata.Set(benchlog.KeyGitCommit, s.Commit)
	}
	if s.Warmup {
		l.Metadata.Set("warmup", true)
	}
	l.Model.Set("name", b.Name)

	t := start
	var total, cpu, peak, prep float64
	main := math.NaN()
	for _, p := range b.Phases {
		f := func(measure string) float64 { return s.factor(b.Name, p.Name, measure) }
		d := math.Max(s.draw(rng, p.Seconds, f("duration")), 1e-6)
		var fields benchlog.Object
		fields.Set(benchlog.KeyDuration, round9(d))
		fields.Set(benchlog.KeyStatus, "success")
		if !s.Python {
			c := math.Max(s.draw(rng, p.CPU, f("cpu")), 0)
			pk := math.Round(s.draw(rng, p.PeakRSS, f("peak_rss"))/4096) * 4096
			// Memory change: an absolute noise of 2% of the phase's
			// peak, so that a change of 0 is noisy too.
			mc := float64(p.MemChange*f("memory_change")) + float64(s.Noise*p.PeakRSS*rng.NormFloat64())
			fields.Set(benchlog.KeyStartTime, ts(t))
			fields.Set(benchlog.KeyCPUUser, round9(0.9*c))
			fields.Set(benchlog.KeyCPUSystem, round9(0.1*c))
			fields.Set(benchlog.KeyMemoryChange, int64(math.Round(mc)))
			fields.Set(benchlog.KeyPeakRSS, int64(pk))
			fields.Set(benchlog.KeyGoHeapAlloc, int64(math.Round(s.draw(rng, p.GoHeap, f("go_heap")))))
			cpu += c
			peak = math.Max(peak, pk)
		}
		if p.Name == b.MainPhase {
			main = d
		} else if math.IsNaN(main) {
			prep += d
		}
		l.Phases = append(l.Phases, benchlog.Phase{Name: p.Name, Fields: fields})
		total += d
		t = t.Add(time.Duration(d * float64(time.Second)))
	}
	total += math.Abs(s.draw(rng, 0.01, 1)) // the run's own overhead
	end := start.Add(time.Duration(total * float64(time.Second)))
	l.Metadata.Set(benchlog.KeyTimestampEnd, ts(end))

	mae := s.draw(rng, b.MAE, s.factor(b.Name, "", "mae"))
	l.Results.Set(benchlog.KeyMAE, mae)
	l.Results.Set(benchlog.KeyPrecisionBits, -math.Log2(mae))
	for _, k := range slices.Sorted(maps.Keys(b.Results)) {
		l.Results.Set(k, s.draw(rng, b.Results[k], s.factor(b.Name, "", k)))
	}

	l.Timing.Set(benchlog.KeyTotalDuration, round9(total))
	if !math.IsNaN(main) {
		l.Timing.Set(b.MainPhase+benchlog.MainPhaseSuffix, round9(main))
		l.Timing.Set(benchlog.KeyPreprocessingTotal, round9(prep))
	}
	if !s.Python {
		l.Timing.Set(benchlog.KeyCPUUser, round9(0.9*cpu))
		l.Timing.Set(benchlog.KeyCPUSystem, round9(0.1*cpu))
		l.Timing.Set(benchlog.KeyPeakRSS, int64(peak))
	}
	return l, end
}

func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }
