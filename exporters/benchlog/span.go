package benchlog

import (
	"time"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Span is a finished or live span in a form free of any SDK's types: the
// in-process processor converts otel-go spans to it, and a collector
// component converts pdata spans to it, so that both feed the same assembly.
//
// Attribute and resource values are string, bool, int64, float64, []string,
// []bool, []int64 or []float64; values of other types are reported by
// Assemble as errors and left out.
type Span struct {
	TraceID      string // 32 lowercase hex digits
	SpanID       string // 16 lowercase hex digits
	ParentSpanID string // "" for a root span
	Name         string
	Start        time.Time
	End          time.Time // zero while the span is still open
	// Failed is true when the span's status code is Error.
	Failed        bool
	StatusMessage string
	Attributes    map[string]any
	Events        []Event
	// Resource holds the attributes of the resource that produced the span.
	Resource map[string]any
}

// Event is a span event, such as the "exception" event that holds a run's
// error and stack trace.
type Event struct {
	Name       string
	Time       time.Time
	Attributes map[string]any
}

// Ended reports whether the span has ended.
func (s *Span) Ended() bool { return !s.End.IsZero() }

// Kind says what a span is to a run log.
type Kind int

const (
	// KindOther is a span that is not part of a log: an application's own
	// span inside a phase, for example.
	KindOther Kind = iota
	// KindRun is a run's root span: it carries semconv.BenchmarkName and not
	// semconv.PhaseName.
	KindRun
	// KindPhase is a phase: it carries semconv.PhaseName.
	KindPhase
)

// String returns "run", "phase" or "other".
func (k Kind) String() string {
	switch k {
	case KindRun:
		return "run"
	case KindPhase:
		return "phase"
	}
	return "other"
}

// Classify returns the Kind of a span from its attributes, given as a
// function reporting whether a key is present, so that any SDK's attribute
// container can be classified without conversion. This is the one rule every
// writer and reader of benchtrace spans follows.
func Classify(has func(key string) bool) Kind {
	switch {
	case has(semconv.PhaseName):
		return KindPhase
	case has(semconv.BenchmarkName):
		return KindRun
	}
	return KindOther
}

// Kind classifies s as Classify does.
func (s *Span) Kind() Kind {
	return Classify(func(k string) bool { _, ok := s.Attributes[k]; return ok })
}
