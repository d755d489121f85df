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
	reasonBytesLimit   = "bytes_limit"   // max_held_bytes: incomplete
	reasonSpanLimit    = "span_limit"    // max_spans_per_run reached
	reasonShutdown     = "shutdown"      // the collector stops: incomplete
	reasonReplay       = "replay"        // rebuilt from the write-ahead log at start
	reasonRetry        = "retry"         // an earlier write failed
)

// partial reports whether a log written for reason lacks its root because
// the exporter gave up waiting (the log says "incomplete").
func partial(reason string) bool {
	return reason == reasonIdleTimeout || reason == reasonPendingLimit || reason == reasonBytesLimit || reason == reasonShutdown
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
	failing    bool          // its last log write failed: never forgotten until one succeeds
	walGap     bool          // a WAL append failed: the WAL lacks some of its spans
	bytes      int64         // estimated memory of its spans (spanBytes)
	elem       *list.Element // in the runTable list of its state

	batch batchState // what the batch being consumed did to the run

	log logState // the run's log file, kept by the exporter
}

// batchState is what the current batch brought to a run; the runTable
// resets it at the end of each batch.
type batchState struct {
	touched   bool
	settled   bool      // its writes for the batch are done
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
//	                     |        shutdown                           |
//	                     |                                           | trim: beyond
//	                     '----> (evict: max_pending_runs, ------->   | max_written_runs
//	                              max_held_bytes)                    | or max_held_bytes
//	                                                                 v
//	                                                             forgotten
//
// Pending and written runs are each kept in a list, most recently active
// first, so that the limits push out the least recently active run. Only
// runs still waiting for their root count against max_pending_runs: a run
// whose root came in the batch being settled is leaving (evict). A run
// whose log could not be written (failing) is never forgotten, and neither
// is a run of the batch not yet settled; trim forgets final runs before
// incomplete ones, whose later spans would start a second file.
//
// A batch (ConsumeTraces, a sweep, the replay) opens and touches runs; the
// runs it touched are in batch until endBatch. settle decides, for each of
// them, why its log is to be written.
type runTable struct {
	maxPending  int
	maxWritten  int
	maxSpans    int
	maxBytes    int64
	checkpoints bool
	bytes       int64 // spanBytes of the spans of every run held

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
		maxBytes:    cfg.MaxHeldBytes,
		checkpoints: cfg.Checkpoints,
		runs:        map[pcommon.TraceID]*run{},
	}
}

// open returns the run of id, active at now and part of the batch,
// creating it (pending) if needed. It never evicts: whether the run waits
// for a root is known only once the batch is in (see evict).
func (t *runTable) open(id pcommon.TraceID, now time.Time) *run {
	r := t.runs[id]
	if r == nil {
		r = &run{id: id, hex: hex.EncodeToString(id[:]), seen: map[pcommon.SpanID]struct{}{}, firstSeen: now}
		t.runs[id] = r
		r.elem = t.pending.PushFront(r)
	}
	t.touch(r, now)
	return r
}

// evict makes written, and returns, the least recently active pending runs
// without a root while more than max_pending_runs wait for theirs, or while
// the bytes held exceed max_held_bytes and no written run can be forgotten
// instead (call trim first). The reason of each is in reason.
func (t *runTable) evict() (victims []*run, reasons []string) {
	waiting := 0
	for el := t.pending.Front(); el != nil; el = el.Next() {
		if el.Value.(*run).root == nil {
			waiting++
		}
	}
	// An evicted run is still held until trim forgets it: count its
	// bytes as freed.
	over := t.bytes - t.maxBytes
	for el := t.pending.Back(); el != nil && (waiting > t.maxPending || over > 0); {
		r, prev := el.Value.(*run), el.Prev()
		if r.root == nil {
			reason := reasonPendingLimit
			if waiting <= t.maxPending {
				reason = reasonBytesLimit
			}
			t.markWritten(r)
			victims, reasons = append(victims, r), append(reasons, reason)
			waiting--
			over -= r.bytes
		}
		el = prev
	}
	return victims, reasons
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
	n := spanBytes(s)
	r.bytes += n
	t.bytes += n
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

// trim forgets written runs while more than max_written_runs are
// remembered or the bytes held exceed max_held_bytes, and returns them:
// final runs first (forgetting one loses nothing but the folding of a late
// straggler), then incomplete ones, least recently active first. Failing
// runs and runs of the batch not yet settled are never forgotten.
func (t *runTable) trim() []*run {
	var out []*run
	for t.written.Len() > t.maxWritten || t.bytes > t.maxBytes {
		var victim, incomplete *run
		for el := t.written.Back(); el != nil; el = el.Prev() {
			r := el.Value.(*run)
			if r.failing || (r.batch.touched && !r.batch.settled) {
				continue
			}
			if r.final {
				victim = r
				break
			}
			if incomplete == nil {
				incomplete = r
			}
		}
		if victim == nil {
			victim = incomplete
		}
		if victim == nil {
			break
		}
		t.forget(victim)
		out = append(out, victim)
	}
	return out
}

func (t *runTable) forget(r *run) {
	t.written.Remove(r.elem)
	r.elem = nil
	delete(t.runs, r.id)
	r.state = runForgotten
	t.bytes -= r.bytes
}
