package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/internal/stacktest"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// TestStackLive starts the whole stack as `collector/stack up` does, on free
// ports and in a temporary run directory, sends one benchmark run over
// OTLP, and checks that it arrives everywhere: in Jaeger's API, as a
// benchlog run log, and in Prometheus with exactly the metric and label
// names of metrics.json.
//
// It needs the built binaries (a first `collector/stack build` takes
// minutes: Jaeger alone about 6), so it runs only when asked:
//
//	BENCHTRACE_STACK_TEST=1 go test -run TestStackLive -v ./collector/
func TestStackLive(t *testing.T) {
	if os.Getenv("BENCHTRACE_STACK_TEST") != "1" {
		t.Skip("set BENCHTRACE_STACK_TEST=1 to build and run the collector, Jaeger and Prometheus")
	}
	// Up may build for minutes first.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()

	logDir := t.TempDir()
	s, err := stacktest.Start(ctx, stacktest.Config{RunDir: t.TempDir(), LogDir: logDir})
	require.NoError(t, err)
	t.Logf("collector/stack up:\n%s", s.UpOutput)
	// Registered after t.TempDir, so it runs before the PID files go.
	t.Cleanup(func() {
		// t.Context is done by now; down must still run to the end.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 2*time.Minute)
		defer cancel()
		assert.NoError(t, s.Stop(ctx))
	})

	const service, benchmark = "benchtrace-stacktest", "stacktest"
	traceID := sendRun(ctx, t, s.OTLP(), service, benchmark)

	t.Run("jaeger", func(t *testing.T) {
		u := s.JaegerURL() + "/api/traces/" + traceID
		err := stacktest.Eventually(ctx, 30*time.Second, 500*time.Millisecond, func() error {
			var resp struct {
				Data []struct {
					Spans []struct{ OperationName string }
				}
			}
			if err := stacktest.GetJSON(ctx, u, &resp); err != nil {
				return err
			}
			if len(resp.Data) != 1 || len(resp.Data[0].Spans) != 3 {
				return fmt.Errorf("want 1 trace of 3 spans, got %+v", resp.Data)
			}
			return nil
		})
		assert.NoError(t, err)
	})

	t.Run("benchlog", func(t *testing.T) {
		err := stacktest.Eventually(ctx, 30*time.Second, 500*time.Millisecond, func() error {
			files, _ := filepath.Glob(filepath.Join(logDir, benchmark+"_*.json"))
			if len(files) != 1 {
				return fmt.Errorf("want one %s_*.json in %s, have %v", benchmark, logDir, files)
			}
			data, err := os.ReadFile(files[0])
			if err != nil {
				return err
			}
			var log struct {
				Metadata struct {
					BenchmarkName string `json:"benchmark_name"`
					RunID         string `json:"run_id"`
				}
				Phases map[string]json.RawMessage
			}
			if err := json.Unmarshal(data, &log); err != nil {
				return fmt.Errorf("%s: %w", files[0], err)
			}
			if log.Metadata.BenchmarkName != benchmark || log.Metadata.RunID != traceID || len(log.Phases) != 2 {
				return fmt.Errorf("%s: unexpected log %s", files[0], data)
			}
			return nil
		})
		assert.NoError(t, err)
	})

	t.Run("prometheus", func(t *testing.T) {
		prom := s.PrometheusURL()
		for _, m := range readMetricNames(t).Metrics {
			series := map[string][]string{m.Name: m.Labels}
			if m.Type == "histogram" {
				series = map[string][]string{
					m.Name + "_bucket": append([]string{"le"}, m.Labels...),
					m.Name + "_sum":    m.Labels,
					m.Name + "_count":  m.Labels,
				}
			}
			for name, labels := range series {
				want := slices.Sorted(slices.Values(labels))
				err := stacktest.Eventually(ctx, 30*time.Second, 500*time.Millisecond, func() error {
					got, err := labelNames(ctx, prom, fmt.Sprintf("%s{job=%q}", name, service))
					if err != nil {
						return err
					}
					if !slices.Equal(got, want) {
						return fmt.Errorf("%s: labels %v, metrics.json says %v", name, got, want)
					}
					return nil
				})
				assert.NoError(t, err)
			}
		}
		// Values arrive as sent; the failed phase is labelled so.
		for query, want := range map[string]float64{
			fmt.Sprintf("benchtrace_phase_memory_peak_bytes{job=%q,benchtrace_phase_name=\"prepare\"}", service):                                     1 << 20,
			fmt.Sprintf("benchtrace_result_mae{job=%q}", service):                                                                                    0.25,
			fmt.Sprintf("benchtrace_result_precision_bits{job=%q}", service):                                                                         2,
			fmt.Sprintf("sum(traces_span_metrics_calls_total{job=%q,benchtrace_phase_name=\"compute\",status_code=\"STATUS_CODE_ERROR\"})", service): 1,
		} {
			err := stacktest.Eventually(ctx, 30*time.Second, 500*time.Millisecond, func() error {
				r, err := stacktest.Query(ctx, prom, query)
				if err != nil {
					return err
				}
				if len(r) != 1 {
					return fmt.Errorf("%s: %d series, want 1", query, len(r))
				}
				if r[0].Value != want {
					return fmt.Errorf("%s = %v, want %v", query, r[0].Value, want)
				}
				return nil
			})
			assert.NoError(t, err)
		}
	})
}

// sendRun sends one run the way docs/conventions.md describes it: a root
// span with results and two phases, the second failed. It returns the
// trace ID.
func sendRun(ctx context.Context, t *testing.T, endpoint, service, benchmark string) string {
	t.Helper()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String(semconv.ServiceName, service))),
	)
	tracer := tp.Tracer("github.com/benchtrace/benchtrace/collector")

	ctx, root := tracer.Start(ctx, benchmark, trace.WithAttributes(attribute.String(semconv.BenchmarkName, benchmark)))
	for _, phase := range []string{"prepare", "compute"} {
		_, span := tracer.Start(ctx, phase, trace.WithAttributes(
			attribute.String(semconv.BenchmarkName, benchmark),
			attribute.String(semconv.PhaseName, phase),
		))
		span.SetAttributes(
			attribute.Float64(semconv.PhaseDuration, 0.01),
			attribute.Int64(semconv.PhaseMemoryPeak, 1<<20),
			attribute.Float64(semconv.PhaseCPUUser, 0.008),
			attribute.Float64(semconv.PhaseCPUSystem, 0.002),
		)
		if phase == "compute" {
			span.SetStatus(codes.Error, "injected failure")
		}
		span.End()
	}
	root.SetAttributes(
		attribute.Float64(semconv.ResultMAE, 0.25),
		attribute.Float64(semconv.ResultPrecisionBits, 2),
	)
	root.End()
	require.NoError(t, tp.Shutdown(ctx), "flushing spans to the collector")
	return root.SpanContext().TraceID().String()
}

// labelNames is the sorted union of the label names (__name__ left out)
// of the series query returns; no series is an error.
func labelNames(ctx context.Context, prom, query string) ([]string, error) {
	r, err := stacktest.Query(ctx, prom, query)
	if err != nil {
		return nil, err
	}
	if len(r) == 0 {
		return nil, fmt.Errorf("%s: no series yet", query)
	}
	set := make(map[string]bool)
	for _, x := range r {
		for k := range x.Metric {
			if k != "__name__" {
				set[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}
