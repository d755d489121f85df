package benchlogexporter

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
)

// NewFactory returns the factory of the benchlog exporter, of type
// "benchlog", for traces.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithTraces(createTraces, metadata.TracesStability),
	)
}

func createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	e, err := newExporter(cfg.(*Config), set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	// No queue and no retry: every batch is written (or put in the
	// write-ahead log) before ConsumeTraces returns, and a batch delivered
	// twice is harmless (spans are deduplicated by span ID).
	return exporterhelper.NewTraces(ctx, set, cfg, e.ConsumeTraces,
		exporterhelper.WithStart(e.Start),
		exporterhelper.WithShutdown(e.Shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	)
}
