package benchlogexporter

import (
	"context"
	"encoding/hex"
	"path/filepath"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// replay rebuilds the runs of the WAL files left by an earlier process
// (stopped, crashed or killed): runs still pending become pending again,
// with a fresh idle timeout; runs written as incomplete are remembered
// again; a run whose root is there (the process stopped between writing
// its final log and removing the file) gets its final log again.
func (e *benchlogExporter) replay(ctx context.Context) {
	ids, err := e.wal.list()
	if err != nil {
		e.tel.failure(ctx, stageWAL)
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
			e.tel.failure(ctx, stageWAL)
			e.logger.Warn("benchlog: damaged write-ahead log file; replaying what is readable", zap.String("run_id", id), zap.Error(err))
		}
		if len(recs) == 0 {
			_ = e.wal.remove(id)
			continue
		}
		r := e.open(tid, e.now())
		r.log.replayed = true
		for _, rec := range recs {
			switch rec.kind {
			case walSpans:
				td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(rec.payload)
				if err != nil {
					e.tel.failure(ctx, stageWAL)
					e.logger.Warn("benchlog: unreadable record in the write-ahead log skipped", zap.String("run_id", id), zap.Error(err))
					continue
				}
				e.ingest(ctx, td, false)
			case walWritten:
				if status, file, ok := parseWritten(rec.payload); ok {
					r.log.path = filepath.Join(e.logs.dir.Path(), file)
					r.log.status = status
				}
			}
		}
		switch {
		case r.state != runPending:
			// Pushed out by max_pending_runs meanwhile: written as such.
		case r.root != nil && !e.wal.dirty(id) && r.log.path != "" &&
			r.log.status != semconv.StatusRunning && r.log.status != semconv.StatusIncomplete:
			// Its final log is up to date: remember it as written, so that
			// a span sent again is a duplicate.
			e.runs.markWritten(r)
			r.final = true
			e.runs.drop(r)
		case r.root != nil:
			r.batch.reason = reasonReplay // its final log
		case !e.wal.dirty(id) && r.log.status == semconv.StatusIncomplete:
			// Its incomplete log is up to date: remember it as written.
			e.runs.markWritten(r)
			e.runs.drop(r)
		case e.cfg.Checkpoints:
			r.batch.reason = reasonReplay // a checkpoint with every span replayed
		default:
			e.runs.drop(r)
		}
		n++
	}
	if err := e.settle(ctx, ptrace.NewTraces()); err != nil {
		e.logger.Error("benchlog: could not write the logs of replayed runs", zap.Error(err))
	}
	if n > 0 {
		e.logger.Info("benchlog: replayed the write-ahead log", zap.Int("runs", n), zap.Int("pending", e.runs.pending.Len()))
	}
}
