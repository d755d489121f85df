package benchlogexporter

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// t0 is the start of every test run: a fixed instant, so that file names
// are known.
var t0 = time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)

// testResource is the resource of the test spans, as the Go SDK detects it.
var testResource = map[string]any{
	semconv.ServiceName:           "benchtrace",
	semconv.HostName:              "bench-host",
	semconv.OSDescription:         "Linux-6.1.0-x86_64-with-debian-12",
	semconv.ProcessRuntimeName:    "go",
	semconv.ProcessRuntimeVersion: "go1.26.8",
	semconv.HostCPUCount:          int64(8),
	semconv.HostMemoryTotal:       int64(16 << 30),
	semconv.HostAccelerators:      []any{"nvidia:/dev/nvidia0"},
}

// testRun builds the spans of one run: a root and phases, each a
// ptrace.Traces of its own so that tests can batch them as they like.
type testRun struct {
	tid   pcommon.TraceID
	bench string
	start time.Time
}

func newTestRun(n byte, bench string) testRun {
	return testRun{tid: pcommon.TraceID{0xab, n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, n}, bench: bench, start: t0}
}

func (r testRun) sid(n int) pcommon.SpanID {
	return pcommon.SpanID{r.tid[1], 0, 0, 0, 0, 0, byte(n >> 8), byte(n)}
}

// root is the root span (span ID 1), ending after d, with extra attributes.
func (r testRun) root(d time.Duration, attrs map[string]any) ptrace.Traces {
	a := map[string]any{semconv.BenchmarkName: r.bench}
	for k, v := range attrs {
		a[k] = v
	}
	return r.span(1, 0, r.bench, r.start, r.start.Add(d), a)
}

// phase is phase i (span ID i+1, i ≥ 1), child of the root, from
// start+(i-1)s to start+i s.
func (r testRun) phase(i int, name string, attrs map[string]any) ptrace.Traces {
	a := map[string]any{semconv.PhaseName: name, semconv.BenchmarkName: r.bench}
	for k, v := range attrs {
		a[k] = v
	}
	s := r.start.Add(time.Duration(i-1)*time.Second + time.Millisecond)
	return r.span(i+1, 1, name, s, s.Add(time.Second-2*time.Millisecond), a)
}

func (r testRun) span(id, parent int, name string, start, end time.Time, attrs map[string]any) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if err := rs.Resource().Attributes().FromRaw(testResource); err != nil {
		panic(err)
	}
	s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetTraceID(r.tid)
	s.SetSpanID(r.sid(id))
	if parent != 0 {
		s.SetParentSpanID(r.sid(parent))
	}
	s.SetName(name)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(end))
	if err := s.Attributes().FromRaw(attrs); err != nil {
		panic(err)
	}
	return td
}

// batch merges traces into one batch.
func batch(tds ...ptrace.Traces) ptrace.Traces {
	out := ptrace.NewTraces()
	for _, td := range tds {
		td.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	return out
}

// phaseNames are the 12 phases of a test run.
var phaseNames = []string{"load_config", "keygen", "load_data", "encode", "encrypt", "fhe_inference",
	"decrypt", "decode", "compare", "report", "cleanup", "teardown"}

// fullRun is a complete 12-phase run with measurements, root last.
func fullRun(r testRun) []ptrace.Traces {
	var tds []ptrace.Traces
	for i, name := range phaseNames {
		tds = append(tds, r.phase(i+1, name, map[string]any{
			semconv.PhaseDuration:         0.99,
			semconv.PhaseCPUUser:          0.5,
			semconv.PhaseCPUSystem:        0.1,
			semconv.PhaseMemoryRSSStart:   int64(100 << 20),
			semconv.PhaseMemoryChange:     int64(i << 20),
			semconv.PhaseMemoryPeak:       int64(200 << 20),
			semconv.PhaseMemoryPeakSource: "hwm",
			semconv.PhaseGoHeapAlloc:      int64(1 << 20),
			semconv.PhaseGoGCCycles:       int64(2),
			"input_level":                 int64(14),
		}))
	}
	tds = append(tds, r.root(time.Duration(len(phaseNames))*time.Second, map[string]any{
		semconv.RunMainPhase:        "fhe_inference",
		semconv.ModelName:           "ResNet-20",
		semconv.ModelBatchSize:      int64(1),
		semconv.ResultMAE:           0.001,
		semconv.ResultPrecisionBits: 9.97,
		semconv.ResultOutputSample:  []any{0.1, 0.2, 0.3},
	}))
	return tds
}

type testExporter struct {
	*benchlogExporter
	dir  string
	logs *observer.ObservedLogs
	tel  *componenttest.Telemetry
}

// newTestExporter creates and starts an exporter writing into dir (a new
// temporary directory when ""), in UTC, with cfg's fields changed by mod.
// It is shut down at the end of the test unless the test does it.
func newTestExporter(t testing.TB, dir string, mod func(*Config)) *testExporter {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	cfg := createDefaultConfig().(*Config)
	cfg.Directory = dir
	cfg.TimeZone = "UTC"
	if mod != nil {
		mod(cfg)
	}
	require.NoError(t, cfg.Validate())
	core, logs := observer.New(zapcore.DebugLevel)
	tel := componenttest.NewTelemetry()
	set := tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	e, err := newExporter(cfg, set)
	require.NoError(t, err)
	require.NoError(t, e.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		_ = e.Shutdown(context.Background())
		_ = tel.Shutdown(context.Background())
	})
	return &testExporter{benchlogExporter: e, dir: dir, logs: logs, tel: tel}
}

func (e *testExporter) consume(t testing.TB, tds ...ptrace.Traces) {
	t.Helper()
	require.NoError(t, e.ConsumeTraces(context.Background(), batch(tds...)))
}

// crash stops the exporter as a SIGKILL would: the sweeper stops, nothing
// is flushed, the WAL and the files stay as they are.
func (e *testExporter) crash() {
	e.stopOnce.Do(func() {
		e.mu.Lock()
		e.state = stateStopped
		e.mu.Unlock()
		close(e.stop)
		<-e.done
		e.mu.Lock()
		e.wal.close() // the kernel closes a killed process's files
		e.mu.Unlock()
	})
}

// counter returns the sum of the data points of the exporter's counter
// name (0 when it has none) whose attributes include attrs.
func counter(t testing.TB, e *testExporter, name string, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	m, err := e.tel.GetMetric(name)
	if err != nil {
		return 0 // nothing recorded yet
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is an int64 sum", name)
	var n int64
	for _, dp := range sum.DataPoints {
		match := true
		for _, kv := range attrs {
			if v, ok := dp.Attributes.Value(kv.Key); !ok || v != kv.Value {
				match = false
			}
		}
		if match {
			n += dp.Value
		}
	}
	return n
}

// partialLogs is the number of logs written without their root because
// the exporter stopped waiting for it.
func partialLogs(t testing.TB, e *testExporter) int64 {
	t.Helper()
	var n int64
	for _, reason := range []string{reasonIdleTimeout, reasonPendingLimit, reasonShutdown} {
		n += counter(t, e, "otelcol_exporter_benchlog_logs_written", attribute.String("reason", reason))
	}
	return n
}

// logFiles returns the names of the run logs in dir, sorted.
func logFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	slices.Sort(m)
	return m
}

func readLog(t testing.TB, path string) *benchlog.Log {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	l, err := benchlog.Decode(data)
	require.NoError(t, err)
	return l
}

// onlyLog returns the single run log in dir.
func onlyLog(t testing.TB, dir string) (string, *benchlog.Log) {
	t.Helper()
	files := logFiles(t, dir)
	require.Len(t, files, 1, "run logs in %s", dir)
	return files[0], readLog(t, filepath.Join(dir, files[0]))
}

func walFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, walDirName))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func phaseKeys(l *benchlog.Log) []string {
	var keys []string
	for _, p := range l.Phases {
		keys = append(keys, p.Name)
	}
	return keys
}

// pendingWAL returns the WAL files of runs that are not final: a final
// run keeps its file, ending with a record of its final log, until it is
// forgotten.
func pendingWAL(t testing.TB, dir string) []string {
	t.Helper()
	w := &wal{dir: filepath.Join(dir, walDirName), files: map[string]*walFile{}}
	var out []string
	for _, name := range walFiles(t, dir) {
		id, ok := strings.CutSuffix(name, walExt)
		if !ok {
			out = append(out, name)
			continue
		}
		recs, err := w.read(id)
		require.NoError(t, err)
		final := false
		for _, rec := range recs {
			switch rec.kind {
			case walSpans:
				final = false
			case walWritten:
				status, _, _ := parseWritten(rec.payload)
				final = status != semconv.StatusRunning && status != semconv.StatusIncomplete
			}
		}
		if !final {
			out = append(out, name)
		}
	}
	return out
}
