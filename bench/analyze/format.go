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
// against fmt.

// fixed returns f with prec decimals ("%.*f"), then suffix.
func fixed(f float64, prec int, suffix string) string {
	var buf [32]byte
	return string(append(strconv.AppendFloat(buf[:0], f, 'f', prec, 64), suffix...))
}

// seconds formats a duration as analyze_logs.py did: "59.90s".
func seconds(s float64) string {
	if !isFinite(s) {
		return "N/A"
	}
	return fixed(s, 2, "s")
}

// secondsMinutes formats a duration as "59.90s (1.00m)".
func secondsMinutes(s float64) string {
	if !isFinite(s) {
		return "N/A"
	}
	var buf [48]byte
	b := strconv.AppendFloat(buf[:0], s, 'f', 2, 64)
	b = append(b, "s ("...)
	b = strconv.AppendFloat(b, s/60, 'f', 2, 64)
	return string(append(b, "m)"...))
}

// mae formats a mean absolute error: six decimals as analyze_logs.py, or
// an exponent for errors too small to show that way.
func mae(v float64) string {
	switch {
	case math.IsNaN(v):
		return "N/A"
	case v != 0 && math.Abs(v) < 1e-4 && !math.IsInf(v, 0):
		var buf [32]byte
		return string(strconv.AppendFloat(buf[:0], v, 'e', 3, 64))
	case math.IsInf(v, 0):
		return fmt.Sprintf("%.6f", v)
	}
	return fixed(v, 6, "")
}

// precision formats precision_bits: "12.99 bits", or "exact" for MAE 0.
func precision(bits float64) string {
	switch {
	case math.IsInf(bits, 1):
		return "exact"
	case math.IsNaN(bits) || math.IsInf(bits, -1):
		return "N/A"
	}
	return fixed(bits, 2, " bits")
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
	if !isFinite(f) {
		return "-"
	}
	return fixed(100*f, 1, "%")
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
