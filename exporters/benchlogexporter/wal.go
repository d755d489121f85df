package benchlogexporter

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The write-ahead log keeps the spans of every run whose log is not final
// (its root has not arrived), so that they survive a crash, a SIGKILL or a
// restart of the collector. It is a hidden directory inside the log
// directory holding one append-only file per run, named by trace ID:
//
//	.benchlog-wal/4bf92f3577b34da6a3ce929d0e0e4736.wal
//
// A file starts with walHeader and holds records:
//
//	kind (1 byte) | payload length (uint32 LE) | CRC-32C of payload (uint32 LE) | payload
//
// Kinds: walSpans, whose payload is an OTLP protobuf ExportTraceServiceRequest
// (ptrace.ProtoMarshaler) holding the spans of the run that one batch
// brought, and walWritten, whose payload is "status\nfile-name": the log of
// the run was written to file-name (in the log directory) with that status.
// A record is written with one write call; a torn last record (a crash in
// the middle of a write) fails its length or CRC check and is cut off at
// replay.
//
// The file of a run is removed when the run is forgotten (max_written_runs,
// max_held_bytes); a final run's file ends with a walWritten record of its
// final log, so that a restarted process remembers the run.
const (
	walDirName = ".benchlog-wal"
	walExt     = ".wal"
	walHeader  = "BENCHLOG-WAL 1\n"

	walSpans   byte = 'S'
	walWritten byte = 'W'

	walRecordHeaderLen = 9
	walMaxRecord       = 1 << 30
)

// walMaxOpen bounds the WAL files kept open between appends. A run's
// appends go to one open file: one write call each, no open and close.
const walMaxOpen = 64

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// wal is the write-ahead log: the file format above and, for each run that
// has a file, what its last records say. It is not safe for concurrent use
// (the exporter serializes it).
type wal struct {
	dir   string
	fsync bool
	files map[string]*walFile // by run ID: the runs that have a file
	open  list.List           // *walFile with an open descriptor, most recently used first
	buf   []byte              // the record being written
	peak  int                 // the most files the folder held at once
}

// walFile is the file of one run.
type walFile struct {
	id    string
	f     *os.File      // nil when not open
	size  int64         // bytes in the file while f is open
	elem  *list.Element // in wal.open while f is open
	dirty bool          // spans appended since the last walWritten record
	last  string        // payload of the last walWritten record
}

type walRecord struct {
	kind    byte
	payload []byte
}

func openWAL(logDir string, fsync bool) (*wal, error) {
	dir := filepath.Join(logDir, walDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating write-ahead log directory: %w", err)
	}
	return &wal{dir: dir, fsync: fsync, files: map[string]*walFile{}}, nil
}

func (w *wal) path(id string) string { return filepath.Join(w.dir, id+walExt) }

// has reports whether run id has a file.
func (w *wal) has(id string) bool { return w.files[id] != nil }

// dirty reports whether the file of run id has spans after its last
// walWritten record.
func (w *wal) dirty(id string) bool { wf := w.files[id]; return wf != nil && wf.dirty }

// appendSpans adds a walSpans record to the file of run id, creating the
// file if needed.
func (w *wal) appendSpans(id string, payload []byte) error {
	wf, err := w.append(id, walSpans, payload)
	if err != nil {
		return err
	}
	wf.dirty = true
	return nil
}

// recordWritten adds a walWritten record for a log written with status to
// file, unless the file of run id already ends with that record. A run
// without a file gets none.
func (w *wal) recordWritten(id, status, file string) error {
	wf := w.files[id]
	payload := writtenPayload(status, file)
	if wf == nil || (!wf.dirty && wf.last == string(payload)) {
		return nil
	}
	if _, err := w.append(id, walWritten, payload); err != nil {
		return err
	}
	wf.dirty, wf.last = false, string(payload)
	return nil
}

// append writes one record, with one write call, to the file of run id.
// The record is in the kernel when it returns (and on disk with fsync). A
// failed write is cut off the file, so that the records after it stay
// readable.
func (w *wal) append(id string, kind byte, payload []byte) (*walFile, error) {
	wf, err := w.openFile(id)
	if err != nil {
		return nil, err
	}
	created := wf.size == 0
	buf := w.buf[:0]
	if created {
		buf = append(buf, walHeader...)
	}
	buf = append(buf, kind)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(payload)))
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(payload, crcTable))
	buf = append(buf, payload...)
	w.buf = buf[:0]
	_, err = wf.f.Write(buf)
	if err == nil && w.fsync {
		err = wf.f.Sync()
	}
	if err == nil && created && w.fsync {
		err = syncDir(w.dir)
	}
	if err != nil {
		terr := wf.f.Truncate(wf.size)
		w.closeFile(wf)
		return nil, errors.Join(fmt.Errorf("appending to write-ahead log %q: %w", w.path(id), err), terr)
	}
	wf.size += int64(len(buf))
	if cap(w.buf) > 1<<20 {
		w.buf = nil // do not keep a huge batch's buffer
	}
	return wf, nil
}

// openFile returns the file of run id, open for appending.
func (w *wal) openFile(id string) (*walFile, error) {
	wf := w.files[id]
	if wf != nil && wf.f != nil {
		w.open.MoveToFront(wf.elem)
		return wf, nil
	}
	path := w.path(id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening write-ahead log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("write-ahead log %q: %w", path, err)
	}
	if wf == nil {
		wf = &walFile{id: id}
		w.files[id] = wf
		w.peak = max(w.peak, len(w.files))
	}
	wf.f, wf.size = f, st.Size()
	wf.elem = w.open.PushFront(wf)
	for w.open.Len() > walMaxOpen {
		w.closeFile(w.open.Back().Value.(*walFile))
	}
	return wf, nil
}

func (w *wal) closeFile(wf *walFile) {
	if wf.f == nil {
		return
	}
	wf.f.Close() // written with write calls only: nothing left to flush
	wf.f = nil
	w.open.Remove(wf.elem)
	wf.elem = nil
}

// close closes the open files.
func (w *wal) close() {
	for w.open.Len() > 0 {
		w.closeFile(w.open.Front().Value.(*walFile))
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing directory %q: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("syncing directory %q: %w", dir, err)
	}
	return nil
}

// remove deletes the file of run id; a missing file is not an error.
func (w *wal) remove(id string) error {
	if wf := w.files[id]; wf != nil {
		w.closeFile(wf)
		delete(w.files, id)
	}
	if err := os.Remove(w.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing write-ahead log: %w", err)
	}
	return nil
}

// list returns the run IDs that have a file, oldest modification first.
// Files whose name is not a trace ID are skipped.
func (w *wal) list() ([]string, error) {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return nil, fmt.Errorf("reading write-ahead log directory: %w", err)
	}
	type file struct {
		id  string
		mod time.Time
	}
	var files []file
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), walExt)
		if !ok || !e.Type().IsRegular() || !isTraceIDHex(id) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		files = append(files, file{id, info.ModTime()})
	}
	slices.SortStableFunc(files, func(a, b file) int { return a.mod.Compare(b.mod) })
	ids := make([]string, len(files))
	for i, f := range files {
		ids[i] = f.id
	}
	return ids, nil
}

func isTraceIDHex(s string) bool {
	if len(s) != 32 || s == strings.Repeat("0", 32) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// read returns the records of run id, and takes the file as the run's: the
// next appends go to it. A torn or corrupt tail is cut off the file (and
// reported in the error, with the good records returned); a file with a bad
// header is renamed to "<id>.wal.corrupt" and yields no records.
func (w *wal) read(id string) ([]walRecord, error) {
	path := w.path(id)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading write-ahead log: %w", err)
	}
	if !bytes.HasPrefix(data, []byte(walHeader)) {
		rerr := os.Rename(path, path+".corrupt")
		return nil, errors.Join(fmt.Errorf("write-ahead log %q: bad header: set aside as .corrupt", path), rerr)
	}
	off := len(walHeader)
	var recs []walRecord
	for off < len(data) {
		rec, n, perr := parseRecord(data[off:])
		if perr != nil {
			terr := os.Truncate(path, int64(off))
			err = errors.Join(fmt.Errorf("write-ahead log %q: record at byte %d: %w: cut off", path, off, perr), terr)
			break
		}
		recs = append(recs, rec)
		off += n
	}
	if len(recs) > 0 {
		wf := &walFile{id: id}
		for _, rec := range recs {
			switch rec.kind {
			case walSpans:
				wf.dirty = true
			case walWritten:
				if _, _, ok := parseWritten(rec.payload); ok {
					wf.dirty, wf.last = false, string(rec.payload)
				}
			}
		}
		w.files[id] = wf
	}
	return recs, err
}

func parseRecord(b []byte) (walRecord, int, error) {
	if len(b) < walRecordHeaderLen {
		return walRecord{}, 0, io.ErrUnexpectedEOF
	}
	kind := b[0]
	n := binary.LittleEndian.Uint32(b[1:5])
	sum := binary.LittleEndian.Uint32(b[5:9])
	if kind != walSpans && kind != walWritten {
		return walRecord{}, 0, fmt.Errorf("unknown record kind %q", kind)
	}
	if n > walMaxRecord || uint64(len(b)-walRecordHeaderLen) < uint64(n) {
		return walRecord{}, 0, io.ErrUnexpectedEOF
	}
	payload := b[walRecordHeaderLen : walRecordHeaderLen+int(n)]
	if crc32.Checksum(payload, crcTable) != sum {
		return walRecord{}, 0, errors.New("checksum mismatch")
	}
	return walRecord{kind, payload}, walRecordHeaderLen + int(n), nil
}

// writtenPayload and parseWritten encode a walWritten record.
func writtenPayload(status, file string) []byte {
	return []byte(status + "\n" + file)
}

func parseWritten(p []byte) (status, file string, ok bool) {
	status, file, ok = strings.Cut(string(p), "\n")
	if !ok || file == "" || file != filepath.Base(file) || strings.HasPrefix(file, ".") || !strings.HasSuffix(file, ".json") {
		return "", "", false
	}
	return status, file, true
}
