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
//	exec     run any command, or the phases of a spec file, as a measured run
//	compare  compare two sets of runs, and fail on a significant regression
//	trend    show how the runs changed across commits or days, and where
//	report   write an HTML report of the runs, with charts, that needs no network
//
// "benchtrace <command> -h" (or --help, or "benchtrace help <command>")
// prints a command's flags on stdout. A flag takes one dash or two:
// -log-dir and --log-dir are the same flag.
//
// run and exec are done by benchtrace-runner (./bench/cmd/benchtrace-runner),
// which links the SDK; benchtrace, which links only what reads logs, runs
// it with the same command line (on Unix it becomes the runner: one
// process, whose signals and exit status are the runner's). It looks for
// the runner in $BENCHTRACE_RUNNER, then next to its own executable, then
// in PATH; without one, where the go command is, it installs the runner
// of its own source (a clone's, for "go run ./bench/cmd/benchtrace run";
// a version's, for "go run
// github.com/benchtrace/benchtrace/bench/cmd/benchtrace@v1.2.3 run") into
// the user's cache directory, and runs that. To install both:
//
//	go install github.com/benchtrace/benchtrace/bench/cmd/...@latest
//
// # Run
//
//	benchtrace run [--log-dir DIR] [--only REGEXP] [--repeat N] [--warmup N] [--size default|small] [--otlp-endpoint HOST:PORT] [--list]
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
// --warmup N first runs each benchmark N times (default 0) unmeasured,
// before its measured runs, to warm caches, the page cache and the CPU's
// frequency: a warmup run prints one line, is not logged and is not sent
// to --otlp-endpoint, so analyze and compare never count it. (The SDK
// also exports to OTEL_EXPORTER_OTLP_ENDPOINT when the environment sets
// it; there a warmup run carries metadata.warmup true, which compare
// leaves out.) Comparing runs takes several of them: --repeat 10 gives
// compare enough for a verdict and an interval.
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
//	benchtrace analyze [--log-dir DIR] [--latest] [--benchmark SUBSTR] [--verbose] [--export FILE [--overwrite]]
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
//	        <ns> cpu-ns/op <bytes> peak-RSS-B), after configuration lines
//	        from the runs' metadata (goos, goarch, cpu, commit) where they
//	        change, so that benchstat -col commit sets commits side by side
//
// An existing FILE is kept: analyze fails (status 1) and writes nothing,
// unless --overwrite is given. Any other extension is a usage error,
// reported before a log is read.
// Unreadable logs among readable ones, too few runs, and runs too noisy to
// compare are warnings on stderr.
//
// # Compare
//
//	benchtrace compare [--alpha A] [--format text|markdown|json|csv] [--fail-on THRESHOLDS] [--benchmark SUBSTR] OLD NEW
//
// Compare says whether the runs of NEW differ from those of OLD, and
// whether that is real or noise. OLD and NEW are each a log directory, or
// a directory narrowed by metadata values, DIR@KEY=VALUE[,KEY=VALUE…]: one
// directory holding two commits compares as logs@git_commit=a1b2c3d and
// logs@git_commit=e4f5a6b (a commit may be abbreviated to four characters
// or more). Logs of the Orion Python logger count as well as benchtrace's.
// Flags may come before, between or after OLD and NEW.
//
// For every benchmark, phase and measure present on both sides it shows
// the median of each side with its 95% confidence interval, the change in
// percent, the p-value of the Mann-Whitney U-test and the number of runs,
// with the statistics of benchstat (golang.org/x/perf/benchmath). The
// measures are, per phase, its duration, CPU time (cpu), peak RSS
// (peak_rss), memory change (memory_change) and Go heap allocation
// (go_heap); per run, its total duration (the row without a phase),
// main-phase time (main_phase), CPU time, peak RSS, MAE, precision in bits
// (precision_bits) and every other numeric result. Only successful runs
// and phases count. A change is significant when p <= A (--alpha, default
// 0.05), and a significant change is "worse" or "better" by the measure's
// direction: durations, memory and errors get worse as they grow,
// precision and accuracies as they shrink; a result of unknown meaning is
// only "changed". Each row is its own test: among many rows, about one in
// twenty that did not change comes out significant by chance, which is
// why the gate wants a threshold too.
//
// With too few runs a row has no verdict, and says so in a footnote, as
// benchstat does: the U-test needs 4 runs a side to find any difference at
// alpha 0.05, and the interval needs 6 at 95% (±∞ below that). Compare
// then also warns on stderr; `benchtrace run --repeat N` makes more runs.
//
// --format text (the default) is benchstat's layout, a table per measure
// with "~" where the change is not significant and a geomean row;
// markdown is for a pull-request comment (the significant changes first,
// regressions marked in words); json is an object whose "rows" each have
// benchmark, phase ("" for a run-level row), measure, unit, old and new
// {center, low, high, n}, delta, delta_percent, p_value, significant,
// regression and verdict; csv has the same fields, a line per row.
//
// --fail-on makes compare a gate for CI: it exits with status 1, after
// writing the comparison and listing the failing rows on stderr (under
// "failures" in JSON), when a row is significant and beyond its threshold
// in its worse direction; otherwise 0. THRESHOLDS is a comma-separated list
// of MEASURE[@PHASE]:LIMIT:
//
//	duration:+5%            any duration 5% slower (runs and phases)
//	peak_rss:+64MiB         64 MiB more peak RSS (B, kB, KiB, MB, MiB, GB, GiB)
//	main_phase:+500ms       half a second more of main phase (ns … h)
//	precision_bits:-0.5     half a bit less precise
//	duration@compile:+20%   phase compile: 20% (overrides duration:)
//	duration@:+3%           the runs' total duration only
//	held_out_inertia:+2%    a result: its sign says which way is worse
//
// The sign may be left out, and must match the measure's direction where
// it has one. A threshold that matches no row is a warning. A row with too
// few runs is never significant, so it never fails the gate: give the gate
// enough runs (docs/ci.md).
//
// # Trend
//
//	benchtrace trend [--log-dir DIR] [--benchmark SUBSTR] [--by auto|commit|day] [--alpha A] [--min-change PCT] [--format text|json]
//
// Trend reads the logs of DIR (default ./logs) as a history: it groups the
// runs into points by commit (metadata.git_commit) or by day (the local
// date of their start), --by auto (the default) choosing commits when
// every run has one; orders the points by their first run; and compares
// each point with the one before, for every benchmark, phase and measure,
// with compare's statistics. It lists the points, oldest first, then the
// changes, newest first, in words:
//
//	kmeans_embeddings/fit duration got 23.1% slower at e4f5a6b (worse): 1.880s → 2.314s (p=0.000 n=8+8)
//
// and the median of each series that changed at every point. A step is a
// change when the U-test finds it significant at --alpha and the 95%
// intervals of the two medians do not overlap, as the Go performance
// dashboard asks (a history has hundreds of steps, and the U-test alone
// would report some noise); --min-change PCT also drops changes smaller
// than PCT percent, which matters with fewer than 6 runs a point, where
// the medians have no interval. With fewer than 4 runs a point nothing can
// be found: trend then warns. --format json writes the points, the
// changes and every series.
//
// # Report
//
//	benchtrace report [--log-dir DIR] [--baseline DIR] [--out FILE.html] [--benchmark SUBSTR] [--alpha A] [--title TITLE]
//
// Report writes one HTML file (default report.html), replaced atomically,
// that people would rather look at than read: for each benchmark of DIR
// (default ./logs), the phases of its latest runs as stacked bars, and
// its duration, peak RSS and precision over its runs as charts, with the
// commits marked; the changes across commits, as trend finds them; and
// with --baseline, compare's table of the runs of DIR against those of
// the baseline, significant regressions and improvements marked by color
// and in words (▲ worse, ▼ better), and the baseline's median and interval
// drawn on the charts. DIR and the baseline may be DIR@KEY=VALUE, as for
// compare. The file is self-contained: its charts are inline SVG and it
// loads no script, font, image or style sheet, so it opens offline, from
// an air-gapped laptop or a CI artifact (docs/ci.md shows how to take a
// screenshot of it with headless Chromium).
//
// # Exec
//
//	benchtrace exec [--benchmark NAME] [--phase NAME] [--spec FILE] [--log-dir DIR] [--otlp-endpoint HOST:PORT] [-- CMD ARGS…]
//
// Exec measures any program, with no SDK in it: it runs CMD with ARGS as
// phase NAME (default "command") of a run of benchmark NAME (default:
// CMD's base name), and writes the run's log into DIR (default ./logs), as
// run does. Put -- before CMD, so that CMD's flags are not taken for
// exec's. The phase has what the SDK measures of a phase: wall time, and
// user and system CPU time with the command's share in
// cpu_children_seconds (its whole process tree, as wait4 counts it); and
// exec adds:
//
//	children_peak_rss_bytes  the command's peak RSS (wait4's ru_maxrss, its
//	                         largest process). Linux starts that count at
//	                         exec's own RSS when it started the command
//	                         (rss_start_bytes, about 15 MiB): a smaller
//	                         command shows that floor
//	exit_code                the command's exit status; 128+N when signal
//	                         N killed it; 127 when it was not found, 126
//	                         when it could not be started
//	signal                   the signal that killed it: SIGKILL, SIGSEGV, …
//	command                  the command line, quoted for sh
//
// peak_rss_bytes and the Go heap figures are exec's own. The command's
// stdin and stdout are exec's; its stderr reaches exec's through a pipe
// that keeps its last lines (so a program that colours its output only on
// a terminal does not colour its stderr). A command that exits with a
// status other than 0, or is killed by a signal, fails its phase and the
// run, with its status and the last ten lines of its stderr as their
// error. Exec prints a line on stderr as each command ends, and the path
// of each log at the end. It exits with the command's status.
//
// SIGINT and SIGTERM are passed on to the command; when it has exited, the
// phase and the run end as interrupted, and exec exits with the command's
// status (128+signal if that was 0). While exec runs in the foreground of
// a terminal, it does not pass SIGINT on: a Ctrl-C reaches the command
// directly (it is in exec's process group), and a second SIGINT is, to
// many programs, "stop at once".
//
// The command runs inside the run's trace. It gets TRACEPARENT (W3C trace
// context: the run's trace, the phase's span) and BAGGAGE holding
// benchtrace.benchmark.name=NAME; with --otlp-endpoint, also
// OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL=grpc and their
// _TRACES_ forms, naming the same collector. A command instrumented with
// any OpenTelemetry SDK that starts its spans from TRACEPARENT adds them to
// the run's trace, and phases of its own (spans that follow
// docs/conventions.md) to the run's log, through the collector. A
// benchtrace exec started so (a spec's command, say) joins that run: its
// phases go below the caller's span, over OTLP only, and it writes no log
// of its own. A TRACEPARENT without that baggage is some other trace:
// exec starts a run of its own, linked to it.
//
// --spec FILE runs several commands as the phases of one run. FILE is
// YAML:
//
//	benchmark: kmeans_cli         # required (--benchmark wins over it)
//	main_phase: fit               # timing.fit_only; default: the longest phase
//	repeat: 3                     # runs, one after the other (default 1)
//	model:                        # the log's model object
//	  name: k-means
//	  dataset: synthetic-100k
//	  batch_size: 1024            # batch_size and seed are integers
//	  seed: 42
//	  clusters: 8                 # any other key: a string, number or boolean
//	env:                          # added to the environment of every phase
//	  OMP_NUM_THREADS: 2
//	phases:                       # run in this order
//	  - name: build
//	    command: go build -o km ./cmd/km   # a string runs with /bin/sh -c
//	  - name: fit
//	    command: [./km, fit, -k, "8"]      # a list is the argv: no shell
//	    env:                               # this phase's, over the above
//	      KM_TRACE: 1
//
// An unknown key is an error. Commands run in the current directory. The
// first phase that fails ends its run as failed: the phases after it are
// not started, and the log lists them in metadata.phases_not_started. A
// failed run ends the repeats. metadata.config_file is FILE.
//
// # Exit status
//
// 0 on success, and after -h. 1 when the work failed: a run failed, DIR
// holds no readable log, no log matches --benchmark, the export could not
// be written; and when compare --fail-on found a significant regression
// beyond its threshold. 2 for a usage error: an unknown command or flag, a bad flag
// value, an extra argument, a REGEXP that matches no benchmark, an unknown
// export format. 128+signal when run was ended by a signal. Exec exits
// with its command's status instead (see Exec).
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
//
// Any program as a benchmark, and a spec of several phases, its commands
// sending their own spans to a collector:
//
//	benchtrace exec --benchmark sort_1g -- sort -o /dev/null data/1g.txt
//	benchtrace exec --spec bench.yaml --otlp-endpoint 127.0.0.1:4317
//
// Two commits whose runs share a directory, then a pull request's runs
// against the main branch's, as a CI gate:
//
//	benchtrace compare logs@git_commit=a1b2c3d logs@git_commit=e4f5a6b
//	benchtrace compare --fail-on duration:+5%,peak_rss:+10%,precision_bits:-0.5 main-logs pr-logs
//
// Every commit that left logs in logs/nightly, and where one changed a
// measure:
//
//	benchtrace trend --log-dir logs/nightly
//
// A report of a pull request's runs against the main branch's, to keep as
// a CI artifact:
//
//	benchtrace report --log-dir pr-logs --baseline main-logs --out report.html
package main
