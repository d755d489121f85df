package datagen

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrInvalidShape is returned when a size or dimension is out of range.
var ErrInvalidShape = errors.New("invalid shape")

// NewRand returns a generator seeded with seed, backed by a PCG source.
func NewRand(seed uint64) *rand.Rand {
	// The second PCG word is fixed so that one integer names a stream.
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// NewMatrix returns rows×cols zeros whose rows share one backing array.
func NewMatrix(rows, cols int) [][]float64 {
	data := make([]float64, rows*cols)
	m := make([][]float64, rows)
	for i := range m {
		m[i] = data[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return m
}

// Embeddings returns n vectors of dimension dim whose coordinates are
// independent standard normal values, as Feluda's generate_embeddings.
func Embeddings(rng *rand.Rand, n, dim int) ([][]float64, error) {
	if n < 0 || dim <= 0 {
		return nil, fmt.Errorf("generating %d embeddings of dimension %d: %w", n, dim, ErrInvalidShape)
	}
	m := NewMatrix(n, dim)
	for _, row := range m {
		for j := range row {
			row[j] = rng.NormFloat64()
		}
	}
	return m, nil
}

// ClusterCenterScale is the standard deviation of the coordinates of the
// cluster centres EmbeddingsWithClusters draws, as in Feluda.
const ClusterCenterScale = 3.0

// EmbeddingsWithClusters returns numClusters*samplesPerCluster embeddings of
// dimension dim and the index of the cluster each belongs to, as Feluda's
// generate_embeddings_with_clusters: each centre has independent normal
// coordinates with standard deviation ClusterCenterScale, each sample is its
// centre plus independent normal noise with standard deviation spread
// (Feluda's default is 0.3), and the samples are shuffled.
func EmbeddingsWithClusters(rng *rand.Rand, numClusters, samplesPerCluster, dim int, spread float64) ([][]float64, []int, error) {
	if numClusters <= 0 || samplesPerCluster < 0 || dim <= 0 {
		return nil, nil, fmt.Errorf("generating %d clusters of %d embeddings of dimension %d: %w",
			numClusters, samplesPerCluster, dim, ErrInvalidShape)
	}
	if spread < 0 || math.IsNaN(spread) || math.IsInf(spread, 0) {
		return nil, nil, fmt.Errorf("generating clustered embeddings: spread %v: %w", spread, ErrInvalidShape)
	}
	centers := NewMatrix(numClusters, dim)
	for _, c := range centers {
		for j := range c {
			c[j] = ClusterCenterScale * rng.NormFloat64()
		}
	}
	n := numClusters * samplesPerCluster
	x := NewMatrix(n, dim)
	labels := make([]int, n)
	// Sample i of the cluster-ordered sequence lands in row perm[i], which
	// shuffles the set while keeping its rows in one row-major array.
	perm := rng.Perm(n)
	for i, r := range perm {
		k := i / samplesPerCluster
		labels[r] = k
		for j := range x[r] {
			x[r][j] = centers[k][j] + spread*rng.NormFloat64()
		}
	}
	return x, labels, nil
}
