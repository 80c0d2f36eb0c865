import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BenchpilotError, formatIssue } from '../protocol/errors.js';
import { type LoadOptions, loadWorkload, loadWorkloadText } from './load.js';
import { FAKE_DRIVERS, sqlDriver } from './testing/fake-drivers.js';

const GOOD = `
name: orders
target:
  driver: sql
  host: \${PGHOST:-localhost}
  port: \${PGPORT}
  user: bench
  password: \${PGPASSWORD}
  database: bench
bindings:
  id: { type: sequence }
phases:
  - name: rampup
    cycles: 1000
    concurrency: 4
    ops:
      insert: { sql: "insert into t values ({id})" }
  - name: main
    duration: 1m30s
    rate: 100
    ops:
      read: { sql: "select * from t where id = {id}", ratio: 3 }
    thresholds: ["p99(read) < 20ms", "errors < 1%"]
`;

const options = (extra: Partial<LoadOptions> = {}): LoadOptions => ({
  drivers: FAKE_DRIVERS,
  env: { PGPORT: '5433', PGPASSWORD: '12345' },
  ...extra,
});

function messages(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BenchpilotError, String(error));
    return error.issues.map(formatIssue);
  }
  assert.fail('expected a BenchpilotError');
}

test('loads a valid workload: defaults applied, durations in seconds, env typed by the schema', () => {
  const loaded = loadWorkloadText(GOOD, 'orders.yaml', options());
  assert.equal(loaded.plugin, sqlDriver);
  assert.equal(loaded.file, 'orders.yaml');
  assert.deepEqual(loaded.spec.target, {
    driver: 'sql',
    host: 'localhost',
    port: 5433,
    user: 'bench',
    password: '12345',
    database: 'bench',
  });
  assert.equal(loaded.spec.seed, 0);
  const [rampup, main] = loaded.spec.phases;
  assert.equal(rampup?.arrival, 'constant');
  assert.equal(rampup?.stopTimeout, 5);
  assert.deepEqual(rampup?.ops['insert'], { sql: 'insert into t values ({id})', params: [], ratio: 1 });
  assert.equal(main?.duration, 90);
  assert.deepEqual(
    loaded.thresholds.get('main')?.map((t) => [t.metric, t.op, t.value, t.unit]),
    [
      ['p99', 'read', 20, 'ms'],
      ['errors', null, 1, '%'],
    ],
  );
  assert.deepEqual(loaded.thresholds.get('rampup'), []);
});

test('--set changes fields by name or index; values are typed by the schema', () => {
  const loaded = loadWorkloadText(
    GOOD,
    'orders.yaml',
    options({
      sets: ['phases.main.rate=250', 'phases[0].cycles=10', 'target.user=1234', 'phases.1.duration=45s'],
    }),
  );
  assert.equal(loaded.spec.phases[1]?.rate, 250);
  assert.equal(loaded.spec.phases[0]?.cycles, 10);
  assert.equal(loaded.spec.target['user'], '1234', 'a number-looking user name stays text');
  assert.equal(loaded.spec.phases[1]?.duration, 45);
});

test('run overrides apply to the last phase unless one is named', () => {
  const last = loadWorkloadText(
    GOOD,
    'orders.yaml',
    options({ overrides: { concurrency: 8, duration: 10 } }),
  );
  assert.equal(last.spec.phases[1]?.concurrency, 8);
  assert.equal(last.spec.phases[1]?.rate, undefined, 'concurrency replaces rate');
  assert.equal(last.spec.phases[1]?.duration, 10);
  const named = loadWorkloadText(GOOD, 'orders.yaml', options({ overrides: { phase: 'rampup', rate: 20 } }));
  assert.equal(named.spec.phases[0]?.rate, 20);
  assert.equal(named.spec.phases[0]?.concurrency, undefined, 'rate replaces concurrency');
});

test('a quoted ${VAR} stays text; an unquoted one is typed', () => {
  const text = GOOD.replace('port: ${PGPORT}', 'port: "${PGPORT}"');
  assert.deepEqual(
    messages(() => loadWorkloadText(text, 'w.yaml', options())),
    ["BP_SPEC_INVALID_VALUE: w.yaml:6:9 target.port expected a number, got '5433'"],
  );
});

test('loadWorkload reads the file, and reports a missing one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-load-'));
  const file = join(dir, 'orders.yaml');
  await writeFile(file, GOOD);
  const loaded = await loadWorkload(file, options());
  assert.equal(loaded.file, file);
  const missing = join(dir, 'nope.yaml');
  await assert.rejects(loadWorkload(missing, options()), (error: unknown) => {
    assert.ok(error instanceof BenchpilotError);
    assert.equal(error.code, 'BP_FILE_NOT_FOUND');
    assert.equal(error.exitCode, 2);
    assert.match(
      formatIssue(error.issues[0]!),
      /^BP_FILE_NOT_FOUND: .*nope\.yaml does not exist; check the path/,
    );
    return true;
  });
  await assert.rejects(loadWorkload(dir, options()), { code: 'BP_USAGE' });
});

test('the thrown error describes every issue, first line the file', () => {
  try {
    loadWorkloadText('name: x\nphases: []\n', 'w.yaml', options());
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof BenchpilotError);
    assert.equal(error.code, 'BP_SPEC_MISSING_FIELD');
    assert.equal(
      error.describe(),
      [
        'w.yaml is not a valid workload (2 problems):',
        'BP_SPEC_MISSING_FIELD: w.yaml:1:1 target is required: expected a map with driver: (web, sql)',
        'BP_SPEC_INVALID_VALUE: w.yaml:2:9 phases expected at least one phase, got an empty list',
      ].join('\n'),
    );
  }
});

test('anchors and << merge keys work; positions still point into the file', () => {
  const text = `name: anchors
target: { driver: web, url: "http://localhost:1" }
phases:
  - name: main
    rate: 10
    ops:
      a: &common { path: /a, ratio: 2 }
      b: { <<: *common, methd: PUT }
`;
  assert.deepEqual(
    messages(() => loadWorkloadText(text, 'w.yaml', options())),
    ['BP_SPEC_UNKNOWN_FIELD: w.yaml:8:25 phases[0].ops.b.methd is not a field; did you mean method?'],
  );
  const loaded = loadWorkloadText(text.replace('methd', 'method'), 'w.yaml', options());
  assert.deepEqual(loaded.spec.phases[0]?.ops['b'], { path: '/a', ratio: 2, method: 'PUT' });
});

test('a second YAML document is an error', () => {
  assert.deepEqual(
    messages(() => loadWorkloadText('name: a\n---\nname: b\n', 'w.yaml', options())),
    [
      'BP_SPEC_YAML: w.yaml:2:1 not valid YAML for a workload: expected one document, found a second after ---',
    ],
  );
});
