/**
 * Merges the summaries of one run that ran as N partitions (runner pods): counts add, histograms
 * add (never averaged), so merged percentiles are exactly those of one process that recorded
 * every operation. Thresholds are evaluated again on the merged figures.
 */

import type { OpSummary, PhaseSummary, RunSummary } from '../../protocol/summary.js';
import { parseThreshold } from '../../protocol/thresholds.js';
import { evaluateThresholds } from '../thresholds.js';
import { addEncoded, createHistogram, encodeHistogram, summarizeLatency } from './histogram.js';

export function mergePhaseSummaries(parts: readonly PhaseSummary[]): PhaseSummary {
  const first = parts[0];
  if (!first) throw new Error('mergePhaseSummaries needs at least one summary');
  if (parts.length === 1) return first;
  const names = [...new Set(parts.flatMap((p) => p.ops.map((o) => o.name)))];
  const ops = names.map((name) => mergeOps(parts.flatMap((p) => p.ops.filter((o) => o.name === name))));
  const durationSeconds = Math.max(...parts.map((p) => p.durationSeconds));
  const measured = ops.reduce((n, o) => n + o.count, 0);
  const sumOrNull = (pick: (p: PhaseSummary) => number | null): number | null =>
    parts.some((p) => pick(p) === null) ? null : parts.reduce((n, p) => n + (pick(p) ?? 0), 0);
  const lateness = parts.every((p) => p.lateness === null)
    ? null
    : {
        // Only percentiles travel in a phase summary: the merged lateness is the worst partition's.
        p50: Math.max(...parts.map((p) => p.lateness?.p50 ?? 0)),
        p99: Math.max(...parts.map((p) => p.lateness?.p99 ?? 0)),
        max: Math.max(...parts.map((p) => p.lateness?.max ?? 0)),
      };
  const merged: PhaseSummary = {
    name: first.name,
    model: first.model,
    durationSeconds,
    rate: {
      target: sumOrNull((p) => p.rate.target),
      achieved: durationSeconds > 0 ? Number((measured / durationSeconds).toFixed(2)) : 0,
    },
    concurrency: sumOrNull((p) => p.concurrency),
    cycles: { done: parts.reduce((n, p) => n + p.cycles.done, 0), total: first.cycles.total },
    lateness,
    ops,
    thresholds: [],
    stoppedEarly: parts.some((p) => p.stoppedEarly),
    failure: parts.find((p) => p.failure)?.failure ?? null,
  };
  const parsed = first.thresholds.flatMap((t) => {
    const p = parseThreshold(t.expression);
    return 'error' in p ? [] : [p];
  });
  merged.thresholds = evaluateThresholds(parsed, merged);
  return merged;
}

function mergeOps(parts: readonly OpSummary[]): OpSummary {
  const responseTime = createHistogram();
  const serviceTime = createHistogram();
  const errorsByClass: Record<string, number> = {};
  const errorSamples: Record<string, string[]> = {};
  for (const op of parts) {
    if (op.histogram) addEncoded(responseTime, op.histogram);
    if (op.serviceHistogram) addEncoded(serviceTime, op.serviceHistogram);
    for (const [cls, n] of Object.entries(op.errorsByClass))
      errorsByClass[cls] = (errorsByClass[cls] ?? 0) + n;
    for (const [cls, samples] of Object.entries(op.errorSamples))
      errorSamples[cls] = [...new Set([...(errorSamples[cls] ?? []), ...samples])].slice(0, 5);
  }
  return {
    name: parts[0]!.name,
    count: parts.reduce((n, o) => n + o.count, 0),
    errors: parts.reduce((n, o) => n + o.errors, 0),
    errorsByClass,
    errorSamples,
    latency: summarizeLatency(responseTime),
    serviceTime: summarizeLatency(serviceTime),
    histogram: responseTime.totalCount > 0 ? encodeHistogram(responseTime) : '',
    serviceHistogram: serviceTime.totalCount > 0 ? encodeHistogram(serviceTime) : '',
  };
}

/** One RunSummary for a run of N partitions: phases merged by name, in the order they ran. */
export function mergeRunSummaries(parts: readonly RunSummary[], partitions = parts.length): RunSummary {
  const first = parts[0];
  if (!first) throw new Error('mergeRunSummaries needs at least one summary');
  if (parts.length === 1 && partitions === 1) return first;
  const names = [...new Set(parts.flatMap((p) => p.phases.map((ph) => ph.name)))];
  const phases = names.map((name) =>
    mergePhaseSummaries(parts.flatMap((p) => p.phases.filter((ph) => ph.name === name))),
  );
  return {
    schemaVersion: 1,
    workload: first.workload,
    startedAt: parts.map((p) => p.startedAt).sort()[0]!,
    endedAt: parts
      .map((p) => p.endedAt)
      .sort()
      .at(-1)!,
    // `partitions`: how many the run had, even when a lost one sent no summary.
    partition: { index: 0, count: partitions, threads: parts.reduce((n, p) => n + p.partition.threads, 0) },
    phases,
    thresholdsOk: phases.every((p) => p.failure === null && p.thresholds.every((t) => t.ok)),
  };
}
