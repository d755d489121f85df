package benchlogexporter

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
)

// telemetry records the exporter's own metrics (metadata.yaml). The
// attribute sets of each counter are built once.
type telemetry struct {
	*metadata.TelemetryBuilder
	opts    map[attribute.KeyValue]metric.AddOption
	pending int64 // the value of ExporterBenchlogPendingRuns
}

func newTelemetry(b *metadata.TelemetryBuilder) *telemetry {
	t := &telemetry{TelemetryBuilder: b, opts: map[attribute.KeyValue]metric.AddOption{}}
	for key, values := range map[string][]string{
		"reason": {reasonFinal, reasonCheckpoint, reasonLateSpan, reasonIdleTimeout, reasonPendingLimit, reasonBytesLimit,
			reasonSpanLimit, reasonShutdown, reasonReplay, reasonRetry,
			dropDuplicate, dropSecondRoot, dropSpanLimit, dropInvalidTrace},
		"limit": {limitPendingRuns, limitSpansPerRun, limitAttributeBytes, limitWrittenRuns, limitHeldBytes},
		"stage": {stageLog, stageWAL},
	} {
		for _, v := range values {
			t.opt(attribute.String(key, v))
		}
	}
	return t
}

// The "limit" attribute of otelcol_exporter_benchlog_limit_hits.
const (
	limitPendingRuns    = "max_pending_runs"
	limitSpansPerRun    = "max_spans_per_run"
	limitAttributeBytes = "max_attribute_bytes"
	limitWrittenRuns    = "max_written_runs"
	limitHeldBytes      = "max_held_bytes"
)

// The "stage" attribute of otelcol_exporter_benchlog_errors.
const (
	stageLog = "log"
	stageWAL = "wal"
)

func (t *telemetry) opt(kv attribute.KeyValue) metric.AddOption {
	o, ok := t.opts[kv]
	if !ok {
		o = metric.WithAttributeSet(attribute.NewSet(kv))
		t.opts[kv] = o
	}
	return o
}

func (t *telemetry) logWritten(ctx context.Context, reason string) {
	t.ExporterBenchlogLogsWritten.Add(ctx, 1, t.opt(attribute.String("reason", reason)))
}

func (t *telemetry) limitHit(ctx context.Context, limit string, n int64) {
	t.ExporterBenchlogLimitHits.Add(ctx, n, t.opt(attribute.String("limit", limit)))
}

func (t *telemetry) dropped(ctx context.Context, reason string, n int64) {
	t.ExporterBenchlogSpansDropped.Add(ctx, n, t.opt(attribute.String("reason", reason)))
}

func (t *telemetry) problems(ctx context.Context, n int64) {
	t.ExporterBenchlogInputProblems.Add(ctx, n)
}

func (t *telemetry) failure(ctx context.Context, stage string) {
	t.ExporterBenchlogErrors.Add(ctx, 1, t.opt(attribute.String("stage", stage)))
}

// pendingRuns sets the pending-runs gauge (an up-down counter) to n.
func (t *telemetry) pendingRuns(ctx context.Context, n int) {
	if d := int64(n) - t.pending; d != 0 {
		t.ExporterBenchlogPendingRuns.Add(ctx, d)
		t.pending = int64(n)
	}
}
