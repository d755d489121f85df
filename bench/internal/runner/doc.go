// Package runner runs the bundled example benchmarks for `benchtrace run`:
// one trace per run through the SDK, a progress line per phase, the
// summary of the runs at the end, and the handling of SIGINT and SIGTERM.
// The command line (flags, exit statuses) is the command's.
//
// Run is safe to call from several goroutines with different log
// directories; each call owns its SDK instance. Signals, though, are the
// process's: a signal interrupts the runs of every call.
package runner
