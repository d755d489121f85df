package compare

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchunit"
)

// Formats returns the output formats Write knows: "text", "markdown",
// "json", "csv".
func Formats() []string { return []string{"text", "markdown", "json", "csv"} }

// Write writes res in format, one of Formats.
func Write(w io.Writer, format string, res *Result, names Names) error {
	switch format {
	case "text":
		return WriteText(w, res, names)
	case "markdown":
		return WriteMarkdown(w, res, names)
	case "json":
		return WriteJSON(w, res, names)
	case "csv":
		return WriteCSV(w, res)
	}
	return fmt.Errorf("unknown format %q, want one of %s", format, strings.Join(Formats(), ", "))
}

// number is a float written as null when it is NaN or infinite.
type number float64

// MarshalJSON implements json.Marshaler.
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

type jsonSummary struct {
	Center number `json:"center"`
	Low    number `json:"low"`
	High   number `json:"high"`
	N      int    `json:"n"`
}

func toJSONSummary(s Summary) jsonSummary {
	return jsonSummary{number(s.Center), number(s.Low), number(s.High), s.N}
}

type jsonRow struct {
	Benchmark    string      `json:"benchmark"`
	Phase        string      `json:"phase"`
	Measure      string      `json:"measure"`
	Unit         string      `json:"unit"`
	Worse        string      `json:"worse"`
	Old          jsonSummary `json:"old"`
	New          jsonSummary `json:"new"`
	Delta        number      `json:"delta"`
	DeltaPercent number      `json:"delta_percent"`
	PValue       number      `json:"p_value"`
	Significant  bool        `json:"significant"`
	Regression   bool        `json:"regression"`
	Improvement  bool        `json:"improvement"`
	Verdict      string      `json:"verdict"`
	Warnings     []string    `json:"warnings"`
}

type jsonSide struct {
	Source string `json:"source"`
	Runs   int    `json:"runs"`
}

type jsonResult struct {
	Alpha       float64    `json:"alpha"`
	Confidence  float64    `json:"confidence"`
	Assumptions string     `json:"assumptions"`
	Old         jsonSide   `json:"old"`
	New         jsonSide   `json:"new"`
	Rows        []jsonRow  `json:"rows"`
	OnlyOld     []string   `json:"only_old"`
	OnlyNew     []string   `json:"only_new"`
	Failures    []jsonFail `json:"failures,omitempty"`
}

type jsonFail struct {
	Benchmark string `json:"benchmark"`
	Phase     string `json:"phase"`
	Measure   string `json:"measure"`
	Threshold string `json:"threshold"`
}

func toJSONRow(r Row) jsonRow {
	return jsonRow{
		Benchmark: r.Benchmark, Phase: r.Phase, Measure: r.Measure.Name,
		Unit: r.Measure.Unit, Worse: r.Measure.Worse.String(),
		Old: toJSONSummary(r.Old), New: toJSONSummary(r.New),
		Delta: number(r.Delta), DeltaPercent: number(r.DeltaPercent), PValue: number(r.P),
		Significant: r.Significant,
		Regression:  r.Verdict == Regression, Improvement: r.Verdict == Improvement,
		Verdict:  r.Verdict.String(),
		Warnings: nonNil(r.Warnings),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WriteJSON writes res as a JSON object: alpha, confidence, the
// assumptions, the sources and their run counts, and "rows", each with
// benchmark, phase ("" for a run-level row), measure, unit, worse ("higher",
// "lower" or ""), old and new {center, low, high, n}, delta (in the unit),
// delta_percent, p_value, significant, regression, improvement, verdict
// and warnings. Numbers that are NaN or infinite (an interval with too few
// samples) are null.
func WriteJSON(w io.Writer, res *Result, names Names) error {
	return writeJSON(w, res, names, nil)
}

// WriteJSONGate is WriteJSON with the rows that failed a gate, under
// "failures".
func WriteJSONGate(w io.Writer, res *Result, names Names, failures []Failure) error {
	return writeJSON(w, res, names, failures)
}

func writeJSON(w io.Writer, res *Result, names Names, failures []Failure) error {
	names = names.withDefaults()
	out := jsonResult{
		Alpha: res.Alpha, Confidence: res.Confidence, Assumptions: Assumptions,
		Old:     jsonSide{names.Old, res.OldRuns},
		New:     jsonSide{names.New, res.NewRuns},
		Rows:    make([]jsonRow, 0, len(res.Rows)),
		OnlyOld: nonNil(res.OnlyOld), OnlyNew: nonNil(res.OnlyNew),
	}
	for _, r := range res.Rows {
		out.Rows = append(out.Rows, toJSONRow(r))
	}
	for _, f := range failures {
		out.Failures = append(out.Failures, jsonFail{f.Row.Benchmark, f.Row.Phase, f.Row.Measure.Name, f.Threshold.Text})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// csvHeader is the first line of WriteCSV.
var csvHeader = []string{
	"benchmark", "phase", "measure", "unit", "worse",
	"old_center", "old_low", "old_high", "old_n",
	"new_center", "new_low", "new_high", "new_n",
	"delta", "delta_percent", "p_value", "significant", "verdict", "warnings",
}

// WriteCSV writes a header line and a line per row, with the fields of the
// JSON rows; numbers are written in full (not scaled), NaN and infinities
// as empty fields, warnings joined with "; ".
func WriteCSV(w io.Writer, res *Result) error {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write(csvHeader)
	f := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	for _, r := range res.Rows {
		_ = cw.Write([]string{
			r.Benchmark, r.Phase, r.Measure.Name, r.Measure.Unit, r.Measure.Worse.String(),
			f(r.Old.Center), f(r.Old.Low), f(r.Old.High), strconv.Itoa(r.Old.N),
			f(r.New.Center), f(r.New.Low), f(r.New.High), strconv.Itoa(r.New.N),
			f(r.Delta), f(r.DeltaPercent), f(r.P), strconv.FormatBool(r.Significant),
			r.Verdict.String(), strings.Join(r.Warnings, "; "),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Counts counts the rows of each verdict.
func (r *Result) Counts() map[Verdict]int {
	c := map[Verdict]int{}
	for _, row := range r.Rows {
		c[row.Verdict]++
	}
	return c
}

// Headline says in a line what the comparison found: "2 regressions, 1
// improvement, 40 rows without a significant change, 3 with too few
// samples (alpha 0.05)".
func (r *Result) Headline() string {
	c := r.Counts()
	var parts []string
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	parts = append(parts, plural(c[Regression], "regression", "regressions"), plural(c[Improvement], "improvement", "improvements"))
	if c[Changed] > 0 {
		parts = append(parts, plural(c[Changed], "other significant change", "other significant changes"))
	}
	parts = append(parts, plural(c[NoChange], "row without a significant change", "rows without a significant change"))
	if c[TooFewSamples] > 0 {
		parts = append(parts, plural(c[TooFewSamples], "row with too few samples for a verdict", "rows with too few samples for a verdict"))
	}
	return fmt.Sprintf("%s (alpha %g)", strings.Join(parts, ", "), r.Alpha)
}

// WriteMarkdown writes res for a pull-request comment: the headline, the
// significant changes first (regressions, then improvements) in one table,
// then every measure's table in a collapsed section. A regression is
// marked in words ("**worse**"), not by color alone.
func WriteMarkdown(w io.Writer, res *Result, names Names) error {
	names = names.withDefaults()
	var b bytes.Buffer
	fmt.Fprintf(&b, "### benchtrace compare: `%s` → `%s`\n\n", names.Old, names.New)
	fmt.Fprintf(&b, "**%s**. %d runs vs %d runs.\n\n", res.Headline(), res.OldRuns, res.NewRuns)
	var sig []Row
	for _, v := range []Verdict{Regression, Improvement, Changed} {
		for _, r := range res.Rows {
			if r.Verdict == v {
				sig = append(sig, r)
			}
		}
	}
	if len(sig) > 0 {
		b.WriteString("| | Benchmark | Measure | Old | New | Change | p | n |\n|---|---|---|--:|--:|--:|--:|--:|\n")
		for _, r := range sig {
			writeMarkdownRow(&b, r, true)
		}
		b.WriteByte('\n')
	}
	b.WriteString("<details><summary>All rows</summary>\n\n")
	for _, rows := range byMeasure(res.Rows) {
		m := rows[0].Measure
		fmt.Fprintf(&b, "#### %s", m.Name)
		if m.Unit != "" {
			fmt.Fprintf(&b, " (%s)", m.Unit)
		}
		b.WriteString("\n\n| | Benchmark | Old | New | Change | p | n |\n|---|---|--:|--:|--:|--:|--:|\n")
		for _, r := range rows {
			writeMarkdownRow(&b, r, false)
		}
		b.WriteByte('\n')
	}
	b.WriteString("</details>\n\n")
	var warnings []string
	for _, r := range res.Rows {
		for _, w := range r.Warnings {
			if !slices.Contains(warnings, w) {
				warnings = append(warnings, w)
			}
		}
	}
	for _, w := range warnings {
		fmt.Fprintf(&b, "- note: %s\n", w)
	}
	if len(res.OnlyOld) > 0 {
		fmt.Fprintf(&b, "- only in `%s` (not compared): %s\n", names.Old, strings.Join(res.OnlyOld, ", "))
	}
	if len(res.OnlyNew) > 0 {
		fmt.Fprintf(&b, "- only in `%s` (not compared): %s\n", names.New, strings.Join(res.OnlyNew, ", "))
	}
	fmt.Fprintf(&b, "\n<sub>%s</sub>\n", Assumptions)
	_, err := w.Write(b.Bytes())
	return err
}

// markdownMarks label a verdict in words, with a sign for scanning.
var markdownMarks = map[Verdict]string{
	Regression:    "🔴 **worse**",
	Improvement:   "🟢 better",
	Changed:       "changed",
	TooFewSamples: "too few samples",
}

func writeMarkdownRow(b *bytes.Buffer, r Row, withMeasure bool) {
	class := benchunit.ClassOf(r.Measure.Unit)
	sc := benchunit.CommonScale([]float64{r.Old.Center, r.New.Center}, class)
	side := func(s Summary) string {
		return sc.Format(s.Center) + r.Measure.unitSuffix() + " ± " + rangeText(s)
	}
	fmt.Fprintf(b, "| %s | %s |", markdownMarks[r.Verdict], mdEscape(r.Name()))
	if withMeasure {
		fmt.Fprintf(b, " %s |", r.Measure.Name)
	}
	fmt.Fprintf(b, " %s | %s | %s | %s | %s |\n", side(r.Old), side(r.New), deltaText(r),
		strconv.FormatFloat(r.P, 'f', 3, 64), nText(r))
}

func nText(r Row) string {
	if r.Old.N == r.New.N {
		return strconv.Itoa(r.Old.N)
	}
	return fmt.Sprintf("%d+%d", r.Old.N, r.New.N)
}

// unitSuffix is the unit to write after a scaled value: "s" for seconds
// ("1.23ms"), "B" for bytes ("1.5GiB"), nothing otherwise.
func (m Measure) unitSuffix() string {
	switch m.Unit {
	case "sec":
		return "s"
	case "B":
		return "B"
	}
	return ""
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "_", `\_`, "*", `\*`, "`", "\\`").Replace(s)
}
