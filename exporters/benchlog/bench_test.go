package benchlog

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// twelvePhases is a run of 12 phases, as the seed's pipelines have.
func twelvePhases() (*Span, []*Span) {
	root := rootSpan(60)
	var phases []*Span
	for i := range 12 {
		phases = append(phases, phaseSpan(fmt.Sprintf("%016x", i+1), root.SpanID, fmt.Sprintf("phase_%02d", i), float64(i*5), float64(i*5+5)))
	}
	return root, phases
}

// twelvePhaseLog returns the encoded log of twelvePhases.
func twelvePhaseLog(b *testing.B) []byte {
	b.Helper()
	root, phases := twelvePhases()
	l, err := Assemble(root, phases, time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	data, err := Encode(l)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkAssemble12Phases is the span→log path of one run: assembly and
// JSON encoding.
func BenchmarkAssemble12Phases(b *testing.B) {
	root, phases := twelvePhases()
	b.ReportAllocs()
	for b.Loop() {
		l, err := Assemble(root, phases, time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssembleOnly12Phases is assembly without encoding.
func BenchmarkAssembleOnly12Phases(b *testing.B) {
	root, phases := twelvePhases()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Assemble(root, phases, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteLog is one checkpoint write: a temporary file renamed over the
// log.
func BenchmarkWriteLog(b *testing.B) {
	data := twelvePhaseLog(b)
	dir, err := OpenDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	path, err := dir.Create("bench", time.Now(), data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := dir.Replace(path, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateLog is the first write of a run's log: a new file, claimed
// atomically. BenchmarkAppendBaseline, appending the same bytes to one open
// file (what the contrib fileexporter does), is its baseline.
func BenchmarkCreateLog(b *testing.B) {
	data := twelvePhaseLog(b)
	dir, err := OpenDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++ // a new second each time: no name collisions
		if _, err := dir.Create("bench", start.Add(time.Duration(i)*time.Second), data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendBaseline(b *testing.B) {
	data := twelvePhaseLog(b)
	f, err := os.Create(filepath.Join(b.TempDir(), "all.json"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Write(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode reads logs back: a run of twelve phases as Assemble and
// Encode write it, the Python logger's log (with a bare NaN), and every log
// of testdata in turn (log=all: its bytes are the sum of the files').
func BenchmarkDecode(b *testing.B) {
	benchmarkDecode(b, func(data []byte) error {
		_, err := Decode(data)
		return err
	})
}

// BenchmarkDecodeReference is BenchmarkDecode through decodeSlow, the
// encoding/json path, which Decode takes only for what its fast path
// leaves.
func BenchmarkDecodeReference(b *testing.B) {
	benchmarkDecode(b, func(data []byte) error {
		_, err := decodeSlow(data)
		return err
	})
}

func benchmarkDecode(b *testing.B, decode func([]byte) error) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no testdata logs: %v", err)
	}
	var all [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, data)
	}
	python, err := os.ReadFile(filepath.Join("testdata", "python_resnet20_relu_cifar10_20250109_123456.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		logs [][]byte
	}{
		{"12phases", [][]byte{twelvePhaseLog(b)}},
		{"python", [][]byte{python}},
		{"all", all},
	} {
		var size int64
		for _, d := range bc.logs {
			size += int64(len(d))
		}
		b.Run("log="+bc.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range bc.logs {
					if err := decode(d); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
