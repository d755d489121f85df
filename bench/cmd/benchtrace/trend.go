package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

var trendCmd = cli.Command{
	Name:     "trend",
	Summary:  "show how the runs changed across commits or days, and where",
	Synopsis: "benchtrace trend [--log-dir DIR] [--benchmark SUBSTR] [--by auto|commit|day] [--alpha A] [--min-change PCT] [--format text|json]",
	Flags:    trendFlags,
}

// trendFlags are the flags of `benchtrace trend`. Its work groups the runs
// of DIR by commit or day, compares each group with the one before, and
// writes the points and the changes, newest first, on stdout.
func trendFlags() (*flag.FlagSet, func(context.Context, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet("trend", flag.ContinueOnError)
	logDir := fs.String("log-dir", defaultLogDir, "read the JSON run logs in `DIR`")
	benchmark := fs.String("benchmark", "", "only the benchmarks whose name contains `SUBSTR` (ignoring case)")
	by := fs.String("by", "auto", "group the runs by `WHAT`: commit (metadata git_commit), day, or auto (commit when every run has one)")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level `A`")
	minChange := fs.Float64("min-change", 0, "report only changes of at least `PCT` percent")
	format := fs.String("format", "text", "output `FORMAT`: text or json")

	return fs, func(ctx context.Context, stdout, stderr io.Writer) error {
		opts := compare.TrendOptions{Options: compare.Options{Alpha: *alpha}, MinChange: *minChange}
		switch *by {
		case "auto":
		case "commit", "day":
			opts.By = compare.Grouping(*by)
		default:
			return cli.Usagef("--by %q: want auto, commit or day", *by)
		}
		if !(*alpha > 0 && *alpha < 1) {
			return cli.Usagef("--alpha must be between 0 and 1, got %g", *alpha)
		}
		if *minChange < 0 {
			return cli.Usagef("--min-change must be at least 0, got %g", *minChange)
		}
		if *format != "text" && *format != "json" {
			return cli.Usagef("--format %q: want text or json", *format)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		runs, err := compare.Source{Dir: *logDir}.Load(ctx, stderr)
		if err != nil {
			return err
		}
		if *benchmark != "" {
			if runs = analyze.Filter(runs, *benchmark); len(runs) == 0 {
				return fmt.Errorf("no logs in %s match --benchmark %q", *logDir, *benchmark)
			}
		}
		tr := compare.Trend(runs, opts)
		if len(tr.Points) < 2 {
			fmt.Fprintf(stderr, "warning: %d point(s) by %s: a trend needs two or more\n", len(tr.Points), tr.By)
		}
		if tr.TooFew > 0 {
			fmt.Fprintf(stderr, "warning: %d of %d steps had too few runs for a verdict; run more per commit with benchtrace run --repeat N\n", tr.TooFew, tr.Steps)
		}
		if *format == "json" {
			err = compare.WriteTrendJSON(stdout, tr)
		} else {
			err = compare.WriteTrendText(stdout, tr)
		}
		if err != nil {
			return fmt.Errorf("writing the trend: %w", err)
		}
		return nil
	}
}
