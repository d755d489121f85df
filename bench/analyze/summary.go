package analyze

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/bench/internal/human"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Options controls WriteSummary and the exports. The zero value gives the
// default summary, with soft findings written as notes under the statistics.
type Options struct {
	// Verbose adds each run's log file and phase breakdown. Default false.
	Verbose bool
	// Warnings, if not nil, receives the soft findings on the statistics
	// (too few samples, high variance) as "warning: …" lines, instead of
	// notes in the summary. Default nil.
	Warnings io.Writer
	// GeneratedAt is the time the exports say they were generated; the zero
	// time leaves it out. Default zero.
	GeneratedAt time.Time
	// ShortDurations makes WriteSummary write durations with three
	// significant digits and a unit that suits them ("206ms", "59.9s"),
	// the rule of benchtrace's progress lines and statistics tables,
	// instead of analyze_logs.py's two decimals of seconds and minutes
	// ("0.21s (0.00m)"), which show a short phase as 0. Default false:
	// analyze_logs.py's layout.
	ShortDurations bool
}

// durationFormat formats the durations of a summary.
type durationFormat struct{ short bool }

// total formats the duration of a run, or a sum: "59.90s (1.00m)".
func (f durationFormat) total(s float64) string {
	if f.short {
		return human.Duration(s)
	}
	return secondsMinutes(s)
}

// part formats a part of a run, or a mean: "45.60s".
func (f durationFormat) part(s float64) string {
	if f.short {
		return human.Duration(s)
	}
	return seconds(s)
}

// phase formats a phase's duration in the phase breakdown: "0.500s".
func (f durationFormat) phase(s float64) string {
	if f.short {
		return human.Duration(s)
	}
	return fmt.Sprintf("%.3fs", s)
}

const (
	bannerWidth = 80
	// The labels of a run's block and of the statistics are padded to
	// these widths, as in analyze_logs.py, or wider when a label derived
	// from a phase name needs it.
	labelWidth = 13 // "Model:       "
	statsWidth = 22 // "Total benchmarks:     "
)

var (
	banner = strings.Repeat("=", bannerWidth)
	rule   = "  " + strings.Repeat("─", bannerWidth-4)
)

// WriteSummary writes the summary of runs that analyze_logs.py printed, in
// its layout, with benchtrace's additions: one block per run in order of
// start time, then the statistics. Runs are not modified.
func WriteSummary(w io.Writer, runs []Run, opts Options) error {
	var b bytes.Buffer
	writeSummary(&b, sorted(runs), opts)
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

func writeSummary(b *bytes.Buffer, runs []Run, opts Options) {
	if len(runs) == 0 {
		b.WriteString("No logs found.\n")
		return
	}
	fmt.Fprintf(b, "%s\nBENCHMARK SUMMARY - %d log(s)\n%s\n\n", banner, len(runs), banner)
	width := labelWidth
	for i := range runs {
		if runs[i].MainPhase != "" {
			width = max(width, len(mainPhaseLabel(runs[i].MainPhase))+2)
		}
		if opts.Verbose && isFinite(runs[i].PreprocessingSeconds) {
			width = max(width, len(preprocessingLabel)+2)
		}
	}
	for i := range runs {
		writeRun(b, &runs[i], opts, width)
		b.WriteByte('\n')
	}
	writeTotals(b, runs, durationFormat{opts.ShortDurations})
	writeBenchmarkStats(b, benchmarkStats(runs), opts.Warnings)
}

// preprocessingLabel labels timing.preprocessing_total in a verbose summary.
const preprocessingLabel = "Preprocessing"

// line writes "  Label:      value", the label padded to width.
func line(b *bytes.Buffer, width int, label, value string) {
	fmt.Fprintf(b, "  %-*s%s\n", width, label+":", value)
}

func mark(o Outcome) string {
	switch o {
	case Success:
		return "✓"
	case Failed:
		return "✗"
	case Interrupted:
		return "⚠"
	}
	return "…"
}

// statusText is the Status line: the status in capitals, and for a run
// that is not finished, INCOMPLETE with the status the log has.
func statusText(r *Run) string {
	if r.Outcome != Incomplete || strings.EqualFold(r.Log.Status, "incomplete") {
		return strings.ToUpper(r.Outcome.String())
	}
	if r.Log.Status == "" {
		return "INCOMPLETE (no status)"
	}
	return "INCOMPLETE (" + r.Log.Status + ")"
}

func writeRun(b *bytes.Buffer, r *Run, opts Options, labelWidth int) {
	l := r.Log
	f := durationFormat{opts.ShortDurations}
	orNA := func(o benchlog.Object, key string) string {
		if v, ok := o.Get(key); ok && v != nil {
			return value(v)
		}
		return "N/A"
	}
	fmt.Fprintf(b, "%s %s\n%s\n", mark(r.Outcome), strings.ToUpper(r.Name), rule)
	line(b, labelWidth, "Model", orNA(l.Model, "name")+" ("+orNA(l.Model, "architecture")+")")
	line(b, labelWidth, "Dataset", orNA(l.Model, "dataset"))
	line(b, labelWidth, "Status", statusText(r))
	line(b, labelWidth, "Started", orNA(l.Metadata, benchlog.KeyTimestampStart))
	if r.Outcome == Success || isFinite(r.Duration) {
		line(b, labelWidth, "Duration", f.total(r.Duration))
	}
	if r.MainPhase != "" {
		line(b, labelWidth, mainPhaseLabel(r.MainPhase), f.part(r.MainPhaseSeconds))
	}
	if opts.Verbose && isFinite(r.PreprocessingSeconds) {
		line(b, labelWidth, preprocessingLabel, f.part(r.PreprocessingSeconds))
	}
	if r.Outcome == Success || l.Results.Has(benchlog.KeyMAE) {
		line(b, labelWidth, "MAE", mae(r.MAE))
		line(b, labelWidth, "Precision", precision(r.PrecisionBits))
	}
	if r.PeakRSSBytes > 0 {
		line(b, labelWidth, "Peak RSS", human.Bytes(float64(r.PeakRSSBytes)))
	}
	if cpu := r.CPUSeconds(); isFinite(cpu) {
		line(b, labelWidth, "CPU Time", fmt.Sprintf("%s (user %s, sys %s)", f.part(cpu), f.part(r.CPUUserSeconds), f.part(r.CPUSystemSeconds)))
		if u := r.CPUUtilization(); isFinite(u) {
			line(b, labelWidth, "CPU Util", percent(u)+" of one core")
		}
	}
	if r.Outcome != Success && r.Outcome != Incomplete {
		msg := r.errorLine()
		if msg == "" {
			msg = "Unknown error"
		}
		line(b, labelWidth, "Error", msg)
	}
	if opts.Verbose {
		line(b, labelWidth, "Log", r.Path)
		writePhases(b, l.Phases, f)
	}
}

// phaseKeys are the phase entry keys with a column of their own in the
// phase breakdown; the others are listed after the columns.
var phaseKeys = map[string]bool{
	benchlog.KeyDuration: true, benchlog.KeyStatus: true, benchlog.KeyStartTime: true,
	benchlog.KeyParent: true, benchlog.KeyCPUUser: true, benchlog.KeyCPUSystem: true,
	benchlog.KeyCPUChildren: true, benchlog.KeyRSSStart: true, benchlog.KeyMemoryChange: true,
	benchlog.KeyPeakRSS: true, benchlog.KeyPeakSource: true, benchlog.KeyGoHeapAlloc: true,
	benchlog.KeyGoGCCycles: true,
}

// writePhases writes the phase breakdown: analyze_logs.py's name, duration
// and [status], then CPU time, peak RSS, memory change and other keys.
// Nested phases are indented under their parent.
func writePhases(b *bytes.Buffer, phases benchlog.Phases, df durationFormat) {
	b.WriteString("\n  Phase Breakdown:\n")
	if len(phases) == 0 {
		b.WriteString("    (no phases)\n")
		return
	}
	names := make([]string, len(phases))
	width := 20
	for i, ph := range phases {
		names[i] = strings.Repeat("  ", phaseDepth(phases, ph)) + ph.Name
		width = max(width, len(names[i]))
	}
	row := func(cols ...string) {
		s := fmt.Sprintf("    %-*s %9s  %-13s %8s %10s %11s  %s", width, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6])
		b.WriteString(strings.TrimRight(s, " "))
		b.WriteByte('\n')
	}
	row("Phase", "Duration", "Status", "CPU", "Peak RSS", "Mem change", "Other")
	for i, ph := range phases {
		f := ph.Fields
		dur := "-"
		if d, ok := f.Float(benchlog.KeyDuration); ok && isFinite(d) {
			dur = df.phase(d)
		}
		status, ok := f.String(benchlog.KeyStatus)
		if !ok {
			status = "unknown"
		}
		cpu := "-"
		u, okU := f.Float(benchlog.KeyCPUUser)
		s, okS := f.Float(benchlog.KeyCPUSystem)
		if okU || okS {
			cpu = df.part(u + s)
		}
		peak, change := "-", "-"
		if v, ok := f.Int(benchlog.KeyPeakRSS); ok {
			peak = human.Bytes(float64(v))
		}
		if v, ok := f.Int(benchlog.KeyMemoryChange); ok {
			change = signedBytes(float64(v))
		}
		row(names[i], dur, "["+status+"]", cpu, peak, change, otherKeys(f))
	}
}

// otherKeys lists a phase's keys without a column as "key=value".
func otherKeys(f benchlog.Object) string {
	var parts []string
	for _, kv := range f {
		if phaseKeys[kv.Key] {
			continue
		}
		v := value(kv.Value)
		if kv.Key == benchlog.KeyError {
			v, _, _ = strings.Cut(v, "\n")
		}
		if _, isStr := kv.Value.(string); isStr && (v == "" || strings.ContainsAny(v, " \t\"=")) {
			v = strconv.Quote(v)
		}
		parts = append(parts, kv.Key+"="+v)
	}
	return strings.Join(parts, " ")
}

// phaseDepth returns how many enclosing phases ph has, following "parent".
func phaseDepth(phases benchlog.Phases, ph benchlog.Phase) int {
	depth := 0
	for range len(phases) { // at most len(phases) levels: ignores cycles
		parent, ok := ph.Fields.String(benchlog.KeyParent)
		if !ok {
			break
		}
		p, ok := phases.Get(parent)
		if !ok {
			break
		}
		depth++
		ph = p
	}
	return depth
}

// totals are the overall statistics of a set of runs.
type totals struct {
	runs, successful, failed, interrupted, incomplete int
	// Over the successful runs:
	time, mainTime, cpu float64
	mainPhase           string // when all successful runs with one name the same
	hasMain, hasCPU     bool
	peak                int64
}

func totalsOf(runs []Run) totals {
	t := totals{runs: len(runs)}
	sameMain := true
	for i := range runs {
		r := &runs[i]
		switch r.Outcome {
		case Success:
			t.successful++
		case Failed:
			t.failed++
		case Interrupted:
			t.interrupted++
		default:
			t.incomplete++
		}
		if r.Outcome != Success {
			continue
		}
		if isFinite(r.Duration) {
			t.time += r.Duration
		}
		if r.MainPhase != "" && isFinite(r.MainPhaseSeconds) {
			if !t.hasMain {
				t.mainPhase = r.MainPhase
			}
			sameMain = sameMain && r.MainPhase == t.mainPhase
			t.hasMain = true
			t.mainTime += r.MainPhaseSeconds
		}
		if c := r.CPUSeconds(); isFinite(c) {
			t.hasCPU = true
			t.cpu += c
		}
		t.peak = max(t.peak, r.PeakRSSBytes)
	}
	if !sameMain {
		t.mainPhase = ""
	}
	return t
}

// writeTotals writes analyze_logs.py's STATISTICS block. As there, the
// times are summed over the successful runs.
func writeTotals(b *bytes.Buffer, runs []Run, f durationFormat) {
	t := totalsOf(runs)
	fmt.Fprintf(b, "%s\nSTATISTICS\n%s\n", banner, banner)
	width := statsWidth
	if t.hasMain {
		width = max(width, len(mainPhaseTotalLabel(t.mainPhase))+2)
	}
	stat := func(label, v string) { line(b, width, label, v) }
	stat("Total benchmarks", strconv.Itoa(t.runs))
	stat("Successful", strconv.Itoa(t.successful))
	stat("Failed", strconv.Itoa(t.failed))
	if t.interrupted > 0 {
		stat("Interrupted", strconv.Itoa(t.interrupted))
	}
	if t.incomplete > 0 {
		stat("Incomplete/running", strconv.Itoa(t.incomplete))
	}
	if t.successful > 0 {
		stat("Total time", f.total(t.time))
		if t.hasMain {
			stat(mainPhaseTotalLabel(t.mainPhase), f.total(t.mainTime))
		}
		stat("Avg time/benchmark", f.part(t.time/float64(t.successful)))
		if t.hasCPU {
			stat("Total CPU time", f.total(t.cpu))
		}
		if t.peak > 0 {
			stat("Max peak RSS", human.Bytes(float64(t.peak)))
		}
	}
	b.WriteByte('\n')
}

// writeBenchmarkStats writes the duration statistics of the benchmarks with
// two or more successful runs, the assumptions they rest on, and the soft
// findings (to warnings if it is not nil).
func writeBenchmarkStats(b *bytes.Buffer, stats []benchStats, warnings io.Writer) {
	var shown []benchStats
	width := len("Benchmark")
	for _, s := range stats {
		if s.duration.n >= 2 {
			shown = append(shown, s)
			width = max(width, len(s.name))
		}
	}
	if len(shown) == 0 {
		return
	}
	fmt.Fprintf(b, "%s\nPER-BENCHMARK STATISTICS - duration of successful runs\n%s\n", banner, banner)
	row := func(cols ...string) {
		fmt.Fprintf(b, "  %-*s %5s %4s %8s %8s %8s %8s %8s %7s\n", width, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8])
	}
	row("Benchmark", "Runs", "n", "Mean", "Stddev", "Min", "Median", "Max", "CV")
	var notes []string
	for _, s := range shown {
		d := s.duration
		row(s.name, strconv.Itoa(s.runs), strconv.Itoa(d.n), human.Duration(d.mean), human.Duration(d.stddev),
			human.Duration(d.minimum), human.Duration(d.median), human.Duration(d.maximum), percent(d.cv))
		notes = append(notes, s.notes...)
	}
	b.WriteString("\n  Assumptions: successful runs only; stddev is the sample standard\n")
	b.WriteString("  deviation (n-1); CV = stddev/mean; no outliers removed.\n")
	for _, n := range notes {
		if warnings != nil {
			fmt.Fprintf(warnings, "warning: %s\n", n)
		} else {
			fmt.Fprintf(b, "  note: %s\n", n)
		}
	}
	b.WriteByte('\n')
}

// nanIfZero returns NaN for 0, for counts where 0 means unknown.
func nanIfZero(n int64) float64 {
	if n == 0 {
		return math.NaN()
	}
	return float64(n)
}
