package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// stackPorts are the port variables of collector/stack.
var stackPorts = []string{
	"BENCHTRACE_OTLP_PORT", "BENCHTRACE_METRICS_PORT", "BENCHTRACE_COLLECTOR_TELEMETRY_PORT",
	"BENCHTRACE_COLLECTOR_HEALTH_PORT", "BENCHTRACE_JAEGER_OTLP_PORT", "BENCHTRACE_JAEGER_UI_PORT",
	"BENCHTRACE_JAEGER_GRPC_PORT", "BENCHTRACE_JAEGER_HEALTH_PORT", "BENCHTRACE_PROMETHEUS_PORT",
}

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

	ports := make(map[string]int)
	for i, p := range freePorts(t, len(stackPorts)) {
		ports[stackPorts[i]] = p
	}
	env := append(os.Environ(), "BENCHTRACE_STACK_RUN_DIR="+t.TempDir())
	for k, v := range ports {
		env = append(env, k+"="+strconv.Itoa(v))
	}
	stack := func(ctx context.Context, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, "./stack", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "collector/stack %v:\n%s", args, out)
		t.Logf("collector/stack %v:\n%s", args, out)
	}

	// Registered before up (down on a run directory that started nothing
	// does nothing), so that it runs after any failure, and before
	// t.TempDir removes the PID files.
	t.Cleanup(func() {
		// t.Context is done by now; down must still run to the end.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		stack(ctx, "down")
		for name, p := range ports {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if assert.NoError(t, err, "%s %d still in use after down", name, p) {
				l.Close()
			}
		}
	})
	logDir := t.TempDir()
	stack(ctx, "up", "--logs", logDir)

	const service, benchmark = "benchtrace-stacktest", "stacktest"
	traceID := sendRun(ctx, t, ports["BENCHTRACE_OTLP_PORT"], service, benchmark)

	t.Run("jaeger", func(t *testing.T) {
		u := fmt.Sprintf("http://127.0.0.1:%d/api/traces/%s", ports["BENCHTRACE_JAEGER_UI_PORT"], traceID)
		eventually(t, 30*time.Second, func() error {
			var resp struct {
				Data []struct {
					Spans []struct{ OperationName string }
				}
			}
			if err := getJSON(ctx, u, &resp); err != nil {
				return err
			}
			if len(resp.Data) != 1 || len(resp.Data[0].Spans) != 3 {
				return fmt.Errorf("want 1 trace of 3 spans, got %+v", resp.Data)
			}
			return nil
		})
	})

	t.Run("benchlog", func(t *testing.T) {
		eventually(t, 30*time.Second, func() error {
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
	})

	t.Run("prometheus", func(t *testing.T) {
		prom := fmt.Sprintf("http://127.0.0.1:%d", ports["BENCHTRACE_PROMETHEUS_PORT"])
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
				want := append([]string(nil), labels...)
				sort.Strings(want)
				eventually(t, 30*time.Second, func() error {
					got, err := labelNames(ctx, prom, fmt.Sprintf("%s{job=%q}", name, service))
					if err != nil {
						return err
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						return fmt.Errorf("%s: labels %v, metrics.json says %v", name, got, want)
					}
					return nil
				})
			}
		}
		// Values arrive as sent; the failed phase is labelled so.
		for query, want := range map[string]float64{
			fmt.Sprintf("benchtrace_phase_memory_peak_bytes{job=%q,benchtrace_phase_name=\"prepare\"}", service):                                     1 << 20,
			fmt.Sprintf("benchtrace_result_mae{job=%q}", service):                                                                                    0.25,
			fmt.Sprintf("benchtrace_result_precision_bits{job=%q}", service):                                                                         2,
			fmt.Sprintf("sum(traces_span_metrics_calls_total{job=%q,benchtrace_phase_name=\"compute\",status_code=\"STATUS_CODE_ERROR\"})", service): 1,
		} {
			eventually(t, 30*time.Second, func() error {
				v, err := queryValue(ctx, prom, query)
				if err != nil {
					return err
				}
				if v != want {
					return fmt.Errorf("%s = %v, want %v", query, v, want)
				}
				return nil
			})
		}
	})
}

// sendRun sends one run the way docs/conventions.md describes it: a root
// span with results and two phases, the second failed. It returns the
// trace ID.
func sendRun(ctx context.Context, t *testing.T, port int, service, benchmark string) string {
	t.Helper()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(fmt.Sprintf("127.0.0.1:%d", port)), otlptracegrpc.WithInsecure())
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

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("after %v: %v", timeout, err)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

type promVector struct {
	Data struct {
		Result []struct {
			Metric map[string]string
			Value  [2]any
		}
	}
}

func promQuery(ctx context.Context, prom, query string) (*promVector, error) {
	var v promVector
	err := getJSON(ctx, prom+"/api/v1/query?query="+url.QueryEscape(query), &v)
	if err == nil && len(v.Data.Result) == 0 {
		err = fmt.Errorf("%s: no series yet", query)
	}
	return &v, err
}

// labelNames is the union of the label names of the series query returns.
func labelNames(ctx context.Context, prom, query string) ([]string, error) {
	v, err := promQuery(ctx, prom, query)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool)
	for _, r := range v.Data.Result {
		for k := range r.Metric {
			if k != "__name__" {
				set[k] = true
			}
		}
	}
	var names []string
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, nil
}

func queryValue(ctx context.Context, prom, query string) (float64, error) {
	v, err := promQuery(ctx, prom, query)
	if err != nil {
		return 0, err
	}
	if len(v.Data.Result) != 1 {
		return 0, fmt.Errorf("%s: %d series, want 1", query, len(v.Data.Result))
	}
	s, ok := v.Data.Result[0].Value[1].(string)
	if !ok {
		return 0, errors.New("unexpected Prometheus value")
	}
	return strconv.ParseFloat(s, 64)
}
