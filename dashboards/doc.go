// Package dashboards holds benchtrace's Grafana dashboards and the Grafana
// provisioning files that load them. It has no Go API: the files are what
// Grafana reads, and what a Grafana user edits and exports.
//
// The files:
//
//   - json/benchmark-overview.json (uid benchtrace-overview): runs, success
//     rate, phase durations, resources and accuracy of all benchmarks;
//   - json/run-explorer.json (uid benchtrace-run-explorer): the runs of one
//     benchmark, failed and incomplete runs, and its traces in Jaeger;
//   - provisioning/datasources/benchtrace.yaml: the Prometheus
//     (uid benchtrace-prometheus) and Jaeger (uid benchtrace-jaeger) data
//     sources, as docker-compose.yml at the repository root runs them;
//   - provisioning/dashboards/benchtrace.yaml: a file provider for the JSON;
//   - compose/: the overlays docker-compose.yml gives the collector, Jaeger
//     and Prometheus.
//
// docs/dashboards.md says what each panel answers and which metrics it
// reads; the metrics are those the collector (collector/config.yaml)
// exports, listed in collector/metrics.json.
//
// The package's tests (go test ./dashboards/) validate the files without a
// network: the dashboards' structure, data sources, variables and units,
// and every PromQL expression, parsed with Prometheus's parser, against the
// metrics the collector exports. The test helper package internal/dashtest
// reads the dashboards and fills in their variables; the end-to-end tests
// (collector/e2e) use it to run every panel's query against a live
// Prometheus.
package dashboards // import "github.com/benchtrace/benchtrace/dashboards"
