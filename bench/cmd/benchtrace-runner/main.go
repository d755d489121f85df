package main

import (
	"context"
	"io"
	"os"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
)

// commands are the runner's commands, in the order of benchtrace's manual.
var commands = []cli.Command{runCmd, execCmd}

func main() {
	err := run(context.Background(), os.Stdout, os.Stderr, os.Args[1:])
	os.Exit(cli.ExitStatus(os.Stderr, err))
}

// run runs the command line args with the runner's commands.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	return cli.Run(ctx, stdout, stderr, args, commands)
}
