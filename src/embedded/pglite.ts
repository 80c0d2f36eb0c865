/**
 * The embedded demo target: PGlite (PostgreSQL compiled to WebAssembly, in this process) served
 * on the PostgreSQL wire protocol by @electric-sql/pglite-socket, so any client (our `postgres`
 * driver, psql) can reach it with nothing installed.
 *
 * PGlite is one backend: connections are multiplexed onto it and queries run one at a time, so
 * session state (prepared statement names, SET) is shared by every connection.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { BenchpilotError } from '../protocol/errors.js';

export interface EmbeddedPostgresOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Directory for the database files; default in memory (gone on close). */
  dataDir?: string;
  /**
   * Concurrent client connections accepted. The socket server's own default is 1, which makes
   * a pool fail with "Connection terminated unexpectedly"; 64 covers the postgres driver's pool.
   */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (no password: the server does not check one). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const EMBEDDED_DEFAULT_MAX_CONNECTIONS = 64;

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const requestedPort = options.port ?? 0;
  const db = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: requestedPort,
    maxConnections: options.maxConnections ?? EMBEDDED_DEFAULT_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new BenchpilotError(
        'BP_USAGE',
        `port ${requestedPort} on 127.0.0.1 is already in use: choose another port for the embedded PostgreSQL, or 0 for a free one`,
        { cause: err },
      );
    }
    throw err;
  }
  const port = Number(server.getServerConn().split(':').at(-1));
  let closed: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    close() {
      closed ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return closed;
    },
  };
}
