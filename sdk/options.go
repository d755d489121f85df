package sdk

import (
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/benchtrace/benchtrace/sdk/internal/logwriter"
	"github.com/benchtrace/benchtrace/sdk/semconv"
	"github.com/benchtrace/benchtrace/sdk/usage"
)

// envCheckpointInterval overrides the default checkpoint interval.
const envCheckpointInterval = "BENCHTRACE_CHECKPOINT_INTERVAL"

// DefaultLogDir is where run logs go unless WithLogDir says otherwise.
const DefaultLogDir = "logs"

// Option configures New.
type Option interface{ apply(*config) }

type config struct {
	logDir       string
	onError      func(error)
	checkpoint   time.Duration
	otlpEndpoint string
	otlpProtocol string
	otlpTimeout  time.Duration
	serviceName  string
	resAttrs     []attribute.KeyValue
	processors   []sdktrace.SpanProcessor
	tracker      *usage.Tracker
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

func newConfig(opts []Option) config {
	c := config{logDir: DefaultLogDir, serviceName: "benchtrace", checkpoint: logwriter.DefaultInterval}
	if d, err := time.ParseDuration(os.Getenv(envCheckpointInterval)); err == nil && d >= 0 {
		c.checkpoint = d
	}
	for _, o := range opts {
		o.apply(&c)
	}
	return c
}

// WithLogDir writes the JSON run logs into dir (default "logs").
func WithLogDir(dir string) Option {
	return optionFunc(func(c *config) { c.logDir = dir })
}

// WithoutLogs turns the in-process JSON logs off, for a process whose spans
// go to a collector that writes them.
func WithoutLogs() Option {
	return optionFunc(func(c *config) { c.logDir = "" })
}

// WithErrorHandler sets the function that receives the errors benchtrace
// cannot return to a caller: a run log that could not be written, an
// attribute of the wrong type. The default is otel.Handle, which logs them.
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(c *config) { c.onError = f })
}

// WithOTLPEndpoint sends spans over OTLP/gRPC to endpoint: "host:port" for a
// plain-text connection (a local collector), or an http:// or https:// URL.
func WithOTLPEndpoint(endpoint string) Option {
	return optionFunc(func(c *config) { c.otlpEndpoint = endpoint })
}

// WithOTLPProtocol chooses the OTLP transport: "grpc" (the default) or
// "http/protobuf". It wins over OTEL_EXPORTER_OTLP_TRACES_PROTOCOL and
// OTEL_EXPORTER_OTLP_PROTOCOL.
func WithOTLPProtocol(protocol string) Option {
	return optionFunc(func(c *config) { c.otlpProtocol = protocol })
}

// WithOTLPTimeout bounds how long spans may take to reach the OTLP endpoint,
// retries included, and how long Shutdown waits for it (default
// DefaultOTLPTimeout, or BENCHTRACE_OTLP_TIMEOUT as a Go duration).
func WithOTLPTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.otlpTimeout = d })
}

// WithServiceName sets service.name (default "benchtrace";
// OTEL_SERVICE_NAME wins over both).
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) { c.serviceName = name })
}

// WithResourceAttributes adds attributes to the resource.
func WithResourceAttributes(kv ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.resAttrs = append(c.resAttrs, kv...) })
}

// WithSpanProcessor adds a span processor, for example one showing progress.
func WithSpanProcessor(sp sdktrace.SpanProcessor) Option {
	return optionFunc(func(c *config) { c.processors = append(c.processors, sp) })
}

// WithUsageTracker measures phases with t instead of usage.Default().
func WithUsageTracker(t *usage.Tracker) Option {
	return optionFunc(func(c *config) { c.tracker = t })
}

// RunOption configures a run.
type RunOption interface{ applyRun(*runConfig) }

type runConfig struct {
	attrs []attribute.KeyValue
}

type runOptionFunc func(*runConfig)

func (f runOptionFunc) applyRun(c *runConfig) { f(c) }

// Model describes what a run benchmarks; it becomes the log's model object.
// Zero fields are left out.
type Model struct {
	Name         string
	Architecture string
	Dataset      string
	BatchSize    int
	Seed         int64
}

// WithModel records the model, data set, batch size and seed of the run.
func WithModel(m Model) RunOption {
	return runOptionFunc(func(c *runConfig) {
		if m.Name != "" {
			c.attrs = append(c.attrs, attribute.String(semconv.ModelName, m.Name))
		}
		if m.Architecture != "" {
			c.attrs = append(c.attrs, attribute.String(semconv.ModelArchitecture, m.Architecture))
		}
		if m.Dataset != "" {
			c.attrs = append(c.attrs, attribute.String(semconv.ModelDataset, m.Dataset))
		}
		if m.BatchSize != 0 {
			c.attrs = append(c.attrs, attribute.Int(semconv.ModelBatchSize, m.BatchSize))
		}
		c.attrs = append(c.attrs, attribute.Int64(semconv.ModelSeed, m.Seed))
	})
}

// WithConfigFile records the configuration file the run used.
func WithConfigFile(path string) RunOption {
	return runOptionFunc(func(c *runConfig) {
		c.attrs = append(c.attrs, attribute.String(semconv.MetadataConfigFile, path))
	})
}

// WithMainPhase names the phase reported as timing.<name>_only. Without it,
// the longest top-level phase is the main phase.
func WithMainPhase(name string) RunOption {
	return runOptionFunc(func(c *runConfig) {
		c.attrs = append(c.attrs, attribute.String(semconv.RunMainPhase, name))
	})
}

// WithFramework records the version of a framework the benchmark uses; the
// log shows it as metadata.<name>_version.
func WithFramework(name, version string) RunOption {
	return runOptionFunc(func(c *runConfig) {
		c.attrs = append(c.attrs, attribute.String(semconv.FrameworkVersionKey(name), version))
	})
}

// WithRunAttributes adds attributes to the run's root span. Keys under
// semconv.MetadataPrefix, ModelPrefix and ResultPrefix reach the log.
func WithRunAttributes(kv ...attribute.KeyValue) RunOption {
	return runOptionFunc(func(c *runConfig) { c.attrs = append(c.attrs, kv...) })
}

// WithCheckpointInterval sets how soon after a phase ends the run's log is
// rewritten with it, at the latest (default one second, or
// BENCHTRACE_CHECKPOINT_INTERVAL, a Go duration such as "200ms"). A process
// killed with SIGKILL loses at most the phases that ended within this time.
// The writes happen on a goroutine of their own, coalesced: never inside a
// phase's End.
func WithCheckpointInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.checkpoint = d })
}

// logOptions are the in-process log writer's options.
func (c *config) logOptions() []logwriter.Option {
	opts := []logwriter.Option{logwriter.WithInterval(c.checkpoint), logwriter.WithScope(ScopeName)}
	if c.onError != nil {
		opts = append(opts, logwriter.WithErrorHandler(c.onError))
	}
	return opts
}
