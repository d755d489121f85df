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
