package compare_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/compare"
)

func TestParseGate(t *testing.T) {
	tests := []struct {
		in   string
		want []compare.Threshold
	}{
		{"duration:+5%", []compare.Threshold{{Measure: "duration", Limit: 5, Relative: true, Worse: compare.HigherIsWorse}}},
		{"duration:5%", []compare.Threshold{{Measure: "duration", Limit: 5, Relative: true, Worse: compare.HigherIsWorse}}},
		{"precision_bits:-0.5", []compare.Threshold{{Measure: "precision_bits", Limit: 0.5, Worse: compare.LowerIsWorse}}},
		{"precision_bits:0.5bits", []compare.Threshold{{Measure: "precision_bits", Limit: 0.5, Worse: compare.LowerIsWorse}}},
		{"duration:+500ms", []compare.Threshold{{Measure: "duration", Limit: 0.5, Worse: compare.HigherIsWorse}}},
		{"main_phase:+2m", []compare.Threshold{{Measure: "main_phase", Limit: 120, Worse: compare.HigherIsWorse}}},
		{"peak_rss:+64MiB", []compare.Threshold{{Measure: "peak_rss", Limit: 64 << 20, Worse: compare.HigherIsWorse}}},
		{"memory_change:+100MB", []compare.Threshold{{Measure: "memory_change", Limit: 100e6, Worse: compare.HigherIsWorse}}},
		{"go_heap:+1e6", []compare.Threshold{{Measure: "go_heap", Limit: 1e6, Worse: compare.HigherIsWorse}}},
		{"cleartext_accuracy:-1%", []compare.Threshold{{Measure: "cleartext_accuracy", Limit: 1, Relative: true, Worse: compare.LowerIsWorse}}},
		{"widgets:+3", []compare.Threshold{{Measure: "widgets", Limit: 3, Worse: compare.HigherIsWorse}}},
		{"widgets:-3", []compare.Threshold{{Measure: "widgets", Limit: 3, Worse: compare.LowerIsWorse}}},
		{"duration:+0%", []compare.Threshold{{Measure: "duration", Limit: 0, Relative: true, Worse: compare.HigherIsWorse}}},
		{"duration@fhe_inference:+2%", []compare.Threshold{{Measure: "duration", Phase: "fhe_inference", Scoped: true, Limit: 2, Relative: true, Worse: compare.HigherIsWorse}}},
		{"duration@:+3%", []compare.Threshold{{Measure: "duration", Scoped: true, Limit: 3, Relative: true, Worse: compare.HigherIsWorse}}},
		{" duration:+5% , peak_rss:+10% ,precision_bits:-0.5,", []compare.Threshold{
			{Measure: "duration", Limit: 5, Relative: true, Worse: compare.HigherIsWorse},
			{Measure: "peak_rss", Limit: 10, Relative: true, Worse: compare.HigherIsWorse},
			{Measure: "precision_bits", Limit: 0.5, Worse: compare.LowerIsWorse},
		}},
		{"duration:+5%,duration@compile:+20%", []compare.Threshold{
			{Measure: "duration", Limit: 5, Relative: true, Worse: compare.HigherIsWorse},
			{Measure: "duration", Phase: "compile", Scoped: true, Limit: 20, Relative: true, Worse: compare.HigherIsWorse},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := compare.ParseGate(tt.in)
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for i := range got {
				got[i].Text = "" // checked below
				assert.InDelta(t, tt.want[i].Limit, got[i].Limit, 1e-9)
				got[i].Limit = tt.want[i].Limit
			}
			assert.Equal(t, tt.want, []compare.Threshold(got))
		})
	}
	g, err := compare.ParseGate("duration:+5%,peak_rss:+64MiB")
	require.NoError(t, err)
	assert.Equal(t, "duration:+5%", g[0].String())
	assert.Equal(t, "peak_rss:+64MiB", g[1].String())
}

func TestParseGateErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "no threshold"},
		{",", "no threshold"},
		{"duration", "want MEASURE[@PHASE]:LIMIT"},
		{"duration+5%", "want MEASURE[@PHASE]:LIMIT"},
		{":+5%", "is not a measure name"},
		{"dur ation:+5%", "is not a measure name"},
		{"duration:-5%", "duration gets worse as it gets higher: write +5%"},
		{"precision_bits:+0.5", "precision_bits gets worse as it gets lower: write -0.5"},
		{"widgets:3", "widgets has no known worse direction"},
		{"duration:+five", `"five" is not a number`},
		{"duration:+", `"" is not a number`},
		{"duration:+5%,duration:+6%", "duration has two thresholds"},
		{"duration@fit:+5%,duration@fit:+6%", "duration@fit has two thresholds"},
		{"duration:+5MiB", "duration is in seconds"},
		{"peak_rss:+5ms", "peak_rss is in bytes"},
		{"mae:+5ms", `unit "ms" does not fit mae`},
		{"main_phase@fit:+5%", "main_phase is a run-level measure"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := compare.ParseGate(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, compare.ErrThreshold)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// row returns a significant row of measure m in phase, with the given
// change.
func row(m, phase string, deltaPercent, delta float64) compare.Row {
	return compare.Row{Benchmark: "b", Phase: phase, Measure: compare.MeasureOf(m),
		DeltaPercent: deltaPercent, Delta: delta, Significant: true, P: 0.001}
}

func TestGateCheck(t *testing.T) {
	g, err := compare.ParseGate("duration:+5%,duration@compile:+20%,duration@:+10%,peak_rss:+64MiB,precision_bits:-0.5,ari:-1%")
	require.NoError(t, err)
	tests := []struct {
		name string
		row  compare.Row
		fail bool
	}{
		{"phase beyond", row("duration", "fit", 6, 0.1), true},
		{"phase within", row("duration", "fit", 4, 0.1), false},
		{"phase exactly at", row("duration", "fit", 5, 0.1), false},
		{"better is never a failure", row("duration", "fit", -50, -1), false},
		{"phase override within", row("duration", "compile", 15, 1), false},
		{"phase override beyond", row("duration", "compile", 25, 1), true},
		{"run override within", row("duration", "", 8, 1), false},
		{"run override beyond", row("duration", "", 12, 1), true},
		{"absolute beyond", row("peak_rss", "fit", 1, 65<<20), true},
		{"absolute within", row("peak_rss", "fit", 90, 63<<20), false},
		{"lower is worse beyond", row("precision_bits", "", -5, -0.6), true},
		{"lower is worse within", row("precision_bits", "", -2, -0.4), false},
		{"lower is worse, up", row("precision_bits", "", 10, 2), false},
		{"guessed direction", row("ari", "", -2, -0.02), true},
		{"no threshold", row("cpu", "fit", 100, 5), false},
		{"from zero", row("duration", "fit", math.Inf(1), 0.1), true},
		{"zero to zero", row("duration", "fit", math.NaN(), 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.fail, len(g.Check([]compare.Row{tt.row})) == 1)
			insignificant := tt.row
			insignificant.Significant = false
			assert.Empty(t, g.Check([]compare.Row{insignificant}), "a change that is not significant never fails")
		})
	}
	unused := g.Unused([]compare.Row{row("duration", "fit", 0, 0), row("peak_rss", "", 0, 0)})
	var names []string
	for _, u := range unused {
		names = append(names, u.String())
	}
	assert.Equal(t, []string{"duration@compile:+20%", "duration@:+10%", "precision_bits:-0.5", "ari:-1%"}, names)
}

func TestDirectionOf(t *testing.T) {
	tests := []struct {
		name string
		want compare.Direction
	}{
		{"duration", compare.HigherIsWorse},
		{"main_phase", compare.HigherIsWorse},
		{"cpu", compare.HigherIsWorse},
		{"peak_rss", compare.HigherIsWorse},
		{"memory_change", compare.HigherIsWorse},
		{"go_heap", compare.HigherIsWorse},
		{"mae", compare.HigherIsWorse},
		{"precision_bits", compare.LowerIsWorse},
		// Results of the example benchmarks.
		{"relative_error", compare.HigherIsWorse},
		{"max_abs_error", compare.HigherIsWorse},
		{"inertia", compare.HigherIsWorse},
		{"held_out_inertia", compare.HigherIsWorse},
		{"purity", compare.LowerIsWorse},
		{"ari", compare.LowerIsWorse},
		{"cleartext_accuracy", compare.LowerIsWorse},
		{"approximate_accuracy", compare.LowerIsWorse},
		{"argmax_agreement", compare.LowerIsWorse},
		// Others.
		{"val-loss", compare.HigherIsWorse},
		{"accuracy_loss", compare.HigherIsWorse},
		{"error_rate", compare.HigherIsWorse},
		{"F1", compare.LowerIsWorse},
		{"top1.accuracy", compare.LowerIsWorse},
		{"variance", compare.Neutral},
		{"widgets", compare.Neutral},
		{"samples", compare.Neutral},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, compare.DirectionOf(tt.name), tt.name)
		assert.Equal(t, tt.want, compare.MeasureOf(tt.name).Worse, tt.name)
	}
	assert.Equal(t, "higher", compare.HigherIsWorse.String())
	assert.Equal(t, "lower", compare.LowerIsWorse.String())
	assert.Equal(t, "", compare.Neutral.String())
}
