package dashtest_test

import (
	"fmt"
	"os"

	"github.com/benchtrace/benchtrace/internal/dashtest"
)

// The queries of the dashboards for one benchmark, as an end-to-end test
// runs them against Prometheus (GET /api/v1/query?query=Expr).
func ExampleQueries() {
	qs, err := dashtest.Queries(os.DirFS("../../dashboards"), map[string]string{
		"benchmark":       "mlp_polyrelu_synthetic",
		"__rate_interval": "2m",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range qs {
		if q.Dashboard == "benchtrace-overview" && (q.Panel == "Phase duration, p50 and p95" || q.Variable == "phase") {
			fmt.Println(q.Name(), q.Instant, q.Expr)
		}
	}
	// Output:
	// benchtrace-overview/phase/ false group by (benchtrace_phase_name) (traces_span_metrics_calls_total{benchtrace_benchmark_name=~"mlp_polyrelu_synthetic",benchtrace_phase_name!=""})
	// benchtrace-overview/Phase duration, p50 and p95/A false histogram_quantile(0.5, sum by (le, benchtrace_benchmark_name, benchtrace_phase_name) (rate(traces_span_metrics_duration_seconds_bucket{benchtrace_benchmark_name=~"mlp_polyrelu_synthetic", benchtrace_phase_name=~".+"}[2m])))
	// benchtrace-overview/Phase duration, p50 and p95/B false histogram_quantile(0.95, sum by (le, benchtrace_benchmark_name, benchtrace_phase_name) (rate(traces_span_metrics_duration_seconds_bucket{benchtrace_benchmark_name=~"mlp_polyrelu_synthetic", benchtrace_phase_name=~".+"}[2m])))
}
