/**
 * The k8s-cluster dataset: options → a plan whose size is known before anything is generated,
 * then the samples window by window in time order (all series of window k before any sample of
 * window k+1): the order a backfill without an out-of-order window must be sent in.
 */
import { BenchpilotError, type ErrorCode } from '../../protocol/errors.js';
import {
  buildSeries,
  ContainerUnit,
  diurnal,
  NodeUnit,
  PodUnit,
  podRunningFrom,
  type RunShape,
  restartSchedule,
  SERIES_PER_CONTAINER,
  SERIES_PER_POD,
  type Series,
  seriesPerNode,
  type Unit,
} from './metrics.js';
import { type K8sClusterKnobs, PRESET_NAMES, PRESETS, type PresetName } from './presets.js';
import { buildTopology, type Topology } from './topology.js';

export interface K8sClusterOptions extends Partial<K8sClusterKnobs> {
  /** The base sizes; every other option overrides one knob of it. Default `default`. */
  readonly preset?: PresetName;
  /** Any safe integer; the same seed gives byte-identical data. Default 1. */
  readonly seed?: number;
  /** First sample's timestamp (ms since the epoch, a multiple of the interval). */
  readonly startMs?: number;
  /**
   * End of the range, exclusive (ms, a multiple of the interval): the last sample is at
   * endMs - interval. Default {@link DEFAULT_END_MS} (a fixed anchor, so data is reproducible);
   * a seeding driver passes `alignedEnd(now)` so the data is recent.
   */
  readonly endMs?: number;
}

/** 2025-01-01T00:00:00Z: the default end of the range. */
export const DEFAULT_END_MS = Date.UTC(2025, 0, 1);
/** rate(x[5m]) needs at least 4 samples in 5 minutes (Grafana's rule of thumb; 2 is the hard floor). */
export const MAX_SCRAPE_INTERVAL_SECONDS = 60;
const DAY_MS = 86_400_000;

/** `nowMs` rounded down to a whole hour: an `endMs` that puts the data just before now. */
export function alignedEnd(nowMs: number): number {
  return Math.floor(nowMs / 3_600_000) * 3_600_000;
}

export interface Restart {
  readonly container: number;
  readonly pod: string;
  readonly containerName: string;
  readonly sampleIndex: number;
  readonly timestampMs: number;
}

/**
 * The samples of every series with timestamps in [startMs, endMs), series-major:
 * series s's samples are values[s * count + j] at timestamps[j], j = 0..count-1.
 * The arrays are reused by the next window: copy what must outlive the iteration step.
 */
export interface Window {
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Samples per series in this window. */
  readonly count: number;
  /** Index (within a series) of this window's first sample. */
  readonly firstSample: number;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** series × count. */
  readonly samples: number;
}

export interface K8sClusterDataset {
  readonly preset: PresetName;
  readonly seed: number;
  readonly knobs: K8sClusterKnobs;
  readonly topology: Topology;
  readonly series: readonly Series[];
  readonly seriesCount: number;
  readonly samplesPerSeries: number;
  /** seriesCount × samplesPerSeries, known before generating. */
  readonly totalSamples: number;
  readonly startMs: number;
  /** Exclusive: the last sample is at endMs - intervalMs. */
  readonly endMs: number;
  readonly intervalMs: number;
  /** Every container restart (the counter resets), by time. */
  readonly restarts: readonly Restart[];
  describe(): string;
  /** A fresh pass over the data, `windowMs` at a time (windows start at startMs + k·windowMs). */
  windows(windowMs: number): Iterable<Window>;
}

/** Series of a dataset with these knobs: nodes·(8·cpus + 2) + pods·24 + containers·(6 + extra). */
export function seriesCount(k: K8sClusterKnobs): number {
  const clusters = k.regions * k.clustersPerRegion;
  const nodes = clusters * k.nodesPerCluster;
  const pods = clusters * k.namespaces * k.servicesPerNamespace * k.podsPerService;
  const containers = pods * k.containersPerPod;
  return (
    nodes * seriesPerNode(k.cpusPerNode) +
    pods * SERIES_PER_POD +
    containers * (SERIES_PER_CONTAINER + k.extraMetricsPerContainer)
  );
}

export function samplesPerSeries(k: K8sClusterKnobs): number {
  // The epsilon absorbs float error in fractional days such as 2/24.
  return Math.floor((k.days * DAY_MS) / (k.scrapeIntervalSeconds * 1000) + 1e-6);
}

const INTEGER_KNOBS: Record<keyof K8sClusterKnobs, readonly [min: number, max: number] | undefined> = {
  days: undefined,
  scrapeIntervalSeconds: undefined,
  restartsPerContainerPerDay: undefined,
  regions: [1, 64],
  zonesPerRegion: [1, 26],
  clustersPerRegion: [1, 64],
  nodesPerCluster: [1, 5000],
  cpusPerNode: [1, 256],
  namespaces: [1, 1000],
  servicesPerNamespace: [1, 1000],
  podsPerService: [1, 1000],
  containersPerPod: [1, 20],
  extraMetricsPerContainer: [0, 10000],
};
const KNOWN = new Set([...Object.keys(INTEGER_KNOBS), 'preset', 'seed', 'startMs', 'endMs']);

function fail(code: ErrorCode, message: string): never {
  throw new BenchpilotError(code, `k8s-cluster dataset: ${message}`);
}

function resolveKnobs(options: K8sClusterOptions): { preset: PresetName; knobs: K8sClusterKnobs } {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key))
      fail('BP_SPEC_UNKNOWN_FIELD', `${key} is not an option (options: ${[...KNOWN].join(', ')})`);
  }
  const preset = options.preset ?? 'default';
  if (!PRESET_NAMES.includes(preset)) {
    fail(
      'BP_SPEC_INVALID_VALUE',
      `preset ${JSON.stringify(preset)} is not one of ${PRESET_NAMES.join(', ')}`,
    );
  }
  const knobs: Record<string, number> = { ...PRESETS[preset] };
  for (const key of Object.keys(INTEGER_KNOBS) as (keyof K8sClusterKnobs)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail('BP_SPEC_INVALID_VALUE', `${key} must be a number, got ${JSON.stringify(value)}`);
    }
    const range = INTEGER_KNOBS[key];
    if (range && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
      fail(
        'BP_SPEC_INVALID_VALUE',
        `${key} must be an integer from ${range[0]} to ${range[1]}, got ${value}`,
      );
    }
    knobs[key] = value;
  }
  const k = knobs as unknown as K8sClusterKnobs;
  if (!(k.scrapeIntervalSeconds > 0) || !Number.isInteger(k.scrapeIntervalSeconds * 1000)) {
    fail(
      'BP_SPEC_INVALID_VALUE',
      `scrapeIntervalSeconds must be > 0 and a whole number of ms, got ${k.scrapeIntervalSeconds}`,
    );
  }
  if (k.scrapeIntervalSeconds > MAX_SCRAPE_INTERVAL_SECONDS) {
    fail(
      'BP_SPEC_INVALID_VALUE',
      `scrapeIntervalSeconds ${k.scrapeIntervalSeconds} is too large: rate(x[5m]) would be empty or ` +
        `unreliable (it needs at least 4 samples per 5 minutes); use at most ${MAX_SCRAPE_INTERVAL_SECONDS} s`,
    );
  }
  if (!(k.days > 0) || k.days > 3660)
    fail('BP_SPEC_INVALID_VALUE', `days must be > 0 and ≤ 3660, got ${k.days}`);
  if (samplesPerSeries(k) < 1) {
    fail(
      'BP_SPEC_INVALID_VALUE',
      `days ${k.days} is shorter than one scrape interval (${k.scrapeIntervalSeconds} s)`,
    );
  }
  if (!(k.restartsPerContainerPerDay >= 0) || k.restartsPerContainerPerDay > 1000) {
    fail(
      'BP_SPEC_INVALID_VALUE',
      `restartsPerContainerPerDay must be from 0 to 1000, got ${k.restartsPerContainerPerDay}`,
    );
  }
  return { preset, knobs: k };
}

function resolveRange(options: K8sClusterOptions, intervalMs: number, samples: number): number {
  const check = (name: 'startMs' | 'endMs', value: number | undefined): void => {
    if (value === undefined) return;
    if (!Number.isSafeInteger(value) || value < 0 || value % intervalMs !== 0) {
      fail(
        'BP_SPEC_INVALID_VALUE',
        `${name} must be a non-negative integer multiple of the interval (${intervalMs} ms), got ${value}`,
      );
    }
  };
  check('startMs', options.startMs);
  check('endMs', options.endMs);
  const span = samples * intervalMs;
  if (
    options.startMs !== undefined &&
    options.endMs !== undefined &&
    options.endMs - options.startMs !== span
  ) {
    fail(
      'BP_SPEC_INVALID_VALUE',
      `startMs and endMs are ${options.endMs - options.startMs} ms apart, but days gives ${span} ms; give one of them`,
    );
  }
  if (options.startMs !== undefined) return options.startMs;
  const start = (options.endMs ?? DEFAULT_END_MS) - span;
  if (start < 0) fail('BP_SPEC_INVALID_VALUE', `the range would start before 1970 (endMs ${options.endMs})`);
  return start;
}

interface Plan {
  readonly shape: RunShape;
  readonly topology: Topology;
  readonly layout: ReturnType<typeof buildSeries>;
  readonly runningFrom: Int32Array;
  readonly schedules: readonly Int32Array[];
  readonly startMs: number;
  readonly intervalMs: number;
}

export function k8sClusterDataset(options: K8sClusterOptions = {}): K8sClusterDataset {
  const { preset, knobs } = resolveKnobs(options);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) fail('BP_SPEC_INVALID_VALUE', `seed must be an integer, got ${seed}`);
  const intervalMs = knobs.scrapeIntervalSeconds * 1000;
  const samples = samplesPerSeries(knobs);
  const startMs = resolveRange(options, intervalMs, samples);
  const endMs = startMs + samples * intervalMs;
  const topology = buildTopology(knobs, seed);
  const layout = buildSeries(topology, knobs.extraMetricsPerContainer);
  const shape: RunShape = {
    seed,
    intervalSeconds: knobs.scrapeIntervalSeconds,
    samplesPerSeries: samples,
    restartsPerContainerPerDay: knobs.restartsPerContainerPerDay,
    extraMetricsPerContainer: knobs.extraMetricsPerContainer,
  };
  const runningFrom = Int32Array.from(topology.pods, (pod) => podRunningFrom(seed, pod.index));
  const schedules = topology.containers.map((c) => restartSchedule(shape, c.index, runningFrom[c.pod]!));
  const restarts: Restart[] = [];
  for (const c of topology.containers) {
    for (const sampleIndex of schedules[c.index]!) {
      restarts.push({
        container: c.index,
        pod: topology.pods[c.pod]!.name,
        containerName: c.name,
        sampleIndex,
        timestampMs: startMs + sampleIndex * intervalMs,
      });
    }
  }
  restarts.sort((a, b) => a.sampleIndex - b.sampleIndex || a.container - b.container);
  const count = layout.series.length;
  if (count !== seriesCount(knobs))
    throw new BenchpilotError('BP_INTERNAL', 'k8s-cluster: series formula drifted');
  const plan: Plan = { shape, topology, layout, runningFrom, schedules, startMs, intervalMs };

  return {
    preset,
    seed,
    knobs,
    topology,
    series: layout.series,
    seriesCount: count,
    samplesPerSeries: samples,
    totalSamples: count * samples,
    startMs,
    endMs,
    intervalMs,
    restarts,
    describe: () =>
      `k8s-cluster preset=${preset} seed=${seed}: ${topology.regions.length} regions, ${topology.clusters.length} clusters, ` +
      `${topology.nodes.length} nodes, ${topology.pods.length} pods, ${topology.containers.length} containers; ` +
      `${count.toLocaleString('en-US')} series × ${samples.toLocaleString('en-US')} samples ` +
      `(${knobs.days >= 1 ? `${knobs.days} d` : `${Math.round(knobs.days * 24 * 1000) / 1000} h`} at ${knobs.scrapeIntervalSeconds} s) = ${(count * samples).toLocaleString('en-US')} samples, ` +
      `${new Date(startMs).toISOString()} → ${new Date(endMs).toISOString()}, ${restarts.length} container restarts`,
    windows: (windowMs: number) => {
      if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
        fail('BP_SPEC_INVALID_VALUE', `window must be a positive whole number of ms, got ${windowMs}`);
      }
      return { [Symbol.iterator]: () => iterate(plan, samples, windowMs) };
    },
  };
}

function createUnits(plan: Plan): { units: Unit[]; regionOf: Int32Array } {
  const { shape, topology, layout, runningFrom, schedules } = plan;
  const units: Unit[] = [];
  const regionOf: number[] = [];
  for (const node of topology.nodes) {
    units.push(new NodeUnit(shape, node.index, layout.nodeBase[node.index]!, node.cpus, node.memTotalBytes));
    regionOf.push(node.region);
  }
  for (const pod of topology.pods) {
    // How long the pod's containers have been up at the start (0 if it starts Pending).
    const uptime =
      runningFrom[pod.index]! > 0 ? 0 : 3600 + ((Math.imul(pod.index + 1, 2654435761) >>> 0) % (6 * 86400));
    const main = pod.containers[0]!;
    const life = { runningFrom: runningFrom[pod.index]!, restarts: schedules[main]! };
    units.push(new PodUnit(shape, pod.index, layout.podBase[pod.index]!, life, uptime));
    regionOf.push(pod.region);
    for (const c of pod.containers) {
      const cl = { runningFrom: runningFrom[pod.index]!, restarts: schedules[c]! };
      units.push(new ContainerUnit(shape, c, layout.containerBase[c]!, c === main, cl, uptime));
      regionOf.push(pod.region);
    }
  }
  return { units, regionOf: Int32Array.from(regionOf) };
}

function* iterate(plan: Plan, samples: number, windowMs: number): Generator<Window> {
  const { startMs, intervalMs, topology } = plan;
  const seriesTotal = plan.layout.series.length;
  const { units, regionOf } = createUnits(plan);
  const capacity = Math.min(samples, Math.ceil(windowMs / intervalMs));
  const timestampBuffer = new Float64Array(capacity);
  const valueBuffer = new Float64Array(seriesTotal * capacity);
  const regions = topology.regions;
  const daily = new Float64Array(regions.length * capacity);
  const endMs = startMs + samples * intervalMs;
  for (let index = 0; ; index++) {
    const wStart = startMs + index * windowMs;
    if (wStart >= endMs) return;
    const wEnd = Math.min(wStart + windowMs, endMs);
    const first = Math.ceil((wStart - startMs) / intervalMs);
    const last = Math.min(samples, Math.ceil((wEnd - startMs) / intervalMs));
    const count = last - first;
    if (count <= 0) continue;
    for (let j = 0; j < count; j++) timestampBuffer[j] = startMs + (first + j) * intervalMs;
    for (let r = 0; r < regions.length; r++) {
      const offset = regions[r]!.utcOffsetHours;
      for (let j = 0; j < count; j++) daily[r * count + j] = diurnal(timestampBuffer[j]!, offset);
    }
    // Units are independent, so each runs through the whole window before the next one.
    for (let u = 0; u < units.length; u++) {
      const unit = units[u]!;
      const d0 = regionOf[u]! * count;
      for (let j = 0; j < count; j++) unit.step(valueBuffer, count, j, first + j, daily[d0 + j]!);
    }
    yield {
      index,
      startMs: wStart,
      endMs: wEnd,
      count,
      firstSample: first,
      timestamps: timestampBuffer.subarray(0, count),
      values: valueBuffer.subarray(0, seriesTotal * count),
      samples: seriesTotal * count,
    };
  }
}
