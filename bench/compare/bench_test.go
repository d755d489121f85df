package compare_test

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/tools/genlogs"
)

// benchLogs is how many generated logs (genlogs, seed 1) BenchmarkLoad
// reads: a few thousand, as a comparison of two commits' worth of runs.
const benchLogs = 3000

// BenchmarkLoad is loading benchLogs generated logs, in the page cache
// after the first iteration: with LoadFiles, and with Source.Load as the
// commands load (listing the directory too):
//
//	go test -run '^$' -bench Load -benchmem -count 10 ./bench/compare/
//
// Besides time and allocations it reports cpu-sec/op, the CPU time of all
// the process's threads (GC included): on a machine shared with other
// work it varies much less than the wall time. And retained-B/run: the
// heap the loaded runs keep alive, per run, which is what bounds a
// comparison of many thousands of logs.
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	if err := genlogs.Write(dir, benchLogs, 0, 1); err != nil {
		b.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != benchLogs {
		b.Fatal(len(files), err)
	}
	var size int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}

	b.Run("LoadFiles", func(b *testing.B) {
		benchLoad(b, size, func() ([]analyze.Run, error) {
			return compare.LoadFiles(b.Context(), files, io.Discard)
		})
	})
	b.Run("Source", func(b *testing.B) {
		benchLoad(b, size, func() ([]analyze.Run, error) {
			return compare.Source{Dir: dir}.Load(b.Context(), io.Discard)
		})
	})
}

func benchLoad(b *testing.B, size int64, load func() ([]analyze.Run, error)) {
	b.SetBytes(size)
	cpu0, cpuOK := cpuTime()
	for b.Loop() {
		runs, err := load()
		if err != nil || len(runs) != benchLogs {
			b.Fatal(len(runs), err)
		}
	}
	b.StopTimer()
	if cpu1, ok := cpuTime(); ok && cpuOK {
		b.ReportMetric((cpu1-cpu0).Seconds()/float64(b.N), "cpu-sec/op")
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	runs, err := load()
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(len(runs)), "retained-B/run")
	runtime.KeepAlive(runs)
}
