package benchlog

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFormatDependsOnStandardLibraryOnly keeps the log format a leaf that
// any writer or reader can import: its packages need the standard library
// and the attribute keys, nothing else (docs/architecture.md).
func TestFormatDependsOnStandardLibraryOnly(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.ElementsMatch(t, []string{
		"github.com/benchtrace/benchtrace/sdk/semconv",
		"github.com/benchtrace/benchtrace/exporters/benchlog",
	}, strings.Fields(string(out)))
}
