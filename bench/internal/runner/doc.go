// Package runner runs the bundled example benchmarks: `benchtrace run`.
//
// Main is safe to call from several goroutines with different log
// directories; each call owns its SDK instance.
package runner
