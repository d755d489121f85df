package sdk_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	otelsemconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// TestSemconvMatchesOpenTelemetry keeps the standard keys, which
// sdk/semconv spells out so that it needs nothing but the standard library,
// equal to otel-go's semantic conventions.
func TestSemconvMatchesOpenTelemetry(t *testing.T) {
	assert.Equal(t, otelsemconv.SchemaURL, semconv.SchemaURL)
	for ours, theirs := range map[string]string{
		semconv.ServiceName:           string(otelsemconv.ServiceNameKey),
		semconv.HostName:              string(otelsemconv.HostNameKey),
		semconv.HostArch:              string(otelsemconv.HostArchKey),
		semconv.HostCPUModelName:      string(otelsemconv.HostCPUModelNameKey),
		semconv.OSType:                string(otelsemconv.OSTypeKey),
		semconv.OSDescription:         string(otelsemconv.OSDescriptionKey),
		semconv.ProcessPID:            string(otelsemconv.ProcessPIDKey),
		semconv.ProcessRuntimeName:    string(otelsemconv.ProcessRuntimeNameKey),
		semconv.ProcessRuntimeVersion: string(otelsemconv.ProcessRuntimeVersionKey),
		semconv.VCSRefHeadRevision:    string(otelsemconv.VCSRefHeadRevisionKey),
		semconv.ExceptionType:         string(otelsemconv.ExceptionTypeKey),
		semconv.ExceptionMessage:      string(otelsemconv.ExceptionMessageKey),
		semconv.ExceptionStacktrace:   string(otelsemconv.ExceptionStacktraceKey),
	} {
		assert.Equal(t, theirs, ours)
	}
}
