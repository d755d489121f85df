package examples

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/sealed"
	"github.com/benchtrace/benchtrace/sdk"
)

func TestAll(t *testing.T) {
	var names []string
	for _, b := range All() {
		names = append(names, b.Name)
		assert.NotEmpty(t, b.Description, b.Name)
		assert.NotNil(t, b.Run, b.Name)
		got, ok := Lookup(b.Name)
		assert.True(t, ok)
		assert.Equal(t, b.Name, got.Name)
	}
	assert.Equal(t, []string{"mlp_polyrelu_synthetic", "kmeans_embeddings", "int8_gemm_quantized"}, names)
	_, ok := Lookup("nope")
	assert.False(t, ok)
}

// TestModelBySize checks that a run is described by what it runs: the
// small size's data set (and, where it differs, architecture and batch
// size) is not the default size's.
func TestModelBySize(t *testing.T) {
	for _, b := range All() {
		t.Run(b.Name, func(t *testing.T) {
			small, full := b.Model(Small), b.Model(Default)
			assert.NotEqual(t, full.Dataset, small.Dataset)
			assert.Equal(t, full.Name, small.Name)
			assert.Equal(t, full.Seed, small.Seed)
			opts := b.Options(Small)
			assert.Len(t, opts, 2, "model and main phase")
		})
	}
}

func TestSize(t *testing.T) {
	for _, s := range []Size{Default, Small} {
		got, err := ParseSize(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	_, err := ParseSize("huge")
	assert.Error(t, err)
	var s Size
	require.NoError(t, s.Set("small"))
	assert.Equal(t, Small, s)
	assert.Error(t, s.Set("huge"))
	assert.Equal(t, Small, s, "unchanged by a bad value")
	assert.Equal(t, "Size(7)", Size(7).String())
}

// runLog is the part of a run log the tests read.
type runLog struct {
	Model   map[string]any `json:"model"`
	Phases  orderedPhases  `json:"phases"`
	Results map[string]any `json:"results"`
	Timing  map[string]any `json:"timing"`
	Status  string         `json:"status"`
	Error   any            `json:"error"`
}

// orderedPhases keeps the phases object's keys in the order of the file.
type orderedPhases struct {
	names  []string
	fields map[string]map[string]any
}

func (p *orderedPhases) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("phases: want an object, got %v (%v)", tok, err)
	}
	p.fields = map[string]map[string]any{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var fields map[string]any
		if err := dec.Decode(&fields); err != nil {
			return fmt.Errorf("phase %q: %w", name, err)
		}
		p.names = append(p.names, name)
		p.fields[name] = fields
	}
	_, err := dec.Token()
	return err
}

// runBenchmark starts a run of b at size from ctx through a real SDK
// writing into a temporary directory, does work in it, and returns the
// run's log and error.
func runBenchmark(t *testing.T, ctx context.Context, b Benchmark, size Size, work func(run *sdk.Run) error) (runLog, error) {
	t.Helper()
	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
	require.NoError(t, err)
	run := bt.Start(ctx, b.Name, b.Options(size)...)
	runErr := work(run)
	run.End(runErr)
	require.NoError(t, bt.Shutdown(context.Background()))

	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one log per run")
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var log runLog
	require.NoError(t, json.Unmarshal(data, &log), "%s", data)
	return log, runErr
}

func TestBenchmarksThroughSDK(t *testing.T) {
	for _, c := range []struct {
		name      string
		phases    []string
		mainPhase string
		check     func(t *testing.T, log runLog)
	}{
		{
			name: "mlp_polyrelu_synthetic",
			phases: []string{"initialization", "data_loading", "fit", "cleartext_inference", "compile",
				"encode", "encrypt", "inference", "decrypt", "decode"},
			mainPhase: "inference",
			check: func(t *testing.T, log runLog) {
				assertAccuracy(t, log)
				compile := log.Phases.fields["compile"]
				assert.EqualValues(t, mlpConfigFor(Small).degree, compile["poly_degree"])
				assert.Greater(t, compile["input_level"], 0.0)
				assert.Greater(t, compile["input_range"], 0.0)
				assert.Greater(t, log.Phases.fields["fit"]["train_accuracy"], 0.5)
				assert.Greater(t, log.Results["cleartext_accuracy"], 0.5)
				assert.Greater(t, log.Results["approximate_accuracy"], 0.5)
				assert.Greater(t, log.Results["argmax_agreement"], 0.9)
				assert.EqualValues(t, 0, log.Phases.fields["inference"]["activations_out_of_range"])
				assert.Equal(t, "MLP-3 poly-ReLU", log.Model["name"])
				assert.EqualValues(t, Seed, log.Model["seed"])
				load := log.Phases.fields["data_loading"]
				assert.Equal(t, fmt.Sprintf("synthetic-classification-32d-8c (train %v, test %v)", load["train_samples"], load["test_samples"]),
					log.Model["dataset"], "the data set's real size")
				assert.Equal(t, fmt.Sprintf("MLP 32-64-64-8, ReLU as a degree-%v polynomial", compile["poly_degree"]), log.Model["architecture"])
			},
		},
		{
			name:      "kmeans_embeddings",
			phases:    []string{"data_loading", "fit", "inference", "evaluate"},
			mainPhase: "fit",
			check: func(t *testing.T, log runLog) {
				assert.GreaterOrEqual(t, log.Results["purity"], 0.95)
				assert.GreaterOrEqual(t, log.Results["ari"], 0.9)
				assert.Greater(t, log.Results["inertia"], 0.0)
				assert.Greater(t, log.Phases.fields["fit"]["iterations"], 0.0)
				load := log.Phases.fields["data_loading"]
				n := load["fit_samples"].(float64) + load["held_out_samples"].(float64)
				assert.Equal(t, fmt.Sprintf("synthetic-embeddings-clustered-%vd (n=%v, %v clusters)", load["dim"], n, load["clusters"]),
					log.Model["dataset"], "the data set's real size")
			},
		},
		{
			name:      "int8_gemm_quantized",
			phases:    []string{"data_loading", "cleartext_inference", "quantize", "inference"},
			mainPhase: "inference",
			check: func(t *testing.T, log runLog) {
				assertAccuracy(t, log)
				assert.Less(t, log.Results["relative_error"], 0.05)
				assert.Equal(t, "synthetic-gaussian-128x128x256", log.Model["dataset"])
				assert.EqualValues(t, 128, log.Model["batch_size"], "the small product's rows")
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, ok := Lookup(c.name)
			require.True(t, ok)
			ctx := context.Background()
			log, err := runBenchmark(t, ctx, b, Small, func(run *sdk.Run) error {
				return b.Run(ctx, run, Small)
			})
			require.NoError(t, err)
			assert.Equal(t, "success", log.Status)
			assert.Nil(t, log.Error)
			assert.Equal(t, c.phases, log.Phases.names, "phases in order")
			for _, name := range log.Phases.names {
				ph := log.Phases.fields[name]
				assert.Equal(t, "success", ph["status"], name)
				assert.GreaterOrEqual(t, ph["duration_seconds"], 0.0, name)
			}
			assert.Contains(t, log.Timing, c.mainPhase+"_only")
			assert.Equal(t, c.mainPhase, b.MainPhase)
			small := b.Model(Small)
			assert.Equal(t, small.Dataset, log.Model["dataset"], "the data set of the small run")
			assert.Equal(t, small.Architecture, log.Model["architecture"])
			if small.BatchSize != 0 {
				assert.EqualValues(t, small.BatchSize, log.Model["batch_size"])
			}
			c.check(t, log)
		})
	}
}

// assertAccuracy checks that the run recorded a real approximation error.
func assertAccuracy(t *testing.T, log runLog) {
	t.Helper()
	mae, ok := log.Results["mae"].(float64)
	require.True(t, ok, "results.mae is a number: %v", log.Results["mae"])
	assert.Greater(t, mae, 0.0)
	assert.False(t, math.IsInf(mae, 0) || math.IsNaN(mae))
	bits, ok := log.Results["precision_bits"].(float64)
	require.True(t, ok)
	assert.InDelta(t, -math.Log2(mae), bits, 1e-9)
	t.Logf("MAE %.4g, %.2f bits of precision", mae, bits)
}

// TestTamperedCiphertextFailsRun checks that an altered ciphertext fails
// the inference phase, and with it the run, with the authentication error.
func TestTamperedCiphertextFailsRun(t *testing.T) {
	b, _ := Lookup("mlp_polyrelu_synthetic")
	p := newPolyReLU(mlpConfigFor(Small))
	log, err := runBenchmark(t, context.Background(), b, Small, func(run *sdk.Run) error {
		if err := phases(context.Background(), run,
			step{"initialization", p.initialize},
			step{"data_loading", p.loadData},
			step{"fit", p.fit},
			step{"compile", p.compile},
			step{"encode", p.encode},
			step{"encrypt", p.encrypt},
		); err != nil {
			return err
		}
		p.inputs[3][0] ^= 0x80
		return phases(context.Background(), run, step{"inference", p.infer})
	})
	require.ErrorIs(t, err, sealed.ErrAuth)
	assert.Equal(t, "failed", log.Status)
	assert.Equal(t, "failed", log.Phases.fields["inference"]["status"])
	assert.Equal(t, "success", log.Phases.fields["encrypt"]["status"])
	assert.Contains(t, fmt.Sprint(log.Error), "message authentication failed")
}

// TestCancelledRunStops checks that a benchmark stops with the context's
// error: before the first phase when the context given to Run is done, and
// in the first phase that checks when the run's context is.
func TestCancelledRunStops(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, name := range []string{"mlp_polyrelu_synthetic", "kmeans_embeddings"} {
		t.Run(name, func(t *testing.T) {
			b, _ := Lookup(name)
			log, err := runBenchmark(t, context.Background(), b, Small, func(run *sdk.Run) error {
				return b.Run(cancelled, run, Small)
			})
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, "failed", log.Status)
			assert.Empty(t, log.Phases.names)

			log, err = runBenchmark(t, cancelled, b, Small, func(run *sdk.Run) error {
				return b.Run(context.Background(), run, Small)
			})
			assert.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, "failed", log.Status)
			assert.Equal(t, "failed", log.Phases.fields["fit"]["status"])
			assert.NotContains(t, log.Phases.names, "inference", "no phase runs after the failed one")
		})
	}
}

// TestDefaultSizeDurations runs every benchmark at Default size through the
// SDK and logs its timing and results, for tuning the sizes. It takes
// seconds, so it runs only when BENCHTRACE_DEFAULT_SIZE is set:
//
//	BENCHTRACE_DEFAULT_SIZE=1 go test -run DefaultSize -v ./bench/examples/
func TestDefaultSizeDurations(t *testing.T) {
	if os.Getenv("BENCHTRACE_DEFAULT_SIZE") == "" {
		t.Skip("set BENCHTRACE_DEFAULT_SIZE=1 to run the benchmarks at Default size")
	}
	for _, b := range All() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			log, err := runBenchmark(t, ctx, b, Default, func(run *sdk.Run) error { return b.Run(ctx, run, Default) })
			require.NoError(t, err)
			assert.Equal(t, "success", log.Status)
			t.Logf("total %.2fs", log.Timing["total_duration_seconds"])
			for _, name := range log.Phases.names {
				ph := log.Phases.fields[name]
				t.Logf("  %-20s %7.3fs wall %7.3fs user CPU", name, ph["duration_seconds"], ph["cpu_user_seconds"])
			}
			for _, k := range []string{"mae", "precision_bits", "cleartext_accuracy", "approximate_accuracy", "purity", "ari", "relative_error"} {
				if v, ok := log.Results[k]; ok {
					t.Logf("  results.%s = %v", k, v)
				}
			}
		})
	}
}
