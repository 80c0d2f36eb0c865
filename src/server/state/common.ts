/** What both stores share: sort keys, limits, error wrapping, the schema-version check. */
import type { Role } from '../../protocol/api.js';
import { BenchpilotError } from '../../protocol/errors.js';
import { LATEST_VERSION } from './migrations.js';
import type { TokenRecord } from './store.js';

export const DEFAULT_RUN_LIMIT = 100;

/**
 * The created_at column: the record's createdAt as a UTC ISO string, so that rows written with
 * another offset or precision still sort by time. The record's own value stays untouched in doc.
 */
export function orderKey(createdAt: string): string {
  const ms = Date.parse(createdAt);
  return Number.isNaN(ms) ? createdAt : new Date(ms).toISOString();
}

export function runLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_RUN_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`RunFilter.limit must be a positive integer, got ${limit}`);
  }
  return limit;
}

export function stateUnavailable(message: string, cause?: unknown): BenchpilotError {
  return new BenchpilotError('BP_STATE_UNAVAILABLE', message, cause === undefined ? {} : { cause });
}

/** A database migrated by a newer benchpilot must not be written by an older one. */
export function assertSchemaNotNewer(appliedVersions: Iterable<number>, where: string): void {
  let newest = 0;
  for (const version of appliedVersions) newest = Math.max(newest, version);
  if (newest > LATEST_VERSION) {
    throw stateUnavailable(
      `${where} has state schema version ${newest}, newer than this benchpilot knows (${LATEST_VERSION}): ` +
        'run the benchpilot version that last used it (or newer), or restore a backup taken before the upgrade',
    );
  }
}

/** `postgres://user:***@host:port/db`: safe to print (no password, no query parameters). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username
      ? `${decodeURIComponent(parsed.username)}${parsed.password ? ':***' : ''}@`
      : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return '<DATABASE_URL, not a valid URL>';
  }
}

/** A tokens row as both stores read it. */
export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  hash: string;
  created_at: string;
}

export function tokenFromRow(row: TokenRow): TokenRecord {
  return { id: row.id, name: row.name, role: row.role, hash: row.hash, createdAt: row.created_at };
}
