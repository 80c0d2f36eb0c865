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

test('connections never run inside one another: parameters, transactions, dropped clients', async () => {
  const embedded = await startEmbeddedPostgres({ maxConnections: 8 });
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const client = new pg.Client({ connectionString: embedded.url });
      await client.connect();
      clients.push(client);
    }
    await clients[0]!.query('CREATE TABLE t (id int PRIMARY KEY)');
    // pglite-socket's own queue hangs on this mix within seconds, or answers with another
    // connection's portal ("portal does not exist", wrong values).
    let wrong = 0;
    await Promise.all(
      clients.map(async (client, w) => {
        for (let i = 0; i < 60; i++) {
          const value = w * 1000 + i;
          const query = { name: `s${w}`, text: 'SELECT $1::int AS v', values: [value] };
          if (w % 2 === 1) {
            await client.query('BEGIN');
            await client.query({ name: `i${w}`, text: 'INSERT INTO t VALUES ($1)', values: [value] });
            const { rows } = await client.query(query);
            await client.query('COMMIT');
            if (rows[0].v !== value) wrong++;
          } else {
            const { rows } = await client.query(query);
            if (rows[0].v !== value) wrong++;
          }
        }
      }),
    );
    assert.equal(wrong, 0);
    const count = await clients[0]!.query('SELECT count(*)::int AS n FROM t');
    assert.equal(count.rows[0].n, 4 * 60);

    // A client that disappears inside a transaction: its work is rolled back, the others go on.
    const dropped = clients.pop()!;
    dropped.on('error', () => {});
    await dropped.query('BEGIN');
    await dropped.query('INSERT INTO t VALUES (-1)');
    (dropped as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const after = await clients[0]!.query('SELECT count(*)::int AS n FROM t WHERE id = -1');
    assert.equal(after.rows[0].n, 0);

    // Over the limit: a proper PostgreSQL error, not a broken stream.
    const extra = [
      new pg.Client({ connectionString: embedded.url }),
      new pg.Client({ connectionString: embedded.url }),
    ];
    for (const client of extra) client.on('error', () => {});
    await extra[0]!.connect();
    await assert.rejects(extra[1]!.connect(), (err: unknown) => {
      assert.equal((err as { code?: string }).code, '53300');
      return true;
    });
    await extra[0]!.end();
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
    await embedded.close();
  }
});
