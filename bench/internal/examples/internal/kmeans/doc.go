// Package kmeans clusters vectors with k-means: greedy k-means++ seeding followed
// by Lloyd's iterations, keeping the best of several seedings, as
// scikit-learn's KMeans does. It is the operator of the Feluda-style
// clustering example.
//
// Fit draws its randomness from the *rand.Rand it is given, so a seed fixes
// the result. A fitted Model is read-only and safe for concurrent use.
package kmeans
