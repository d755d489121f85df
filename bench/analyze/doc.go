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
// Options.Verbose, each run's phases with their measurements.
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
// Export writes the summary as JSON (for programs) or, for a file name
// ending in ".md", as a Markdown report, atomically. The JSON has the
// per-run rows of analyze_logs.py's export plus "system_info" and
// "statistics" objects in the shape of the Feluda benchmark suite's report:
// avg_execution_time is in seconds and avg_memory_change in MiB, as there;
// total_memory_gb is in GiB. Numbers that are NaN or infinite are written as
// null, so the file is always valid JSON.
//
// Concurrency: the package has no state. Its functions may be called from
// several goroutines at once; a []Run may be shared between concurrent
// writers (WriteSummary, WriteJSON, WriteMarkdown, Export only read it) as
// long as nobody modifies it.
package analyze // import "github.com/benchtrace/benchtrace/bench/analyze"
