package benchlog

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Assemble builds the log of one run from its root span and its phase spans
// (spans carrying semconv.PhaseName), in any order. It never fails as a
// whole: an attribute of the wrong type or a phase without a name is left out
// or given a default, the log is built from the rest, and the problems are
// returned joined in the error.
//
// A nil root means the root span never arrived: the log gets status
// "incomplete" and its metadata comes from the phases. A root that has not
// ended gives status "running" (a checkpoint). Timestamps are written in loc,
// or in time.Local when loc is nil.
//
// Derived values (docs/log-format.md):
//   - timing.total_duration_seconds: the root span's end minus its start; for
//     a run without an ended root, the last phase end minus the first start.
//   - the main phase is semconv.RunMainPhase, or else the longest top-level
//     phase; timing.<main_phase>_only is the summed duration of the phases
//     of that name.
//   - timing.preprocessing_total: the summed duration of the top-level
//     phases that started before the first main phase.
func Assemble(root *Span, phases []*Span, loc *time.Location) (*Log, error) {
	if loc == nil {
		loc = time.Local
	}
	a := assembler{loc: loc}
	if root != nil {
		root = a.sanitize("root span", root)
	}
	phases = a.clean(phases)
	// In start order; of two phases that start together, the enclosing one
	// (ending later) first.
	slices.SortStableFunc(phases, func(x, y *Span) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return y.End.Compare(x.End)
	})

	l := &Log{}
	l.Metadata = a.metadata(root, phases)
	if root != nil {
		l.Model = a.typed(a.prefixed(root.Attributes, semconv.ModelPrefix, modelOrder), "model", modelTypes)
		l.Results = a.typed(a.prefixed(root.Attributes, semconv.ResultPrefix, resultOrder), "results", resultTypes)
	}
	entries := a.phases(phases)
	l.Phases = make(Phases, len(entries))
	for i, e := range entries {
		l.Phases[i] = e.Phase
	}
	l.Timing = a.totals(a.timing(root, entries), root)
	l.Status, l.Error = a.runStatus(root)
	if l.Model == nil {
		l.Model = Object{}
	}
	if !l.Model.Has(KeyBatchSize) {
		// Always present, as the Python logger wrote it: null when unset.
		l.Model = append(l.Model, Field{KeyBatchSize, nil})
	}
	if l.Results == nil {
		l.Results = Object{}
	}
	return l, errors.Join(a.errs...)
}

var (
	modelOrder  = []string{"name", "architecture", "dataset", "batch_size", "seed"}
	resultOrder = []string{"mae", "precision_bits", "samples", "output_sample", "reference_output_sample"}
)

// The types of the well-known model and result keys (docs/conventions.md).
type valueKind int

const (
	valString valueKind = iota
	valInt
	valNumber
	valNumbers
)

var (
	modelTypes  = map[string]valueKind{"name": valString, "architecture": valString, "dataset": valString, "batch_size": valInt, "seed": valInt}
	resultTypes = map[string]valueKind{"mae": valNumber, "precision_bits": valNumber, "samples": valInt, "output_sample": valNumbers, "reference_output_sample": valNumbers}
)

// typed leaves out the well-known keys of obj whose value has the wrong
// type, reporting each: a log never says "mae": true. An int is accepted
// where a number is documented, and a number with an integral value where
// an int is.
func (a *assembler) typed(obj Object, where string, types map[string]valueKind) Object {
	out := obj[:0]
	for _, f := range obj {
		want, known := types[f.Key]
		if !known {
			out = append(out, f)
			continue
		}
		v, ok := f.Value, false
		switch want {
		case valString:
			_, ok = v.(string)
		case valInt:
			switch n := v.(type) {
			case int64:
				ok = true
			case float64:
				if ok = n == math.Trunc(n) && math.Abs(n) < 1<<62; ok {
					v = int64(n)
				}
			}
		case valNumber:
			switch v.(type) {
			case float64, int64:
				ok = true
			}
		case valNumbers:
			switch v.(type) {
			case []float64, []int64:
				ok = true
			}
		}
		if !ok {
			a.errorf("root span: %s.%s: wrong type %T: left out", where, f.Key, f.Value)
			continue
		}
		out = append(out, Field{f.Key, v})
	}
	return out
}

// Timestamps outside these bounds are not plausible for a benchmark run
// (an unset clock, an overflowed nanosecond count): they are treated as
// absent.
var (
	earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

func plausible(t time.Time) bool { return !t.Before(earliest) && t.Before(latest) }

// sanitize returns s, or a copy of it with its times made usable, reporting
// what it changed: an implausible start is dropped (null in the log); an
// implausible end, or an end before the start, becomes the start (a
// duration of 0), so that no log says "duration_seconds": -2.
func (a *assembler) sanitize(where string, s *Span) *Span {
	start, end := s.Start, s.End
	if !start.IsZero() && !plausible(start) {
		a.errorf("%s %s: start time %v is not plausible: left out", where, s.SpanID, start.UTC())
		start = time.Time{}
	}
	if !end.IsZero() && !plausible(end) {
		a.errorf("%s %s: end time %v is not plausible: taken as its start", where, s.SpanID, end.UTC())
		end = start
		if end.IsZero() {
			end = earliest // ended, at no known time
		}
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		a.errorf("%s %s: ends %v before it starts: taken as ending at its start", where, s.SpanID, start.Sub(end))
		end = start
	}
	if start.Equal(s.Start) && end.Equal(s.End) {
		return s
	}
	c := *s
	c.Start, c.End = start, end
	return &c
}

// clean sanitizes the phases and drops repeated copies of a span that has
// no span ID (a retried batch), which nothing else tells apart.
func (a *assembler) clean(phases []*Span) []*Span {
	out := make([]*Span, 0, len(phases))
	type ident struct {
		name, parent string
		start, end   int64
	}
	var seen map[ident]bool
	for _, p := range phases {
		p = a.sanitize("phase span", p)
		if p.SpanID == "" {
			id := ident{p.Name, p.ParentSpanID, p.Start.UnixNano(), p.End.UnixNano()}
			if n, ok := p.Attributes[semconv.PhaseName].(string); ok {
				id.name = n
			}
			if seen == nil {
				seen = map[ident]bool{}
			}
			if seen[id] {
				a.errorf("phase span %q without a span ID received twice: the copy is left out", id.name)
				continue
			}
			seen[id] = true
		}
		out = append(out, p)
	}
	return out
}

type assembler struct {
	loc  *time.Location
	errs []error
}

func (a *assembler) errorf(format string, args ...any) {
	a.errs = append(a.errs, fmt.Errorf(format, args...))
}

func (a *assembler) time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(a.loc).Format(TimeLayout)
}

// str returns attrs[key] if it is a string, reporting another type.
func (a *assembler) str(where string, attrs map[string]any, key string) (string, bool) {
	v, ok := attrs[key]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		a.errorf("%s: attribute %s: want a string, got %T", where, key, v)
	}
	return s, ok
}

// num returns attrs[key] as a float64 if it is numeric, reporting another type.
func (a *assembler) num(where string, attrs map[string]any, key string) (float64, bool) {
	v, ok := attrs[key]
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	}
	a.errorf("%s: attribute %s: want a number, got %T", where, key, v)
	return 0, false
}

// integer returns attrs[key] as an int64 if it is an integer, reporting
// another type.
func (a *assembler) integer(where string, attrs map[string]any, key string) (int64, bool) {
	v, ok := attrs[key]
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<62 {
			return int64(n), true
		}
	}
	a.errorf("%s: attribute %s: want an integer, got %T", where, key, v)
	return 0, false
}

// value checks that v is one of the attribute types a log can hold.
func (a *assembler) value(where, key string, v any) (any, bool) {
	switch v.(type) {
	case string, bool, int64, float64, []string, []bool, []int64, []float64:
		return v, true
	}
	a.errorf("%s: attribute %s: unsupported type %T", where, key, v)
	return nil, false
}

func (a *assembler) metadata(root *Span, phases []*Span) Object {
	md := Object{}
	var name string
	var start, end time.Time
	res := map[string]any{}
	if root != nil {
		res = root.Resource
		start, end = root.Start, root.End
		if n, ok := a.str("root span", root.Attributes, semconv.BenchmarkName); ok {
			name = n
		} else {
			name = root.Name
		}
	}
	for _, p := range phases {
		if name == "" {
			if n, ok := p.Attributes[semconv.BenchmarkName].(string); ok {
				name = n
			}
		}
		if root == nil {
			if start.IsZero() || p.Start.Before(start) {
				start = p.Start
			}
			if len(res) == 0 {
				res = p.Resource
			}
		}
	}
	if name == "" {
		a.errorf("run has no %s attribute and no root span name: named %q", semconv.BenchmarkName, "unknown")
		name = "unknown"
	}
	md = append(md, Field{KeyBenchmarkName, name})
	if id := traceID(root, phases); id != "" {
		md = append(md, Field{KeyRunID, id})
	}
	md = append(md, Field{KeyTimestampStart, a.time(start)}, Field{KeyTimestampEnd, a.time(end)})

	const where = "resource"
	if v, ok := a.str(where, res, semconv.HostName); ok {
		md = append(md, Field{KeyHostname, v})
	}
	if v, ok := a.str(where, res, semconv.OSDescription); ok {
		md = append(md, Field{KeyPlatform, v})
	} else if v, ok := a.str(where, res, semconv.OSType); ok {
		md = append(md, Field{KeyPlatform, v})
	}
	if v, ok := a.str(where, res, semconv.ProcessRuntimeVersion); ok {
		rt, _ := res[semconv.ProcessRuntimeName].(string)
		md = append(md, Field{runtimeKey(rt) + "_version", v})
	}
	if v, ok := a.str(where, res, semconv.HostCPUModelName); ok {
		md = append(md, Field{KeyCPUModel, v})
	}
	if v, ok := a.integer(where, res, semconv.HostCPUCount); ok {
		md = append(md, Field{KeyCPUCount, v})
	}
	if v, ok := a.integer(where, res, semconv.HostMemoryTotal); ok {
		md = append(md, Field{KeyMemoryTotal, v})
	}
	if v, ok := res[semconv.HostAccelerators]; ok {
		devs, isList := v.([]string)
		if !isList {
			a.errorf("%s: attribute %s: want a string array, got %T", where, semconv.HostAccelerators, v)
		}
		cuda := false
		for _, d := range devs {
			cuda = cuda || strings.HasPrefix(d, "nvidia:")
		}
		md = append(md, Field{KeyAccelerator, len(devs) > 0}, Field{KeyCUDA, cuda})
	}
	if v, ok := a.str(where, res, semconv.VCSRefHeadRevision); ok {
		md = append(md, Field{KeyGitCommit, v})
	}
	if v, ok := res[semconv.VCSDirty].(bool); ok {
		md = append(md, Field{KeyGitDirty, v})
	}
	if root != nil {
		// Keys the writer owns (run_id, benchmark_name, hostname…) cannot be
		// set by an attribute: a log never has a duplicate key.
		for _, f := range a.prefixed(root.Attributes, semconv.MetadataPrefix, []string{KeyConfigFile}) {
			if md.Has(f.Key) {
				a.errorf("root span: attribute %s%s would replace metadata.%s, which benchtrace writes: left out", semconv.MetadataPrefix, f.Key, f.Key)
				continue
			}
			md = append(md, f)
		}
	}
	if !md.Has(KeyConfigFile) {
		// Always present, as the Python logger wrote it: null when unset.
		md = append(md, Field{KeyConfigFile, nil})
	}
	return md
}

func traceID(root *Span, phases []*Span) string {
	if root != nil {
		return root.TraceID
	}
	if len(phases) > 0 {
		return phases[0].TraceID
	}
	return ""
}

// runtimeNames maps the process.runtime.name values of OpenTelemetry's
// resource detectors to the name a log's reader expects in
// metadata.<name>_version (python_version, as the Python logger wrote).
var runtimeNames = map[string]string{
	"cpython": "python", "pypy": "python", "ironpython": "python", "jython": "python",
	"nodejs": "node", "node.js": "node", "deno": "deno", "bun": "bun",
	"go": "go", "gc": "go",
	"openjdk runtime environment": "java", "java(tm) se runtime environment": "java",
	".net": "dotnet", ".net core": "dotnet", ".net framework": "dotnet",
}

// runtimeKey returns the metadata key prefix for a runtime name.
func runtimeKey(name string) string {
	if name == "" {
		return "runtime"
	}
	if k, ok := runtimeNames[strings.ToLower(name)]; ok {
		return k
	}
	return sanitizeKey(name)
}

// sanitizeKey keeps a runtime name usable as part of a JSON key.
func sanitizeKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, s)
}

// prefixed collects the attributes under prefix, with the prefix removed:
// the keys in first, in that order, then the others sorted.
func (a *assembler) prefixed(attrs map[string]any, prefix string, first []string) Object {
	var rest []string
	for k := range attrs {
		if strings.HasPrefix(k, prefix) && !slices.Contains(first, k[len(prefix):]) {
			rest = append(rest, k[len(prefix):])
		}
	}
	sort.Strings(rest)
	obj := Object{}
	for _, k := range append(slices.Clone(first), rest...) {
		v, ok := attrs[prefix+k]
		if !ok {
			continue
		}
		if k == "" {
			a.errorf("root span: attribute %q has an empty key after its prefix", prefix)
			continue
		}
		if v, ok := a.value("root span", prefix+k, v); ok {
			obj = append(obj, Field{k, v})
		}
	}
	return obj
}

// entry is a phase entry with what timing needs.
type entry struct {
	Phase
	name     string // phase name without the #N suffix
	start    time.Time
	end      time.Time
	duration float64
	topLevel bool
}

// phaseKeys maps the measurement attributes of a phase span to the entry
// keys, in the order they are written.
var phaseKeys = []struct {
	attr, key string
	integer   bool
}{
	{semconv.PhaseCPUUser, KeyCPUUser, false},
	{semconv.PhaseCPUSystem, KeyCPUSystem, false},
	{semconv.PhaseCPUChildren, KeyCPUChildren, false},
	{semconv.PhaseMemoryRSSStart, KeyRSSStart, true},
	{semconv.PhaseMemoryChange, KeyMemoryChange, true},
	{semconv.PhaseMemoryPeak, KeyPeakRSS, true},
	{semconv.PhaseGoHeapAlloc, KeyGoHeapAlloc, true},
	{semconv.PhaseGoGCCycles, KeyGoGCCycles, true},
}

var reservedPhaseKeys = func() map[string]bool {
	m := map[string]bool{KeyDuration: true, KeyStatus: true, KeyError: true, KeyStartTime: true, KeyParent: true,
		KeyPeakSource: true, KeyChildPeakRSS: true, KeyOverlapped: true}
	for _, k := range phaseKeys {
		m[k.key] = true
	}
	return m
}()

func (a *assembler) phases(spans []*Span) []entry {
	keyOf := make(map[string]string, len(spans)) // span ID → entry key
	names := make([]string, len(spans))
	keys := make([]string, len(spans))
	seen := make(map[string]int, len(spans)) // name → highest N given
	taken := make(map[string]bool, len(spans))
	for i, s := range spans {
		name, ok := a.str("phase span "+s.SpanID, s.Attributes, semconv.PhaseName)
		if !ok || name == "" {
			name = s.Name
		}
		if name == "" {
			a.errorf("phase span %s has no name: named %q", s.SpanID, "unnamed")
			name = "unnamed"
		}
		// The first phase of a name keeps it; each later one gets "#N",
		// the smallest N ≥ 2 not taken, so that no name a producer chose
		// ("step#2") is ever overwritten.
		key := name
		for n := max(seen[name], 1); taken[key]; {
			n++
			seen[name] = n
			key = name + "#" + strconv.Itoa(n)
		}
		taken[key] = true
		keyOf[s.SpanID] = key
		names[i], keys[i] = name, key
	}
	out := make([]entry, 0, len(spans))
	for i, s := range spans {
		key := keys[i]
		where := "phase " + strconv.Quote(key)
		e := entry{name: names[i], start: s.Start, end: s.End}
		if d, ok := a.num(where, s.Attributes, semconv.PhaseDuration); ok && d >= 0 && !math.IsInf(d, 1) {
			e.duration = d
		} else if s.Ended() {
			e.duration = s.End.Sub(s.Start).Seconds()
		}
		status, errMsg := a.status(where, s, semconv.PhaseStatus, false)
		f := make(Object, 0, 8+len(phaseKeys)+len(s.Attributes))
		f = append(f, Field{KeyDuration, e.duration}, Field{KeyStatus, status})
		if errMsg != "" {
			f = append(f, Field{KeyError, errMsg})
		}
		f = append(f, Field{KeyStartTime, a.time(s.Start)})
		if parent, ok := keyOf[s.ParentSpanID]; ok && s.ParentSpanID != "" {
			f = append(f, Field{KeyParent, parent})
		} else {
			e.topLevel = true
		}
		for _, k := range phaseKeys {
			if k.integer {
				if v, ok := a.integer(where, s.Attributes, k.attr); ok {
					f = append(f, Field{k.key, v})
				}
			} else if v, ok := a.num(where, s.Attributes, k.attr); ok {
				f = append(f, Field{k.key, v})
			}
		}
		if v, ok := a.str(where, s.Attributes, semconv.PhaseMemoryPeakSource); ok {
			f = append(f, Field{KeyPeakSource, v})
		}
		if v, ok := a.integer(where, s.Attributes, semconv.PhaseMemoryChildrenPeak); ok {
			f = append(f, Field{KeyChildPeakRSS, v})
		}
		if v, ok := s.Attributes[semconv.PhaseOverlapped].(bool); ok && v {
			f = append(f, Field{KeyOverlapped, true})
		}
		var user []string
		for k := range s.Attributes {
			if !strings.HasPrefix(k, semconv.Namespace) {
				user = append(user, k)
			}
		}
		sort.Strings(user)
		for _, k := range user {
			v, ok := a.value(where, k, s.Attributes[k])
			if !ok {
				continue
			}
			jk := k
			if reservedPhaseKeys[k] {
				jk = "attr." + k
			}
			f = append(f, Field{jk, v})
		}
		e.Phase = Phase{Name: key, Fields: f}
		out = append(out, e)
	}
	return out
}

// status derives the status and error message of a span.
func (a *assembler) status(where string, s *Span, overrideKey string, withStack bool) (status, msg string) {
	switch {
	case !s.Ended():
		status = semconv.StatusRunning
	case s.Failed:
		status = semconv.StatusFailed
	default:
		status = semconv.StatusSuccess
	}
	if v, ok := a.str(where, s.Attributes, overrideKey); ok && s.Ended() {
		switch v {
		case semconv.StatusSuccess, semconv.StatusFailed, semconv.StatusInterrupted:
			status = v
		default:
			a.errorf("%s: attribute %s: unknown status %q", where, overrideKey, v)
		}
	}
	if status == semconv.StatusSuccess || status == semconv.StatusRunning {
		return status, ""
	}
	// The message: the exception event's exception.message when there is
	// one (the Python SDK prefixes the exception type to the status
	// message; every SDK fills exception.message alike), else the status
	// message. Only a run's error adds the stack trace, after a blank line.
	msg = s.StatusMessage
	for _, ev := range s.Events {
		if ev.Name != semconv.ExceptionEventName {
			continue
		}
		if m, ok := ev.Attributes[semconv.ExceptionMessage].(string); ok && m != "" {
			msg = m
		}
		if st, ok := ev.Attributes[semconv.ExceptionStacktrace].(string); ok && st != "" && withStack {
			msg += "\n\n" + st
		}
		break
	}
	if msg == "" {
		msg = status
	}
	return status, msg
}

func (a *assembler) runStatus(root *Span) (status, errMsg string) {
	if root == nil {
		return semconv.StatusIncomplete, ""
	}
	return a.status("root span", root, semconv.RunStatus, true)
}

func (a *assembler) timing(root *Span, entries []entry) Object {
	t := Object{}
	var first, last time.Time
	for _, e := range entries {
		if first.IsZero() || e.start.Before(first) {
			first = e.start
		}
		if e.end.After(last) {
			last = e.end
		}
	}
	switch {
	case root != nil && root.Ended():
		t = append(t, Field{KeyTotalDuration, root.End.Sub(root.Start).Seconds()})
	case root != nil && !last.IsZero():
		t = append(t, Field{KeyTotalDuration, last.Sub(root.Start).Seconds()})
	case !last.IsZero():
		t = append(t, Field{KeyTotalDuration, last.Sub(first).Seconds()})
	}

	main := ""
	if root != nil {
		main, _ = a.str("root span", root.Attributes, semconv.RunMainPhase)
	}
	if main == "" {
		longest := -1.0
		for _, e := range entries {
			if e.topLevel && e.duration > longest {
				main, longest = e.name, e.duration
			}
		}
	}
	if main == "" {
		return t
	}
	var mainTotal float64
	var mainStart time.Time
	found := false
	for _, e := range entries {
		if e.name == main {
			mainTotal += e.duration
			if !found {
				mainStart = e.start
			}
			found = true
		}
	}
	if !found {
		return t // the main phase has not run (yet)
	}
	var pre float64
	for _, e := range entries {
		if e.topLevel && e.name != main && e.start.Before(mainStart) {
			pre += e.duration
		}
	}
	return append(t, Field{main + MainPhaseSuffix, roundSum(mainTotal)}, Field{KeyPreprocessingTotal, roundSum(pre)})
}

// roundSum rounds a sum of durations to the nanosecond, the resolution of
// the clocks they come from, so that float noise (4.8130707059999995) does
// not reach the log. Measured values are written as measured.
func roundSum(s float64) float64 {
	return math.Round(s*1e9) / 1e9
}

// runTotals maps the root's run totals to timing keys, in the order they are
// written.
var runTotals = []struct {
	attr, key string
	integer   bool
}{
	{semconv.RunCPUUser, KeyCPUUser, false},
	{semconv.RunCPUSystem, KeyCPUSystem, false},
	{semconv.RunCPUChildren, KeyCPUChildren, false},
	{semconv.RunMemoryPeak, KeyPeakRSS, true},
	{semconv.RunMemoryChildrenPeak, KeyChildPeakRSS, true},
	{semconv.RunGoHeapAlloc, KeyGoHeapAlloc, true},
	{semconv.RunGoGCCycles, KeyGoGCCycles, true},
}

// totals appends the run's own totals, measured from its start to its end,
// which the root span carries once it has ended.
func (a *assembler) totals(t Object, root *Span) Object {
	if root == nil {
		return t
	}
	for _, k := range runTotals {
		if k.integer {
			if v, ok := a.integer("root span", root.Attributes, k.attr); ok {
				t = append(t, Field{k.key, v})
			}
		} else if v, ok := a.num("root span", root.Attributes, k.attr); ok {
			t = append(t, Field{k.key, v})
		}
	}
	return t
}
