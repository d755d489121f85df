package benchlog

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name; on a mismatch it writes got next to
// the golden file as name.actual.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run go test -update")
	if !bytes.Equal(want, got) {
		require.NoError(t, os.WriteFile(path+".actual", got, 0o644))
		t.Errorf("%s differs from golden file; actual output written to %s.actual", name, path)
	}
}

var t0 = time.Date(2026, 11, 22, 13, 45, 1, 123456000, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

var resource = map[string]any{
	semconv.ServiceName:           "benchtrace",
	semconv.HostName:              "bench-01",
	semconv.OSType:                "linux",
	semconv.OSDescription:         "Linux-6.1.0-amd64-x86_64-with-debian-12",
	semconv.ProcessRuntimeName:    "go",
	semconv.ProcessRuntimeVersion: "go1.26.8",
	semconv.HostCPUModelName:      "AMD EPYC 7B13",
	semconv.HostCPUCount:          int64(2),
	semconv.HostMemoryTotal:       int64(25_000_000_000),
	semconv.HostAccelerators:      []string{},
	semconv.VCSRefHeadRevision:    "0123456789abcdef0123456789abcdef01234567",
}

func rootSpan(end float64) *Span {
	s := &Span{
		TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7",
		Name: "resnet20_relu_cifar10", Start: at(0),
		Attributes: map[string]any{
			semconv.BenchmarkName:                "resnet20_relu_cifar10",
			semconv.RunMainPhase:                 "fhe_inference",
			semconv.MetadataConfigFile:           "../configs/resnet.yml",
			semconv.FrameworkVersionKey("orion"): "1.0.2",
			semconv.ModelName:                    "ResNet-20",
			semconv.ModelArchitecture:            "ResNet20",
			semconv.ModelDataset:                 "CIFAR-10",
			semconv.ModelBatchSize:               int64(1),
			semconv.ModelSeed:                    int64(42),
			semconv.ResultMAE:                    0.000123,
			semconv.ResultPrecisionBits:          -math.Log2(0.000123),
			semconv.ResultOutputSample:           []float64{0.124, 0.455},
			semconv.ResultReferenceSample:        []float64{0.123, 0.456},
		},
		Resource: resource,
	}
	if end > 0 {
		s.End = at(end)
	}
	return s
}

func phaseSpan(id, parent, name string, start, end float64) *Span {
	return &Span{
		TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: id, ParentSpanID: parent,
		Name: name, Start: at(start), End: at(end),
		Attributes: map[string]any{
			semconv.PhaseName:             name,
			semconv.BenchmarkName:         "resnet20_relu_cifar10",
			semconv.PhaseDuration:         end - start - 0.000002,
			semconv.PhaseCPUUser:          (end - start) * 0.9,
			semconv.PhaseCPUSystem:        0.01,
			semconv.PhaseCPUChildren:      0.0,
			semconv.PhaseMemoryRSSStart:   int64(50 << 20),
			semconv.PhaseMemoryChange:     int64(1 << 20),
			semconv.PhaseMemoryPeak:       int64(80 << 20),
			semconv.PhaseMemoryPeakSource: "hwm",
			semconv.PhaseGoHeapAlloc:      int64(4096),
			semconv.PhaseGoGCCycles:       int64(1),
		},
		Resource: resource,
	}
}

func seedPhases() []*Span {
	const root = "00f067aa0ba902b7"
	ph := []*Span{
		phaseSpan("0000000000000001", root, "initialization", 0, 0.5),
		phaseSpan("0000000000000002", root, "data_loading", 0.5, 2.8),
		phaseSpan("0000000000000003", root, "fit", 2.8, 8.0),
		phaseSpan("0000000000000004", root, "compile", 8.0, 11.7),
		phaseSpan("0000000000000005", root, "encrypt", 11.7, 12.9),
		phaseSpan("0000000000000006", root, "fhe_inference", 12.9, 58.5),
		phaseSpan("0000000000000007", "0000000000000006", "layer", 12.9, 30),
		phaseSpan("0000000000000008", "0000000000000006", "layer", 30, 58.5),
		phaseSpan("0000000000000009", root, "decrypt", 58.5, 59.3),
	}
	ph[3].Attributes["input_level"] = int64(14)
	return ph
}

func TestAssembleGolden(t *testing.T) {
	failedRoot := rootSpan(20)
	failedRoot.Failed = true
	failedRoot.StatusMessage = "decryption failed"
	failedRoot.Events = []Event{{Name: "exception", Attributes: map[string]any{
		semconv.ExceptionType:       "*errors.errorString",
		semconv.ExceptionMessage:    "decryption failed",
		semconv.ExceptionStacktrace: "goroutine 1 [running]:\nmain.main()",
	}}}
	failedPhases := seedPhases()[:5]
	failedPhases[4].Failed = true
	failedPhases[4].StatusMessage = "decryption failed"

	interrupted := rootSpan(3)
	interrupted.Attributes[semconv.RunStatus] = "interrupted"
	interrupted.Failed = true
	interrupted.StatusMessage = "interrupted by signal terminated"

	nan := rootSpan(59.9)
	nan.Attributes[semconv.ResultMAE] = 0.0
	nan.Attributes[semconv.ResultPrecisionBits] = math.Inf(1)
	nan.Attributes[semconv.ResultPrefix+"nan"] = math.NaN()

	tests := []struct {
		name   string
		root   *Span
		phases []*Span
	}{
		{"success", rootSpan(59.9), seedPhases()},
		{"failed", failedRoot, failedPhases},
		{"running", rootSpan(0), seedPhases()[:3]},
		{"incomplete", nil, seedPhases()[:2]},
		{"interrupted", interrupted, seedPhases()[:2]},
		{"nonfinite", nan, seedPhases()[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Phases arrive in any order.
			shuffled := append([]*Span(nil), tt.phases...)
			for i, j := 0, len(shuffled)-1; i < j; i, j = i+1, j-1 {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			}
			l, err := Assemble(tt.root, shuffled, time.UTC)
			require.NoError(t, err)
			data, err := Encode(l)
			require.NoError(t, err)
			assert.True(t, json.Valid(data), "invalid JSON")
			golden(t, "assemble_"+tt.name+".json", data)

			back, err := Decode(data)
			require.NoError(t, err)
			again, err := Encode(back)
			require.NoError(t, err)
			assert.Equal(t, string(data), string(again), "decode+encode changed the log")
		})
	}
}

func TestAssembleTiming(t *testing.T) {
	l, err := Assemble(rootSpan(59.9), seedPhases(), time.UTC)
	require.NoError(t, err)
	total, _ := l.Timing.Float(KeyTotalDuration)
	assert.InDelta(t, 59.9, total, 1e-9)
	main, ok := l.Timing.Float("fhe_inference_only")
	require.True(t, ok)
	assert.InDelta(t, 45.6, main, 1e-5)
	pre, _ := l.Timing.Float(KeyPreprocessingTotal)
	assert.InDelta(t, 12.9, pre, 1e-4, "top-level phases before fhe_inference")
	// Nested, repeated phases.
	layer2, ok := l.Phases.Get("layer#2")
	require.True(t, ok)
	parent, _ := layer2.Fields.String(KeyParent)
	assert.Equal(t, "fhe_inference", parent)

	// Without a main phase attribute, the longest top-level phase is main.
	root := rootSpan(59.9)
	delete(root.Attributes, semconv.RunMainPhase)
	l, err = Assemble(root, seedPhases(), time.UTC)
	require.NoError(t, err)
	assert.True(t, l.Timing.Has("fhe_inference_only"))
}

func TestAssembleBadInput(t *testing.T) {
	root := rootSpan(10)
	root.Attributes[semconv.ResultMAE] = "not a number"       // allowed: results hold any type
	root.Attributes[semconv.ModelPrefix] = "empty key"        // reported
	root.Attributes[semconv.RunMainPhase] = int64(3)          // reported, main phase derived
	root.Attributes[semconv.ModelPrefix+"weird"] = struct{}{} // reported, left out
	p := phaseSpan("0000000000000001", root.SpanID, "fit", 1, 2)
	p.Attributes[semconv.PhaseDuration] = "slow" // reported, span times used
	p.Attributes[semconv.PhaseMemoryPeak] = 1.5  // reported, left out
	p.Attributes["status"] = "user value"        // kept as attr.status
	noName := &Span{SpanID: "0000000000000002", ParentSpanID: root.SpanID, Start: at(2), End: at(3),
		Attributes: map[string]any{semconv.PhaseName: ""}}

	l, err := Assemble(root, []*Span{p, noName}, time.UTC)
	require.Error(t, err)
	for _, want := range []string{"benchtrace.run.main_phase", "benchtrace.phase.duration", "benchtrace.phase.memory.peak", "unsupported type", "has no name", "empty key"} {
		assert.Contains(t, err.Error(), want)
	}
	fit, ok := l.Phases.Get("fit")
	require.True(t, ok)
	d, _ := fit.Fields.Float(KeyDuration)
	assert.InDelta(t, 1.0, d, 1e-9)
	assert.False(t, fit.Fields.Has(KeyPeakRSS))
	s, _ := fit.Fields.String("attr.status")
	assert.Equal(t, "user value", s)
	st, _ := fit.Fields.String(KeyStatus)
	assert.Equal(t, "success", st)
	_, ok = l.Phases.Get("unnamed")
	assert.True(t, ok)
	assert.Equal(t, "success", l.Status)
	data, err := Encode(l)
	require.NoError(t, err)
	assert.True(t, json.Valid(data))
}

// TestRepeatedPhaseNamesNeverCollide: a name a producer chose that looks
// like a generated one ("step#2") keeps its entry; before, the second "step"
// overwrote it and one phase was lost.
func TestRepeatedPhaseNamesNeverCollide(t *testing.T) {
	const root = "00f067aa0ba902b7"
	phases := []*Span{
		phaseSpan("0000000000000001", root, "step#2", 0, 1),
		phaseSpan("0000000000000002", root, "step", 1, 2),
		phaseSpan("0000000000000003", root, "step", 2, 3),
		phaseSpan("0000000000000004", root, "step", 3, 4),
	}
	l, err := Assemble(rootSpan(5), phases, time.UTC)
	require.NoError(t, err)
	var names []string
	for _, p := range l.Phases {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"step#2", "step", "step#3", "step#4"}, names)
	only, _ := l.Timing.Float("fhe_inference_only")
	assert.Zero(t, only)
}

// TestErrorTextIsTheSameFromEverySDK: Python's SDK puts "Type: message" in
// the status and every SDK adds exception.stacktrace; a phase's error is the
// exception's message alone, a run's error is followed by the stack.
func TestErrorTextIsTheSameFromEverySDK(t *testing.T) {
	exc := []Event{{Name: semconv.ExceptionEventName, Attributes: map[string]any{
		semconv.ExceptionType:       "RuntimeError",
		semconv.ExceptionMessage:    "decryption failed",
		semconv.ExceptionStacktrace: "Traceback (most recent call last):\n  File \"bench.py\", line 3",
	}}}
	root := rootSpan(5)
	root.Failed, root.StatusMessage, root.Events = true, "RuntimeError: decryption failed", exc
	ph := phaseSpan("0000000000000001", root.SpanID, "decrypt", 0, 1)
	ph.Failed, ph.StatusMessage, ph.Events = true, "RuntimeError: decryption failed", exc
	l, err := Assemble(root, []*Span{ph}, time.UTC)
	require.NoError(t, err)
	msg, _ := l.Phases[0].Fields.String(KeyError)
	assert.Equal(t, "decryption failed", msg)
	assert.Equal(t, "decryption failed\n\nTraceback (most recent call last):\n  File \"bench.py\", line 3", l.Error)
}

func TestRuntimeNameMapping(t *testing.T) {
	for runtime, key := range map[string]string{"cpython": "python_version", "nodejs": "node_version", "go": "go_version", "": "runtime_version", "My VM": "my_vm_version"} {
		root := rootSpan(1)
		root.Resource = map[string]any{semconv.ProcessRuntimeName: runtime, semconv.ProcessRuntimeVersion: "1.2.3"}
		if runtime == "" {
			delete(root.Resource, semconv.ProcessRuntimeName)
		}
		l, err := Assemble(root, nil, time.UTC)
		require.NoError(t, err)
		v, _ := l.Metadata.String(key)
		assert.Equal(t, "1.2.3", v, runtime)
	}
}

// TestDerivedSumsAreRounded: sums of durations carry no float noise.
func TestDerivedSumsAreRounded(t *testing.T) {
	const root = "00f067aa0ba902b7"
	durations := []float64{0.1, 0.2, 1.3130707060000001, 3.2}
	var phases []*Span
	at := 0.0
	for i, d := range durations {
		p := phaseSpan(fmt.Sprintf("%016x", i+1), root, "fhe_inference", at, at+d)
		p.Attributes[semconv.PhaseDuration] = d
		phases = append(phases, p)
		at += d
	}
	l, err := Assemble(rootSpan(10), phases, time.UTC)
	require.NoError(t, err)
	only, _ := l.Timing.Float("fhe_inference_only")
	assert.Equal(t, 4.813070706, only)
}

// TestRunTotalsInTiming: the run's own totals, from the root, go to timing.
func TestRunTotalsInTiming(t *testing.T) {
	root := rootSpan(5)
	root.Attributes[semconv.RunCPUUser] = 0.2
	root.Attributes[semconv.RunCPUSystem] = 0.01
	root.Attributes[semconv.RunMemoryPeak] = int64(300 << 20)
	root.Attributes[semconv.RunMemoryChildrenPeak] = int64(200 << 20)
	l, err := Assemble(root, nil, time.UTC)
	require.NoError(t, err)
	for key, want := range map[string]float64{KeyCPUUser: 0.2, KeyCPUSystem: 0.01, KeyPeakRSS: 300 << 20, KeyChildPeakRSS: 200 << 20} {
		got, ok := l.Timing.Float(key)
		assert.True(t, ok, key)
		assert.Equal(t, want, got, key)
	}
}

// TestSenderCannotSpoofOrCorrupt: attributes cannot duplicate the keys the
// writer owns, well-known results and model keys of the wrong type are left
// out, impossible times give no negative durations, and a span without an
// ID sent twice is kept once. Each is reported.
func TestSenderCannotSpoofOrCorrupt(t *testing.T) {
	root := rootSpan(10)
	for _, k := range []string{"run_id", "benchmark_name", "hostname", "timestamp_start"} {
		root.Attributes[semconv.MetadataPrefix+k] = "spoofed"
	}
	root.Attributes[semconv.ResultMAE] = true
	root.Attributes[semconv.ResultPrecisionBits] = []int64{1, 2, 3}
	root.Attributes[semconv.ModelBatchSize] = "lots"
	root.Attributes[semconv.ModelSeed] = float64(7)

	const rootID = "00f067aa0ba902b7"
	backwards := phaseSpan("0000000000000001", rootID, "backwards", 3, 1)
	overflow := phaseSpan("0000000000000002", rootID, "overflow", 4, 5)
	overflow.End = time.Unix(0, -1) // 2^64-1 ns read as a signed count
	noID := phaseSpan("", rootID, "retried", 5, 6)
	noIDCopy := phaseSpan("", rootID, "retried", 5, 6)

	l, err := Assemble(root, []*Span{backwards, overflow, noID, noIDCopy}, time.UTC)
	require.Error(t, err)
	for _, want := range []string{"metadata.run_id", "results.mae", "results.precision_bits", "model.batch_size", "before it starts", "not plausible", "received twice"} {
		assert.Contains(t, err.Error(), want)
	}

	data, err := Encode(l)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "spoofed")
	for _, obj := range []Object{l.Metadata, l.Model, l.Results, l.Timing} {
		seen := map[string]bool{}
		for _, f := range obj {
			assert.False(t, seen[f.Key], "duplicate key %q", f.Key)
			seen[f.Key] = true
		}
	}
	assert.False(t, l.Results.Has("mae"))
	assert.False(t, l.Results.Has("precision_bits"))
	bs, _ := l.Model.Get("batch_size")
	assert.Nil(t, bs, "a wrong batch_size is left out (null, as when unset)")
	seed, _ := l.Model.Get("seed")
	assert.Equal(t, int64(7), seed)

	require.Len(t, l.Phases, 3)
	for _, p := range l.Phases {
		d, _ := p.Fields.Float(KeyDuration)
		assert.GreaterOrEqual(t, d, 0.0, p.Name)
		assert.Less(t, d, 10.0, p.Name)
	}
}
