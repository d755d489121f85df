package sdk

import (
	"errors"
	"fmt"
	"math"
)

// SampleSize is how many leading values of the output and the reference
// ComputeAccuracy keeps as samples.
const SampleSize = 10

// Accuracy is how close an approximate output is to its reference.
type Accuracy struct {
	// MAE is the mean absolute error, mean(|output[i] - reference[i]|). It
	// is NaN when a value is NaN and +Inf when a difference is infinite.
	MAE float64
	// PrecisionBits is -log2(MAE), the rule of the original Orion logger:
	// the number of correct bits after the binary point. It is +Inf when
	// MAE is 0 (the output is exact; the log writes null), and NaN when MAE
	// is NaN. It is negative when MAE > 1.
	PrecisionBits float64
	// Samples is the number of values compared.
	Samples int
	// OutputSample and ReferenceSample are the first SampleSize values.
	OutputSample, ReferenceSample []float64
}

// PrecisionBits returns -log2(mae): +Inf for 0, NaN for a negative or NaN
// mae.
func PrecisionBits(mae float64) float64 {
	if mae < 0 || math.IsNaN(mae) {
		return math.NaN()
	}
	return -math.Log2(mae) // -log2(0) = +Inf
}

// ComputeAccuracy compares output with reference, which must have the same,
// non-zero length.
func ComputeAccuracy(reference, output []float64) (Accuracy, error) {
	if len(reference) == 0 {
		return Accuracy{}, errors.New("computing accuracy: empty reference")
	}
	if len(reference) != len(output) {
		return Accuracy{}, fmt.Errorf("computing accuracy: reference has %d values, output %d", len(reference), len(output))
	}
	var sum float64
	for i, ref := range reference {
		sum += math.Abs(output[i] - ref)
	}
	mae := sum / float64(len(reference))
	n := min(SampleSize, len(reference))
	return Accuracy{
		MAE:             mae,
		PrecisionBits:   PrecisionBits(mae),
		Samples:         len(reference),
		OutputSample:    append([]float64(nil), output[:n]...),
		ReferenceSample: append([]float64(nil), reference[:n]...),
	}, nil
}
