import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyRunOverrides, applySets, parseSetPath } from './overrides.js';

test('parses --set paths', () => {
  assert.deepEqual(parseSetPath('target.url'), ['target', 'url']);
  assert.deepEqual(parseSetPath('phases.main.rate'), ['phases', 'main', 'rate']);
  assert.deepEqual(parseSetPath('phases[2].rate'), ['phases', 2, 'rate']);
  assert.deepEqual(parseSetPath('phases.2.rate'), ['phases', 2, 'rate']);
  assert.deepEqual(parseSetPath('target.headers["X-Api.Key"]'), ['target', 'headers', 'X-Api.Key']);
  assert.deepEqual(parseSetPath("target.headers['a b']"), ['target', 'headers', 'a b']);
  assert.equal(parseSetPath(''), undefined);
  assert.equal(parseSetPath('.x'), undefined);
  assert.equal(parseSetPath('a..b'), undefined);
  assert.equal(parseSetPath('a[x]'), undefined);
});

const workload = () => ({
  name: 'w',
  target: { driver: 'web', url: 'http://a' },
  phases: [
    { name: 'warm', concurrency: 2, ops: {} },
    { name: 'main', rate: 10, ops: {} },
  ],
});

test('applies --set by name, index and new keys, keeping the text for typing', () => {
  const data = workload();
  const result = applySets(data, [
    'phases.main.rate=500',
    'phases[0].concurrency=8',
    'target.headers.X-Key=k=v',
  ]);
  assert.deepEqual(result.issues, []);
  assert.deepEqual(
    result.applied.map((entry) => [entry.path, entry.raw]),
    [
      [['phases', 1, 'rate'], '500'],
      [['phases', 0, 'concurrency'], '8'],
      [['target', 'headers', 'X-Key'], 'k=v'],
    ],
  );
  assert.equal(data.phases[1]?.rate, '500');
  assert.deepEqual((data.target as Record<string, unknown>)['headers'], { 'X-Key': 'k=v' });
});

test('run overrides go to the last phase by default; rate replaces concurrency and back', () => {
  const data = workload();
  const result = applyRunOverrides(data, { rate: 50, duration: 30 });
  assert.deepEqual(result.issues, []);
  assert.deepEqual(data.phases[1], { name: 'main', rate: 50, duration: 30, ops: {} });
  applyRunOverrides(data, { phase: 'warm', rate: 5 });
  assert.deepEqual(data.phases[0], { name: 'warm', rate: 5, ops: {} });
  applyRunOverrides(data, { phase: 'main', concurrency: 3 });
  assert.deepEqual(data.phases[1], { name: 'main', concurrency: 3, duration: 30, ops: {} });
});

test('an unknown phase is BP_SPEC_UNKNOWN_PHASE', () => {
  const result = applyRunOverrides(workload(), { phase: 'mian', rate: 1 });
  assert.deepEqual(result.issues, [
    {
      code: 'BP_SPEC_UNKNOWN_PHASE',
      file: '--phase',
      line: 0,
      col: 0,
      path: '',
      message: 'mian is not a phase of this workload (phases: warm, main); did you mean main?',
    },
  ]);
});
