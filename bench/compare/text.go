package compare

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchunit"
)

// Names labels the two sides of a comparison in the outputs: the sources
// ("logs@git_commit=a1b2c3d"), or "old" and "new" when empty.
type Names struct {
	Old, New string
}

func (n Names) withDefaults() Names {
	if n.Old == "" {
		n.Old = "old"
	}
	if n.New == "" {
		n.New = "new"
	}
	return n
}

// WriteText writes res in benchstat's layout: a table per measure, a row
// per benchmark (the run) and per phase of it ("gemm/inference"), with the
// median and its interval (±, in percent of the median) on each side, the
// change in percent or "~" where it is not significant, the p-value and
// the sample sizes, a word where it is significant ("worse", "better"),
// and a geomean row. Warnings (too few samples for an interval or for a
// verdict, all values equal) are footnotes, as benchstat writes them.
func WriteText(w io.Writer, res *Result, names Names) error {
	names = names.withDefaults()
	var b bytes.Buffer
	notes := &footnotes{index: map[string]int{}}
	for i, rows := range byMeasure(res.Rows) {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeTable(&b, rows, names, notes)
	}
	if len(res.Rows) == 0 {
		b.WriteString("no measure is present on both sides\n")
	}
	for i, n := range notes.list {
		fmt.Fprintf(&b, "%s %s\n", superscript(i+1), n)
	}
	writeOnly(&b, res, names)
	_, err := w.Write(b.Bytes())
	return err
}

func writeOnly(b *bytes.Buffer, res *Result, names Names) {
	if len(res.OnlyOld) > 0 {
		fmt.Fprintf(b, "only in %s (not compared): %s\n", names.Old, strings.Join(res.OnlyOld, ", "))
	}
	if len(res.OnlyNew) > 0 {
		fmt.Fprintf(b, "only in %s (not compared): %s\n", names.New, strings.Join(res.OnlyNew, ", "))
	}
}

// byMeasure splits rows, which are in output order, into one slice per
// measure.
func byMeasure(rows []Row) [][]Row {
	var out [][]Row
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Measure.Name == rows[i].Measure.Name {
			j++
		}
		out = append(out, rows[i:j])
		i = j
	}
	return out
}

// footnotes numbers the warnings of a text output, each once.
type footnotes struct {
	list  []string
	index map[string]int
}

func (f *footnotes) refs(warnings []string) string {
	var refs []string
	for _, w := range warnings {
		i, ok := f.index[w]
		if !ok {
			f.list = append(f.list, w)
			i = len(f.list)
			f.index[w] = i
		}
		refs = append(refs, superscript(i))
	}
	return strings.Join(refs, " ")
}

var superDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")

func superscript(i int) string {
	var s []rune
	for {
		s = append([]rune{superDigits[i%10]}, s...)
		if i /= 10; i == 0 {
			return string(s)
		}
	}
}

// textRow is a row of a text table, cell by cell.
type textRow struct {
	label                      string
	oldCenter, oldRange        string
	newCenter, newRange        string
	delta, test, note, verdict string
	noRange                    bool // the geomean row: no "±"
}

func writeTable(b *bytes.Buffer, rows []Row, names Names, notes *footnotes) {
	m := rows[0].Measure
	class := benchunit.ClassOf(m.Unit)
	var trs []textRow
	for _, r := range rows {
		sc := benchunit.CommonScale([]float64{r.Old.Center, r.New.Center}, class)
		trs = append(trs, textRow{
			label:     r.Name(),
			oldCenter: sc.Format(r.Old.Center), oldRange: rangeText(r.Old),
			newCenter: sc.Format(r.New.Center), newRange: rangeText(r.New),
			delta:   deltaText(r),
			test:    "(" + benchmath.Comparison{P: r.P, N1: r.Old.N, N2: r.New.N}.String() + ")",
			note:    notes.refs(r.Warnings),
			verdict: verdictWord(r.Verdict),
		})
	}
	if len(rows) > 1 {
		g := geomean(rows)
		tr := textRow{label: "geomean", noRange: true, delta: "?"}
		if g.ok {
			tr.oldCenter, tr.newCenter = benchunit.Scale(g.old, class), benchunit.Scale(g.new, class)
			tr.delta = fmt.Sprintf("%+.2f%%", (g.ratio-1)*100)
		} else {
			tr.note = notes.refs([]string{g.why})
		}
		trs = append(trs, tr)
	}

	var w textRow // widths, as the lengths of blank strings
	width := func(cur *string, s string) {
		if n := utf8.RuneCountInString(s); n > len(*cur) {
			*cur = strings.Repeat(" ", n)
		}
	}
	for _, tr := range trs {
		width(&w.label, tr.label)
		width(&w.oldCenter, tr.oldCenter)
		width(&w.oldRange, tr.oldRange)
		width(&w.newCenter, tr.newCenter)
		width(&w.newRange, tr.newRange)
		width(&w.delta, tr.delta)
		width(&w.test, tr.test)
		width(&w.note, tr.note)
		width(&w.verdict, tr.verdict)
	}
	width(&w.label, m.Name)
	unit := m.Unit
	if unit == "" {
		unit = "value"
	}
	// Both sides use the same widths, so that they line up.
	centerW := max(len(w.oldCenter), len(w.newCenter))
	rangeW := max(len(w.oldRange), len(w.newRange))
	side := func(center, rng string, noRange bool) string {
		pm := " ± "
		if noRange {
			pm = "   "
		}
		return pad(center, centerW, true) + pm + pad(rng, rangeW, true)
	}
	sideWidth := centerW + 3 + rangeW
	deltaPart := func(tr textRow) string {
		s := pad(tr.delta, len(w.delta), true) + " " + pad(tr.test, len(w.test), false)
		if len(w.note) > 0 {
			s += " " + pad(tr.note, len(w.note), false)
		}
		if len(w.verdict) > 0 {
			s += "  " + pad(tr.verdict, len(w.verdict), false)
		}
		return s
	}
	deltaWidth := utf8.RuneCountInString(deltaPart(textRow{}))
	oldWidth := max(sideWidth, utf8.RuneCountInString(names.Old))
	newWidth := max(sideWidth+2+deltaWidth, utf8.RuneCountInString(names.New))

	line := func(s string) { b.WriteString(strings.TrimRight(s, " ") + "\n") }
	line(pad(m.Name, len(w.label), false) + " │ " + center(names.Old, oldWidth) + " │ " + center(names.New, newWidth) + " │")
	line(pad("", len(w.label), false) + " │ " + center(unit, oldWidth) + " │ " +
		pad(center(unit, sideWidth)+"  vs base", newWidth, false) + " │")
	for _, tr := range trs {
		line(pad(tr.label, len(w.label), false) + "   " +
			pad(side(tr.oldCenter, tr.oldRange, tr.noRange), oldWidth, false) + "   " +
			side(tr.newCenter, tr.newRange, tr.noRange) + "  " + deltaPart(tr))
	}
}

// pad pads s with spaces to n runes, on the left when right is true.
func pad(s string, n int, right bool) string {
	k := n - utf8.RuneCountInString(s)
	if k <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", k) + s
	}
	return s + strings.Repeat(" ", k)
}

// center centers s in n runes.
func center(s string, n int) string {
	k := n - utf8.RuneCountInString(s)
	if k <= 0 {
		return s
	}
	return strings.Repeat(" ", k/2) + s + strings.Repeat(" ", k-k/2)
}

// rangeText is the half-width of the interval in percent of the center,
// as benchstat writes it: "3%", "∞" without an interval, "?" when the
// interval crosses zero.
func rangeText(s Summary) string {
	return benchmath.Summary{Center: s.Center, Lo: s.Low, Hi: s.High}.PctRangeString()
}

// deltaText is "~" where the difference is not significant, else the
// change in percent ("?" when the old center is 0).
func deltaText(r Row) string {
	switch {
	case !r.Significant:
		return "~"
	case math.IsInf(r.DeltaPercent, 0) || math.IsNaN(r.DeltaPercent):
		return "?"
	case r.DeltaPercent == 0:
		return "0.00%"
	}
	return fmt.Sprintf("%+.2f%%", r.DeltaPercent)
}

func verdictWord(v Verdict) string {
	switch v {
	case Regression:
		return "worse"
	case Improvement:
		return "better"
	case Changed:
		return "changed"
	}
	return ""
}

type geo struct {
	old, new, ratio float64
	ok              bool
	why             string
}

// geomean is benchstat's summary row: the geometric means of the centers
// of each side and of their ratios. It needs every center above 0.
func geomean(rows []Row) geo {
	var lo, ln, lr float64
	for _, r := range rows {
		if !(r.Old.Center > 0 && r.New.Center > 0) {
			return geo{why: "summaries must be >0 to compute geomean"}
		}
		lo += math.Log(r.Old.Center)
		ln += math.Log(r.New.Center)
		lr += math.Log(r.New.Center / r.Old.Center)
	}
	n := float64(len(rows))
	return geo{old: math.Exp(lo / n), new: math.Exp(ln / n), ratio: math.Exp(lr / n), ok: true}
}

// FormatValue formats v, a value of m, for people: with three or four
// significant digits and a prefix, as benchstat writes values, and the
// unit: "1.350s", "512.0MiB", "19.93 bits", "250.0n".
func FormatValue(m Measure, v float64) string {
	s := benchunit.Scale(v, benchunit.ClassOf(m.Unit)) + m.unitSuffix()
	if m.Unit == "bits" {
		s += " bits"
	}
	return s
}
