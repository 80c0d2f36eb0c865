/**
 * The postgres driver against a real PostgreSQL (Debian's server, started on a free port by
 * test/helpers/postgres.ts) and against the embedded PGlite target.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { postgresDriver } from '../src/drivers/postgres/index.js';
import type { PostgresOp } from '../src/drivers/postgres/options.js';
import { startEmbeddedPostgres } from '../src/embedded/pglite.js';
import type { BindingSet, Generator } from '../src/engine/bindings/types.js';
import type { Driver, PreparedOp } from '../src/engine/driver.js';
import { BenchpilotError } from '../src/protocol/errors.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

function bindingSet(generators: Record<string, Generator>): BindingSet {
  return {
    has: (name) => Object.hasOwn(generators, name),
    get: (name) => {
      const generator = generators[name];
      if (!generator) throw new Error(`no binding ${name}`);
      return generator;
    },
    names: () => Object.keys(generators),
  };
}

const bindings = bindingSet({
  id: (cycle) => cycle + 1,
  name: (cycle) => `O'Brien-${cycle}; DROP TABLE items; --`,
  price: (cycle) => (cycle * 1.25).toFixed(2),
  maybe: (cycle) => (cycle % 2 === 0 ? null : `odd-${cycle}`),
  text: (cycle) => (cycle === 0 ? 'not a number' : String(cycle)),
});

function createDriver(target: Record<string, unknown>, maxInFlight = 8): Driver<PostgresOp> {
  const parsed = postgresDriver.targetSchema.parse({ driver: 'postgres', ...target });
  return postgresDriver.create(parsed, { maxInFlight, workloadName: 'test' });
}

async function prepare(
  driver: Driver<PostgresOp>,
  op: Record<string, unknown>,
  opName = 'op',
): Promise<PreparedOp> {
  return driver.prepare(postgresDriver.opSchema.parse(op) as PostgresOp, { opName, bindings });
}

interface Outcome {
  errorClass: string | null;
  message: string | undefined;
}

function execute(op: PreparedOp, cycle: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let calls = 0;
    op.execute(cycle, {
      done(errorClass: string | null, message?: string) {
        calls++;
        assert.equal(calls, 1, 'done must be called exactly once');
        resolve({ errorClass, message });
      },
    });
  });
}

async function executeAll(op: PreparedOp, cycles: number): Promise<Outcome[]> {
  return Promise.all(Array.from({ length: cycles }, (_, cycle) => execute(op, cycle)));
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<BenchpilotError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof BenchpilotError, `expected a BenchpilotError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('postgres driver against PostgreSQL', () => {
  let server: TestPostgres;
  let admin: pg.Client;

  before(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });

  after(async () => {
    await admin?.end();
    await server?.close();
  });

  test('binds parameters: values land in the rows as given, never as SQL', async () => {
    await admin.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric, note text)',
    );
    const driver = createDriver({ url: server.url, pool: 4 });
    await driver.connect();
    try {
      const insert = await prepare(driver, {
        sql: 'INSERT INTO items (id, name, price, note) VALUES ({id}, {name}, {price}, {maybe})',
      });
      const outcomes = await executeAll(insert, 200);
      assert.deepEqual(
        outcomes.filter((o) => o.errorClass !== null),
        [],
      );
      const { rows } = await admin.query(
        'SELECT id, name, price::text AS price, note FROM items ORDER BY id',
      );
      assert.equal(rows.length, 200);
      for (const [cycle, row] of rows.entries()) {
        assert.deepEqual(row, {
          id: cycle + 1,
          name: `O'Brien-${cycle}; DROP TABLE items; --`,
          price: (cycle * 1.25).toFixed(2),
          note: cycle % 2 === 0 ? null : `odd-${cycle}`,
        });
      }
      // A name used twice is one parameter; unprepared statements bind the same way.
      const update = await prepare(driver, {
        sql: "UPDATE items SET note = {name} || '/' || {id} WHERE id = {id}",
        prepared: false,
      });
      assert.equal((await execute(update, 4)).errorClass, null);
      const row = await admin.query('SELECT note FROM items WHERE id = 5');
      assert.equal(row.rows[0].note, `O'Brien-4; DROP TABLE items; --/5`);
    } finally {
      await driver.close();
    }
  });

  test('statements run in one transaction: committed together, rolled back on error', async () => {
    await admin.query(
      'CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0))',
    );
    await admin.query('INSERT INTO accounts VALUES (1, 100), (2, 0)');
    const driver = createDriver({ url: server.url, pool: 2 });
    await driver.connect();
    try {
      const transfer = await prepare(driver, {
        statements: [
          'UPDATE accounts SET balance = balance - {id} WHERE id = 1',
          'UPDATE accounts SET balance = balance + {id} WHERE id = 2',
          'INSERT INTO accounts VALUES ({id} + 100, {id})',
        ],
      });
      assert.deepEqual(await execute(transfer, 9), { errorClass: null, message: undefined }); // moves 10
      const balances = async () =>
        (await admin.query('SELECT id, balance FROM accounts ORDER BY id')).rows.map((r) => [
          r.id,
          r.balance,
        ]);
      assert.deepEqual(await balances(), [
        [1, 90],
        [2, 10],
        [110, 10],
      ]);
      // The same cycle again: the INSERT violates the primary key, so both UPDATEs roll back.
      const failed = await execute(transfer, 9);
      assert.equal(failed.errorClass, 'constraint');
      assert.match(failed.message ?? '', /^23505: duplicate key/);
      assert.deepEqual(await balances(), [
        [1, 90],
        [2, 10],
        [110, 10],
      ]);
      // The connection is usable afterwards (the transaction was rolled back, not left open).
      const again = await executeAll(transfer, 5);
      assert.deepEqual(
        again.map((o) => o.errorClass),
        [null, null, null, null, null],
      );
      // transaction: true wraps one statement; isolation is applied.
      const serializable = await prepare(driver, {
        sql: "SELECT 1 / (CASE WHEN current_setting('transaction_isolation') = 'serializable' THEN 1 ELSE 0 END)",
        transaction: true,
        isolation: 'serializable',
      });
      assert.equal((await execute(serializable, 0)).errorClass, null);
      // transaction: false runs statements one after another and stops at the first error.
      const sequential = await prepare(driver, {
        statements: ['INSERT INTO accounts VALUES ({id} + 200, 1)', 'INSERT INTO accounts VALUES (1, 1)'],
        transaction: false,
      });
      assert.equal((await execute(sequential, 0)).errorClass, 'constraint');
      const kept = await admin.query('SELECT count(*)::int AS n FROM accounts WHERE id = 201');
      assert.equal(kept.rows[0].n, 1, 'without a transaction the first insert stays');
    } finally {
      await driver.close();
    }
  });

  test('error classes: constraint, syntax, data, timeout', async () => {
    await admin.query('CREATE TABLE uniq (id int PRIMARY KEY)');
    await admin.query('INSERT INTO uniq VALUES (1)');
    const driver = createDriver({ url: server.url, pool: 2, statementTimeout: '200ms' });
    await driver.connect();
    try {
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ sql: 'INSERT INTO uniq VALUES ({id})' }, 'constraint', /^23505/],
        [{ sql: 'SELEC {id}' }, 'syntax', /^42601/],
        [{ sql: 'SELECT * FROM no_such_table WHERE id = {id}' }, 'syntax', /^42P01/],
        [{ sql: 'SELECT {text}::int' }, 'data', /^22P02/],
        [{ sql: 'SELECT pg_sleep(2), {id}' }, 'timeout', /^57014/],
      ];
      for (const [op, errorClass, message] of cases) {
        const prepared = await prepare(driver, op);
        const outcome = await execute(prepared, 0);
        assert.equal(outcome.errorClass, errorClass, JSON.stringify(op));
        assert.match(outcome.message ?? '', message);
      }
      assert.deepEqual(
        postgresDriver.errorClasses.filter((c) => ['constraint', 'syntax', 'data', 'conflict'].includes(c)),
        ['constraint', 'syntax', 'data', 'conflict'],
      );
      // A multi-statement script runs only unprepared (simple protocol) and without placeholders.
      const script = 'CREATE TABLE s1 (id int); CREATE TABLE s2 (id int); INSERT INTO s1 VALUES (1)';
      assert.equal((await execute(await prepare(driver, { sql: script }), 0)).errorClass, 'syntax');
      assert.equal(
        (await execute(await prepare(driver, { sql: script, prepared: false }), 0)).errorClass,
        null,
      );
    } finally {
      await driver.close();
    }
  });

  test('prepare rejects an op with both or neither of sql and statements, and unknown bindings', async () => {
    const driver = createDriver({ url: server.url, pool: 1 });
    await rejectsWith(
      prepare(driver, { sql: 'SELECT 1', statements: ['SELECT 2'] }),
      'BP_SPEC_INVALID_VALUE',
    );
    await rejectsWith(prepare(driver, { prepared: true }), 'BP_SPEC_MISSING_FIELD');
    await rejectsWith(
      prepare(driver, { sql: 'SELECT 1', isolation: 'serializable' }),
      'BP_SPEC_INVALID_VALUE',
    );
    const unknown = await rejectsWith(
      prepare(driver, { sql: 'SELECT {nmae}' }, 'read'),
      'BP_SPEC_UNKNOWN_BINDING',
    );
    assert.match(unknown.message, /op read: .*\{nmae\}/);
    assert.throws(() => postgresDriver.opSchema.parse({ sql: 'SELECT 1', query: 'x' }));
  });

  test('connect errors name host:port and never contain the password', async () => {
    const secret = 'S3cr3t-Passw0rd!';
    await admin.query(`CREATE ROLE bench_user LOGIN PASSWORD '${secret}'`);
    const url = `postgres://bench_user@127.0.0.1:${server.port}/postgres`;

    const wrong = await rejectsWith(
      createDriver({ url, password: `${secret}x` }).connect(),
      'BP_TARGET_AUTH',
    );
    assert.match(wrong.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
    assert.match(wrong.message, /bench_user/);
    assert.ok(!wrong.message.includes(secret), wrong.message);
    assert.ok(!JSON.stringify(wrong, Object.getOwnPropertyNames(wrong)).includes(secret));

    const missing = await rejectsWith(createDriver({ url }).connect(), 'BP_TARGET_AUTH');
    assert.match(missing.message, /target\.password/);

    const unreachable = await rejectsWith(
      createDriver({ url: 'postgres://bench_user@127.0.0.1:1/postgres', password: secret }).connect(),
      'BP_TARGET_UNREACHABLE',
    );
    assert.match(unreachable.message, /127\.0\.0\.1:1\b.*ECONNREFUSED/);
    assert.ok(!unreachable.message.includes(secret));

    const noDb = await rejectsWith(
      createDriver({ url: `postgres://postgres@127.0.0.1:${server.port}/nope` }).connect(),
      'BP_TARGET_UNREACHABLE',
    );
    assert.match(noDb.message, /no database "nope"/);

    const driver = createDriver({ url, password: secret, pool: 2 });
    await driver.connect();
    const op = await prepare(driver, { sql: 'SELECT {id}' });
    assert.equal((await execute(op, 1)).errorClass, null);
    await driver.close();
  });

  test('a lost connection fails its operations as connection errors, then is replaced', async () => {
    const driver = createDriver({ url: server.url, pool: 2, applicationName: 'bp-reconnect' });
    await driver.connect();
    try {
      const sleep = await prepare(driver, { sql: 'SELECT pg_sleep(1), {id}' });
      const running = executeAll(sleep, 2);
      await new Promise((r) => setTimeout(r, 200));
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'bp-reconnect'",
      );
      assert.equal(killed.rowCount, 2);
      const outcomes = await running;
      assert.deepEqual(
        outcomes.map((o) => o.errorClass),
        ['connection', 'connection'],
      );
      const quick = await prepare(driver, { sql: 'SELECT {id}' });
      let ok = 0;
      for (let attempt = 0; attempt < 50 && ok < 10; attempt++) {
        const outcome = await execute(quick, attempt);
        if (outcome.errorClass === null) ok++;
        else await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(ok, 10, 'operations succeed again on the replacement connections');
    } finally {
      await driver.close();
    }
  });

  test('close() cancels waiting operations', async () => {
    const driver = createDriver({ url: server.url, pool: 1 });
    await driver.connect();
    const sleep = await prepare(driver, { sql: 'SELECT pg_sleep(0.3), {id}' });
    const outcomes = executeAll(sleep, 4);
    await new Promise((r) => setTimeout(r, 50));
    await driver.close();
    const classes = (await outcomes).map((o) => o.errorClass);
    assert.deepEqual(classes.slice(1), ['cancelled', 'cancelled', 'cancelled']);
    assert.ok(classes[0] === null || classes[0] === 'cancelled');
    assert.equal((await execute(sleep, 9)).errorClass, 'cancelled');
  });
});

describe('postgres driver against embedded PGlite', () => {
  test('a pool of 8 shares one backend: statement names never collide, across drivers too', async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      const setup = createDriver({ url: embedded.url, pool: 1 });
      await setup.connect();
      const ddl = await prepare(setup, {
        sql: 'CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, note text)',
        prepared: false,
      });
      assert.equal((await execute(ddl, 0)).errorClass, null);
      await setup.close();

      for (const offset of [0, 1000]) {
        const driver = createDriver({ url: embedded.url, pool: 8, statementTimeout: '5s' });
        await driver.connect();
        const insert = await prepare(driver, {
          sql: `INSERT INTO items (id, name, price, note) VALUES ({id} + ${offset}, {name}, {price}, {maybe})`,
        });
        const order = await prepare(driver, {
          statements: [
            'UPDATE items SET note = {name} WHERE id = {id} + ' + offset,
            'SELECT count(*) FROM items WHERE id <= {id}',
          ],
        });
        const outcomes = await executeAll(insert, 100);
        assert.deepEqual(
          outcomes.filter((o) => o.errorClass !== null),
          [],
        );
        const txOutcomes = await executeAll(order, 100);
        assert.deepEqual(
          txOutcomes.filter((o) => o.errorClass !== null),
          [],
        );
        await driver.close();
      }
      const client = new pg.Client({ connectionString: embedded.url });
      await client.connect();
      const { rows } = await client.query(
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE note LIKE 'O''Brien%')::int AS noted FROM items",
      );
      await client.end();
      assert.deepEqual(rows[0], { n: 200, noted: 200 });
    } finally {
      await embedded.close();
    }
  });
});
