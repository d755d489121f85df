package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
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

// This test binary stands in for the stack's three services when stubEnv
// is set: collector/stack runs it as BENCHTRACE_{COLLECTOR,JAEGER,
// PROMETHEUS}_BIN (see stubMain).
const (
	stubEnv     = "BENCHTRACE_STACK_STUB"      // "serve", or "fail:SERVICE"
	stubPIDsEnv = "BENCHTRACE_STACK_STUB_PIDS" // a directory: each stub adds a file named by its PID, and exits when it is gone
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(stubEnv); mode != "" {
		os.Exit(stubMain(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// stubMain plays the service collector/stack started it as, told by its
// arguments: Prometheus (--web.listen-address=ADDR), Jaeger (--config
// …/jaeger.yaml) or the collector (--config …/config.yaml). It answers 200
// to every request on the ports `up` polls for that service, until SIGTERM,
// until the stubPIDsEnv directory is removed, or for 2 minutes at most.
// With mode "fail:SERVICE", that service writes a line and exits 1 at once.
func stubMain(mode string, args []string) int {
	service, addrs := "collector", []string{
		"127.0.0.1:" + os.Getenv("BENCHTRACE_COLLECTOR_HEALTH_PORT"),
		"127.0.0.1:" + os.Getenv("BENCHTRACE_METRICS_PORT"),
	}
	for i, a := range args {
		if addr, ok := strings.CutPrefix(a, "--web.listen-address="); ok {
			service, addrs = "prometheus", []string{addr}
		}
		if a == "--config" && i+1 < len(args) && filepath.Base(args[i+1]) == "jaeger.yaml" {
			service, addrs = "jaeger", []string{
				"127.0.0.1:" + os.Getenv("BENCHTRACE_JAEGER_HEALTH_PORT"),
				"127.0.0.1:" + os.Getenv("BENCHTRACE_JAEGER_UI_PORT"),
			}
		}
	}
	if mode == "fail:"+service {
		fmt.Fprintf(os.Stderr, "stub %s: failing on purpose\n", service)
		return 1
	}
	pids := os.Getenv(stubPIDsEnv)
	if err := os.WriteFile(filepath.Join(pids, strconv.Itoa(os.Getpid())), nil, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "stub %s: %v\n", service, err)
		return 1
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, addr := range addrs {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "stub %s: %v\n", service, err)
			return 1
		}
		go http.Serve(l, ok) // until the process ends
	}
	fmt.Printf("stub %s (pid %d) serving on %v\n", service, os.Getpid(), addrs)
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(pids); err != nil {
			break // the test is over
		}
	}
	return 0
}

// TestStackStartup runs `collector/stack up` and `down` with this binary as
// all three services (stubMain), so it needs no build and runs with the
// unit tests.
//
// "slow exec" is the race behind an `up` that once said "jaeger exited
// during startup", with an empty jaeger.log, about a Jaeger that was
// starting fine: `start` forks a shell that execs setsid, which execs
// Jaeger, and `up` checked at once that the PID runs Jaeger's binary. On a
// busy machine the fork had not reached Jaeger yet, so the check saw bash
// or setsid and called Jaeger dead. Here a setsid on PATH that waits a
// second before the real one (for Jaeger) makes that window certain; the
// old check fails every time.
//
// "exits at once" checks the other side: a service that does die during
// startup is still reported, with its log.
func TestStackStartup(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("collector/stack reads /proc")
	}
	for _, tool := range []string{"bash", "setsid", "curl", "flock"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("collector/stack needs %s: %v", tool, err)
		}
	}
	self, err := os.Executable()
	require.NoError(t, err)
	realSetsid, err := exec.LookPath("setsid")
	require.NoError(t, err)
	slow := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(slow, "setsid"), []byte(`#!/bin/sh
case "$*" in *jaeger.yaml*) sleep 1 ;; esac
exec `+realSetsid+` "$@"
`), 0o755))

	tests := []struct {
		name, mode string
		path       string // prepended to PATH
		wantErr    []string
	}{
		{name: "slow exec", mode: "serve", path: slow},
		{name: "exits at once", mode: "fail:jaeger", wantErr: []string{
			"jaeger exited during startup", "stub jaeger: failing on purpose",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pids := t.TempDir()
			t.Cleanup(func() { killStubs(t, pids, self) })
			env := []string{
				"BENCHTRACE_COLLECTOR_BIN=" + self,
				"BENCHTRACE_JAEGER_BIN=" + self,
				"BENCHTRACE_PROMETHEUS_BIN=" + self,
				"BENCHTRACE_STACK_TIMEOUT=30",
				stubEnv + "=" + tt.mode,
				stubPIDsEnv + "=" + pids,
			}
			if tt.path != "" {
				env = append(env, "PATH="+tt.path+string(os.PathListSeparator)+os.Getenv("PATH"))
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			s, err := stacktest.Start(ctx, stacktest.Config{RunDir: t.TempDir(), LogDir: t.TempDir(), Env: env})
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, want := range tt.wantErr {
					assert.ErrorContains(t, err, want)
				}
				assert.Empty(t, liveStubs(pids, self), "up stopped what it started")
				return
			}
			require.NoError(t, err)
			t.Logf("collector/stack up:\n%s", s.UpOutput)
			status, err := s.Run(ctx, "status")
			assert.NoError(t, err)
			for _, service := range []string{"collector", "jaeger", "prometheus"} {
				assert.Regexp(t, "(?m)^"+service+` +running \(pid \d+\)$`, status)
			}
			assert.NoError(t, s.Stop(ctx))
			assert.Empty(t, liveStubs(pids, self), "down stopped every service")
		})
	}
}

// liveStubs returns the PIDs in dir whose processes still run self.
func liveStubs(dir, self string) []int {
	entries, _ := os.ReadDir(dir)
	var live []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == self {
			if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !isZombie(stat) {
				live = append(live, pid)
			}
		}
	}
	return live
}

func isZombie(stat []byte) bool {
	i := strings.LastIndexByte(string(stat), ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// killStubs ends the stubs of a test that are still running (the old
// race left one behind: `down` took it for a recycled PID). After a
// failure it first waits for one still on its way through the slow setsid.
func killStubs(t *testing.T, dir, self string) {
	if t.Failed() {
		time.Sleep(1500 * time.Millisecond)
	}
	for _, pid := range liveStubs(dir, self) {
		t.Logf("killing stub pid %d, left running", pid)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Errorf("killing stub %d: %v", pid, err)
		}
	}
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
