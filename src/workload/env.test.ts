import assert from 'node:assert/strict';
import { test } from 'node:test';
import { substituteEnv } from './env.js';

const env = { HOST: 'db.local', PORT: '5432', EMPTY: '' };

test('substitutes ${VAR} and ${VAR:-default}', () => {
  assert.equal(substituteEnv('http://${HOST}:${PORT}/x', env).value, 'http://db.local:5432/x');
  assert.equal(substituteEnv('${NOPE:-fallback}', env).value, 'fallback');
  assert.equal(
    substituteEnv('${EMPTY:-fallback}', env).value,
    'fallback',
    'empty counts as unset, as in a shell',
  );
  assert.equal(substituteEnv('${HOST:-fallback}', env).value, 'db.local');
  assert.equal(substituteEnv('${NOPE:-}', env).value, '');
  assert.equal(substituteEnv('no references, {binding} stays', env).value, 'no references, {binding} stays');
});

test('reports missing variables and malformed references', () => {
  const result = substituteEnv('${A}-${B}-${A}', env);
  assert.deepEqual(result.missing, ['A', 'B']);
  assert.equal(substituteEnv('${1BAD}', env).malformed, '${1BAD}');
  assert.equal(substituteEnv('cost ${ open', env).malformed, '${');
});

test('$${ writes a literal ${', () => {
  const result = substituteEnv('echo $${HOME}', env);
  assert.equal(result.value, 'echo ${HOME}');
  assert.deepEqual(result.missing, []);
  assert.equal(result.substituted, false);
});

test('tells how a value is written, for secrets', () => {
  assert.equal(substituteEnv('${PGPASSWORD}', env).form, 'env');
  assert.equal(substituteEnv('${PGPASSWORD:-postgres}', env).form, 'env-default');
  assert.equal(substituteEnv('Bearer ${API_TOKEN}', env).form, 'env');
  assert.equal(substituteEnv('${HOST:-}', env).form, 'env', 'an empty default writes nothing in the file');
  assert.equal(substituteEnv('${A}:${B:-x}', env).form, 'env-default');
  assert.equal(substituteEnv('hunter2', env).form, 'literal');
});
