/**
 * Starts a real PostgreSQL server from Debian's packages (scripts/ensure-test-tools.sh installs
 * `postgresql`) in a temporary directory, on a free 127.0.0.1 port, and removes it on close.
 *
 * Authentication (pg_hba.conf): `postgres` is trusted on 127.0.0.1; every other role must give
 * its password (scram-sha-256), so tests can check authentication failures.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run scripts/ensure-test-tools.sh',
    );
  }
  return join(root, versions[0]!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = process.getuid?.() === 0;

/** Command and arguments, run as the `postgres` user when we are root (initdb refuses root). */
function asPostgres(file: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

const running = new Set<() => void>();
let exitHookInstalled = false;

/** If the test process dies without close(), stop the servers it started. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const stop of running) stop();
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'bp-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (isRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const pgCtl = join(bin, 'pg_ctl');
  try {
    await run(
      ...asPostgres(join(bin, 'initdb'), [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]),
    );
    const hba = [
      'local all all trust',
      'host all postgres 127.0.0.1/32 trust',
      'host all all 127.0.0.1/32 scram-sha-256',
    ];
    writeFileSync(join(dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`);

    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const serverOptions = [
        `-p ${port}`,
        '-c listen_addresses=127.0.0.1',
        `-c unix_socket_directories=${dir}`,
        '-c fsync=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        await run(
          ...asPostgres(pgCtl, [
            'start',
            '-w',
            '-t',
            '60',
            '-D',
            dataDir,
            '-l',
            logFile,
            '-o',
            serverOptions,
          ]),
        );
      } catch (err) {
        lastError = err; // most likely the port was taken between freePort() and start: try another
        continue;
      }
      const stopNow = () => {
        try {
          execFileSync(...asPostgres(pgCtl, ['stop', '-m', 'immediate', '-D', dataDir]), { stdio: 'ignore' });
        } catch {
          // already stopped
        }
        rmSync(dir, { recursive: true, force: true });
      };
      running.add(stopNow);
      installExitHook();
      let closed: Promise<void> | undefined;
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        port,
        close() {
          closed ??= (async () => {
            running.delete(stopNow);
            try {
              await run(...asPostgres(pgCtl, ['stop', '-w', '-m', 'fast', '-D', dataDir]));
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          })();
          return closed;
        },
      };
    }
    const log = existsSync(logFile) ? execFileSync('tail', ['-n', '20', logFile], { encoding: 'utf8' }) : '';
    throw new Error(`PostgreSQL did not start: ${String(lastError)}\n${log}`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
