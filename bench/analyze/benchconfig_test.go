package analyze_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/perf/benchfmt"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// TestWriteBenchReadByBenchfmt reads the .bench export with
// golang.org/x/perf/benchfmt, the reader of benchstat: every line parses,
// each result carries its run's configuration (goos, goarch, cpu, commit)
// and the units benchstat knows.
func TestWriteBenchReadByBenchfmt(t *testing.T) {
	runs := loadAll(t)
	var out bytes.Buffer
	require.NoError(t, analyze.WriteBench(&out, runs, analyze.Options{}))

	// The successful runs in the order of the export, to match results
	// with: a run's line comes first, its phases' after.
	byName := map[string][]analyze.Run{}
	for _, r := range runs {
		if r.Outcome == analyze.Success {
			byName[r.Name] = append(byName[r.Name], r)
		}
	}

	rd := benchfmt.NewReader(&out, "export.bench")
	results, runLines := 0, 0
	configs := map[string]map[string]bool{}
	for rd.Scan() {
		switch rec := rd.Result(); rec := rec.(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			results++
			base, parts := rec.Name.Parts() // the reader drops "Benchmark"
			require.Contains(t, []string{"Resnet20_relu_cifar10", "Gemm"}, string(base))
			if len(parts) == 0 {
				runLines++
			} else {
				assert.True(t, strings.HasPrefix(string(parts[0]), "/phase="), "%s", rec.Name)
			}
			assert.Equal(t, 1, rec.Iters)
			require.NotEmpty(t, rec.Values)
			assert.Equal(t, "sec/op", rec.Values[0].Unit, "ns/op, tidied to seconds")
			for _, k := range []string{"goos", "goarch", "cpu", "commit"} {
				if configs[k] == nil {
					configs[k] = map[string]bool{}
				}
				configs[k][rec.GetConfig(k)] = true
			}
		}
	}
	require.NoError(t, rd.Err())
	assert.Greater(t, results, runLines)
	n := 0
	for _, rs := range byName {
		n += len(rs)
	}
	assert.Equal(t, n, runLines, "a line per successful run")

	// The fixtures: gemm on an arm64 Neoverse-V2 at one commit, the others
	// on AMD EPYC at another, and Python logs without either.
	assert.Equal(t, map[string]bool{"linux": true}, configs["goos"], "the Python log's platform too")
	assert.Contains(t, configs["goarch"], "arm64")
	assert.Equal(t, map[string]bool{"Neoverse-V2": true, "AMD EPYC 7B13": true, "": true}, configs["cpu"])
	assert.Contains(t, configs["commit"], "89abcdef0123456789abcdef0123456789abcdef")
	assert.Contains(t, configs["commit"], "0123456789abcdef0123456789abcdef01234567")
}

// TestWriteBenchConfigLines checks that a configuration line is written
// only where a run's value differs from the one before, and unset where a
// run has none.
func TestWriteBenchConfigLines(t *testing.T) {
	run := func(name, cpu, commit string) analyze.Run {
		l := &benchlog.Log{Status: "success"}
		l.Metadata.Set(benchlog.KeyBenchmarkName, name)
		l.Metadata.Set(benchlog.KeyPlatform, "Linux-6.8.0-x86_64-with-glibc2.39")
		if cpu != "" {
			l.Metadata.Set(benchlog.KeyCPUModel, cpu)
		}
		if commit != "" {
			l.Metadata.Set(benchlog.KeyGitCommit, commit)
		}
		l.Timing.Set(benchlog.KeyTotalDuration, 1.5)
		return analyze.NewRun(name+".json", l)
	}
	var out bytes.Buffer
	require.NoError(t, analyze.WriteBench(&out, []analyze.Run{
		run("a", "Xeon  Gold\t6338", "c1"), run("b", "Xeon  Gold\t6338", "c2"), run("c", "", "c2"),
	}, analyze.Options{}))
	assert.Equal(t, `# benchtrace analyze: the successful runs, one line per run and per phase; benchstat reads it.
goos: linux
goarch: amd64
cpu: Xeon Gold 6338
commit: c1
BenchmarkA 1 1500000000 ns/op
commit: c2
BenchmarkB 1 1500000000 ns/op
cpu:
BenchmarkC 1 1500000000 ns/op
`, out.String())
}
