/**
 * The state store: one suite of behaviour run against both implementations — SQLite in a temp
 * directory and a real PostgreSQL (Debian's server, started by test/helpers/postgres.ts) with a
 * fresh database for this file — then what is particular to each (files, URLs, failures).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { SeriesPoint, Setup } from '../src/protocol/api.js';
import { BenchpilotError } from '../src/protocol/errors.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { LATEST_VERSION, MIGRATIONS, openStore, SQLITE_FILE_NAME } from '../src/server/state/index.js';
import type {
  RunRecord,
  Store,
  StoredTarget,
  StoredWorkload,
  TokenRecord,
} from '../src/server/state/store.js';
import { freePort } from './helpers/api.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';

// ---------- records ----------
function target(name: string, extra: Partial<StoredTarget> = {}): StoredTarget {
  return {
    name,
    driver: 'postgres',
    connection: { host: '127.0.0.1', port: 5432, ssl: false, note: 'quote \' " \\ and ünïcødé ✓' },
    secretEnv: { password: 'PGPASSWORD' },
    enabled: true,
    workloads: ['sql-ecommerce', 'kv'],
    source: 'api',
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:00:00.000Z',
    ...extra,
  };
}

function workload(name: string, extra: Partial<StoredWorkload> = {}): StoredWorkload {
  return {
    name,
    description: null,
    driver: 'postgres',
    engine: 'benchpilot',
    source: 'shipped',
    phases: [
      { name: 'schema', kind: 'setup', rate: null, concurrency: 1, cycles: 1, durationSeconds: null },
      { name: 'main', kind: 'benchmark', rate: 500.5, concurrency: null, cycles: null, durationSeconds: 60 },
    ],
    yaml: 'target:\n  driver: postgres\nphases:\n  main:\n    rate: 500.5 # a "comment"\n\ttab\u0000nul\n',
    updatedAt: '2026-11-26T10:00:00.000Z',
    file: `/data/workloads/${name}.yaml`,
    ...extra,
  };
}

function setup(id: string, targetName: string, workloadName: string, createdAt: string): Setup {
  return {
    id,
    target: targetName,
    workload: workloadName,
    state: 'running',
    phases: [
      {
        name: 'rampup',
        state: 'running',
        done: 10,
        total: 100,
        fraction: 0.1,
        errors: 0,
        startedAt: createdAt,
        endedAt: null,
      },
    ],
    runId: `run-of-${id}`,
    error: null,
    createdAt,
    updatedAt: createdAt,
  };
}

function run(id: string, createdAt: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    kind: 'benchmark',
    target: 'pg1',
    workload: 'kv',
    phase: 'main',
    state: 'running',
    model: 'open',
    params: { rate: 1000, concurrency: null, durationSeconds: null, parallelism: 2, force: false },
    live: {
      targetRate: 1000,
      concurrency: null,
      achievedRate: 999.25,
      p50: 1.5,
      p99: 12.125,
      errors: 0,
      done: 123_456,
      fraction: null,
      elapsedSeconds: 123.4,
      paused: false,
    },
    executor: 'local',
    error: null,
    createdAt,
    startedAt: createdAt,
    endedAt: null,
    executorRecord: { pid: 4242, runDir: '/data/runs/x', attached: true, node: null },
    cursor: 17,
    spec: { workload: 'kv', overrides: [['phases.main.rate', '1000']], nested: { deep: [1, 'two', null] } },
    ...extra,
  };
}

function point(i: number): SeriesPoint {
  return {
    t: 1_764_150_000_000 + i * 1000,
    elapsed: i + 1,
    targetRate: i % 7 === 0 ? null : 1000,
    achievedRate: 990 + (i % 20) / 3,
    p50: 1 + i / 1000,
    p99: 10 + i / 100,
    errors: i % 11,
    warmup: i < 5,
    // Key order is part of what round-trips (the UI lists ops in this order).
    ops: {
      zeta: { count: i, errors: 0, p50: 1, p99: 2 },
      alpha: { count: 2 * i, errors: 1, p50: 3, p99: 4 },
    },
  };
}

function summary(workloadName: string): RunSummary {
  const latency = { p50: 1.25, p90: 3.5, p99: 9.75, p999: 20.125, max: 31, mean: 1.9, min: 0.2 };
  return {
    schemaVersion: 1,
    workload: workloadName,
    startedAt: '2026-11-26T10:00:00.000Z',
    endedAt: '2026-11-26T10:01:00.000Z',
    partition: { index: 0, count: 1, threads: 2 },
    phases: [
      {
        name: 'main',
        model: 'open',
        durationSeconds: 60,
        rate: { target: 1000, achieved: 998.7 },
        concurrency: null,
        cycles: { done: 59_922, total: null },
        lateness: { p50: 0.1, p99: 2.5, max: 7 },
        ops: [
          {
            name: 'read',
            count: 59_922,
            errors: 3,
            errorsByClass: { timeout: 2, 'server-5xx': 1 },
            errorSamples: { timeout: ['timed out after 5000 ms'], 'server-5xx': ['HTTP 503 "busy"'] },
            latency,
            serviceTime: latency,
            histogram: 'HISTFAAAACR4nJNpmSzMwMDAyQABzFCaEUzOmNZgDxFpbQYAT+wExQ==',
            serviceHistogram: 'HISTFAAAACR4nJNpmSzMwMDAyQABzFCaEUzOmNZgDxFpbQYAT+wExQ==',
          },
        ],
        thresholds: [{ expression: 'p99 < 20ms', ok: true, actual: 9.75, message: 'p99 9.75 ms < 20 ms' }],
        stoppedEarly: false,
        failure: null,
      },
    ],
    thresholdsOk: true,
  };
}

function token(id: string, hash: string, createdAt: string): TokenRecord {
  return { id, name: `token ${id}`, role: id.endsWith('v') ? 'viewer' : 'operator', hash, createdAt };
}

/** deepEqual ignores key order; the stored JSON must keep it too. */
function assertExact<T>(actual: T, expected: T): void {
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

function isStateUnavailable(pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BenchpilotError, `expected a BenchpilotError, got ${String(err)}`);
    assert.equal(err.code, 'BP_STATE_UNAVAILABLE');
    assert.match(err.message, pattern);
    return true;
  };
}

// ---------- the two backends ----------
interface Backend {
  readonly name: 'sqlite' | 'postgres';
  before(): Promise<void>;
  after(): Promise<void>;
  /** A migrated store on an empty database. */
  fresh(): Promise<Store>;
  /** Another store on the database of the last fresh(): what a restart sees. */
  reopen(): Promise<Store>;
  /** Raw SQL on that database, for what the Store API does not show. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

function sqliteBackend(): Backend {
  let root = '';
  let dataDir = '';
  let count = 0;
  return {
    name: 'sqlite',
    async before() {
      root = mkdtempSync(join(tmpdir(), 'bp-state-'));
    },
    async after() {
      rmSync(root, { recursive: true, force: true });
    },
    fresh() {
      count++;
      dataDir = join(root, `store-${count}`, 'data'); // does not exist yet: openStore creates it
      return openStore({ dataDir });
    },
    reopen() {
      return openStore({ dataDir });
    },
    async query(sql) {
      const db = new Database(join(dataDir, SQLITE_FILE_NAME));
      try {
        return db.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
  };
}

/** One PostgreSQL server for this file: the shared suite's database and the connection tests. */
let server: TestPostgres;
before(async () => {
  server = await startPostgres();
});
after(() => server.close());

function postgresBackend(): Backend {
  let url = '';
  async function sql(text: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  }
  return {
    name: 'postgres',
    async before() {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE bp_state_test');
      await admin.end();
      url = server.url.replace(/\/postgres$/, '/bp_state_test');
    },
    async after() {},
    async fresh() {
      await sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      return openStore({ dataDir: '/nonexistent/unused', databaseUrl: url });
    },
    reopen() {
      return openStore({ dataDir: '/nonexistent/unused', databaseUrl: url });
    },
    query: sql,
  };
}

// ---------- the shared suite ----------
function storeSuite(backend: Backend): void {
  describe(`state store on ${backend.name}`, () => {
    const opened: Store[] = [];
    async function fresh(): Promise<Store> {
      const store = await backend.fresh();
      opened.push(store);
      return store;
    }
    async function reopen(): Promise<Store> {
      const store = await backend.reopen();
      opened.push(store);
      return store;
    }

    before(() => backend.before());
    after(() => backend.after());
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    test('migrate records every version once; running it again, or reopening, changes nothing', async () => {
      const store = await fresh();
      assert.equal(store.kind, backend.name);
      const applied = await backend.query(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
      assert.deepEqual(
        applied.map((row) => [Number(row.version), row.name]),
        MIGRATIONS.map((m) => [m.version, m.name]),
      );
      assert.equal(Number(applied.at(-1)?.version), LATEST_VERSION);
      await store.migrate();
      await store.migrate();
      const again = await reopen();
      await again.migrate();
      assert.deepEqual(
        await backend.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version'),
        applied,
      );
      const tables = ['tokens', 'targets', 'workloads', 'setups', 'runs', 'run_series', 'results'];
      for (const table of tables) {
        const [row] = await backend.query(`SELECT COUNT(*) AS n FROM ${table}`);
        assert.equal(Number(row?.n), 0, table);
      }
    });

    test('stores opened at the same time on a new database migrate it once', async () => {
      await fresh();
      const [a, b] = await Promise.all([reopen(), reopen()]);
      await Promise.all([a.migrate(), b.migrate()]);
      const rows = await backend.query('SELECT version FROM schema_migrations');
      assert.equal(rows.length, MIGRATIONS.length);
    });

    test('a database migrated by a newer benchpilot is refused, not written', async () => {
      const store = await fresh();
      await store.putTarget(target('kept'));
      await store.close();
      opened.length = 0;
      const newer = LATEST_VERSION + 1;
      await backend.query(
        `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${newer}, 'from the future', 'x') RETURNING version`,
      );
      await assert.rejects(reopen(), isStateUnavailable(new RegExp(`schema version ${newer}, newer than`)));
      const [row] = await backend.query('SELECT COUNT(*) AS n FROM targets');
      assert.equal(Number(row?.n), 1);
    });

    test('tokens: found by hash, listed oldest first, counted; a hash is unique', async () => {
      const store = await fresh();
      assert.equal(await store.countTokens(), 0);
      const older = token('t-1v', 'a'.repeat(64), '2026-11-26T09:00:00.000Z');
      const newer = token('t-2o', 'b'.repeat(64), '2026-11-26T10:00:00.000Z');
      await store.createToken(newer);
      await store.createToken(older);
      assertExact(await store.findTokenByHash('b'.repeat(64)), newer);
      assertExact(await store.findTokenByHash('a'.repeat(64)), older);
      assert.equal(await store.findTokenByHash('c'.repeat(64)), null);
      assertExact(await store.listTokens(), [older, newer]);
      assert.equal(await store.countTokens(), 2);
      await assert.rejects(store.createToken(token('t-3o', 'a'.repeat(64), '2026-11-26T11:00:00.000Z')));
      assert.equal(await store.countTokens(), 2);
    });

    test('targets: put, get, list by name, replace and delete round-trip exactly', async () => {
      const store = await fresh();
      const b = target('pg-b');
      const a = target('pg-a', { enabled: false, source: 'config', connection: {}, workloads: [] });
      await store.putTarget(b);
      await store.putTarget(a);
      assertExact(await store.getTarget('pg-b'), b);
      assertExact(await store.listTargets(), [a, b]);
      assert.equal(await store.getTarget('missing'), null);

      const changed = target('pg-b', {
        driver: 'http',
        connection: { url: 'http://x:8080' },
        updatedAt: 'later',
      });
      await store.putTarget(changed);
      assertExact(await store.getTarget('pg-b'), changed);
      assert.equal((await store.listTargets()).length, 2);

      assert.equal(await store.deleteTarget('pg-a'), true);
      assert.equal(await store.deleteTarget('pg-a'), false);
      assert.equal(await store.getTarget('pg-a'), null);
      assertExact(await store.listTargets(), [changed]);
    });

    test('workloads: put, get, list by name, replace and delete round-trip exactly', async () => {
      const store = await fresh();
      const kv = workload('kv', { description: 'key/value with a NUL \u0000 and emoji 🚀' });
      const sql = workload('sql-ecommerce', { source: 'uploaded' });
      await store.putWorkload(sql);
      await store.putWorkload(kv);
      assertExact(await store.getWorkload('kv'), kv);
      assertExact(await store.listWorkloads(), [kv, sql]);
      const edited = workload('kv', { yaml: 'changed: true\n', phases: [] });
      await store.putWorkload(edited);
      assertExact(await store.getWorkload('kv'), edited);
      assert.equal(await store.deleteWorkload('kv'), true);
      assert.equal(await store.deleteWorkload('kv'), false);
      assert.equal(await store.getWorkload('kv'), null);
      assertExact(await store.listWorkloads(), [sql]);
    });

    test('setups: latestSetup is the newest of that target and workload; updates replace', async () => {
      const store = await fresh();
      const first = setup('s-1', 'pg1', 'kv', '2026-11-26T10:00:00.000Z');
      const second = setup('s-2', 'pg1', 'kv', '2026-11-26T11:00:00.000Z');
      const sameTimeHigherId = setup('s-3', 'pg1', 'kv', '2026-11-26T11:00:00.000Z');
      const otherWorkload = setup('s-4', 'pg1', 'sql', '2026-11-26T12:00:00.000Z');
      const otherTarget = setup('s-5', 'pg2', 'kv', '2026-11-26T13:00:00.000Z');
      for (const s of [sameTimeHigherId, otherTarget, first, otherWorkload, second]) await store.putSetup(s);

      assertExact(await store.latestSetup('pg1', 'kv'), sameTimeHigherId);
      assertExact(await store.latestSetup('pg1', 'sql'), otherWorkload);
      assertExact(await store.latestSetup('pg2', 'kv'), otherTarget);
      assert.equal(await store.latestSetup('pg2', 'sql'), null);
      assertExact(await store.getSetup('s-1'), first);
      assert.equal(await store.getSetup('nope'), null);
      assert.deepEqual(
        (await store.listSetups()).map((s) => s.id),
        ['s-5', 's-4', 's-3', 's-2', 's-1'],
      );

      const done: Setup = { ...sameTimeHigherId, state: 'succeeded', updatedAt: '2026-11-26T11:05:00.000Z' };
      await store.putSetup(done);
      assertExact(await store.latestSetup('pg1', 'kv'), done);
      assert.equal((await store.listSetups()).length, 5);
    });

    test('runs: newest first, filtered by target, workload, state and kind, limited', async () => {
      const store = await fresh();
      const runs = [
        run('r-01', '2026-11-26T10:00:00.000Z', { target: 'pg1', workload: 'kv', state: 'succeeded' }),
        run('r-02', '2026-11-26T10:01:00.000Z', { target: 'pg2', workload: 'kv', state: 'failed' }),
        run('r-03', '2026-11-26T10:02:00.000Z', { target: 'pg1', workload: 'sql', kind: 'setup' }),
        run('r-04', '2026-11-26T10:03:00.000Z', { target: 'pg1', workload: 'kv', state: 'running' }),
        // Same instant as r-04: the higher id is newer.
        run('r-05', '2026-11-26T10:03:00.000Z', { target: 'pg2', workload: 'sql', state: 'running' }),
        // Written with an offset: 10:30+02:00 is 08:30Z, the oldest.
        run('r-06', '2026-11-26T10:30:00.000+02:00', { target: 'pg1', workload: 'kv', state: 'stopped' }),
      ];
      for (const r of [...runs].reverse()) await store.putRun(r);
      const ids = async (filter: Parameters<Store['listRuns']>[0]) =>
        (await store.listRuns(filter)).map((r) => r.id);

      assert.deepEqual(await ids({}), ['r-05', 'r-04', 'r-03', 'r-02', 'r-01', 'r-06']);
      assertExact((await store.listRuns({}))[1], runs[3]);
      assert.deepEqual(await ids({ target: 'pg1' }), ['r-04', 'r-03', 'r-01', 'r-06']);
      assert.deepEqual(await ids({ workload: 'sql' }), ['r-05', 'r-03']);
      assert.deepEqual(await ids({ state: 'running' }), ['r-05', 'r-04', 'r-03']);
      assert.deepEqual(await ids({ kind: 'setup' }), ['r-03']);
      assert.deepEqual(await ids({ kind: 'benchmark', target: 'pg1', workload: 'kv' }), [
        'r-04',
        'r-01',
        'r-06',
      ]);
      assert.deepEqual(await ids({ target: 'pg1', state: 'running', kind: 'benchmark' }), ['r-04']);
      assert.deepEqual(await ids({ target: 'nope' }), []);
      assert.deepEqual(await ids({ limit: 2 }), ['r-05', 'r-04']);
      assert.deepEqual(await ids({ target: 'pg1', limit: 1 }), ['r-04']);
      await assert.rejects(store.listRuns({ limit: 0 }), RangeError);
    });

    test('runs: the default limit is 100', async () => {
      const store = await fresh();
      for (let i = 0; i < 105; i++) {
        const second = String(i % 60).padStart(2, '0');
        const minute = String(Math.floor(i / 60)).padStart(2, '0');
        await store.putRun(run(`r-${String(i).padStart(3, '0')}`, `2026-11-26T10:${minute}:${second}.000Z`));
      }
      const listed = await store.listRuns({});
      assert.equal(listed.length, 100);
      assert.equal(listed[0]?.id, 'r-104');
      assert.equal(listed[99]?.id, 'r-005');
      assert.equal((await store.listRuns({ limit: 1000 })).length, 105);
    });

    test('runs: putRun on an existing id replaces the record and its filter columns', async () => {
      const store = await fresh();
      const original = run('r-1', '2026-11-26T10:00:00.000Z', { state: 'running' });
      await store.putRun(original);
      await store.putRun(run('r-2', '2026-11-26T10:01:00.000Z'));
      const finished: RunRecord = {
        ...original,
        state: 'succeeded',
        endedAt: '2026-11-26T10:05:00.000Z',
        live: null,
        cursor: 901,
        executorRecord: {},
      };
      await store.putRun(finished);
      assertExact(await store.getRun('r-1'), finished);
      assert.deepEqual(
        (await store.listRuns({ state: 'running' })).map((r) => r.id),
        ['r-2'],
      );
      assertExact(await store.listRuns({ state: 'succeeded' }), [finished]);
      assert.equal((await store.listRuns({})).length, 2);
      assert.equal(await store.getRun('missing'), null);
    });

    test("deleteRun deletes the run's series and result, and nothing of other runs", async () => {
      const store = await fresh();
      await store.putRun(run('gone', '2026-11-26T10:00:00.000Z'));
      await store.putRun(run('kept', '2026-11-26T10:01:00.000Z'));
      for (let i = 0; i < 3; i++) {
        await store.appendSeries('gone', point(i));
        await store.appendSeries('kept', point(i));
      }
      await store.putResult('gone', summary('kv'));
      await store.putResult('kept', summary('kv'));

      assert.equal(await store.deleteRun('gone'), true);
      assert.equal(await store.getRun('gone'), null);
      assert.deepEqual(await store.listSeries('gone'), []);
      assert.equal(await store.getResult('gone'), null);
      const [rows] = await backend.query("SELECT COUNT(*) AS n FROM run_series WHERE run_id = 'gone'");
      assert.equal(Number(rows?.n), 0);

      assert.equal((await store.getRun('kept'))?.id, 'kept');
      assert.equal((await store.listSeries('kept')).length, 3);
      assertExact(await store.getResult('kept'), summary('kv'));
      assert.equal(await store.deleteRun('gone'), false);

      // A new run may reuse the id and starts its series from the beginning.
      await store.putRun(run('gone', '2026-11-26T11:00:00.000Z'));
      await store.appendSeries('gone', point(7));
      assertExact(await store.listSeries('gone'), [point(7)]);
    });

    test('series: 1000 points of two interleaved runs come back in the order appended', async () => {
      const store = await fresh();
      const a: SeriesPoint[] = [];
      const b: SeriesPoint[] = [];
      for (let i = 0; i < 1000; i++) {
        // t goes backwards for b: order is the append order, not time.
        const pa = point(i);
        const pb = { ...point(i), t: 2_000_000_000_000 - i };
        a.push(pa);
        b.push(pb);
        await store.appendSeries('run-a', pa);
        if (i % 2 === 0) await store.appendSeries('run-b', pb);
      }
      assertExact(await store.listSeries('run-a'), a);
      assertExact(
        await store.listSeries('run-b'),
        b.filter((_, i) => i % 2 === 0),
      );
      assert.deepEqual(await store.listSeries('run-none'), []);
      const seqs = await backend.query("SELECT seq FROM run_series WHERE run_id = 'run-b' ORDER BY seq");
      assert.deepEqual(
        seqs.map((row) => Number(row.seq)),
        Array.from({ length: 500 }, (_, i) => i + 1),
      );
    });

    test('results: put, get and replace round-trip exactly', async () => {
      const store = await fresh();
      const first = summary('kv');
      await store.putResult('r-1', first);
      assertExact(await store.getResult('r-1'), first);
      assert.equal(await store.getResult('r-2'), null);
      const merged: RunSummary = {
        ...summary('kv'),
        partition: { index: 0, count: 4, threads: 8 },
        thresholdsOk: false,
      };
      await store.putResult('r-1', merged);
      assertExact(await store.getResult('r-1'), merged);
    });

    test('everything survives close and reopen', async () => {
      const store = await fresh();
      const tok = token('t-1o', 'd'.repeat(64), '2026-11-26T09:00:00.000Z');
      const t = target('pg1');
      const w = workload('kv');
      const s = setup('s-1', 'pg1', 'kv', '2026-11-26T10:00:00.000Z');
      const r = run('r-1', '2026-11-26T10:00:00.000Z');
      await store.createToken(tok);
      await store.putTarget(t);
      await store.putWorkload(w);
      await store.putSetup(s);
      await store.putRun(r);
      await store.appendSeries('r-1', point(0));
      await store.appendSeries('r-1', point(1));
      await store.putResult('r-1', summary('kv'));
      await store.close();
      await store.close(); // closing twice is harmless
      opened.length = 0;

      const again = await reopen();
      assertExact(await again.findTokenByHash('d'.repeat(64)), tok);
      assertExact(await again.listTargets(), [t]);
      assertExact(await again.listWorkloads(), [w]);
      assertExact(await again.latestSetup('pg1', 'kv'), s);
      assertExact(await again.listRuns({}), [r]);
      await again.appendSeries('r-1', point(2));
      assertExact(await again.listSeries('r-1'), [point(0), point(1), point(2)]);
      assertExact(await again.getResult('r-1'), summary('kv'));
    });
  });
}

const sqlite = sqliteBackend();
const postgres = postgresBackend();
storeSuite(sqlite);
storeSuite(postgres);

// ---------- particular to SQLite ----------
describe('SQLite state file', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'bp-state-sqlite-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('openStore without a DATABASE_URL creates <dataDir>/state.db in WAL mode', async () => {
    const dataDir = join(root, 'a', 'b');
    const store = await openStore({ dataDir });
    try {
      assert.equal(store.kind, 'sqlite');
      const file = join(dataDir, 'state.db');
      assert.ok(existsSync(file));
      const db = new Database(file, { readonly: true });
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      db.close();
    } finally {
      await store.close();
    }
  });

  test('a data directory that is a file gives BP_STATE_UNAVAILABLE naming the path', async () => {
    const notADir = join(root, 'plain-file');
    writeFileSync(notADir, 'x');
    await assert.rejects(
      openStore({ dataDir: notADir }),
      isStateUnavailable(/plain-file\/state\.db: the data directory path is a file/),
    );
  });

  test('a state.db that is not a database gives BP_STATE_UNAVAILABLE with what to do', async () => {
    const dataDir = join(root, 'garbage');
    await openStore({ dataDir }).then((s) => s.close());
    rmSync(join(dataDir, 'state.db-wal'), { force: true });
    rmSync(join(dataDir, 'state.db-shm'), { force: true });
    writeFileSync(join(dataDir, 'state.db'), 'this is not an SQLite file, just some text '.repeat(200));
    await assert.rejects(openStore({ dataDir }), isStateUnavailable(/not a benchpilot state database/));
  });
});

// ---------- particular to PostgreSQL ----------
describe('PostgreSQL connection', () => {
  const password = 'pw-Sekr3t-do-not-print';
  let port = 0;
  before(async () => {
    port = server.port;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE ROLE bp_user LOGIN PASSWORD '${password}'`);
    await admin.query('CREATE DATABASE bp_conn_test OWNER bp_user');
    await admin.end();
  });

  test('openStore with a DATABASE_URL uses PostgreSQL with a password and writes no file', async () => {
    const dataDir = join(tmpdir(), `bp-state-unused-${process.pid}`);
    const store = await openStore({
      dataDir,
      databaseUrl: `postgres://bp_user:${password}@127.0.0.1:${port}/bp_conn_test`,
    });
    try {
      assert.equal(store.kind, 'postgres');
      await store.putTarget(target('pg1'));
      assertExact(await store.listTargets(), [target('pg1')]);
      assert.equal(existsSync(dataDir), false);
    } finally {
      await store.close();
    }
  });

  /** The password appears nowhere a user or a log could see it. */
  function withoutPassword(pattern: RegExp) {
    return (err: unknown) => {
      isStateUnavailable(pattern)(err);
      const error = err as BenchpilotError;
      for (const text of [error.message, error.describe(), String(error.cause), JSON.stringify(error)]) {
        assert.ok(!text.includes(password), `password leaked in: ${text}`);
        assert.ok(!text.includes('wrong-pw-123'), `password leaked in: ${text}`);
      }
      assert.match(error.message, /postgres:\/\/bp_user:\*\*\*@127\.0\.0\.1:\d+\/bp_conn_test/);
      return true;
    };
  }

  test('a wrong password is BP_STATE_UNAVAILABLE "authentication failed" and never printed', async () => {
    await assert.rejects(
      openStore({
        dataDir: root(),
        databaseUrl: `postgres://bp_user:wrong-pw-123@127.0.0.1:${port}/bp_conn_test`,
      }),
      withoutPassword(/authentication failed: check the user and password/),
    );
  });

  test('nothing listening is BP_STATE_UNAVAILABLE "connection refused"', async () => {
    const closedPort = await freePort();
    await assert.rejects(
      openStore({
        dataDir: root(),
        databaseUrl: `postgres://bp_user:${password}@127.0.0.1:${closedPort}/bp_conn_test`,
      }),
      withoutPassword(/connection refused: check the host and port/),
    );
  });

  test('a missing database is BP_STATE_UNAVAILABLE saying to create it', async () => {
    await assert.rejects(
      openStore({ dataDir: root(), databaseUrl: `postgres://postgres@127.0.0.1:${port}/no_such_db` }),
      isStateUnavailable(/database does not exist: create it/),
    );
  });

  test('a DATABASE_URL that is not a postgres URL is refused without echoing it', async () => {
    await assert.rejects(
      openStore({ dataDir: root(), databaseUrl: `mysql://bp_user:${password}@127.0.0.1/x` }),
      (err: unknown) => {
        isStateUnavailable(/must be a postgres:\/\/user:password@host:port\/database URL/)(err);
        assert.ok(!(err as Error).message.includes(password));
        return true;
      },
    );
  });
});

function root(): string {
  return join(tmpdir(), 'bp-state-never-created');
}
