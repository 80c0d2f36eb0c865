import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtClock, nines, timeline, timeTicks } from './charts.js';
import { series } from './fixtures.js';
import {
  csvNumber,
  csvText,
  escapeHtml,
  fmtDuration,
  fmtMs,
  fmtNumber,
  fmtPercent,
  fmtRate,
  fmtTime,
  reportFileName,
} from './format.js';
import { niceLinearTicks } from './svg.js';

test('escapeHtml covers element text and quoted attributes', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
  );
  assert.equal(escapeHtml(null), '');
});

test('CSV cells: RFC 4180 quoting, formula defusing, plain numbers', () => {
  assert.equal(csvText('read'), 'read');
  assert.equal(csvText('a,b'), '"a,b"');
  assert.equal(csvText('say "hi"'), '"say ""hi"""');
  assert.equal(csvText('two\nlines'), '"two\nlines"');
  assert.equal(csvText('=1+1'), "'=1+1");
  assert.equal(csvText('@cmd'), "'@cmd");
  assert.equal(csvNumber(0.1 + 0.2), '0.3');
  assert.equal(csvNumber(1234567.8912), '1234567.891');
  assert.equal(csvNumber(null), '');
  assert.equal(csvNumber(Number.NaN), '');
});

test('numbers, durations and times people read', () => {
  assert.equal(fmtNumber(1234567.891, 2), '1,234,567.89');
  assert.equal(fmtNumber(-0.0001, 2), '0.00');
  assert.equal(fmtMs(0.1234), '0.123');
  assert.equal(fmtMs(3.456), '3.46');
  assert.equal(fmtMs(45.67), '45.7');
  assert.equal(fmtMs(1076.2), '1,076');
  assert.equal(fmtMs(null), '–');
  assert.equal(fmtRate(99.94), '99.9');
  assert.equal(fmtRate(1003.6), '1,004');
  assert.equal(fmtPercent(0.0016), '<0.01');
  assert.equal(fmtPercent(0), '0');
  assert.equal(fmtDuration(35.5), '35.5 s');
  assert.equal(fmtDuration(190), '3m 10s');
  assert.equal(fmtDuration(7384), '2h 03m 04s');
  assert.equal(fmtTime('2026-11-26T13:40:00.123Z'), '2026-11-26 13:40:00 UTC');
  assert.equal(fmtTime('not a time'), 'not a time');
  assert.equal(fmtTime(null), '–');
});

test('axes: nice linear ticks, clock ticks, the nines scale', () => {
  assert.deepEqual(
    niceLinearTicks(1076).map((t) => t.label),
    ['0', '250', '500', '750', '1,000', '1,250'],
  );
  assert.deepEqual(
    niceLinearTicks(0.8).map((t) => t.label),
    ['0.0', '0.2', '0.4', '0.6', '0.8'],
  );
  assert.deepEqual(
    niceLinearTicks(0).map((t) => t.value),
    [0, 0.2, 0.4, 0.6, 0.8, 1],
  );
  assert.deepEqual(
    timeTicks(0, 190).map((t) => t.label),
    ['0s', '30s', '1:00', '1:30', '2:00', '2:30', '3:00'],
  );
  assert.equal(fmtClock(3725), '1:02:05');
  assert.equal(nines(0), 0);
  assert.ok(Math.abs(nines(90) - 1) < 1e-12);
  assert.ok(Math.abs(nines(99.9) - 3) < 1e-9);
});

test('timeline: x from elapsed and wall time, gaps where snapshots are missing', () => {
  const points = series(10, 0);
  const holed = [...points.slice(0, 3), ...points.slice(7)].reverse();
  const tl = timeline(holed);
  assert.deepEqual(tl.xs, [1, 2, 3, 8, 9, 10]);
  assert.equal(tl.interval, 1);
  assert.deepEqual(tl.gapBefore, [false, false, false, true, false, false]);
});

test('download names are safe for headers and file systems', () => {
  assert.equal(
    reportFileName('run-20261126-a1b2', 'report.html'),
    'benchpilot-run-20261126-a1b2-report.html',
  );
  assert.equal(reportFileName('../"x"\r\n', 'series.csv'), 'benchpilot-..__x___-series.csv');
  assert.equal(reportFileName('', 'summary.csv'), 'benchpilot-run-summary.csv');
});
