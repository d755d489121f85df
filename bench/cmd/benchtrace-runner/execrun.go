package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/internal/otelconv"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// execRun is the run exec records its phases in: a run of its own, or the
// run of the process that started exec, joined.
type execRun interface {
	id() string // the trace ID, the log's run_id
	startPhase(name string) execPhase
	// end ends the run, failed when err is not nil; notStarted are the
	// phases it never started.
	end(err error, notStarted []string)
	// interrupt ends the open phase and the run as interrupted.
	interrupt(reason string, notStarted []string)
}

// execPhase is a phase exec records: *sdk.Phase, or a joined run's phase.
type execPhase interface {
	Context() context.Context
	SetAttributes(kv ...attribute.KeyValue)
	End(err error)
}

// sdkRun is a run of exec's own.
type sdkRun struct {
	bt  *sdk.Benchtrace
	run *sdk.Run
}

func (r *sdkRun) id() string { return r.run.TraceID() }

func (r *sdkRun) startPhase(name string) execPhase { return r.run.StartPhase(name) }

func (r *sdkRun) end(err error, notStarted []string) {
	r.notStarted(notStarted)
	r.run.End(err)
}

func (r *sdkRun) interrupt(reason string, notStarted []string) {
	r.notStarted(notStarted)
	// The SDK's Interrupt ends the open phase and the run with status
	// "interrupted": the only way to that status for a phase.
	r.bt.Interrupt(reason)
}

func (r *sdkRun) notStarted(names []string) {
	if len(names) > 0 {
		r.run.SetAttributes(attribute.StringSlice(metadataNotStarted, names))
	}
}

// joinedRun is the run of the process that started exec: exec adds its
// phases below that process's span, measured as the SDK measures its own.
// The SDK has no API for a phase of a run it did not start (its Run is
// always a new root), so this does what Run.StartPhase and Phase.End do,
// with the SDK's tracer provider and the semconv keys.
type joinedRun struct {
	tracer    trace.Tracer
	parent    context.Context // holds the remote span
	benchmark string
	tracker   *usage.Tracker

	mu   sync.Mutex
	open *joinedPhase
}

func newJoinedRun(bt *sdk.Benchtrace, parent context.Context, benchmark string) *joinedRun {
	return &joinedRun{
		tracer:    bt.TracerProvider().Tracer(scopeName),
		parent:    parent,
		benchmark: benchmark,
		tracker:   usage.Default(), // the SDK's default, so peaks are reset in one place
	}
}

func (r *joinedRun) id() string { return trace.SpanContextFromContext(r.parent).TraceID().String() }

func (r *joinedRun) startPhase(name string) execPhase {
	ctx, span := r.tracer.Start(r.parent, name, trace.WithAttributes(
		attribute.String(semconv.PhaseName, name),
		attribute.String(semconv.BenchmarkName, r.benchmark),
	))
	p := &joinedPhase{ctx: ctx, span: span}
	p.iv = r.tracker.Begin() // the clock starts last
	r.mu.Lock()
	r.open = p
	r.mu.Unlock()
	return p
}

// end ends nothing more: the run is the caller's. Phases not started are
// the caller's to report; exec says so on stderr.
func (r *joinedRun) end(error, []string) {}

func (r *joinedRun) interrupt(reason string, _ []string) {
	r.mu.Lock()
	p := r.open
	r.mu.Unlock()
	if p != nil {
		p.end(errors.New(reason), semconv.StatusInterrupted)
	}
}

// joinedPhase is a phase of a joined run.
type joinedPhase struct {
	ctx  context.Context
	span trace.Span
	iv   *usage.Interval
	once sync.Once
}

func (p *joinedPhase) Context() context.Context { return p.ctx }

func (p *joinedPhase) SetAttributes(kv ...attribute.KeyValue) { p.span.SetAttributes(kv...) }

func (p *joinedPhase) End(err error) { p.end(err, "") }

func (p *joinedPhase) end(err error, status string) {
	p.once.Do(func() {
		d := p.iv.End() // the clock stops first
		p.span.SetAttributes(otelconv.PhaseAttributes(d)...)
		if status != "" {
			p.span.SetAttributes(attribute.String(semconv.PhaseStatus, status))
		}
		if err != nil {
			p.span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
				attribute.String(semconv.ExceptionType, fmt.Sprintf("%T", err)),
				attribute.String(semconv.ExceptionMessage, err.Error()),
			))
			p.span.SetStatus(codes.Error, err.Error())
		}
		p.span.End(trace.WithTimestamp(d.End))
	})
}

// forwarder passes the SIGINT and SIGTERM exec receives to the command
// running, and remembers the first, which ends the run as interrupted.
//
// A SIGINT typed at a terminal goes to the whole foreground process group,
// the command included: forwarding it would be a second one, which many
// programs (benchtrace's SDK among them) take as "stop at once". So a
// SIGINT is not forwarded while exec is in the terminal's foreground
// group; a SIGTERM always is.
type forwarder struct {
	ch      chan os.Signal
	stopped chan struct{}
	done    chan struct{}

	mu      sync.Mutex
	proc    *os.Process // the command running, or nil
	first   os.Signal
	pending os.Signal // came while no command was running
}

// forwardSignals catches SIGINT and SIGTERM until stop. Catching them also
// means the commands start with their default action, even when exec
// started with them ignored (as a background job of a script does).
func forwardSignals() *forwarder {
	f := &forwarder{ch: make(chan os.Signal, 4), stopped: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(f.ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		defer close(f.done)
		for {
			select {
			case sig := <-f.ch:
				f.mu.Lock()
				if f.first == nil {
					f.first = sig
				}
				if f.proc != nil {
					f.send(f.proc, sig)
				} else {
					f.pending = sig
				}
				f.mu.Unlock()
			case <-f.stopped:
				return
			}
		}
	}()
	return f
}

// watch names the command running (nil: none). A signal that came while
// it was being started is forwarded now.
func (f *forwarder) watch(p *os.Process) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proc = p
	if p != nil && f.pending != nil {
		f.send(p, f.pending)
	}
	f.pending = nil
}

func (f *forwarder) send(p *os.Process, sig os.Signal) {
	if sig == syscall.SIGINT && terminalForeground() {
		return // the terminal sent it to the command too
	}
	_ = p.Signal(sig) // it may have exited meanwhile
}

// signal returns the first signal received, or nil.
func (f *forwarder) signal() os.Signal {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

// stop releases the signals and ends the goroutine.
func (f *forwarder) stop() {
	signal.Stop(f.ch)
	close(f.stopped)
	<-f.done
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// lastLines returns the last n lines kept, at most maxBytes of them (cut at
// a line, or at a character when one line is longer), as valid UTF-8.
func (t *tailBuffer) lastLines(n, maxBytes int) string {
	t.mu.Lock()
	b := bytes.TrimRight(t.b, "\n")
	t.mu.Unlock()
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := bytes.Join(lines, []byte("\n"))
	for len(out) > maxBytes {
		i := bytes.IndexByte(out, '\n')
		if i < 0 {
			out = out[len(out)-maxBytes:]
			for len(out) > 0 && !utf8.RuneStart(out[0]) {
				out = out[1:]
			}
			break
		}
		out = out[i+1:] // the oldest line goes first
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}
