package benchlog

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxBaseLen bounds the sanitized benchmark name in a file name, so that the
// whole name stays well under the usual 255-byte limit.
const maxBaseLen = 120

// FileBase returns the file name, without suffix or extension, of the log of
// a run of benchmark that started at start: "{benchmark_name}_{YYYYMMDD_HHMMSS}".
//
// The benchmark name is made safe first: every byte outside [A-Za-z0-9._-]
// becomes "_", leading dots are dropped, the result is cut to 120 bytes, and
// an empty result becomes "benchmark". The name can therefore never contain
// a path separator, "..", or a NUL, whatever the benchmark is called.
func FileBase(benchmark string, start time.Time) string {
	return SafeName(benchmark) + "_" + start.Format("20060102_150405")
}

// SafeName returns benchmark reduced to a safe file-name component, as
// FileBase describes.
func SafeName(benchmark string) string {
	b := make([]byte, 0, min(len(benchmark), maxBaseLen))
	for i := 0; i < len(benchmark) && len(b) < maxBaseLen; i++ {
		c := benchmark[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b = append(b, c)
		case c == '.' && len(b) > 0:
			b = append(b, c)
		case c == '.':
			// A leading dot would hide the file or make "..".
		default:
			b = append(b, '_')
		}
	}
	if len(b) == 0 {
		return "benchmark"
	}
	return string(b)
}

// ParseFileName splits the name of a log file,
// "{benchmark}_{YYYYMMDD_HHMMSS}.json" or, for the second and later runs
// started in the same second, "{benchmark}_{YYYYMMDD_HHMMSS}_{N}.json", into
// its base (what FileBase returns) and N (1 for the first). A log named after
// its run because the numbered names ran out (see Dir.CreateRun),
// "{benchmark}_{YYYYMMDD_HHMMSS}_{32 hex digits}.json", gives N = 0. ok is
// false for any other name. The benchmark part is the safe name, as SafeName
// made it.
func ParseFileName(file string) (base string, n int, ok bool) {
	stem, ok := strings.CutSuffix(file, ".json")
	if !ok {
		return "", 0, false
	}
	n = 1
	if i := len(stem) - idSuffixLen; i > 0 && stem[i] == '_' && isLowerHex(stem[i+1:]) && hasTimestampSuffix(stem[:i]) {
		return stem[:i], 0, true
	}
	// A "_N" suffix follows a full timestamp; without one, stem ends in it.
	if i := strings.LastIndexByte(stem, '_'); i >= 0 && !hasTimestampSuffix(stem) {
		v, err := strconv.Atoi(stem[i+1:])
		if err != nil || v < 2 || stem[i+1] == '0' || stem[i+1] == '+' {
			return "", 0, false
		}
		stem, n = stem[:i], v
	}
	if !hasTimestampSuffix(stem) {
		return "", 0, false
	}
	return stem, n, true
}

// timestampSuffixLen is the length of "_YYYYMMDD_HHMMSS".
const timestampSuffixLen = len("_20060102_150405")

// idSuffixLen is the length of "_" and a run ID (32 hex digits).
const idSuffixLen = 1 + 32

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return len(s) > 0
}

// hasTimestampSuffix reports whether s ends in "_YYYYMMDD_HHMMSS" after at
// least one byte of benchmark name.
func hasTimestampSuffix(s string) bool {
	if len(s) <= timestampSuffixLen {
		return false
	}
	t := s[len(s)-timestampSuffixLen:]
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch i {
		case 0, 9:
			if c != '_' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// BenchmarkOfFile returns the benchmark part of a log file's name: the name
// without "_YYYYMMDD_HHMMSS[_N].json", or without ".json" for a name that
// does not follow the convention.
func BenchmarkOfFile(file string) string {
	if base, _, ok := ParseFileName(file); ok {
		return base[:len(base)-timestampSuffixLen]
	}
	return strings.TrimSuffix(file, ".json")
}

// FindRuns returns the paths of the logs in dir whose metadata.run_id is one
// of ids, keyed by run ID. When base is not "", only logs whose file name has
// that base (see ParseFileName) are read. Files that cannot be read or
// decoded are skipped: the readers of a directory report those themselves.
func FindRuns(dir, base string, ids ...string) (map[string]string, error) {
	pattern := "*.json"
	if base != "" {
		// base holds only [A-Za-z0-9._-] (FileBase): no glob metacharacters.
		pattern = base + "*.json"
	}
	matches, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, fmt.Errorf("finding run logs in %q: %w", dir, err)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	found := map[string]string{}
	for _, m := range matches {
		if base != "" {
			if b, _, ok := ParseFileName(filepath.Base(m)); !ok || b != base {
				continue
			}
		}
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		l, err := Decode(data)
		if err != nil {
			continue
		}
		if id, ok := l.Metadata.String(KeyRunID); ok && want[id] {
			found[id] = m
		}
	}
	return found, nil
}

// Dir writes run logs into one directory. Every write is atomic: the log is
// written to a temporary file in the same directory, then linked (for a new
// log) or renamed (for a later version) into place, so a reader never sees a
// partly written log and a crash leaves either the old or the new version.
// Dir is safe for concurrent use by several goroutines and processes; the
// caller serializes writes to the same path.
type Dir struct {
	path string
}

// OpenDir returns a Dir writing into path, creating it if needed.
func OpenDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("log directory: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("log directory %q: %w", path, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("creating log directory: %w", err)
	}
	return &Dir{path: abs}, nil
}

// Path returns the directory's absolute path.
func (d *Dir) Path() string { return d.path }

// maxNumbered is how many numbered names ("", "_2" … "_32") Create tries
// before it names the log after its run: beyond a few runs a second the
// numbered names would cost a link attempt each, for every run.
const maxNumbered = 32

// Create writes data as a new log named from benchmark and start, and returns
// its path. It never replaces an existing file: when the name is taken (two
// runs started in the same second), it adds "_2", "_3", … "_32" before
// ".json", and after those a random 32-hex-digit suffix (see CreateRun).
func (d *Dir) Create(benchmark string, start time.Time, data []byte) (string, error) {
	return d.CreateRun(benchmark, start, "", data)
}

// CreateRun is Create for the run runID (32 lowercase hex digits, the trace
// ID): when the numbered names are taken, the log is named
// "{benchmark}_{YYYYMMDD_HHMMSS}_{runID}.json", which no other run can take.
// An empty or malformed runID gives a random suffix instead.
func (d *Dir) CreateRun(benchmark string, start time.Time, runID string, data []byte) (string, error) {
	base := FileBase(benchmark, start)
	tmp, err := d.writeTemp(data)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	for n := 1; n <= maxNumbered+2; n++ {
		name := base + ".json"
		switch {
		case n > maxNumbered:
			// A name that cannot collide: the run's, or a random one (a
			// second try if the run's was taken by an earlier log of it).
			id := runID
			if len(id) != 32 || !isLowerHex(id) || n > maxNumbered+1 {
				var b [16]byte
				_, _ = rand.Read(b[:])
				id = hex.EncodeToString(b[:])
			}
			name = base + "_" + id + ".json"
		case n > 1:
			name = base + "_" + strconv.Itoa(n) + ".json"
		}
		path := filepath.Join(d.path, name)
		err := os.Link(tmp, path)
		if err == nil {
			return path, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// No hard links here (some file systems): fall back to an
		// exclusive create, which is as safe against overwriting.
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(cerr, fs.ErrExist) {
			continue
		}
		if cerr != nil {
			return "", fmt.Errorf("creating run log %q: %w", path, errors.Join(err, cerr))
		}
		f.Close()
		if err := os.Rename(tmp, path); err != nil {
			return "", fmt.Errorf("writing run log %q: %w", path, err)
		}
		return path, nil
	}
	return "", fmt.Errorf("creating run log %q: too many logs with that name", base)
}

// RemoveStaleTemps removes the temporary files of writes (".benchlog-*.tmp")
// last modified more than olderThan ago: what a process killed in the middle
// of a write leaves behind. It returns how many it removed. Call it at start,
// with olderThan long enough for another process's write in progress.
func (d *Dir) RemoveStaleTemps(olderThan time.Duration) (int, error) {
	matches, err := filepath.Glob(filepath.Join(d.path, ".benchlog-*.tmp"))
	if err != nil {
		return 0, fmt.Errorf("finding temporary files in %q: %w", d.path, err)
	}
	removed := 0
	var errs []error
	for _, m := range matches {
		info, err := os.Lstat(m)
		if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) < olderThan {
			continue
		}
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// Replace atomically replaces the log at path, which Create returned, with
// data.
func (d *Dir) Replace(path string, data []byte) error {
	if filepath.Dir(path) != d.path || !strings.HasSuffix(path, ".json") {
		return fmt.Errorf("replacing run log %q: not a log of directory %q", path, d.path)
	}
	tmp, err := d.writeTemp(data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing run log %q: %w", path, err)
	}
	return nil
}

// writeTemp writes data to a new temporary file in the directory. Temporary
// names start with a dot and end in ".tmp", so readers of *.json skip them.
func (d *Dir) writeTemp(data []byte) (string, error) {
	f, err := os.CreateTemp(d.path, ".benchlog-*.tmp")
	if err != nil {
		return "", fmt.Errorf("writing run log: %w", err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing run log %q: %w", f.Name(), err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing run log %q: %w", f.Name(), err)
	}
	return f.Name(), nil
}
