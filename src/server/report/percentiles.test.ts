import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeLatency } from '../../engine/metrics/histogram.js';
import { histogramOf, latencySamples, opSummary, phase, summary } from './fixtures.js';
import { CURVE_PERCENTILES, curvePoints, percentileCurves, supportsPercentile } from './percentiles.js';

const read = latencySamples(1, 20_000, 1_200);
const write = latencySamples(2, 5_000, 4_500, 0.05, 8);
const scan = latencySamples(3, 300, 30_000, 0.02, 3);

test('all is the curve of one histogram holding every value, not an average of the op curves', () => {
  const s = summary([
    phase('main', [opSummary('read', read), opSummary('write', write), opSummary('scan', scan)]),
  ]);
  const curves = percentileCurves(s);
  assert.deepEqual(
    curves.ops.map((c) => c.name),
    ['read', 'write', 'scan', 'all'],
  );
  const all = curves.ops.at(-1)!;
  assert.equal(all.merged, true);
  assert.equal(all.count, read.length + write.length + scan.length);
  const single = histogramOf([...read, ...write, ...scan]);
  assert.deepEqual(all.points, curvePoints(single, summarizeLatency(single).max));
  assert.equal(all.points.at(-1)!.ms, Math.max(...read, ...write, ...scan) / 1000, 'max is exact');
  // 25,300 values support p99.99 but not p99.999.
  assert.deepEqual(
    all.points.map((p) => p.percentile),
    CURVE_PERCENTILES.filter((p) => p !== 99.999),
  );
  const p99 = (name: string): number =>
    curves.ops.find((c) => c.name === name)!.points.find((p) => p.percentile === 99)!.ms;
  const averaged = (p99('read') + p99('write') + p99('scan')) / 3;
  assert.notEqual(p99('all'), averaged);
  assert.equal(p99('all'), Math.round(single.getValueAtPercentile(99)) / 1000);
});

test('per-op curves agree with the op summary and only rise', () => {
  const op = opSummary('read', read);
  const curve = percentileCurves(summary([phase('main', [op])])).ops[0]!;
  assert.equal(curve.count, read.length);
  const at = (p: number): number => curve.points.find((q) => q.percentile === p)!.ms;
  const latency = summarizeLatency(histogramOf(read));
  assert.equal(at(50), latency.p50);
  assert.equal(at(99), latency.p99);
  assert.equal(at(99.9), latency.p999);
  for (let i = 1; i < curve.points.length; i++) assert.ok(curve.points[i]!.ms >= curve.points[i - 1]!.ms);
  assert.ok(at(0) <= Math.min(...read) / 1000 + 0.001);
  assert.equal(at(100), Math.max(...read) / 1000);
});

test('percentiles the count cannot resolve are left out; min and max always stay', () => {
  const curve = percentileCurves(summary([phase('main', [opSummary('scan', scan)])])).ops[0]!;
  assert.deepEqual(
    curve.points.map((p) => p.percentile),
    [0, 25, 50, 75, 90, 95, 99, 99.5, 100],
  );
  assert.equal(supportsPercentile(1000, 99.9), true);
  assert.equal(supportsPercentile(999, 99.9), false);
  assert.equal(supportsPercentile(1, 100), true);
  assert.equal(supportsPercentile(0, 50), false);
});

test('curves are of the last (benchmark) phase', () => {
  const s = summary([
    phase('rampup', [opSummary('insert', write)]),
    phase('main', [opSummary('read', read)]),
  ]);
  const curves = percentileCurves(s);
  assert.equal(curves.phase, 'main');
  assert.deepEqual(
    curves.ops.map((c) => c.name),
    ['read', 'all'],
  );
});

test('no summary, no phases, empty or corrupt histograms give no points but keep the op', () => {
  assert.deepEqual(percentileCurves(null), { phase: null, ops: [] });
  assert.deepEqual(percentileCurves(summary([])), { phase: null, ops: [] });
  const broken = { ...opSummary('broken', read), histogram: 'not-a-histogram' };
  const empty = { ...opSummary('empty', []), histogram: '' };
  const curves = percentileCurves(summary([phase('main', [broken, empty, opSummary('write', write)])]));
  assert.deepEqual(curves.ops[0], { name: 'broken', merged: false, count: 0, points: [] });
  assert.deepEqual(curves.ops[1], { name: 'empty', merged: false, count: 0, points: [] });
  assert.deepEqual(curves.ops[3]!.points, curvePoints(histogramOf(write), Math.max(...write) / 1000));
  // A max that does not fit the histogram (a hand-edited summary) is not trusted.
  const edited = { ...opSummary('edited', scan), latency: { ...opSummary('x', scan).latency, max: 1 } };
  const top = percentileCurves(summary([phase('main', [edited])])).ops[0]!.points.at(-1)!;
  assert.equal(top.ms, Math.round(histogramOf(scan).getValueAtPercentile(100)) / 1000);
});
