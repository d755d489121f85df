// Package metadata holds the build information of the benchlog exporter, in
// the shape mdatagen generates from metadata.yaml (written by hand: mdatagen
// is not served by this machine's module proxy).
package metadata // import "github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"

import (
	"go.opentelemetry.io/collector/component"
)

var (
	// Type is the component type, the key of the exporter in a collector
	// configuration: `exporters: {benchlog: …}`.
	Type = component.MustNewType("benchlog")
	// ScopeName is the instrumentation scope of the exporter's own
	// telemetry.
	ScopeName = "github.com/benchtrace/benchtrace/exporters/benchlogexporter"
)

const (
	// TracesStability is the stability of the traces exporter.
	TracesStability = component.StabilityLevelAlpha
)
