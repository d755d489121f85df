package sdk

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/sdk/semconv"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// Run is one run of a benchmark: a trace whose root span lives from Start to
// End. Its methods are safe for concurrent use, so phases may run on several
// goroutines; after End they do nothing.
type Run struct {
	b    *Benchtrace
	ctx  context.Context
	span trace.Span
	name string

	iv *usage.Interval // the run's own totals, from Start to End

	mu    sync.Mutex
	open  []*Phase
	ended bool
}

// Start begins a run of the named benchmark: a new trace, even when ctx
// already holds a span (that span is linked instead). It never fails; a run
// of a shut-down Benchtrace records nothing.
func (b *Benchtrace) Start(ctx context.Context, benchmark string, opts ...RunOption) *Run {
	var c runConfig
	for _, o := range opts {
		o.applyRun(&c)
	}
	attrs := append([]attribute.KeyValue{attribute.String(semconv.BenchmarkName, benchmark)}, c.attrs...)
	startOpts := []trace.SpanStartOption{trace.WithNewRoot(), trace.WithAttributes(attrs...)}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		startOpts = append(startOpts, trace.WithLinks(trace.Link{SpanContext: sc}))
	}
	ctx, span := b.tracer.Start(ctx, benchmark, startOpts...)
	r := &Run{b: b, span: span, name: benchmark}
	r.ctx = context.WithValue(ctx, runKey{}, r)
	b.track(r, true)
	r.iv = b.tracker.Begin()
	return r
}

type runKey struct{}

// RunFromContext returns the run that ctx belongs to, or nil.
func RunFromContext(ctx context.Context) *Run {
	r, _ := ctx.Value(runKey{}).(*Run)
	return r
}

// Context returns the run's context: it carries the root span, so spans
// started from it join the run's trace.
func (r *Run) Context() context.Context { return r.ctx }

// Name returns the benchmark name.
func (r *Run) Name() string { return r.name }

// TraceID returns the run's trace ID in hex, which is also the log's
// metadata.run_id.
func (r *Run) TraceID() string { return r.span.SpanContext().TraceID().String() }

// Phase runs fn as a top-level phase called name and returns fn's error. A
// panic in fn is recovered, recorded, and returned as a *PanicError.
func (r *Run) Phase(name string, fn func(ctx context.Context) error) error {
	return r.StartPhase(name).do(fn)
}

// StartPhase begins a top-level phase; End it when the phase is done.
func (r *Run) StartPhase(name string) *Phase {
	return r.startPhase(r.ctx, name)
}

// SetAttributes sets attributes on the run's root span. Keys under
// semconv.MetadataPrefix, ModelPrefix and ResultPrefix reach the log.
func (r *Run) SetAttributes(kv ...attribute.KeyValue) {
	r.span.SetAttributes(kv...)
}

// SetResults records results of the run: each key K becomes results.K in the
// log.
func (r *Run) SetResults(kv ...attribute.KeyValue) {
	out := make([]attribute.KeyValue, len(kv))
	for i, a := range kv {
		out[i] = attribute.KeyValue{Key: attribute.Key(semconv.ResultPrefix + string(a.Key)), Value: a.Value}
	}
	r.span.SetAttributes(out...)
}

// RecordAccuracy computes the accuracy of output against reference (see
// ComputeAccuracy), records it as the run's results and returns it. Nothing
// is recorded when the vectors cannot be compared.
func (r *Run) RecordAccuracy(reference, output []float64) (Accuracy, error) {
	acc, err := ComputeAccuracy(reference, output)
	if err != nil {
		return acc, err
	}
	r.SetAccuracy(acc)
	return acc, nil
}

// SetAccuracy records accuracy values the caller computed. Zero-length
// samples are left out.
func (r *Run) SetAccuracy(acc Accuracy) {
	kv := []attribute.KeyValue{
		attribute.Float64(semconv.ResultMAE, acc.MAE),
		attribute.Float64(semconv.ResultPrecisionBits, acc.PrecisionBits),
	}
	if acc.Samples > 0 {
		kv = append(kv, attribute.Int(semconv.ResultSamples, acc.Samples))
	}
	if len(acc.OutputSample) > 0 {
		kv = append(kv, attribute.Float64Slice(semconv.ResultOutputSample, acc.OutputSample))
	}
	if len(acc.ReferenceSample) > 0 {
		kv = append(kv, attribute.Float64Slice(semconv.ResultReferenceSample, acc.ReferenceSample))
	}
	r.span.SetAttributes(kv...)
}

// End ends the run: successful when err is nil, failed otherwise, with err's
// message and the stack trace of the End call (or of the panic, for a
// *PanicError). Phases still open are ended first, as failed. The run's own
// totals (CPU, peak RSS, Go heap from Start to End) go on the root span. When
// End returns, the run's final log is on disk.
//
// After End (or Interrupt), the run records nothing: later calls of End,
// SetAttributes, SetResults and RecordAccuracy do nothing, and StartPhase and
// Phase return a phase that measures and records nothing (Phase still runs
// its function).
func (r *Run) End(err error) {
	r.end(err, "")
}

func (r *Run) interrupt(reason string) {
	r.end(fmt.Errorf("%s", reason), semconv.StatusInterrupted)
}

func (r *Run) end(err error, status string) {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return
	}
	r.ended = true
	open := r.open
	r.open = nil
	r.mu.Unlock()

	// End the innermost (latest) open phases first.
	for i := len(open) - 1; i >= 0; i-- {
		p := open[i]
		if status != "" {
			p.end(err, status)
		} else {
			p.end(fmt.Errorf("phase %q still open when the run ended", p.name), "")
		}
	}
	d := r.iv.End()
	attrs := []attribute.KeyValue{
		attribute.Float64(semconv.RunCPUUser, d.CPUUser.Seconds()),
		attribute.Float64(semconv.RunCPUSystem, d.CPUSystem.Seconds()),
		attribute.Float64(semconv.RunCPUChildren, (d.ChildUser + d.ChildSystem).Seconds()),
		attribute.Int64(semconv.RunMemoryPeak, int64(d.PeakRSS)),
		attribute.Int64(semconv.RunGoHeapAlloc, int64(d.HeapAlloc)),
		attribute.Int64(semconv.RunGoGCCycles, int64(d.GCCycles)),
	}
	if d.ChildPeakRSS > 0 {
		attrs = append(attrs, attribute.Int64(semconv.RunMemoryChildrenPeak, int64(d.ChildPeakRSS)))
	}
	if status != "" {
		attrs = append(attrs, attribute.String(semconv.RunStatus, status))
	}
	r.span.SetAttributes(attrs...)
	if err != nil {
		recordError(r.span, err, string(debug.Stack()))
	}
	r.span.End()
	r.b.track(r, false)
}

func (r *Run) isEnded() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended
}

func (r *Run) opened(p *Phase) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	r.open = append(r.open, p)
	return true
}

func (r *Run) closed(p *Phase) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, q := range r.open {
		if q == p {
			r.open = append(r.open[:i], r.open[i+1:]...)
			return
		}
	}
}

// recordError marks span failed with err, adding an exception event with
// stack (the stack of a *PanicError wins).
func recordError(span trace.Span, err error, stack string) {
	if pe, ok := err.(*PanicError); ok {
		stack = pe.Stack
	}
	span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
		attribute.String(semconv.ExceptionType, reflect.TypeOf(err).String()),
		attribute.String(semconv.ExceptionMessage, err.Error()),
		attribute.String(semconv.ExceptionStacktrace, stack),
	))
	span.SetStatus(codes.Error, err.Error())
}

// PanicError is the error a phase returns when its function panicked.
type PanicError struct {
	Value any    // the value passed to panic
	Stack string // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
