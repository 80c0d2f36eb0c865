/** Schemas of the postgres driver's `target:` block and of one op. */
import { z } from 'zod';
import { durationSchema } from '../../protocol/workload.js';

const DEFAULT_PORT = 5432;

export interface PostgresAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/** Why a target.url is not usable, or undefined when it is. */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected a URL such as postgres://user@host:5432/database';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `expected postgres:// or postgresql://, not ${url.protocol}//`;
  }
  if (url.password !== '') return 'must not contain a password; set target.password: ${PGPASSWORD} instead';
  if (url.hostname === '') return 'expected a host, as in postgres://user@host:5432/database';
  if (url.search !== '')
    return 'must not have ?parameters; use target.ssl, target.applicationName and the other fields';
  return undefined;
}

/** host, port, user and database from a URL that passed urlProblem(). */
export function parseAddress(text: string): PostgresAddress {
  const url = new URL(text);
  const user = decodeURIComponent(url.username) || 'postgres';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port === '' ? DEFAULT_PORT : Number(url.port), user, database };
}

export const postgresTargetSchema = z.strictObject({
  driver: z.literal('postgres'),
  url: z
    .string()
    .superRefine((text, ctx) => {
      const problem = urlProblem(text);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description:
        'postgres://user@host:port/database (user defaults to postgres, port to 5432, database to the user); no password in it',
    }),
  password: z
    .string()
    .optional()
    .meta({ description: 'Secret, from ${ENV} only (e.g. ${PGPASSWORD}): the password of the URL user' }),
  pool: z.number().int().positive().max(1000).optional().meta({
    description: 'Connections opened (default: the phase maxInFlight or concurrency, at most 16)',
  }),
  statementTimeout: durationSchema.optional().meta({
    description: 'Server-side statement_timeout: a statement running longer fails with class timeout',
  }),
  connectTimeout: durationSchema
    .default(10)
    .meta({ description: 'Time allowed to open one connection (and to reconnect a lost one)' }),
  ssl: z
    .union([z.boolean(), z.literal('no-verify')])
    .default(false)
    .meta({
      description:
        'true: TLS with certificate verification; no-verify: TLS accepting any certificate; false: plain TCP',
    }),
  applicationName: z
    .string()
    .max(63)
    .default('benchpilot')
    .meta({ description: 'application_name the server shows in pg_stat_activity' }),
});

export type PostgresTarget = z.output<typeof postgresTargetSchema>;

export const postgresOpSchema = z.strictObject({
  sql: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'One SQL statement; {binding} placeholders become bound parameters ($1, $2, ...)' }),
  statements: z.array(z.string().min(1)).min(1).optional().meta({
    description: 'Statements run in order on one connection, in one transaction unless transaction is false',
  }),
  transaction: z.boolean().optional().meta({
    description: 'Wrap in BEGIN ... COMMIT (ROLLBACK on error); default true for statements, false for sql',
  }),
  isolation: z
    .enum(['read committed', 'repeatable read', 'serializable'])
    .optional()
    .meta({ description: 'Isolation level of the transaction (default: the server default)' }),
  prepared: z.boolean().default(true).meta({
    description:
      'Named prepared statements, planned once per connection; false sends the text each time (and allows a multi-statement script when there are no placeholders)',
  }),
});

export type PostgresOp = z.output<typeof postgresOpSchema>;
