package quant

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
)

func TestQuantizeRows(t *testing.T) {
	a := []float64{
		1, -0.5, 0.25, 0,
		0, 0, 0, 0,
		-254, 127, 1, 0.9,
	}
	m, err := QuantizeRows(a, 3, 4)
	require.NoError(t, err)
	assert.Equal(t, []float64{1.0 / 127, 0, 2}, m.Scales)
	assert.Equal(t, []int8{127, -64, 32, 0, 0, 0, 0, 0, -127, 64, 1, 0}, m.Data)
	// Every value is within half a step of its row's scale.
	for i, v := range m.Dequantize() {
		assert.InDelta(t, a[i], v, m.Scales[i/4]/2+1e-15, "value %d", i)
	}

	_, err = QuantizeRows(a, 4, 4)
	assert.ErrorIs(t, err, ErrShape)
	_, err = QuantizeRows([]float64{math.NaN()}, 1, 1)
	assert.Error(t, err)
}

func TestMatMulT(t *testing.T) {
	const m, n, k = 7, 5, 64
	rng := datagen.NewRand(1)
	a, err := datagen.Embeddings(rng, m, k)
	require.NoError(t, err)
	b, err := datagen.Embeddings(rng, n, k)
	require.NoError(t, err)
	af, bf := flat(a), flat(b)
	qa, err := QuantizeRows(af, m, k)
	require.NoError(t, err)
	qb, err := QuantizeRows(bf, n, k)
	require.NoError(t, err)

	// Exact on the dequantized operands: the int32 sum loses nothing.
	exact := make([]float64, m*n)
	require.NoError(t, MatMulTFloat(exact, qa.Dequantize(), qb.Dequantize(), m, n, k, 0, m))
	got := make([]float64, m*n)
	require.NoError(t, MatMulT(got, qa, qb, 0, 3))
	require.NoError(t, MatMulT(got, qa, qb, 3, m))
	assert.InDeltaSlice(t, exact, got, 1e-9)

	// Close to the float product: each term is off by at most
	// |a|·sB/2 + |b|·sA/2 + sA·sB/4.
	ref := make([]float64, m*n)
	require.NoError(t, MatMulTFloat(ref, af, bf, m, n, k, 0, m))
	for i := range m {
		for j := range n {
			var bound float64
			for t := range k {
				bound += math.Abs(af[i*k+t])*qb.Scales[j]/2 + math.Abs(bf[j*k+t])*qa.Scales[i]/2 + qa.Scales[i]*qb.Scales[j]/4
			}
			assert.LessOrEqual(t, math.Abs(got[i*n+j]-ref[i*n+j]), bound)
		}
	}
	assert.NotEqual(t, ref, got, "quantization leaves an error")
}

func TestMatMulTShape(t *testing.T) {
	a := Matrix{Rows: 2, Cols: 3, Data: make([]int8, 6), Scales: make([]float64, 2)}
	b := Matrix{Rows: 2, Cols: 4, Data: make([]int8, 8), Scales: make([]float64, 2)}
	assert.ErrorIs(t, MatMulT(make([]float64, 4), a, b, 0, 2), ErrShape)
	assert.ErrorIs(t, MatMulT(make([]float64, 4), a, a, 0, 3), ErrShape)
	long := Matrix{Rows: 1, Cols: MaxInner + 1}
	assert.ErrorIs(t, MatMulT(make([]float64, 1), long, long, 0, 1), ErrShape)
	assert.ErrorIs(t, MatMulTFloat(make([]float64, 1), make([]float64, 2), make([]float64, 2), 1, 1, 3, 0, 1), ErrShape)
}

func flat(x [][]float64) []float64 {
	var out []float64
	for _, r := range x {
		out = append(out, r...)
	}
	return out
}
