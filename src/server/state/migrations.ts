/**
 * The state schema as an ordered list of migrations, shared by the SQLite and PostgreSQL stores.
 * Policy (docs/state.md): a released migration is never edited or removed; a change is a new
 * migration with the next version. Each one runs in its own transaction and is recorded in
 * schema_migrations(version, name, applied_at).
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One SQL text for both dialects, or one per dialect where they differ. */
  readonly sql: string | { readonly sqlite: string; readonly postgres: string };
}

export function migrationSql(migration: Migration, dialect: Dialect): string {
  return typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect];
}

/** Created before any migration runs; its shape never changes. */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/**
 * Text that is sorted (ids, ISO timestamps) is compared byte-wise in both databases: SQLite's
 * default BINARY collation, and COLLATE "C" in PostgreSQL, whose default locale collation would
 * otherwise ignore punctuation and could order ids differently from SQLite.
 * `doc` is TEXT, not JSONB: JSONB reorders object keys and rejects \u0000, and records must
 * round-trip exactly; the typed columns carry everything that is filtered or sorted.
 */
function initialSchema(dialect: Dialect): string {
  const key = dialect === 'postgres' ? 'TEXT COLLATE "C"' : 'TEXT';
  const real = dialect === 'postgres' ? 'DOUBLE PRECISION' : 'REAL';
  return `
CREATE TABLE tokens (
  id ${key} PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at ${key} NOT NULL
);
CREATE TABLE targets (
  name ${key} PRIMARY KEY,
  doc TEXT NOT NULL
);
CREATE TABLE workloads (
  name ${key} PRIMARY KEY,
  doc TEXT NOT NULL
);
CREATE TABLE setups (
  id ${key} PRIMARY KEY,
  target TEXT NOT NULL,
  workload TEXT NOT NULL,
  created_at ${key} NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX setups_target_workload_created ON setups (target, workload, created_at, id);
CREATE INDEX setups_created ON setups (created_at, id);
CREATE TABLE runs (
  id ${key} PRIMARY KEY,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  workload TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at ${key} NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_target_created ON runs (target, created_at, id);
CREATE INDEX runs_workload_created ON runs (workload, created_at, id);
CREATE INDEX runs_state_created ON runs (state, created_at, id);
CREATE INDEX runs_kind_created ON runs (kind, created_at, id);
CREATE TABLE run_series (
  run_id ${key} NOT NULL,
  seq INTEGER NOT NULL,
  t ${real} NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE results (
  run_id ${key} PRIMARY KEY,
  doc TEXT NOT NULL
);
`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: { sqlite: initialSchema('sqlite'), postgres: initialSchema('postgres') },
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The migrations not yet applied, in order. */
export function pendingMigrations(applied: ReadonlySet<number>): Migration[] {
  return MIGRATIONS.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
}
