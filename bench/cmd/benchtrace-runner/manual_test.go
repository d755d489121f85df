package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/cli/clitest"
)

// TestManualExamples checks that the example command lines of
// benchtrace's manual that are the runner's (run and exec) parse.
func TestManualExamples(t *testing.T) {
	n := 0
	for _, fields := range clitest.Examples(t, "../benchtrace/doc.go") {
		c, ok := cli.Lookup(commands, fields[0])
		if !ok {
			continue // benchtrace's own
		}
		n++
		t.Run(strings.Join(fields, " "), func(t *testing.T) {
			do, err := c.Parse(io.Discard, fields[1:])
			require.NoError(t, err)
			require.NotNil(t, do)
		})
	}
	assert.Greater(t, n, 1)
}
