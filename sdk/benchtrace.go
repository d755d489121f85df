package sdk // import "github.com/benchtrace/benchtrace/sdk"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
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
	otlp    *countingExporter // nil without OTLP
	// otlpTimeout bounds Shutdown's wait for the OTLP endpoint.
	otlpTimeout time.Duration

	mu        sync.Mutex
	runs      map[*Run]struct{}
	runStarts int64 // runs started so far; guarded by mu

	shutdownOnce sync.Once
	shutdownErr  error
}

// New returns a Benchtrace ready to record runs.
//
// Defaults:
//   - JSON logs are written in process into ./logs (WithLogDir, WithoutLogs);
//   - spans are also sent over OTLP when WithOTLPEndpoint is given or
//     OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT is set,
//     as "host:port" or a URL; over gRPC, or HTTP with protobuf when
//     WithOTLPProtocol or OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says
//     "http/protobuf"; delivery is bounded by WithOTLPTimeout
//     (DefaultOTLPTimeout, or BENCHTRACE_OTLP_TIMEOUT), and Shutdown returns
//     an error saying how many spans did not get through;
//   - OTEL_SDK_DISABLED=true turns the OTLP export off; the JSON logs stay;
//   - every run is recorded whole: benchtrace's provider samples everything
//     and sets no attribute limit, whatever OTEL_TRACES_SAMPLER and the
//     OTEL_*_LIMIT variables say (a warning names those that are set);
//   - errors that cannot be returned go to otel.Handle (WithErrorHandler);
//   - the resource describes this host and process (see Resource), plus
//     OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME;
//   - the process-wide usage tracker measures phases (usage.Default).
func New(ctx context.Context, opts ...Option) (*Benchtrace, error) {
	c := newConfig(opts)
	res, err := Resource(ctx, c.serviceName, c.resAttrs...)
	if err != nil {
		return nil, err
	}
	// Always sampled, never cut, whatever OTEL_TRACES_SAMPLER and the
	// OTEL_*_LIMIT variables say: explicit options win over otel-go's
	// environment.
	tpOpts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithRawSpanLimits(unlimited),
	}
	onError := c.onError
	if onError == nil {
		onError = otel.Handle
	}
	if w := ignoredEnvWarning(); w != "" {
		onError(errors.New(w))
	}
	target, useOTLP, err := resolveOTLP(&c)
	if err != nil {
		return nil, fmt.Errorf("benchtrace: %w", err)
	}
	b := &Benchtrace{tracker: c.tracker, runs: map[*Run]struct{}{}, otlpTimeout: target.timeout}
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
	if useOTLP {
		b.otlp, err = newOTLPExporter(ctx, target)
		if err != nil {
			if b.logs != nil {
				err = errors.Join(err, b.logs.Shutdown(ctx))
			}
			return nil, fmt.Errorf("benchtrace: creating OTLP exporter: %w", err)
		}
		tpOpts = append(tpOpts, sdktrace.WithBatcher(b.otlp, sdktrace.WithExportTimeout(target.timeout)))
	}
	for _, sp := range c.processors {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(sp))
	}
	b.tp = sdktrace.NewTracerProvider(tpOpts...)
	b.tracer = b.tp.Tracer(ScopeName)
	return b, nil
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
		if b.otlp != nil {
			// A dead endpoint costs at most the OTLP timeout, not the
			// caller's whole deadline.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, b.otlpTimeout+time.Second)
			defer cancel()
		}
		err := b.tp.Shutdown(ctx)
		if b.otlp != nil {
			if rerr := b.otlp.report(); rerr != nil {
				// Said once, in benchtrace's words; the export's own
				// timeout error says the same thing again.
				err = rerr
			}
		}
		b.shutdownErr = err
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
		b.runStarts++
	} else {
		delete(b.runs, r)
	}
}

// runCounters returns how many runs are open and how many have started.
func (b *Benchtrace) runCounters() (open, started int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return int64(len(b.runs)), b.runStarts
}
