// Package benchtest records Go benchmarks with benchtrace without changing
// how they are written or run: each call of a benchmark function becomes a
// run (a trace) with its phases, and the measurements of its loop are
// reported with testing.B.ReportMetric, so that `go test -bench` prints them
// and benchstat compares them like ns/op:
//
//	func BenchmarkEncrypt(b *testing.B) {
//		bt := benchtest.New(b)
//		var key []byte
//		bt.Phase("keygen", func() { key = keygen() }) // a phase of the run, optional
//		bt.Measure("encrypt")                         // the loop below is the main phase
//		for b.Loop() {
//			encrypt(key, msg)
//		}
//	}
//
//	$ go test -bench Encrypt -count 10 | tee new.txt
//	BenchmarkEncrypt-8  1000  1203456 ns/op  1198211 cpu-ns/op  52480 heap-B/op  41943040 peak-RSS-B
//	$ benchstat old.txt new.txt
//
// # Metrics
//
// When the benchmark function returns, the main phase ends and these are
// reported, in units benchstat understands:
//
//   - cpu-ns/op: user and system CPU time per iteration, child processes
//     waited for included; above ns/op when the loop runs on several cores;
//   - heap-B/op: bytes allocated on the Go heap per iteration (the Go
//     runtime's count, like -benchmem's B/op, taken by benchtrace);
//   - peak-RSS-B: the highest resident set size of the process while the
//     loop ran (exact on Linux, see package usage).
//
// # Logs
//
// A run log is written only when asked, with the flag
// -benchtrace.logdir=DIR or the variable BENCHTRACE_LOG_DIR=DIR (the flag
// wins). A relative DIR is relative to the package's directory, where go
// test runs the benchmarks. Without either, runs are measured and not
// written (their spans still go to an OTLP endpoint when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, as with sdk.New). The flag exists
// only in test binaries that import this package: with `go test ./...`
// over packages that do not, use the variable. The logs are named after
// b.Name(): BenchmarkEncrypt_YYYYMMDD_HHMMSS.json, then _2, _3… for the
// other calls within the same second, and `benchtrace analyze --log-dir
// DIR` summarizes them.
//
// A benchmark function written with b.Loop is called once per -count, so
// -count 10 gives ten runs; one written with a loop to b.N is called
// several times as the testing package ramps b.N up (once with b.N = 1,
// then with larger b.N), and each call is a run.
//
// # What counts in ns/op
//
// Nothing of benchtest's own work runs inside the benchmark's timed loop:
// New and Measure take their readings before it, and Measure resets the
// benchmark timer (b.ResetTimer) last, so the code between New and Measure
// counts neither in ns/op nor in the main phase. The main phase ends after
// the function returns, when the timer has stopped. The loop stays
// `for b.Loop()`, written as such, so the compiler keeps the loop body's
// results alive as it does for every b.Loop benchmark (a wrapper such as
// `for bt.Loop()` would lose that).
//
// A benchtest.B belongs to one call of one benchmark function: use it from
// that function's goroutine, as a testing.B (the phases may do work on
// other goroutines; the measurements are process-wide).
package benchtest // import "github.com/benchtrace/benchtrace/sdk/benchtest"
