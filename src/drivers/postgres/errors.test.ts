import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyError, connectError, describeError } from './errors.js';

const sqlError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

test('SQLSTATE codes map to error classes', () => {
  const cases: [string, string][] = [
    ['23505', 'constraint'],
    ['23503', 'constraint'],
    ['42601', 'syntax'],
    ['42P01', 'syntax'],
    ['22P02', 'data'],
    ['22003', 'data'],
    ['40001', 'conflict'],
    ['40P01', 'conflict'],
    ['57014', 'timeout'],
    ['55P03', 'timeout'],
    ['08006', 'connection'],
    ['57P01', 'connection'],
    ['53300', 'connection'],
    ['XX000', 'server'],
    ['53200', 'server'],
  ];
  for (const [code, errorClass] of cases) assert.equal(classifyError(sqlError(code)), errorClass, code);
});

test('socket and client errors', () => {
  assert.equal(classifyError(sqlError('ECONNRESET', 'read ECONNRESET')), 'connection');
  assert.equal(classifyError(new Error('Connection terminated unexpectedly')), 'connection');
  assert.equal(
    classifyError(new Error('Client has encountered a connection error and is not queryable')),
    'connection',
  );
  assert.equal(classifyError(new TypeError('cannot serialize value')), 'client');
  assert.equal(describeError(sqlError('23505', 'duplicate key')), '23505: duplicate key');
  assert.equal(describeError(new Error('plain')), 'plain');
});

test('connect errors: a code, where, what to do, and never the secret', () => {
  const address = { host: 'db', port: 5432, user: 'app', database: 'shop' };
  const secret = 'pa55word';
  const auth = connectError(sqlError('28P01', `password authentication failed (${secret})`), address, secret);
  assert.equal(auth.code, 'BP_TARGET_AUTH');
  assert.match(auth.message, /db:5432 refused user "app" for database "shop"/);
  assert.ok(!auth.message.includes(secret));
  const refused = connectError(
    sqlError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:5432'),
    address,
    secret,
  );
  assert.equal(refused.code, 'BP_TARGET_UNREACHABLE');
  assert.match(refused.message, /cannot reach PostgreSQL at db:5432 \(ECONNREFUSED\)/);
  const noPassword = connectError(
    new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
    address,
    undefined,
  );
  assert.equal(noPassword.code, 'BP_TARGET_AUTH');
  assert.match(noPassword.message, /set target\.password/);
  assert.equal(connectError(sqlError('3D000'), address, undefined).code, 'BP_TARGET_UNREACHABLE');
  assert.match(connectError(new Error('timeout expired'), address, undefined).message, /connectTimeout/);
});
