package benchlogexporter

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// The run table is tested alone: no files, no clock, no telemetry.

func newTable(maxPending, maxWritten, maxSpans int, checkpoints bool) *runTable {
	return newRunTable(&Config{MaxPendingRuns: maxPending, MaxWrittenRuns: maxWritten, MaxSpansPerRun: maxSpans, Checkpoints: checkpoints, MaxHeldBytes: 1 << 40})
}

// tid is the trace ID of run name (one letter).
func tid(name string) pcommon.TraceID { return pcommon.TraceID{15: name[0]} }

func names(rs []*run) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, string(r.id[15]))
	}
	return out
}

// lists returns the pending and written runs, most recently active first.
func (t *runTable) lists() (pending, written []string) {
	pending, written = []string{}, []string{}
	for el := t.pending.Front(); el != nil; el = el.Next() {
		pending = append(pending, string(el.Value.(*run).id[15]))
	}
	for el := t.written.Front(); el != nil; el = el.Next() {
		written = append(written, string(el.Value.(*run).id[15]))
	}
	return pending, written
}

var tt0 = time.Date(2025, 1, 9, 12, 0, 0, 0, time.UTC)

func at(s int) time.Time { return tt0.Add(time.Duration(s) * time.Second) }

func TestRunTableOpen(t *testing.T) {
	type open struct {
		run      string
		at       int
		endBatch bool // after this open
	}
	tests := []struct {
		name        string
		maxPending  int
		opens       []open
		wantPending []string
		wantWritten []string
		wantBatch   []string
	}{
		{
			name:        "new runs are pending, most recent first",
			maxPending:  3,
			opens:       []open{{"a", 1, false}, {"b", 2, false}, {"c", 3, false}},
			wantPending: []string{"c", "b", "a"},
			wantWritten: []string{},
			wantBatch:   []string{"a", "b", "c"},
		},
		{
			name:        "activity moves a run to the front",
			maxPending:  3,
			opens:       []open{{"a", 1, false}, {"b", 2, false}, {"a", 3, false}},
			wantPending: []string{"a", "b"},
			wantWritten: []string{},
			wantBatch:   []string{"a", "b"},
		},
		{
			name:        "an earlier time does not move it back",
			maxPending:  3,
			opens:       []open{{"a", 5, false}, {"b", 6, false}, {"a", 1, false}},
			wantPending: []string{"b", "a"},
			wantWritten: []string{},
			wantBatch:   []string{"a", "b"},
		},
		{
			name:        "open never evicts, beyond max_pending_runs too",
			maxPending:  1,
			opens:       []open{{"a", 1, true}, {"b", 2, false}, {"c", 3, false}},
			wantPending: []string{"c", "b", "a"},
			wantWritten: []string{},
			wantBatch:   []string{"b", "c"},
		},
		{
			name:        "a written run is found, not created again",
			maxPending:  1,
			opens:       []open{{"a", 1, true}, {"b", 2, true}, {"a", 3, false}},
			wantPending: []string{"a", "b"},
			wantWritten: []string{},
			wantBatch:   []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(tt.maxPending, 10, 10, true)
			for _, o := range tt.opens {
				r := tb.open(tid(o.run), at(o.at))
				require.Equal(t, tid(o.run), r.id)
				if o.endBatch {
					tb.endBatch()
				}
			}
			pending, written := tb.lists()
			assert.Equal(t, tt.wantPending, pending, "pending")
			assert.Equal(t, tt.wantWritten, written, "written")
			assert.ElementsMatch(t, tt.wantBatch, names(tb.batch), "batch")
		})
	}
}

// evict: only runs still waiting for their root count against
// max_pending_runs, and the least recently active of them goes first, so a
// burst of short runs (root and phases in one batch) never pushes out runs
// in flight, and a run still receiving spans is never cut while an older
// idle one remains (issue: "A burst never splits someone else's run").
func TestRunTableEvict(t *testing.T) {
	type span struct {
		run  string
		at   int
		root bool
	}
	tests := []struct {
		name        string
		maxPending  int
		maxBytes    int64
		before      []span // earlier batches
		batch       []span
		wantEvicted []string
		wantReasons []string
		wantPending []string
	}{
		{
			name:        "within max_pending_runs: none",
			maxPending:  2,
			batch:       []span{{"a", 1, false}, {"b", 2, false}},
			wantEvicted: []string{}, wantPending: []string{"b", "a"},
		},
		{
			name:        "beyond it: the least recently active",
			maxPending:  2,
			before:      []span{{"a", 1, false}, {"b", 2, false}},
			batch:       []span{{"c", 3, false}},
			wantEvicted: []string{"a"}, wantReasons: []string{reasonPendingLimit}, wantPending: []string{"c", "b"},
		},
		{
			name:       "a burst of runs with their roots does not count",
			maxPending: 2,
			before:     []span{{"a", 1, false}, {"b", 2, false}},
			batch: []span{
				{"c", 3, false}, {"c", 3, true}, {"d", 3, false}, {"d", 3, true},
				{"e", 3, true}, {"f", 3, false}, {"f", 3, true},
			},
			wantEvicted: []string{}, wantPending: []string{"f", "e", "d", "c", "b", "a"},
		},
		{
			name:        "a run still receiving spans stays; the idle one goes",
			maxPending:  2,
			before:      []span{{"a", 1, false}, {"b", 2, false}},
			batch:       []span{{"a", 10, false}, {"c", 11, false}},
			wantEvicted: []string{"b"}, wantReasons: []string{reasonPendingLimit}, wantPending: []string{"c", "a"},
		},
		{
			name:        "max_held_bytes: the least recently active until under it",
			maxPending:  10,
			maxBytes:    3 * 400,
			before:      []span{{"a", 1, false}, {"b", 2, false}, {"c", 3, false}},
			batch:       []span{{"d", 4, false}, {"e", 5, false}},
			wantEvicted: []string{"a", "b"}, wantReasons: []string{reasonBytesLimit, reasonBytesLimit}, wantPending: []string{"e", "d", "c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(tt.maxPending, 10, 10, true)
			if tt.maxBytes > 0 {
				tb.maxBytes = tt.maxBytes
			}
			sid := byte(0)
			add := func(s span) {
				r := tb.open(tid(s.run), at(s.at))
				kind := benchlog.KindPhase
				if s.root {
					kind = benchlog.KindRun
				}
				sid++
				// About 400 bytes a span (spanBytes).
				tb.add(r, pcommon.SpanID{sid}, kind, &benchlog.Span{Name: strings.Repeat("x", 144)})
			}
			for _, s := range tt.before {
				add(s)
			}
			tb.endBatch()
			for _, s := range tt.batch {
				add(s)
			}
			victims, reasons := tb.evict()
			assert.Equal(t, tt.wantEvicted, names(victims), "evicted")
			assert.Equal(t, tt.wantReasons, reasons, "reasons")
			for _, v := range victims {
				assert.Equal(t, runWritten, v.state)
			}
			pending, _ := tb.lists()
			assert.Equal(t, tt.wantPending, pending, "pending")
		})
	}
}

// trim forgets final runs before incomplete ones (whose later spans would
// start a second file), and never a failing run or one of the batch not
// yet settled.
func TestRunTableTrimKeeps(t *testing.T) {
	tb := newTable(10, 1, 10, true)
	for i, name := range []string{"a", "b", "c", "d"} {
		r := tb.open(tid(name), at(i))
		tb.markWritten(r)
		r.final = name == "b" || name == "d"
	}
	tb.endBatch()
	tb.runs[tid("a")].failing = true
	assert.Equal(t, []string{"b", "d", "c"}, names(tb.trim()), "final runs first, then incomplete ones; never a failing one")
	_, written := tb.lists()
	assert.Equal(t, []string{"a"}, written)

	r := tb.open(tid("e"), at(10))
	tb.markWritten(r)
	r.final = true
	tb.runs[tid("a")].failing = false
	assert.Equal(t, []string{"a"}, names(tb.trim()), "e is in the batch, not settled")
	r.batch.settled = true
	tb.open(tid("f"), at(11))
	tb.markWritten(tb.runs[tid("f")])
	assert.Equal(t, []string{"e"}, names(tb.trim()))
}

func TestRunTableAdmit(t *testing.T) {
	sid := func(n byte) pcommon.SpanID { return pcommon.SpanID{7: n} }
	tests := []struct {
		name       string
		have       []benchlog.Kind // spans 1, 2, … already in the run
		written    bool
		span       pcommon.SpanID
		kind       benchlog.Kind
		wantDrop   string
		wantReason string
	}{
		{name: "a new phase", have: []benchlog.Kind{benchlog.KindPhase}, span: sid(9), kind: benchlog.KindPhase},
		{name: "the root", have: []benchlog.Kind{benchlog.KindPhase}, span: sid(9), kind: benchlog.KindRun},
		{name: "a span ID seen before", have: []benchlog.Kind{benchlog.KindPhase}, span: sid(1), kind: benchlog.KindPhase, wantDrop: dropDuplicate},
		{name: "a root seen before", have: []benchlog.Kind{benchlog.KindRun}, span: sid(1), kind: benchlog.KindRun, wantDrop: dropDuplicate},
		{name: "a second root", have: []benchlog.Kind{benchlog.KindRun}, span: sid(9), kind: benchlog.KindRun, wantDrop: dropSecondRoot},
		{name: "no span ID is never a duplicate", have: []benchlog.Kind{benchlog.KindPhase}, kind: benchlog.KindPhase},
		{
			name: "a phase beyond max_spans_per_run", have: []benchlog.Kind{benchlog.KindPhase, benchlog.KindPhase},
			span: sid(9), kind: benchlog.KindPhase, wantDrop: dropSpanLimit, wantReason: reasonSpanLimit,
		},
		{
			name: "beyond max_spans_per_run, written", have: []benchlog.Kind{benchlog.KindPhase, benchlog.KindPhase}, written: true,
			span: sid(9), kind: benchlog.KindPhase, wantDrop: dropSpanLimit,
		},
		{name: "the root beyond max_spans_per_run", have: []benchlog.Kind{benchlog.KindPhase, benchlog.KindPhase}, span: sid(9), kind: benchlog.KindRun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(10, 10, 2, true)
			r := tb.open(tid("a"), at(1))
			for i, k := range tt.have {
				id := sid(byte(i + 1))
				require.Empty(t, tb.admit(r, id, k))
				tb.add(r, id, k, &benchlog.Span{})
			}
			if tt.written {
				tb.markWritten(r)
			}
			tb.endBatch()
			assert.Equal(t, tt.wantDrop, tb.admit(r, tt.span, tt.kind))
			assert.Equal(t, tt.wantReason, r.batch.reason)
		})
	}
}

func TestRunTableSettle(t *testing.T) {
	tests := []struct {
		name        string
		root        bool
		final       bool // a log with the root was written
		written     bool
		reason      string // set during the batch
		checkpoints bool
		want        string
		wantState   runState
	}{
		{name: "phases of a pending run", checkpoints: true, want: reasonCheckpoint, wantState: runPending},
		{name: "phases of a pending run, no checkpoints", want: "", wantState: runPending},
		{name: "the root arrives", root: true, want: reasonFinal, wantState: runWritten},
		{name: "the root of an incomplete run", root: true, written: true, want: reasonFinal, wantState: runWritten},
		{name: "a straggler after the root", root: true, final: true, written: true, want: reasonLateSpan, wantState: runWritten},
		{name: "a late phase of an incomplete run", written: true, want: reasonLateSpan, wantState: runWritten},
		{name: "pushed out by max_pending_runs", written: true, reason: reasonPendingLimit, want: reasonPendingLimit, wantState: runWritten},
		{name: "max_spans_per_run reached", reason: reasonSpanLimit, want: reasonSpanLimit, wantState: runPending},
		{name: "max_spans_per_run and the root", root: true, reason: reasonSpanLimit, want: reasonFinal, wantState: runWritten},
		{name: "replayed with its root", root: true, reason: reasonReplay, want: reasonReplay, wantState: runWritten},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable(10, 10, 10, tt.checkpoints)
			r := tb.open(tid("a"), at(1))
			if tt.root {
				tb.add(r, pcommon.SpanID{1}, benchlog.KindRun, &benchlog.Span{})
			}
			if tt.written {
				tb.markWritten(r)
			}
			r.final = tt.final
			r.batch.reason = tt.reason
			assert.Equal(t, tt.want, tb.settle(r))
			assert.Equal(t, tt.wantState, r.state)
			tb.logWritten(r)
			assert.Equal(t, tt.root, r.final, "final once a log with the root is written")
		})
	}
}

func TestRunTableExpire(t *testing.T) {
	tb := newTable(10, 10, 10, true)
	for i, name := range []string{"a", "b", "c", "d"} {
		tb.open(tid(name), at(10*i)) // a at 0s, b at 10s, c at 20s, d at 30s
	}
	tb.open(tid("a"), at(35)) // a is active again
	tb.endBatch()

	assert.Empty(t, tb.expire(at(29), 20*time.Second), "at 29s, b has been idle for 19s")
	_, written := tb.lists()
	assert.Empty(t, written)

	// b and c have been idle for 20s or more at 40s, oldest first.
	assert.Equal(t, []string{"b", "c"}, names(tb.expire(at(40), 20*time.Second)))
	pending, written := tb.lists()
	assert.Equal(t, []string{"a", "d"}, pending)
	assert.Equal(t, []string{"c", "b"}, written)
	assert.Empty(t, tb.batch, "expiring is not a batch")
	assert.Equal(t, "d", names([]*run{tb.oldestPending()})[0])
}

func TestRunTableTrim(t *testing.T) {
	for _, tt := range []struct {
		maxWritten    int
		wantForgotten []string
		wantWritten   []string
	}{
		{maxWritten: 3, wantForgotten: []string{}, wantWritten: []string{"c", "b", "a"}},
		{maxWritten: 1, wantForgotten: []string{"a", "b"}, wantWritten: []string{"c"}},
		{maxWritten: 0, wantForgotten: []string{"a", "b", "c"}, wantWritten: []string{}},
	} {
		tb := newTable(10, tt.maxWritten, 10, true)
		for i, name := range []string{"a", "b", "c"} {
			r := tb.open(tid(name), at(i))
			tb.markWritten(r)
		}
		tb.open(tid("p"), at(9)) // pending runs are never trimmed
		tb.endBatch()
		forgotten := tb.trim()
		assert.Equal(t, tt.wantForgotten, names(forgotten), "max_written_runs %d", tt.maxWritten)
		for _, r := range forgotten {
			assert.Equal(t, runForgotten, r.state)
		}
		pending, written := tb.lists()
		assert.Equal(t, tt.wantWritten, written)
		assert.Equal(t, []string{"p"}, pending)

		// A span of a forgotten run starts a new run.
		if len(forgotten) > 0 {
			r := tb.open(forgotten[0].id, at(20))
			assert.NotSame(t, forgotten[0], r)
			assert.Equal(t, runPending, r.state)
		}
	}
}

// TestRunTableLife follows one run through the table as the exporter
// drives it: checkpoints, an idle timeout, a late root, being forgotten.
func TestRunTableLife(t *testing.T) {
	tb := newTable(10, 1, 10, true)
	step := func(name string, at time.Time, kind benchlog.Kind, sid byte) string {
		r := tb.open(tid(name), at)
		if tb.admit(r, pcommon.SpanID{sid}, kind) == "" {
			tb.add(r, pcommon.SpanID{sid}, kind, &benchlog.Span{})
		}
		reason := tb.settle(r)
		if reason != "" {
			tb.logWritten(r)
		}
		tb.endBatch()
		return reason
	}
	assert.Equal(t, reasonCheckpoint, step("a", at(0), benchlog.KindPhase, 2))
	assert.Equal(t, reasonCheckpoint, step("a", at(1), benchlog.KindPhase, 3))
	assert.Equal(t, reasonCheckpoint, step("a", at(1), benchlog.KindPhase, 3), "a retried batch still checkpoints")
	assert.Equal(t, []string{"a"}, names(tb.expire(at(100), time.Minute)))
	assert.Equal(t, reasonLateSpan, step("a", at(101), benchlog.KindPhase, 4), "a phase after idle_timeout")
	assert.Equal(t, reasonFinal, step("a", at(102), benchlog.KindRun, 1), "the root, late")
	assert.Equal(t, reasonLateSpan, step("a", at(103), benchlog.KindPhase, 5), "a straggler after the root")
	assert.Equal(t, reasonFinal, step("b", at(104), benchlog.KindRun, 1))
	assert.Equal(t, []string{"a"}, names(tb.trim()), "max_written_runs 1")
	assert.Equal(t, reasonCheckpoint, step("a", at(105), benchlog.KindPhase, 6), "a forgotten run starts again")
}
