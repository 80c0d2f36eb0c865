import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors as undiciErrors } from 'undici';
import { COMMON_ERROR_CLASSES } from '../../engine/driver.js';
import { classifyError, HTTP_ERROR_CLASSES, statusClass, statusMessage } from './errors.js';
import { compileExpect } from './options.js';

test('status classes and cached short messages', () => {
  assert.deepEqual([503, 500, 404, 400, 301, 200, 101].map(statusClass), [
    'server',
    'server',
    'client',
    'client',
    'redirect',
    'unexpected',
    'unexpected',
  ]);
  assert.equal(statusMessage(503), '503 Service Unavailable');
  assert.equal(statusMessage(599), '599');
  assert.equal(statusMessage(404), statusMessage(404));
});

test('client errors map to declared classes with their code as the message', () => {
  const known = new Set<string>([...COMMON_ERROR_CLASSES, ...HTTP_ERROR_CLASSES]);
  const cases: [unknown, string, string][] = [
    [new undiciErrors.HeadersTimeoutError(), 'timeout', 'UND_ERR_HEADERS_TIMEOUT'],
    [new undiciErrors.BodyTimeoutError(), 'timeout', 'UND_ERR_BODY_TIMEOUT'],
    [new undiciErrors.ConnectTimeoutError(), 'timeout', 'UND_ERR_CONNECT_TIMEOUT'],
    [new undiciErrors.SocketError('other side closed'), 'connection', 'UND_ERR_SOCKET'],
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'connection',
      'ECONNREFUSED',
    ],
    [new undiciErrors.ClientDestroyedError(), 'cancelled', 'UND_ERR_DESTROYED'],
    [new undiciErrors.InvalidArgumentError('invalid request path'), 'request', 'UND_ERR_INVALID_ARG'],
    [
      Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_CONSTANT' }),
      'protocol',
      'HPE_INVALID_CONSTANT',
    ],
    [new Error('something odd'), 'connection', 'something odd'],
  ];
  for (const [err, errorClass, message] of cases) {
    assert.deepEqual(classifyError(err), { errorClass, message });
    assert.ok(known.has(errorClass));
  }
});

test('expect compiles to a status table', () => {
  const table = compileExpect(['2xx', 404]);
  assert.deepEqual(
    [199, 200, 250, 299, 300, 404, 405].map((s) => table[s]),
    [0, 1, 1, 1, 0, 1, 0],
  );
  assert.equal(compileExpect(201)[200], 0);
  assert.equal(compileExpect(201)[201], 1);
});
