package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/internal/stacktest"
)

// TestOTLPEnvironmentThroughStack: a benchmark process configured only by
// the standard OTEL_EXPORTER_OTLP_* variables, with a "host:port" endpoint
// as --otlp-endpoint takes it, reaches the collector over OTLP/gRPC and over
// OTLP/HTTP (http/protobuf), and the collector writes its log.
func TestOTLPEnvironmentThroughStack(t *testing.T) {
	s := needStack(t)
	for _, tt := range []struct{ protocol, port string }{
		{"grpc", stacktest.OTLPPort},
		{"http/protobuf", stacktest.OTLPHTTPPort},
	} {
		t.Run(tt.protocol, func(t *testing.T) {
			inproc := t.TempDir()
			const bench = "int8_gemm_quantized"
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, s.bin, "run", "--log-dir", inproc, "--only", "^"+bench+"$", "--size", "small")
			cmd.Env = append(os.Environ(),
				"OTEL_EXPORTER_OTLP_ENDPOINT="+s.Addr(tt.port),
				"OTEL_EXPORTER_OTLP_PROTOCOL="+tt.protocol)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			require.NotContains(t, string(out), "not delivered")

			local, _, err := loadLogs(inproc)
			require.NoError(t, err)
			require.Len(t, local, 1)
			var runID string
			for id := range local {
				runID = id
			}
			err = stacktest.Eventually(t.Context(), 30*time.Second, 100*time.Millisecond, func() error {
				logs, _, err := loadLogs(s.LogDir)
				if err != nil {
					return err
				}
				if l, ok := logs[runID]; !ok || l.Status != "success" {
					return fmt.Errorf("no final log of run %s from %s in %s yet", runID, tt.protocol, s.LogDir)
				}
				return nil
			})
			require.NoError(t, err, "benchtrace said:\n%s", strings.TrimSpace(string(out)))
		})
	}
}
