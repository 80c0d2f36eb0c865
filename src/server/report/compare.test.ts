import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeLatency } from '../../engine/metrics/histogram.js';
import { compareRuns, renderCompareHtml } from './compare.js';
import { histogramOf, latencySamples, opSummary, phase, run, summary } from './fixtures.js';
import { curvePoints } from './percentiles.js';

const fastRead = latencySamples(11, 12_000, 900);
const fastWrite = latencySamples(12, 3_000, 2_500, 0.02, 10);
const slowRead = latencySamples(13, 20_000, 1_800, 0.03, 25);

function items() {
  const first = summary([
    phase('rampup', [opSummary('insert', latencySamples(14, 500, 700))], { durationSeconds: 5 }),
    phase(
      'main',
      [opSummary('read', fastRead), opSummary('write', fastWrite, { byClass: { timeout: 4, server: 1 } })],
      {
        durationSeconds: 15,
      },
    ),
  ]);
  const second = summary(
    [phase('main', [opSummary('read', slowRead)], { durationSeconds: 10 })],
    [{ expression: 'p99 < 5ms', ok: false, actual: 41.2, message: 'p99 was 41.2 ms' }],
  );
  return [
    {
      run: run({
        id: 'run-b',
        params: { rate: 1000, concurrency: null, durationSeconds: 15, parallelism: 1, force: false },
      }),
      summary: first,
    },
    {
      run: run({
        id: 'run-a',
        model: 'closed',
        params: { rate: null, concurrency: 64, durationSeconds: 10, parallelism: 4, force: false },
      }),
      summary: second,
    },
    { run: run({ id: 'run-c', state: 'failed', endedAt: '2026-11-26T13:40:07.250Z' }), summary: null },
  ];
}

test('rows are in input order with the benchmark phase figures from merged histograms', () => {
  const { rows } = compareRuns(items());
  assert.deepEqual(
    rows.map((r) => r.runId),
    ['run-b', 'run-a', 'run-c'],
  );
  const [b, a, c] = rows;
  const merged = summarizeLatency(histogramOf([...fastRead, ...fastWrite]));
  assert.equal(b!.achievedRate, (12_000 + 3_005) / 15);
  assert.deepEqual(
    [b!.p50, b!.p90, b!.p99, b!.p999, b!.max],
    [merged.p50, merged.p90, merged.p99, merged.p999, merged.max],
  );
  assert.equal(b!.count, 15_005);
  assert.equal(b!.errors, 5);
  assert.equal(b!.errorPercent, (5 / 15_005) * 100);
  assert.equal(b!.durationSeconds, 15);
  assert.equal(b!.thresholdsOk, true);
  assert.equal(b!.label, '1. sql-ecommerce @ demo-pg · 1,000 ops/s');

  const slow = summarizeLatency(histogramOf(slowRead));
  assert.equal(a!.model, 'closed');
  assert.equal(a!.concurrency, 64);
  assert.equal(a!.p99, slow.p99);
  assert.equal(a!.max, slow.max);
  assert.equal(a!.errors, 0);
  assert.equal(a!.errorPercent, 0);
  assert.equal(a!.durationSeconds, 10);
  assert.equal(a!.thresholdsOk, false);
  assert.equal(a!.label, '2. sql-ecommerce @ demo-pg · 64 loops');

  assert.equal(c!.state, 'failed');
  assert.deepEqual(
    [c!.achievedRate, c!.p50, c!.p99, c!.errors, c!.count, c!.thresholdsOk],
    [null, null, null, null, null, null],
  );
  assert.equal(c!.durationSeconds, 7.25, 'wall time without a summary');
});

test('curves: one merged curve per run, in input order', () => {
  const { curves } = compareRuns(items());
  assert.deepEqual(
    curves.map((c) => [c.runId, c.count]),
    [
      ['run-b', 15_000],
      ['run-a', 20_000],
      ['run-c', 0],
    ],
  );
  assert.deepEqual(
    curves[0]!.points,
    curvePoints(histogramOf([...fastRead, ...fastWrite]), Math.max(...fastRead, ...fastWrite) / 1000),
  );
  assert.deepEqual(curves[1]!.points, curvePoints(histogramOf(slowRead), Math.max(...slowRead) / 1000));
  assert.deepEqual(curves[2]!.points, []);
  assert.deepEqual(compareRuns([]), { rows: [], curves: [] });
});

test('the comparison page overlays the curves and escapes run strings', () => {
  const list = items();
  list[1]!.run.target = '<script>x</script>';
  const html = renderCompareHtml({ items: list, generatedAt: '2026-11-26T14:00:00Z' });
  assert.doesNotMatch(html, /<script/i);
  assert.ok(html.includes('&lt;script&gt;x&lt;/script&gt;'));
  assert.equal((html.match(/<svg\b/g) ?? []).length, 1);
  assert.ok(html.includes('aria-label="Response time by percentile, runs overlaid"'));
  const rowsHtml = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
  const order = ['run-b', 'run-a', 'run-c'].map((id) => rowsHtml.indexOf(`<code>${id}</code>`));
  assert.ok(order[0]! >= 0 && order[0]! < order[1]! && order[1]! < order[2]!);
  assert.ok(html.includes('+100.0%') || html.includes('%</span>'), 'deltas against the first run');
});
