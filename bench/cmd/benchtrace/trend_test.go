package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
)

// historyDir writes 8 runs of each of four commits into one directory, a
// day apart; kmeans' fit phase gets 25% slower at the third commit.
func historyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i := range 4 {
		set := fakelogs.Set{Benchmarks: fakelogs.Default()[1:], Runs: 8, Seed: uint64(20 + i),
			Commit: fmt.Sprintf("%x%039x", 10+i, i), Start: time.Date(2026, 11, 1+i, 9, 0, 0, 0, time.Local)}
		if i >= 2 {
			set.Changes = []fakelogs.Change{{Benchmark: "kmeans_embeddings", Phase: "fit", Measure: "duration", Factor: 1.25}}
		}
		_, err := fakelogs.Write(dir, set)
		require.NoError(t, err)
	}
	return dir
}

func TestTrendCommand(t *testing.T) {
	dir := historyDir(t)
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"trend", "--log-dir", dir}))
	out := stdout.String()
	assert.Contains(t, out, "4 points by commit, oldest first:")
	assert.Regexp(t, `kmeans_embeddings/fit duration got 2\d\.\d% slower at c000000 \(worse\): `, out)
	assert.Empty(t, stderr.String())

	stdout.Reset()
	require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"trend", "--log-dir", dir, "--format", "json", "--benchmark", "kmeans"}))
	var js struct {
		By      string
		Changes []struct{ At string }
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &js))
	assert.Equal(t, "commit", js.By)
	require.NotEmpty(t, js.Changes)
	assert.Equal(t, "c000000", js.Changes[0].At)

	stdout.Reset()
	require.NoError(t, run(t.Context(), &stdout, &stderr, []string{"trend", "--log-dir", dir, "--by", "day"}))
	assert.Contains(t, stdout.String(), "4 points by day")
}

func TestTrendUsage(t *testing.T) {
	dir := historyDir(t)
	for _, tt := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--by", "week"}, `--by "week": want auto, commit or day`, 2},
		{[]string{"--alpha", "0"}, "--alpha must be between 0 and 1", 2},
		{[]string{"--min-change", "-1"}, "--min-change must be at least 0", 2},
		{[]string{"--format", "csv"}, `--format "csv": want text or json`, 2},
		{[]string{"--log-dir", dir, "extra"}, `unexpected argument "extra"`, 2},
		{[]string{"--log-dir", dir, "--benchmark", "nope"}, `match --benchmark "nope"`, 1},
	} {
		var stdout, stderr bytes.Buffer
		got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, append([]string{"trend"}, tt.args...)))
		assert.Equal(t, tt.code, got, tt.args)
		assert.Contains(t, stderr.String(), tt.want)
	}
}
