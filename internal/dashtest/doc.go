// Package dashtest reads benchtrace's Grafana dashboards (dashboards/json)
// for tests: their model, Grafana's template-variable interpolation, and
// every PromQL expression behind their panels and variables, read with
// Prometheus's own parser (github.com/prometheus/prometheus/promql/parser).
//
// It is test support, not product API: the dashboards' validation tests
// (go test ./dashboards/) and the end-to-end test that runs every panel's
// query against a live Prometheus (collector/e2e) use it. It re-implements
// only the part of Grafana they need: the variable syntaxes, the
// Prometheus data source's escaping, the built-in interval variables, and
// the label_values and query_result variable queries.
//
// Everything here is safe for concurrent use: a loaded [Dashboard] is only
// read, and the package has no mutable state.
package dashtest
