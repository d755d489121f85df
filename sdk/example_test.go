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
