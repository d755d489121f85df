'use strict';
// A benchtrace producer in JavaScript, written from docs/conventions.md
// alone with the OpenTelemetry JS SDK: no benchtrace code. It sends its
// spans over OTLP/gRPC to OTEL_EXPORTER_OTLP_ENDPOINT (a collector with the
// benchlog exporter), which writes the runs' JSON logs.
//
//   node producer.js        two runs, e2e_interop (succeeds) and
//                           e2e_interop_failed (its inference fails); prints
//                           "RUN <benchmark> <run_id>" for each
//   node producer.js child  one phase, node_step, of the run that started
//                           it (benchtrace exec): TRACEPARENT and BAGGAGE
//                           name the run, the parent span and the benchmark
//
// collector/e2e/node_test.go runs the same benchmarks with the Go SDK and
// compares the two logs key by key. Keep them in step.

const fs = require('node:fs');
const os = require('node:os');
const childProcess = require('node:child_process');
const { performance } = require('node:perf_hooks');

const api = require('@opentelemetry/api');
const { W3CTraceContextPropagator, W3CBaggagePropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BatchSpanProcessor, NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');

// ---- Resource: docs/conventions.md, "Resource attributes" ----

function sh(cmd, args) {
  try {
    return childProcess.execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
  } catch {
    return undefined;
  }
}

// os.description, as the Go SDK writes it: system-release-machine, then
// -with-<distribution>-<version> (Debian: /etc/debian_version; others:
// ID and VERSION_ID of /etc/os-release).
function platform() {
  let s = `${os.type()}-${os.release()}-${os.machine()}`;
  const osRelease = {};
  try {
    for (const line of fs.readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) osRelease[m[1]] = m[2].replace(/^"|"$/g, '');
    }
  } catch {}
  let distro = (osRelease.ID || '').toLowerCase();
  let version = osRelease.VERSION_ID || '';
  try {
    const debian = fs.readFileSync('/etc/debian_version', 'utf8').split('\n')[0].trim();
    if (debian && (distro === 'debian' || distro === '')) {
      distro = 'debian';
      version = debian;
    }
  } catch {}
  if (distro) {
    s += `-with-${distro}`;
    if (version) s += `-${version}`;
  }
  return s;
}

// Accelerator device nodes, as "kind:path".
function accelerators() {
  const out = [];
  const list = (dir, re, kind) => {
    try {
      for (const f of fs.readdirSync(dir).sort()) if (re.test(f)) out.push(`${kind}:${dir}/${f}`);
    } catch {}
  };
  list('/dev', /^nvidia[0-9]/, 'nvidia');
  if (fs.existsSync('/dev/kfd')) out.push('amd:/dev/kfd');
  list('/dev/accel', /^accel[0-9]/, 'accel');
  return out;
}

function resource() {
  const attrs = {
    'service.name': 'benchtrace',
    'host.name': os.hostname(),
    'host.arch': { x64: 'amd64', arm64: 'arm64', ia32: 'x86', arm: 'arm32', ppc64: 'ppc64', s390x: 's390x' }[process.arch] || process.arch,
    'host.cpu.model.name': os.cpus()[0]?.model,
    'os.type': process.platform,
    'os.description': platform(),
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'benchtrace.host.cpu.count': os.availableParallelism(),
    'benchtrace.host.memory.total': os.totalmem(),
    'benchtrace.host.accelerators': accelerators(),
  };
  const commit = sh('git', ['rev-parse', 'HEAD']);
  if (commit) {
    attrs['vcs.ref.head.revision'] = commit.trim();
    const status = sh('git', ['status', '--porcelain', '--untracked-files=no']);
    if (status !== undefined) attrs['benchtrace.vcs.dirty'] = status.trim() !== '';
  }
  return resourceFromAttributes(attrs);
}

// ---- Measuring: docs/conventions.md, "Measuring without an SDK of ours" ----

// Linux reports children's CPU time in /proc/self/stat in clock ticks of
// USER_HZ, which is 100 for every user-space ABI.
const USER_HZ = 100;

function childrenCPU() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[13]) / USER_HZ, system: Number(f[14]) / USER_HZ };
  } catch {
    return { user: 0, system: 0 };
  }
}

function vmHWM() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

// The kernel's RSS high-water mark is process-wide: at every phase boundary
// it is read, credited to every interval open, and reset.
class Tracker {
  constructor() {
    this.open = new Set();
    try {
      fs.writeFileSync('/proc/self/clear_refs', '5');
      this.source = 'hwm';
    } catch {
      this.source = 'sampled'; // not done here: the peak is the RSS at the boundaries
    }
  }

  boundary() {
    const rss = process.memoryUsage.rss();
    const mark = this.source === 'hwm' ? vmHWM() : rss;
    for (const iv of this.open) iv.peak = Math.max(iv.peak, mark);
    if (this.source === 'hwm') fs.writeFileSync('/proc/self/clear_refs', '5');
    return rss;
  }

  // begin takes the start readings, then starts the clock.
  begin() {
    const iv = { peak: 0, children: childrenCPU() };
    iv.rss = this.boundary();
    iv.cpu = process.cpuUsage();
    this.open.add(iv);
    iv.start = performance.now();
    return iv;
  }

  // end stops the clock, then takes the end readings.
  end(iv) {
    const end = performance.now();
    const rss = this.boundary();
    this.open.delete(iv);
    const cpu = process.cpuUsage(iv.cpu);
    const children = childrenCPU();
    const childUser = children.user - iv.children.user;
    const childSystem = children.system - iv.children.system;
    return {
      end,
      wall: (end - iv.start) / 1000,
      user: cpu.user / 1e6 + childUser,
      system: cpu.system / 1e6 + childSystem,
      children: childUser + childSystem,
      rssStart: iv.rss,
      change: rss - iv.rss,
      peak: Math.max(iv.peak, iv.rss, rss),
    };
  }
}

// ---- Runs and phases: docs/conventions.md, "The shape of a run" ----

class Run {
  constructor(tracer, tracker, benchmark, attributes) {
    this.tracer = tracer;
    this.tracker = tracker;
    this.benchmark = benchmark;
    this.span = tracer.startSpan(benchmark, {
      root: true,
      attributes: { 'benchtrace.benchmark.name': benchmark, ...attributes },
    });
    this.ctx = api.trace.setSpan(api.context.active(), this.span);
    this.iv = tracker.begin();
  }

  id() {
    return this.span.spanContext().traceId;
  }

  // phase runs fn as a phase below parentCtx (the run's, or a phase's) and
  // returns what it returns; an exception fails the phase and is thrown on.
  phase(name, fn, parentCtx = this.ctx) {
    return phase(this.tracer, this.tracker, this.benchmark, name, fn, parentCtx);
  }

  setAttributes(attrs) {
    this.span.setAttributes(attrs);
  }

  // recordAccuracy sets the results conventions.md lists: MAE,
  // precision_bits = -log2(MAE), samples, and the first ten values.
  recordAccuracy(reference, output) {
    let sum = 0;
    for (let i = 0; i < reference.length; i++) sum += Math.abs(output[i] - reference[i]);
    const mae = sum / reference.length;
    this.span.setAttributes({
      'benchtrace.result.mae': mae,
      'benchtrace.result.precision_bits': -Math.log2(mae),
      'benchtrace.result.samples': reference.length,
      'benchtrace.result.output_sample': output.slice(0, 10),
      'benchtrace.result.reference_output_sample': reference.slice(0, 10),
    });
  }

  end(err) {
    const d = this.tracker.end(this.iv);
    this.span.setAttributes({
      'benchtrace.run.cpu.user': d.user,
      'benchtrace.run.cpu.system': d.system,
      'benchtrace.run.cpu.children': d.children,
      'benchtrace.run.memory.peak': d.peak,
    });
    if (err) fail(this.span, err);
    this.span.end();
  }
}

function phase(tracer, tracker, benchmark, name, fn, parentCtx) {
  const span = tracer.startSpan(name, {
    attributes: { 'benchtrace.phase.name': name, 'benchtrace.benchmark.name': benchmark },
  }, parentCtx);
  const ctx = api.trace.setSpan(parentCtx, span);
  const iv = tracker.begin();
  let err;
  let result;
  try {
    result = fn(ctx, span);
  } catch (e) {
    err = e;
  }
  const d = tracker.end(iv);
  span.setAttributes({
    'benchtrace.phase.duration': d.wall,
    'benchtrace.phase.cpu.user': d.user,
    'benchtrace.phase.cpu.system': d.system,
    'benchtrace.phase.cpu.children': d.children,
    'benchtrace.phase.memory.rss_start': d.rssStart,
    'benchtrace.phase.memory.change': d.change,
    'benchtrace.phase.memory.peak': d.peak,
    'benchtrace.phase.memory.peak_source': tracker.source,
  });
  if (err) fail(span, err);
  span.end(d.end); // at the clock's stop: a performance.now() time
  if (err) throw err;
  return result;
}

// fail marks span failed: an exception event and status Error.
function fail(span, err) {
  span.recordException(err);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: err.message });
}

// ---- The benchmark: node_test.go's goInterop does the same in Go ----

const MAIN_PHASE = 'inference';
const CONFIG_FILE = 'configs/interop.yml';
const MODEL = {
  'benchtrace.model.name': 'interop-model',
  'benchtrace.model.architecture': 'dense-2x64',
  'benchtrace.model.dataset': 'synthetic-dyadic-256',
  'benchtrace.model.batch_size': 32,
  'benchtrace.model.seed': 7,
};

// spin does about n·1e6 steps of arithmetic: real CPU time.
function spin(n) {
  let x = 0;
  for (let i = 0; i < n * 1e6; i++) x += Math.sqrt(i);
  return x;
}

function interop(tracer, tracker, benchmark, failInference) {
  const run = new Run(tracer, tracker, benchmark, {
    'benchtrace.run.main_phase': MAIN_PHASE,
    'benchtrace.metadata.config_file': CONFIG_FILE,
    ...MODEL,
  });
  let err;
  try {
    run.phase('initialization', () => spin(2));
    const reference = run.phase('data_loading', () => {
      const block = Buffer.alloc(64 << 20, 1); // 64 MiB, every page touched
      // Dyadic values, none of them integral: the JS SDK sends an integral
      // number as an OTLP int, so a double array holding one (0, 1) arrives
      // as ints and doubles (which the benchlog exporter reads as doubles).
      const ref = [];
      for (let i = 0; i < 256; i++) ref.push((2 * i + 1) / 128 + block[i * 4096] - 1);
      return ref;
    });
    run.phase('fit', (ctx, span) => {
      span.setAttributes({ epochs: 1 });
      run.phase('epoch', () => spin(5), ctx);
    });
    const output = run.phase(MAIN_PHASE, (ctx, span) => {
      span.setAttributes({ input_level: 14, engine: 'reference', scale: 0.5, exact: true });
      spin(5);
      if (failInference) throw new Error('boom: budget exhausted at level 3');
      return reference.map((r) => r + 1 / 1024);
    });
    run.recordAccuracy(reference, output);
  } catch (e) {
    err = e;
  }
  run.end(err);
  return run.id();
}

// child adds a phase to the run of the process that started this one
// (benchtrace exec): the trace context and the benchmark come from the
// environment.
function child(tracer, tracker) {
  const carrier = { traceparent: process.env.TRACEPARENT, tracestate: process.env.TRACESTATE, baggage: process.env.BAGGAGE };
  const getter = { get: (c, k) => c[k], keys: (c) => Object.keys(c) };
  let ctx = new W3CTraceContextPropagator().extract(api.ROOT_CONTEXT, carrier, getter);
  ctx = new W3CBaggagePropagator().extract(ctx, carrier, getter);
  const benchmark = api.propagation.getBaggage(ctx)?.getEntry('benchtrace.benchmark.name')?.value;
  if (!api.trace.getSpanContext(ctx) || !benchmark) {
    throw new Error('child: TRACEPARENT and BAGGAGE (benchtrace.benchmark.name) must name the run');
  }
  phase(tracer, tracker, benchmark, 'node_step', (_, span) => {
    span.setAttributes({ language: 'javascript' });
    spin(2);
  }, ctx);
}

async function main() {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT && !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    console.error('producer: set OTEL_EXPORTER_OTLP_ENDPOINT (http://HOST:PORT of a collector)');
    process.exit(2);
  }
  const provider = new NodeTracerProvider({
    resource: resource(),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  const tracer = provider.getTracer('benchtrace-node-producer');
  const tracker = new Tracker();
  if (process.argv[2] === 'child') {
    child(tracer, tracker);
  } else {
    for (const [name, failing] of [['e2e_interop', false], ['e2e_interop_failed', true]]) {
      console.log(`RUN ${name} ${interop(tracer, tracker, name, failing)}`);
    }
  }
  await provider.shutdown(); // flushes every span
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
