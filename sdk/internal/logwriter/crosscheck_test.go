package logwriter_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/benchtrace/benchtrace/sdk/internal/logwriter"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// The crosscheck: the same runs give the same log files, byte for byte,
// whether the in-process writer (this package) writes them or the collector
// exporter (exporters/benchlogexporter, a module that must not import the
// SDK) writes them from the spans it receives over OTLP. The two sides meet
// at the exporter's testdata/crosscheck:
//
//   - spans.json: the spans of the runs below as the OTLP exporter sends
//     them (one export per span, as each ends), in OTLP/JSON;
//   - *.json (the other files): the logs the in-process writer writes.
//
// TestCrosscheck (here) records the runs with otel-go and fails when either
// differs from testdata; `go test -run Crosscheck -update` rewrites them.
// The exporter's TestCrosscheck consumes spans.json and fails when its
// logs differ from the same files.
var crosscheckDir = filepath.Join("..", "..", "..", "exporters", "benchlogexporter", "testdata", "crosscheck")

const crosscheckSpans = "spans.json"

// The -update flag, defined here unless another test file of this binary
// defines it (an init runs after every package-level variable).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// crossT0 is the start of the first run: fixed, so that file names and
// timestamps are known.
var crossT0 = time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)

func TestCrosscheck(t *testing.T) {
	// The resource, the sampler and the span limits of otel-go read OTEL_*
	// variables; the recorded spans must not depend on the environment.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OTEL_") {
			t.Setenv(k, "")
			require.NoError(t, os.Unsetenv(k))
		}
	}
	ctx := context.Background()
	dir := t.TempDir()

	var mu sync.Mutex
	var procErrs []error
	proc, err := logwriter.NewSpanProcessor(dir, logwriter.WithLocation(time.UTC), logwriter.WithErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		procErrs = append(procErrs, err)
	}))
	require.NoError(t, err)
	client := &capturingClient{}
	otlp, err := otlptrace.New(ctx, client)
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
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithIDGenerator(&fixedIDs{}),
		sdktrace.WithSpanProcessor(proc),
		sdktrace.WithSyncer(otlp), // each span exported as it ends: root last
	)
	tracer := tp.Tracer("benchtrace")
	recordSuccessRun(tracer, crossT0)
	recordFailedRun(tracer, crossT0.Add(time.Hour))
	require.NoError(t, tp.Shutdown(ctx))
	// The failed run has an attribute of the wrong type; the exporter's
	// side checks that it reports it too.
	assert.NotEmpty(t, procErrs, "the in-process writer reports the bad attribute type")

	spans := client.otlpJSON(t)
	logs := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			logs[e.Name()] = data
		}
	}
	require.Equal(t, []string{"fhe_resnet20_20250109_123456.json", "fhe_resnet20_20250109_133456.json"}, slices.Sorted(maps.Keys(logs)))

	if updating() {
		writeCrosscheck(t, spans, logs)
		return
	}
	checkGolden(t, crosscheckSpans, spans)
	golden, err := filepath.Glob(filepath.Join(crosscheckDir, "*.json"))
	require.NoError(t, err)
	var names []string
	for _, g := range golden {
		if name := filepath.Base(g); name != crosscheckSpans {
			names = append(names, name)
		}
	}
	assert.Equal(t, slices.Sorted(maps.Keys(logs)), names, "the logs in %s (go test -run Crosscheck -update rewrites them)", crosscheckDir)
	for name, data := range logs {
		checkGolden(t, name, data)
	}
}

// checkGolden fails when testdata/crosscheck/name is not data, and writes
// data next to it as name.inprocess.got.
func checkGolden(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join(crosscheckDir, name)
	want, err := os.ReadFile(path)
	require.NoError(t, err, "go test -run Crosscheck -update writes it")
	if !bytes.Equal(want, data) {
		got := path + ".inprocess.got"
		require.NoError(t, os.WriteFile(got, data, 0o644))
		t.Errorf("%s differs from what this test records and writes in process (written to %s); "+
			"if the change is intended, rewrite with go test -run Crosscheck -update and run the exporter's TestCrosscheck", path, got)
	}
}

// writeCrosscheck replaces the files of testdata/crosscheck.
func writeCrosscheck(t *testing.T, spans []byte, logs map[string][]byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(crosscheckDir, 0o755))
	old, err := filepath.Glob(filepath.Join(crosscheckDir, "*.json"))
	require.NoError(t, err)
	for _, f := range old {
		require.NoError(t, os.Remove(f))
	}
	require.NoError(t, os.WriteFile(filepath.Join(crosscheckDir, crosscheckSpans), spans, 0o644))
	for name, data := range logs {
		require.NoError(t, os.WriteFile(filepath.Join(crosscheckDir, name), data, 0o644))
	}
	t.Logf("rewrote %d files in %s", len(logs)+1, crosscheckDir)
}

// capturingClient is an otlptrace.Client that keeps what the OTLP exporter
// would send, in the exporter's own protobuf form.
type capturingClient struct {
	mu      sync.Mutex
	exports [][]*tracepb.ResourceSpans
}

func (c *capturingClient) Start(context.Context) error { return nil }
func (c *capturingClient) Stop(context.Context) error  { return nil }

func (c *capturingClient) UploadTraces(_ context.Context, rss []*tracepb.ResourceSpans) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exports = append(c.exports, rss)
	return nil
}

// otlpJSON returns the spans of every export, in order, as one OTLP/JSON
// ExportTraceServiceRequest: consecutive exports with the same resource and
// scope share one ResourceSpans and ScopeSpans. IDs are hex and enums
// numbers, as OTLP/JSON specifies (protojson alone writes bytes as base64).
func (c *capturingClient) otlpJSON(t *testing.T) []byte {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	req := &coltracepb.ExportTraceServiceRequest{}
	for _, export := range c.exports {
		for _, rs := range export {
			req.ResourceSpans = appendResourceSpans(req.ResourceSpans, rs)
		}
	}
	pj, err := protojson.MarshalOptions{UseEnumNumbers: true}.Marshal(req)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(pj))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	require.NoError(t, hexIDs(v))
	out, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	return append(out, '\n')
}

func appendResourceSpans(all []*tracepb.ResourceSpans, rs *tracepb.ResourceSpans) []*tracepb.ResourceSpans {
	if n := len(all); n > 0 && proto.Equal(all[n-1].Resource, rs.Resource) && all[n-1].SchemaUrl == rs.SchemaUrl {
		last := all[n-1]
		for _, ss := range rs.ScopeSpans {
			if m := len(last.ScopeSpans); m > 0 && proto.Equal(last.ScopeSpans[m-1].Scope, ss.Scope) && last.ScopeSpans[m-1].SchemaUrl == ss.SchemaUrl {
				last.ScopeSpans[m-1].Spans = append(last.ScopeSpans[m-1].Spans, ss.Spans...)
			} else {
				last.ScopeSpans = append(last.ScopeSpans, ss)
			}
		}
		return all
	}
	return append(all, proto.Clone(rs).(*tracepb.ResourceSpans))
}

// hexIDs rewrites the base64 trace and span IDs of protojson's output in v
// as hex.
func hexIDs(v any) error {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "traceId", "spanId", "parentSpanId":
				s, ok := x.(string)
				if !ok {
					return errors.New(k + " is not a string")
				}
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return err
				}
				v[k] = hex.EncodeToString(b)
			default:
				if err := hexIDs(x); err != nil {
					return err
				}
			}
		}
	case []any:
		for _, x := range v {
			if err := hexIDs(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// fixedIDs gives runs the trace IDs 0xc0ffee…01, …02 and spans the IDs 1,
// 2, … in creation order.
type fixedIDs struct {
	mu            sync.Mutex
	traces, spans uint64
}

func (g *fixedIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.traces++
	tid := trace.TraceID{0xc0, 0xff, 0xee, 15: byte(g.traces)}
	return tid, g.nextSpan()
}

func (g *fixedIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.nextSpan()
}

func (g *fixedIDs) nextSpan() trace.SpanID {
	g.spans++
	return trace.SpanID{7: byte(g.spans)}
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
