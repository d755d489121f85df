// Package parallel splits loops over goroutines without changing their
// results: each index belongs to exactly one chunk, chunks are fixed by the
// length and the number of goroutines only, and callers write per-index
// state, so outputs are the same as a sequential loop's. For and Each may
// be called concurrently.
package parallel
