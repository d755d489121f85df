package benchtest_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// samplePkg holds benchmarks written with benchtest: one with b.Loop, one
// with a loop to b.N, and b.Run sub-benchmarks.
const samplePkg = "./testdata/samplebench"

// goTest runs `go test args...` in this package's directory, offline (the
// module cache must hold every dependency), with env added to an
// environment cleared of benchtrace's and OpenTelemetry's variables, and
// returns its standard output.
func goTest(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH")
	}
	ctx := t.Context()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, goBin, append([]string{"test"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BENCHTRACE_") && !strings.HasPrefix(kv, "OTEL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOPROXY=off", "GOTOOLCHAIN=local")
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go test %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out, stderr.String())
	return out
}

// parseBench reads go test's output as benchstat does, and returns the
// results by full name without the GOMAXPROCS suffix.
func parseBench(t *testing.T, out []byte) map[string][]*benchfmt.Result {
	t.Helper()
	results := map[string][]*benchfmt.Result{}
	r := benchfmt.NewReader(bytes.NewReader(out), "go-test-bench.txt")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			base, parts := rec.Name.Parts()
			name := string(base)
			for _, p := range parts {
				if !strings.HasPrefix(string(p), "-") { // leave GOMAXPROCS out
					name += string(p)
				}
			}
			results[name] = append(results[name], rec.Clone())
		}
	}
	require.NoError(t, r.Err())
	return results
}

// logsByBenchmark reads every run log in dir, by metadata.benchmark_name.
func logsByBenchmark(t *testing.T, dir string) map[string][]*benchlog.Log {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	out := map[string][]*benchlog.Log{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		l, err := benchlog.Decode(data)
		require.NoError(t, err, f)
		name, _ := l.Metadata.String("benchmark_name")
		out[name] = append(out[name], l)
	}
	return out
}

// TestGoTestBench runs `go test -bench` on a package of benchmarks written
// with benchtest, reads its output with golang.org/x/perf/benchfmt (the
// reader benchstat uses), and checks the reported metrics and the logs:
// one per call of a benchmark function.
func TestGoTestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary")
	}

	t.Run("BENCHTRACE_LOG_DIR", func(t *testing.T) {
		dir := t.TempDir()
		out := goTest(t, []string{"BENCHTRACE_LOG_DIR=" + dir},
			samplePkg, "-run", "^$", "-bench", ".", "-benchtime", "5x", "-count", "2")
		results := parseBench(t, out)
		require.ElementsMatch(t, []string{"Loop", "N", "Sizes/size=64", "Sizes/size=1k"}, slices.Collect(maps.Keys(results)), "%s", out)
		for name, rs := range results {
			assert.Len(t, rs, 2, "%s: -count 2", name)
			for _, r := range rs {
				assert.Equal(t, 5, r.Iters, name)
				units := map[string]benchfmt.Value{}
				for _, v := range r.Values {
					units[v.Unit] = v
				}
				// benchfmt tidies ns into sec, as benchstat shows them.
				for unit, want := range map[string]struct {
					orig  string
					class benchunit.Class
				}{
					"sec/op":     {"ns/op", benchunit.Decimal},
					"cpu-sec/op": {"cpu-ns/op", benchunit.Decimal},
					"heap-B/op":  {"", benchunit.Binary},
					"peak-RSS-B": {"", benchunit.Binary},
				} {
					v, ok := units[unit]
					if !assert.True(t, ok, "%s: no %s in %v", name, unit, r.Values) {
						continue
					}
					assert.Equal(t, want.orig, v.OrigUnit, "%s %s", name, unit)
					assert.Equal(t, want.class, benchunit.ClassOf(unit), unit)
				}
				assert.Greater(t, units["cpu-sec/op"].Value, 0.0, name)
				assert.GreaterOrEqual(t, units["heap-B/op"].Value, 0.0, name)
				assert.Greater(t, units["peak-RSS-B"].Value, float64(1<<20), name)
			}
		}

		// b.Loop benchmarks are called once per -count; a b.N benchmark
		// with -benchtime 5x twice (b.N = 1, then 5).
		logs := logsByBenchmark(t, dir)
		wantCalls := map[string]int{"BenchmarkLoop": 2, "BenchmarkN": 4, "BenchmarkSizes/size=64": 2, "BenchmarkSizes/size=1k": 2}
		got := map[string]int{}
		for name, ls := range logs {
			got[name] = len(ls)
		}
		assert.Equal(t, wantCalls, got, "one log per call of a benchmark function")
		for name, ls := range logs {
			var iters []int64
			for _, l := range ls {
				assert.Equal(t, "success", l.Status, name)
				hash, ok := l.Phases.Get("hash")
				require.True(t, ok, "%s: main phase", name)
				n, _ := hash.Fields.Int("iterations")
				iters = append(iters, n)
				assert.True(t, l.Timing.Has("hash_only"), "%s: hash is the main phase", name)
				assert.True(t, l.Metadata.Has("gomaxprocs"), name)
			}
			slices.Sort(iters)
			if name == "BenchmarkN" {
				assert.Equal(t, []int64{1, 1, 5, 5}, iters, name)
			} else {
				assert.Equal(t, []int64{5, 5}, iters, name)
			}
		}
		var phases []string
		for _, p := range logs["BenchmarkLoop"][0].Phases {
			phases = append(phases, p.Name)
		}
		assert.Equal(t, []string{"data_loading", "hash", "check"}, phases)
	})

	t.Run("-benchtrace.logdir", func(t *testing.T) {
		dir := t.TempDir()
		out := goTest(t, nil, samplePkg, "-run", "^$", "-bench", "Loop$", "-benchtime", "3x", "-count", "1",
			"-benchtrace.logdir="+dir)
		require.Len(t, parseBench(t, out)["Loop"], 1)
		logs := logsByBenchmark(t, dir)
		require.Len(t, logs, 1)
		assert.Len(t, logs["BenchmarkLoop"], 1)
	})

	t.Run("no logs unless asked", func(t *testing.T) {
		before := listTree(t, "testdata")
		out := goTest(t, nil, samplePkg, "-run", "^$", "-bench", "Loop$", "-benchtime", "3x", "-count", "1")
		rs := parseBench(t, out)["Loop"]
		require.Len(t, rs, 1)
		_, ok := rs[0].Value("peak-RSS-B")
		assert.True(t, ok, "metrics are reported without logs")
		assert.Equal(t, before, listTree(t, "testdata"), "no log written where go test runs the benchmarks")
	})
}

// listTree lists the files and directories under root.
func listTree(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	require.NoError(t, filepath.WalkDir(root, func(path string, _ os.DirEntry, err error) error {
		paths = append(paths, path)
		return err
	}))
	return paths
}
