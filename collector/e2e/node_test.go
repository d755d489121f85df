package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/internal/stacktest"
	"github.com/benchtrace/benchtrace/sdk"
)

// nodeDir holds the Node.js producer: package.json, package-lock.json and
// producer.js, written from docs/conventions.md with the OpenTelemetry JS
// SDK.
const nodeDir = "node"

// needNode installs the Node producer's packages (npm ci, from the
// committed lock file) and returns the path of node. node and npm are
// required: make deps installs them.
func needNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	require.NoError(t, err, "node is needed (make deps installs nodejs and npm)")
	npm, err := exec.LookPath("npm")
	require.NoError(t, err, "npm is needed (make deps installs nodejs and npm)")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	ci := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	ci.Dir = nodeDir
	out, err := ci.CombinedOutput()
	require.NoError(t, err, "npm ci in %s:\n%s", nodeDir, out)
	return node
}

// runNode runs the producer with args, sending to the stack, and returns
// its stdout.
func runNode(t *testing.T, s *stack, node string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"producer.js"}, args...)...)
	cmd.Dir = nodeDir
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+s.OTLP())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "node producer.js %v:\n%s", args, stderr.String())
	return string(out)
}

// goInterop is the producer's interop benchmark written with the Go SDK:
// the same phases, attributes and results (producer.js's interop).
func goInterop(ctx context.Context, bt *sdk.Benchtrace, benchmark string, failInference bool) string {
	run := bt.Start(ctx, benchmark,
		sdk.WithModel(sdk.Model{Name: "interop-model", Architecture: "dense-2x64", Dataset: "synthetic-dyadic-256", BatchSize: 32, Seed: 7}),
		sdk.WithConfigFile("configs/interop.yml"),
		sdk.WithMainPhase("inference"))
	var reference, output []float64
	err := func() error {
		if err := run.Phase("initialization", func(context.Context) error { spin(2); return nil }); err != nil {
			return err
		}
		err := run.Phase("data_loading", func(context.Context) error {
			block := make([]byte, 64<<20) // 64 MiB, every page touched
			for i := 0; i < len(block); i += 4096 {
				block[i] = 1
			}
			for i := range 256 {
				reference = append(reference, float64(2*i+1)/128+float64(block[i*4096])-1)
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = run.Phase("fit", func(ctx context.Context) error {
			p := sdk.PhaseFromContext(ctx)
			p.SetAttributes(attribute.Int("epochs", 1))
			return p.Phase("epoch", func(context.Context) error { spin(5); return nil })
		})
		if err != nil {
			return err
		}
		err = run.Phase("inference", func(ctx context.Context) error {
			sdk.PhaseFromContext(ctx).SetAttributes(attribute.Int("input_level", 14), attribute.String("engine", "reference"),
				attribute.Float64("scale", 0.5), attribute.Bool("exact", true))
			spin(5)
			if failInference {
				return errors.New("boom: budget exhausted at level 3")
			}
			for _, r := range reference {
				output = append(output, r+1.0/1024)
			}
			return nil
		})
		if err != nil {
			return err
		}
		_, err = run.RecordAccuracy(reference, output)
		return err
	}()
	run.End(err)
	return run.TraceID()
}

var spinSink float64

// spin does about n·1e6 steps of arithmetic, as producer.js's spin.
func spin(n int) {
	x := 0.0
	for i := range n * 1_000_000 {
		x += math.Sqrt(float64(i))
	}
	spinSink = x
}

// waitLogs waits until the collector has written the final log of every
// run of ids, and returns them.
func waitLogs(t *testing.T, s *stack, ids ...string) map[string]*benchlog.Log {
	t.Helper()
	var got map[string]*benchlog.Log
	err := stacktest.Eventually(t.Context(), 30*time.Second, 200*time.Millisecond, func() error {
		logs, _, err := loadLogs(s.LogDir)
		if err != nil {
			return err
		}
		got = map[string]*benchlog.Log{}
		for _, id := range ids {
			l, ok := logs[id]
			if !ok || l.Status == "running" || l.Status == "incomplete" {
				return fmt.Errorf("no final log of run %s yet", id)
			}
			got[id] = l
		}
		return nil
	})
	require.NoError(t, err)
	return got
}

// The keys a Node log and a Go log of the same benchmark differ in by
// design. runtimeKeys name or measure the language's runtime, and are in
// one log only; measuredKeys are in both, with values that are
// measurements (or identities, times) and so differ.
var (
	runtimeKeys = map[string][]string{
		"metadata": {"go_version", "node_version"},
		"phases":   {benchlog.KeyGoHeapAlloc, benchlog.KeyGoGCCycles},
		"timing":   {benchlog.KeyGoHeapAlloc, benchlog.KeyGoGCCycles},
	}
	measuredKeys = map[string][]string{
		"metadata": {benchlog.KeyRunID, benchlog.KeyTimestampStart, benchlog.KeyTimestampEnd},
		"phases": {benchlog.KeyDuration, benchlog.KeyStartTime, benchlog.KeyCPUUser, benchlog.KeyCPUSystem,
			benchlog.KeyCPUChildren, benchlog.KeyRSSStart, benchlog.KeyMemoryChange, benchlog.KeyPeakRSS},
		"timing": {benchlog.KeyTotalDuration, "inference_only", benchlog.KeyPreprocessingTotal, benchlog.KeyCPUUser,
			benchlog.KeyCPUSystem, benchlog.KeyCPUChildren, benchlog.KeyPeakRSS},
	}
)

// compareObjects checks that two sections of logs have the same keys in
// the same order, but for the runtime keys, and the same values but for
// the measured ones, which must have the same JSON type.
func compareObjects(t *testing.T, section, where string, goObj, nodeObj benchlog.Object) {
	t.Helper()
	keys := func(o benchlog.Object) []string {
		var out []string
		for _, f := range o {
			if !slices.Contains(runtimeKeys[section], f.Key) {
				out = append(out, f.Key)
			}
		}
		return out
	}
	if !assert.Equal(t, keys(goObj), keys(nodeObj), "%s: the same keys in the same order (Go, Node)", where) {
		return
	}
	for _, f := range goObj {
		if slices.Contains(runtimeKeys[section], f.Key) {
			continue
		}
		nv, _ := nodeObj.Get(f.Key)
		if slices.Contains(measuredKeys[section], f.Key) {
			assert.IsType(t, f.Value, nv, "%s.%s: a measurement of the same type", where, f.Key)
			continue
		}
		assert.Equal(t, f.Value, nv, "%s.%s", where, f.Key)
	}
}

// TestNodeProducer runs the Node.js producer through the stack, and the
// same benchmarks with the Go SDK, and compares the collector's logs of
// the two key by key: the same keys in the same order, the same values
// but for measurements, runtime keys aside (go_version and the Go heap
// figures, node_version). One benchmark succeeds; in the other, a phase
// fails and fails the run.
func TestNodeProducer(t *testing.T) {
	s := needStack(t)
	node := needNode(t)

	out := runNode(t, s, node)
	nodeRuns := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var bench, id string
		if _, err := fmt.Sscanf(sc.Text(), "RUN %s %s", &bench, &id); err == nil {
			nodeRuns[bench] = id
		}
	}
	require.Len(t, nodeRuns, 2, "producer.js output:\n%s", out)

	ctx := t.Context()
	bt, err := sdk.New(ctx, sdk.WithoutLogs(), sdk.WithOTLPEndpoint(s.OTLP()))
	require.NoError(t, err)
	goRuns := map[string]string{}
	for _, b := range []struct {
		name    string
		failing bool
	}{{"e2e_interop", false}, {"e2e_interop_failed", true}} {
		goRuns[b.name] = goInterop(ctx, bt, b.name, b.failing)
	}
	require.NoError(t, bt.Shutdown(ctx))

	var ids []string
	for _, m := range []map[string]string{nodeRuns, goRuns} {
		for _, id := range m {
			ids = append(ids, id)
		}
	}
	logs := waitLogs(t, s, ids...)

	for _, bench := range []string{"e2e_interop", "e2e_interop_failed"} {
		t.Run(bench, func(t *testing.T) {
			g, n := logs[goRuns[bench]], logs[nodeRuns[bench]]
			v, ok := n.Metadata.String("node_version")
			assert.True(t, ok && v != "", "metadata.node_version, from process.runtime.name nodejs")
			compareObjects(t, "metadata", "metadata", g.Metadata, n.Metadata)
			compareObjects(t, "model", "model", g.Model, n.Model)
			compareObjects(t, "results", "results", g.Results, n.Results)
			compareObjects(t, "timing", "timing", g.Timing, n.Timing)
			var gNames, nNames []string
			for _, p := range g.Phases {
				gNames = append(gNames, p.Name)
			}
			for _, p := range n.Phases {
				nNames = append(nNames, p.Name)
			}
			require.Equal(t, gNames, nNames, "phases, in order")
			for i, gp := range g.Phases {
				compareObjects(t, "phases", "phases."+gp.Name, gp.Fields, n.Phases[i].Fields)
			}
			assert.Equal(t, g.Status, n.Status)
			gMsg, gStack, _ := strings.Cut(g.Error, "\n\n")
			nMsg, nStack, _ := strings.Cut(n.Error, "\n\n")
			assert.Equal(t, gMsg, nMsg, "the run's error, but for its stack trace")
			if g.Status == "failed" {
				assert.NotEmpty(t, gStack, "Go stack trace")
				assert.NotEmpty(t, nStack, "JavaScript stack trace")
			}
			assert.Equal(t, g.Extra, n.Extra)

			// The measurements are real on both sides.
			for lang, l := range map[string]*benchlog.Log{"Go": g, "Node": n} {
				dl, ok := l.Phases.Get("data_loading")
				require.True(t, ok)
				peak, _ := dl.Fields.Float(benchlog.KeyPeakRSS)
				start, _ := dl.Fields.Float(benchlog.KeyRSSStart)
				// Not peak-start: a runtime may reuse the memory of the
				// previous run's block, which its GC had not returned.
				assert.GreaterOrEqual(t, peak, 64.0*(1<<20), "%s: data_loading touched 64 MiB: peak %.0f, start %.0f", lang, peak, start)
				ep, ok := l.Phases.Get("epoch")
				require.True(t, ok)
				cpu, _ := ep.Fields.Float(benchlog.KeyCPUUser)
				wall, _ := ep.Fields.Float(benchlog.KeyDuration)
				assert.Greater(t, cpu, 0.0, "%s: epoch's CPU time", lang)
				assert.LessOrEqual(t, cpu, wall*1.1+0.02, "%s: one thread's CPU time within the wall time", lang)
				t.Logf("%s: epoch %.3fs wall, %.3fs user; data_loading peak %.1f MiB from %.1f MiB", lang, wall, cpu, peak/(1<<20), start/(1<<20))
			}
		})
	}
}

// TestExecNodeChild runs a spec with benchtrace exec whose phases are the
// Node producer in child mode and another benchtrace exec: both add their
// phases to exec's run, below exec's phase, through the trace context exec
// hands down (TRACEPARENT, BAGGAGE, OTEL_EXPORTER_OTLP_*). The collector's
// log holds them; exec's own log, which sees only its own spans, does not.
func TestExecNodeChild(t *testing.T) {
	s := needStack(t)
	node := needNode(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	require.NoError(t, os.WriteFile(spec, fmt.Appendf(nil, `
benchmark: e2e_exec_children
phases:
  - name: node
    command: [%q, producer.js, child]
  - name: nested
    command: [%q, exec, --phase, inner, --, sh, -c, "exit 0"]
`, node, s.bin), 0o644))
	logDir := filepath.Join(dir, "logs")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, "exec", "--spec", spec, "--log-dir", logDir, "--otlp-endpoint", s.OTLP())
	cmd.Dir = nodeDir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "benchtrace exec:\n%s", out)

	local, _, err := loadLogs(logDir)
	require.NoError(t, err)
	require.Len(t, local, 1, "exec's log; the nested exec writes none:\n%s", out)
	var runID string
	for id, l := range local {
		runID = id
		assert.Len(t, l.Phases, 2, "exec's own phases only")
	}
	l := waitLogs(t, s, runID)[runID]
	assert.Equal(t, "success", l.Status, l.Error)
	parents := map[string]string{}
	var names []string
	for _, p := range l.Phases {
		names = append(names, p.Name)
		parents[p.Name], _ = p.Fields.String(benchlog.KeyParent)
	}
	assert.Equal(t, []string{"node", "node_step", "nested", "inner"}, names)
	assert.Equal(t, map[string]string{"node": "", "node_step": "node", "nested": "", "inner": "nested"}, parents)
	step, _ := l.Phases.Get("node_step")
	lang, _ := step.Fields.String("language")
	assert.Equal(t, "javascript", lang)
	assert.True(t, step.Fields.Has(benchlog.KeyCPUUser), "the Node phase's measurements")
	inner, _ := l.Phases.Get("inner")
	code, ok := inner.Fields.Int("exit_code")
	assert.True(t, ok && code == 0, "the nested exec's phase")
	nodePhase, _ := l.Phases.Get("node")
	children, _ := nodePhase.Fields.Float(benchlog.KeyCPUChildren)
	assert.Greater(t, children, 0.0, "exec counts node's CPU time as its child's")
}
