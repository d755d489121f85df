// Package human formats quantities for people: durations with three
// significant digits and a unit that suits them, byte counts in binary
// units. It is the one rule for the durations and sizes in benchtrace's
// own output: the progress lines and closing summary of `benchtrace run`,
// and the statistics tables and reports of `benchtrace analyze` (whose
// Orion-layout lines keep analyze_logs.py's formats).
//
// Its functions have no state and may be called concurrently.
package human

import (
	"fmt"
	"math"
)

// Duration formats a duration in seconds with three significant digits and
// a unit that suits it: "5.00ns", "12.5µs", "636ms", "1.23s", "60.2s",
// "246s". Durations of a second or more stay in seconds, so that the values
// of a column compare at a glance. NaN and infinities give "-".
func Duration(seconds float64) string {
	s := seconds
	if !isFinite(s) {
		return "-"
	}
	neg := ""
	if s < 0 {
		neg, s = "-", -s
	}
	if s == 0 {
		return "0s"
	}
	// The unit and the decimals follow the value rounded to three
	// digits, so that 0.9997s is "1.00s", not "1000ms".
	r := roundSignificant(s, 3)
	scale, unit := 1.0, "s"
	switch {
	case r >= 1:
	case r >= 1e-3:
		scale, unit = 1e3, "ms"
	case r >= 1e-6:
		scale, unit = 1e6, "µs"
	default:
		scale, unit = 1e9, "ns"
	}
	decimals := 2
	switch {
	case r*scale >= 100:
		decimals = 0
	case r*scale >= 10:
		decimals = 1
	}
	return fmt.Sprintf("%s%.*f%s", neg, decimals, s*scale, unit)
}

// roundSignificant rounds x > 0 to n significant digits.
func roundSignificant(x float64, n int) float64 {
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(x)))
	return math.Round(x*p) / p
}

// Bytes formats a byte count with binary units: "512 B", "1.5 KiB",
// "80.0 MiB". NaN and infinities give "-".
func Bytes(n float64) string {
	if !isFinite(n) {
		return "-"
	}
	neg := ""
	if n < 0 {
		neg, n = "-", -n
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%s%.0f B", neg, n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	n /= unit
	for n >= unit && i < len(units)-1 {
		n /= unit
		i++
	}
	return fmt.Sprintf("%s%.1f %s", neg, n, units[i])
}

func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
