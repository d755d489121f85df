package sdk_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/benchtrace/benchtrace/sdk"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// The crash tests run this test binary again as a child benchmark process,
// selected by the environment variable childEnv, and kill it.
const childEnv = "BENCHTRACE_TEST_CHILD"

func TestMain(m *testing.M) {
	switch mode := os.Getenv(childEnv); mode {
	case "":
	case "peak-source":
		fmt.Println(usage.Default().PeakSource())
		os.Exit(0)
	case "touch":
		// A child process of known size: it touches 200 MiB, then exits.
		mem := make([]byte, 200<<20)
		for i := 0; i < len(mem); i += 4096 {
			mem[i] = 1
		}
		os.Exit(int(mem[len(mem)-4096]) - 1)
	default:
		os.Exit(childMain(mode, os.Getenv("BENCHTRACE_TEST_LOGS")))
	}
	goleak.VerifyTestMain(m)
}

// childMain runs a benchmark that finishes two phases, prints READY, and then
// works in a third phase until it is killed.
func childMain(mode, dir string) int {
	ctx := context.Background()
	bt, err := sdk.New(ctx, sdk.WithLogDir(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	appCtx := ctx
	switch mode {
	case "signal":
		defer bt.HandleSignals()()
	case "notify", "notify-stubborn":
		var stop context.CancelFunc
		appCtx, stop = bt.NotifyContext(ctx)
		defer stop()
	}
	run := bt.Start(ctx, "crash_"+mode)
	_ = run.Phase("data_loading", func(context.Context) error { burn(10_000); return nil })
	_ = run.Phase("fit", func(context.Context) error { burn(10_000); return nil })
	_ = run.Phase("inference", func(context.Context) error {
		fmt.Println("READY")
		deadline := time.Now().Add(30 * time.Second) // bounded, if nobody kills us
		stubborn, told := mode == "notify-stubborn", false
		for time.Now().Before(deadline) && (stubborn || appCtx.Err() == nil) {
			burn(10_000)
			if stubborn && appCtx.Err() != nil && !told {
				fmt.Println("CANCELLED") // and go on, ignoring the cancellation
				told = true
			}
		}
		return errors.New("not killed")
	})
	run.End(nil)
	_ = bt.Shutdown(ctx)
	var se *sdk.SignalError
	if errors.As(context.Cause(appCtx), &se) {
		// The application's own graceful shutdown still runs.
		fmt.Println("CLEANUP")
		return se.ExitCode()
	}
	return 3
}

// child is a benchmark process started by a test.
type child struct {
	cmd   *exec.Cmd
	dir   string
	lines chan string // its standard output, line by line
}

// startChild starts the child benchmark in mode and waits until it prints
// READY. With ignoreSignals, it starts it the way a non-interactive shell
// starts a background job: SIGINT and SIGQUIT ignored.
func startChild(t *testing.T, mode string, ignoreSignals bool) *child {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if ignoreSignals {
		cmd = exec.Command("/bin/sh", "-c", `trap "" INT QUIT; exec "$0" "$@"`, os.Args[0], "-test.run=^$")
	}
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "BENCHTRACE_TEST_LOGS="+dir, "BENCHTRACE_CHECKPOINT_INTERVAL=20ms")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	c := &child{cmd: cmd, dir: dir, lines: make(chan string, 16)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- strings.TrimSpace(sc.Text())
		}
	}()
	c.waitFor(t, "READY")
	return c
}

// waitFor waits until the child prints line.
func (c *child) waitFor(t *testing.T, line string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			require.True(t, ok, "child exited before printing %s", line)
			if l == line {
				return
			}
		case <-timeout:
			t.Fatalf("child never printed %s", line)
		}
	}
}

// wait waits for the child to exit, at most 20 s, and returns its exit code
// (128+signal for a child killed by a signal).
func (c *child) wait(t *testing.T) int {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- c.cmd.Wait() }()
	select {
	case err := <-errc:
		if err == nil {
			return 0
		}
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		ws := exit.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		t.Fatal("the child did not exit within 20 s of the signal")
		return -1
	}
}

// TestSIGKILLKeepsFinishedPhases: a phase's checkpoint is on disk within the
// checkpoint interval (20 ms here) of its end.
func TestSIGKILLKeepsFinishedPhases(t *testing.T) {
	c := startChild(t, "kill", false)
	time.Sleep(200 * time.Millisecond) // ten checkpoint intervals
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGKILL))
	assert.Equal(t, 128+int(syscall.SIGKILL), c.wait(t))

	l := onlyLog(t, c.dir)
	assert.Equal(t, "running", l.Status, "the last checkpoint")
	require.Len(t, l.Phases, 2, "both finished phases are on disk")
	assert.Equal(t, "data_loading", l.Phases[0].Name)
	assert.Equal(t, "fit", l.Phases[1].Name)
	assert.Equal(t, "success", field[string](t, l.Phases[1].Fields, "status"))
}

func TestSignalFinalizesAsInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			c := startChild(t, "signal", false)
			require.NoError(t, c.cmd.Process.Signal(sig))
			assert.Equal(t, 128+int(sig), c.wait(t), "the process dies of the signal, as it would uncaught")
			checkInterrupted(t, c.dir)
		})
	}
}

// TestSignalIgnoredAtStartStillEnds: a background job of a script has SIGINT
// ignored; restoring that disposition and raising the signal again does not
// end the process, which once went on with its work.
func TestSignalIgnoredAtStartStillEnds(t *testing.T) {
	c := startChild(t, "signal", true)
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGINT))
	assert.Equal(t, 130, c.wait(t))
	checkInterrupted(t, c.dir)
}

// TestNotifyContextKeepsApplicationShutdown: the application's own shutdown
// runs after the runs are finalized, and decides the exit code.
func TestNotifyContextKeepsApplicationShutdown(t *testing.T) {
	for _, ignored := range []bool{false, true} {
		t.Run(fmt.Sprint("ignored=", ignored), func(t *testing.T) {
			c := startChild(t, "notify", ignored)
			require.NoError(t, c.cmd.Process.Signal(syscall.SIGINT))
			c.waitFor(t, "CLEANUP")
			assert.Equal(t, 130, c.wait(t))
			checkInterrupted(t, c.dir)
		})
	}
}

// TestSecondSignalIsNotSwallowed: an application that does not stop after
// the first signal still ends on the second.
func TestSecondSignalIsNotSwallowed(t *testing.T) {
	c := startChild(t, "notify-stubborn", true)
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGINT))
	c.waitFor(t, "CANCELLED")
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 143, c.wait(t))
	checkInterrupted(t, c.dir)
}

func checkInterrupted(t *testing.T, dir string) {
	t.Helper()
	l := onlyLog(t, dir)
	assert.Equal(t, "interrupted", l.Status)
	assert.Contains(t, l.Error, "interrupted by signal")
	require.Len(t, l.Phases, 3)
	assert.Equal(t, "interrupted", field[string](t, l.Phases[2].Fields, "status"))
	assert.Equal(t, "success", field[string](t, l.Phases[1].Fields, "status"))
	assert.True(t, l.Metadata.Has("timestamp_end"))
}
