package quant

import (
	"errors"
	"fmt"
	"math"
)

// ErrShape is returned when matrix sizes do not fit together.
var ErrShape = errors.New("shape mismatch")

// MaxInner is the longest inner dimension whose int32 sums cannot
// overflow: 127·127·MaxInner ≤ 2^31-1.
const MaxInner = math.MaxInt32 / (127 * 127)

// Matrix is a row-major int8 matrix with a scale per row: element (i, j)
// stands for Scales[i]·Data[i*Cols+j].
type Matrix struct {
	Rows, Cols int
	Data       []int8
	Scales     []float64
}

// QuantizeRows quantizes the rows×cols row-major matrix a. A row of zeros
// gets scale 0.
func QuantizeRows(a []float64, rows, cols int) (Matrix, error) {
	if rows < 0 || cols <= 0 || len(a) != rows*cols {
		return Matrix{}, fmt.Errorf("quantizing %d values as %d×%d: %w", len(a), rows, cols, ErrShape)
	}
	m := Matrix{Rows: rows, Cols: cols, Data: make([]int8, len(a)), Scales: make([]float64, rows)}
	for i := range rows {
		row := a[i*cols : (i+1)*cols]
		var peak float64
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Matrix{}, fmt.Errorf("quantizing row %d: value %v is not finite", i, v)
			}
			peak = max(peak, math.Abs(v))
		}
		if peak == 0 {
			continue
		}
		s := peak / 127
		m.Scales[i] = s
		q := m.Data[i*cols : (i+1)*cols]
		for j, v := range row {
			q[j] = int8(math.Round(v / s)) // |v/s| ≤ 127
		}
	}
	return m, nil
}

// Dequantize returns the float64 matrix m stands for.
func (m Matrix) Dequantize() []float64 {
	out := make([]float64, len(m.Data))
	for i := range m.Rows {
		for j := range m.Cols {
			out[i*m.Cols+j] = m.Scales[i] * float64(m.Data[i*m.Cols+j])
		}
	}
	return out
}

// MatMulT computes rows [lo, hi) of a·bᵀ into c, an a.Rows×b.Rows
// row-major matrix: c[i*b.Rows+j] = a.Scales[i]·b.Scales[j]·Σ_k
// a[i][k]·b[j][k], the sum in int32.
func MatMulT(c []float64, a, b Matrix, lo, hi int) error {
	if a.Cols != b.Cols || len(c) != a.Rows*b.Rows || lo < 0 || hi > a.Rows || lo > hi {
		return fmt.Errorf("multiplying rows %d to %d of %d×%d by the transpose of %d×%d into %d values: %w",
			lo, hi, a.Rows, a.Cols, b.Rows, b.Cols, len(c), ErrShape)
	}
	if a.Cols > MaxInner {
		return fmt.Errorf("multiplying with inner dimension %d > %d: int32 sums could overflow: %w", a.Cols, MaxInner, ErrShape)
	}
	k := a.Cols
	for i := lo; i < hi; i++ {
		ar := a.Data[i*k : (i+1)*k]
		out := c[i*b.Rows : (i+1)*b.Rows]
		for j := range b.Rows {
			br := b.Data[j*k : (j+1)*k]
			var acc int32
			for t, v := range ar {
				acc += int32(v) * int32(br[t])
			}
			out[j] = a.Scales[i] * b.Scales[j] * float64(acc)
		}
	}
	return nil
}

// MatMulTFloat computes rows [lo, hi) of a·bᵀ in float64, for a (m×k) and
// b (n×k) row-major, into c (m×n): the reference MatMulT approximates.
func MatMulTFloat(c, a, b []float64, m, n, k, lo, hi int) error {
	if len(a) != m*k || len(b) != n*k || len(c) != m*n || lo < 0 || hi > m || lo > hi {
		return fmt.Errorf("multiplying %d×%d by the transpose of %d×%d: %w", m, k, n, k, ErrShape)
	}
	for i := lo; i < hi; i++ {
		ar := a[i*k : (i+1)*k]
		out := c[i*n : (i+1)*n]
		for j := range n {
			br := b[j*k : (j+1)*k]
			var acc float64
			for t, v := range ar {
				acc += v * br[t]
			}
			out[j] = acc
		}
	}
	return nil
}
