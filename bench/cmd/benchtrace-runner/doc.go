// Command benchtrace-runner does benchtrace's run and exec: the commands
// that make runs, and so link the SDK (OpenTelemetry's SDK, its OTLP/gRPC
// exporter, gopsutil).
//
// benchtrace runs it for them, with the same command line, so that its
// other commands (analyze, compare, trend, report), which only read logs,
// start without initializing the SDK's packages. benchtrace looks for
// benchtrace-runner next to its own executable, then in PATH; build both
// into one directory:
//
//	go build -o bin/ ./bench/cmd/...
//	go install github.com/benchtrace/benchtrace/bench/cmd/...@latest
//
// "go run ./bench/cmd/benchtrace run" works too: with no runner
// installed, benchtrace installs this one, from the same source, into the
// user's cache directory. Run directly, benchtrace-runner speaks as
// benchtrace: the manual of both commands is benchtrace's ("go doc
// ./bench/cmd/benchtrace").
package main
