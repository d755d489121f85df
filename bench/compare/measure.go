package compare

import (
	"math"
	"strings"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Direction says which way a measure gets worse.
type Direction int

// Directions. The zero value, Neutral, is a measure for which neither way
// is worse (a result benchtrace does not know): its changes are reported,
// never judged.
const (
	Neutral Direction = iota
	// HigherIsWorse: durations, CPU time, memory, errors.
	HigherIsWorse
	// LowerIsWorse: precision, accuracy, agreement scores.
	LowerIsWorse
)

// String returns "higher" or "lower" (the worse way), or "" for Neutral.
func (d Direction) String() string {
	switch d {
	case HigherIsWorse:
		return "higher"
	case LowerIsWorse:
		return "lower"
	}
	return ""
}

// sign is +1 when higher is worse, -1 when lower is worse, 0 for Neutral.
func (d Direction) sign() float64 {
	switch d {
	case HigherIsWorse:
		return 1
	case LowerIsWorse:
		return -1
	}
	return 0
}

// Measure is a measured quantity: a column of the logs.
type Measure struct {
	// Name is the measure's name in the output and in thresholds:
	// "duration", "cpu", "peak_rss", "memory_change", "go_heap",
	// "main_phase", "mae", "precision_bits", or a result's key.
	Name string
	// Unit is the unit of the values: "sec", "B", "bits", or "" for a
	// number without one.
	Unit string
	// Worse is the direction in which the measure gets worse.
	Worse Direction
}

// The measures benchtrace reads from every log, in the order of the
// output. Each is a run-level measure (phase "") and, all but main_phase,
// a phase-level one too.
var builtin = []Measure{
	{"duration", "sec", HigherIsWorse},       // total_duration_seconds; a phase's duration_seconds
	{"main_phase", "sec", HigherIsWorse},     // timing.<main>_only
	{"cpu", "sec", HigherIsWorse},            // user + system CPU time
	{"peak_rss", "B", HigherIsWorse},         // peak_rss_bytes
	{"memory_change", "B", HigherIsWorse},    // memory_change_bytes (summed over top-level phases for a run)
	{"go_heap", "B", HigherIsWorse},          // go_heap_alloc_bytes
	{"mae", "", HigherIsWorse},               // results.mae
	{"precision_bits", "bits", LowerIsWorse}, // results.precision_bits
}

// Measures returns the measures benchtrace reads from every log (results
// other than mae and precision_bits come after them, by name).
func Measures() []Measure {
	return append([]Measure(nil), builtin...)
}

// measureOrder is the rank of a measure in the output: builtin first.
func measureOrder(name string) int {
	for i, m := range builtin {
		if m.Name == name {
			return i
		}
	}
	return len(builtin)
}

// MeasureOf returns the measure called name: a built-in one, or a result,
// whose direction DirectionOf guesses from its name.
func MeasureOf(name string) Measure {
	for _, m := range builtin {
		if m.Name == name {
			return m
		}
	}
	return Measure{Name: name, Worse: DirectionOf(name)}
}

// worseWords and betterWords decide the direction of a result from the
// words of its name (split at "_", "-", "." and spaces): a name with a
// word of worseWords gets worse as it grows ("max_abs_error",
// "held_out_inertia"), one with a word of betterWords as it shrinks
// ("cleartext_accuracy", "ari"). worseWords are checked first, so that
// "error_rate" or "accuracy_loss" count as errors.
var (
	worseWords = map[string]bool{
		"error": true, "err": true, "mae": true, "mse": true, "rmse": true, "loss": true,
		"inertia": true, "latency": true, "seconds": true, "time": true, "bytes": true,
		"distortion": true, "perplexity": true, "divergence": true, "regret": true,
	}
	betterWords = map[string]bool{
		"accuracy": true, "acc": true, "agreement": true, "purity": true, "ari": true,
		"nmi": true, "f1": true, "auc": true, "precision": true, "recall": true,
		"r2": true, "score": true, "silhouette": true, "throughput": true, "bits": true,
		"psnr": true, "ssim": true, "bleu": true, "iou": true,
	}
)

// DirectionOf returns the direction in which a result called name gets
// worse: HigherIsWorse for errors, losses and times, LowerIsWorse for
// accuracies, precisions and scores, Neutral for a name it does not know.
// The built-in measures have theirs (MeasureOf).
func DirectionOf(name string) Direction {
	for _, m := range builtin {
		if m.Name == name {
			return m.Worse
		}
	}
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return r == '_' || r == '-' || r == '.' || r == ' '
	})
	for _, w := range words {
		if worseWords[w] {
			return HigherIsWorse
		}
	}
	for _, w := range words {
		if betterWords[w] {
			return LowerIsWorse
		}
	}
	return Neutral
}

// skippedResults are numeric results that describe the measurement, not
// its outcome: results.samples is how many outputs the accuracy compared.
var skippedResults = map[string]bool{"samples": true}

// key identifies a sample: a benchmark, a phase ("" for the run) and a
// measure.
type key struct {
	bench, phase, measure string
}

// samples holds the values of every key of a set of runs, and the order in
// which the keys were first seen.
type samples struct {
	values map[key][]float64
	order  []key
}

func (s *samples) add(k key, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	vs, ok := s.values[k]
	if !ok {
		s.order = append(s.order, k)
	}
	s.values[k] = append(vs, v)
}

// warmupKey is metadata.warmup, true in a warmup run that reached a log
// (benchtrace run --warmup writes none itself).
const warmupKey = "warmup"

// measured reports whether r counts: a successful run, not a warmup.
func measured(r *analyze.Run) bool {
	if r.Outcome != analyze.Success {
		return false
	}
	w, _ := r.Log.Metadata.Bool(warmupKey)
	return !w
}

// collect gathers the values of every measure of the successful runs that
// are not warmups.
// A phase that did not succeed is left out, as are values that are
// missing, NaN or infinite (an exact result's precision_bits).
func collect(runs []analyze.Run) *samples {
	s := &samples{values: map[key][]float64{}}
	for i := range runs {
		r := &runs[i]
		if !measured(r) {
			continue
		}
		run := func(measure string, v float64) { s.add(key{r.Name, "", measure}, v) }
		run("duration", r.Duration)
		if r.MainPhase != "" {
			run("main_phase", r.MainPhaseSeconds)
		}
		run("cpu", r.CPUSeconds())
		if r.PeakRSSBytes > 0 {
			run("peak_rss", float64(r.PeakRSSBytes))
		}
		if r.HasMemoryChange {
			run("memory_change", float64(r.MemoryChangeBytes))
		}
		if v, ok := r.Log.Timing.Float(benchlog.KeyGoHeapAlloc); ok {
			run("go_heap", v)
		}
		for _, f := range r.Log.Results {
			if skippedResults[f.Key] {
				continue
			}
			if v, ok := r.Log.Results.Float(f.Key); ok {
				run(f.Key, v)
			}
		}
		for _, ph := range r.Log.Phases {
			f := ph.Fields
			if st, ok := f.String(benchlog.KeyStatus); ok && st != "success" {
				continue
			}
			phase := func(measure string, v float64) { s.add(key{r.Name, ph.Name, measure}, v) }
			if v, ok := f.Float(benchlog.KeyDuration); ok {
				phase("duration", v)
			}
			u, okU := f.Float(benchlog.KeyCPUUser)
			sy, okS := f.Float(benchlog.KeyCPUSystem)
			if okU || okS {
				phase("cpu", u+sy)
			}
			if v, ok := f.Float(benchlog.KeyPeakRSS); ok {
				phase("peak_rss", v)
			}
			if v, ok := f.Float(benchlog.KeyMemoryChange); ok {
				phase("memory_change", v)
			}
			if v, ok := f.Float(benchlog.KeyGoHeapAlloc); ok {
				phase("go_heap", v)
			}
		}
	}
	return s
}
