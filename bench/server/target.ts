/**
 * The benchmark's HTTP target, in its own process so its CPU is not charged to the bench:
 * answers every request with `ok` on 127.0.0.1 and prints `target listening on PORT`.
 * It exits when its stdin closes, so it never outlives the bench, even a kill -9 of it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`target listening on ${(server.address() as AddressInfo).port}`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
