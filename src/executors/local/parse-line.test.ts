import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventLine } from './parse-line.js';

test('event lines become RunEvents and the exit line the exit record', () => {
  const event = parseEventLine('{"v":1,"type":"run-start","workload":"w","timeMs":1,"phases":["main"]}');
  assert.equal(event.kind, 'event');
  const exit = parseEventLine(
    '{"v":1,"type":"exit","timeMs":2,"code":2,"error":{"code":"BP_SPEC_YAML","message":"bad"},"extra":1}',
  );
  assert.deepEqual(exit, {
    kind: 'exit',
    exit: { v: 1, type: 'exit', timeMs: 2, code: 2, error: { code: 'BP_SPEC_YAML', message: 'bad' } },
  });
});

test('unknown types are skipped quietly; other versions and broken lines are reported', () => {
  assert.equal(parseEventLine('{"v":1,"type":"heartbeat"}').kind, 'unknown');
  assert.equal(parseEventLine('').kind, 'unknown');
  assert.deepEqual(parseEventLine('{"v":2,"type":"snapshot"}'), {
    kind: 'broken',
    why: 'protocol version 2 is not 1',
  });
  assert.equal(parseEventLine('{"v":1,"type":"snap').kind, 'broken');
  assert.equal(parseEventLine('[1]').kind, 'broken');
  assert.equal(parseEventLine('{"v":1,"type":"exit","code":"0"}').kind, 'broken');
});
