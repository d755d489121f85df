package analyze_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/sdk"
)

// TestExportNeverOverwrites checks that Export keeps a file that exists
// (Feluda's reports, named by the day, replaced each other), and replaces
// it only with Options.Overwrite.
func TestExportNeverOverwrites(t *testing.T) {
	runs := loadAll(t)
	for _, file := range []string{"report.json", "report.md", "runs.csv", "runs.bench"} {
		t.Run(file, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, file)
			require.NoError(t, analyze.Export(path, runs, analyze.Options{}), "a new file is written")
			first, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NotEmpty(t, first)
			require.NoError(t, os.WriteFile(path, []byte("an earlier report"), 0o644))

			err = analyze.Export(path, runs, analyze.Options{GeneratedAt: generatedAt})
			require.Error(t, err)
			assert.ErrorIs(t, err, fs.ErrExist)
			assert.Contains(t, err.Error(), path)
			got, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, "an earlier report", string(got), "the existing file is kept")

			require.NoError(t, analyze.Export(path, runs, analyze.Options{Overwrite: true}))
			got, rerr = os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, string(first), string(got), "replaced when asked")

			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file is left")
		})
	}
}

// TestProfiledRunsReport records operators with Benchtrace.Profile, as the
// Feluda suite's benchmarks did, and checks the report's sections: system
// information and per-operator statistics, with an operator that never
// succeeded listed (Feluda's report left it out) at success rate 0 and
// without timing statistics.
func TestProfiledRunsReport(t *testing.T) {
	ctx := context.Background()
	logDir := t.TempDir()
	bt, err := sdk.New(ctx, sdk.WithLogDir(logDir))
	require.NoError(t, err)
	var buf []byte
	for i := range 3 {
		p := bt.Profile(ctx, "cluster_embeddings", sdk.Operator{
			Init: func(context.Context) error { buf = make([]byte, (i+1)<<20); return nil },
			Run: func(context.Context) error {
				for j := range buf {
					buf[j] = byte(j)
				}
				return nil
			},
			Cleanup: func(context.Context) error { buf = nil; return nil },
		})
		require.NoError(t, p.Err)
	}
	for range 2 {
		p := bt.Profile(ctx, "detect_text_in_image", sdk.Operator{
			Init: func(context.Context) error { return nil },
			Run:  func(context.Context) error { return errors.New("tesseract not installed") },
		})
		require.Error(t, p.Err)
	}
	require.NoError(t, bt.Shutdown(ctx))

	files, err := filepath.Glob(filepath.Join(logDir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 5)
	runs, err := analyze.LoadFiles(files, nil)
	require.NoError(t, err)

	out := t.TempDir()
	jsonPath, mdPath := filepath.Join(out, "report.json"), filepath.Join(out, "report.md")
	require.NoError(t, analyze.Export(jsonPath, runs, analyze.Options{}))
	require.NoError(t, analyze.Export(mdPath, runs, analyze.Options{}))

	t.Run("json", func(t *testing.T) {
		data, err := os.ReadFile(jsonPath)
		require.NoError(t, err)
		var rep struct {
			SystemInfo map[string]any            `json:"system_info"`
			Statistics map[string]map[string]any `json:"statistics"`
		}
		require.NoError(t, json.Unmarshal(data, &rep))
		for _, key := range []string{"platform", "cpu_count", "total_memory_gb"} {
			assert.NotNil(t, rep.SystemInfo[key], "system_info.%s", key)
		}
		require.Contains(t, rep.Statistics, "cluster_embeddings")
		ok := rep.Statistics["cluster_embeddings"]
		assert.EqualValues(t, 3, ok["runs"])
		assert.EqualValues(t, 1, ok["success_rate"])
		for _, key := range []string{"avg_execution_time", "min_execution_time", "max_execution_time", "std_execution_time", "avg_memory_change", "max_memory_peak", "max_peak_rss_bytes"} {
			assert.IsType(t, 0.0, ok[key], "%s is a number", key)
		}
		assert.LessOrEqual(t, ok["min_execution_time"], ok["avg_execution_time"])
		assert.LessOrEqual(t, ok["avg_execution_time"], ok["max_execution_time"])
		assert.Equal(t, "execution", ok["main_phase"])
		mainDur := ok["main_phase_duration"].(map[string]any)
		assert.EqualValues(t, 3, mainDur["n"])
		assert.Less(t, mainDur["max"], ok["max_execution_time"], "the execution alone is shorter than the run")

		require.Contains(t, rep.Statistics, "detect_text_in_image", "an operator that never succeeded is listed")
		bad := rep.Statistics["detect_text_in_image"]
		assert.EqualValues(t, 2, bad["runs"])
		assert.EqualValues(t, 2, bad["failed"])
		assert.EqualValues(t, 0, bad["success_rate"])
		for _, key := range []string{"avg_execution_time", "min_execution_time", "max_execution_time", "std_execution_time", "avg_memory_change", "max_memory_peak", "avg_main_phase_time"} {
			assert.Nil(t, bad[key], "no %s without a success", key)
		}
	})

	t.Run("markdown", func(t *testing.T) {
		data, err := os.ReadFile(mdPath)
		require.NoError(t, err)
		md := string(data)
		for _, section := range []string{"## System Configuration", "## Statistics", "### Main phase", "## Runs", "## Failures"} {
			assert.Contains(t, md, "\n"+section+"\n")
		}
		for _, prop := range []string{"| Platform |", "| CPU count |", "| Total memory (GiB) |"} {
			assert.Contains(t, md, prop)
		}
		row := tableRow(t, md, "## Statistics", "detect_text_in_image")
		assert.Equal(t, []string{"detect_text_in_image", "2", "0.0%", "0", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}, row)
		row = tableRow(t, md, "## Statistics", "cluster_embeddings")
		assert.Equal(t, []string{"cluster_embeddings", "3", "100.0%", "3"}, row[:4])
		assert.NotEqual(t, "-", row[4], "a mean time")
		row = tableRow(t, md, "### Main phase", "cluster_embeddings")
		assert.Equal(t, []string{"cluster_embeddings", "execution", "3"}, row[:3])
		row = tableRow(t, md, "### Main phase", "detect_text_in_image")
		assert.Equal(t, []string{"detect_text_in_image", "-", "0", "-", "-", "-", "-", "-", "-"}, row)
		assert.Contains(t, md, "tesseract not installed")
	})
}

// tableRow returns the cells of the first table row after the heading
// whose first cell is name.
func tableRow(t *testing.T, md, heading, name string) []string {
	t.Helper()
	_, after, ok := strings.Cut(md, "\n"+heading+"\n")
	require.True(t, ok, "no %q", heading)
	for _, line := range strings.Split(after, "\n") {
		if !strings.HasPrefix(line, "| "+name+" |") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		return cells
	}
	t.Fatalf("no row %q after %q", name, heading)
	return nil
}
