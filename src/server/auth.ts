/**
 * Bearer tokens with roles. Tokens are random, shown once, stored as sha256 hashes; the token
 * text never reaches a log (the logger redacts the Authorization header and access_token).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../protocol/api.js';
import { BenchpilotError } from '../protocol/errors.js';
import type { Store, TokenRecord } from './state/store.js';

const TOKEN_PREFIX = 'bp_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createToken(
  store: Store,
  name: string,
  role: Role,
): Promise<{ token: string; record: TokenRecord }> {
  const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
  const record: TokenRecord = {
    id: randomUUID(),
    name,
    role,
    hash: hashToken(token),
    createdAt: new Date().toISOString(),
  };
  await store.createToken(record);
  return { token, record };
}

/**
 * Makes a token given from outside (the Helm chart's Secret: BENCHPILOT_OPERATOR_TOKEN) valid,
 * once: its hash is stored under `name`; an existing token with the same hash is left as it is.
 */
export async function ensureGivenToken(
  store: Store,
  name: string,
  role: Role,
  token: string,
): Promise<boolean> {
  if (token.length < 16) {
    throw new BenchpilotError('BP_USAGE', `the ${name} token must have at least 16 characters`);
  }
  const hash = hashToken(token);
  if (await store.findTokenByHash(hash)) return false;
  await store.createToken({ id: randomUUID(), name, role, hash, createdAt: new Date().toISOString() });
  return true;
}

export interface Principal {
  readonly name: string;
  readonly role: Role;
}

/** Resolves a presented token (header value `Bearer x` or a bare token) to its principal. */
export async function authenticate(store: Store, presented: string | undefined): Promise<Principal> {
  const token = presented?.startsWith('Bearer ') ? presented.slice(7).trim() : presented?.trim();
  if (!token) {
    throw new BenchpilotError(
      'BP_UNAUTHORIZED',
      'no token: send Authorization: Bearer <token> (WebSocket: ?access_token=<token>)',
    );
  }
  const record = await store.findTokenByHash(hashToken(token));
  if (!record)
    throw new BenchpilotError(
      'BP_UNAUTHORIZED',
      'the token is not known (it may have been created on another server)',
    );
  return { name: record.name, role: record.role };
}

export function requireOperator(principal: Principal): void {
  if (principal.role !== 'operator') {
    throw new BenchpilotError(
      'BP_FORBIDDEN',
      `token ${principal.name} has role viewer: only operator tokens may change things`,
    );
  }
}
