// Package logwriter is the SDK's in-process run log writer: an otel-go span
// processor that writes one JSON log per run (the format of package
// github.com/benchtrace/benchtrace/exporters/benchlog), checkpointed while
// the run goes on.
//
// Its one rule: nothing it does runs inside the phase that is being
// measured. A phase's end only hands the finished span to a writer goroutine
// (constant time, no I/O); the writer assembles and writes checkpoints later,
// coalesced, at most once per interval per run and within a CPU budget. A
// run's end waits for its final log, so the log is complete when Run.End
// returns.
package logwriter

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/internal/otelconv"
)

// DefaultInterval is the default checkpoint interval: a process killed with
// SIGKILL loses at most the phases that ended within this time before it.
const DefaultInterval = time.Second

// budget is the share of wall time the writer may spend writing checkpoints:
// after a checkpoint that took d, the next one of that run waits at least
// d*budgetFactor, so that a run with a huge log is not rewritten back to back.
const budgetFactor = 20

// SpanProcessor writes one log file per run, in process. It is a processor
// rather than an exporter so that it sees a run's root span when it starts:
// the log exists, with the run's metadata and status "running", from the
// first moments of the run, and is rewritten (a checkpoint) after phases end:
// at most once per interval per run, by a goroutine of its own, never inside
// the End call of a phase. When the root span ends, the final log replaces
// the checkpoint before the root's End returns.
//
// Spans that are neither a run's root nor a phase (benchlog.Classify) are
// ignored. A SpanProcessor is safe for concurrent use; runs may overlap and
// their phases may end on any goroutine.
type SpanProcessor struct {
	dir      *benchlog.Dir
	loc      *time.Location
	onError  func(error)
	interval time.Duration
	scope    string

	mu       sync.Mutex
	runs     map[trace.TraceID]*liveRun
	queue    []*liveRun // runs with unwritten changes, in the order they changed
	shutdown bool
	wake     chan struct{} // cap 1: the writer has something to look at
	stop     chan struct{}
	stopped  chan struct{}
	once     sync.Once
}

var _ sdktrace.SpanProcessor = (*SpanProcessor)(nil)

// liveRun is a run whose log is being written. Its fields are guarded by the
// processor's mu, except those marked as the writer's own.
type liveRun struct {
	root      sdktrace.ReadOnlySpan // nil when the root was not seen
	phases    []sdktrace.ReadOnlySpan
	done      bool          // the root has ended
	queued    bool          // in the processor's queue
	due       time.Time     // when the queued change is to be written
	notBefore time.Time     // the CPU budget's earliest next checkpoint
	written   chan struct{} // closed once the final log is written
	waiters   []chan struct{}

	// The writer's own.
	spans []*benchlog.Span // phases converted so far
	path  string           // "" until the first write
}

// Option configures a SpanProcessor.
type Option interface{ apply(*config) }

type config struct {
	loc      *time.Location
	onError  func(error)
	interval time.Duration
	scope    string
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

// WithInterval sets how long after a phase ends its checkpoint is written at
// the latest (the default is DefaultInterval). Checkpoints of a run are
// coalesced: all the phases that ended within one interval cost one write.
// Zero writes each change as soon as the writer gets to it.
func WithInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.interval = max(d, 0) })
}

// WithScope names the instrumentation scope of a tracer that creates only
// runs (root spans) and phases (spans with a parent), as the SDK's does: its
// spans are classified by their parent alone, without reading their
// attributes, which costs a copy of them at every phase end.
func WithScope(name string) Option {
	return optionFunc(func(c *config) { c.scope = name })
}

// NewSpanProcessor returns a SpanProcessor writing logs into dir, which it
// creates if needed, and starts its writer goroutine (Shutdown stops it).
// Defaults: timestamps in time.Local; errors to otel.Handle; checkpoints
// within DefaultInterval.
func NewSpanProcessor(dir string, opts ...Option) (*SpanProcessor, error) {
	c := config{loc: time.Local, onError: otel.Handle, interval: DefaultInterval}
	for _, o := range opts {
		o.apply(&c)
	}
	d, err := benchlog.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	p := &SpanProcessor{
		dir: d, loc: c.loc, onError: c.onError, interval: c.interval, scope: c.scope,
		runs: map[trace.TraceID]*liveRun{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	go p.writer()
	return p, nil
}

// Dir returns the directory the processor writes into.
func (p *SpanProcessor) Dir() string { return p.dir.Path() }

// OnStart writes the first checkpoint of a run when its root starts, before
// any phase of the run can start: a run killed at any moment leaves a log.
func (p *SpanProcessor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	if p.kind(s) != benchlog.KindRun {
		return
	}
	r := &liveRun{root: s, written: make(chan struct{})}
	// No other goroutine knows r yet: it can be written here.
	p.write(r, s)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shutdown {
		return
	}
	p.runs[s.SpanContext().TraceID()] = r
}

// OnEnd hands an ended phase to the writer, and when a run's root ends, waits
// until its final log is written.
func (p *SpanProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	kind := p.kind(s)
	if kind == benchlog.KindOther {
		return
	}
	id := s.SpanContext().TraceID()
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		return
	}
	r := p.runs[id]
	if r == nil {
		// A span of a run whose root this processor never saw start.
		r = &liveRun{written: make(chan struct{})}
		p.runs[id] = r
	}
	if kind == benchlog.KindPhase {
		r.phases = append(r.phases, s)
		p.enqueue(r, time.Now().Add(p.interval))
		p.mu.Unlock()
		return
	}
	r.root, r.done = s, true
	delete(p.runs, id)
	p.enqueue(r, time.Now())
	p.mu.Unlock()
	select {
	case <-r.written:
	case <-p.stopped:
	}
}

// kind classifies s: by its parent for the scope given by WithScope, by its
// attributes (benchlog.Classify) for any other.
func (p *SpanProcessor) kind(s sdktrace.ReadOnlySpan) benchlog.Kind {
	if p.scope != "" && s.InstrumentationScope().Name == p.scope {
		if s.Parent().IsValid() {
			return benchlog.KindPhase
		}
		return benchlog.KindRun
	}
	return otelconv.Kind(s.Attributes())
}

// enqueue records that r changed and is to be written by due, and wakes the
// writer when that is sooner than it knew; p.mu is held. A phase that ends
// while its run waits for a checkpoint costs an append and nothing else.
func (p *SpanProcessor) enqueue(r *liveRun, due time.Time) {
	switch {
	case !r.queued:
		r.queued, r.due = true, due
		p.queue = append(p.queue, r)
	case due.Before(r.due):
		r.due = due
	default:
		return
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// writer writes the queued runs as they fall due, until Shutdown.
func (p *SpanProcessor) writer() {
	defer close(p.stopped)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := p.writeDue(time.Now())
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
		select {
		case <-p.wake:
		case <-timer.C:
		case <-p.stop:
			p.writeDue(time.Time{}) // everything, now
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// writeDue writes every queued run due by now (all of them when now is zero)
// and returns when the next one falls due, or zero.
func (p *SpanProcessor) writeDue(now time.Time) time.Time {
	for {
		p.mu.Lock()
		var r *liveRun
		var next time.Time
		for i, q := range p.queue {
			due := q.due
			if !q.done && q.notBefore.After(due) {
				due = q.notBefore
			}
			if now.IsZero() || !due.After(now) {
				r = q
				p.queue = append(p.queue[:i], p.queue[i+1:]...)
				break
			}
			if next.IsZero() || due.Before(next) {
				next = due
			}
		}
		if r == nil {
			p.mu.Unlock()
			return next
		}
		r.queued = false
		root, done := r.root, r.done
		phases := r.phases[len(r.spans):len(r.phases):len(r.phases)]
		waiters := r.waiters
		r.waiters = nil
		p.mu.Unlock()

		began := time.Now()
		for _, s := range phases {
			r.spans = append(r.spans, otelconv.Span(s))
		}
		p.write(r, root)
		took := time.Since(began)

		p.mu.Lock()
		r.notBefore = time.Now().Add(took * budgetFactor)
		p.mu.Unlock()
		if done {
			close(r.written)
		}
		for _, w := range waiters {
			close(w)
		}
	}
}

// write assembles and writes r's log; only the writer goroutine calls it,
// and OnStart before r is known to the writer.
func (p *SpanProcessor) write(r *liveRun, rootSpan sdktrace.ReadOnlySpan) {
	var root *benchlog.Span
	if rootSpan != nil {
		root = otelconv.Span(rootSpan)
	}
	l, err := benchlog.Assemble(root, r.spans, p.loc)
	if err != nil {
		p.onError(fmt.Errorf("benchlog: assembling run %v: %w", l.Metadata[0].Value, err))
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
		} else if len(r.spans) > 0 {
			start = r.spans[0].Start
		}
		r.path, err = p.dir.Create(name, start.In(p.loc), data)
	}
	if err != nil {
		p.onError(fmt.Errorf("benchlog: %w", err))
	}
}

// ForceFlush writes every pending checkpoint now and waits until they are
// on disk or ctx is done.
func (p *SpanProcessor) ForceFlush(ctx context.Context) error {
	p.mu.Lock()
	if p.shutdown {
		p.mu.Unlock()
		return nil
	}
	var waits []chan struct{}
	now := time.Now()
	for _, r := range p.queue {
		w := make(chan struct{})
		r.waiters = append(r.waiters, w)
		waits = append(waits, w)
		r.due, r.notBefore = now, time.Time{}
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	p.mu.Unlock()
	for _, w := range waits {
		select {
		case <-w:
		case <-p.stopped:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("benchlog: flushing run logs: %w", ctx.Err())
		}
	}
	return nil
}

// Shutdown writes the pending checkpoints, the last one of every run whose
// root has not ended keeping status "running", and stops the writer. Later
// calls do nothing.
func (p *SpanProcessor) Shutdown(ctx context.Context) error {
	var err error
	p.once.Do(func() {
		p.mu.Lock()
		p.shutdown = true
		p.mu.Unlock()
		close(p.stop)
		select {
		case <-p.stopped:
		case <-ctx.Done():
			err = fmt.Errorf("benchlog: shutdown: %w", ctx.Err())
		}
	})
	return err
}
