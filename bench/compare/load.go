package compare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// LoadFiles reads the run logs at files, as analyze.LoadFiles does, and
// returns the same Runs in the order of files: a file that cannot be read
// or is not a run log is a warning on warn (which may be nil), and the
// error is non-nil only when none of a non-empty list could be loaded.
//
// It is faster, for the thousands of logs a comparison may read: the logs
// are parsed with github.com/valyala/fastjson on one goroutine per CPU, and
// only the logs it cannot take as they are (Python's NaN or Infinity,
// invalid UTF-8, a key of an unexpected type, a file it cannot read) go
// through analyze.LoadFiles, which decodes them as benchlog.Decode does
// and reports those it cannot read.
func LoadFiles(ctx context.Context, files []string, warn io.Writer) ([]analyze.Run, error) {
	runs := make([]analyze.Run, len(files))
	ok := make([]bool, len(files))
	workers := min(max(1, runtime.GOMAXPROCS(0)), len(files))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var p fastjson.Parser
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(files) || ctx.Err() != nil {
					return
				}
				if l := fastLoad(&p, files[i]); l != nil {
					runs[i], ok[i] = analyze.NewRun(files[i], l), true
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The logs fastLoad left: read them as analyze does, which warns
	// about those it cannot read.
	var rest []string
	var at []int
	for i, done := range ok {
		if !done {
			rest = append(rest, files[i])
			at = append(at, i)
		}
	}
	if len(rest) > 0 {
		slow, _ := analyze.LoadFiles(rest, warn)
		// LoadFiles keeps the order of its files and leaves out those it
		// could not read: match them by path.
		j := 0
		for k, i := range at {
			if j < len(slow) && slow[j].Path == rest[k] {
				runs[i], ok[i] = slow[j], true
				j++
			}
		}
	}
	out := runs[:0]
	for i := range runs {
		if ok[i] {
			out = append(out, runs[i])
		}
	}
	if len(out) == 0 && len(files) > 0 {
		return nil, fmt.Errorf("none of the %d log files could be read", len(files))
	}
	return out, nil
}

var errUnusual = errors.New("not a log fastLoad takes as it is")

// fastLoad reads and parses the log at path, and returns it, or nil when
// the log must go through the full decoder (or cannot be read: the full
// decoder will say so).
func fastLoad(p *fastjson.Parser, path string) *benchlog.Log {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 || bytes.Contains(data, []byte("NaN")) || bytes.Contains(data, []byte("Infinity")) || !utf8.Valid(data) {
		return nil
	}
	v, err := p.ParseBytes(data)
	if err != nil {
		return nil
	}
	l, err := toLog(v)
	if err != nil || (l.Metadata == nil && l.Phases == nil && l.Status == "") {
		return nil
	}
	return l
}

// toLog converts a parsed log as benchlog.Log.UnmarshalJSON does, for the
// shapes that benchtrace and the Python logger write; anything else is
// errUnusual, for the full decoder.
func toLog(v *fastjson.Value) (*benchlog.Log, error) {
	top, err := v.Object()
	if err != nil {
		return nil, errUnusual
	}
	l := &benchlog.Log{}
	bad := false
	top.Visit(func(k []byte, v *fastjson.Value) {
		if bad {
			return
		}
		switch string(k) {
		case "metadata", "model", "results", "timing":
			o, ok := toObject(v)
			if !ok {
				bad = true
				return
			}
			switch string(k) {
			case "metadata":
				l.Metadata = o
			case "model":
				l.Model = o
			case "results":
				l.Results = o
			default:
				l.Timing = o
			}
		case "phases":
			if v.Type() == fastjson.TypeNull {
				return
			}
			o, err := v.Object()
			if err != nil {
				bad = true
				return
			}
			l.Phases = make(benchlog.Phases, 0, o.Len())
			o.Visit(func(name []byte, pv *fastjson.Value) {
				fields, ok := toObject(pv)
				if !ok || fields == nil {
					bad = true // a phase that is a number or null: the full decoder's rules
					return
				}
				l.Phases = append(l.Phases, benchlog.Phase{Name: string(name), Fields: fields})
			})
		case "status":
			switch v.Type() {
			case fastjson.TypeString:
				l.Status = string(v.GetStringBytes())
			case fastjson.TypeNull:
			default:
				bad = true
			}
		case "error":
			switch v.Type() {
			case fastjson.TypeString:
				l.Error = string(v.GetStringBytes())
			case fastjson.TypeNull:
			default:
				bad = true
			}
		default:
			l.Extra = append(l.Extra, benchlog.Field{Key: string(k), Value: toValue(v)})
		}
	})
	if bad {
		return nil, errUnusual
	}
	return l, nil
}

// toObject converts an object (nil for null); ok is false for any other
// type.
func toObject(v *fastjson.Value) (benchlog.Object, bool) {
	switch v.Type() {
	case fastjson.TypeNull:
		return nil, true
	case fastjson.TypeObject:
		o, _ := v.Object()
		out := make(benchlog.Object, 0, o.Len())
		o.Visit(func(k []byte, v *fastjson.Value) {
			out = append(out, benchlog.Field{Key: string(k), Value: toValue(v)})
		})
		return out, true
	}
	return nil, false
}

// toValue converts a value to the types benchlog.Decode yields: nil, bool,
// string, float64, []any and benchlog.Object.
func toValue(v *fastjson.Value) any {
	switch v.Type() {
	case fastjson.TypeString:
		return string(v.GetStringBytes())
	case fastjson.TypeNumber:
		return v.GetFloat64()
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	case fastjson.TypeObject:
		o, _ := toObject(v)
		return o
	case fastjson.TypeArray:
		a, _ := v.Array()
		out := make([]any, len(a))
		for i, e := range a {
			out[i] = toValue(e)
		}
		return out
	}
	return nil
}
