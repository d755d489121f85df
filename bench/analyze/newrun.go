package analyze

import "github.com/benchtrace/benchtrace/exporters/benchlog"

// NewRun returns the Run of a log that the caller decoded itself, read
// from path, with every value LoadFiles derives from a log. It is for
// programs that read logs their own way and want the same Runs.
func NewRun(path string, l *benchlog.Log) Run { return newRun(path, l) }
