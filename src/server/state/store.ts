/**
 * The control plane's state: one interface, two implementations with the same schema and
 * migrations — SQLite (default, a file under --data-dir) and PostgreSQL (DATABASE_URL).
 * Rows are small typed columns for filtering plus a JSON document for the rest.
 */
import type { Role, Run, RunState, SeriesPoint, Setup, Target, Workload } from '../../protocol/api.js';
import type { RunSummary } from '../../protocol/summary.js';

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** sha256 hex of the token; the token itself is never stored. */
  readonly hash: string;
  readonly createdAt: string;
}

/** A run as stored: the API view plus what the server needs to re-attach and control it. */
export interface RunRecord extends Run {
  /** What the executor needs to find the runner again (pid, run dir, ...). */
  readonly executorRecord: Record<string, string | number | boolean | null>;
  /** Position in the runner's event stream processed so far. */
  readonly cursor: number;
  /** The RunSpec the runner was started with. */
  readonly spec: unknown;
}

export type StoredTarget = Omit<Target, 'readiness' | 'available'>;
export type StoredWorkload = Workload & { /** Absolute path of the file runners load. */ file: string };

export interface RunFilter {
  readonly target?: string;
  readonly workload?: string;
  readonly state?: RunState;
  readonly kind?: 'benchmark' | 'setup';
  readonly limit?: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending migrations (versioned, in order, each once). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createToken(token: TokenRecord): Promise<void>;
  findTokenByHash(hash: string): Promise<TokenRecord | null>;
  /** Oldest first (createdAt, then id). */
  listTokens(): Promise<TokenRecord[]>;
  countTokens(): Promise<number>;

  /** By name. */
  listTargets(): Promise<StoredTarget[]>;
  getTarget(name: string): Promise<StoredTarget | null>;
  putTarget(target: StoredTarget): Promise<void>;
  deleteTarget(name: string): Promise<boolean>;

  /** By name. */
  listWorkloads(): Promise<StoredWorkload[]>;
  getWorkload(name: string): Promise<StoredWorkload | null>;
  putWorkload(workload: StoredWorkload): Promise<void>;
  deleteWorkload(name: string): Promise<boolean>;

  /** Newest first (createdAt, then id). */
  listSetups(): Promise<Setup[]>;
  getSetup(id: string): Promise<Setup | null>;
  /** The newest setup of a target+workload. */
  latestSetup(target: string, workload: string): Promise<Setup | null>;
  putSetup(setup: Setup): Promise<void>;

  /** Newest first (createdAt, then id), at most filter.limit (default 100). */
  listRuns(filter: RunFilter): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunRecord | null>;
  putRun(run: RunRecord): Promise<void>;
  /** Also deletes the run's series and result. */
  deleteRun(id: string): Promise<boolean>;

  /** Appends after the run's last point (a per-run sequence number keeps the order). */
  appendSeries(runId: string, point: SeriesPoint): Promise<void>;
  /** In the order appended. */
  listSeries(runId: string): Promise<SeriesPoint[]>;

  putResult(runId: string, summary: RunSummary): Promise<void>;
  getResult(runId: string): Promise<RunSummary | null>;
}
