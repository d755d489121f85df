// Command benchtrace runs instrumented benchmarks and analyzes their logs.
//
// Usage:
//
//	benchtrace run [--logs DIR] [--only REGEXP] [--repeat N] [--otlp-endpoint HOST:PORT] [--size default|small] [--list]
//	benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE]
//
// "run" runs the bundled example benchmarks, one trace per run and one span
// per phase, writes a JSON log per run into DIR (default ./logs), shows each
// phase as it ends, and ends with the summary "analyze" prints for those
// runs. With --otlp-endpoint the spans also go to an OpenTelemetry Collector.
// SIGINT or SIGTERM ends the open run with status "interrupted".
//
// "analyze" summarizes the logs in DIR (default ./logs), written by benchtrace
// or by the original Python benchmark logger: one block per run, then
// statistics; --verbose adds each run's phases, --export writes the summary
// as JSON (or Markdown, for a FILE ending in .md). It exits non-zero when
// there are no logs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/benchtrace/benchtrace/bench/internal/runner"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "benchtrace:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: benchtrace <command> [flags]

commands:
  run       run the bundled example benchmarks and write their logs
  analyze   summarize benchmark logs

"benchtrace <command> -h" describes a command's flags.`

func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "run":
		return runner.Main(ctx, stdout, stderr, args[1:])
	case "analyze":
		return analyzeMain(ctx, stdout, stderr, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
