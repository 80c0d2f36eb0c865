/**
 * Realistic inputs for the report tests: op summaries built from real HDR histograms of
 * seeded, skewed latency samples, runs as the API returns them, and per-second series.
 */
import {
  createHistogram,
  encodeHistogram,
  type Histogram,
  summarizeLatency,
} from '../../engine/metrics/histogram.js';
import type { Run, SeriesPoint } from '../../protocol/api.js';
import type { OpSummary, PhaseSummary, RunSummary, ThresholdResult } from '../../protocol/summary.js';

/** Seeded PRNG (mulberry32): the same samples on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Response times in µs: log-normal around `medianMicros`, with a slow tail (`tailShare` of
 * the values `tailFactor` times slower), like a service with occasional GC pauses.
 */
export function latencySamples(
  seed: number,
  n: number,
  medianMicros: number,
  tailShare = 0.01,
  tailFactor = 20,
): number[] {
  const random = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(random(), 1e-12);
    const u2 = random();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    let micros = medianMicros * Math.exp(0.45 * normal);
    if (random() < tailShare) micros *= tailFactor;
    out.push(Math.max(1, Math.round(micros)));
  }
  return out;
}

export function histogramOf(values: readonly number[]): Histogram {
  const h = createHistogram();
  for (const v of values) h.recordValue(v);
  return h;
}

export function opSummary(
  name: string,
  values: readonly number[],
  errors: { byClass?: Record<string, number>; samples?: Record<string, string[]> } = {},
): OpSummary {
  const h = histogramOf(values);
  const errorCount = Object.values(errors.byClass ?? {}).reduce((a, b) => a + b, 0);
  return {
    name,
    count: values.length + errorCount,
    errors: errorCount,
    errorsByClass: errors.byClass ?? {},
    errorSamples: errors.samples ?? {},
    latency: summarizeLatency(h),
    serviceTime: summarizeLatency(h),
    histogram: encodeHistogram(h),
    serviceHistogram: encodeHistogram(h),
  };
}

export function phase(name: string, ops: OpSummary[], over: Partial<PhaseSummary> = {}): PhaseSummary {
  const durationSeconds = over.durationSeconds ?? 30;
  const count = ops.reduce((n, op) => n + op.count, 0);
  return {
    name,
    model: 'open',
    durationSeconds,
    rate: { target: 1000, achieved: count / durationSeconds },
    concurrency: null,
    cycles: { done: count, total: null },
    lateness: { p50: 0.04, p99: 0.8, max: 2.5 },
    ops,
    thresholds: [],
    stoppedEarly: false,
    failure: null,
    ...over,
  };
}

export function summary(phases: PhaseSummary[], thresholds: ThresholdResult[] = []): RunSummary {
  const last = phases.at(-1);
  if (last) last.thresholds = thresholds;
  return {
    schemaVersion: 1,
    workload: 'sql-ecommerce',
    startedAt: '2026-11-26T13:40:00.000Z',
    endedAt: '2026-11-26T13:40:35.000Z',
    partition: { index: 0, count: 1, threads: 2 },
    phases,
    thresholdsOk: thresholds.every((t) => t.ok) && phases.every((p) => p.failure === null),
  };
}

export function run(over: Partial<Run> = {}): Run {
  return {
    id: 'run-20261126-134000-a1b2',
    kind: 'benchmark',
    target: 'demo-pg',
    workload: 'sql-ecommerce',
    phase: 'main',
    state: 'succeeded',
    model: 'open',
    params: { rate: 1000, concurrency: null, durationSeconds: 30, parallelism: 2, force: false },
    live: null,
    executor: 'local',
    error: null,
    createdAt: '2026-11-26T13:39:58.000Z',
    startedAt: '2026-11-26T13:40:00.000Z',
    endedAt: '2026-11-26T13:40:35.500Z',
    ...over,
  };
}

/** `seconds` points, the first `warmupSeconds` marked warmup, a few errors around second 12. */
export function series(
  seconds: number,
  warmupSeconds = 5,
  opNames = ['read_product', 'write_order'],
): SeriesPoint[] {
  const random = rng(7);
  const start = Date.parse('2026-11-26T13:40:00.000Z');
  const out: SeriesPoint[] = [];
  for (let i = 1; i <= seconds; i++) {
    const achieved = 990 + Math.round(random() * 20);
    const ops: SeriesPoint['ops'] = {};
    opNames.forEach((name, k) => {
      ops[name] = { count: Math.round(achieved / opNames.length), errors: 0, p50: 1.1 + k, p99: 4.2 + k * 3 };
    });
    out.push({
      t: start + i * 1000,
      elapsed: i,
      targetRate: 1000,
      achievedRate: achieved,
      p50: 1.2 + random() * 0.2,
      p99: 5 + random() * 3,
      errors: i >= 12 && i <= 14 ? i - 10 : 0,
      warmup: i <= warmupSeconds,
      ops,
    });
  }
  return out;
}
