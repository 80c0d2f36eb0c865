/**
 * The metric families of the k8s-cluster dataset, the series each entity exposes, and how every
 * value evolves from one scrape to the next. Three kinds of units produce values: a node (node
 * exporter), a pod (the app's HTTP metrics and kube-state-metrics' phase) and a container
 * (cAdvisor, kube-state-metrics' restarts, synthetic app metrics). Each unit owns one random
 * stream (Splitmix32 seeded from the dataset seed and the unit) and advances it once per scrape
 * in time order, so a value depends only on the seed and the sample index, never on how the
 * time range is cut into windows.
 */
import { Splitmix32 } from '../../engine/random.js';
import { deriveSeed, STREAM, type Topology } from './topology.js';

export type MetricKind = 'counter' | 'gauge' | 'histogram';
/** What a series holds within its family: a plain value, or one part of a histogram. */
export type SeriesRole = 'value' | 'bucket' | 'sum' | 'count';
export type Label = readonly [name: string, value: string];

export interface MetricFamily {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  /** Which entity exposes it: node_* carry node-level labels only. */
  readonly scope: 'node' | 'pod' | 'container';
}

export interface Series {
  readonly index: number;
  /** The metric name (a histogram's series are `<family>_bucket`, `_sum`, `_count`). */
  readonly name: string;
  /** Sorted by name, `__name__` first. */
  readonly labels: readonly Label[];
  readonly family: MetricFamily;
  readonly role: SeriesRole;
  /**
   * For counters (and histogram parts) that a container restart resets: the index of that
   * container's kube_pod_container_status_restarts_total series, which increments at the very
   * timestamp of every reset. -1 for gauges and for counters that never reset (node_*).
   */
  readonly restartSeries: number;
}

const family = (
  name: string,
  kind: MetricKind,
  scope: MetricFamily['scope'],
  help: string,
): MetricFamily => ({
  name,
  kind,
  scope,
  help,
});

export const FAMILIES = {
  nodeCpu: family('node_cpu_seconds_total', 'counter', 'node', 'Seconds the CPUs spent in each mode.'),
  nodeMemAvailable: family('node_memory_MemAvailable_bytes', 'gauge', 'node', 'Memory available, bytes.'),
  nodeMemTotal: family('node_memory_MemTotal_bytes', 'gauge', 'node', 'Memory installed, bytes.'),
  httpRequests: family('http_requests_total', 'counter', 'pod', 'HTTP requests served.'),
  httpDuration: family('http_request_duration_seconds', 'histogram', 'pod', 'HTTP request latency.'),
  podPhase: family(
    'kube_pod_status_phase',
    'gauge',
    'pod',
    "The pod's current phase (1 for the current one).",
  ),
  containerCpu: family('container_cpu_usage_seconds_total', 'counter', 'container', 'CPU time used.'),
  containerMemory: family('container_memory_working_set_bytes', 'gauge', 'container', 'Working set, bytes.'),
  containerRx: family('container_network_receive_bytes_total', 'counter', 'container', 'Bytes received.'),
  containerTx: family('container_network_transmit_bytes_total', 'counter', 'container', 'Bytes sent.'),
  containerFs: family('container_fs_usage_bytes', 'gauge', 'container', 'Bytes used on the filesystem.'),
  restarts: family(
    'kube_pod_container_status_restarts_total',
    'counter',
    'container',
    'Times the container was restarted.',
  ),
} as const;

/** node_cpu_seconds_total modes (alphabetical) and the share of busy time each takes. */
export const CPU_MODES = ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'] as const;
const BUSY_SHARE = [0, 0.05, 0.01, 0.03, 0.04, 0.03, 0.22, 0.62];
export const HTTP_METHODS = ['GET', 'POST'] as const;
export const HTTP_CODES = ['200', '404', '500'] as const;
const METHOD_SHARE = [0.8, 0.2];
const CODE_SHARE = [0.955, 0.03, 0.015];
/** Prometheus' default buckets. */
export const LE_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
export const PHASES = ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] as const;
const PHASE_PENDING = 1;
const PHASE_RUNNING = 2;
/** The value given to requests slower than the last bound (the +Inf slice), seconds. */
const OVERFLOW_SECONDS = 7.5;
const LATENCY_SIGMA = 0.6;
const WARMUP_SAMPLES = 20;
const MIB = 1024 * 1024;

/** Series of one node, one pod and one container (without extras), for the size formula. */
export function seriesPerNode(cpus: number): number {
  return cpus * CPU_MODES.length + 2;
}
export const SERIES_PER_POD = HTTP_METHODS.length * HTTP_CODES.length + LE_BOUNDS.length + 3 + PHASES.length;
export const SERIES_PER_CONTAINER = 6;

function extraName(i: number): string {
  const n = String(i + 1).padStart(2, '0');
  return i % 2 === 0 ? `app_extra_gauge_${n}` : `app_extra_counter_${n}_total`;
}
const extraFamilies = new Map<number, MetricFamily>();
function extraFamily(i: number): MetricFamily {
  let f = extraFamilies.get(i);
  if (!f) {
    f =
      i % 2 === 0
        ? family(extraName(i), 'gauge', 'container', 'Synthetic application gauge.')
        : family(extraName(i), 'counter', 'container', 'Synthetic application counter.');
    extraFamilies.set(i, f);
  }
  return f;
}

function sortLabels(name: string, labels: Record<string, string>): Label[] {
  const out: Label[] = [['__name__', name]];
  for (const key of Object.keys(labels).sort()) out.push([key, labels[key]!]);
  return out;
}

/** Where a unit's series start in the dataset's series list (they are contiguous). */
export interface Layout {
  readonly series: readonly Series[];
  readonly nodeBase: Int32Array;
  readonly podBase: Int32Array;
  readonly containerBase: Int32Array;
}

export function buildSeries(topology: Topology, extraMetricsPerContainer: number): Layout {
  const series: Series[] = [];
  const add = (
    f: MetricFamily,
    name: string,
    labels: Record<string, string>,
    role: SeriesRole,
    restartSeries: number,
  ): void => {
    series.push({
      index: series.length,
      name,
      labels: sortLabels(name, labels),
      family: f,
      role,
      restartSeries,
    });
  };
  const nodeBase = new Int32Array(topology.nodes.length);
  const podBase = new Int32Array(topology.pods.length);
  const containerBase = new Int32Array(topology.containers.length);
  const place = (node: number) => {
    const n = topology.nodes[node]!;
    return {
      region: topology.regions[n.region]!.name,
      zone: topology.zones[n.zone]!.name,
      cluster: topology.clusters[n.cluster]!.name,
      node: n.name,
    };
  };

  for (const node of topology.nodes) {
    nodeBase[node.index] = series.length;
    const base = { ...place(node.index), instance: `${node.ip}:9100`, job: 'node-exporter' };
    for (let cpu = 0; cpu < node.cpus; cpu++) {
      for (const mode of CPU_MODES) {
        add(FAMILIES.nodeCpu, FAMILIES.nodeCpu.name, { ...base, cpu: String(cpu), mode }, 'value', -1);
      }
    }
    add(FAMILIES.nodeMemAvailable, FAMILIES.nodeMemAvailable.name, base, 'value', -1);
    add(FAMILIES.nodeMemTotal, FAMILIES.nodeMemTotal.name, base, 'value', -1);
  }

  // Pod series first, then its containers'; a pod's HTTP counters reset with its main container,
  // whose restart series index is known once the pod's series are laid out.
  for (const pod of topology.pods) {
    podBase[pod.index] = series.length;
    const owner = {
      ...place(pod.node),
      namespace: pod.namespace,
      service: topology.services[pod.service]!.name,
      deployment: pod.deployment,
      pod: pod.name,
    };
    const main = topology.containers[pod.containers[0]!]!;
    const podSeries = SERIES_PER_POD;
    const mainRestart = series.length + podSeries + SERIES_PER_CONTAINER - 1;
    const app = {
      ...owner,
      container: main.name,
      instance: `${pod.ip}:8080`,
      job: `${pod.namespace}/${owner.service}`,
    };
    for (const method of HTTP_METHODS) {
      for (const code of HTTP_CODES) {
        add(
          FAMILIES.httpRequests,
          FAMILIES.httpRequests.name,
          { ...app, code, method },
          'value',
          mainRestart,
        );
      }
    }
    const h = FAMILIES.httpDuration;
    for (const le of LE_BOUNDS) add(h, `${h.name}_bucket`, { ...app, le: String(le) }, 'bucket', mainRestart);
    add(h, `${h.name}_bucket`, { ...app, le: '+Inf' }, 'bucket', mainRestart);
    add(h, `${h.name}_sum`, app, 'sum', mainRestart);
    add(h, `${h.name}_count`, app, 'count', mainRestart);
    const ksm = { ...owner, instance: 'kube-state-metrics.kube-system:8080', job: 'kube-state-metrics' };
    for (const phase of PHASES)
      add(FAMILIES.podPhase, FAMILIES.podPhase.name, { ...ksm, phase }, 'value', -1);

    for (const index of pod.containers) {
      const container = topology.containers[index]!;
      containerBase[index] = series.length;
      const restart = series.length + SERIES_PER_CONTAINER - 1;
      const node = topology.nodes[pod.node]!;
      const cadvisor = { ...owner, container: container.name, instance: `${node.ip}:10250`, job: 'kubelet' };
      add(FAMILIES.containerCpu, FAMILIES.containerCpu.name, cadvisor, 'value', restart);
      add(FAMILIES.containerMemory, FAMILIES.containerMemory.name, cadvisor, 'value', -1);
      add(FAMILIES.containerRx, FAMILIES.containerRx.name, cadvisor, 'value', restart);
      add(FAMILIES.containerTx, FAMILIES.containerTx.name, cadvisor, 'value', restart);
      add(FAMILIES.containerFs, FAMILIES.containerFs.name, cadvisor, 'value', -1);
      add(FAMILIES.restarts, FAMILIES.restarts.name, { ...ksm, container: container.name }, 'value', -1);
      for (let i = 0; i < extraMetricsPerContainer; i++) {
        const f = extraFamily(i);
        add(f, f.name, cadvisor, 'value', f.kind === 'counter' ? restart : -1);
      }
    }
  }
  return { series, nodeBase, podBase, containerBase };
}

/** The daily pattern in [0, 1]: 1 at 15:00 local time, 0 at 03:00. */
export function diurnal(timestampMs: number, utcOffsetHours: number): number {
  const hours = (((timestampMs / 3_600_000 + utcOffsetHours) % 24) + 24) % 24;
  return 0.5 + 0.5 * Math.sin((2 * Math.PI * (hours - 9)) / 24);
}

/** Triangular noise in (-1, 1): cheap, bounded, bell-shaped enough. */
function tri(rng: Splitmix32): number {
  return rng.nextFloat() + rng.nextFloat() - 1;
}

function between(rng: Splitmix32, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.nextFloat();
}

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for bucket shares. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return sign * y;
}

const LN_LE = LE_BOUNDS.map((le) => Math.log(le));
const MIDPOINTS = LE_BOUNDS.map((le, i) => (le + (i === 0 ? 0 : LE_BOUNDS[i - 1]!)) / 2);

/** Everything a unit needs to know about the run. */
export interface RunShape {
  readonly seed: number;
  readonly intervalSeconds: number;
  readonly samplesPerSeries: number;
  readonly restartsPerContainerPerDay: number;
  readonly extraMetricsPerContainer: number;
}

/**
 * Restart sample indexes of every container, ascending (each ≥ 1 and after the pod's Pending
 * start, so a reset is visible). Gaps are geometric: restarts are a Bernoulli process per scrape
 * with the per-day rate, independent of the scrape interval.
 */
export function restartSchedule(shape: RunShape, container: number, firstRunning: number): Int32Array {
  const p = Math.min(0.5, (shape.restartsPerContainerPerDay * shape.intervalSeconds) / 86400);
  if (p <= 0) return new Int32Array(0);
  const rng = new Splitmix32(deriveSeed(shape.seed, STREAM.restarts, container));
  const out: number[] = [];
  const logQ = Math.log(1 - p);
  let at = Math.max(0, firstRunning);
  for (;;) {
    at += 1 + Math.floor(Math.log(1 - rng.nextFloat()) / logQ);
    if (at >= shape.samplesPerSeries) break;
    out.push(at);
  }
  return Int32Array.from(out);
}

/** Sample index from which a pod is Running (before: Pending, no traffic). About 1 pod in 8 starts Pending. */
export function podRunningFrom(seed: number, pod: number): number {
  const rng = new Splitmix32(deriveSeed(seed, STREAM.pod, pod, 1));
  return rng.nextUint32() % 8 === 0 ? 1 + (rng.nextUint32() % 4) : 0;
}

/** A unit writes its series' values for sample `g` (global index) at column `j` of the window. */
export interface Unit {
  step(values: Float64Array, count: number, j: number, g: number, d: number): void;
}

export class NodeUnit implements Unit {
  readonly #rng: Splitmix32;
  readonly #base: number;
  readonly #cpus: number;
  readonly #counters: Float64Array;
  readonly #busyBase: number;
  readonly #memTotal: number;
  readonly #memBase: number;
  readonly #interval: number;

  constructor(shape: RunShape, index: number, base: number, cpus: number, memTotal: number) {
    this.#rng = new Splitmix32(deriveSeed(shape.seed, STREAM.node, index));
    this.#base = base;
    this.#cpus = cpus;
    this.#interval = shape.intervalSeconds;
    this.#memTotal = memTotal;
    this.#busyBase = between(this.#rng, 0.1, 0.3);
    this.#memBase = between(this.#rng, 0.25, 0.5);
    const uptime = between(this.#rng, 2, 30) * 86400;
    const busy = this.#busyBase + 0.15;
    this.#counters = new Float64Array(cpus * CPU_MODES.length);
    for (let c = 0; c < cpus; c++) {
      for (let m = 0; m < CPU_MODES.length; m++) {
        this.#counters[c * CPU_MODES.length + m] = uptime * (m === 0 ? 1 - busy : busy * BUSY_SHARE[m]!);
      }
    }
  }

  step(values: Float64Array, count: number, j: number, _g: number, d: number): void {
    const rng = this.#rng;
    const counters = this.#counters;
    const busy = this.#busyBase + 0.3 * d + 0.03 * tri(rng);
    let at = this.#base * count + j;
    for (let c = 0; c < this.#cpus; c++) {
      const b = Math.min(0.98, Math.max(0.02, busy + 0.05 * tri(rng)));
      const o = c * CPU_MODES.length;
      counters[o] = counters[o]! + (1 - b) * this.#interval;
      values[at] = counters[o]!;
      at += count;
      for (let m = 1; m < CPU_MODES.length; m++) {
        counters[o + m] = counters[o + m]! + b * BUSY_SHARE[m]! * this.#interval;
        values[at] = counters[o + m]!;
        at += count;
      }
    }
    const used = Math.min(0.97, Math.max(0.03, this.#memBase + 0.2 * d + 0.02 * tri(rng)));
    values[at] = Math.round((this.#memTotal * (1 - used)) / 4096) * 4096;
    values[at + count] = this.#memTotal;
  }
}

/** Shared between a pod and its main container: restarts reset both. */
interface Lifecycle {
  readonly runningFrom: number;
  readonly restarts: Int32Array;
}

export class PodUnit implements Unit {
  readonly #rng: Splitmix32;
  readonly #base: number;
  readonly #interval: number;
  readonly #life: Lifecycle;
  #nextRestart = 0;
  readonly #rps: number;
  readonly #medianSeconds: number;
  readonly #requests = new Float64Array(HTTP_METHODS.length * HTTP_CODES.length);
  /** Cumulative bucket counts, +Inf last, then sum, then count. */
  readonly #buckets = new Float64Array(LE_BOUNDS.length + 1);
  #sum = 0;
  #count = 0;

  constructor(shape: RunShape, index: number, base: number, life: Lifecycle, uptimeSeconds: number) {
    this.#rng = new Splitmix32(deriveSeed(shape.seed, STREAM.pod, index));
    this.#base = base;
    this.#interval = shape.intervalSeconds;
    this.#life = life;
    this.#rps = between(this.#rng, 5, 120);
    this.#medianSeconds = between(this.#rng, 0.015, 0.12);
    if (uptimeSeconds > 0) this.#serve(this.#rps * 0.6 * uptimeSeconds, 0.5);
  }

  /** Adds `total` requests (expected) spread over methods/codes and latency buckets. */
  #serve(total: number, d: number): void {
    const rng = this.#rng;
    let n = 0;
    for (let m = 0; m < HTTP_METHODS.length; m++) {
      for (let c = 0; c < HTTP_CODES.length; c++) {
        const k = Math.floor(total * METHOD_SHARE[m]! * CODE_SHARE[c]! + rng.nextFloat());
        this.#requests[m * HTTP_CODES.length + c] = this.#requests[m * HTTP_CODES.length + c]! + k;
        n += k;
      }
    }
    const lnMedian = Math.log(this.#medianSeconds * (1 + 0.8 * d) * (1 + 0.1 * tri(rng)));
    const scale = 1 / (LATENCY_SIGMA * Math.SQRT2);
    let previous = 0;
    let sum = 0;
    for (let i = 0; i < LE_BOUNDS.length; i++) {
      const share = 0.5 * (1 + erf((LN_LE[i]! - lnMedian) * scale));
      const cumulative = Math.min(n, Math.max(previous, Math.round(n * share)));
      sum += (cumulative - previous) * MIDPOINTS[i]!;
      this.#buckets[i] = this.#buckets[i]! + cumulative;
      previous = cumulative;
    }
    sum += (n - previous) * OVERFLOW_SECONDS;
    this.#buckets[LE_BOUNDS.length] = this.#buckets[LE_BOUNDS.length]! + n;
    this.#count += n;
    this.#sum += sum;
  }

  step(values: Float64Array, count: number, j: number, g: number, d: number): void {
    const life = this.#life;
    let scale = 1;
    if (this.#nextRestart < life.restarts.length && life.restarts[this.#nextRestart] === g) {
      this.#nextRestart++;
      this.#requests.fill(0);
      this.#buckets.fill(0);
      this.#sum = 0;
      this.#count = 0;
      scale = this.#rng.nextFloat();
    }
    if (g >= life.runningFrom) {
      const rps = this.#rps * (0.2 + 0.8 * d) * (1 + 0.1 * tri(this.#rng));
      this.#serve(rps * this.#interval * scale, d);
    }
    let at = this.#base * count + j;
    for (let i = 0; i < this.#requests.length; i++, at += count) values[at] = this.#requests[i]!;
    for (let i = 0; i < this.#buckets.length; i++, at += count) values[at] = this.#buckets[i]!;
    values[at] = this.#sum;
    at += count;
    values[at] = this.#count;
    at += count;
    const phase = g >= life.runningFrom ? PHASE_RUNNING : PHASE_PENDING;
    for (let p = 0; p < PHASES.length; p++, at += count) values[at] = p === phase ? 1 : 0;
  }
}

export class ContainerUnit implements Unit {
  readonly #rng: Splitmix32;
  readonly #base: number;
  readonly #interval: number;
  readonly #life: Lifecycle;
  #nextRestart = 0;
  #startedAt: number;
  readonly #cores: number;
  readonly #memBase: number;
  readonly #rxRate: number;
  readonly #txRate: number;
  readonly #fsBase: number;
  readonly #fsGrowth: number;
  #cpu: number;
  #rx: number;
  #tx: number;
  #fs: number;
  #restarts: number;
  readonly #extraBase: Float64Array;
  readonly #extra: Float64Array;

  constructor(shape: RunShape, index: number, base: number, main: boolean, life: Lifecycle, uptime: number) {
    const rng = new Splitmix32(deriveSeed(shape.seed, STREAM.container, index));
    this.#rng = rng;
    this.#base = base;
    this.#interval = shape.intervalSeconds;
    this.#life = life;
    this.#startedAt = uptime > 0 ? -Infinity : life.runningFrom;
    this.#cores = main ? between(rng, 0.1, 1.2) : between(rng, 0.005, 0.05);
    this.#memBase = (main ? between(rng, 128, 1024) : between(rng, 16, 96)) * MIB;
    this.#rxRate = main ? between(rng, 20e3, 2e6) : between(rng, 1e3, 50e3);
    this.#txRate = this.#rxRate * between(rng, 0.5, 3);
    this.#fsBase = between(rng, 4, 400) * MIB;
    this.#fsGrowth = between(rng, 10, 2000);
    const load = 0.6 * uptime;
    this.#cpu = this.#cores * load;
    this.#rx = Math.round(this.#rxRate * load);
    this.#tx = Math.round(this.#txRate * load);
    this.#fs = Math.round(this.#fsBase + this.#fsGrowth * uptime * 0.5);
    this.#restarts = uptime > 0 ? rng.nextUint32() % 3 : 0;
    const e = shape.extraMetricsPerContainer;
    this.#extraBase = new Float64Array(e);
    this.#extra = new Float64Array(e);
    for (let i = 0; i < e; i++) {
      this.#extraBase[i] = i % 2 === 0 ? 10 ** between(rng, 0, 6) : 10 ** between(rng, -1, 3);
      if (i % 2 === 1) this.#extra[i] = Math.round(this.#extraBase[i]! * load);
    }
  }

  step(values: Float64Array, count: number, j: number, g: number, d: number): void {
    const rng = this.#rng;
    const life = this.#life;
    let scale = 1;
    if (this.#nextRestart < life.restarts.length && life.restarts[this.#nextRestart] === g) {
      this.#nextRestart++;
      this.#restarts += 1;
      this.#startedAt = g;
      this.#cpu = 0;
      this.#rx = 0;
      this.#tx = 0;
      this.#fs = this.#fsBase;
      for (let i = 1; i < this.#extra.length; i += 2) this.#extra[i] = 0;
      scale = rng.nextFloat();
    }
    const running = g >= life.runningFrom ? 1 : 0;
    const load = running * scale * (0.3 + 0.7 * d) * (1 + 0.1 * tri(rng));
    const seconds = load * this.#interval;
    this.#cpu += this.#cores * seconds;
    this.#rx += Math.round(this.#rxRate * seconds);
    this.#tx += Math.round(this.#txRate * seconds);
    this.#fs += Math.round(running * this.#fsGrowth * this.#interval * rng.nextFloat());
    const warm = Math.min(1, Math.max(0, (g - this.#startedAt) / WARMUP_SAMPLES));
    const memory = this.#memBase * (0.85 + 0.15 * d) * (0.5 + 0.5 * warm) * (1 + 0.02 * tri(rng));

    let at = this.#base * count + j;
    values[at] = this.#cpu;
    values[at + count] = Math.round(memory);
    values[at + 2 * count] = this.#rx;
    values[at + 3 * count] = this.#tx;
    values[at + 4 * count] = this.#fs;
    values[at + 5 * count] = this.#restarts;
    at += 5 * count;
    const extra = this.#extra;
    const extraBase = this.#extraBase;
    for (let i = 0; i < extra.length; i++) {
      at += count;
      if (i % 2 === 0) {
        values[at] = extraBase[i]! * (0.7 + 0.3 * d) * (1 + 0.05 * (rng.nextFloat() - 0.5));
      } else {
        extra[i] = extra[i]! + Math.round(extraBase[i]! * seconds * (0.9 + 0.2 * rng.nextFloat()));
        values[at] = extra[i]!;
      }
    }
  }
}
