// An empty stand-in for a module that only tests of the contrib connectors
// import. The module proxy refuses it at v0.155.0 (403), and ocb's
// `go mod tidy` looks for the imports of dependencies' tests too:
// builder-config.yaml replaces the module with this directory. Nothing in
// the collector binary uses it.
module github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden

go 1.25
