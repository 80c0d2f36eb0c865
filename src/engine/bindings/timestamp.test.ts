import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BindingSpecInput } from '../../protocol/bindings.js';
import { checkBindings } from './check.js';
import { compileBindings } from './compile.js';
import { formatIsoMillis } from './timestamp.js';
import type { Generator } from './types.js';

function generator(spec: BindingSpecInput): Generator {
  return compileBindings({ ts: spec }, { seed: 0 }).get('ts');
}

test('timestamp defaults: 2026-01-01T00:00:00Z, one second per cycle, ISO', () => {
  const gen = generator({ type: 'timestamp' });
  assert.deepEqual([0, 1, 86_400].map(gen), [
    '2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:01.000Z',
    '2026-01-02T00:00:00.000Z',
  ]);
});

test('timestamp arithmetic: steps as text or seconds, offsets, epoch formats', () => {
  const quarter = generator({ type: 'timestamp', start: '2026-02-28T23:59:45Z', step: '15s' });
  assert.equal(quarter(1), '2026-03-01T00:00:00.000Z');
  assert.equal(quarter(5761), '2026-03-02T00:00:00.000Z');
  const offset = generator({ type: 'timestamp', start: '2026-01-01T02:00:00+02:00', step: 0.5 });
  assert.equal(offset(0), '2026-01-01T00:00:00.000Z');
  assert.equal(offset(3), '2026-01-01T00:00:01.500Z');
  const millis = generator({ type: 'timestamp', start: '2026-01-01', step: '500ms', format: 'epochMillis' });
  assert.deepEqual([0, 1, 2 ** 33].map(millis), [
    1767225600000,
    1767225600500,
    1767225600000 + 2 ** 32 * 1000,
  ]);
  const seconds = generator({
    type: 'timestamp',
    start: '2026-01-01',
    step: '500ms',
    format: 'epochSeconds',
  });
  assert.deepEqual([0, 1, 2, 3].map(seconds), [1767225600, 1767225600, 1767225601, 1767225601]);
  const fine = generator({ type: 'timestamp', start: '2026-01-01T00:00:00.123Z', step: '1h30m' });
  assert.equal(fine(2), '2026-01-01T03:00:00.123Z');
});

test('formatIsoMillis equals Date#toISOString (leap years, before 1970, millis)', () => {
  const instants = [0, -1, 951_782_400_000, 951_868_799_999, -62_135_596_800_000, 253_402_300_799_999];
  let state = 99;
  for (let i = 0; i < 20_000; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    instants.push(Math.floor((state / 2 ** 32 - 0.5) * 2 * 8.64e15));
  }
  for (const ms of instants) assert.equal(formatIsoMillis(ms), new Date(ms).toISOString(), String(ms));
  assert.equal(formatIsoMillis(1.9), '1970-01-01T00:00:00.001Z');
});

test('timestamp start must be ISO-8601 with an explicit zone; step must be a duration', () => {
  assert.deepEqual(
    checkBindings({
      local: { type: 'timestamp', start: '2026-01-01T00:00:00' },
      words: { type: 'timestamp', start: 'yesterday', step: 'soon' },
    }).map((issue) => [issue.code, issue.path.join('.')]),
    [
      ['BP_SPEC_INVALID_VALUE', 'bindings.local.start'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.words.start'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.words.step'],
    ],
  );
});
