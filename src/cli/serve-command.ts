/** `benchpilot serve` and `benchpilot token create`: the control plane from the command line. */
import { parseArgs } from 'node:util';
import type { Role } from '../protocol/api.js';
import { BenchpilotError } from '../protocol/errors.js';
import { createToken } from '../server/auth.js';
import { loadServerConfig } from '../server/config.js';
import { startServer } from '../server/server.js';
import { openStore } from '../server/state/index.js';

export const SERVE_USAGE = `Usage: benchpilot serve [options]

Starts the control plane: web UI, REST API (/api/v1, OpenAPI at /api/openapi.json, docs at /api/docs),
live events (WebSocket /api/v1/events), local executor.

Options:
  --host HOST        listen address (default 127.0.0.1; env BENCHPILOT_HOST)
  --port N           listen port (default 8080; 0 picks a free one; env BENCHPILOT_PORT)
  --data-dir DIR     state (SQLite), run directories, uploaded workloads (default ./.benchpilot)
  --config FILE      targets and options in the Helm chart's keys (docs/server.md)
  --no-demo          do not start the embedded PostgreSQL demo target
  --no-auto-setup    do not start the setups of enabled targets on start

State goes to PostgreSQL instead of SQLite when DATABASE_URL is set.`;

const SERVE_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  'no-demo': { type: 'boolean' },
  'no-auto-setup': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TOKEN_FLAGS = {
  role: { type: 'string' },
  name: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function serveCommand(argv: readonly string[]): Promise<number> {
  const { values } = parse(argv, SERVE_FLAGS);
  if (values.help) {
    console.log(SERVE_USAGE);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new BenchpilotError('BP_USAGE', `--port ${values.port}: expected 0..65535`);
  }
  const config = await loadServerConfig({
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values['no-demo'] ? { demo: false } : {}),
    ...(values['no-auto-setup'] ? { autoSetup: false } : {}),
  });
  const server = await startServer(config);
  console.log(`benchpilot listening at ${server.url}`);
  if (server.initialToken) {
    console.log(`operator token (shown once): ${server.initialToken}`);
  } else {
    console.log(
      `tokens exist in ${config.dataDir}; create another with: benchpilot token create --role operator --data-dir ${config.dataDir}`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('stopping (runs keep going; the next start re-attaches to them)');
  await server.close();
  return 0;
}

export async function tokenCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parse(argv, TOKEN_FLAGS);
  const usage = 'Usage: benchpilot token create --role viewer|operator [--name NAME] [--data-dir DIR]';
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals[0] !== 'create') throw new BenchpilotError('BP_USAGE', usage);
  if (values.role !== 'viewer' && values.role !== 'operator')
    throw new BenchpilotError('BP_USAGE', `--role must be viewer or operator\n${usage}`);
  const config = await loadServerConfig(
    values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {},
  );
  const store = await openStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  });
  try {
    const { token } = await createToken(
      store,
      values.name ?? `${values.role}-${new Date().toISOString()}`,
      values.role as Role,
    );
    console.log(token);
  } finally {
    await store.close();
  }
  return 0;
}

// biome-ignore lint/suspicious/noExplicitAny: parseArgs' option table type
function parse<T extends Record<string, any>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BenchpilotError('BP_USAGE', (err as Error).message);
  }
}
