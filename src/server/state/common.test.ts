import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchpilotError } from '../../protocol/errors.js';
import { assertSchemaNotNewer, orderKey, redactUrl, runLimit } from './common.js';
import { LATEST_VERSION } from './migrations.js';

test('redactUrl hides the password and drops query parameters', () => {
  assert.equal(
    redactUrl('postgres://bench:s3cr%40t@db.example:5432/state?sslmode=require&password=x'),
    'postgres://bench:***@db.example:5432/state',
  );
  assert.equal(redactUrl('postgresql://db:5432/state'), 'postgresql://db:5432/state');
  assert.equal(redactUrl('postgres://bench@db/state'), 'postgres://bench@db/state');
  assert.equal(redactUrl('not a url :secret@'), '<DATABASE_URL, not a valid URL>');
});

test('orderKey normalises timestamps to UTC ISO and keeps what it cannot parse', () => {
  assert.equal(orderKey('2026-11-26T10:30:00+02:00'), '2026-11-26T08:30:00.000Z');
  assert.equal(orderKey('2026-11-26T08:30:00.000Z'), '2026-11-26T08:30:00.000Z');
  assert.equal(orderKey('someday'), 'someday');
});

test('runLimit defaults to 100 and refuses non-positive or fractional limits', () => {
  assert.equal(runLimit(undefined), 100);
  assert.equal(runLimit(7), 7);
  assert.throws(() => runLimit(0), RangeError);
  assert.throws(() => runLimit(2.5), RangeError);
});

test('assertSchemaNotNewer accepts known versions and refuses newer ones', () => {
  assertSchemaNotNewer([], 'x');
  assertSchemaNotNewer([LATEST_VERSION], 'x');
  assert.throws(
    () => assertSchemaNotNewer([LATEST_VERSION + 1], '/data/state.db'),
    (err: unknown) =>
      err instanceof BenchpilotError &&
      err.code === 'BP_STATE_UNAVAILABLE' &&
      err.message.startsWith(`/data/state.db has state schema version ${LATEST_VERSION + 1}`),
  );
});
