/**
 * The report of one run as ONE self-contained HTML file: parameters, thresholds, per-phase
 * tables, charts over time and the latency-percentile plot, all inline (CSS and SVG, no
 * scripts). Every string that comes from the run is escaped.
 */
import { type Run, type SeriesPoint, TERMINAL_RUN_STATES } from '../../protocol/api.js';
import type { RunSummary } from '../../protocol/summary.js';
import { errorsChart, latencyChart, percentileChart, throughputChart, timeline } from './charts.js';
import {
  escapeHtml,
  fmtDuration,
  fmtMs,
  fmtNumber,
  fmtPercentile,
  fmtRate,
  fmtTime,
  secondsBetween,
} from './format.js';
import { badge, type Column, figure, keyValues, page, stateTone, table } from './page.js';
import { type PercentileCurves, percentileCurves } from './percentiles.js';
import { phaseSection, thresholdsTable } from './phase-tables.js';

export interface HtmlReportInput {
  run: Run;
  summary: RunSummary | null;
  series: SeriesPoint[];
  /** ISO time the report was made (passed in: rendering reads no clock). */
  generatedAt: string;
}

/** `1,000 ops/s (open model)` or `32 loops (closed model)`. */
export function loadDescription(run: Run): string {
  if (run.model === 'open')
    return run.params.rate === null
      ? 'open model, workload rate'
      : `${fmtRate(run.params.rate)} ops/s (open model)`;
  return run.params.concurrency === null
    ? 'closed model, workload concurrency'
    : `${fmtNumber(run.params.concurrency)} concurrent loops (closed model)`;
}

function parameters(run: Run, summary: RunSummary | null): string {
  const e = escapeHtml;
  const rows: [string, string][] = [
    ['Run', `<code>${e(run.id)}</code> (${e(run.kind)})`],
    ['Target', e(run.target)],
    ['Workload', e(run.workload)],
    ['Phase', e(run.phase)],
    ['State', badge(run.state, stateTone(run.state))],
    ['Load', e(loadDescription(run))],
    [
      'Duration',
      run.params.durationSeconds === null ? 'until stopped' : e(fmtDuration(run.params.durationSeconds)),
    ],
    [
      'Parallelism',
      `${e(fmtNumber(run.params.parallelism))} worker${run.params.parallelism === 1 ? '' : 's'}`,
    ],
    ['Executor', e(run.executor)],
    ['Created', e(fmtTime(run.createdAt))],
    ['Started', e(fmtTime(run.startedAt))],
    ['Ended', e(fmtTime(run.endedAt))],
    ['Wall time', e(fmtDuration(secondsBetween(run.startedAt, run.endedAt)))],
  ];
  if (run.params.force) rows.push(['Forced start', 'yes: started before the target’s setup had succeeded']);
  if (summary && summary.partition.count > 1)
    rows.push([
      'Partition',
      e(`worker ${summary.partition.index + 1} of ${summary.partition.count} (this summary is one share)`),
    ]);
  if (run.live && !TERMINAL_RUN_STATES.includes(run.state)) {
    const l = run.live;
    rows.push([
      'Last live values',
      e(
        `${fmtRate(l.achievedRate)} ops/s achieved · p50 ${fmtMs(l.p50)} ms · p99 ${fmtMs(l.p99)} ms · ${fmtNumber(l.errors)} errors · ${fmtDuration(l.elapsedSeconds)} elapsed`,
      ),
    ]);
  }
  return keyValues(rows);
}

function timeCharts(series: readonly SeriesPoint[]): string {
  if (series.length === 0) return '<p class="note">No per-second series was recorded for this run.</p>';
  const tl = timeline(series);
  const totalErrors = tl.points.reduce((n, p) => n + p.errors, 0);
  const warm = tl.points.some((p) => p.warmup) ? ' Shaded: warmup (not in the summary).' : '';
  return [
    '<h3>Throughput</h3>',
    figure(throughputChart(tl), `Operations per second, target (dashed) vs achieved.${warm}`),
    '<h3>Latency</h3>',
    figure(latencyChart(tl), `Response time per interval, from each operation’s intended start, ms.${warm}`),
    '<h3>Errors</h3>',
    figure(errorsChart(tl), `${escapeHtml(fmtNumber(totalErrors))} errors in the series.${warm}`),
  ].join('\n');
}

function percentileSection(curves: PercentileCurves): string {
  const drawn = curves.ops.filter((c) => c.points.length > 0);
  if (drawn.length === 0) return '<p class="note">No latency histogram was recorded.</p>';
  // The merged curve is always black (style 6), whatever the op count; ops skip that style.
  const named = drawn.map((c, i) => ({
    name: c.merged ? `${c.name} (merged)` : c.name,
    points: c.points,
    styleIndex: c.merged ? 6 : i >= 6 ? i + 1 : i,
  }));
  const chart = percentileChart(named, `Response time by percentile, phase ${curves.phase ?? ''}`);
  const percentiles = [...new Set(drawn.flatMap((c) => c.points.map((p) => p.percentile)))].sort(
    (a, b) => a - b,
  );
  const columns: Column[] = [
    { label: 'percentile' },
    ...drawn.map((c) => ({ label: `${c.merged ? `${c.name} (merged)` : c.name} ms`, numeric: true })),
  ];
  const rows = percentiles.map((p) => [
    p === 0 ? 'min' : p === 100 ? 'max' : `p${fmtPercentile(p)}`,
    ...drawn.map((c) => fmtMs(c.points.find((q) => q.percentile === p)?.ms)),
  ]);
  return [
    figure(
      chart,
      'Response time (ms) at each percentile of the benchmark phase; the x axis is logarithmic in nines. ' +
        'The merged curve comes from the added histograms of all operations. ' +
        'Percentiles the number of operations cannot resolve are left out.',
    ),
    table(columns, rows),
  ].join('\n');
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { run, summary, series, generatedAt } = input;
  const e = escapeHtml;
  const title = `benchpilot report: ${run.workload} on ${run.target} (${run.id})`;
  const thresholdBadge = summary
    ? summary.thresholdsOk
      ? badge('thresholds PASS', 'ok')
      : badge('thresholds FAIL', 'bad')
    : '';
  const body: string[] = [
    `<header>\n<h1>${e(run.workload)} on ${e(run.target)}</h1>`,
    `<p class="sub">Benchmark report · run <code>${e(run.id)}</code> · ${badge(run.state, stateTone(run.state))} ${thresholdBadge}</p>\n</header>`,
  ];
  if (run.error) body.push(`<div class="alert"><b>Run error:</b> ${e(run.error)}</div>`);
  body.push('<section id="parameters">\n<h2>Run parameters</h2>', parameters(run, summary), '</section>');
  if (summary) {
    body.push('<section id="thresholds">\n<h2>Thresholds</h2>', thresholdsTable(summary), '</section>');
    body.push(
      '<section id="summary">\n<h2>Summary</h2>',
      `<p class="note">Measured ${e(fmtTime(summary.startedAt))} – ${e(fmtTime(summary.endedAt))}. ` +
        'Latencies are response times in ms from each operation’s intended start; failed operations count as errors and are not in the latencies.</p>',
      ...summary.phases.map((phase, i) => phaseSection(phase, i === summary.phases.length - 1)),
      '</section>',
    );
  } else {
    body.push(
      '<section id="summary">\n<h2>Summary</h2>',
      '<p class="note">No summary is stored for this run (it has not finished, or its runner left none).</p>',
      '</section>',
    );
  }
  body.push('<section id="charts">\n<h2>Over time</h2>', timeCharts(series), '</section>');
  body.push(
    '<section id="percentiles">\n<h2>Latency by percentile</h2>',
    percentileSection(percentileCurves(summary)),
    '</section>',
  );
  body.push(`<footer>\n<p>Generated by benchpilot at ${e(fmtTime(generatedAt))}.</p>\n</footer>`);
  return page(title, body.join('\n'));
}
