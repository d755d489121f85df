package benchlogexporter

import (
	"context"
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// otlpServer is the collector's side of OTLP/gRPC, reduced to handing each
// request to the exporter.
type otlpServer struct {
	ptraceotlp.UnimplementedGRPCServer
	e *benchlogExporter
}

func (s *otlpServer) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), s.e.ConsumeTraces(ctx, req.Traces())
}

// TestSameLogAsInProcess records runs with the otel-go SDK once and writes
// them twice: in process with benchlog.SpanProcessor into dir A, and through
// OTLP/gRPC (each span exported as it ends, root last) and this exporter
// into dir B. The two directories must hold the same files, byte for byte.
func TestSameLogAsInProcess(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	ctx := context.Background()

	e := newTestExporter(t, dirB, nil)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(srv, &otlpServer{e: e.benchlogExporter})
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.Serve(lis) })
	defer func() { srv.Stop(); wg.Wait() }()

	otlp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(lis.Addr().String()), otlptracegrpc.WithInsecure())
	require.NoError(t, err)
	var procErrs []error
	var mu sync.Mutex
	proc, err := benchlog.NewSpanProcessor(dirA, benchlog.WithLocation(time.UTC), benchlog.WithErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		procErrs = append(procErrs, err)
	}))
	require.NoError(t, err)
	res := resource.NewSchemaless(
		attribute.String(semconv.ServiceName, "benchtrace"),
		attribute.String(semconv.HostName, "bench-host"),
		attribute.String(semconv.OSDescription, "Linux-6.1.0-x86_64-with-debian-12"),
		attribute.String(semconv.ProcessRuntimeName, "go"),
		attribute.String(semconv.ProcessRuntimeVersion, "go1.26.8"),
		attribute.String(semconv.HostCPUModelName, "AMD EPYC"),
		attribute.Int(semconv.HostCPUCount, 8),
		attribute.Int64(semconv.HostMemoryTotal, 16<<30),
		attribute.StringSlice(semconv.HostAccelerators, []string{"nvidia:/dev/nvidia0"}),
		attribute.String(semconv.VCSRefHeadRevision, "0123abcd"),
		attribute.Bool(semconv.VCSDirty, true),
	)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(proc),
		sdktrace.WithSyncer(otlp),
	)
	tracer := tp.Tracer("benchtrace")

	recordSuccessRun(tracer, t0)
	recordFailedRun(tracer, t0.Add(time.Hour))
	require.NoError(t, tp.Shutdown(ctx))
	require.NoError(t, e.Shutdown(ctx))
	// The in-process processor reports the bad attribute type of the
	// failed run (at each write); the exporter logs it once.
	assert.NotEmpty(t, procErrs)
	assert.Equal(t, 1, e.logs.FilterMessageSnippet("attributes the log cannot use").Len())

	filesA, filesB := logFiles(t, dirA), logFiles(t, dirB)
	require.Equal(t, []string{"fhe_resnet20_20250109_123456.json", "fhe_resnet20_20250109_133456.json"}, filesA)
	require.Equal(t, filesA, filesB, "same file names")
	for _, name := range filesA {
		a, err := os.ReadFile(filepath.Join(dirA, name))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dirB, name))
		require.NoError(t, err)
		if !assert.Equal(t, string(a), string(b), name) {
			// Key by key, for a readable difference.
			la, lb := readLog(t, filepath.Join(dirA, name)), readLog(t, filepath.Join(dirB, name))
			assert.Equal(t, la.Metadata, lb.Metadata)
			assert.Equal(t, la.Phases, lb.Phases)
			assert.Equal(t, la.Timing, lb.Timing)
		}
	}
	assert.Empty(t, walFiles(t, dirB))
}

// recordSuccessRun records a run with every kind of attribute: resource,
// metadata, model, results (with +Inf and a slice), measurements, a nested
// phase, a phase name used twice and a user attribute that collides with a
// log key.
func recordSuccessRun(tracer trace.Tracer, start time.Time) {
	at := func(s float64) trace.SpanStartEventOption {
		return trace.WithTimestamp(start.Add(time.Duration(s * float64(time.Second))))
	}
	end := func(s float64) trace.SpanEndOption {
		return trace.WithTimestamp(start.Add(time.Duration(s * float64(time.Second))))
	}
	const bench = "fhe_resnet20"
	ctx, root := tracer.Start(context.Background(), bench, at(0), trace.WithAttributes(
		attribute.String(semconv.BenchmarkName, bench),
		attribute.String(semconv.RunMainPhase, "fhe_inference"),
		attribute.String(semconv.MetadataConfigFile, "configs/resnet20.yaml"),
		attribute.String(semconv.FrameworkVersionKey("lattigo"), "v6.1.0"),
		attribute.String(semconv.ModelName, "ResNet-20"),
		attribute.String(semconv.ModelDataset, "cifar10"),
		attribute.Int(semconv.ModelBatchSize, 1),
		attribute.Int(semconv.ModelSeed, 42),
		attribute.String(semconv.ModelPrefix+"activation", "relu"),
	))
	phase := func(ctx context.Context, name string, from, to float64, attrs ...attribute.KeyValue) context.Context {
		attrs = append(attrs, attribute.String(semconv.PhaseName, name), attribute.String(semconv.BenchmarkName, bench))
		ctx, s := tracer.Start(ctx, name, at(from), trace.WithAttributes(attrs...))
		s.End(end(to))
		return ctx
	}
	phase(ctx, "load_data", 0.001, 1.5,
		attribute.Float64(semconv.PhaseDuration, 1.498),
		attribute.Float64(semconv.PhaseCPUUser, 1.2),
		attribute.Float64(semconv.PhaseCPUSystem, 0.2),
		attribute.Float64(semconv.PhaseCPUChildren, 0),
		attribute.Int64(semconv.PhaseMemoryRSSStart, 100<<20),
		attribute.Int64(semconv.PhaseMemoryChange, -4096),
		attribute.Int64(semconv.PhaseMemoryPeak, 300<<20),
		attribute.String(semconv.PhaseMemoryPeakSource, "hwm"),
		attribute.Int64(semconv.PhaseGoHeapAlloc, 12345),
		attribute.Int64(semconv.PhaseGoGCCycles, 3),
		attribute.Int("input_level", 14),
		attribute.String("status", "user value colliding with a log key"),
		attribute.Float64Slice("weights", []float64{0.5, math.NaN(), 2}),
		attribute.BoolSlice("flags", []bool{true, false}),
		attribute.Int64Slice("dims", []int64{32, 32, 3}),
	)
	// A phase with a nested phase, ended after it.
	pctx, keygen := tracer.Start(ctx, "keygen", at(1.5), trace.WithAttributes(
		attribute.String(semconv.PhaseName, "keygen"), attribute.String(semconv.BenchmarkName, bench)))
	phase(pctx, "rotation_keys", 1.6, 3)
	keygen.End(end(3.5))
	phase(ctx, "fhe_inference", 3.5, 63.25)
	phase(ctx, "fhe_inference", 63.25, 100) // the same name again: fhe_inference#2
	phase(ctx, "decode", 100, 100.5)
	root.SetAttributes(
		attribute.Float64(semconv.ResultMAE, 0),
		attribute.Float64(semconv.ResultPrecisionBits, math.Inf(1)),
		attribute.Int(semconv.ResultSamples, 10),
		attribute.Float64Slice(semconv.ResultOutputSample, []float64{0.1, 0.2}),
		attribute.Float64Slice(semconv.ResultReferenceSample, []float64{0.1, 0.2}),
	)
	root.End(end(101))
}

// recordFailedRun records a run whose last phase and root fail with an
// exception event, with an interrupted phase and a bad attribute type.
func recordFailedRun(tracer trace.Tracer, start time.Time) {
	const bench = "fhe_resnet20"
	ctx, root := tracer.Start(context.Background(), bench, trace.WithTimestamp(start), trace.WithAttributes(
		attribute.String(semconv.BenchmarkName, bench)))
	_, p := tracer.Start(ctx, "warmup", trace.WithTimestamp(start.Add(time.Second)), trace.WithAttributes(
		attribute.String(semconv.PhaseName, "warmup"), attribute.String(semconv.BenchmarkName, bench),
		attribute.String(semconv.PhaseStatus, semconv.StatusInterrupted),
		attribute.String(semconv.PhaseCPUUser, "not a number")))
	p.End(trace.WithTimestamp(start.Add(2 * time.Second)))
	_, p = tracer.Start(ctx, "decrypt", trace.WithTimestamp(start.Add(2*time.Second)), trace.WithAttributes(
		attribute.String(semconv.PhaseName, "decrypt"), attribute.String(semconv.BenchmarkName, bench)))
	err := errors.New("decryption failed: bad key")
	p.AddEvent("checkpoint", trace.WithTimestamp(start.Add(2500*time.Millisecond)))
	p.RecordError(err, trace.WithTimestamp(start.Add(3*time.Second)), trace.WithAttributes(
		attribute.String(semconv.ExceptionStacktrace, "goroutine 1 [running]:\nmain.decrypt()")))
	p.SetStatus(codes.Error, err.Error())
	p.End(trace.WithTimestamp(start.Add(3 * time.Second)))
	root.RecordError(err, trace.WithTimestamp(start.Add(3*time.Second)), trace.WithAttributes(
		attribute.String(semconv.ExceptionStacktrace, "goroutine 1 [running]:\nmain.main()")))
	root.SetStatus(codes.Error, "")
	root.End(trace.WithTimestamp(start.Add(3 * time.Second)))
}
