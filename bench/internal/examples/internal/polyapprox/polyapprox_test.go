package polyapprox

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitRecoversPolynomial(t *testing.T) {
	// 3t³ - t + 0.5 = 0.75·T3 + 1.25·T1 + 0.5·T0; degree 5 finds zeros above.
	f := func(t float64) float64 { return 3*t*t*t - t + 0.5 }
	c, err := Fit(f, 5, Grid(50))
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{0.5, 1.25, 0, 0.75, 0, 0}, c, 1e-12)
	assert.InDelta(t, f(0.3), Eval(c, 0.3), 1e-12)
}

func TestEvalMatchesChebyshevDefinition(t *testing.T) {
	c := []float64{0.1, -0.4, 0.25, 0.7, -0.05}
	for _, x := range []float64{-1, -0.6, 0, 0.33, 1} {
		var want float64
		for k, ck := range c {
			want += ck * math.Cos(float64(k)*math.Acos(x))
		}
		assert.InDelta(t, want, Eval(c, x), 1e-12, "t=%v", x)
	}
	assert.Equal(t, 0.0, Eval(nil, 0.5))
}

// TestReLUErrorFallsWithDegree is the property the approximate inference
// example relies on: a higher degree fits ReLU better.
func TestReLUErrorFallsWithDegree(t *testing.T) {
	grid := Grid(2001)
	fine := Grid(10007) // between the fitting points too
	prev := Error{Max: math.Inf(1), Mean: math.Inf(1), RMS: math.Inf(1)}
	for _, degree := range []int{2, 4, 8, 16, 32, 64} {
		c, err := Fit(ReLU, degree, grid)
		require.NoError(t, err)
		e := Measure(c, ReLU, fine)
		t.Logf("degree %2d: max %.5f mean %.6f rms %.6f", degree, e.Max, e.Mean, e.RMS)
		assert.Less(t, e.RMS, prev.RMS, "degree %d", degree)
		assert.Less(t, e.Mean, prev.Mean, "degree %d", degree)
		assert.Less(t, e.Max, prev.Max, "degree %d", degree)
		prev = e
	}
	assert.Less(t, prev.Max, 0.01, "degree 64 is within 1%% of the range")
}

func TestFitInvalid(t *testing.T) {
	_, err := Fit(ReLU, -1, Grid(10))
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = Fit(ReLU, 10, Grid(5))
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = Fit(ReLU, 2, []float64{0.5, 0.5, 0.5, 0.5})
	assert.ErrorIs(t, err, ErrInvalid, "repeated points cannot fix a quadratic")
}

func TestDepth(t *testing.T) {
	for degree, want := range map[int]int{0: 0, 1: 1, 2: 2, 3: 2, 7: 3, 8: 4, 15: 4, 31: 5, 63: 6} {
		assert.Equal(t, want, Depth(degree), "degree %d", degree)
	}
}
