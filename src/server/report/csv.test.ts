import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seriesCsv, summaryCsv } from './csv.js';
import { latencySamples, opSummary, phase, series, summary } from './fixtures.js';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      assert.equal(cell, '', 'a quote opens a field only at its start');
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r') {
      assert.equal(text[i + 1], '\n', 'CR only before LF');
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      assert.notEqual(ch, '\n', 'bare LF outside quotes');
      cell += ch;
    }
    i++;
  }
  return rows;
}

test('series CSV: header, one row per second, numbers read back', () => {
  const points = series(20);
  const rows = parseCsv(seriesCsv(points));
  assert.deepEqual(rows[0], [
    'time',
    'elapsed_s',
    'target_rate',
    'achieved_rate',
    'p50_ms',
    'p99_ms',
    'errors',
    'warmup',
    'read_product.count',
    'read_product.p99_ms',
    'write_order.count',
    'write_order.p99_ms',
  ]);
  assert.equal(rows.length, 21);
  for (const [i, point] of points.entries()) {
    const cells = rows[i + 1]!;
    assert.equal(cells.length, 12);
    assert.equal(cells[0], new Date(point.t).toISOString());
    assert.equal(Number(cells[1]), point.elapsed);
    assert.equal(Number(cells[2]), point.targetRate);
    assert.equal(Number(cells[3]), point.achievedRate);
    assert.ok(Math.abs(Number(cells[4]) - point.p50) <= 0.0005);
    assert.ok(Math.abs(Number(cells[5]) - point.p99) <= 0.0005);
    assert.equal(Number(cells[6]), point.errors);
    assert.equal(cells[7], point.warmup ? 'true' : 'false');
    assert.equal(Number(cells[8]), point.ops['read_product']!.count);
    assert.equal(Number(cells[11]), point.ops['write_order']!.p99);
  }
  assert.equal(rows[1]![0], '2026-11-26T13:40:01.000Z');
  assert.equal(rows[13]![6], '3');
});

test('series CSV: closed model leaves target_rate empty; odd op names are quoted and read back', () => {
  const points = series(3, 0, ['read']);
  points[0]!.targetRate = null;
  points[1]!.ops['say "hi", then\nleave'] = { count: 7, errors: 1, p50: 1, p99: 2.5 };
  points[2]!.ops['=HYPERLINK("x")'] = { count: 3, errors: 0, p50: 1, p99: 9 };
  const text = seriesCsv(points);
  const rows = parseCsv(text);
  assert.equal(rows.length, 4);
  assert.ok(rows.every((r) => r.length === 14));
  assert.equal(rows[1]![2], '');
  assert.equal(rows[0]![10], 'say "hi", then\nleave.count');
  // Formula-looking text is defused for spreadsheets.
  assert.equal(rows[0]![12], `'=HYPERLINK("x").count`);
  assert.deepEqual(rows[2]!.slice(10), ['7', '2.5', '', '']);
  assert.deepEqual(rows[3]!.slice(10), ['', '', '3', '9']);
  assert.deepEqual(parseCsv(seriesCsv([])), [
    ['time', 'elapsed_s', 'target_rate', 'achieved_rate', 'p50_ms', 'p99_ms', 'errors', 'warmup'],
  ]);
});

test('summary CSV: one row per phase × op with the summary numbers', () => {
  const insert = opSummary('insert', latencySamples(4, 3000, 800));
  const read = opSummary('read, by id', latencySamples(5, 9000, 1200), { byClass: { timeout: 12 } });
  const write = opSummary('write', latencySamples(6, 2000, 4000));
  const s = summary([phase('rampup', [insert], { durationSeconds: 12 }), phase('main', [read, write])]);
  const rows = parseCsv(summaryCsv(s));
  assert.deepEqual(rows[0], [
    'phase',
    'op',
    'model',
    'duration_s',
    'count',
    'errors',
    'rate',
    'p50_ms',
    'p90_ms',
    'p99_ms',
    'p99.9_ms',
    'max_ms',
    'mean_ms',
    'min_ms',
  ]);
  assert.deepEqual(
    rows.slice(1).map((r) => [r[0], r[1]]),
    [
      ['rampup', 'insert'],
      ['main', 'read, by id'],
      ['main', 'write'],
    ],
  );
  const r = rows[2]!.map((c, i) => (i < 3 ? c : Number(c)));
  assert.equal(r[2], 'open');
  assert.equal(r[3], 30);
  assert.equal(r[4], 9012);
  assert.equal(r[5], 12);
  assert.equal(r[6], Math.round((9012 / 30) * 1000) / 1000);
  assert.deepEqual(r.slice(7), [
    read.latency.p50,
    read.latency.p90,
    read.latency.p99,
    read.latency.p999,
    read.latency.max,
    read.latency.mean,
    read.latency.min,
  ]);
  assert.equal(Number(rows[1]![6]), 250);
});
