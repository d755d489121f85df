package compare

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"

	"github.com/benchtrace/benchtrace/bench/analyze"
)

// Defaults of Options.
const (
	DefaultAlpha      = 0.05
	DefaultConfidence = 0.95
)

// Options configures Compare and Trend. The zero value uses the defaults.
type Options struct {
	// Alpha is the significance level: a difference whose p-value is at
	// most Alpha is significant. Default DefaultAlpha (0.05).
	Alpha float64
	// Confidence is the level of the intervals around the medians.
	// Default DefaultConfidence (0.95).
	Confidence float64
}

func (o Options) withDefaults() Options {
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = DefaultAlpha
	}
	if o.Confidence <= 0 || o.Confidence >= 1 {
		o.Confidence = DefaultConfidence
	}
	return o
}

// Summary summarizes one side of a row: the median of its values and the
// confidence interval around it. Low and High are infinite when there are
// too few values for an interval at the requested confidence.
type Summary struct {
	Center, Low, High float64
	N                 int
}

// Verdict is the judgement of a row.
type Verdict int

// Verdicts.
const (
	// NoChange: the difference is not significant ("~").
	NoChange Verdict = iota
	// TooFewSamples: not significant, and no difference could have been
	// with so few values on both sides: there is no verdict.
	TooFewSamples
	// Regression: significant, and in the measure's worse direction.
	Regression
	// Improvement: significant, and in the measure's better direction.
	Improvement
	// Changed: significant, for a measure with no worse direction, or
	// with equal medians.
	Changed
)

// String returns the verdict as the JSON output writes it: "no change",
// "too few samples", "regression", "improvement", "changed".
func (v Verdict) String() string {
	switch v {
	case TooFewSamples:
		return "too few samples"
	case Regression:
		return "regression"
	case Improvement:
		return "improvement"
	case Changed:
		return "changed"
	}
	return "no change"
}

// Row compares one measure of one benchmark's phase (or of its runs) on
// the two sides.
type Row struct {
	Benchmark string
	// Phase is the phase's key in the logs, or "" for a run-level row.
	Phase   string
	Measure Measure
	Old     Summary
	New     Summary
	// Delta is New.Center - Old.Center, in the measure's unit.
	Delta float64
	// DeltaPercent is the change of the center in percent of the old
	// center's magnitude, (new-old)/|old|: 0 when they are equal, ±Inf
	// when only the old one is 0.
	DeltaPercent float64
	// P is the p-value of the Mann-Whitney U-test that the two sides
	// come from the same distribution.
	P float64
	// Significant is P <= Alpha.
	Significant bool
	Verdict     Verdict
	// Warnings are benchmath's: too few samples for an interval or for a
	// verdict, all samples equal.
	Warnings []string
}

// Name is the row's label: the benchmark, and "/phase" for a phase.
func (r *Row) Name() string {
	if r.Phase == "" {
		return r.Benchmark
	}
	return r.Benchmark + "/" + r.Phase
}

// Result is a comparison of two sets of runs.
type Result struct {
	// Rows are in output order: by measure (Measures' order, then
	// results by name), then by benchmark and phase in the order the old
	// logs have them, the run-level row first.
	Rows []Row
	// Alpha and Confidence are those used.
	Alpha, Confidence float64
	// OldRuns and NewRuns count the successful runs of each side
	// (warmup runs, marked metadata.warmup, left out).
	OldRuns, NewRuns int
	// OnlyOld and OnlyNew name the rows present on one side only
	// ("gemm/inference duration"), which are not compared.
	OnlyOld, OnlyNew []string
}

// Assumptions states how Compare judges, for the outputs to repeat.
const Assumptions = "Successful runs and phases only. Center: the median, with a confidence interval " +
	"from order statistics; significance: the Mann-Whitney U-test (golang.org/x/perf/benchmath, " +
	"AssumeNothing: no assumption about the distribution). Each row is tested on its own, " +
	"so with many rows some differences are significant by chance: gate on thresholds too."

// Compare compares every measure that old and new both have, benchmark by
// benchmark and phase by phase, with the statistics of benchstat: the
// median and its confidence interval on each side, and the Mann-Whitney
// U-test for the difference. Only successful runs (and successful phases
// of them) count.
func Compare(old, new []analyze.Run, opts Options) *Result {
	opts = opts.withDefaults()
	so, sn := collect(old), collect(new)
	res := &Result{Alpha: opts.Alpha, Confidence: opts.Confidence, OldRuns: successes(old), NewRuns: successes(new)}
	th := &benchmath.Thresholds{CompareAlpha: opts.Alpha}
	for _, k := range so.order {
		nv, ok := sn.values[k]
		if !ok {
			res.OnlyOld = append(res.OnlyOld, label(k))
			continue
		}
		res.Rows = append(res.Rows, compareRow(k, so.values[k], nv, th, opts))
	}
	for _, k := range sn.order {
		if _, ok := so.values[k]; !ok {
			res.OnlyNew = append(res.OnlyNew, label(k))
		}
	}
	sortRows(res.Rows, so, sn)
	return res
}

func successes(runs []analyze.Run) int {
	n := 0
	for i := range runs {
		if measured(&runs[i]) {
			n++
		}
	}
	return n
}

func label(k key) string {
	if k.phase == "" {
		return k.bench + " " + k.measure
	}
	return k.bench + "/" + k.phase + " " + k.measure
}

// compareRow compares the values of k on both sides. It takes ownership of
// the slices (benchmath sorts them).
func compareRow(k key, old, new []float64, th *benchmath.Thresholds, opts Options) Row {
	m := MeasureOf(k.measure)
	a, b := benchmath.NewSample(old, th), benchmath.NewSample(new, th)
	sa := benchmath.AssumeNothing.Summary(a, opts.Confidence)
	sb := benchmath.AssumeNothing.Summary(b, opts.Confidence)
	c := benchmath.AssumeNothing.Compare(a, b)
	row := Row{
		Benchmark: k.bench, Phase: k.phase, Measure: m,
		Old:   Summary{sa.Center, sa.Lo, sa.Hi, len(old)},
		New:   Summary{sb.Center, sb.Lo, sb.Hi, len(new)},
		Delta: sb.Center - sa.Center,
		P:     c.P,
		// benchmath's own rule: FormatDelta shows "~" when P > Alpha.
		Significant: c.P <= c.Alpha,
	}
	row.DeltaPercent = percent(sa.Center, sb.Center)
	for _, ws := range [][]error{a.Warnings, sa.Warnings, b.Warnings, sb.Warnings, c.Warnings} {
		for _, w := range ws {
			if s := w.Error(); !slices.Contains(row.Warnings, s) {
				row.Warnings = append(row.Warnings, s)
			}
		}
	}
	row.Verdict = verdict(row, c)
	return row
}

func percent(old, new float64) float64 {
	switch {
	case old == new:
		return 0
	case old == 0:
		return math.Inf(int(math.Copysign(1, new)))
	}
	return (new - old) / math.Abs(old) * 100
}

// tooFewPrefix starts benchmath's warning that a sample size cannot give
// a significant difference at the row's alpha.
const tooFewPrefix = "need >= "

func verdict(row Row, c benchmath.Comparison) Verdict {
	if !row.Significant {
		for _, w := range c.Warnings {
			if strings.HasPrefix(w.Error(), tooFewPrefix) && strings.Contains(w.Error(), "to detect a difference") {
				return TooFewSamples
			}
		}
		return NoChange
	}
	switch s := row.Measure.Worse.sign() * row.Delta; {
	case s > 0:
		return Regression
	case s < 0:
		return Improvement
	}
	return Changed
}

// sortRows puts rows in output order: by measure, then benchmark, then
// phase, benchmarks and phases in the order they were first seen (old
// side first).
func sortRows(rows []Row, sides ...*samples) {
	bench, phase := map[string]int{}, map[[2]string]int{}
	for _, s := range sides {
		for _, k := range s.order {
			if _, ok := bench[k.bench]; !ok {
				bench[k.bench] = len(bench)
			}
			pk := [2]string{k.bench, k.phase}
			if _, ok := phase[pk]; !ok {
				phase[pk] = len(phase)
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		if c := cmp.Compare(measureOrder(a.Measure.Name), measureOrder(b.Measure.Name)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Measure.Name, b.Measure.Name); c != 0 {
			return c
		}
		if c := cmp.Compare(bench[a.Benchmark], bench[b.Benchmark]); c != 0 {
			return c
		}
		if c := cmp.Compare(boolInt(a.Phase != ""), boolInt(b.Phase != "")); c != 0 {
			return c // the run first
		}
		return cmp.Compare(phase[[2]string{a.Benchmark, a.Phase}], phase[[2]string{b.Benchmark, b.Phase}])
	})
}

// Regressions returns the rows whose verdict is Regression.
func (r *Result) Regressions() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Verdict == Regression {
			out = append(out, row)
		}
	}
	return out
}

// TooFew reports whether some row has too few samples for a verdict.
func (r *Result) TooFew() bool {
	return slices.ContainsFunc(r.Rows, func(row Row) bool { return row.Verdict == TooFewSamples })
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Summarize summarizes values as a side of a Row: their median and its
// confidence interval at confidence (DefaultConfidence when out of (0,1)),
// ±Inf with too few values. It sorts values.
func Summarize(values []float64, confidence float64) Summary {
	if !(confidence > 0 && confidence < 1) {
		confidence = DefaultConfidence
	}
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(values, &benchmath.DefaultThresholds), confidence)
	return Summary{s.Center, s.Lo, s.Hi, len(values)}
}
