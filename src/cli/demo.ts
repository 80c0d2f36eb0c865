/**
 * `benchpilot demo`: the README's first command. Starts PostgreSQL in-process (PGlite behind a
 * Postgres wire-protocol socket on 127.0.0.1) and runs the shipped SQL e-commerce workload
 * against it, so the first run does something real with nothing installed but Node.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../embedded/pglite.js';
import { BenchpilotError } from '../protocol/errors.js';
import { parseRunArgs, RUN_FLAGS, type RunCommandOptions } from './args.js';

export const SHIPPED_WORKLOADS = fileURLToPath(new URL('../../../workloads/', import.meta.url));

export async function runDemo(
  argv: readonly string[],
  runCommand: (options: RunCommandOptions, env: NodeJS.ProcessEnv) => Promise<number>,
): Promise<number> {
  const { positionals } = parseArgs({
    args: [...argv],
    options: RUN_FLAGS,
    allowPositionals: true,
    strict: false,
  });
  if (positionals.length > 0) {
    throw new BenchpilotError(
      'BP_USAGE',
      'demo takes only run options (e.g. --duration 20s, --rate 200, --json out.json)',
    );
  }
  const parsed = parseRunArgs([`${SHIPPED_WORKLOADS}sql-ecommerce.yaml`, ...argv]);
  if (parsed === 'help') {
    console.log(
      'Usage: benchpilot demo [run options]\n\nRuns workloads/sql-ecommerce.yaml against an embedded PostgreSQL.',
    );
    return 0;
  }
  console.log('starting embedded PostgreSQL (PGlite) on 127.0.0.1 ...');
  const database = await startEmbeddedPostgres({ port: 0 });
  console.log(`embedded PostgreSQL listening at ${database.url}`);
  try {
    return await runCommand(parsed, { ...process.env, BENCHPILOT_PG_URL: database.url });
  } finally {
    await database.close();
  }
}
