package analyze

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/benchtrace/benchtrace/bench/tools/genlogs"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// The benchmarks of loading and summarizing, one per stage, so that the
// next regression shows where it is (docs/performance.md):
//
//	go test -run '^$' -bench 'Stage|Decode' -benchmem ./bench/analyze/
//
// They run on benchLogs generated logs (genlogs, seed 1), written once
// per test binary into a temporary directory.
const benchLogs = 2000

var benchDir struct {
	once  sync.Once
	dir   string
	names []string
	data  [][]byte
	bytes int64
	err   error
}

// generated returns the directory of the generated logs, their names and
// contents.
func generated(b *testing.B) (dir string, names []string, data [][]byte) {
	b.Helper()
	d := &benchDir
	d.once.Do(func() {
		d.dir, d.err = os.MkdirTemp("", "analyze-bench-")
		if d.err != nil {
			return
		}
		for name, log := range genlogs.Logs(benchLogs, 1) {
			d.names = append(d.names, name)
			d.data = append(d.data, log)
			d.bytes += int64(len(log))
		}
		d.err = genlogs.Write(d.dir, benchLogs, 0, 1)
	})
	if d.err != nil {
		b.Fatal(d.err)
	}
	return d.dir, d.names, d.data
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir.dir != "" {
		os.RemoveAll(benchDir.dir)
	}
	os.Exit(code)
}

// BenchmarkStageList is listing the directory: names, types, batches.
func BenchmarkStageList(b *testing.B) {
	dir, _, _ := generated(b)
	for b.Loop() {
		d, err := os.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		n, err := listDir(context.Background(), d, dir, nil, func([]job) {})
		d.Close()
		if err != nil || n != benchLogs {
			b.Fatal(n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchLogs), "ns/log")
}

// BenchmarkStageRead is reading the files, one goroutine.
func BenchmarkStageRead(b *testing.B) {
	dir, names, _ := generated(b)
	b.SetBytes(benchDir.bytes)
	var buf []byte
	for b.Loop() {
		for _, name := range names {
			if _, err := readLog(filepath.Join(dir, name), &buf); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchLogs), "ns/log")
}

// stdLog is what a decoder built on encoding/json would read into: the
// fields the summary needs (but not timing's key order, which the main
// phase needs, so it is not a full candidate).
type stdLog struct {
	Metadata map[string]any `json:"metadata"`
	Model    map[string]any `json:"model"`
	Phases   map[string]struct {
		Duration *float64 `json:"duration_seconds"`
		Parent   any      `json:"parent"`
		User     *float64 `json:"cpu_user_seconds"`
		Sys      *float64 `json:"cpu_system_seconds"`
		Peak     *float64 `json:"peak_rss_bytes"`
		Change   *float64 `json:"memory_change_bytes"`
	} `json:"phases"`
	Results map[string]any `json:"results"`
	Timing  map[string]any `json:"timing"`
	Status  *string        `json:"status"`
	Error   any            `json:"error"`
}

// BenchmarkDecode compares the decoders of a log, one goroutine: the
// scanner (what loading uses), benchlog.Decode (the format's full
// decoder, the reference), valyala/fastjson, and encoding/json into the
// fields needed. docs/performance.md has goccy/go-json's and sonic's too,
// measured outside the module.
func BenchmarkDecode(b *testing.B) {
	_, _, data := generated(b)
	b.Run("decoder=scanner", func(b *testing.B) {
		b.SetBytes(benchDir.bytes)
		var s scanner
		var out scanned
		for b.Loop() {
			for _, d := range data {
				if err := s.scan(d, &out); err != nil && err != errSlowPath {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("decoder=benchlog.Decode", func(b *testing.B) {
		b.SetBytes(benchDir.bytes)
		for b.Loop() {
			for _, d := range data {
				if _, err := benchlog.Decode(d); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("decoder=fastjson", func(b *testing.B) {
		// valyala/fastjson, which bench/compare used until it shared
		// analyze.LoadFiles (it reads some numbers an ulp off): a parse that
		// checks the syntax and builds a tree (reused), then the fields
		// looked up. It does not read Python's NaN: those logs are
		// skipped here, and would need another decoder.
		b.SetBytes(benchDir.bytes)
		var p fastjson.Parser
		var sink float64
		for b.Loop() {
			for _, d := range data {
				v, err := p.ParseBytes(d)
				if err != nil {
					continue // NaN
				}
				_ = v.GetStringBytes("metadata", "benchmark_name")
				_ = v.GetStringBytes("metadata", "timestamp_start")
				_ = v.GetStringBytes("model", "name")
				_ = v.GetStringBytes("model", "architecture")
				_ = v.GetStringBytes("model", "dataset")
				_ = v.GetStringBytes("status")
				sink += v.GetFloat64("results", "mae") + v.GetFloat64("results", "precision_bits")
				sink += v.GetFloat64("timing", "total_duration_seconds") + v.GetFloat64("timing", "cpu_user_seconds")
				if ph := v.GetObject("phases"); ph != nil {
					ph.Visit(func(_ []byte, p *fastjson.Value) {
						sink += p.GetFloat64("duration_seconds") + p.GetFloat64("cpu_user_seconds") +
							p.GetFloat64("cpu_system_seconds") + p.GetFloat64("peak_rss_bytes") + p.GetFloat64("memory_change_bytes")
					})
				}
			}
		}
	})
	b.Run("decoder=encoding-json-struct", func(b *testing.B) {
		b.SetBytes(benchDir.bytes)
		for b.Loop() {
			for _, d := range data {
				var l stdLog
				// As benchlog.Decode, Python's NaN must go first.
				if bytes.Contains(d, []byte("NaN")) {
					d = bytes.ReplaceAll(d, []byte("NaN"), []byte("null"))
				}
				if err := json.Unmarshal(d, &l); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkStageSummarize is turning read logs into records: scanning,
// deriving the figures, interning, encoding, and sorting them at the end;
// one goroutine.
func BenchmarkStageSummarize(b *testing.B) {
	dir, names, data := generated(b)
	b.SetBytes(benchDir.bytes)
	var bytesPerRun float64
	for b.Loop() {
		ld := &loader{st: newStore(dir, nil)}
		var w worker
		for i, d := range data {
			j := job{path: filepath.Join(dir, names[i]), base: names[i]}
			err := w.summarize(d, j)
			if err == errSlowPath {
				err = w.summarizeSlowly(d, j)
			}
			if err != nil {
				b.Fatal(err)
			}
			ld.scratch = ld.st.encode(&ld.rec, &w.e, ld.scratch)
			ld.ids = append(ld.ids, ld.st.add(ld.rec.b))
		}
		ld.st.sortIDs(ld.ids)
		var size int
		for _, c := range ld.st.chunks {
			size += len(c.data) + 4*len(c.end)
		}
		bytesPerRun = float64(size+4*len(ld.ids)) / float64(len(ld.ids))
	}
	b.ReportMetric(bytesPerRun, "B/run-kept")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchLogs), "ns/log")
}

// BenchmarkStagePrint is writing the summary of loaded runs.
func BenchmarkStagePrint(b *testing.B) {
	dir, _, _ := generated(b)
	s, err := LoadDir(context.Background(), dir, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.WriteSummary(io.Discard, Options{Warnings: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchLogs), "ns/log")
}

// BenchmarkLoadDir is the whole of loading, on workers() goroutines.
func BenchmarkLoadDir(b *testing.B) {
	dir, _, _ := generated(b)
	b.SetBytes(benchDir.bytes)
	for b.Loop() {
		if _, err := LoadDir(context.Background(), dir, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchLogs), "ns/log")
}

// nestedLog is a run of n phases, each nested in the one before.
func nestedLog(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"metadata": {"benchmark_name": "nested", "timestamp_start": "2026-11-30T10:00:00.000000+00:00"}, "phases": {`)
	for i := range n {
		if i > 0 {
			fmt.Fprintf(&b, `, "p%d": {"duration_seconds": 1, "status": "success", "parent": "p%d"}`, i, i-1)
		} else {
			b.WriteString(`"p0": {"duration_seconds": 1, "status": "success"}`)
		}
	}
	b.WriteString(`}, "timing": {"total_duration_seconds": 1}, "status": "success"}`)
	return b.Bytes()
}

// BenchmarkVerboseNestedPhases is the verbose summary of a run of
// phases=N phases, each nested in the previous one. Its output grows as
// N² (each row is indented to the deepest phase's width, as ever); the
// depths used to take N³ to find.
func BenchmarkVerboseNestedPhases(b *testing.B) {
	for _, n := range []int{1000, 2000, 10000} {
		b.Run(fmt.Sprintf("phases=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "nested_20261130_100000.json"), nestedLog(n), 0o644); err != nil {
				b.Fatal(err)
			}
			s, err := LoadDir(context.Background(), dir, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := s.WriteSummary(io.Discard, Options{Verbose: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
