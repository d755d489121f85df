// Package clusterscore scores a clustering against known labels: purity
// and the adjusted Rand index. Labels are any non-negative or negative
// integers; only equality between them matters. The functions are pure and
// safe for concurrent use.
package clusterscore
