package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"

	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/internal/examples"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
)

// Main runs `benchtrace run` with args (flags only) and returns an error for
// a non-zero exit: bad flags, no benchmark matched, or a run that failed.
func Main(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("benchtrace run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logDir := fs.String("logs", sdk.DefaultLogDir, "write the JSON run logs into `DIR`")
	only := fs.String("only", "", "run only the benchmarks whose name matches `REGEXP`")
	repeat := fs.Int("repeat", 1, "run each benchmark `N` times")
	endpoint := fs.String("otlp-endpoint", "", "also send spans over OTLP/gRPC to `HOST:PORT` (a collector)")
	size := fs.String("size", "default", "problem size: default, or small for a quick check")
	list := fs.Bool("list", false, "list the benchmarks and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: benchtrace run [--logs DIR] [--only REGEXP] [--repeat N] [--otlp-endpoint HOST:PORT] [--size default|small] [--list]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("run: unexpected argument %q", fs.Arg(0))
	}
	if *repeat < 1 {
		return fmt.Errorf("run: --repeat must be at least 1, got %d", *repeat)
	}
	var sz examples.Size
	switch *size {
	case "default":
		sz = examples.Default
	case "small":
		sz = examples.Small
	default:
		return fmt.Errorf("run: --size must be default or small, got %q", *size)
	}
	re, err := regexp.Compile(*only)
	if err != nil {
		return fmt.Errorf("run: --only: %w", err)
	}
	var selected []examples.Benchmark
	for _, b := range examples.All() {
		if re.MatchString(b.Name) {
			selected = append(selected, b)
		}
	}
	if *list {
		for _, b := range selected {
			fmt.Fprintf(stdout, "%-28s %s\n", b.Name, b.Description)
		}
		return nil
	}
	if len(selected) == 0 {
		return fmt.Errorf("run: no benchmark matches %q", *only)
	}

	opts := []sdk.Option{
		sdk.WithLogDir(*logDir),
		sdk.WithSpanProcessor(&progress{w: stdout, terminal: isTerminal(stdout), depth: map[trace.SpanID]int{}}),
		sdk.WithErrorHandler(func(err error) { fmt.Fprintln(stderr, "warning:", err) }),
	}
	if *endpoint != "" {
		opts = append(opts, sdk.WithOTLPEndpoint(*endpoint))
	}
	bt, err := sdk.New(ctx, opts...)
	if err != nil {
		return err
	}
	stop := bt.HandleSignals()
	defer stop()

	var runIDs []string
	failed := 0
	total, n := len(selected)**repeat, 0
runs:
	for _, b := range selected {
		for range *repeat {
			if ctx.Err() != nil {
				break runs
			}
			n++
			fmt.Fprintf(stdout, "▶ %s (%d/%d)\n", b.Name, n, total)
			run := bt.Start(ctx, b.Name, b.Options...)
			err := b.Run(run.Context(), run, sz)
			run.End(err)
			runIDs = append(runIDs, run.TraceID())
			if err != nil {
				failed++
				fmt.Fprintf(stdout, "  ✗ %s failed: %v\n", b.Name, err)
			}
		}
	}
	if err := bt.Shutdown(ctx); err != nil {
		fmt.Fprintln(stderr, "warning: flushing spans:", err)
	}

	files, err := logsOf(bt.LogDir(), runIDs)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	runs, err := analyze.LoadFiles(files, stderr)
	if err != nil {
		return err
	}
	if err := analyze.WriteSummary(stdout, runs, analyze.Options{}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Logs: %s\n", bt.LogDir())
	if failed > 0 {
		return fmt.Errorf("run: %d of %d runs failed", failed, len(runIDs))
	}
	return ctx.Err()
}

// logsOf returns the logs in dir whose run_id is one of ids, in ids' order.
func logsOf(dir string, ids []string) ([]string, error) {
	byID, err := benchlog.FindRuns(dir, "", ids...)
	if err != nil {
		return nil, err
	}
	var out []string
	var missing []error
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
		} else {
			missing = append(missing, fmt.Errorf("run %s: no log in %s", id, dir))
		}
	}
	return out, errors.Join(missing...)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
