package sdk

import (
	"context"
	"errors"
	"fmt"

	"github.com/benchtrace/benchtrace/sdk/usage"
)

// The phases of a run that Profile records, in this order. PhaseExecution
// is the run's main phase.
const (
	PhaseInitialization = "initialization"
	PhaseExecution      = "execution"
	PhaseCleanup        = "cleanup"
)

// errNoRun is the error of a Profile whose Operator has no Run.
var errNoRun = errors.New("operator has no Run function")

// Operator is what Profile measures: a unit of work in up to three steps,
// as the Feluda benchmark suite's operators have them. Run is required;
// Init and Cleanup may be nil. Each function gets the context of its phase,
// so spans started from it, and PhaseFromContext, join the run. The
// functions share state through their closures:
//
//	var idx *Index
//	op := sdk.Operator{
//		Init:    func(context.Context) (err error) { idx, err = Open(path); return err },
//		Run:     func(ctx context.Context) error { return idx.Search(ctx, query) },
//		Cleanup: func(context.Context) error { return idx.Close() },
//	}
type Operator struct {
	// Init prepares the operator (loads a model, opens files).
	Init func(ctx context.Context) error
	// Run does the work being measured.
	Run func(ctx context.Context) error
	// Cleanup releases what Init took. It runs whenever Init succeeded
	// (or is nil), even when Run failed.
	Cleanup func(ctx context.Context) error
}

// Profile is what one call of Benchtrace.Profile measured: the usage of
// each of the operator's steps (zero for a step that is nil or did not
// run), and whether the operator succeeded.
type Profile struct {
	// Name is the name the run was recorded under.
	Name string
	// RunID is the run's trace ID, also the log's metadata.run_id; empty
	// when nothing was recorded.
	RunID string
	// Initialization, Execution and Cleanup are the measurements of the
	// phases of those names: wall time, CPU, RSS at the start, memory
	// change, peak RSS, Go heap and GC cycles (see usage.Delta).
	Initialization, Execution, Cleanup usage.Delta
	// Success is true when every step that ran returned nil. The run's
	// log says "success" exactly then.
	Success bool
	// Err is nil on success; otherwise the error Init returned, or the
	// error of Run or Cleanup, or both joined (errors.Join) when both
	// failed. A panic in a step is recovered and reported as a
	// *PanicError, whose stack trace the run's log keeps.
	Err error
}

// Profile runs op as one run of the benchmark name and returns its
// measurements: Init, Run and Cleanup each become a phase, named
// "initialization", "execution" and "cleanup", and "execution" is the
// run's main phase (WithMainPhase in opts overrides it). It is the
// one-call counterpart of the Feluda suite's profile decorator.
//
// Cleanup is skipped when Init fails, and runs when Run fails. A step that
// fails or panics fails the run; Profile itself never panics because of op,
// and returns once the run's log is final. ctx is the parent of the run, as
// for Start, and reaches the steps through their phases' contexts.
func (b *Benchtrace) Profile(ctx context.Context, name string, op Operator, opts ...RunOption) Profile {
	p := Profile{Name: name}
	if op.Run == nil {
		p.Err = fmt.Errorf("profiling %q: %w", name, errNoRun)
		return p
	}
	run := b.Start(ctx, name, append([]RunOption{WithMainPhase(PhaseExecution)}, opts...)...)
	p.RunID = run.TraceID()

	if op.Init != nil {
		var err error
		if p.Initialization, err = profileStep(run, PhaseInitialization, op.Init); err != nil {
			p.Err = err
			run.End(err)
			return p
		}
	}
	var runErr, cleanupErr error
	p.Execution, runErr = profileStep(run, PhaseExecution, op.Run)
	if op.Cleanup != nil {
		p.Cleanup, cleanupErr = profileStep(run, PhaseCleanup, op.Cleanup)
	}
	switch {
	case cleanupErr == nil:
		p.Err = runErr
	case runErr == nil:
		p.Err = cleanupErr
	default:
		p.Err = errors.Join(runErr, cleanupErr)
	}
	p.Success = p.Err == nil
	run.End(p.Err)
	return p
}

// profileStep runs fn as the phase name of run and returns its usage and
// fn's error, unwrapped, so that the run's log keeps a panic's stack.
func profileStep(run *Run, name string, fn func(context.Context) error) (usage.Delta, error) {
	ph := run.StartPhase(name)
	err := ph.do(fn)
	return ph.Usage(), err
}
