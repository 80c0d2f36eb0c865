import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BindingSpecInput } from '../../protocol/bindings.js';
import { compileBindings } from './compile.js';
import type { Generator } from './types.js';
import { WORDS } from './wordlist.js';

function generator(spec: BindingSpecInput, seed = 0, name = 'value'): Generator {
  return compileBindings({ [name]: spec }, { seed }).get(name);
}

function sample(gen: Generator, count: number): number[] {
  const values: number[] = [];
  for (let cycle = 0; cycle < count; cycle++) values.push(gen(cycle) as number);
  return values;
}

function meanAndStddev(values: readonly number[]): { mean: number; stddev: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, stddev: Math.sqrt(variance) };
}

// Pinned outputs for seed 42, cycles 0, 1, 2, 2^32 + 5 and 2^53 - 1: any change here changes the
// data every existing workload generates, so it must be deliberate.
const GOLDEN_CYCLES = [0, 1, 2, 2 ** 32 + 5, 2 ** 53 - 1];
const GOLDEN: Record<string, { spec: BindingSpecInput; values: unknown[] }> = {
  seq: {
    spec: { type: 'sequence', start: 10, step: 5 },
    values: [10, 15, 20, 21474836515, 45035996273704960],
  },
  uni: { spec: { type: 'uniform', min: 1, max: 1000000 }, values: [797802, 575608, 315447, 276420, 126335] },
  flt: {
    spec: { type: 'uniform', min: -1, max: 1, float: true },
    values: [
      -0.1854198121360755, 0.553238687051713, -0.18825378723901043, 0.6674608356170424, 0.17046645297746643,
    ],
  },
  zipf: { spec: { type: 'zipf', n: 1000000, exponent: 1.1 }, values: [5, 1, 3, 88, 146] },
  norm: {
    spec: { type: 'normal', mean: 0, stddev: 1 },
    values: [
      -0.3081656398357557, 1.0278036211546842, 0.9460122030700191, -0.9414978996238104, -2.2051924869637873,
    ],
  },
  pick: {
    spec: { type: 'choice', values: ['red', 'green', 'blue', 7, true], weights: [5, 4, 3, 2, 1] },
    values: ['red', 'green', 'green', 'red', 'red'],
  },
  id: {
    spec: { type: 'uuid' },
    values: [
      'b7081c00-38a3-46af-8875-e400315c99a7',
      'ada3da23-462a-4ba9-8e1c-fd5cb8064875',
      '73fb0106-7d2f-40bf-8bd7-05149c2eca4c',
      '3558de0e-40aa-4c97-88e2-d8515f58c146',
      '3e5a8ba9-cce9-4ed9-a342-aac04eaac004',
    ],
  },
  text: {
    spec: { type: 'words', min: 2, max: 5 },
    values: [
      'strong corner',
      'clock laugh road charge begin',
      'white area home',
      'size heat',
      'early sand chance year car',
    ],
  },
  ts: {
    spec: { type: 'timestamp', start: '2026-03-01T12:00:00Z', step: '250ms' },
    values: [
      '2026-03-01T12:00:00.000Z',
      '2026-03-01T12:00:00.250Z',
      '2026-03-01T12:00:00.500Z',
      '2060-03-10T01:37:05.250Z',
      '+71358721-08-19T01:54:07.744Z',
    ],
  },
  mail: {
    spec: { type: 'template', template: '{text}-{uni}@example.com' },
    values: [
      'strong corner-797802@example.com',
      'clock laugh road charge begin-575608@example.com',
      'white area home-315447@example.com',
      'size heat-276420@example.com',
      'early sand chance year car-126335@example.com',
    ],
  },
};

test('golden values per generator type (seed 42)', () => {
  const specs = Object.fromEntries(Object.entries(GOLDEN).map(([name, { spec }]) => [name, spec]));
  const bindings = compileBindings(specs, { seed: 42 });
  for (const [name, { values }] of Object.entries(GOLDEN)) {
    assert.deepEqual(
      GOLDEN_CYCLES.map((cycle) => bindings.get(name)(cycle)),
      values,
      name,
    );
  }
});

test('sequence: start + cycle * step', () => {
  const gen = generator({ type: 'sequence', start: 100, step: -2 });
  assert.deepEqual([0, 1, 50].map(gen), [100, 98, 0]);
  assert.equal(generator({ type: 'sequence' })(2 ** 40), 2 ** 40);
});

test('uniform integers: inclusive range, mean and every value hit', () => {
  const values = sample(generator({ type: 'uniform', min: 1, max: 100 }), 100_000);
  assert.equal(Math.min(...values), 1);
  assert.equal(Math.max(...values), 100);
  assert.ok(values.every(Number.isInteger));
  assert.equal(new Set(values).size, 100);
  const { mean } = meanAndStddev(values);
  assert.ok(Math.abs(mean - 50.5) < 0.3, `mean ${mean}`);
  const counts = new Array<number>(101).fill(0);
  for (const v of values) counts[v]!++;
  assert.ok(
    counts.slice(1).every((count) => count > 850 && count < 1150),
    'each value near 1000 times',
  );
});

test('uniform floats: [min, max), mean, and decimals rounding', () => {
  const values = sample(generator({ type: 'uniform', min: 10, max: 20, float: true }), 100_000);
  assert.ok(values.every((v) => v >= 10 && v < 20));
  assert.ok(values.some((v) => !Number.isInteger(v)));
  assert.ok(Math.abs(meanAndStddev(values).mean - 15) < 0.05);
  const rounded = sample(generator({ type: 'uniform', min: 0, max: 1, float: true, decimals: 2 }), 1000);
  assert.ok(rounded.every((v) => Math.round(v * 100) / 100 === v && v >= 0 && v <= 1));
});

test('uniform: a full 2^53 span stays in range', () => {
  const gen = generator({ type: 'uniform', min: 0, max: 2 ** 53 - 1 });
  for (let cycle = 0; cycle < 1000; cycle++) {
    const v = gen(cycle) as number;
    assert.ok(Number.isSafeInteger(v) && v >= 0);
  }
});

test('zipf s=1: rank 1 frequency is 1/H(n), ranks in 1..n, offset shifts', () => {
  const n = 1000;
  const values = sample(generator({ type: 'zipf', n }), 100_000);
  assert.ok(values.every((v) => Number.isInteger(v) && v >= 1 && v <= n));
  let harmonic = 0;
  for (let k = 1; k <= n; k++) harmonic += 1 / k;
  const share = (rank: number) => values.filter((v) => v === rank).length / values.length;
  assert.ok(Math.abs(share(1) - 1 / harmonic) < 0.005, `rank 1 share ${share(1)} vs ${1 / harmonic}`);
  assert.ok(Math.abs(share(2) - 1 / (2 * harmonic)) < 0.004, `rank 2 share ${share(2)}`);
  assert.ok(Math.abs(share(10) - 1 / (10 * harmonic)) < 0.002, `rank 10 share ${share(10)}`);
  const shifted = sample(generator({ type: 'zipf', n: 10, offset: 0 }), 1000);
  assert.equal(Math.min(...shifted), 0);
  assert.equal(Math.max(...shifted), 9);
});

test('zipf s=2 with huge n: rank 1 share near 1/zeta(2), values in range', () => {
  const n = 1e12;
  const values = sample(generator({ type: 'zipf', n, exponent: 2 }), 100_000);
  assert.ok(values.every((v) => v >= 1 && v <= n));
  const share1 = values.filter((v) => v === 1).length / values.length;
  assert.ok(Math.abs(share1 - 6 / Math.PI ** 2) < 0.006, `rank 1 share ${share1}`);
});

test('normal: mean and stddev on 100k samples; integer and clamping', () => {
  const { mean, stddev } = meanAndStddev(
    sample(generator({ type: 'normal', mean: 100, stddev: 15 }), 100_000),
  );
  assert.ok(Math.abs(mean - 100) < 0.2, `mean ${mean}`);
  assert.ok(Math.abs(stddev - 15) < 0.2, `stddev ${stddev}`);
  const clamped = sample(
    generator({ type: 'normal', mean: 0, stddev: 10, min: -5, max: 5, integer: true }),
    10_000,
  );
  assert.ok(clamped.every((v) => Number.isInteger(v) && v >= -5 && v <= 5 && !Object.is(v, -0)));
  assert.ok(clamped.filter((v) => v === 5).length > 2000, 'mass above max piles up at max');
});

test('choice: weights respected, zero weight never picked, unweighted is even', () => {
  const gen = generator({ type: 'choice', values: ['a', 'b', 'c', 'never'], weights: [1, 2, 7, 0] });
  const counts = new Map<unknown, number>();
  for (let cycle = 0; cycle < 100_000; cycle++) counts.set(gen(cycle), (counts.get(gen(cycle)) ?? 0) + 1);
  assert.equal(counts.get('never'), undefined);
  assert.ok(Math.abs(counts.get('a')! / 100_000 - 0.1) < 0.006);
  assert.ok(Math.abs(counts.get('b')! / 100_000 - 0.2) < 0.006);
  assert.ok(Math.abs(counts.get('c')! / 100_000 - 0.7) < 0.006);
  const even = generator({ type: 'choice', values: [1, false, 'x'] });
  const seen = new Map<unknown, number>();
  for (let cycle = 0; cycle < 30_000; cycle++) seen.set(even(cycle), (seen.get(even(cycle)) ?? 0) + 1);
  assert.deepEqual([...seen.keys()].sort(), [1, false, 'x'].sort());
  for (const count of seen.values()) assert.ok(Math.abs(count - 10_000) < 400);
});

test('uuid: version-4 shape, lower-case hex, unique', () => {
  const gen = generator({ type: 'uuid' });
  const seen = new Set<string>();
  for (let cycle = 0; cycle < 10_000; cycle++) {
    const id = gen(cycle) as string;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 10_000);
});

test('words: count, min/max range, separator, words from the list', () => {
  const list = new Set(WORDS);
  assert.ok(list.size >= 300 && list.size === WORDS.length, 'a few hundred distinct words');
  const three = generator({ type: 'words', count: 3, separator: '_' });
  for (let cycle = 0; cycle < 1000; cycle++) {
    const parts = (three(cycle) as string).split('_');
    assert.equal(parts.length, 3);
    assert.ok(parts.every((word) => list.has(word)));
  }
  const ranged = generator({ type: 'words', min: 0, max: 3 });
  const lengths = new Set<number>();
  for (let cycle = 0; cycle < 1000; cycle++) {
    const text = ranged(cycle) as string;
    lengths.add(text === '' ? 0 : text.split(' ').length);
  }
  assert.deepEqual([...lengths].sort(), [0, 1, 2, 3]);
  assert.equal((generator({ type: 'words' })(5) as string).split(' ').length, 1);
});

test('seed: workload seed changes values; same binding seed gives same values under another name', () => {
  const spec: BindingSpecInput = { type: 'uniform', min: 0, max: 1e9 };
  assert.notDeepEqual(sample(generator(spec, 1), 20), sample(generator(spec, 2), 20));
  assert.notDeepEqual(sample(generator(spec, 1, 'a'), 20), sample(generator(spec, 1, 'b'), 20));
  const seeded = { ...spec, seed: 9 };
  assert.deepEqual(sample(generator(seeded, 1, 'a'), 20), sample(generator(seeded, 1, 'b'), 20));
});

test('mod wraps the cycle, for templates too', () => {
  const bindings = compileBindings(
    {
      key: { type: 'uniform', min: 0, max: 1e9, mod: 10 },
      raw: { type: 'uniform', min: 0, max: 1e9, seed: 3 },
      label: { type: 'template', template: 'k{raw}', mod: 5 },
    },
    { seed: 0 },
  );
  const key = bindings.get('key');
  assert.equal(key(3), key(13));
  assert.equal(key(3), key(10 * 2 ** 40 + 3));
  assert.notEqual(key(3), key(4));
  assert.equal(bindings.get('label')(7), `k${bindings.get('raw')(2)}`);
});
