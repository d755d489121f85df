package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/benchtrace/benchtrace/internal/stacktest"
	"github.com/benchtrace/benchtrace/sdk"
)

const crashBenchmark = "e2e_collector_crash"

// collectorProc is a collector of the stack's build, started by the test.
type collectorProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startCollector starts the stack's collector binary with the stack's
// config and env, and waits until it is healthy.
func startCollector(t *testing.T, bin, config string, env []string, health, logFile string) *collectorProc {
	t.Helper()
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(t, err)
	cmd := exec.Command(bin, "--config", config)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	p := &collectorProc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		out.Close()
		close(p.exited)
	}()
	t.Cleanup(func() { p.stop() })
	err = stacktest.Eventually(t.Context(), 60*time.Second, 200*time.Millisecond, func() error {
		select {
		case <-p.exited:
			return fmt.Errorf("collector exited")
		default:
		}
		return stacktest.Get(t.Context(), health)
	})
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		t.Fatalf("collector not healthy: %v\n%s", err, tail)
	}
	return p
}

// stop ends the collector with SIGTERM, then SIGKILL after 10 s.
func (p *collectorProc) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// TestCollectorSIGKILLKeepsPendingSpans kills the collector with SIGKILL
// while a run is half done (three phases received, no root), starts it
// again, and lets the run finish: the final log must hold all five phases,
// the first three of which only the write-ahead log kept.
func TestCollectorSIGKILLKeepsPendingSpans(t *testing.T) {
	s := needStack(t)
	bin, err := s.State("COLLECTOR_BIN")
	require.NoError(t, err)
	ports, err := stacktest.FreePorts(4)
	require.NoError(t, err)
	logDir := t.TempDir()
	// A collector of its own, beside the stack's, exporting to its Jaeger.
	env := append(os.Environ(),
		"BENCHTRACE_LOG_DIR="+logDir,
		fmt.Sprintf("%s=%d", stacktest.OTLPPort, ports[0]),
		fmt.Sprintf("%s=%d", stacktest.MetricsPort, ports[1]),
		fmt.Sprintf("%s=%d", stacktest.CollectorTelemetryPort, ports[2]),
		fmt.Sprintf("%s=%d", stacktest.CollectorHealthPort, ports[3]),
		fmt.Sprintf("%s=%d", stacktest.JaegerOTLPPort, s.Ports[stacktest.JaegerOTLPPort]),
	)
	config := filepath.Join(s.Root, "collector", "config.yaml")
	health := fmt.Sprintf("http://127.0.0.1:%d/", ports[3])
	procLog := filepath.Join(t.TempDir(), "collector.log")
	first := startCollector(t, bin, config, env, health, procLog)

	// The benchmark: three phases, flushed, then it waits for "go".
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=crash", fmt.Sprintf("%s=127.0.0.1:%d", childOTLPEnv, ports[0]))
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	require.NoError(t, err)
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the benchmark prints READY and its run ID")
	runID, ok := strings.CutPrefix(lines.Text(), "READY ")
	require.True(t, ok, "got %q", lines.Text())

	// The collector has the three phases: its checkpoint shows them.
	err = stacktest.Eventually(t.Context(), 20*time.Second, 100*time.Millisecond, func() error {
		logs, _, err := loadLogs(logDir)
		if err != nil {
			return err
		}
		if l := logs[runID]; l == nil || len(l.Phases) != 3 || l.Status != "running" {
			return fmt.Errorf("no checkpoint with 3 phases of run %s yet", runID)
		}
		return nil
	})
	require.NoError(t, err)

	require.NoError(t, first.cmd.Process.Signal(syscall.SIGKILL))
	<-first.exited
	second := startCollector(t, bin, config, env, health, procLog)
	defer second.stop()

	_, err = io.WriteString(stdin, "go\n")
	require.NoError(t, err)
	require.NoError(t, child.Wait(), "the benchmark finishes")

	err = stacktest.Eventually(t.Context(), 20*time.Second, 100*time.Millisecond, func() error {
		logs, paths, err := loadLogs(logDir)
		if err != nil {
			return err
		}
		l := logs[runID]
		if l == nil || l.Status != "success" {
			return fmt.Errorf("no final log of run %s yet", runID)
		}
		var names []string
		for _, p := range l.Phases {
			names = append(names, p.Name)
		}
		if len(names) != 5 {
			return fmt.Errorf("final log %s has phases %v, want 5", paths[runID], names)
		}
		return nil
	})
	if !assert.NoError(t, err) {
		tail, _ := os.ReadFile(procLog)
		t.Logf("collector log:\n%s", tail)
	}
	files, err := filepath.Glob(filepath.Join(logDir, crashBenchmark+"_*.json"))
	require.NoError(t, err)
	assert.Len(t, files, 1, "one log for the run, not a checkpoint beside it")
}

// crashChild is the benchmark of TestCollectorSIGKILLKeepsPendingSpans.
func crashChild() int {
	ctx := context.Background()
	bt, err := sdk.New(ctx, sdk.WithoutLogs(), sdk.WithOTLPEndpoint(os.Getenv(childOTLPEnv)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	run := bt.Start(ctx, crashBenchmark)
	var sum [32]byte
	phase := func(name string) {
		_ = run.Phase(name, func(context.Context) error {
			for range 2000 {
				sum = sha256.Sum256(sum[:])
			}
			return nil
		})
	}
	for _, name := range []string{"initialization", "data_loading", "fit"} {
		phase(name)
	}
	if err := bt.TracerProvider().(*sdktrace.TracerProvider).ForceFlush(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "flush:", err)
		return 1
	}
	fmt.Println("READY", run.TraceID())
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 1
	}
	for _, name := range []string{"inference", "decode"} {
		phase(name)
	}
	run.End(nil)
	if err := bt.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		return 1
	}
	return 0
}
