package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

func TestRunWarmupFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, []string{"run", "--warmup", "-1"}))
	assert.Equal(t, 2, got)
	assert.Contains(t, stderr.String(), "run: --warmup must be at least 0, got -1")

	stdout.Reset()
	stderr.Reset()
	assert.NoError(t, run(t.Context(), &stdout, &stderr, []string{"run", "-h"}))
	assert.Contains(t, stdout.String(), "-warmup N")
}
