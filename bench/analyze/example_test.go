package analyze_test

import (
	"fmt"
	"os"

	"github.com/benchtrace/benchtrace/bench/analyze"
)

// A log written by the original Orion Python logger, summarized as its
// analyze_logs.py did. Its precision_bits is a bare NaN, shown as N/A.
func ExampleWriteSummary() {
	runs, err := analyze.LoadFiles([]string{"testdata/logs/resnet20_relu_cifar10_20250109_123456.json"}, os.Stderr)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := analyze.WriteSummary(os.Stdout, runs, analyze.Options{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ================================================================================
	// BENCHMARK SUMMARY - 1 log(s)
	// ================================================================================
	//
	// ✓ RESNET20_RELU_CIFAR10
	//   ────────────────────────────────────────────────────────────────────────────
	//   Model:       ResNet-20 (ResNet20)
	//   Dataset:     CIFAR-10
	//   Status:      SUCCESS
	//   Started:     2025-01-09T12:34:56.123456
	//   Duration:    59.90s (1.00m)
	//   FHE Time:    45.60s
	//   MAE:         0.000123
	//   Precision:   N/A
	//
	// ================================================================================
	// STATISTICS
	// ================================================================================
	//   Total benchmarks:     1
	//   Successful:           1
	//   Failed:               0
	//   Total time:           59.90s (1.00m)
	//   Total FHE time:       45.60s (0.76m)
	//   Avg time/benchmark:   59.90s
}

// The values LoadFiles derives from a benchtrace log, with the peak RSS and
// CPU time measured for each phase.
func ExampleLoadFiles() {
	runs, err := analyze.LoadFiles([]string{"testdata/logs/gemm_20261122_170000.json"}, os.Stderr)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := runs[0]
	fmt.Printf("%s: %s in %.2fs, %s %.2fs\n", r.Name, r.Outcome, r.Duration, r.MainPhase, r.MainPhaseSeconds)
	fmt.Printf("peak RSS %d MiB, CPU %.2fs (%.0f%% of one core)\n", r.PeakRSSBytes>>20, r.CPUSeconds(), 100*r.CPUUtilization())
	// Output:
	// gemm: success in 1.50s, inference 1.20s
	// peak RSS 100 MiB, CPU 4.67s (311% of one core)
}

// The file extensions Export knows; any other is refused.
func ExampleExportFormats() {
	fmt.Println(analyze.ExportFormats())
	// Output: [.json .csv .md .bench]
}
