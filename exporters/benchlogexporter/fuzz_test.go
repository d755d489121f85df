package benchlogexporter

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// checkSpanToLog consumes td into a fresh exporter and checks that nothing
// failed and that every file written is a valid run log, safely named, in
// the log directory.
func checkSpanToLog(t *testing.T, td ptrace.Traces, maxBytes int) {
	e := newTestExporter(t, "", func(c *Config) {
		c.MaxAttributeBytes = maxBytes
		c.MaxSpansPerRun = 50
		c.MaxPendingRuns = 3
	})
	require.NoError(t, e.ConsumeTraces(context.Background(), td))
	require.NoError(t, e.Shutdown(context.Background()))
	require.Zero(t, counter(t, e, "otelcol_exporter_benchlog_errors"), "no write failed, nothing panicked")

	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	for _, ent := range entries {
		name := ent.Name()
		if name == walDirName {
			continue
		}
		require.True(t, strings.HasSuffix(name, ".json"), "only logs in the directory: %q", name)
		require.False(t, strings.HasPrefix(name, "."), name)
		require.LessOrEqual(t, len(name), 160, name)
		data, err := os.ReadFile(filepath.Join(e.dir, name))
		require.NoError(t, err)
		require.True(t, json.Valid(data), "valid JSON: %s", data)
		l, err := benchlog.Decode(data)
		require.NoError(t, err)
		// "running": a root span without an end time.
		require.Contains(t, []string{semconv.StatusSuccess, semconv.StatusFailed, semconv.StatusInterrupted, semconv.StatusIncomplete, semconv.StatusRunning}, l.Status)
	}
}

// FuzzSpanToLog builds a run from fuzzed names and attribute values of every
// OTLP type, on benchtrace's own keys and on user keys, and runs it through
// the exporter: conversion, benchlog.Assemble, benchlog.Encode and the file
// writer. Plain `go test` runs the seed corpus.
func FuzzSpanToLog(f *testing.F) {
	f.Add("resnet20", "fit", "input_level", "hwm", int64(14), 0.5, []byte{1, 2}, uint8(0), uint16(4096), uint64(0))
	f.Add("../x", "", semconv.PhaseDuration, "", int64(-1), math.NaN(), []byte(nil), uint8(1), uint16(16), uint64(1))
	f.Add("a\x00b", "p\x00", semconv.BenchmarkName, "\xff\xfe", int64(math.MaxInt64), math.Inf(-1), []byte("x"), uint8(2), uint16(17), uint64(math.MaxUint64))
	f.Add(strings.Repeat("n", 10_000), strings.Repeat("é", 3000), semconv.PhaseName, strings.Repeat("v", 5000), int64(math.MinInt64), -0.0, []byte{}, uint8(3), uint16(64), uint64(1)<<63)
	f.Add("", "fit", semconv.RunStatus, "exploded", int64(0), 1e308, []byte{0}, uint8(4), uint16(100), uint64(12345))
	f.Add(".", "fit#2", semconv.ResultPrefix, "", int64(3), 3.0, []byte{}, uint8(5), uint16(4096), uint64(0))
	f.Add("bench", "fit", semconv.HostAccelerators, "nvidia:", int64(1), 2.0, []byte{9}, uint8(6), uint16(4096), uint64(0))
	f.Add("bench", "fit", semconv.RunMainPhase, "fit", int64(2), 0.0, []byte{9}, uint8(7), uint16(4096), uint64(0))

	f.Fuzz(func(t *testing.T, bench, phase, key, sval string, ival int64, fval float64, raw []byte, shape uint8, maxBytes uint16, ts uint64) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		putFuzzAttrs(rs.Resource().Attributes(), key, sval, ival, fval, raw, shape)
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		tid := pcommon.TraceID{1, 2, 3, byte(shape)}
		root := pcommon.SpanID{1}
		start := pcommon.Timestamp(ts)

		// Up to three phases, with parents that may or may not exist.
		for i := 0; i < int(shape%4); i++ {
			s := spans.AppendEmpty()
			s.SetTraceID(tid)
			s.SetSpanID(pcommon.SpanID{2, byte(i)})
			s.SetParentSpanID(pcommon.SpanID{byte(i), byte(shape)})
			s.SetName(phase)
			s.SetStartTimestamp(start + pcommon.Timestamp(i))
			s.SetEndTimestamp(start + pcommon.Timestamp(ival))
			s.Attributes().PutStr(semconv.PhaseName, phase)
			s.Attributes().PutStr(semconv.BenchmarkName, bench)
			putFuzzAttrs(s.Attributes(), key, sval, ival, fval, raw, shape+uint8(i))
			if shape&8 != 0 {
				s.Status().SetCode(ptrace.StatusCodeError)
				s.Status().SetMessage(sval)
				ev := s.Events().AppendEmpty()
				ev.SetName(semconv.ExceptionEventName)
				putFuzzAttrs(ev.Attributes(), semconv.ExceptionMessage, sval, ival, fval, raw, shape)
			}
		}
		if shape&16 == 0 {
			s := spans.AppendEmpty()
			s.SetTraceID(tid)
			s.SetSpanID(root)
			s.SetName(bench)
			s.SetStartTimestamp(start)
			s.SetEndTimestamp(pcommon.Timestamp(uint64(ival)))
			s.Attributes().PutStr(semconv.BenchmarkName, bench)
			putFuzzAttrs(s.Attributes(), key, sval, ival, fval, raw, shape>>2)
		}
		checkSpanToLog(t, td, max(int(maxBytes), 16))
	})
}

// putFuzzAttrs puts one value of the type shape selects at key, and the
// same fuzzed values at some of benchtrace's keys.
func putFuzzAttrs(m pcommon.Map, key, sval string, ival int64, fval float64, raw []byte, shape uint8) {
	switch shape % 8 {
	case 0:
		m.PutStr(key, sval)
	case 1:
		m.PutInt(key, ival)
	case 2:
		m.PutDouble(key, fval)
	case 3:
		m.PutBool(key, ival%2 == 0)
	case 4:
		m.PutEmptyBytes(key).FromRaw(raw)
	case 5:
		s := m.PutEmptySlice(key)
		s.AppendEmpty().SetStr(sval)
		s.AppendEmpty().SetDouble(fval)
	case 6:
		s := m.PutEmptySlice(key)
		for range min(len(raw), 64) {
			s.AppendEmpty().SetDouble(fval)
		}
	case 7:
		mm := m.PutEmptyMap(key)
		mm.PutStr(sval, sval)
		mm.PutEmptyMap("nested").PutInt("i", ival)
	}
	m.PutDouble(semconv.ResultMAE, fval)
	m.PutInt(semconv.PhaseMemoryPeak, ival)
	m.PutDouble(semconv.PhaseDuration, fval)
	m.PutEmpty("empty")
}

// FuzzConsumeOTLP feeds arbitrary OTLP protobuf requests to the exporter.
func FuzzConsumeOTLP(f *testing.F) {
	marshal := func(td ptrace.Traces) []byte {
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	run := newTestRun(1, "resnet20")
	f.Add(marshal(batch(fullRun(run)...)))
	f.Add(marshal(batch(fullRun(run)[3:7]...)))
	f.Add(marshal(run.root(-time.Hour, map[string]any{semconv.RunStatus: semconv.StatusInterrupted})))
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x02, 0x0a, 0x00})

	f.Fuzz(func(t *testing.T, data []byte) {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			return
		}
		checkSpanToLog(t, td, 256)
	})
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{"éé", 3, "é"},
		{"éé", 1, ""},
		{"\xff\xff\xff", 2, "\xff\xff"},
	} {
		assert.Equal(t, tt.want, cut(tt.s, tt.n), "%q %d", tt.s, tt.n)
	}
}
