package benchlog_test

import (
	"fmt"
	"os"
	"time"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Assemble turns a run's spans, from any SDK, into its log.
func ExampleAssemble() {
	t0 := time.Date(2025, 1, 9, 12, 34, 56, 0, time.UTC)
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	root := &benchlog.Span{
		TraceID: trace, SpanID: "00f067aa0ba902b7", Name: "resnet20",
		Start: t0, End: t0.Add(10 * time.Second),
		Attributes: map[string]any{
			semconv.BenchmarkName: "resnet20",
			semconv.RunMainPhase:  "inference",
			semconv.ModelName:     "ResNet-20",
			semconv.ResultMAE:     0.25,
		},
	}
	phase := func(id, name string, from, to float64) *benchlog.Span {
		return &benchlog.Span{
			TraceID: trace, SpanID: id, ParentSpanID: root.SpanID, Name: name,
			Start: t0.Add(time.Duration(from * float64(time.Second))),
			End:   t0.Add(time.Duration(to * float64(time.Second))),
			Attributes: map[string]any{
				semconv.PhaseName:     name,
				semconv.BenchmarkName: "resnet20",
				"input_level":         int64(14), // outside "benchtrace.": kept as is
			},
		}
	}
	l, err := benchlog.Assemble(root, []*benchlog.Span{
		phase("0000000000000002", "inference", 3, 9.5),
		phase("0000000000000001", "fit", 0.5, 3),
	}, time.UTC)
	if err != nil {
		fmt.Println(err)
	}
	data, _ := benchlog.Encode(l)
	os.Stdout.Write(data)
	// Output:
	// {
	//   "metadata": {
	//     "benchmark_name": "resnet20",
	//     "run_id": "4bf92f3577b34da6a3ce929d0e0e4736",
	//     "timestamp_start": "2025-01-09T12:34:56.000000+00:00",
	//     "timestamp_end": "2025-01-09T12:35:06.000000+00:00",
	//     "config_file": null
	//   },
	//   "model": {
	//     "name": "ResNet-20",
	//     "batch_size": null
	//   },
	//   "phases": {
	//     "fit": {
	//       "duration_seconds": 2.5,
	//       "status": "success",
	//       "start_time": "2025-01-09T12:34:56.500000+00:00",
	//       "input_level": 14
	//     },
	//     "inference": {
	//       "duration_seconds": 6.5,
	//       "status": "success",
	//       "start_time": "2025-01-09T12:34:59.000000+00:00",
	//       "input_level": 14
	//     }
	//   },
	//   "results": {
	//     "mae": 0.25
	//   },
	//   "timing": {
	//     "total_duration_seconds": 10,
	//     "inference_only": 6.5,
	//     "preprocessing_total": 2.5
	//   },
	//   "status": "success",
	//   "error": null
	// }
}
