package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

var compareCmd = cli.Command{
	Name:     "compare",
	Summary:  "compare two sets of runs, and fail on a significant regression",
	Synopsis: "benchtrace compare [--alpha A] [--format text|markdown|json|csv] [--fail-on THRESHOLDS] [--benchmark SUBSTR] OLD NEW",
	Args:     true,
	Flags:    compareFlags,
}

// errGate is returned, wrapped, when rows fail --fail-on: exit status 1.
var errGate = errors.New("significant regressions beyond --fail-on")

// compareFlags are the flags of `benchtrace compare`. Its work compares
// the runs of OLD and NEW (each DIR or DIR@KEY=VALUE), writes the
// comparison on stdout, and with --fail-on fails when a row is
// significant and beyond its threshold, after listing those rows on
// stderr. Flags may come before, between or after OLD and NEW.
func compareFlags() (*flag.FlagSet, func(context.Context, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level `A`: a difference with p <= A is significant")
	format := fs.String("format", "text", "output `FORMAT`: "+strings.Join(compare.Formats(), ", "))
	failOn := fs.String("fail-on", "", "exit 1 when a significant change is beyond a threshold of `THRESHOLDS`, "+
		"as duration:+5%,peak_rss:+10%,precision_bits:-0.5")
	benchmark := fs.String("benchmark", "", "compare only the benchmarks whose name contains `SUBSTR` (ignoring case)")

	return fs, func(ctx context.Context, stdout, stderr io.Writer) error {
		args, err := interspersed(fs)
		if err != nil {
			return err
		}
		if len(args) != 2 {
			return cli.Usagef("want two sources, OLD and NEW (each DIR or DIR@KEY=VALUE), got %d", len(args))
		}
		if !(*alpha > 0 && *alpha < 1) {
			return cli.Usagef("--alpha must be between 0 and 1, got %g", *alpha)
		}
		if !slices.Contains(compare.Formats(), *format) {
			return cli.Usagef("--format %q: want one of %s", *format, strings.Join(compare.Formats(), ", "))
		}
		var gate compare.Gate
		if *failOn != "" {
			if gate, err = compare.ParseGate(*failOn); err != nil {
				return cli.Usagef("--fail-on: %v", err)
			}
		}
		var sides [2][]analyze.Run
		var names compare.Names
		for i, arg := range args {
			src, err := compare.ParseSource(arg)
			if err != nil {
				return cli.Usagef("%v", err)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			runs, err := src.Load(ctx, stderr)
			if err != nil {
				return err
			}
			if *benchmark != "" {
				if runs = analyze.Filter(runs, *benchmark); len(runs) == 0 {
					return fmt.Errorf("no logs of %s match --benchmark %q", src, *benchmark)
				}
			}
			sides[i] = runs
			if i == 0 {
				names.Old = src.String()
			} else {
				names.New = src.String()
			}
		}

		res := compare.Compare(sides[0], sides[1], compare.Options{Alpha: *alpha})
		var failures []compare.Failure
		if gate != nil {
			failures = gate.Check(res.Rows)
			for _, t := range gate.Unused(res.Rows) {
				fmt.Fprintf(stderr, "warning: --fail-on %s: no row of that measure and phase\n", t)
			}
		}
		if res.TooFew() {
			fmt.Fprintln(stderr, "warning: some rows have too few runs for a verdict or an interval (footnotes); run more with benchtrace run --repeat N")
		}
		if *format == "json" {
			err = compare.WriteJSONGate(stdout, res, names, failures)
		} else {
			err = compare.Write(stdout, *format, res, names)
		}
		if err != nil {
			return fmt.Errorf("writing the comparison: %w", err)
		}
		if len(failures) == 0 {
			return nil
		}
		for _, f := range failures {
			fmt.Fprintf(stderr, "FAIL %s %s: %s (p=%.3f n=%d+%d), beyond %s\n",
				f.Row.Name(), f.Row.Measure.Name, changeText(f.Row), f.Row.P, f.Row.Old.N, f.Row.New.N, f.Threshold)
		}
		return fmt.Errorf("%w: %d of %d rows", errGate, len(failures), len(res.Rows))
	}
}

// changeText is a row's change for a failure line: "+12.3% (1.20s → 1.35s)".
func changeText(r compare.Row) string {
	return fmt.Sprintf("%+.1f%% (%s → %s)", r.DeltaPercent, compare.FormatValue(r.Measure, r.Old.Center), compare.FormatValue(r.Measure, r.New.Center))
}

// interspersed returns the arguments of fs after parsing the flags that
// come among them, so that `compare OLD NEW --fail-on …` works as well as
// flags first. "--" ends the flags.
func interspersed(fs *flag.FlagSet) ([]string, error) {
	var out []string
	rest := fs.Args()
	for len(rest) > 0 {
		a := rest[0]
		switch {
		case a == "--":
			return append(out, rest[1:]...), nil
		case len(a) > 1 && a[0] == '-':
			if err := fs.Parse(rest); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return nil, cli.Usagef("-h goes before the arguments")
				}
				return nil, cli.Usagef("%v", err)
			}
			rest = fs.Args()
		default:
			out = append(out, a)
			rest = rest[1:]
		}
	}
	return out, nil
}
