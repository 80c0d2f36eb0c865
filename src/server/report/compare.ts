/**
 * Side-by-side comparison of runs: one row per run (in the order given) with the benchmark
 * phase's achieved rate, latency percentiles of the MERGED op histograms, errors and
 * duration, and each run's merged percentile curve for an overlaid plot.
 */
import type { Run, RunState } from '../../protocol/api.js';
import type { RunSummary } from '../../protocol/summary.js';
import { percentileChart } from './charts.js';
import {
  escapeHtml,
  fmtDuration,
  fmtMs,
  fmtNumber,
  fmtPercent,
  fmtPercentile,
  fmtRate,
  fmtTime,
  secondsBetween,
} from './format.js';
import { badge, type Column, figure, page, stateTone, table } from './page.js';
import { benchmarkPhase, type CurvePoint, mergedLatency, percentileCurves } from './percentiles.js';

export interface CompareItem {
  run: Run;
  summary: RunSummary | null;
}

export interface CompareRow {
  runId: string;
  /** Short legend label: position, workload @ target, load. */
  label: string;
  target: string;
  workload: string;
  state: RunState;
  model: 'open' | 'closed';
  /** Requested load: ops/s (open) or loops (closed); null when the workload's own value was used. */
  rate: number | null;
  concurrency: number | null;
  parallelism: number;
  /** The rest come from the benchmark phase of the summary; null without one. */
  achievedRate: number | null;
  count: number | null;
  errors: number | null;
  /** Errors as a percentage of count. */
  errorPercent: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  /** Measured window of the benchmark phase, or the run's wall time without a summary. */
  durationSeconds: number | null;
  thresholdsOk: boolean | null;
  startedAt: string | null;
}

export interface CompareCurve {
  runId: string;
  label: string;
  /** Values in the merged histogram. */
  count: number;
  points: CurvePoint[];
}

export interface Comparison {
  rows: CompareRow[];
  curves: CompareCurve[];
}

function shortLoad(load: {
  rate: number | null;
  concurrency: number | null;
  model: 'open' | 'closed';
}): string {
  if (load.rate !== null) return `${fmtRate(load.rate)} ops/s`;
  if (load.concurrency !== null) return `${fmtNumber(load.concurrency)} loops`;
  return load.model === 'open' ? 'workload rate' : 'workload concurrency';
}

export function compareRuns(items: readonly CompareItem[]): Comparison {
  const rows: CompareRow[] = [];
  const curves: CompareCurve[] = [];
  items.forEach(({ run, summary }, i) => {
    const label = `${i + 1}. ${run.workload} @ ${run.target} · ${shortLoad({ ...run.params, model: run.model })}`;
    const phase = benchmarkPhase(summary);
    const latency = phase ? mergedLatency(phase) : null;
    const count = phase ? phase.ops.reduce((n, op) => n + op.count, 0) : null;
    const errors = phase ? phase.ops.reduce((n, op) => n + op.errors, 0) : null;
    rows.push({
      runId: run.id,
      label,
      target: run.target,
      workload: run.workload,
      state: run.state,
      model: run.model,
      rate: run.params.rate,
      concurrency: run.params.concurrency,
      parallelism: run.params.parallelism,
      achievedRate: phase ? phase.rate.achieved : null,
      count,
      errors,
      errorPercent: count && errors !== null ? (errors / count) * 100 : count === 0 ? 0 : null,
      p50: latency?.p50 ?? null,
      p90: latency?.p90 ?? null,
      p99: latency?.p99 ?? null,
      p999: latency?.p999 ?? null,
      max: latency?.max ?? null,
      durationSeconds: phase ? phase.durationSeconds : secondsBetween(run.startedAt, run.endedAt),
      thresholdsOk: summary ? summary.thresholdsOk : null,
      startedAt: run.startedAt,
    });
    const all = percentileCurves(summary).ops.find((c) => c.merged);
    curves.push({ runId: run.id, label, count: all?.count ?? 0, points: all?.points ?? [] });
  });
  return { rows, curves };
}

/** `+12.5%` (on its own line) relative to the first run; empty when either value is missing or zero. */
function delta(value: number | null, base: number | null): string {
  if (value === null || base === null || base === 0) return '';
  const pct = ((value - base) / base) * 100;
  const sign = pct > 0 ? '+' : '';
  return `<br><span class="sub">${sign}${fmtNumber(pct, 1)}%</span>`;
}

const COLUMNS: Column[] = [
  { label: 'run' },
  { label: 'state' },
  { label: 'load' },
  { label: 'achieved ops/s', numeric: true },
  { label: 'p50 ms', numeric: true },
  { label: 'p90 ms', numeric: true },
  { label: 'p99 ms', numeric: true },
  { label: 'p99.9 ms', numeric: true },
  { label: 'max ms', numeric: true },
  { label: 'errors', numeric: true },
  { label: 'duration', numeric: true },
  { label: 'thresholds' },
];

/** The comparison as one self-contained HTML file (the first run is the baseline for deltas). */
export function renderCompareHtml(input: { items: readonly CompareItem[]; generatedAt: string }): string {
  const { rows, curves } = compareRuns(input.items);
  const e = escapeHtml;
  const base = rows[0];
  const cells = rows.map((r, i) => {
    const d = (pick: (row: CompareRow) => number | null): string =>
      i === 0 || !base ? '' : delta(pick(r), pick(base));
    const ms = (pick: (row: CompareRow) => number | null): string => `${fmtMs(pick(r))}${d(pick)}`;
    return [
      `${e(`${i + 1}. ${r.workload} @ ${r.target}`)}<br><code>${e(r.runId)}</code><br><span class="sub">${e(fmtTime(r.startedAt))}</span>`,
      badge(r.state, stateTone(r.state)),
      e(`${shortLoad(r)} (${r.model}) · ${r.parallelism} worker${r.parallelism === 1 ? '' : 's'}`),
      `${fmtRate(r.achievedRate)}${d((x) => x.achievedRate)}`,
      ms((x) => x.p50),
      ms((x) => x.p90),
      ms((x) => x.p99),
      ms((x) => x.p999),
      ms((x) => x.max),
      r.errors === null
        ? '–'
        : `${fmtNumber(r.errors)}<br><span class="sub">${fmtPercent(r.errorPercent)}%</span>`,
      e(fmtDuration(r.durationSeconds)),
      r.thresholdsOk === null ? '–' : r.thresholdsOk ? badge('PASS', 'ok') : badge('FAIL', 'bad'),
    ];
  });
  const drawn = curves.filter((c) => c.points.length > 0);
  const percentiles = [...new Set(drawn.flatMap((c) => c.points.map((p) => p.percentile)))].sort(
    (a, b) => a - b,
  );
  const curveTable = table(
    [{ label: 'percentile' }, ...drawn.map((c) => ({ label: `${c.label} ms`, numeric: true }))],
    percentiles.map((p) => [
      p === 0 ? 'min' : p === 100 ? 'max' : `p${fmtPercentile(p)}`,
      ...drawn.map((c) => fmtMs(c.points.find((q) => q.percentile === p)?.ms)),
    ]),
  );
  const body = [
    `<header>\n<h1>Run comparison (${rows.length} run${rows.length === 1 ? '' : 's'})</h1>`,
    '<p class="sub">Benchmark phase of each run; latencies in ms from the merged histograms of all operations. ' +
      'Percentages under a value are changes relative to the first run.</p>\n</header>',
    '<section id="runs">\n<h2>Runs</h2>',
    rows.length ? table(COLUMNS, cells) : '<p class="note">No runs were given.</p>',
    '</section>',
    '<section id="percentiles">\n<h2>Latency by percentile</h2>',
    drawn.length
      ? `${figure(
          percentileChart(
            drawn.map((c) => ({ name: c.label, points: c.points })),
            'Response time by percentile, runs overlaid',
          ),
          'Response time (ms) by percentile, one curve per run; logarithmic nines axis.',
        )}\n${curveTable}`
      : '<p class="note">None of these runs has a latency histogram.</p>',
    '</section>',
    `<footer>\n<p>Generated by benchpilot at ${e(fmtTime(input.generatedAt))}.</p>\n</footer>`,
  ];
  return page(`benchpilot comparison: ${rows.map((r) => r.runId).join(', ')}`, body.join('\n'));
}
