// Package otelconv converts otel-go spans and attributes to the SDK-free
// forms of the log format (github.com/benchtrace/benchtrace/exporters/benchlog):
// the one place where otel-go's types meet the format. The in-process log
// writer and the benchtrace command's progress lines use it. Its functions
// are pure and safe for concurrent use.
package otelconv

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// Span converts an otel-go span, ended or live, to a benchlog.Span.
func Span(s sdktrace.ReadOnlySpan) *benchlog.Span {
	sc := s.SpanContext()
	out := &benchlog.Span{
		TraceID:       sc.TraceID().String(),
		SpanID:        sc.SpanID().String(),
		Name:          s.Name(),
		Start:         s.StartTime(),
		End:           s.EndTime(),
		Failed:        s.Status().Code == codes.Error,
		StatusMessage: s.Status().Description,
		Attributes:    Attrs(s.Attributes()),
	}
	if p := s.Parent(); p.IsValid() {
		out.ParentSpanID = p.SpanID().String()
	}
	if r := s.Resource(); r != nil {
		out.Resource = Attrs(r.Attributes())
	}
	for _, e := range s.Events() {
		out.Events = append(out.Events, benchlog.Event{Name: e.Name, Time: e.Time, Attributes: Attrs(e.Attributes)})
	}
	return out
}

// Kind classifies a span from its attributes, by benchlog.Classify's rule.
func Kind(kvs []attribute.KeyValue) benchlog.Kind {
	return benchlog.Classify(func(key string) bool {
		for _, kv := range kvs {
			if string(kv.Key) == key {
				return true
			}
		}
		return false
	})
}

// Attrs converts attributes to the value types benchlog.Span holds.
func Attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = Value(kv.Value)
	}
	return m
}

// Value converts one attribute value.
func Value(v attribute.Value) any {
	switch v.Type() {
	case attribute.BOOL:
		return v.AsBool()
	case attribute.INT64:
		return v.AsInt64()
	case attribute.FLOAT64:
		return v.AsFloat64()
	case attribute.STRING:
		return v.AsString()
	case attribute.BOOLSLICE:
		return v.AsBoolSlice()
	case attribute.INT64SLICE:
		return v.AsInt64Slice()
	case attribute.FLOAT64SLICE:
		return v.AsFloat64Slice()
	case attribute.STRINGSLICE:
		return v.AsStringSlice()
	}
	return v.Emit()
}

// PhaseAttributes returns the attributes that record a phase's measurements
// (docs/conventions.md): the SDK's phases and `benchtrace exec`'s share
// them. benchtrace.phase.memory.children_peak is present only when a child
// set a new high.
func PhaseAttributes(d usage.Delta) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 14)
	kv = append(kv,
		attribute.Float64(semconv.PhaseDuration, d.Wall.Seconds()),
		attribute.Float64(semconv.PhaseCPUUser, d.CPUUser.Seconds()),
		attribute.Float64(semconv.PhaseCPUSystem, d.CPUSystem.Seconds()),
		attribute.Float64(semconv.PhaseCPUChildren, (d.ChildUser+d.ChildSystem).Seconds()),
		attribute.Int64(semconv.PhaseMemoryRSSStart, int64(d.RSSStart)),
		attribute.Int64(semconv.PhaseMemoryChange, d.MemoryChange),
		attribute.Int64(semconv.PhaseMemoryPeak, int64(d.PeakRSS)),
		attribute.String(semconv.PhaseMemoryPeakSource, d.PeakSource),
		attribute.Int64(semconv.PhaseGoHeapAlloc, int64(d.HeapAlloc)),
		attribute.Int64(semconv.PhaseGoGCCycles, int64(d.GCCycles)),
	)
	if d.ChildPeakRSS > 0 {
		kv = append(kv, attribute.Int64(semconv.PhaseMemoryChildrenPeak, int64(d.ChildPeakRSS)))
	}
	return kv
}
