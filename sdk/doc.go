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
// format of the original Orion benchmark logger (exporters/benchlog), and is
// checkpointed as each phase ends so that a killed process loses no finished
// phase. With an OTLP endpoint the same spans also go to an OpenTelemetry
// Collector. The attribute keys are defined in package semconv.
//
// A Benchtrace, its runs and their phases are safe for concurrent use: runs
// may overlap in one process, and a run's phases may run on several
// goroutines.
package sdk
