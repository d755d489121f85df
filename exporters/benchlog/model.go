package benchlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Log is one run log: the JSON document written to
// {benchmark_name}_{YYYYMMDD_HHMMSS}.json. Its top-level keys, in order, are
// metadata, model, phases, results, timing, status and error, as in the
// original Orion benchmark logger; docs/log-format.md describes every key.
//
// Decoding accepts logs written by that Python logger too, including the
// non-standard NaN and Infinity literals Python's json module writes. Keys
// this package does not know are kept, in order, and written back unchanged.
type Log struct {
	Metadata Object
	Model    Object
	Phases   Phases
	Results  Object
	Timing   Object
	Status   string
	// Error is the run's error message (and stack trace, after a blank
	// line), or "" when the run did not fail (written as null).
	Error string
	// Extra holds top-level keys other than the seven above, in order.
	Extra Object
}

// Well-known keys of the log's objects.
const (
	KeyBenchmarkName  = "benchmark_name"
	KeyRunID          = "run_id"
	KeyTimestampStart = "timestamp_start"
	KeyTimestampEnd   = "timestamp_end"
	KeyHostname       = "hostname"
	KeyPlatform       = "platform"
	KeyCPUModel       = "cpu_model"
	KeyCPUCount       = "cpu_count"
	KeyMemoryTotal    = "memory_total_bytes"
	KeyAccelerator    = "accelerator_available"
	KeyCUDA           = "cuda_available"
	KeyGitCommit      = "git_commit"
	KeyGitDirty       = "git_dirty"
	KeyConfigFile     = "config_file"

	KeyBatchSize = "batch_size"

	KeyMAE           = "mae"
	KeyPrecisionBits = "precision_bits"

	KeyTotalDuration      = "total_duration_seconds"
	KeyPreprocessingTotal = "preprocessing_total"
	// The main phase's duration is timing["<main_phase>_only"].
	MainPhaseSuffix = "_only"

	// Phase entry keys.
	KeyDuration     = "duration_seconds"
	KeyStatus       = "status"
	KeyError        = "error"
	KeyStartTime    = "start_time"
	KeyParent       = "parent"
	KeyCPUUser      = "cpu_user_seconds"
	KeyCPUSystem    = "cpu_system_seconds"
	KeyCPUChildren  = "cpu_children_seconds"
	KeyRSSStart     = "rss_start_bytes"
	KeyMemoryChange = "memory_change_bytes"
	KeyPeakRSS      = "peak_rss_bytes"
	KeyPeakSource   = "peak_rss_source"
	KeyGoHeapAlloc  = "go_heap_alloc_bytes"
	KeyGoGCCycles   = "go_gc_cycles"
	// KeyChildPeakRSS is the peak RSS of the largest waited-for child
	// process, in a phase entry and in timing.
	KeyChildPeakRSS = "children_peak_rss_bytes"
	KeyOverlapped   = "overlapped"
)

// TimeLayout is how timestamps are written: local time with microseconds and
// the UTC offset. ParseTime also reads the Python logger's
// datetime.isoformat() output, which has no offset.
const TimeLayout = "2006-01-02T15:04:05.000000-07:00"

// ParseTime parses a timestamp written by benchtrace or by the Python logger
// ("2025-01-09T12:34:56", with or without fraction and offset). Timestamps
// without an offset are read as local time.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("parsing timestamp %q: not an ISO 8601 date-time", s)
}

// Field is one key of an Object.
type Field struct {
	Key   string
	Value any
}

// Object is a JSON object that keeps its keys in order. Values are nil, bool,
// string, float64, int64, int, []float64, []int64, []string, []bool, []any or
// Object; decoding yields nil, bool, string, float64, []any and Object.
// Non-finite floats are written as null.
type Object []Field

// Get returns the value of key.
func (o Object) Get(key string) (any, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Has reports whether key is present.
func (o Object) Has(key string) bool {
	_, ok := o.Get(key)
	return ok
}

// String returns the value of key if it is a string.
func (o Object) String(key string) (string, bool) {
	v, _ := o.Get(key)
	s, ok := v.(string)
	return s, ok
}

// Float returns the value of key if it is a finite or non-finite number.
func (o Object) Float(key string) (float64, bool) {
	v, _ := o.Get(key)
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

// Int returns the value of key if it is a number with no fraction.
func (o Object) Int(key string) (int64, bool) {
	v, _ := o.Get(key)
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n), true
		}
	}
	return 0, false
}

// Bool returns the value of key if it is a bool.
func (o Object) Bool(key string) (bool, bool) {
	v, _ := o.Get(key)
	b, ok := v.(bool)
	return b, ok
}

// Set replaces the value of key, or appends key if it is absent.
func (o *Object) Set(key string, v any) {
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Value = v
			return
		}
	}
	*o = append(*o, Field{key, v})
}

// Delete removes key.
func (o *Object) Delete(key string) {
	for i := range *o {
		if (*o)[i].Key == key {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}

// Phase is one entry of the log's phases object.
type Phase struct {
	Name   string
	Fields Object
}

// Phases is the log's phases object, in the order the phases started.
type Phases []Phase

// Get returns the phase called name.
func (p Phases) Get(name string) (Phase, bool) {
	for _, ph := range p {
		if ph.Name == name {
			return ph, true
		}
	}
	return Phase{}, false
}

// MarshalJSON writes the object with its keys in order.
func (o Object) MarshalJSON() ([]byte, error) {
	return appendObject(nil, o)
}

// UnmarshalJSON reads an object, keeping its keys in order.
func (o *Object) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return err
	}
	obj, ok := v.(Object)
	if !ok {
		return fmt.Errorf("want a JSON object, got %T", v)
	}
	*o = obj
	return nil
}

// MarshalJSON writes the phases as an object keyed by phase name.
func (p Phases) MarshalJSON() ([]byte, error) {
	obj := make(Object, len(p))
	for i, ph := range p {
		obj[i] = Field{ph.Name, ph.Fields}
	}
	return appendObject(nil, obj)
}

// UnmarshalJSON reads the phases object. An entry that is not an object (as
// a bare number of seconds) is kept as {"duration_seconds": n} when it is a
// number and as {"value": v} otherwise.
func (p *Phases) UnmarshalJSON(data []byte) error {
	var obj Object
	if err := obj.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("phases: %w", err)
	}
	*p = phasesFromObject(obj)
	return nil
}

func phasesFromObject(obj Object) Phases {
	out := make(Phases, 0, len(obj))
	for _, f := range obj {
		switch v := f.Value.(type) {
		case Object:
			out = append(out, Phase{f.Key, v})
		case float64:
			out = append(out, Phase{f.Key, Object{{KeyDuration, v}}})
		default:
			out = append(out, Phase{f.Key, Object{{"value", v}}})
		}
	}
	return out
}

// MarshalJSON writes the log with its keys in the documented order.
func (l *Log) MarshalJSON() ([]byte, error) {
	return appendObject(nil, l.object())
}

// object returns the log as one ordered object.
func (l *Log) object() Object {
	var errV any
	if l.Error != "" {
		errV = l.Error
	}
	obj := Object{
		{"metadata", nonNil(l.Metadata)},
		{"model", nonNil(l.Model)},
		{"phases", l.Phases},
		{"results", nonNil(l.Results)},
		{"timing", nonNil(l.Timing)},
		{"status", l.Status},
		{"error", errV},
	}
	return append(obj, l.Extra...)
}

// UnmarshalJSON reads a log written by benchtrace or by the Python logger.
// Missing sections stay empty; a section of the wrong type is an error.
func (l *Log) UnmarshalJSON(data []byte) error {
	out, err := decodeFast(data)
	if err == errSlowPath {
		out, err = decodeSlow(data)
	}
	if err != nil {
		return err
	}
	*l = out
	return nil
}

// decodeSlow is the reference decoder, and the one that reads what
// decodeFast leaves to it: Python's bare NaN and Infinity made null,
// encoding/json's tokens read into an Object, and the sections taken from
// it. Its errors are the ones Decode reports.
func decodeSlow(data []byte) (Log, error) {
	var obj Object
	if err := obj.UnmarshalJSON(sanitizeNonFinite(data)); err != nil {
		return Log{}, err
	}
	return logFromObject(obj)
}

// logFromObject sorts a decoded log's top-level keys into the sections of
// a Log. Both decoders share it.
func logFromObject(obj Object) (Log, error) {
	var out Log
	for _, f := range obj {
		var err error
		switch f.Key {
		case "metadata":
			out.Metadata, err = asObject(f)
		case "model":
			out.Model, err = asObject(f)
		case "results":
			out.Results, err = asObject(f)
		case "timing":
			out.Timing, err = asObject(f)
		case "phases":
			switch v := f.Value.(type) {
			case nil:
			case Object:
				out.Phases = phasesFromObject(v)
			default:
				err = fmt.Errorf("key %q: want an object, got %s", f.Key, jsonType(f.Value))
			}
		case "status":
			switch v := f.Value.(type) {
			case string:
				out.Status = v
			case nil:
			default:
				err = fmt.Errorf("key %q: want a string, got %s", f.Key, jsonType(f.Value))
			}
		case "error":
			switch v := f.Value.(type) {
			case nil:
			case string:
				out.Error = v
			default:
				b, _ := appendValue(nil, v)
				out.Error = string(b)
			}
		default:
			out.Extra = append(out.Extra, f)
		}
		if err != nil {
			return Log{}, err
		}
	}
	return out, nil
}

// Decode reads a log from data. A well-formed log is read in one pass over
// its bytes; anything else (a syntax error, nesting deeper than 512 levels,
// bytes after the log) goes through encoding/json, whose error Decode
// returns. Either way gives the same Log.
func Decode(data []byte) (*Log, error) {
	var l Log
	if err := l.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &l, nil
}

// Encode writes l as indented JSON (two spaces, as json.Indent would) with
// a trailing newline.
func Encode(l *Log) ([]byte, error) {
	e := encoder{indent: "  "}
	// About 400 bytes a phase entry and 2 KB for the rest: one allocation
	// for most logs instead of a doubling series.
	b, err := e.appendObject(make([]byte, 0, 2048+400*len(l.Phases)), l.object(), 0)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func nonNil(o Object) Object {
	if o == nil {
		return Object{}
	}
	return o
}

func asObject(f Field) (Object, error) {
	switch v := f.Value.(type) {
	case Object:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("key %q: want an object, got %s", f.Key, jsonType(f.Value))
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case Object:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, fmt.Errorf("key %q: %w", key, err)
				}
				obj = append(obj, Field{key, v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("number %s: %w", t, err)
		}
		return f, nil
	default:
		return t, nil // nil, bool, string
	}
}

// sanitizeNonFinite replaces the bare tokens NaN, Infinity and -Infinity
// that Python's json module writes (outside strings) with null, so that the
// result is valid JSON.
func sanitizeNonFinite(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	out := make([]byte, 0, len(data))
	inStr, esc := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			out = append(out, c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch {
		case c == '"':
			inStr = true
		case bytes.HasPrefix(data[i:], []byte("NaN")):
			out = append(out, "null"...)
			i += len("NaN") - 1
			continue
		case bytes.HasPrefix(data[i:], []byte("-Infinity")):
			out = append(out, "null"...)
			i += len("-Infinity") - 1
			continue
		case bytes.HasPrefix(data[i:], []byte("Infinity")):
			out = append(out, "null"...)
			i += len("Infinity") - 1
			continue
		}
		out = append(out, c)
	}
	return out
}

func appendObject(b []byte, o Object) ([]byte, error) {
	return encoder{}.appendObject(b, o, 0)
}

func appendValue(b []byte, v any) ([]byte, error) {
	return encoder{}.appendValue(b, v, 0)
}

// encoder writes JSON compact (indent "") or indented exactly as
// json.Indent(dst, compact, "", indent) would, without the second pass.
type encoder struct{ indent string }

// newline starts a line at depth; nothing when compact.
func (e encoder) newline(b []byte, depth int) []byte {
	if e.indent == "" {
		return b
	}
	b = append(b, '\n')
	for range depth {
		b = append(b, e.indent...)
	}
	return b
}

func (e encoder) appendObject(b []byte, o Object, depth int) ([]byte, error) {
	if len(o) == 0 {
		return append(b, "{}"...), nil
	}
	b = append(b, '{')
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.newline(b, depth+1)
		b = appendString(b, f.Key)
		b = append(b, ':')
		if e.indent != "" {
			b = append(b, ' ')
		}
		var err error
		if b, err = e.appendValue(b, f.Value, depth+1); err != nil {
			return nil, fmt.Errorf("key %q: %w", f.Key, err)
		}
	}
	return append(e.newline(b, depth), '}'), nil
}

// appendString appends s as a JSON string, escaped as json.Marshal escapes
// it.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // escapes, HTML-safe, invalid UTF-8 replaced
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

func (e encoder) appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case float64:
		return appendFloat(b, x), nil
	case float32:
		return appendFloat(b, float64(x)), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case Object:
		return e.appendObject(b, x, depth)
	case Phases:
		obj := make(Object, len(x))
		for i, ph := range x {
			obj[i] = Field{ph.Name, ph.Fields}
		}
		return e.appendObject(b, obj, depth)
	case []float64:
		return appendArray(e, b, x, depth, func(b []byte, f float64) ([]byte, error) { return appendFloat(b, f), nil })
	case []any:
		return appendArray(e, b, x, depth, func(b []byte, v any) ([]byte, error) { return e.appendValue(b, v, depth+1) })
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if e.indent == "" {
		return append(b, raw...), nil
	}
	buf := bytes.NewBuffer(b)
	if err := json.Indent(buf, raw, strings.Repeat(e.indent, depth), e.indent); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func appendArray[T any](e encoder, b []byte, xs []T, depth int, elem func([]byte, T) ([]byte, error)) ([]byte, error) {
	if len(xs) == 0 {
		return append(b, "[]"...), nil
	}
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.newline(b, depth+1)
		var err error
		if b, err = elem(b, x); err != nil {
			return nil, err
		}
	}
	return append(e.newline(b, depth), ']'), nil
}
