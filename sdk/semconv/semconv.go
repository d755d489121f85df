package semconv

// SchemaURL is the OpenTelemetry semantic conventions schema that the
// standard keys below come from.
const SchemaURL = "https://opentelemetry.io/schemas/1.43.0"

// Namespace prefixes every benchtrace-specific key.
const Namespace = "benchtrace."

// Resource attributes: OpenTelemetry semantic conventions.
const (
	ServiceName           = "service.name"            // string
	HostName              = "host.name"               // string
	HostArch              = "host.arch"               // string
	HostCPUModelName      = "host.cpu.model.name"     // string
	OSType                = "os.type"                 // string
	OSDescription         = "os.description"          // string
	ProcessPID            = "process.pid"             // int
	ProcessRuntimeName    = "process.runtime.name"    // string, "go"
	ProcessRuntimeVersion = "process.runtime.version" // string, "go1.26.8"
	VCSRefHeadRevision    = "vcs.ref.head.revision"   // string, git commit
)

// Resource attributes: benchtrace's own.
const (
	// HostCPUCount is the number of logical CPUs (int).
	HostCPUCount = "benchtrace.host.cpu.count"
	// HostMemoryTotal is the total physical memory, in bytes (int).
	HostMemoryTotal = "benchtrace.host.memory.total"
	// HostAccelerators lists the accelerator devices found, as
	// "kind:device" strings such as "nvidia:/dev/nvidia0" (string[]).
	HostAccelerators = "benchtrace.host.accelerators"
	// VCSDirty is true when the working tree had uncommitted changes to
	// tracked files when the process started (bool). Optional.
	VCSDirty = "benchtrace.vcs.dirty"
)

// Root (run) span attributes.
const (
	// BenchmarkName names the benchmark (string, required on the root span
	// and on every phase span). Its presence marks a span as part of a run.
	BenchmarkName = "benchtrace.benchmark.name"
	// RunMainPhase names the phase whose duration is reported as
	// timing.<main_phase>_only (string, optional).
	RunMainPhase = "benchtrace.run.main_phase"
	// RunStatus overrides the status derived from the span status (string,
	// optional): one of the Status values below.
	RunStatus = "benchtrace.run.status"

	// RunCPUUser is the user CPU time the process used from the run's start
	// to its end, children included (double, s). Unlike the sum of its
	// phases, it counts overlapping phases once.
	RunCPUUser = "benchtrace.run.cpu.user"
	// RunCPUSystem is the system CPU time from the run's start to its end,
	// children included (double, s).
	RunCPUSystem = "benchtrace.run.cpu.system"
	// RunCPUChildren is the part of RunCPUUser+RunCPUSystem spent in child
	// processes (double, s).
	RunCPUChildren = "benchtrace.run.cpu.children"
	// RunMemoryPeak is the highest process RSS while the run was open (int,
	// By).
	RunMemoryPeak = "benchtrace.run.memory.peak"
	// RunMemoryChildrenPeak is the peak RSS of the largest child process
	// waited for during the run, when it set a new high for the process
	// (int, By; see PhaseMemoryChildrenPeak).
	RunMemoryChildrenPeak = "benchtrace.run.memory.children_peak"
	// RunGoHeapAlloc is the number of bytes allocated on the Go heap during
	// the run (int, By).
	RunGoHeapAlloc = "benchtrace.run.go.heap_alloc"
	// RunGoGCCycles is the number of GC cycles completed during the run
	// (int).
	RunGoGCCycles = "benchtrace.run.go.gc_cycles"

	// MetadataPrefix: a root attribute "benchtrace.metadata.K" becomes
	// metadata.K in the log (config_file, <framework>_version, …).
	MetadataPrefix = "benchtrace.metadata."
	// ModelPrefix: "benchtrace.model.K" becomes model.K (name,
	// architecture, dataset, batch_size, seed, …).
	ModelPrefix = "benchtrace.model."
	// ResultPrefix: "benchtrace.result.K" becomes results.K (mae,
	// precision_bits, output_sample, reference_output_sample, …).
	ResultPrefix = "benchtrace.result."
)

// Well-known keys under the prefixes above.
const (
	MetadataConfigFile = MetadataPrefix + "config_file" // string

	ModelName         = ModelPrefix + "name"         // string
	ModelArchitecture = ModelPrefix + "architecture" // string
	ModelDataset      = ModelPrefix + "dataset"      // string
	ModelBatchSize    = ModelPrefix + "batch_size"   // int
	ModelSeed         = ModelPrefix + "seed"         // int

	// ResultMAE is the mean absolute error of the output against the
	// reference (double).
	ResultMAE = ResultPrefix + "mae"
	// ResultPrecisionBits is -log2(MAE) (double, bits); +Inf when MAE is 0.
	ResultPrecisionBits = ResultPrefix + "precision_bits"
	// ResultOutputSample holds the first values of the output (double[]).
	ResultOutputSample = ResultPrefix + "output_sample"
	// ResultReferenceSample holds the first values of the reference
	// (double[]).
	ResultReferenceSample = ResultPrefix + "reference_output_sample"
	// ResultSamples is how many values MAE was computed over (int).
	ResultSamples = ResultPrefix + "samples"
)

// FrameworkVersionKey returns the root attribute key that records the
// version of a framework: "benchtrace.metadata.<name>_version", which the log
// shows as metadata.<name>_version (as "pytorch_version" in the original
// format).
func FrameworkVersionKey(name string) string {
	return MetadataPrefix + name + "_version"
}

// Phase span attributes. Durations are in seconds (double), memory in bytes
// (int).
const (
	// PhaseName names the phase (string, required). Its presence marks a
	// span as a phase.
	PhaseName = "benchtrace.phase.name"
	// PhaseStatus overrides the status derived from the span status
	// (string, optional).
	PhaseStatus = "benchtrace.phase.status"
	// PhaseDuration is the measured wall time of the phase, excluding the
	// SDK's own sampling (double, s). Optional: the span's end minus start
	// is used without it.
	PhaseDuration = "benchtrace.phase.duration"
	// PhaseCPUUser is user CPU time, including child processes that ended
	// during the phase (double, s).
	PhaseCPUUser = "benchtrace.phase.cpu.user"
	// PhaseCPUSystem is system CPU time, including child processes (double, s).
	PhaseCPUSystem = "benchtrace.phase.cpu.system"
	// PhaseCPUChildren is the part of user+system CPU time spent in child
	// processes (double, s).
	PhaseCPUChildren = "benchtrace.phase.cpu.children"
	// PhaseMemoryRSSStart is the process RSS when the phase began (int, By).
	PhaseMemoryRSSStart = "benchtrace.phase.memory.rss_start"
	// PhaseMemoryChange is RSS at the end minus RSS at the start (int, By,
	// may be negative).
	PhaseMemoryChange = "benchtrace.phase.memory.change"
	// PhaseMemoryPeak is the highest process RSS while the phase was open
	// (int, By).
	PhaseMemoryPeak = "benchtrace.phase.memory.peak"
	// PhaseMemoryPeakSource says how the peak was measured: "hwm" (exact,
	// kernel high-water mark) or "sampled" (polling) (string).
	PhaseMemoryPeakSource = "benchtrace.phase.memory.peak_source"
	// PhaseGoHeapAlloc is the number of bytes allocated on the Go heap
	// during the phase (int, By).
	PhaseGoHeapAlloc = "benchtrace.phase.go.heap_alloc"
	// PhaseGoGCCycles is the number of completed GC cycles during the phase
	// (int).
	PhaseGoGCCycles = "benchtrace.phase.go.gc_cycles"
	// PhaseMemoryChildrenPeak is the peak RSS of the largest child process
	// waited for during the phase (int, By), present when that child was
	// larger than every child the process had waited for before: the kernel
	// keeps one high-water mark for all of a process's children.
	// PhaseMemoryPeak never includes children.
	PhaseMemoryChildrenPeak = "benchtrace.phase.memory.children_peak"
	// PhaseOverlapped is true when another run was open in the same process
	// while the phase was (bool; absent otherwise): the phase's CPU time,
	// Go heap and GC figures, which are process-wide, then include that
	// run's work. The run totals (RunCPUUser…) have the same caveat.
	PhaseOverlapped = "benchtrace.phase.overlapped"
)

// Exception event (OpenTelemetry semantic conventions), used for the error
// of a failed run or phase.
const (
	ExceptionEventName  = "exception"
	ExceptionType       = "exception.type"       // string
	ExceptionMessage    = "exception.message"    // string
	ExceptionStacktrace = "exception.stacktrace" // string
)

// Status values of a run or a phase, as the log's "status" shows them.
const (
	StatusSuccess     = "success"
	StatusFailed      = "failed"
	StatusRunning     = "running"     // checkpoint written while the run goes on
	StatusInterrupted = "interrupted" // stopped by SIGINT/SIGTERM
	StatusIncomplete  = "incomplete"  // no root span ever arrived (collector)
)
