package sdk_test

import (
	"context"
	"fmt"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/benchtrace/benchtrace/sdk"
)

// newBenchBT returns a Benchtrace whose spans go to a batch processor with an
// in-memory exporter that drops them, as an OTLP exporter would send them.
func newBenchBT(b *testing.B, opts ...sdk.Option) *sdk.Benchtrace {
	b.Helper()
	exp := tracetest.NewNoopExporter()
	opts = append([]sdk.Option{sdk.WithoutLogs(), sdk.WithSpanProcessor(sdktrace.NewBatchSpanProcessor(exp))}, opts...)
	bt, err := sdk.New(context.Background(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = bt.Shutdown(context.Background()) })
	return bt
}

// BenchmarkBareSpan is the baseline: an OTel span started and ended through
// the same provider, with nothing measured.
func BenchmarkBareSpan(b *testing.B) {
	bt := newBenchBT(b)
	run := bt.Start(context.Background(), "bench")
	defer run.End(nil)
	tracer := bt.TracerProvider().Tracer("baseline")
	ctx := run.Context()
	b.ReportAllocs()
	for b.Loop() {
		_, span := tracer.Start(ctx, "p")
		span.End()
	}
}

// BenchmarkPhase is a phase with full sampling: CPU, RSS, exact peak, Go heap
// and GC. It also reports the mean duration the phase recorded for itself,
// which, for an empty phase, is the overhead inside the timed window.
func BenchmarkPhase(b *testing.B) {
	bt := newBenchBT(b)
	run := bt.Start(context.Background(), "bench")
	defer run.End(nil)
	b.ReportAllocs()
	var inside float64
	for b.Loop() {
		p := run.StartPhase("p")
		p.End(nil)
		inside += float64(p.Usage().Wall.Nanoseconds())
	}
	b.ReportMetric(inside/float64(b.N), "ns-in-window/op")
}

// BenchmarkPhaseWithLog adds the in-process log to BenchmarkPhase, in runs
// of 12 phases: each run's log is written at its start and its end, and
// checkpointed in between by the writer goroutine.
func BenchmarkPhaseWithLog(b *testing.B) {
	phasesInRuns(b, newBenchBT(b, sdk.WithLogDir(b.TempDir())), 12)
}

// phasesInRuns times empty phases in runs of perRun phases, each run started
// and ended (with its final log) inside the timed loop.
func phasesInRuns(b *testing.B, bt *sdk.Benchtrace, perRun int) {
	b.ReportAllocs()
	var run *sdk.Run
	i := 0
	for b.Loop() {
		if i%perRun == 0 {
			if run != nil {
				run.End(nil)
			}
			run = bt.Start(context.Background(), "bench")
		}
		i++
		run.StartPhase("p").End(nil)
	}
	run.End(nil)
}

// ballast is memory a benchmark holds, as real benchmarks hold their data.
var ballast []byte

// BenchmarkPhaseLargeProcess is BenchmarkPhase in a process whose RSS is
// above the peak its image had before exec (about 22 MB under go test),
// which is where every real benchmark runs: the exact peak then comes from
// getrusage alone, without reading /proc/self/status.
func BenchmarkPhaseLargeProcess(b *testing.B) {
	ballast = make([]byte, 64<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	defer func() { ballast = nil }()
	BenchmarkPhase(b)
}

// BenchmarkPhaseLargeProcessWithLog is BenchmarkPhaseLargeProcess with the
// in-process log writer on, as `benchtrace run` and every user who keeps the
// default has it: what a phase costs the caller with its log written (the
// run's start and final log included, a hundredth each).
func BenchmarkPhaseLargeProcessWithLog(b *testing.B) {
	ballast = make([]byte, 64<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	defer func() { ballast = nil }()
	phasesInRuns(b, newBenchBT(b, sdk.WithLogDir(b.TempDir())), 100)
}

// BenchmarkRunPhases is one whole run of n sequential phases with its log,
// from Start to the final log on disk. Linear cost in n gives a ratio of
// about 4 between n=4000 and n=1000.
func BenchmarkRunPhases(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		b.Run(fmt.Sprintf("phases=%d", n), func(b *testing.B) {
			bt := newBenchBT(b, sdk.WithLogDir(b.TempDir()))
			b.ReportAllocs()
			for b.Loop() {
				run := bt.Start(context.Background(), "bench")
				for range n {
					run.StartPhase("step").End(nil)
				}
				run.End(nil)
			}
		})
	}
}

// BenchmarkEnclosingPhase is a phase enclosing 300 nested phases of real
// work that allocates nothing, with the log writer on and off: it reports
// what the enclosing phase recorded for itself (wall time, Go heap, GC
// cycles), which the writer must not inflate.
func BenchmarkEnclosingPhase(b *testing.B) {
	for _, logs := range []bool{false, true} {
		b.Run(fmt.Sprintf("logs=%v", logs), func(b *testing.B) {
			var opts []sdk.Option
			if logs {
				opts = append(opts, sdk.WithLogDir(b.TempDir()))
			}
			bt := newBenchBT(b, opts...)
			var wall, heap, gcs float64
			for b.Loop() {
				run := bt.Start(context.Background(), "bench")
				outer := run.StartPhase("outer")
				for range 300 {
					p := outer.StartPhase("inner")
					sink = burn(400)
					p.End(nil)
				}
				outer.End(nil)
				run.End(nil)
				u := outer.Usage()
				wall += u.Wall.Seconds()
				heap += float64(u.HeapAlloc)
				gcs += float64(u.GCCycles)
			}
			b.ReportMetric(wall/float64(b.N), "enclosing-s/op")
			b.ReportMetric(heap/float64(b.N), "enclosing-heap-B/op")
			b.ReportMetric(gcs/float64(b.N), "enclosing-gcs/op")
		})
	}
}

var sink [32]byte
