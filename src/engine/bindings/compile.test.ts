import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { BindingSpecInput } from '../../protocol/bindings.js';
import { BenchpilotError } from '../../protocol/errors.js';
import { checkBindings } from './check.js';
import { compileBindings } from './compile.js';

const EVERY_TYPE: Record<string, BindingSpecInput> = {
  seq: { type: 'sequence', start: 1, step: 3 },
  uni: { type: 'uniform', min: -50, max: 50 },
  flt: { type: 'uniform', min: 0, max: 1, float: true, decimals: 4 },
  hot: { type: 'zipf', n: 100_000, exponent: 0.9 },
  norm: { type: 'normal', mean: 10, stddev: 2, min: 0 },
  pick: { type: 'choice', values: ['x', 'y', 'z'], weights: [1, 1, 3] },
  id: { type: 'uuid' },
  text: { type: 'words', min: 1, max: 6, separator: '-' },
  at: { type: 'timestamp', step: '15s', format: 'epochMillis' },
  mail: { type: 'template', template: '{text}.{uni}@{pick}.example' },
  key: { type: 'uniform', min: 0, max: 999, mod: 100 },
};

function valuesOf(specs: Record<string, BindingSpecInput>, cycles: Iterable<number>, seed = 5): unknown[][] {
  const bindings = compileBindings(specs, { seed });
  const rows: unknown[][] = [];
  for (const cycle of cycles) rows.push(bindings.names().map((name) => bindings.get(name)(cycle)));
  return rows;
}

test('determinism: one pass over cycles 0..9999 equals 4 interleaved workers', () => {
  const total = 10_000;
  const onePass = valuesOf(
    EVERY_TYPE,
    Array.from({ length: total }, (_, i) => i),
  );
  const merged: unknown[][] = new Array(total);
  const workers = 4;
  for (let worker = 0; worker < workers; worker++) {
    // each "worker" compiles its own BindingSet, as a real worker process would
    const bindings = compileBindings(EVERY_TYPE, { seed: 5 });
    for (let cycle = worker; cycle < total; cycle += workers) {
      merged[cycle] = bindings.names().map((name) => bindings.get(name)(cycle));
    }
  }
  assert.deepEqual(merged, onePass);
  // and calling out of order or repeatedly changes nothing
  const bindings = compileBindings(EVERY_TYPE, { seed: 5 });
  for (const cycle of [9999, 0, 5000, 0, 9999]) {
    assert.deepEqual(
      bindings.names().map((name) => bindings.get(name)(cycle)),
      onePass[cycle],
    );
  }
});

test('determinism: a worker thread computes the same values, above 2^32 too', async () => {
  const cycles = [0, 1, 2, 777, 2 ** 32 - 1, 2 ** 32, 2 ** 45 + 17, 2 ** 53 - 1];
  const moduleUrl = new URL('./compile.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.moduleUrl).then(({ compileBindings }) => {
      const bindings = compileBindings(workerData.specs, { seed: 5 });
      parentPort.postMessage(workerData.cycles.map((c) => bindings.names().map((n) => bindings.get(n)(c))));
    });`;
  const fromThread = await new Promise<unknown>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { moduleUrl, specs: EVERY_TYPE, cycles } });
    worker.once('message', (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
  assert.deepEqual(fromThread, valuesOf(EVERY_TYPE, cycles));
});

test('independence: adding, removing or reordering bindings leaves the others unchanged', () => {
  const cycles = [0, 1, 2, 3, 1e6];
  const alone = valuesOf({ uni: EVERY_TYPE.uni! }, cycles);
  const reordered = compileBindings(
    { id: EVERY_TYPE.id!, extra: { type: 'uuid' }, uni: EVERY_TYPE.uni! },
    { seed: 5 },
  );
  assert.deepEqual(
    cycles.map((cycle) => [reordered.get('uni')(cycle)]),
    alone,
  );
  // two bindings with identical parameters but different names are different streams
  const twins = compileBindings({ a: { type: 'uuid' }, b: { type: 'uuid' } }, { seed: 5 });
  assert.notEqual(twins.get('a')(0), twins.get('b')(0));
});

test('BindingSet: names in declaration order, has/get, get of an unknown name throws', () => {
  const bindings = compileBindings({ b: { type: 'sequence' }, a: { type: 'uuid' } }, { seed: 0 });
  assert.deepEqual(bindings.names(), ['b', 'a']);
  assert.equal(bindings.has('a'), true);
  assert.equal(bindings.has('c'), false);
  assert.throws(
    () => bindings.get('c'),
    (err: unknown) => err instanceof BenchpilotError && err.code === 'BP_SPEC_UNKNOWN_BINDING',
  );
});

test('checkBindings: template references and cycles with exact paths', () => {
  const issues = checkBindings({
    domain: { type: 'choice', values: ['a.com', 'b.org'] },
    email: { type: 'template', template: 'user-{id}@{domian}' },
    a: { type: 'template', template: '{b}-x' },
    b: { type: 'template', template: '{a}-y' },
    self: { type: 'template', template: '<{self}>' },
    id: { type: 'sequence' },
  });
  assert.deepEqual(issues, [
    {
      code: 'BP_SPEC_UNKNOWN_BINDING',
      path: ['bindings', 'email', 'template'],
      message: '{domian} is not a binding; did you mean {domain}?',
    },
    {
      code: 'BP_SPEC_INVALID_VALUE',
      path: ['bindings', 'a', 'template'],
      message: 'template bindings form a cycle: a -> b -> a',
    },
    {
      code: 'BP_SPEC_INVALID_VALUE',
      path: ['bindings', 'self', 'template'],
      message: 'template bindings form a cycle: self -> self',
    },
  ]);
});

test('checkBindings: schema and cross-field problems, all at once, with paths', () => {
  const issues = checkBindings({
    t: { type: 'unifrom', min: 1 } as unknown as BindingSpecInput,
    u: { type: 'uniform', min: 1, mx: 3 } as unknown as BindingSpecInput,
    v: { type: 'uniform', min: 1.5, max: 1 },
    w: { type: 'choice', values: ['a', 'b'], weights: [1] },
    x: { type: 'words', count: 2, min: 1, max: 3 },
    y: { type: 'words', max: 3 },
    z: { type: 'zipf', n: 0 },
    n: { type: 'normal', mean: 0, stddev: 1, min: 2, max: 1 },
    q: {} as unknown as BindingSpecInput,
    r: null as unknown as BindingSpecInput,
    s: { type: 'choice', values: ['a', [1]] } as unknown as BindingSpecInput,
    'bad-name': { type: 'sequence' },
  });
  assert.deepEqual(
    issues.map((issue) => [issue.code, issue.path.join('.'), issue.message]),
    [
      [
        'BP_SPEC_INVALID_VALUE',
        'bindings.t.type',
        'is not a binding type; did you mean uniform? (expected one of sequence, uniform, zipf, normal, choice, uuid, words, timestamp, template)',
      ],
      ['BP_SPEC_MISSING_FIELD', 'bindings.u.max', 'is required'],
      ['BP_SPEC_UNKNOWN_FIELD', 'bindings.u.mx', 'is not a field of a uniform binding; did you mean max?'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.v.min', 'must be an integer (or set float: true)'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.v.max', 'must be at least min (1.5)'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.w.weights', 'has 1 entries; expected one per value (2)'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.x.count', 'set either count or min and max, not both'],
      ['BP_SPEC_MISSING_FIELD', 'bindings.y.min', 'is required with max'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.z.n', 'Too small: expected number to be >0'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.n.max', 'must be at least min (2)'],
      [
        'BP_SPEC_MISSING_FIELD',
        'bindings.q.type',
        'is required; expected one of sequence, uniform, zipf, normal, choice, uuid, words, timestamp, template',
      ],
      ['BP_SPEC_INVALID_VALUE', 'bindings.r', 'expected a binding such as { type: uuid }'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.s.values.1', 'expected a string, number or boolean'],
      ['BP_SPEC_INVALID_VALUE', 'bindings.bad-name', 'binding names must match [A-Za-z_][A-Za-z0-9_]*'],
    ],
  );
  assert.deepEqual(checkBindings(EVERY_TYPE), []);
});

test('compileBindings throws BenchpilotError with every problem as a SpecIssue', () => {
  assert.throws(
    () =>
      compileBindings(
        {
          email: { type: 'template', template: '{nope}' },
          c: { type: 'choice', values: [1], weights: [0] },
        },
        { seed: 0 },
      ),
    (err: unknown) => {
      assert.ok(err instanceof BenchpilotError);
      assert.equal(err.code, 'BP_SPEC_INVALID_VALUE');
      assert.equal(err.message, '2 problems in bindings');
      assert.deepEqual(
        err.issues.map((issue) => [issue.code, issue.path, issue.line]),
        [
          ['BP_SPEC_INVALID_VALUE', 'bindings.c.weights', 0],
          ['BP_SPEC_UNKNOWN_BINDING', 'bindings.email.template', 0],
        ],
      );
      return true;
    },
  );
});
