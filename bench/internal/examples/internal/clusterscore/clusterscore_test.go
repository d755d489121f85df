package clusterscore

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScores(t *testing.T) {
	for _, c := range []struct {
		name        string
		truth, pred []int
		purity, ari float64
	}{
		{"identical", []int{0, 0, 1, 1, 2, 2}, []int{0, 0, 1, 1, 2, 2}, 1, 1},
		{"renamed", []int{0, 0, 1, 1, 2, 2}, []int{5, 5, 3, 3, 9, 9}, 1, 1},
		// scikit-learn: adjusted_rand_score([0,0,1,1], [0,0,1,2]) = 0.5714…
		{"split", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 1, 4.0 / 7},
		// adjusted_rand_score([0,0,1,1], [0,1,0,1]) = -0.5
		{"crossed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, 0.5, -0.5},
		{"one cluster", []int{0, 0, 1, 1}, []int{7, 7, 7, 7}, 0.5, 0},
		{"both trivial", []int{1, 1, 1}, []int{2, 2, 2}, 1, 1},
		// adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,2,2]) = 0.2424…
		{"mixed", []int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2}, 5.0 / 6, 8.0 / 33},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Purity(c.truth, c.pred)
			require.NoError(t, err)
			assert.InDelta(t, c.purity, p, 1e-12)
			a, err := AdjustedRandIndex(c.truth, c.pred)
			require.NoError(t, err)
			assert.InDelta(t, c.ari, a, 1e-12)
		})
	}
}

func TestRandomLabelsScoreNearZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	truth := make([]int, 5000)
	pred := make([]int, 5000)
	for i := range truth {
		truth[i] = rng.IntN(5)
		pred[i] = rng.IntN(5)
	}
	a, err := AdjustedRandIndex(truth, pred)
	require.NoError(t, err)
	assert.InDelta(t, 0, a, 0.01)
}

func TestInvalid(t *testing.T) {
	_, err := Purity(nil, nil)
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = AdjustedRandIndex([]int{1}, []int{1, 2})
	assert.ErrorIs(t, err, ErrInvalid)
}
