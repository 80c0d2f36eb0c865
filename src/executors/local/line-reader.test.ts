import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readLastLines, readLines } from './line-reader.js';

const dir = await mkdtemp(join(tmpdir(), 'bp-lines-'));
after(() => rm(dir, { recursive: true, force: true }));

test('only complete lines are read; the cursor stops before a half-written line', async () => {
  const file = join(dir, 'partial.jsonl');
  await writeFile(file, 'one\ntwo\nthr');
  const first = await readLines(file, 0);
  assert.deepEqual(
    first.lines.map((l) => [l.text, l.end]),
    [
      ['one', 4],
      ['two', 8],
    ],
  );
  assert.equal(first.next, 8);
  assert.equal(first.more, false);
  await writeFile(file, 'one\ntwo\nthree\n');
  const second = await readLines(file, first.next);
  assert.deepEqual(
    second.lines.map((l) => l.text),
    ['three'],
  );
  assert.equal(second.next, 14);
});

test('final returns a last line without a newline (its writer is gone)', async () => {
  const file = join(dir, 'final.log');
  await writeFile(file, 'a\nlast words');
  const batch = await readLines(file, 0, { final: true });
  assert.deepEqual(
    batch.lines.map((l) => l.text),
    ['a', 'last words'],
  );
  assert.equal(batch.next, 12);
});

test('offsets are bytes, not characters', async () => {
  const file = join(dir, 'utf8.jsonl');
  await writeFile(file, 'é€\nx\n');
  const batch = await readLines(file, 0);
  assert.deepEqual(
    batch.lines.map((l) => [l.text, l.end]),
    [
      ['é€', 6],
      ['x', 8],
    ],
  );
});

test('a batch is bounded by maxBytes, and a longer line is still read whole', async () => {
  const file = join(dir, 'long.jsonl');
  await writeFile(file, 'a\nb\nc\n');
  const small = await readLines(file, 0, { maxBytes: 3 });
  assert.deepEqual(
    small.lines.map((l) => l.text),
    ['a'],
  );
  assert.equal(small.more, true);
  const text = `${'x'.repeat(100)}\n${Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n')}\n`;
  await writeFile(file, text);
  const read: string[] = [];
  let offset = 0;
  for (let round = 0; round < 100; round++) {
    const batch = await readLines(file, offset, { maxBytes: 8 });
    read.push(...batch.lines.map((l) => l.text));
    offset = batch.next;
    if (!batch.more) break;
  }
  assert.equal(read[0]!.length, 100);
  assert.deepEqual(read, text.split('\n').slice(0, -1));
  assert.equal(offset, Buffer.byteLength(text));
});

test('a missing file reads as empty', async () => {
  assert.deepEqual(await readLines(join(dir, 'none'), 5), { lines: [], next: 5, more: false });
  assert.deepEqual(await readLastLines(join(dir, 'none'), 5), []);
});

test('readLastLines returns the last N lines, also when they span more than one read window', async () => {
  const file = join(dir, 'tail.log');
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'.'.repeat(40)}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  assert.deepEqual(await readLastLines(file, 3), lines.slice(-3));
  assert.deepEqual(await readLastLines(file, 4000), lines.slice(-4000));
  assert.equal((await readLastLines(file, 10_000)).length, 5000);
  assert.deepEqual(await readLastLines(file, 0), []);
});
