package benchlogexporter

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func walID(n int) string { return fmt.Sprintf("%032x", n+1) }

// TestWALRecords: what a run's file holds after a sequence of appends, and
// what reading it back says (a new process's replay).
func TestWALRecords(t *testing.T) {
	type step struct {
		spans   string // a walSpans record with this payload, else…
		written string // …a walWritten record "status\nfile" (skipped when already the last one)
	}
	tests := []struct {
		name      string
		steps     []step
		wantKinds string // kinds of the records in the file
		wantDirty bool
	}{
		{"spans only", []step{{spans: "a"}, {spans: "b"}}, "SS", true},
		{"a checkpoint", []step{{spans: "a"}, {written: "running\nx.json"}}, "SW", false},
		{"the same log again is not recorded", []step{{spans: "a"}, {written: "running\nx.json"}, {written: "running\nx.json"}}, "SW", false},
		{"a new status is", []step{{spans: "a"}, {written: "running\nx.json"}, {written: "incomplete\nx.json"}}, "SWW", false},
		{"so is the same log after new spans", []step{{spans: "a"}, {written: "running\nx.json"}, {spans: "b"}, {written: "running\nx.json"}}, "SWSW", false},
		{"spans after the last log", []step{{spans: "a"}, {written: "running\nx.json"}, {spans: "b"}}, "SWS", true},
		{"no file, no written record", []step{{written: "running\nx.json"}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := openWAL(dir, false)
			require.NoError(t, err)
			id := walID(0)
			for _, s := range tt.steps {
				if s.spans != "" {
					require.NoError(t, w.appendSpans(id, []byte(s.spans)))
				} else {
					status, file, ok := parseWritten([]byte(s.written))
					require.True(t, ok)
					require.NoError(t, w.recordWritten(id, status, file))
				}
			}
			assert.Equal(t, tt.wantDirty, w.dirty(id))
			w.close()

			// A new process reads it back.
			w2, err := openWAL(dir, false)
			require.NoError(t, err)
			recs, err := w2.read(id)
			if tt.wantKinds == "" {
				require.Error(t, err, "no file")
				assert.False(t, w2.has(id))
				return
			}
			require.NoError(t, err)
			var kinds []byte
			for _, r := range recs {
				kinds = append(kinds, r.kind)
			}
			assert.Equal(t, tt.wantKinds, string(kinds))
			assert.True(t, w2.has(id))
			assert.Equal(t, tt.wantDirty, w2.dirty(id), "dirty, as read back")
		})
	}
}

// TestWALOpenFiles: the files of at most walMaxOpen runs stay open; the
// others are reopened as needed, and every record reaches its own file.
func TestWALOpenFiles(t *testing.T) {
	for _, fsync := range []bool{false, true} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) {
			dir := t.TempDir()
			w, err := openWAL(dir, fsync)
			require.NoError(t, err)
			runs := walMaxOpen + 10
			for round := range 3 {
				for i := range runs {
					require.NoError(t, w.appendSpans(walID(i), fmt.Appendf(nil, "run %d round %d", i, round)))
				}
				assert.Equal(t, walMaxOpen, w.open.Len())
			}
			require.NoError(t, w.remove(walID(runs-1)), "an open file")
			require.NoError(t, w.remove(walID(0)), "a closed file")
			require.NoError(t, w.remove(walID(runs+5)), "no file")
			assert.Equal(t, walMaxOpen-1, w.open.Len())
			w.close()
			assert.Zero(t, w.open.Len())

			w2, err := openWAL(dir, fsync)
			require.NoError(t, err)
			ids, err := w2.list()
			require.NoError(t, err)
			assert.Len(t, ids, runs-2)
			for i := 1; i < runs-1; i++ {
				recs, err := w2.read(walID(i))
				require.NoError(t, err)
				require.Len(t, recs, 3, "run %d", i)
				for round, r := range recs {
					assert.Equal(t, fmt.Sprintf("run %d round %d", i, round), string(r.payload))
				}
			}
			// Appends after a read go on in the same file.
			require.NoError(t, w2.appendSpans(walID(1), []byte("after")))
			w2.close()
			data, err := os.ReadFile(filepath.Join(dir, walDirName, walID(1)+walExt))
			require.NoError(t, err)
			assert.Equal(t, 1, bytes.Count(data, []byte(walHeader)), "one header")
		})
	}
}
