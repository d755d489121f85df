package nn

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
)

// TestGradient checks backprop against central finite differences of the
// loss, for every parameter of a small network.
func TestGradient(t *testing.T) {
	rng := datagen.NewRand(1)
	m, err := New(rng, 5, 7, 6, 3)
	require.NoError(t, err)
	for l := range m.Layers {
		for i := range m.Layers[l].B {
			m.Layers[l].B[i] = 0.1 * rng.NormFloat64() // exercise the biases
		}
	}
	x := []float64{0.5, -1.2, 0.3, 2.0, -0.7}
	const label = 2

	tr := newTrainer(m, TrainConfig{}.withDefaults())
	tr.zeroGrad()
	tr.backprop(x, label)

	loss := func() float64 {
		z, err := m.Logits(x)
		require.NoError(t, err)
		mx := z[Argmax(z)]
		var s float64
		for _, v := range z {
			s += math.Exp(v - mx)
		}
		return -(z[label] - mx - math.Log(s))
	}
	const h = 1e-6
	check := func(name string, p, g []float64) {
		for i := range p {
			orig := p[i]
			p[i] = orig + h
			up := loss()
			p[i] = orig - h
			down := loss()
			p[i] = orig
			assert.InDelta(t, (up-down)/(2*h), g[i], 1e-6, "%s[%d]", name, i)
		}
	}
	for l := range m.Layers {
		check("W", m.Layers[l].W, tr.gw[l])
		check("B", m.Layers[l].B, tr.gb[l])
	}
}

func TestTrainLearnsNonlinearSet(t *testing.T) {
	rng := datagen.NewRand(42)
	d, err := datagen.Classification(rng, datagen.ClassificationSpec{Samples: 3000, Dim: 10, Classes: 4, Separation: 2})
	require.NoError(t, err)
	train, test, err := d.Split(2400)
	require.NoError(t, err)
	s, err := FitStandardizer(train.X)
	require.NoError(t, err)
	require.NoError(t, s.Apply(train.X))
	require.NoError(t, s.Apply(test.X))

	m, err := New(rng, 10, 32, 4)
	require.NoError(t, err)
	st, err := m.Train(context.Background(), rng, train.X, train.Y, TrainConfig{Epochs: 8, LearningRate: 0.005})
	require.NoError(t, err)
	assert.Equal(t, 8, st.Epochs)
	assert.Equal(t, 8*75, st.Steps)
	assert.Less(t, st.Loss, 0.6)

	logits := make([][]float64, test.Len())
	for i, x := range test.X {
		logits[i], err = m.Logits(x)
		require.NoError(t, err)
	}
	acc := Accuracy(logits, test.Y)
	t.Logf("train accuracy %.3f, test accuracy %.3f, loss %.3f", st.Accuracy, acc, st.Loss)
	assert.Greater(t, acc, 0.8)
}

func TestTrainDeterministic(t *testing.T) {
	run := func() []float64 {
		rng := datagen.NewRand(3)
		d, err := datagen.Classification(rng, datagen.ClassificationSpec{Samples: 200, Dim: 4, Classes: 3})
		require.NoError(t, err)
		m, err := New(rng, 4, 8, 3)
		require.NoError(t, err)
		_, err = m.Train(context.Background(), rng, d.X, d.Y, TrainConfig{Epochs: 2})
		require.NoError(t, err)
		return m.Layers[0].W
	}
	assert.Equal(t, run(), run())
}

func TestTrainStopsOnCancel(t *testing.T) {
	rng := datagen.NewRand(3)
	m, err := New(rng, 2, 2)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = m.Train(ctx, rng, [][]float64{{1, 2}}, []int{1}, TrainConfig{})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestShapeErrors(t *testing.T) {
	rng := datagen.NewRand(3)
	_, err := New(rng, 3)
	assert.ErrorIs(t, err, ErrShape)
	_, err = New(rng, 3, 0, 2)
	assert.ErrorIs(t, err, ErrShape)
	m, err := New(rng, 2, 2)
	require.NoError(t, err)
	_, err = m.Logits([]float64{1})
	assert.ErrorIs(t, err, ErrShape)
	_, err = m.Train(context.Background(), rng, [][]float64{{1, 2}}, []int{2}, TrainConfig{})
	assert.ErrorIs(t, err, ErrShape, "label out of range")
	_, err = m.Train(context.Background(), rng, [][]float64{{1}}, []int{0}, TrainConfig{})
	assert.ErrorIs(t, err, ErrShape, "wrong feature count")
}

func TestStandardizer(t *testing.T) {
	x := [][]float64{{1, 5}, {3, 5}, {5, 5}}
	s, err := FitStandardizer(x)
	require.NoError(t, err)
	assert.Equal(t, []float64{3, 5}, s.Mean)
	assert.InDeltaSlice(t, []float64{math.Sqrt(8.0 / 3), 1}, s.Std, 1e-12, "constant feature keeps std 1")
	require.NoError(t, s.Apply(x))
	assert.InDelta(t, 0, x[1][0], 1e-12)
	assert.InDelta(t, -x[2][0], x[0][0], 1e-12)
	assert.Equal(t, 0.0, x[0][1])
	assert.ErrorIs(t, s.Apply([][]float64{{1}}), ErrShape)
}

func TestWeightDecayShrinksWeights(t *testing.T) {
	norm := func(decay float64) float64 {
		rng := datagen.NewRand(4)
		d, err := datagen.Classification(rng, datagen.ClassificationSpec{Samples: 500, Dim: 6, Classes: 3, Separation: 2})
		require.NoError(t, err)
		m, err := New(rng, 6, 16, 3)
		require.NoError(t, err)
		_, err = m.Train(context.Background(), rng, d.X, d.Y, TrainConfig{Epochs: 5, LearningRate: 0.01, WeightDecay: decay})
		require.NoError(t, err)
		var s float64
		for _, l := range m.Layers {
			for _, w := range l.W {
				s += w * w
			}
		}
		return math.Sqrt(s)
	}
	plain, decayed := norm(0), norm(1)
	t.Logf("weight norm %.3f without decay, %.3f with", plain, decayed)
	assert.Less(t, decayed, 0.9*plain)
}
