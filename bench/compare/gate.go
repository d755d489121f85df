package compare

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Threshold says how far a measure may get worse before a gate fails.
type Threshold struct {
	// Measure is the measure's name ("duration", "peak_rss", a result).
	Measure string
	// Phase, when Scoped, restricts the threshold to the rows of that
	// phase; Scoped with Phase "" restricts it to the run-level rows.
	// A threshold that is not scoped applies to every row of its
	// measure that no scoped one matches.
	Phase  string
	Scoped bool
	// Limit is how far the row may move in the Worse direction: a
	// percentage of the old center when Relative, else an amount in the
	// measure's unit (seconds, bytes, bits).
	Limit    float64
	Relative bool
	// Worse is the direction that counts: the measure's own, or the one
	// the threshold's sign gave for a result of no known direction.
	Worse Direction
	// Text is the threshold as written.
	Text string
}

// String returns the threshold as written.
func (t Threshold) String() string { return t.Text }

// Gate is a set of thresholds, as --fail-on gives them.
type Gate []Threshold

// Failure is a row that fails a gate: significant, and beyond its
// threshold in the worse direction.
type Failure struct {
	Row       Row
	Threshold Threshold
}

// ErrThreshold is wrapped by the errors of ParseGate.
var ErrThreshold = errors.New("bad threshold")

var measureName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// ParseGate parses a comma-separated list of thresholds:
//
//	MEASURE[@PHASE]:[+|-]LIMIT[UNIT]
//
// for example "duration:+5%,peak_rss:+10%,precision_bits:-0.5". LIMIT with
// "%" is relative to the old center; without, it is an amount in the
// measure's unit, or with a unit: a duration for the time measures (500ms,
// 1.5s, 2m), a size for the memory ones (B, kB, KiB, MB, MiB, GB, GiB),
// "bits" for precision_bits. The sign says the worse direction: it may be
// left out, and must agree with the measure's own direction where the
// measure has one (+ for durations and memory, - for precision_bits); a
// result of no known direction needs one. @PHASE limits the threshold to
// that phase's rows ("duration@fhe_inference:+2%"), and a bare "@" to the
// run-level rows ("duration@:+3%"); it overrides the threshold without
// "@" for those rows.
func ParseGate(s string) (Gate, error) {
	var g Gate
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		t, err := parseThreshold(part)
		if err != nil {
			return nil, err
		}
		sel := t.Measure
		if t.Scoped {
			sel += "@" + t.Phase
		}
		if seen[sel] {
			return nil, fmt.Errorf("%w %q: %s has two thresholds", ErrThreshold, part, sel)
		}
		seen[sel] = true
		g = append(g, t)
	}
	if len(g) == 0 {
		return nil, fmt.Errorf("%w: no threshold in %q", ErrThreshold, s)
	}
	return g, nil
}

func parseThreshold(s string) (Threshold, error) {
	bad := func(format string, args ...any) (Threshold, error) {
		return Threshold{}, fmt.Errorf("%w %q: %s", ErrThreshold, s, fmt.Sprintf(format, args...))
	}
	sel, limit, ok := strings.Cut(s, ":")
	if !ok {
		return bad("want MEASURE[@PHASE]:LIMIT, as duration:+5%%")
	}
	t := Threshold{Text: s}
	t.Measure, t.Phase, t.Scoped = strings.Cut(sel, "@")
	if !measureName.MatchString(t.Measure) {
		return bad("%q is not a measure name", t.Measure)
	}
	m := MeasureOf(t.Measure)
	if t.Measure == "main_phase" && t.Scoped && t.Phase != "" {
		return bad("main_phase is a run-level measure: it has no phase rows")
	}

	limit = strings.TrimSpace(limit)
	sign := 0.0
	switch {
	case strings.HasPrefix(limit, "+"):
		sign, limit = 1, limit[1:]
	case strings.HasPrefix(limit, "-"):
		sign, limit = -1, limit[1:]
	}
	switch {
	case m.Worse != Neutral && sign != 0 && sign != m.Worse.sign():
		want := "+"
		if m.Worse == LowerIsWorse {
			want = "-"
		}
		return bad("%s gets worse as it gets %s: write %s%s", m.Name, m.Worse, want, limit)
	case m.Worse == Neutral && sign == 0:
		return bad("%s has no known worse direction: say it with a sign (+%s or -%s)", m.Name, limit, limit)
	case m.Worse != Neutral:
		t.Worse = m.Worse
	case sign > 0:
		t.Worse = HigherIsWorse
	default:
		t.Worse = LowerIsWorse
	}

	v, err := parseLimit(limit, m)
	if err != nil {
		return bad("%v", err)
	}
	t.Limit, t.Relative = v.amount, v.relative
	if t.Limit < 0 || math.IsNaN(t.Limit) || math.IsInf(t.Limit, 0) {
		return bad("the limit must be a finite amount")
	}
	return t, nil
}

type limitValue struct {
	amount   float64
	relative bool
}

// byteUnits are the size suffixes a memory limit may have.
var byteUnits = map[string]float64{
	"b": 1, "kb": 1e3, "kib": 1 << 10, "mb": 1e6, "mib": 1 << 20, "gb": 1e9, "gib": 1 << 30,
}

var limitPattern = regexp.MustCompile(`^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(.*)$`)

func parseLimit(s string, m Measure) (limitValue, error) {
	g := limitPattern.FindStringSubmatch(s)
	if g == nil {
		return limitValue{}, fmt.Errorf("%q is not a number", s)
	}
	x, err := strconv.ParseFloat(g[1], 64)
	if err != nil {
		return limitValue{}, err
	}
	unit := g[2]
	switch {
	case unit == "":
		return limitValue{amount: x}, nil
	case unit == "%":
		return limitValue{amount: x, relative: true}, nil
	case m.Unit == "sec":
		d, err := time.ParseDuration(g[1] + unit)
		if err != nil {
			return limitValue{}, fmt.Errorf("%s is in seconds: want a duration such as 500ms or 1.5s, not %q", m.Name, s)
		}
		return limitValue{amount: d.Seconds()}, nil
	case m.Unit == "B":
		f, ok := byteUnits[strings.ToLower(unit)]
		if !ok {
			return limitValue{}, fmt.Errorf("%s is in bytes: want a size such as 64MiB or 100MB, not %q", m.Name, s)
		}
		return limitValue{amount: x * f}, nil
	case m.Unit == "bits" && unit == "bits":
		return limitValue{amount: x}, nil
	}
	return limitValue{}, fmt.Errorf("unit %q does not fit %s (unit %q): use %% or a plain number", unit, m.Name, m.Unit)
}

// For returns the threshold that applies to row: the one scoped to its
// phase (or to run-level rows), else the measure's unscoped one.
func (g Gate) For(row Row) (Threshold, bool) {
	var general *Threshold
	for i := range g {
		t := &g[i]
		if t.Measure != row.Measure.Name {
			continue
		}
		if t.Scoped {
			if t.Phase == row.Phase {
				return *t, true
			}
			continue
		}
		general = t
	}
	if general == nil {
		return Threshold{}, false
	}
	return *general, true
}

// Exceeds reports whether row is beyond t in t's worse direction. It does
// not look at the row's significance.
func (t Threshold) Exceeds(row Row) bool {
	d := row.Delta
	if t.Relative {
		d = row.DeltaPercent
	}
	return t.Worse.sign()*d > t.Limit // false for NaN
}

// Check returns the rows that fail g: significant, and beyond their
// threshold in its worse direction. Rows with too few samples are never
// significant, so they never fail.
func (g Gate) Check(rows []Row) []Failure {
	var out []Failure
	for _, row := range rows {
		t, ok := g.For(row)
		if ok && row.Significant && t.Exceeds(row) {
			out = append(out, Failure{row, t})
		}
	}
	return out
}

// Unused returns the thresholds that apply to none of rows: most likely a
// misspelled measure or phase.
func (g Gate) Unused(rows []Row) []Threshold {
	used := make([]bool, len(g))
	for _, row := range rows {
		for i, t := range g {
			if t.Measure == row.Measure.Name && (!t.Scoped || t.Phase == row.Phase) {
				used[i] = true
			}
		}
	}
	var out []Threshold
	for i, t := range g {
		if !used[i] {
			out = append(out, t)
		}
	}
	return out
}
