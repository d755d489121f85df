package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/benchtrace/benchtrace/internal/stacktest"
)

// stack is the running telemetry stack the tests share, and the benchtrace
// command built for them.
type stack struct {
	*stacktest.Stack
	bin string // the benchtrace command
}

var (
	stackOnce sync.Once
	theStack  *stack
	stackErr  error
	stackDone = func() {}
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(childMain(mode))
	}
	code := m.Run()
	stackDone()
	os.Exit(code)
}

// needStack returns the running stack, starting it on first use, or skips
// the test when BENCHTRACE_E2E is not set.
func needStack(t *testing.T) *stack {
	t.Helper()
	if os.Getenv("BENCHTRACE_E2E") == "" {
		t.Skip("end-to-end test: set BENCHTRACE_E2E=1 (make test does) to build and start the stack")
	}
	stackOnce.Do(func() { theStack, stackErr = startStack() })
	if stackErr != nil {
		t.Fatalf("starting the stack: %v", stackErr)
	}
	return theStack
}

// startStack builds the benchtrace command and starts the stack, in a
// temporary directory that stackDone removes after stopping it. It outlives
// every test, so its contexts are its own.
func startStack() (*stack, error) {
	tmp, err := os.MkdirTemp("", "benchtrace-e2e-")
	if err != nil {
		return nil, err
	}
	stackDone = func() { os.RemoveAll(tmp) }
	root, err := stacktest.RepoRoot()
	if err != nil {
		return nil, err
	}
	// benchtrace and, next to it, benchtrace-runner, which it runs for
	// run and exec.
	bin := filepath.Join(tmp, "benchtrace")
	build := exec.Command("go", "build", "-o", tmp+string(filepath.Separator), "./bench/cmd/benchtrace", "./bench/cmd/benchtrace-runner")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building benchtrace: %w\n%s", err, out)
	}

	// Cold, this builds the collector and Jaeger: minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	start := time.Now()
	st, err := stacktest.Start(ctx, stacktest.Config{
		RunDir: filepath.Join(tmp, "run"),
		LogDir: filepath.Join(tmp, "collector-logs"),
	})
	fmt.Fprintf(os.Stderr, "e2e: collector/stack up took %s\n", time.Since(start).Round(time.Second))
	if err != nil {
		return nil, err
	}
	stackDone = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := st.Stop(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stopping the stack: %v\n", err)
		}
		os.RemoveAll(tmp)
	}
	return &stack{Stack: st, bin: bin}, nil
}

// benchtrace runs the benchtrace command with args.
func (s *stack) benchtrace(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchtrace %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// query runs an instant PromQL query against the stack's Prometheus.
func (s *stack) query(ctx context.Context, expr string) ([]stacktest.Sample, error) {
	return stacktest.Query(ctx, s.PrometheusURL(), expr)
}
