package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benchtrace/benchtrace/bench/analyze"
)

// defaultLogDir is the directory analyze reads without --log-dir.
const defaultLogDir = "logs"

// analyzeMain runs `benchtrace analyze` with args (flags only):
//
//	benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE]
//
// It summarizes the run logs (*.json, not dot-files) in DIR on stdout, and
// writes warnings (unreadable logs, too few samples, high variance) to
// stderr. It returns an error for a non-zero exit: bad flags, no log in
// DIR, no log matching --benchmark, or an export that could not be
// written. An unreadable log among others is only a warning.
func analyzeMain(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("benchtrace analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logDir := fs.String("log-dir", defaultLogDir, "read the JSON run logs in `DIR`")
	latest := fs.Bool("latest", false, "show only the newest run of each benchmark")
	benchmark := fs.String("benchmark", "", "show only the benchmarks whose name contains `SUBSTR` (ignoring case)")
	var verbose bool
	fs.BoolVar(&verbose, "verbose", false, "show each run's log file and phases")
	fs.BoolVar(&verbose, "v", false, "short for --verbose")
	export := fs.String("export", "", "also write the summary to `FILE`: JSON, or Markdown if FILE ends in .md")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("analyze: unexpected argument %q", fs.Arg(0))
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	files, err := listLogs(*logDir)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if len(files) == 0 {
		return fmt.Errorf("analyze: no run logs (*.json) in %s", *logDir)
	}
	runs, err := analyze.LoadFiles(files, stderr)
	if err != nil {
		return fmt.Errorf("analyze: no readable run log in %s: %w", *logDir, err)
	}
	if *benchmark != "" {
		if runs = analyze.Filter(runs, *benchmark); len(runs) == 0 {
			return fmt.Errorf("analyze: no logs in %s match --benchmark %q", *logDir, *benchmark)
		}
	}
	if *latest {
		runs = analyze.Latest(runs)
	}

	opts := analyze.Options{Verbose: verbose, Warnings: stderr, GeneratedAt: time.Now()}
	if *export != "" {
		if err := analyze.Export(*export, runs, opts); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	if err := analyze.WriteSummary(stdout, runs, opts); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if *export != "" {
		fmt.Fprintf(stdout, "Summary exported to: %s\n", *export)
	}
	return nil
}

// listLogs returns the *.json files in dir, sorted by name, leaving out
// dot-files (such as the writer's temporary files) and directories.
func listLogs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading log directory: %w", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || filepath.Ext(name) != ".json" {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	return files, nil
}
