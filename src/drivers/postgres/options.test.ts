import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddress, postgresOpSchema, postgresTargetSchema, urlProblem } from './options.js';

test('target.url: postgres:// without a password or parameters', () => {
  assert.equal(urlProblem('postgres://app@db.example:6432/shop'), undefined);
  assert.equal(urlProblem('postgresql://127.0.0.1/shop'), undefined);
  assert.match(urlProblem('postgres://app:hunter2@db/shop') ?? '', /target\.password: \$\{PGPASSWORD\}/);
  assert.match(urlProblem('mysql://db/shop') ?? '', /postgres:\/\//);
  assert.match(urlProblem('postgres://db/shop?sslmode=require') ?? '', /target\.ssl/);
  assert.match(urlProblem('not a url') ?? '', /postgres:\/\/user@host/);
  const parsed = postgresTargetSchema.safeParse({ driver: 'postgres', url: 'postgres://u:p@h/d' });
  assert.equal(parsed.success, false);
  assert.ok(!JSON.stringify(parsed.error?.issues).includes('u:p'), 'the message does not echo the URL');
});

test('parseAddress fills the defaults libpq uses', () => {
  assert.deepEqual(parseAddress('postgres://h'), {
    host: 'h',
    port: 5432,
    user: 'postgres',
    database: 'postgres',
  });
  assert.deepEqual(parseAddress('postgres://app@h:6432'), {
    host: 'h',
    port: 6432,
    user: 'app',
    database: 'app',
  });
  assert.deepEqual(parseAddress('postgres://a%40b@[::1]:5433/my%20db'), {
    host: '::1',
    port: 5433,
    user: 'a@b',
    database: 'my db',
  });
});

test('target defaults and durations', () => {
  const target = postgresTargetSchema.parse({
    driver: 'postgres',
    url: 'postgres://h/d',
    statementTimeout: '250ms',
  });
  assert.equal(target.statementTimeout, 0.25);
  assert.equal(target.connectTimeout, 10);
  assert.equal(target.ssl, false);
  assert.equal(target.applicationName, 'benchpilot');
  assert.equal(target.pool, undefined);
  assert.equal(
    postgresTargetSchema.safeParse({ driver: 'postgres', url: 'postgres://h', poolSize: 3 }).success,
    false,
  );
  assert.equal(
    postgresTargetSchema.safeParse({ driver: 'postgres', url: 'postgres://h', ssl: 'maybe' }).success,
    false,
  );
});

test('op fields are strict; prepared defaults to true', () => {
  assert.deepEqual(postgresOpSchema.parse({ sql: 'SELECT 1' }), { sql: 'SELECT 1', prepared: true });
  assert.equal(postgresOpSchema.safeParse({ sql: 'SELECT 1', query: 'x' }).success, false);
  assert.equal(postgresOpSchema.safeParse({ statements: [] }).success, false);
  assert.equal(postgresOpSchema.safeParse({ sql: 'x', isolation: 'snapshot' }).success, false);
});
