package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/internal/stacktest"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// loadLogs reads every run log in dir, keyed by run ID. Logs that do not
// decode (none should) are reported as errors.
func loadLogs(dir string) (map[string]*benchlog.Log, map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	logs, paths := map[string]*benchlog.Log{}, map[string]string{}
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		l, err := benchlog.Decode(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		id, _ := l.Metadata.String(benchlog.KeyRunID)
		logs[id], paths[id] = l, f
	}
	return logs, paths, errors.Join(errs...)
}

// TestRunThroughStack runs a real example benchmark against the stack and
// checks all three views of it: the collector-written log against the
// in-process one, the trace in Jaeger, and the series in Prometheus.
func TestRunThroughStack(t *testing.T) {
	s := needStack(t)
	inproc := t.TempDir()
	const bench = "mlp_polyrelu_synthetic"
	s.benchtrace(t, "run", "--logs", inproc, "--otlp-endpoint", s.OTLP(), "--only", "^"+bench+"$", "--size", "small")
	exited := time.Now()

	local, _, err := loadLogs(inproc)
	require.NoError(t, err)
	require.Len(t, local, 1)
	var runID string
	var want *benchlog.Log
	for id, l := range local {
		runID, want = id, l
	}
	require.Equal(t, "success", want.Status)

	// The collector's log: final once the root span has arrived.
	var got *benchlog.Log
	var gotPath string
	err = stacktest.Eventually(t.Context(), 30*time.Second, 100*time.Millisecond, func() error {
		logs, paths, err := loadLogs(s.LogDir)
		if err != nil {
			return err
		}
		l, ok := logs[runID]
		if !ok || l.Status != "success" {
			return fmt.Errorf("no final log of run %s in %s yet", runID, s.LogDir)
		}
		got, gotPath = l, paths[runID]
		return nil
	})
	require.NoError(t, err)
	fi, err := os.Stat(gotPath)
	require.NoError(t, err)
	end, err := benchlog.ParseTime(mustString(t, got.Metadata, benchlog.KeyTimestampEnd))
	require.NoError(t, err)
	t.Logf("run end → collector log file: %s (root span end → file mtime); process exit → file found: %s",
		fi.ModTime().Sub(end).Round(time.Millisecond), time.Since(exited).Round(time.Millisecond))
	assert.Equal(t, filepath.Base(gotPath)[:len(bench)], bench, "named {benchmark}_{YYYYMMDD_HHMMSS}.json")

	// Key for key, as docs/log-format.md says.
	assert.Equal(t, want.Metadata, got.Metadata, "metadata")
	assert.Equal(t, want.Model, got.Model, "model")
	assert.Equal(t, want.Phases, got.Phases, "phases")
	assert.Equal(t, want.Results, got.Results, "results")
	assert.Equal(t, want.Timing, got.Timing, "timing")
	assert.Equal(t, want.Status, got.Status)
	assert.Equal(t, want.Error, got.Error)
	assert.Equal(t, want.Extra, got.Extra)

	t.Run("jaeger", func(t *testing.T) { checkJaeger(t, s, runID, want) })
	t.Run("prometheus", func(t *testing.T) { checkPrometheus(t, s, bench, want) })
}

func mustString(t *testing.T, o benchlog.Object, key string) string {
	t.Helper()
	v, ok := o.String(key)
	require.True(t, ok, "missing %s", key)
	return v
}

// jaegerTrace is the part of Jaeger's /api/traces answer the test reads.
type jaegerTrace struct {
	TraceID string `json:"traceID"`
	Spans   []struct {
		SpanID        string `json:"spanID"`
		OperationName string `json:"operationName"`
		References    []struct {
			RefType string `json:"refType"`
			SpanID  string `json:"spanID"`
		} `json:"references"`
		Tags      []jaegerTag `json:"tags"`
		ProcessID string      `json:"processID"`
	} `json:"spans"`
	Processes map[string]struct {
		ServiceName string      `json:"serviceName"`
		Tags        []jaegerTag `json:"tags"`
	} `json:"processes"`
}

type jaegerTag struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

func tagMap(tags []jaegerTag) map[string]any {
	m := map[string]any{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func checkJaeger(t *testing.T, s *stack, runID string, want *benchlog.Log) {
	var tr jaegerTrace
	err := stacktest.Eventually(t.Context(), 30*time.Second, 250*time.Millisecond, func() error {
		var r struct {
			Data []jaegerTrace `json:"data"`
		}
		if err := stacktest.GetJSON(t.Context(), s.JaegerURL()+"/api/traces/"+runID, &r); err != nil {
			return err
		}
		if len(r.Data) != 1 || len(r.Data[0].Spans) < len(want.Phases)+1 {
			return fmt.Errorf("trace %s: %d traces, not complete yet", runID, len(r.Data))
		}
		tr = r.Data[0]
		return nil
	})
	require.NoError(t, err)

	// The run is also found by service, as a person browsing Jaeger finds it.
	var byService struct {
		Data []jaegerTrace `json:"data"`
	}
	require.NoError(t, stacktest.GetJSON(t.Context(), s.JaegerURL()+"/api/traces?service=benchtrace&limit=1000&lookback=1h", &byService))
	assert.True(t, slices.ContainsFunc(byService.Data, func(x jaegerTrace) bool { return x.TraceID == runID }), "listed under service benchtrace")

	roots, phases := 0, map[string]map[string]any{}
	for _, sp := range tr.Spans {
		tags := tagMap(sp.Tags)
		if len(sp.References) == 0 {
			roots++
			assert.Equal(t, mustString(t, want.Metadata, benchlog.KeyBenchmarkName), tags[semconv.BenchmarkName])
			assert.Contains(t, tags, semconv.ResultMAE)
			assert.Contains(t, tags, semconv.ResultPrecisionBits)
			continue
		}
		if name, ok := tags[semconv.PhaseName].(string); ok {
			phases[name] = tags
		}
		p := tr.Processes[sp.ProcessID]
		assert.Equal(t, "benchtrace", p.ServiceName)
		res := tagMap(p.Tags)
		for _, k := range []string{semconv.HostName, semconv.ProcessRuntimeVersion, semconv.HostCPUCount, semconv.OSDescription} {
			assert.Contains(t, res, k, "resource attribute")
		}
	}
	assert.Equal(t, 1, roots, "one root span")
	assert.Len(t, phases, len(want.Phases), "one span per phase")
	for _, p := range want.Phases {
		tags, ok := phases[p.Name]
		if !assert.True(t, ok, "phase %s in Jaeger", p.Name) {
			continue
		}
		for _, k := range []string{semconv.PhaseDuration, semconv.PhaseCPUUser, semconv.PhaseMemoryPeak, semconv.PhaseMemoryChange, semconv.PhaseGoHeapAlloc} {
			assert.Contains(t, tags, k, "phase %s", p.Name)
		}
		d, _ := p.Fields.Float(benchlog.KeyDuration)
		assert.InDelta(t, d, tags[semconv.PhaseDuration], 1e-9, "phase %s duration", p.Name)
	}
}

func checkPrometheus(t *testing.T, s *stack, bench string, want *benchlog.Log) {
	sel := fmt.Sprintf(`{benchtrace_benchmark_name=%q}`, bench)
	queries := map[string]func([]stacktest.Sample) error{
		// Phase durations: the span-metrics histogram, a series per phase.
		`sum by (benchtrace_phase_name) (traces_span_metrics_duration_seconds_count` + sel + `)`: func(r []stacktest.Sample) error {
			seen := map[string]bool{}
			for _, x := range r {
				seen[x.Metric["benchtrace_phase_name"]] = true
			}
			for _, p := range want.Phases {
				if !seen[p.Name] {
					return fmt.Errorf("no duration series for phase %s (have %v)", p.Name, seen)
				}
			}
			return nil
		},
		`histogram_quantile(0.5, sum by (le, benchtrace_phase_name) (traces_span_metrics_duration_seconds_bucket` + sel + `))`: nonEmpty,
		`benchtrace_phase_duration_seconds` + sel:  nonEmpty,
		`benchtrace_phase_memory_peak_bytes` + sel: nonEmpty,
		`benchtrace_phase_cpu_user_seconds` + sel:  nonEmpty,
		`benchtrace_result_mae` + sel:              value(want.Results, benchlog.KeyMAE),
		`benchtrace_result_precision_bits` + sel:   value(want.Results, benchlog.KeyPrecisionBits),
	}
	for q, check := range queries {
		err := stacktest.Eventually(t.Context(), 45*time.Second, time.Second, func() error {
			r, err := s.query(t.Context(), q)
			if err != nil {
				return err
			}
			if len(r) == 0 {
				return fmt.Errorf("no data")
			}
			return check(r)
		})
		assert.NoError(t, err, q)
	}
}

func nonEmpty([]stacktest.Sample) error { return nil }

// value checks that one of the series has the log's value of key.
func value(o benchlog.Object, key string) func([]stacktest.Sample) error {
	return func(r []stacktest.Sample) error {
		want, ok := o.Float(key)
		if !ok {
			return fmt.Errorf("log has no %s", key)
		}
		var got []float64
		for _, x := range r {
			if math.Abs(x.Value-want) <= 1e-9*math.Abs(want) {
				return nil
			}
			got = append(got, x.Value)
		}
		return fmt.Errorf("%s: want %v, series have %v", key, want, got)
	}
}

// The load test's child processes: this test binary again, with childEnv set.
const (
	childEnv       = "BENCHTRACE_E2E_CHILD"
	childOTLPEnv   = "BENCHTRACE_E2E_OTLP"
	childRunsEnv   = "BENCHTRACE_E2E_RUNS"
	childPhasesEnv = "BENCHTRACE_E2E_PHASES"
	loadBenchmark  = "e2e_load"
)

// childMain runs RUNS runs of PHASES phases each, sending them over OTLP,
// and prints each run's ID.
func childMain(mode string) int {
	switch mode {
	case "crash":
		return crashChild()
	case "load":
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode", mode)
		return 2
	}
	runs, _ := strconv.Atoi(os.Getenv(childRunsEnv))
	phases, _ := strconv.Atoi(os.Getenv(childPhasesEnv))
	ctx := context.Background()
	bt, err := sdk.New(ctx, sdk.WithoutLogs(), sdk.WithOTLPEndpoint(os.Getenv(childOTLPEnv)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var sum [32]byte
	for i := range runs {
		run := bt.Start(ctx, loadBenchmark, sdk.WithModel(sdk.Model{Name: "sha256-chain", Seed: int64(i)}))
		for p := range phases {
			_ = run.Phase(fmt.Sprintf("phase_%02d", p), func(context.Context) error {
				for range 2000 { // real work: about a millisecond of hashing
					sum = sha256.Sum256(sum[:])
				}
				return nil
			})
		}
		run.SetResults(attribute.Int("run", i))
		run.End(nil)
		fmt.Println(run.TraceID())
	}
	if err := bt.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		return 1
	}
	return 0
}

// TestLoad sends 200 runs of 10 phases from 8 concurrent processes and
// expects 200 complete logs holding 2,000 phases.
func TestLoad(t *testing.T) {
	s := needStack(t)
	const procs, runsPerProc, phases = 8, 25, 10
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	start := time.Now()
	for range procs {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=load", childOTLPEnv+"="+s.OTLP(),
				childRunsEnv+"="+strconv.Itoa(runsPerProc), childPhasesEnv+"="+strconv.Itoa(phases))
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if !assert.NoError(t, err, "load process") {
				return
			}
			sc := bufio.NewScanner(strings.NewReader(string(out)))
			mu.Lock()
			defer mu.Unlock()
			for sc.Scan() {
				ids = append(ids, strings.TrimSpace(sc.Text()))
			}
		})
	}
	wg.Wait()
	sent := time.Since(start)
	require.Len(t, ids, procs*runsPerProc)

	var missing []string
	var total int
	err := stacktest.Eventually(t.Context(), 60*time.Second, 500*time.Millisecond, func() error {
		logs, _, err := loadLogs(s.LogDir)
		if err != nil {
			return err
		}
		missing, total = nil, 0
		for _, id := range ids {
			l, ok := logs[id]
			if !ok || l.Status != "success" || len(l.Phases) != phases {
				missing = append(missing, id)
				continue
			}
			total += len(l.Phases)
		}
		if len(missing) > 0 {
			return fmt.Errorf("%d of %d runs not complete yet (first: %s)", len(missing), len(ids), missing[0])
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, procs*runsPerProc*phases, total)
	t.Logf("%d runs × %d phases from %d processes: sent in %s, all logs complete %s after the start",
		len(ids), phases, procs, sent.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}
