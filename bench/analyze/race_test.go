//go:build race

package analyze_test

// raceEnabled scales down the tests that read or write much, which the
// race detector slows tenfold.
const raceEnabled = true
