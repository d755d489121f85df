package benchlogexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
)

// TestMetadataYAML keeps the hand-written internal/metadata in agreement
// with metadata.yaml, as mdatagen would.
func TestMetadataYAML(t *testing.T) {
	cm, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	assert.Equal(t, metadata.Type.String(), cm.Get("type"))
	assert.Equal(t, []any{"traces"}, cm.Get("status::stability::alpha"))
	assert.Equal(t, component.StabilityLevelAlpha, metadata.TracesStability)
	assert.Equal(t, NewFactory().TracesStability(), metadata.TracesStability)
	metrics, err := cm.Sub("telemetry::metrics")
	require.NoError(t, err)
	for _, name := range []string{"logs_written", "limit_hits", "spans_dropped", "input_problems", "errors", "pending_runs"} {
		assert.True(t, metrics.IsSet("exporter_benchlog_"+name), name)
	}
}
