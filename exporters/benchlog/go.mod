module github.com/benchtrace/benchtrace/exporters/benchlog

go 1.26.0

require (
	github.com/benchtrace/benchtrace/sdk/semconv v0.0.0
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

replace github.com/benchtrace/benchtrace/sdk/semconv => ../../sdk/semconv
