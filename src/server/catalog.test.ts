import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { Catalog } from './catalog.js';
import { openStore } from './state/index.js';

const WORKLOAD = `
name: uploaded-one
target: { driver: http, url: "http://127.0.0.1:1" }
phases:
  - name: main
    duration: 1s
    rate: 1
    ops:
      get: { path: / }
`;

test('uploaded workloads are written again when their data directory was lost (emptyDir, new replica)', async () => {
  const state = await mkdtemp(join(tmpdir(), 'bp-cat-state-'));
  const dataA = await mkdtemp(join(tmpdir(), 'bp-cat-a-'));
  const dataB = await mkdtemp(join(tmpdir(), 'bp-cat-b-'));
  const store = await openStore({ dataDir: state });
  try {
    const first = new Catalog(store, dataA, pino({ level: 'silent' }));
    await first.loadWorkloadDirs([]);
    await first.uploadWorkload(WORKLOAD);
    const fresh = new Catalog(store, dataB, pino({ level: 'silent' }));
    await fresh.loadWorkloadDirs([]);
    assert.equal(await fresh.restoreUploadedFiles(), 1);
    const file = join(dataB, 'workloads', 'uploaded-one.yaml');
    assert.equal(readFileSync(file, 'utf8'), WORKLOAD);
    assert.equal((await store.getWorkload('uploaded-one'))?.file, file);
    assert.equal(await fresh.restoreUploadedFiles(), 0, 'nothing to do the second time');
    assert.ok(existsSync(file));
  } finally {
    await store.close();
    for (const dir of [state, dataA, dataB]) await rm(dir, { recursive: true, force: true });
  }
});

test('targets a previous config defined are removed when the config no longer has them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-cat-'));
  const store = await openStore({ dataDir: dir });
  try {
    const catalog = new Catalog(store, dir, pino({ level: 'silent' }));
    const base = {
      driver: 'http',
      connection: { url: 'http://x' },
      secretEnv: {},
      enabled: true,
      workloads: [],
    };
    await catalog.putTarget({ ...base, name: 'kept' }, 'config');
    await catalog.putTarget({ ...base, name: 'dropped' }, 'config');
    await catalog.putTarget({ ...base, name: 'from-api' }, 'api');
    assert.deepEqual(await catalog.pruneConfigTargets(new Set(['kept'])), ['dropped']);
    assert.deepEqual((await store.listTargets()).map((t) => t.name).sort(), ['from-api', 'kept']);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
