// An empty stand-in for a contrib module the module proxy refuses (403) at
// v0.155.0. Only the tests of contrib's fileexporter import it, and
// benchlogexporter's benchmarks never build those; go.mod's replace points
// here so that `go mod tidy` can complete the module graph.
module github.com/open-telemetry/opentelemetry-collector-contrib/extension/encoding/otlpencodingextension

go 1.25.0
