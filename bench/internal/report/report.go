// Package report writes `benchtrace report`: one self-contained HTML file
// with, per benchmark, the phase breakdown of its latest runs as stacked
// bars and its duration, peak RSS and precision over the runs, drawn as
// inline SVG; the changes across commits (compare.Trend); and, given a
// baseline, the comparison table of compare with the significant
// regressions and improvements marked by color and in words. The page
// loads nothing: no script, font, image or style sheet from anywhere, so
// it opens from an air-gapped laptop or a CI artifact.
//
// Write has no state and may be called concurrently.
package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/human"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Options says what Write shows besides the runs.
type Options struct {
	// Title is the page's title (default "benchtrace report").
	Title string
	// Source names the runs ("logs"); BaselineSource the baseline.
	Source, BaselineSource string
	// Baseline, if not nil, are the runs the runs are compared with.
	Baseline []analyze.Run
	// Alpha is the comparison's significance level (default 0.05).
	Alpha float64
	// GeneratedAt is written in the header when not zero.
	GeneratedAt time.Time
	// MaxBars is how many of a benchmark's latest runs the phase breakdown
	// shows (default 12).
	MaxBars int
}

// Write writes the report of runs to w.
func Write(w io.Writer, runs []analyze.Run, opts Options) error {
	if opts.Title == "" {
		opts.Title = "benchtrace report"
	}
	if opts.MaxBars <= 0 {
		opts.MaxBars = 12
	}
	var b bytes.Buffer
	p := &page{b: &b, opts: opts}
	p.head()
	if opts.Baseline != nil {
		p.comparison(compare.Compare(opts.Baseline, runs, compare.Options{Alpha: opts.Alpha}))
	}
	p.trend(compare.Trend(runs, compare.TrendOptions{Options: compare.Options{Alpha: opts.Alpha}}))
	var base map[string]*benchRuns
	if opts.Baseline != nil {
		base = byBenchmark(opts.Baseline)
	}
	for _, br := range sortedBenchmarks(byBenchmark(runs)) {
		p.benchmark(br, base[br.name])
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// style is the page's CSS: light and dark, a readable measure, tables that
// scroll on a narrow screen.
const style = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa;
  --line: #d0d7de; --worse: #b42318; --worse-bg: #fde8e7; --better: #05603a; --better-bg: #e3f5eb; --accent: #0072B2; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b1; --bg: #0d1117; --panel: #161b22;
  --line: #30363d; --worse: #ff7b72; --worse-bg: #3d1214; --better: #56d364; --better-bg: #0f2d1a; --accent: #58a6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 1120px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.meta, .note { color: var(--muted); } .note { font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.chart { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; max-width: 100%; height: auto; }
.chart text { fill: var(--fg); font-size: 11px; font-family: inherit; }
.chart .chart-title { font-size: 13px; font-weight: 600; }
.chart .tick, .chart .legend { fill: var(--muted); }
.chart .commit-label { fill: var(--muted); font-size: 10px; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .commit { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 2 3; }
.chart .series { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.chart .dot { fill: var(--accent); }
.chart .baseline { stroke: var(--muted); stroke-width: 1.5; stroke-dasharray: 6 4; }
.chart .band { fill: var(--muted); opacity: 0.15; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { background: var(--panel); } td.name, th.name { text-align: left; }
tr.worse td { background: var(--worse-bg); } tr.better td { background: var(--better-bg); }
.verdict-worse { color: var(--worse); font-weight: 600; } .verdict-better { color: var(--better); font-weight: 600; }
.headline { font-size: 15px; padding: 8px 12px; border-radius: 6px; background: var(--panel); border: 1px solid var(--line); }
.headline.has-worse { border-color: var(--worse); }
ul.changes { padding-left: 20px; } ul.changes li { margin: 2px 0; }
details summary { cursor: pointer; color: var(--muted); }
`

type page struct {
	b    *bytes.Buffer
	opts Options
}

func (p *page) f(format string, args ...any) { fmt.Fprintf(p.b, format, args...) }

func (p *page) head() {
	p.f("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p.f("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p.f("<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", esc(p.opts.Title), style)
	p.f("<h1>%s</h1>\n<p class=\"meta\">", esc(p.opts.Title))
	if p.opts.Source != "" {
		p.f("Runs: <code>%s</code>", esc(p.opts.Source))
	}
	if p.opts.BaselineSource != "" {
		p.f(" · baseline: <code>%s</code>", esc(p.opts.BaselineSource))
	}
	if !p.opts.GeneratedAt.IsZero() {
		p.f(" · generated %s", esc(p.opts.GeneratedAt.Format("2006-01-02 15:04 MST")))
	}
	p.f("</p>\n")
}

// comparison writes the comparison with the baseline: the headline, the
// significant rows, then every row in a collapsed table.
func (p *page) comparison(res *compare.Result) {
	p.f("<h2 id=\"comparison\">Compared with the baseline</h2>\n")
	class := "headline"
	if len(res.Regressions()) > 0 {
		class += " has-worse"
	}
	p.f("<p class=\"%s\">%s. %d runs against %d baseline runs.</p>\n", class, esc(capitalize(res.Headline())), res.NewRuns, res.OldRuns)
	var sig []compare.Row
	for _, v := range []compare.Verdict{compare.Regression, compare.Improvement, compare.Changed} {
		for _, r := range res.Rows {
			if r.Verdict == v {
				sig = append(sig, r)
			}
		}
	}
	if len(sig) > 0 {
		p.f("<h3>Significant changes</h3>\n")
		p.rowsTable(sig, true)
	}
	p.f("<details><summary>Every measure (%d rows)</summary>\n", len(res.Rows))
	p.rowsTable(res.Rows, true)
	p.f("</details>\n<p class=\"note\">%s</p>\n", esc(compare.Assumptions))
}

func (p *page) rowsTable(rows []compare.Row, withMeasure bool) {
	p.f("<div class=\"table-wrap\"><table>\n<tr><th class=\"name\">Verdict</th><th class=\"name\">Benchmark / phase</th>")
	if withMeasure {
		p.f("<th class=\"name\">Measure</th>")
	}
	p.f("<th>Baseline</th><th>Now</th><th>Change</th><th>p</th><th>n</th></tr>\n")
	for _, r := range rows {
		class, verdict := "", "~"
		switch r.Verdict {
		case compare.Regression:
			class, verdict = "worse", `<span class="verdict-worse">▲ worse</span>`
		case compare.Improvement:
			class, verdict = "better", `<span class="verdict-better">▼ better</span>`
		case compare.Changed:
			verdict = "changed"
		case compare.TooFewSamples:
			verdict = "too few runs"
		}
		change := "~"
		if r.Significant {
			change = fmt.Sprintf("%+.1f%%", r.DeltaPercent)
			if !isFinite(r.DeltaPercent) {
				change = "?"
			}
		}
		p.f("<tr class=\"%s\"><td class=\"name\">%s</td><td class=\"name\">%s</td>", class, verdict, esc(r.Name()))
		if withMeasure {
			p.f("<td class=\"name\">%s</td>", esc(r.Measure.Name))
		}
		p.f("<td>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%d+%d</td></tr>\n",
			esc(summaryText(r.Measure, r.Old)), esc(summaryText(r.Measure, r.New)), esc(change), r.P, r.Old.N, r.New.N)
	}
	p.f("</table></div>\n")
}

func summaryText(m compare.Measure, s compare.Summary) string {
	t := compare.FormatValue(m, s.Center)
	if math.IsInf(s.Low, 0) || math.IsInf(s.High, 0) {
		return t + " ± ∞"
	}
	if s.Center != 0 && math.Signbit(s.Low) == math.Signbit(s.Center) && math.Signbit(s.High) == math.Signbit(s.Center) {
		return fmt.Sprintf("%s ± %.0f%%", t, 100*math.Max(s.High/s.Center-1, 1-s.Low/s.Center))
	}
	return t
}

// trend writes the changes across the runs' commits (or days), when there
// are two points or more.
func (p *page) trend(tr *compare.TrendResult) {
	if len(tr.Points) < 2 {
		return
	}
	p.f("<h2 id=\"trend\">Across %d %ss</h2>\n", len(tr.Points), tr.By)
	changes := tr.Changes()
	if len(changes) == 0 {
		p.f("<p>No significant change from one %s to the next.</p>\n", tr.By)
	} else {
		p.f("<ul class=\"changes\">\n")
		for _, c := range changes {
			class := ""
			switch c.Row.Verdict {
			case compare.Regression:
				class = "verdict-worse"
			case compare.Improvement:
				class = "verdict-better"
			}
			r := c.Row
			p.f("<li><span class=\"%s\">%s</span>: %s → %s (p=%.3f, n=%d+%d)</li>\n", class, esc(tr.Sentence(c)),
				esc(compare.FormatValue(r.Measure, r.Old.Center)), esc(compare.FormatValue(r.Measure, r.New.Center)), r.P, r.Old.N, r.New.N)
		}
		p.f("</ul>\n")
	}
	if tr.TooFew > 0 {
		p.f("<p class=\"note\">%d of %d steps had too few runs for a verdict (4 a point are needed at alpha %g).</p>\n", tr.TooFew, tr.Steps, tr.Alpha)
	}
}

// benchRuns are one benchmark's successful runs, in time order.
type benchRuns struct {
	name   string
	runs   []*analyze.Run
	failed int
}

func byBenchmark(runs []analyze.Run) map[string]*benchRuns {
	out := map[string]*benchRuns{}
	for i := range runs {
		r := &runs[i]
		br, ok := out[r.Name]
		if !ok {
			br = &benchRuns{name: r.Name}
			out[r.Name] = br
		}
		if w, _ := r.Log.Metadata.Bool("warmup"); w {
			continue
		}
		if r.Outcome != analyze.Success {
			br.failed++
			continue
		}
		br.runs = append(br.runs, r)
	}
	for _, br := range out {
		slices.SortStableFunc(br.runs, func(a, b *analyze.Run) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return strings.Compare(a.Path, b.Path)
		})
	}
	return out
}

func sortedBenchmarks(m map[string]*benchRuns) []*benchRuns {
	out := make([]*benchRuns, 0, len(m))
	for _, br := range m {
		out = append(out, br)
	}
	slices.SortFunc(out, func(a, b *benchRuns) int { return cmp.Compare(a.name, b.name) })
	return out
}

func commitOf(r *analyze.Run) string {
	c, _ := r.Log.Metadata.String(benchlog.KeyGitCommit)
	return c
}

func shortCommit(c string) string { return c[:min(7, len(c))] }

// runLabel names a run in a chart: its commit and start.
func runLabel(r *analyze.Run) string {
	var parts []string
	if c := commitOf(r); c != "" {
		parts = append(parts, shortCommit(c))
	}
	if !r.Start.IsZero() {
		parts = append(parts, r.Start.Format("01-02 15:04"))
	}
	if len(parts) == 0 {
		return strings.TrimSuffix(r.Path[strings.LastIndex(r.Path, "/")+1:], ".json")
	}
	return strings.Join(parts, " · ")
}

// benchmark writes one benchmark's section: the phase breakdown and the
// series of its runs.
func (p *page) benchmark(br, base *benchRuns) {
	p.f("<h2 id=\"b-%s\">%s</h2>\n", esc(anchor(br.name)), esc(br.name))
	p.f("<p class=\"meta\">%d successful runs", len(br.runs))
	if br.failed > 0 {
		p.f(", %d failed, interrupted or incomplete (not shown)", br.failed)
	}
	if base != nil {
		p.f(" · %d baseline runs (dashed: their median; band: its 95%% interval)", len(base.runs))
	}
	p.f("</p>\n")
	if len(br.runs) == 0 {
		return
	}
	p.f("<div class=\"charts\">\n")
	p.f("%s\n", phaseBreakdown(br, p.opts.MaxBars))

	var groups []group
	for i := 1; i < len(br.runs); i++ {
		if c := commitOf(br.runs[i]); c != "" && c != commitOf(br.runs[i-1]) {
			groups = append(groups, group{at: i, label: shortCommit(c)})
		}
	}
	series := []struct {
		title  string
		format func(float64) string
		value  func(*analyze.Run) (float64, bool)
		m      compare.Measure
	}{
		{"Duration", human.Duration, func(r *analyze.Run) (float64, bool) { return r.Duration, isFinite(r.Duration) },
			compare.MeasureOf("duration")},
		{"Peak RSS", human.Bytes, func(r *analyze.Run) (float64, bool) { return float64(r.PeakRSSBytes), r.PeakRSSBytes > 0 },
			compare.MeasureOf("peak_rss")},
		{"Precision (bits)", func(v float64) string { return fmt.Sprintf("%.4g", v) },
			func(r *analyze.Run) (float64, bool) { return r.PrecisionBits, isFinite(r.PrecisionBits) },
			compare.MeasureOf("precision_bits")},
	}
	for _, s := range series {
		c := &lineChart{title: s.title + " over runs", format: s.format, n: len(br.runs), groups: groups,
			baseline: math.NaN(), bandLo: math.NaN(), bandHi: math.NaN()}
		for i, r := range br.runs {
			if v, ok := s.value(r); ok {
				c.points = append(c.points, point{x: i, y: v, tip: fmt.Sprintf("%s: %s", runLabel(r), s.format(v))})
			}
		}
		if len(c.points) == 0 {
			continue // Python logs have no peak RSS
		}
		if base != nil {
			var vs []float64
			for _, r := range base.runs {
				if v, ok := s.value(r); ok {
					vs = append(vs, v)
				}
			}
			if len(vs) > 0 {
				sum := compare.Summarize(vs, 0.95)
				c.baseline, c.bandLo, c.bandHi = sum.Center, sum.Low, sum.High
			}
		}
		p.f("%s\n", c.svg())
	}
	p.f("</div>\n")
}

// phaseBreakdown draws the top-level phases of the latest runs.
func phaseBreakdown(br *benchRuns, maxBars int) string {
	runs := br.runs[max(0, len(br.runs)-maxBars):]
	var phases []string
	index := map[string]int{}
	var bars []bar
	for _, r := range runs {
		b := bar{label: runLabel(r)}
		for _, ph := range r.Log.Phases {
			if ph.Fields.Has(benchlog.KeyParent) {
				continue // inside its parent's bar
			}
			d, ok := ph.Fields.Float(benchlog.KeyDuration)
			if !ok || !isFinite(d) {
				continue
			}
			i, ok := index[ph.Name]
			if !ok {
				i = len(phases)
				index[ph.Name] = i
				phases = append(phases, ph.Name)
			}
			b.segments = append(b.segments, segment{phase: i, seconds: d})
		}
		bars = append(bars, b)
	}
	title := fmt.Sprintf("Phases of the latest %d runs", len(runs))
	if len(runs) == 1 {
		title = "Phases of the latest run"
	}
	return stackedBars(title, phases, bars, human.Duration)
}

func anchor(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
