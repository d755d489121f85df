package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/examples"
	"github.com/benchtrace/benchtrace/bench/internal/runner"
	"github.com/benchtrace/benchtrace/sdk"
)

var runCmd = cli.RunCommand.With(runFlags)

func runFlags() (*flag.FlagSet, func(context.Context, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var cfg runner.Config
	fs.StringVar(&cfg.LogDir, "log-dir", sdk.DefaultLogDir, "write the JSON run logs into `DIR`")
	fs.StringVar(&cfg.LogDir, "logs", sdk.DefaultLogDir, "alias of --log-dir `DIR`")
	only := fs.String("only", "", "run only the benchmarks whose name matches `REGEXP`")
	fs.IntVar(&cfg.Repeat, "repeat", 1, "run each benchmark `N` times")
	fs.IntVar(&cfg.Warmup, "warmup", 0, "first run each benchmark `N` times unmeasured (not logged)")
	fs.Var(&cfg.Size, "size", "problem `SIZE`: default, or small for a quick check")
	fs.StringVar(&cfg.OTLPEndpoint, "otlp-endpoint", "", "also send the spans over OTLP/gRPC to `HOST:PORT` (a collector)")
	list := fs.Bool("list", false, "list the benchmarks that --only selects, and exit")

	return fs, func(ctx context.Context, stdout, stderr io.Writer) error {
		if cfg.Repeat < 1 {
			return cli.Usagef("--repeat must be at least 1, got %d", cfg.Repeat)
		}
		if cfg.Warmup < 0 {
			return cli.Usagef("--warmup must be at least 0, got %d", cfg.Warmup)
		}
		re, err := regexp.Compile(*only)
		if err != nil {
			return cli.Usagef("--only: %v", err)
		}
		for _, b := range examples.All() {
			if re.MatchString(b.Name) {
				cfg.Benchmarks = append(cfg.Benchmarks, b)
			}
		}
		if *list {
			for _, b := range cfg.Benchmarks {
				fmt.Fprintf(stdout, "%-28s %s\n", b.Name, b.Description)
			}
			return nil
		}
		if len(cfg.Benchmarks) == 0 {
			return cli.Usagef("--only %q matches no benchmark (--list lists them)", *only)
		}
		return runner.Run(ctx, stdout, stderr, cfg)
	}
}
