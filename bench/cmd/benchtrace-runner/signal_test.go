package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// TestRunSignal runs `benchtrace run` as a script does, in a process whose
// shell may have set the signal to be ignored (`trap "" INT`, as a
// non-interactive shell does for `cmd &`), signals it in the middle of its
// first run, and checks that the run is logged as interrupted, that no
// further run starts, and that the exit status is 128+signal.
func TestRunSignal(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		name    string
		sig     syscall.Signal
		ignored bool // the process starts with sig ignored
		want    int
	}{
		{"SIGINT ignored at start", syscall.SIGINT, true, 130},
		{"SIGTERM ignored at start", syscall.SIGTERM, true, 143},
		{"SIGINT", syscall.SIGINT, false, 130},
		{"SIGTERM", syscall.SIGTERM, false, 143},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// $0 is the binary, $1 the log directory.
			script := `exec "$0" run --log-dir "$1" --only '^mlp_polyrelu_synthetic$' --repeat 3`
			if tt.ignored {
				script = `trap "" ` + signalName(tt.sig) + "; " + script
			}
			cmd := exec.Command("sh", "-c", script, bin, dir)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var stderr syncBuffer // written by exec's goroutine while we read
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			done := make(chan struct{})
			defer func() {
				select {
				case <-done:
				default:
					_ = cmd.Process.Kill()
				}
			}()

			// Signal once the first run is under way: its second phase
			// has ended, and training (seconds at the default size)
			// has begun.
			var out bytes.Buffer
			lines := bufio.NewScanner(stdout)
			for lines.Scan() {
				out.WriteString(lines.Text() + "\n")
				if strings.Contains(lines.Text(), "✓ data_loading") {
					break
				}
			}
			require.Contains(t, out.String(), "✓ data_loading", "the first run started; stderr: %s", stderr.String())
			// Not at the very start of the next phase: the SDK has a
			// race there (a phase is open before its measurement
			// starts), reported to its owner; this test is about the
			// command.
			time.Sleep(200 * time.Millisecond)
			require.NoError(t, cmd.Process.Signal(tt.sig))
			rest, _ := io.ReadAll(stdout)
			out.Write(rest)

			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait(); close(done) }()
			var err2 error
			select {
			case err2 = <-waited:
			case <-time.After(60 * time.Second):
				t.Fatalf("benchtrace run did not exit within 60s of %v; stdout:\n%s", tt.sig, out.String())
			}
			var ee *exec.ExitError
			require.True(t, errors.As(err2, &ee), "exit error, got %v; stdout:\n%s", err2, out.String())
			assert.Equal(t, tt.want, ee.ExitCode(), "exit status; stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), "interrupted by signal")

			assert.Contains(t, out.String(), "▶ mlp_polyrelu_synthetic (1/3)")
			assert.NotContains(t, out.String(), "(2/3)", "no further run starts")
			files, err := filepath.Glob(filepath.Join(dir, "*.json"))
			require.NoError(t, err)
			if !assert.Len(t, files, 1, "one run, one log") {
				for _, f := range files {
					data, _ := os.ReadFile(f)
					t.Logf("%s:\n%s", f, data)
				}
				t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), stderr.String())
				t.FailNow()
			}
			data, err := os.ReadFile(files[0])
			require.NoError(t, err)
			l, err := benchlog.Decode(data)
			require.NoError(t, err)
			assert.Equal(t, "interrupted", l.Status)
			assert.Contains(t, l.Error, "interrupted by signal")
		})
	}
}

// signalName is the name of sig for the shell's trap: INT, TERM.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "INT"
	case syscall.SIGTERM:
		return "TERM"
	}
	panic("no name for " + sig.String())
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
