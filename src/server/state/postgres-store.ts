/**
 * The state store on PostgreSQL (DATABASE_URL): for more than one replica or an external
 * database. Same schema and migrations as SQLite. The URL's password is never logged or put in
 * an error message: errors name the URL as redactUrl() prints it.
 */
import pg from 'pg';
import type { SeriesPoint, Setup } from '../../protocol/api.js';
import { isBenchpilotError } from '../../protocol/errors.js';
import type { RunSummary } from '../../protocol/summary.js';
import {
  assertSchemaNotNewer,
  orderKey,
  redactUrl,
  runLimit,
  stateUnavailable,
  type TokenRow,
  tokenFromRow,
} from './common.js';
import { migrationSql, pendingMigrations, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import type { RunFilter, RunRecord, Store, StoredTarget, StoredWorkload, TokenRecord } from './store.js';

/** Serialises migrate() across replicas starting together (an arbitrary constant: "bpstate"). */
const MIGRATION_LOCK_KEY = 0x62707374;
const CONNECT_TIMEOUT_MS = 10_000;
const UNIQUE_VIOLATION = '23505';

/** Where pino-compatible loggers plug in; optional. */
export interface StateLogger {
  warn(obj: object, msg: string): void;
}

function parseDoc<T>(rows: { doc: string }[]): T | null {
  const row = rows[0];
  return row === undefined ? null : (JSON.parse(row.doc) as T);
}

function parseDocs<T>(rows: { doc: string }[]): T[] {
  return rows.map((row) => JSON.parse(row.doc) as T);
}

/** Connection-level failures (not errors in our SQL) and what to do about them; null otherwise. */
function describePgFailure(err: unknown): string | null {
  const code = String((err as { code?: unknown }).code ?? '');
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: check the host and port, and that PostgreSQL is running and listening there';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve: check the host in DATABASE_URL';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the server cannot be reached: check the host, the network and firewalls';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was reset: check the server log and any proxy between';
    case '28P01':
    case '28000':
      return 'authentication failed: check the user and password in DATABASE_URL and pg_hba.conf';
    case '3D000':
      return 'the database does not exist: create it (createdb NAME) or fix the database name in DATABASE_URL';
    case '53300':
      return 'the server has too many connections: raise max_connections or lower other clients';
    case '57P01':
    case '57P02':
    case '57P03':
      return 'the server is shutting down or starting up: retry once it is up';
  }
  if (code.startsWith('08')) return `connection failure (${message})`;
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return `${message}: check that the server is up and reachable`;
  }
  return null;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  /** The URL without its password, safe to print. */
  readonly where: string;
  readonly #pool: pg.Pool;
  #closed: Promise<void> | undefined;

  private constructor(where: string, pool: pg.Pool) {
    this.where = where;
    this.#pool = pool;
  }

  /** Creates the pool (no connection is made until the first query); call migrate() next. */
  static open(databaseUrl: string, logger?: StateLogger): PostgresStore {
    const where = redactUrl(databaseUrl);
    let protocol = '';
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      throw stateUnavailable(
        `DATABASE_URL must be a postgres://user:password@host:port/database URL; got ${where}`,
      );
    }
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      application_name: 'benchpilot',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      max: 10,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on('error', (err) => {
      logger?.warn(
        { err: { message: err.message, code: (err as { code?: string }).code } },
        'state store: idle PostgreSQL connection failed',
      );
    });
    return new PostgresStore(where, pool);
  }

  #wrap(err: unknown): unknown {
    if (isBenchpilotError(err)) return err;
    const reason = describePgFailure(err);
    return reason === null ? err : stateUnavailable(`cannot use PostgreSQL at ${this.where}: ${reason}`, err);
  }

  async #query<R extends pg.QueryResultRow>(
    text: string | pg.QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return typeof text === 'string'
        ? await this.#pool.query<R>(text, values)
        : await this.#pool.query<R>(text);
    } catch (err) {
      throw this.#wrap(err);
    }
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw this.#wrap(err);
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw this.#wrap(err);
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw this.#wrap(err);
    }
    try {
      // A session lock: replicas starting together wait here, and find the work done.
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        await client.query(SCHEMA_MIGRATIONS_DDL);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((row) => row.version));
        assertSchemaNotNewer(applied, this.where);
        for (const migration of pendingMigrations(applied)) {
          await client.query('BEGIN');
          try {
            await client.query(migrationSql(migration, 'postgres'));
            await client.query(
              'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
              [migration.version, migration.name, new Date().toISOString()],
            );
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
      }
    } catch (err) {
      throw this.#wrap(err);
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#pool.end();
    return this.#closed;
  }

  // ---------- tokens ----------
  async createToken(token: TokenRecord): Promise<void> {
    await this.#query('INSERT INTO tokens (id, name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
      token.id,
      token.name,
      token.role,
      token.hash,
      token.createdAt,
    ]);
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | null> {
    const { rows } = await this.#query<TokenRow>(
      'SELECT id, name, role, hash, created_at FROM tokens WHERE hash = $1',
      [hash],
    );
    return rows[0] === undefined ? null : tokenFromRow(rows[0]);
  }

  async listTokens(): Promise<TokenRecord[]> {
    const { rows } = await this.#query<TokenRow>(
      'SELECT id, name, role, hash, created_at FROM tokens ORDER BY created_at, id',
    );
    return rows.map(tokenFromRow);
  }

  async countTokens(): Promise<number> {
    const { rows } = await this.#query<{ n: string }>('SELECT COUNT(*) AS n FROM tokens');
    return Number(rows[0]?.n ?? 0);
  }

  // ---------- targets and workloads ----------
  async listTargets(): Promise<StoredTarget[]> {
    return parseDocs((await this.#query<{ doc: string }>('SELECT doc FROM targets ORDER BY name')).rows);
  }

  async getTarget(name: string): Promise<StoredTarget | null> {
    return parseDoc(
      (await this.#query<{ doc: string }>('SELECT doc FROM targets WHERE name = $1', [name])).rows,
    );
  }

  async putTarget(target: StoredTarget): Promise<void> {
    await this.#query(
      'INSERT INTO targets (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc',
      [target.name, JSON.stringify(target)],
    );
  }

  async deleteTarget(name: string): Promise<boolean> {
    return ((await this.#query('DELETE FROM targets WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  async listWorkloads(): Promise<StoredWorkload[]> {
    return parseDocs((await this.#query<{ doc: string }>('SELECT doc FROM workloads ORDER BY name')).rows);
  }

  async getWorkload(name: string): Promise<StoredWorkload | null> {
    return parseDoc(
      (await this.#query<{ doc: string }>('SELECT doc FROM workloads WHERE name = $1', [name])).rows,
    );
  }

  async putWorkload(workload: StoredWorkload): Promise<void> {
    await this.#query(
      'INSERT INTO workloads (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc',
      [workload.name, JSON.stringify(workload)],
    );
  }

  async deleteWorkload(name: string): Promise<boolean> {
    return ((await this.#query('DELETE FROM workloads WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }

  // ---------- setups ----------
  async listSetups(): Promise<Setup[]> {
    return parseDocs(
      (await this.#query<{ doc: string }>('SELECT doc FROM setups ORDER BY created_at DESC, id DESC')).rows,
    );
  }

  async getSetup(id: string): Promise<Setup | null> {
    return parseDoc((await this.#query<{ doc: string }>('SELECT doc FROM setups WHERE id = $1', [id])).rows);
  }

  async latestSetup(target: string, workload: string): Promise<Setup | null> {
    const { rows } = await this.#query<{ doc: string }>(
      'SELECT doc FROM setups WHERE target = $1 AND workload = $2 ORDER BY created_at DESC, id DESC LIMIT 1',
      [target, workload],
    );
    return parseDoc(rows);
  }

  async putSetup(setup: Setup): Promise<void> {
    await this.#query(
      `INSERT INTO setups (id, target, workload, created_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET target = EXCLUDED.target, workload = EXCLUDED.workload,
         created_at = EXCLUDED.created_at, doc = EXCLUDED.doc`,
      [setup.id, setup.target, setup.workload, orderKey(setup.createdAt), JSON.stringify(setup)],
    );
  }

  // ---------- runs ----------
  async listRuns(filter: RunFilter): Promise<RunRecord[]> {
    const where: string[] = [];
    const values: (string | number)[] = [];
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      values.push(value);
      where.push(`${column} = $${values.length}`);
    };
    add('target', filter.target);
    add('workload', filter.workload);
    add('state', filter.state);
    add('kind', filter.kind);
    values.push(runLimit(filter.limit));
    const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const sql = `SELECT doc FROM runs${clause} ORDER BY created_at DESC, id DESC LIMIT $${values.length}`;
    return parseDocs((await this.#query<{ doc: string }>(sql, values)).rows);
  }

  async getRun(id: string): Promise<RunRecord | null> {
    return parseDoc((await this.#query<{ doc: string }>('SELECT doc FROM runs WHERE id = $1', [id])).rows);
  }

  async putRun(run: RunRecord): Promise<void> {
    await this.#query(
      `INSERT INTO runs (id, kind, target, workload, state, created_at, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, target = EXCLUDED.target,
         workload = EXCLUDED.workload, state = EXCLUDED.state, created_at = EXCLUDED.created_at,
         doc = EXCLUDED.doc`,
      [run.id, run.kind, run.target, run.workload, run.state, orderKey(run.createdAt), JSON.stringify(run)],
    );
  }

  async deleteRun(id: string): Promise<boolean> {
    return this.#transaction(async (client) => {
      await client.query('DELETE FROM run_series WHERE run_id = $1', [id]);
      await client.query('DELETE FROM results WHERE run_id = $1', [id]);
      return ((await client.query('DELETE FROM runs WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  // ---------- series and results ----------
  async appendSeries(runId: string, point: SeriesPoint): Promise<void> {
    // A named statement is parsed and planned once per connection; the next seq comes from the
    // primary key's last entry. Two writers of one run could race for a seq: the loser retries.
    const statement = {
      name: 'bp_append_series',
      text: `INSERT INTO run_series (run_id, seq, t, doc)
             SELECT $1::text, COALESCE(MAX(seq), 0) + 1, $2::double precision, $3::text
             FROM run_series WHERE run_id = $1::text`,
      values: [runId, point.t, JSON.stringify(point)],
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#query(statement);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION || attempt === 3) throw err;
      }
    }
  }

  async listSeries(runId: string): Promise<SeriesPoint[]> {
    return parseDocs(
      (
        await this.#query<{ doc: string }>('SELECT doc FROM run_series WHERE run_id = $1 ORDER BY seq', [
          runId,
        ])
      ).rows,
    );
  }

  async putResult(runId: string, summary: RunSummary): Promise<void> {
    await this.#query(
      'INSERT INTO results (run_id, doc) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET doc = EXCLUDED.doc',
      [runId, JSON.stringify(summary)],
    );
  }

  async getResult(runId: string): Promise<RunSummary | null> {
    return parseDoc(
      (await this.#query<{ doc: string }>('SELECT doc FROM results WHERE run_id = $1', [runId])).rows,
    );
  }
}
