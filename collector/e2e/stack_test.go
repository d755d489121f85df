package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// stack is the running telemetry stack the tests share.
type stack struct {
	root    string // repository root
	env     []string
	runDir  string
	logDir  string // where the collector's benchlog exporter writes
	bin     string // the benchtrace command, built for the tests
	otlp    string // host:port
	jaeger  string // base URL of Jaeger's HTTP API
	prom    string // base URL of Prometheus
	metrics string // base URL of the collector's Prometheus exporter
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

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func startStack() (*stack, error) {
	_, file, _, _ := runtime.Caller(0)
	root, err := filepath.Abs(filepath.Join(filepath.Dir(file), "..", ".."))
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "benchtrace-e2e-")
	if err != nil {
		return nil, err
	}
	s := &stack{root: root, runDir: filepath.Join(tmp, "run"), logDir: filepath.Join(tmp, "collector-logs")}
	names := []string{"OTLP", "METRICS", "COLLECTOR_TELEMETRY", "COLLECTOR_HEALTH", "JAEGER_OTLP", "JAEGER_UI", "JAEGER_GRPC", "JAEGER_HEALTH", "PROMETHEUS"}
	ports, err := freePorts(len(names))
	if err != nil {
		return nil, err
	}
	s.env = append(os.Environ(), "BENCHTRACE_STACK_RUN_DIR="+s.runDir)
	port := map[string]int{}
	for i, n := range names {
		s.env = append(s.env, fmt.Sprintf("BENCHTRACE_%s_PORT=%d", n, ports[i]))
		port[n] = ports[i]
	}
	s.otlp = "127.0.0.1:" + strconv.Itoa(port["OTLP"])
	s.jaeger = "http://127.0.0.1:" + strconv.Itoa(port["JAEGER_UI"])
	s.prom = "http://127.0.0.1:" + strconv.Itoa(port["PROMETHEUS"])
	s.metrics = "http://127.0.0.1:" + strconv.Itoa(port["METRICS"])

	s.bin = filepath.Join(tmp, "benchtrace")
	build := exec.Command("go", "build", "-o", s.bin, "./bench/cmd/benchtrace")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building benchtrace: %w\n%s", err, out)
	}

	// Cold, this builds the collector and Jaeger: minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	up := exec.CommandContext(ctx, filepath.Join(root, "collector", "stack"), "up", "--logs", s.logDir)
	up.Env = s.env
	var out bytes.Buffer
	up.Stdout, up.Stderr = &out, &out
	start := time.Now()
	err = up.Run()
	fmt.Fprintf(os.Stderr, "e2e: collector/stack up took %s\n", time.Since(start).Round(time.Second))
	stackDone = func() {
		down := exec.Command(filepath.Join(root, "collector", "stack"), "down")
		down.Env = s.env
		if out, err := down.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: collector/stack down: %v\n%s", err, out)
		}
		os.RemoveAll(tmp)
	}
	if err != nil {
		return nil, fmt.Errorf("collector/stack up: %w\n%s", err, out.Bytes())
	}
	return s, nil
}

// benchtrace runs the benchtrace command with args.
func (s *stack) benchtrace(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchtrace %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// getJSON decodes the JSON answer of GET u into v.
func getJSON(u string, v any) error {
	resp, err := httpClient.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.300s", u, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// promSample is one series of an instant vector.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// query runs an instant PromQL query.
func (s *stack) query(expr string) ([]promSample, error) {
	var r struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
		Error string `json:"error"`
	}
	if err := getJSON(s.prom+"/api/v1/query?query="+url.QueryEscape(expr), &r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s", expr, r.Error)
	}
	switch r.Data.ResultType {
	case "vector":
		var out []promSample
		err := json.Unmarshal(r.Data.Result, &out)
		return out, err
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(r.Data.Result, &v); err != nil {
			return nil, err
		}
		return []promSample{{Value: v}}, nil
	case "matrix":
		var m []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		}
		if err := json.Unmarshal(r.Data.Result, &m); err != nil {
			return nil, err
		}
		var out []promSample
		for _, series := range m {
			if len(series.Values) > 0 {
				out = append(out, promSample{Metric: series.Metric, Value: series.Values[len(series.Values)-1]})
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("query %s: result type %q", expr, r.Data.ResultType)
}

// eventually calls f every interval until it returns nil or timeout passes,
// and returns f's last error.
func eventually(timeout, interval time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
}
