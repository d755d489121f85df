package benchlogexporter

import (
	"bytes"
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
// The file of a run is removed when its final log (with the root span) is
// written, and when the run is forgotten (max_written_runs).
const (
	walDirName = ".benchlog-wal"
	walExt     = ".wal"
	walHeader  = "BENCHLOG-WAL 1\n"

	walSpans   byte = 'S'
	walWritten byte = 'W'

	walRecordHeaderLen = 9
	walMaxRecord       = 1 << 30
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type wal struct {
	dir   string
	fsync bool
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
	return &wal{dir: dir, fsync: fsync}, nil
}

func (w *wal) path(id string) string { return filepath.Join(w.dir, id+walExt) }

// append adds one record to the file of run id, creating the file if needed.
func (w *wal) append(id string, kind byte, payload []byte) error {
	path := w.path(id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening write-ahead log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("write-ahead log %q: %w", path, err)
	}
	created := st.Size() == 0
	buf := make([]byte, 0, len(walHeader)+walRecordHeaderLen+len(payload))
	if created {
		buf = append(buf, walHeader...)
	}
	buf = append(buf, kind)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(payload)))
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(payload, crcTable))
	buf = append(buf, payload...)
	_, err = f.Write(buf)
	if err == nil && w.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("appending to write-ahead log %q: %w", path, err)
	}
	if created && w.fsync {
		return syncDir(w.dir)
	}
	return nil
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

// read returns the records of run id. A torn or corrupt tail is cut off the
// file (and reported in the error, with the good records returned); a file
// with a bad header is renamed to "<id>.wal.corrupt" and yields no records.
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
		rec, n, err := parseRecord(data[off:])
		if err != nil {
			terr := os.Truncate(path, int64(off))
			return recs, errors.Join(fmt.Errorf("write-ahead log %q: record at byte %d: %w: cut off", path, off, err), terr)
		}
		recs = append(recs, rec)
		off += n
	}
	return recs, nil
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
