/** Child processes of the bench: the HTTP target, the benchpilot server, and their teardown. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { pidsMatching } from './procfs.js';

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The stdout lines' matches of the patterns asked for, in order. */
  readonly matches: string[];
}

/**
 * Spawns `node args…` and resolves once every pattern has matched a stdout line (first group
 * each). stderr is kept (last 4 KB) for the error message when the process exits or times out.
 */
export async function spawnUntil(
  args: string[],
  patterns: RegExp[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Started> {
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4096);
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: ${why}\nstdout: ${out.slice(-2000)}\nstderr: ${err}`));
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal})`);
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const matches = patterns.map((p) => p.exec(out)?.[1]);
      if (matches.some((m) => m === undefined)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Later output is read and dropped, so a full pipe never blocks the child.
      child.stdout!.off('data', onData).on('data', () => {});
      resolve({ child, pid: child.pid!, matches: matches as string[] });
    };
    child.once('exit', onExit);
    child.once('error', (e) => fail(e.message));
    child.stdout!.on('data', onData);
  });
}

/** SIGTERM, then SIGKILL after `graceMs` if it has not exited. */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * SIGKILLs every process whose command line names `dataDir` (runners are detached process
 * group leaders, so their group too). Returns how many there were.
 */
export function killLeftovers(dataDir: string): number {
  const pids = pidsMatching(dataDir);
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already, or not a group leader
      }
    }
  }
  return pids.length;
}
