import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveStreamKey, GOLDEN_GAMMA, mix64Big, referenceDraw, Stream, type StreamKey } from './hash.js';

function drawBig(stream: Stream): bigint {
  const words = new Uint32Array(2);
  stream.nextWords(words, 0);
  return (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
}

// A stream with key = seed and gamma = the golden gamma is the classic splitmix64 generator:
// draw 0 at cycle c is its c-th output.
const classic = (seed: number): StreamKey => ({
  keyHi: 0,
  keyLo: seed,
  gammaHi: 0x9e3779b9,
  gammaLo: 0x7f4a7c15,
});

test('mix64 matches the published splitmix64 outputs', () => {
  assert.equal(mix64Big(GOLDEN_GAMMA), 0xe220a8397b1dcdafn); // seed 0, first output
  const stream = new Stream(classic(1234567));
  const outputs: bigint[] = [];
  for (let cycle = 1; cycle <= 5; cycle++) {
    stream.at(cycle);
    outputs.push(drawBig(stream));
  }
  // Rosetta Code "Pseudo-random numbers/Splitmix64", seed 1234567
  assert.deepEqual(outputs, [
    6457827717110365317n,
    3203168211198807973n,
    9817491932198370423n,
    4593380528125082431n,
    16408922859458223821n,
  ]);
});

test('32-bit Stream equals the BigInt reference for cycles across 2^32 and up to 2^53', () => {
  const key = deriveStreamKey(7, 'name:check');
  const stream = new Stream(key);
  const cycles = [
    0,
    1,
    2,
    0xffff,
    0x7fffffff,
    0xffffffff,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 40 + 12345,
    2 ** 53 - 1,
  ];
  let state = 12345;
  for (let i = 0; i < 200; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    cycles.push(Math.floor((state / 2 ** 32) * 2 ** 53));
  }
  for (const cycle of cycles) {
    stream.at(cycle);
    for (let draw = 0; draw < 3; draw++) {
      assert.equal(drawBig(stream), referenceDraw(key, cycle, draw), `cycle ${cycle} draw ${draw}`);
    }
  }
});

const GOLDEN_KEY_42_USER = ['24bb811b', 'eafb03e5', '567d8a65', 'fcab6d0b'];

test('stream keys are pinned (cross-machine stability) and depend on seed and label', () => {
  assert.deepEqual(deriveStreamKey(0, 'name:id'), deriveStreamKey(0, 'name:id'));
  const key = deriveStreamKey(42, 'name:user');
  assert.deepEqual(
    [key.keyHi, key.keyLo, key.gammaHi, key.gammaLo].map((word) => word.toString(16)),
    GOLDEN_KEY_42_USER,
  );
  assert.equal(key.gammaLo % 2, 1, 'gamma is odd');
  assert.notDeepEqual(deriveStreamKey(42, 'name:user'), deriveStreamKey(43, 'name:user'));
  assert.notDeepEqual(deriveStreamKey(42, 'name:user'), deriveStreamKey(42, 'name:users'));
  assert.notDeepEqual(deriveStreamKey(-1, 'x'), deriveStreamKey(1, 'x'));
});

test('nextDouble is in [0, 1) and uses 53 bits', () => {
  const stream = new Stream(deriveStreamKey(1, 'name:d'));
  let fractional53 = 0;
  for (let cycle = 0; cycle < 10_000; cycle++) {
    stream.at(cycle);
    const u = stream.nextDouble();
    assert.ok(u >= 0 && u < 1);
    if (!Number.isInteger(u * 2 ** 32)) fractional53++;
  }
  assert.ok(fractional53 > 9_900, 'low bits beyond 32 are populated');
});
