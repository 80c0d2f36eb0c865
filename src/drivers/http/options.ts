/** Schemas of the http driver's `target:` block and of one op. */
import { z } from 'zod';
import { durationSchema } from '../../protocol/workload.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const headersSchema = z.record(
  z.string().regex(HEADER_NAME, 'expected an HTTP header name (letters, digits, - and a few symbols)'),
  z.string().regex(/^[^\r\n]*$/, 'a header value may not contain a line break'),
);

export const httpTargetSchema = z
  .strictObject({
    driver: z.literal('http'),
    url: z
      .string()
      .refine(isHttpUrl, 'expected an http:// or https:// URL such as http://127.0.0.1:8080')
      .refine(
        (text) => !/^[a-z]+:\/\/[^/?#]*@/i.test(text),
        'must not contain user:password@; put credentials in authorization or token from ${ENV}',
      )
      .meta({ description: 'Base URL; an op path is appended to its path (http://host:port/api + /users)' }),
    connections: z.number().int().positive().max(10_000).optional().meta({
      description:
        'Keep-alive connections in the pool (default: the phase concurrency/maxInFlight, at most 256)',
    }),
    pipelining: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(1)
      .meta({ description: 'Requests in flight per connection (HTTP/1.1 pipelining); 1 disables it' }),
    timeout: durationSchema
      .default(10)
      .meta({ description: 'A request fails with class timeout when no response arrives in this time' }),
    connectTimeout: durationSchema.default(5).meta({ description: 'Time allowed to open one connection' }),
    headers: headersSchema.default({}).meta({ description: 'Headers sent with every request (constants)' }),
    token: z
      .string()
      .optional()
      .meta({ description: 'Secret, from ${ENV} only: sent as "Authorization: Bearer <token>"' }),
    authorization: z
      .string()
      .optional()
      .meta({ description: 'Secret, from ${ENV} only: the whole Authorization header value' }),
    tls: z
      .strictObject({
        rejectUnauthorized: z
          .boolean()
          .default(true)
          .meta({ description: 'false accepts self-signed certificates (test targets only)' }),
        servername: z.string().optional().meta({ description: 'SNI name when it differs from the URL host' }),
      })
      .optional(),
    transport: z.enum(['undici', 'raw']).default('undici').meta({
      description:
        'undici (default, full HTTP/1.1 client) or raw (opt-in fast path: prebuilt request bytes on keep-alive sockets, minimal response parse)',
    }),
  })
  .refine((t) => !(t.token !== undefined && t.authorization !== undefined), {
    message: 'set either token or authorization, not both',
    path: ['authorization'],
  });

export type HttpTarget = z.output<typeof httpTargetSchema>;

const STATUS_CLASS = /^[1-5]xx$/;
const statusSchema = z.number().int().min(100).max(599);
const statusClassSchema = z.string().regex(STATUS_CLASS, 'expected a status class such as 2xx');
const expectItem = z.union([statusSchema, statusClassSchema]);

export const httpOpSchema = z.strictObject({
  method: z
    .string()
    .regex(METHOD, 'expected an HTTP method such as GET or POST')
    .default('GET')
    .meta({ description: 'HTTP method' }),
  path: z
    .string()
    .regex(/^\/\S*$/, 'expected a path starting with / and without spaces, e.g. /items/{id}?q={word}')
    .default('/')
    .meta({ description: 'Path and query, a template: /items/{id}?q={word}' }),
  headers: headersSchema.default({}).meta({ description: 'Extra headers; values are templates' }),
  body: z
    .string()
    .optional()
    .meta({ description: 'Request body, a template; only {identifier} is a placeholder, so JSON is fine' }),
  expect: z
    .union([expectItem, z.array(expectItem).min(1)])
    .default('2xx')
    .meta({ description: 'Statuses that count as success: 200, [200, 404], "2xx" (default)' }),
});

export type HttpOp = z.output<typeof httpOpSchema>;

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A 600-entry table: expected[status] === 1 when that status counts as success. */
export function compileExpect(expect: HttpOp['expect']): Uint8Array {
  const table = new Uint8Array(600);
  for (const item of Array.isArray(expect) ? expect : [expect]) {
    if (typeof item === 'number') {
      table[item] = 1;
    } else {
      const base = Number(item[0]) * 100;
      table.fill(1, base, base + 100);
    }
  }
  return table;
}
