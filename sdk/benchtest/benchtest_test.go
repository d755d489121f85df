package benchtest_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/benchtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// runBenchmark runs f with testing.Benchmark for exactly n iterations.
func runBenchmark(t *testing.T, n string, f func(b *testing.B)) testing.BenchmarkResult {
	t.Helper()
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	require.NoError(t, bt.Value.Set(n))
	t.Cleanup(func() { _ = bt.Value.Set(old) })
	return testing.Benchmark(f)
}

// newBT returns a Benchtrace writing logs into a new directory.
func newBT(t *testing.T) (*sdk.Benchtrace, string) {
	t.Helper()
	dir := t.TempDir()
	bt, err := sdk.New(t.Context(), sdk.WithLogDir(dir))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, bt.Shutdown(context.Background())) })
	return bt, dir
}

// readLogs reads the logs of testing.Benchmark's benchmarks in dir.
func readLogs(t *testing.T, dir string) []*benchlog.Log {
	t.Helper()
	return logsByBenchmark(t, dir)[benchName]
}

// benchName is the name testing.Benchmark's benchmarks are logged under.
const benchName = "Benchmark"

var sink []byte

func TestReportsMetricsAndRecordsRun(t *testing.T) {
	bt, dir := newBT(t)
	res := runBenchmark(t, "20x", func(b *testing.B) {
		r := benchtest.New(b, benchtest.WithBenchtrace(bt),
			benchtest.WithRunOptions(sdk.WithModel(sdk.Model{Name: "sha", Dataset: "zeros"})))
		var data []byte
		r.Phase("data_loading", func() { data = make([]byte, 1<<20) })
		r.Measure("copy")
		for b.Loop() {
			sink = append([]byte(nil), data[:4096]...) // 4 KiB on the heap per iteration
		}
	})
	require.Equal(t, 20, res.N)
	assert.Greater(t, res.Extra["cpu-ns/op"], 0.0)
	assert.GreaterOrEqual(t, res.Extra["heap-B/op"], 4096.0)
	assert.Less(t, res.Extra["heap-B/op"], 2*4096.0, "the 1 MiB of data_loading is not in the loop's")
	assert.Greater(t, res.Extra["peak-RSS-B"], float64(1<<20))

	logs := readLogs(t, dir)
	require.Len(t, logs, 1, "testing.Benchmark calls a b.Loop benchmark once")
	l := logs[0]
	assert.Equal(t, "success", l.Status)
	name, _ := l.Model.String("name")
	assert.Equal(t, "sha", name)
	assert.True(t, l.Metadata.Has("gomaxprocs"))
	var phases []string
	for _, p := range l.Phases {
		phases = append(phases, p.Name)
	}
	assert.Equal(t, []string{"data_loading", "copy"}, phases)
	cp, _ := l.Phases.Get("copy")
	iters, _ := cp.Fields.Int("iterations")
	assert.EqualValues(t, 20, iters)
	peak, _ := cp.Fields.Float("peak_rss_bytes")
	assert.Equal(t, res.Extra["peak-RSS-B"], peak, "the log and go test report the same peak")
	assert.True(t, l.Timing.Has("copy_only"), "the measured phase is the main phase")
}

func TestRunOutcome(t *testing.T) {
	tests := []struct {
		name       string
		bench      func(b *testing.B, r *benchtest.B)
		wantStatus string
		wantError  string
		wantPhases map[string]string
		wantMetric bool
	}{
		{
			name: "success",
			bench: func(b *testing.B, r *benchtest.B) {
				r.Measure("loop")
				for b.Loop() {
				}
			},
			wantStatus: "success",
			wantPhases: map[string]string{"loop": "success"},
			wantMetric: true,
		},
		{
			name: "b.Error after the loop",
			bench: func(b *testing.B, r *benchtest.B) {
				r.Measure("loop")
				for b.Loop() {
				}
				b.Error("wrong result")
			},
			wantStatus: "failed",
			wantError:  "benchmark failed",
			wantPhases: map[string]string{"loop": "failed"},
		},
		{
			name: "b.Fatal in a phase",
			bench: func(b *testing.B, r *benchtest.B) {
				r.Phase("setup", func() { b.Fatal("no data") })
				r.Measure("loop")
				for b.Loop() {
				}
			},
			wantStatus: "failed",
			wantError:  `phase "setup" did not return`,
			wantPhases: map[string]string{"setup": "failed"},
		},
		{
			name: "b.Skip",
			bench: func(b *testing.B, r *benchtest.B) {
				b.Skip("not on this machine")
			},
			wantStatus: "failed",
			wantError:  "benchmark skipped",
			wantPhases: map[string]string{},
		},
		{
			name: "a phase after the loop ends the measured phase",
			bench: func(b *testing.B, r *benchtest.B) {
				r.Measure("loop")
				for b.Loop() {
				}
				r.Phase("check", func() {})
			},
			wantStatus: "success",
			wantPhases: map[string]string{"loop": "success", "check": "success"},
			wantMetric: true,
		},
		{
			name: "no Measure: a run, no metrics",
			bench: func(b *testing.B, r *benchtest.B) {
				for b.Loop() {
				}
			},
			wantStatus: "success",
			wantPhases: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt, dir := newBT(t)
			res := runBenchmark(t, "5x", func(b *testing.B) { tt.bench(b, benchtest.New(b, benchtest.WithBenchtrace(bt))) })
			_, ok := res.Extra["cpu-ns/op"]
			assert.Equal(t, tt.wantMetric, ok, "metrics in %v", res.Extra)
			logs := readLogs(t, dir)
			require.Len(t, logs, 1)
			l := logs[0]
			assert.Equal(t, tt.wantStatus, l.Status)
			assert.Contains(t, l.Error, tt.wantError)
			got := map[string]string{}
			for _, p := range l.Phases {
				got[p.Name], _ = p.Fields.String("status")
			}
			assert.Equal(t, tt.wantPhases, got)
		})
	}
}

func TestLogsOnlyWhenAsked(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd) // where sdk.New's default ./logs would go
	bench := func(b *testing.B) {
		benchtest.New(b).Measure("loop")
		for b.Loop() {
		}
	}

	t.Setenv(benchtest.EnvLogDir, "")
	res := runBenchmark(t, "3x", bench)
	assert.Contains(t, res.Extra, "peak-RSS-B", "measured all the same")
	entries, err := os.ReadDir(cwd)
	require.NoError(t, err)
	assert.Empty(t, entries, "no logs")

	dir := filepath.Join(t.TempDir(), "benchlogs")
	t.Setenv(benchtest.EnvLogDir, dir)
	runBenchmark(t, "3x", bench)
	assert.Len(t, readLogs(t, dir), 1)
}
