package benchlogexporter

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// benchRuns returns the batches of one 12-phase run (with measurements, as
// fullRun), either as one batch (phases and root together) or as one batch
// per span, root last, as a collector receives a run from an SDK exporting
// each span as it ends.
func benchRuns(perSpan bool) []ptrace.Traces {
	tds := fullRun(newTestRun(1, "resnet20"))
	if perSpan {
		return tds
	}
	return []ptrace.Traces{batch(tds...)}
}

// nextRun makes td the next run: every span gets the trace ID of run n and
// is moved one second later, so that each iteration of a benchmark is a new
// run with a log file name of its own (runs of a benchmark started in the
// same second get names _2, _3, …, found by trying each in turn).
func nextRun(td ptrace.Traces, n int) {
	tid := pcommon.TraceID{0xbe, 0xec, byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n), 1}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				s.SetTraceID(tid)
				s.SetStartTimestamp(s.StartTimestamp() + pcommon.Timestamp(time.Second))
				s.SetEndTimestamp(s.EndTimestamp() + pcommon.Timestamp(time.Second))
			}
		}
	}
}

// consumeRuns is the loop of the ConsumeTraces benchmarks: b.N runs of 13
// spans (12 phases and the root), each written as its own log. It reports
// spans/s, the unit to compare exporters in.
func consumeRuns(b *testing.B, tds []ptrace.Traces, consume func(context.Context, ptrace.Traces) error) {
	ctx := context.Background()
	spans := 0
	for _, td := range tds {
		spans += td.SpanCount()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, td := range tds {
			nextRun(td, i)
			if err := consume(ctx, td); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*spans)/b.Elapsed().Seconds(), "spans/s")
}

// BenchmarkConsumeTraces measures ConsumeTraces on 12-phase runs, each
// written as one JSON log file: "batch=run" brings a whole run in one batch
// (the final log only); "batch=span" one span per batch (a checkpoint and a
// WAL append per phase, then the final log and the WAL file's removal).
//
// BenchmarkFileExporterConsumeTraces (fileexporter_bench_test.go) runs
// contrib's fileexporter on the same batch=run data; compare with
//
//	go test -run '^$' -bench ConsumeTraces -count 10 . > bench.txt
//	benchstat -col .name -filter /batch:run bench.txt
func BenchmarkConsumeTraces(b *testing.B) {
	for _, bc := range []struct {
		name    string
		perSpan bool
	}{
		{"batch=run", false},
		{"batch=span", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newTestExporter(b, "", nil)
			consumeRuns(b, benchRuns(bc.perSpan), e.ConsumeTraces)
			b.StopTimer()
			require.NoError(b, e.Shutdown(context.Background()))
		})
	}
}

// BenchmarkCreateLog is the floor of BenchmarkConsumeTraces: the file
// writes a run's log unavoidably costs, with benchlog.Dir as
// exporters/benchlog's BenchmarkCreateLog, with the bytes of the final log
// of a run of BenchmarkConsumeTraces, in a fresh directory per round as
// consumeRuns. "batch=run" creates the file, atomically; "batch=span" also
// replaces it 12 times, as the 12 checkpoints of a run that comes a span
// per batch do. What ConsumeTraces does beyond (conversion, assembly,
// encoding, the run table, the WAL) is its own cost; compare in the same
// run:
//
//	go test -run '^$' -bench 'ConsumeTraces|CreateLog' -benchmem -count 6 . > bench.txt
//	benchstat -col .name bench.txt
func BenchmarkCreateLog(b *testing.B) {
	for _, bc := range []struct {
		name     string
		replaces int
	}{
		{"batch=run", 0},
		{"batch=span", 12},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newTestExporter(b, "", nil)
			e.consume(b, fullRun(newTestRun(1, "resnet20"))...)
			name, _ := onlyLog(b, e.dir)
			data, err := os.ReadFile(filepath.Join(e.dir, name))
			require.NoError(b, err)
			dir, err := benchlog.OpenDir(b.TempDir())
			require.NoError(b, err)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// A new second each time, as nextRun: no name collisions.
				path, err := dir.Create("resnet20", t0.Add(time.Duration(i+1)*time.Second), data)
				if err != nil {
					b.Fatal(err)
				}
				for range bc.replaces {
					if err := dir.Replace(path, data); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
