package sdk

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/internal/otelconv"
	"github.com/benchtrace/benchtrace/sdk/semconv"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// Phase is one measured step of a run: a span below the run's root (or below
// its parent phase). The SDK measures it; the caller only ends it. Its
// methods are safe for concurrent use and do nothing on a nil *Phase, so
// PhaseFromContext(ctx).SetAttributes(…) is always safe.
type Phase struct {
	run  *Run
	ctx  context.Context
	span trace.Span
	name string
	iv   *usage.Interval

	// What the Benchtrace's run counters said at the start: the phase
	// overlapped another run if either changed or another run was open.
	openRuns, runStarts int64

	once  sync.Once
	delta usage.Delta // set once, before ended
	ended atomic.Bool
}

type phaseKey struct{}

// PhaseFromContext returns the phase whose function ctx was passed to, or
// nil.
func PhaseFromContext(ctx context.Context) *Phase {
	p, _ := ctx.Value(phaseKey{}).(*Phase)
	return p
}

func (r *Run) startPhase(parent context.Context, name string) *Phase {
	if r.isEnded() {
		// The run has ended: the phase records nothing, not even a span,
		// which would make a second, orphaned log.
		p := &Phase{run: r, span: trace.SpanFromContext(context.Background()), name: name}
		p.ctx = context.WithValue(parent, phaseKey{}, p)
		p.once.Do(func() {})
		return p
	}
	ctx, span := r.b.tracer.Start(parent, name, trace.WithAttributes(
		attribute.String(semconv.PhaseName, name),
		attribute.String(semconv.BenchmarkName, r.name),
	))
	p := &Phase{run: r, span: span, name: name}
	p.ctx = context.WithValue(ctx, phaseKey{}, p)
	p.openRuns, p.runStarts = r.b.runCounters()
	// Every reading is taken before the clock starts; the clock is last but
	// for registering the phase with its run, which must come after: from
	// then on an Interrupt may end it, and needs its interval.
	p.iv = r.b.tracker.Begin()
	if !r.opened(p) {
		// The run ended meanwhile: the phase records nothing. Its span is
		// never ended, so it reaches no processor (ending it would make
		// an orphaned log of a run already written).
		p.once.Do(func() { p.iv.End() })
		return p
	}
	return p
}

// Context returns the phase's context: it carries the phase span, so spans
// started from it nest below the phase.
func (p *Phase) Context() context.Context {
	if p == nil {
		return context.Background()
	}
	return p.ctx
}

// Name returns the phase name.
func (p *Phase) Name() string {
	if p == nil {
		return ""
	}
	return p.name
}

// SetAttributes sets attributes on the phase span; keys outside the
// "benchtrace." namespace become keys of the phase's log entry.
func (p *Phase) SetAttributes(kv ...attribute.KeyValue) {
	if p == nil {
		return
	}
	p.span.SetAttributes(kv...)
}

// Phase runs fn as a phase nested in p, like Run.Phase.
func (p *Phase) Phase(name string, fn func(ctx context.Context) error) error {
	return p.StartPhase(name).do(fn)
}

// StartPhase begins a phase nested in p.
func (p *Phase) StartPhase(name string) *Phase {
	if p == nil {
		return nil
	}
	return p.run.startPhase(p.ctx, name)
}

// End ends the phase: successful when err is nil, failed with err's message
// otherwise. The measurements are taken when End is called. Later calls do
// nothing.
func (p *Phase) End(err error) {
	if p == nil {
		return
	}
	p.end(err, "")
}

// Usage returns the phase's measurements; zero until it has ended.
func (p *Phase) Usage() usage.Delta {
	if p == nil || !p.ended.Load() {
		return usage.Delta{}
	}
	return p.delta
}

func (p *Phase) end(err error, status string) {
	p.once.Do(func() {
		d := p.iv.End() // the clock stops first
		p.delta = d
		attrs := otelconv.PhaseAttributes(d)
		if open, starts := p.run.b.runCounters(); p.openRuns > 1 || open > 1 || starts != p.runStarts {
			attrs = append(attrs, attribute.Bool(semconv.PhaseOverlapped, true))
		}
		if status != "" {
			attrs = append(attrs, attribute.String(semconv.PhaseStatus, status))
		}
		p.span.SetAttributes(attrs...)
		if err != nil {
			recordError(p.span, err, "")
		}
		p.ended.Store(true)
		p.span.End(trace.WithTimestamp(d.End))
		p.run.closed(p)
	})
}

// do runs fn in the phase, recovering a panic as a *PanicError.
func (p *Phase) do(fn func(ctx context.Context) error) (err error) {
	if p == nil {
		return fn(context.Background())
	}
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: string(debug.Stack())}
		}
		p.End(err)
	}()
	return fn(p.ctx)
}
