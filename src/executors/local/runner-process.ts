/**
 * Is a runner process still there, and ending it. A pid alone is not proof: after a restart the
 * pid may belong to another process, so on Linux its command line must hold the run's spec path
 * (`<runsDir>/<runId>/run.json`, which names the run).
 */
import { readFile } from 'node:fs/promises';

/** Right after spawn, /proc still shows the parent's command line until exec completes. */
const EXEC_GRACE_MS = 10_000;

/** ours: our runner, running; zombie: it ended, not yet reaped; absent: no such process; other: the pid was reused. */
type PidState = 'ours' | 'zombie' | 'absent' | 'other';

export type RunnerLiveness = 'alive' | 'gone';

export async function runnerLiveness(
  pid: number,
  specPath: string,
  startedAtMs: number,
): Promise<RunnerLiveness> {
  return (await inspect(pid, specPath, startedAtMs)) === 'ours' ? 'alive' : 'gone';
}

/**
 * SIGKILL to the runner's process group (the runner leads it: it was spawned detached). Skipped
 * when the pid now belongs to another process; while any member of a group lives its id is not
 * handed out again, so signalling the group of a dead leader is safe.
 */
export async function killRunnerGroup(pid: number, specPath: string, startedAtMs: number): Promise<boolean> {
  if ((await inspect(pid, specPath, startedAtMs)) === 'other') return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}

/** Sends a signal to the runner itself (SIGTERM asks for a graceful stop), if it is still our runner. */
export async function signalRunner(
  pid: number,
  specPath: string,
  startedAtMs: number,
  signal: NodeJS.Signals,
): Promise<boolean> {
  if ((await inspect(pid, specPath, startedAtMs)) !== 'ours') return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function inspect(pid: number, specPath: string, startedAtMs: number): Promise<PidState> {
  // 0, 1 and negative numbers would signal our own group, init, or every process.
  if (!Number.isInteger(pid) || pid <= 1) return 'absent';
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the pid exists but belongs to another user, so it is not our runner.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'other' : 'absent';
  }
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return (await hasProcFs()) ? 'absent' : 'ours'; // no /proc (not Linux): the signal check is all there is
  }
  // "pid (comm) S ...": the state follows the last ')' (comm may hold spaces and parentheses).
  const close = stat.lastIndexOf(')');
  const state = stat.slice(close + 2, close + 3);
  if (state === 'Z' || state === 'X') return 'zombie';
  let cmdline: string;
  try {
    cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'absent';
  }
  if (cmdline.split('\0').includes(specPath)) return 'ours';
  return Date.now() - startedAtMs < EXEC_GRACE_MS ? 'ours' : 'other';
}

let procFs: Promise<boolean> | null = null;
function hasProcFs(): Promise<boolean> {
  procFs ??= readFile('/proc/self/stat', 'utf8').then(
    () => true,
    () => false,
  );
  return procFs;
}
