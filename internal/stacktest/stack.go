package stacktest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The port variables collector/stack reads, each with its default there.
const (
	OTLPPort               = "BENCHTRACE_OTLP_PORT"                // 4317, the collector's OTLP/gRPC receiver
	OTLPHTTPPort           = "BENCHTRACE_OTLP_HTTP_PORT"           // 4318, its OTLP/HTTP receiver
	MetricsPort            = "BENCHTRACE_METRICS_PORT"             // 8889, its Prometheus exporter
	CollectorTelemetryPort = "BENCHTRACE_COLLECTOR_TELEMETRY_PORT" // 8888, its own metrics
	CollectorHealthPort    = "BENCHTRACE_COLLECTOR_HEALTH_PORT"    // 13133, its health_check
	JaegerOTLPPort         = "BENCHTRACE_JAEGER_OTLP_PORT"         // 14317, Jaeger's OTLP/gRPC receiver
	JaegerUIPort           = "BENCHTRACE_JAEGER_UI_PORT"           // 16686, Jaeger's UI and HTTP API
	JaegerGRPCPort         = "BENCHTRACE_JAEGER_GRPC_PORT"         // 16685, Jaeger's query gRPC
	JaegerHealthPort       = "BENCHTRACE_JAEGER_HEALTH_PORT"       // 13134, Jaeger's healthcheckv2
	PrometheusPort         = "BENCHTRACE_PROMETHEUS_PORT"          // 9090
)

// PortVars lists every port variable of collector/stack.
var PortVars = []string{
	OTLPPort, OTLPHTTPPort, MetricsPort, CollectorTelemetryPort, CollectorHealthPort,
	JaegerOTLPPort, JaegerUIPort, JaegerGRPCPort, JaegerHealthPort, PrometheusPort,
}

// Config says where a [Stack] keeps its files and what else it runs with.
type Config struct {
	// RunDir is collector/stack's run directory (BENCHTRACE_STACK_RUN_DIR):
	// PID files, process logs, Prometheus's data. Required; created when
	// missing.
	RunDir string
	// LogDir is where the collector's benchlog exporter writes run logs
	// (`up --logs`). Required; created when missing.
	LogDir string
	// Env is added to the environment collector/stack runs with, after
	// the caller's and the ports: BENCHTRACE_JAEGER_BIN=…,
	// BENCHTRACE_STACK_TIMEOUT=…, PATH=… (a later entry wins).
	Env []string
}

// Stack is a collector/stack started on free loopback ports.
type Stack struct {
	// Root is the repository's root.
	Root string
	// RunDir and LogDir are those of the Config.
	RunDir, LogDir string
	// Ports holds the port of each of [PortVars].
	Ports map[string]int
	// Env is the environment collector/stack runs with.
	Env []string
	// UpOutput is what `collector/stack up` printed.
	UpOutput string
}

// Start picks a free loopback port for each of [PortVars] and runs
// `collector/stack up --logs LogDir` with them. Cold, up builds the
// collector and Jaeger first, which takes minutes: give ctx room. When up
// fails, its output is in the error; Start has already run `down` then,
// which stops whatever up started, even when ctx ended up.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.RunDir == "" || cfg.LogDir == "" {
		return nil, errors.New("stacktest: Config.RunDir and Config.LogDir are required")
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	for _, dir := range []string{cfg.RunDir, cfg.LogDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	ports, err := FreePorts(len(PortVars))
	if err != nil {
		return nil, err
	}
	s := &Stack{Root: root, RunDir: cfg.RunDir, LogDir: cfg.LogDir, Ports: map[string]int{}}
	s.Env = append(os.Environ(), "BENCHTRACE_STACK_RUN_DIR="+cfg.RunDir)
	for i, name := range PortVars {
		s.Ports[name] = ports[i]
		s.Env = append(s.Env, name+"="+strconv.Itoa(ports[i]))
	}
	s.Env = append(s.Env, cfg.Env...)
	s.UpOutput, err = s.Run(ctx, "up", "--logs", cfg.LogDir)
	if err != nil {
		// up stops what it started when a service fails, but not when ctx
		// kills it: down, on a context of its own, covers both.
		downCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
		defer cancel()
		if _, derr := s.Run(downCtx, "down"); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	return s, nil
}

// stopTimeout bounds `down` after a failed up: it stops three processes,
// each within about 15 s.
const stopTimeout = 2 * time.Minute

// Run runs collector/stack with args and the stack's environment, and
// returns its output (stdout and stderr); the error quotes it.
func (s *Stack) Run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.Root, "collector", "stack"), args...)
	cmd.Env = s.Env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("collector/stack %s: %w\n%s", strings.Join(args, " "), err, out.Bytes())
	}
	return out.String(), nil
}

// Stop runs `collector/stack down`, which returns once every process it
// started is gone, and then checks that all the stack's ports are free
// again. Calling it again does nothing more.
func (s *Stack) Stop(ctx context.Context) error {
	_, err := s.Run(ctx, "down")
	var busy []string
	for _, name := range PortVars {
		if !PortFree(s.Ports[name]) {
			busy = append(busy, fmt.Sprintf("%s %d", name, s.Ports[name]))
		}
	}
	if len(busy) > 0 {
		err = errors.Join(err, fmt.Errorf("still in use after collector/stack down: %s", strings.Join(busy, ", ")))
	}
	return err
}

// Addr returns 127.0.0.1:PORT for one of [PortVars].
func (s *Stack) Addr(portVar string) string {
	return "127.0.0.1:" + strconv.Itoa(s.Ports[portVar])
}

// OTLP is the collector's OTLP/gRPC endpoint (host:port).
func (s *Stack) OTLP() string { return s.Addr(OTLPPort) }

// JaegerURL is the base URL of Jaeger's HTTP API.
func (s *Stack) JaegerURL() string { return "http://" + s.Addr(JaegerUIPort) }

// PrometheusURL is the base URL of Prometheus.
func (s *Stack) PrometheusURL() string { return "http://" + s.Addr(PrometheusPort) }

// State returns a variable `collector/stack up` recorded in the run
// directory's stack.env (COLLECTOR_BIN, JAEGER_OTLP_PORT, …).
func (s *Stack) State(name string) (string, error) {
	path := filepath.Join(s.RunDir, "stack.env")
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), name+"=")
		if !ok {
			continue
		}
		return unquoteBash(v), nil
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return "", fmt.Errorf("%s is not in %s", name, path)
}

// unquoteBash undoes bash's printf %q for what stack.env holds (paths and
// numbers): backslash escapes, and two single quotes for the empty string.
func unquoteBash(v string) string {
	if v == "''" {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
