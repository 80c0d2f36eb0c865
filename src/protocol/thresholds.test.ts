import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compare, formatThresholdValue, parseThreshold } from './thresholds.js';

test('parses latency thresholds into milliseconds', () => {
  assert.deepEqual(parseThreshold('p99(read) < 20ms'), {
    expression: 'p99(read) < 20ms',
    metric: 'p99',
    op: 'read',
    comparator: '<',
    value: 20,
    unit: 'ms',
  });
  assert.deepEqual(parseThreshold('  max(write) <= 1s '), {
    expression: 'max(write) <= 1s',
    metric: 'max',
    op: 'write',
    comparator: '<=',
    value: 1000,
    unit: 'ms',
  });
  const p50 = parseThreshold('p50<5ms');
  assert.ok(!('error' in p50));
  assert.equal(p50.op, null);
  assert.equal(p50.value, 5);
  const micros = parseThreshold('mean(get-user) < 750us');
  assert.ok(!('error' in micros));
  assert.equal(micros.op, 'get-user');
  assert.equal(micros.value, 0.75);
  const bare = parseThreshold('p999 < 12.5');
  assert.ok(!('error' in bare));
  assert.equal(bare.value, 12.5);
  assert.equal(bare.unit, 'ms');
});

test('parses error ratio, error count, rate and count', () => {
  const ratio = parseThreshold('errors < 1%');
  assert.ok(!('error' in ratio));
  assert.deepEqual([ratio.metric, ratio.unit, ratio.value], ['errors', '%', 1]);
  const count = parseThreshold('errors(read) < 10');
  assert.ok(!('error' in count));
  assert.deepEqual([count.metric, count.op, count.unit, count.value], ['errors', 'read', 'count', 10]);
  const rate = parseThreshold('rate > 900');
  assert.ok(!('error' in rate));
  assert.deepEqual([rate.comparator, rate.unit, rate.value], ['>', 'ops/s', 900]);
  const perSecond = parseThreshold('rate >= 900/s');
  assert.ok(!('error' in perSecond));
  assert.equal(perSecond.value, 900);
  const done = parseThreshold('count(read) >= 1000');
  assert.ok(!('error' in done));
  assert.deepEqual([done.metric, done.comparator, done.unit], ['count', '>=', 'count']);
  const equal = parseThreshold('errors == 0');
  assert.ok(!('error' in equal));
  assert.equal(equal.comparator, '==');
});

test('says what was expected when a threshold cannot be parsed', () => {
  const cases: [string, string][] = [
    ['', 'expected a threshold such as "p99(read) < 20ms", "errors < 1%", "rate > 900", got an empty string'],
    [
      'p98 < 5ms',
      'p98 is not a metric: expected one of p50, p90, p95, p99, p999, max, mean, min, errors, count, rate',
    ],
    ['p99 5ms', 'expected a comparator (<, <=, >, >=, ==) after p99'],
    ['p99 = 5ms', 'expected == (not =) to compare for equality'],
    ['p99(read) < fast', "expected a number after <, got 'fast'"],
    ['p99 < 5%', "p99 is a latency: expected a unit of ms, s or us, got '%'"],
    [
      'errors < 1ms',
      "errors is a ratio (errors < 1%) or a count (errors < 10): expected % or no unit, got 'ms'",
    ],
    ['errors < 150%', 'expected a percentage between 0% and 100%, got 150%'],
    ['rate > 5ms', "rate is operations per second: expected a number (or /s), got 'ms'"],
    ['count > 5s', "count is a number of operations: expected no unit, got 's'"],
    ['p99(read write) < 5ms', "expected an op name inside p99( ), got 'read write'"],
    ['p99 < -1ms', 'expected a limit >= 0, got -1'],
  ];
  for (const [text, error] of cases) assert.deepEqual(parseThreshold(text), { error }, text);
});

test('compares and formats in the threshold unit', () => {
  assert.equal(compare(19.9, '<', 20), true);
  assert.equal(compare(20, '<', 20), false);
  assert.equal(compare(20, '<=', 20), true);
  assert.equal(compare(901, '>', 900), true);
  assert.equal(compare(900, '>=', 900), true);
  assert.equal(compare(0, '==', 0), true);
  assert.equal(formatThresholdValue(12.3456, 'ms'), '12.346ms');
  assert.equal(formatThresholdValue(0.5, '%'), '0.5%');
  assert.equal(formatThresholdValue(950, 'ops/s'), '950 ops/s');
  assert.equal(formatThresholdValue(3, 'count'), '3');
});
