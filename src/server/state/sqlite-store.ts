/**
 * The state store on one SQLite file (`<dataDir>/state.db`): the embedded default. WAL mode so
 * readers never wait for the writer; a busy timeout so a second process waits instead of failing.
 * better-sqlite3 is synchronous; the methods are async only to share the Store interface.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunState, SeriesPoint, Setup } from '../../protocol/api.js';
import type { RunSummary } from '../../protocol/summary.js';
import {
  assertSchemaNotNewer,
  orderKey,
  runLimit,
  stateUnavailable,
  type TokenRow,
  tokenFromRow,
} from './common.js';
import { migrationSql, pendingMigrations, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import type { RunFilter, RunRecord, Store, StoredTarget, StoredWorkload, TokenRecord } from './store.js';

export const SQLITE_FILE_NAME = 'state.db';
const BUSY_TIMEOUT_MS = 5000;

type Statement = Database.Statement<unknown[], unknown>;

interface DocRow {
  doc: string;
}

function parseDoc<T>(row: unknown): T | null {
  return row === undefined ? null : (JSON.parse((row as DocRow).doc) as T);
}

function parseDocs<T>(rows: unknown[]): T[] {
  return rows.map((row) => JSON.parse((row as DocRow).doc) as T);
}

/** Failures of the file itself (not of our SQL) become BP_STATE_UNAVAILABLE with the cause. */
function describeSqliteFailure(err: unknown): string | null {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED') {
    return `another process holds a lock on it for more than ${BUSY_TIMEOUT_MS / 1000} s; stop the other benchpilot using this data directory`;
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return 'it is not a benchpilot state database or is damaged; move it away or restore a backup';
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code.startsWith('SQLITE_READONLY')) {
    return 'it cannot be opened for writing; check the permissions of the file and its directory';
  }
  if (code === 'SQLITE_FULL') return 'the disk is full; free space';
  if (code.startsWith('SQLITE_IOERR')) return `an I/O error (${code}); check the disk`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return 'the data directory cannot be created or written; check its permissions or pass another --data-dir';
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'the data directory path is a file, not a directory';
  return null;
}

function wrap(err: unknown, file: string): unknown {
  const reason = describeSqliteFailure(err);
  return reason === null ? err : stateUnavailable(`cannot use the state file ${file}: ${reason}`, err);
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
  }

  /** Opens (creating the directory and file) `<dataDir>/state.db`; call migrate() next. */
  static open(dataDir: string): SqliteStore {
    const file = join(dataDir, SQLITE_FILE_NAME);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      // With WAL, NORMAL loses at most the last commits on power loss, never consistency.
      db.pragma('synchronous = NORMAL');
      return new SqliteStore(file, db);
    } catch (err) {
      db?.close();
      throw wrap(err, file);
    }
  }

  /** One prepared statement per SQL text, prepared on first use. */
  #stmt(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(wrap(err, this.file));
    }
  }

  migrate(): Promise<void> {
    return this.#guard(() => {
      this.#db.exec(SCHEMA_MIGRATIONS_DDL);
      const appliedVersions = () =>
        new Set(
          (this.#db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
            (row) => row.version,
          ),
        );
      assertSchemaNotNewer(appliedVersions(), this.file);
      for (const migration of pendingMigrations(appliedVersions())) {
        // IMMEDIATE takes the write lock first, so two processes starting together apply it once.
        const apply = this.#db.transaction(() => {
          if (appliedVersions().has(migration.version)) return;
          this.#db.exec(migrationSql(migration, 'sqlite'));
          this.#db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(migration.version, migration.name, new Date().toISOString());
        });
        apply.immediate();
      }
    });
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }

  // ---------- tokens ----------
  createToken(token: TokenRecord): Promise<void> {
    return this.#guard(() => {
      this.#stmt('INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        token.id,
        token.name,
        token.role,
        token.hash,
        token.createdAt,
      );
    });
  }

  findTokenByHash(hash: string): Promise<TokenRecord | null> {
    return this.#guard(() => {
      const row = this.#stmt('SELECT id, name, role, hash, created_at FROM tokens WHERE hash = ?').get(hash);
      return row === undefined ? null : tokenFromRow(row as TokenRow);
    });
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.#guard(() =>
      (
        this.#stmt(
          'SELECT id, name, role, hash, created_at FROM tokens ORDER BY created_at, id',
        ).all() as TokenRow[]
      ).map(tokenFromRow),
    );
  }

  countTokens(): Promise<number> {
    return this.#guard(() => (this.#stmt('SELECT COUNT(*) AS n FROM tokens').get() as { n: number }).n);
  }

  // ---------- targets and workloads ----------
  listTargets(): Promise<StoredTarget[]> {
    return this.#guard(() =>
      parseDocs<StoredTarget>(this.#stmt('SELECT doc FROM targets ORDER BY name').all()),
    );
  }

  getTarget(name: string): Promise<StoredTarget | null> {
    return this.#guard(() =>
      parseDoc<StoredTarget>(this.#stmt('SELECT doc FROM targets WHERE name = ?').get(name)),
    );
  }

  putTarget(target: StoredTarget): Promise<void> {
    return this.#guard(() => {
      this.#stmt(
        'INSERT INTO targets (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc',
      ).run(target.name, JSON.stringify(target));
    });
  }

  deleteTarget(name: string): Promise<boolean> {
    return this.#guard(() => this.#stmt('DELETE FROM targets WHERE name = ?').run(name).changes > 0);
  }

  listWorkloads(): Promise<StoredWorkload[]> {
    return this.#guard(() =>
      parseDocs<StoredWorkload>(this.#stmt('SELECT doc FROM workloads ORDER BY name').all()),
    );
  }

  getWorkload(name: string): Promise<StoredWorkload | null> {
    return this.#guard(() =>
      parseDoc<StoredWorkload>(this.#stmt('SELECT doc FROM workloads WHERE name = ?').get(name)),
    );
  }

  putWorkload(workload: StoredWorkload): Promise<void> {
    return this.#guard(() => {
      this.#stmt(
        'INSERT INTO workloads (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc',
      ).run(workload.name, JSON.stringify(workload));
    });
  }

  deleteWorkload(name: string): Promise<boolean> {
    return this.#guard(() => this.#stmt('DELETE FROM workloads WHERE name = ?').run(name).changes > 0);
  }

  // ---------- setups ----------
  listSetups(): Promise<Setup[]> {
    return this.#guard(() =>
      parseDocs<Setup>(this.#stmt('SELECT doc FROM setups ORDER BY created_at DESC, id DESC').all()),
    );
  }

  getSetup(id: string): Promise<Setup | null> {
    return this.#guard(() => parseDoc<Setup>(this.#stmt('SELECT doc FROM setups WHERE id = ?').get(id)));
  }

  latestSetup(target: string, workload: string): Promise<Setup | null> {
    return this.#guard(() =>
      parseDoc<Setup>(
        this.#stmt(
          'SELECT doc FROM setups WHERE target = ? AND workload = ? ORDER BY created_at DESC, id DESC LIMIT 1',
        ).get(target, workload),
      ),
    );
  }

  putSetup(setup: Setup): Promise<void> {
    return this.#guard(() => {
      this.#stmt(
        `INSERT INTO setups (id, target, workload, created_at, doc) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET target = excluded.target, workload = excluded.workload,
           created_at = excluded.created_at, doc = excluded.doc`,
      ).run(setup.id, setup.target, setup.workload, orderKey(setup.createdAt), JSON.stringify(setup));
    });
  }

  // ---------- runs ----------
  listRuns(filter: RunFilter): Promise<RunRecord[]> {
    return this.#guard(() => {
      const where: string[] = [];
      const values: (string | number)[] = [];
      const add = (column: string, value: string | undefined) => {
        if (value === undefined) return;
        where.push(`${column} = ?`);
        values.push(value);
      };
      add('target', filter.target);
      add('workload', filter.workload);
      add('state', filter.state satisfies RunState | undefined);
      add('kind', filter.kind);
      values.push(runLimit(filter.limit));
      const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
      const sql = `SELECT doc FROM runs${clause} ORDER BY created_at DESC, id DESC LIMIT ?`;
      return parseDocs<RunRecord>(this.#stmt(sql).all(...values));
    });
  }

  getRun(id: string): Promise<RunRecord | null> {
    return this.#guard(() => parseDoc<RunRecord>(this.#stmt('SELECT doc FROM runs WHERE id = ?').get(id)));
  }

  putRun(run: RunRecord): Promise<void> {
    return this.#guard(() => {
      this.#stmt(
        `INSERT INTO runs (id, kind, target, workload, state, created_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, target = excluded.target,
           workload = excluded.workload, state = excluded.state, created_at = excluded.created_at,
           doc = excluded.doc`,
      ).run(
        run.id,
        run.kind,
        run.target,
        run.workload,
        run.state,
        orderKey(run.createdAt),
        JSON.stringify(run),
      );
    });
  }

  deleteRun(id: string): Promise<boolean> {
    return this.#guard(() => {
      const remove = this.#db.transaction(() => {
        this.#stmt('DELETE FROM run_series WHERE run_id = ?').run(id);
        this.#stmt('DELETE FROM results WHERE run_id = ?').run(id);
        return this.#stmt('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
      });
      return remove.immediate();
    });
  }

  // ---------- series and results ----------
  appendSeries(runId: string, point: SeriesPoint): Promise<void> {
    return this.#guard(() => {
      // One statement: the next seq comes from the primary key's last entry for the run.
      this.#stmt(
        `INSERT INTO run_series (run_id, seq, t, doc)
         SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ? FROM run_series WHERE run_id = ?`,
      ).run(runId, point.t, JSON.stringify(point), runId);
    });
  }

  listSeries(runId: string): Promise<SeriesPoint[]> {
    return this.#guard(() =>
      parseDocs<SeriesPoint>(
        this.#stmt('SELECT doc FROM run_series WHERE run_id = ? ORDER BY seq').all(runId),
      ),
    );
  }

  putResult(runId: string, summary: RunSummary): Promise<void> {
    return this.#guard(() => {
      this.#stmt(
        'INSERT INTO results (run_id, doc) VALUES (?, ?) ON CONFLICT (run_id) DO UPDATE SET doc = excluded.doc',
      ).run(runId, JSON.stringify(summary));
    });
  }

  getResult(runId: string): Promise<RunSummary | null> {
    return this.#guard(() =>
      parseDoc<RunSummary>(this.#stmt('SELECT doc FROM results WHERE run_id = ?').get(runId)),
    );
  }
}
