// Package datagen generates the synthetic data sets the example benchmarks
// run on, in the spirit of the DataGenerator of the Feluda benchmark suite:
// random embeddings, embeddings with a known cluster structure, and a
// labelled classification set for training a small network.
//
// Every generator draws all its randomness from the *rand.Rand it is given
// (math/rand/v2), so the same seed gives the same data on every platform;
// NewRand makes the PCG source the examples use. A data set is a
// [][]float64 of rows whose rows share one backing array, in row-major
// order: rows[i][j] is coordinate j of sample i.
//
// The generators keep no state of their own and may be called concurrently,
// but a *rand.Rand is not safe for concurrent use: give each goroutine its
// own.
package datagen
