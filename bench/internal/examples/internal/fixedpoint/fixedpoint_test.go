package fixedpoint

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/nn"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/polyapprox"
)

const frac = 20

func TestEncodeDecode(t *testing.T) {
	for _, v := range []float64{0, 1, -1, 0.5, 3.14159, -123.456, 1e-7} {
		q, err := Encode(v, frac)
		require.NoError(t, err)
		assert.InDelta(t, v, Decode(q, frac), math.Ldexp(1, -frac-1), "%v", v)
	}
	q, err := Encode(1.5, frac)
	require.NoError(t, err)
	assert.Equal(t, int64(3<<(frac-1)), q)
	for _, v := range []float64{math.NaN(), math.Inf(1), 1e30, -math.Ldexp(1, 62-frac)} {
		_, err := Encode(v, frac)
		assert.ErrorIs(t, err, ErrOverflow, "%v", v)
	}
	_, err = EncodeSlice([]float64{1, math.NaN()}, frac)
	assert.ErrorIs(t, err, ErrOverflow)
}

func TestRescale(t *testing.T) {
	for _, c := range []struct{ in, want int64 }{
		{0, 0}, {7, 1}, {8, 1}, {9, 1}, {3, 0}, {4, 1}, {-3, 0}, {-4, 0}, {-5, -1}, {-12, -1}, {-13, -2},
	} {
		assert.Equal(t, c.want, Rescale(c.in, 3), "Rescale(%d, 3)", c.in)
	}
	assert.Equal(t, int64(5), Rescale(5, 0))
}

func TestMul(t *testing.T) {
	rng := datagen.NewRand(9)
	for range 2000 {
		a := int64(rng.NormFloat64() * math.Ldexp(1, 20+rng.IntN(20)))
		b := int64(rng.NormFloat64() * math.Ldexp(1, 20+rng.IntN(20)))
		got, err := Mul(a, b, frac)
		// The exact product, rounded to nearest with halves away from zero.
		p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		want := new(big.Int).Abs(p)
		want.Add(want, big.NewInt(1<<(frac-1)))
		want.Rsh(want, frac)
		if p.Sign() < 0 {
			want.Neg(want)
		}
		if want.IsInt64() && math.Abs(float64(want.Int64())) < limit {
			require.NoError(t, err, "%d·%d", a, b)
			assert.Equal(t, want.Int64(), got, "%d·%d", a, b)
		} else {
			assert.ErrorIs(t, err, ErrOverflow, "%d·%d", a, b)
		}
	}
	_, err := Mul(math.MaxInt64, math.MinInt64, frac)
	assert.ErrorIs(t, err, ErrOverflow)
	got, err := Mul(-3<<frac, 1<<(frac-1), frac) // -3 · 0.5
	require.NoError(t, err)
	assert.Equal(t, int64(-3<<(frac-1)), got)
}

// testNet returns a random MLP, samples on which to run it, and per-neuron
// activation ranges taken from those samples with a margin.
func testNet(t *testing.T) (*nn.MLP, [][]float64, [][]float64) {
	t.Helper()
	rng := datagen.NewRand(5)
	m, err := nn.New(rng, 16, 24, 24, 5)
	require.NoError(t, err)
	for l := range m.Layers {
		for i := range m.Layers[l].B {
			m.Layers[l].B[i] = 0.2 * rng.NormFloat64()
		}
	}
	x, err := datagen.Embeddings(rng, 300, 16)
	require.NoError(t, err)
	ranges := [][]float64{make([]float64, 24), make([]float64, 24)}
	for _, row := range x {
		zs, err := m.PreActivations(row)
		require.NoError(t, err)
		for l, r := range ranges {
			for o := range r {
				r[o] = max(r[o], 1.1*math.Abs(zs[l][o]))
			}
		}
	}
	return m, x, ranges
}

// TestFoldKeepsFunction evaluates the folded layers in float64 with exact
// ReLU: ReLU(r·t) = r·ReLU(t) makes them the same function.
func TestFoldKeepsFunction(t *testing.T) {
	m, x, ranges := testNet(t)
	folded, err := Fold(m, ranges)
	require.NoError(t, err)
	for _, row := range x[:20] {
		want, err := m.Logits(row)
		require.NoError(t, err)
		got, _ := floatForward(folded, row)
		assert.InDeltaSlice(t, want, got, 1e-12)
	}
}

// floatForward evaluates folded layers with exact ReLU in float64, and
// returns the logits and, for each layer, the largest activation input.
func floatForward(layers []nn.Dense, x []float64) ([]float64, []float64) {
	var peaks []float64
	for l, d := range layers {
		z := make([]float64, d.Out)
		var peak float64
		for o := range z {
			s := d.B[o]
			for i, v := range x {
				s += d.W[o*d.In+i] * v
			}
			peak = max(peak, math.Abs(s))
			if l < len(layers)-1 {
				s = max(s, 0)
			}
			z[o] = s
		}
		peaks = append(peaks, peak)
		x = z
	}
	return x, peaks
}

// TestExactReLUMatchesFloat checks fixed-point inference with exact ReLU
// against float64 within the a-priori rounding bound: with u = 2^-(f+1)
// the largest rounding error, a layer whose inputs x carry error e_in
// outputs values off by at most |W|₁·e_in + (|x|₁ + n·e_in + 2)·u, where
// |W|₁ is the largest row sum of |w| and n the number of inputs (one u for
// the weights' rounding times |x|, one for the bias, one for the rescale).
func TestExactReLUMatchesFloat(t *testing.T) {
	m, x, ranges := testNet(t)
	folded, err := Fold(m, ranges)
	require.NoError(t, err)
	net, err := NewNetwork(folded, nil, frac)
	require.NoError(t, err)

	u := math.Ldexp(1, -frac-1)
	var worst, worstBound float64
	for _, row := range x {
		want, err := m.Logits(row)
		require.NoError(t, err)
		q, err := EncodeSlice(row, frac)
		require.NoError(t, err)
		got, st, err := net.Infer(q)
		require.NoError(t, err)
		assert.Equal(t, 48, st.Activations)

		// The bound, layer by layer, on the float values.
		e := u
		in := row
		for l, d := range folded {
			var rowL1, inL1 float64
			for o := range d.Out {
				var s float64
				for i := range d.In {
					s += math.Abs(d.W[o*d.In+i])
				}
				rowL1 = max(rowL1, s)
			}
			for _, v := range in {
				inL1 += math.Abs(v) + e
			}
			e = rowL1*e + (inL1+2)*u
			out, _ := floatForward(folded[l:l+1], in)
			if l < len(folded)-1 {
				for o := range out {
					out[o] = max(out[o], 0)
				}
			}
			in = out
		}
		for o, v := range DecodeSlice(got, frac) {
			assert.LessOrEqual(t, math.Abs(v-want[o]), e)
			worst = max(worst, math.Abs(v-want[o]))
		}
		worstBound = max(worstBound, e)
	}
	t.Logf("largest error %.3g = %.1f·2^-%d (bound %.1f·2^-%d)",
		worst, math.Ldexp(worst, frac), frac, math.Ldexp(worstBound, frac), frac)
	assert.Greater(t, worst, 0.0, "rounding leaves some error")
}

func TestPolyMatchesFloatSeries(t *testing.T) {
	c, err := polyapprox.Fit(polyapprox.ReLU, 31, polyapprox.Grid(1001))
	require.NoError(t, err)
	net, err := NewNetwork([]nn.Dense{{In: 1, Out: 1, W: []float64{1}, B: []float64{0}}}, c, frac)
	require.NoError(t, err)
	for _, v := range polyapprox.Grid(101) {
		q, err := Encode(v, frac)
		require.NoError(t, err)
		got, err := net.evalPoly(q)
		require.NoError(t, err)
		// Clenshaw's rounding errors grow about linearly with the degree.
		assert.InDelta(t, polyapprox.Eval(c, Decode(q, frac)), Decode(got, frac), 32*math.Ldexp(1, -frac), "t=%v", v)
	}
}

func TestPolyNetworkApproximatesReLUNetwork(t *testing.T) {
	m, x, ranges := testNet(t)
	folded, err := Fold(m, ranges)
	require.NoError(t, err)
	prev := math.Inf(1)
	for _, degree := range []int{7, 15, 31, 63} {
		c, err := polyapprox.Fit(polyapprox.ReLU, degree, polyapprox.Grid(2001))
		require.NoError(t, err)
		net, err := NewNetwork(folded, c, frac)
		require.NoError(t, err)
		var mae float64
		var n int
		for _, row := range x {
			want, err := m.Logits(row)
			require.NoError(t, err)
			q, err := EncodeSlice(row, frac)
			require.NoError(t, err)
			got, st, err := net.Infer(q)
			require.NoError(t, err)
			assert.Zero(t, st.OutOfRange, "the ranges cover their own samples")
			for o, v := range DecodeSlice(got, frac) {
				mae += math.Abs(v - want[o])
				n++
			}
		}
		mae /= float64(n)
		t.Logf("degree %2d: logits MAE %.3g (%.1f bits)", degree, mae, -math.Log2(mae))
		assert.Less(t, mae, prev, "degree %d", degree)
		prev = mae
	}
}

func TestOutOfRangeCounted(t *testing.T) {
	net, err := NewNetwork([]nn.Dense{
		{In: 1, Out: 2, W: []float64{1, -0.5}, B: []float64{0, 0}},
		{In: 2, Out: 1, W: []float64{1, 1}, B: []float64{0}},
	}, nil, frac)
	require.NoError(t, err)
	q, err := Encode(1.5, frac)
	require.NoError(t, err)
	got, st, err := net.Infer([]int64{q})
	require.NoError(t, err)
	assert.Equal(t, Stats{Activations: 2, OutOfRange: 1}, st)
	assert.Equal(t, q, got[0], "ReLU(1.5) + ReLU(-0.75)")
}

func TestOverflowDetected(t *testing.T) {
	big := []nn.Dense{{In: 2, Out: 1, W: []float64{1e6, 1e6}, B: []float64{0}}}
	net, err := NewNetwork(big, nil, frac)
	require.NoError(t, err)
	x, err := EncodeSlice([]float64{1e6, 1e6}, frac)
	require.NoError(t, err)
	_, _, err = net.Infer(x)
	assert.ErrorIs(t, err, ErrOverflow)

	// A polynomial far outside [-1, 1] overflows instead of wrapping.
	c, err := polyapprox.Fit(polyapprox.ReLU, 63, polyapprox.Grid(1001))
	require.NoError(t, err)
	net, err = NewNetwork([]nn.Dense{
		{In: 1, Out: 1, W: []float64{1}, B: []float64{0}},
		{In: 1, Out: 1, W: []float64{1}, B: []float64{0}},
	}, c, frac)
	require.NoError(t, err)
	q, err := Encode(50, frac)
	require.NoError(t, err)
	_, _, err = net.Infer([]int64{q})
	assert.ErrorIs(t, err, ErrOverflow)
}

func TestShapeErrors(t *testing.T) {
	m, _, ranges := testNet(t)
	_, err := Fold(m, ranges[:1])
	assert.ErrorIs(t, err, ErrShape)
	_, err = Fold(m, [][]float64{ranges[0], make([]float64, 24)})
	assert.ErrorIs(t, err, ErrShape, "zero range")
	folded, err := Fold(m, ranges)
	require.NoError(t, err)
	_, err = NewNetwork(folded, nil, 0)
	assert.ErrorIs(t, err, ErrShape)
	_, err = NewNetwork([]nn.Dense{folded[1], folded[0]}, nil, frac)
	assert.ErrorIs(t, err, ErrShape)
	net, err := NewNetwork(folded, nil, frac)
	require.NoError(t, err)
	_, _, err = net.Infer(make([]int64, 3))
	assert.ErrorIs(t, err, ErrShape)
}
