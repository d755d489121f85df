//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/benchtrace/benchtrace/bench/internal/cli"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

const mib = 1 << 20

// onlyLog returns the one run log in dir.
func onlyLog(t *testing.T, dir string) *benchlog.Log {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one run, one log in %s", dir)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	l, err := benchlog.Decode(data)
	require.NoError(t, err)
	return l
}

func phaseOf(t *testing.T, l *benchlog.Log, name string) benchlog.Object {
	t.Helper()
	p, ok := l.Phases.Get(name)
	require.True(t, ok, "phase %s in the log", name)
	return p.Fields
}

func float(t *testing.T, o benchlog.Object, key string) float64 {
	t.Helper()
	v, ok := o.Float(key)
	require.True(t, ok, "%s in %v", key, o)
	return v
}

// execIn runs `benchtrace exec` in process with args, logging into a new
// directory, and returns the directory, stdout, stderr and the error.
func execIn(t *testing.T, args ...string) (dir, stdout, stderr string, err error) {
	t.Helper()
	dir = t.TempDir()
	var out, errOut bytes.Buffer
	err = run(t.Context(), &out, &errOut, append([]string{"exec", "--log-dir", dir}, args...))
	return dir, out.String(), errOut.String(), err
}

// TestExecCPU runs a CPU-bound shell loop: the phase's CPU time is the
// child's, counted as children's CPU.
func TestExecCPU(t *testing.T) {
	dir, _, stderr, err := execIn(t, "--benchmark", "loop", "--",
		"sh", "-c", `i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done`)
	require.NoError(t, err, stderr)
	l := onlyLog(t, dir)
	assert.Equal(t, "success", l.Status)
	p := phaseOf(t, l, defaultPhase)
	wall, user := float(t, p, benchlog.KeyDuration), float(t, p, benchlog.KeyCPUUser)
	children := float(t, p, benchlog.KeyCPUChildren)
	t.Logf("wall %.3fs, user %.3fs, children %.3fs", wall, user, children)
	assert.Greater(t, children, 0.1, "the loop's CPU time is counted")
	assert.GreaterOrEqual(t, user+float(t, p, benchlog.KeyCPUSystem), children, "CPU time includes the child's")
	assert.LessOrEqual(t, children, wall*1.05+0.01, "one single-threaded child uses at most the wall time")
	exit, _ := p.Int(keyExitCode)
	assert.Equal(t, int64(0), exit)
	assert.Contains(t, stderr, "loop/command: exit status 0 in ")
	assert.Contains(t, stderr, "benchtrace exec: log "+dir)
}

// TestExecMemory runs children that touch 200 MiB and then 64 MiB: each
// phase has its own child's peak, the second too although it is not the
// largest child the process has waited for (the SDK's own figure is only
// there for a new high).
func TestExecMemory(t *testing.T) {
	specFile := filepath.Join(t.TempDir(), "mem.yaml")
	require.NoError(t, os.WriteFile(specFile, []byte(`
benchmark: memory
phases:
  - name: big
    command: [dd, if=/dev/zero, of=/dev/null, bs=200M, count=1]
  - name: small
    command: dd if=/dev/zero of=/dev/null bs=64M count=1
`), 0o644))
	dir, _, stderr, err := execIn(t, "--spec", specFile)
	require.NoError(t, err, stderr)
	l := onlyLog(t, dir)
	require.Equal(t, "success", l.Status, l.Error)
	big := float(t, phaseOf(t, l, "big"), benchlog.KeyChildPeakRSS)
	small := float(t, phaseOf(t, l, "small"), benchlog.KeyChildPeakRSS)
	t.Logf("peaks: big %.1f MiB, small %.1f MiB; exec's own peak %.1f MiB", big/mib, small/mib,
		float(t, phaseOf(t, l, "big"), benchlog.KeyPeakRSS)/mib)
	assert.GreaterOrEqual(t, big, 200.0*mib)
	assert.GreaterOrEqual(t, small, 64.0*mib)
	assert.Less(t, small, 200.0*mib, "the second phase's own child, not the largest so far")
	assert.Less(t, float(t, phaseOf(t, l, "big"), benchlog.KeyPeakRSS), 200.0*mib, "peak_rss_bytes is exec's, without children")
	assert.Equal(t, specFile, mustString(t, l.Metadata, benchlog.KeyConfigFile))
	assert.Equal(t, `dd if=/dev/zero of=/dev/null bs=200M count=1`, mustString(t, phaseOf(t, l, "big"), keyCommand))
	assert.Equal(t, `/bin/sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1'`, mustString(t, phaseOf(t, l, "small"), keyCommand))
}

func mustString(t *testing.T, o benchlog.Object, key string) string {
	t.Helper()
	v, ok := o.String(key)
	require.True(t, ok, "%s in %v", key, o)
	return v
}

// TestExecFailure runs commands that fail: exec exits with their status,
// and the log says failed, with the status and the end of stderr.
func TestExecFailure(t *testing.T) {
	tests := []struct {
		name       string
		argv       []string
		code       int
		errHas     []string
		signal     string
		stderrTail bool
	}{
		{"exit 3", []string{"sh", "-c", `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i" >&2; done; echo "boom: disk full" >&2; exit 3`},
			3, []string{"exit status 3; stderr ends with:\nline 4\n", "line 12\nboom: disk full"}, "", true},
		{"killed", []string{"sh", "-c", `echo dying >&2; kill -KILL $$`}, 137, []string{"killed by signal 9 (SIGKILL); stderr ends with:\ndying"}, "SIGKILL", true},
		{"not found", []string{"no-such-command-benchtrace"}, 127, []string{`starting no-such-command-benchtrace: exec: "no-such-command-benchtrace": executable file not found`}, "", false},
		{"not executable", []string{"/dev/null"}, 126, []string{"starting /dev/null", "permission denied"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _, stderr, err := execIn(t, append([]string{"--benchmark", "failing", "--phase", "work", "--"}, tt.argv...)...)
			var coded interface{ ExitCode() int }
			require.ErrorAs(t, err, &coded)
			assert.Equal(t, tt.code, coded.ExitCode())
			var out bytes.Buffer
			assert.Equal(t, tt.code, cli.ExitStatus(&out, err))
			assert.NotContains(t, out.String(), "stderr ends with", "the terminal has shown stderr already")
			if tt.stderrTail {
				assert.Contains(t, stderr, tt.errHas[len(tt.errHas)-1][len(tt.errHas[len(tt.errHas)-1])-5:], "stderr passes through")
			}

			l := onlyLog(t, dir)
			assert.Equal(t, "failed", l.Status)
			p := phaseOf(t, l, "work")
			assert.Equal(t, "failed", mustString(t, p, benchlog.KeyStatus))
			phaseErr := mustString(t, p, benchlog.KeyError)
			for _, s := range tt.errHas {
				assert.Contains(t, phaseErr, s)
				assert.Contains(t, l.Error, s, "the run's error")
			}
			assert.NotContains(t, phaseErr, "line 2\n", "only the last lines")
			assert.True(t, strings.HasPrefix(l.Error, `phase "work": `), l.Error)
			code, _ := p.Int(keyExitCode)
			assert.Equal(t, int64(tt.code), code)
			sig, _ := p.String(keySignal)
			assert.Equal(t, tt.signal, sig)
		})
	}
}

// TestExecSpecStopsAtFailure runs a spec whose second phase fails: the
// third is never started, and the log says so.
func TestExecSpecStopsAtFailure(t *testing.T) {
	specFile := filepath.Join(t.TempDir(), "bench.yaml")
	require.NoError(t, os.WriteFile(specFile, []byte(`
benchmark: three_steps
main_phase: run
repeat: 3
model:
  name: tiny
  batch_size: 8
  seed: 7
  clusters: 4
env:
  SHARED: "1"
  LEVEL: 1
phases:
  - name: build
    command: echo "build $SHARED $LEVEL"
  - name: run
    command: ["sh", "-c", "echo \"run $LEVEL\"; exit 4"]
    env:
      LEVEL: two
  - name: report
    command: echo report
`), 0o644))
	dir, stdout, stderr, err := execIn(t, "--spec", specFile)
	var coded interface{ ExitCode() int }
	require.ErrorAs(t, err, &coded)
	assert.Equal(t, 4, coded.ExitCode())
	assert.Equal(t, "build 1 1\nrun two\n", stdout, "phase env wins over the spec's")
	assert.NotContains(t, stdout, "report")
	assert.Contains(t, stderr, "three_steps run 1/3")
	assert.NotContains(t, stderr, "run 2/3", "no further run after a failed one")

	l := onlyLog(t, dir)
	assert.Equal(t, "failed", l.Status)
	var names []string
	for _, p := range l.Phases {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"build", "run"}, names)
	notStarted, ok := l.Metadata.Get("phases_not_started")
	require.True(t, ok)
	assert.Equal(t, []any{"report"}, notStarted)
	assert.Equal(t, "tiny", mustString(t, l.Model, "name"))
	bs, _ := l.Model.Int("batch_size")
	assert.Equal(t, int64(8), bs)
	clusters, _ := l.Model.Int("clusters")
	assert.Equal(t, int64(4), clusters)
	_, ok = l.Timing.Get("run_only")
	assert.True(t, ok, "main_phase")
}

// TestExecRepeat runs a spec three times: three logs.
func TestExecRepeat(t *testing.T) {
	specFile := filepath.Join(t.TempDir(), "r.yaml")
	require.NoError(t, os.WriteFile(specFile, []byte("benchmark: again\nrepeat: 3\nphases:\n  - {name: one, command: [true]}\n"), 0o644))
	dir, _, stderr, err := execIn(t, "--spec", specFile)
	require.NoError(t, err, stderr)
	files, err := filepath.Glob(filepath.Join(dir, "again_*.json"))
	require.NoError(t, err)
	assert.Len(t, files, 3)
	assert.Contains(t, stderr, "again run 3/3")
}

// TestExecTraceparent checks that the command gets the phase's trace
// context: its trace ID is the log's run_id.
func TestExecTraceparent(t *testing.T) {
	dir, stdout, stderr, err := execIn(t, "--benchmark", "ctx", "--",
		"sh", "-c", `echo "$TRACEPARENT"; echo "$BAGGAGE"`)
	require.NoError(t, err, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 2, stdout)
	parts := strings.Split(lines[0], "-")
	require.Len(t, parts, 4, "version-traceid-spanid-flags: %q", lines[0])
	assert.Equal(t, "00", parts[0])
	assert.Equal(t, "01", parts[3], "sampled")
	l := onlyLog(t, dir)
	assert.Equal(t, mustString(t, l.Metadata, benchlog.KeyRunID), parts[1], "TRACEPARENT's trace ID is the run_id")
	assert.Equal(t, "benchtrace.benchmark.name=ctx", lines[1])
}

// TestExecJoin starts exec as a command of a benchtrace run does (with
// TRACEPARENT and BAGGAGE): it records its phase in that run, below the
// caller's span, and starts no run and writes no log of its own.
func TestExecJoin(t *testing.T) {
	traceID := "0af7651916cd43dd8448eb211c80319c"
	callerSpan := "b7ad6b7169203331"
	rec := tracetest.NewSpanRecorder()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	err := execute(t.Context(), execConfig{
		spec:    &spec{Benchmark: "sh", Repeat: 1, Phases: []specPhase{{Name: "inner", Command: commandLine{"sh", "-c", `echo "$TRACEPARENT"; exit 2`}}}},
		logDir:  dir,
		stdout:  &stdout,
		stderr:  &stderr,
		environ: append(os.Environ(), "TRACEPARENT=00-"+traceID+"-"+callerSpan+"-01", "BAGGAGE=other=x,benchtrace.benchmark.name=outer"),
		sdkOptions: []sdk.Option{
			sdk.WithSpanProcessor(rec),
		},
	})
	var coded interface{ ExitCode() int }
	require.ErrorAs(t, err, &coded)
	assert.Equal(t, 2, coded.ExitCode())
	assert.Contains(t, stderr.String(), "no OTLP endpoint")

	spans := rec.Ended()
	require.Len(t, spans, 1, "the phase, and no root")
	s := spans[0]
	assert.Equal(t, "inner", s.Name())
	assert.Equal(t, traceID, s.SpanContext().TraceID().String())
	assert.Equal(t, callerSpan, s.Parent().SpanID().String())
	assert.True(t, s.Parent().IsRemote())
	attrs := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		attrs[kv.Key] = kv.Value
	}
	assert.Equal(t, "inner", attrs[semconv.PhaseName].AsString())
	assert.Equal(t, "outer", attrs[semconv.BenchmarkName].AsString(), "the joined run's benchmark")
	assert.Equal(t, int64(2), attrs[keyExitCode].AsInt64())
	for _, k := range []attribute.Key{semconv.PhaseDuration, semconv.PhaseCPUUser, semconv.PhaseCPUChildren, semconv.PhaseMemoryPeak, semconv.PhaseMemoryChildrenPeak} {
		assert.Contains(t, attrs, k)
	}
	assert.Equal(t, "Error", s.Status().Code.String())
	require.NotEmpty(t, s.Events())
	assert.Equal(t, semconv.ExceptionEventName, s.Events()[0].Name)

	assert.Equal(t, "00-"+traceID+"-"+s.SpanContext().SpanID().String()+"-01\n", stdout.String(), "the command's parent is the joined phase")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	assert.Empty(t, files, "no log: the run's is the caller's")
}

// TestExecForeignTraceparent: a TRACEPARENT without benchtrace's baggage is
// some other trace; exec starts a run of its own, linked to it.
func TestExecForeignTraceparent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	var stdout, stderr bytes.Buffer
	err := execute(t.Context(), execConfig{
		spec:       &spec{Benchmark: "own", Repeat: 1, Phases: []specPhase{{Name: "p", Command: commandLine{"true"}}}},
		stdout:     &stdout,
		stderr:     &stderr,
		environ:    append(os.Environ(), "TRACEPARENT=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
		sdkOptions: []sdk.Option{sdk.WithSpanProcessor(rec)},
	})
	require.NoError(t, err, stderr.String())
	spans := rec.Ended()
	require.Len(t, spans, 2)
	var root sdktrace.ReadOnlySpan
	for _, s := range spans {
		if !s.Parent().IsValid() {
			root = s
		}
	}
	require.NotNil(t, root, "a run of its own")
	assert.NotEqual(t, "0af7651916cd43dd8448eb211c80319c", root.SpanContext().TraceID().String())
	require.Len(t, root.Links(), 1)
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", root.Links()[0].SpanContext.TraceID().String())
}

// TestExecNested runs exec under exec, as a spec's command may: the inner
// one joins the outer run (its phase goes over OTLP, of which there is
// none here) and writes no second log of the run.
func TestExecNested(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "exec", "--log-dir", dir, "--benchmark", "outer", "--",
		bin, "exec", "--phase", "inner", "--log-dir", dir, "--", "sh", "-c", `echo "$BAGGAGE"`)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	assert.Equal(t, "benchtrace.benchmark.name=outer\n", stdout.String())
	assert.Contains(t, stderr.String(), "outer/inner: exit status 0")
	assert.Contains(t, stderr.String(), "outer/command: exit status 0")
	l := onlyLog(t, dir)
	assert.Equal(t, "success", l.Status)
	assert.Len(t, l.Phases, 1)
}

// TestExecSignal runs exec as a script does, in the background, and
// signals it while its command runs: the signal reaches the command (which
// traps it and says so), exec exits with the command's status, and the
// run is logged as interrupted. Started with the signal ignored (as `cmd &`
// in a script is), the command still gets it: exec catches the signal, so
// the command starts with the default action, which sh may trap.
func TestExecSignal(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		name    string
		sig     syscall.Signal
		ignored bool
		child   string // sh script; prints "ready" when its trap is set
		want    int
		sigName string // the phase's signal attribute
	}{
		{"SIGTERM trapped", syscall.SIGTERM, false, `trap 'echo got TERM; exit 7' TERM; echo ready $$; while :; do sleep 0.05; done`, 7, ""},
		{"SIGINT trapped", syscall.SIGINT, false, `trap 'echo got INT; exit 8' INT; echo ready $$; while :; do sleep 0.05; done`, 8, ""},
		{"SIGINT ignored at start", syscall.SIGINT, true, `trap 'echo got INT; exit 9' INT; echo ready $$; while :; do sleep 0.05; done`, 9, ""},
		{"SIGTERM default action", syscall.SIGTERM, false, `echo ready $$; exec sleep 30`, 143, "SIGTERM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			script := `exec "$0" exec --log-dir "$1" --benchmark sig -- sh -c "$2"`
			if tt.ignored {
				script = `trap "" ` + signalName(tt.sig) + "; " + script
			}
			cmd := exec.Command("sh", "-c", script, bin, dir, tt.child)
			// A group of its own, as a background job's: in the
			// terminal's foreground group (go test run from a
			// terminal), exec would leave SIGINT to the terminal.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var stderr syncBuffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			defer func() { _ = cmd.Process.Kill() }()
			lines := bufio.NewReader(stdout)
			line, err := lines.ReadString('\n')
			require.NoError(t, err, "stderr: %s", stderr.String())
			pid, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
			require.True(t, ok, "got %q", line)
			child, err := strconv.Atoi(pid)
			require.NoError(t, err)
			defer func() { _ = syscall.Kill(child, syscall.SIGKILL) }()
			require.NoError(t, cmd.Process.Signal(tt.sig))

			rest := make(chan string, 1)
			go func() { b, _ := io.ReadAll(lines); rest <- string(b) }()
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-waited:
			case <-time.After(30 * time.Second):
				_ = syscall.Kill(child, syscall.SIGKILL)
				t.Fatalf("exec did not exit within 30s of %v; stderr: %s", tt.sig, stderr.String())
			}
			var ee *exec.ExitError
			require.ErrorAs(t, werr, &ee, "stderr: %s", stderr.String())
			assert.Equal(t, tt.want, ee.ExitCode(), "the command's status; stderr: %s", stderr.String())
			if tt.sigName == "" {
				assert.Equal(t, fmt.Sprintf("got %s\n", signalName(tt.sig)), <-rest, "the command got the signal")
			}

			l := onlyLog(t, dir)
			assert.Equal(t, "interrupted", l.Status)
			assert.Contains(t, l.Error, "interrupted by signal")
			p := phaseOf(t, l, defaultPhase)
			assert.Equal(t, "interrupted", mustString(t, p, benchlog.KeyStatus))
			code, _ := p.Int(keyExitCode)
			assert.Equal(t, int64(tt.want), code)
			sig, _ := p.String(keySignal)
			assert.Equal(t, tt.sigName, sig)
		})
	}
}

// TestExecUsage checks exec's command line.
func TestExecUsage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	good := write("good.yaml", "benchmark: b\nphases:\n  - {name: a, command: [true]}\n")
	tests := []struct {
		name string
		args []string
		want int
		has  string
	}{
		{"no command", []string{"exec"}, 2, "no command: benchtrace exec [flags] -- CMD ARGS…, or --spec FILE"},
		{"spec and command", []string{"exec", "--spec", good, "--", "true"}, 2, "--spec and a command"},
		{"spec and phase", []string{"exec", "--spec", good, "--phase", "x"}, 2, "--phase names the phase of a command"},
		{"empty phase", []string{"exec", "--phase", "", "--", "true"}, 2, "--phase: empty name"},
		{"missing spec", []string{"exec", "--spec", filepath.Join(dir, "none.yaml")}, 1, "reading spec"},
		{"unknown key", []string{"exec", "--spec", write("typo.yaml", "benchmark: b\nmian_phase: a\nphases:\n  - {name: a, command: [true]}\n")}, 2, "field mian_phase not found"},
		{"no benchmark", []string{"exec", "--spec", write("nob.yaml", "phases:\n  - {name: a, command: [true]}\n")}, 2, "benchmark: missing"},
		{"no phases", []string{"exec", "--spec", write("nop.yaml", "benchmark: b\n")}, 2, "phases: none"},
		{"twice", []string{"exec", "--spec", write("dup.yaml", "benchmark: b\nphases:\n  - {name: a, command: [true]}\n  - {name: a, command: [true]}\n")}, 2, `phases[1]: name "a" used twice`},
		{"no command in phase", []string{"exec", "--spec", write("nocmd.yaml", "benchmark: b\nphases:\n  - {name: a}\n")}, 2, `phase "a": command: missing`},
		{"bad command", []string{"exec", "--spec", write("badcmd.yaml", "benchmark: b\nphases:\n  - {name: a, command: {x: 1}}\n")}, 2, "want a string (a shell command line) or a list"},
		{"bad main phase", []string{"exec", "--spec", write("main.yaml", "benchmark: b\nmain_phase: z\nphases:\n  - {name: a, command: [true]}\n")}, 2, `main_phase: "z" is not one of the phases (a)`},
		{"bad batch size", []string{"exec", "--spec", write("bs.yaml", "benchmark: b\nmodel: {batch_size: big}\nphases:\n  - {name: a, command: [true]}\n")}, 2, "model.batch_size: want an integer"},
		{"bad model value", []string{"exec", "--spec", write("mv.yaml", "benchmark: b\nmodel: {layers: [1, 2]}\nphases:\n  - {name: a, command: [true]}\n")}, 2, "model.layers: want a string, number or boolean"},
		{"bad repeat", []string{"exec", "--spec", write("rep.yaml", "benchmark: b\nrepeat: -1\nphases:\n  - {name: a, command: [true]}\n")}, 2, "repeat: must be at least 1"},
		{"empty spec", []string{"exec", "--spec", write("empty.yaml", "")}, 2, "the file is empty"},
		{"help", []string{"exec", "-h"}, 0, ""},
		{"without --", []string{"exec", "--log-dir", filepath.Join(dir, "logs"), "true"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := cli.ExitStatus(&stderr, run(t.Context(), &stdout, &stderr, tt.args))
			assert.Equal(t, tt.want, got, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.has)
			if tt.want == 2 {
				assert.Contains(t, stderr.String(), `Run "benchtrace exec -h" for usage.`)
			}
			if tt.name == "help" {
				assert.Contains(t, stdout.String(), "usage: "+execCmd.Synopsis)
			}
		})
	}
}

// TestChildEnv checks the environment a command gets.
func TestChildEnv(t *testing.T) {
	tp := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3},
		SpanID:     trace.SpanID{4, 5, 6},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), tp)
	base := []string{
		"PATH=/bin", "TRACEPARENT=00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01", "TRACESTATE=vendor=old",
		"BAGGAGE=team=fhe,benchtrace.benchmark.name=stale", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://elsewhere:4318/v1/traces",
	}
	tests := []struct {
		name string
		otlp string
		want []string
		not  []string
	}{
		{"no endpoint", "", []string{
			"PATH=/bin", "A=1",
			"TRACEPARENT=00-01020300000000000000000000000000-0405060000000000-01",
			"BAGGAGE=team=fhe,benchtrace.benchmark.name=bench%20one",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://elsewhere:4318/v1/traces",
		}, []string{"TRACESTATE=", "OTEL_EXPORTER_OTLP_ENDPOINT="}},
		{"host:port", "127.0.0.1:4317", []string{
			"OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4317",
			"OTEL_EXPORTER_OTLP_PROTOCOL=grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc",
		}, []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://elsewhere:4318/v1/traces"}},
		{"URL", "https://collector:4317", []string{"OTEL_EXPORTER_OTLP_ENDPOINT=https://collector:4317"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := childEnv(base, []string{"A=1"}, ctx, "bench one", tt.otlp)
			for _, w := range tt.want {
				if members, ok := strings.CutPrefix(w, "BAGGAGE="); ok {
					// Baggage members have no order (otel-go keeps a map).
					got := ""
					for _, kv := range env {
						if v, ok := strings.CutPrefix(kv, "BAGGAGE="); ok {
							got = v
						}
					}
					assert.ElementsMatch(t, strings.Split(members, ","), strings.Split(got, ","), "BAGGAGE in %v", env)
					continue
				}
				assert.Contains(t, env, w)
			}
			for _, n := range tt.not {
				for _, kv := range env {
					assert.False(t, strings.HasPrefix(kv, n), "%s in %v", n, env)
				}
			}
			seen := map[string]bool{}
			for _, kv := range env {
				k, _, _ := strings.Cut(kv, "=")
				assert.False(t, seen[k], "%s set twice", k)
				seen[k] = true
			}
		})
	}
}

// TestTailBuffer checks the end of stderr that a failure quotes.
func TestTailBuffer(t *testing.T) {
	tests := []struct {
		name    string
		written string
		lines   int
		bytes   int
		want    string
	}{
		{"empty", "", 10, 100, ""},
		{"last lines", "a\nb\nc\nd\n", 2, 100, "c\nd"},
		{"bytes cut at a line", "aaaa\nbbbb\ncccc\n", 10, 9, "bbbb\ncccc"},
		{"one long line", "0123456789", 10, 4, "6789"},
		{"UTF-8 kept whole", "ééé", 10, 3, "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &tailBuffer{max: 64}
			_, _ = b.Write([]byte(tt.written))
			assert.Equal(t, tt.want, b.lastLines(tt.lines, tt.bytes))
		})
	}
	b := &tailBuffer{max: 4}
	_, _ = b.Write([]byte("abc"))
	_, _ = b.Write([]byte("defg"))
	assert.Equal(t, "defg", b.lastLines(10, 100), "keeps the last max bytes")
}

// TestParseSpec checks how a spec file reads.
func TestParseSpec(t *testing.T) {
	s, err := parseSpec([]byte(`
benchmark: kmeans
phases:
  - name: shell
    command: echo "$HOME" | wc -c
  - name: argv
    command: [./km, --k, 8]
    env: {THREADS: 2, NAME: x}
`))
	require.NoError(t, err)
	assert.Equal(t, 1, s.Repeat, "default")
	assert.Equal(t, commandLine{"/bin/sh", "-c", `echo "$HOME" | wc -c`}, s.Phases[0].Command)
	assert.Equal(t, commandLine{"./km", "--k", "8"}, s.Phases[1].Command)
	assert.Equal(t, []string{"NAME=x", "THREADS=2"}, s.environ(s.Phases[1]))
	assert.Equal(t, `/bin/sh -c 'echo "$HOME" | wc -c'`, s.Phases[0].Command.String())
	assert.Equal(t, `./km --k 8 '' 'it'\''s'`, commandLine{"./km", "--k", "8", "", "it's"}.String())
	_, err = parseSpec([]byte("benchmark: [x]\n"))
	assert.True(t, errors.Is(err, errSpec))
}

// TestExecExample runs the README's example spec (its data in a directory
// of the test's own).
func TestExecExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "exec_example.yaml"))
	require.NoError(t, err)
	text := strings.ReplaceAll(string(data), "/tmp/benchtrace-sort-example", filepath.Join(t.TempDir(), "numbers"))
	require.NotEqual(t, string(data), text, "the example keeps its data in DATA")
	specFile := filepath.Join(t.TempDir(), "exec_example.yaml")
	require.NoError(t, os.WriteFile(specFile, []byte(text), 0o644))
	dir, _, stderr, err := execIn(t, "--spec", specFile)
	require.NoError(t, err, stderr)
	l := onlyLog(t, dir)
	assert.Equal(t, "success", l.Status, l.Error)
	var names []string
	for _, p := range l.Phases {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"generate", "sort", "check"}, names)
	assert.Greater(t, float(t, l.Timing, "sort_only"), 0.0)
	assert.Greater(t, float(t, phaseOf(t, l, "sort"), benchlog.KeyChildPeakRSS), float64(8*mib), "sort holds the numbers")
}
