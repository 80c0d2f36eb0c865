import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { BenchpilotError } from '../../protocol/errors.js';
import { benchpilotLabels, podSecurityViolations, restrictedContainerSecurityContext } from './manifests.js';
import {
  NB5_IMAGE,
  type Nb5JobOptions,
  nb5Args,
  nb5ConfigMap,
  nb5Job,
  nb5PhasesOf,
  nb5QuantileQuery,
  nb5ScenarioStep,
  nb5WorkloadFileName,
  parsePromText,
  readNb5Timer,
  replacementJob,
} from './nosqlbench.js';

// dist/src/executors/kubernetes/ -> the repository's workloads/
const WORKLOAD = readFileSync(
  new URL('../../../../workloads/nosqlbench/cql-sai-longrun.yaml', import.meta.url),
  'utf8',
);

function codeOf(code: string) {
  return (err: unknown) => err instanceof BenchpilotError && err.code === code;
}

/** A BP_NB5_WORKLOAD error whose full text (message and issues) matches. */
function nb5Error(pattern: RegExp) {
  return (err: unknown) =>
    err instanceof BenchpilotError && err.code === 'BP_NB5_WORKLOAD' && pattern.test(err.describe());
}

test('the shipped workload: default scenario steps schema, rampup, main', () => {
  assert.deepEqual(nb5PhasesOf(WORKLOAD), ['schema', 'rampup', 'main']);
  assert.equal(nb5ScenarioStep(WORKLOAD, 'main'), 'default.main');
  assert.throws(
    () => nb5ScenarioStep(WORKLOAD, 'drop', 'cql-sai-longrun.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof BenchpilotError && err.code === 'BP_NB5_WORKLOAD');
      assert.equal(
        err.describe(),
        'cql-sai-longrun.yaml cannot be run by nb5:\nBP_NB5_WORKLOAD: cql-sai-longrun.yaml scenarios.default has no step drop; the default scenario has schema, rampup, main',
      );
      return true;
    },
  );
});

test('nb5PhasesOf: not YAML, no default scenario, a list of steps', () => {
  assert.throws(
    () => nb5PhasesOf('scenarios:\n  default: [\n', 'w.yaml'),
    (err: unknown) =>
      err instanceof BenchpilotError &&
      err.code === 'BP_NB5_WORKLOAD' &&
      err.issues[0]?.line === 3 &&
      /^is not valid YAML: /.test(err.issues[0].message),
  );
  assert.throws(() => nb5PhasesOf('bindings:\n  a: Identity()\n'), nb5Error(/has no scenarios/));
  assert.throws(
    () => nb5PhasesOf('scenarios:\n  other:\n    main: run driver=cql\n'),
    nb5Error(/has no default scenario/),
  );
  assert.throws(
    () => nb5PhasesOf('x: 1\nscenarios:\n  default:\n    - run driver=cql tags==block:main\n', 'w.yaml'),
    (err: unknown) =>
      err instanceof BenchpilotError &&
      err.issues[0]?.line === 4 &&
      /a map of named steps/.test(err.message + err.describe()),
  );
  assert.throws(() => nb5PhasesOf(''), codeOf('BP_NB5_WORKLOAD'));
});

const METRICS = {
  endpoint: 'http://vm.monitoring.svc:8428/api/v1/import/prometheus/metrics/',
  runId: 'r-7',
  phase: 'main',
  target: 'cassandra',
  intervalSeconds: 10,
};
const CQL = { host: 'cassandra.db.svc', port: 9042, localdc: 'dc1' };
const PUSH =
  'http://vm.monitoring.svc:8428/api/v1/import/prometheus/metrics/job/benchpilot/instance/r-7-main,10s';
const LABELS =
  'jobname:benchpilot,instance:r-7-main,benchpilot_run:r-7,benchpilot_phase:main,benchpilot_target:cassandra,benchpilot_attempt:1';

test('nb5Args: named steps of the shipped workload, exact arrays', () => {
  const common = {
    workloadPath: '/nb5/workload/cql_sai_longrun.yaml',
    logsDir: '/nb5/logs',
    userfile: '/nb5/credentials/username',
    passfile: '/nb5/credentials/password',
  };
  assert.deepEqual(nb5Args({ ...common, scenario: 'default.schema', params: { ...CQL, errors: 'stop' } }), [
    '--logs-dir',
    '/nb5/logs',
    '/nb5/workload/cql_sai_longrun.yaml',
    'default.schema',
    'host=cassandra.db.svc',
    'port=9042',
    'localdc=dc1',
    'errors=stop',
    'userfile=/nb5/credentials/username',
    'passfile=/nb5/credentials/password',
  ]);
  assert.deepEqual(
    nb5Args({
      ...common,
      scenario: 'default.rampup',
      params: { ...CQL, threads: 'auto', cycles: 1000000, errors: 'count,warn' },
      metrics: { ...METRICS, phase: 'rampup' },
    }),
    [
      '--logs-dir',
      '/nb5/logs',
      '--report-prompush-to',
      'http://vm.monitoring.svc:8428/api/v1/import/prometheus/metrics/job/benchpilot/instance/r-7-rampup,10s',
      '--add-labels',
      'jobname:benchpilot,instance:r-7-rampup,benchpilot_run:r-7,benchpilot_phase:rampup,benchpilot_target:cassandra,benchpilot_attempt:1',
      '/nb5/workload/cql_sai_longrun.yaml',
      'default.rampup',
      'host=cassandra.db.svc',
      'port=9042',
      'localdc=dc1',
      'threads=auto',
      'rampup-cycles=1000000',
      'errors=count,warn',
      'userfile=/nb5/credentials/username',
      'passfile=/nb5/credentials/password',
    ],
  );
  assert.deepEqual(
    nb5Args({
      ...common,
      scenario: 'default.main',
      // Extra params keep their order after the known ones.
      params: { keyspace: 'bench', cyclerate: 5000, ...CQL, threads: 64, cycles: '100M', errors: 'count' },
      metrics: METRICS,
    }),
    [
      '--logs-dir',
      '/nb5/logs',
      '--report-prompush-to',
      PUSH,
      '--add-labels',
      LABELS,
      '/nb5/workload/cql_sai_longrun.yaml',
      'default.main',
      'host=cassandra.db.svc',
      'port=9042',
      'localdc=dc1',
      'threads=64',
      'main-cycles=100M',
      'cyclerate=5000',
      'errors=count',
      'keyspace=bench',
      'userfile=/nb5/credentials/username',
      'passfile=/nb5/credentials/password',
    ],
  );
});

test('nb5Args: the block-tags form', () => {
  assert.deepEqual(
    nb5Args({
      workloadPath: '/nb5/workload/w.yaml',
      tags: 'block:schema',
      logsDir: '/nb5/logs',
      params: { ...CQL, threads: 1, cycles: 4 },
    }),
    [
      '--logs-dir',
      '/nb5/logs',
      'run',
      'driver=cql',
      'workload=/nb5/workload/w.yaml',
      'tags=block:schema',
      'host=cassandra.db.svc',
      'port=9042',
      'localdc=dc1',
      'threads=1',
      'cycles=4',
    ],
  );
});

test('nb5Args: credentials and shell-breaking values are refused', () => {
  const base = { workloadPath: '/w.yaml', scenario: 'default.main', logsDir: '/l' };
  const refused = [
    { ...base, params: { password: 'x' } },
    { ...base, params: { username: 'cassandra' } },
    { ...base, params: { passfile: '/etc/x' } },
    { ...base, params: { tags: 'block:other' } },
    { ...base, params: { host: 'a b' } },
    { ...base, params: { host: 'a\nb' } },
    { ...base, params: { 'bad name': 1 } },
    { ...base, params: { cycles: -1 } },
    { ...base, scenario: 'default', params: { cycles: 10 } },
    { ...base, scenario: 'default.main;rm', params: {} },
    { workloadPath: '/w.yaml', logsDir: '/l', params: {} },
    { ...base, tags: 'block:main', params: {} },
    { ...base, params: {}, metrics: { ...METRICS, endpoint: 'http://vm:8428/a,b' } },
    { ...base, params: {}, metrics: { ...METRICS, endpoint: 'http://u:p@vm:8428/' } },
    { ...base, params: {}, metrics: { ...METRICS, endpoint: 'victoria:vm:8428' } },
    { ...base, params: {}, metrics: { ...METRICS, intervalSeconds: 0 } },
    { ...base, params: {}, metrics: { ...METRICS, runId: '%%%' } },
  ];
  for (const opts of refused) {
    assert.throws(() => nb5Args(opts), codeOf('BP_SPEC_INVALID_VALUE'), JSON.stringify(opts));
  }
});

test('nb5ConfigMap: the workload under a file name nb5 will not rewrite', () => {
  assert.equal(nb5WorkloadFileName('cql-sai-longrun'), 'cql_sai_longrun.yaml');
  assert.equal(nb5WorkloadFileName('nosqlbench/cql-sai-longrun.yaml'), 'nosqlbench_cql_sai_longrun.yaml');
  const cm = nb5ConfigMap({
    namespace: 'bench',
    release: 'bp',
    runId: 'r-7',
    target: 'cassandra',
    workloadName: 'cql-sai-longrun',
    yamlText: WORKLOAD,
  });
  assert.deepEqual(cm, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'bp-r-7-nb5',
      namespace: 'bench',
      labels: benchpilotLabels({ release: 'bp', component: 'nosqlbench', runId: 'r-7', target: 'cassandra' }),
    },
    data: { 'cql_sai_longrun.yaml': WORKLOAD },
  });
  assert.throws(
    () => nb5ConfigMap({ namespace: 'b', release: 'bp', runId: 'r', workloadName: 'w', yamlText: 'a: [' }),
    codeOf('BP_NB5_WORKLOAD'),
  );
  assert.throws(
    () =>
      nb5ConfigMap({
        namespace: 'b',
        release: 'bp',
        runId: 'r',
        workloadName: 'w',
        yamlText: 'x'.repeat(1_000_001),
      }),
    nb5Error(/larger than a ConfigMap/),
  );
});

const JOB: Nb5JobOptions = {
  namespace: 'bench',
  release: 'bp',
  runId: 'r-7',
  phase: 'main',
  target: 'cassandra',
  configMapName: 'bp-r-7-nb5',
  workloadFile: 'cql_sai_longrun.yaml',
  scenario: 'default.main',
  params: { ...CQL, threads: 64, cycles: 1000000000, cyclerate: '5000,1.1', errors: 'count' },
  credentials: { secretName: 'cassandra-auth', usernameKey: 'user', passwordKey: 'pass' },
  metrics: { endpoint: METRICS.endpoint, intervalSeconds: 10 },
  resources: { requests: { cpu: '2', memory: '2Gi' }, limits: { memory: '2Gi' } },
  ttlSecondsAfterFinished: 3600,
  openshift: false,
};

const MAIN_ARGS = [
  '--logs-dir',
  '/nb5/logs',
  '--report-prompush-to',
  PUSH,
  '--add-labels',
  LABELS,
  '/nb5/workload/cql_sai_longrun.yaml',
  'default.main',
  'host=cassandra.db.svc',
  'port=9042',
  'localdc=dc1',
  'threads=64',
  'main-cycles=1000000000',
  'cyclerate=5000,1.1',
  'errors=count',
  'userfile=/nb5/credentials/username',
  'passfile=/nb5/credentials/password',
];

test('nb5Job: args only, non-root on a read-only root, workload and credentials as files', () => {
  const job = nb5Job(JOB);
  const labels = benchpilotLabels({
    release: 'bp',
    component: 'nosqlbench',
    runId: 'r-7',
    phase: 'main',
    target: 'cassandra',
  });
  assert.deepEqual(job.metadata, { name: 'bp-r-7-main-nb5', namespace: 'bench', labels });
  assert.deepEqual(job.spec?.podFailurePolicy, {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'nb5', operator: 'NotIn', values: [0] } },
    ],
  });
  assert.equal(job.spec?.backoffLimit, 0);
  assert.equal(job.spec?.completionMode, 'NonIndexed');
  assert.equal(job.spec?.ttlSecondsAfterFinished, 3600);
  assert.equal(job.spec?.activeDeadlineSeconds, undefined);
  const pod = job.spec?.template.spec;
  assert.ok(pod);
  assert.deepEqual(job.spec?.template.metadata?.labels, labels);
  assert.deepEqual(pod.securityContext, {
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    fsGroup: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(pod.automountServiceAccountToken, false);
  assert.equal(pod.restartPolicy, 'Never');
  assert.deepEqual(pod.containers, [
    {
      name: 'nb5',
      image: NB5_IMAGE,
      args: MAIN_ARGS,
      env: [{ name: 'NBSTATEDIR', value: '/nb5/state' }],
      resources: JOB.resources,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: [
        { name: 'workload', mountPath: '/nb5/workload', readOnly: true },
        { name: 'credentials', mountPath: '/nb5/credentials', readOnly: true },
        { name: 'logs', mountPath: '/nb5/logs' },
        { name: 'state', mountPath: '/nb5/state' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      terminationMessagePolicy: 'FallbackToLogsOnError',
    },
  ]);
  assert.deepEqual(pod.volumes, [
    {
      name: 'workload',
      configMap: {
        name: 'bp-r-7-nb5',
        items: [{ key: 'cql_sai_longrun.yaml', path: 'cql_sai_longrun.yaml' }],
      },
    },
    {
      name: 'credentials',
      secret: {
        secretName: 'cassandra-auth',
        items: [
          { key: 'user', path: 'username' },
          { key: 'pass', path: 'password' },
        ],
        defaultMode: 0o440,
      },
    },
    { name: 'logs', emptyDir: {} },
    { name: 'state', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
  ]);
  assert.deepEqual(podSecurityViolations(pod), []);
  assert.deepEqual(podSecurityViolations(nb5Job({ ...JOB, openshift: true }).spec!.template.spec!), []);
  const container: V1Container = job.spec!.template.spec!.containers[0]!;
  assert.equal(container.command, undefined, 'the image entrypoint runs nb5');
  assert.equal(container.workingDir, undefined);
});

test('nb5Job: schema and rampup steps of the shipped workload, without metrics or credentials', () => {
  const args = (phase: string, params: Nb5JobOptions['params']) =>
    nb5Job({
      ...JOB,
      phase,
      scenario: nb5ScenarioStep(WORKLOAD, phase),
      params,
      credentials: undefined,
      metrics: undefined,
    }).spec?.template.spec?.containers[0]?.args;
  assert.deepEqual(args('schema', CQL), [
    '--logs-dir',
    '/nb5/logs',
    '/nb5/workload/cql_sai_longrun.yaml',
    'default.schema',
    'host=cassandra.db.svc',
    'port=9042',
    'localdc=dc1',
  ]);
  assert.deepEqual(args('rampup', { ...CQL, threads: 32, cycles: 1000000, cyclerate: 20000 }), [
    '--logs-dir',
    '/nb5/logs',
    '/nb5/workload/cql_sai_longrun.yaml',
    'default.rampup',
    'host=cassandra.db.svc',
    'port=9042',
    'localdc=dc1',
    'threads=32',
    'rampup-cycles=1000000',
    'cyclerate=20000',
  ]);
  const job = nb5Job({ ...JOB, phase: 'schema', credentials: undefined, activeDeadlineSeconds: 600 });
  assert.deepEqual(
    job.spec?.template.spec?.volumes?.map((v) => v.name),
    ['workload', 'logs', 'state', 'tmp'],
  );
  assert.equal(job.spec?.activeDeadlineSeconds, 600);
});

test('replacementJob: a throughput change is the next attempt, annotated with the Job it replaces', () => {
  const first = replacementJob(JOB, 8000);
  assert.equal(first.job.metadata?.name, 'bp-r-7-main-nb5-a2');
  assert.deepEqual(first.job.metadata?.annotations, { 'benchpilot.io/replaces': 'bp-r-7-main-nb5' });
  assert.equal(first.job.metadata?.labels?.['benchpilot.io/attempt'], '2');
  assert.equal(first.job.spec?.template.metadata?.labels?.['benchpilot.io/attempt'], '2');
  assert.equal(first.job.metadata?.labels?.['benchpilot.io/run'], 'r-7');
  assert.deepEqual(first.job.spec?.template.spec?.containers[0]?.args, [
    ...MAIN_ARGS.slice(0, 5),
    LABELS.replace('benchpilot_attempt:1', 'benchpilot_attempt:2'),
    ...MAIN_ARGS.slice(6, 13),
    'cyclerate=8000,1.1',
    ...MAIN_ARGS.slice(14),
  ]);
  assert.equal(first.options.params.cycles, 1000000000, 'cycles pass through');

  const second = replacementJob(first.options, 2500.5, { cycles: 400000000 });
  assert.equal(second.job.metadata?.name, 'bp-r-7-main-nb5-a3');
  assert.deepEqual(second.job.metadata?.annotations, { 'benchpilot.io/replaces': 'bp-r-7-main-nb5-a2' });
  const args = second.job.spec?.template.spec?.containers[0]?.args ?? [];
  assert.ok(args.includes('cyclerate=2500.5,1.1'));
  assert.ok(args.includes('main-cycles=400000000'));
  assert.equal(replacementJob({ ...JOB, params: CQL }, 100).options.params.cyclerate, '100');
  assert.throws(() => replacementJob(JOB, 0), codeOf('BP_SPEC_INVALID_VALUE'));
  assert.throws(() => replacementJob(JOB, Number.NaN), codeOf('BP_SPEC_INVALID_VALUE'));
});

const SERIES =
  'jobname="benchpilot",instance="r-7-main",node="10.244.1.7",benchpilot_run="r-7",benchpilot_phase="main",' +
  'benchpilot_target="cassandra",benchpilot_attempt="1",session="Qx7Hw2k",workload="cql_sai_longrun",' +
  'scenario="default",step="main",container="default",activity="main"';

// What nb5 5.21 pushes for one timer (PromExpositionFormat): a counter, the quantiles as
// "buckets", the max under le="+Inf", a window count, then gauges.
const PUSHED = `# CATEGORIES: Core
# DESCRIPTION: The service time for each cycle
# TYPE cycles_servicetime_total counter
cycles_servicetime_total{${SERIES}} 182340 1764201600000
# TYPE cycles_servicetime histogram
cycles_servicetime_bucket{${SERIES},le="0.5"} 812345.0
cycles_servicetime_bucket{${SERIES},le="0.75"} 1204567.0
cycles_servicetime_bucket{${SERIES},le="0.9"} 2003456.0
cycles_servicetime_bucket{${SERIES},le="0.95"} 2890123.0
cycles_servicetime_bucket{${SERIES},le="0.98"} 4012345.0
cycles_servicetime_bucket{${SERIES},le="0.99"} 5234567.0
cycles_servicetime_bucket{${SERIES},le="0.999"} 12345678.0
cycles_servicetime_bucket{${SERIES},le="+Inf"} 48123456.0
cycles_servicetime_count{${SERIES}} 9876.0
# TYPE cycles_servicetime_max gauge
cycles_servicetime_max{${SERIES}} 48123456
# TYPE cycles_servicetime_min gauge
cycles_servicetime_min{${SERIES}} 301234
# TYPE cycles_servicetime_mean gauge
cycles_servicetime_mean{${SERIES}} 1012345.67
# TYPE cycles_servicetime_1mRate gauge
cycles_servicetime_1mRate{${SERIES}} 4998.2
# TYPE result_success_total counter
result_success_total{${SERIES}} 182001 1764201600000
# TYPE result_success histogram
result_success_bucket{${SERIES},le="0.5"} 700000.0
`;

test('parsePromText: names, labels with escapes, values, timestamps', () => {
  const samples = parsePromText(PUSHED);
  assert.equal(samples.length, 16);
  assert.deepEqual(samples[0], {
    name: 'cycles_servicetime_total',
    labels: Object.fromEntries(
      SERIES.split(',').map((kv) => kv.split('=').map((s) => s.replaceAll('"', ''))),
    ),
    value: 182340,
    timestampMs: 1764201600000,
  });
  assert.deepEqual(parsePromText('m{a="x\\"y\\\\z\\n", b="2",} +Inf\nn NaN\n'), [
    { name: 'm', labels: { a: 'x"y\\z\n', b: '2' }, value: Number.POSITIVE_INFINITY },
    { name: 'n', labels: {}, value: Number.NaN },
  ]);
  assert.throws(() => parsePromText('m{a=1} 2'), codeOf('BP_INTERNAL'));
  assert.throws(() => parsePromText('m two'), codeOf('BP_INTERNAL'));
});

test('readNb5Timer: the "bucket" values are quantiles in nanoseconds, read as milliseconds', () => {
  const samples = parsePromText(PUSHED);
  assert.deepEqual(readNb5Timer(samples, 'cycles_servicetime'), {
    p50: 0.812345,
    p75: 1.204567,
    p90: 2.003456,
    p95: 2.890123,
    p98: 4.012345,
    p99: 5.234567,
    p999: 12.345678,
    max: 48.123456,
    count: 182340,
  });
  // Without the counter, the count of the last window; without the gauge, the +Inf "bucket".
  const bare = samples.filter(
    (s) => !['cycles_servicetime_total', 'cycles_servicetime_max'].includes(s.name),
  );
  const timer = readNb5Timer(
    bare.filter((s) => s.name.startsWith('cycles_')),
    undefined,
  );
  assert.equal(timer?.count, 9876);
  assert.equal(timer?.max, 48.123456);
  assert.throws(() => readNb5Timer(samples), /several nb5 timers \(cycles_servicetime, result_success\)/);
  assert.throws(() => readNb5Timer(samples, 'result_success'), /no quantile le="0.75"/);
  assert.equal(readNb5Timer(samples, 'cycles_responsetime'), null);
  assert.equal(readNb5Timer([]), null);
  const twoSeries = parsePromText(
    `${PUSHED}cycles_servicetime_bucket{${SERIES.replace('main"', 'other"')},le="0.5"} 1\n`,
  );
  assert.throws(() => readNb5Timer(twoSeries, 'cycles_servicetime'), /2 series/);
  assert.equal(
    nb5QuantileQuery('cycles_servicetime', { runId: 'r-7', phase: 'main' }, 'p99'),
    'cycles_servicetime_bucket{benchpilot_run="r-7",benchpilot_phase="main",le="0.99"}',
  );
});
