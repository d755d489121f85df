package sdk_test

import (
	"context"
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

// BenchmarkPhaseWithLog adds the in-process log: each phase end rewrites the
// run's log file (a checkpoint). Runs have 12 phases.
func BenchmarkPhaseWithLog(b *testing.B) {
	dir := b.TempDir()
	bt := newBenchBT(b, sdk.WithLogDir(dir))
	b.ReportAllocs()
	var run *sdk.Run
	i := 0
	for b.Loop() {
		if i%12 == 0 {
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
