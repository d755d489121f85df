package analyze

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/benchtrace/benchtrace/bench/internal/human"
)

// acronyms are written in capitals in labels derived from phase names.
var acronyms = map[string]bool{
	"api": true, "bfv": true, "bgv": true, "ckks": true, "cnn": true,
	"cpu": true, "fhe": true, "gemm": true, "gpu": true, "he": true,
	"io": true, "mlp": true, "mpc": true, "nn": true, "rnn": true,
	"tfhe": true, "tpu": true,
}

// phaseWords splits a phase name ("fhe_inference") into words, acronyms in
// capitals ("FHE", "inference").
func phaseWords(name string) []string {
	words := strings.FieldsFunc(name, func(r rune) bool {
		return r == '_' || r == '-' || r == '.' || r == ' ' || r == '/'
	})
	for i, w := range words {
		if acronyms[strings.ToLower(w)] {
			words[i] = strings.ToUpper(w)
		}
	}
	return words
}

// orionPhase is the main phase of the Orion benchmarks, which
// analyze_logs.py labelled "FHE Time" and "Total FHE time".
const orionPhase = "fhe_inference"

// mainPhaseLabel labels a run's main-phase time: "inference" gives
// "Inference Time", "data_loading" "Data Loading Time", and Orion's
// "fhe_inference" "FHE Time", as analyze_logs.py.
func mainPhaseLabel(phase string) string {
	if phase == orionPhase {
		return "FHE Time"
	}
	words := phaseWords(phase)
	for i, w := range words {
		if w != strings.ToUpper(w) {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(append(words, "Time"), " ")
}

// mainPhaseTotalLabel labels the summed main-phase time in the statistics:
// "inference" gives "Total inference time", "fhe_inference" "Total FHE
// time" as analyze_logs.py, and "" (runs with different main phases)
// "Total main-phase time".
func mainPhaseTotalLabel(phase string) string {
	switch phase {
	case "":
		return "Total main-phase time"
	case orionPhase:
		return "Total FHE time"
	}
	return "Total " + strings.Join(phaseWords(phase), " ") + " time"
}

// The formats below are fmt's ("%.2f", "%.3e", …) written with strconv,
// which fmt uses for them: the same text, without fmt's cost, which
// counts in a summary of thousands of runs. TestFormat checks them
// against fmt. Each has an append form, with which a summary's blocks are
// written into a buffer without a string per value.

// fixed returns f with prec decimals ("%.*f"), then suffix.
func fixed(f float64, prec int, suffix string) string {
	var buf [32]byte
	return string(appendFixed(buf[:0], f, prec, suffix))
}

// appendFixed appends f with prec decimals ("%.*f"), then suffix.
//
// strconv formats a fixed number of decimals with its arbitrary-precision
// path, half of the summary's printing time. For the summary's values
// (under 1e9, at most 6 decimals) f×10^prec is rounded to an integer
// here instead, exactly as strconv rounds the exact decimal value (half
// to even): the float64 product is the exact one correctly rounded, so
// it is on the same side of every half-way point but one, a product that
// lands exactly on a half, and there the product's rounding error, which
// math.FMA gives exactly, says which side the exact value is on.
// TestAppendFixed checks it against strconv.
func appendFixed(b []byte, f float64, prec int, suffix string) []byte {
	if prec < 0 || prec > 6 || !(math.Abs(f) < 1e9) {
		return append(strconv.AppendFloat(b, f, 'f', prec, 64), suffix...)
	}
	scale := pow10[prec]
	p := f * scale
	r := math.RoundToEven(p)
	if fl := math.Floor(p); p-fl == 0.5 {
		switch e := math.FMA(f, scale, -p); {
		case e > 0:
			r = fl + 1
		case e < 0:
			r = fl
		}
	}
	if math.Signbit(f) {
		b = append(b, '-') // as strconv: -0.001 is "-0.00"
	}
	// The digits of |r|, with zeros before them up to prec+1 digits, the
	// point before the last prec.
	u := uint64(math.Abs(r))
	n := 1 // u's digits
	for v := u; v >= 10; v /= 10 {
		n++
	}
	var digits [32]byte
	d := digits[:0]
	for ; n <= prec; n++ {
		d = append(d, '0')
	}
	d = strconv.AppendUint(d, u, 10)
	b = append(b, d[:len(d)-prec]...)
	if prec > 0 {
		b = append(append(b, '.'), d[len(d)-prec:]...)
	}
	return append(b, suffix...)
}

// seconds formats a duration as analyze_logs.py did: "59.90s".
func seconds(s float64) string {
	var buf [32]byte
	return string(appendSeconds(buf[:0], s))
}

func appendSeconds(b []byte, s float64) []byte {
	if !isFinite(s) {
		return append(b, notAvailable...)
	}
	return appendFixed(b, s, 2, "s")
}

// secondsMinutes formats a duration as "59.90s (1.00m)".
func secondsMinutes(s float64) string {
	var buf [48]byte
	return string(appendSecondsMinutes(buf[:0], s))
}

func appendSecondsMinutes(b []byte, s float64) []byte {
	if !isFinite(s) {
		return append(b, notAvailable...)
	}
	b = appendFixed(b, s, 2, "s (")
	return appendFixed(b, s/60, 2, "m)")
}

// mae formats a mean absolute error: six decimals as analyze_logs.py, or
// an exponent for errors too small to show that way.
func mae(v float64) string {
	var buf [32]byte
	return string(appendMAE(buf[:0], v))
}

func appendMAE(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, notAvailable...)
	case v != 0 && math.Abs(v) < 1e-4 && !math.IsInf(v, 0):
		return strconv.AppendFloat(b, v, 'e', 3, 64)
	case math.IsInf(v, 0):
		return fmt.Appendf(b, "%.6f", v)
	}
	return appendFixed(b, v, 6, "")
}

// precision formats precision_bits: "12.99 bits", or "exact" for MAE 0.
func precision(bits float64) string {
	var buf [32]byte
	return string(appendPrecision(buf[:0], bits))
}

func appendPrecision(b []byte, bits float64) []byte {
	switch {
	case math.IsInf(bits, 1):
		return append(b, "exact"...)
	case math.IsNaN(bits) || math.IsInf(bits, -1):
		return append(b, notAvailable...)
	}
	return appendFixed(b, bits, 2, " bits")
}

// appendSize appends human.Bytes(n) ("80.0 MiB") without fmt, for the
// Peak RSS line of every block; TestAppendSize checks the two agree.
func appendSize(b []byte, n float64) []byte {
	if !isFinite(n) {
		return append(b, '-')
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	const unit = 1024
	if n < unit {
		return appendFixed(b, n, 0, " B")
	}
	units := [...]string{" KiB", " MiB", " GiB", " TiB", " PiB"}
	i := 0
	n /= unit
	for n >= unit && i < len(units)-1 {
		n /= unit
		i++
	}
	return appendFixed(b, n, 1, units[i])
}

// signedBytes formats a change in bytes with its sign: "+1.0 MiB".
func signedBytes(n float64) string {
	if n > 0 {
		return "+" + human.Bytes(n)
	}
	return human.Bytes(n)
}

// percent formats a fraction as a percentage: "96.8%".
func percent(f float64) string {
	var buf [32]byte
	return string(appendPercent(buf[:0], f))
}

func appendPercent(b []byte, f float64) []byte {
	if !isFinite(f) {
		return append(b, '-')
	}
	return appendFixed(b, 100*f, 1, "%")
}

// value formats a log value compactly for a table cell.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case float64:
		if !isFinite(x) {
			return "null"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// appendStamp appends the instant sec.nsec (Unix seconds and nanoseconds)
// at offset seconds east of UTC as time.Time.AppendFormat writes it in
// benchlog.TimeLayout ("2006-01-02T15:04:05.000000-07:00"), or, without
// zone, in pythonLayout (the same without the offset): a summary shows
// every run's start so. It does by hand only the common case, a year from
// 1 to 9999 and an offset of whole minutes under 100 hours; otherwise it
// returns b and false, and the caller formats a time.Time.
// TestAppendStamp checks it against AppendFormat.
func appendStamp(b []byte, sec int64, nsec uint32, offset int, zone bool) ([]byte, bool) {
	const (
		day = 24 * 60 * 60
		// 0001-01-01 and 10000-01-01 in Unix seconds.
		minSec = -62135596800
		maxSec = 253402300800
		// Days from 0000-03-01 to 1970-01-01: counting from a March,
		// the leap day is the last of a year.
		marchZero = 719468
	)
	local := sec + int64(offset)
	if local < minSec || local >= maxSec || nsec >= 1e9 ||
		offset%60 != 0 || offset <= -100*60*60 || offset >= 100*60*60 {
		return b, false
	}
	// Howard Hinnant's civil_from_days, on days from 0000-03-01 (not
	// negative from year 1 on, so plain division rounds down).
	s := local + marchZero*day
	days, clock := int(s/day), int(s%day)
	era := days / 146097
	doe := days - era*146097                               // day of the 400-year era, 0 to 146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era, 0 to 399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1st, 0 to 365
	mp := (5*doy + 2) / 153                                // month from March, 0 to 11
	year, month, mday := era*400+yoe, mp+3, doy-(153*mp+2)/5+1
	if month > 12 {
		year, month = year+1, month-12
	}
	b = append2(append2(b, year/100), year%100)
	b = append2(append(b, '-'), month)
	b = append2(append(b, '-'), mday)
	b = append2(append(b, 'T'), clock/3600)
	b = append2(append(b, ':'), clock/60%60)
	b = append2(append(b, ':'), clock%60)
	us := int(nsec / 1000) // truncated, as AppendFormat does
	b = append2(append2(append2(append(b, '.'), us/10000), us/100%100), us%100)
	if !zone {
		return b, true
	}
	// As AppendFormat: the sign of the offset in minutes, then its
	// hours and minutes.
	mins := offset / 60
	if mins < 0 {
		b, mins = append(b, '-'), -mins
	} else {
		b = append(b, '+')
	}
	return append2(append(append2(b, mins/60), ':'), mins%60), true
}

// append2 appends 0 ≤ v < 100 in two digits.
func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}
