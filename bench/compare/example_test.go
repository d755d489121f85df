package compare_test

import (
	"fmt"
	"os"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/fakelogs"
)

// load writes seeded logs of one benchmark into a temporary directory and
// loads them, as a program would load a log directory.
func load(seed uint64, changes ...fakelogs.Change) []analyze.Run {
	dir, err := os.MkdirTemp("", "compare-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	files, err := fakelogs.Write(dir, fakelogs.Set{
		Benchmarks: fakelogs.Default()[2:], Runs: 8, Seed: seed, Changes: changes,
	})
	if err != nil {
		panic(err)
	}
	runs, err := analyze.LoadFiles(files, os.Stderr)
	if err != nil {
		panic(err)
	}
	return runs
}

// Two sets of eight runs, the second with an inference phase 30% slower:
// compare finds it, with the run's total and main-phase time. The memory
// change of that phase, the noisiest measure of the fixture, comes out
// significant too, by chance: at alpha 0.05, one row in twenty that did not
// change does. The gate, which also asks for a threshold, fails on the
// durations only.
func ExampleCompare() {
	old := load(1)
	slower := load(2, fakelogs.Change{Benchmark: "int8_gemm_quantized", Phase: "inference", Measure: "duration", Factor: 1.3})

	res := compare.Compare(old, slower, compare.Options{})
	for _, r := range res.Regressions() {
		fmt.Printf("%s %s: %+.0f%% (%s → %s)\n", r.Name(), r.Measure.Name, r.DeltaPercent,
			compare.FormatValue(r.Measure, r.Old.Center), compare.FormatValue(r.Measure, r.New.Center))
	}

	gate, err := compare.ParseGate("duration:+5%,peak_rss:+10%")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range gate.Check(res.Rows) {
		fmt.Printf("FAIL %s %s beyond %s\n", f.Row.Name(), f.Row.Measure.Name, f.Threshold)
	}
	// Output:
	// int8_gemm_quantized duration: +22% (1.624s → 1.988s)
	// int8_gemm_quantized/inference duration: +32% (1.189s → 1.565s)
	// int8_gemm_quantized main_phase: +32% (1.189s → 1.565s)
	// int8_gemm_quantized/inference memory_change: +11% (29.47MiB → 32.59MiB)
	// FAIL int8_gemm_quantized duration beyond duration:+5%
	// FAIL int8_gemm_quantized/inference duration beyond duration:+5%
}
