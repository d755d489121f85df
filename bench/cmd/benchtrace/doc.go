// Command benchtrace runs instrumented benchmarks and analyzes their logs.
//
// Usage:
//
//	benchtrace <command> [flags]
//	benchtrace help [command]
//
// The commands are:
//
//	run      run the bundled example benchmarks and write their logs
//	analyze  summarize run logs, and export the summary
//
// "benchtrace <command> -h" (or --help, or "benchtrace help <command>")
// prints a command's flags on stdout. A flag takes one dash or two:
// -log-dir and --log-dir are the same flag.
//
// # Run
//
//	benchtrace run [--log-dir DIR] [--only REGEXP] [--repeat N] [--size default|small] [--otlp-endpoint HOST:PORT] [--list]
//
// Run runs the example benchmarks whose name matches REGEXP (all of them by
// default), each N times (default 1), one trace per run and one span per
// phase. It writes a JSON log per run into DIR (default ./logs; --logs DIR
// is an alias of --log-dir, kept for scripts written for its first name),
// prints a line per phase as it ends, and ends with a summary of its runs.
// Durations there are written with three significant digits and a unit
// that suits them (206ms, 2.93s, 60.2s), in the progress lines and the
// summary alike. --size small runs each benchmark on a smaller problem, for
// a quick check; its logs say so: model.dataset carries the data set's real
// size, and the architecture and batch size are those that ran. --list
// lists the benchmarks REGEXP selects, and runs nothing. With
// --otlp-endpoint the spans also go to an OpenTelemetry Collector.
//
// SIGINT or SIGTERM ends the open run with status "interrupted" and writes
// its log; run then starts no further run, prints the summary of the runs
// so far, and exits with status 128+signal (130 for SIGINT, 143 for
// SIGTERM). This holds even when the process started with the signal
// ignored, as a job started with `&` from a script is. A second signal
// ends the process at once.
//
// # Analyze
//
//	benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE]
//
// Analyze summarizes the run logs (*.json) in DIR (default ./logs; --logs
// is an alias of --log-dir here too), written by benchtrace or by the
// original Orion Python benchmark logger, in the layout of Orion's
// analyze_logs.py: one block per run, then statistics. --latest keeps the
// newest run of each benchmark, --benchmark the benchmarks whose name
// contains SUBSTR (ignoring case). --verbose (-v) adds each run's log file,
// its preprocessing time (timing.preprocessing_total) and its phases. A
// run's CPU time and peak RSS are the run's own totals where the log has
// them (timing.cpu_user_seconds, cpu_system_seconds, peak_rss_bytes), else
// the sums over its phases (older logs). The blocks and totals keep
// analyze_logs.py's format for durations (59.90s (1.00m)); the
// per-benchmark statistics use the short one.
//
// --export FILE also writes the summary to FILE, in the format its
// extension names:
//
//	.json   analyze_logs.py's export (all its keys, with their meaning:
//	        fhe_time_seconds is the main phase's time), with benchtrace's
//	        additions: preprocessing time, CPU time, peak RSS, statistics
//	.csv    one row per run, with the fields of the JSON's per-run entries
//	.md     a Markdown report
//	.bench  the Go benchmark format, for benchstat: a line per successful
//	        run and one per phase of it (BenchmarkName/phase=fit 1 <ns> ns/op
//	        <ns> cpu-ns/op <bytes> peak-RSS-B)
//
// Any other extension is a usage error, reported before a log is read.
// Unreadable logs among readable ones, too few runs, and runs too noisy to
// compare are warnings on stderr.
//
// # Exit status
//
// 0 on success, and after -h. 1 when the work failed: a run failed, DIR
// holds no readable log, no log matches --benchmark, the export could not
// be written. 2 for a usage error: an unknown command or flag, a bad flag
// value, an extra argument, a REGEXP that matches no benchmark, an unknown
// export format. 128+signal when run was ended by a signal.
//
// # Examples
//
// A quick check of one benchmark, then its summary again with its phases:
//
//	benchtrace run --size small --only kmeans
//	benchtrace analyze --benchmark kmeans --latest --verbose
//
// Five runs of each benchmark in the background of a script, stopped
// early:
//
//	benchtrace run --repeat 5 --log-dir logs/nightly &
//	kill -INT $!
//
// The summary of those runs, for a program; and their phases side by side
// with benchstat:
//
//	benchtrace analyze --log-dir logs/nightly --export summary.json
//	benchtrace analyze --log-dir logs/nightly --export nightly.bench
//	benchstat -col /phase nightly.bench
package main
