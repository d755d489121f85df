package e2e

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/internal/stacktest"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// configEnv, when set, is the collector config the tests of this file run
// instead of collector/config.yaml: how to show that a test fails on an
// older config (git show OLD:collector/config.yaml > /tmp/old.yaml).
const configEnv = "BENCHTRACE_E2E_COLLECTOR_CONFIG"

// ownCollector starts a collector of the stack's build, beside the
// stack's, with its own ports and log directory, exporting to the stack's
// Jaeger. It returns the env to restart it with.
type ownCollector struct {
	bin, config, health, procLog, logDir string
	env                                  []string
	otlp, otlpHTTP                       string
	metrics, telemetry                   string
	proc                                 *collectorProc
}

func newOwnCollector(t *testing.T, s *stack) *ownCollector {
	t.Helper()
	bin, err := s.State("COLLECTOR_BIN")
	require.NoError(t, err)
	ports, err := stacktest.FreePorts(5)
	require.NoError(t, err)
	c := &ownCollector{bin: bin, logDir: t.TempDir(), procLog: filepath.Join(t.TempDir(), "collector.log")}
	c.config = filepath.Join(s.Root, "collector", "config.yaml")
	if alt := os.Getenv(configEnv); alt != "" {
		c.config = alt
	}
	c.env = append(os.Environ(),
		"BENCHTRACE_LOG_DIR="+c.logDir,
		fmt.Sprintf("%s=%d", stacktest.OTLPPort, ports[0]),
		fmt.Sprintf("%s=%d", stacktest.MetricsPort, ports[1]),
		fmt.Sprintf("%s=%d", stacktest.CollectorTelemetryPort, ports[2]),
		fmt.Sprintf("%s=%d", stacktest.CollectorHealthPort, ports[3]),
		fmt.Sprintf("BENCHTRACE_OTLP_HTTP_PORT=%d", ports[4]),
		fmt.Sprintf("%s=%d", stacktest.JaegerOTLPPort, s.Ports[stacktest.JaegerOTLPPort]),
	)
	c.health = fmt.Sprintf("http://127.0.0.1:%d/", ports[3])
	c.otlp = fmt.Sprintf("127.0.0.1:%d", ports[0])
	c.metrics = fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[1])
	c.telemetry = fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[2])
	c.otlpHTTP = fmt.Sprintf("127.0.0.1:%d", ports[4])
	c.start(t)
	return c
}

func (c *ownCollector) start(t *testing.T) {
	t.Helper()
	c.proc = startCollector(t, c.bin, c.config, c.env, c.health, c.procLog)
}

func (c *ownCollector) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, c.proc.cmd.Process.Signal(syscall.SIGKILL))
	<-c.proc.exited
}

// loadRun is one run the producers of TestKillUnderLoadLosesNothing send:
// its spans, phases first (each exported alone, as the SDK exports a phase
// when it ends), the root last.
type loadRun struct {
	id    trace.TraceID
	spans []sdktrace.ReadOnlySpan
}

func makeLoadRun(producer, i, phases int) loadRun {
	var tid trace.TraceID
	tid[0] = 0xe2
	binary.BigEndian.PutUint32(tid[8:], uint32(producer))
	binary.BigEndian.PutUint32(tid[12:], uint32(i))
	sid := func(n int) trace.SpanID {
		var s trace.SpanID
		binary.BigEndian.PutUint32(s[4:], uint32(n))
		return s
	}
	sc := func(n int) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid(n), TraceFlags: trace.FlagsSampled})
	}
	bench := fmt.Sprintf("e2e_kill_p%d_r%d", producer, i)
	res := resource.NewSchemaless(attribute.String("service.name", "e2e-kill"))
	scope := instrumentation.Scope{Name: "e2e"}
	start := time.Now()
	var out loadRun
	out.id = tid
	for p := 1; p <= phases; p++ {
		s := start.Add(time.Duration(p) * time.Millisecond)
		out.spans = append(out.spans, tracetest.SpanStub{
			Name: fmt.Sprintf("phase%02d", p), SpanContext: sc(p + 1), Parent: sc(1),
			StartTime: s, EndTime: s.Add(time.Millisecond),
			Attributes: []attribute.KeyValue{
				attribute.String(semconv.BenchmarkName, bench),
				attribute.String(semconv.PhaseName, fmt.Sprintf("phase%02d", p)),
				attribute.String("padding", strings.Repeat("x", 200)),
			},
			Resource: res, InstrumentationScope: scope,
		}.Snapshot())
	}
	out.spans = append(out.spans, tracetest.SpanStub{
		Name: bench, SpanContext: sc(1), StartTime: start, EndTime: start.Add(time.Duration(phases+2) * time.Millisecond),
		Attributes: []attribute.KeyValue{attribute.String(semconv.BenchmarkName, bench)},
		Resource:   res, InstrumentationScope: scope,
	}.Snapshot())
	return out
}

// TestKillUnderLoadLosesNothing: 8 producers send runs of 12 phases, four
// of them one span an export (40 runs each), four a whole run an export
// (100 runs each), each export retried until the collector acknowledges
// it, as an SDK does. The collector is killed (SIGKILL) at three moments under
// that load and restarted each time. Every run must end complete, in one
// file, and no log may say success without all its phases. With `batch`
// in front of benchlog (the config before), the spans a killed batch
// processor held were acknowledged and lost.
func TestKillUnderLoadLosesNothing(t *testing.T) {
	s := needStack(t)
	c := newOwnCollector(t, s)
	// Even producers send each phase as it ends (one span an export);
	// odd ones a whole run in one export, a burst of short runs.
	const producers, runsSlow, runsBurst, phases = 8, 40, 100, 12
	runsOf := func(p int) int {
		if p%2 == 0 {
			return runsSlow
		}
		return runsBurst
	}

	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	var acked atomic.Int64
	var total int64
	for p := range producers {
		if p%2 == 0 {
			total += runsSlow * (phases + 1)
		} else {
			total += runsBurst
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	var ids sync.Map // trace ID hex => bench
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(c.otlp), otlptracegrpc.WithInsecure(),
				otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}), otlptracegrpc.WithTimeout(3*time.Second))
			if err != nil {
				errs <- err
				return
			}
			defer exp.Shutdown(context.Background())
			for i := range runsOf(p) {
				r := makeLoadRun(p, i, phases)
				ids.Store(r.id.String(), struct{}{})
				exports := [][]sdktrace.ReadOnlySpan{r.spans}
				if p%2 == 0 {
					exports = nil
					for _, sp := range r.spans {
						exports = append(exports, []sdktrace.ReadOnlySpan{sp})
					}
				}
				for _, spans := range exports {
					for attempt := 0; ; attempt++ {
						if err := exp.ExportSpans(ctx, spans); err == nil {
							break
						} else if ctx.Err() != nil {
							errs <- fmt.Errorf("producer %d run %d: gave up: %w", p, i, err)
							return
						}
						time.Sleep(50 * time.Millisecond)
					}
					acked.Add(1)
				}
			}
		}()
	}
	// Kill at a quarter, half and three quarters of the spans acknowledged.
	for k, at := range []int64{total / 4, total / 2, 3 * total / 4} {
		err := stacktest.Eventually(ctx, 3*time.Minute, 5*time.Millisecond, func() error {
			if acked.Load() < at {
				return fmt.Errorf("%d of %d exports acknowledged", acked.Load(), total)
			}
			return nil
		})
		require.NoError(t, err)
		t.Logf("kill %d at %d of %d exports acknowledged", k+1, acked.Load(), total)
		c.kill(t)
		c.start(t)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	var want []string
	ids.Range(func(k, _ any) bool { want = append(want, k.(string)); return true })
	require.Len(t, want, producers/2*(runsSlow+runsBurst))
	err := stacktest.Eventually(ctx, 60*time.Second, 200*time.Millisecond, func() error {
		logs, _, err := loadLogs(c.logDir)
		if err != nil {
			return err
		}
		for _, id := range want {
			if l := logs[id]; l == nil || l.Status != "success" {
				return fmt.Errorf("run %s: no final log yet", id)
			}
		}
		return nil
	})
	require.NoError(t, err)
	logs, paths, err := loadLogs(c.logDir)
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join(c.logDir, "*.json"))
	require.NoError(t, err)
	assert.Len(t, files, len(want), "one file a run")
	incomplete := 0
	for _, id := range want {
		l := logs[id]
		if !assert.Len(t, l.Phases, phases, "run %s (%s): every acknowledged phase", id, paths[id]) {
			incomplete++
		}
	}
	for id, l := range logs {
		if l.Status == "success" && len(l.Phases) != phases {
			t.Errorf("run %s says success with %d of %d phases", id, len(l.Phases), phases)
		}
	}
	t.Logf("%d runs, %d exports, 3 kills: %d runs lost phases", len(want), total, incomplete)
	if t.Failed() {
		if keep := os.Getenv("BENCHTRACE_E2E_KEEP"); keep != "" {
			_ = os.CopyFS(keep, os.DirFS(filepath.Dir(c.procLog)))
			_ = os.CopyFS(filepath.Join(keep, "logs"), os.DirFS(c.logDir))
		}
	}
}
