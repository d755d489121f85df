package benchtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// EnvLogDir names the environment variable that asks for run logs, in the
// directory it names, when -benchtrace.logdir is not given.
const EnvLogDir = "BENCHTRACE_LOG_DIR"

// logDirFlag is -benchtrace.logdir. A flag of a test helper has to be
// registered when the test binary starts, before testing parses the
// command line, as the testing package's own -test.* flags are: this
// package is only linked into test binaries, where that is the convention.
var logDirFlag = flag.String("benchtrace.logdir", "",
	"write a benchtrace run log per benchmark call into `dir` (default: $"+EnvLogDir+", else no logs)")

// unnamed names the run of a benchmark without a name: one that
// testing.Benchmark runs.
const unnamed = "Benchmark"

// shutdownTimeout bounds the shutdown of a Benchtrace that New created,
// which flushes spans to an OTLP endpoint when one is configured.
const shutdownTimeout = 30 * time.Second

// Errors a run ends with when the benchmark function did not finish well.
var (
	errFailed         = errors.New("benchmark failed")
	errSkipped        = errors.New("benchmark skipped")
	errLoopUnfinished = errors.New("benchmark loop did not finish (panic, b.FailNow or runtime.Goexit in the loop?)")
)

// Option configures New.
type Option interface{ apply(*config) }

type config struct {
	bt      *sdk.Benchtrace
	runOpts []sdk.RunOption
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithBenchtrace records the runs with bt, which the caller owns and shuts
// down (typically in TestMain), instead of a Benchtrace that New creates
// for each call of the benchmark function. Its options apply, not
// -benchtrace.logdir and BENCHTRACE_LOG_DIR.
func WithBenchtrace(bt *sdk.Benchtrace) Option {
	return optionFunc(func(c *config) { c.bt = bt })
}

// WithRunOptions passes opts to sdk.Benchtrace.Start: the model, the
// configuration file, frameworks' versions, attributes of the run.
func WithRunOptions(opts ...sdk.RunOption) Option {
	return optionFunc(func(c *config) { c.runOpts = append(c.runOpts, opts...) })
}

// B records one call of a benchmark function as a run. Its methods are
// called from the benchmark function's goroutine.
type B struct {
	b   *testing.B
	bt  *sdk.Benchtrace
	own bool // bt was created by New: shut it down at the end
	run *sdk.Run

	main      *sdk.Phase // the phase Measure started; nil before
	mainEnded bool
	err       error // why a phase did not return
}

// New starts recording the benchmark b: a run named b.Name() ("Benchmark"
// under testing.Benchmark, where it is empty), which ends
// when the benchmark function returns (through b.Cleanup) as successful,
// or failed when b failed, was skipped, or a phase did not return. Call it
// at the top of the function that loops (the leaf of b.Run
// sub-benchmarks).
//
// Defaults:
//   - a Benchtrace is created for this call, and shut down at its end,
//     with the defaults of sdk.New except for the logs: written into
//     -benchtrace.logdir, else $BENCHTRACE_LOG_DIR, else not at all
//     (WithBenchtrace to use your own);
//   - the run's metadata has gomaxprocs, the -N suffix of the benchmark's
//     name in go test's output.
//
// New fails the benchmark (b.Fatal) when the Benchtrace cannot be created.
func New(b *testing.B, opts ...Option) *B {
	b.Helper()
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	t := &B{b: b, bt: c.bt}
	if t.bt == nil {
		bt, err := sdk.New(b.Context(), logOption())
		if err != nil {
			b.Fatalf("benchtest: %v", err)
		}
		t.bt, t.own = bt, true
	}
	runOpts := append([]sdk.RunOption{sdk.WithRunAttributes(
		attribute.Int(semconv.MetadataPrefix+"gomaxprocs", runtime.GOMAXPROCS(0)),
	)}, c.runOpts...)
	name := b.Name()
	if name == "" {
		name = unnamed // a benchmark run by testing.Benchmark
	}
	t.run = t.bt.Start(b.Context(), name, runOpts...)
	b.Cleanup(t.end)
	return t
}

// logOption says where the logs of a Benchtrace created by New go.
func logOption() sdk.Option {
	dir := *logDirFlag
	if dir == "" {
		dir = os.Getenv(EnvLogDir)
	}
	if dir == "" {
		return sdk.WithoutLogs()
	}
	return sdk.WithLogDir(dir)
}

// Run returns the run, to set its attributes, results or accuracy.
func (t *B) Run() *sdk.Run { return t.run }

// Phase runs fn as a phase of the run called name: work outside the
// benchmark loop (setup, a check of the results). It does not touch the
// benchmark timer: before b.Loop's first call or after its last, nothing
// is timed anyway; with a loop to b.N, call b.ResetTimer (or Measure)
// after setup, as usual. Called after Measure, it ends the main phase
// first. Do not call it inside the loop: a phase costs microseconds and a
// span.
//
// If fn does not return (it panics, or calls b.Fatal or b.SkipNow), the
// phase is recorded as failed and so is the run.
func (t *B) Phase(name string, fn func()) {
	t.b.Helper()
	t.endMain(nil)
	ph := t.run.StartPhase(name)
	returned := false
	defer func() {
		if !returned {
			err := fmt.Errorf("phase %q did not return (panic, b.FailNow or b.SkipNow?)", name)
			ph.End(err)
			if t.err == nil {
				t.err = err
			}
		}
	}()
	fn()
	returned = true
	ph.End(nil)
}

// Measure starts the run's main phase, called name, and then resets the
// benchmark timer (b.ResetTimer: it leaves the timer running or stopped as
// it was, and drops the allocation counts and the metrics reported so
// far): call it just before the benchmark loop, after any setup.
// The main phase ends when the benchmark function returns, or at the next
// Phase, and its CPU time and Go heap allocation per iteration and its
// peak RSS are then reported with b.ReportMetric (see the package
// documentation). Later calls of Measure do nothing.
func (t *B) Measure(name string) {
	if t.main != nil {
		return
	}
	t.run.SetAttributes(attribute.String(semconv.RunMainPhase, name))
	t.main = t.run.StartPhase(name)
	t.b.ResetTimer()
}

// endMain ends the main phase, if it is open, and reports its metrics.
func (t *B) endMain(err error) {
	if t.main == nil || t.mainEnded {
		return
	}
	t.mainEnded = true
	n := t.b.N // after b.Loop returned false, the iterations it ran
	if err == nil && n == 0 {
		err = errLoopUnfinished
	}
	t.main.SetAttributes(attribute.Int("iterations", n))
	t.main.End(err)
	if err != nil {
		return
	}
	d := t.main.Usage()
	t.b.ReportMetric(float64((d.CPUUser+d.CPUSystem).Nanoseconds())/float64(n), "cpu-ns/op")
	t.b.ReportMetric(float64(d.HeapAlloc)/float64(n), "heap-B/op")
	t.b.ReportMetric(float64(d.PeakRSS), "peak-RSS-B")
}

// end ends the run, when the benchmark function has returned.
func (t *B) end() {
	err := t.err
	switch {
	case err != nil:
	case t.b.Failed():
		err = errFailed
	case t.b.Skipped():
		err = errSkipped
	}
	t.endMain(err)
	t.run.End(err)
	if t.own {
		// The benchmark's context (b.Context) is already cancelled when
		// cleanups run, and the flush must still happen: a fresh context,
		// bounded.
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := t.bt.Shutdown(ctx); err != nil {
			t.b.Errorf("benchtest: %v", err)
		}
	}
}
