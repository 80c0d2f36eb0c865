/**
 * Bad workload files and bad command-line changes -> the exact messages a user sees.
 * Fixtures are in test/fixtures/bad; drivers are small fakes with real schemas.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BenchpilotError, formatIssue } from '../src/protocol/errors.js';
import { type LoadOptions, loadWorkload, loadWorkloadText } from '../src/workload/index.js';
import { FAKE_DRIVERS } from '../src/workload/testing/fake-drivers.js';

// dist/test/ -> the repository root (fixtures are not copied by tsc)
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BAD = 'test/fixtures/bad';
const ENV = { PGPASSWORD: 'pw', API_TOKEN: 't' };

function problems(text: string, fileName: string, options: Partial<LoadOptions> = {}): string[] {
  try {
    loadWorkloadText(text, fileName, { drivers: FAKE_DRIVERS, env: ENV, ...options });
  } catch (error) {
    assert.ok(error instanceof BenchpilotError, String(error));
    assert.equal(error.code, error.issues[0]?.code, 'the error has the code of its first issue');
    return error.issues.map(formatIssue);
  }
  return [];
}

function fixture(name: string): string {
  return readFileSync(join(ROOT, BAD, name), 'utf8');
}

const CASES: [file: string, expected: string[]][] = [
  [
    'bad-binding.yaml',
    [
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/bad-binding.yaml:4:15 bindings.id.type is not a binding type; did you mean sequence? (expected one of sequence, uniform, zipf, normal, choice, uuid, words, timestamp, template)',
      'BP_SPEC_UNKNOWN_BINDING: test/fixtures/bad/bad-binding.yaml:5:38 bindings.email.template {n} is not a binding',
      'BP_SPEC_MISSING_FIELD: test/fixtures/bad/bad-binding.yaml:6:10 bindings.score.stddev is required',
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/bad-binding.yaml:6:36 bindings.score.stdev is not a field of a normal binding; did you mean stddev?',
    ],
  ],
  [
    'bad-duration.yaml',
    [
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/bad-duration.yaml:5:15 phases[0].duration expected a duration such as 500ms, 30s, 5m, 1h30m or a number of seconds, got '10 minutes'",
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/bad-duration.yaml:6:13 phases[0].warmup expected a duration such as 500ms, 30s, 5m, 1h30m or a number of seconds, got -5',
    ],
  ],
  [
    'bad-threshold.yaml',
    [
      'BP_SPEC_BAD_THRESHOLD: test/fixtures/bad/bad-threshold.yaml:11:9 phases[0].thresholds[1] p98 is not a metric: expected one of p50, p90, p95, p99, p999, max, mean, min, errors, count, rate',
      "BP_SPEC_BAD_THRESHOLD: test/fixtures/bad/bad-threshold.yaml:12:9 phases[0].thresholds[2] errors is a ratio (errors < 1%) or a count (errors < 10): expected % or no unit, got 'percent'",
      'BP_SPEC_BAD_THRESHOLD: test/fixtures/bad/bad-threshold.yaml:13:9 phases[0].thresholds[3] names op raed, which is not in this phase (ops: read); did you mean read?',
      "BP_SPEC_BAD_THRESHOLD: test/fixtures/bad/bad-threshold.yaml:14:9 phases[0].thresholds[4] expected a comparator (<, <=, >, >=, ==) after rate, got 'rate 900'",
    ],
  ],
  [
    'empty.yaml',
    [
      'BP_SPEC_MISSING_FIELD: test/fixtures/bad/empty.yaml:1:1 is empty: expected a workload with name, target and phases (see docs/workload.md)',
    ],
  ],
  [
    'env-missing.yaml',
    [
      'BP_SPEC_ENV_MISSING: test/fixtures/bad/env-missing.yaml:4:9 target.host uses ${PGHOST}, which is not set; set PGHOST in the environment or write ${PGHOST:-default}',
      'BP_SPEC_ENV_MISSING: test/fixtures/bad/env-missing.yaml:6:9 target.user uses ${PGUSER}, which is not set; set PGUSER in the environment or write ${PGUSER:-default}',
      'BP_SPEC_ENV_MISSING: test/fixtures/bad/env-missing.yaml:7:13 target.password uses ${PGPASSWORD}, which is not set; set PGPASSWORD in the environment (a secret has no default)',
    ],
  ],
  [
    'missing-phases.yaml',
    ['BP_SPEC_MISSING_FIELD: test/fixtures/bad/missing-phases.yaml:1:1 phases is required: expected a list'],
  ],
  [
    'rate-and-concurrency.yaml',
    [
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/rate-and-concurrency.yaml:6:11 phases[0].rate and concurrency are both set; use rate (open model) or concurrency (closed model), not both',
    ],
  ],
  [
    'secret-default.yaml',
    [
      'BP_SPEC_SECRET_LITERAL: test/fixtures/bad/secret-default.yaml:5:10 target.token is a secret but has a default value in the file; write ${TOKEN} and set TOKEN in the environment',
      'BP_SPEC_SECRET_LITERAL: test/fixtures/bad/secret-default.yaml:7:20 target.headers.Authorization is a secret but is written as a literal value; write ${AUTHORIZATION} and set AUTHORIZATION in the environment',
    ],
  ],
  [
    'secret-literal.yaml',
    [
      'BP_SPEC_SECRET_LITERAL: test/fixtures/bad/secret-literal.yaml:6:13 target.password is a secret but is written as a literal value; write ${PASSWORD} and set PASSWORD in the environment',
    ],
  ],
  [
    'several-errors.yaml',
    [
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:1:7 name expected lower-case letters, digits, - or _ (at most 63, starting and ending alphanumeric), got 'Several_Errors'",
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:2:7 seed expected a number, got 'lots'",
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:5:8 target.url expected a URL such as http://localhost:8080, got 'not a url'",
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/several-errors.yaml:6:3 target.timout is not a field; did you mean timeout?',
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:9:40 bindings.user.max must be at least min (10)',
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:13:18 phases[0].concurrency expected a number > 0, got 0',
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/several-errors.yaml:14:5 phases[0].arival is not a field; did you mean arrival?',
      'BP_SPEC_UNKNOWN_BINDING: test/fixtures/bad/several-errors.yaml:16:20 phases[0].ops.get.path uses {uid}, which is not a declared binding; did you mean id?',
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/several-errors.yaml:16:36 phases[0].ops.get.methd is not a field; did you mean method?',
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:20:14 phases[1].arrival expected one of constant, poisson, got 'burst'",
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/several-errors.yaml:21:10 phases[1].ops expected at least one op, got an empty map',
    ],
  ],
  [
    'typo-field.yaml',
    [
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/typo-field.yaml:7:5 phases[0].duraton is not a field; did you mean duration?',
    ],
  ],
  [
    'unknown-binding.yaml',
    [
      'BP_SPEC_UNKNOWN_BINDING: test/fixtures/bad/unknown-binding.yaml:13:15 phases[0].ops.order.path uses {usr}, which is not a declared binding; did you mean user?',
      'BP_SPEC_UNKNOWN_BINDING: test/fixtures/bad/unknown-binding.yaml:14:15 phases[0].ops.order.body uses {quantity}, which is not a declared binding (bindings: user, item)',
    ],
  ],
  [
    'unknown-driver.yaml',
    [
      'BP_SPEC_UNKNOWN_DRIVER: test/fixtures/bad/unknown-driver.yaml:3:11 target.driver wbe is not a driver (drivers: web, sql); did you mean web?',
    ],
  ],
  [
    'unknown-op-field.yaml',
    [
      'BP_SPEC_MISSING_FIELD: test/fixtures/bad/unknown-op-field.yaml:14:9 phases[0].ops.read.sql is required: expected a string',
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/unknown-op-field.yaml:14:9 phases[0].ops.read.sqll is not a field; did you mean sql?',
      'BP_SPEC_UNKNOWN_FIELD: test/fixtures/bad/unknown-op-field.yaml:15:9 phases[0].ops.read.param is not a field; did you mean params?',
    ],
  ],
  [
    'wrong-type.yaml',
    [
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/wrong-type.yaml:5:12 target.timeout expected a number, got 'soon'",
      "BP_SPEC_INVALID_VALUE: test/fixtures/bad/wrong-type.yaml:9:11 phases[0].rate expected a number, got 'abc'",
      'BP_SPEC_INVALID_VALUE: test/fixtures/bad/wrong-type.yaml:11:36 phases[0].ops.get.ratio expected a whole number, got 1.5',
    ],
  ],
  [
    // .txt: the linter parses .yaml files, and this one is broken on purpose
    'yaml-syntax.yaml.txt',
    [
      'BP_SPEC_YAML: test/fixtures/bad/yaml-syntax.yaml.txt:9:5 not valid YAML: flow map in block collection must be sufficiently indented and end with a }',
    ],
  ],
];

const ENV_BY_FILE: Record<string, Record<string, string>> = { 'env-missing.yaml': {} };

for (const [file, expected] of CASES) {
  test(`${file}: every problem, with file:line:col, path and what was expected`, () => {
    const env = ENV_BY_FILE[file] ?? ENV;
    assert.deepEqual(problems(fixture(file), `${BAD}/${file}`, { env }), expected);
  });
}

test('every fixture in test/fixtures/bad has a row', () => {
  const files = readdirSync(join(ROOT, BAD));
  assert.deepEqual(files.sort(), CASES.map(([file]) => file).sort());
  assert.ok(files.length >= 12);
});

test('a missing file is BP_FILE_NOT_FOUND', async () => {
  const missing = join(ROOT, BAD, 'does-not-exist.yaml');
  await assert.rejects(loadWorkload(missing, { drivers: FAKE_DRIVERS, env: ENV }), (error: unknown) => {
    assert.ok(error instanceof BenchpilotError);
    assert.equal(
      formatIssue(error.issues[0]!),
      `BP_FILE_NOT_FOUND: ${missing} does not exist; check the path (relative to ${process.cwd()})`,
    );
    return true;
  });
});

const GOOD = `name: shop
target:
  driver: web
  url: http://localhost:8080
  token: \${API_TOKEN}
bindings:
  id: { type: sequence }
phases:
  - name: warm
    duration: 10s
    concurrency: 2
    ops:
      get: { path: "/items/{id}" }
  - name: main
    duration: 1m
    rate: 100
    ops:
      get: { path: "/items/{id}", ratio: 3 }
      put: { method: PUT, path: "/items/{id}" }
`;

test('good --set and overrides load', () => {
  const loaded = loadWorkloadText(GOOD, 'shop.yaml', {
    drivers: FAKE_DRIVERS,
    env: ENV,
    sets: [
      'target.url=http://shop:9000',
      'phases.warm.concurrency=4',
      'phases[1].ops.put.ratio=0',
      'target.timeout=2.5',
    ],
    overrides: { phase: 'main', concurrency: 32, duration: 120 },
  });
  assert.equal(loaded.spec.target['url'], 'http://shop:9000');
  assert.equal(loaded.spec.target['timeout'], 2.5);
  assert.equal(loaded.spec.phases[0]?.concurrency, 4);
  assert.equal(loaded.spec.phases[1]?.ops['put']?.ratio, 0);
  assert.equal(loaded.spec.phases[1]?.concurrency, 32);
  assert.equal(loaded.spec.phases[1]?.rate, undefined);
  assert.equal(loaded.spec.phases[1]?.duration, 120);
});

test('bad --set paths and values name the flag, the path and what was expected', () => {
  const sets = [
    'phases.mian.rate=5',
    'phases[7].rate=5',
    'rate',
    'target..url=x',
    'name.first=x',
    'target.urll=http://x',
    'phases.main.ops.get.methd=GET',
    'phases.warm.concurrency=lots',
    'target.token=abc123',
    'phases.main.duration=[1, 2]',
  ];
  assert.deepEqual(problems(GOOD, 'shop.yaml', { sets }), [
    'BP_SPEC_BAD_OVERRIDE: --set phases.mian.rate cannot be set: phases has no item named mian (names: warm, main); did you mean main?',
    'BP_SPEC_BAD_OVERRIDE: --set phases[7].rate cannot be set: phases has 2 item(s), so the index is 0 to 1',
    "BP_SPEC_BAD_OVERRIDE: --set expected path=value (e.g. phases.main.rate=500), got 'rate'",
    'BP_SPEC_BAD_OVERRIDE: --set target..url is not a field path: expected names and indexes such as target.url or phases[0].rate',
    'BP_SPEC_BAD_OVERRIDE: --set name.first cannot be set: name is a string, not a map or a list',
    'BP_SPEC_BAD_OVERRIDE: --set target.urll is not a field; did you mean url?',
    "BP_SPEC_INVALID_VALUE: --set phases[0].concurrency expected a number, got 'lots'",
    'BP_SPEC_BAD_OVERRIDE: --set phases[1].ops.get.methd is not a field; did you mean method?',
    'BP_SPEC_INVALID_VALUE: --set phases[1].duration expected a duration such as 500ms, 30s, 5m, 1h30m or a number of seconds, got a list',
    'BP_SPEC_SECRET_LITERAL: --set target.token is a secret and may not be given on the command line; write ${TOKEN} in the file and set TOKEN in the environment',
  ]);
});

test('bad run overrides name the flag', () => {
  assert.deepEqual(problems(GOOD, 'shop.yaml', { overrides: { phase: 'mian', rate: 10 } }), [
    'BP_SPEC_UNKNOWN_PHASE: --phase mian is not a phase of this workload (phases: warm, main); did you mean main?',
  ]);
  assert.deepEqual(problems(GOOD, 'shop.yaml', { overrides: { rate: -5, duration: -1 } }), [
    'BP_SPEC_INVALID_VALUE: --duration phases[1].duration expected a duration such as 500ms, 30s, 5m, 1h30m or a number of seconds, got -1',
    'BP_SPEC_INVALID_VALUE: --rate phases[1].rate expected a number > 0, got -5',
  ]);
  assert.deepEqual(problems(GOOD, 'shop.yaml', { overrides: { phase: 'warm', rate: 10, concurrency: 3 } }), [
    'BP_SPEC_INVALID_VALUE: --rate phases[0].rate and concurrency are both set; use rate (open model) or concurrency (closed model), not both',
  ]);
});

test('problems from the command line come first, then the file by line', () => {
  const text = GOOD.replace('duration: 10s', 'duration: ten');
  assert.deepEqual(problems(text, 'shop.yaml', { sets: ['phases.main.rate=fast'] }), [
    "BP_SPEC_INVALID_VALUE: --set phases[1].rate expected a number, got 'fast'",
    "BP_SPEC_INVALID_VALUE: shop.yaml:10:15 phases[0].duration expected a duration such as 500ms, 30s, 5m, 1h30m or a number of seconds, got 'ten'",
  ]);
});
