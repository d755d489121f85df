package benchlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileBase(t *testing.T) {
	start := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	assert.Equal(t, "resnet20_relu_cifar10_20250109_123456", FileBase("resnet20_relu_cifar10", start))
}

func TestCreateHostileNames(t *testing.T) {
	start := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	names := []string{
		"../x", "../../../../etc/passwd", "/", "/abs/path", "a/b\\c", "nul\x00byte", "", ".", "..", "...hidden",
		strings.Repeat("long", 2500), "résumé_基准", "\n\t", "C:\\windows", "name with spaces",
	}
	outside := t.TempDir()
	dir, err := OpenDir(filepath.Join(outside, "logs"))
	require.NoError(t, err)
	for _, name := range names {
		path, err := dir.Create(name, start, []byte("{}"))
		require.NoError(t, err, "name %q", name)
		assert.Equal(t, dir.Path(), filepath.Dir(path), "name %q escaped the log directory", name)
		base := filepath.Base(path)
		assert.LessOrEqual(t, len(base), 160, "name %q", name)
		assert.False(t, strings.HasPrefix(base, "."), "name %q gave a hidden file", name)
		assert.NotContains(t, base, "\x00")
		assert.True(t, strings.HasSuffix(base, "_20250109_123456.json") || strings.Contains(base, "_20250109_123456_"), base)
	}
	// Nothing was written anywhere but the log directory.
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	logs, err := os.ReadDir(dir.Path())
	require.NoError(t, err)
	assert.Len(t, logs, len(names))
}

func TestCreateNeverOverwrites(t *testing.T) {
	dir, err := OpenDir(t.TempDir())
	require.NoError(t, err)
	start := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	const n = 20
	paths := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := dir.Create("same", start, []byte{byte('a' + i)})
			assert.NoError(t, err)
			paths[i] = p
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, p := range paths {
		assert.False(t, seen[p], "two runs got %s", p)
		seen[p] = true
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, []byte{byte('a' + i)}, b, "%s was overwritten", p)
	}
	assert.True(t, seen[filepath.Join(dir.Path(), "same_20250109_123456.json")])
	assert.True(t, seen[filepath.Join(dir.Path(), "same_20250109_123456_2.json")])
	// No temporary files are left behind.
	entries, err := os.ReadDir(dir.Path())
	require.NoError(t, err)
	assert.Len(t, entries, n)
}

func TestReplace(t *testing.T) {
	dir, err := OpenDir(t.TempDir())
	require.NoError(t, err)
	p, err := dir.Create("r", time.Now(), []byte("one"))
	require.NoError(t, err)
	require.NoError(t, dir.Replace(p, []byte("two")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	assert.Error(t, dir.Replace(filepath.Join(t.TempDir(), "x.json"), nil), "a path outside the directory")
	assert.Error(t, dir.Replace(filepath.Join(dir.Path(), "..", "x.json"), nil))
	_, err = OpenDir("")
	assert.Error(t, err)
}

func TestParseFileName(t *testing.T) {
	for _, tt := range []struct {
		file, base string
		n          int
		ok         bool
		benchmark  string
	}{
		{"resnet_20250109_123456.json", "resnet_20250109_123456", 1, true, "resnet"},
		{"resnet_20250109_123456_2.json", "resnet_20250109_123456", 2, true, "resnet"},
		{"a_b_c_20250109_123456_17.json", "a_b_c_20250109_123456", 17, true, "a_b_c"},
		// Named after its run once the numbered names ran out (CreateRun).
		{"resnet_20250109_123456_4bf92f3577b34da6a3ce929d0e0e4736.json", "resnet_20250109_123456", 0, true, "resnet"},
		{"resnet_20250109_123456_4BF92F3577B34DA6A3CE929D0E0E4736.json", "", 0, false, "resnet_20250109_123456_4BF92F3577B34DA6A3CE929D0E0E4736"},
		{"resnet_4bf92f3577b34da6a3ce929d0e0e4736.json", "", 0, false, "resnet_4bf92f3577b34da6a3ce929d0e0e4736"},
		{"resnet_20250109_123456_1.json", "", 0, false, "resnet_20250109_123456_1"},
		{"resnet_20250109_123456_02.json", "", 0, false, "resnet_20250109_123456_02"},
		{"resnet_20250109_123456_x.json", "", 0, false, "resnet_20250109_123456_x"},
		{"resnet_20250109_12345.json", "", 0, false, "resnet_20250109_12345"},
		{"_20250109_123456.json", "", 0, false, "_20250109_123456"},
		{"resnet_20250109_123456.txt", "", 0, false, "resnet_20250109_123456.txt"},
		{"notes.json", "", 0, false, "notes"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			base, n, ok := ParseFileName(tt.file)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.base, base)
			assert.Equal(t, tt.n, n)
			assert.Equal(t, tt.benchmark, BenchmarkOfFile(tt.file))
		})
	}
}

func TestParseFileNameRoundTrip(t *testing.T) {
	start := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	for _, name := range []string{"resnet20", "a b/c", "..", "x_20250109_123456"} {
		base := FileBase(name, start)
		got, n, ok := ParseFileName(base + ".json")
		require.True(t, ok, name)
		assert.Equal(t, base, got)
		assert.Equal(t, 1, n)
		assert.Equal(t, SafeName(name), BenchmarkOfFile(base+".json"))
	}
}

func TestFindRuns(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	require.NoError(t, err)
	start := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	paths := map[string]string{}
	for _, id := range []string{"aaaa", "bbbb", "cccc"} {
		l := &Log{Metadata: Object{{Key: KeyBenchmarkName, Value: "b"}, {Key: KeyRunID, Value: id}}}
		data, err := Encode(l)
		require.NoError(t, err)
		paths[id], err = d.Create("b", start, data)
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(d.Path(), "broken_20250109_123456.json"), []byte("{"), 0o644))

	got, err := FindRuns(d.Path(), "", "bbbb", "cccc", "dddd")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"bbbb": paths["bbbb"], "cccc": paths["cccc"]}, got)

	got, err = FindRuns(d.Path(), FileBase("b", start), "aaaa")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"aaaa": paths["aaaa"]}, got)
	got, err = FindRuns(d.Path(), FileBase("other", start), "aaaa")
	require.NoError(t, err)
	assert.Empty(t, got)
}

// More runs of one benchmark in one second than numbered names: each later
// log is named after its run, and creating them stays cheap (the old code
// tried every number up to 9,999 for each, and then failed).
func TestCreateRunFallsBackToRunID(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	require.NoError(t, err)
	start := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	const runs = maxNumbered + 200
	seen := map[string]bool{}
	began := time.Now()
	for i := range runs {
		id := fmt.Sprintf("%032x", i+1)
		path, err := d.CreateRun("resnet", start, id, []byte(id))
		require.NoError(t, err, "run %d", i)
		require.False(t, seen[path], "two runs in %s", path)
		seen[path] = true
		base, n, ok := ParseFileName(filepath.Base(path))
		require.True(t, ok, path)
		assert.Equal(t, "resnet_20250109_123456", base)
		if i >= maxNumbered {
			assert.Equal(t, 0, n, path)
			assert.Equal(t, "resnet_20250109_123456_"+id+".json", filepath.Base(path))
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, id, string(data))
	}
	t.Logf("%d logs of one name and second in %s", runs, time.Since(began))
	// The run's name taken already (an earlier log of the same run): a
	// random one, never an overwrite.
	id := fmt.Sprintf("%032x", maxNumbered+1)
	path, err := d.CreateRun("resnet", start, id, []byte("again"))
	require.NoError(t, err)
	assert.False(t, seen[path])
	// Create, without a run ID, also goes on past the numbered names.
	path, err = d.Create("resnet", start, []byte("anonymous"))
	require.NoError(t, err)
	_, n, ok := ParseFileName(filepath.Base(path))
	assert.True(t, ok)
	assert.Equal(t, 0, n)
}

func TestRemoveStaleTemps(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	require.NoError(t, err)
	old := filepath.Join(d.Path(), ".benchlog-123.tmp")
	fresh := filepath.Join(d.Path(), ".benchlog-456.tmp")
	keep := filepath.Join(d.Path(), "resnet_20250109_123456.json")
	for _, p := range []string{old, fresh, keep} {
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
	}
	hourAgo := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(old, hourAgo, hourAgo))
	require.NoError(t, os.Chtimes(keep, hourAgo, hourAgo))
	n, err := d.RemoveStaleTemps(time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.NoFileExists(t, old)
	assert.FileExists(t, fresh, "a write in progress elsewhere is left alone")
	assert.FileExists(t, keep)
}
