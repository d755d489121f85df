package logwriter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/internal/otelconv"
)

// SpanProcessor is an otel-go span processor that writes one log file per
// run, in process. It is a processor rather than an exporter so that it sees
// a run's root span when it starts: the log exists, with the run's metadata
// and status "running", from the first moment, and is rewritten (a
// checkpoint) each time a phase ends, synchronously, before the phase's End
// returns. A process that is killed therefore leaves every finished phase on
// disk. When the root span ends, the final log replaces the checkpoint.
//
// Spans that carry neither semconv.BenchmarkName nor semconv.PhaseName are
// ignored. A SpanProcessor is safe for concurrent use; runs may overlap and
// their phases may end on any goroutine.
type SpanProcessor struct {
	dir     *benchlog.Dir
	loc     *time.Location
	onError func(error)

	mu       sync.Mutex
	runs     map[trace.TraceID]*liveRun
	shutdown bool
	once     sync.Once
}

var _ sdktrace.SpanProcessor = (*SpanProcessor)(nil)

// liveRun is a run whose root span has not ended.
type liveRun struct {
	mu     sync.Mutex
	root   sdktrace.ReadOnlySpan // nil when the root was not seen
	phases []*benchlog.Span
	path   string // "" until the first write
	done   bool
}

// Option configures a SpanProcessor.
type Option interface{ apply(*config) }

type config struct {
	loc     *time.Location
	onError func(error)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithLocation sets the time zone of the timestamps in logs and file names.
// The default is time.Local.
func WithLocation(loc *time.Location) Option {
	return optionFunc(func(c *config) { c.loc = loc })
}

// WithErrorHandler sets the function that receives errors: a log that could
// not be written, an attribute of the wrong type. The default is otel.Handle.
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(c *config) { c.onError = f })
}

// NewSpanProcessor returns a SpanProcessor writing logs into dir, which it
// creates if needed. Defaults: timestamps in time.Local; errors to
// otel.Handle.
func NewSpanProcessor(dir string, opts ...Option) (*SpanProcessor, error) {
	c := config{loc: time.Local, onError: otel.Handle}
	for _, o := range opts {
		o.apply(&c)
	}
	d, err := benchlog.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	return &SpanProcessor{dir: d, loc: c.loc, onError: c.onError, runs: map[trace.TraceID]*liveRun{}}, nil
}

// Dir returns the directory the processor writes into.
func (p *SpanProcessor) Dir() string { return p.dir.Path() }

// OnStart writes the first checkpoint of a run when its root span starts.
func (p *SpanProcessor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	if otelconv.Kind(s.Attributes()) != benchlog.KindRun {
		return
	}
	r := &liveRun{root: s}
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		return
	}
	p.runs[s.SpanContext().TraceID()] = r
	p.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	p.write(r)
}

// OnEnd checkpoints the run when a phase ends, and writes the final log when
// its root span ends.
func (p *SpanProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	kind := otelconv.Kind(s.Attributes())
	if kind == benchlog.KindOther {
		return
	}
	isPhase := kind == benchlog.KindPhase
	id := s.SpanContext().TraceID()
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		return
	}
	r := p.runs[id]
	switch {
	case r == nil && isPhase:
		// A phase of a run whose root this processor never saw start.
		r = &liveRun{}
		p.runs[id] = r
	case r == nil:
		r = &liveRun{root: s}
	}
	if !isPhase {
		delete(p.runs, id)
	}
	p.mu.Unlock()

	r.mu.Lock()
	defer r.mu.Unlock()
	if isPhase {
		r.phases = append(r.phases, otelconv.Span(s))
	} else {
		r.root, r.done = s, true
	}
	p.write(r)
}

// write assembles and writes r's log; r.mu is held.
func (p *SpanProcessor) write(r *liveRun) {
	var root *benchlog.Span
	if r.root != nil {
		root = otelconv.Span(r.root)
	}
	l, err := benchlog.Assemble(root, r.phases, p.loc)
	if err != nil {
		p.onError(fmt.Errorf("benchlog: assembling run %s: %w", l.Metadata[0].Value, err))
	}
	data, err := benchlog.Encode(l)
	if err != nil {
		p.onError(fmt.Errorf("benchlog: encoding run log: %w", err))
		return
	}
	if r.path != "" {
		err = p.dir.Replace(r.path, data)
	} else {
		name, _ := l.Metadata.String(benchlog.KeyBenchmarkName)
		start := time.Now()
		if root != nil {
			start = root.Start
		} else if len(r.phases) > 0 {
			start = r.phases[0].Start
		}
		r.path, err = p.dir.Create(name, start.In(p.loc), data)
	}
	if err != nil {
		p.onError(fmt.Errorf("benchlog: %w", err))
	}
}

// Shutdown writes the last checkpoint of every run whose root has not ended
// (status "running") and stops the processor. Later calls do nothing.
func (p *SpanProcessor) Shutdown(ctx context.Context) error {
	var errs []error
	p.once.Do(func() {
		p.mu.Lock()
		p.shutdown = true
		runs := p.runs
		p.runs = nil
		p.mu.Unlock()
		for _, r := range runs {
			if err := ctx.Err(); err != nil {
				errs = append(errs, fmt.Errorf("benchlog: shutdown: %w", err))
				return
			}
			r.mu.Lock()
			if !r.done {
				p.write(r)
			}
			r.mu.Unlock()
		}
	})
	return errors.Join(errs...)
}

// ForceFlush does nothing: every write is synchronous.
func (p *SpanProcessor) ForceFlush(context.Context) error { return nil }
