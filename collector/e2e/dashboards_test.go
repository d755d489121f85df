package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/internal/dashtest"
	"github.com/benchtrace/benchtrace/internal/stacktest"
)

// TestDashboardQueries runs every PromQL expression of every dashboard panel
// and template variable against the live Prometheus, after real runs of a
// benchmark, with the template variables filled in for that benchmark. A
// query that returns nothing is a panel that would show nothing: a failure.
func TestDashboardQueries(t *testing.T) {
	s := needStack(t)
	// Records MAE and has an inference phase; not the benchmark of
	// TestRunThroughStack, so that neither sees the other's series.
	const bench = "int8_gemm_quantized"
	// A first run creates the series; Prometheus scrapes them (every 2 s,
	// after the connectors' 2 s flush), so that rates and increases over
	// the next runs have a start.
	s.benchtrace(t, "run", "--logs", t.TempDir(), "--otlp-endpoint", s.OTLP(), "--only", "^"+bench+"$", "--size", "small")
	time.Sleep(6 * time.Second)
	s.benchtrace(t, "run", "--logs", t.TempDir(), "--otlp-endpoint", s.OTLP(), "--only", "^"+bench+"$", "--size", "small", "--repeat", "2")

	queries, err := dashtest.Queries(os.DirFS(filepath.Join(s.Root, "dashboards")), map[string]string{"benchmark": bench, "main_phase": "inference"})
	require.NoError(t, err)
	require.NotEmpty(t, queries)
	for _, q := range queries {
		t.Run(q.Name(), func(t *testing.T) {
			err := stacktest.Eventually(t.Context(), 30*time.Second, time.Second, func() error {
				r, err := s.query(t.Context(), q.Expr)
				if err != nil {
					return err
				}
				if len(r) == 0 {
					return fmt.Errorf("no data")
				}
				for _, x := range r {
					if !math.IsNaN(x.Value) {
						return nil
					}
				}
				return fmt.Errorf("only NaN: %v", r)
			})
			assert.NoError(t, err, "query %s", q.Expr)
		})
	}
}
