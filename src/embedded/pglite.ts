/**
 * The embedded demo target: PGlite (PostgreSQL compiled to WebAssembly, in this process) served
 * on the PostgreSQL wire protocol, so any client (our `postgres` driver, psql) can reach it with
 * nothing installed.
 *
 * PGlite is one backend: connections are multiplexed onto it and run one at a time (see
 * multiplexer.ts), so session state (prepared statement names, SET) is shared by every
 * connection. pglite-socket's handler speaks the protocol per connection; the server loop and
 * the queue are ours, because its own queue interleaves connections inside a query.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import { BenchpilotError } from '../protocol/errors.js';
import { ConnectionMultiplexer } from './multiplexer.js';

export interface EmbeddedPostgresOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Directory for the database files; default in memory (gone on close). */
  dataDir?: string;
  /** Client connections accepted at once (default 64, enough for the postgres driver's pool). */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (no password: the server does not check one). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const EMBEDDED_DEFAULT_MAX_CONNECTIONS = 64;

/** A FATAL ErrorResponse, so a client reports "too many connections" (53300) instead of a parse error. */
function tooManyConnections(limit: number): Buffer {
  const fields = Buffer.from(
    `SFATAL\0VFATAL\0C53300\0Msorry, too many clients already (the embedded PostgreSQL accepts ${limit})\0\0`,
    'utf8',
  );
  const message = Buffer.alloc(5 + fields.length);
  message[0] = 0x45; // 'E'
  message.writeInt32BE(4 + fields.length, 1);
  fields.copy(message, 5);
  return message;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const requestedPort = options.port ?? 0;
  const limit = options.maxConnections ?? EMBEDDED_DEFAULT_MAX_CONNECTIONS;
  const db = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const multiplexer = new ConnectionMultiplexer(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (handlers.size >= limit) {
      socket.end(tooManyConnections(limit));
      return;
    }
    const handler = new PGLiteSocketHandler({
      // Our queue has the methods the handler calls; its class is not exported.
      queryQueue: multiplexer as unknown as ConstructorParameters<
        typeof PGLiteSocketHandler
      >[0]['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });

  let port: number;
  try {
    port = await listen(server, requestedPort);
  } catch (err) {
    await db.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new BenchpilotError(
        'BP_USAGE',
        `port ${requestedPort} on 127.0.0.1 is already in use: choose another port for the embedded PostgreSQL, or 0 for a free one`,
        { cause: err },
      );
    }
    throw err;
  }

  let closed: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    close() {
      closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...handlers].map((h) => h.detach(true)));
        for (const socket of sockets) socket.destroy();
        await stopped;
        await db.close();
      })();
      return closed;
    },
  };
}
