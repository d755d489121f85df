package main

import (
	"context"
	"io"
	"os"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

// commands are benchtrace's subcommands, in the order of the manual: run
// and exec are benchtrace-runner's.
var commands = []cli.Command{
	cli.RunCommand.RunElsewhere(runRunner),
	analyzeCmd,
	cli.ExecCommand.RunElsewhere(runRunner),
	compareCmd,
	trendCmd,
	reportCmd,
}

func main() {
	err := run(context.Background(), os.Stdout, os.Stderr, os.Args[1:])
	os.Exit(cli.ExitStatus(os.Stderr, err))
}

// run runs the command line args with benchtrace's commands.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	return cli.Run(ctx, stdout, stderr, args, commands)
}
