/**
 * Small driver plugins for tests of the workload loader: real zod schemas, no I/O.
 * `web` looks like an HTTP driver (token is a secret), `sql` like a database driver (password).
 */
import { z } from 'zod';
import type { Driver, DriverPlugin } from '../../engine/driver.js';

const noDriver = (): Driver => ({
  connect: async () => {},
  prepare: async () => ({ execute: (_cycle, slot) => slot.done(null) }),
  close: async () => {},
});

export const webDriver: DriverPlugin = {
  name: 'web',
  description: 'fake HTTP-like driver for tests',
  targetSchema: z.strictObject({
    driver: z.literal('web'),
    url: z.url('expected a URL such as http://localhost:8080'),
    timeout: z.number().positive().default(10),
    token: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
  }),
  opSchema: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).default('GET'),
    path: z.string(),
    body: z.string().optional(),
  }),
  secretFields: ['token', 'headers.Authorization'],
  errorClasses: [],
  create: noDriver,
};

export const sqlDriver: DriverPlugin = {
  name: 'sql',
  description: 'fake SQL-like driver for tests',
  targetSchema: z.strictObject({
    driver: z.literal('sql'),
    host: z.string(),
    port: z.number().int().min(1).max(65535).default(5432),
    user: z.string(),
    password: z.string().optional(),
    database: z.string(),
  }),
  opSchema: z.strictObject({
    sql: z.string(),
    params: z.array(z.string()).default([]),
  }),
  secretFields: ['password'],
  errorClasses: ['deadlock'],
  create: noDriver,
};

export const FAKE_DRIVERS: ReadonlyMap<string, DriverPlugin> = new Map([
  [webDriver.name, webDriver],
  [sqlDriver.name, sqlDriver],
]);
