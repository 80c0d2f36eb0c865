/**
 * Per-phase sections of the report: the phase's figures, one row per op plus a merged
 * "all ops" row (from added histograms), thresholds with pass/fail, and error samples.
 */
import type { LatencySummary, OpSummary, PhaseSummary, RunSummary } from '../../protocol/summary.js';
import { escapeHtml, fmtDuration, fmtMs, fmtNumber, fmtPercent, fmtRate } from './format.js';
import { badge, type Column, table } from './page.js';
import { mergedLatency } from './percentiles.js';

const OP_COLUMNS: Column[] = [
  { label: 'operation' },
  { label: 'count', numeric: true },
  { label: 'errors', numeric: true },
  { label: 'error %', numeric: true },
  { label: 'ops/s', numeric: true },
  { label: 'p50 ms', numeric: true },
  { label: 'p90 ms', numeric: true },
  { label: 'p99 ms', numeric: true },
  { label: 'p99.9 ms', numeric: true },
  { label: 'max ms', numeric: true },
  { label: 'mean ms', numeric: true },
];

function errorPercent(errors: number, count: number): string {
  return count > 0 ? fmtPercent((errors / count) * 100) : '–';
}

function opRow(
  name: string,
  count: number,
  errors: number,
  rate: number | null,
  l: LatencySummary,
): string[] {
  return [
    name,
    fmtNumber(count),
    fmtNumber(errors),
    errorPercent(errors, count),
    fmtRate(rate),
    fmtMs(l.p50),
    fmtMs(l.p90),
    fmtMs(l.p99),
    fmtMs(l.p999),
    fmtMs(l.max),
    fmtMs(l.mean),
  ];
}

/** The phase's ops table; with more than one op, a last row merged over all of them. */
export function opsTable(phase: PhaseSummary): string {
  if (phase.ops.length === 0) return '<p class="note">No operations were recorded in this phase.</p>';
  const perSecond = (n: number): number | null =>
    phase.durationSeconds > 0 ? n / phase.durationSeconds : null;
  const rows = phase.ops.map((op) =>
    opRow(escapeHtml(op.name), op.count, op.errors, perSecond(op.count), op.latency),
  );
  const classes = rows.map(() => '');
  if (phase.ops.length > 1) {
    const count = phase.ops.reduce((n, op) => n + op.count, 0);
    const errors = phase.ops.reduce((n, op) => n + op.errors, 0);
    const merged = mergedLatency(phase);
    const none = {
      p50: Number.NaN,
      p90: Number.NaN,
      p99: Number.NaN,
      p999: Number.NaN,
      max: Number.NaN,
      mean: Number.NaN,
      min: Number.NaN,
    };
    rows.push(opRow('all operations (merged)', count, errors, phase.rate.achieved, merged ?? none));
    classes.push('total');
  }
  return table(OP_COLUMNS, rows, classes);
}

function phaseMeta(phase: PhaseSummary): string {
  const items: [string, string][] = [
    ['model', phase.model === 'open' ? 'open (fixed rate)' : 'closed (fixed concurrency)'],
    ['measured window', fmtDuration(phase.durationSeconds)],
    ['target rate', phase.rate.target === null ? '–' : `${fmtRate(phase.rate.target)} ops/s`],
    ['achieved rate', `${fmtRate(phase.rate.achieved)} ops/s`],
  ];
  if (phase.concurrency !== null) items.push(['concurrency', fmtNumber(phase.concurrency)]);
  const total = phase.cycles.total === null ? '' : ` of ${fmtNumber(phase.cycles.total)}`;
  items.push(['cycles', `${fmtNumber(phase.cycles.done)}${total}`]);
  if (phase.lateness)
    items.push([
      'send lateness',
      `p50 ${fmtMs(phase.lateness.p50)} ms · p99 ${fmtMs(phase.lateness.p99)} ms · max ${fmtMs(phase.lateness.max)} ms`,
    ]);
  if (phase.stoppedEarly) items.push(['stopped early', 'yes']);
  return `<div class="meta">${items.map(([k, v]) => `<span>${escapeHtml(k)}: <b>${escapeHtml(v)}</b></span>`).join('')}</div>`;
}

const THRESHOLD_COLUMNS: Column[] = [
  { label: 'phase' },
  { label: 'threshold' },
  { label: 'result' },
  { label: 'measured', numeric: true },
  { label: 'detail' },
];

/** Every threshold of every phase with PASS/FAIL, or a note when there are none. */
export function thresholdsTable(summary: RunSummary): string {
  const rows: string[][] = [];
  for (const phase of summary.phases)
    for (const t of phase.thresholds)
      rows.push([
        escapeHtml(phase.name),
        `<code>${escapeHtml(t.expression)}</code>`,
        t.ok ? badge('PASS', 'ok') : badge('FAIL', 'bad'),
        t.actual === null ? '–' : escapeHtml(fmtNumber(t.actual, Math.abs(t.actual) < 100 ? 3 : 1)),
        escapeHtml(t.message),
      ]);
  const overall = summary.thresholdsOk
    ? `<p>${badge('PASS', 'ok')} every threshold held and no phase failed.</p>`
    : `<p>${badge('FAIL', 'bad')} a threshold was missed or a phase failed.</p>`;
  if (rows.length === 0) return `${overall}\n<p class="note">The workload defines no thresholds.</p>`;
  return `${overall}\n${table(THRESHOLD_COLUMNS, rows)}`;
}

function errorSamples(ops: readonly OpSummary[]): string {
  const blocks: string[] = [];
  for (const op of ops) {
    for (const [cls, n] of Object.entries(op.errorsByClass)) {
      const samples = (op.errorSamples[cls] ?? [])
        .map((s) => `<pre class="sample">${escapeHtml(s)}</pre>`)
        .join('');
      blocks.push(
        `<details open><summary>${escapeHtml(op.name)} · ${escapeHtml(cls)}: ${fmtNumber(n)} error${n === 1 ? '' : 's'}</summary>${samples}</details>`,
      );
    }
  }
  return blocks.length ? `<h4>Errors by class</h4>\n${blocks.join('\n')}` : '';
}

/** One phase: heading, figures, failure, ops table and error samples. */
export function phaseSection(phase: PhaseSummary, isBenchmark: boolean): string {
  const kind = isBenchmark ? 'benchmark phase' : 'setup phase';
  const failure = phase.failure
    ? `<div class="alert"><b>Phase failed</b> (<code>${escapeHtml(phase.failure.code)}</code>): ${escapeHtml(phase.failure.message)}</div>`
    : '';
  return [
    `<h3>${escapeHtml(phase.name)} <span class="sub">(${kind})</span></h3>`,
    phaseMeta(phase),
    failure,
    opsTable(phase),
    errorSamples(phase.ops),
  ]
    .filter(Boolean)
    .join('\n');
}
