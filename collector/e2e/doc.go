// Package e2e holds the end-to-end tests of the collector pipeline: they
// start the real stack (collector/stack up: our collector distribution,
// Jaeger v2 and Prometheus, on loopback ports), run real benchmarks against
// it, and check the JSON logs the benchlog exporter writes, the traces
// Jaeger holds and the series Prometheus answers.
//
// They run only when BENCHTRACE_E2E=1 (make test sets it), because the
// first start builds the collector and Jaeger, which takes minutes:
//
//	BENCHTRACE_E2E=1 go test -v -count=1 -timeout 45m ./collector/e2e/
//
// The package has no non-test code.
package e2e
