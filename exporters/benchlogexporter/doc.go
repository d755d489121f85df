// Package benchlogexporter is an OpenTelemetry Collector exporter that
// writes one JSON log file per benchmark run (docs/log-format.md), the same
// file the SDK's in-process writer writes, from spans that programs in any
// language send over OTLP (docs/conventions.md).
//
// A run is a trace: its root span carries benchtrace.benchmark.name, its
// phase spans benchtrace.phase.name. Phases arrive as they end, the root
// last, possibly much later and in another batch. The exporter converts the
// pdata spans to benchlog.Span and builds the log with benchlog.Assemble and
// benchlog.Encode and writes it with benchlog.Dir (module
// github.com/benchtrace/benchtrace/exporters/benchlog, which this module
// requires instead of the SDK), the code the in-process writer uses, so the
// two produce the same file (TestCrosscheck compares them byte for byte).
//
// Until its root arrives a run is pending: its spans are held in memory and
// in a write-ahead log in the hidden folder ".benchlog-wal" of the log
// directory, replayed at start, so that they survive a restart, a crash or a
// SIGKILL of the collector. A run without a root is written with status
// "incomplete" after idle_timeout, when max_pending_runs pushes it out, and
// at shutdown; its later spans still reach the same file. README.md
// describes every setting.
//
// The factory (NewFactory) is the only exported API. The exporter is safe
// for concurrent ConsumeTraces calls; writes are serialized.
package benchlogexporter // import "github.com/benchtrace/benchtrace/exporters/benchlogexporter"
