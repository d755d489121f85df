package sdk_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
)

// A run of a benchmark with three phases, written as a JSON log.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "benchtrace-example")
	defer os.RemoveAll(dir)

	bt, err := sdk.New(ctx, sdk.WithLogDir(dir)) // OTLP too, when OTEL_EXPORTER_OTLP_ENDPOINT is set
	if err != nil {
		panic(err)
	}
	defer bt.Shutdown(ctx)

	run := bt.Start(ctx, "sine_taylor",
		sdk.WithModel(sdk.Model{Name: "Taylor-7", Dataset: "uniform[-1,1]", Seed: 1}),
		sdk.WithMainPhase("inference"))
	var xs, ref, out []float64
	_ = run.Phase("data_loading", func(context.Context) error {
		for i := range 1000 {
			xs = append(xs, float64(i)/500-1)
		}
		return nil
	})
	ph := run.StartPhase("compile")
	ph.SetAttributes(attribute.Int("degree", 7)) // becomes phases.compile.degree
	ph.End(nil)
	err = run.Phase("inference", func(context.Context) error {
		for _, x := range xs {
			ref = append(ref, math.Sin(x))
			out = append(out, x-x*x*x/6+x*x*x*x*x/120-x*x*x*x*x*x*x/5040)
		}
		return nil
	})
	acc, _ := run.RecordAccuracy(ref, out)
	run.End(err)

	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	data, _ := os.ReadFile(files[0])
	l, _ := benchlog.Decode(data)
	for _, p := range l.Phases {
		fmt.Println(p.Name, p.Fields.Has("peak_rss_bytes"))
	}
	fmt.Println(l.Status, acc.PrecisionBits > 16)
	// Output:
	// data_loading true
	// compile true
	// inference true
	// success true
}

// Profiling an operator in one call, as the Feluda suite's profile
// decorator does: its initialization, execution and cleanup become the
// phases of a run, and their measurements come back.
func ExampleBenchtrace_Profile() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "benchtrace-example")
	defer os.RemoveAll(dir)
	bt, err := sdk.New(ctx, sdk.WithLogDir(dir))
	if err != nil {
		panic(err)
	}
	defer bt.Shutdown(ctx)

	var table []float64
	p := bt.Profile(ctx, "sine_table", sdk.Operator{
		Init: func(context.Context) error { table = make([]float64, 1<<20); return nil },
		Run: func(context.Context) error {
			for i := range table {
				table[i] = math.Sin(float64(i))
			}
			return nil
		},
		Cleanup: func(context.Context) error { table = nil; return nil },
	})
	fmt.Println("success:", p.Success, p.Err)
	fmt.Println("measured:", p.Execution.Wall > 0, p.Execution.PeakRSS > 0, p.Initialization.HeapAlloc >= 8<<20)

	files, _ := filepath.Glob(filepath.Join(dir, "sine_table_*.json"))
	data, _ := os.ReadFile(files[0])
	l, _ := benchlog.Decode(data)
	for _, ph := range l.Phases {
		fmt.Println(ph.Name)
	}
	fmt.Println(l.Timing.Has("execution_only"), l.Status)
	// Output:
	// success: true <nil>
	// measured: true true true
	// initialization
	// execution
	// cleanup
	// true success
}
