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
