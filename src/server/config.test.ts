import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isBenchpilotError } from '../protocol/errors.js';
import { KUBERNETES_DEFAULTS, loadServerConfig } from './config.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, yaml);
  return loadServerConfig({ config: file, dataDir: dir }, env);
}

test('the executor is local unless configured', async () => {
  assert.deepEqual((await configFrom('demo: false\n')).executor, { kind: 'local' });
});

test('the kubernetes executor takes its keys, defaults and env overrides', async () => {
  const config = await configFrom(
    [
      'executor:',
      '  kind: kubernetes',
      '  kubernetes:',
      '    runnerUrl: ws://benchpilot.bench.svc:8080/api/v1/runner',
      '    namespace: bench',
      '    ttlSecondsAfterFinished: null',
      'metrics: { endpoint: "http://vm:8428/api/v1/import/prometheus/metrics" }',
      'nosqlbench: { image: "registry.local/nb5:1" }',
      '',
    ].join('\n'),
    { BENCHPILOT_RUNNER_IMAGE: 'registry.local/benchpilot:2' },
  );
  assert.equal(config.executor.kind, 'kubernetes');
  if (config.executor.kind !== 'kubernetes') return;
  const k = config.executor.kubernetes;
  assert.equal(k.runnerUrl, 'ws://benchpilot.bench.svc:8080/api/v1/runner');
  assert.equal(k.namespace, 'bench');
  assert.equal(k.image, 'registry.local/benchpilot:2');
  assert.equal(k.ttlSecondsAfterFinished, null);
  assert.equal(k.setupDeadlineSeconds, KUBERNETES_DEFAULTS.setupDeadlineSeconds);
  assert.deepEqual(k.resources, KUBERNETES_DEFAULTS.resources);
  assert.equal(k.backoffLimit, 0);
  assert.equal(k.orphanJobs, 'delete');
  assert.equal(k.nosqlbenchImage, 'registry.local/nb5:1');
  assert.equal(k.metricsEndpoint, 'http://vm:8428/api/v1/import/prometheus/metrics');
});

test('the kubernetes executor without runnerUrl is refused with what to set', async () => {
  await assert.rejects(
    configFrom('executor: { kind: kubernetes }\n'),
    (err: unknown) =>
      isBenchpilotError(err) &&
      err.code === 'BP_USAGE' &&
      /executor\.kubernetes\.runnerUrl is required/.test(err.message),
  );
});

test('an unknown executor key is refused with its path', async () => {
  await assert.rejects(
    configFrom(
      'executor: { kind: kubernetes, kubernetes: { runnerUrl: "ws://x/api/v1/runner", replicas: 2 } }\n',
    ),
    (err: unknown) =>
      isBenchpilotError(err) && /executor\.kubernetes/.test(err.message) && /replicas/.test(err.message),
  );
});
