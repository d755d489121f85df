package compare

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/benchtrace/benchtrace/bench/analyze"
	"github.com/benchtrace/benchtrace/exporters/benchlog"
)

// Source names a set of run logs: the logs in a directory, optionally only
// those whose metadata has given values. Its text form is DIR or
// DIR@KEY=VALUE[,KEY=VALUE…], for example "logs@git_commit=a1b2c3d".
type Source struct {
	Dir string
	// Where are the metadata values a log must have, all of them.
	Where []Match
}

// Match is one KEY=VALUE of a Source.
type Match struct {
	Key, Value string
}

// metadataKey is what a KEY of a Source may be.
var metadataKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// ParseSource parses DIR or DIR@KEY=VALUE[,KEY=VALUE…]. The directory is
// what comes before the first "@" that is followed by a KEY=VALUE (KEY in
// letters, digits, "_", "." and "-"), so a directory whose name holds an
// "@" still works; an argument that names an existing directory is that
// directory, whatever it holds.
func ParseSource(s string) (Source, error) {
	if s == "" {
		return Source{}, errors.New("empty source: want DIR or DIR@KEY=VALUE")
	}
	if fi, err := os.Stat(s); err == nil && fi.IsDir() {
		return Source{Dir: s}, nil
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		first, _, _ := strings.Cut(s[i+1:], ",")
		if k, _, ok := strings.Cut(first, "="); !ok || (k != "" && !metadataKey.MatchString(k)) {
			continue // part of the directory's name
		}
		src := Source{Dir: s[:i]}
		if src.Dir == "" {
			return Source{}, fmt.Errorf("source %q: no directory before @", s)
		}
		for _, kv := range strings.Split(s[i+1:], ",") {
			k, v, ok := strings.Cut(kv, "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" {
				return Source{}, fmt.Errorf("source %q: %q is not KEY=VALUE", s, kv)
			}
			src.Where = append(src.Where, Match{k, v})
		}
		return src, nil
	}
	return Source{Dir: s}, nil
}

// String returns the source in the form ParseSource parses.
func (s Source) String() string {
	if len(s.Where) == 0 {
		return s.Dir
	}
	parts := make([]string, len(s.Where))
	for i, m := range s.Where {
		parts[i] = m.Key + "=" + m.Value
	}
	return s.Dir + "@" + strings.Join(parts, ",")
}

// Files returns the run logs of the directory: its *.json files, sorted by
// name, leaving out dot-files (the writers' temporary files).
func (s Source) Files() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("reading log directory: %w", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || filepath.Ext(name) != ".json" {
			continue
		}
		files = append(files, filepath.Join(s.Dir, name))
	}
	return files, nil
}

// Load reads the source's logs as LoadFiles does (a log it cannot read is
// a warning on warn) and returns the runs that match. Their logs keep what
// LoadFiles keeps, but of the metadata only git_commit and warmup, which
// Compare, Trend and the report read: the others are needed only to match.
// It fails when the directory cannot be read or holds no readable log,
// when no log matches, and when ctx is done.
func (s Source) Load(ctx context.Context, warn io.Writer) ([]analyze.Run, error) {
	files, err := s.Files()
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no run logs (*.json) in %s", s.Dir)
	}
	runs, _, err := loadFiles(ctx, files, warn, &s)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("no readable run log in %s: %w", s.Dir, err)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no log in %s matches %s", s.Dir, s)
	}
	return runs, nil
}

// Select returns the runs whose metadata matches every KEY=VALUE of s. A
// value matches a string equal to it; for git_commit, also a commit it
// abbreviates (a prefix of four characters or more, as git accepts);
// numbers, booleans and null match their JSON text ("8", "true", "null").
func (s Source) Select(runs []analyze.Run) []analyze.Run {
	if len(s.Where) == 0 {
		return runs
	}
	var out []analyze.Run
	for _, r := range runs {
		if s.matches(r.Log.Metadata) {
			out = append(out, r)
		}
	}
	return out
}

func (s Source) matches(md benchlog.Object) bool {
	for _, m := range s.Where {
		v, ok := md.Get(m.Key)
		if !ok {
			return false
		}
		text := valueText(v)
		if text == m.Value {
			continue
		}
		if m.Key == benchlog.KeyGitCommit && len(m.Value) >= 4 && strings.HasPrefix(text, m.Value) {
			continue
		}
		return false
	}
	return true
}

// valueText is a metadata value as KEY=VALUE writes it.
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(v)
}
