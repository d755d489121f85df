package nn

import (
	"fmt"
	"math"
)

// Standardizer maps each feature to zero mean and unit variance, with the
// mean and standard deviation of a training set.
type Standardizer struct {
	Mean, Std []float64
}

// FitStandardizer returns the Standardizer of the rows of x. A feature with
// no variance keeps a standard deviation of 1.
func FitStandardizer(x [][]float64) (Standardizer, error) {
	if len(x) == 0 || len(x[0]) == 0 {
		return Standardizer{}, fmt.Errorf("fitting a standardizer on %d samples: %w", len(x), ErrShape)
	}
	dim := len(x[0])
	s := Standardizer{Mean: make([]float64, dim), Std: make([]float64, dim)}
	for i, row := range x {
		if len(row) != dim {
			return Standardizer{}, fmt.Errorf("fitting a standardizer: sample %d has %d features, want %d: %w", i, len(row), dim, ErrShape)
		}
		for j, v := range row {
			s.Mean[j] += v
		}
	}
	n := float64(len(x))
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for _, row := range x {
		for j, v := range row {
			d := v - s.Mean[j]
			s.Std[j] += d * d
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j] / n)
		if s.Std[j] == 0 {
			s.Std[j] = 1
		}
	}
	return s, nil
}

// Apply standardizes the rows of x in place.
func (s Standardizer) Apply(x [][]float64) error {
	for i, row := range x {
		if len(row) != len(s.Mean) {
			return fmt.Errorf("standardizing sample %d of %d features, want %d: %w", i, len(row), len(s.Mean), ErrShape)
		}
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Std[j]
		}
	}
	return nil
}
