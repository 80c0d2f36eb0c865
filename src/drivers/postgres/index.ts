/**
 * The `postgres` driver: SQL over the PostgreSQL wire protocol with `pg`. Op templates become
 * statements with bound parameters ({name} -> $n), never SQL text with values pasted in.
 * Documented in docs/drivers/postgres.md.
 */
import type {
  Driver,
  DriverCreateContext,
  DriverPlugin,
  PrepareContext,
  PreparedOp,
} from '../../engine/driver.js';
import { compileParameterized } from '../../engine/template.js';
import { BenchpilotError } from '../../protocol/errors.js';
import { POSTGRES_ERROR_CLASSES } from './errors.js';
import { type CompiledStatement, ScriptOp, StatementOp } from './ops.js';
import {
  type PostgresOp,
  type PostgresTarget,
  parseAddress,
  postgresOpSchema,
  postgresTargetSchema,
} from './options.js';
import { ClientPool } from './pool.js';

/** Connections opened when target.pool is not set: enough for the phase, at most this many. */
export const DEFAULT_POOL_LIMIT = 16;

const placeholder = (index: number) => `$${index + 1}`;

export class PostgresDriver implements Driver<PostgresOp> {
  readonly #pool: ClientPool;
  #statementCount = 0;

  constructor(target: PostgresTarget, ctx: DriverCreateContext) {
    const size = target.pool ?? Math.max(1, Math.min(ctx.maxInFlight, DEFAULT_POOL_LIMIT));
    this.#pool = new ClientPool(target, parseAddress(target.url), size);
  }

  async connect(): Promise<void> {
    await this.#pool.open();
  }

  async prepare(op: PostgresOp, ctx: PrepareContext): Promise<PreparedOp> {
    const texts = op.sql !== undefined ? [op.sql] : (op.statements ?? []);
    if (op.sql !== undefined && op.statements !== undefined) {
      throw new BenchpilotError(
        'BP_SPEC_INVALID_VALUE',
        `op ${ctx.opName}: set either sql (one statement) or statements (several), not both`,
      );
    }
    if (texts.length === 0) {
      throw new BenchpilotError(
        'BP_SPEC_MISSING_FIELD',
        `op ${ctx.opName}: expected sql (one statement) or statements (a list run in one transaction)`,
      );
    }
    const transaction = op.transaction ?? op.statements !== undefined;
    if (op.isolation !== undefined && !transaction) {
      throw new BenchpilotError(
        'BP_SPEC_INVALID_VALUE',
        `op ${ctx.opName}: isolation applies to a transaction; remove it or set transaction: true`,
      );
    }
    const statements = texts.map((text) => this.#compile(text, ctx));
    if (!transaction && statements.length === 1) {
      return new StatementOp(this.#pool, statements[0]!, op.prepared);
    }
    return new ScriptOp(this.#pool, statements, {
      prepared: op.prepared,
      transaction,
      isolation: op.isolation,
    });
  }

  #compile(text: string, ctx: PrepareContext): CompiledStatement {
    let template: ReturnType<typeof compileParameterized>;
    try {
      template = compileParameterized(text, ctx.bindings, placeholder);
    } catch (err) {
      if (err instanceof BenchpilotError) {
        throw new BenchpilotError(err.code, `op ${ctx.opName}: ${err.message}`, { cause: err });
      }
      throw err;
    }
    return {
      index: this.#statementCount++,
      text: template.text,
      parameterCount: template.names.length,
      fill: template.fill,
    };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

export const postgresDriver: DriverPlugin<PostgresTarget, PostgresOp> = {
  name: 'postgres',
  description:
    'PostgreSQL (and wire-compatible servers) with pg: bound parameters, prepared statements, transactions',
  targetSchema: postgresTargetSchema,
  opSchema: postgresOpSchema,
  secretFields: ['password'],
  errorClasses: POSTGRES_ERROR_CLASSES,
  create(target: PostgresTarget, ctx: DriverCreateContext): Driver<PostgresOp> {
    return new PostgresDriver(target, ctx);
  },
};
