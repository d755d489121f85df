package benchtest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/benchtest"
)

// mean is the code being benchmarked.
func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// benchmarkMean is written as a benchmark in a _test.go file is, where it
// would be func BenchmarkMean(b *testing.B) and take no options: these
// pass the example's log directory.
func benchmarkMean(b *testing.B, opts ...benchtest.Option) {
	bt := benchtest.New(b, opts...)
	var xs []float64
	bt.Phase("data_loading", func() {
		xs = make([]float64, 1<<12)
		for i := range xs {
			xs[i] = float64(i)
		}
	})
	bt.Measure("mean")
	for b.Loop() {
		mean(xs)
	}
}

// A benchmark reports its CPU time, Go heap allocation and peak RSS beside
// ns/op, and logs its run when asked (here through WithBenchtrace; from go
// test, with -benchtrace.logdir=DIR or BENCHTRACE_LOG_DIR=DIR).
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "benchtest-example")
	defer os.RemoveAll(dir)
	bt, err := sdk.New(ctx, sdk.WithLogDir(dir))
	if err != nil {
		panic(err)
	}
	defer bt.Shutdown(ctx)

	res := testing.Benchmark(func(b *testing.B) { benchmarkMean(b, benchtest.WithBenchtrace(bt)) })
	for _, unit := range []string{"cpu-ns/op", "heap-B/op", "peak-RSS-B"} {
		_, ok := res.Extra[unit]
		fmt.Println(unit, ok)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	data, _ := os.ReadFile(files[0])
	l, _ := benchlog.Decode(data)
	for _, ph := range l.Phases {
		fmt.Println(ph.Name)
	}
	mainPhase, _ := l.Phases.Get("mean")
	iterations, _ := mainPhase.Fields.Int("iterations")
	fmt.Println(len(files), l.Status, iterations == int64(res.N))
	// Output:
	// cpu-ns/op true
	// heap-B/op true
	// peak-RSS-B true
	// data_loading
	// mean
	// 1 success true
}
