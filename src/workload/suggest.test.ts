import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, didYouMean, editDistance } from './suggest.js';

test('edit distance counts adjacent swaps as one edit', () => {
  assert.equal(editDistance('duraton', 'duration'), 1);
  assert.equal(editDistance('flaot', 'float'), 1);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('suggests only close names', () => {
  assert.equal(closest('duraton', ['name', 'duration', 'rate']), 'duration');
  assert.equal(closest('Rate', ['rate', 'ratio']), 'rate');
  assert.equal(closest('concurency', ['concurrency', 'cycles']), 'concurrency');
  assert.equal(closest('xyz', ['name', 'rate']), undefined);
  assert.equal(closest('id', ['ok', 'by']), undefined, 'two edits on a two-letter name is not a typo');
  assert.equal(didYouMean('htp', ['http', 'sql']), '; did you mean http?');
  assert.equal(didYouMean('zzz', ['http']), '');
});
