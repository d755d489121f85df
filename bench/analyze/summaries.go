package analyze

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strings"

	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Summaries holds the compact summaries of run logs that LoadSummaries or
// LoadDir read, in summary order (by start time, as WriteSummary orders
// runs): what the summary, the statistics and the exports need, about 50
// bytes a run, instead of the decoded logs. What it does not keep (the
// phases, the whole error, the metadata), the verbose summary and the
// exports read again from the logs, one after the other in output order,
// so memory does not grow with the number of logs beyond the summaries.
//
// A Summaries is never modified once loaded: Filter and Latest return new
// ones that share its summaries. It is safe for concurrent use.
type Summaries struct {
	st    *store
	ids   []uint32 // in summary order
	files int
}

// Len returns the number of runs.
func (s *Summaries) Len() int { return len(s.ids) }

// Files returns the number of log files the runs were loaded from,
// including those that could not be read.
func (s *Summaries) Files() int { return s.files }

// Runs returns the runs in summary order. Their Log is nil, and their
// Start is in the local time zone (the same instant as the log's).
func (s *Summaries) Runs() iter.Seq[Run] {
	return func(yield func(Run) bool) {
		for _, id := range s.ids {
			var r Run
			s.st.decode(id, &r, withText|withPath)
			if !yield(r) {
				return
			}
		}
	}
}

// Filter returns the runs whose benchmark name contains substr, ignoring
// case, as the function Filter does.
func (s *Summaries) Filter(substr string) *Summaries {
	substr = strings.ToLower(substr)
	match := map[*kind]bool{}
	out := &Summaries{st: s.st, files: s.files}
	for _, id := range s.ids {
		k := s.st.kindOfRecord(id)
		m, ok := match[k]
		if !ok {
			m = strings.Contains(strings.ToLower(k.name), substr)
			match[k] = m
		}
		if m {
			out.ids = append(out.ids, id)
		}
	}
	return out
}

// Latest returns the newest run of each benchmark, as the function Latest
// does.
func (s *Summaries) Latest() *Summaries {
	newest := map[string]int{} // benchmark → index in s.ids
	for i, id := range s.ids {
		name := s.st.kindOfRecord(id).name
		j, ok := newest[name]
		if !ok || s.newer(id, s.ids[j]) {
			newest[name] = i
		}
	}
	out := &Summaries{st: s.st, files: s.files, ids: make([]uint32, 0, len(newest))}
	for i, id := range s.ids {
		if newest[s.st.kindOfRecord(id).name] == i {
			out.ids = append(out.ids, id)
		}
	}
	return out
}

// newer reports whether record a is newer than b, as the function newer
// does for runs.
func (s *Summaries) newer(a, b uint32) bool {
	sa, na, oka, _ := startOf(s.st.record(a))
	sb, nb, okb, _ := startOf(s.st.record(b))
	if oka && okb && (sa != sb || na != nb) {
		return sa > sb || sa == sb && na > nb
	}
	pa, pb := s.st.path(a), s.st.path(b)
	if c := strings.Compare(filepath.Base(pa), filepath.Base(pb)); c != 0 {
		return c > 0
	}
	return pa > pb
}

// WriteSummary writes the summary of the runs, as the function
// WriteSummary does, through one buffered writer. With opts.Verbose it
// reads each log again for its phases.
func (s *Summaries) WriteSummary(w io.Writer, opts Options) error {
	return writeBuffered(w, "writing summary", func(b *bufio.Writer) error {
		return writeSummary(b, s, opts)
	})
}

// Export writes the summary of the runs to the file path, as the function
// Export does. The formats that need more than the summaries (the phases,
// the whole errors, the newest run's metadata) read those logs again, in
// output order.
func (s *Summaries) Export(path string, opts Options) error {
	return export(path, s, opts)
}

// Len, at and logs make a Summaries a runList.

func (s *Summaries) at(i int, r *Run, what uint8) { s.st.decode(s.ids[i], r, what) }

// logs reads the logs of the runs that need selects again, in order, on
// workers() goroutines, a bounded number ahead of the caller.
func (s *Summaries) logs(need func(*Run) bool) *logStream {
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		log *benchlog.Log
		err error
	}
	type read struct {
		path string
		done chan<- result
	}
	reads := make(chan read, workers())
	order := make(chan chan result, 8*workers())
	go func() {
		defer close(order)
		defer close(reads)
		var r Run
		for i := range s.ids {
			select {
			case <-ctx.Done():
				return
			default:
			}
			s.at(i, &r, 0)
			if !need(&r) {
				continue
			}
			s.at(i, &r, withPath)
			done := make(chan result, 1)
			select {
			case reads <- read{r.Path, done}:
			case <-ctx.Done():
				return
			}
			select {
			case order <- done:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers() {
		go func() {
			var buf []byte
			for rd := range reads {
				data, err := readLog(rd.path, &buf)
				var l *benchlog.Log
				if err == nil {
					l, err = decodeLog(data)
				}
				rd.done <- result{l, err}
			}
		}()
	}
	return &logStream{
		next: func() (*benchlog.Log, error) {
			done, ok := <-order
			if !ok {
				return nil, errNoMoreLogs
			}
			res := <-done
			return res.log, res.err
		},
		stop: func() {
			cancel()
			for range order { // let the producer end
			}
		},
	}
}

var errNoMoreLogs = errors.New("no more logs")

// logStream gives the logs of runs, in order.
type logStream struct {
	next func() (*benchlog.Log, error)
	stop func()
}

// runList is the runs a writer goes through, in summary order: a []Run
// (runSlice) or a Summaries.
type runList interface {
	// Len returns the number of runs.
	Len() int
	// at fills r with the i-th run, with what it asks for (withText,
	// withPath) beside the figures. r.Log may be nil.
	at(i int, r *Run, what uint8)
	// logs returns a stream of the logs of the runs that need selects,
	// in order. The caller calls stop when done.
	logs(need func(*Run) bool) *logStream
}

// runSlice is a []Run in summary order as a runList.
type runSlice []Run

func (s runSlice) Len() int { return len(s) }

func (s runSlice) at(i int, r *Run, _ uint8) {
	*r = s[i]
	if !r.info.filled {
		r.info = infoOf(r.Log) // a Run made by hand
	}
}

func (s runSlice) logs(need func(*Run) bool) *logStream {
	i := 0
	var buf []byte
	return &logStream{
		next: func() (*benchlog.Log, error) {
			for ; i < len(s); i++ {
				r := &s[i]
				if !need(r) {
					continue
				}
				i++
				if r.Log != nil {
					return r.Log, nil
				}
				data, err := readLog(r.Path, &buf) // a Run of Summaries.Runs
				if err != nil {
					return nil, err
				}
				return decodeLog(data)
			}
			return nil, errNoMoreLogs
		},
		stop: func() {},
	}
}

// sortedList returns runs in summary order, as a runList.
func sortedList(runs []Run) runList {
	return runSlice(sorted(runs))
}

// writeBuffered calls write with a buffered writer on w, and flushes it.
// Errors are wrapped with what.
func writeBuffered(w io.Writer, what string, write func(*bufio.Writer) error) error {
	b := bufio.NewWriterSize(w, 64<<10)
	if err := write(b); err != nil {
		return err
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// rereadError says why a log could not be read again, for the output.
func rereadError(path string, err error) string {
	return fmt.Sprintf("cannot read %s again: %v", path, err)
}
