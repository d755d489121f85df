package kmeans

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/benchtrace/benchtrace/bench/internal/examples/internal/parallel"
)

// ErrInvalid is returned for a configuration or data that cannot be
// clustered.
var ErrInvalid = errors.New("invalid k-means input")

// Config configures Fit. Zero fields take the defaults in their comments.
type Config struct {
	// K is the number of clusters; required.
	K int
	// MaxIter is the most Lloyd iterations per seeding (default 300).
	MaxIter int
	// Tol stops the iterations once the centroids move less, in total
	// squared distance, than Tol times the mean variance of the features
	// (default 1e-4, as scikit-learn).
	Tol float64
	// Inits is the number of k-means++ seedings; the result with the
	// lowest inertia is kept (default 1).
	Inits int
}

func (c Config) withDefaults() Config {
	if c.MaxIter == 0 {
		c.MaxIter = 300
	}
	if c.Tol == 0 {
		c.Tol = 1e-4
	}
	if c.Inits == 0 {
		c.Inits = 1
	}
	return c
}

// Model is a fitted clustering.
type Model struct {
	// Centroids holds the K cluster centres.
	Centroids [][]float64
	// Inertia is the sum of squared distances of the training samples to
	// their nearest centroid.
	Inertia float64
	// Iterations is the number of Lloyd iterations of the kept seeding.
	Iterations int
	// Converged reports whether the kept seeding met the tolerance (or
	// stopped changing) before MaxIter.
	Converged bool
	// TotalIterations counts the Lloyd iterations of all seedings.
	TotalIterations int
}

// Fit clusters the rows of x into cfg.K clusters. It returns ctx.Err() if
// ctx is done before it finishes.
func Fit(ctx context.Context, rng *rand.Rand, x [][]float64, cfg Config) (*Model, error) {
	c := cfg.withDefaults()
	if err := validate(x, c); err != nil {
		return nil, err
	}
	tol := c.Tol * meanVariance(x)
	var best *Model
	var total int
	for init := range c.Inits {
		centroids := seed(rng, x, c.K)
		m, err := lloyd(ctx, x, centroids, c.MaxIter, tol)
		if err != nil {
			return nil, fmt.Errorf("k-means seeding %d: %w", init, err)
		}
		total += m.Iterations
		if best == nil || m.Inertia < best.Inertia {
			best = m
		}
	}
	best.TotalIterations = total
	return best, nil
}

func validate(x [][]float64, c Config) error {
	if c.K <= 0 || len(x) < c.K || c.MaxIter < 0 || c.Inits < 0 || !(c.Tol >= 0) {
		return fmt.Errorf("clustering %d samples into %d clusters (%d iterations, %d seedings, tolerance %v): %w",
			len(x), c.K, c.MaxIter, c.Inits, c.Tol, ErrInvalid)
	}
	dim := len(x[0])
	if dim == 0 {
		return fmt.Errorf("clustering samples of no features: %w", ErrInvalid)
	}
	for i, row := range x {
		if len(row) != dim {
			return fmt.Errorf("clustering: sample %d has %d features, want %d: %w", i, len(row), dim, ErrInvalid)
		}
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("clustering: sample %d is not finite: %w", i, ErrInvalid)
			}
		}
	}
	return nil
}

func meanVariance(x [][]float64) float64 {
	dim := len(x[0])
	mean := make([]float64, dim)
	for _, row := range x {
		for j, v := range row {
			mean[j] += v
		}
	}
	n := float64(len(x))
	for j := range mean {
		mean[j] /= n
	}
	var ss float64
	for _, row := range x {
		for j, v := range row {
			d := v - mean[j]
			ss += d * d
		}
	}
	return ss / n / float64(dim)
}

func sqDist(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return s
}

// nearest returns the index of the centroid nearest to v and the squared
// distance to it.
func nearest(v []float64, centroids [][]float64) (int, float64) {
	best, bestD := 0, math.Inf(1)
	for k, c := range centroids {
		if d := sqDist(v, c); d < bestD {
			best, bestD = k, d
		}
	}
	return best, bestD
}

// seed picks k initial centroids by greedy k-means++ (Arthur and
// Vassilvitskii, 2007, with the local trials of scikit-learn): the first
// uniformly; then, each time, 2+floor(ln k) candidates drawn with
// probability proportional to their squared distance to the nearest
// centroid already picked, keeping the candidate that lowers the total of
// those distances most.
func seed(rng *rand.Rand, x [][]float64, k int) [][]float64 {
	trials := 2 + int(math.Log(float64(k)))
	centroids := make([][]float64, 0, k)
	centroids = append(centroids, clone(x[rng.IntN(len(x))]))
	d2 := make([]float64, len(x))
	parallel.Each(len(x), func(i int) { d2[i] = sqDist(x[i], centroids[0]) })
	cand := make([]float64, len(x))
	best := make([]float64, len(x))
	for len(centroids) < k {
		var total float64
		for _, d := range d2 {
			total += d
		}
		bestPot, bestIdx := math.Inf(1), -1
		for range trials {
			idx := sample(rng, d2, total)
			parallel.Each(len(x), func(i int) { cand[i] = min(d2[i], sqDist(x[i], x[idx])) })
			var pot float64
			for _, d := range cand {
				pot += d
			}
			if pot < bestPot {
				bestPot, bestIdx = pot, idx
				best, cand = cand, best
			}
		}
		centroids = append(centroids, clone(x[bestIdx]))
		d2, best = best, d2
	}
	return centroids
}

// sample returns an index drawn with probability proportional to d2[i],
// or uniformly when every d2[i] is zero (every sample sits on a centroid).
func sample(rng *rand.Rand, d2 []float64, total float64) int {
	if total <= 0 {
		return rng.IntN(len(d2))
	}
	r := rng.Float64() * total
	last := 0
	for i, d := range d2 {
		if d == 0 {
			continue
		}
		last = i
		r -= d
		if r < 0 {
			return i
		}
	}
	return last // rounding left r ≥ 0 past the end
}

func clone(v []float64) []float64 { return append([]float64(nil), v...) }

// lloyd runs Lloyd's iterations from centroids until the centroids move
// less than tol in total squared distance, the assignment stops changing,
// or maxIter iterations have run.
func lloyd(ctx context.Context, x [][]float64, centroids [][]float64, maxIter int, tol float64) (*Model, error) {
	k, dim := len(centroids), len(x[0])
	labels := make([]int, len(x))
	for i := range labels {
		labels[i] = -1
	}
	next := make([]int, len(x))
	dists := make([]float64, len(x))
	sums := make([][]float64, k)
	for j := range sums {
		sums[j] = make([]float64, dim)
	}
	counts := make([]int, k)
	m := &Model{}
	for m.Iterations < maxIter {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("iteration %d: %w", m.Iterations, err)
		}
		m.Iterations++
		parallel.Each(len(x), func(i int) { next[i], dists[i] = nearest(x[i], centroids) })
		changed := 0
		for i, l := range next {
			if l != labels[i] {
				changed++
			}
		}
		labels, next = next, labels
		if changed == 0 {
			m.Converged = true
			break
		}
		for j := range sums {
			clear(sums[j])
			counts[j] = 0
		}
		for i, row := range x {
			s := sums[labels[i]]
			for j, v := range row {
				s[j] += v
			}
			counts[labels[i]]++
		}
		var shift float64
		for j, c := range centroids {
			if counts[j] == 0 {
				// An empty cluster takes the sample farthest from its
				// centroid, which then leaves its old cluster.
				far := 0
				for i, d := range dists {
					if d > dists[far] {
						far = i
					}
				}
				dists[far] = 0
				shift += sqDist(c, x[far])
				copy(c, x[far])
				continue
			}
			inv := 1 / float64(counts[j])
			var moved float64
			for d := range c {
				v := sums[j][d] * inv
				moved += (v - c[d]) * (v - c[d])
				c[d] = v
			}
			shift += moved
		}
		if shift <= tol {
			m.Converged = true
			break
		}
	}
	// The inertia is that of the final centroids.
	m.Centroids = centroids
	m.Inertia = m.InertiaOf(x)
	return m, nil
}

// Predict returns the index of the nearest centroid of each row of x.
func (m *Model) Predict(x [][]float64) ([]int, error) {
	for i, row := range x {
		if len(row) != len(m.Centroids[0]) {
			return nil, fmt.Errorf("predicting sample %d of %d features, want %d: %w", i, len(row), len(m.Centroids[0]), ErrInvalid)
		}
	}
	labels := make([]int, len(x))
	parallel.Each(len(x), func(i int) { labels[i], _ = nearest(x[i], m.Centroids) })
	return labels, nil
}

// InertiaOf returns the sum of squared distances of the rows of x to their
// nearest centroid.
func (m *Model) InertiaOf(x [][]float64) float64 {
	d := make([]float64, len(x))
	parallel.Each(len(x), func(i int) { _, d[i] = nearest(x[i], m.Centroids) })
	var s float64
	for _, v := range d {
		s += v
	}
	return s
}
