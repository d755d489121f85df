package benchlogexporter

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
)

// BenchmarkFileExporterConsumeTraces runs contrib's fileexporter (v0.155.0,
// JSON format, one file, no rotation) on the batches of
// BenchmarkConsumeTraces/batch=run, for comparison. The fileexporter
// appends each batch as one line of OTLP JSON to one buffered file; the
// benchlog exporter assembles each run and writes it as its own file,
// atomically (temporary file, link).
func BenchmarkFileExporterConsumeTraces(b *testing.B) {
	b.Run("batch=run", func(b *testing.B) {
		ctx := context.Background()
		f := fileexporter.NewFactory()
		cfg := f.CreateDefaultConfig().(*fileexporter.Config)
		cfg.Path = filepath.Join(b.TempDir(), "traces.json")
		cfg.Rotation = nil
		exp, err := f.CreateTraces(ctx, exportertest.NewNopSettings(f.Type()), cfg)
		require.NoError(b, err)
		require.NoError(b, exp.Start(ctx, componenttest.NewNopHost()))
		consumeRuns(b, benchRuns(false), exp.ConsumeTraces)
		b.StopTimer()
		require.NoError(b, exp.Shutdown(ctx))
	})
}
