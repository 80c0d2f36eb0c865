import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runnerEnvOf } from './run-manager.js';

test("a runner gets only the variables its workload and target name, never the server's secrets", () => {
  const serverEnv = {
    DATABASE_URL: 'postgres://state:secret@db/state',
    BENCHPILOT_OPERATOR_TOKEN: 'bp_operator',
    PGPASSWORD: 'pg-secret',
    BENCHPILOT_HTTP_URL: 'http://api:8080',
    UNRELATED: 'x',
  };
  const yaml =
    'target: { url: "${BENCHPILOT_HTTP_URL}", dsn: "${DATABASE_URL}", token: "${BENCHPILOT_OPERATOR_TOKEN}", m: "${MISSING}" }';
  const { env, refused } = runnerEnvOf({ password: 'PGPASSWORD' }, yaml, serverEnv);
  assert.deepEqual(env, { PGPASSWORD: 'pg-secret', BENCHPILOT_HTTP_URL: 'http://api:8080' });
  assert.deepEqual(refused.sort(), ['BENCHPILOT_OPERATOR_TOKEN', 'DATABASE_URL']);
});
