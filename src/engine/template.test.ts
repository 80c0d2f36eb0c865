import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchpilotError } from '../protocol/errors.js';
import type { BindingSet, Generator } from './bindings/types.js';
import { compileParameterized, compileTemplate, findPlaceholders, parseTemplate } from './template.js';

function fakeBindings(generators: Record<string, Generator>): BindingSet {
  return {
    has: (name) => name in generators,
    get: (name) => generators[name]!,
    names: () => Object.keys(generators),
  };
}

const bindings = fakeBindings({
  id: (cycle) => cycle * 10,
  name: (cycle) => `n${cycle}`,
  flag: (cycle) => cycle % 2 === 0,
  none: () => null,
});

test('findPlaceholders: identifiers only, distinct, in order; JSON braces are literal', () => {
  assert.deepEqual(findPlaceholders('{"a":1, "b": {id}} {name} {id} {1x} {a-b} {_ok9} { id } {'), [
    'id',
    'name',
    '_ok9',
  ]);
  assert.deepEqual(findPlaceholders('no placeholders {}'), []);
  assert.deepEqual(parseTemplate('{{id}}'), { literals: ['{', '}'], refs: ['id'] });
});

test('compileTemplate renders literals and values for any cycle', () => {
  const body = compileTemplate('{"id": {id}, "name": "{name}", "even": {flag}, "x": "{none}"}', bindings);
  assert.deepEqual(body.names, ['id', 'name', 'flag', 'none']);
  assert.equal(body.render(3), '{"id": 30, "name": "n3", "even": false, "x": ""}');
  assert.equal(body.render(2 ** 40), `{"id": ${2 ** 40 * 10}, "name": "n${2 ** 40}", "even": true, "x": ""}`);
  assert.equal(compileTemplate('plain', bindings).render(1), 'plain');
  assert.equal(compileTemplate('{name}', bindings).render(7), 'n7');
  assert.equal(compileTemplate('/users/{id}?again={id}', bindings).render(4), '/users/40?again=40');
});

test('compileTemplate: unknown names throw BP_SPEC_UNKNOWN_BINDING naming them with a hint', () => {
  assert.throws(
    () => compileTemplate('{nme} and {zzz} and {nme}', bindings),
    (err: unknown) =>
      err instanceof BenchpilotError &&
      err.code === 'BP_SPEC_UNKNOWN_BINDING' &&
      err.message === 'template uses {nme} (did you mean {name}?), {zzz}, not declared under bindings',
  );
});

test('compileParameterized: one parameter per distinct name, values filled in order', () => {
  const sql = compileParameterized(
    'SELECT * FROM t WHERE id = {id} AND x = {id} AND name = {name} AND ok = {flag}',
    bindings,
    (index) => `$${index + 1}`,
  );
  assert.equal(sql.text, 'SELECT * FROM t WHERE id = $1 AND x = $1 AND name = $2 AND ok = $3');
  assert.deepEqual(sql.names, ['id', 'name', 'flag']);
  const params: unknown[] = [];
  sql.fill(5, params);
  assert.deepEqual(params, [50, 'n5', false]);
  sql.fill(6, params);
  assert.deepEqual(params, [60, 'n6', true], 'the same array is reused');
  const questionMarks = compileParameterized('INSERT INTO t VALUES ({name}, {id})', bindings, () => '?');
  assert.equal(questionMarks.text, 'INSERT INTO t VALUES (?, ?)');
  assert.deepEqual(questionMarks.names, ['name', 'id']);
  assert.throws(() => compileParameterized('{missing}', bindings, () => '?'), BenchpilotError);
});
