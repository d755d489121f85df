// Package analyze summarizes benchmark run logs: the library behind
// `benchtrace analyze`, for programs that load runs, print their summary,
// compute their statistics or export them.
//
// It reads the JSON run logs described in docs/log-format.md, written by
// benchtrace (exporters/benchlog) or by the original Orion Python benchmark
// logger, and prints the summary that Orion's analyze_logs.py printed, with
// the same layout: a block per run (model, dataset, status, start, duration,
// main-phase time, MAE, precision), then overall statistics. benchtrace adds
// the runs' peak RSS, CPU time and CPU utilization, per-benchmark duration
// statistics when a benchmark has two or more successful runs, and, with
// Options.Verbose, each run's preprocessing time (timing.preprocessing_total)
// and phases with their measurements.
//
// A log whose status is "running" (the last checkpoint of a run still going,
// or of a process that was killed) or "incomplete" (assembled by the
// collector without a root span) is shown as INCOMPLETE; "interrupted" and
// "failed" runs show the first line of their error.
//
// The statistics state their assumptions, as golang.org/x/perf/benchmath
// does: they use successful runs only, the standard deviation is the sample
// one (n−1), the coefficient of variation (CV) is stddev/mean, and no
// outliers are removed. Fewer than three samples, or a CV above 10%, are
// reported as soft findings: warnings (Options.Warnings) or notes under the
// statistics, never errors.
//
// Export writes the summary to a file, atomically, in the format the file
// name's extension names (ExportFormats): JSON (".json", for programs) or a
// Markdown report (".md"); it refuses any other name, and a file that
// exists unless Options.Overwrite is set. The JSON keeps every key of
// analyze_logs.py's export with its meaning, so a script written for it
// goes on working: fhe_time_seconds is the main phase's time
// (timing.fhe_inference_only in Orion's logs, timing.<main>_only in
// general, also under main_phase_seconds). It adds each run's
// preprocessing_time_seconds (timing.preprocessing_total) and measurements,
// and "system_info" and "statistics" objects in the shape of the Feluda
// benchmark suite's report: avg_execution_time is in seconds and
// avg_memory_change and max_memory_peak in MiB, as there; total_memory_gb
// is in GiB; a benchmark without a successful run keeps its entry, with its
// counts, a success rate of 0 and null statistics. Numbers that are NaN or
// infinite, or missing from the log, are written as null (where
// analyze_logs.py wrote 0 for a missing time), so the file is always valid
// JSON.
//
// There are two ways to load logs. LoadFiles decodes each log in full
// (Run.Log), for programs that need more than the summary. LoadSummaries
// and LoadDir read only what the summary needs, with a scanner that skips
// the rest, and keep a compact summary of each run (about 50 bytes):
// Summaries, which writes the same summary and exports byte for byte,
// reading the logs again, in output order, for what it did not keep
// (phases, whole errors, metadata). Both read several files at once, as
// many as GOMAXPROCS. `benchtrace analyze` uses LoadDir, whose memory does
// not grow with the number of logs beyond their summaries.
//
// Concurrency: the package has no state. Its functions may be called from
// several goroutines at once; a []Run may be shared between concurrent
// writers (WriteSummary, WriteJSON, WriteMarkdown, Export only read it) as
// long as nobody modifies it. A Summaries is never modified after loading,
// and is safe for concurrent use.
package analyze // import "github.com/benchtrace/benchtrace/bench/analyze"
