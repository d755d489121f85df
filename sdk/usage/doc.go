// Package usage measures what a stretch of a program costs the process: wall
// time, user and system CPU time (its own and that of the child processes it
// waited for), RSS at the start and the end, the exact peak RSS in between,
// and the bytes the Go heap allocated and the GC cycles it completed.
//
// A [Tracker] hands out [Interval]s: Begin takes every start-side reading
// and then starts the clock; End stops the clock first and then takes the
// end-side readings. No goroutine or process is started inside the timed
// window, so the wall time contains nothing of the measurement but two clock
// reads.
//
// # Peak memory
//
// On Linux the peak is exact: the kernel keeps the process's RSS high-water
// mark, which the tracker resets by writing "5" to /proc/self/clear_refs and
// reads back through getrusage(2) (ru_maxrss follows the mark after a reset).
// The mark is process-wide while intervals may nest and overlap, so at every
// interval boundary the tracker reads the mark, credits it to every interval
// open at that moment, and resets it. Each interval's peak is thus the
// highest mark of the stretches it covered: exact, whatever else runs.
//
// ru_maxrss never drops below the peak the process image had before exec
// (the parent's, for a forked child): below that floor, which the tracker
// measures once, it reads VmHWM from /proc/self/status instead (slower, as
// exact). Where the mark cannot be reset (another OS, or /proc/self/clear_refs
// not writable), the tracker samples RSS from a background goroutine started
// with the tracker, and reports the peak as sampled ([PeakSampled]).
//
// # Concurrency
//
// A Tracker and its Intervals are safe for concurrent use. Every tracker
// that uses the high-water mark shares one process-wide record of open
// intervals, because the mark it measures is process-wide.
package usage // import "github.com/benchtrace/benchtrace/sdk/usage"
