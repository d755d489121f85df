package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

func TestReportCommand(t *testing.T) {
	old, changed, _ := compareDirs(t)
	out := filepath.Join(t.TempDir(), "report.html")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(t.Context(), &stdout, &stderr,
		[]string{"report", "--log-dir", changed, "--baseline", old, "--out", out, "--title", "PR 42"}))
	assert.Regexp(t, `^Report written to: `+regexp.QuoteMeta(out)+` \(30 runs, \d+ KiB\)\n$`, stdout.String())
	assert.Empty(t, stderr.String())
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<title>PR 42</title>")
	assert.Contains(t, string(page), "Compared with the baseline")
	assert.Contains(t, string(page), "▲ worse")
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	// Without a baseline, and narrowed to one benchmark.
	stdout.Reset()
	require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"report", "--log-dir", changed, "--out", out, "--benchmark", "gemm"}))
	page, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.NotContains(t, string(page), "Compared with the baseline")
	assert.Equal(t, 4, strings.Count(string(page), `<svg class="chart"`))
}

func TestReportUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--alpha", "2"}, "--alpha must be between 0 and 1", 2},
		{[]string{"--out", ""}, "--out: want a file name", 2},
		{[]string{"--log-dir", filepath.Join(dir, "none")}, "reading log directory", 1},
		{[]string{"--log-dir", dir}, "no run logs", 1},
		{[]string{"extra"}, `unexpected argument "extra"`, 2},
	} {
		var stdout, stderr bytes.Buffer
		got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, append([]string{"report"}, tt.args...)))
		assert.Equal(t, tt.code, got, tt.args)
		assert.Contains(t, stderr.String(), tt.want)
	}
}
