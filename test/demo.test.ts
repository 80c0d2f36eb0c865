/** The README's first command, `benchpilot demo`, end to end: embedded PGlite + the SQL workload via the real CLI. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { RunSummary } from '../src/protocol/summary.js';

const BIN = new URL('../../bin/benchpilot.js', import.meta.url).pathname;

test('benchpilot demo runs every phase of sql-ecommerce against the embedded PostgreSQL', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bp-demo-'));
  try {
    const json = join(dir, 'out.json');
    // Exit 0 (thresholds held) or 3 (a latency threshold failed on a loaded machine) both mean it ran.
    const { stdout, code } = await promisify(execFile)(
      process.execPath,
      [BIN, 'demo', '--set', 'phases.rampup.cycles=400', '--duration', '3s', '--json', json],
      { env: { ...process.env, BENCHPILOT_PG_URL: '' } },
    ).then(
      (r) => ({ ...r, code: 0 }),
      (e: { stdout: string; code: number }) => e,
    );
    assert.ok(code === 0 || code === 3, `exit ${code}`);
    assert.match(stdout, /embedded PostgreSQL listening at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
    assert.match(stdout, code === 0 ? /all \d+ thresholds held/ : /\d+ of \d+ thresholds failed/);
    const summary = JSON.parse(await readFile(json, 'utf8')) as RunSummary;
    assert.deepEqual(
      summary.phases.map((p) => p.name),
      ['drop', 'schema', 'rampup', 'constraints', 'main'],
    );
    const rampup = summary.phases[2]!;
    assert.equal(
      rampup.ops.reduce((n, o) => n + o.count, 0),
      400,
    );
    const main = summary.phases[4]!;
    assert.equal(main.durationSeconds, 3);
    assert.ok(
      main.ops.every((o) => o.count > 0 && o.errors === 0),
      JSON.stringify(main.ops.map((o) => [o.name, o.count, o.errors])),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
