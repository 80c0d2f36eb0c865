import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FreeSlots, fillFreeSlots, Ring } from './ring.js';

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

test('FreeSlots: a stack without pipelining, round-robin with it', () => {
  const take = (free: FreeSlots<string>, n: number) => Array.from({ length: n }, () => free.take());
  const stack = new FreeSlots<string>(true, 3);
  fillFreeSlots(stack, ['a', 'b', 'c'], 1);
  assert.deepEqual(take(stack, 2), ['a', 'b']);
  stack.push('a');
  assert.deepEqual(take(stack, 2), ['a', 'c']);
  assert.equal(stack.size, 0);

  const ring = new FreeSlots<string>(false, 4);
  fillFreeSlots(ring, ['a', 'b'], 2);
  assert.deepEqual(take(ring, 3), ['a', 'b', 'a']);
  ring.push('a');
  assert.deepEqual(take(ring, 2), ['b', 'a']);
});
