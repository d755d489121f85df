package benchlogexporter

import (
	"container/list"
	"encoding/hex"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Why a log is written: the "reason" attribute of
// otelcol_exporter_benchlog_logs_written.
const (
	reasonFinal        = "final"         // the root span arrived
	reasonCheckpoint   = "checkpoint"    // phases of a pending run arrived
	reasonLateSpan     = "late_span"     // a span of an already written run arrived
	reasonIdleTimeout  = "idle_timeout"  // no root within idle_timeout: incomplete
	reasonPendingLimit = "pending_limit" // max_pending_runs: incomplete
	reasonSpanLimit    = "span_limit"    // max_spans_per_run reached
	reasonShutdown     = "shutdown"      // the collector stops: incomplete
	reasonReplay       = "replay"        // rebuilt from the write-ahead log at start
	reasonRetry        = "retry"         // an earlier write failed
)

// partial reports whether a log written for reason lacks its root because
// the exporter gave up waiting (the log says "incomplete").
func partial(reason string) bool {
	return reason == reasonIdleTimeout || reason == reasonPendingLimit || reason == reasonShutdown
}

// Why a span is left out of every log: the "reason" attribute of
// otelcol_exporter_benchlog_spans_dropped.
const (
	dropDuplicate    = "duplicate"         // its span ID is already in the run
	dropSecondRoot   = "second_root"       // the run has a root already
	dropSpanLimit    = "max_spans_per_run" // the run has max_spans_per_run phases
	dropInvalidTrace = "invalid_trace_id"  // no trace ID
)

// runState is where a run is in its life.
type runState uint8

const (
	runPending   runState = iota // no root yet, and no log written for lack of one
	runWritten                   // its log was written with its root, or as incomplete
	runForgotten                 // dropped beyond max_written_runs
)

func (s runState) String() string {
	return [...]string{"pending", "written", "forgotten"}[s]
}

// run is one benchmark run: the spans received so far, where it is in its
// life (the runTable's part) and what the exporter wrote of it.
type run struct {
	id         pcommon.TraceID
	hex        string
	root       *benchlog.Span
	phases     []*benchlog.Span
	seen       map[pcommon.SpanID]struct{}
	firstSeen  time.Time
	lastActive time.Time
	state      runState
	final      bool          // a log with the root was written
	elem       *list.Element // in the runTable list of its state

	batch batchState // what the batch being consumed did to the run

	log logState // the run's log file, kept by the exporter
}

// batchState is what the current batch brought to a run; the runTable
// resets it at the end of each batch.
type batchState struct {
	touched   bool
	reason    string    // why the run must be written, when not by the default rule
	refs      []spanRef // the run's spans in the batch, for the WAL
	truncated int       // values cut to max_attribute_bytes
}

// logState is what the exporter knows of a run's log file and has told
// the operator about it.
type logState struct {
	path     string // "" until the first write
	status   string // status of the last log written
	replayed bool   // rebuilt from the WAL: a log may exist that path does not know
	problems string // the last Assemble problems logged
	warned   warning
}

// warning is a set of the warnings logged at most once per run.
type warning uint8

const (
	warnSecondRoot warning = 1 << iota
	warnSpanLimit
	warnTruncated
)

// once reports whether w is not yet in the set, and adds it.
func (s *warning) once(w warning) bool {
	if *s&w != 0 {
		return false
	}
	*s |= w
	return true
}

// runTable holds the runs by trace ID and decides what happens to them: it
// is the exporter's state machine, with no I/O, clock or telemetry of its
// own (times are passed in), so that it can be tested alone.
//
//	         open                 root arrives / idle_timeout /
//	(new) ----------> pending ----------------------------------> written
//	                     |        max_pending_runs / shutdown        |
//	                     |                                           | trim: beyond
//	                     '----> (evicted by max_pending_runs) ---->  | max_written_runs
//	                                                                 v
//	                                                             forgotten
//
// Pending and written runs are each kept in a list, most recently active
// first, so that the limits push out the least recently active run.
//
// A batch (ConsumeTraces, a sweep, the replay) opens and touches runs; the
// runs it touched are in batch until endBatch. settle decides, for each of
// them, why its log is to be written.
type runTable struct {
	maxPending  int
	maxWritten  int
	maxSpans    int
	checkpoints bool

	runs    map[pcommon.TraceID]*run
	pending list.List // *run, most recently active first
	written list.List // *run, most recently active first
	batch   []*run    // runs touched since the last endBatch
}

func newRunTable(cfg *Config) *runTable {
	return &runTable{
		maxPending:  cfg.MaxPendingRuns,
		maxWritten:  cfg.MaxWrittenRuns,
		maxSpans:    cfg.MaxSpansPerRun,
		checkpoints: cfg.Checkpoints,
		runs:        map[pcommon.TraceID]*run{},
	}
}

// open returns the run of id, active at now and part of the batch,
// creating it (pending) if needed. Creating a run when max_pending_runs are
// pending first evicts one: the least recently active not touched by this
// batch (else the least recently active), which becomes written with
// reason pending_limit and is returned as evicted.
func (t *runTable) open(id pcommon.TraceID, now time.Time) (r, evicted *run) {
	r = t.runs[id]
	if r == nil {
		if t.pending.Len() >= t.maxPending {
			evicted = t.evictPending()
		}
		r = &run{id: id, hex: hex.EncodeToString(id[:]), seen: map[pcommon.SpanID]struct{}{}, firstSeen: now}
		t.runs[id] = r
		r.elem = t.pending.PushFront(r)
	}
	t.touch(r, now)
	return r, evicted
}

func (t *runTable) evictPending() *run {
	el := t.pending.Back()
	for x := el; x != nil; x = x.Prev() {
		if !x.Value.(*run).batch.touched {
			el = x
			break
		}
	}
	victim := el.Value.(*run)
	t.markWritten(victim)
	victim.batch.reason = reasonPendingLimit
	t.touch(victim, victim.lastActive)
	return victim
}

// touch makes r part of the batch and active at now (never earlier than it
// was).
func (t *runTable) touch(r *run, now time.Time) {
	if !r.batch.touched {
		r.batch.touched = true
		t.batch = append(t.batch, r)
	}
	if now.After(r.lastActive) {
		r.lastActive = now
		switch r.state {
		case runPending:
			t.pending.MoveToFront(r.elem)
		case runWritten:
			t.written.MoveToFront(r.elem)
		}
	}
}

// markWritten moves a pending run to the written runs.
func (t *runTable) markWritten(r *run) {
	if r.state != runPending {
		return
	}
	t.pending.Remove(r.elem)
	r.elem = t.written.PushFront(r)
	r.state = runWritten
}

// admit says whether a span of r with span ID sid and kind is to be added
// (""), or else why it is dropped. A phase beyond max_spans_per_run makes a
// pending run's log due (reason span_limit).
func (t *runTable) admit(r *run, sid pcommon.SpanID, kind benchlog.Kind) (drop string) {
	if !sid.IsEmpty() {
		if _, dup := r.seen[sid]; dup {
			return dropDuplicate // a retried batch: the span is already in the run
		}
	}
	switch {
	case kind == benchlog.KindRun && r.root != nil:
		return dropSecondRoot
	case kind == benchlog.KindPhase && len(r.phases) >= t.maxSpans:
		if r.batch.reason == "" && r.state == runPending {
			r.batch.reason = reasonSpanLimit
		}
		return dropSpanLimit
	}
	return ""
}

// add adds an admitted span to r.
func (t *runTable) add(r *run, sid pcommon.SpanID, kind benchlog.Kind, s *benchlog.Span) {
	if kind == benchlog.KindRun {
		r.root = s
	} else {
		r.phases = append(r.phases, s)
	}
	if !sid.IsEmpty() {
		r.seen[sid] = struct{}{}
	}
}

// settle decides what the end of the batch writes for r, which the batch
// touched: the reason of its log write, or "" when there is nothing to
// write (a pending run without checkpoints). A run with its root becomes
// written.
func (t *runTable) settle(r *run) string {
	reason := r.batch.reason
	if r.root != nil && reason == reasonSpanLimit {
		reason = "" // the root makes it final
	}
	switch {
	case reason != "":
	case r.root != nil && r.final:
		reason = reasonLateSpan
	case r.root != nil:
		reason = reasonFinal
	case r.state != runPending:
		reason = reasonLateSpan
	case t.checkpoints:
		reason = reasonCheckpoint
	}
	if r.root != nil {
		t.markWritten(r)
	}
	return reason
}

// logWritten records that a log of r was written: with its root, the run
// is final.
func (t *runTable) logWritten(r *run) {
	if r.root != nil {
		r.final = true
	}
}

// drop takes r out of the batch: nothing is to be written for it.
func (t *runTable) drop(r *run) {
	for i, x := range t.batch {
		if x == r {
			t.batch = append(t.batch[:i], t.batch[i+1:]...)
			break
		}
	}
	r.batch = batchState{}
}

// endBatch forgets what the batch did to its runs.
func (t *runTable) endBatch() {
	for _, r := range t.batch {
		r.batch = batchState{}
	}
	clear(t.batch)
	t.batch = t.batch[:0]
}

// expire returns the pending runs inactive for idle or longer at now,
// least recently active first, and makes them written.
func (t *runTable) expire(now time.Time, idle time.Duration) []*run {
	var out []*run
	for el := t.pending.Back(); el != nil; {
		r := el.Value.(*run)
		prev := el.Prev()
		if now.Sub(r.lastActive) < idle {
			break
		}
		t.markWritten(r)
		out = append(out, r)
		el = prev
	}
	return out
}

// oldestPending returns the least recently active pending run, or nil.
func (t *runTable) oldestPending() *run {
	if el := t.pending.Back(); el != nil {
		return el.Value.(*run)
	}
	return nil
}

// trim forgets the least recently active written runs beyond
// max_written_runs and returns them, least recently active first.
func (t *runTable) trim() []*run {
	var out []*run
	for t.written.Len() > t.maxWritten {
		r := t.written.Back().Value.(*run)
		t.written.Remove(r.elem)
		r.elem = nil
		delete(t.runs, r.id)
		r.state = runForgotten
		out = append(out, r)
	}
	return out
}
