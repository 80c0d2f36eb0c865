import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isBenchpilotError } from '../protocol/errors.js';
import { authenticate, ensureGivenToken } from './auth.js';
import { openStore } from './state/index.js';

test('a token given from outside (the chart Secret) becomes a valid operator token, once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-auth-'));
  const store = await openStore({ dataDir: dir });
  try {
    const token = 'chart-generated-token-0123456789';
    assert.equal(await ensureGivenToken(store, 'configured-operator', 'operator', token), true);
    assert.equal(
      await ensureGivenToken(store, 'configured-operator', 'operator', token),
      false,
      'a restart adds nothing',
    );
    assert.equal(await store.countTokens(), 1);
    assert.deepEqual(await authenticate(store, `Bearer ${token}`), {
      name: 'configured-operator',
      role: 'operator',
    });
    await assert.rejects(
      ensureGivenToken(store, 'configured-operator', 'operator', 'short'),
      (err: unknown) => isBenchpilotError(err) && err.code === 'BP_USAGE',
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
