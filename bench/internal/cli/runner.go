package cli

import (
	"context"
	"flag"
	"io"
)

// RunnerName is the program that runs the commands that link the SDK:
// benchtrace-runner, built from ./bench/cmd/benchtrace-runner.
const RunnerName = "benchtrace-runner"

// RunnerPackage is benchtrace-runner's import path.
const RunnerPackage = "github.com/benchtrace/benchtrace/bench/cmd/benchtrace-runner"

// The commands benchtrace-runner does, as benchtrace lists them: their
// Flags and the work are the runner's (see [Command.With]).
var (
	RunCommand = Command{
		Name:     "run",
		Summary:  "run the bundled example benchmarks and write their logs",
		Synopsis: Name + " run [--log-dir DIR] [--only REGEXP] [--repeat N] [--warmup N] [--size default|small] [--otlp-endpoint HOST:PORT] [--list]",
	}
	ExecCommand = Command{
		Name:     "exec",
		Summary:  "run any command, or the phases of a spec file, as a measured run",
		Synopsis: Name + " exec [--benchmark NAME] [--phase NAME] [--spec FILE] [--log-dir DIR] [--otlp-endpoint HOST:PORT] [-- CMD ARGS…]",
		Args:     true,
	}
)

// With returns c with its flags and work.
func (c Command) With(flags func() (*flag.FlagSet, func(ctx context.Context, stdout, stderr io.Writer) error)) Command {
	c.Flags = flags
	return c
}

// RunElsewhere returns c run by run, another program (see
// [Command.Elsewhere]).
func (c Command) RunElsewhere(run func(ctx context.Context, stdout, stderr io.Writer, args []string) error) Command {
	c.Elsewhere = run
	return c
}
