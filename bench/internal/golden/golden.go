// Package golden compares test output with golden files, for the tests of
// bench/: on a mismatch it writes the output next to the golden file, and
// it rewrites golden files when asked to.
package golden

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Assert compares got with the golden file at path. On a mismatch it writes
// got to path.actual and fails t; with update it rewrites the golden file
// instead.
func Assert(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	actual := path + ".actual"
	if update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		_ = os.Remove(actual)
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test -update")
	if bytes.Equal(want, got) {
		_ = os.Remove(actual)
		return
	}
	require.NoError(t, os.WriteFile(actual, got, 0o644))
	assert.Equal(t, string(want), string(got), "output differs from %s; it is in %s", path, actual)
}
