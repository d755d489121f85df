package compare_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
	"github.com/benchtrace/benchtrace/bench/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// planted are the changes of the fixture's new side: one phase slower,
// one phase's peak higher, one benchmark less accurate.
var planted = []fakelogs.Change{
	{Benchmark: "kmeans_embeddings", Phase: "fit", Measure: "duration", Factor: 1.2},
	{Benchmark: "resnet20_relu_cifar10", Phase: "compile", Measure: "peak_rss", Factor: 1.3},
	{Benchmark: "int8_gemm_quantized", Measure: "mae", Factor: 4}, // precision -2 bits
}

// plantedRows are the rows the planted changes move: the changed ones and
// those derived from them (a slower main phase makes the run and its
// main-phase time slower; a larger MAE is a lower precision).
var plantedRows = []string{
	"kmeans_embeddings duration",
	"kmeans_embeddings/fit duration",
	"kmeans_embeddings main_phase",
	"resnet20_relu_cifar10/compile peak_rss",
	"int8_gemm_quantized mae",
	"int8_gemm_quantized precision_bits",
}

// fixture writes runs of the default benchmarks into a temporary
// directory and loads them.
func fixture(t testing.TB, set fakelogs.Set) []analyze.Run {
	t.Helper()
	if set.Benchmarks == nil {
		set.Benchmarks = fakelogs.Default()
	}
	files, err := fakelogs.Write(t.TempDir(), set)
	require.NoError(t, err)
	runs, err := analyze.LoadFiles(files, nil)
	require.NoError(t, err)
	return runs
}

func label(r compare.Row) string { return r.Name() + " " + r.Measure.Name }

func labels(rows []compare.Row) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, label(r))
	}
	return out
}

func significant(res *compare.Result) []compare.Row {
	var out []compare.Row
	for _, r := range res.Rows {
		if r.Significant {
			out = append(out, r)
		}
	}
	return out
}

// TestComparePlanted checks that compare flags exactly the planted rows,
// as regressions. Every row is its own U-test, so at alpha 0.05 about 5%
// of the ~80 rows that did not change would be flagged by chance (as
// benchstat would flag them); an alpha of 1e-4 keeps that chance under 1%
// for the whole fixture, and the planted changes, whose samples do not
// overlap (p ≈ 1e-5 with 10 runs a side), are still found.
func TestComparePlanted(t *testing.T) {
	old := fixture(t, fakelogs.Set{Runs: 10, Seed: 1})
	changed := fixture(t, fakelogs.Set{Runs: 10, Seed: 2, Changes: planted})
	res := compare.Compare(old, changed, compare.Options{Alpha: 1e-4})

	assert.ElementsMatch(t, plantedRows, labels(significant(res)))
	assert.ElementsMatch(t, plantedRows, labels(res.Regressions()))
	assert.Equal(t, 30, res.OldRuns)
	assert.Equal(t, 30, res.NewRuns)
	assert.Empty(t, res.OnlyOld)
	assert.Empty(t, res.OnlyNew)
	for _, r := range res.Regressions() {
		assert.Less(t, r.P, 1e-4, label(r))
		assert.Empty(t, r.Warnings, label(r))
	}

	byLabel := map[string]compare.Row{}
	for _, r := range res.Rows {
		byLabel[label(r)] = r
	}
	fit := byLabel["kmeans_embeddings/fit duration"]
	assert.InDelta(t, 20, fit.DeltaPercent, 5, "the planted +20%%")
	assert.Equal(t, "sec", fit.Measure.Unit)
	assert.Less(t, fit.Old.Low, fit.Old.Center)
	assert.Greater(t, fit.Old.High, fit.Old.Center)
	precision := byLabel["int8_gemm_quantized precision_bits"]
	assert.InDelta(t, -2, precision.Delta, 0.1, "MAE ×4 is 2 bits less")
	assert.Equal(t, compare.LowerIsWorse, precision.Measure.Worse)
	assert.Equal(t, compare.Regression, precision.Verdict)
}

// thresholds is the gate of the tests, the example.
const thresholds = "duration:+5%,peak_rss:+10%,precision_bits:-0.5"

// TestGatePlanted checks the gate at the default alpha: it fails on the
// planted rows it has thresholds for, and passes on a second sample drawn
// from the same distributions as the first.
func TestGatePlanted(t *testing.T) {
	gate, err := compare.ParseGate(thresholds)
	require.NoError(t, err)
	old := fixture(t, fakelogs.Set{Runs: 10, Seed: 1})

	changed := compare.Compare(old, fixture(t, fakelogs.Set{Runs: 10, Seed: 2, Changes: planted}), compare.Options{})
	var failed []string
	for _, f := range gate.Check(changed.Rows) {
		failed = append(failed, label(f.Row))
	}
	assert.ElementsMatch(t, []string{
		"kmeans_embeddings duration",
		"kmeans_embeddings/fit duration",
		"resnet20_relu_cifar10/compile peak_rss",
		"int8_gemm_quantized precision_bits",
	}, failed, "main_phase and mae have no threshold")
	assert.Empty(t, gate.Unused(changed.Rows))

	unchanged := compare.Compare(old, fixture(t, fakelogs.Set{Runs: 10, Seed: 3}), compare.Options{})
	assert.Empty(t, gate.Check(unchanged.Rows))
	// At alpha 0.05 a few rows of the unchanged sample come out
	// significant by chance; their changes are small, well within the
	// thresholds, which is why the gate asks for both.
	for _, r := range significant(unchanged) {
		assert.Less(t, math.Abs(r.DeltaPercent), 5.0, label(r))
	}
}

// TestTooFewSamples checks that rows with too few runs say so instead of
// judging, even for a large change.
func TestTooFewSamples(t *testing.T) {
	bench := fakelogs.Default()[2:] // int8_gemm_quantized
	old := fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 3, Seed: 1})
	changed := fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 3, Seed: 2, Changes: []fakelogs.Change{
		{Benchmark: "int8_gemm_quantized", Phase: "inference", Measure: "duration", Factor: 2},
	}})
	res := compare.Compare(old, changed, compare.Options{})
	require.NotEmpty(t, res.Rows)
	assert.True(t, res.TooFew())
	for _, r := range res.Rows {
		assert.Equal(t, compare.TooFewSamples, r.Verdict, label(r))
		assert.False(t, r.Significant, label(r))
		assert.Contains(t, r.Warnings, "need >= 4 samples to detect a difference at alpha level 0.05", label(r))
		assert.Contains(t, r.Warnings, "need >= 6 samples for confidence interval at level 0.95", label(r))
		assert.True(t, math.IsInf(r.Old.Low, -1), label(r))
	}
	var text bytes.Buffer
	require.NoError(t, compare.WriteText(&text, res, compare.Names{}))
	assert.Contains(t, text.String(), "¹ need >= 6 samples for confidence interval at level 0.95")
	assert.Contains(t, text.String(), "± ∞")
}

// TestPythonLogs checks that logs of the Orion Python logger compare: their
// phases have durations only, and no run totals of CPU or memory.
func TestPythonLogs(t *testing.T) {
	old := fixture(t, fakelogs.Set{Runs: 8, Seed: 1, Python: true})
	changed := fixture(t, fakelogs.Set{Runs: 8, Seed: 2, Python: true, Changes: planted})
	res := compare.Compare(old, changed, compare.Options{Alpha: 1e-3})
	measures := map[string]bool{}
	for _, r := range res.Rows {
		measures[r.Measure.Name] = true
	}
	assert.Equal(t, map[string]bool{
		"duration": true, "main_phase": true, "mae": true, "precision_bits": true,
		"ari": true, "held_out_inertia": true,
	}, measures)
	assert.Contains(t, labels(res.Regressions()), "kmeans_embeddings/fit duration")
}

func TestGolden(t *testing.T) {
	old := fixture(t, fakelogs.Set{Benchmarks: fakelogs.Default()[1:], Runs: 6, Seed: 1})
	changed := fixture(t, fakelogs.Set{Benchmarks: fakelogs.Default()[1:], Runs: 6, Seed: 2, Changes: planted})
	res := compare.Compare(old, changed, compare.Options{})
	names := compare.Names{Old: "logs@git_commit=a1b2c3d", New: "logs@git_commit=e4f5a6b"}
	// Text and Markdown round their numbers; JSON and CSV write them in
	// full, where the last digit may differ between architectures, so
	// TestJSONRows and TestCSV check those by structure.
	for _, format := range []string{"text", "markdown"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, compare.Write(&b, format, res, names))
			golden.Assert(t, filepath.Join("testdata", "compare."+format+".golden"), b.Bytes(), *update)
		})
	}
}

// TestJSONRows checks the keys of a JSON row that the issue asks for.
func TestJSONRows(t *testing.T) {
	bench := fakelogs.Default()[2:]
	res := compare.Compare(fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 5, Seed: 1}),
		fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 5, Seed: 2}), compare.Options{})
	var b bytes.Buffer
	require.NoError(t, compare.WriteJSON(&b, res, compare.Names{}))
	var out struct {
		Rows []map[string]any `json:"rows"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &out))
	require.NotEmpty(t, out.Rows)
	for _, row := range out.Rows {
		for _, k := range []string{"benchmark", "phase", "measure", "unit", "old", "new", "delta_percent", "p_value", "significant", "regression"} {
			assert.Contains(t, row, k)
		}
		for _, side := range []string{"old", "new"} {
			s := row[side].(map[string]any)
			for _, k := range []string{"center", "low", "high", "n"} {
				assert.Contains(t, s, k)
			}
			assert.Nil(t, s["low"], "5 samples give no 95%% interval: null")
		}
	}
	assert.Equal(t, "", out.Rows[0]["phase"], "the run-level row first")
}

func TestCSV(t *testing.T) {
	bench := fakelogs.Default()[2:]
	res := compare.Compare(fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 6, Seed: 1}),
		fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 6, Seed: 2}), compare.Options{})
	var b bytes.Buffer
	require.NoError(t, compare.WriteCSV(&b, res))
	records, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, len(res.Rows)+1)
	assert.Equal(t, []string{"benchmark", "phase", "measure", "unit", "worse",
		"old_center", "old_low", "old_high", "old_n", "new_center", "new_low", "new_high", "new_n",
		"delta", "delta_percent", "p_value", "significant", "verdict", "warnings"}, records[0])
	assert.Equal(t, []string{"int8_gemm_quantized", "", "duration", "sec", "higher"}, records[1][:5])
	assert.Equal(t, "6", records[1][8])
}

// TestWarmupLeftOut checks that runs marked metadata.warmup (warmups that
// reached a log through a collector) do not count.
func TestWarmupLeftOut(t *testing.T) {
	bench := fakelogs.Default()[2:]
	old := fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 6, Seed: 1})
	newer := append(fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 6, Seed: 2}),
		fixture(t, fakelogs.Set{Benchmarks: bench, Runs: 6, Seed: 3, Warmup: true, Changes: []fakelogs.Change{
			{Benchmark: "int8_gemm_quantized", Phase: "inference", Measure: "duration", Factor: 3},
		}})...)
	res := compare.Compare(old, newer, compare.Options{Alpha: 1e-3})
	assert.Equal(t, 6, res.NewRuns)
	assert.Empty(t, res.Regressions())
	for _, r := range res.Rows {
		assert.Equal(t, 6, r.New.N, label(r))
	}
}
