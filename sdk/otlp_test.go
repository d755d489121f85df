package sdk_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"

	"github.com/benchtrace/benchtrace/sdk"
)

// otlpServer is a minimal OTLP/gRPC trace receiver on loopback counting the
// spans it receives.
type otlpServer struct {
	coltracepb.UnimplementedTraceServiceServer
	spans atomic.Int64
}

func (s *otlpServer) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			s.spans.Add(int64(len(ss.Spans)))
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

func startOTLPServer(t *testing.T) (*otlpServer, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	recv := &otlpServer{}
	coltracepb.RegisterTraceServiceServer(srv, recv)
	var wg sync.WaitGroup
	wg.Go(func() { _ = srv.Serve(lis) })
	t.Cleanup(func() { srv.Stop(); wg.Wait() })
	return recv, lis.Addr().String()
}

// clearOTELEnv unsets the variables these tests set, whatever the
// environment of `go test` holds.
func clearOTELEnv(t *testing.T) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
		"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SDK_DISABLED",
		"OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
		"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "BENCHTRACE_OTLP_TIMEOUT"} {
		t.Setenv(k, "")
	}
}

// oneRun records a run of two phases and shuts bt down, returning
// Shutdown's error.
func oneRun(t *testing.T, bt *sdk.Benchtrace, name string) error {
	t.Helper()
	run := bt.Start(context.Background(), name)
	require.NoError(t, run.Phase("fit", func(context.Context) error { burn(1000); return nil }))
	require.NoError(t, run.Phase("inference", func(context.Context) error { burn(1000); return nil }))
	run.End(nil)
	return bt.Shutdown(context.Background())
}

// TestOTELVariablesNeverDropOrCutLogs: otel-go reads these variables for any
// provider; benchtrace's must record every run whole, and say once which
// variables it ignored. Before, always_off wrote no log, and the limits cut
// the benchmark name to "otel" and dropped the measurements.
func TestOTELVariablesNeverDropOrCutLogs(t *testing.T) {
	clearOTELEnv(t)
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	t.Setenv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "3")
	t.Setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4")
	dir := t.TempDir()
	var warnings []string
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir),
		sdk.WithErrorHandler(func(err error) { warnings = append(warnings, err.Error()) }))
	require.NoError(t, err)
	require.NoError(t, oneRun(t, bt, "otel_sampled_away"))

	l := onlyLog(t, dir)
	assert.Equal(t, "otel_sampled_away", field[string](t, l.Metadata, "benchmark_name"))
	require.Len(t, l.Phases, 2)
	for _, ph := range l.Phases {
		assert.True(t, ph.Fields.Has("peak_rss_bytes"), ph.Name)
		assert.True(t, ph.Fields.Has("cpu_user_seconds"), ph.Name)
	}
	require.Len(t, warnings, 1)
	for _, k := range []string{"OTEL_TRACES_SAMPLER", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"} {
		assert.Contains(t, warnings[0], k)
	}
}

// TestOTLPEndpointHostPortFromEnvironment: "host:port", as --otlp-endpoint
// takes it, works in OTEL_EXPORTER_OTLP_ENDPOINT too (otel-go alone reads
// it as a URL and silently falls back to its default).
func TestOTLPEndpointHostPortFromEnvironment(t *testing.T) {
	clearOTELEnv(t)
	recv, addr := startOTLPServer(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", addr)
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(t.TempDir()))
	require.NoError(t, err)
	require.NoError(t, oneRun(t, bt, "env_endpoint"))
	assert.Equal(t, int64(3), recv.spans.Load(), "root and two phases")
}

// TestOTLPHTTPProtobuf: OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf sends over
// HTTP.
func TestOTLPHTTPProtobuf(t *testing.T) {
	clearOTELEnv(t)
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/traces" && r.Header.Get("Content-Type") == "application/x-protobuf" {
			_, _ = io.Copy(io.Discard, r.Body)
			posts.Add(1)
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", strings.TrimPrefix(srv.URL, "http://"))
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(t.TempDir()))
	require.NoError(t, err)
	require.NoError(t, oneRun(t, bt, "http_endpoint"))
	assert.Positive(t, posts.Load())
}

func TestOTLPUnknownProtocol(t *testing.T) {
	clearOTELEnv(t)
	_, err := sdk.New(context.Background(), sdk.WithLogDir(t.TempDir()),
		sdk.WithOTLPEndpoint("127.0.0.1:4317"), sdk.WithOTLPProtocol("http/json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"http/json"`)
}

// TestSDKDisabledKeepsLogs: OTEL_SDK_DISABLED=true turns the export off and
// keeps the JSON logs.
func TestSDKDisabledKeepsLogs(t *testing.T) {
	clearOTELEnv(t)
	recv, addr := startOTLPServer(t)
	t.Setenv("OTEL_SDK_DISABLED", "true")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", addr)
	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
	require.NoError(t, err)
	require.NoError(t, oneRun(t, bt, "disabled"))
	assert.Zero(t, recv.spans.Load())
	assert.Len(t, onlyLog(t, dir).Phases, 2)
}

// TestDeadEndpointSaysSoQuickly: an endpoint nobody listens on costs at most
// the OTLP timeout, and Shutdown says how many spans did not get through.
// Before, it stalled ten seconds and returned nil, leaving otel-go's raw
// error line.
func TestDeadEndpointSaysSoQuickly(t *testing.T) {
	clearOTELEnv(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := lis.Addr().String()
	require.NoError(t, lis.Close())

	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir), sdk.WithOTLPEndpoint(dead), sdk.WithOTLPTimeout(500*time.Millisecond))
	require.NoError(t, err)
	began := time.Now()
	err = oneRun(t, bt, "dead_endpoint")
	took := time.Since(began)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreachable")
	assert.Contains(t, err.Error(), "3 of 3 spans not delivered")
	assert.Contains(t, err.Error(), dead)
	assert.Less(t, took, 5*time.Second, "bounded by the OTLP timeout")
	assert.Equal(t, "success", onlyLog(t, dir).Status, "the log is complete")
}
