/**
 * The files of a local run directory (`<runsDir>/<runId>/`), the local channel of the runner
 * protocol (docs/runner-protocol.md). The runner command and the local executor both use these.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { BenchpilotError } from '../../protocol/errors.js';

export const RUN_FILES = {
  /** The RunSpec, written by the executor before the runner starts. */
  spec: 'run.json',
  /** RunEvents then the exit record, one JSON object per line, appended by the runner. */
  events: 'events.jsonl',
  /** ControlActions, one JSON object per line, appended by the control plane. */
  control: 'control.jsonl',
  /** The RunSummary, written by the runner when the run ends. */
  summary: 'summary.json',
  /** The runner's stdout and stderr. */
  log: 'runner.log',
} as const;

/** Run ids become directory names and appear in the runner's command line: keep them plain. */
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkRunId(runId: string): string {
  if (!SAFE_RUN_ID.test(runId)) {
    throw new BenchpilotError(
      'BP_USAGE',
      `run id ${JSON.stringify(runId)} is not usable as a directory name (letters, digits, . _ -; at most 128)`,
    );
  }
  return runId;
}

/** `dir` resolved, or an error when it is not strictly inside `runsDir` (a record from a store is not trusted). */
export function insideRunsDir(runsDir: string, dir: string): string {
  const full = resolve(dir);
  const rel = relative(resolve(runsDir), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new BenchpilotError(
      'BP_USAGE',
      `run directory ${full} is not inside the runs directory ${runsDir}`,
    );
  }
  return full;
}

export const runFile = (dir: string, name: keyof typeof RUN_FILES): string => join(dir, RUN_FILES[name]);
