package sdk // import "github.com/benchtrace/benchtrace/sdk"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/sdk/internal/logwriter"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// ScopeName is the instrumentation scope of the spans benchtrace creates.
const ScopeName = "github.com/benchtrace/benchtrace/sdk"

// Benchtrace records benchmark runs: it owns a tracer provider whose spans go
// to the in-process JSON log writer and, when configured, to an OTLP/gRPC
// endpoint. It is safe for concurrent use; runs may overlap.
type Benchtrace struct {
	tp      *sdktrace.TracerProvider
	tracer  trace.Tracer
	tracker *usage.Tracker
	logs    *logwriter.SpanProcessor

	mu   sync.Mutex
	runs map[*Run]struct{}

	shutdownOnce sync.Once
	shutdownErr  error
}

// New returns a Benchtrace ready to record runs.
//
// Defaults:
//   - JSON logs are written in process into ./logs (WithLogDir, WithoutLogs);
//   - spans are also sent over OTLP/gRPC when WithOTLPEndpoint is given or
//     OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set
//     (the exporter then reads the rest of the standard OTEL_EXPORTER_OTLP_*
//     variables);
//   - the resource describes this host and process (see Resource), plus
//     OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME;
//   - the process-wide usage tracker measures phases (usage.Default).
func New(ctx context.Context, opts ...Option) (*Benchtrace, error) {
	c := newConfig(opts)
	res, err := Resource(ctx, c.serviceName, c.resAttrs...)
	if err != nil {
		return nil, err
	}
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	b := &Benchtrace{tracker: c.tracker, runs: map[*Run]struct{}{}}
	if b.tracker == nil {
		b.tracker = usage.Default()
	}
	if c.logDir != "" {
		b.logs, err = logwriter.NewSpanProcessor(c.logDir, c.logOptions()...)
		if err != nil {
			return nil, fmt.Errorf("benchtrace: %w", err)
		}
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(b.logs))
	}
	if c.otlpEndpoint != "" || os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		exp, err := otlptracegrpc.New(ctx, otlpOptions(c.otlpEndpoint)...)
		if err != nil {
			if b.logs != nil {
				err = errors.Join(err, b.logs.Shutdown(ctx))
			}
			return nil, fmt.Errorf("benchtrace: creating OTLP exporter: %w", err)
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(exp))
	}
	for _, sp := range c.processors {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(sp))
	}
	b.tp = sdktrace.NewTracerProvider(tpOpts...)
	b.tracer = b.tp.Tracer(ScopeName)
	return b, nil
}

// otlpOptions configures the OTLP exporter for endpoint: "host:port" means
// plain gRPC (a local collector), a URL chooses by its scheme.
func otlpOptions(endpoint string) []otlptracegrpc.Option {
	switch {
	case endpoint == "":
		return nil
	case strings.HasPrefix(endpoint, "https://"):
		return []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(endpoint)}
	case strings.HasPrefix(endpoint, "http://"):
		return []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(endpoint), otlptracegrpc.WithInsecure()}
	}
	return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure()}
}

// TracerProvider returns the provider behind b, for instrumenting the code a
// phase runs: its spans join the run's trace.
func (b *Benchtrace) TracerProvider() trace.TracerProvider { return b.tp }

// LogDir returns the directory of the in-process JSON logs, or "" when they
// are off.
func (b *Benchtrace) LogDir() string {
	if b.logs == nil {
		return ""
	}
	return b.logs.Dir()
}

// ForceFlush writes the logs of every run and phase that has ended and sends
// their spans to the OTLP endpoint, waiting until ctx is done.
func (b *Benchtrace) ForceFlush(ctx context.Context) error {
	return b.tp.ForceFlush(ctx)
}

// Shutdown flushes every span to its destinations and stops b. Runs still
// open keep their last checkpoint (status "running"); end them first, or
// call Interrupt. Later calls return the first call's result.
func (b *Benchtrace) Shutdown(ctx context.Context) error {
	b.shutdownOnce.Do(func() {
		b.shutdownErr = b.tp.Shutdown(ctx)
	})
	return b.shutdownErr
}

// Interrupt ends every open run, and every open phase in it, with status
// "interrupted" and reason as the error. Use it when the process is being
// stopped; HandleSignals does it on SIGINT and SIGTERM.
func (b *Benchtrace) Interrupt(reason string) {
	b.mu.Lock()
	runs := make([]*Run, 0, len(b.runs))
	for r := range b.runs {
		runs = append(runs, r)
	}
	b.mu.Unlock()
	for _, r := range runs {
		r.interrupt(reason)
	}
}

func (b *Benchtrace) track(r *Run, open bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if open {
		b.runs[r] = struct{}{}
	} else {
		delete(b.runs, r)
	}
}
