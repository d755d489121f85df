package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

// procStatus returns a field of /proc/PID/status in bytes (VmRSS, VmHWM).
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(data)
	require.NotNil(t, m, "%s in /proc/%d/status", field, pid)
	kb, err := strconv.ParseInt(string(m[1]), 10, 64)
	require.NoError(t, err)
	return kb << 10
}

func httpGet(ctx context.Context, u string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// stubSpan is a span for the bounds test's exports.
func stubSpan(tid trace.TraceID, n int, parent int, name string, attrs ...attribute.KeyValue) sdktrace.ReadOnlySpan {
	sc := func(n int) trace.SpanContext {
		var s trace.SpanID
		binary.BigEndian.PutUint32(s[4:], uint32(n))
		return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: s, TraceFlags: trace.FlagsSampled})
	}
	start := time.Now()
	stub := tracetest.SpanStub{
		Name: name, SpanContext: sc(n), StartTime: start, EndTime: start.Add(time.Millisecond), Attributes: attrs,
		Resource:             resource.NewSchemaless(attribute.String("service.name", "e2e-bounds")),
		InstrumentationScope: instrumentation.Scope{Name: "e2e"},
	}
	if parent != 0 {
		stub.Parent = sc(parent)
	}
	return stub.Snapshot()
}

func traceIDOf(kind byte, i int) trace.TraceID {
	var tid trace.TraceID
	tid[0], tid[1] = 0xb0, kind
	binary.BigEndian.PutUint32(tid[12:], uint32(i))
	return tid
}

// TestBoundsHold sends well past each bound at once, against the real
// collector: 20,000 distinct phase names (series), one run of 60 phases
// with 1 MB attributes that never ends (bytes), an application's own span
// and a phase name that is not UTF-8, with 50 good runs alongside. The
// collector's RSS stays bounded, /metrics stays small and scrapes, the
// excess is counted, every good run is complete, and SIGTERM stops the
// collector promptly.
func TestBoundsHold(t *testing.T) {
	s := needStack(t)
	c := newOwnCollector(t, s)
	pid := c.proc.cmd.Process.Pid
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	exp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(c.otlp), otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: true, InitialInterval: 100 * time.Millisecond, MaxInterval: time.Second, MaxElapsedTime: time.Minute}))
	require.NoError(t, err)
	defer exp.Shutdown(context.Background())
	rssStart := procStatus(t, pid, "VmRSS")
	began := time.Now()

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	send := func(spans []sdktrace.ReadOnlySpan) {
		if err := exp.ExportSpans(ctx, spans); err != nil {
			errs <- err
		}
	}
	// 50 good runs of 12 phases, one export a run.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			tid := traceIDOf(1, i)
			bench := fmt.Sprintf("e2e_bounds_good_%d", i)
			spans := []sdktrace.ReadOnlySpan{}
			for p := 1; p <= 12; p++ {
				spans = append(spans, stubSpan(tid, p+1, 1, fmt.Sprintf("p%d", p),
					attribute.String(semconv.BenchmarkName, bench), attribute.String(semconv.PhaseName, fmt.Sprintf("p%d", p))))
			}
			spans = append(spans, stubSpan(tid, 1, 0, bench, attribute.String(semconv.BenchmarkName, bench)))
			send(spans)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// 20,000 distinct phase names: 40 runs of 500, 1,000 spans an export.
	wg.Add(1)
	go func() {
		defer wg.Done()
		var spans []sdktrace.ReadOnlySpan
		for r := range 40 {
			tid := traceIDOf(2, r)
			bench := fmt.Sprintf("e2e_bounds_names_%d", r)
			for p := 1; p <= 500; p++ {
				name := fmt.Sprintf("phase_%d_%d", r, p)
				spans = append(spans, stubSpan(tid, p+1, 1, name,
					attribute.String(semconv.BenchmarkName, bench), attribute.String(semconv.PhaseName, name),
					attribute.Float64(semconv.PhaseDuration, 0.001), attribute.Int64(semconv.PhaseMemoryPeak, 1<<20)))
				if len(spans) == 1000 {
					send(spans)
					spans = nil
				}
			}
			spans = append(spans, stubSpan(tid, 1, 0, bench, attribute.String(semconv.BenchmarkName, bench)))
		}
		send(spans)
	}()
	// One run that never ends, of 60 phases with a 1 MB attribute each.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tid := traceIDOf(3, 0)
		blob := strings.Repeat("y", 1<<20)
		for p := 1; p <= 60; p++ {
			send([]sdktrace.ReadOnlySpan{stubSpan(tid, p+1, 1, fmt.Sprintf("big%d", p),
				attribute.String(semconv.BenchmarkName, "e2e_bounds_big"), attribute.String(semconv.PhaseName, fmt.Sprintf("big%d", p)),
				attribute.String("blob", blob))})
		}
	}()
	// An application's own span, with no benchtrace keys.
	send([]sdktrace.ReadOnlySpan{stubSpan(traceIDOf(4, 0), 1, 0, "e2e_app_bootstrap")})
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// A phase name that is not UTF-8, over OTLP/HTTP (otel-go refuses to
	// encode one).
	require.NoError(t, postInvalidUTF8(ctx, c.otlpHTTP))
	t.Logf("sent in %s", time.Since(began).Round(time.Millisecond))

	// Every good run complete.
	err = stacktest.Eventually(ctx, 60*time.Second, 250*time.Millisecond, func() error {
		logs, _, err := loadLogs(c.logDir)
		if err != nil {
			return err
		}
		for i := range 50 {
			l := logs[traceIDOf(1, i).String()]
			if l == nil || l.Status != "success" || len(l.Phases) != 12 {
				return fmt.Errorf("good run %d not complete yet", i)
			}
		}
		return nil
	})
	require.NoError(t, err)

	// Jaeger has the good runs: no request over its 4 MiB limit, which
	// would drop the whole batch, theirs with the 1 MB spans.
	err = stacktest.Eventually(ctx, 30*time.Second, 500*time.Millisecond, func() error {
		for _, i := range []int{0, 17, 49} {
			var got struct {
				Data []struct {
					Spans []struct{} `json:"spans"`
				} `json:"data"`
			}
			if err := stacktest.GetJSON(ctx, s.JaegerURL()+"/api/traces/"+traceIDOf(1, i).String(), &got); err != nil {
				return err
			}
			if len(got.Data) != 1 || len(got.Data[0].Spans) != 13 {
				return fmt.Errorf("good run %d: not all 13 spans in Jaeger", i)
			}
		}
		return nil
	})
	assert.NoError(t, err, "good runs in Jaeger")

	// /metrics: scrapes (UTF-8 repaired), bounded by the series cap.
	var body []byte
	err = stacktest.Eventually(ctx, 30*time.Second, 500*time.Millisecond, func() error {
		code, b, err := httpGet(ctx, c.metrics)
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("GET /metrics: %d: %.300s", code, b)
		}
		if !bytes.Contains(b, []byte(`otel_metric_overflow="true"`)) {
			return fmt.Errorf("no overflow series yet")
		}
		// The gauge of the phase whose name was not UTF-8, repaired.
		var utf8Lines []string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "e2e_bounds_utf8") {
				utf8Lines = append(utf8Lines, line)
			}
		}
		if !strings.Contains(strings.Join(utf8Lines, "\n"), "benchtrace_phase_name=\"\uFFFD\uFFFD_bad\"") {
			return fmt.Errorf("no series of the repaired phase name yet: %q", utf8Lines)
		}
		body = b
		return nil
	})
	require.NoError(t, err)
	began = time.Now()
	code, body, err := httpGet(ctx, c.metrics)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	scrape := time.Since(began)
	calls := bytes.Count(body, []byte("\ntraces_span_metrics_calls_total{"))
	gauges := bytes.Count(body, []byte("\nbenchtrace_phase_duration_seconds{"))
	t.Logf("/metrics: %.1f MB in %s; %d calls series, %d phase duration gauges", float64(len(body))/1e6, scrape.Round(time.Millisecond), calls, gauges)
	assert.LessOrEqual(t, calls, 2*2001, "span_metrics capped (2,000 a resource and metric, and the overflow)")
	assert.Less(t, len(body), 64<<20, "/metrics size")
	assert.NotContains(t, string(body), "e2e_app_bootstrap", "an application's span is no run")
	assert.True(t, bytes.Contains(body, []byte("\uFFFD")), "the invalid bytes repaired")

	// The exporter counted what it cut, and its WAL is small.
	_, tel, err := httpGet(ctx, c.telemetry)
	require.NoError(t, err)
	assert.Regexp(t, `otelcol_exporter_benchlog_limit_hits[a-z_]*\{[^}]*limit="max_attribute_bytes"[^}]*\} [1-9]`, string(tel))
	var walBytes int64
	walFiles, _ := filepath.Glob(filepath.Join(c.logDir, ".benchlog-wal", "*"))
	for _, f := range walFiles {
		if st, err := os.Stat(f); err == nil {
			walBytes += st.Size()
		}
	}
	t.Logf("WAL: %d files, %.1f MB (60 MB of attributes sent)", len(walFiles), float64(walBytes)/1e6)
	st, err := os.Stat(filepath.Join(c.logDir, ".benchlog-wal", traceIDOf(3, 0).String()+".wal"))
	require.NoError(t, err, "the never-ending run is in the WAL")
	t.Logf("WAL of the run of 60 × 1 MB attributes: %.2f MB", float64(st.Size())/1e6)
	assert.Less(t, st.Size(), int64(1<<20), "the WAL holds values cut to max_attribute_bytes")

	hwm, rss := procStatus(t, pid, "VmHWM"), procStatus(t, pid, "VmRSS")
	t.Logf("collector RSS: %.0f MB at start, %.0f MB now, peak %.0f MB", float64(rssStart)/1e6, float64(rss)/1e6, float64(hwm)/1e6)
	assert.Less(t, hwm, int64(1200<<20), "peak RSS under memory_limiter's limit and a margin")

	// SIGTERM stops it promptly.
	began = time.Now()
	require.NoError(t, c.proc.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.proc.exited:
		t.Logf("SIGTERM → exit: %s", time.Since(began).Round(time.Millisecond))
	case <-time.After(15 * time.Second):
		t.Errorf("the collector did not stop within 15 s of SIGTERM")
	}
}

// postInvalidUTF8 sends one phase span, named "\xff\xfe_bad" (not UTF-8),
// over OTLP/HTTP protobuf, encoded by hand: otel-go's encoder refuses
// invalid UTF-8.
func postInvalidUTF8(ctx context.Context, addr string) error {
	str := func(field int, s string) []byte { return appendLen(nil, field, []byte(s)) }
	kv := func(k, v string) []byte {
		return appendLen(nil, 9, append(str(1, k), appendLen(nil, 2, str(1, v))...))
	}
	name := "\xff\xfe_bad"
	tid := traceIDOf(5, 0)
	var span []byte
	span = appendLen(span, 1, tid[:])
	span = appendLen(span, 2, []byte{0, 0, 0, 0, 0, 0, 0, 2})
	span = appendLen(span, 4, []byte{0, 0, 0, 0, 0, 0, 0, 1})
	span = append(span, str(5, name)...)
	now := uint64(time.Now().UnixNano())
	span = append(span, 7<<3|1)
	span = binary.LittleEndian.AppendUint64(span, now)
	span = append(span, 8<<3|1)
	span = binary.LittleEndian.AppendUint64(span, now+1e6)
	span = append(span, kv(semconv.BenchmarkName, "e2e_bounds_utf8")...)
	span = append(span, kv(semconv.PhaseName, name)...)
	span = append(span, 9<<3|2) // attributes: benchtrace.phase.duration = 0.5
	dur := appendLen(nil, 1, []byte(semconv.PhaseDuration))
	val := append([]byte{4<<3 | 1}, binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.5))...)
	dur = appendLen(dur, 2, val)
	span = appendVarint(span, uint64(len(dur)))
	span = append(span, dur...)
	res := appendLen(nil, 1, appendLen(nil, 1, append(str(1, "service.name"), appendLen(nil, 2, str(1, "e2e-bounds"))...)))
	rs := append(res, appendLen(nil, 2, appendLen(nil, 2, span))...)
	body := appendLen(nil, 1, rs)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /v1/traces: %d: %s", resp.StatusCode, out)
	}
	return nil
}

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendLen appends a length-delimited field.
func appendLen(b []byte, field int, data []byte) []byte {
	b = appendVarint(b, uint64(field)<<3|2)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}
