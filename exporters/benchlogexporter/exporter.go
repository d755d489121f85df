package benchlogexporter

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/exporters/benchlogexporter/internal/metadata"
)

var (
	errNotStarted = errors.New("benchlog exporter: not started")
	// errNotKept refuses a batch whose run is neither in its log nor in the
	// write-ahead log: the producer is to send it again.
	errNotKept = errors.New("its log could not be written and its spans are not in the write-ahead log: the batch is refused")
)

var _ component.Component = (*benchlogExporter)(nil)

// benchlogExporter assembles the spans of benchmark runs into run logs, as
// the in-process writer does, but from spans that arrive over OTLP in any
// order and in any batch.
//
// A run is keyed by trace ID. It is pending until its root span arrives:
// its spans are kept in memory and in the write-ahead log (wal.go), and a
// "running" checkpoint is written after each batch that brings phases
// (Config.Checkpoints). When the root arrives, the final log is written and
// recorded in the run's WAL file, which stays until the run is forgotten. A pending run that sees no span for
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
// The parts: runs (runtable.go) decides what happens to each run, with no
// I/O; wal (wal.go) keeps the write-ahead log, which replay (replay.go)
// reads at start; logs (logfile.go) writes the log files; tel
// (telemetry.go) counts; this type ties them together. All state is
// guarded by mu; the log and WAL writes of a batch happen under it, in
// ConsumeTraces, before it returns.
type benchlogExporter struct {
	cfg    *Config
	logger *zap.Logger
	tel    *telemetry
	now    func() time.Time

	mu    sync.Mutex
	state int // stateNew, stateStarted, stateStopped
	runs  *runTable
	wal   *wal
	logs  *logWriter
	conv  converter
	retry map[*run]struct{} // runs whose last log write failed
	host  component.Host    // for component status (health)
	sick  bool              // the status reported is a recoverable error

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

// spanRef points at a span of the batch being consumed, for the WAL.
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
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, fmt.Errorf("creating benchlog exporter telemetry: %w", err)
	}
	return &benchlogExporter{
		cfg:    cfg,
		logger: set.Logger,
		tel:    newTelemetry(tb),
		now:    time.Now,
		runs:   newRunTable(cfg),
		logs:   &logWriter{loc: loc, logger: set.Logger},
		conv:   converter{maxBytes: cfg.MaxAttributeBytes},
		retry:  map[*run]struct{}{},
	}, nil
}

// Start opens the log directory, replays the write-ahead log and starts the
// idle-timeout sweeper.
func (e *benchlogExporter) Start(ctx context.Context, host component.Host) error {
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
	e.logs.dir, e.wal, e.host = dir, w, host
	// A process killed in the middle of a write leaves its temporary file;
	// nothing else writes into this directory (one exporter each).
	if n, err := dir.RemoveStaleTemps(0); err != nil {
		e.logger.Warn("benchlog: could not remove temporary files of an earlier process", zap.Error(err))
	} else if n > 0 {
		e.logger.Info("benchlog: removed temporary files of an earlier process", zap.Int("files", n))
	}
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
		for r := e.runs.oldestPending(); r != nil; r = e.runs.oldestPending() {
			if err := ctx.Err(); err != nil {
				// The rest stays in the WAL for the next start.
				errs = append(errs, fmt.Errorf("benchlog: shutdown: %d runs left to the write-ahead log: %w", e.runs.pending.Len(), err))
				break
			}
			e.runs.markWritten(r)
			if err := e.flush(ctx, r, reasonShutdown); err != nil {
				errs = append(errs, err)
			}
		}
		for r := range e.retry {
			if err := e.flush(ctx, r, reasonRetry); err != nil {
				errs = append(errs, err)
			}
		}
		e.tel.pendingRuns(ctx, e.runs.pending.Len())
		e.wal.close()
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
	return e.settle(ctx, td)
}

// ingest adds the root and phase spans of td to their runs, creating runs as
// needed; the runs touched are in the run table's batch. keepRefs keeps
// references to the spans for the WAL.
func (e *benchlogExporter) ingest(ctx context.Context, td ptrace.Traces, keepRefs bool) {
	now := e.now()
	var invalid int64
	e.conv.resetResource()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var res map[string]any // converted once, when needed
		var resTruncated int
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
				r := e.open(tid, now)
				sid := s.SpanID()
				if drop := e.runs.admit(r, sid, kind); drop != "" {
					e.dropSpan(ctx, r, s, drop)
					continue
				}
				// The resource is converted once per ResourceSpans (and
				// once for equal resources of one batch) and shared; the
				// values it cut count for the first span of each
				// ResourceSpans that is kept.
				if res == nil {
					res, resTruncated = e.conv.resource(rs.Resource().Attributes())
					r.batch.truncated += resTruncated
				}
				bs := e.conv.span(s, res)
				r.batch.truncated += e.conv.truncated
				e.conv.truncated = 0
				e.runs.add(r, sid, kind, bs)
				if keepRefs {
					r.batch.refs = append(r.batch.refs, spanRef{rs, ss, s})
				}
			}
		}
	}
	if invalid > 0 {
		e.tel.dropped(ctx, dropInvalidTrace, invalid)
		e.logger.Warn("benchlog: spans without a trace ID left out", zap.Int64("spans", invalid))
	}
}

// open returns the run of tid, active at now, creating it if needed.
func (e *benchlogExporter) open(tid pcommon.TraceID, now time.Time) *run {
	return e.runs.open(tid, now)
}

// dropSpan counts and logs span s of r, which the run table does not admit.
func (e *benchlogExporter) dropSpan(ctx context.Context, r *run, s ptrace.Span, reason string) {
	e.tel.dropped(ctx, reason, 1)
	switch reason {
	case dropSecondRoot:
		if r.log.warned.once(warnSecondRoot) {
			e.tel.problems(ctx, 1)
			e.logger.Warn("benchlog: run has a second root span; the first one is kept",
				zap.String("run_id", r.hex), zap.String("span_id", spanIDString(s.SpanID())), zap.String("span_name", cut(s.Name(), 200)))
		}
	case dropSpanLimit:
		e.tel.limitHit(ctx, limitSpansPerRun, 1)
		if r.log.warned.once(warnSpanLimit) {
			e.logger.Warn("benchlog: run reached max_spans_per_run; its further phase spans are left out of its log",
				zap.String("run_id", r.hex), zap.Int("max_spans_per_run", e.cfg.MaxSpansPerRun))
		}
	}
}

// settle writes what the current batch changed: the WAL records of the runs
// still without a root, then their logs. After each run it applies the
// limits (enforce), so that the WAL folder never holds more than the limits
// allow, even within a batch of thousands of runs. td is the batch (empty
// for the replay).
func (e *benchlogExporter) settle(ctx context.Context, td ptrace.Traces) error {
	var errs []error
	spans := td.SpanCount()
	for i := 0; i < len(e.runs.batch); i++ {
		r := e.runs.batch[i]
		if r.batch.settled {
			continue
		}
		if err := e.settleRun(ctx, r, td, spans); err != nil {
			errs = append(errs, err)
		}
		r.batch.settled = true
		e.enforce(ctx)
	}
	e.enforce(ctx)
	e.runs.endBatch()
	e.tel.pendingRuns(ctx, e.runs.pending.Len())
	e.reportHealth()
	return errors.Join(errs...)
}

// enforce applies max_written_runs, max_held_bytes and max_pending_runs:
// forgets written runs beyond them, then writes the least recently active
// pending runs beyond them as incomplete (a run of the batch not yet
// settled is written by settleRun, with the reason set here).
func (e *benchlogExporter) enforce(ctx context.Context) {
	e.trim(ctx)
	victims, reasons := e.runs.evict()
	for i, v := range victims {
		limit := limitPendingRuns
		if reasons[i] == reasonBytesLimit {
			limit = limitHeldBytes
		}
		e.tel.limitHit(ctx, limit, 1)
		e.logger.Warn("benchlog: "+limit+" reached; writing the least recently active run waiting for its root as incomplete",
			zap.String("run_id", v.hex), zap.Int("max_pending_runs", e.cfg.MaxPendingRuns), zap.Int64("max_held_bytes", e.cfg.MaxHeldBytes))
		if v.batch.touched && !v.batch.settled {
			v.batch.reason = reasons[i]
			continue
		}
		_ = e.flush(ctx, v, reasons[i])
	}
	if len(victims) > 0 {
		e.trim(ctx)
	}
}

func (e *benchlogExporter) settleRun(ctx context.Context, r *run, td ptrace.Traces, spans int) error {
	if n := r.batch.truncated; n > 0 {
		e.tel.limitHit(ctx, limitAttributeBytes, int64(n))
		if r.log.warned.once(warnTruncated) {
			e.logger.Warn("benchlog: attribute values longer than max_attribute_bytes were cut",
				zap.String("run_id", r.hex), zap.Int("values", n), zap.Int("max_attribute_bytes", e.cfg.MaxAttributeBytes))
		}
	}
	// The WAL holds every span of a run until its file is removed: the
	// spans of a run without a root, and the root (and its batch) of a run
	// that has a WAL file, so that a crash between writing the final log
	// and removing the file replays into the same final log. A run whose
	// root comes in its first batch needs no WAL: nothing of it was
	// acknowledged before its log was written (unless that write fails:
	// then its spans go to the WAL, below).
	var walErr error
	if len(r.batch.refs) > 0 && (r.root == nil || e.wal.has(r.hex)) && r.state != runForgotten {
		walErr = e.appendSpans(ctx, r, td, spans)
	}
	reason := e.runs.settle(r)
	if reason == "" {
		return walErr // pending, no checkpoints: nothing to write yet
	}
	err := e.flush(ctx, r, reason)
	if err != nil && walErr == nil && len(r.batch.refs) > 0 && !e.wal.has(r.hex) && r.state != runForgotten {
		// The log could not be written: keep the spans in the WAL until a
		// retry writes it.
		walErr = e.appendSpans(ctx, r, td, spans)
	}
	if walErr != nil {
		r.walGap = true
	}
	if err != nil && e.wal.has(r.hex) && !r.walGap {
		// Kept in the WAL, retried by the sweeper (and after a restart):
		// the batch is acknowledged; the failure is logged and counted.
		err = nil
	}
	if r.failing && (r.walGap || !e.wal.has(r.hex)) {
		// Neither the log nor the WAL holds the run: refuse the batch, so
		// that the producer sends it again rather than count it as kept.
		return errors.Join(walErr, err, fmt.Errorf("benchlog: run %s: %w", r.hex, errNotKept))
	}
	return errors.Join(walErr, err)
}

// appendSpans writes the spans of the batch td (of spans spans) for r to
// the WAL: td as it is when they are all its spans, else a copy of them.
func (e *benchlogExporter) appendSpans(ctx context.Context, r *run, td ptrace.Traces, spans int) error {
	refs := r.batch.refs
	if len(refs) != spans || r.batch.truncated > 0 {
		td = ptrace.NewTraces()
		var lastRS, outRS ptrace.ResourceSpans
		var lastSS, outSS ptrace.ScopeSpans
		for i, ref := range refs {
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
		if r.batch.truncated > 0 {
			// max_attribute_bytes applies before the WAL: what is cut
			// from the log is not kept in the WAL either.
			for _, rs := range td.ResourceSpans().All() {
				for _, ss := range rs.ScopeSpans().All() {
					for _, s := range ss.Spans().All() {
						e.conv.bound(s, rs.Resource().Attributes())
					}
				}
			}
		}
	}
	payload, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err == nil {
		err = e.wal.appendSpans(r.hex, payload)
	}
	if err != nil {
		e.tel.failure(ctx, stageWAL)
		e.logger.Error("benchlog: could not write the write-ahead log; the run's spans are kept in memory only",
			zap.String("run_id", r.hex), zap.Error(err))
		return fmt.Errorf("benchlog: run %s: %w", r.hex, err)
	}
	return nil
}

// flush writes the log of r and brings its WAL file up to date: removed once
// the log is final, else ending with a walWritten record for the log.
func (e *benchlogExporter) flush(ctx context.Context, r *run, reason string) error {
	problems, err := e.logs.write(r)
	if problems != nil {
		e.reportProblems(ctx, r, problems)
	}
	if err != nil {
		e.tel.failure(ctx, stageLog)
		if _, failing := e.retry[r]; !failing {
			e.retry[r] = struct{}{}
			r.failing = true
			e.logger.Error("benchlog: could not write a run log; it is kept (in the write-ahead log) and retried",
				zap.String("run_id", r.hex), zap.String("reason", reason), zap.Error(err))
		}
		return err
	}
	if r.failing {
		r.failing = false
		delete(e.retry, r)
		e.logger.Info("benchlog: run log written after failures", zap.String("run_id", r.hex), zap.String("path", r.log.path))
	}
	e.runs.logWritten(r)
	if partial(reason) {
		e.logger.Info("benchlog: run written without its root span (status incomplete)",
			zap.String("run_id", r.hex), zap.String("reason", reason), zap.String("path", r.log.path), zap.Int("phases", len(r.phases)))
	}
	e.tel.logWritten(ctx, reason)
	if !e.wal.has(r.hex) {
		return nil
	}
	// A final run keeps its WAL file (ending with a walWritten record of
	// its final log) until it is forgotten, so that a restarted collector
	// still remembers it: a batch the producer sends again because a kill
	// cut the answer (its root, say) is then a duplicate, not a new run in
	// a second file.
	if r.state == runForgotten {
		return nil
	}
	if err := e.wal.recordWritten(r.hex, r.log.status, filepath.Base(r.log.path)); err != nil {
		// Harmless: replay writes the log again from the spans.
		e.tel.failure(ctx, stageWAL)
		e.logger.Warn("benchlog: could not record a written log in the write-ahead log", zap.String("run_id", r.hex), zap.Error(err))
	}
	return nil
}

func (e *benchlogExporter) removeWAL(ctx context.Context, r *run) {
	if err := e.wal.remove(r.hex); err != nil {
		e.tel.failure(ctx, stageWAL)
		e.logger.Warn("benchlog: could not remove a write-ahead log file", zap.String("run_id", r.hex), zap.Error(err))
	}
}

// reportProblems logs the problems Assemble found in r's spans, once for
// each distinct set.
func (e *benchlogExporter) reportProblems(ctx context.Context, r *run, err error) {
	msg := err.Error()
	if msg == r.log.problems {
		return
	}
	r.log.problems = msg
	n := 1
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		n = len(u.Unwrap())
	}
	e.tel.problems(ctx, int64(n))
	e.logger.Warn("benchlog: run has attributes the log cannot use; its log is written without them",
		zap.String("run_id", r.hex), zap.Int("problems", n), zap.String("details", cut(msg, 2000)))
}

// trim forgets the written runs beyond max_written_runs and
// max_held_bytes (never a failing one), and their WAL files. Their logs
// stay as written.
func (e *benchlogExporter) trim(ctx context.Context) {
	for _, r := range e.runs.trim() {
		if e.wal.has(r.hex) {
			e.removeWAL(ctx, r)
		}
		if !r.final {
			e.tel.limitHit(ctx, limitWrittenRuns, 1)
			e.logger.Info("benchlog: forgetting an incomplete run (max_written_runs or max_held_bytes); its later spans will start a new log",
				zap.String("run_id", r.hex), zap.String("path", r.log.path))
		}
	}
}

// reportHealth reports a recoverable error as the component's status while
// some run's log cannot be written, and OK again once all are.
func (e *benchlogExporter) reportHealth() {
	sick := len(e.retry) > 0
	if e.host == nil || sick == e.sick {
		return
	}
	e.sick = sick
	if sick {
		componentstatus.ReportStatus(e.host, componentstatus.NewRecoverableErrorEvent(
			fmt.Errorf("benchlog: %d run logs cannot be written; retrying", len(e.retry))))
	} else {
		componentstatus.ReportStatus(e.host, componentstatus.NewEvent(componentstatus.StatusOK))
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
	for _, r := range e.runs.expire(e.now(), e.cfg.IdleTimeout) {
		_ = e.flush(ctx, r, reasonIdleTimeout)
	}
	for r := range e.retry {
		_ = e.flush(ctx, r, reasonRetry)
	}
	e.trim(ctx)
	e.tel.pendingRuns(ctx, e.runs.pending.Len())
	e.reportHealth()
}
