// Package collector holds no code: the directory holds benchtrace's
// OpenTelemetry Collector distribution and the stack around it, and this
// package's tests keep those files honest.
//
//   - builder-config.yaml: the ocb manifest (pinned versions, and the
//     benchlog exporter from exporters/benchlogexporter by gomod + path).
//   - config.yaml: the collector's pipelines: OTLP/gRPC in, then Jaeger,
//     benchlog run logs, and span metrics for Prometheus.
//   - metrics.json: the Prometheus metric and label names those pipelines
//     produce, the one list dashboards should read.
//   - jaeger.yaml, prometheus.yml: the other two processes of the stack.
//   - stack: builds and runs the three on 127.0.0.1 (`collector/stack up`).
//
// The tests need no built binaries, except TestStackLive, which runs only
// with BENCHTRACE_STACK_TEST=1 (see its comment).
package collector
