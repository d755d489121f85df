package metadata

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// TelemetryBuilder holds the instruments of the exporter's own telemetry,
// created from the component's MeterProvider (mdatagen's shape).
type TelemetryBuilder struct {
	// ExporterBenchlogLogsWritten counts run-log writes, by reason: final
	// (root arrived), checkpoint, late_span, idle_timeout, pending_limit,
	// span_limit, shutdown, replay.
	ExporterBenchlogLogsWritten metric.Int64Counter
	// ExporterBenchlogLimitHits counts the times a limit was reached, by
	// limit: max_pending_runs, max_spans_per_run, max_attribute_bytes,
	// max_written_runs.
	ExporterBenchlogLimitHits metric.Int64Counter
	// ExporterBenchlogSpansDropped counts spans left out of every log, by
	// reason: max_spans_per_run, duplicate, second_root, invalid_trace_id.
	ExporterBenchlogSpansDropped metric.Int64Counter
	// ExporterBenchlogInputProblems counts problems found in the input
	// (wrong attribute types, missing names), which are logged.
	ExporterBenchlogInputProblems metric.Int64Counter
	// ExporterBenchlogErrors counts failures to write a log or the WAL.
	ExporterBenchlogErrors metric.Int64Counter
	// ExporterBenchlogPendingRuns is the number of runs waiting for their
	// root span.
	ExporterBenchlogPendingRuns metric.Int64UpDownCounter
}

// NewTelemetryBuilder creates the instruments.
func NewTelemetryBuilder(settings component.TelemetrySettings) (*TelemetryBuilder, error) {
	meter := settings.MeterProvider.Meter(ScopeName)
	var tb TelemetryBuilder
	var err, errs error
	tb.ExporterBenchlogLogsWritten, err = meter.Int64Counter("otelcol_exporter_benchlog_logs_written",
		metric.WithDescription("Run logs written, by reason."), metric.WithUnit("{log}"))
	errs = errors.Join(errs, err)
	tb.ExporterBenchlogLimitHits, err = meter.Int64Counter("otelcol_exporter_benchlog_limit_hits",
		metric.WithDescription("Times a configured limit was reached, by limit."), metric.WithUnit("{hit}"))
	errs = errors.Join(errs, err)
	tb.ExporterBenchlogSpansDropped, err = meter.Int64Counter("otelcol_exporter_benchlog_spans_dropped",
		metric.WithDescription("Spans left out of every run log, by reason."), metric.WithUnit("{span}"))
	errs = errors.Join(errs, err)
	tb.ExporterBenchlogInputProblems, err = meter.Int64Counter("otelcol_exporter_benchlog_input_problems",
		metric.WithDescription("Problems found in received spans (wrong attribute types, missing names)."), metric.WithUnit("{problem}"))
	errs = errors.Join(errs, err)
	tb.ExporterBenchlogErrors, err = meter.Int64Counter("otelcol_exporter_benchlog_errors",
		metric.WithDescription("Failures to write a run log or the write-ahead log, by stage."), metric.WithUnit("{error}"))
	errs = errors.Join(errs, err)
	tb.ExporterBenchlogPendingRuns, err = meter.Int64UpDownCounter("otelcol_exporter_benchlog_pending_runs",
		metric.WithDescription("Runs waiting for their root span."), metric.WithUnit("{run}"))
	errs = errors.Join(errs, err)
	return &tb, errs
}
