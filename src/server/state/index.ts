/**
 * The state store's composition root: PostgreSQL when a DATABASE_URL is given, else SQLite
 * under the data directory. The returned store is migrated and ready.
 */
import { PostgresStore, type StateLogger } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export { redactUrl } from './common.js';
export { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';
export { PostgresStore, type StateLogger } from './postgres-store.js';
export { SQLITE_FILE_NAME, SqliteStore } from './sqlite-store.js';
export type { RunFilter, RunRecord, Store, StoredTarget, StoredWorkload, TokenRecord } from './store.js';

export interface OpenStoreOptions {
  /** Where the SQLite file (state.db) lives; created when missing. */
  readonly dataDir: string;
  /** postgres://user:password@host:port/database; when set, state lives there instead. */
  readonly databaseUrl?: string;
  /** Warnings about lost idle PostgreSQL connections; nothing else is logged. */
  readonly logger?: StateLogger;
}

/** Opens and migrates the store; failures are BenchpilotError BP_STATE_UNAVAILABLE. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store: Store = options.databaseUrl
    ? PostgresStore.open(options.databaseUrl, options.logger)
    : SqliteStore.open(options.dataDir);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
