package sdk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/sdk"
)

func TestProfileRecordsThreePhases(t *testing.T) {
	bt, dir := newBT(t)
	var data []byte
	var steps []string
	p := bt.Profile(context.Background(), "cluster_embeddings", sdk.Operator{
		Init: func(ctx context.Context) error {
			steps = append(steps, sdk.PhaseFromContext(ctx).Name())
			data = make([]byte, 32<<20)
			for i := 0; i < len(data); i += 4096 {
				data[i] = 1
			}
			return nil
		},
		Run: func(ctx context.Context) error {
			steps = append(steps, sdk.PhaseFromContext(ctx).Name())
			burn(200_000)
			return nil
		},
		Cleanup: func(ctx context.Context) error {
			steps = append(steps, sdk.PhaseFromContext(ctx).Name())
			data = nil
			return nil
		},
	}, sdk.WithModel(sdk.Model{Name: "kmeans", Dataset: "embeddings-512"}))

	require.NoError(t, p.Err)
	assert.True(t, p.Success)
	assert.Equal(t, "cluster_embeddings", p.Name)
	assert.Equal(t, []string{"initialization", "execution", "cleanup"}, steps, "each step runs in its own phase")
	for name, d := range map[string]struct{ wall, peak bool }{
		"initialization": {p.Initialization.Wall > 0, p.Initialization.PeakRSS > 0},
		"execution":      {p.Execution.Wall > 0, p.Execution.PeakRSS > 0},
		"cleanup":        {p.Cleanup.Wall > 0, p.Cleanup.PeakRSS > 0},
	} {
		assert.True(t, d.wall, "%s wall time", name)
		assert.True(t, d.peak, "%s peak RSS", name)
	}
	assert.Greater(t, p.Execution.CPUUser, 10*time.Millisecond, "the execution burned CPU")
	assert.GreaterOrEqual(t, p.Initialization.HeapAlloc, uint64(32<<20), "the initialization allocated 32 MiB")
	assert.GreaterOrEqual(t, p.Initialization.PeakRSS, p.Initialization.RSSStart+16<<20, "and touched it")

	l := onlyLog(t, dir)
	assert.Equal(t, "success", l.Status)
	assert.Equal(t, p.RunID, field[string](t, l.Metadata, "run_id"))
	assert.Equal(t, "kmeans", field[string](t, l.Model, "name"))
	var names []string
	for _, ph := range l.Phases {
		names = append(names, ph.Name)
	}
	assert.Equal(t, []string{"initialization", "execution", "cleanup"}, names)
	exec, _ := l.Phases.Get("execution")
	assert.InDelta(t, p.Execution.Wall.Seconds(), field[float64](t, exec.Fields, "duration_seconds"), 1e-9)
	assert.Equal(t, float64(p.Execution.PeakRSS), field[float64](t, exec.Fields, "peak_rss_bytes"))
	assert.Equal(t, field[float64](t, exec.Fields, "duration_seconds"), field[float64](t, l.Timing, "execution_only"),
		"execution is the main phase")
	assert.Equal(t, p.Initialization.Wall.Seconds(), field[float64](t, l.Timing, "preprocessing_total"))
}

func TestProfileFailures(t *testing.T) {
	errInit, errRun, errCleanup := errors.New("no model"), errors.New("bad input"), errors.New("close failed")
	ok := func(context.Context) error { return nil }
	fail := func(err error) func(context.Context) error { return func(context.Context) error { return err } }
	tests := []struct {
		name       string
		op         sdk.Operator
		wantErrs   []error
		wantPhases map[string]string // phase → status
		wantRunErr string            // in the run's log error
	}{
		{
			name:       "init fails: nothing else runs",
			op:         sdk.Operator{Init: fail(errInit), Run: ok, Cleanup: ok},
			wantErrs:   []error{errInit},
			wantPhases: map[string]string{"initialization": "failed"},
			wantRunErr: "no model",
		},
		{
			name:       "run fails: cleanup still runs",
			op:         sdk.Operator{Init: ok, Run: fail(errRun), Cleanup: ok},
			wantErrs:   []error{errRun},
			wantPhases: map[string]string{"initialization": "success", "execution": "failed", "cleanup": "success"},
			wantRunErr: "bad input",
		},
		{
			name:       "cleanup fails",
			op:         sdk.Operator{Run: ok, Cleanup: fail(errCleanup)},
			wantErrs:   []error{errCleanup},
			wantPhases: map[string]string{"execution": "success", "cleanup": "failed"},
			wantRunErr: "close failed",
		},
		{
			name:       "run and cleanup fail: both errors",
			op:         sdk.Operator{Run: fail(errRun), Cleanup: fail(errCleanup)},
			wantErrs:   []error{errRun, errCleanup},
			wantPhases: map[string]string{"execution": "failed", "cleanup": "failed"},
			wantRunErr: "bad input\nclose failed",
		},
		{
			name: "run panics: recovered, with its stack",
			op: sdk.Operator{Run: func(context.Context) error {
				var m map[string]int
				m["x"] = 1
				return nil
			}},
			wantPhases: map[string]string{"execution": "failed"},
			wantRunErr: "profile_test.go",
		},
		{
			name:       "only run",
			op:         sdk.Operator{Run: ok},
			wantPhases: map[string]string{"execution": "success"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bt, dir := newBT(t)
			p := bt.Profile(context.Background(), "op", tt.op)
			l := onlyLog(t, dir)
			got := map[string]string{}
			for _, ph := range l.Phases {
				got[ph.Name] = field[string](t, ph.Fields, "status")
			}
			assert.Equal(t, tt.wantPhases, got)
			if tt.wantRunErr == "" {
				assert.NoError(t, p.Err)
				assert.True(t, p.Success)
				assert.Equal(t, "success", l.Status)
				return
			}
			require.Error(t, p.Err)
			assert.False(t, p.Success)
			assert.Equal(t, "failed", l.Status)
			assert.Contains(t, l.Error, tt.wantRunErr)
			for _, want := range tt.wantErrs {
				assert.ErrorIs(t, p.Err, want)
			}
			if _, ran := tt.wantPhases["cleanup"]; !ran {
				assert.Zero(t, p.Cleanup, "no cleanup measured")
			}
			if tt.wantErrs == nil {
				var pe *sdk.PanicError
				assert.ErrorAs(t, p.Err, &pe)
			}
		})
	}
}

func TestProfileWithoutRun(t *testing.T) {
	bt, dir := newBT(t)
	initRan := false
	p := bt.Profile(context.Background(), "nothing", sdk.Operator{Init: func(context.Context) error { initRan = true; return nil }})
	require.Error(t, p.Err)
	assert.Contains(t, p.Err.Error(), `profiling "nothing": operator has no Run function`)
	assert.False(t, p.Success)
	assert.False(t, initRan)
	assert.Empty(t, p.RunID)
	assert.Empty(t, logs(t, dir), "nothing is recorded")
}
