// An empty stand-in for a contrib module the module proxy refuses (403) at
// v0.155.0, required by otlpencodingextension only. See
// ../otlpencodingextension/go.mod.
module github.com/open-telemetry/opentelemetry-collector-contrib/extension/encoding

go 1.25.0
