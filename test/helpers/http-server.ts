/**
 * A real HTTP server on 127.0.0.1 and a free port, recording what it receives.
 * Routes: /status/<code> answers that status; /slow/<ms> answers after a delay;
 * /chunked answers with a chunked body; /close answers with `Connection: close`;
 * anything else answers 200 "ok".
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** 1-based number of the connection it came on, in order of accept. */
  readonly connection: number;
}

export interface TestHttpServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Connections accepted so far. */
  readonly connections: () => number;
  /** Highest number of requests being handled at once on one connection (pipelining shows > 1). */
  readonly maxInProgressPerConnection: () => number;
  close(): Promise<void>;
}

export async function startHttpServer(): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const connectionIds = new WeakMap<Socket, number>();
  const inProgress = new Map<number, number>();
  const sockets = new Set<Socket>();
  let connections = 0;
  let maxInProgress = 0;

  const server: Server = createServer((req, res) => {
    const connection = connectionIds.get(req.socket) ?? 0;
    const now = (inProgress.get(connection) ?? 0) + 1;
    inProgress.set(connection, now);
    maxInProgress = Math.max(maxInProgress, now);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      requests.push({
        method: req.method ?? '',
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection,
      });
      const finish = () => {
        inProgress.set(connection, (inProgress.get(connection) ?? 1) - 1);
      };
      res.on('finish', finish);
      respond(url, res);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    connections++;
    connectionIds.set(socket, connections);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    maxInProgressPerConnection: () => maxInProgress,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function respond(url: string, res: import('node:http').ServerResponse): void {
  const status = /^\/status\/(\d{3})/.exec(url);
  if (status) {
    res.statusCode = Number(status[1]);
    res.end('status');
    return;
  }
  const slow = /^\/slow\/(\d+)/.exec(url);
  if (slow) {
    setTimeout(() => res.end('slow'), Number(slow[1]));
    return;
  }
  if (url.startsWith('/chunked')) {
    res.write('first,');
    setTimeout(() => res.end('second'), 5);
    return;
  }
  if (url.startsWith('/close')) {
    res.setHeader('connection', 'close');
    res.end('bye');
    return;
  }
  res.setHeader('content-type', 'text/plain');
  res.end('ok');
}
