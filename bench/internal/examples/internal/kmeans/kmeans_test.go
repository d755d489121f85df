package kmeans

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/bench/internal/datagen"
	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/clusterscore"
)

func TestWellSeparatedClusters(t *testing.T) {
	rng := datagen.NewRand(42)
	x, labels, err := datagen.EmbeddingsWithClusters(rng, 8, 200, 32, 0.5)
	require.NoError(t, err)
	train, test := x[:1200], x[1200:]

	m, err := Fit(context.Background(), rng, train, Config{K: 8, Inits: 3})
	require.NoError(t, err)
	assert.True(t, m.Converged)
	assert.Len(t, m.Centroids, 8)
	assert.Greater(t, m.TotalIterations, 0)

	pred, err := m.Predict(test)
	require.NoError(t, err)
	purity, err := clusterscore.Purity(labels[1200:], pred)
	require.NoError(t, err)
	ari, err := clusterscore.AdjustedRandIndex(labels[1200:], pred)
	require.NoError(t, err)
	t.Logf("purity %.3f, ARI %.3f, inertia %.1f, %d iterations", purity, ari, m.Inertia, m.Iterations)
	assert.GreaterOrEqual(t, purity, 0.95)
	assert.GreaterOrEqual(t, ari, 0.9)

	// Inertia is about n·dim·spread² for recovered clusters.
	assert.InDelta(t, 1200*32*0.25, m.Inertia, 0.1*1200*32*0.25)
	assert.InDelta(t, m.Inertia, m.InertiaOf(train), 1e-6)
}

func TestOverlappingClustersStillScoreWell(t *testing.T) {
	// The spread is large next to the centres' scale per coordinate, but in
	// 64 dimensions the clusters stay apart.
	rng := datagen.NewRand(7)
	x, labels, err := datagen.EmbeddingsWithClusters(rng, 6, 150, 64, 2.5)
	require.NoError(t, err)
	m, err := Fit(context.Background(), rng, x, Config{K: 6, Inits: 4})
	require.NoError(t, err)
	pred, err := m.Predict(x)
	require.NoError(t, err)
	purity, err := clusterscore.Purity(labels, pred)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, purity, 0.95)
}

func TestMoreSeedingsNeverWorse(t *testing.T) {
	x, _, err := datagen.EmbeddingsWithClusters(datagen.NewRand(3), 10, 40, 8, 2)
	require.NoError(t, err)
	one, err := Fit(context.Background(), datagen.NewRand(1), x, Config{K: 10, Inits: 1})
	require.NoError(t, err)
	// The first seeding of the five is the one above.
	five, err := Fit(context.Background(), datagen.NewRand(1), x, Config{K: 10, Inits: 5})
	require.NoError(t, err)
	assert.LessOrEqual(t, five.Inertia, one.Inertia)
}

func TestDeterministic(t *testing.T) {
	x, _, err := datagen.EmbeddingsWithClusters(datagen.NewRand(3), 4, 50, 8, 1)
	require.NoError(t, err)
	a, err := Fit(context.Background(), datagen.NewRand(9), x, Config{K: 4, Inits: 2})
	require.NoError(t, err)
	b, err := Fit(context.Background(), datagen.NewRand(9), x, Config{K: 4, Inits: 2})
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestDuplicatesAndEmptyClusters(t *testing.T) {
	// Three distinct points, five clusters: seeding must still finish and
	// the inertia is zero.
	x := [][]float64{{0, 0}, {0, 0}, {1, 1}, {1, 1}, {5, 5}, {5, 5}}
	m, err := Fit(context.Background(), datagen.NewRand(1), x, Config{K: 5})
	require.NoError(t, err)
	assert.Zero(t, m.Inertia)
}

func TestInvalid(t *testing.T) {
	ctx := context.Background()
	rng := datagen.NewRand(1)
	for name, c := range map[string]struct {
		x   [][]float64
		cfg Config
	}{
		"no clusters":       {[][]float64{{1}}, Config{}},
		"too few samples":   {[][]float64{{1}}, Config{K: 2}},
		"ragged":            {[][]float64{{1, 2}, {1}}, Config{K: 1}},
		"no features":       {[][]float64{{}}, Config{K: 1}},
		"not finite":        {[][]float64{{1}, {2 / zero()}}, Config{K: 1}},
		"negative seedings": {[][]float64{{1}}, Config{K: 1, Inits: -1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Fit(ctx, rng, c.x, c.cfg)
			assert.ErrorIs(t, err, ErrInvalid)
		})
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err := Fit(cancelled, rng, [][]float64{{1}, {2}}, Config{K: 1})
	assert.ErrorIs(t, err, context.Canceled)

	m, err := Fit(ctx, rng, [][]float64{{1}, {2}}, Config{K: 1})
	require.NoError(t, err)
	_, err = m.Predict([][]float64{{1, 2}})
	assert.ErrorIs(t, err, ErrInvalid)
}

func zero() float64 { return 0 }
