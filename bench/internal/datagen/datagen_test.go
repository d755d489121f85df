package datagen

import (
	"math"
	"slices"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddings(t *testing.T) {
	x, err := Embeddings(NewRand(1), 2000, 16)
	require.NoError(t, err)
	require.Len(t, x, 2000)
	assertContiguous(t, x, 16)

	var sum, sumSq float64
	for _, row := range x {
		for _, v := range row {
			sum += v
			sumSq += v * v
		}
	}
	n := float64(2000 * 16)
	mean := sum / n
	assert.InDelta(t, 0, mean, 0.03, "mean of standard normal values")
	assert.InDelta(t, 1, sumSq/n-mean*mean, 0.03, "variance of standard normal values")
}

func TestDeterministic(t *testing.T) {
	a, _, err := EmbeddingsWithClusters(NewRand(7), 3, 10, 4, 0.3)
	require.NoError(t, err)
	b, _, err := EmbeddingsWithClusters(NewRand(7), 3, 10, 4, 0.3)
	require.NoError(t, err)
	c, _, err := EmbeddingsWithClusters(NewRand(8), 3, 10, 4, 0.3)
	require.NoError(t, err)
	assert.Equal(t, a, b, "same seed")
	assert.NotEqual(t, a, c, "different seed")

	spec := ClassificationSpec{Samples: 50, Dim: 6, Classes: 3}
	d1, err := Classification(NewRand(7), spec)
	require.NoError(t, err)
	d2, err := Classification(NewRand(7), spec)
	require.NoError(t, err)
	assert.Equal(t, d1, d2)
}

func TestEmbeddingsWithClusters(t *testing.T) {
	const k, per, dim, spread = 4, 300, 32, 0.5
	x, labels, err := EmbeddingsWithClusters(NewRand(3), k, per, dim, spread)
	require.NoError(t, err)
	require.Len(t, x, k*per)
	require.Len(t, labels, k*per)
	assertContiguous(t, x, dim)
	assert.False(t, slices.IsSorted(labels), "samples are shuffled")

	counts := make([]int, k)
	means := NewMatrix(k, dim)
	for i, row := range x {
		counts[labels[i]]++
		for j, v := range row {
			means[labels[i]][j] += v / per
		}
	}
	assert.Equal(t, []int{per, per, per, per}, counts)

	// The spread around each cluster's mean is spread.
	var sumSq float64
	for i, row := range x {
		for j, v := range row {
			d := v - means[labels[i]][j]
			sumSq += d * d
		}
	}
	assert.InDelta(t, spread, math.Sqrt(sumSq/float64(k*per*dim)), 0.02)

	// Centres are far apart compared with the spread: about
	// ClusterCenterScale*sqrt(2*dim).
	for a := range k {
		for b := range a {
			var d2 float64
			for j := range dim {
				d := means[a][j] - means[b][j]
				d2 += d * d
			}
			assert.Greater(t, math.Sqrt(d2), 10*spread)
		}
	}
}

func TestClassification(t *testing.T) {
	d, err := Classification(NewRand(5), ClassificationSpec{Samples: 1001, Dim: 12, Classes: 5, Separation: 2})
	require.NoError(t, err)
	require.Equal(t, 1001, d.Len())
	require.Equal(t, 12, d.Dim())
	assertContiguous(t, d.X, 12)
	counts := d.ClassCounts()
	assert.Equal(t, 1001, counts[0]+counts[1]+counts[2]+counts[3]+counts[4])
	for _, c := range counts {
		assert.InDelta(t, 200, c, 1, "classes are balanced")
	}
	assert.False(t, slices.IsSorted(d.Y), "samples are shuffled")

	// The features are shifted and scaled, so not standardized.
	var spread []float64
	for j := range 12 {
		var s, s2 float64
		for _, row := range d.X {
			s += row[j]
			s2 += row[j] * row[j]
		}
		m := s / 1001
		spread = append(spread, math.Sqrt(s2/1001-m*m))
	}
	assert.Greater(t, slices.Max(spread)/slices.Min(spread), 1.5)

	head, tail, err := d.Split(800)
	require.NoError(t, err)
	assert.Equal(t, 800, head.Len())
	assert.Equal(t, 201, tail.Len())
	assert.Equal(t, d.Y[800], tail.Y[0])
	_, _, err = d.Split(1002)
	assert.ErrorIs(t, err, ErrInvalidShape)
}

func TestClassificationNearestCentroidIsNotEnough(t *testing.T) {
	// With two clusters per class a class's mean lies between its
	// clusters, so classifying by the nearest class mean does much worse
	// than by the nearest cluster: the set needs a nonlinear model.
	spec := ClassificationSpec{Samples: 4000, Dim: 4, Classes: 2, Informative: 4, ClustersPerClass: 2, Separation: 2}
	d, err := Classification(NewRand(11), spec)
	require.NoError(t, err)
	means := NewMatrix(2, 4)
	n := d.ClassCounts()
	for i, row := range d.X {
		for j, v := range row {
			means[d.Y[i]][j] += v / float64(n[d.Y[i]])
		}
	}
	var correct int
	for i, row := range d.X {
		if nearest(row, means) == d.Y[i] {
			correct++
		}
	}
	assert.Less(t, float64(correct)/4000, 0.8)
}

func nearest(x []float64, centers [][]float64) int {
	best, bestD := 0, math.Inf(1)
	for c, m := range centers {
		var d float64
		for j := range x {
			d += (x[j] - m[j]) * (x[j] - m[j])
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func TestInvalidShapes(t *testing.T) {
	rng := NewRand(1)
	_, err := Embeddings(rng, -1, 3)
	assert.ErrorIs(t, err, ErrInvalidShape)
	_, err = Embeddings(rng, 3, 0)
	assert.ErrorIs(t, err, ErrInvalidShape)
	_, _, err = EmbeddingsWithClusters(rng, 0, 3, 3, 0.3)
	assert.ErrorIs(t, err, ErrInvalidShape)
	_, _, err = EmbeddingsWithClusters(rng, 2, 3, 3, math.NaN())
	assert.ErrorIs(t, err, ErrInvalidShape)

	for name, spec := range map[string]ClassificationSpec{
		"one class":           {Samples: 10, Dim: 3, Classes: 1},
		"no features":         {Samples: 10, Classes: 2},
		"too many clusters":   {Samples: 10, Dim: 3, Classes: 3, Informative: 2},
		"informative > dim":   {Samples: 10, Dim: 3, Classes: 2, Informative: 4},
		"negative samples":    {Samples: -1, Dim: 3, Classes: 2},
		"negative separation": {Samples: 10, Dim: 3, Classes: 2, Separation: -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Classification(rng, spec)
			assert.ErrorIs(t, err, ErrInvalidShape)
		})
	}
}

func TestRandomOrthogonal(t *testing.T) {
	q := randomOrthogonal(NewRand(2), 20)
	for a := range q {
		for b := range q {
			var d float64
			for j := range q[a] {
				d += q[a][j] * q[b][j]
			}
			want := 0.0
			if a == b {
				want = 1
			}
			assert.InDelta(t, want, d, 1e-12)
		}
	}
}

func TestHypercubeVerticesDistinct(t *testing.T) {
	// All 16 vertices of a 4-cube: the draws must not repeat.
	v := hypercubeVertices(NewRand(4), 16, 4)
	seen := map[[4]float64]bool{}
	for _, row := range v {
		seen[[4]float64(row)] = true
	}
	assert.Len(t, seen, 16)
}

// assertContiguous checks that the rows of x are one row-major array.
func assertContiguous(t *testing.T, x [][]float64, dim int) {
	t.Helper()
	base := uintptr(unsafe.Pointer(&x[0][0]))
	for i := 1; i < len(x); i++ {
		if uintptr(unsafe.Pointer(&x[i][0]))-base != uintptr(i*dim)*unsafe.Sizeof(x[0][0]) {
			t.Fatalf("row %d is not at offset %d of the backing array", i, i*dim)
		}
	}
}
