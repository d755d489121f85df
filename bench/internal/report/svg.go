package report

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// The charts are inline SVG written here, not by a plotting library.
// gonum/plot writes 7.2 KB for a line chart of 30 points whose labels are
// laid out for Liberation Serif, which the reader's browser may not have,
// or 528 KB with the font embedded, and brings some sixty packages (fonts,
// rasterizers); a line chart of 24 runs here is about 4.3 KB with a
// tooltip (<title>) on every point, a stacked bar chart of 12 runs 6–10 KB,
// drawn in the page's own sans-serif font, styled by the page's CSS (dark
// mode too), with nothing to fetch.

// palette is the Okabe-Ito palette, readable with the common forms of
// color blindness, then four more.
var palette = []string{
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
	"#000000", "#999999", "#882255", "#44AA99",
}

func color(i int) string { return palette[i%len(palette)] }

// svg builds one chart.
type svg struct {
	b    strings.Builder
	w, h float64
}

func newSVG(w, h float64, label string) *svg {
	s := &svg{w: w, h: h}
	fmt.Fprintf(&s.b, `<svg class="chart" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`,
		w, h, w, h, esc(label))
	fmt.Fprintf(&s.b, "<title>%s</title>", esc(label))
	return s
}

func (s *svg) String() string { return s.b.String() + "</svg>" }

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) text(x, y float64, anchor, class, text string) {
	s.raw(`<text x="%s" y="%s" text-anchor="%s" class="%s">%s</text>`, num(x), num(y), anchor, class, esc(text))
}

func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most two decimals.
func num(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }

// niceTicks returns about n round values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) {
		if lo == 0 {
			return []float64{0, 1}
		}
		d := math.Abs(lo) * 0.1
		lo, hi = lo-d, hi+d
	}
	step := niceNum((hi-lo)/float64(max(n-1, 1)), true)
	start := math.Floor(lo/step) * step
	var ticks []float64
	for v := start; v <= hi+step*0.5; v += step {
		ticks = append(ticks, math.Round(v/step)*step)
		if len(ticks) > 3*n {
			break
		}
	}
	return ticks
}

// niceNum rounds x to 1, 2, 5 or 10 times a power of ten (Heckbert).
func niceNum(x float64, round bool) float64 {
	e := math.Floor(math.Log10(x))
	f := x / math.Pow(10, e)
	var nf float64
	switch {
	case round && f < 1.5, !round && f <= 1:
		nf = 1
	case round && f < 3, !round && f <= 2:
		nf = 2
	case round && f < 7, !round && f <= 5:
		nf = 5
	default:
		nf = 10
	}
	return nf * math.Pow(10, e)
}

// point is one value of a line chart: the x index of its run, the value,
// and the text of its tooltip.
type point struct {
	x   int
	y   float64
	tip string
}

// lineChart is a series of runs in time order.
type lineChart struct {
	title  string
	format func(float64) string // tick and tooltip values
	points []point
	n      int // runs on the x axis
	// groups marks where the commit changes: the index of the first run
	// of each group after the first, and its label.
	groups []group
	// baseline, if not NaN, is drawn as a dashed line: the baseline's
	// median.
	baseline float64
	// band, if set, is the baseline's 95% interval.
	bandLo, bandHi float64
}

type group struct {
	at    int
	label string
}

const (
	chartW      = 520.0
	chartH      = 210.0
	marginLeft  = 64.0
	marginRight = 12.0
	marginTop   = 28.0
	marginBot   = 30.0
)

func (c *lineChart) svg() string {
	s := newSVG(chartW, chartH, c.title)
	s.text(marginLeft, 16, "start", "chart-title", c.title)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range c.points {
		lo, hi = math.Min(lo, p.y), math.Max(hi, p.y)
	}
	for _, v := range []float64{c.baseline, c.bandLo, c.bandHi} {
		if isFinite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if len(c.points) == 0 || !isFinite(lo) {
		s.text(chartW/2, chartH/2, "middle", "empty", "no values")
		return s.String()
	}
	ticks := niceTicks(lo, hi, 5)
	ylo, yhi := ticks[0], ticks[len(ticks)-1]
	pw, ph := chartW-marginLeft-marginRight, chartH-marginTop-marginBot
	y := func(v float64) float64 { return marginTop + ph - (v-ylo)/(yhi-ylo)*ph }
	x := func(i int) float64 {
		if c.n <= 1 {
			return marginLeft + pw/2
		}
		return marginLeft + float64(i)/float64(c.n-1)*pw
	}
	for _, t := range ticks {
		s.raw(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(marginLeft), num(marginLeft+pw), num(y(t)), num(y(t)))
		s.text(marginLeft-6, y(t)+4, "end", "tick", c.format(t))
	}
	for _, g := range c.groups {
		gx := (x(g.at-1) + x(g.at)) / 2
		s.raw(`<line class="commit" x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(gx), num(gx), num(marginTop), num(marginTop+ph))
	}
	if isFinite(c.bandLo) && isFinite(c.bandHi) {
		s.raw(`<rect class="band" x="%s" y="%s" width="%s" height="%s"><title>baseline 95%% interval: %s – %s</title></rect>`,
			num(marginLeft), num(y(c.bandHi)), num(pw), num(math.Max(y(c.bandLo)-y(c.bandHi), 0.5)), esc(c.format(c.bandLo)), esc(c.format(c.bandHi)))
	}
	if isFinite(c.baseline) {
		s.raw(`<line class="baseline" x1="%s" x2="%s" y1="%s" y2="%s"><title>baseline median: %s</title></line>`,
			num(marginLeft), num(marginLeft+pw), num(y(c.baseline)), num(y(c.baseline)), esc(c.format(c.baseline)))
	}
	var path strings.Builder
	for i, p := range c.points {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%s %s", cmd, num(x(p.x)), num(y(p.y)))
	}
	s.raw(`<path class="series" d="%s"/>`, path.String())
	for _, p := range c.points {
		s.raw(`<circle class="dot" cx="%s" cy="%s" r="3"><title>%s</title></circle>`, num(x(p.x)), num(y(p.y)), esc(p.tip))
	}
	// The x axis: first and last run, and the commits.
	s.text(marginLeft, chartH-10, "start", "tick", "run 1")
	if c.n > 1 {
		s.text(marginLeft+pw, chartH-10, "end", "tick", fmt.Sprintf("run %d", c.n))
	}
	for _, g := range c.groups {
		gx := (x(g.at-1) + x(g.at)) / 2
		s.text(gx+3, marginTop+10, "start", "commit-label", g.label)
	}
	return s.String()
}

// bar is one stacked bar: a run's top-level phases.
type bar struct {
	label    string
	segments []segment
}

type segment struct {
	phase   int // index into the chart's phases, for the color
	seconds float64
}

// stackedBars draws one horizontal bar per run, a segment per top-level
// phase, with a legend.
func stackedBars(title string, phases []string, bars []bar, format func(float64) string) string {
	const rowH, labelW, legendRowH = 22.0, 150.0, 18.0
	legendCols := 3
	legendRows := (len(phases) + legendCols - 1) / legendCols
	h := marginTop + float64(len(bars))*rowH + 24 + float64(legendRows)*legendRowH + 8
	s := newSVG(chartW, h, title)
	s.text(8, 16, "start", "chart-title", title)
	longest := 0.0
	for _, b := range bars {
		t := 0.0
		for _, sg := range b.segments {
			t += sg.seconds
		}
		longest = math.Max(longest, t)
	}
	pw := chartW - labelW - marginRight - 50
	for i, b := range bars {
		y := marginTop + float64(i)*rowH
		s.text(labelW-6, y+14, "end", "tick", b.label)
		x, total := labelW, 0.0
		for _, sg := range b.segments {
			w := 0.0
			if longest > 0 {
				w = sg.seconds / longest * pw
			}
			s.raw(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" class="seg"><title>%s: %s</title></rect>`,
				num(x), num(y+2), num(math.Max(w, 0.5)), num(rowH-6), color(sg.phase), esc(phases[sg.phase]), esc(format(sg.seconds)))
			x += w
			total += sg.seconds
		}
		s.text(x+4, y+14, "start", "tick", format(total))
	}
	ly := marginTop + float64(len(bars))*rowH + 16
	colW := (chartW - 16) / float64(legendCols)
	for i, p := range phases {
		lx := 8 + float64(i%legendCols)*colW
		yy := ly + float64(i/legendCols)*legendRowH
		s.raw(`<rect x="%s" y="%s" width="12" height="12" fill="%s"/>`, num(lx), num(yy-10), color(i))
		s.text(lx+16, yy, "start", "legend", p)
	}
	return s.String()
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
