package analyze

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		xs   []float64
		want sample
	}{
		{"empty", nil, sample{0, nan, nan, nan, nan, nan, nan}},
		{"one", []float64{2}, sample{1, 2, nan, nan, 2, 2, 2}},
		{"two", []float64{3, 1}, sample{2, 2, math.Sqrt2, math.Sqrt2 / 2, 1, 2, 3}},
		{"odd", []float64{5, 1, 3}, sample{3, 3, 2, 2.0 / 3, 1, 3, 5}},
		{"equal", []float64{4, 4, 4, 4}, sample{4, 4, 0, 0, 4, 4, 4}},
		{"zero mean", []float64{-1, 1}, sample{2, 0, math.Sqrt2, nan, -1, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(tt.xs)
			assert.Equal(t, tt.want.n, got.n)
			for _, f := range []struct {
				name      string
				want, got float64
			}{
				{"mean", tt.want.mean, got.mean},
				{"stddev", tt.want.stddev, got.stddev},
				{"cv", tt.want.cv, got.cv},
				{"min", tt.want.minimum, got.minimum},
				{"median", tt.want.median, got.median},
				{"max", tt.want.maximum, got.maximum},
			} {
				if math.IsNaN(f.want) {
					assert.True(t, math.IsNaN(f.got), "%s: want NaN, got %v", f.name, f.got)
				} else {
					assert.InDelta(t, f.want, f.got, 1e-12, f.name)
				}
			}
		})
	}
}

func TestStatsNotes(t *testing.T) {
	run := func(name string, d float64) *Run {
		return &Run{Name: name, Outcome: Success, Duration: d, MainPhaseSeconds: math.NaN(),
			MAE: math.NaN(), PrecisionBits: math.NaN(), CPUUserSeconds: math.NaN(), CPUSystemSeconds: math.NaN()}
	}
	tests := []struct {
		name      string
		durations []float64
		notes     int
	}{
		{"one run: nothing to say", []float64{1}, 0},
		{"two steady runs: too few", []float64{1, 1.01}, 1},
		{"three steady runs", []float64{1, 1.01, 0.99}, 0},
		{"three noisy runs", []float64{1, 2, 3}, 1},
		{"two noisy runs", []float64{1, 2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := newStatsBuilder(true)
			for _, d := range tt.durations {
				sb.add(run("b", d))
			}
			stats := sb.stats()
			assert.Len(t, stats, 1)
			s := stats[0]
			assert.Len(t, s.notes, tt.notes, "%q", s.notes)
		})
	}
}

func TestLabels(t *testing.T) {
	tests := []struct{ phase, label, total string }{
		{"fhe_inference", "FHE Time", "Total FHE time"},
		{"inference", "Inference Time", "Total inference time"},
		{"data_loading", "Data Loading Time", "Total data loading time"},
		{"gemm-multiply", "GEMM Multiply Time", "Total GEMM multiply time"},
		{"cpu_fit", "CPU Fit Time", "Total CPU fit time"},
		{"", "Time", "Total main-phase time"},
	}
	for _, tt := range tests {
		t.Run(tt.phase, func(t *testing.T) {
			assert.Equal(t, tt.label, mainPhaseLabel(tt.phase))
			assert.Equal(t, tt.total, mainPhaseTotalLabel(tt.phase))
		})
	}
}

func TestFormat(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"seconds", seconds(45.6), "45.60s"},
		{"seconds NaN", seconds(nan), "N/A"},
		{"secondsMinutes", secondsMinutes(59.9), "59.90s (1.00m)"},
		{"secondsMinutes Inf", secondsMinutes(inf), "N/A"},
		{"mae", mae(0.000123), "0.000123"},
		{"mae zero", mae(0), "0.000000"},
		{"mae small", mae(2.5e-7), "2.500e-07"},
		{"mae large", mae(3.5), "3.500000"},
		{"mae NaN", mae(nan), "N/A"},
		{"precision", precision(12.989), "12.99 bits"},
		{"precision exact", precision(inf), "exact"},
		{"precision NaN", precision(nan), "N/A"},
		{"precision negative", precision(-1.58), "-1.58 bits"},
		{"signedBytes", signedBytes(1048576), "+1.0 MiB"},
		{"signedBytes zero", signedBytes(0), "0 B"},
		{"percent", percent(0.968), "96.8%"},
		{"percent NaN", percent(nan), "-"},
		{"value int", value(14.0), "14"},
		{"value string", value("x y"), "x y"},
		{"value nil", value(nil), "null"},
		{"value list", value([]any{1.0, "a"}), `[1,"a"]`},
		{"cell", cell("a|b\nc"), `a\|b c`},
		{"codeFence", codeFence("x"), "```"},
		{"codeFence long", codeFence("a ```` b"), "`````"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}
}

// TestFormatAsFmt checks the formats written with strconv against fmt's.
func TestFormatAsFmt(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	values := []float64{0, math.Copysign(0, -1), 0.005, 0.015, 1e-4, -1e-4, 9.9999e-5, 2.5e-7, 1e300, -59.9, math.Inf(1), math.Inf(-1)}
	for range 20000 {
		values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(24)-12)))
	}
	for _, v := range values {
		if isFinite(v) {
			require.Equal(t, fmt.Sprintf("%.2fs", v), seconds(v))
			require.Equal(t, fmt.Sprintf("%.2fs (%.2fm)", v, v/60), secondsMinutes(v))
			require.Equal(t, fmt.Sprintf("%.2f bits", v), precision(v))
			require.Equal(t, fmt.Sprintf("%.1f%%", 100*v), percent(v))
		}
		want := fmt.Sprintf("%.6f", v)
		if v != 0 && math.Abs(v) < 1e-4 {
			want = fmt.Sprintf("%.3e", v)
		}
		require.Equal(t, want, mae(v))
	}
}

func TestPhaseDepthCycle(t *testing.T) {
	r := newRun("x.json", mustDecode(t, `{"phases": {"a": {"parent": "b"}, "b": {"parent": "a"}, "c": {"parent": "a"}}}`))
	depths := phaseDepths(r.Log.Phases)
	for i, ph := range r.Log.Phases {
		assert.LessOrEqual(t, depths[i], len(r.Log.Phases), ph.Name)
	}
}

// phaseDepth is the definition of a phase's depth that phaseDepths
// computes at once for all: how many enclosing phases ph has, following
// "parent" to the first phase of that name, at most len(phases). Walking
// the chain for every phase, with a linear Get at every step, is what made
// a verbose summary of 10,000 nested phases take minutes.
func phaseDepth(phases benchlog.Phases, ph benchlog.Phase) int {
	depth := 0
	for range len(phases) {
		parent, ok := ph.Fields.String(benchlog.KeyParent)
		if !ok {
			break
		}
		p, ok := phases.Get(parent)
		if !ok {
			break
		}
		depth++
		ph = p
	}
	return depth
}

// TestPhaseDepths checks phaseDepths against phaseDepth on random forests
// of phases, with loops, duplicate names, missing parents and parents
// that are not strings.
func TestPhaseDepths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := 1 + rng.IntN(12)
		phases := make(benchlog.Phases, n)
		for i := range phases {
			phases[i].Name = fmt.Sprintf("p%d", rng.IntN(n+1))
			switch rng.IntN(5) {
			case 0: // a root
			case 1:
				phases[i].Fields = benchlog.Object{{Key: benchlog.KeyParent, Value: 3.0}}
			default:
				phases[i].Fields = benchlog.Object{{Key: benchlog.KeyParent, Value: fmt.Sprintf("p%d", rng.IntN(n+1))}}
			}
		}
		got := phaseDepths(phases)
		for i, ph := range phases {
			assert.Equal(t, phaseDepth(phases, ph), got[i], "trial %d, phase %d of %v", trial, i, phases)
		}
	}
}

func mustDecode(t *testing.T, s string) *benchlog.Log {
	t.Helper()
	l, err := benchlog.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return l
}
