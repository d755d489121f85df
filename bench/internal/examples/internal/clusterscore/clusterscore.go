package clusterscore

import (
	"errors"
	"fmt"
)

// ErrInvalid is returned for label slices that cannot be compared.
var ErrInvalid = errors.New("invalid labels")

// contingency counts the samples of each (truth, predicted) pair, and the
// samples of each truth and each predicted label.
type contingency struct {
	pairs       map[[2]int]int
	truth, pred map[int]int
	n           int
}

func newContingency(truth, pred []int) (contingency, error) {
	if len(truth) == 0 || len(truth) != len(pred) {
		return contingency{}, fmt.Errorf("comparing %d true labels with %d predicted: %w", len(truth), len(pred), ErrInvalid)
	}
	c := contingency{pairs: map[[2]int]int{}, truth: map[int]int{}, pred: map[int]int{}, n: len(truth)}
	for i, t := range truth {
		c.pairs[[2]int{t, pred[i]}]++
		c.truth[t]++
		c.pred[pred[i]]++
	}
	return c, nil
}

// Purity returns the fraction of samples whose predicted cluster's most
// common true label is their own: Σ_clusters max_class n(class, cluster) / n.
// It is 1 for a perfect clustering (and for one cluster per sample).
func Purity(truth, pred []int) (float64, error) {
	c, err := newContingency(truth, pred)
	if err != nil {
		return 0, err
	}
	majority := map[int]int{}
	for p, n := range c.pairs {
		majority[p[1]] = max(majority[p[1]], n)
	}
	var s int
	for _, n := range majority {
		s += n
	}
	return float64(s) / float64(c.n), nil
}

func comb2(n int) float64 { return float64(n) * float64(n-1) / 2 }

// AdjustedRandIndex returns the Rand index of the two labellings adjusted
// for chance (Hubert and Arabie, 1985): 1 for identical partitions, about
// 0 for independent ones, and negative for worse than chance. When both
// partitions are trivial in the same way (one cluster each, or one sample
// per cluster each), it is 1, as in scikit-learn.
func AdjustedRandIndex(truth, pred []int) (float64, error) {
	c, err := newContingency(truth, pred)
	if err != nil {
		return 0, err
	}
	var index, sumTruth, sumPred float64
	for _, n := range c.pairs {
		index += comb2(n)
	}
	for _, n := range c.truth {
		sumTruth += comb2(n)
	}
	for _, n := range c.pred {
		sumPred += comb2(n)
	}
	expected := sumTruth * sumPred / comb2(c.n)
	maxIndex := (sumTruth + sumPred) / 2
	if maxIndex == expected {
		return 1, nil
	}
	return (index - expected) / (maxIndex - expected), nil
}
