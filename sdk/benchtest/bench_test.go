package benchtest_test

import (
	"crypto/sha256"
	"testing"

	"github.com/benchtrace/benchtrace/sdk/benchtest"
)

// BenchmarkOverhead measures what benchtest adds to ns/op: the same loop,
// bare and recorded, with b.Loop and with a loop to b.N, around an empty
// body and a 64-byte SHA-256. Compare the columns with
//
//	go test -run '^$' -bench Overhead -count 10 ./sdk/benchtest > overhead.txt
//	benchstat -col /rec overhead.txt
func BenchmarkOverhead(b *testing.B) {
	data := make([]byte, 64)
	bodies := []struct {
		name string
		fn   func()
	}{
		{"empty", func() {}},
		{"sha256-64B", func() { sha256.Sum256(data) }},
	}
	for _, body := range bodies {
		b.Run("body="+body.name+"/api=Loop/rec=bare", func(b *testing.B) {
			for b.Loop() {
				body.fn()
			}
		})
		b.Run("body="+body.name+"/api=Loop/rec=benchtest", func(b *testing.B) {
			benchtest.New(b).Measure("loop")
			for b.Loop() {
				body.fn()
			}
		})
		b.Run("body="+body.name+"/api=N/rec=bare", func(b *testing.B) {
			for range b.N {
				body.fn()
			}
		})
		b.Run("body="+body.name+"/api=N/rec=benchtest", func(b *testing.B) {
			benchtest.New(b).Measure("loop")
			for range b.N {
				body.fn()
			}
		})
	}
}
