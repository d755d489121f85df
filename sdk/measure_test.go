package sdk_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/benchtrace/benchtrace/sdk"
)

// TestChildPeakRSS: a phase that runs a child process of known size records
// the child's peak under its own key; the process's own peak does not
// include it. Before, the phase said nothing of the 200 MiB child.
func TestChildPeakRSS(t *testing.T) {
	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
	require.NoError(t, err)
	run := bt.Start(context.Background(), "child_peak")
	require.NoError(t, run.Phase("spawn", func(context.Context) error {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=touch")
		return cmd.Run()
	}))
	run.End(nil)
	require.NoError(t, bt.Shutdown(context.Background()))

	l := onlyLog(t, dir)
	child := field[float64](t, l.Phases[0].Fields, "children_peak_rss_bytes")
	assert.GreaterOrEqual(t, child, float64(200<<20))
	assert.Less(t, field[float64](t, l.Phases[0].Fields, "peak_rss_bytes"), child, "the process's own peak excludes the child")
	assert.GreaterOrEqual(t, field[float64](t, l.Timing, "children_peak_rss_bytes"), float64(200<<20))
}

// TestRunTotalsCountOverlapOnce: two phases that overlap each burn CPU; the
// run's own CPU total counts it once, and analyze can use it instead of
// the sum of the phases, which counted it twice.
func TestRunTotalsCountOverlapOnce(t *testing.T) {
	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
	require.NoError(t, err)
	run := bt.Start(context.Background(), "overlap")
	a, b := run.StartPhase("a"), run.StartPhase("b")
	var wg sync.WaitGroup
	wg.Go(func() { burn(200_000) })
	wg.Wait()
	b.End(nil)
	a.End(nil)
	run.End(nil)
	require.NoError(t, bt.Shutdown(context.Background()))

	l := onlyLog(t, dir)
	total := field[float64](t, l.Timing, "cpu_user_seconds") + field[float64](t, l.Timing, "cpu_system_seconds")
	var sum float64
	for _, p := range l.Phases {
		sum += field[float64](t, p.Fields, "cpu_user_seconds") + field[float64](t, p.Fields, "cpu_system_seconds")
	}
	assert.Greater(t, sum, 1.5*total, "the phases double-count the shared work")
	assert.Greater(t, total, 0.0)
	assert.True(t, l.Timing.Has("peak_rss_bytes"))
}

// TestOverlappingRunsMarkTheirPhases: phases measured while another run was
// open say so; a run alone does not.
func TestOverlappingRunsMarkTheirPhases(t *testing.T) {
	dir := t.TempDir()
	bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
	require.NoError(t, err)
	alone := bt.Start(context.Background(), "alone")
	require.NoError(t, alone.Phase("p", func(context.Context) error { return nil }))
	alone.End(nil)

	x := bt.Start(context.Background(), "x")
	px := x.StartPhase("p")
	y := bt.Start(context.Background(), "y") // starts and ends inside x's phase
	require.NoError(t, y.Phase("p", func(context.Context) error { return nil }))
	y.End(nil)
	px.End(nil)
	x.End(nil)
	require.NoError(t, bt.Shutdown(context.Background()))

	overlapped := map[string]bool{}
	for _, l := range logs(t, dir) {
		name, _ := l.Metadata.String("benchmark_name")
		overlapped[name] = l.Phases[0].Fields.Has("overlapped")
	}
	assert.Equal(t, map[string]bool{"alone": false, "x": true, "y": true}, overlapped)
}

// TestCallsAfterEndWriteNothing: a phase, attribute or accuracy recorded
// after End or Interrupt changes nothing; before, a late phase made a second
// log with status "incomplete".
func TestCallsAfterEndWriteNothing(t *testing.T) {
	for _, interrupt := range []bool{false, true} {
		dir := t.TempDir()
		bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
		require.NoError(t, err)
		run := bt.Start(context.Background(), "late")
		require.NoError(t, run.Phase("fit", func(context.Context) error { return nil }))
		if interrupt {
			bt.Interrupt("stop")
		} else {
			run.End(nil)
		}
		before, err := os.ReadFile(onlyLogPath(t, dir))
		require.NoError(t, err)

		ran := false
		require.NoError(t, run.Phase("late", func(ctx context.Context) error {
			ran = true
			sdk.PhaseFromContext(ctx).SetAttributes(attribute.Int("x", 1))
			return nil
		}))
		run.StartPhase("late2").End(nil)
		run.SetAttributes(attribute.String("benchtrace.metadata.late", "yes"))
		_, _ = run.RecordAccuracy([]float64{1}, []float64{1.5})
		run.End(nil)
		require.NoError(t, bt.Shutdown(context.Background()))

		assert.True(t, ran, "Phase still runs its function")
		after, err := os.ReadFile(onlyLogPath(t, dir))
		require.NoError(t, err)
		assert.Equal(t, string(before), string(after))
	}
}

func onlyLogPath(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one log")
	return files[0]
}

// TestPeakRSSOptOut: BENCHTRACE_PEAK_RSS=sampled leaves the kernel's
// high-water mark alone (which /usr/bin/time and a parent's getrusage read)
// and samples instead.
func TestPeakRSSOptOut(t *testing.T) {
	for env, want := range map[string]string{"": "hwm", "sampled": "sampled"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=peak-source", "BENCHTRACE_PEAK_RSS="+env)
		out, err := cmd.Output()
		require.NoError(t, err)
		assert.Equal(t, want, strings.TrimSpace(string(out)), "BENCHTRACE_PEAK_RSS=%q", env)
	}
}

// TestInterruptRacesPhaseStart: phases starting on one goroutine while
// another interrupts the run; a phase registered with its run before its
// interval existed once made Interrupt panic.
func TestInterruptRacesPhaseStart(t *testing.T) {
	for range 20 {
		dir := t.TempDir()
		bt, err := sdk.New(context.Background(), sdk.WithLogDir(dir))
		require.NoError(t, err)
		run := bt.Start(context.Background(), "race")
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 200 {
				run.StartPhase("p").End(nil)
			}
		}()
		bt.Interrupt("stop")
		<-done
		require.NoError(t, bt.Shutdown(context.Background()))
		l := onlyLog(t, dir)
		assert.Equal(t, "interrupted", l.Status)
	}
}
