package compare

import (
	"context"
	"fmt"
	"io"

	"github.com/benchtrace/benchtrace/bench/analyze"
)

// loadBatch is how many files LoadFiles hands analyze.LoadFiles at a time:
// enough to keep every worker busy, few enough that a cancelled context
// is noticed within milliseconds.
const loadBatch = 512

// LoadFiles reads the run logs at files as analyze.LoadFiles does, and
// returns the same Runs in the order of files: each log is decoded with
// benchlog.Decode, on one goroutine per CPU; a file that cannot be read or
// is not a run log is a warning on warn (which may be nil), in the order
// of files; and the error is non-nil only when none of a non-empty list
// could be loaded, or when ctx is done.
func LoadFiles(ctx context.Context, files []string, warn io.Writer) ([]analyze.Run, error) {
	runs := make([]analyze.Run, 0, len(files))
	for start := 0; start < len(files); start += loadBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Its error says none of the batch could be read: each file is
		// already a warning, and others may yet be read.
		batch, _ := analyze.LoadFiles(files[start:min(start+loadBatch, len(files))], warn)
		runs = append(runs, batch...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(runs) == 0 && len(files) > 0 {
		return nil, fmt.Errorf("none of the %d log files could be read", len(files))
	}
	return runs, nil
}
