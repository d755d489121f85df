// Package sdk is the API benchmark code calls to record its runs with
// OpenTelemetry: a run of a benchmark is a trace, and each phase of the run
// (initialization, data_loading, fit, compile, encrypt, inference, …) is a
// span below the run's root span.
//
// The SDK measures every phase itself: wall time, user and system CPU time
// (including child processes the phase waited for), RSS at the start, the
// change of RSS, the exact peak RSS while the phase was open, and the Go heap
// bytes allocated and GC cycles completed (package usage). Readings are taken
// outside the timed window: before the clock starts and after it stops.
//
// By default a JSON log per run is written in process into ./logs, in the
// format of the original Orion benchmark logger (exporters/benchlog). A
// writer goroutine checkpoints it within a second of each phase's end
// (WithCheckpointInterval), never inside a phase, so that a killed process
// loses at most the phases of its last second; Run.End returns once the
// final log is on disk. With an OTLP endpoint the same spans also go to an
// OpenTelemetry Collector. The attribute keys are defined in package
// semconv.
//
// Every run is recorded whole: the SDK's tracer provider samples every span
// and sets no attribute limit, whatever the OTEL_TRACES_SAMPLER and
// OTEL_*_LIMIT variables say (New warns once about those that are set).
// After Run.End, a run records nothing more. Signals: NotifyContext (keep
// the application's own shutdown) or HandleSignals (end the process).
//
// Profile records one operator (Init, Run, Cleanup) as a run in one call,
// as the Feluda suite's profile decorator did; package sdk/benchtest records
// Go benchmarks (testing.B) as runs without changing how they are written.
//
// A Benchtrace, its runs and their phases are safe for concurrent use: runs
// may overlap in one process, and a run's phases may run on several
// goroutines.
package sdk
