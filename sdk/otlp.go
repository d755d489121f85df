package sdk

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// DefaultOTLPTimeout bounds how long benchtrace tries to deliver spans to an
// OTLP endpoint: one export, with its retries, and the flush at Shutdown.
const DefaultOTLPTimeout = 5 * time.Second

// Environment variables benchtrace reads itself.
const (
	envOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	envOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	envOTLPProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"
	envOTLPTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	envSDKDisabled        = "OTEL_SDK_DISABLED"
	envOTLPTimeout        = "BENCHTRACE_OTLP_TIMEOUT"
)

// ignoredEnv are the otel-go variables that would sample away or cut
// benchtrace's spans: its runs are always recorded whole, so these do not
// apply to them (they still apply to nothing else: benchtrace's provider is
// its own).
var ignoredEnv = []string{
	"OTEL_TRACES_SAMPLER",
	"OTEL_TRACES_SAMPLER_ARG",
	"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
	"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
	"OTEL_ATTRIBUTE_COUNT_LIMIT",
	"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
}

// ignoredEnvWarning names the variables of ignoredEnv that are set, or "".
func ignoredEnvWarning() string {
	var set []string
	for _, k := range ignoredEnv {
		if v, ok := os.LookupEnv(k); ok && v != "" {
			set = append(set, k+"="+v)
		}
	}
	if len(set) == 0 {
		return ""
	}
	return "benchtrace: ignoring " + strings.Join(set, ", ") +
		": benchmark runs are always recorded whole (every run sampled, no attribute limit)"
}

// unlimited are the span limits of benchtrace's provider: a phase's
// measurements and a run's results are never dropped or cut. Events and
// links, which benchtrace's own spans hardly use, keep otel-go's defaults.
var unlimited = sdktrace.SpanLimits{
	AttributeCountLimit:         -1,
	AttributeValueLengthLimit:   -1,
	EventCountLimit:             sdktrace.DefaultEventCountLimit,
	LinkCountLimit:              sdktrace.DefaultLinkCountLimit,
	AttributePerEventCountLimit: sdktrace.DefaultAttributePerEventCountLimit,
	AttributePerLinkCountLimit:  sdktrace.DefaultAttributePerLinkCountLimit,
}

// otlpTarget is where spans go over OTLP, resolved from the options and the
// environment.
type otlpTarget struct {
	endpoint string // "host:port" or a URL
	protocol string // "grpc" or "http/protobuf"
	timeout  time.Duration
}

// resolveOTLP decides whether and where to export: the option wins over
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, which wins over
// OTEL_EXPORTER_OTLP_ENDPOINT; each may be "host:port" or a URL. ok is false
// when nothing asks for OTLP, or OTEL_SDK_DISABLED=true.
func resolveOTLP(c *config) (t otlpTarget, ok bool, err error) {
	t.endpoint = c.otlpEndpoint
	for _, k := range []string{envOTLPTracesEndpoint, envOTLPEndpoint} {
		if t.endpoint == "" {
			t.endpoint = os.Getenv(k)
		}
	}
	if t.endpoint == "" {
		return t, false, nil
	}
	if strings.EqualFold(os.Getenv(envSDKDisabled), "true") {
		return t, false, nil
	}
	t.protocol = c.otlpProtocol
	for _, k := range []string{envOTLPTracesProtocol, envOTLPProtocol} {
		if t.protocol == "" {
			t.protocol = os.Getenv(k)
		}
	}
	switch t.protocol {
	case "":
		t.protocol = "grpc"
	case "grpc", "http/protobuf":
	default:
		return t, false, fmt.Errorf("OTLP protocol %q: want grpc or http/protobuf", t.protocol)
	}
	t.timeout = c.otlpTimeout
	if s := os.Getenv(envOTLPTimeout); s != "" && c.otlpTimeout == 0 {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return t, false, fmt.Errorf("%s=%q: want a positive Go duration such as 5s", envOTLPTimeout, s)
		}
		t.timeout = d
	}
	if t.timeout <= 0 {
		t.timeout = DefaultOTLPTimeout
	}
	return t, true, nil
}

// newOTLPExporter returns the OTLP exporter for t, wrapped to count what it
// could not deliver.
func newOTLPExporter(ctx context.Context, t otlpTarget) (*countingExporter, error) {
	scheme, rest, hasScheme := strings.Cut(t.endpoint, "://")
	retry := struct {
		initial, max, elapsed time.Duration
	}{200 * time.Millisecond, time.Second, t.timeout}
	var exp sdktrace.SpanExporter
	var err error
	switch t.protocol {
	case "http/protobuf":
		opts := []otlptracehttp.Option{
			otlptracehttp.WithTimeout(t.timeout),
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: true, InitialInterval: retry.initial, MaxInterval: retry.max, MaxElapsedTime: retry.elapsed}),
		}
		if hasScheme {
			opts = append(opts, otlptracehttp.WithEndpointURL(t.endpoint))
			if scheme == "http" {
				opts = append(opts, otlptracehttp.WithInsecure())
			}
		} else {
			opts = append(opts, otlptracehttp.WithEndpoint(t.endpoint), otlptracehttp.WithInsecure())
		}
		exp, err = otlptracehttp.New(ctx, opts...)
	default:
		opts := []otlptracegrpc.Option{
			otlptracegrpc.WithTimeout(t.timeout),
			otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: true, InitialInterval: retry.initial, MaxInterval: retry.max, MaxElapsedTime: retry.elapsed}),
		}
		switch {
		case !hasScheme:
			opts = append(opts, otlptracegrpc.WithEndpoint(t.endpoint), otlptracegrpc.WithInsecure())
		case scheme == "http":
			opts = append(opts, otlptracegrpc.WithEndpoint(rest), otlptracegrpc.WithInsecure())
		default:
			opts = append(opts, otlptracegrpc.WithEndpointURL(t.endpoint))
		}
		exp, err = otlptracegrpc.New(ctx, opts...)
	}
	if err != nil {
		return nil, err
	}
	return &countingExporter{SpanExporter: exp, target: t}, nil
}

// countingExporter counts the spans its exporter could not deliver and
// keeps the first error, instead of handing every failure to otel.Handle:
// benchtrace reports them once, in its own words, at Shutdown.
type countingExporter struct {
	sdktrace.SpanExporter
	target otlpTarget

	sent, failed atomic.Int64
	mu           sync.Mutex
	firstErr     error
}

func (e *countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if err := e.SpanExporter.ExportSpans(ctx, spans); err != nil {
		e.failed.Add(int64(len(spans)))
		e.mu.Lock()
		if e.firstErr == nil {
			e.firstErr = err
		}
		e.mu.Unlock()
		return nil // reported once, by report
	}
	e.sent.Add(int64(len(spans)))
	return nil
}

// report returns an error saying how many spans did not reach the endpoint,
// or nil when all did.
func (e *countingExporter) report() error {
	n := e.failed.Load()
	if n == 0 {
		return nil
	}
	e.mu.Lock()
	cause := e.firstErr
	e.mu.Unlock()
	return fmt.Errorf("OTLP endpoint %s (%s) unreachable within %v: %d of %d spans not delivered (the JSON run logs are complete): %w",
		e.target.endpoint, e.target.protocol, e.target.timeout, n, n+e.sent.Load(), cause)
}
