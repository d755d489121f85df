package runner

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/bench/internal/human"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/internal/otelconv"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// progress is a span processor that prints a line per phase as it ends, and
// on a terminal, the phase that is running.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	pending  bool // a "running" line without newline is on screen
	depth    map[trace.SpanID]int
}

var _ sdktrace.SpanProcessor = (*progress)(nil)

func (p *progress) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	name := phaseName(s)
	if name == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	depth := 0
	if d, ok := p.depth[s.Parent().SpanID()]; ok {
		depth = d + 1
	}
	p.depth[s.SpanContext().SpanID()] = depth
	if !p.terminal {
		return
	}
	p.clear()
	fmt.Fprintf(p.w, "%s  … %s", strings.Repeat("  ", depth), name)
	p.pending = true
}

func (p *progress) OnEnd(s sdktrace.ReadOnlySpan) {
	name := phaseName(s)
	if name == "" {
		return
	}
	attrs := otelconv.Attrs(s.Attributes())
	mark := "✓"
	if s.Status().Code == codes.Error {
		mark = "✗"
	}
	num := func(key string) float64 { f, _ := attrs[key].(float64); return f }
	peak, _ := attrs[semconv.PhaseMemoryPeak].(int64)
	cpu := num(semconv.PhaseCPUUser) + num(semconv.PhaseCPUSystem)
	line := fmt.Sprintf("  %s %-22s %10s  cpu %9s  peak %9s", mark, name,
		human.Duration(num(semconv.PhaseDuration)), human.Duration(cpu), human.Bytes(float64(peak)))
	if s.Status().Description != "" {
		line += "  " + firstLine(s.Status().Description)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	depth := p.depth[s.SpanContext().SpanID()]
	delete(p.depth, s.SpanContext().SpanID())
	p.clear()
	fmt.Fprintln(p.w, strings.Repeat("  ", depth)+line)
}

// clear erases an unfinished "running" line; p.mu is held.
func (p *progress) clear() {
	if p.pending {
		fmt.Fprint(p.w, "\r\033[K")
		p.pending = false
	}
}

func (p *progress) Shutdown(context.Context) error   { return nil }
func (p *progress) ForceFlush(context.Context) error { return nil }

// phaseName returns the name of a phase span, or "" for another span.
func phaseName(s sdktrace.ReadOnlySpan) string {
	if otelconv.Kind(s.Attributes()) != benchlog.KindPhase {
		return ""
	}
	for _, kv := range s.Attributes() {
		if kv.Key == semconv.PhaseName {
			return kv.Value.AsString()
		}
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
