import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ring } from './ring.js';

test('Ring is FIFO across wrap-around and growth', () => {
  const ring = new Ring<number>(2);
  const out: number[] = [];
  ring.push(1);
  ring.push(2);
  out.push(ring.shift());
  ring.push(3); // wraps
  ring.push(4); // grows with head in the middle
  ring.push(5);
  while (ring.size > 0) out.push(ring.shift());
  assert.deepEqual(out, [1, 2, 3, 4, 5]);
  assert.equal(ring.size, 0);
});
