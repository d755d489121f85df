package analyze

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Outcome classifies a run by its log's status.
type Outcome int

// Outcomes. The zero value, Incomplete, covers every status that says the
// run did not finish: "running", "incomplete", and any status analyze does
// not know.
const (
	Incomplete Outcome = iota
	Success
	Failed
	Interrupted
)

// String returns the outcome in lower case, as a log's status: "success",
// "failed", "interrupted" or "incomplete".
func (o Outcome) String() string {
	switch o {
	case Success:
		return semconv.StatusSuccess
	case Failed:
		return semconv.StatusFailed
	case Interrupted:
		return semconv.StatusInterrupted
	}
	return semconv.StatusIncomplete
}

func outcomeOf(status string) Outcome {
	switch strings.ToLower(status) {
	case semconv.StatusSuccess:
		return Success
	case semconv.StatusFailed:
		return Failed
	case semconv.StatusInterrupted:
		return Interrupted
	}
	return Incomplete
}

// Run is one run log and the values analyze derives from it. Floating-point
// values that the log does not have are NaN.
type Run struct {
	// Path is the log file, as given to LoadFiles.
	Path string
	// Log is the decoded log.
	Log *benchlog.Log

	// Name is metadata.benchmark_name, or, for a log without one, the file
	// name without its "_YYYYMMDD_HHMMSS.json" suffix.
	Name string
	// Outcome classifies Log.Status.
	Outcome Outcome
	// Start is metadata.timestamp_start; zero when it is missing or
	// cannot be parsed.
	Start time.Time
	// Duration is timing.total_duration_seconds.
	Duration float64

	// MainPhase is the <name> of the timing.<name>_only key ("fhe_inference"
	// in the Orion logs), or "" when the log has none yet.
	MainPhase string
	// MainPhaseSeconds is the value of timing.<MainPhase>_only.
	MainPhaseSeconds float64
	// PreprocessingSeconds is timing.preprocessing_total: the time of the
	// top-level phases before the main phase.
	PreprocessingSeconds float64

	// MAE is results.mae.
	MAE float64
	// PrecisionBits is results.precision_bits, +Inf when the result is exact
	// (MAE is 0, so the log holds null), NaN when unknown.
	PrecisionBits float64

	// PeakRSSBytes is the run's peak RSS: the highest of
	// timing.peak_rss_bytes (the run's own, from its start to its end)
	// and the phases' peak_rss_bytes; 0 when the log has none (logs of the
	// Python logger).
	PeakRSSBytes int64
	// CPUUserSeconds and CPUSystemSeconds are the run's CPU time:
	// timing.cpu_user_seconds and timing.cpu_system_seconds, measured from
	// the run's start to its end, when the log has them. Older logs lack
	// them; then they are the phases' CPU times summed over the top-level
	// phases (a nested phase is part of its parent), which counts the CPU
	// time of phases that overlap more than once.
	CPUUserSeconds, CPUSystemSeconds float64
	// CPUWallSeconds is the wall time over which the CPU time was
	// measured: the run's duration with the run's totals, the summed
	// duration of the top-level phases without.
	CPUWallSeconds float64
	// MemoryChangeBytes is the summed memory_change_bytes of the top-level
	// phases: how much the RSS grew over the run's phases. Valid only when
	// HasMemoryChange is true.
	MemoryChangeBytes int64
	HasMemoryChange   bool

	// info is what the summary and the exports show of the log, so that a
	// Run without its Log (from Summaries) shows the same.
	info runInfo
}

// notAvailable is shown for a value the log does not have.
const notAvailable = "N/A"

// runInfo is what the summary and the exports show of a run's log, beside
// the figures of Run.
type runInfo struct {
	filled bool
	// model.name, model.architecture, model.dataset and
	// metadata.timestamp_start as shown: "N/A" when missing or null.
	model, architecture, dataset, startText string
	// Whether they are strings (the exports leave out the others).
	modelIsString, datasetIsString, startIsString bool
	status                                        string // Log.Status
	errLine                                       string // the first line of Log.Error, trimmed
	hasError                                      bool   // Log.Error != ""
	hasMAE                                        bool   // results has "mae", even null
}

// infoOf returns what the summary shows of l (nil is an empty log).
func infoOf(l *benchlog.Log) runInfo {
	if l == nil {
		l = &benchlog.Log{}
	}
	shown := func(o benchlog.Object, key string) string {
		if v, ok := o.Get(key); ok && v != nil {
			return value(v)
		}
		return notAvailable
	}
	_, modelStr := l.Model.String("name")
	_, datasetStr := l.Model.String("dataset")
	_, startStr := l.Metadata.String(benchlog.KeyTimestampStart)
	return runInfo{
		filled:          true,
		model:           shown(l.Model, "name"),
		architecture:    shown(l.Model, "architecture"),
		dataset:         shown(l.Model, "dataset"),
		startText:       shown(l.Metadata, benchlog.KeyTimestampStart),
		modelIsString:   modelStr,
		datasetIsString: datasetStr,
		startIsString:   startStr,
		status:          l.Status,
		errLine:         errorLine(l.Error),
		hasError:        l.Error != "",
		hasMAE:          l.Results.Has(benchlog.KeyMAE),
	}
}

// errorLine returns the first line of an error, trimmed.
func errorLine(err string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(err), "\n")
	return strings.TrimSpace(line)
}

// modelName returns model.name when it is a string, else "".
func (i *runInfo) modelName() string {
	if i.modelIsString {
		return i.model
	}
	return ""
}

// datasetName returns model.dataset when it is a string, else "".
func (i *runInfo) datasetName() string {
	if i.datasetIsString {
		return i.dataset
	}
	return ""
}

// startString returns metadata.timestamp_start when it is a string, else
// "".
func (i *runInfo) startString() string {
	if i.startIsString {
		return i.startText
	}
	return ""
}

// CPUSeconds returns the run's CPU time, user plus system.
func (r *Run) CPUSeconds() float64 { return r.CPUUserSeconds + r.CPUSystemSeconds }

// CPUUtilization returns CPUSeconds / CPUWallSeconds: 1 is one core busy for
// the whole time. It is NaN when the phases have no CPU times.
func (r *Run) CPUUtilization() float64 {
	if math.IsNaN(r.CPUUserSeconds) || r.CPUWallSeconds <= 0 {
		return math.NaN()
	}
	return r.CPUSeconds() / r.CPUWallSeconds
}

// LoadFiles reads the run logs at files, each decoded in full (Run.Log),
// several at a time. A file that cannot be read or is not a run log is
// skipped with a warning on warn naming it and saying why (warn may be
// nil); the others are loaded. The error is non-nil only when none of a
// non-empty list of files could be loaded.
//
// The runs are returned in the order of files, and the warnings written in
// that order. LoadSummaries reads the same logs faster and keeps much less
// of each, for programs that do not need the decoded logs.
func LoadFiles(files []string, warn io.Writer) ([]Run, error) {
	if warn == nil {
		warn = io.Discard
	}
	runs := make([]Run, len(files))
	errs := make([]error, len(files))
	// The read buffers, reused from file to file: a fresh one for each
	// file was a third of the time of loading thousands of small logs
	// (allocated, cleared, collected). Decode keeps nothing of the data.
	var bufs sync.Pool
	parallel(len(files), func(i int) {
		buf, _ := bufs.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		runs[i], errs[i] = loadFile(files[i], buf)
		bufs.Put(buf)
	})
	n := 0
	for i, path := range files {
		if errs[i] != nil {
			fmt.Fprintf(warn, "warning: skipping %s: %v\n", path, errs[i])
			continue
		}
		runs[n] = runs[i]
		n++
	}
	clear(runs[n:])
	runs = runs[:n]
	if len(runs) == 0 && len(files) > 0 {
		return nil, fmt.Errorf("none of the %d log files could be read", len(files))
	}
	return runs, nil
}

var errNotRunLog = errors.New("not a run log: no metadata, phases or status")

// loadFile loads the log at path, reading it into *buf.
func loadFile(path string, buf *[]byte) (Run, error) {
	data, err := readLog(path, buf)
	if err != nil {
		return Run{}, err
	}
	l, err := decodeLog(data)
	if err != nil {
		return Run{}, err
	}
	return newRun(path, l), nil
}

// readLog reads the file at path into *buf, which it grows as needed, and
// returns its content. The error does not repeat the path.
func readLog(path string, buf *[]byte) ([]byte, error) {
	data, _, err := readLogOnce(noDir, job{path: path}, buf, false)
	return data, err
}

// readLogOnce is readLog for j's file, which with once may leave the data
// incomplete, and which it may open by its name in dir (readFile).
func readLogOnce(dir openDir, j job, buf *[]byte, once bool) (data []byte, complete bool, err error) {
	data, complete, err = readFile(dir, j, buf, once)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the warning
		}
		return nil, false, fmt.Errorf("reading: %w", err)
	}
	if len(data) == 0 {
		return nil, true, errors.New("empty file")
	}
	return data, complete, nil
}

// readInto reads to the end with read, appending to b, which it grows as
// needed.
func readInto(b []byte, read func([]byte) (int, error)) ([]byte, error) {
	if cap(b) == 0 {
		b = make([]byte, 0, 16<<10)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := read(b[len(b):cap(b)])
		if n > 0 {
			b = b[:len(b)+n]
		}
		switch {
		case err == io.EOF || err == nil && n == 0:
			return b, nil
		case err != nil:
			return b, err
		}
	}
}

// decodeLog decodes a run log in full.
func decodeLog(data []byte) (*benchlog.Log, error) {
	l, err := benchlog.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("invalid run log: %w", err)
	}
	if l.Metadata == nil && l.Phases == nil && l.Status == "" {
		return nil, errNotRunLog
	}
	return l, nil
}

func newRun(path string, l *benchlog.Log) Run {
	nan := math.NaN()
	r := Run{
		Path:                 path,
		Log:                  l,
		Outcome:              outcomeOf(l.Status),
		Duration:             nan,
		MainPhaseSeconds:     nan,
		PreprocessingSeconds: nan,
		MAE:                  nan,
		PrecisionBits:        nan,
		CPUUserSeconds:       nan,
		CPUSystemSeconds:     nan,
	}
	r.info = infoOf(l)
	r.Name, _ = l.Metadata.String(benchlog.KeyBenchmarkName)
	if r.Name == "" {
		r.Name = benchlog.BenchmarkOfFile(filepath.Base(path))
	}
	if s, ok := l.Metadata.String(benchlog.KeyTimestampStart); ok {
		if t, err := benchlog.ParseTime(s); err == nil {
			r.Start = t
		}
	}
	if d, ok := l.Timing.Float(benchlog.KeyTotalDuration); ok {
		r.Duration = d
	}
	for _, f := range l.Timing {
		name, ok := strings.CutSuffix(f.Key, benchlog.MainPhaseSuffix)
		if !ok || name == "" {
			continue
		}
		if d, ok := l.Timing.Float(f.Key); ok {
			r.MainPhase, r.MainPhaseSeconds = name, d
			break
		}
	}
	if d, ok := l.Timing.Float(benchlog.KeyPreprocessingTotal); ok {
		r.PreprocessingSeconds = d
	}
	if v, ok := l.Results.Float(benchlog.KeyMAE); ok {
		r.MAE = v
	}
	if v, ok := l.Results.Float(benchlog.KeyPrecisionBits); ok {
		r.PrecisionBits = v
	} else if r.MAE == 0 {
		r.PrecisionBits = math.Inf(1) // -log2(0): written as null
	}
	r.measure()
	return r
}

// measure derives the memory and CPU figures from the phases and the
// run's totals.
func (r *Run) measure() {
	var user, sys, wall float64
	hasCPU := false
	for _, ph := range r.Log.Phases {
		if peak, ok := ph.Fields.Int(benchlog.KeyPeakRSS); ok && peak > r.PeakRSSBytes {
			r.PeakRSSBytes = peak
		}
		if ph.Fields.Has(benchlog.KeyParent) {
			continue // counted in its parent
		}
		if d, ok := ph.Fields.Int(benchlog.KeyMemoryChange); ok {
			r.MemoryChangeBytes += d
			r.HasMemoryChange = true
		}
		u, okU := ph.Fields.Float(benchlog.KeyCPUUser)
		s, okS := ph.Fields.Float(benchlog.KeyCPUSystem)
		if !okU && !okS {
			continue
		}
		hasCPU = true
		user += u
		sys += s
		if d, ok := ph.Fields.Float(benchlog.KeyDuration); ok {
			wall += d
		}
	}
	if hasCPU {
		r.CPUUserSeconds, r.CPUSystemSeconds, r.CPUWallSeconds = user, sys, wall
	}

	// The run's own totals, when the log has them, count overlapping
	// phases once. The timing keys have the phase keys' names.
	t := r.Log.Timing
	if peak, ok := t.Int(benchlog.KeyPeakRSS); ok && peak > r.PeakRSSBytes {
		r.PeakRSSBytes = peak
	}
	u, okU := t.Float(benchlog.KeyCPUUser)
	s, okS := t.Float(benchlog.KeyCPUSystem)
	if okU || okS {
		r.CPUUserSeconds, r.CPUSystemSeconds, r.CPUWallSeconds = u, s, 0
		if isFinite(r.Duration) {
			r.CPUWallSeconds = r.Duration
		}
	}
}

// Filter returns the runs whose benchmark name contains substr, ignoring
// case, as analyze_logs.py --benchmark did.
func Filter(runs []Run, substr string) []Run {
	substr = strings.ToLower(substr)
	var out []Run
	for _, r := range runs {
		if strings.Contains(strings.ToLower(r.Name), substr) {
			out = append(out, r)
		}
	}
	return out
}

// Latest returns the newest run of each benchmark, by start time; runs with
// the same start time, or without one, are ordered by file name (which
// embeds the start time). The result is in summary order.
func Latest(runs []Run) []Run {
	newest := map[string]int{}
	for i := range runs {
		j, ok := newest[runs[i].Name]
		if !ok || newer(&runs[i], &runs[j]) {
			newest[runs[i].Name] = i
		}
	}
	out := make([]Run, 0, len(newest))
	for i := range runs {
		if newest[runs[i].Name] == i {
			out = append(out, runs[i])
		}
	}
	sortRuns(out)
	return out
}

func newer(a, b *Run) bool {
	if !a.Start.IsZero() && !b.Start.IsZero() && !a.Start.Equal(b.Start) {
		return a.Start.After(b.Start)
	}
	if c := strings.Compare(filepath.Base(a.Path), filepath.Base(b.Path)); c != 0 {
		return c > 0
	}
	return a.Path > b.Path
}

// sortRuns puts runs in summary order: by start time, runs without one
// last, then by file name.
func sortRuns(runs []Run) {
	slices.SortStableFunc(runs, func(a, b Run) int {
		if c := cmp.Compare(boolInt(a.Start.IsZero()), boolInt(b.Start.IsZero())); c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := strings.Compare(filepath.Base(a.Path), filepath.Base(b.Path)); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
}

func sorted(runs []Run) []Run {
	out := slices.Clone(runs)
	sortRuns(out)
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
