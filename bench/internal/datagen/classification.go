package datagen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// ClassificationSpec describes the data set Classification generates. Zero
// fields take the defaults in their comments.
type ClassificationSpec struct {
	// Samples is the number of samples; required.
	Samples int
	// Dim is the number of features; required.
	Dim int
	// Classes is the number of classes, at least 2; required.
	Classes int
	// Informative is the dimension of the subspace the class clusters
	// differ in (default min(Dim, 8)). 2^Informative must be at least
	// Classes*ClustersPerClass.
	Informative int
	// ClustersPerClass is how many Gaussian clusters each class is a
	// mixture of (default 2). With more than one, no linear model separates
	// the classes.
	ClustersPerClass int
	// Separation is half the side of the hypercube whose vertices are the
	// cluster centres, in units of the clusters' standard deviation
	// (default 1, as scikit-learn's class_sep).
	Separation float64
}

// Dataset is a labelled data set: sample i has features X[i] and label Y[i]
// in [0, Classes).
type Dataset struct {
	X       [][]float64
	Y       []int
	Classes int
}

// Len returns the number of samples.
func (d Dataset) Len() int { return len(d.X) }

// Dim returns the number of features (0 for an empty set).
func (d Dataset) Dim() int {
	if len(d.X) == 0 {
		return 0
	}
	return len(d.X[0])
}

// Split returns the first n samples and the rest. The sets share d's
// memory. Since the generators shuffle, the two parts are random samples.
func (d Dataset) Split(n int) (head, tail Dataset, err error) {
	if n < 0 || n > d.Len() {
		return Dataset{}, Dataset{}, fmt.Errorf("splitting %d samples at %d: %w", d.Len(), n, ErrInvalidShape)
	}
	return Dataset{X: d.X[:n:n], Y: d.Y[:n:n], Classes: d.Classes},
		Dataset{X: d.X[n:], Y: d.Y[n:], Classes: d.Classes}, nil
}

// ClassCounts returns how many samples each class has.
func (d Dataset) ClassCounts() []int {
	counts := make([]int, d.Classes)
	for _, y := range d.Y {
		counts[y]++
	}
	return counts
}

// Classification returns a labelled data set built the way scikit-learn's
// make_classification builds one: each class is a mixture of
// spec.ClustersPerClass Gaussian clusters with unit covariance, centred on
// distinct vertices of a hypercube of side 2*spec.Separation in the first
// spec.Informative dimensions; the other dimensions are standard normal
// noise. The samples are then rotated by a random orthogonal matrix, so
// that every feature mixes signal and noise, and each feature is scaled by
// a random factor in [0.5, 4) and shifted by a normal offset with standard
// deviation 2, so that the features need standardizing as real ones do.
// The classes are balanced (their sizes differ by at most one) and the
// samples are shuffled.
func Classification(rng *rand.Rand, spec ClassificationSpec) (Dataset, error) {
	s, err := spec.withDefaults()
	if err != nil {
		return Dataset{}, err
	}
	numClusters := s.Classes * s.ClustersPerClass
	centers := hypercubeVertices(rng, numClusters, s.Informative)
	rot := randomOrthogonal(rng, s.Dim)
	scale := make([]float64, s.Dim)
	shift := make([]float64, s.Dim)
	for j := range scale {
		scale[j] = 0.5 + 3.5*rng.Float64()
		shift[j] = 2 * rng.NormFloat64()
	}

	x := NewMatrix(s.Samples, s.Dim)
	y := make([]int, s.Samples)
	z := make([]float64, s.Dim)
	perm := rng.Perm(s.Samples)
	for i, r := range perm {
		// Cluster c*ClustersPerClass+k belongs to class c. Dealing the
		// samples round-robin to the classes, and within a class to its
		// clusters, balances both.
		class := i % s.Classes
		cluster := class*s.ClustersPerClass + (i/s.Classes)%s.ClustersPerClass
		y[r] = class
		for j := range z {
			z[j] = rng.NormFloat64()
			if j < s.Informative {
				z[j] += s.Separation * centers[cluster][j]
			}
		}
		row := x[r]
		for j, q := range rot {
			var v float64
			for k, zk := range z {
				v += q[k] * zk
			}
			row[j] = scale[j]*v + shift[j]
		}
	}
	return Dataset{X: x, Y: y, Classes: s.Classes}, nil
}

func (spec ClassificationSpec) withDefaults() (ClassificationSpec, error) {
	s := spec
	if s.Informative == 0 {
		s.Informative = min(s.Dim, 8)
	}
	if s.ClustersPerClass == 0 {
		s.ClustersPerClass = 2
	}
	if s.Separation == 0 {
		s.Separation = 1
	}
	switch {
	case s.Samples < 0, s.Dim <= 0, s.Classes < 2, s.ClustersPerClass < 0:
		return s, fmt.Errorf("classification set of %d samples, %d features, %d classes, %d clusters per class: %w",
			s.Samples, s.Dim, s.Classes, s.ClustersPerClass, ErrInvalidShape)
	case s.Informative < 0 || s.Informative > s.Dim:
		return s, fmt.Errorf("classification set with %d informative of %d features: %w", s.Informative, s.Dim, ErrInvalidShape)
	case s.Informative < 63 && 1<<s.Informative < s.Classes*s.ClustersPerClass:
		return s, fmt.Errorf("classification set: %d clusters do not fit on the vertices of a %d-dimensional hypercube: %w",
			s.Classes*s.ClustersPerClass, s.Informative, ErrInvalidShape)
	case s.Separation < 0 || math.IsNaN(s.Separation) || math.IsInf(s.Separation, 0):
		return s, fmt.Errorf("classification set with separation %v: %w", s.Separation, ErrInvalidShape)
	}
	return s, nil
}

// hypercubeVertices returns n distinct random vertices of {-1, +1}^dim; the
// caller has checked that 2^dim >= n.
func hypercubeVertices(rng *rand.Rand, n, dim int) [][]float64 {
	v := NewMatrix(n, dim)
	seen := make(map[string]bool, n)
	var key strings.Builder
	for i := 0; i < n; {
		key.Reset()
		for j := range v[i] {
			if rng.IntN(2) == 0 {
				v[i][j] = -1
				key.WriteByte('-')
			} else {
				v[i][j] = 1
				key.WriteByte('+')
			}
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			i++
		}
	}
	return v
}

// randomOrthogonal returns a random dim×dim orthogonal matrix: the
// Gram-Schmidt orthonormalization of a matrix of standard normal values.
func randomOrthogonal(rng *rand.Rand, dim int) [][]float64 {
	q := NewMatrix(dim, dim)
	for i := range q {
		for {
			for j := range q[i] {
				q[i][j] = rng.NormFloat64()
			}
			// Modified Gram-Schmidt against the rows already made; twice,
			// to keep them orthogonal to rounding error.
			for range 2 {
				for _, p := range q[:i] {
					var d float64
					for j := range p {
						d += p[j] * q[i][j]
					}
					for j := range p {
						q[i][j] -= d * p[j]
					}
				}
			}
			var norm float64
			for _, v := range q[i] {
				norm += v * v
			}
			norm = math.Sqrt(norm)
			if norm > 1e-9 { // a degenerate draw has probability zero; redraw
				for j := range q[i] {
					q[i][j] /= norm
				}
				break
			}
		}
	}
	return q
}
