package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/bench/analyze"
)

// defaultLogDir is the directory analyze reads without --log-dir.
const defaultLogDir = "logs"

var analyzeCmd = command{
	name:     "analyze",
	summary:  "summarize run logs, and export the summary",
	synopsis: "benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE [--overwrite]]",
	flags:    analyzeFlags,
}

// analyzeFlags are the flags of `benchtrace analyze`. Its work summarizes
// the run logs (*.json, not dot-files) in DIR on stdout, and writes
// warnings (unreadable logs, too few samples, high variance) to stderr. It
// fails when DIR has no log, when no log matches --benchmark, and when the
// export cannot be written; an unreadable log among others is only a
// warning. An export format it does not know is a usage error, found before
// any log is read.
func analyzeFlags() (*flag.FlagSet, func(context.Context, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	logDir := fs.String("log-dir", defaultLogDir, "read the JSON run logs in `DIR`")
	fs.StringVar(logDir, "logs", defaultLogDir, "alias of --log-dir `DIR`")
	latest := fs.Bool("latest", false, "show only the newest run of each benchmark")
	benchmark := fs.String("benchmark", "", "show only the benchmarks whose name contains `SUBSTR` (ignoring case)")
	var verbose bool
	fs.BoolVar(&verbose, "verbose", false, "show each run's log file, preprocessing time and phases")
	fs.BoolVar(&verbose, "v", false, "short for --verbose")
	var export exportFile
	fs.Var(&export, "export", "also write the summary to `FILE`, in the format of its extension: "+
		strings.Join(analyze.ExportFormats(), ", "))
	overwrite := fs.Bool("overwrite", false, "let --export replace FILE when it exists (default: refuse, and write nothing)")

	return fs, func(ctx context.Context, stdout, stderr io.Writer) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The logs are read in parallel and kept as compact summaries;
		// --verbose and --export read what else they need from the logs
		// again, in output order.
		//
		// The summaries are most of the heap, and hold no pointers, while
		// reading makes garbage in proportion to the files (names,
		// paths): with Go's default GOGC=100 the heap would grow to twice
		// the summaries before a collection. A quarter is enough headroom,
		// and costs little, as the collector has nothing to scan in them.
		// A GOGC in the environment is the user's choice.
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(25))
		}
		runs, err := analyze.LoadDir(ctx, *logDir, stderr)
		var pathErr *os.PathError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &pathErr):
			return err
		case err != nil:
			return fmt.Errorf("no readable run log in %s: %w", *logDir, err)
		case runs.Files() == 0:
			return fmt.Errorf("no run logs (*.json) in %s", *logDir)
		}
		if *benchmark != "" {
			if runs = runs.Filter(*benchmark); runs.Len() == 0 {
				return fmt.Errorf("no logs in %s match --benchmark %q", *logDir, *benchmark)
			}
		}
		if *latest {
			runs = runs.Latest()
		}

		opts := analyze.Options{Verbose: verbose, Warnings: stderr, GeneratedAt: time.Now(), Overwrite: *overwrite}
		if export != "" {
			if err := runs.Export(string(export), opts); err != nil {
				if errors.Is(err, iofs.ErrExist) {
					return fmt.Errorf("%w (--overwrite replaces it)", err)
				}
				return err
			}
		}
		if err := runs.WriteSummary(stdout, opts); err != nil {
			return err
		}
		if export != "" {
			fmt.Fprintf(stdout, "Summary exported to: %s\n", export)
		}
		return nil
	}
}

// exportFile is the value of --export: a file name whose extension names
// an export format.
type exportFile string

func (f *exportFile) String() string { return string(*f) }

func (f *exportFile) Set(name string) error {
	ext := strings.ToLower(filepath.Ext(name))
	if !slices.Contains(analyze.ExportFormats(), ext) {
		return fmt.Errorf("unknown format %q: the file name must end in one of %s",
			ext, strings.Join(analyze.ExportFormats(), ", "))
	}
	*f = exportFile(name)
	return nil
}
