package benchlogexporter

import (
	"container/list"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// Why a log was written: the "reason" attribute of
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

var errNotStarted = errors.New("benchlog exporter: not started")

var _ component.Component = (*benchlogExporter)(nil)

// benchlogExporter assembles the spans of benchmark runs into run logs, as
// the in-process benchlog.SpanProcessor does, but from spans that arrive
// over OTLP in any order and in any batch.
//
// A run is keyed by trace ID. It is pending until its root span arrives:
// its spans are kept in memory and in the write-ahead log (wal.go), and a
// "running" checkpoint is written after each batch that brings phases
// (Config.Checkpoints). When the root arrives, the final log is written and
// the run's WAL file removed. A pending run that sees no span for
// Config.IdleTimeout, that is pushed out by Config.MaxPendingRuns, or that is
// still pending at shutdown is written with status "incomplete" and its WAL
// file kept, so that its later spans (and root) still reach the same file,
// after a restart too.
//
// Written runs (final or incomplete) are remembered, with their spans and
// path, up to Config.MaxWrittenRuns, least recently active forgotten first:
// a span of a remembered run is folded into its log at once. A span of a
// forgotten run starts a new run, hence a second file.
//
// All state is guarded by mu; the log and WAL writes of a batch happen under
// it, in ConsumeTraces, before it returns.
type benchlogExporter struct {
	cfg    *Config
	loc    *time.Location
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	stats  stats
	now    func() time.Time

	mu      sync.Mutex
	state   int // stateNew, stateStarted, stateStopped
	dir     *benchlog.Dir
	wal     *wal
	conv    converter
	runs    map[pcommon.TraceID]*run
	pending list.List // *run, most recently active at the front
	written list.List // *run, most recently active at the front
	batch   []*run    // runs touched by the batch being consumed
	retry   map[*run]struct{}

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	stopErr  error
}

const (
	stateNew = iota
	stateStarted
	stateStopped
)

// stats mirrors the telemetry counters for tests and debugging.
type stats struct {
	logsWritten  atomic.Int64
	partialLogs  atomic.Int64 // incomplete logs written for lack of a root
	limitHits    atomic.Int64
	spansDropped atomic.Int64
	problems     atomic.Int64
	errors       atomic.Int64
}

// run is one benchmark run, pending or written.
type run struct {
	id         pcommon.TraceID
	hex        string
	root       *benchlog.Span
	phases     []*benchlog.Span
	seen       map[pcommon.SpanID]struct{}
	firstSeen  time.Time
	lastActive time.Time
	elem       *list.Element
	written    bool   // in the written list, else pending
	final      bool   // a log with the root was written
	path       string // "" until the first write
	status     string // status of the last log written

	hasWAL    bool   // the run has a WAL file
	walDirty  bool   // spans appended since the last walWritten record
	walFile   string // file name in the last walWritten record
	walStatus string // status in the last walWritten record

	// Per batch.
	touched   bool
	refs      []spanRef // spans of this batch, for the WAL
	reason    string    // why the run must be written, when not by the default rule
	truncated int

	// Logged once per run.
	problems        string
	loggedTruncate  bool
	loggedSpanLimit bool
	loggedRoot      bool
	writeFailed     bool

	replayed bool // rebuilt from the WAL at start
}

type spanRef struct {
	rs ptrace.ResourceSpans
	ss ptrace.ScopeSpans
	s  ptrace.Span
}

func newExporter(cfg *Config, set component.TelemetrySettings) (*benchlogExporter, error) {
	loc, err := cfg.location()
	if err != nil {
		return nil, err
	}
	tel, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, fmt.Errorf("creating benchlog exporter telemetry: %w", err)
	}
	return &benchlogExporter{
		cfg:    cfg,
		loc:    loc,
		logger: set.Logger,
		tel:    tel,
		now:    time.Now,
		conv:   converter{maxBytes: cfg.MaxAttributeBytes},
		runs:   map[pcommon.TraceID]*run{},
		retry:  map[*run]struct{}{},
	}, nil
}

// Start opens the log directory, replays the write-ahead log and starts the
// idle-timeout sweeper.
func (e *benchlogExporter) Start(ctx context.Context, _ component.Host) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stateNew {
		return nil
	}
	dir, err := benchlog.OpenDir(e.cfg.Directory)
	if err != nil {
		return err
	}
	w, err := openWAL(dir.Path(), e.cfg.WALFsync)
	if err != nil {
		return err
	}
	e.dir, e.wal = dir, w
	e.replay(ctx)
	e.state = stateStarted
	e.stop, e.done = make(chan struct{}), make(chan struct{})
	go e.sweepLoop(sweepInterval(e.cfg.IdleTimeout))
	return nil
}

func sweepInterval(idle time.Duration) time.Duration {
	return min(max(idle/10, 10*time.Millisecond), time.Minute)
}

// Shutdown stops the sweeper and writes every pending run as an incomplete
// log, keeping its WAL file so that a restarted collector goes on with it.
// When ctx ends first, the runs not yet written stay in the WAL only. Later
// calls do nothing.
func (e *benchlogExporter) Shutdown(ctx context.Context) error {
	e.stopOnce.Do(func() {
		e.mu.Lock()
		started := e.state == stateStarted
		e.state = stateStopped
		e.mu.Unlock()
		if !started {
			return
		}
		close(e.stop)
		<-e.done

		e.mu.Lock()
		defer e.mu.Unlock()
		var errs []error
		for e.pending.Len() > 0 {
			if err := ctx.Err(); err != nil {
				// The rest stays in the WAL for the next start.
				errs = append(errs, fmt.Errorf("benchlog: shutdown: %d runs left to the write-ahead log: %w", e.pending.Len(), err))
				break
			}
			r := e.pending.Back().Value.(*run)
			e.moveToWritten(ctx, r)
			if err := e.flush(ctx, r, reasonShutdown); err != nil {
				errs = append(errs, err)
			}
		}
		for r := range e.retry {
			if err := e.flush(ctx, r, reasonRetry); err != nil {
				errs = append(errs, err)
			}
		}
		e.stopErr = errors.Join(errs...)
	})
	return e.stopErr
}

// ConsumeTraces takes the spans of a batch into their runs and writes the
// logs the batch changed. It returns an error only when a log or the WAL
// could not be written; bad input is logged and counted, never returned.
func (e *benchlogExporter) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stateStarted {
		return errNotStarted
	}
	e.ingest(ctx, td, true)
	return e.settle(ctx)
}

// ingest adds the root and phase spans of td to their runs, creating runs as
// needed; the runs touched are in e.batch. keepRefs keeps references to the
// spans for the WAL.
func (e *benchlogExporter) ingest(ctx context.Context, td ptrace.Traces, keepRefs bool) {
	now := e.now()
	var invalid int64
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var res map[string]any // converted once, when needed
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				kind := classify(s.Attributes())
				if kind == benchlog.KindOther {
					continue
				}
				tid := s.TraceID()
				if tid.IsEmpty() {
					invalid++
					continue
				}
				r := e.runs[tid]
				if r == nil {
					r = e.newRun(ctx, tid, now)
				}
				e.touch(r, now)
				if !e.accept(ctx, r, s, kind) {
					continue
				}
				// The resource is converted once per ResourceSpans and
				// shared; values it has cut count for the first run using it.
				if res == nil {
					res = e.conv.attrs(rs.Resource().Attributes())
				}
				bs := e.conv.span(s, res)
				r.truncated += e.conv.truncated
				e.conv.truncated = 0
				if kind == benchlog.KindRun {
					r.root = bs
				} else {
					r.phases = append(r.phases, bs)
				}
				if sid := s.SpanID(); !sid.IsEmpty() {
					r.seen[sid] = struct{}{}
				}
				if keepRefs {
					r.refs = append(r.refs, spanRef{rs, ss, s})
				}
			}
		}
	}
	if invalid > 0 {
		e.dropped(ctx, "invalid_trace_id", invalid)
		e.logger.Warn("benchlog: spans without a trace ID left out", zap.Int64("spans", invalid))
	}
}

// accept reports whether span s of run r is to be kept, counting and
// logging what it leaves out.
func (e *benchlogExporter) accept(ctx context.Context, r *run, s ptrace.Span, kind benchlog.Kind) bool {
	if sid := s.SpanID(); !sid.IsEmpty() {
		if _, dup := r.seen[sid]; dup {
			// A retried batch: the span is already in the run.
			e.dropped(ctx, "duplicate", 1)
			return false
		}
	}
	switch {
	case kind == benchlog.KindRun && r.root != nil:
		e.dropped(ctx, "second_root", 1)
		if !r.loggedRoot {
			r.loggedRoot = true
			e.problem(ctx, 1)
			e.logger.Warn("benchlog: run has a second root span; the first one is kept",
				zap.String("run_id", r.hex), zap.String("span_id", spanIDString(s.SpanID())), zap.String("span_name", cut(s.Name(), 200)))
		}
		return false
	case kind == benchlog.KindPhase && len(r.phases) >= e.cfg.MaxSpansPerRun:
		e.dropped(ctx, "max_spans_per_run", 1)
		e.limitHit(ctx, "max_spans_per_run", 1)
		if r.reason == "" && !r.written {
			r.reason = reasonSpanLimit
		}
		if !r.loggedSpanLimit {
			r.loggedSpanLimit = true
			e.logger.Warn("benchlog: run reached max_spans_per_run; its further phase spans are left out of its log",
				zap.String("run_id", r.hex), zap.Int("max_spans_per_run", e.cfg.MaxSpansPerRun))
		}
		return false
	}
	return true
}

// newRun creates a pending run, first making room under max_pending_runs.
func (e *benchlogExporter) newRun(ctx context.Context, tid pcommon.TraceID, now time.Time) *run {
	if e.pending.Len() >= e.cfg.MaxPendingRuns {
		// The least recently active run not in this batch, else the least
		// recently active.
		el := e.pending.Back()
		for x := el; x != nil; x = x.Prev() {
			if !x.Value.(*run).touched {
				el = x
				break
			}
		}
		victim := el.Value.(*run)
		e.limitHit(ctx, "max_pending_runs", 1)
		e.logger.Warn("benchlog: max_pending_runs reached; writing the least recently active run as incomplete",
			zap.String("run_id", victim.hex), zap.Int("max_pending_runs", e.cfg.MaxPendingRuns))
		e.moveToWritten(ctx, victim)
		victim.reason = reasonPendingLimit
		e.touch(victim, victim.lastActive)
	}
	r := &run{
		id:        tid,
		hex:       hex.EncodeToString(tid[:]),
		seen:      map[pcommon.SpanID]struct{}{},
		firstSeen: now,
	}
	e.runs[tid] = r
	r.elem = e.pending.PushFront(r)
	e.tel.ExporterBenchlogPendingRuns.Add(ctx, 1)
	return r
}

// touch marks r as part of the current batch and as active at now.
func (e *benchlogExporter) touch(r *run, now time.Time) {
	if !r.touched {
		r.touched = true
		e.batch = append(e.batch, r)
	}
	if now.After(r.lastActive) {
		r.lastActive = now
		if r.written {
			e.written.MoveToFront(r.elem)
		} else {
			e.pending.MoveToFront(r.elem)
		}
	}
}

func (e *benchlogExporter) moveToWritten(ctx context.Context, r *run) {
	if r.written {
		return
	}
	e.pending.Remove(r.elem)
	e.tel.ExporterBenchlogPendingRuns.Add(ctx, -1)
	r.elem = e.written.PushFront(r)
	r.written = true
}

// settle writes what the current batch changed: the WAL records of the runs
// still without a root, then their logs; it then forgets the runs beyond
// max_written_runs.
func (e *benchlogExporter) settle(ctx context.Context) error {
	var errs []error
	for _, r := range e.batch {
		if err := e.settleRun(ctx, r); err != nil {
			errs = append(errs, err)
		}
		r.touched, r.refs, r.reason = false, nil, ""
	}
	clear(e.batch)
	e.batch = e.batch[:0]
	e.trimWritten(ctx)
	return errors.Join(errs...)
}

func (e *benchlogExporter) settleRun(ctx context.Context, r *run) error {
	if r.truncated > 0 {
		e.limitHit(ctx, "max_attribute_bytes", int64(r.truncated))
		if !r.loggedTruncate {
			r.loggedTruncate = true
			e.logger.Warn("benchlog: attribute values longer than max_attribute_bytes were cut",
				zap.String("run_id", r.hex), zap.Int("values", r.truncated), zap.Int("max_attribute_bytes", e.cfg.MaxAttributeBytes))
		}
		r.truncated = 0
	}
	// The WAL holds every span of a run until its file is removed: the
	// spans of a run without a root, and the root (and its batch) of a run
	// that has a WAL file, so that a crash between writing the final log
	// and removing the file replays into the same final log. A run whose
	// root comes in its first batch needs no WAL: nothing of it was
	// acknowledged before its log was written.
	var walErr error
	if len(r.refs) > 0 && (r.root == nil || r.hasWAL) && !e.forgotten(r) {
		walErr = e.appendSpans(ctx, r)
	}
	reason := r.reason
	if r.root != nil && reason == reasonSpanLimit {
		reason = "" // the root makes it final
	}
	switch {
	case reason != "":
	case r.root != nil && r.final:
		reason = reasonLateSpan
	case r.root != nil:
		reason = reasonFinal
	case r.written:
		reason = reasonLateSpan
	case e.cfg.Checkpoints:
		reason = reasonCheckpoint
	default:
		return walErr // pending, no checkpoints: nothing to write yet
	}
	if r.root != nil {
		e.moveToWritten(ctx, r)
	}
	return errors.Join(walErr, e.flush(ctx, r, reason))
}

func (e *benchlogExporter) forgotten(r *run) bool { return e.runs[r.id] != r }

// appendSpans writes the spans of the batch for r to the WAL.
func (e *benchlogExporter) appendSpans(ctx context.Context, r *run) error {
	td := ptrace.NewTraces()
	var lastRS ptrace.ResourceSpans
	var lastSS ptrace.ScopeSpans
	var outRS ptrace.ResourceSpans
	var outSS ptrace.ScopeSpans
	for i, ref := range r.refs {
		if i == 0 || ref.rs != lastRS {
			outRS = td.ResourceSpans().AppendEmpty()
			ref.rs.Resource().CopyTo(outRS.Resource())
			outRS.SetSchemaUrl(ref.rs.SchemaUrl())
			lastRS, lastSS = ref.rs, ptrace.ScopeSpans{}
		}
		if ref.ss != lastSS {
			outSS = outRS.ScopeSpans().AppendEmpty()
			ref.ss.Scope().CopyTo(outSS.Scope())
			outSS.SetSchemaUrl(ref.ss.SchemaUrl())
			lastSS = ref.ss
		}
		ref.s.CopyTo(outSS.Spans().AppendEmpty())
	}
	payload, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err == nil {
		err = e.wal.append(r.hex, walSpans, payload)
	}
	if err != nil {
		e.failure(ctx, "wal")
		e.logger.Error("benchlog: could not write the write-ahead log; the run's spans are kept in memory only",
			zap.String("run_id", r.hex), zap.Error(err))
		return fmt.Errorf("benchlog: run %s: %w", r.hex, err)
	}
	r.hasWAL, r.walDirty = true, true
	return nil
}

// flush writes the log of r and brings its WAL file up to date: removed once
// the log is final, else ending with a walWritten record for the log.
func (e *benchlogExporter) flush(ctx context.Context, r *run, reason string) error {
	err := e.writeLog(ctx, r, reason)
	if err != nil {
		e.failure(ctx, "log")
		e.retry[r] = struct{}{}
		if !r.writeFailed {
			r.writeFailed = true
			e.logger.Error("benchlog: could not write a run log; retrying", zap.String("run_id", r.hex), zap.Error(err))
		}
		return err
	}
	delete(e.retry, r)
	r.writeFailed = false
	if r.root != nil {
		r.final = true
		if r.hasWAL {
			if err := e.wal.remove(r.hex); err != nil {
				e.failure(ctx, "wal")
				e.logger.Warn("benchlog: could not remove a write-ahead log file", zap.String("run_id", r.hex), zap.Error(err))
			}
			r.hasWAL, r.walDirty = false, false
		}
		return nil
	}
	file := filepath.Base(r.path)
	if r.hasWAL && !e.forgotten(r) && (r.walDirty || r.walFile != file || r.walStatus != r.status) {
		if err := e.wal.append(r.hex, walWritten, writtenPayload(r.status, file)); err != nil {
			// Harmless: replay writes the log again from the spans.
			e.failure(ctx, "wal")
			e.logger.Warn("benchlog: could not record a written log in the write-ahead log", zap.String("run_id", r.hex), zap.Error(err))
			return nil
		}
		r.walDirty, r.walFile, r.walStatus = false, file, r.status
	}
	return nil
}

// writeLog assembles the log of r with benchlog.Assemble, the code the
// in-process writer uses, and writes it. A run without a root is a
// "running" checkpoint while pending and "incomplete" once written.
func (e *benchlogExporter) writeLog(ctx context.Context, r *run, reason string) (err error) {
	defer func() {
		// Assemble and Encode are tested against hostile input (fuzz
		// test); this is the last line of defence of the collector.
		if p := recover(); p != nil {
			err = fmt.Errorf("benchlog: assembling run %s: panic: %v", r.hex, p)
		}
	}()
	l, aerr := benchlog.Assemble(r.root, r.phases, e.loc)
	if aerr != nil {
		e.reportProblems(ctx, r, aerr)
	}
	if r.root == nil && !r.written {
		l.Status = semconv.StatusRunning
	}
	data, err := benchlog.Encode(l)
	if err != nil {
		return fmt.Errorf("benchlog: encoding the log of run %s: %w", r.hex, err)
	}
	name, _ := l.Metadata.String(benchlog.KeyBenchmarkName)
	if err := e.place(r, name, e.start(r).In(e.loc), data); err != nil {
		return err
	}
	r.status = l.Status
	switch reason {
	case reasonIdleTimeout, reasonPendingLimit, reasonShutdown:
		e.logger.Info("benchlog: run written without its root span (status incomplete)",
			zap.String("run_id", r.hex), zap.String("reason", reason), zap.String("path", r.path), zap.Int("phases", len(r.phases)))
	}
	e.logWritten(ctx, reason)
	return nil
}

// start is the time the log's file is named after: the root's start, else
// the earliest phase start, as benchlog.Assemble derives timestamp_start.
func (e *benchlogExporter) start(r *run) time.Time {
	if r.root != nil && !r.root.Start.IsZero() {
		return r.root.Start
	}
	var t time.Time
	for _, p := range r.phases {
		if !p.Start.IsZero() && (t.IsZero() || p.Start.Before(t)) {
			t = p.Start
		}
	}
	if t.IsZero() {
		return r.firstSeen
	}
	return t
}

// place writes data as the log of r. The log keeps its file while its name
// (benchmark and start second) holds; when it changes (the root arrives
// with an earlier start than the checkpoint's first phase, or brings the
// benchmark name), the log is created under the new name and the old file
// removed, so that the final name is the one the in-process writer gives.
func (e *benchlogExporter) place(r *run, name string, start time.Time, data []byte) error {
	base := benchlog.FileBase(name, start)
	if r.path == "" && r.replayed {
		r.path = e.findLog(base, r.hex)
	}
	if r.path != "" && hasBase(filepath.Base(r.path), base) {
		return e.dir.Replace(r.path, data)
	}
	path, err := e.dir.Create(name, start, data)
	if err != nil {
		return err
	}
	if r.path != "" {
		if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			e.logger.Warn("benchlog: could not remove the previous file of a renamed log", zap.String("path", r.path), zap.Error(err))
		}
	}
	r.path = path
	return nil
}

// findLog returns the path of the log of run id named after base, or "".
// It serves replay: a process that stopped after writing a log but before
// recording it in the WAL (or removing the WAL file) leaves a log the run
// must reuse rather than duplicate.
func (e *benchlogExporter) findLog(base, id string) string {
	found, _ := benchlog.FindRuns(e.dir.Path(), base, id)
	return found[id]
}

// hasBase reports whether file is a log file named after base.
func hasBase(file, base string) bool {
	b, _, ok := benchlog.ParseFileName(file)
	return ok && b == base
}

// reportProblems logs the problems Assemble found in r's spans, once for
// each distinct set.
func (e *benchlogExporter) reportProblems(ctx context.Context, r *run, err error) {
	msg := err.Error()
	if msg == r.problems {
		return
	}
	r.problems = msg
	n := 1
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		n = len(u.Unwrap())
	}
	e.problem(ctx, int64(n))
	e.logger.Warn("benchlog: run has attributes the log cannot use; its log is written without them",
		zap.String("run_id", r.hex), zap.Int("problems", n), zap.String("details", cut(msg, 2000)))
}

// trimWritten forgets the least recently active written runs beyond
// max_written_runs, and their WAL files. Their logs stay as written.
func (e *benchlogExporter) trimWritten(ctx context.Context) {
	for e.written.Len() > e.cfg.MaxWrittenRuns {
		r := e.written.Back().Value.(*run)
		if _, failing := e.retry[r]; failing {
			_ = e.flush(ctx, r, reasonRetry)
			delete(e.retry, r)
		}
		e.written.Remove(r.elem)
		delete(e.runs, r.id)
		if r.hasWAL {
			if err := e.wal.remove(r.hex); err != nil {
				e.failure(ctx, "wal")
				e.logger.Warn("benchlog: could not remove a write-ahead log file", zap.String("run_id", r.hex), zap.Error(err))
			}
			r.hasWAL = false
		}
		if !r.final {
			e.limitHit(ctx, "max_written_runs", 1)
			e.logger.Info("benchlog: forgetting an incomplete run (max_written_runs); its later spans will start a new log",
				zap.String("run_id", r.hex), zap.String("path", r.path))
		}
	}
}

func (e *benchlogExporter) sweepLoop(interval time.Duration) {
	defer close(e.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	ctx := context.Background() // for telemetry only: the sweeper serves no caller
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.sweep(ctx)
		}
	}
}

// sweep writes the pending runs idle for idle_timeout as incomplete, and
// retries failed writes.
func (e *benchlogExporter) sweep(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stateStarted {
		return
	}
	now := e.now()
	for el := e.pending.Back(); el != nil; {
		r := el.Value.(*run)
		prev := el.Prev()
		if now.Sub(r.lastActive) < e.cfg.IdleTimeout {
			break
		}
		e.moveToWritten(ctx, r)
		_ = e.flush(ctx, r, reasonIdleTimeout)
		el = prev
	}
	for r := range e.retry {
		_ = e.flush(ctx, r, reasonRetry)
	}
	e.trimWritten(ctx)
}

// replay rebuilds the runs of the WAL files left by an earlier process
// (stopped, crashed or killed): runs still pending become pending again,
// with a fresh idle timeout; runs written as incomplete are remembered
// again; a run whose root is there (the process stopped between writing
// its final log and removing the file) gets its final log again.
func (e *benchlogExporter) replay(ctx context.Context) {
	ids, err := e.wal.list()
	if err != nil {
		e.failure(ctx, "wal")
		e.logger.Error("benchlog: could not read the write-ahead log; pending runs of an earlier process are not recovered", zap.Error(err))
		return
	}
	n := 0
	for _, id := range ids {
		var tid pcommon.TraceID
		if _, err := hex.Decode(tid[:], []byte(id)); err != nil {
			continue
		}
		recs, err := e.wal.read(id)
		if err != nil {
			e.failure(ctx, "wal")
			e.logger.Warn("benchlog: damaged write-ahead log file; replaying what is readable", zap.String("run_id", id), zap.Error(err))
		}
		if len(recs) == 0 {
			_ = e.wal.remove(id)
			continue
		}
		now := e.now()
		r := e.runs[tid]
		if r == nil {
			r = e.newRun(ctx, tid, now)
		}
		r.hasWAL, r.replayed = true, true
		lastStatus := ""
		for _, rec := range recs {
			switch rec.kind {
			case walSpans:
				td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(rec.payload)
				if err != nil {
					e.failure(ctx, "wal")
					e.logger.Warn("benchlog: unreadable record in the write-ahead log skipped", zap.String("run_id", id), zap.Error(err))
					continue
				}
				e.ingest(ctx, td, false)
				r.walDirty = true
			case walWritten:
				status, file, ok := parseWritten(rec.payload)
				if !ok {
					continue
				}
				r.path = filepath.Join(e.dir.Path(), file)
				r.walFile, r.walStatus, r.status = file, status, status
				r.walDirty = false
				lastStatus = status
			}
		}
		e.touch(r, now)
		switch {
		case r.written:
			// Pushed out by max_pending_runs meanwhile: written as such.
		case r.root != nil:
			r.reason = reasonReplay // its final log
		case !r.walDirty && lastStatus == semconv.StatusIncomplete:
			// Its incomplete log is up to date: remember it as written.
			e.moveToWritten(ctx, r)
			e.dropFromBatch(r)
		case e.cfg.Checkpoints:
			r.reason = reasonReplay // a checkpoint with every span replayed
		default:
			e.dropFromBatch(r)
		}
		n++
	}
	if err := e.settle(ctx); err != nil {
		e.logger.Error("benchlog: could not write the logs of replayed runs", zap.Error(err))
	}
	if n > 0 {
		e.logger.Info("benchlog: replayed the write-ahead log", zap.Int("runs", n), zap.Int("pending", e.pending.Len()))
	}
}

// dropFromBatch takes r out of the current batch: nothing to write for it.
func (e *benchlogExporter) dropFromBatch(r *run) {
	for i, x := range e.batch {
		if x == r {
			e.batch = append(e.batch[:i], e.batch[i+1:]...)
			break
		}
	}
	r.touched, r.refs, r.reason = false, nil, ""
}

// Telemetry and stats.

func (e *benchlogExporter) logWritten(ctx context.Context, reason string) {
	e.stats.logsWritten.Add(1)
	switch reason {
	case reasonIdleTimeout, reasonPendingLimit, reasonShutdown:
		e.stats.partialLogs.Add(1)
	}
	e.tel.ExporterBenchlogLogsWritten.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason))))
}

func (e *benchlogExporter) limitHit(ctx context.Context, limit string, n int64) {
	e.stats.limitHits.Add(n)
	e.tel.ExporterBenchlogLimitHits.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("limit", limit))))
}

func (e *benchlogExporter) dropped(ctx context.Context, reason string, n int64) {
	e.stats.spansDropped.Add(n)
	e.tel.ExporterBenchlogSpansDropped.Add(ctx, n, metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason))))
}

func (e *benchlogExporter) problem(ctx context.Context, n int64) {
	e.stats.problems.Add(n)
	e.tel.ExporterBenchlogInputProblems.Add(ctx, n)
}

func (e *benchlogExporter) failure(ctx context.Context, stage string) {
	e.stats.errors.Add(1)
	e.tel.ExporterBenchlogErrors.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("stage", stage))))
}
