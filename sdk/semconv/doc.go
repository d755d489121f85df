// Package semconv is the single source of truth for every attribute key
// benchtrace puts on a resource or a span, and for the JSON keys those
// attributes become in a run log.
//
// The keys are plain string constants so that code holding no SDK types (the
// log assembly in exporters/benchlog, a collector component) can use them.
// Where an OpenTelemetry semantic convention exists, the constant is that
// convention's key; benchtrace's own keys live in the "benchtrace." namespace.
// docs/conventions.md describes every key: type, unit, and whether it is
// required.
//
// A benchmark written with the OpenTelemetry SDK of another language yields
// the same run log as one written with benchtrace's Go SDK when it follows
// these rules:
//
//   - A run is a trace. Its root span carries [BenchmarkName].
//   - A phase is a span below the root that carries [PhaseName] (and
//     [BenchmarkName], which the metrics pipeline uses as a label).
//   - Root attributes under [MetadataPrefix], [ModelPrefix] and [ResultPrefix]
//     become keys of the log's metadata, model and results objects.
//   - Phase attributes outside the "benchtrace." namespace become keys of the
//     phase's entry, as "input_level" does in the original log format.
//
// All constants are safe for concurrent use; the package has no state.
package semconv // import "github.com/benchtrace/benchtrace/sdk/semconv"
