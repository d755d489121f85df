// Package benchlog is benchtrace's JSON run log: one file per benchmark run,
// in the format of the original Orion benchmark logger (metadata, model,
// phases, results, timing, status, error), with each phase's measurements
// added. docs/log-format.md describes every key.
//
// It has three layers, usable apart:
//
//   - the model: [Log], [Object], [Phases], with [Decode] (which also reads
//     logs the Python logger wrote, NaN and all) and [Encode];
//   - the assembly of a run's log from its spans, [Assemble], which works on
//     [Span], a form free of any SDK's types, so that the in-process writer
//     and the collector's benchlog exporter share it;
//   - the writing: [Dir] creates each log atomically under
//     {benchmark_name}_{YYYYMMDD_HHMMSS}.json, never overwriting another run,
//     and replaces it atomically; [SpanProcessor] is the otel-go span
//     processor that writes a run's log in process, checkpointed as each
//     phase ends.
//
// Assemble, Encode and Decode are pure functions, safe for concurrent use. A
// Dir and a SpanProcessor are safe for concurrent use.
package benchlog // import "github.com/benchtrace/benchtrace/exporters/benchlog"
