package logwriter

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

func newTestProcessor(t *testing.T, opts ...Option) (*SpanProcessor, trace.Tracer, *[]error) {
	t.Helper()
	var mu sync.Mutex
	var errs []error
	opts = append([]Option{WithLocation(time.UTC), WithErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	})}, opts...)
	p, err := NewSpanProcessor(t.TempDir(), opts...)
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(p))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return p, tp.Tracer("test"), &errs
}

func readOnlyLog(t *testing.T, dir string) *benchlog.Log {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	l, err := benchlog.Decode(data)
	require.NoError(t, err)
	return l
}

func TestSpanProcessorCheckpoints(t *testing.T) {
	p, tracer, errs := newTestProcessor(t)
	ctx, root := tracer.Start(context.Background(), "bench", trace.WithAttributes(
		attribute.String(semconv.BenchmarkName, "bench"),
		attribute.String(semconv.ModelName, "M"),
	))

	// The log exists, with its metadata, as soon as the run starts (at
	// once, with no phase to wait for).
	require.NoError(t, p.ForceFlush(context.Background()))
	l := readOnlyLog(t, p.Dir())
	assert.Equal(t, "running", l.Status)
	assert.Equal(t, benchlog.Object{{Key: "name", Value: "M"}, {Key: "batch_size", Value: nil}}, l.Model)
	assert.Empty(t, l.Phases)

	// Each phase end is on disk after a flush.
	for i, name := range []string{"fit", "inference"} {
		_, ph := tracer.Start(ctx, name, trace.WithAttributes(
			attribute.String(semconv.PhaseName, name), attribute.String(semconv.BenchmarkName, "bench")))
		ph.End()
		require.NoError(t, p.ForceFlush(context.Background()))
		l = readOnlyLog(t, p.Dir())
		assert.Equal(t, "running", l.Status)
		assert.Len(t, l.Phases, i+1)
	}
	// Results set on the live root reach the next checkpoint.
	root.SetAttributes(attribute.Float64(semconv.ResultMAE, 0.5))
	_, ph := tracer.Start(ctx, "decode", trace.WithAttributes(attribute.String(semconv.PhaseName, "decode")))
	ph.SetStatus(codes.Error, "bad padding")
	ph.End()
	require.NoError(t, p.ForceFlush(context.Background()))
	l = readOnlyLog(t, p.Dir())
	mae, _ := l.Results.Float("mae")
	assert.Equal(t, 0.5, mae)
	dec, _ := l.Phases.Get("decode")
	st, _ := dec.Fields.String(benchlog.KeyStatus)
	assert.Equal(t, "failed", st)

	// A span outside the conventions is ignored.
	_, other := tracer.Start(ctx, "http.get")
	other.End()

	root.End() // the final log is on disk when End returns
	l = readOnlyLog(t, p.Dir())
	assert.Equal(t, "success", l.Status)
	assert.Len(t, l.Phases, 3)
	assert.Empty(t, *errs)
	require.NoError(t, p.Shutdown(context.Background()))
	require.NoError(t, p.Shutdown(context.Background()), "second shutdown")
}

func TestSpanProcessorOverlappingRuns(t *testing.T) {
	p, tracer, errs := newTestProcessor(t)
	const runs, phases = 8, 20
	var wg sync.WaitGroup
	for r := range runs {
		wg.Go(func() {
			name := "run" + string(rune('a'+r))
			ctx, root := tracer.Start(context.Background(), name, trace.WithAttributes(attribute.String(semconv.BenchmarkName, name)))
			var pw sync.WaitGroup
			for i := range phases {
				pw.Go(func() {
					_, ph := tracer.Start(ctx, "p", trace.WithAttributes(attribute.String(semconv.PhaseName, "p")))
					if i%5 == 0 {
						ph.SetStatus(codes.Error, "odd")
					}
					ph.End()
				})
			}
			pw.Wait()
			root.End()
		})
	}
	wg.Wait()
	files, err := filepath.Glob(filepath.Join(p.Dir(), "*.json"))
	require.NoError(t, err)
	require.Len(t, files, runs)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		l, err := benchlog.Decode(data)
		require.NoError(t, err)
		assert.Equal(t, "success", l.Status, f)
		assert.Len(t, l.Phases, phases, f)
	}
	assert.Empty(t, *errs)
}

func TestSpanProcessorShutdownKeepsRunning(t *testing.T) {
	p, tracer, _ := newTestProcessor(t)
	ctx, _ := tracer.Start(context.Background(), "b", trace.WithAttributes(attribute.String(semconv.BenchmarkName, "b")))
	_, ph := tracer.Start(ctx, "fit", trace.WithAttributes(attribute.String(semconv.PhaseName, "fit")))
	ph.End()
	require.NoError(t, p.Shutdown(context.Background()))
	l := readOnlyLog(t, p.Dir())
	assert.Equal(t, "running", l.Status)
	assert.Len(t, l.Phases, 1)
}

func TestSpanProcessorWriteError(t *testing.T) {
	p, tracer, errs := newTestProcessor(t)
	require.NoError(t, os.Chmod(p.Dir(), 0o500))
	t.Cleanup(func() { _ = os.Chmod(p.Dir(), 0o755) })
	if os.Geteuid() == 0 {
		// root ignores directory permissions: make writes fail another way.
		require.NoError(t, os.RemoveAll(p.Dir()))
	}
	_, root := tracer.Start(context.Background(), "b", trace.WithAttributes(attribute.String(semconv.BenchmarkName, "b")))
	root.End() // must not panic
	require.NotEmpty(t, *errs)
	var target error = (*errs)[0]
	assert.True(t, errors.Is(target, os.ErrNotExist) || errors.Is(target, os.ErrPermission), "%v", target)
}

// TestPhaseEndWritesNothing: a phase's End only hands the span over; the
// writer writes checkpoints later, coalesced, outside every phase. The old
// processor rewrote the whole log inside each End.
func TestPhaseEndWritesNothing(t *testing.T) {
	p, tracer, errs := newTestProcessor(t, WithInterval(time.Hour))
	ctx, root := tracer.Start(context.Background(), "bench", trace.WithAttributes(attribute.String(semconv.BenchmarkName, "bench")))
	require.NoError(t, p.ForceFlush(context.Background()))
	for range 100 {
		_, ph := tracer.Start(ctx, "step", trace.WithAttributes(attribute.String(semconv.PhaseName, "step")))
		ph.End()
	}
	assert.Empty(t, readOnlyLog(t, p.Dir()).Phases, "no phase written within the hour's interval")

	root.End()
	l := readOnlyLog(t, p.Dir())
	assert.Equal(t, "success", l.Status)
	assert.Len(t, l.Phases, 100)
	assert.Empty(t, *errs)
}

// TestCheckpointWithinInterval: without a flush, a phase reaches the disk
// within the interval.
func TestCheckpointWithinInterval(t *testing.T) {
	p, tracer, _ := newTestProcessor(t, WithInterval(20*time.Millisecond))
	ctx, root := tracer.Start(context.Background(), "bench", trace.WithAttributes(attribute.String(semconv.BenchmarkName, "bench")))
	defer root.End()
	_, ph := tracer.Start(ctx, "fit", trace.WithAttributes(attribute.String(semconv.PhaseName, "fit")))
	ph.End()
	deadline := time.Now().Add(5 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(p.Dir(), "*.json"))
		if len(files) == 1 {
			if len(readOnlyLog(t, p.Dir()).Phases) == 1 {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "the checkpoint never came")
		time.Sleep(10 * time.Millisecond)
	}
}
