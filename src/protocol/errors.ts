/**
 * The one table of benchpilot error codes. Every code has a docs row in docs/errors.md
 * (a test fails when one is missing), a process exit code and an HTTP status.
 */

export type ErrorCategory =
  | 'usage'
  | 'spec'
  | 'target'
  | 'run'
  | 'threshold'
  | 'internal'
  | 'auth'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'state';

export interface ErrorCodeInfo {
  readonly category: ErrorCategory;
  /** One line: what went wrong, in a user's words. */
  readonly title: string;
}

export const ERROR_CODES = {
  BP_USAGE: { category: 'usage', title: 'The command line is not valid' },
  BP_FILE_NOT_FOUND: { category: 'usage', title: 'A file named on the command line does not exist' },
  BP_SPEC_YAML: { category: 'spec', title: 'The workload file is not valid YAML' },
  BP_SPEC_UNKNOWN_FIELD: { category: 'spec', title: 'A field in the workload is not known' },
  BP_SPEC_MISSING_FIELD: { category: 'spec', title: 'A required field is missing' },
  BP_SPEC_INVALID_VALUE: { category: 'spec', title: 'A field has a value of the wrong type or range' },
  BP_SPEC_UNKNOWN_DRIVER: {
    category: 'spec',
    title: 'target.driver names a driver benchpilot does not have',
  },
  BP_SPEC_UNKNOWN_BINDING: { category: 'spec', title: 'A template uses a {binding} that is not declared' },
  BP_SPEC_ENV_MISSING: { category: 'spec', title: 'A ${VAR} reference names an unset environment variable' },
  BP_SPEC_SECRET_LITERAL: {
    category: 'spec',
    title: 'A secret field holds a literal value instead of ${ENV}',
  },
  BP_SPEC_BAD_OVERRIDE: {
    category: 'spec',
    title: 'A --set override names a path or value that is not valid',
  },
  BP_SPEC_BAD_THRESHOLD: { category: 'spec', title: 'A threshold expression cannot be parsed' },
  BP_SPEC_UNKNOWN_PHASE: {
    category: 'spec',
    title: 'A phase named on the command line is not in the workload',
  },
  BP_NB5_WORKLOAD: {
    category: 'spec',
    title: 'A NoSQLBench workload cannot be run: not YAML, no default scenario, or an unknown step',
  },
  BP_TARGET_UNREACHABLE: { category: 'target', title: 'The target cannot be reached' },
  BP_TARGET_AUTH: { category: 'target', title: 'The target refused the credentials' },
  BP_DRIVER_PREPARE: { category: 'target', title: 'The target rejected an operation template' },
  BP_RUN_FAILED: { category: 'run', title: 'A phase failed while running' },
  BP_THRESHOLDS_FAILED: { category: 'threshold', title: 'One or more thresholds did not hold' },
  BP_API_BAD_REQUEST: {
    category: 'usage',
    title: 'An API request has a body, query or path that is not valid',
  },
  BP_UNAUTHORIZED: { category: 'auth', title: 'The request has no valid token' },
  BP_FORBIDDEN: {
    category: 'forbidden',
    title: 'The token may not do this (viewer tokens cannot change anything)',
  },
  BP_NOT_FOUND: { category: 'notFound', title: 'No such target, workload, setup or run' },
  BP_CONFLICT: { category: 'conflict', title: 'The request conflicts with the current state' },
  BP_TARGET_NOT_READY: {
    category: 'conflict',
    title: "The target's setup for this workload has not succeeded",
  },
  BP_STATE_UNAVAILABLE: {
    category: 'state',
    title: 'The state store (the SQLite file or PostgreSQL) cannot be opened or used',
  },
  BP_KUBE_FORBIDDEN: {
    category: 'state',
    title: "The control plane's ServiceAccount may not do what the Kubernetes executor needs",
  },
  BP_KUBE_API: { category: 'state', title: 'The Kubernetes API refused or failed a request of the executor' },
  BP_INTERNAL: { category: 'internal', title: 'An unexpected internal error (a bug: please report it)' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Process exit codes, documented in docs/errors.md. */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  cannotRun: 2,
  thresholdsFailed: 3,
} as const;

const EXIT_BY_CATEGORY: Record<ErrorCategory, number> = {
  usage: EXIT_CODES.cannotRun,
  spec: EXIT_CODES.cannotRun,
  target: EXIT_CODES.cannotRun,
  run: EXIT_CODES.cannotRun,
  threshold: EXIT_CODES.thresholdsFailed,
  state: EXIT_CODES.cannotRun,
  internal: EXIT_CODES.internal,
  auth: EXIT_CODES.cannotRun,
  forbidden: EXIT_CODES.cannotRun,
  notFound: EXIT_CODES.cannotRun,
  conflict: EXIT_CODES.cannotRun,
};

const HTTP_BY_CATEGORY: Record<ErrorCategory, number> = {
  usage: 400,
  spec: 422,
  target: 502,
  run: 409,
  threshold: 200,
  // The server's own storage is down: the request may succeed once it is back.
  state: 503,
  internal: 500,
  auth: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
};

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_BY_CATEGORY[ERROR_CODES[code].category];
}

export function httpStatusFor(code: ErrorCode): number {
  return HTTP_BY_CATEGORY[ERROR_CODES[code].category];
}

/** One problem at one place in a workload file (or on the command line). */
export interface SpecIssue {
  readonly code: ErrorCode;
  /** File name, or '--set' / '<env>' for problems from the command line. */
  readonly file: string;
  /** 1-based; 0 when the place is not in a file. */
  readonly line: number;
  readonly col: number;
  /** Field path such as `phases[0].duration`. */
  readonly path: string;
  /** What was wrong and what was expected, e.g. `is not a field; did you mean duration?`. */
  readonly message: string;
}

export function formatIssue(issue: SpecIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.col}` : issue.file;
  const path = issue.path ? ` ${issue.path}` : '';
  return `${issue.code}: ${where}${path} ${issue.message}`;
}

export class BenchpilotError extends Error {
  readonly code: ErrorCode;
  /** Every problem found, when the error is about a file (validation reports all at once). */
  readonly issues: readonly SpecIssue[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly SpecIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BenchpilotError';
    this.code = code;
    this.issues = options.issues ?? [];
  }

  get exitCode(): number {
    return exitCodeFor(this.code);
  }

  /** The message a user sees: the code, then every issue on its own line. */
  describe(): string {
    if (this.issues.length === 0) return `${this.code}: ${this.message}`;
    return [this.message, ...this.issues.map(formatIssue)].join('\n');
  }
}

export function isBenchpilotError(err: unknown): err is BenchpilotError {
  return err instanceof BenchpilotError;
}

/**
 * A problem found by a semantic check that knows the field path but not the file position;
 * the workload loader turns it into a SpecIssue with file:line:col.
 */
export interface PathIssue {
  readonly code: ErrorCode;
  readonly path: readonly (string | number)[];
  readonly message: string;
}
