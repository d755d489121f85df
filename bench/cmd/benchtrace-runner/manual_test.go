package main

import (
	"go/parser"
	"go/token"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

// TestManualExamples checks that the example command lines of
// benchtrace's manual that are the runner's (run and exec) parse.
func TestManualExamples(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../benchtrace/doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	_, examples, ok := strings.Cut(f.Doc.Text(), "\n# Examples\n")
	require.True(t, ok, "the manual has examples")
	n := 0
	for _, line := range strings.Split(examples, "\n") {
		args, ok := strings.CutPrefix(strings.TrimSpace(line), "benchtrace ")
		if !ok {
			continue
		}
		fields := strings.Fields(strings.TrimSuffix(args, "&"))
		c, ok := cli.Lookup(commands, fields[0])
		if !ok {
			continue // benchtrace's own
		}
		n++
		t.Run(args, func(t *testing.T) {
			do, err := c.Parse(io.Discard, fields[1:])
			require.NoError(t, err)
			require.NotNil(t, do)
		})
	}
	assert.Greater(t, n, 1)
}
