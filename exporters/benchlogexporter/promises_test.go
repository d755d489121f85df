package benchlogexporter

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Tests of the promises of the issue "The collector keeps its promises":
// each failed on the code before it (see the commit that added it).

// runN is test run i (0 ≤ i < 65536), of benchmark bench.
func runN(i int, bench string) testRun {
	r := newTestRun(byte(i), bench)
	r.tid[2], r.tid[3] = byte(i>>8), 0xcd
	return r
}

// A burst of short runs (root and phases in one batch) never pushes out
// runs in flight: only runs waiting for their root count against
// max_pending_runs. Before: 2,000 short runs wrote the 96 in-flight runs as
// incomplete, each then in several files.
func TestBurstDoesNotSplitRunsInFlight(t *testing.T) {
	e := newTestExporter(t, "", func(c *Config) { c.MaxWrittenRuns = 10 })
	var inflight []testRun
	for i := range 96 {
		r := runN(i, fmt.Sprintf("inflight%d", i))
		inflight = append(inflight, r)
		e.consume(t, fullRun(r)[0])
	}
	var burst []ptrace.Traces
	for i := range 2000 {
		burst = append(burst, fullRun(runN(1000+i, fmt.Sprintf("burst%d", i)))...)
	}
	e.consume(t, burst...)
	for _, r := range inflight {
		e.consume(t, fullRun(r)[1:]...)
	}
	assert.Zero(t, partialLogs(t, e), "no run written as incomplete")
	assert.Zero(t, counter(t, e, "otelcol_exporter_benchlog_limit_hits", attribute.String("limit", limitPendingRuns)))
	for _, r := range inflight {
		files, err := filepath.Glob(filepath.Join(e.dir, r.bench+"_*.json"))
		require.NoError(t, err)
		require.Len(t, files, 1, "run %s in one file", r.bench)
		l := readLog(t, files[0])
		assert.Equal(t, semconv.StatusSuccess, l.Status)
		assert.Len(t, l.Phases, 12)
	}
	assert.Len(t, logFiles(t, e.dir), 2096)
}

// The WAL folder holds at most max_pending_runs + max_written_runs files,
// within a batch too. Before: a batch of new runs without roots left one
// file per run until the batch ended (1,673 seen).
func TestWALFilesBoundedWithinBatch(t *testing.T) {
	e := newTestExporter(t, "", func(c *Config) { c.MaxPendingRuns = 10; c.MaxWrittenRuns = 10; c.Checkpoints = false })
	var tds []ptrace.Traces
	for i := range 500 {
		tds = append(tds, runN(i, fmt.Sprintf("r%d", i)).phase(1, "p", nil))
	}
	e.consume(t, tds...)
	assert.LessOrEqual(t, e.wal.peak, 10+10+1, "WAL files at any moment")
	assert.LessOrEqual(t, len(walFiles(t, e.dir)), 20)
	assert.Equal(t, 10, e.runs.pending.Len())
}

// max_attribute_bytes applies before the WAL write. Before: 50 phases with
// a 256 KiB attribute each made a 12.8 MB WAL for a log of 0.3 MB.
func TestAttributeBoundBeforeWAL(t *testing.T) {
	e := newTestExporter(t, "", nil)
	r := newTestRun(1, "big")
	big := strings.Repeat("é", 128<<10) // 256 KiB
	for i := 1; i <= 50; i++ {
		e.consume(t, r.phase(i, fmt.Sprintf("p%d", i), map[string]any{"blob": big, "list": []any{big, big}}))
	}
	var size int64
	for _, f := range walFiles(t, e.dir) {
		st, err := os.Stat(filepath.Join(e.dir, walDirName, f))
		require.NoError(t, err)
		size += st.Size()
	}
	assert.Less(t, size, int64(50*12<<10), "WAL bytes for 50 phases of 4 KiB values")

	// Replayed, the run is the same as the one in memory.
	want, err := os.ReadFile(filepath.Join(e.dir, logFiles(t, e.dir)[0]))
	require.NoError(t, err)
	e.crash()
	e2 := newTestExporter(t, e.dir, nil)
	assert.Len(t, e2.runs.runs[r.tid].phases, 50)
	got, err := os.ReadFile(filepath.Join(e.dir, logFiles(t, e.dir)[0]))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "the replayed checkpoint")
}

// max_held_bytes bounds the memory of the spans held: a run too big for it
// is written as incomplete (counted), and the good runs sent alongside are
// complete.
func TestHeldBytesBound(t *testing.T) {
	const bound = 256 << 10
	e := newTestExporter(t, "", func(c *Config) { c.MaxHeldBytes = bound })
	hog := newTestRun(1, "hog")
	val := strings.Repeat("x", 4000)
	for i := 1; i <= 200; i++ {
		good := runN(100+i, fmt.Sprintf("good%d", i))
		e.consume(t, append([]ptrace.Traces{hog.phase(i, fmt.Sprintf("p%d", i), map[string]any{"a": val, "b": val})}, fullRun(good)...)...)
		require.LessOrEqual(t, e.runs.bytes, int64(bound), "after batch %d", i)
	}
	assert.Positive(t, counter(t, e, "otelcol_exporter_benchlog_limit_hits", attribute.String("limit", limitHeldBytes)))
	assert.Positive(t, counter(t, e, "otelcol_exporter_benchlog_logs_written", attribute.String("reason", reasonBytesLimit)))
	for i := 1; i <= 200; i++ {
		files, err := filepath.Glob(filepath.Join(e.dir, fmt.Sprintf("good%d_*.json", i)))
		require.NoError(t, err)
		require.Len(t, files, 1)
		l := readLog(t, files[0])
		assert.Equal(t, semconv.StatusSuccess, l.Status)
		assert.Len(t, l.Phases, 12)
	}
}

// statusHost records the component status the exporter reports.
type statusHost struct {
	component.Host
	events []*componentstatus.Event
}

func (h *statusHost) Report(ev *componentstatus.Event) { h.events = append(h.events, ev) }

// A run whose log cannot be written stays in the WAL and is retried, never
// forgotten, after a restart too; the status reports the failure. Before:
// runs whose writes failed were forgotten beyond max_written_runs (200 of
// 300 gone), and a run whose root came with its phases had no WAL at all.
func TestFailedWriteLosesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := exec.Command("chattr", "+i", dir).Run(); err != nil {
		t.Skipf("chattr +i (a directory even root cannot write): %v", err)
	}
	immutable := true
	writable := func() {
		if immutable {
			require.NoError(t, exec.Command("chattr", "-i", dir).Run())
			immutable = false
		}
	}
	t.Cleanup(writable)
	// The WAL folder exists (an earlier start made it): only the logs fail.
	writable()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, walDirName), 0o700))
	require.NoError(t, exec.Command("chattr", "+i", dir).Run())
	immutable = true

	e := newTestExporter(t, dir, func(c *Config) { c.MaxWrittenRuns = 5 })
	host := &statusHost{Host: componenttest.NewNopHost()}
	e.host = host
	for i := range 30 {
		require.NoError(t, e.ConsumeTraces(context.Background(), batch(fullRun(runN(i, fmt.Sprintf("r%d", i)))...)),
			"run %d is in the WAL: acknowledged", i)
	}
	for i := range 10 {
		require.NoError(t, e.ConsumeTraces(context.Background(), batch(runN(100+i, fmt.Sprintf("p%d", i)).phase(1, "x", nil))))
	}
	assert.Empty(t, logFiles(t, dir))
	assert.Len(t, walFiles(t, dir), 40, "every run kept, beyond max_written_runs")
	assert.Positive(t, counter(t, e, "otelcol_exporter_benchlog_errors", attribute.String("stage", stageLog)))
	require.NotEmpty(t, host.events)
	assert.Equal(t, componentstatus.StatusRecoverableError, host.events[len(host.events)-1].Status())

	// Half the runs are written by the sweeper once the folder is
	// writable again; the rest after a crash and a restart.
	e.crash()
	writable()
	e2 := newTestExporter(t, dir, func(c *Config) { c.MaxWrittenRuns = 5 })
	for i := range 30 {
		files, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("r%d_*.json", i)))
		require.NoError(t, err)
		require.Len(t, files, 1, "run %d", i)
		l := readLog(t, files[0])
		assert.Equal(t, semconv.StatusSuccess, l.Status)
		assert.Len(t, l.Phases, 12)
	}
	assert.Len(t, pendingWAL(t, dir), 10, "only the runs waiting for their root")
	_ = e2
}

// The same, without a restart: the sweeper writes the logs once the folder
// is writable, and the status is OK again.
func TestFailedWriteRetried(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, walDirName), 0o700))
	if err := exec.Command("chattr", "+i", dir).Run(); err != nil {
		t.Skipf("chattr +i: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
	e := newTestExporter(t, dir, func(c *Config) { c.MaxWrittenRuns = 2 })
	host := &statusHost{Host: componenttest.NewNopHost()}
	e.host = host
	for i := range 10 {
		e.consume(t, fullRun(runN(i, fmt.Sprintf("r%d", i)))...)
	}
	require.NoError(t, exec.Command("chattr", "-i", dir).Run())
	e.sweep(context.Background())
	assert.Len(t, logFiles(t, dir), 10)
	assert.Empty(t, pendingWAL(t, dir))
	assert.Equal(t, componentstatus.StatusOK, host.events[len(host.events)-1].Status())
	assert.Equal(t, int64(10), counter(t, e, "otelcol_exporter_benchlog_logs_written", attribute.String("reason", reasonRetry)))
}

// More than the numbered names of one benchmark in one second: later logs
// are named after their run. Before: "too many logs with that name" past
// 9,999, and a link attempt per number for every run.
func TestSameSecondNamesFallBackToRunID(t *testing.T) {
	e := newTestExporter(t, "", func(c *Config) { c.MaxWrittenRuns = 10 })
	for i := range 60 {
		e.consume(t, fullRun(runN(i, "same"))...)
	}
	files := logFiles(t, e.dir)
	require.Len(t, files, 60)
	named := 0
	for _, f := range files {
		if len(f) == len("same_20250109_123456_")+32+len(".json") {
			named++
		}
	}
	assert.Equal(t, 60-32, named)
}

// A temporary file a killed process left is removed at start.
func TestStaleTempRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".benchlog-12345.tmp")
	require.NoError(t, os.WriteFile(tmp, []byte("{"), 0o600))
	newTestExporter(t, dir, nil)
	assert.NoFileExists(t, tmp)
}

// A root span trying to spoof a key the writer owns: reported (logged and
// counted) and the log has no duplicate key.
func TestSpoofedMetadataHasNoDuplicateKey(t *testing.T) {
	e := newTestExporter(t, "", nil)
	r := newTestRun(1, "bench")
	spans := fullRun(r)
	root := r.root(12*time.Second, map[string]any{
		semconv.MetadataPrefix + "run_id":         "spoofed",
		semconv.MetadataPrefix + "benchmark_name": "spoofed",
	})
	e.consume(t, append(spans[:12], root)...)
	path, l := onlyLog(t, e.dir)
	id, _ := l.Metadata.String("run_id")
	assert.Equal(t, traceIDString(r.tid), id)
	data, err := os.ReadFile(filepath.Join(e.dir, path))
	require.NoError(t, err)
	assert.Equal(t, 1, bytes.Count(data, []byte(`"run_id"`)), "one run_id key")
	assert.Equal(t, 1, bytes.Count(data, []byte(`"benchmark_name"`)), "one benchmark_name key")
	assert.Positive(t, counter(t, e, "otelcol_exporter_benchlog_input_problems"))
	assert.Equal(t, 1, e.logs.FilterMessageSnippet("attributes the log cannot use").Len())
}

// A kill after a batch was written but before the producer had its answer:
// the producer sends the batch again to the restarted collector, which must
// not start a second file. Before: a root sent again after its run's final
// log made a second log with no phases, saying success (seen in
// TestKillUnderLoadLosesNothing); a whole run sent again, a copy "_2".
func TestBatchSentAgainAfterKill(t *testing.T) {
	t.Run("the root of a run whose phases came first", func(t *testing.T) {
		dir := t.TempDir()
		e := newTestExporter(t, dir, nil)
		r := newTestRun(1, "bench")
		spans := fullRun(r)
		for _, s := range spans {
			e.consume(t, s)
		}
		e.crash()
		e2 := newTestExporter(t, dir, nil)
		e2.consume(t, fullRun(r)[12]) // the root again (batch moves the spans: a new copy)
		_, l := onlyLog(t, dir)
		assert.Equal(t, semconv.StatusSuccess, l.Status)
		assert.Len(t, l.Phases, 12)
		assert.Equal(t, int64(1), counter(t, e2, "otelcol_exporter_benchlog_spans_dropped", attribute.String("reason", dropDuplicate)))
	})
	t.Run("a run in one batch", func(t *testing.T) {
		dir := t.TempDir()
		e := newTestExporter(t, dir, nil)
		r := newTestRun(1, "bench")
		e.consume(t, fullRun(r)...)
		e.crash()
		e2 := newTestExporter(t, dir, nil)
		e2.consume(t, fullRun(r)...)
		_, l := onlyLog(t, dir)
		assert.Equal(t, semconv.StatusSuccess, l.Status)
		assert.Len(t, l.Phases, 12)
	})
}
