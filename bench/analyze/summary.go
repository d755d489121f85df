package analyze

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	// Overwrite lets Export replace a file that exists. Default false:
	// Export refuses, and writes nothing, so that one report never
	// silently replaces another (the Feluda suite's same-day reports
	// did).
	Overwrite bool
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

// appendTotal appends f.total(s).
func (f durationFormat) appendTotal(b []byte, s float64) []byte {
	if f.short {
		return append(b, human.Duration(s)...)
	}
	return appendSecondsMinutes(b, s)
}

// part formats a part of a run, or a mean: "45.60s".
func (f durationFormat) part(s float64) string {
	if f.short {
		return human.Duration(s)
	}
	return seconds(s)
}

// appendPart appends f.part(s).
func (f durationFormat) appendPart(b []byte, s float64) []byte {
	if f.short {
		return append(b, human.Duration(s)...)
	}
	return appendSeconds(b, s)
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
	return writeBuffered(w, "writing summary", func(b *bufio.Writer) error {
		return writeSummary(b, sortedList(runs), opts)
	})
}

// writeSummary writes the summary of runs: a first pass over them, in
// order, for the label width, the totals and the statistics (whose sums
// depend on the order); then the blocks of the runs, formatted a chunk at
// a time on workers() goroutines and written in order; then the totals
// and the statistics.
func writeSummary(b *bufio.Writer, runs runList, opts Options) error {
	n := runs.Len()
	if n == 0 {
		b.WriteString("No logs found.\n")
		return nil
	}
	fmt.Fprintf(b, "%s\nBENCHMARK SUMMARY - %d log(s)\n%s\n\n", banner, n, banner)
	width := labelWidth
	var t totals
	stats := newStatsBuilder(false)
	var r Run
	labels := newPhaseLabels(func(l string) string { return l })
	for i := range n {
		runs.at(i, &r, 0)
		if r.MainPhase != "" {
			width = max(width, len(labels.get(r.MainPhase))+2)
		}
		if opts.Verbose && isFinite(r.PreprocessingSeconds) {
			width = max(width, len(preprocessingLabel)+2)
		}
		t.add(&r)
		stats.add(&r)
	}
	if opts.Verbose {
		writeVerboseBlocks(b, runs, opts, width)
	} else {
		writeBlocks(b, runs, opts, width)
	}
	writeTotals(b, &t, durationFormat{opts.ShortDurations})
	writeBenchmarkStats(b, stats.stats(), opts.Warnings)
	return nil
}

// blockChunk is how many runs' blocks one goroutine formats at a time,
// and blockBytes about the most one block takes (a generated lab's are
// 455 to 686 bytes, 228 of them the rule): a chunk's buffer is made that
// big at once, rather than grown.
const (
	blockChunk = 64
	blockBytes = 768
)

// writeBlocks writes the block of each run, formatting chunks of runs in
// parallel, each appended to a buffer that is then reused.
func writeBlocks(b *bufio.Writer, runs runList, opts Options, width int) {
	n := runs.Len()
	chunks := (n + blockChunk - 1) / blockChunk
	format := func(buf []byte, k int, lines *blockLines) []byte {
		var r Run
		for i := k * blockChunk; i < min(n, (k+1)*blockChunk); i++ {
			runs.at(i, &r, withText)
			buf = appendRun(buf, &r, opts, lines)
			buf = append(buf, '\n')
		}
		return buf
	}
	newBuf := func() []byte { return make([]byte, 0, min(n, blockChunk)*blockBytes) }
	w := min(workers(), chunks)
	if w <= 1 {
		buf := newBuf()
		lines := newBlockLines(width)
		for k := range chunks {
			buf = format(buf[:0], k, lines)
			b.Write(buf)
		}
		return
	}
	type job struct {
		k    int
		done chan<- []byte
	}
	jobs := make(chan job, w)
	order := make(chan chan []byte, 2*w)
	free := make(chan []byte, 4*w) // buffers to reuse
	go func() {
		defer close(order)
		defer close(jobs)
		for k := range chunks {
			done := make(chan []byte, 1)
			jobs <- job{k, done}
			order <- done
		}
	}()
	for range w {
		go func() {
			lines := newBlockLines(width)
			for j := range jobs {
				var buf []byte
				select {
				case buf = <-free:
				default:
					buf = newBuf()
				}
				j.done <- format(buf[:0], j.k, lines)
			}
		}()
	}
	for done := range order {
		buf := <-done
		b.Write(buf)
		select {
		case free <- buf:
		default:
		}
	}
}

// writeVerboseBlocks writes the block and the phases of each run, in
// order, the logs read again a bounded number ahead.
func writeVerboseBlocks(b *bufio.Writer, runs runList, opts Options, width int) {
	logs := runs.logs(func(*Run) bool { return true })
	defer logs.stop()
	lines := newBlockLines(width)
	var r Run
	var buf []byte
	for i := range runs.Len() {
		runs.at(i, &r, withText|withPath)
		buf = appendRun(buf[:0], &r, opts, lines)
		b.Write(buf)
		l, err := logs.next()
		writePhases(b, &r, l, err, durationFormat{opts.ShortDurations})
		b.WriteByte('\n')
	}
}

// preprocessingLabel labels timing.preprocessing_total in a verbose summary.
const preprocessingLabel = "Preprocessing"

// spaces pads labels.
const spaces = "                                        "

// appendLine appends "  Label:      value\n", the label padded to width
// (in runes, as fmt pads).
func appendLine(b []byte, width int, label, value string) []byte {
	b = append(appendLineStart(b, width, label), value...)
	return append(b, '\n')
}

// appendLineStart appends "  Label:      ", the label padded to width.
func appendLineStart(b []byte, width int, label string) []byte {
	b = append(b, "  "...)
	b = append(b, label...)
	b = append(b, ':')
	for pad := width - utf8.RuneCountInString(label) - 1; pad > 0; pad -= len(spaces) {
		b = append(b, spaces[:min(pad, len(spaces))]...)
	}
	return b
}

// appendUpper appends strings.ToUpper(s), without a string when s is
// ASCII (as benchmark names and statuses are), where ToUpper changes
// a to z only.
func appendUpper(b []byte, s string) []byte {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.ToUpper(s)...)
		}
	}
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// phaseLabels remembers mainPhaseLabel, which splits and joins words, or
// what f makes of it, by main phase: a lab's runs have a handful of main
// phases, interleaved, which a memo of the last one would miss.
type phaseLabels struct {
	f      func(label string) string
	labels map[string]string
}

// maxPhaseLabels bounds phaseLabels, should every run name another phase.
const maxPhaseLabels = 1024

func newPhaseLabels(f func(label string) string) *phaseLabels {
	return &phaseLabels{f: f, labels: map[string]string{}}
}

// get returns f(mainPhaseLabel(phase)).
func (p *phaseLabels) get(phase string) string {
	l, ok := p.labels[phase]
	if !ok {
		if len(p.labels) == maxPhaseLabels {
			clear(p.labels)
		}
		l = p.f(mainPhaseLabel(phase))
		p.labels[phase] = l
	}
	return l
}

// blockLines are the starts of the lines of a summary's blocks,
// "  Label:      ", the label padded to the summary's width: made once for
// all the blocks a goroutine writes, rather than padded line by line.
type blockLines struct {
	model, dataset, status, started, duration, preprocessing, mae,
	precision, peakRSS, cpuTime, cpuUtil, errLine, log string
	main *phaseLabels
}

func newBlockLines(width int) *blockLines {
	start := func(label string) string { return string(appendLineStart(nil, width, label)) }
	return &blockLines{
		model: start("Model"), dataset: start("Dataset"), status: start("Status"), started: start("Started"),
		duration: start("Duration"), preprocessing: start(preprocessingLabel), mae: start("MAE"),
		precision: start("Precision"), peakRSS: start("Peak RSS"), cpuTime: start("CPU Time"),
		cpuUtil: start("CPU Util"), errLine: start("Error"), log: start("Log"),
		main: newPhaseLabels(start),
	}
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
	var buf [64]byte
	return string(appendStatus(buf[:0], r))
}

// appendStatus appends statusText(r).
func appendStatus(b []byte, r *Run) []byte {
	status := r.info.status
	if r.Outcome != Incomplete || strings.EqualFold(status, "incomplete") {
		return appendUpper(b, r.Outcome.String())
	}
	if status == "" {
		return append(b, "INCOMPLETE (no status)"...)
	}
	b = append(b, "INCOMPLETE ("...)
	b = append(b, status...)
	return append(b, ')')
}

// appendRun appends the block of a run, without the phase breakdown.
func appendRun(b []byte, r *Run, opts Options, lines *blockLines) []byte {
	f := durationFormat{opts.ShortDurations}
	in := &r.info
	b = append(b, mark(r.Outcome)...)
	b = append(b, ' ')
	b = appendUpper(b, r.Name)
	b = append(b, '\n')
	b = append(b, rule...)
	b = append(b, '\n')
	b = append(b, lines.model...)
	b = append(b, in.model...)
	b = append(b, " ("...)
	b = append(b, in.architecture...)
	b = append(b, ")\n"...)
	b = append(append(b, lines.dataset...), in.dataset...)
	b = append(b, '\n')
	b = appendStatus(append(b, lines.status...), r)
	b = append(b, '\n')
	b = append(append(b, lines.started...), in.startText...)
	b = append(b, '\n')
	if r.Outcome == Success || isFinite(r.Duration) {
		b = f.appendTotal(append(b, lines.duration...), r.Duration)
		b = append(b, '\n')
	}
	if r.MainPhase != "" {
		b = f.appendPart(append(b, lines.main.get(r.MainPhase)...), r.MainPhaseSeconds)
		b = append(b, '\n')
	}
	if opts.Verbose && isFinite(r.PreprocessingSeconds) {
		b = f.appendPart(append(b, lines.preprocessing...), r.PreprocessingSeconds)
		b = append(b, '\n')
	}
	if r.Outcome == Success || in.hasMAE {
		b = appendMAE(append(b, lines.mae...), r.MAE)
		b = append(b, '\n')
		b = appendPrecision(append(b, lines.precision...), r.PrecisionBits)
		b = append(b, '\n')
	}
	if r.PeakRSSBytes > 0 {
		b = appendSize(append(b, lines.peakRSS...), float64(r.PeakRSSBytes))
		b = append(b, '\n')
	}
	if cpu := r.CPUSeconds(); isFinite(cpu) {
		b = f.appendPart(append(b, lines.cpuTime...), cpu)
		b = f.appendPart(append(b, " (user "...), r.CPUUserSeconds)
		b = f.appendPart(append(b, ", sys "...), r.CPUSystemSeconds)
		b = append(b, ")\n"...)
		if u := r.CPUUtilization(); isFinite(u) {
			b = appendPercent(append(b, lines.cpuUtil...), u)
			b = append(b, " of one core\n"...)
		}
	}
	if r.Outcome != Success && r.Outcome != Incomplete {
		msg := in.errLine
		if msg == "" {
			msg = "Unknown error"
		}
		b = append(append(b, lines.errLine...), msg...)
		b = append(b, '\n')
	}
	if opts.Verbose {
		b = append(append(b, lines.log...), r.Path...)
		b = append(b, '\n')
	}
	return b
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

// writePhases writes the phase breakdown of r, whose log is l (or could
// not be read again, err): analyze_logs.py's name, duration and [status],
// then CPU time, peak RSS, memory change and other keys. Nested phases are
// indented under their parent.
func writePhases(b *bufio.Writer, r *Run, l *benchlog.Log, err error, df durationFormat) {
	b.WriteString("\n  Phase Breakdown:\n")
	if err != nil {
		fmt.Fprintf(b, "    (%s)\n", rereadError(r.Path, err))
		return
	}
	phases := l.Phases
	if len(phases) == 0 {
		b.WriteString("    (no phases)\n")
		return
	}
	depths := phaseDepths(phases)
	width := 20
	for i, ph := range phases {
		width = max(width, 2*depths[i]+len(ph.Name))
	}
	// row writes fmt's "    %-*s %9s  %-13s %8s %10s %11s  %s" trimmed of
	// trailing spaces, padding the first column by hand: nested phases
	// make it wide, and the rows of deep nests long.
	row := func(cols ...string) {
		rest := strings.TrimRight(fmt.Sprintf(" %9s  %-13s %8s %10s %11s  %s", cols[1], cols[2], cols[3], cols[4], cols[5], cols[6]), " ")
		if rest == "" {
			b.WriteString(strings.TrimRight("    "+cols[0], " "))
			b.WriteByte('\n')
			return
		}
		b.WriteString("    ")
		b.WriteString(cols[0])
		for pad := width - utf8.RuneCountInString(cols[0]); pad > 0; pad -= len(spaces) {
			b.WriteString(spaces[:min(pad, len(spaces))])
		}
		b.WriteString(rest)
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
		row(strings.Repeat("  ", depths[i])+ph.Name, dur, "["+status+"]", cpu, peak, change, otherKeys(f))
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

// phaseDepths returns how many enclosing phases each phase has, following
// "parent" to the first phase of that name; a chain that loops counts as
// len(phases) levels. It takes time linear in the number of phases: each
// phase's depth is found once, from its parent's.
func phaseDepths(phases benchlog.Phases) []int {
	n := len(phases)
	first := make(map[string]int, n)
	for i := n - 1; i >= 0; i-- {
		first[phases[i].Name] = i
	}
	parent := make([]int, n)
	for i, ph := range phases {
		parent[i] = -1
		if name, ok := ph.Fields.String(benchlog.KeyParent); ok {
			if j, ok := first[name]; ok {
				parent[i] = j
			}
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	depth := make([]int, n)
	state := make([]uint8, n)
	var path []int
	for i := range n {
		// Walk up from i to a phase whose depth is known, a phase
		// without parent, or a loop; then set the depths on the way
		// back down.
		path = path[:0]
		j := i
		for j >= 0 && state[j] == unseen {
			state[j] = onPath
			path = append(path, j)
			j = parent[j]
		}
		d := -1 // the depth of j: none, the chain ended
		switch {
		case j >= 0 && state[j] == done:
			d = depth[j]
		case j >= 0: // back on the path: a loop, endless
			d = n
		}
		for k := len(path) - 1; k >= 0; k-- {
			d = min(d+1, n)
			depth[path[k]] = d
			state[path[k]] = done
		}
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
	diffMain            bool // successful runs name different main phases
	peak                int64
}

// add counts r in, in summary order (the sums depend on it).
func (t *totals) add(r *Run) {
	t.runs++
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
		return
	}
	if isFinite(r.Duration) {
		t.time += r.Duration
	}
	if r.MainPhase != "" && isFinite(r.MainPhaseSeconds) {
		if !t.hasMain {
			t.mainPhase = r.MainPhase
		}
		t.diffMain = t.diffMain || r.MainPhase != t.mainPhase
		t.hasMain = true
		t.mainTime += r.MainPhaseSeconds
	}
	if c := r.CPUSeconds(); isFinite(c) {
		t.hasCPU = true
		t.cpu += c
	}
	t.peak = max(t.peak, r.PeakRSSBytes)
}

// mainPhaseName is the main phase of all the successful runs that have
// one, or "" when they differ.
func (t *totals) mainPhaseName() string {
	if t.diffMain {
		return ""
	}
	return t.mainPhase
}

// totalsOf returns the totals of runs.
func totalsOf(runs runList) totals {
	var t totals
	var r Run
	for i := range runs.Len() {
		runs.at(i, &r, 0)
		t.add(&r)
	}
	return t
}

// writeTotals writes analyze_logs.py's STATISTICS block. As there, the
// times are summed over the successful runs.
func writeTotals(b *bufio.Writer, t *totals, f durationFormat) {
	fmt.Fprintf(b, "%s\nSTATISTICS\n%s\n", banner, banner)
	width := statsWidth
	if t.hasMain {
		width = max(width, len(mainPhaseTotalLabel(t.mainPhaseName()))+2)
	}
	var buf []byte
	stat := func(label, v string) {
		buf = appendLine(buf[:0], width, label, v)
		b.Write(buf)
	}
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
			stat(mainPhaseTotalLabel(t.mainPhaseName()), f.total(t.mainTime))
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
func writeBenchmarkStats(b *bufio.Writer, stats []benchStats, warnings io.Writer) {
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
