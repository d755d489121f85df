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
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

// defaultLogDir is the directory analyze reads without --log-dir.
const defaultLogDir = "logs"

var analyzeCmd = cli.Command{
	Name:     "analyze",
	Summary:  "summarize run logs, and export the summary",
	Synopsis: "benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE [--overwrite]]",
	Flags:    analyzeFlags,
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
		if os.Getenv("GOGC") == "" {
			defer tightenGC(bigHeap, 25)()
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

// bigHeap is the live heap above which analyze's collector keeps less
// headroom (tightenGC).
const bigHeap = 32 << 20

// tightenGC sets the collector's GOGC to percent once a collection finds
// more than live bytes of live heap, and returns a function that restores
// the GOGC of before.
//
// analyze's heap is mostly its summaries, which hold no pointers, while
// reading makes garbage in proportion to the files (names, paths). With
// Go's default GOGC=100 the heap of a million logs would grow to twice the
// summaries before a collection; a quarter is enough headroom there, and
// costs little, as the collector has nothing to scan in them. Below a few
// tens of thousands of logs the heap is a few megabytes, and GOGC=25 from
// the start would collect three times as often (a tenth of the time of
// 10,000 logs) to save nothing that matters: the tighter setting waits for
// a heap worth it.
func tightenGC(live uint64, percent int) (restore func()) {
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)
	var mu sync.Mutex
	done := false
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	afterEachGC(func() bool {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return false
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || sample[0].Value.Uint64() < live {
			return true
		}
		debug.SetGCPercent(percent)
		done = true
		return false
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		done = true
		debug.SetGCPercent(before)
	}
}

// afterEachGC calls f after each garbage collection, for as long as f
// returns true: a cleanup on an object only that collection frees, which
// arms the next.
func afterEachGC(f func() bool) {
	type sentinel struct{ _ *byte } // a pointer: not in a tiny block
	var arm func()
	arm = func() {
		runtime.AddCleanup(new(sentinel), func(struct{}) {
			if f() {
				arm()
			}
		}, struct{}{})
	}
	arm()
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
