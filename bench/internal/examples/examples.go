package examples

import (
	"context"
	"fmt"

	"github.com/benchtrace/benchtrace/sdk"
)

// Size selects how much work a benchmark does.
type Size int

const (
	// Default is the size `benchtrace run` uses: seconds per benchmark.
	Default Size = iota
	// Small is for tests: a fraction of a second per benchmark.
	Small
)

// String returns "default" or "small".
func (s Size) String() string {
	switch s {
	case Default:
		return "default"
	case Small:
		return "small"
	}
	return fmt.Sprintf("Size(%d)", int(s))
}

// ParseSize returns the Size named by String.
func ParseSize(name string) (Size, error) {
	for _, s := range []Size{Default, Small} {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown benchmark size %q, want default or small", name)
}

// Set sets s to the Size named by String, for a command-line flag
// (flag.Value).
func (s *Size) Set(name string) error {
	v, err := ParseSize(name)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Benchmark is one example benchmark.
type Benchmark struct {
	// Name is the benchmark name, the run's benchmark_name.
	Name string
	// Description says in a line what the benchmark does.
	Description string
	// Model describes what a run of the given size runs: the model, and
	// the data set and batch size with their real sizes, so that a small
	// run is not logged as a full-size one.
	Model func(Size) sdk.Model
	// MainPhase is the phase whose time is the run's main figure.
	MainPhase string
	// Run does the benchmark's work in phases of run and records its
	// results. It returns the first error, for the caller to pass to
	// run.End; it does not end the run. No phase starts once ctx is done,
	// and a phase stops early when the context the run was started from
	// is done (normally ctx too).
	Run func(ctx context.Context, run *sdk.Run, size Size) error
}

// Options returns the options of a run of b at size: its model and main
// phase. Pass them to sdk.Benchtrace.Start.
func (b Benchmark) Options(size Size) []sdk.RunOption {
	return []sdk.RunOption{sdk.WithModel(b.Model(size)), sdk.WithMainPhase(b.MainPhase)}
}

// Seed seeds every example benchmark.
const Seed = 42

// All returns the example benchmarks, in a stable order.
func All() []Benchmark {
	return []Benchmark{
		mlpPolyReLU(),
		kmeansEmbeddings(),
		int8GEMM(),
	}
}

// Lookup returns the example benchmark called name.
func Lookup(name string) (Benchmark, bool) {
	for _, b := range All() {
		if b.Name == name {
			return b, true
		}
	}
	return Benchmark{}, false
}

// phases runs steps as consecutive top-level phases of run, stopping at the
// first error or when ctx is done.
func phases(ctx context.Context, run *sdk.Run, steps ...step) error {
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("before phase %s: %w", s.name, err)
		}
		if err := run.Phase(s.name, s.fn); err != nil {
			return fmt.Errorf("phase %s: %w", s.name, err)
		}
	}
	return nil
}

type step struct {
	name string
	fn   func(ctx context.Context) error
}
