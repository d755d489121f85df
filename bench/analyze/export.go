package analyze

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/bench/internal/human"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// exportFormat is a format Export writes, named by a file extension.
type exportFormat struct {
	ext   string
	write func(io.Writer, []Run, Options) error
}

// exportFormats are the formats Export writes.
var exportFormats = []exportFormat{
	{".json", WriteJSON},
	{".csv", WriteCSV},
	{".md", WriteMarkdown},
	{".bench", WriteBench},
}

// ExportFormats returns the file extensions Export knows, in lower case
// with their dot: ".json", ".csv", ".md", ".bench".
func ExportFormats() []string {
	exts := make([]string, len(exportFormats))
	for i, f := range exportFormats {
		exts[i] = f.ext
	}
	return exts
}

var errUnknownFormat = errors.New("unknown export format")

// Export writes the summary of runs to the file path, in the format its
// extension names, ignoring case: JSON for ".json" (WriteJSON), CSV for
// ".csv" (WriteCSV), Markdown for ".md" (WriteMarkdown), the Go benchmark
// format for ".bench" (WriteBench). Any other extension is an error, and
// nothing is written. The file is replaced atomically: written to a temporary file
// in the same directory, then renamed, so a reader sees the old report or
// the new one, never half of one.
func Export(path string, runs []Run, opts Options) error {
	ext := strings.ToLower(filepath.Ext(path))
	i := slices.IndexFunc(exportFormats, func(f exportFormat) bool { return f.ext == ext })
	if i < 0 {
		return fmt.Errorf("exporting summary to %q: %w %q, want one of %s", path, errUnknownFormat, ext, strings.Join(ExportFormats(), ", "))
	}
	var b bytes.Buffer
	if err := exportFormats[i].write(&b, runs, opts); err != nil {
		return err
	}
	if err := writeFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("exporting summary to %q: %w", path, err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".benchtrace-export-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// number is a float that is written as null when it is NaN or infinite.
type number float64

// MarshalJSON implements json.Marshaler.
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if !isFinite(f) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// optBytes is a byte count written as null when it is unknown.
func optBytes(n int64, known bool) *int64 {
	if !known {
		return nil
	}
	return &n
}

// optString is a string written as null when it is empty.
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type jsonReport struct {
	GeneratedAt     string               `json:"generated_at,omitempty"`
	TotalBenchmarks int                  `json:"total_benchmarks"`
	Successful      int                  `json:"successful"`
	Failed          int                  `json:"failed"`
	Interrupted     int                  `json:"interrupted"`
	Incomplete      int                  `json:"incomplete"`
	SystemInfo      benchlog.Object      `json:"system_info"`
	Assumptions     string               `json:"assumptions"`
	Statistics      map[string]jsonStats `json:"statistics"`
	Benchmarks      []jsonRun            `json:"benchmarks"`
}

// jsonStats is one benchmark's statistics, in the shape of Feluda's report
// (avg_execution_time, avg_memory_change, success_rate) plus the duration
// statistics. Averages are over the successful runs.
type jsonStats struct {
	Runs              int        `json:"runs"`
	Successful        int        `json:"successful"`
	Failed            int        `json:"failed"`
	Interrupted       int        `json:"interrupted"`
	Incomplete        int        `json:"incomplete"`
	SuccessRate       number     `json:"success_rate"`
	AvgExecutionTime  number     `json:"avg_execution_time"` // seconds
	AvgMemoryChange   number     `json:"avg_memory_change"`  // MiB, as Feluda
	AvgCPUTime        number     `json:"avg_cpu_time"`       // seconds
	AvgCPUUtilization number     `json:"avg_cpu_utilization"`
	MaxPeakRSSBytes   *int64     `json:"max_peak_rss_bytes"`
	MainPhase         *string    `json:"main_phase"`
	AvgMainPhaseTime  number     `json:"avg_main_phase_time"` // seconds
	Duration          jsonSample `json:"duration"`
	Notes             []string   `json:"notes"`
}

type jsonSample struct {
	N      int    `json:"n"`
	Mean   number `json:"mean"`
	Stddev number `json:"stddev"`
	Min    number `json:"min"`
	Median number `json:"median"`
	Max    number `json:"max"`
	CV     number `json:"cv"`
}

// jsonRun is one run: every key of analyze_logs.py's export row, with its
// meaning (fhe_time_seconds is the main phase's time, timing.<main>_only,
// which is timing.fhe_inference_only in Orion's logs), and the
// measurements added.
type jsonRun struct {
	Name                     string  `json:"name"`
	Model                    *string `json:"model"`
	Dataset                  *string `json:"dataset"`
	Status                   string  `json:"status"`
	Outcome                  string  `json:"outcome"`
	Timestamp                *string `json:"timestamp"`
	TotalTimeSeconds         number  `json:"total_time_seconds"`
	FHETimeSeconds           number  `json:"fhe_time_seconds"`
	MainPhase                *string `json:"main_phase"`
	MainPhaseSeconds         number  `json:"main_phase_seconds"`
	PreprocessingTimeSeconds number  `json:"preprocessing_time_seconds"`
	MAE                      number  `json:"mae"`
	PrecisionBits            number  `json:"precision_bits"`
	Exact                    bool    `json:"exact"`
	PeakRSSBytes             *int64  `json:"peak_rss_bytes"`
	CPUUserSeconds           number  `json:"cpu_user_seconds"`
	CPUSystemSeconds         number  `json:"cpu_system_seconds"`
	CPUSeconds               number  `json:"cpu_seconds"`
	CPUUtilization           number  `json:"cpu_utilization"`
	MemoryChangeBytes        *int64  `json:"memory_change_bytes"`
	Error                    *string `json:"error"`
	LogFile                  string  `json:"log_file"`
}

// WriteJSON writes the summary of runs as indented JSON: the counts of
// analyze_logs.py's export, "system_info" (from the newest run's metadata)
// and "statistics" (per benchmark) as in Feluda's report, and a row per run
// in "benchmarks", in summary order. NaN and infinite values are null.
func WriteJSON(w io.Writer, runs []Run, opts Options) error {
	runs = sorted(runs)
	t := totalsOf(runs)
	rep := jsonReport{
		TotalBenchmarks: t.runs,
		Successful:      t.successful,
		Failed:          t.failed,
		Interrupted:     t.interrupted,
		Incomplete:      t.incomplete,
		SystemInfo:      systemInfo(runs),
		Assumptions:     assumptions,
		Statistics:      map[string]jsonStats{},
	}
	if !opts.GeneratedAt.IsZero() {
		rep.GeneratedAt = opts.GeneratedAt.Format(time.RFC3339)
	}
	for _, s := range benchmarkStats(runs) {
		d := s.duration
		notes := s.notes
		if notes == nil {
			notes = []string{}
		}
		rep.Statistics[s.name] = jsonStats{
			Runs:              s.runs,
			Successful:        s.successful,
			Failed:            s.failed,
			Interrupted:       s.interrupted,
			Incomplete:        s.broken,
			SuccessRate:       number(s.successRate()),
			AvgExecutionTime:  number(d.mean),
			AvgMemoryChange:   number(s.memChangeMean / (1 << 20)),
			AvgCPUTime:        number(s.cpuMean),
			AvgCPUUtilization: number(s.utilMean),
			MaxPeakRSSBytes:   optBytes(s.peakMax, s.peakMax > 0),
			MainPhase:         optString(s.mainPhase),
			AvgMainPhaseTime:  number(s.mainPhaseMean),
			Duration: jsonSample{
				N: d.n, Mean: number(d.mean), Stddev: number(d.stddev), Min: number(d.minimum),
				Median: number(d.median), Max: number(d.maximum), CV: number(d.cv),
			},
			Notes: notes,
		}
	}
	rep.Benchmarks = jsonRuns(runs)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("encoding summary: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

// jsonRuns returns the export rows of runs, in their order.
func jsonRuns(runs []Run) []jsonRun {
	out := make([]jsonRun, 0, len(runs))
	for i := range runs {
		r := &runs[i]
		model, _ := r.Log.Model.String("name")
		dataset, _ := r.Log.Model.String("dataset")
		start, _ := r.Log.Metadata.String(benchlog.KeyTimestampStart)
		out = append(out, jsonRun{
			Name:                     r.Name,
			Model:                    optString(model),
			Dataset:                  optString(dataset),
			Status:                   r.Log.Status,
			Outcome:                  r.Outcome.String(),
			Timestamp:                optString(start),
			TotalTimeSeconds:         number(r.Duration),
			FHETimeSeconds:           number(r.MainPhaseSeconds),
			MainPhase:                optString(r.MainPhase),
			MainPhaseSeconds:         number(r.MainPhaseSeconds),
			PreprocessingTimeSeconds: number(r.PreprocessingSeconds),
			MAE:                      number(r.MAE),
			PrecisionBits:            number(r.PrecisionBits),
			Exact:                    math.IsInf(r.PrecisionBits, 1),
			PeakRSSBytes:             optBytes(r.PeakRSSBytes, r.PeakRSSBytes > 0),
			CPUUserSeconds:           number(r.CPUUserSeconds),
			CPUSystemSeconds:         number(r.CPUSystemSeconds),
			CPUSeconds:               number(r.CPUSeconds()),
			CPUUtilization:           number(r.CPUUtilization()),
			MemoryChangeBytes:        optBytes(r.MemoryChangeBytes, r.HasMemoryChange),
			Error:                    optString(r.Log.Error),
			LogFile:                  r.Path,
		})
	}
	return out
}

// systemInfo describes the machine of the newest run, from its metadata:
// Feluda's platform, cpu_count and total_memory_gb (null when the log does
// not say), then what else the log has about the host and the build.
func systemInfo(runs []Run) benchlog.Object {
	info := benchlog.Object{{Key: "platform", Value: nil}, {Key: "cpu_count", Value: nil}, {Key: "total_memory_gb", Value: nil}}
	r := newestRun(runs)
	if r == nil {
		return info
	}
	md := r.Log.Metadata
	if v, ok := md.Get(benchlog.KeyPlatform); ok {
		info.Set("platform", v)
	}
	if v, ok := md.Get(benchlog.KeyCPUCount); ok {
		info.Set("cpu_count", v)
	}
	if v, ok := md.Float(benchlog.KeyMemoryTotal); ok && v > 0 {
		info.Set("total_memory_gb", math.Round(v/(1<<30)*100)/100)
	}
	for _, key := range []string{benchlog.KeyHostname, benchlog.KeyCPUModel} {
		if v, ok := md.Get(key); ok {
			info.Set(key, v)
		}
	}
	for _, f := range md {
		if strings.HasSuffix(f.Key, "_version") {
			info.Set(f.Key, f.Value)
		}
	}
	for _, key := range []string{benchlog.KeyAccelerator, benchlog.KeyCUDA, benchlog.KeyGitCommit, benchlog.KeyGitDirty} {
		if v, ok := md.Get(key); ok {
			info.Set(key, v)
		}
	}
	info.Set("source_log", r.Path)
	return info
}

// systemLabels names system_info keys in the Markdown report.
var systemLabels = map[string]string{
	"platform":              "Platform",
	"cpu_count":             "CPU count",
	"total_memory_gb":       "Total memory (GiB)",
	benchlog.KeyHostname:    "Hostname",
	benchlog.KeyCPUModel:    "CPU model",
	benchlog.KeyAccelerator: "Accelerator available",
	benchlog.KeyCUDA:        "CUDA available",
	benchlog.KeyGitCommit:   "Git commit",
	benchlog.KeyGitDirty:    "Uncommitted changes",
	"source_log":            "From log",
}

// WriteMarkdown writes the summary of runs as a Markdown report, as Feluda's:
// the system configuration, a table of per-benchmark statistics, a table of
// the runs, and the failures with their errors.
func WriteMarkdown(w io.Writer, runs []Run, opts Options) error {
	runs = sorted(runs)
	t := totalsOf(runs)
	var b bytes.Buffer
	b.WriteString("# Benchmark Report\n\n")
	if !opts.GeneratedAt.IsZero() {
		fmt.Fprintf(&b, "Generated: %s\n\n", opts.GeneratedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "%d log(s): %d successful, %d failed, %d interrupted, %d incomplete.\n\n",
		t.runs, t.successful, t.failed, t.interrupted, t.incomplete)

	b.WriteString("## System Configuration\n\n| Property | Value |\n|---|---|\n")
	for _, f := range systemInfo(runs) {
		label, ok := systemLabels[f.Key]
		if !ok {
			label = f.Key
		}
		v := "N/A"
		if f.Value != nil {
			v = value(f.Value)
		}
		if f.Key == "source_log" {
			v = "`" + v + "`"
		}
		fmt.Fprintf(&b, "| %s | %s |\n", cell(label), cell(v))
	}

	stats := benchmarkStats(runs)
	b.WriteString("\n## Statistics\n\n")
	b.WriteString("Duration and resources of the successful runs of each benchmark. " + assumptions + "\n\n")
	b.WriteString("| Benchmark | Runs | Success rate | n | Mean | Stddev | Min | Median | Max | CV | Mean main phase | Mean CPU | Mean CPU util | Max peak RSS | Mean memory change |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|\n")
	var notes []string
	for _, s := range stats {
		d := s.duration
		main := "-"
		if s.mainPhase != "" {
			main = s.mainPhase + ": " + human.Duration(s.mainPhaseMean)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			cell(s.name), s.runs, percent(s.successRate()), d.n, human.Duration(d.mean), human.Duration(d.stddev),
			human.Duration(d.minimum), human.Duration(d.median), human.Duration(d.maximum), percent(d.cv),
			cell(main), human.Duration(s.cpuMean), percent(s.utilMean), human.Bytes(nanIfZero(s.peakMax)), signedBytes(s.memChangeMean))
		notes = append(notes, s.notes...)
	}
	if len(notes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, n := range notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}

	b.WriteString("\n## Runs\n\n")
	b.WriteString("| Started | Benchmark | Status | Duration | Main phase | MAE | Precision | Peak RSS | CPU time | CPU util | Log |\n")
	b.WriteString("|---|---|---|--:|---|--:|--:|--:|--:|--:|---|\n")
	for i := range runs {
		r := &runs[i]
		start, ok := r.Log.Metadata.String(benchlog.KeyTimestampStart)
		if !ok {
			start = "N/A"
		}
		main := "-"
		if r.MainPhase != "" {
			main = r.MainPhase + ": " + seconds(r.MainPhaseSeconds)
		}
		maeS, prec := "-", "-"
		if r.Outcome == Success || r.Log.Results.Has(benchlog.KeyMAE) {
			maeS, prec = mae(r.MAE), precision(r.PrecisionBits)
		}
		cpu := "-"
		if c := r.CPUSeconds(); isFinite(c) {
			cpu = seconds(c)
		}
		fmt.Fprintf(&b, "| %s | %s | %s %s | %s | %s | %s | %s | %s | %s | %s | `%s` |\n",
			cell(start), cell(r.Name), mark(r.Outcome), cell(statusText(r)), seconds(r.Duration), cell(main),
			maeS, prec, human.Bytes(nanIfZero(r.PeakRSSBytes)), cpu, percent(r.CPUUtilization()), cell(r.Path))
	}

	var failures []*Run
	for i := range runs {
		if runs[i].Outcome == Failed || runs[i].Outcome == Interrupted {
			failures = append(failures, &runs[i])
		}
	}
	if len(failures) > 0 {
		b.WriteString("\n## Failures\n")
		for _, r := range failures {
			start, _ := r.Log.Metadata.String(benchlog.KeyTimestampStart)
			fmt.Fprintf(&b, "\n### %s (%s, started %s)\n\nLog: `%s`\n", r.Name, r.Outcome, start, r.Path)
			for _, ph := range r.Log.Phases {
				if st, _ := ph.Fields.String(benchlog.KeyStatus); st != "" && st != "success" {
					msg, _ := ph.Fields.String(benchlog.KeyError)
					msg, _, _ = strings.Cut(msg, "\n")
					fmt.Fprintf(&b, "\nPhase `%s` %s", ph.Name, st)
					if msg != "" {
						fmt.Fprintf(&b, ": %s", msg)
					}
					b.WriteString("\n")
				}
			}
			msg := strings.TrimSpace(r.Log.Error)
			if msg == "" {
				msg = "Unknown error"
			}
			fence := codeFence(msg)
			fmt.Fprintf(&b, "\n%stext\n%s\n%s\n", fence, msg, fence)
		}
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// cell escapes s for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// codeFence returns a fence of backticks longer than any run of backticks
// in s, at least three.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
