package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/compare"
	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/report"
)

var reportCmd = cli.Command{
	Name:     "report",
	Summary:  "write an HTML report of the runs, with charts, that needs no network",
	Synopsis: "benchtrace report [--log-dir DIR] [--baseline DIR] [--out FILE.html] [--benchmark SUBSTR] [--alpha A] [--title TITLE]",
	Flags:    reportFlags,
}

// reportFlags are the flags of `benchtrace report`. Its work writes one
// self-contained HTML file, replaced atomically, and says where on stdout.
func reportFlags() (*flag.FlagSet, func(context.Context, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	logDir := fs.String("log-dir", defaultLogDir, "report the runs of `DIR` (or DIR@KEY=VALUE)")
	baseline := fs.String("baseline", "", "compare with the runs of `DIR` (or DIR@KEY=VALUE)")
	out := fs.String("out", "report.html", "write the report to `FILE`")
	benchmark := fs.String("benchmark", "", "only the benchmarks whose name contains `SUBSTR` (ignoring case)")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level `A` of the comparisons")
	title := fs.String("title", "benchtrace report", "the report's `TITLE`")

	return fs, func(ctx context.Context, stdout, stderr io.Writer) error {
		if !(*alpha > 0 && *alpha < 1) {
			return cli.Usagef("--alpha must be between 0 and 1, got %g", *alpha)
		}
		if *out == "" {
			return cli.Usagef("--out: want a file name")
		}
		load := func(arg string) ([]analyze.Run, string, error) {
			src, err := compare.ParseSource(arg)
			if err != nil {
				return nil, "", cli.Usagef("%v", err)
			}
			if err := ctx.Err(); err != nil {
				return nil, "", err
			}
			runs, err := src.Load(ctx, stderr)
			if err != nil {
				return nil, "", err
			}
			if *benchmark != "" {
				if runs = analyze.Filter(runs, *benchmark); len(runs) == 0 {
					return nil, "", fmt.Errorf("no logs of %s match --benchmark %q", src, *benchmark)
				}
			}
			return runs, src.String(), nil
		}
		runs, name, err := load(*logDir)
		if err != nil {
			return err
		}
		opts := report.Options{Title: *title, Source: name, Alpha: *alpha, GeneratedAt: time.Now()}
		if *baseline != "" {
			if opts.Baseline, opts.BaselineSource, err = load(*baseline); err != nil {
				return err
			}
		}
		var b bytes.Buffer
		if err := report.Write(&b, runs, opts); err != nil {
			return err
		}
		if err := writeAtomic(*out, b.Bytes()); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		fmt.Fprintf(stdout, "Report written to: %s (%d runs, %d KiB)\n", *out, len(runs), (b.Len()+1023)/1024)
		return nil
	}
}

// writeAtomic replaces path with data: a temporary file in the same
// directory, renamed, so that a reader sees the old file or the new one.
func writeAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".benchtrace-report-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
