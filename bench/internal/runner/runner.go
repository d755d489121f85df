package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/bench/internal/examples"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Config says what Run runs and where its logs go.
type Config struct {
	// Benchmarks are run in order, each Repeat times before the next.
	Benchmarks []examples.Benchmark
	// Repeat is how many times each benchmark runs; at least 1.
	Repeat int
	// Warmup is how many times each benchmark runs before its measured
	// runs, unmeasured: a warmup run is neither logged nor sent to
	// OTLPEndpoint, so analyze and compare never see it. (An SDK told by
	// OTEL_EXPORTER_OTLP_ENDPOINT to export does export it, with
	// metadata.warmup true, which compare leaves out.)
	Warmup int
	// Size is the problem size of every run.
	Size examples.Size
	// LogDir is where the JSON run logs go; "" for sdk.DefaultLogDir.
	LogDir string
	// OTLPEndpoint, if not "", also sends the spans over OTLP/gRPC to
	// this HOST:PORT.
	OTLPEndpoint string
}

// WarmupKey is the metadata key (metadata.warmup) of a warmup run, true,
// in the spans that reach a collector.
const WarmupKey = "warmup"

// shutdownTimeout bounds the flush of the logs and spans at the end.
const shutdownTimeout = 10 * time.Second

// ErrRunsFailed is returned, wrapped, when a run failed.
var ErrRunsFailed = errors.New("runs failed")

// Run runs the benchmarks of cfg, one trace per run, printing a line per
// phase as it ends on stdout and then the summary of the runs, and
// warnings on stderr. It returns nil when every run succeeded, an error
// wrapping ErrRunsFailed when some failed, and ctx's error when ctx ended
// the runs.
//
// SIGINT and SIGTERM end the open run with status "interrupted" and its
// log written; Run starts no further run, prints the summary of the runs so
// far, and returns an error wrapping the *sdk.SignalError, whose ExitCode
// is the process's exit status (128+signal). This holds whatever the
// process inherited: a background job of a non-interactive shell starts
// with SIGINT ignored, and is still interrupted. A second signal ends the
// process at once.
func Run(ctx context.Context, stdout, stderr io.Writer, cfg Config) error {
	if cfg.Repeat < 1 {
		return fmt.Errorf("repeat must be at least 1, got %d", cfg.Repeat)
	}
	if cfg.Warmup < 0 {
		return fmt.Errorf("warmup must be at least 0, got %d", cfg.Warmup)
	}
	opts := []sdk.Option{
		sdk.WithSpanProcessor(&progress{w: stdout, terminal: isTerminal(stdout), depth: map[trace.SpanID]int{}}),
		sdk.WithErrorHandler(func(err error) { fmt.Fprintln(stderr, "warning:", err) }),
	}
	if cfg.LogDir != "" {
		opts = append(opts, sdk.WithLogDir(cfg.LogDir))
	}
	if cfg.OTLPEndpoint != "" {
		opts = append(opts, sdk.WithOTLPEndpoint(cfg.OTLPEndpoint))
	}
	bt, err := sdk.New(ctx, opts...)
	if err != nil {
		return err
	}
	runCtx, stop := bt.NotifyContext(ctx)
	defer stop()
	var warm *sdk.Benchtrace
	if cfg.Warmup > 0 {
		// Warmup runs go through an SDK of their own that writes no log.
		warm, err = sdk.New(ctx, sdk.WithoutLogs(),
			sdk.WithErrorHandler(func(err error) { fmt.Fprintln(stderr, "warning: warmup:", err) }))
		if err != nil {
			return err
		}
	}

	var runIDs []string
	failed := 0
	total, n := len(cfg.Benchmarks)*cfg.Repeat, 0
runs:
	for _, b := range cfg.Benchmarks {
		for i := range cfg.Warmup {
			if runCtx.Err() != nil {
				break runs
			}
			fmt.Fprintf(stdout, "▷ %s (warmup %d/%d, not logged)\n", b.Name, i+1, cfg.Warmup)
			run := warm.Start(runCtx, b.Name, append(b.Options(cfg.Size),
				sdk.WithRunAttributes(attribute.Bool(semconv.MetadataPrefix+WarmupKey, true)))...)
			err := b.Run(run.Context(), run, cfg.Size)
			if err != nil && runCtx.Err() == nil {
				fmt.Fprintf(stdout, "  ✗ %s warmup failed: %v\n", b.Name, err)
			}
			run.End(err)
		}
		for range cfg.Repeat {
			if runCtx.Err() != nil {
				break runs
			}
			n++
			fmt.Fprintf(stdout, "▶ %s (%d/%d)\n", b.Name, n, total)
			run := bt.Start(runCtx, b.Name, b.Options(cfg.Size)...)
			err := b.Run(run.Context(), run, cfg.Size)
			if sig := signalOf(runCtx); sig != nil {
				// The signal handler interrupted the open runs; this
				// one is open still if it started while the handler
				// ran.
				bt.Interrupt(sig.Error())
				fmt.Fprintf(stdout, "  ⚠ %s %v\n", b.Name, sig)
			} else if err != nil {
				failed++
				fmt.Fprintf(stdout, "  ✗ %s failed: %v\n", b.Name, err)
			}
			run.End(err)
			runIDs = append(runIDs, run.TraceID())
		}
	}
	// The logs are written even when ctx is done: the shutdown keeps
	// ctx's values but not its cancellation, and has a deadline of its own.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	err = bt.Shutdown(sctx)
	if warm != nil {
		err = errors.Join(err, warm.Shutdown(sctx))
	}
	cancel()
	if err != nil {
		fmt.Fprintln(stderr, "warning: flushing spans:", err)
	}

	if err := summarize(stdout, stderr, bt.LogDir(), runIDs); err != nil {
		return err
	}
	switch sig := signalOf(runCtx); {
	case sig != nil:
		return sig
	case failed > 0:
		return fmt.Errorf("%d of %d %w", failed, len(runIDs), ErrRunsFailed)
	}
	return ctx.Err()
}

// signalOf returns the signal that ended ctx, or nil.
func signalOf(ctx context.Context) *sdk.SignalError {
	var sig *sdk.SignalError
	if errors.As(context.Cause(ctx), &sig) {
		return sig
	}
	return nil
}

// summarize writes the summary of the runs ids, whose logs are in dir.
func summarize(stdout, stderr io.Writer, dir string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	files, err := logsOf(dir, ids)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	// The same fast path as `benchtrace analyze`.
	runs, err := analyze.LoadSummaries(context.Background(), files, stderr)
	if err != nil {
		return err
	}
	if err := runs.WriteSummary(stdout, analyze.Options{ShortDurations: true}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Logs: %s\n", dir)
	return nil
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
