import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { BenchpilotError } from '../protocol/errors.js';
import { startEmbeddedPostgres } from './pglite.js';

test('embedded PostgreSQL serves a pg.Pool of 8 on a free port', async () => {
  const embedded = await startEmbeddedPostgres();
  try {
    assert.ok(embedded.port > 0);
    assert.equal(embedded.url, `postgres://postgres@127.0.0.1:${embedded.port}/postgres`);
    const pool = new pg.Pool({ connectionString: embedded.url, max: 8 });
    try {
      await pool.query('CREATE TABLE kv (k int PRIMARY KEY, v text)');
      await Promise.all(
        Array.from({ length: 64 }, (_, i) => pool.query('INSERT INTO kv VALUES ($1, $2)', [i, `v${i}`])),
      );
      const counts = await Promise.all(
        Array.from({ length: 16 }, () => pool.query('SELECT count(*)::int AS n FROM kv')),
      );
      assert.deepEqual(
        counts.map((r) => r.rows[0].n),
        Array(16).fill(64),
      );
      assert.equal(pool.totalCount, 8);
      const { rows } = await pool.query('SELECT v FROM kv WHERE k = $1', [42]);
      assert.deepEqual(rows, [{ v: 'v42' }]);
    } finally {
      await pool.end();
    }
    // A port that is taken is a usage error that says what to do.
    await assert.rejects(startEmbeddedPostgres({ port: embedded.port }), (err: unknown) => {
      assert.ok(err instanceof BenchpilotError);
      assert.equal(err.code, 'BP_USAGE');
      assert.match(err.message, new RegExp(`port ${embedded.port} .*in use.*0 for a free one`));
      return true;
    });
  } finally {
    await embedded.close();
    await embedded.close(); // idempotent
  }
});
