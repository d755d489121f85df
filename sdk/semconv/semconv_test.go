package semconv_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// keys returns every attribute key the package defines: the values of its
// string constants that look like attribute keys.
func keys(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "semconv.go", nil, 0)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				s, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				if strings.HasPrefix(s, semconv.Namespace) && !strings.HasSuffix(s, ".") {
					out[s] = true
				}
			}
		}
	}
	// Keys built from prefixes and the OpenTelemetry ones.
	for _, k := range []string{
		semconv.ModelName, semconv.ModelArchitecture, semconv.ModelDataset, semconv.ModelBatchSize, semconv.ModelSeed,
		semconv.ResultMAE, semconv.ResultPrecisionBits, semconv.ResultOutputSample, semconv.ResultReferenceSample, semconv.ResultSamples,
		semconv.ServiceName, semconv.HostName, semconv.HostArch, semconv.HostCPUModelName, semconv.OSType, semconv.OSDescription,
		semconv.ProcessPID, semconv.ProcessRuntimeName, semconv.ProcessRuntimeVersion, semconv.VCSRefHeadRevision,
	} {
		out[k] = true
	}
	return out
}

// TestEveryKeyIsDocumented keeps docs/conventions.md, the reference of
// every key, in step with this package, the keys' one definition.
func TestEveryKeyIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "conventions.md"))
	require.NoError(t, err)
	for k := range keys(t) {
		assert.True(t, strings.Contains(string(doc), "`"+k+"`"), "docs/conventions.md does not describe %s", k)
	}
}

// TestCollectorConfigUsesDefinedKeys checks that every span attribute the
// collector's pipelines read (span_metrics dimensions, signal_to_metrics
// conditions and values) is a key this package defines.
func TestCollectorConfigUsesDefinedKeys(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("..", "..", "collector", "config.yaml"))
	require.NoError(t, err)
	defined := keys(t)
	re := regexp.MustCompile(`(?:span\.attributes\["|name: |key: )(benchtrace\.[a-z0-9_.]+)`)
	found := re.FindAllStringSubmatch(string(cfg), -1)
	require.NotEmpty(t, found)
	for _, m := range found {
		if strings.Count(m[1], ".") < 2 && !defined[m[1]] {
			continue // a metric name, not an attribute key
		}
		assert.True(t, defined[m[1]], "collector/config.yaml reads %s, which sdk/semconv does not define", m[1])
	}
}
