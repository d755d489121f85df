package benchlogexporter

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// crosscheckDir holds the spans of two runs recorded with otel-go, as the
// OTLP exporter sends them (spans.json, OTLP/JSON), and the logs the
// in-process writer wrote from them (the other *.json). The SDK's
// TestCrosscheck (sdk/internal/logwriter/crosscheck_test.go, in the root
// module, which this module must not require) writes them, and fails when
// what it records and writes differs from them; `go test -run Crosscheck
// -update` there rewrites them.
var crosscheckDir = filepath.Join("testdata", "crosscheck")

// TestCrosscheck: from the same runs, the exporter writes the same log
// files, byte for byte, as the in-process writer. The spans are consumed
// one per batch, in the order they ended (each run's root last), as the
// collector receives them from an SDK that exports each span as it ends.
func TestCrosscheck(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(crosscheckDir, "spans.json"))
	require.NoError(t, err)
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
	require.NoError(t, err)
	require.Equal(t, 10, td.SpanCount(), "the spans of two runs")

	e := newTestExporter(t, "", nil)
	for _, one := range oneSpanBatches(td) {
		e.consume(t, one)
	}
	require.NoError(t, e.Shutdown(context.Background()))
	// The failed run has an attribute of the wrong type; the in-process
	// writer reports it at each write, the exporter logs it once.
	assert.Equal(t, 1, e.logs.FilterMessageSnippet("attributes the log cannot use").Len())
	assert.Empty(t, pendingWAL(t, e.dir))

	golden, err := filepath.Glob(filepath.Join(crosscheckDir, "*.json"))
	require.NoError(t, err)
	var want []string
	for _, g := range golden {
		if name := filepath.Base(g); name != "spans.json" {
			want = append(want, name)
		}
	}
	require.Equal(t, []string{"fhe_resnet20_20250109_123456.json", "fhe_resnet20_20250109_133456.json"}, want)
	require.Equal(t, want, logFiles(t, e.dir), "the same file names")
	for _, name := range want {
		wantData, err := os.ReadFile(filepath.Join(crosscheckDir, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(e.dir, name))
		require.NoError(t, err)
		if !bytes.Equal(wantData, got) {
			gotPath := filepath.Join(crosscheckDir, name+".exporter.got")
			require.NoError(t, os.WriteFile(gotPath, got, 0o644))
			t.Errorf("%s: the exporter's log differs from the in-process writer's (written to %s)", name, gotPath)
			// Key by key, for a readable difference.
			lw, lg := readLog(t, filepath.Join(crosscheckDir, name)), readLog(t, filepath.Join(e.dir, name))
			assert.Equal(t, lw.Metadata, lg.Metadata)
			assert.Equal(t, lw.Phases, lg.Phases)
			assert.Equal(t, lw.Timing, lg.Timing)
		}
	}
}

// oneSpanBatches splits td into batches of one span each, in order.
func oneSpanBatches(td ptrace.Traces) []ptrace.Traces {
	var out []ptrace.Traces
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				one := ptrace.NewTraces()
				ors := one.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(ors.Resource())
				ors.SetSchemaUrl(rs.SchemaUrl())
				oss := ors.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(oss.Scope())
				oss.SetSchemaUrl(ss.SchemaUrl())
				spans.At(k).CopyTo(oss.Spans().AppendEmpty())
				out = append(out, one)
			}
		}
	}
	return out
}
