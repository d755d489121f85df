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
)

// The crash tests run this test binary again as a child benchmark process,
// selected by the environment variable childEnv, and kill it.
const childEnv = "BENCHTRACE_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
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
	if mode == "signal" {
		defer bt.HandleSignals()()
	}
	run := bt.Start(ctx, "crash_"+mode)
	_ = run.Phase("data_loading", func(context.Context) error { burn(10_000); return nil })
	_ = run.Phase("fit", func(context.Context) error { burn(10_000); return nil })
	_ = run.Phase("inference", func(context.Context) error {
		fmt.Println("READY")
		deadline := time.Now().Add(30 * time.Second) // bounded, if nobody kills us
		for time.Now().Before(deadline) {
			burn(10_000)
		}
		return errors.New("not killed")
	})
	run.End(nil)
	_ = bt.Shutdown(ctx)
	return 3
}

func startChild(t *testing.T, mode string) (*exec.Cmd, string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "BENCHTRACE_TEST_LOGS="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "READY" {
				ready <- true
				break
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		require.True(t, ok, "child exited before READY")
	case <-time.After(30 * time.Second):
		t.Fatal("child never became ready")
	}
	return cmd, dir
}

func TestSIGKILLKeepsFinishedPhases(t *testing.T) {
	cmd, dir := startChild(t, "kill")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)

	l := onlyLog(t, dir)
	assert.Equal(t, "running", l.Status, "the last checkpoint")
	require.Len(t, l.Phases, 2, "both finished phases are on disk")
	assert.Equal(t, "data_loading", l.Phases[0].Name)
	assert.Equal(t, "fit", l.Phases[1].Name)
	assert.Equal(t, "success", field[string](t, l.Phases[1].Fields, "status"))
}

func TestSignalFinalizesAsInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, dir := startChild(t, "signal")
			require.NoError(t, cmd.Process.Signal(sig))
			err := cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			ws := exit.Sys().(syscall.WaitStatus)
			assert.True(t, ws.Signaled(), "the process dies of the signal, as it would uncaught")
			assert.Equal(t, sig, ws.Signal())

			l := onlyLog(t, dir)
			assert.Equal(t, "interrupted", l.Status)
			assert.Contains(t, l.Error, "interrupted by signal")
			require.Len(t, l.Phases, 3)
			assert.Equal(t, "interrupted", field[string](t, l.Phases[2].Fields, "status"))
			assert.Equal(t, "success", field[string](t, l.Phases[1].Fields, "status"))
			assert.True(t, l.Metadata.Has("timestamp_end"))
		})
	}
}
