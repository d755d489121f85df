package dashboards_test

import (
	"fmt"

	"github.com/benchtrace/benchtrace/dashboards"
)

// The queries of the dashboards for one benchmark, as an end-to-end test
// would run them against Prometheus (POST /api/v1/query with query=Expr).
func ExampleQueries() {
	qs, err := dashboards.Queries(map[string]string{
		"benchmark":       "mlp_polyrelu_synthetic",
		"__rate_interval": "2m",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range qs {
		if q.Dashboard == "benchtrace-overview" && q.Panel == "Phase duration, p50 and p95" {
			fmt.Println(q.RefID, q.Instant, q.Expr)
		}
	}
	// Output:
	// A false histogram_quantile(0.5, sum by (le, benchtrace_benchmark_name, benchtrace_phase_name) (rate(traces_span_metrics_duration_seconds_bucket{benchtrace_benchmark_name=~"mlp_polyrelu_synthetic", benchtrace_phase_name=~".+"}[2m])))
	// B false histogram_quantile(0.95, sum by (le, benchtrace_benchmark_name, benchtrace_phase_name) (rate(traces_span_metrics_duration_seconds_bucket{benchtrace_benchmark_name=~"mlp_polyrelu_synthetic", benchtrace_phase_name=~".+"}[2m])))
}
