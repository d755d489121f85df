package benchlogexporter // import "github.com/benchtrace/benchtrace/exporters/benchlogexporter"

import (
	"errors"
	"fmt"
	"time"
	// Embedded IANA time zone database, so that time_zone works in
	// collector images without /usr/share/zoneinfo (distroless, scratch).
	_ "time/tzdata"

	"go.opentelemetry.io/collector/component"
)

// Defaults of the Config fields. The README lists them with each setting.
const (
	defaultTimeZone          = "Local"
	defaultIdleTimeout       = 30 * time.Minute
	defaultMaxPendingRuns    = 100
	defaultMaxWrittenRuns    = 100
	defaultMaxSpansPerRun    = 10000
	defaultMaxAttributeBytes = 4096
	defaultMaxHeldBytes      = 128 << 20
	defaultCheckpoints       = true
	defaultWALFsync          = false
)

// Config is the configuration of the benchlog exporter, the collector's way
// of writing one JSON run log per benchmark run (docs/log-format.md).
type Config struct {
	// Directory is where the run logs go. Required; created if missing.
	// The write-ahead log of pending runs lives in its hidden subdirectory
	// ".benchlog-wal". Each exporter instance needs its own directory.
	Directory string `mapstructure:"directory"`

	// TimeZone is the IANA time zone of the timestamps in the logs and in
	// their file names: "Local" (the collector's local time, as the
	// in-process writer uses), "UTC", or a name such as "Europe/Paris".
	// Default "Local".
	TimeZone string `mapstructure:"time_zone"`

	// IdleTimeout is how long a run whose root span has not arrived may go
	// without a new span before its log is written with status "incomplete".
	// Spans that arrive later, including the root, are still folded into
	// that log (see MaxWrittenRuns). Set it above the longest phase you
	// run. Default 30m.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`

	// MaxPendingRuns bounds the runs held while they wait for their root
	// span. When a span of a new run arrives and the bound is reached, the
	// run seen least recently is written as a partial log (status
	// "incomplete") to make room. Default 100.
	MaxPendingRuns int `mapstructure:"max_pending_runs"`

	// MaxWrittenRuns bounds the runs remembered after their log was written,
	// so that spans arriving after it (a straggler phase after the root, the
	// root of a run written at idle_timeout) are folded into the same file.
	// A span of a run forgotten since starts a new log. Default 100.
	MaxWrittenRuns int `mapstructure:"max_written_runs"`

	// MaxSpansPerRun bounds the phase spans kept for one run. Further phase
	// spans of the run are dropped (counted and logged); its root is always
	// kept. Default 10000.
	MaxSpansPerRun int `mapstructure:"max_spans_per_run"`

	// MaxAttributeBytes bounds the size of one attribute value: a longer
	// string is cut (at a UTF-8 boundary), an array is cut to the elements
	// that fit (8 bytes a number, 1 a bool, the length of a string). Span
	// names, status messages and event attributes are bounded the same way.
	// Default 4096.
	MaxAttributeBytes int `mapstructure:"max_attribute_bytes"`

	// MaxHeldBytes bounds the estimated memory of the spans held across all
	// runs (pending and remembered), after max_attribute_bytes has cut
	// them. Beyond it, remembered runs are forgotten (final ones first),
	// then the least recently active runs waiting for their root are
	// written as incomplete, as max_pending_runs does. Default 128 MiB.
	MaxHeldBytes int64 `mapstructure:"max_held_bytes"`

	// Checkpoints makes the exporter write the log of a run whose root has
	// not arrived yet, with status "running", each time new phases of it
	// arrive, as the in-process writer does: a long run can be watched
	// while it goes on. Default true.
	Checkpoints bool `mapstructure:"checkpoints"`

	// WALFsync makes every append to the write-ahead log fsync before the
	// spans are acknowledged. Without it pending spans survive a crash or a
	// SIGKILL of the collector (the kernel holds the data), not a power cut
	// or a kernel crash. Default false.
	WALFsync bool `mapstructure:"wal_fsync"`
}

var _ component.Config = (*Config)(nil)

// Validation errors.
var (
	errNoDirectory       = errors.New("directory must be set")
	errIdleTimeout       = errors.New("idle_timeout must be positive")
	errMaxPendingRuns    = errors.New("max_pending_runs must be positive")
	errMaxWrittenRuns    = errors.New("max_written_runs must not be negative")
	errMaxSpansPerRun    = errors.New("max_spans_per_run must be positive")
	errMaxAttributeBytes = errors.New("max_attribute_bytes must be at least 16")
	errMaxHeldBytes      = errors.New("max_held_bytes must be positive")
)

// Validate checks the configuration; the collector calls it before creating
// the exporter.
func (c *Config) Validate() error {
	var errs []error
	if c.Directory == "" {
		errs = append(errs, errNoDirectory)
	}
	if _, err := c.location(); err != nil {
		errs = append(errs, err)
	}
	if c.IdleTimeout <= 0 {
		errs = append(errs, errIdleTimeout)
	}
	if c.MaxPendingRuns <= 0 {
		errs = append(errs, errMaxPendingRuns)
	}
	if c.MaxWrittenRuns < 0 {
		errs = append(errs, errMaxWrittenRuns)
	}
	if c.MaxSpansPerRun <= 0 {
		errs = append(errs, errMaxSpansPerRun)
	}
	if c.MaxAttributeBytes < 16 {
		errs = append(errs, errMaxAttributeBytes)
	}
	if c.MaxHeldBytes <= 0 {
		errs = append(errs, errMaxHeldBytes)
	}
	return errors.Join(errs...)
}

// location returns the time zone named by TimeZone.
func (c *Config) location() (*time.Location, error) {
	switch c.TimeZone {
	case "", "Local":
		return time.Local, nil
	case "UTC":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q: %w", c.TimeZone, err)
	}
	return loc, nil
}

func createDefaultConfig() component.Config {
	return &Config{
		TimeZone:          defaultTimeZone,
		IdleTimeout:       defaultIdleTimeout,
		MaxPendingRuns:    defaultMaxPendingRuns,
		MaxWrittenRuns:    defaultMaxWrittenRuns,
		MaxSpansPerRun:    defaultMaxSpansPerRun,
		MaxAttributeBytes: defaultMaxAttributeBytes,
		MaxHeldBytes:      defaultMaxHeldBytes,
		Checkpoints:       defaultCheckpoints,
		WALFsync:          defaultWALFsync,
	}
}
