// Package compare judges benchmark runs: did a change make a benchmark
// slower, fatter or less accurate, and is that real or noise? It is the
// library behind `benchtrace compare` and `benchtrace trend`.
//
// Compare takes two sets of runs, as bench/analyze loads them from the JSON
// run logs (benchtrace's or the Orion Python logger's), and compares every
// measure present on both sides, for each benchmark and each phase of it:
// per phase its duration, CPU time, peak RSS, memory change and Go heap
// allocation; per run its total duration, main-phase time, CPU time, peak
// RSS, MAE, precision in bits and every other numeric result. Each measure
// knows which way is worse (Measure.Worse): durations, memory and errors
// up, precision and accuracy down; a result of unknown meaning is neutral,
// reported but never judged (DirectionOf).
//
// The statistics are benchstat's, from golang.org/x/perf/benchmath, and
// make no assumption about the distribution of the values
// (benchmath.AssumeNothing): each side is summarized by its median with a
// confidence interval from order statistics, and the difference is tested
// with the Mann-Whitney U-test. A row is significant when its p-value is
// at most Options.Alpha. With too few values for a verdict (fewer than 4
// per side at alpha 0.05) a row says so instead of judging (TooFewSamples),
// and with too few for an interval (fewer than 6 at 95%) its interval is
// ±∞. Every row is its own test: among many rows, about Alpha of those
// without a real change come out significant by chance, which is why a
// gate (Gate, `compare --fail-on`) asks for a threshold as well.
//
// Trend applies the same comparison along a history: runs grouped by
// commit (metadata git_commit) or by day, each group compared with the one
// before it. Because a history has many steps, a step counts as a change
// only when it is significant and the two medians' intervals do not
// overlap, as the Go performance dashboard asks of a change
// (golang.org/x/perf/benchseries); TrendOptions.MinChange adds a floor.
//
// WriteText, WriteMarkdown, WriteJSON and WriteCSV write a Result.
//
// LoadFiles and Source.Load load the runs as bench/analyze does, with
// benchlog.Decode on one goroutine per CPU, but keep of each log only
// what this package and benchtrace's report read: about 3.5 KB a run of
// a generated lab's logs (BenchmarkLoad), where the whole log takes 8.
//
// Concurrency: the package has no state; its functions may be called
// concurrently, and a Result may be shared by concurrent writers.
package compare // import "github.com/benchtrace/benchtrace/bench/compare"
