package benchlogexporter

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
	"github.com/benchtrace/benchtrace/sdk/semconv"
)

// logWriter writes the logs of runs into the log directory, with the code
// the in-process writer uses: benchlog.Assemble, benchlog.Encode and
// benchlog.Dir.
type logWriter struct {
	dir    *benchlog.Dir
	loc    *time.Location
	logger *zap.Logger
}

// write assembles, encodes and writes the log of r, and records its path
// and status in r.log. A run without a root is a "running" checkpoint while
// pending and "incomplete" once written. problems are what Assemble left
// out of the log (wrong attribute types, missing names); err is a failure
// to write it.
func (w *logWriter) write(r *run) (problems, err error) {
	defer func() {
		// Assemble and Encode are tested against hostile input (fuzz
		// test); this is the last line of defence of the collector.
		if p := recover(); p != nil {
			err = fmt.Errorf("benchlog: assembling run %s: panic: %v", r.hex, p)
		}
	}()
	l, problems := benchlog.Assemble(r.root, r.phases, w.loc)
	if r.root == nil && r.state == runPending {
		l.Status = semconv.StatusRunning
	}
	data, err := benchlog.Encode(l)
	if err != nil {
		return problems, fmt.Errorf("benchlog: encoding the log of run %s: %w", r.hex, err)
	}
	name, _ := l.Metadata.String(benchlog.KeyBenchmarkName)
	if err := w.place(r, name, start(r).In(w.loc), data); err != nil {
		return problems, err
	}
	r.log.status = l.Status
	return problems, nil
}

// start is the time the log's file is named after: the root's start, else
// the earliest phase start, as benchlog.Assemble derives timestamp_start.
func start(r *run) time.Time {
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
func (w *logWriter) place(r *run, name string, start time.Time, data []byte) error {
	base := benchlog.FileBase(name, start)
	if r.log.path == "" && r.log.replayed {
		r.log.path = w.find(base, r.hex)
	}
	if r.log.path != "" && hasBase(filepath.Base(r.log.path), base) {
		return w.dir.Replace(r.log.path, data)
	}
	if r.log.path == "" {
		if path := w.same(base, r.hex, data); path != "" {
			// A batch sent again after a kill cut the answer to it: its
			// log is there already, byte for byte.
			r.log.path = path
			return nil
		}
	}
	// Named after the run when its benchmark has more than a few runs in
	// that second: never a "too many logs with that name" failure.
	path, err := w.dir.CreateRun(name, start, r.hex, data)
	if err != nil {
		return err
	}
	if r.log.path != "" {
		if err := os.Remove(r.log.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			w.logger.Warn("benchlog: could not remove the previous file of a renamed log", zap.String("path", r.log.path), zap.Error(err))
		}
	}
	r.log.path = path
	return nil
}

// same returns the path of a log named after base (as Dir.CreateRun names
// it for run id) that holds exactly data, or "". It costs a stat when the
// name is free.
func (w *logWriter) same(base, id string, data []byte) string {
	match := func(path string) (exists bool, equal bool) {
		st, err := os.Stat(path)
		if err != nil {
			return false, false
		}
		if st.Size() != int64(len(data)) {
			return true, false
		}
		got, err := os.ReadFile(path)
		return true, err == nil && bytes.Equal(got, data)
	}
	for n := 1; n <= 32; n++ {
		name := base + ".json"
		if n > 1 {
			name = base + "_" + strconv.Itoa(n) + ".json"
		}
		path := filepath.Join(w.dir.Path(), name)
		exists, equal := match(path)
		if equal {
			return path
		}
		if !exists {
			return "" // Create fills the numbers in order
		}
	}
	path := filepath.Join(w.dir.Path(), base+"_"+id+".json")
	if _, equal := match(path); equal {
		return path
	}
	return ""
}

// find returns the path of the log of run id named after base, or "". It
// serves replay: a process that stopped after writing a log but before
// recording it in the WAL (or removing the WAL file) leaves a log the run
// must reuse rather than duplicate.
func (w *logWriter) find(base, id string) string {
	found, _ := benchlog.FindRuns(w.dir.Path(), base, id)
	return found[id]
}

// hasBase reports whether file is a log file named after base.
func hasBase(file, base string) bool {
	b, _, ok := benchlog.ParseFileName(file)
	return ok && b == base
}
