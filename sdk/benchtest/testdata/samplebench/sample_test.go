// Package samplebench is a package of benchmarks written with benchtest,
// for benchtest's test to run with `go test -bench` and read back.
package samplebench

import (
	"crypto/sha256"
	"testing"

	"github.com/benchtrace/benchtrace/sdk/benchtest"
)

func hash(data []byte) [32]byte { return sha256.Sum256(data) }

// BenchmarkLoop is written with b.Loop: one call per -count.
func BenchmarkLoop(b *testing.B) {
	bt := benchtest.New(b)
	var data []byte
	bt.Phase("data_loading", func() { data = make([]byte, 4096) })
	bt.Measure("hash")
	for b.Loop() {
		hash(data)
	}
	bt.Phase("check", func() {
		if hash(data) == [32]byte{} {
			b.Error("zero hash")
		}
	})
}

// BenchmarkN is written with a loop to b.N: called once with b.N = 1, then
// with larger b.N.
func BenchmarkN(b *testing.B) {
	bt := benchtest.New(b)
	data := make([]byte, 4096)
	bt.Measure("hash")
	for range b.N {
		hash(data)
	}
}

// BenchmarkSizes has sub-benchmarks, each recorded as its own run.
func BenchmarkSizes(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"size=64", 64}, {"size=1k", 1024}} {
		b.Run(size.name, func(b *testing.B) {
			bt := benchtest.New(b)
			data := make([]byte, size.n)
			bt.Measure("hash")
			for b.Loop() {
				hash(data)
			}
		})
	}
}
