package sdk_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

func newBT(t *testing.T, opts ...sdk.Option) (*sdk.Benchtrace, string) {
	t.Helper()
	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), append([]sdk.Option{sdk.WithLogDir(dir)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = bt.Shutdown(context.Background()) })
	return bt, dir
}

// logs reads every log in dir.
func logs(t *testing.T, dir string) []*benchlog.Log {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	var out []*benchlog.Log
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		l, err := benchlog.Decode(data)
		require.NoError(t, err, f)
		out = append(out, l)
	}
	return out
}

func onlyLog(t *testing.T, dir string) *benchlog.Log {
	t.Helper()
	all := logs(t, dir)
	require.Len(t, all, 1)
	return all[0]
}

// burn does real CPU work for about n hash rounds.
func burn(n int) [32]byte {
	var sum [32]byte
	for range n {
		sum = sha256.Sum256(sum[:])
	}
	return sum
}

func field[T any](t *testing.T, o benchlog.Object, key string) T {
	t.Helper()
	v, ok := o.Get(key)
	require.True(t, ok, "missing key %q in %v", key, o)
	x, ok := v.(T)
	require.True(t, ok, "key %q: got %T", key, v)
	return x
}

func TestRunWritesSeedLog(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	bt, dir := newBT(t, sdk.WithSpanProcessor(rec))
	run := bt.Start(context.Background(), "resnet20_relu_cifar10",
		sdk.WithModel(sdk.Model{Name: "ResNet-20", Architecture: "ResNet20", Dataset: "CIFAR-10", BatchSize: 1, Seed: 42}),
		sdk.WithConfigFile("../configs/resnet.yml"),
		sdk.WithMainPhase("inference"),
		sdk.WithFramework("gonum", "v0.17.0"),
	)
	require.NoError(t, run.Phase("initialization", func(ctx context.Context) error { burn(1000); return nil }))
	require.NoError(t, run.Phase("fit", func(ctx context.Context) error {
		burn(200_000)
		return sdk.PhaseFromContext(ctx).Phase("epoch", func(context.Context) error { burn(1000); return nil })
	}))
	ph := run.StartPhase("compile")
	ph.SetAttributes(attribute.Int("input_level", 14))
	burn(1000)
	ph.End(nil)
	require.NoError(t, run.Phase("inference", func(context.Context) error { burn(50_000); return nil }))
	acc, err := run.RecordAccuracy([]float64{1, 2, 3, 4}, []float64{1.5, 2, 3, 4})
	require.NoError(t, err)
	assert.Equal(t, 0.125, acc.MAE)
	assert.Equal(t, 3.0, acc.PrecisionBits)
	run.End(nil)

	l := onlyLog(t, dir)
	assert.Equal(t, "success", l.Status)
	assert.Empty(t, l.Error)
	assert.Equal(t, "resnet20_relu_cifar10", field[string](t, l.Metadata, "benchmark_name"))
	assert.Equal(t, run.TraceID(), field[string](t, l.Metadata, "run_id"))
	assert.Equal(t, runtime.Version(), field[string](t, l.Metadata, "go_version"))
	assert.Equal(t, "v0.17.0", field[string](t, l.Metadata, "gonum_version"))
	assert.Equal(t, "../configs/resnet.yml", field[string](t, l.Metadata, "config_file"))
	assert.Equal(t, float64(runtime.NumCPU()), field[float64](t, l.Metadata, "cpu_count"))
	assert.NotEmpty(t, field[string](t, l.Metadata, "hostname"))
	assert.Greater(t, field[float64](t, l.Metadata, "memory_total_bytes"), 0.0)
	assert.Equal(t, benchlog.Object{{Key: "name", Value: "ResNet-20"}, {Key: "architecture", Value: "ResNet20"}, {Key: "dataset", Value: "CIFAR-10"}, {Key: "batch_size", Value: 1.0}, {Key: "seed", Value: 42.0}}, l.Model)

	var names []string
	for _, p := range l.Phases {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"initialization", "fit", "epoch", "compile", "inference"}, names)
	fit, _ := l.Phases.Get("fit")
	assert.Greater(t, field[float64](t, fit.Fields, "cpu_user_seconds"), 0.01, "fit burned CPU")
	assert.GreaterOrEqual(t, field[float64](t, fit.Fields, "peak_rss_bytes"), field[float64](t, fit.Fields, "rss_start_bytes"))
	for _, k := range []string{"duration_seconds", "cpu_system_seconds", "cpu_children_seconds", "memory_change_bytes", "go_heap_alloc_bytes", "go_gc_cycles"} {
		assert.True(t, fit.Fields.Has(k), k)
	}
	epoch, _ := l.Phases.Get("epoch")
	assert.Equal(t, "fit", field[string](t, epoch.Fields, "parent"))
	compile, _ := l.Phases.Get("compile")
	assert.Equal(t, 14.0, field[float64](t, compile.Fields, "input_level"))

	assert.Equal(t, 0.125, field[float64](t, l.Results, "mae"))
	assert.Equal(t, 3.0, field[float64](t, l.Results, "precision_bits"))
	inf, _ := l.Phases.Get("inference")
	assert.Equal(t, field[float64](t, inf.Fields, "duration_seconds"), field[float64](t, l.Timing, "inference_only"))
	total := field[float64](t, l.Timing, "total_duration_seconds")
	assert.Greater(t, total, field[float64](t, l.Timing, "inference_only")+field[float64](t, l.Timing, "preprocessing_total")-1e-9)

	// One trace: a root and a span per phase below it.
	spans := rec.Ended()
	require.Len(t, spans, 6)
	root := spans[len(spans)-1]
	assert.False(t, root.Parent().IsValid())
	for _, s := range spans[:5] {
		assert.Equal(t, root.SpanContext().TraceID(), s.SpanContext().TraceID())
		if s.Name() == "epoch" {
			continue
		}
		assert.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID(), s.Name())
	}
	// The span's reported duration is the measured one, and the span covers it.
	for _, s := range spans[:5] {
		for _, kv := range s.Attributes() {
			if kv.Key == semconv.PhaseDuration {
				assert.LessOrEqual(t, kv.Value.AsFloat64(), s.EndTime().Sub(s.StartTime()).Seconds())
			}
		}
	}
}

func TestPhaseFailureAndPanic(t *testing.T) {
	bt, dir := newBT(t)
	run := bt.Start(context.Background(), "failing")
	errBoom := errors.New("boom")
	assert.ErrorIs(t, run.Phase("encrypt", func(context.Context) error { return errBoom }), errBoom)
	err := run.Phase("decrypt", func(context.Context) error {
		var m map[string]int
		m["x"] = 1 // panics
		return nil
	})
	var pe *sdk.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Stack, "sdk_test.go")
	open := run.StartPhase("never_ended")
	run.End(err)
	open.End(nil) // after the run: does nothing

	l := onlyLog(t, dir)
	assert.Equal(t, "failed", l.Status)
	assert.Contains(t, l.Error, "assignment to entry in nil map")
	assert.Contains(t, l.Error, "goroutine", "the stack trace is in the log")
	enc, _ := l.Phases.Get("encrypt")
	assert.Equal(t, "failed", field[string](t, enc.Fields, "status"))
	assert.Equal(t, "boom", field[string](t, enc.Fields, "error"))
	dec, _ := l.Phases.Get("decrypt")
	assert.Equal(t, "failed", field[string](t, dec.Fields, "status"))
	never, ok := l.Phases.Get("never_ended")
	require.True(t, ok)
	assert.Contains(t, field[string](t, never.Fields, "error"), "still open when the run ended")
}

func TestConcurrentRuns(t *testing.T) {
	bt, dir := newBT(t)
	var wg sync.WaitGroup
	const runs = 4
	for i := range runs {
		wg.Go(func() {
			run := bt.Start(context.Background(), "concurrent")
			var pw sync.WaitGroup
			for j := range 3 {
				pw.Go(func() {
					_ = run.Phase("worker", func(context.Context) error { burn(1000 * (i + j + 1)); return nil })
				})
			}
			pw.Wait()
			run.SetResults(attribute.Int("run", i))
			run.End(nil)
		})
	}
	wg.Wait()
	all := logs(t, dir)
	require.Len(t, all, runs, "runs started in the same second get distinct files")
	seen := map[float64]bool{}
	for _, l := range all {
		assert.Equal(t, "success", l.Status)
		assert.Len(t, l.Phases, 3)
		seen[field[float64](t, l.Results, "run")] = true
	}
	assert.Len(t, seen, runs)
}

func TestHostileBenchmarkNames(t *testing.T) {
	bt, dir := newBT(t)
	names := []string{"../x", "/", "a/../../b", "nul\x00", strings.Repeat("x", 10_000), "ベンチマーク", ".."}
	for _, n := range names {
		run := bt.Start(context.Background(), n)
		require.NoError(t, run.Phase("p", func(context.Context) error { return nil }))
		run.End(nil)
	}
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, files, len(names))
	got := map[string]bool{}
	for _, l := range logs(t, dir) {
		got[field[string](t, l.Metadata, "benchmark_name")] = true
	}
	for _, n := range names {
		assert.True(t, got[n], "the log keeps the real name %q", n[:min(len(n), 20)])
	}
	parentEntries, err := os.ReadDir(filepath.Dir(dir))
	require.NoError(t, err)
	assert.Len(t, parentEntries, 1, "nothing written beside the log directory")
}

func TestPeakMemoryOfTransientAllocation(t *testing.T) {
	bt, dir := newBT(t)
	run := bt.Start(context.Background(), "peak")
	const size = 256 << 20
	require.NoError(t, run.Phase("alloc", func(context.Context) error {
		b := make([]byte, size)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		runtime.KeepAlive(b)
		return nil
	}))
	runtime.GC()
	debug.FreeOSMemory()
	require.NoError(t, run.Phase("after", func(context.Context) error { burn(100); return nil }))
	run.End(nil)
	l := onlyLog(t, dir)
	alloc, _ := l.Phases.Get("alloc")
	after, _ := l.Phases.Get("after")
	peak := field[float64](t, alloc.Fields, "peak_rss_bytes")
	start := field[float64](t, alloc.Fields, "rss_start_bytes")
	assert.GreaterOrEqual(t, peak-start, float64(200<<20), "the 256 MiB allocation shows in the peak")
	assert.Less(t, field[float64](t, after.Fields, "peak_rss_bytes"), peak-float64(100<<20), "a later phase does not inherit the peak")
	assert.GreaterOrEqual(t, field[float64](t, alloc.Fields, "go_heap_alloc_bytes"), float64(size))
}

func TestChildProcessCPU(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	bt, dir := newBT(t)
	run := bt.Start(context.Background(), "child")
	require.NoError(t, run.Phase("spawn", func(ctx context.Context) error {
		return exec.CommandContext(ctx, "sh", "-c", `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`).Run()
	}))
	run.End(nil)
	spawn, _ := onlyLog(t, dir).Phases.Get("spawn")
	children := field[float64](t, spawn.Fields, "cpu_children_seconds")
	assert.Greater(t, children, 0.05)
	assert.GreaterOrEqual(t, field[float64](t, spawn.Fields, "cpu_user_seconds")+field[float64](t, spawn.Fields, "cpu_system_seconds"), children)
}

func TestAccuracy(t *testing.T) {
	tests := []struct {
		name      string
		ref, out  []float64
		mae, bits float64
		err       bool
	}{
		{"exact", []float64{1, 2}, []float64{1, 2}, 0, posInf, false},
		{"quarter", []float64{0, 0}, []float64{0.25, -0.25}, 0.25, 2, false},
		{"above one", []float64{0}, []float64{4}, 4, -2, false},
		{"length", []float64{1}, []float64{1, 2}, 0, 0, true},
		{"empty", nil, nil, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc, err := sdk.ComputeAccuracy(tt.ref, tt.out)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.mae, acc.MAE)
			assert.Equal(t, tt.bits, acc.PrecisionBits)
			assert.Equal(t, len(tt.ref), acc.Samples)
		})
	}
	long := make([]float64, 100)
	acc, err := sdk.ComputeAccuracy(long, long)
	require.NoError(t, err)
	assert.Len(t, acc.OutputSample, sdk.SampleSize)
	assert.True(t, isNaN(sdk.PrecisionBits(nan)))
}

var (
	posInf = 1 / zero
	nan    = zero / zero
	zero   = 0.0
)

func isNaN(f float64) bool { return f != f }

func TestNonFiniteResultsStayValidJSON(t *testing.T) {
	bt, dir := newBT(t)
	run := bt.Start(context.Background(), "nan")
	_, err := run.RecordAccuracy([]float64{1, 2}, []float64{nan, posInf})
	require.NoError(t, err)
	run.SetResults(attribute.Float64("exact_precision", posInf))
	run.End(nil)
	l := onlyLog(t, dir) // decodes: valid JSON
	v, ok := l.Results.Get("mae")
	assert.True(t, ok)
	assert.Nil(t, v, "NaN is written as null")
}
