package polyapprox

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalid is returned for a negative degree or too few points.
var ErrInvalid = errors.New("invalid approximation parameters")

// ReLU is max(t, 0).
func ReLU(t float64) float64 { return max(t, 0) }

// Grid returns n evenly spaced points from -1 to 1 inclusive (n >= 2).
func Grid(n int) []float64 {
	g := make([]float64, n)
	for i := range g {
		g[i] = -1 + 2*float64(i)/float64(n-1)
	}
	return g
}

// Fit returns the Chebyshev coefficients c[0..degree] of the polynomial of
// the given degree that minimizes Σ (p(t) - f(t))² over the points t, which
// should lie in [-1, 1]. There must be more points than coefficients; the
// least-squares problem is solved by Householder QR.
func Fit(f func(float64) float64, degree int, points []float64) ([]float64, error) {
	n := degree + 1
	if degree < 0 || len(points) < n {
		return nil, fmt.Errorf("fitting a degree %d polynomial on %d points: %w", degree, len(points), ErrInvalid)
	}
	// a is the len(points)×n matrix of T_k(t_i), stored by column so that
	// the Householder reflections walk contiguous memory.
	m := len(points)
	a := make([][]float64, n)
	for k := range a {
		a[k] = make([]float64, m)
	}
	b := make([]float64, m)
	for i, t := range points {
		b[i] = f(t)
		tPrev, tCur := 1.0, t
		a[0][i] = 1
		if n > 1 {
			a[1][i] = t
		}
		for k := 2; k < n; k++ {
			tPrev, tCur = tCur, 2*t*tCur-tPrev
			a[k][i] = tCur
		}
	}
	return solveLeastSquares(a, b)
}

// solveLeastSquares returns the x minimizing |A·x - b| for A given by
// columns, overwriting a and b.
func solveLeastSquares(a [][]float64, b []float64) ([]float64, error) {
	n, m := len(a), len(b)
	diag := make([]float64, n) // R's diagonal
	for k := range n {
		col := a[k][k:]
		var norm float64
		for _, v := range col {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			return nil, fmt.Errorf("fitting: column %d is zero on the points: %w", k, ErrInvalid)
		}
		// The reflection I - 2vvᵀ/|v|² with v = col - alpha·e1 maps col
		// to alpha·e1; alpha's sign avoids cancellation in col[0] - alpha.
		alpha := -math.Copysign(norm, col[0])
		col[0] -= alpha
		var vv float64
		for _, v := range col {
			vv += v * v
		}
		reflect := func(y []float64) {
			var d float64
			for i, v := range col {
				d += v * y[i]
			}
			s := 2 * d / vv
			for i, v := range col {
				y[i] -= s * v
			}
		}
		for j := k + 1; j < n; j++ {
			reflect(a[j][k:])
		}
		reflect(b[k:])
		diag[k] = alpha
	}
	// Back substitution with R: R[k][k] = diag[k], R[k][j] = a[j][k].
	x := make([]float64, n)
	for k := n - 1; k >= 0; k-- {
		s := b[k]
		for j := k + 1; j < n; j++ {
			s -= a[j][k] * x[j]
		}
		if math.Abs(diag[k]) < 1e-12*math.Sqrt(float64(m)) {
			return nil, fmt.Errorf("fitting: the points do not determine coefficient %d: %w", k, ErrInvalid)
		}
		x[k] = s / diag[k]
	}
	return x, nil
}

// Eval returns Σ c[k]·T_k(t) by Clenshaw's recurrence.
func Eval(c []float64, t float64) float64 {
	if len(c) == 0 {
		return 0
	}
	var b1, b2 float64
	for k := len(c) - 1; k >= 1; k-- {
		b1, b2 = c[k]+2*t*b1-b2, b1
	}
	return c[0] + t*b1 - b2
}

// Error is how far a polynomial is from a function on a set of points.
type Error struct {
	Max  float64 // the largest |p(t) - f(t)|
	Mean float64 // the mean |p(t) - f(t)|
	RMS  float64 // the root mean square of p(t) - f(t)
}

// Measure returns the error of the Chebyshev series c against f on points.
func Measure(c []float64, f func(float64) float64, points []float64) Error {
	var e Error
	if len(points) == 0 {
		return e
	}
	var sq float64
	for _, t := range points {
		d := math.Abs(Eval(c, t) - f(t))
		e.Max = max(e.Max, d)
		e.Mean += d
		sq += d * d
	}
	n := float64(len(points))
	e.Mean /= n
	e.RMS = math.Sqrt(sq / n)
	return e
}

// Depth returns the multiplicative depth a leveled homomorphic scheme needs
// to evaluate a polynomial of the given degree with the baby-step
// giant-step method: ceil(log2(degree+1)).
func Depth(degree int) int {
	d := 0
	for 1<<d < degree+1 {
		d++
	}
	return d
}
