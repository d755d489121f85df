package compare

import (
	"context"
	"fmt"
	"io"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// loadBatch is how many files LoadFiles hands analyze.LoadFiles at a time:
// enough to keep every worker busy, few enough that a cancelled context
// is noticed within milliseconds and that only one batch of whole logs is
// in memory at once.
const loadBatch = 512

// LoadFiles reads the run logs at files as analyze.LoadFiles does, and
// returns the same Runs in the order of files: each log is decoded with
// benchlog.Decode, on one goroutine per CPU; a file that cannot be read or
// is not a run log is a warning on warn (which may be nil), in the order
// of files; and the error is non-nil only when none of a non-empty list
// could be loaded, or when ctx is done.
//
// Each Run's figures are those of its whole log, but its Log keeps only
// what Compare, Trend, Select and the report read, so that tens of
// thousands of runs fit in little memory: the metadata; the status; each
// phase with its status, parent, duration, CPU times, peak RSS, memory
// change and Go heap allocation; the numeric results but samples; and
// timing's go_heap_alloc_bytes. The rest (model, error, the other phase
// and timing keys, unknown top-level keys) is left out: analyze.LoadFiles
// gives the whole logs.
func LoadFiles(ctx context.Context, files []string, warn io.Writer) ([]analyze.Run, error) {
	runs, _, err := loadFiles(ctx, files, warn, nil)
	return runs, err
}

// loadFiles is LoadFiles. With a Source, it keeps only the runs that
// match it, and of their metadata only the keys loadMetadataKey accepts;
// read is how many logs it could read, matching or not.
func loadFiles(ctx context.Context, files []string, warn io.Writer, where *Source) (runs []analyze.Run, read int, err error) {
	if where == nil {
		runs = make([]analyze.Run, 0, len(files))
	}
	for start := 0; start < len(files); start += loadBatch {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		// Its error says none of the batch could be read: each file is
		// already a warning, and others may yet be read.
		batch, _ := analyze.LoadFiles(files[start:min(start+loadBatch, len(files))], warn)
		read += len(batch)
		for i := range batch {
			r := &batch[i]
			if where != nil && !where.matches(r.Log.Metadata) {
				continue
			}
			slim(r.Log, where != nil)
			runs = append(runs, *r)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if read == 0 && len(files) > 0 {
		return nil, 0, fmt.Errorf("none of the %d log files could be read", len(files))
	}
	return runs, read, nil
}

// phaseKey reports whether key is one of a phase's keys that collect
// and the report read.
func phaseKey(key string) bool {
	switch key {
	case benchlog.KeyStatus, benchlog.KeyParent, benchlog.KeyDuration,
		benchlog.KeyCPUUser, benchlog.KeyCPUSystem, benchlog.KeyPeakRSS,
		benchlog.KeyMemoryChange, benchlog.KeyGoHeapAlloc:
		return true
	}
	return false
}

// loadMetadataKey reports whether key is one of the metadata keys that
// Source.Load keeps, once it has selected the runs: those Trend, measured
// and the report read.
func loadMetadataKey(key string) bool {
	return key == benchlog.KeyGitCommit || key == warmupKey
}

// slim makes l what LoadFiles keeps of it, in place; with
// onlyLoadMetadata, of its metadata only the keys loadMetadataKey
// accepts. Object lookups and iterations on it, as collect, commitOf and
// the report make them, give what they give on the whole log: every key
// it keeps, it keeps with all its fields, in order, so that a key's first
// value (Object.Get's) stays its first. The fields kept share one
// allocation, each Object capped at its end.
func slim(l *benchlog.Log, onlyLoadMetadata bool) {
	results := l.Results
	keepMetadata := func(f benchlog.Field) bool { return loadMetadataKey(f.Key) }
	keepTiming := func(f benchlog.Field) bool { return f.Key == benchlog.KeyGoHeapAlloc }
	keepResult := func(f benchlog.Field) bool {
		if skippedResults[f.Key] {
			return false
		}
		_, ok := results.Float(f.Key) // collect reads a key's first value
		return ok
	}
	keepPhase := func(f benchlog.Field) bool { return phaseKey(f.Key) }

	n := 0
	count := func(o benchlog.Object, keep func(benchlog.Field) bool) {
		for _, f := range o {
			if keep(f) {
				n++
			}
		}
	}
	if onlyLoadMetadata {
		count(l.Metadata, keepMetadata)
	}
	count(l.Timing, keepTiming)
	count(l.Results, keepResult)
	for _, ph := range l.Phases {
		count(ph.Fields, keepPhase)
	}
	fields := make([]benchlog.Field, 0, n)
	// take appends the fields of o that keep wants, and returns them as
	// an Object of their own (nil when o is).
	take := func(o benchlog.Object, keep func(benchlog.Field) bool) benchlog.Object {
		if o == nil {
			return nil
		}
		start := len(fields)
		for _, f := range o {
			if keep(f) {
				fields = append(fields, f)
			}
		}
		return benchlog.Object(fields[start:len(fields):len(fields)])
	}

	if onlyLoadMetadata {
		l.Metadata = take(l.Metadata, keepMetadata)
	}
	l.Model = nil
	l.Timing = take(l.Timing, keepTiming)
	l.Results = take(l.Results, keepResult)
	for i := range l.Phases { // a slice of their number already: kept
		l.Phases[i].Fields = take(l.Phases[i].Fields, keepPhase)
	}
	l.Error = ""
	l.Extra = nil
}
