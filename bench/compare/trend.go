package compare

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Grouping says how Trend groups runs into points.
type Grouping string

// Groupings.
const (
	// ByAuto groups by commit when every successful run has a
	// metadata.git_commit, else by day.
	ByAuto Grouping = ""
	// ByCommit groups by metadata.git_commit; runs without one are left
	// out.
	ByCommit Grouping = "commit"
	// ByDay groups by the local date of the runs' start.
	ByDay Grouping = "day"
)

// Point is one step of a history: the runs of a commit, or of a day.
type Point struct {
	// Label is the commit abbreviated to 7 characters, or the day
	// (2006-01-02).
	Label string
	// Commit is the full commit, "" for a day.
	Commit string
	// Time is the start of the point's first run.
	Time time.Time
	// Runs counts its successful runs.
	Runs int
}

// Series is the history of one measure of one benchmark's phase (or run).
type Series struct {
	Benchmark, Phase string
	Measure          Measure
	// Values has one summary per point of the Trend; N is 0 where the
	// point has no value of the measure.
	Values []Summary
	// Changes are its significant changes, newest first.
	Changes []Step
}

// Name is the series' label: the benchmark, and "/phase" for a phase.
func (s *Series) Name() string {
	if s.Phase == "" {
		return s.Benchmark
	}
	return s.Benchmark + "/" + s.Phase
}

// Step compares a point of a series with the previous point that has
// values, as Compare compares two sets of runs.
type Step struct {
	// From and To index the Trend's points.
	From, To int
	Row      Row
}

// TrendResult is the history of every series of a set of runs.
type TrendResult struct {
	By Grouping
	// Points are oldest first.
	Points []Point
	// Series are in Compare's row order.
	Series []Series
	// Steps counts the comparisons made, TooFew those with too few runs
	// for a verdict.
	Steps, TooFew int
	Alpha         float64
	// MinChange is the smallest change reported, in percent.
	MinChange float64
	// Skipped counts successful runs left out: without a commit when
	// grouping by commit, or without a start time.
	Skipped int
}

// TrendOptions configures Trend. The zero value uses the defaults.
type TrendOptions struct {
	Options
	// By is how runs are grouped into points (default ByAuto).
	By Grouping
	// MinChange is the smallest change Trend reports, in percent of the
	// old median (default 0: any). It matters with fewer than 6 runs a
	// point, where the medians have no 95% interval and the U-test
	// decides alone: among hundreds of steps, about Alpha of those
	// without a real change are significant by chance, with changes of
	// the size of the noise, and MinChange keeps those out.
	MinChange float64
}

// Trend groups the successful runs by commit or by day (opts.By), orders
// the groups by the start of their first run, and compares each group with
// the previous one that has values, for every benchmark, phase and
// measure: the comparison and statistics of Compare. A step is a change
// when that comparison is significant, the 95% intervals of the two
// medians do not overlap (where there are enough runs for them: 6 a
// point), and it is at least opts.MinChange percent. Runs of one point
// should come from one commit or day; with fewer than 4 runs a point no
// change can be found (the U-test needs 4 a side at alpha 0.05).
func Trend(runs []analyze.Run, topts TrendOptions) *TrendResult {
	opts := topts.Options.withDefaults()
	by, minChange := topts.By, max(topts.MinChange, 0)
	if by == ByAuto {
		by = ByCommit
		for i := range runs {
			if measured(&runs[i]) && commitOf(&runs[i]) == "" {
				by = ByDay
				break
			}
		}
	}
	res := &TrendResult{By: by, Alpha: opts.Alpha, MinChange: minChange}

	// Group the runs.
	type group struct {
		point Point
		runs  []analyze.Run
	}
	groups := map[string]*group{}
	var order []*group
	for i := range runs {
		r := &runs[i]
		if !measured(r) {
			continue
		}
		var k string
		p := Point{Time: r.Start}
		switch by {
		case ByCommit:
			k = commitOf(r)
			p.Commit, p.Label = k, k[:min(7, len(k))]
		default:
			if !r.Start.IsZero() {
				k = r.Start.Format(time.DateOnly)
			}
			p.Label = k
		}
		if k == "" {
			res.Skipped++
			continue
		}
		g, ok := groups[k]
		if !ok {
			g = &group{point: p}
			groups[k] = g
			order = append(order, g)
		}
		if !r.Start.IsZero() && (g.point.Time.IsZero() || r.Start.Before(g.point.Time)) {
			g.point.Time = r.Start
		}
		g.point.Runs++
		g.runs = append(g.runs, *r)
	}
	slices.SortStableFunc(order, func(a, b *group) int {
		if c := cmp.Compare(boolInt(a.point.Time.IsZero()), boolInt(b.point.Time.IsZero())); c != 0 {
			return c
		}
		return a.point.Time.Compare(b.point.Time)
	})

	// Collect every point's samples, and the series in row order.
	pts := make([]*samples, len(order))
	all := &samples{values: map[key][]float64{}}
	for i, g := range order {
		res.Points = append(res.Points, g.point)
		pts[i] = collect(g.runs)
		for _, k := range pts[i].order {
			if _, ok := all.values[k]; !ok {
				all.order = append(all.order, k)
				all.values[k] = nil
			}
		}
	}
	keys := slices.Clone(all.order)
	rows := make([]Row, len(keys)) // sortRows orders keys through rows
	for i, k := range keys {
		rows[i] = Row{Benchmark: k.bench, Phase: k.phase, Measure: MeasureOf(k.measure)}
	}
	sortRows(rows, all)

	th := &benchmath.Thresholds{CompareAlpha: opts.Alpha}
	for _, row := range rows {
		k := key{row.Benchmark, row.Phase, row.Measure.Name}
		s := Series{Benchmark: k.bench, Phase: k.phase, Measure: row.Measure, Values: make([]Summary, len(pts))}
		prev := -1
		for i, p := range pts {
			vs := p.values[k]
			if len(vs) == 0 {
				s.Values[i] = Summary{Center: math.NaN(), Low: math.NaN(), High: math.NaN()}
				continue
			}
			sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(vs), th), opts.Confidence)
			s.Values[i] = Summary{sum.Center, sum.Lo, sum.Hi, len(vs)}
			if prev >= 0 {
				r := compareRow(k, slices.Clone(pts[prev].values[k]), slices.Clone(vs), th, opts)
				res.Steps++
				if r.Verdict == TooFewSamples {
					res.TooFew++
				}
				if r.Significant && !(math.Abs(r.DeltaPercent) < minChange) && apart(r.Old, r.New) {
					s.Changes = append(s.Changes, Step{From: prev, To: i, Row: r})
				}
			}
			prev = i
		}
		slices.Reverse(s.Changes)
		res.Series = append(res.Series, s)
	}
	return res
}

// apart reports whether the confidence intervals of a and b do not
// overlap, or cannot be had (too few values: the U-test and MinChange
// decide alone). It is the test the Go performance dashboard puts on a
// change (golang.org/x/perf/benchseries' ChangeScore of 1 or more): a
// change must stand out of the noise of both points, not only be
// unlikely under the U-test, which among hundreds of steps some noise
// always is.
func apart(a, b Summary) bool {
	if math.IsInf(a.Low, 0) || math.IsInf(a.High, 0) || math.IsInf(b.Low, 0) || math.IsInf(b.High, 0) {
		return true
	}
	return a.High < b.Low || b.High < a.Low
}

func commitOf(r *analyze.Run) string {
	c, _ := r.Log.Metadata.String(benchlog.KeyGitCommit)
	return c
}

// Changes returns every significant change of every series, newest first
// (by the point where it happened), in row order within a point.
func (t *TrendResult) Changes() []Step {
	var out []Step
	for _, s := range t.Series {
		out = append(out, s.Changes...)
	}
	slices.SortStableFunc(out, func(a, b Step) int { return cmp.Compare(b.To, a.To) })
	return out
}

// Sentence says a change in words: "kmeans_embeddings/fit duration got
// 20.3% slower at e4f5a6b (worse)".
func (t *TrendResult) Sentence(s Step) string {
	r := s.Row
	var how string
	switch {
	case r.Measure.Unit == "bits":
		how = fmt.Sprintf("%.2f bits %s", math.Abs(r.Delta), upDown(r, "higher", "lower"))
	case r.Measure.Unit == "sec":
		how = fmt.Sprintf("%s %s", percentText(r.DeltaPercent), upDown(r, "slower", "faster"))
	default:
		how = fmt.Sprintf("%s %s", percentText(r.DeltaPercent), upDown(r, "higher", "lower"))
	}
	judged := ""
	switch r.Verdict {
	case Regression:
		judged = " (worse)"
	case Improvement:
		judged = " (better)"
	}
	return fmt.Sprintf("%s %s got %s at %s%s", r.Name(), r.Measure.Name, how, t.Points[s.To].Label, judged)
}

func minChangeText(p float64) string {
	if p <= 0 {
		return ""
	}
	return fmt.Sprintf(", at least %g%%", p)
}

func upDown(r Row, up, down string) string {
	if r.Delta >= 0 {
		return up
	}
	return down
}

func percentText(p float64) string {
	if math.IsInf(p, 0) || math.IsNaN(p) {
		return "infinitely"
	}
	return fmt.Sprintf("%.1f%%", math.Abs(p))
}

// WriteTrendText writes the points, oldest first, then the significant
// changes in words, newest first, each with the values and the test, and
// then the history of each series that changed.
func WriteTrendText(w io.Writer, t *TrendResult) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d points by %s, oldest first:\n", len(t.Points), t.By)
	for i, p := range t.Points {
		when := "-"
		if !p.Time.IsZero() {
			when = p.Time.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(&b, "  %2d  %-10s  %s  %d runs\n", i+1, p.Label, when, p.Runs)
	}
	changes := t.Changes()
	fmt.Fprintf(&b, "\nChanges, newest first (each point against the one before: significant at alpha %g, intervals apart%s):\n", t.Alpha, minChangeText(t.MinChange))
	if len(changes) == 0 {
		b.WriteString("  none\n")
	}
	for _, c := range changes {
		r := c.Row
		fmt.Fprintf(&b, "  %s: %s → %s (p=%.3f n=%d+%d)\n", t.Sentence(c),
			FormatValue(r.Measure, r.Old.Center), FormatValue(r.Measure, r.New.Center), r.P, r.Old.N, r.New.N)
	}
	if t.TooFew > 0 {
		fmt.Fprintf(&b, "\n%d of %d steps had too few runs for a verdict (need >= 4 a point at alpha 0.05).\n", t.TooFew, t.Steps)
	}
	var changed []Series
	for _, s := range t.Series {
		if len(s.Changes) > 0 {
			changed = append(changed, s)
		}
	}
	if len(changed) > 0 {
		b.WriteString("\nHistory of the series that changed (median per point, oldest first):\n")
		for _, s := range changed {
			var vals []string
			for _, v := range s.Values {
				if v.N == 0 {
					vals = append(vals, "-")
				} else {
					vals = append(vals, FormatValue(s.Measure, v.Center))
				}
			}
			fmt.Fprintf(&b, "  %s %s: %s\n", s.Name(), s.Measure.Name, strings.Join(vals, " "))
		}
	}
	if t.Skipped > 0 {
		fmt.Fprintf(&b, "\n%d successful runs left out (no %s).\n", t.Skipped, map[Grouping]string{ByCommit: "git_commit", ByDay: "start time"}[t.By])
	}
	_, err := w.Write(b.Bytes())
	return err
}

type jsonPoint struct {
	Label  string `json:"label"`
	Commit string `json:"commit,omitempty"`
	Time   string `json:"time,omitempty"`
	Runs   int    `json:"runs"`
}

type jsonChange struct {
	Text string  `json:"text"`
	From string  `json:"from"`
	At   string  `json:"at"`
	Row  jsonRow `json:"row"`
}

type jsonSeries struct {
	Benchmark string        `json:"benchmark"`
	Phase     string        `json:"phase"`
	Measure   string        `json:"measure"`
	Unit      string        `json:"unit"`
	Worse     string        `json:"worse"`
	Values    []jsonSummary `json:"values"`
}

type jsonTrend struct {
	By          Grouping     `json:"by"`
	Alpha       float64      `json:"alpha"`
	MinChange   float64      `json:"min_change_percent"`
	Assumptions string       `json:"assumptions"`
	Points      []jsonPoint  `json:"points"`
	Changes     []jsonChange `json:"changes"`
	Series      []jsonSeries `json:"series"`
	Steps       int          `json:"steps"`
	TooFew      int          `json:"too_few_samples"`
}

// WriteTrendJSON writes t as a JSON object: by, alpha, the points (oldest
// first), the changes (newest first, each in words and as a compare row)
// and every series with its summary per point (center null where a point
// has no value).
func WriteTrendJSON(w io.Writer, t *TrendResult) error {
	out := jsonTrend{By: t.By, Alpha: t.Alpha, MinChange: t.MinChange, Assumptions: Assumptions, Steps: t.Steps, TooFew: t.TooFew,
		Points: []jsonPoint{}, Changes: []jsonChange{}, Series: []jsonSeries{}}
	for _, p := range t.Points {
		jp := jsonPoint{Label: p.Label, Commit: p.Commit, Runs: p.Runs}
		if !p.Time.IsZero() {
			jp.Time = p.Time.Format(benchlog.TimeLayout)
		}
		out.Points = append(out.Points, jp)
	}
	for _, c := range t.Changes() {
		out.Changes = append(out.Changes, jsonChange{t.Sentence(c), t.Points[c.From].Label, t.Points[c.To].Label, toJSONRow(c.Row)})
	}
	for _, s := range t.Series {
		js := jsonSeries{Benchmark: s.Benchmark, Phase: s.Phase, Measure: s.Measure.Name, Unit: s.Measure.Unit, Worse: s.Measure.Worse.String()}
		for _, v := range s.Values {
			js.Values = append(js.Values, toJSONSummary(v))
		}
		out.Series = append(out.Series, js)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
