// Package dashboards holds benchtrace's Grafana dashboards and the Grafana
// provisioning files that load them, and gives tests the PromQL behind
// every panel.
//
// The files live next to this package and are embedded in it:
//
//   - json/benchmark-overview.json (uid benchtrace-overview): runs, success
//     rate, phase durations, resources and accuracy of all benchmarks;
//   - json/run-explorer.json (uid benchtrace-run-explorer): the runs of one
//     benchmark, failed and incomplete runs, and its traces in Jaeger;
//   - provisioning/datasources/benchtrace.yaml: the Prometheus
//     (uid benchtrace-prometheus) and Jaeger (uid benchtrace-jaeger) data
//     sources, as docker-compose.yml at the repository root runs them;
//   - provisioning/dashboards/benchtrace.yaml: a file provider for the JSON.
//
// docs/dashboards.md says what each panel answers and which metrics it
// reads; the metrics are those the collector (collector/config.yaml)
// exports, listed in collector/metrics.json.
//
// [Queries] returns every PromQL expression of the dashboards, panels and
// template variables alike, with the variables filled in as Grafana fills
// them, so that an end-to-end test can run each one against a Prometheus
// that scraped a real benchmark run. [FS] gives the embedded files.
//
// Everything here is safe for concurrent use: the package has no mutable
// state.
package dashboards // import "github.com/benchtrace/benchtrace/dashboards"
