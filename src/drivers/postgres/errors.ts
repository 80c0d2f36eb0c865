/** Error classes of the postgres driver, from SQLSTATE codes and socket errors. */
import { BenchpilotError } from '../../protocol/errors.js';
import type { PostgresAddress } from './options.js';

/** Classes beyond the engine's common ones (timeout, connection, server, client, cancelled). */
export const POSTGRES_ERROR_CLASSES = ['constraint', 'syntax', 'data', 'conflict'] as const;

const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const TIMEOUT_STATES = new Set(['57014', '55P03']);
const CONFLICT_STATES = new Set(['40001', '40P01']);
/** Node socket errors and the ones pg raises itself when a connection goes away. */
const CONNECTION_MESSAGE = /connection|terminated|ECONN|EPIPE|socket|not queryable/i;

/**
 * The error class of a failed query. SQLSTATE classes: 23 integrity (constraint), 42 syntax or
 * access rule (syntax), 22 data exception (data), 40001/40P01 serialization failure or deadlock
 * (conflict), 57014 statement_timeout and 55P03 lock_timeout (timeout), 08 and shutdowns (connection).
 */
export function classifyError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length === 5 && /^[0-9A-Z]{5}$/.test(code)) {
    if (TIMEOUT_STATES.has(code)) return 'timeout';
    if (CONFLICT_STATES.has(code)) return 'conflict';
    if (CONNECTION_STATES.has(code)) return 'connection';
    switch (code.slice(0, 2)) {
      case '23':
        return 'constraint';
      case '42':
        return 'syntax';
      case '22':
        return 'data';
      case '08':
      case '28':
        return 'connection';
      default:
        return 'server';
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  if ((typeof code === 'string' && /^E[A-Z]+$/.test(code)) || CONNECTION_MESSAGE.test(message))
    return 'connection';
  return 'client';
}

/** `23505: duplicate key value violates ...`: the server's words, never connection parameters. */
export function describeError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/**
 * The BenchpilotError for a failed connect: names host:port, user and database and what to do.
 * `secret` (the password) is scrubbed from anything taken from the error, in case a library
 * ever echoes it.
 */
export function connectError(
  err: unknown,
  address: PostgresAddress,
  secret: string | undefined,
): BenchpilotError {
  const where = `PostgreSQL at ${address.host}:${address.port}`;
  const code = (err as { code?: unknown } | null)?.code;
  let detail = err instanceof Error ? err.message : String(err);
  if (secret) detail = detail.split(secret).join('***');
  const because = typeof code === 'string' && !detail.includes(code) ? `${code}: ${detail}` : detail;
  const fail = (bpCode: 'BP_TARGET_UNREACHABLE' | 'BP_TARGET_AUTH', message: string) =>
    new BenchpilotError(bpCode, message);

  if (code === '28P01' || code === '28000') {
    return fail(
      'BP_TARGET_AUTH',
      `${where} refused user "${address.user}" for database "${address.database}" (${because}): ` +
        'check the user in target.url, target.password (set it from ${ENV}) and the server pg_hba.conf',
    );
  }
  if (/password must be a string|SASL|password authentication/i.test(detail)) {
    return fail(
      'BP_TARGET_AUTH',
      `${where} asks user "${address.user}" for a password (${because}): set target.password: \${PGPASSWORD}`,
    );
  }
  if (code === '3D000') {
    return fail(
      'BP_TARGET_UNREACHABLE',
      `${where} has no database "${address.database}": create it or fix the database in target.url`,
    );
  }
  if (code === '53300') {
    return fail(
      'BP_TARGET_UNREACHABLE',
      `${where} has no free connection slots (${because}): lower target.pool or raise max_connections`,
    );
  }
  if (/SSL|TLS|certificate/i.test(detail)) {
    return fail('BP_TARGET_UNREACHABLE', `${where}: TLS setup failed (${because}): check target.ssl`);
  }
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    return fail(
      'BP_TARGET_UNREACHABLE',
      `cannot reach ${where} (${code}): check the host and port in target.url and that the server accepts TCP connections there`,
    );
  }
  if (/timeout/i.test(detail)) {
    return fail(
      'BP_TARGET_UNREACHABLE',
      `${where} did not answer within target.connectTimeout (${because}): check the host, port and firewalls`,
    );
  }
  return fail('BP_TARGET_UNREACHABLE', `cannot connect to ${where} (${because})`);
}
