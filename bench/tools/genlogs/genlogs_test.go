package genlogs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/tools/genlogs"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// TestLogs checks that a seed gives the same logs, that they are run logs
// of every status, Python's among them, and named as the writer names
// them.
func TestLogs(t *testing.T) {
	collect := func(seed uint64) (names []string, data [][]byte) {
		for name, d := range genlogs.Logs(300, seed) {
			names, data = append(names, name), append(data, d)
		}
		return names, data
	}
	names, data := collect(1)
	names2, data2 := collect(1)
	require.Equal(t, names, names2)
	require.Equal(t, data, data2)
	_, other := collect(2)
	assert.NotEqual(t, data, other)

	statuses := map[string]int{}
	python := 0
	for i, d := range data {
		l, err := benchlog.Decode(d)
		require.NoError(t, err, names[i])
		statuses[l.Status]++
		if bytes.Contains(d, []byte("NaN")) {
			python++
		}
		name, _ := l.Metadata.String(benchlog.KeyBenchmarkName)
		assert.Equal(t, name, benchlog.BenchmarkOfFile(names[i]))
	}
	for _, s := range []string{"success", "failed", "interrupted", "running"} {
		assert.Positive(t, statuses[s], s)
	}
	assert.Positive(t, python)
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	require.NoError(t, genlogs.Write(dir, 20, 2, 1))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	broken := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "broken_") {
			broken++
		}
	}
	assert.Len(t, entries, 22)
	assert.Equal(t, 2, broken)
}
