// Package stacktest is the Go harness of the tests that run benchtrace's
// telemetry stack (collector/stack: the collector, Jaeger and Prometheus
// as processes on 127.0.0.1): free loopback ports, starting and stopping
// the stack with them, polling until a condition holds, and reading
// Jaeger's and Prometheus's HTTP APIs.
//
// The stack tests of collector/ and the end-to-end tests of collector/e2e
// use it; it is test support, not product API.
//
// The functions are safe for concurrent use. A [Stack] may be read from
// several goroutines; start and stop it from one.
package stacktest
