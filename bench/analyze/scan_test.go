package analyze

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// viaScanner summarizes data as LoadDir does (scanner, or the full
// decoder when the scanner gives up), stores it and reads it back.
func viaScanner(t testing.TB, data []byte, base string) (Run, error) {
	var w worker
	j := job{path: filepath.Join("logs", base), base: base}
	if err := w.summarizeData(data, j); err != nil {
		return Run{}, err
	}
	st := newStore("logs", nil)
	var rec recordBuilder
	st.encode(&rec, &w.e, nil)
	id := st.add(rec.b)
	var r Run
	st.decode(id, &r, withText|withPath)
	return r, nil
}

// viaDecode summarizes data as LoadFiles does: the reference.
func viaDecode(data []byte, base string) (Run, error) {
	l, err := decodeLog(data)
	if err != nil {
		return Run{}, err
	}
	return newRun(filepath.Join("logs", base), l), nil
}

// diffRuns describes how two runs differ, or returns "".
func diffRuns(want, got Run) string {
	var d []string
	check := func(what string, ok bool) {
		if !ok {
			d = append(d, what)
		}
	}
	check("Path "+got.Path+" want "+want.Path, want.Path == got.Path)
	check("Name "+got.Name+" want "+want.Name, want.Name == got.Name)
	check("Outcome", want.Outcome == got.Outcome)
	check("Start", want.Start.Equal(got.Start))
	check("MainPhase", want.MainPhase == got.MainPhase)
	for _, f := range []struct {
		name string
		a, b float64
	}{
		{"Duration", want.Duration, got.Duration},
		{"MainPhaseSeconds", want.MainPhaseSeconds, got.MainPhaseSeconds},
		{"PreprocessingSeconds", want.PreprocessingSeconds, got.PreprocessingSeconds},
		{"MAE", want.MAE, got.MAE},
		{"PrecisionBits", want.PrecisionBits, got.PrecisionBits},
		{"CPUUserSeconds", want.CPUUserSeconds, got.CPUUserSeconds},
		{"CPUSystemSeconds", want.CPUSystemSeconds, got.CPUSystemSeconds},
		{"CPUWallSeconds", want.CPUWallSeconds, got.CPUWallSeconds},
	} {
		check(f.name, math.Float64bits(f.a) == math.Float64bits(f.b) || math.IsNaN(f.a) && math.IsNaN(f.b))
	}
	check("PeakRSSBytes", want.PeakRSSBytes == got.PeakRSSBytes)
	check("MemoryChangeBytes", want.MemoryChangeBytes == got.MemoryChangeBytes)
	check("HasMemoryChange", want.HasMemoryChange == got.HasMemoryChange)
	wi, gi := want.info, got.info
	check("model "+gi.model+" want "+wi.model, wi.model == gi.model && wi.modelIsString == gi.modelIsString)
	check("architecture", wi.architecture == gi.architecture)
	check("dataset", wi.dataset == gi.dataset && wi.datasetIsString == gi.datasetIsString)
	check("startText "+gi.startText+" want "+wi.startText, wi.startText == gi.startText && wi.startIsString == gi.startIsString)
	check("status", wi.status == gi.status)
	check("errLine "+gi.errLine+" want "+wi.errLine, wi.errLine == gi.errLine)
	check("hasError", wi.hasError == gi.hasError)
	check("hasMAE", wi.hasMAE == gi.hasMAE)
	return strings.Join(d, "; ")
}

func checkScan(t testing.TB, data []byte, base string) {
	t.Helper()
	want, wantErr := viaDecode(data, base)
	got, gotErr := viaScanner(t, data, base)
	if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
		t.Fatalf("log %q:\nscanner error %v\n decoder error %v", data, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if d := diffRuns(want, got); d != "" {
		t.Fatalf("log %q:\nscanner and decoder differ: %s", data, d)
	}
}

func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/logs/*.json")
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		out[filepath.Base(f)] = data
	}
	return out
}

// odd are logs that take the scanner's unusual paths.
var odd = []string{
	`{"status": "success"}`,
	`{"status": "success"} trailing`,
	`{"status": null, "metadata": {}}`,
	`{"status": "", "phases": {}}`,
	`{"status": ""}`,
	`{"status": 3}`,
	`{"metadata": 3}`,
	`{"metadata": NaN, "status": "failed"}`,
	`{"metadata": {"benchmark_name": "a"}, "metadata": {"benchmark_name": "b"}, "status": "x"}`,
	`{"metadata": {"benchmark_name": "a", "benchmark_name": "b"}}`,
	`{"metadata": {"benchmark_name": 3, "timestamp_start": 12}}`,
	`{"metadata": {"benchmark_name": "", "timestamp_start": null}}`,
	`{"metadata": {"benchmark_name": "caf\u00e9 \"x\"", "timestamp_start": "2026-01-02T03:04:05.000006+02:00"}}`,
	`{"metadata": {"timestamp_start": "2026-01-02T03:04:05Z"}, "status": "success"}`,
	`{"metadata": {"timestamp_start": "2026-01-02 03:04:05"}, "status": "success"}`,
	`{"metadata": {"timestamp_start": "2026-01-02T03:04:05.000000"}, "status": "success"}`,
	`{"metadata": {"timestamp_start": "garbage"}, "status": "success"}`,
	`{"metadata": {"timestamp_start": ["x"]}, "status": "success"}`,
	`{"metadata": {"timestamp_start": "N/A"}, "status": "success"}`,
	`{"model": {"name": 12, "architecture": true, "dataset": {"a": [1, NaN]}}, "status": "running"}`,
	`{"model": {"name": null, "architecture": "x", "dataset": "d", "name": "y"}, "status": "SUCCESS"}`,
	`{"model": null, "status": "Interrupted", "error": "a\n\tb\n"}`,
	`{"status": "failed", "error": {"msg": "x"}}`,
	`{"status": "failed", "error": 3.5}`,
	`{"status": "failed", "error": "  \n  first line  \nsecond"}`,
	`{"status": "failed", "error": "\ud800 lone \u00e9"}`,
	`{"results": {"mae": 0}, "status": "success"}`,
	`{"results": {"mae": null, "precision_bits": 3}, "status": "success"}`,
	`{"results": {"mae": NaN, "precision_bits": Infinity}, "status": "success"}`,
	`{"results": {"mae": -Infinity, "precision_bits": -0}, "status": "success"}`,
	`{"results": {"mae": 1e400, "precision_bits": 1e-400}, "status": "success"}`,
	`{"results": {"mae": "x", "mae": 1}, "status": "success"}`,
	`{"timing": {"a_only": null, "b_only": 2, "a_only": 1}, "status": "success"}`,
	`{"timing": {"_only": 1, "x_only": "s", "x_only": 2, "y_only": 3}, "status": "success"}`,
	`{"timing": {"total_duration_seconds": null, "total_duration_seconds": 3}, "status": "success"}`,
	`{"timing": {"total_duration_seconds": 3, "cpu_user_seconds": 1, "peak_rss_bytes": 1.5}, "status": "success"}`,
	`{"timing": {"total_duration_seconds": NaN, "cpu_system_seconds": 1, "peak_rss_bytes": 1e30}, "status": "success"}`,
	`{"timing": {"total_duration_seconds": 0.1, "cpu_user_seconds": -0, "preprocessing_total": 5}, "status": "success"}`,
	`{"phases": {"a": 1.5, "b": "x", "c": null, "d": [1], "e": {}}, "status": "success"}`,
	`{"phases": {"a": {"cpu_user_seconds": 1, "duration_seconds": 2, "memory_change_bytes": -3, "peak_rss_bytes": 7}}}`,
	`{"phases": {"a": {"parent": null, "cpu_system_seconds": 1, "peak_rss_bytes": 9, "memory_change_bytes": 2.5}}}`,
	`{"phases": {"a": {"cpu_user_seconds": 1, "cpu_user_seconds": 5, "duration_seconds": "x"}, "a": {"cpu_user_seconds": 2}}}`,
	`{"phases": {"a\u0000": {"cpu_user_seconds": 1}}}`,
	`{"phases": null, "metadata": null, "status": null}`,
	`{"phases": {"a": {"x": [[[[{"y": NaN}]]]]}}, "status": "success"}`,
	`{"phases": {"a": {"x": -NaN}}, "status": "success"}`,
	`{"phases": {"a": {"x": 01}}, "status": "success"}`,
	`{"phases": {"a": {"x": 1.}}, "status": "success"}`,
	`{"phases": {"a": {"x": .5}}, "status": "success"}`,
	`{"phases": {"a": {"x": 1e}}, "status": "success"}`,
	`{"phases": {"a": {"x": "\x"}}, "status": "success"}`,
	`{"phases": {"a": {"x": "\u12"}}, "status": "success"}`,
	`{"phases": {"a": {"x": tru}}, "status": "success"}`,
	`{"phases": {"a": {"x": [1,]}}, "status": "success"}`,
	`{"phases": {"a": {"x": {"a" 1}}}, "status": "success"}`,
	`{"phases": {"a": {"x": {,}}}, "status": "success"}`,
	`{"m\u0065tadata": {"benchmark_name": "esc"}, "status": "success"}`,
	`{"status": "success",}`,
	`{"status": "success"`,
	`[1, 2]`,
	`"x"`,
	`NaN`,
	` {"status" : "success" } ` + "\n\t",
	"{\"status\": \"succ\x01ess\"}",
	"{\"status\": \"suc\xffcess\"}",
	`{"status": "ſuccess"}`,
	`{"status": "running", "Extra": {"a": Infinity}}`,
}

// TestScanMatchesDecode checks that the scanner gives the runs the full
// decoder gives, and the same errors, on the fixtures, on logs that take
// its unusual paths, and on random mutations of the fixtures.
func TestScanMatchesDecode(t *testing.T) {
	for name, data := range fixtures(t) {
		checkScan(t, data, name)
	}
	for _, s := range odd {
		checkScan(t, []byte(s), "odd_20260101_000000.json")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	logs := fixtures(t)
	var names []string
	for name := range logs {
		names = append(names, name)
	}
	pieces := []string{"NaN", "Infinity", "-Infinity", "null", `"`, `\`, `\u00e9`, ",", ":", "{", "}", "[", "]", "1e5", "-0", `"parent": "x", `, `"mae": 0, `, "\n"}
	n := 1500
	if testing.Short() {
		n = 300
	}
	for range n {
		name := names[rng.IntN(len(names))]
		data := bytes.Clone(logs[name])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(data))
			switch rng.IntN(3) {
			case 0:
				data = append(data[:i], data[min(len(data), i+1+rng.IntN(8)):]...)
			case 1:
				p := pieces[rng.IntN(len(pieces))]
				data = append(data[:i], append([]byte(p), data[i:]...)...)
			case 2:
				data[i] = byte(rng.IntN(128))
			}
		}
		checkScan(t, data, name)
	}
}

func FuzzScanMatchesDecode(f *testing.F) {
	for _, data := range fixtures(f) {
		f.Add(data)
	}
	for _, s := range odd {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScan(t, data, "fuzz_20260101_000000.json")
	})
}

// TestRecordFloats checks that a record gives every float back to the
// bit.
func TestRecordFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 59.9, 45.599998, 1e-9, 0.180488046, 1e300, -1e-300,
		math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, math.SmallestNonzeroFloat64, 1 << 53, 1<<53 + 2, 12.989054063984934}
	for range 10000 {
		values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(20)-10)),
			math.Round(rng.Float64()*1e12)/1e9, float64(rng.IntN(1e6))/1e3)
	}
	for _, f := range values {
		var w recordBuilder
		w.float(f)
		r := recordReader{b: w.b}
		got := r.float()
		require.Equal(t, math.Float64bits(f), math.Float64bits(got), "%v (%d bytes) came back as %v", f, len(w.b), got)
		require.Equal(t, len(w.b), r.i)
	}
}

// TestParseNumber checks the fast path of number parsing against
// strconv.ParseFloat, to the bit.
func TestParseNumber(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	texts := []string{"0", "-0", "0.0", "-0.0", "1", "-1", "0.5", "59.9", "45.599998", "1e5", "1E+5", "2.5e-07", "1e22", "1e23",
		"1e-22", "1e-23", "123456789012345", "1234567890123456", "12345678901234567890", "0.000000000000000000000001",
		"9007199254740993", "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "0.1e1", "100e-2",
		"12.989054063984934", "21.93156856932417", "0.180488046", "25000000000", "1e0000000000000000000005",
		// Exponents parseNumber stops reading, with a mantissa that
		// scales them back into range.
		"0." + strings.Repeat("0", 1000) + "1e10000", "1" + strings.Repeat("0", 1200) + "e-10000"}
	for range 50000 {
		m := rng.Uint64() >> rng.IntN(64)
		s := strconv.FormatUint(m, 10)
		if d := rng.IntN(len(s) + 1); d < len(s) && rng.IntN(2) == 0 {
			s = s[:d] + "." + s[d:]
			if s[0] == '.' {
				s = "0" + s
			}
		}
		if rng.IntN(3) == 0 {
			s += "e" + strconv.Itoa(rng.IntN(60)-30)
		}
		if rng.IntN(2) == 0 {
			s = "-" + s
		}
		texts = append(texts, s)
	}
	for _, s := range texts {
		want, _ := strconv.ParseFloat(s, 64)
		got := parseNumber([]byte(s))
		require.Equal(t, math.Float64bits(want), math.Float64bits(got), "%s: got %v, want %v", s, got, want)
	}
}

func TestTables(t *testing.T) {
	for c := range 256 {
		require.Equal(t, c == ' ' || c == '\t' || c == '\n' || c == '\r', isSpace[c], "isSpace[%#x]", c)
		require.Equal(t, c == '"' || c == '\\' || c < 0x20 || c >= 0x80, stringStop[c], "stringStop[%#x]", c)
	}
}

// TestEightAtATime checks nextStop and ws, which read eight bytes at a
// time, against the byte at a time definitions: every byte value at every
// position of a word, then random mixes of plain and stopping bytes.
func TestEightAtATime(t *testing.T) {
	slowStop := func(d []byte, i int) int {
		for i < len(d) && !stringStop[d[i]] {
			i++
		}
		return i
	}
	slowWS := func(d []byte, i int) int {
		for i < len(d) && isSpace[d[i]] {
			i++
		}
		return i
	}
	check := func(d []byte) {
		t.Helper()
		for i := range len(d) + 1 {
			require.Equal(t, slowStop(d, i), nextStop(d, i), "nextStop(%q, %d)", d, i)
			s := scanner{data: d, i: i}
			s.ws()
			require.Equal(t, slowWS(d, i), s.i, "ws(%q, %d)", d, i)
		}
	}
	for c := range 256 {
		for pos := range 17 {
			plain := bytes.Repeat([]byte{'a'}, 17)
			plain[pos] = byte(c)
			check(plain)
			spaces := []byte("\n" + strings.Repeat(" ", 17))
			spaces[1+pos] = byte(c)
			check(spaces)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab \n\t\r\"\\\x00\x1f\x20\x21\x5b\x5d\x7f\x80\xc3\xff")
	for range 2000 {
		d := make([]byte, rng.IntN(40))
		for i := range d {
			d[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check(d)
	}
}
