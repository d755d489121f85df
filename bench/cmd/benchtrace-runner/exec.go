package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/bench/internal/human"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

var execCmd = cli.ExecCommand.With(execFlags)

// defaultPhase names the phase of a command given on the command line.
const defaultPhase = "command"

// Keys exec adds to a phase's log entry (outside the benchtrace.
// namespace, so they are the entry's own keys), and to the run's metadata.
const (
	// keyExitCode is the command's exit status: 128+N when signal N
	// killed it, 126 or 127 when it could not be started (int).
	keyExitCode = "exit_code"
	// keySignal names the signal that killed the command (string).
	keySignal = "signal"
	// keyCommand is the command line, quoted for sh (string).
	keyCommand = "command"
	// metadataNotStarted lists the phases of a failed or interrupted run
	// that were never started (string[], metadata.phases_not_started).
	metadataNotStarted = semconv.MetadataPrefix + "phases_not_started"
)

// Environment variables exec reads and sets for its commands.
const (
	envTraceParent = "TRACEPARENT"
	envTraceState  = "TRACESTATE"
	envBaggage     = "BAGGAGE"
)

// scopeName is the instrumentation scope of the phases exec records when
// it joins a run of another process.
const scopeName = "github.com/benchtrace/benchtrace/bench/cmd/benchtrace"

// stderrTail bounds the end of a failed command's stderr that its error
// quotes: the last lines, at most this many, and at most tailBytes.
const (
	tailLines = 10
	tailBytes = 2000
)

func execFlags() (*flag.FlagSet, func(context.Context, io.Writer, io.Writer) error) {
	fs := flag.NewFlagSet("exec", flag.ContinueOnError)
	benchmark := fs.String("benchmark", "", "name the benchmark `NAME` (default: the command's base name, or the spec's benchmark)")
	phase := fs.String("phase", defaultPhase, "name the command's phase `NAME`")
	specPath := fs.String("spec", "", "run the phases of the spec `FILE` (YAML) instead of one command")
	cfg := execConfig{logDir: sdk.DefaultLogDir}
	fs.StringVar(&cfg.logDir, "log-dir", sdk.DefaultLogDir, "write the JSON run logs into `DIR`")
	fs.StringVar(&cfg.otlp, "otlp-endpoint", "", "also send the spans over OTLP/gRPC to `HOST:PORT` (a collector), and tell the commands to")

	return fs, func(ctx context.Context, stdout, stderr io.Writer) error {
		argv := fs.Args()
		phaseSet := false
		fs.Visit(func(f *flag.Flag) { phaseSet = phaseSet || f.Name == "phase" })
		switch {
		case *specPath != "" && len(argv) > 0:
			return cli.Usagef("--spec and a command: give one of them")
		case *specPath != "" && phaseSet:
			return cli.Usagef("--phase names the phase of a command; a spec names its phases")
		case *specPath == "" && len(argv) == 0:
			return cli.Usagef("no command: benchtrace exec [flags] -- CMD ARGS…, or --spec FILE")
		case *phase == "":
			return cli.Usagef("--phase: empty name")
		}
		if *specPath != "" {
			s, err := readSpec(*specPath)
			if err != nil {
				if errors.Is(err, errSpec) {
					return cli.Usagef("%v", err)
				}
				return err
			}
			cfg.spec = s
		} else {
			cfg.spec = &spec{
				Benchmark: filepath.Base(argv[0]),
				MainPhase: *phase,
				Repeat:    1,
				Phases:    []specPhase{{Name: *phase, Command: argv}},
			}
		}
		if *benchmark != "" {
			cfg.spec.Benchmark = *benchmark
			cfg.benchmarkSet = true
		}
		cfg.stdin, cfg.stdout, cfg.stderr = os.Stdin, stdout, stderr
		cfg.environ = os.Environ()
		return execute(ctx, cfg)
	}
}

// execConfig is what execute runs, and where.
type execConfig struct {
	spec         *spec
	benchmarkSet bool   // --benchmark was given
	logDir       string // "" for no in-process logs
	otlp         string // HOST:PORT or URL of a collector, or ""

	stdin          *os.File
	stdout, stderr io.Writer
	// environ is exec's environment (os.Environ()): the commands inherit
	// it, and TRACEPARENT and BAGGAGE in it say whether to join a run.
	environ []string
	// sdkOptions are added to sdk.New's: tests record the spans.
	sdkOptions []sdk.Option
}

// exitError is how exec ends when a command failed or was interrupted:
// with the command's exit status.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// ExitCode is the status benchtrace exits with: the command's.
func (e *exitError) ExitCode() int { return e.code }

// execute runs cfg.spec's phases, Repeat runs of them (stopping at the
// first run that fails), each phase a measured command, and returns nil
// when all succeeded, or an *exitError with the failing command's status.
//
// When its environment holds a TRACEPARENT and a BAGGAGE naming a
// benchtrace benchmark (as exec sets them for its commands), exec joins
// that run: its phases become phases of the caller's, below the caller's
// span, and it starts no run of its own.
func execute(ctx context.Context, cfg execConfig) error {
	s := cfg.spec
	warn := func(format string, args ...any) {
		fmt.Fprintf(cfg.stderr, "benchtrace exec: warning: "+format+"\n", args...)
	}
	parentCtx, joined := remoteParent(ctx, cfg.environ)
	if joined != "" {
		if cfg.benchmarkSet && s.Benchmark != joined {
			warn("joining a run of benchmark %q (from %s): --benchmark %q is not used", joined, envBaggage, s.Benchmark)
		}
		s.Benchmark = joined
		if s.Repeat > 1 {
			return cli.Usagef("a spec with repeat %d cannot join the run of the calling process (%s is set)", s.Repeat, envTraceParent)
		}
	}

	modelAttrs, err := s.modelAttributes()
	if err != nil {
		return cli.Usagef("%v", err) // readSpec checked it: only a spec built elsewhere gets here
	}
	opts := []sdk.Option{sdk.WithErrorHandler(func(err error) { warn("%v", err) })}
	switch {
	case joined != "":
		// The run's log is written by whoever sees its root: the
		// calling process's collector. A log here would be a second,
		// partial one of the same run.
		opts = append(opts, sdk.WithoutLogs())
	case cfg.logDir != "":
		opts = append(opts, sdk.WithLogDir(cfg.logDir))
	default:
		opts = append(opts, sdk.WithoutLogs())
	}
	if cfg.otlp != "" {
		opts = append(opts, sdk.WithOTLPEndpoint(cfg.otlp))
	}
	opts = append(opts, cfg.sdkOptions...)
	bt, err := sdk.New(ctx, opts...)
	if err != nil {
		return err
	}
	if joined != "" && cfg.otlp == "" && lookupEnv(cfg.environ, "OTEL_EXPORTER_OTLP_ENDPOINT") == "" && lookupEnv(cfg.environ, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		warn("joining run %s as a phase, but with no OTLP endpoint its phases reach no log", trace.SpanContextFromContext(parentCtx).TraceID())
	}

	fwd := forwardSignals()
	defer fwd.stop()

	var ids []string
	var result error
	for i := range s.Repeat {
		if fwd.signal() != nil {
			break
		}
		var r execRun
		if joined != "" {
			r = newJoinedRun(bt, parentCtx, s.Benchmark)
		} else {
			runOpts := []sdk.RunOption{sdk.WithRunAttributes(modelAttrs...)}
			if s.MainPhase != "" {
				runOpts = append(runOpts, sdk.WithMainPhase(s.MainPhase))
			}
			if s.path != "" {
				runOpts = append(runOpts, sdk.WithConfigFile(s.path))
			}
			r = &sdkRun{bt: bt, run: bt.Start(parentCtx, s.Benchmark, runOpts...)}
		}
		if s.Repeat > 1 {
			fmt.Fprintf(cfg.stderr, "benchtrace exec: %s run %d/%d (%s)\n", s.Benchmark, i+1, s.Repeat, r.id())
		}
		ids = append(ids, r.id())
		if result = runPhases(ctx, cfg, r, fwd); result != nil {
			break
		}
	}

	// The logs are written even when ctx is done: the shutdown keeps
	// ctx's values but not its cancellation, and has a deadline of its own.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := bt.Shutdown(sctx); err != nil {
		warn("flushing spans: %v", err)
	}
	if joined == "" && cfg.logDir != "" && len(ids) > 0 {
		if found, err := benchlog.FindRuns(cfg.logDir, "", ids...); err == nil {
			for _, id := range ids {
				if p, ok := found[id]; ok {
					fmt.Fprintf(cfg.stderr, "benchtrace exec: log %s\n", p)
				}
			}
		}
	}
	if result == nil && fwd.signal() != nil {
		// A signal between runs: the runs so far are complete.
		return &exitError{code: signalCode(fwd.signal()), msg: (&sdk.SignalError{Signal: fwd.signal()}).Error()}
	}
	return result
}

// shutdownTimeout bounds the flush of the logs and spans at the end.
const shutdownTimeout = 10 * time.Second

// runPhases runs the phases of one run in r, and ends r: failed at the
// first phase that fails, interrupted when a signal came, the phases not
// started then listed in the run's metadata.
func runPhases(ctx context.Context, cfg execConfig, r execRun, fwd *forwarder) error {
	s := cfg.spec
	for i, p := range s.Phases {
		rest := names(s.Phases[i:])
		if sig := fwd.signal(); sig != nil {
			r.interrupt((&sdk.SignalError{Signal: sig}).Error(), rest)
			return &exitError{code: signalCode(sig), msg: fmt.Sprintf("%s: %v before phase %q", s.Benchmark, &sdk.SignalError{Signal: sig}, p.Name)}
		}
		ph := r.startPhase(p.Name)
		env := childEnv(cfg.environ, s.environ(p), ph.Context(), s.Benchmark, cfg.otlp)
		out := runCommand(ctx, cfg, p.Command, env, fwd)
		ph.SetAttributes(out.attributes(p.Command)...)
		fmt.Fprintf(cfg.stderr, "benchtrace exec: %s/%s: %s\n", s.Benchmark, p.Name, out.summary())
		rest = rest[1:]
		if sig := fwd.signal(); sig != nil {
			// Ended by the signal (forwarded to the command), whatever
			// the command made of it: the run is interrupted.
			reason := (&sdk.SignalError{Signal: sig}).Error()
			if out.err != nil {
				reason += ": " + out.err.Error()
			}
			r.interrupt(reason, rest)
			code := out.code
			if code == 0 {
				code = signalCode(sig)
			}
			return &exitError{code: code, msg: fmt.Sprintf("%s: phase %q %v; the command exited with status %d", s.Benchmark, p.Name, &sdk.SignalError{Signal: sig}, out.code)}
		}
		ph.End(out.err)
		if out.err != nil {
			r.end(fmt.Errorf("phase %q: %w", p.Name, out.err), rest)
			return &exitError{code: out.code, msg: fmt.Sprintf("%s: phase %q failed: %s", s.Benchmark, p.Name, out.short())}
		}
	}
	r.end(nil, nil)
	return nil
}

func names(ps []specPhase) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// signalCode is the status a shell gives a process killed by sig.
func signalCode(sig os.Signal) int {
	return (&sdk.SignalError{Signal: sig}).ExitCode()
}

// outcome is what a command did.
type outcome struct {
	code   int            // exit status; 128+N for signal N; 126/127: not started
	signal syscall.Signal // the signal that killed it, or 0
	err    error          // nil when it exited with status 0
	status string         // "exit status 3", "killed by signal 9 (killed)"
	tail   string         // the end of its stderr
	wall   time.Duration
	usage  childUsage
}

// childUsage is what wait4 said of the command.
type childUsage struct {
	user, system time.Duration
	peakRSS      uint64 // bytes; ru_maxrss of the command's process tree
	hasPeak      bool
}

// attributes are the phase attributes exec adds to the SDK's measurements.
//
// The SDK already measures the command through the phase: its CPU time
// (RUSAGE_CHILDREN, in cpu_user_seconds, cpu_system_seconds and
// cpu_children_seconds) and, when the command is the largest child exec
// has waited for, its peak RSS (children_peak_rss_bytes). exec sets that
// peak itself from wait4's rusage, so that it is there for every phase,
// not only for the phases whose command is larger than the ones before
// (and larger than the git child sdk.New runs): where the SDK sets it too,
// both are the same ru_maxrss.
func (o outcome) attributes(argv commandLine) []attribute.KeyValue {
	kv := []attribute.KeyValue{
		attribute.Int(keyExitCode, o.code),
		attribute.String(keyCommand, argv.String()),
	}
	if o.signal != 0 {
		kv = append(kv, attribute.String(keySignal, sigName(o.signal)))
	}
	if o.usage.hasPeak {
		kv = append(kv, attribute.Int64(semconv.PhaseMemoryChildrenPeak, int64(o.usage.peakRSS)))
	}
	return kv
}

// summary is the line exec prints when a command has ended.
func (o outcome) summary() string {
	s := fmt.Sprintf("%s in %s (user %s, system %s", o.status, human.Duration(o.wall.Seconds()),
		human.Duration(o.usage.user.Seconds()), human.Duration(o.usage.system.Seconds()))
	if o.usage.hasPeak {
		s += ", peak RSS " + human.Bytes(float64(o.usage.peakRSS))
	}
	return s + ")"
}

// short is the failure without the stderr tail, which the terminal has
// just shown.
func (o outcome) short() string { return o.status }

// runCommand runs argv with env, its stdin and stdout those of exec and its
// stderr copied to exec's while its end is kept, forwarding SIGINT and
// SIGTERM to it through fwd.
func runCommand(ctx context.Context, cfg execConfig, argv []string, env []string, fwd *forwarder) outcome {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	if cfg.stdin != nil {
		cmd.Stdin = cfg.stdin // else /dev/null
	}
	// ctx done: the command is asked to stop, as for a signal, and killed
	// ten seconds later.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second

	var o outcome
	tail := &tailBuffer{max: 4 * tailBytes}
	stdout, stdoutDone, err := passThrough(cfg.stdout, nil)
	if err != nil {
		return o.notStarted(argv, err)
	}
	stderr, stderrDone, err := passThrough(cfg.stderr, tail)
	if err != nil {
		stdoutDone()
		return o.notStarted(argv, err)
	}
	cmd.Stdout, cmd.Stderr = stdout.w, stderr.w

	start := time.Now()
	err = cmd.Start()
	// The command holds its own copies of the write ends now.
	stdout.closeWriter()
	stderr.closeWriter()
	if err != nil {
		stdoutDone()
		stderrDone()
		return o.notStarted(argv, err)
	}
	fwd.watch(cmd.Process)
	err = cmd.Wait()
	fwd.watch(nil)
	o.wall = time.Since(start)
	stdoutDone()
	stderrDone()

	ps := cmd.ProcessState
	if ps == nil {
		o.code, o.status, o.err = 1, err.Error(), err
		return o
	}
	o.usage = usageOf(ps)
	o.code, o.signal = exitCode(ps)
	switch {
	case o.signal != 0:
		o.status = fmt.Sprintf("killed by signal %d (%s)", int(o.signal), sigName(o.signal))
	default:
		o.status = fmt.Sprintf("exit status %d", o.code)
	}
	o.tail = tail.lastLines(tailLines, tailBytes)
	if o.code != 0 {
		msg := o.status
		if o.tail != "" {
			msg += "; stderr ends with:\n" + o.tail
		}
		o.err = errors.New(msg)
	}
	return o
}

// notStarted is the outcome of a command that could not be started: status
// 127 when it was not found, 126 otherwise, as a shell says.
func (o outcome) notStarted(argv []string, err error) outcome {
	o.code = 126
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		o.code = 127
	}
	o.err = fmt.Errorf("starting %s: %w", commandLine(argv), err)
	o.status = o.err.Error()
	return o
}

// pipe is where a command writes one of its outputs.
type pipe struct {
	w      *os.File
	closeW bool // w is the write end of a pipe of ours
}

func (p pipe) closeWriter() {
	if p.closeW {
		p.w.Close()
	}
}

// passThrough returns the file a command writes to for w. A file (exec's
// own stdout, say) is handed to the command as it is, unless keep wants a
// copy; anything else gets a pipe, which a goroutine copies to w and keep.
// done waits for the copy: the command has exited, so the pipe ends soon,
// unless a process the command left behind holds it open; done then gives
// up after a second.
func passThrough(w io.Writer, keep io.Writer) (p pipe, done func(), err error) {
	if f, ok := w.(*os.File); ok && keep == nil {
		return pipe{w: f}, func() {}, nil
	}
	r, pw, err := os.Pipe()
	if err != nil {
		return pipe{}, nil, fmt.Errorf("making a pipe: %w", err)
	}
	dst := w
	if keep != nil {
		dst = io.MultiWriter(keep, w)
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(dst, r)
	}()
	return pipe{w: pw, closeW: true}, func() {
		select {
		case <-copied:
		case <-time.After(time.Second):
			r.Close() // ends the copy
			<-copied
		}
		r.Close()
	}, nil
}

// childEnv is a command's environment: exec's own, the spec's, and the
// trace context, so that a command instrumented with OpenTelemetry joins the
// run's trace below its phase (TRACEPARENT, TRACESTATE), learns the
// benchmark's name (BAGGAGE: benchtrace.benchmark.name=NAME, which phase
// spans must carry) and, when exec was given one, the collector to send its
// spans to (OTEL_EXPORTER_OTLP_ENDPOINT and _PROTOCOL, and their _TRACES_
// forms, which would win over them).
func childEnv(base, extra []string, phaseCtx context.Context, benchmark, otlp string) []string {
	set := map[string]string{}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(phaseCtx, carrier)
	set[envTraceParent] = carrier.Get("traceparent")
	set[envTraceState] = carrier.Get("tracestate") // "": dropped
	b, err := baggage.Parse(lookupEnv(base, envBaggage))
	if err != nil {
		b = baggage.Baggage{} // not ours to repair: replaced
	}
	if m, err := baggage.NewMemberRaw(semconv.BenchmarkName, benchmark); err == nil {
		if nb, err := b.SetMember(m); err == nil {
			b = nb
		}
	}
	set[envBaggage] = b.String()
	if otlp != "" {
		endpoint := otlp
		if !strings.Contains(endpoint, "://") {
			endpoint = "http://" + endpoint
		}
		for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
			set[k] = endpoint
		}
		for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
			set[k] = "grpc"
		}
	}
	env := make([]string, 0, len(base)+len(extra)+len(set))
	for _, kv := range slices.Concat(base, extra) {
		k, _, _ := strings.Cut(kv, "=")
		if _, ours := set[k]; !ours {
			env = append(env, kv)
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if set[k] != "" {
			env = append(env, k+"="+set[k])
		}
	}
	return env
}

// lookupEnv returns the value of key in env (the last one), or "".
func lookupEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// remoteParent reads the trace context exec was started in. It returns ctx
// with the remote span when TRACEPARENT holds one, and the benchmark name
// when BAGGAGE names one (benchtrace.benchmark.name): exec then joins that
// run. A TRACEPARENT without it is some other trace (a CI job's, say): exec
// starts a run of its own, linked to it.
func remoteParent(ctx context.Context, env []string) (context.Context, string) {
	tp := lookupEnv(env, envTraceParent)
	if tp == "" {
		return ctx, ""
	}
	carrier := propagation.MapCarrier{"traceparent": tp, "tracestate": lookupEnv(env, envTraceState)}
	ctx = propagation.TraceContext{}.Extract(ctx, carrier)
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, ""
	}
	b, err := baggage.Parse(lookupEnv(env, envBaggage))
	if err != nil {
		return ctx, ""
	}
	return ctx, b.Member(semconv.BenchmarkName).Value()
}
