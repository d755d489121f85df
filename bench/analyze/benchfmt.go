package analyze

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// WriteBench writes the successful runs in the Go benchmark format, which
// benchstat (golang.org/x/perf/cmd/benchstat) reads: for each run, a line
// for the whole run and one per phase of it that succeeded,
//
//	BenchmarkGemm 1 1500000000 ns/op 4670000000 cpu-ns/op 104857600 peak-RSS-B
//	BenchmarkGemm/phase=inference 1 1200000000 ns/op 4100000000 cpu-ns/op 104857600 peak-RSS-B
//
// The name is "Benchmark" and the benchmark's name with its first letter
// in upper case, as Go benchmarks are named; the phase is a sub-benchmark
// key, so that `benchstat -col /phase` sets phases side by side. Each line
// is one iteration: ns/op is the wall time, cpu-ns/op the user plus system
// CPU time, peak-RSS-B the peak resident set size in bytes; a value the log
// does not have is left out. Failed, interrupted and incomplete runs are
// left out, as their times are not those of a whole run. Before a run's
// lines come the configuration lines (goos, goarch, cpu, commit) in which
// its metadata differs from the runs before (benchConfigKeys). opts is not
// used.
func WriteBench(w io.Writer, runs []Run, opts Options) error {
	return writeBuffered(w, "writing summary", func(b *bufio.Writer) error {
		return writeBench(b, sortedList(runs), opts)
	})
}

func writeBench(b *bufio.Writer, runs runList, _ Options) error {
	b.WriteString("# benchtrace analyze: the successful runs, one line per run and per phase; benchstat reads it.\n")
	succeeded := func(r *Run) bool { return r.Outcome == Success }
	logs := runs.logs(succeeded)
	defer logs.stop()
	var r Run
	cfg := benchConfig{}
	for i := range runs.Len() {
		runs.at(i, &r, withPath)
		if !succeeded(&r) {
			continue
		}
		l, err := logs.next()
		if err != nil {
			return fmt.Errorf("%s: %w", rereadError(r.Path, err), err)
		}
		cfg.write(b, l.Metadata)
		name := "Benchmark" + capitalize(benchField(r.Name))
		benchLine(b, name, r.Duration, r.CPUSeconds(), r.PeakRSSBytes)
		for _, ph := range l.Phases {
			f := ph.Fields
			if st, _ := f.String(benchlog.KeyStatus); st != "" && st != "success" {
				continue
			}
			d, ok := f.Float(benchlog.KeyDuration)
			if !ok {
				continue
			}
			cpu := math.NaN()
			u, okU := f.Float(benchlog.KeyCPUUser)
			s, okS := f.Float(benchlog.KeyCPUSystem)
			if okU || okS {
				cpu = u + s
			}
			peak, _ := f.Int(benchlog.KeyPeakRSS)
			benchLine(b, name+"/phase="+benchField(ph.Name), d, cpu, peak)
		}
	}
	return nil
}

// benchLine writes one result line; it writes nothing without a finite
// duration.
func benchLine(b *bufio.Writer, name string, seconds, cpuSeconds float64, peakBytes int64) {
	if !isFinite(seconds) {
		return
	}
	fmt.Fprintf(b, "%s 1 %.0f ns/op", name, seconds*1e9)
	if isFinite(cpuSeconds) {
		fmt.Fprintf(b, " %.0f cpu-ns/op", cpuSeconds*1e9)
	}
	if peakBytes > 0 {
		fmt.Fprintf(b, " %d peak-RSS-B", peakBytes)
	}
	b.WriteByte('\n')
}

// benchField makes name part of a benchmark line's name: white space and
// the separators of sub-benchmark keys ("/", "=") become "_".
func benchField(name string) string {
	if name == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '/' || r == '=' {
			return '_'
		}
		return r
	}, name)
}

// capitalize puts the first letter of s in upper case.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
