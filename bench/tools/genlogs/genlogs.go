// Package genlogs writes seeded run logs in the Orion layout, as
// benchtrace's in-process writer writes them, for measuring `benchtrace
// analyze` on a lab's worth of logs (docs/performance.md): the command
// bench/tools/genlogs/cmd/genlogs, and the analyze package's benchmarks.
//
// The same seed gives the same files, byte for byte. The mix is that of a
// lab benchmarking every commit: most runs succeed, with five to ten
// phases each and every measurement (about 4 KB a log); some fail, are
// interrupted or are still running; some are logs of the original Python
// logger, with its bare NaN. Its functions may be called concurrently.
package genlogs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// bench is one benchmark of the generated lab.
type bench struct {
	name, model, arch, dataset string
	phases                     []string
	parents                    map[string]string // nested phase → parent
	main                       string            // the main phase
	seconds                    float64           // typical duration of a phase
}

var benches = []bench{
	{name: "resnet20_relu_cifar10", model: "ResNet-20", arch: "ResNet20", dataset: "CIFAR-10",
		phases: []string{"initialization", "data_loading", "cleartext_inference", "fit", "compile", "encode", "encrypt", "fhe_inference", "decrypt", "decode"},
		main:   "fhe_inference", seconds: 4},
	{name: "resnet18_relu_tiny", model: "ResNet-18", arch: "ResNet18", dataset: "Tiny ImageNet",
		phases: []string{"initialization", "data_loading", "cleartext_inference", "fit", "compile", "encode", "encrypt", "fhe_inference", "decrypt", "decode"},
		main:   "fhe_inference", seconds: 9},
	{name: "gemm", model: "GEMM", arch: "blocked", dataset: "random-512",
		phases:  []string{"generate", "inference", "multiply", "reduce", "verify"},
		parents: map[string]string{"multiply": "inference", "reduce": "inference"},
		main:    "inference", seconds: 0.3},
	{name: "kmeans", model: "k-means", arch: "Lloyd", dataset: "blobs-8x4",
		phases: []string{"initialization", "data_loading", "fit", "inference", "evaluate"},
		main:   "inference", seconds: 0.8},
	{name: "mlp_classifier", model: "MLP", arch: "2x64", dataset: "moons-4096",
		phases: []string{"initialization", "data_loading", "fit", "encrypt", "inference", "decrypt"},
		main:   "inference", seconds: 1.5},
}

// Write writes n logs into dir (created if needed), from seed, and broken
// files (truncated JSON, named broken_*.json) besides.
func Write(dir string, n, broken int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range Logs(n, seed) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	for i := range broken {
		name := fmt.Sprintf("broken_%08d.json", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(`{"metadata": {"benchmark_name": "broken", `), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Logs yields n logs from seed: each file's name and content.
func Logs(n int, seed uint64) func(yield func(string, []byte) bool) {
	return func(yield func(string, []byte) bool) {
		rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		for i := range n {
			start = start.Add(time.Duration(1+rng.IntN(600))*time.Second + time.Duration(rng.IntN(1e6))*time.Microsecond)
			b := &benches[rng.IntN(len(benches))]
			var data []byte
			name := benchlog.FileBase(b.name, start) + ".json"
			switch p := rng.Float64(); {
			case p < 0.03:
				data = pythonLog(rng, b, start)
			default:
				status := "success"
				switch {
				case p < 0.07:
					status = "failed"
				case p < 0.09:
					status = "interrupted"
				case p < 0.11:
					status = "running"
				}
				var err error
				if data, err = benchlog.Encode(goLog(rng, b, start, status, i)); err != nil {
					panic(err) // the logs are built here: a bug
				}
			}
			if !yield(name, data) {
				return
			}
		}
	}
}

const timeLayout = benchlog.TimeLayout

// round keeps the nanosecond, as the writer rounds derived sums.
func round(s float64) float64 { return math.Round(s*1e9) / 1e9 }

func goLog(rng *rand.Rand, b *bench, start time.Time, status string, i int) *benchlog.Log {
	host := fmt.Sprintf("bench-%02d", 1+i%4)
	l := &benchlog.Log{
		Metadata: benchlog.Object{
			{Key: "benchmark_name", Value: b.name},
			{Key: "run_id", Value: fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())},
			{Key: "timestamp_start", Value: start.Format(timeLayout)},
			{Key: "timestamp_end", Value: nil},
			{Key: "hostname", Value: host},
			{Key: "platform", Value: "Linux-6.1.0-amd64-x86_64-with-debian-12"},
			{Key: "go_version", Value: "go1.26.8"},
			{Key: "cpu_model", Value: "AMD EPYC 7B13"},
			{Key: "cpu_count", Value: int64(2)},
			{Key: "memory_total_bytes", Value: int64(25000000000)},
			{Key: "accelerator_available", Value: false},
			{Key: "cuda_available", Value: false},
			{Key: "git_commit", Value: fmt.Sprintf("%016x%016x%08x", rng.Uint64(), rng.Uint64(), rng.Uint32())},
			{Key: "git_dirty", Value: rng.IntN(10) == 0},
			{Key: "config_file", Value: nil},
		},
		Model: benchlog.Object{
			{Key: "name", Value: b.model}, {Key: "architecture", Value: b.arch}, {Key: "dataset", Value: b.dataset},
			{Key: "batch_size", Value: int64(1)}, {Key: "seed", Value: int64(42)},
		},
		Status: status,
	}
	phases := b.phases
	last := len(phases)
	if status != "success" {
		last = 1 + rng.IntN(len(phases)) // the phases that ended
	}
	t := start
	var total, pre, mainT, user, sys float64
	var peakRun int64
	seenMain := false
	for j, name := range phases[:last] {
		d := round(b.seconds * (0.3 + rng.Float64()) * (1 + 0.05*rng.NormFloat64()))
		if d < 0 {
			d = 0.001
		}
		st := "success"
		if status != "success" && j == last-1 && status != "running" {
			st = status
		}
		u := round(d * (0.8 + 0.2*rng.Float64()))
		s := round(d * 0.02 * rng.Float64())
		rss := int64(40+rng.IntN(40)) << 20
		peak := rss + int64(rng.IntN(64))<<20
		peakRun = max(peakRun, peak)
		f := benchlog.Object{
			{Key: "duration_seconds", Value: d},
			{Key: "status", Value: st},
		}
		if st != "success" {
			f = append(f, benchlog.Field{Key: "error", Value: "context canceled"})
		}
		f = append(f, benchlog.Field{Key: "start_time", Value: t.Format(timeLayout)})
		parent, nested := b.parents[name]
		if nested {
			f = append(f, benchlog.Field{Key: "parent", Value: parent})
		}
		f = append(f,
			benchlog.Field{Key: "cpu_user_seconds", Value: u},
			benchlog.Field{Key: "cpu_system_seconds", Value: s},
			benchlog.Field{Key: "cpu_children_seconds", Value: int64(0)},
			benchlog.Field{Key: "rss_start_bytes", Value: rss},
			benchlog.Field{Key: "memory_change_bytes", Value: int64(rng.IntN(32)-8) << 20},
			benchlog.Field{Key: "peak_rss_bytes", Value: peak},
			benchlog.Field{Key: "peak_rss_source", Value: "hwm"},
			benchlog.Field{Key: "go_heap_alloc_bytes", Value: int64(rng.IntN(1 << 26))},
			benchlog.Field{Key: "go_gc_cycles", Value: int64(rng.IntN(40))},
		)
		if name == "compile" {
			f = append(f, benchlog.Field{Key: "input_level", Value: int64(14)})
		}
		l.Phases = append(l.Phases, benchlog.Phase{Name: name, Fields: f})
		if nested {
			continue
		}
		t = t.Add(time.Duration(d * 1e9))
		total += d
		user += u
		sys += s
		if name == b.main {
			mainT, seenMain = d, true
		} else if !seenMain {
			pre += d
		}
	}
	l.Metadata.Set("timestamp_end", t.Format(timeLayout))
	if status == "running" {
		l.Metadata.Set("timestamp_end", nil)
	}
	mae := math.Pow(10, -3-4*rng.Float64())
	if status == "success" || rng.IntN(2) == 0 {
		l.Results = benchlog.Object{
			{Key: "mae", Value: mae},
			{Key: "precision_bits", Value: -math.Log2(mae)},
			{Key: "samples", Value: int64(10)},
			{Key: "output_sample", Value: []float64{0.124, 0.455, 0.788}},
			{Key: "reference_output_sample", Value: []float64{0.123, 0.456, 0.789}},
		}
	}
	l.Timing = benchlog.Object{{Key: "total_duration_seconds", Value: round(total + 0.001)}}
	if seenMain {
		l.Timing = append(l.Timing, benchlog.Field{Key: b.main + "_only", Value: mainT},
			benchlog.Field{Key: "preprocessing_total", Value: round(pre)})
	}
	if status != "running" {
		l.Timing = append(l.Timing,
			benchlog.Field{Key: "cpu_user_seconds", Value: round(user)},
			benchlog.Field{Key: "cpu_system_seconds", Value: round(sys)},
			benchlog.Field{Key: "cpu_children_seconds", Value: int64(0)},
			benchlog.Field{Key: "peak_rss_bytes", Value: peakRun})
	}
	switch status {
	case "failed":
		l.Error = "decryption failed: level exhausted\n\ngoroutine 1 [running]:\nmain.run()\n\t/src/main.go:42 +0x1d"
	case "interrupted":
		l.Error = "interrupted by signal terminated"
	}
	return l
}

// pythonLog is a log of the original Orion Python logger: no measurements,
// a timestamp without offset, and Python's bare NaN for an unknown
// precision.
func pythonLog(rng *rand.Rand, b *bench, start time.Time) []byte {
	var phases []string
	var total float64
	for _, name := range b.phases {
		if strings.Contains(name, "#") {
			continue
		}
		d := round(b.seconds * (0.3 + rng.Float64()))
		total += d
		phases = append(phases, fmt.Sprintf(`    %q: {
      "duration_seconds": %s,
      "status": "success"
    }`, name, py(d)))
	}
	return fmt.Appendf(nil, `{
  "metadata": {
    "benchmark_name": %q,
    "timestamp_start": %q,
    "timestamp_end": %q,
    "hostname": "server-01",
    "platform": "Linux-5.15.0",
    "python_version": "3.10.12",
    "pytorch_version": "2.0.1",
    "cuda_available": false,
    "config_file": "../configs/resnet.yml"
  },
  "model": {
    "name": %q,
    "architecture": %q,
    "dataset": %q,
    "batch_size": 1,
    "seed": 42
  },
  "phases": {
%s
  },
  "results": {
    "mae": %s,
    "precision_bits": NaN,
    "cleartext_output_sample": [
      0.123,
      0.456
    ],
    "fhe_output_sample": [
      0.124,
      0.455
    ]
  },
  "timing": {
    "total_duration_seconds": %s
  },
  "status": "success",
  "error": null
}`, b.name, start.Format("2006-01-02T15:04:05.000000"), start.Add(time.Duration(total*1e9)).Format("2006-01-02T15:04:05.000000"),
		b.model, b.arch, b.dataset, strings.Join(phases, ",\n"), py(math.Pow(10, -3-3*rng.Float64())), py(round(total)))
}

// py writes a float as Python's repr does for these values.
func py(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
