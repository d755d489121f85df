package golden

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.golden")
	Assert(t, path, []byte("one\n"), true)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one\n", string(got))

	Assert(t, path, []byte("one\n"), false)
	assert.NoFileExists(t, path+".actual")

	mismatch := &recorder{}
	done := make(chan struct{})
	go func() { // FailNow ends the goroutine
		defer close(done)
		Assert(mismatch, path, []byte("two\n"), false)
	}()
	<-done
	assert.True(t, mismatch.Failed())
	actual, err := os.ReadFile(path + ".actual")
	require.NoError(t, err)
	assert.Equal(t, "two\n", string(actual))
}

// recorder is a testing.TB that records failures.
type recorder struct {
	testing.TB // nil: only the methods below are called
	failed     bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true; runtime.Goexit() }
func (r *recorder) Failed() bool          { return r.failed }
func (r *recorder) Name() string          { return "recorder" }
