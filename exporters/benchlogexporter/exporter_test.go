package benchlogexporter

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/zap/zapcore"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

func TestComponentConfigStruct(t *testing.T) {
	require.NoError(t, componenttest.CheckConfigStruct(NewFactory().CreateDefaultConfig()))
	assert.Equal(t, metadata.Type, NewFactory().Type())
}

// TestLifecycle goes through the factory: create, start, consume, shutdown.
func TestLifecycle(t *testing.T) {
	dir := t.TempDir()
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Directory = dir
	cfg.TimeZone = "UTC"
	require.NoError(t, cfg.Validate())

	ctx := context.Background()
	exp, err := f.CreateTraces(ctx, exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(ctx, componenttest.NewNopHost()))

	run := newTestRun(1, "resnet20")
	td := batch(fullRun(run)...)
	td.MarkReadOnly()
	require.NoError(t, exp.ConsumeTraces(ctx, td))
	require.NoError(t, exp.Shutdown(ctx))
	require.NoError(t, exp.Shutdown(ctx), "a second Shutdown is a no-op")

	name, l := onlyLog(t, dir)
	assert.Equal(t, "resnet20_20250109_123456.json", name)
	assert.Equal(t, semconv.StatusSuccess, l.Status)
	assert.Equal(t, phaseNames, phaseKeys(l))
	assert.Empty(t, walFiles(t, dir), "no WAL for a run complete in one batch")
}

func TestShutdownWithoutStart(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Directory = t.TempDir()
	exp, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Shutdown(context.Background()))
}

func TestCompleteRun(t *testing.T) {
	e := newTestExporter(t, "", nil)
	run := newTestRun(1, "resnet20")
	e.consume(t, fullRun(run)...)

	name, l := onlyLog(t, e.dir)
	assert.Equal(t, "resnet20_20250109_123456.json", name)
	assert.Equal(t, semconv.StatusSuccess, l.Status)
	assert.Equal(t, phaseNames, phaseKeys(l))
	host, _ := l.Metadata.String(benchlog.KeyHostname)
	assert.Equal(t, "bench-host", host)
	goVersion, _ := l.Metadata.String("go_version")
	assert.Equal(t, "go1.26.8", goVersion)
	cuda, _ := l.Metadata.Bool(benchlog.KeyCUDA)
	assert.True(t, cuda)
	runID, _ := l.Metadata.String(benchlog.KeyRunID)
	assert.Equal(t, run.tid.String(), runID)
	mae, _ := l.Results.Float(benchlog.KeyMAE)
	assert.Equal(t, 0.001, mae)
	main, _ := l.Timing.Float("fhe_inference_only")
	assert.InDelta(t, 0.99, main, 1e-9)
	total, _ := l.Timing.Float(benchlog.KeyTotalDuration)
	assert.InDelta(t, 12.0, total, 1e-9)
	fit, _ := l.Phases.Get("keygen")
	assert.Equal(t, "hwm", must(fit.Fields.String(benchlog.KeyPeakSource)))
	assert.Equal(t, int64(14), must(fit.Fields.Int("input_level")))
	assert.Equal(t, int64(1), counter(t, e, "otelcol_exporter_benchlog_logs_written"))
}

func must[T any](v T, _ bool) T { return v }

// TestOutOfOrder sends the spans of a run in many orders and batchings; the
// final log is always the same, in one file.
func TestOutOfOrder(t *testing.T) {
	run := newTestRun(1, "resnet20")
	spans := fullRun(run) // 12 phases, root last
	root := len(spans) - 1

	ref := newTestExporter(t, "", nil)
	ref.consume(t, fullRun(run)...)
	_, want := onlyLog(t, ref.dir)

	tests := []struct {
		name    string
		batches [][]int // indices into spans
		checks  func(t *testing.T, e *testExporter, step int)
	}{
		{
			name:    "one phase per batch, root last",
			batches: [][]int{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {root}},
			checks: func(t *testing.T, e *testExporter, step int) {
				_, l := onlyLog(t, e.dir)
				if step < root {
					assert.Equal(t, semconv.StatusRunning, l.Status, "checkpoint after batch %d", step)
					assert.Len(t, l.Phases, step+1)
					assert.NotEmpty(t, walFiles(t, e.dir), "pending spans are in the WAL")
				}
			},
		},
		{
			name:    "root first, then the phases",
			batches: [][]int{{root}, {0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}},
			checks: func(t *testing.T, e *testExporter, step int) {
				_, l := onlyLog(t, e.dir)
				assert.Equal(t, semconv.StatusSuccess, l.Status)
				assert.Empty(t, pendingWAL(t, e.dir), "a run with its root needs no WAL")
			},
		},
		{
			name:    "straggler phase after the root",
			batches: [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11}, {root}, {10}},
		},
		{
			name:    "reversed, across batches",
			batches: [][]int{{11, 10, 9}, {root, 8, 7}, {6, 5, 4, 3, 2, 1}, {0}},
		},
		{
			name:    "every span delivered twice",
			batches: [][]int{{0, 1, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7}, {8, 9, 10, 11, root}, {root, 11}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestExporter(t, "", nil)
			for step, b := range tt.batches {
				var tds []ptrace.Traces
				for _, i := range b {
					td := ptrace.NewTraces()
					spans[i].CopyTo(td)
					tds = append(tds, td)
				}
				e.consume(t, tds...)
				if tt.checks != nil {
					tt.checks(t, e, step)
				}
			}
			name, got := onlyLog(t, e.dir)
			assert.Equal(t, "resnet20_20250109_123456.json", name)
			assert.Equal(t, want, got)
			assert.Empty(t, pendingWAL(t, e.dir))
			assert.Zero(t, partialLogs(t, e))
		})
	}
}

// TestRenameOnRoot: the checkpoint is named after the first phase; the
// root, which started a few seconds earlier, gives the final name.
func TestRenameOnRoot(t *testing.T) {
	e := newTestExporter(t, "", nil)
	run := newTestRun(1, "bench")
	run.start = t0.Add(-5 * time.Second) // phases at t0-5s+…
	late := run
	late.start = t0.Add(-10 * time.Second)

	e.consume(t, run.phase(6, "p6", nil)) // starts at t0
	assert.Equal(t, []string{"bench_20250109_123456.json"}, logFiles(t, e.dir))
	e.consume(t, late.root(time.Minute, nil))
	assert.Equal(t, []string{"bench_20250109_123446.json"}, logFiles(t, e.dir))
	_, l := onlyLog(t, e.dir)
	assert.Equal(t, semconv.StatusSuccess, l.Status)
	assert.Len(t, l.Phases, 1)
}

func TestIdleTimeout(t *testing.T) {
	e := newTestExporter(t, "", func(c *Config) { c.IdleTimeout = 50 * time.Millisecond })
	run := newTestRun(1, "bench")
	spans := fullRun(run)
	e.consume(t, spans[:3]...)

	require.Eventually(t, func() bool { return partialLogs(t, e) == 1 }, 5*time.Second, 5*time.Millisecond)
	name, l := onlyLog(t, e.dir)
	assert.Equal(t, semconv.StatusIncomplete, l.Status)
	assert.Len(t, l.Phases, 3)
	assert.Equal(t, 1, e.logs.FilterMessageSnippet("without its root span").Len())

	// The rest of the run, root included, still reaches the same file.
	e.consume(t, spans[3:]...)
	name2, l := onlyLog(t, e.dir)
	assert.Equal(t, name, name2)
	assert.Equal(t, semconv.StatusSuccess, l.Status)
	assert.Len(t, l.Phases, 12)
	assert.Empty(t, pendingWAL(t, e.dir))
}

func TestShutdownWritesPending(t *testing.T) {
	dir := t.TempDir()
	e := newTestExporter(t, dir, func(c *Config) { c.Checkpoints = false })
	run := newTestRun(1, "bench")
	spans := fullRun(run)
	e.consume(t, spans[:4]...)
	assert.Empty(t, logFiles(t, dir), "no checkpoints")

	require.NoError(t, e.Shutdown(context.Background()))
	name, l := onlyLog(t, dir)
	assert.Equal(t, semconv.StatusIncomplete, l.Status)
	assert.Len(t, l.Phases, 4)
	assert.Equal(t, int64(1), partialLogs(t, e))
	assert.Len(t, walFiles(t, dir), 1, "the run is not final: its WAL stays")
	assert.ErrorIs(t, e.ConsumeTraces(context.Background(), spans[4]), errNotStarted)

	// A restarted collector goes on with the run, in the same file.
	e2 := newTestExporter(t, dir, func(c *Config) { c.Checkpoints = false })
	assert.Equal(t, 0, e2.runs.pending.Len())
	assert.Equal(t, 1, e2.runs.written.Len())
	e2.consume(t, spans[4:]...)
	name2, l := onlyLog(t, dir)
	assert.Equal(t, name, name2)
	assert.Equal(t, semconv.StatusSuccess, l.Status)
	assert.Len(t, l.Phases, 12)
	assert.Empty(t, pendingWAL(t, dir))
}

func TestWALReplayAfterCrash(t *testing.T) {
	for _, checkpoints := range []bool{false, true} {
		t.Run("checkpoints="+map[bool]string{false: "off", true: "on"}[checkpoints], func(t *testing.T) {
			dir := t.TempDir()
			mod := func(c *Config) { c.Checkpoints = checkpoints }
			runA, runB := newTestRun(1, "a"), newTestRun(2, "b")
			spansA, spansB := fullRun(runA), fullRun(runB)

			e := newTestExporter(t, dir, mod)
			e.consume(t, spansA[0], spansB[0])
			e.consume(t, spansA[1:5]...)
			e.consume(t, spansB[1:12]...)
			e.crash() // SIGKILL: no shutdown, nothing flushed
			assert.Len(t, walFiles(t, dir), 2)

			e2 := newTestExporter(t, dir, mod)
			assert.Equal(t, 2, e2.runs.pending.Len(), "both runs pending again")
			assertCounter(t, e2, "otelcol_exporter_benchlog_pending_runs", 2)
			e2.consume(t, spansA[5:]...) // the rest of run a, root included
			require.NoError(t, e2.Shutdown(context.Background()))
			assertCounter(t, e2, "otelcol_exporter_benchlog_pending_runs", 0)

			files := logFiles(t, dir)
			require.Len(t, files, 2)
			la := readLog(t, filepath.Join(dir, "a_20250109_123456.json"))
			assert.Equal(t, semconv.StatusSuccess, la.Status)
			assert.Equal(t, phaseNames, phaseKeys(la))
			lb := readLog(t, filepath.Join(dir, "b_20250109_123456.json"))
			assert.Equal(t, semconv.StatusIncomplete, lb.Status, "run b's root never came")
			assert.Equal(t, phaseNames, phaseKeys(lb))
			assert.Equal(t, []string{runB.tid.String() + walExt}, pendingWAL(t, dir))
		})
	}
}

func TestWALTornTail(t *testing.T) {
	dir := t.TempDir()
	run := newTestRun(1, "bench")
	spans := fullRun(run)
	e := newTestExporter(t, dir, nil)
	e.consume(t, spans[0])
	e.consume(t, spans[1])
	e.crash()

	// A crash in the middle of an append leaves half a record.
	path := filepath.Join(dir, walDirName, run.tid.String()+walExt)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{walSpans, 200, 0, 0, 0, 1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, f.Close())

	e2 := newTestExporter(t, dir, nil)
	assert.Equal(t, 1, e2.logs.FilterMessageSnippet("damaged write-ahead log").Len())
	e2.consume(t, spans[2:]...)
	_, l := onlyLog(t, dir)
	assert.Equal(t, semconv.StatusSuccess, l.Status)
	assert.Equal(t, phaseNames, phaseKeys(l))
	assert.Empty(t, pendingWAL(t, dir))
}

func TestWALBadHeader(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, walDirName), 0o700))
	id := strings.Repeat("ab", 16)
	require.NoError(t, os.WriteFile(filepath.Join(dir, walDirName, id+walExt), []byte("garbage"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, walDirName, "notatrace.wal"), []byte("x"), 0o600))
	e := newTestExporter(t, dir, nil)
	assert.Equal(t, 0, e.runs.pending.Len())
	assert.ElementsMatch(t, []string{id + walExt + ".corrupt", "notatrace.wal"}, walFiles(t, dir))
}

func TestLimits(t *testing.T) {
	t.Run("max_pending_runs", func(t *testing.T) {
		e := newTestExporter(t, "", func(c *Config) { c.MaxPendingRuns = 2; c.Checkpoints = false })
		runs := []testRun{newTestRun(1, "a"), newTestRun(2, "b"), newTestRun(3, "c")}
		for _, r := range runs {
			e.consume(t, r.phase(1, "p", nil))
		}
		// Run a, the least recently active, made room for c.
		assert.Equal(t, []string{"a_20250109_123456.json"}, logFiles(t, e.dir))
		_, l := onlyLog(t, e.dir)
		assert.Equal(t, semconv.StatusIncomplete, l.Status)
		assert.Equal(t, int64(1), counter(t, e, "otelcol_exporter_benchlog_limit_hits"))
		assert.Equal(t, int64(1), partialLogs(t, e))
		assert.Equal(t, 1, e.logs.FilterMessageSnippet("max_pending_runs reached").Len())
		assert.Equal(t, 2, e.runs.pending.Len())
		assertCounter(t, e, "otelcol_exporter_benchlog_limit_hits", 1)
		assertCounter(t, e, "otelcol_exporter_benchlog_pending_runs", 2)

		// Its root still completes it.
		e.consume(t, runs[0].root(time.Minute, nil))
		_, l = onlyLog(t, e.dir)
		assert.Equal(t, semconv.StatusSuccess, l.Status)
	})
	t.Run("max_spans_per_run", func(t *testing.T) {
		e := newTestExporter(t, "", func(c *Config) { c.MaxSpansPerRun = 3; c.Checkpoints = false })
		run := newTestRun(1, "bench")
		spans := fullRun(run)
		e.consume(t, spans[:5]...)
		_, l := onlyLog(t, e.dir)
		assert.Equal(t, semconv.StatusRunning, l.Status, "the partial log, written when the limit is hit")
		assert.Len(t, l.Phases, 3)
		e.consume(t, spans[5:]...)
		_, l = onlyLog(t, e.dir)
		assert.Equal(t, semconv.StatusSuccess, l.Status, "the root is always kept")
		assert.Equal(t, phaseNames[:3], phaseKeys(l))
		assert.Equal(t, int64(9), counter(t, e, "otelcol_exporter_benchlog_spans_dropped", attribute.String("reason", "max_spans_per_run")))
		assert.Equal(t, int64(9), counter(t, e, "otelcol_exporter_benchlog_limit_hits", attribute.String("limit", "max_spans_per_run")))
		assert.Equal(t, 1, e.logs.FilterMessageSnippet("max_spans_per_run").Len())
		assertCounter(t, e, "otelcol_exporter_benchlog_spans_dropped", 9)
	})
	t.Run("max_attribute_bytes", func(t *testing.T) {
		e := newTestExporter(t, "", func(c *Config) { c.MaxAttributeBytes = 16 })
		run := newTestRun(1, "bench")
		e.consume(t,
			run.phase(1, "p", map[string]any{
				"long":    strings.Repeat("x", 100),
				"utf8":    strings.Repeat("é", 20), // 2 bytes each
				"numbers": []any{1.0, 2.0, 3.0, 4.0},
				"words":   []any{"abcdefghij", "klmnopqrst"},
			}),
			run.root(time.Minute, nil))
		_, l := onlyLog(t, e.dir)
		p, _ := l.Phases.Get("p")
		assert.Equal(t, strings.Repeat("x", 16), must(p.Fields.String("long")))
		assert.Equal(t, strings.Repeat("é", 8), must(p.Fields.String("utf8")))
		v, _ := p.Fields.Get("numbers")
		assert.Equal(t, []any{1.0, 2.0}, v)
		v, _ = p.Fields.Get("words")
		assert.Equal(t, []any{"abcdefghij"}, v)
		// 4 values of the phase, and 2 of the resource (os.description and
		// host.accelerators) for each of the 2 spans.
		assert.Equal(t, int64(8), counter(t, e, "otelcol_exporter_benchlog_limit_hits", attribute.String("limit", "max_attribute_bytes")))
		assert.Equal(t, 1, e.logs.FilterMessageSnippet("max_attribute_bytes").Len())
	})
	t.Run("max_written_runs", func(t *testing.T) {
		e := newTestExporter(t, "", func(c *Config) { c.MaxWrittenRuns = 1 })
		a, b := newTestRun(1, "a"), newTestRun(2, "b")
		e.consume(t, fullRun(a)...)
		e.consume(t, fullRun(b)...)
		assert.Equal(t, 1, e.runs.written.Len())
		// A straggler of the forgotten run a starts a new, incomplete log.
		e.consume(t, a.phase(13, "straggler", nil))
		assert.Len(t, logFiles(t, e.dir), 3)
	})
}

func assertCounter(t *testing.T, e *testExporter, name string, want int64) {
	t.Helper()
	assert.Equal(t, want, counter(t, e, name), name)
}

// TestBadInput: hostile and malformed spans never stop the exporter; each
// problem is logged and the log is written from the rest.
func TestBadInput(t *testing.T) {
	e := newTestExporter(t, "", nil)
	run := newTestRun(1, "../x\x00"+strings.Repeat("n", 10_000))
	e.consume(t,
		run.phase(1, "fit", map[string]any{
			semconv.PhaseDuration:   "long",                        // want a number
			semconv.PhaseCPUUser:    true,                          // want a number
			semconv.PhaseGoGCCycles: 1.5,                           // want an integer
			semconv.PhaseName:       int64(7),                      // want a string: the span name is used
			"nan":                   math.NaN(),                    // written as null
			"inf":                   math.Inf(1),                   // written as null
			"map":                   map[string]any{"a": int64(1)}, // JSON string
			"mixed":                 []any{"a", int64(1)},          // JSON string
			"numbers":               []any{int64(0), 0.5},          // ints and doubles: doubles (as the JS SDK sends [0, 0.5])
			"bytes":                 []byte{1, 2, 3},               // base64 string
		}),
		run.span(3, 1, "", t0, t0.Add(time.Second), map[string]any{semconv.PhaseName: ""}), // no name at all
		run.span(9, 77, "orphan", t0, t0.Add(time.Second), map[string]any{semconv.PhaseName: "orphan"}),
		run.root(time.Minute, map[string]any{semconv.BenchmarkName: run.bench, semconv.ResultMAE: "small", semconv.RunStatus: "exploded"}),
	)
	// A batch with a span without trace ID and a second root.
	bad := run.span(50, 0, "no-trace", t0, t0, map[string]any{semconv.PhaseName: "x"})
	bad.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetTraceID([16]byte{})
	e.consume(t, bad, run.span(51, 0, "second-root", t0, t0, map[string]any{semconv.BenchmarkName: "other"}))

	files := logFiles(t, e.dir)
	require.Len(t, files, 1)
	assert.Equal(t, "_x_"+strings.Repeat("n", 117)+"_20250109_123456.json", files[0], "safe file name")
	l := readLog(t, filepath.Join(e.dir, files[0]))
	name, _ := l.Metadata.String(benchlog.KeyBenchmarkName)
	assert.Len(t, name, e.cfg.MaxAttributeBytes, "benchmark name cut to max_attribute_bytes")
	assert.Equal(t, []string{"unnamed", "orphan", "fit"}, phaseKeys(l), "in start order")
	fit, _ := l.Phases.Get("fit")
	for k, want := range map[string]any{"nan": nil, "inf": nil, "map": `{"a":1}`, "mixed": `["a",1]`, "bytes": "AQID", "numbers": []any{0.0, 0.5}} {
		got, ok := fit.Fields.Get(k)
		assert.True(t, ok, k)
		assert.Equal(t, want, got, k)
	}
	assert.Equal(t, semconv.StatusSuccess, l.Status)

	warns := e.logs.FilterLevelExact(zapcore.WarnLevel)
	assert.Equal(t, 1, warns.FilterMessageSnippet("attributes the log cannot use").Len())
	details := warns.FilterMessageSnippet("attributes the log cannot use").All()[0].ContextMap()["details"].(string)
	for _, want := range []string{semconv.PhaseDuration, semconv.PhaseCPUUser, semconv.PhaseGoGCCycles, "exploded", "has no name"} {
		assert.Contains(t, details, want)
	}
	assert.Equal(t, 1, warns.FilterMessageSnippet("without a trace ID").Len())
	assert.Equal(t, 1, warns.FilterMessageSnippet("second root").Len())
	assert.Positive(t, counter(t, e, "otelcol_exporter_benchlog_input_problems"))
	assert.Equal(t, int64(2), counter(t, e, "otelcol_exporter_benchlog_spans_dropped"))
}

func TestOtherSpansIgnored(t *testing.T) {
	e := newTestExporter(t, "", nil)
	run := newTestRun(1, "bench")
	e.consume(t, run.span(5, 1, "http GET", t0, t0, map[string]any{"http.method": "GET"}))
	assert.Empty(t, logFiles(t, e.dir))
	assert.Equal(t, 0, e.runs.pending.Len())
}

func TestTimeZone(t *testing.T) {
	e := newTestExporter(t, "", func(c *Config) { c.TimeZone = "Asia/Tokyo" })
	e.consume(t, fullRun(newTestRun(1, "bench"))...)
	name, l := onlyLog(t, e.dir)
	assert.Equal(t, "bench_20250109_213456.json", name)
	start, _ := l.Metadata.String(benchlog.KeyTimestampStart)
	assert.Equal(t, "2025-01-09T21:34:56.000000+09:00", start)
}

func TestConcurrentConsume(t *testing.T) {
	e := newTestExporter(t, "", func(c *Config) { c.IdleTimeout = 10 * time.Millisecond })
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 10; i++ {
				run := newTestRun(byte(g*10+i), "bench")
				for _, td := range fullRun(run) {
					assert.NoError(t, e.ConsumeTraces(context.Background(), td))
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	require.NoError(t, e.Shutdown(context.Background()))
	files := logFiles(t, e.dir)
	assert.Len(t, files, 40)
	for _, f := range files {
		l := readLog(t, filepath.Join(e.dir, f))
		assert.Equal(t, semconv.StatusSuccess, l.Status, f)
		assert.Len(t, l.Phases, 12, f)
	}
}

// TestReplayAfterFinalWrite: the process stopped after writing a run's
// final log and before removing its WAL file. The replay writes the same
// log again, in the same file.
func TestReplayAfterFinalWrite(t *testing.T) {
	dir := t.TempDir()
	run := newTestRun(1, "bench")
	spans := fullRun(run)
	e := newTestExporter(t, dir, nil)
	e.consume(t, spans[:12]...)
	walPath := filepath.Join(dir, walDirName, run.tid.String()+walExt)
	walData, err := os.ReadFile(walPath)
	require.NoError(t, err)
	e.consume(t, spans[12]) // the root: final log, WAL file removed
	e.crash()
	name, want := onlyLog(t, dir)

	// The WAL file as it was just before its removal: the phases, then the
	// root's batch.
	require.NoError(t, os.WriteFile(walPath, walData, 0o600))
	payload, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(fullRun(run)[12]) // spans[12] was consumed
	require.NoError(t, err)
	require.NoError(t, e.wal.appendSpans(run.tid.String(), payload))

	e2 := newTestExporter(t, dir, nil)
	name2, got := onlyLog(t, dir)
	assert.Equal(t, name, name2)
	assert.Equal(t, want, got)
	assert.Empty(t, pendingWAL(t, dir))
	assert.Equal(t, 0, e2.runs.pending.Len())
}
