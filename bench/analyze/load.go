package analyze

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// workers is how many files are read at once: one per CPU the Go
// scheduler uses.
func workers() int { return max(1, runtime.GOMAXPROCS(0)) }

// parallel calls fn(i) for every i in [0, n), on up to workers()
// goroutines, and returns when all calls have.
func parallel(n int, fn func(i int)) {
	w := min(workers(), n)
	if w <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				fn(j)
			}
		})
	}
	wg.Wait()
}

// warning is an unreadable log, reported once loading is done.
type warning struct{ path, msg string }

// loader loads logs into a store, from several goroutines.
type loader struct {
	mu       sync.Mutex
	st       *store
	ids      []uint32
	warnings []warning
	rec      recordBuilder
	scratch  []byte
	dir      openDir    // where the jobs' base names are
	free     chan []job // LoadDir's batches, done with, to reuse
}

// job is one file to load: its path, or its name base in the store's
// directory dir; or its path and its index in the store's list.
type job struct {
	path, dir, base string
	index           int
}

// file returns the job's path. A directory's files get theirs only when
// it is needed (a warning, an unusual log), not for every file.
func (j job) file() string {
	if j.path != "" {
		return j.path
	}
	return filepath.Join(j.dir, j.base)
}

// name returns the job's file name.
func (j job) name() string {
	if j.base != "" {
		return j.base
	}
	return filepath.Base(j.path)
}

// worker is one goroutine's reusable state.
type worker struct {
	buf  []byte
	sc   scanner
	out  scanned
	run  Run
	e    entry
	name []byte
}

// load reads one log and adds its summary to the store, or a warning.
func (ld *loader) load(w *worker, j job) {
	data, complete, err := readLogOnce(ld.dir, j, &w.buf, true)
	if err == nil {
		err = w.summarizeData(data, j)
		if err != nil && !complete {
			// Perhaps not the whole file: read it again to be sure.
			if data, err = readLog(j.file(), &w.buf); err == nil {
				err = w.summarizeData(data, j)
			}
		}
	}
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if err != nil {
		ld.warnings = append(ld.warnings, warning{j.file(), err.Error()})
		return
	}
	ld.scratch = ld.st.encode(&ld.rec, &w.e, ld.scratch)
	ld.ids = append(ld.ids, ld.st.add(ld.rec.b))
}

// summarizeData fills w.e with the summary of the log data: from the
// scanner, or the full decoder when the scanner gives up.
func (w *worker) summarizeData(data []byte, j job) error {
	err := w.summarize(data, j)
	if err == errSlowPath {
		err = w.summarizeSlowly(data, j)
	}
	return err
}

// summarize fills w.e with the summary of the log data, read by the
// scanner. It returns errSlowPath for a log the scanner leaves to
// benchlog.Decode.
func (w *worker) summarize(data []byte, j job) error {
	sc := &w.out
	if err := w.sc.scan(data, sc); err != nil {
		return err
	}
	if !sc.hasMetadata && !sc.hasPhases && (sc.status.kind != kindString || len(sc.status.str) == 0) {
		return errNotRunLog
	}
	e := &w.e
	*e = entry{run: &w.run, base: j.base, index: j.index}
	nan := math.NaN()
	r := &w.run
	*r = Run{
		Duration:             nan,
		MainPhaseSeconds:     nan,
		PreprocessingSeconds: nan,
		MAE:                  nan,
		PrecisionBits:        nan,
		CPUUserSeconds:       nan,
		CPUSystemSeconds:     nan,
	}

	// As newRun.
	name := sc.benchmark.str
	if sc.benchmark.kind != kindString || len(name) == 0 {
		w.name = append(w.name[:0], benchlog.BenchmarkOfFile(j.name())...)
		name = w.name
	}
	e.strs[0] = name
	if sc.start.kind == kindString {
		// Strict RFC 3339 from the bytes, without a string to allocate;
		// what it accepts ParseTime reads the same. Otherwise (the Python
		// logger's timestamps without an offset) ParseTime.
		var t time.Time
		if t.UnmarshalText(sc.start.str) == nil {
			r.Start, e.start = t, t
		} else if t, err := benchlog.ParseTime(string(sc.start.str)); err == nil {
			r.Start, e.start = t, t
		}
	}
	if d, ok := sc.duration.float(); ok {
		r.Duration = d
	}
	if sc.mainPhase != nil {
		e.strs[5] = sc.mainPhase
		r.MainPhaseSeconds = sc.mainSeconds
	}
	if d, ok := sc.preprocessing.float(); ok {
		r.PreprocessingSeconds = d
	}
	if v, ok := sc.mae.float(); ok {
		r.MAE = v
	}
	if v, ok := sc.precision.float(); ok {
		r.PrecisionBits = v
	} else if r.MAE == 0 {
		r.PrecisionBits = math.Inf(1)
	}

	// As Run.measure.
	r.PeakRSSBytes = sc.phasePeak
	r.MemoryChangeBytes, r.HasMemoryChange = sc.memChange, sc.hasMemChange
	if sc.hasCPU {
		r.CPUUserSeconds, r.CPUSystemSeconds, r.CPUWallSeconds = sc.user, sc.sys, sc.wall
	}
	if peak, ok := sc.timingPeak.int(); ok && peak > r.PeakRSSBytes {
		r.PeakRSSBytes = peak
	}
	u, okU := sc.timingUser.float()
	s, okS := sc.timingSys.float()
	if okU || okS {
		r.CPUUserSeconds, r.CPUSystemSeconds, r.CPUWallSeconds = u, s, 0
		if isFinite(r.Duration) {
			r.CPUWallSeconds = r.Duration
		}
	}

	// As infoOf.
	var ok bool
	if e.strs[1], ok = shownBytes(&sc.model); !ok {
		return errSlowPath
	}
	if e.strs[2], ok = shownBytes(&sc.architecture); !ok {
		return errSlowPath
	}
	if e.strs[3], ok = shownBytes(&sc.dataset); !ok {
		return errSlowPath
	}
	if e.startText, ok = shownBytes(&sc.start); !ok {
		return errSlowPath
	}
	if sc.start.kind == kindAbsent || sc.start.kind == kindNull {
		e.startText = nil
	}
	e.modelStr = sc.model.kind == kindString
	e.datasetStr = sc.dataset.kind == kindString
	e.startIsStr = sc.start.kind == kindString
	if sc.status.kind == kindString {
		e.strs[4] = sc.status.str
	}
	switch sc.errorV.kind {
	case kindString:
		e.hasError = len(sc.errorV.str) > 0
		line, _, _ := bytes.Cut(bytes.TrimSpace(sc.errorV.str), []byte("\n"))
		e.strs[6] = bytes.TrimSpace(line)
	case kindAbsent, kindNull:
	default:
		return errSlowPath // Decode writes it as JSON
	}
	e.hasMAE = sc.hasMAE
	return nil
}

// shownBytes returns a value as the summary shows it, when that is
// simple: a string as is, "N/A" for missing or null. ok is false for
// others.
func shownBytes(v *scannedValue) (b []byte, ok bool) {
	switch v.kind {
	case kindString:
		return v.str, true
	case kindAbsent, kindNull:
		return []byte(notAvailable), true
	}
	return nil, false
}

// summarizeSlowly fills w.e from the log decoded in full.
func (w *worker) summarizeSlowly(data []byte, j job) error {
	l, err := decodeLog(data)
	if err != nil {
		return err
	}
	w.run = newRun(j.file(), l)
	r := &w.run
	r.Log = nil
	i := &r.info
	e := &w.e
	*e = entry{
		run:        r,
		strs:       [7][]byte{[]byte(r.Name), []byte(i.model), []byte(i.architecture), []byte(i.dataset), []byte(i.status), []byte(r.MainPhase), []byte(i.errLine)},
		modelStr:   i.modelIsString,
		datasetStr: i.datasetIsString,
		start:      r.Start,
		startIsStr: i.startIsString,
		hasError:   i.hasError,
		hasMAE:     i.hasMAE,
		base:       j.base,
		index:      j.index,
	}
	if v, ok := l.Metadata.Get(benchlog.KeyTimestampStart); ok && v != nil {
		e.startText = []byte(i.startText)
	}
	return nil
}

// finish sorts the loaded runs, writes the warnings in order of path, and
// returns the summaries.
func (ld *loader) finish(warn io.Writer, files int) (*Summaries, error) {
	slices.SortFunc(ld.warnings, func(a, b warning) int { return cmp.Compare(a.path, b.path) })
	if warn != nil {
		for _, w := range ld.warnings {
			fmt.Fprintf(warn, "warning: skipping %s: %s\n", w.path, w.msg)
		}
	}
	if len(ld.ids) == 0 && files > 0 {
		return nil, fmt.Errorf("none of the %d log files could be read", files)
	}
	ld.st.sortIDs(ld.ids)
	return &Summaries{st: ld.st, ids: ld.ids, files: files}, nil
}

// LoadSummaries reads the run logs at files, several at a time, and keeps
// a compact summary of each: what the summary, the statistics and the
// exports need, about 50 bytes a run. It reads only the parts of a log it
// needs, and decodes a log in full only when it is unusual.
//
// As LoadFiles, it skips a file that cannot be read or is not a run log,
// with a warning on warn (which may be nil), and fails only when none of a
// non-empty list could be loaded. The warnings are written in order of
// path, once all files are read. It stops early, returning ctx's error,
// when ctx is done.
func LoadSummaries(ctx context.Context, files []string, warn io.Writer) (*Summaries, error) {
	ld := &loader{st: newStore("", files), dir: noDir}
	jobs := make(chan []job, 2*workers())
	go func() {
		defer close(jobs)
		const batch = 64
		for i := 0; i < len(files); i += batch {
			if ctx.Err() != nil {
				return
			}
			b := make([]job, 0, batch)
			for j := i; j < min(i+batch, len(files)); j++ {
				b = append(b, job{path: files[j], index: j})
			}
			jobs <- b
		}
	}()
	ld.work(jobs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ld.finish(warn, len(files))
}

// LoadDir reads the run logs in dir as LoadSummaries does: the files named
// *.json, leaving out dot-files (such as a writer's temporary files) and
// directories. It reads the directory as it goes, so that it never holds
// the names of all its files. An empty Summaries (Files is 0) says dir has
// no run log; an error, that it cannot be read or none of its logs can.
func LoadDir(ctx context.Context, dir string, warn io.Writer) (*Summaries, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("reading log directory: %w", err)
	}
	defer d.Close()
	ld := &loader{st: newStore(dir, nil), dir: openDirectory(dir)}
	defer ld.dir.close()
	jobs := make(chan []job, 2*workers())
	ld.free = make(chan []job, 2*workers()+2)
	files := 0
	var listErr error
	go func() {
		defer close(jobs)
		files, listErr = listDir(ctx, d, dir, ld.free, func(b []job) { jobs <- b })
	}()
	ld.work(jobs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if listErr != nil {
		return nil, listErr
	}
	return ld.finish(warn, files)
}

// listDir reads the directory d (at dir) and calls send with its log
// files, batchJobs at a time, until its end or until ctx is done. It
// takes the batches from free when there are some to reuse. It returns
// how many files it sent.
func listDir(ctx context.Context, d *os.File, dir string, free <-chan []job, send func([]job)) (files int, err error) {
	var (
		buf   []byte
		b     []job
		names []byte // the batch's names, end to end, for one string
		ends  []int  // where each name ends in names
	)
	flush := func() {
		if len(b) == 0 {
			return
		}
		all := string(names)
		start := 0
		for i, end := range ends {
			b[i].base = all[start:end]
			start = end
		}
		files += len(b)
		send(b)
		b, names, ends = nil, names[:0], ends[:0]
	}
	for ctx.Err() == nil {
		err := readDirBatch(d, dir, &buf, func(name []byte, isDir bool) {
			if isDir || len(name) == 0 || name[0] == '.' || !bytes.HasSuffix(name, []byte(".json")) {
				return
			}
			if b == nil {
				select {
				case b = <-free:
				default:
					b = make([]job, 0, batchJobs)
				}
			}
			names = append(names, name...)
			ends = append(ends, len(names))
			b = append(b, job{dir: dir})
			if len(b) == batchJobs {
				flush()
			}
		})
		if err != nil {
			flush()
			if err != io.EOF {
				return files, fmt.Errorf("reading log directory: %w", err)
			}
			return files, nil
		}
	}
	return files, nil
}

// batchJobs is how many files a batch of listDir has at most.
const batchJobs = 256

// work loads the jobs on workers() goroutines.
func (ld *loader) work(jobs <-chan []job) {
	var wg sync.WaitGroup
	for range workers() {
		wg.Go(func() {
			var w worker
			for b := range jobs {
				for _, j := range b {
					ld.load(&w, j)
				}
				select {
				case ld.free <- b[:0]: // nil for LoadSummaries: never blocks there
				default:
				}
			}
		})
	}
	wg.Wait()
}
