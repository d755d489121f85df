package benchlogexporter

import (
	"encoding/hex"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// classify returns the benchlog.Kind of a span with attrs.
func classify(attrs pcommon.Map) benchlog.Kind {
	return benchlog.Classify(func(key string) bool { _, ok := attrs.Get(key); return ok })
}

// converter turns pdata spans into benchlog.Spans, the SDK-free form that
// benchlog.Assemble reads, bounding every value to maxBytes.
//
// OTLP values map to benchlog's attribute types as follows: string, bool,
// int and double as they are; an array whose elements are all strings,
// bools, ints or doubles to []string, []bool, []int64 or []float64 (an empty
// array to []string), an array of ints and doubles to []float64 (the
// JavaScript SDK sends the integral values of a double array as ints); any
// other array, a map or bytes to a string, as
// OpenTelemetry specifies for non-OTLP exporters (JSON for arrays and maps,
// base64 for bytes); an empty value to nil, which Assemble reports and
// leaves out.
//
// Attribute keys are cut at maxBytes too, but never below minKeyBytes, so
// that a small bound does not cut benchtrace's own keys.
type converter struct {
	maxBytes  int
	truncated int // values cut since the last reset

	// The last resource converted in the current batch: the resources of
	// the ResourceSpans of a batch are often equal (one per export that
	// the batch processor merged).
	lastRes       pcommon.Map
	lastConv      map[string]any
	lastTruncated int
}

// resource converts the attributes of a resource, reusing the conversion
// of an equal resource of the batch, and returns the values it cut. The
// result is shared and must not be modified.
func (c *converter) resource(m pcommon.Map) (map[string]any, int) {
	if c.lastConv != nil && m.Equal(c.lastRes) {
		return c.lastConv, c.lastTruncated
	}
	saved := c.truncated
	c.truncated = 0
	conv := c.attrs(m)
	c.lastRes, c.lastConv, c.lastTruncated = m, conv, c.truncated
	c.truncated = saved
	return conv, c.lastTruncated
}

// resetResource forgets the last resource, which belongs to a batch the
// exporter must not keep references into once it is consumed.
func (c *converter) resetResource() {
	c.lastRes, c.lastConv, c.lastTruncated = pcommon.Map{}, nil, 0
}

// span converts s. res is the converted resource of s, shared by all spans
// of that resource and never modified.
func (c *converter) span(s ptrace.Span, res map[string]any) *benchlog.Span {
	out := &benchlog.Span{
		TraceID:       traceIDString(s.TraceID()),
		SpanID:        spanIDString(s.SpanID()),
		ParentSpanID:  spanIDString(s.ParentSpanID()),
		Name:          c.str(s.Name()),
		Start:         timeOf(s.StartTimestamp()),
		End:           timeOf(s.EndTimestamp()),
		Failed:        s.Status().Code() == ptrace.StatusCodeError,
		StatusMessage: c.str(s.Status().Message()),
		Attributes:    c.attrs(s.Attributes()),
		Resource:      res,
	}
	// Only the first exception event is kept: it is the only event the log
	// reads (the error and stack trace of a failed run or phase), and other
	// events would cost memory for nothing.
	evs := s.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if ev.Name() != semconv.ExceptionEventName {
			continue
		}
		out.Events = []benchlog.Event{{
			Name:       ev.Name(),
			Time:       timeOf(ev.Timestamp()),
			Attributes: c.attrs(ev.Attributes()),
		}}
		break
	}
	return out
}

// traceIDString is the 32 hex digits of id, as otel-go writes it; "" for
// the empty (invalid) ID.
func traceIDString(id pcommon.TraceID) string {
	if id.IsEmpty() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

// spanIDString is the 16 hex digits of id; "" for the empty ID (no parent).
func spanIDString(id pcommon.SpanID) string {
	if id.IsEmpty() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

// timeOf converts an OTLP timestamp; 0 (unset) is the zero time, which the
// log shows as null, not as 1970.
func timeOf(ts pcommon.Timestamp) time.Time {
	if ts == 0 {
		return time.Time{}
	}
	return ts.AsTime()
}

func (c *converter) attrs(m pcommon.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for k, v := range m.All() {
		if len(k) > max(c.maxBytes, minKeyBytes) {
			c.truncated++
			k = cut(k, max(c.maxBytes, minKeyBytes))
		}
		out[k] = c.value(v)
	}
	return out
}

const minKeyBytes = 256

func (c *converter) value(v pcommon.Value) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return c.str(v.Str())
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		return v.Double()
	case pcommon.ValueTypeSlice:
		return c.slice(v.Slice())
	case pcommon.ValueTypeMap, pcommon.ValueTypeBytes:
		return c.str(v.AsString())
	}
	return nil
}

// slice converts a homogeneous array to a typed slice, cut to maxBytes.
func (c *converter) slice(s pcommon.Slice) any {
	n := s.Len()
	if n == 0 {
		return []string{}
	}
	typ := s.At(0).Type()
	for i := 1; i < n; i++ {
		t := s.At(i).Type()
		if t == typ {
			continue
		}
		if isNumber(t) && isNumber(typ) {
			// Ints and doubles: a double array whose integral values an
			// SDK sent as ints (the JavaScript SDK does: [0, 0.5]).
			typ = pcommon.ValueTypeDouble
			continue
		}
		return c.str(sliceJSON(s)) // a mixed array
	}
	switch typ {
	case pcommon.ValueTypeStr:
		out := make([]string, 0, n)
		size := 0
		for i := 0; i < n; i++ {
			e := s.At(i).Str()
			if size+len(e) > c.maxBytes {
				c.truncated++
				if rest := c.maxBytes - size; rest > 0 && len(out) == 0 {
					out = append(out, cut(e, rest))
				}
				break
			}
			size += len(e)
			out = append(out, e)
		}
		return out
	case pcommon.ValueTypeBool:
		m := c.elems(n, 1)
		out := make([]bool, m)
		for i := range out {
			out[i] = s.At(i).Bool()
		}
		return out
	case pcommon.ValueTypeInt:
		m := c.elems(n, 8)
		out := make([]int64, m)
		for i := range out {
			out[i] = s.At(i).Int()
		}
		return out
	case pcommon.ValueTypeDouble:
		m := c.elems(n, 8)
		out := make([]float64, m)
		for i := range out {
			if v := s.At(i); v.Type() == pcommon.ValueTypeInt {
				out[i] = float64(v.Int())
			} else {
				out[i] = v.Double()
			}
		}
		return out
	}
	return c.str(sliceJSON(s))
}

func isNumber(t pcommon.ValueType) bool {
	return t == pcommon.ValueTypeInt || t == pcommon.ValueTypeDouble
}

// elems returns how many of n elements of size bytes fit in maxBytes.
func (c *converter) elems(n, size int) int {
	if n*size <= c.maxBytes {
		return n
	}
	c.truncated++
	return c.maxBytes / size
}

func sliceJSON(s pcommon.Slice) string {
	v := pcommon.NewValueSlice()
	s.CopyTo(v.Slice())
	return v.AsString()
}

// str bounds s to maxBytes.
func (c *converter) str(s string) string {
	if len(s) <= c.maxBytes {
		return s
	}
	c.truncated++
	return cut(s, c.maxBytes)
}

// cut returns the longest prefix of s of at most n bytes that does not end
// inside a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// bound cuts, in place, the values of s (a copy the exporter owns) and of
// its resource attributes res as the conversion cuts them, so that the
// write-ahead log holds no more than the log will: a value longer than
// maxBytes is replaced by its converted, cut form (a map or bytes by their
// cut string), events other than the first exception are dropped, and so
// are links. Replaying the bounded span gives the same benchlog.Span.
func (c *converter) bound(s ptrace.Span, res pcommon.Map) {
	saved := c.truncated
	defer func() { c.truncated = saved }()
	s.SetName(c.str(s.Name()))
	s.Status().SetMessage(c.str(s.Status().Message()))
	c.boundMap(s.Attributes())
	c.boundMap(res)
	kept := false
	s.Events().RemoveIf(func(ev ptrace.SpanEvent) bool {
		if kept || ev.Name() != semconv.ExceptionEventName {
			return true
		}
		kept = true
		c.boundMap(ev.Attributes())
		return false
	})
	s.Links().RemoveIf(func(ptrace.SpanLink) bool { return true })
}

// boundMap replaces each value of m that the conversion would cut by its
// cut form, and cuts long keys.
func (c *converter) boundMap(m pcommon.Map) {
	type kv struct {
		k string
		v any
	}
	var long []kv
	m.RemoveIf(func(k string, v pcommon.Value) bool {
		before := c.truncated
		conv := c.value(v)
		if len(k) > max(c.maxBytes, minKeyBytes) {
			long = append(long, kv{cut(k, max(c.maxBytes, minKeyBytes)), conv})
			return true
		}
		if c.truncated != before {
			setValue(v, conv)
		}
		return false
	})
	for _, e := range long {
		if _, ok := m.Get(e.k); !ok {
			setValue(m.PutEmpty(e.k), e.v)
		}
	}
}

// setValue sets v to a converted value (converter.value's result types).
func setValue(v pcommon.Value, conv any) {
	switch x := conv.(type) {
	case string:
		v.SetStr(x)
	case bool:
		v.SetBool(x)
	case int64:
		v.SetInt(x)
	case float64:
		v.SetDouble(x)
	case []string:
		s := v.SetEmptySlice()
		for _, e := range x {
			s.AppendEmpty().SetStr(e)
		}
	case []bool:
		s := v.SetEmptySlice()
		for _, e := range x {
			s.AppendEmpty().SetBool(e)
		}
	case []int64:
		s := v.SetEmptySlice()
		for _, e := range x {
			s.AppendEmpty().SetInt(e)
		}
	case []float64:
		s := v.SetEmptySlice()
		for _, e := range x {
			s.AppendEmpty().SetDouble(e)
		}
	}
}

// spanBytes estimates the memory a converted span holds, for
// max_held_bytes: its strings and values, and a fixed overhead. The shared
// resource is not counted (one per batch, not per span).
func spanBytes(s *benchlog.Span) int64 {
	n := int64(256 + len(s.TraceID) + len(s.SpanID) + len(s.ParentSpanID) + len(s.Name) + len(s.StatusMessage))
	n += mapBytes(s.Attributes)
	for _, ev := range s.Events {
		n += 64 + int64(len(ev.Name)) + mapBytes(ev.Attributes)
	}
	return n
}

func mapBytes(m map[string]any) int64 {
	var n int64
	for k, v := range m {
		n += 48 + int64(len(k))
		switch x := v.(type) {
		case string:
			n += int64(len(x))
		case []string:
			for _, e := range x {
				n += 16 + int64(len(e))
			}
		case []bool:
			n += int64(len(x))
		case []int64:
			n += 8 * int64(len(x))
		case []float64:
			n += 8 * int64(len(x))
		default:
			n += 8
		}
	}
	return n
}
