import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { bindingSpecSchema } from '../../protocol/bindings.js';

test('schema applies documented defaults', () => {
  assert.deepEqual(bindingSpecSchema.parse({ type: 'sequence' }), { type: 'sequence', start: 0, step: 1 });
  assert.deepEqual(bindingSpecSchema.parse({ type: 'zipf', n: 10 }), {
    type: 'zipf',
    n: 10,
    exponent: 1,
    offset: 1,
  });
  assert.deepEqual(bindingSpecSchema.parse({ type: 'timestamp' }), {
    type: 'timestamp',
    start: '2026-01-01T00:00:00Z',
    step: '1s',
    format: 'iso',
  });
  assert.deepEqual(bindingSpecSchema.parse({ type: 'words' }), { type: 'words', separator: ' ' });
  const parsed = bindingSpecSchema.parse({ type: 'uniform', min: 0, max: 9 });
  assert.deepEqual(bindingSpecSchema.parse(parsed), parsed, 'a parsed spec parses to itself');
});

test('schema is strict: unknown fields and seed on non-random types are rejected', () => {
  assert.equal(bindingSpecSchema.safeParse({ type: 'uuid', sed: 1 }).success, false);
  assert.equal(bindingSpecSchema.safeParse({ type: 'sequence', seed: 1 }).success, false);
  assert.equal(bindingSpecSchema.safeParse({ type: 'uuid', seed: 1, mod: 5 }).success, true);
});

test('JSON Schema: one entry per type, every field described', () => {
  const json = z.toJSONSchema(bindingSpecSchema, { io: 'input' }) as {
    oneOf?: { properties: Record<string, { description?: string }>; additionalProperties: boolean }[];
    anyOf?: { properties: Record<string, { description?: string }>; additionalProperties: boolean }[];
  };
  const options = json.oneOf ?? json.anyOf ?? [];
  assert.equal(options.length, 9);
  for (const option of options) {
    assert.equal(option.additionalProperties, false);
    for (const [field, property] of Object.entries(option.properties)) {
      if (field === 'type') continue;
      assert.ok(property.description, `${JSON.stringify(option.properties.type)}.${field} has a description`);
    }
  }
});
