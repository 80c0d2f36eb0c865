/**
 * Prepared ops: one statement, or several on one connection (in a transaction by default).
 * Hot path: a call record per operation in flight, recycled through a free stack, holds the
 * parameter arrays and one callback bound at creation, so an operation allocates nothing of
 * ours; pg itself allocates its Query and Result.
 */
import type { OpCompletion, PreparedOp } from '../../engine/driver.js';
import { classifyError, describeError } from './errors.js';
import type { ClientPool, ClientUser, PooledClient } from './pool.js';

/** One SQL statement compiled from a template: `text` has $1..$n, `fill` writes their values. */
export interface CompiledStatement {
  /** Driver-wide index: names the statement on every connection. */
  readonly index: number;
  readonly text: string;
  readonly parameterCount: number;
  fill(cycle: number, out: unknown[]): void;
}

function report(pool: ClientPool, slot: OpCompletion, err: unknown): void {
  if (err === null || err === undefined) slot.done(null);
  else if (pool.closing) slot.done('cancelled', 'the driver was closed');
  else slot.done(classifyError(err), describeError(err));
}

class StatementCall {
  client: PooledClient | undefined;
  slot: OpCompletion | undefined;
  readonly values: unknown[] | undefined;
  readonly callback: (err: Error | null) => void;

  constructor(op: StatementOp, parameterCount: number) {
    this.values = parameterCount > 0 ? new Array(parameterCount) : undefined;
    this.callback = (err) => op.finish(this, err);
  }
}

export class StatementOp implements PreparedOp, ClientUser {
  readonly #pool: ClientPool;
  readonly #statement: CompiledStatement;
  readonly #prepared: boolean;
  readonly #free: StatementCall[] = [];

  constructor(pool: ClientPool, statement: CompiledStatement, prepared: boolean) {
    this.#pool = pool;
    this.#statement = statement;
    this.#prepared = prepared;
  }

  execute(cycle: number, slot: OpCompletion): void {
    this.#pool.acquire(this, cycle, slot);
  }

  run(client: PooledClient, cycle: number, slot: OpCompletion): void {
    const call = this.#free.pop() ?? new StatementCall(this, this.#statement.parameterCount);
    call.client = client;
    call.slot = slot;
    try {
      const statement = this.#statement;
      if (call.values !== undefined) statement.fill(cycle, call.values);
      client.query(
        client.config(statement.index, statement.text, this.#prepared),
        call.values,
        call.callback,
      );
    } catch (err) {
      this.finish(call, err);
    }
  }

  finish(call: StatementCall, err: unknown): void {
    const client = call.client!;
    const slot = call.slot!;
    call.client = undefined;
    call.slot = undefined;
    this.#free.push(call);
    this.#pool.release(client);
    report(this.#pool, slot, err);
  }
}

/** Fixed statements sent with the simple query protocol. */
const control = (text: string) => ({ text, rowMode: 'array' as const });
const COMMIT = control('COMMIT');
const ROLLBACK = control('ROLLBACK');

class ScriptCall {
  client: PooledClient | undefined;
  slot: OpCompletion | undefined;
  /** 0 BEGIN, 1..n statements, n+1 COMMIT, n+2 ROLLBACK. */
  step = 0;
  error: unknown = null;
  readonly values: (unknown[] | undefined)[];
  readonly callback: (err: Error | null) => void;

  constructor(op: ScriptOp, statements: readonly CompiledStatement[]) {
    this.values = statements.map((s) => (s.parameterCount > 0 ? new Array(s.parameterCount) : undefined));
    this.callback = (err) => op.advance(this, err);
  }
}

/** Statements in order on one connection; in a transaction, a failed statement rolls it back. */
export class ScriptOp implements PreparedOp, ClientUser {
  readonly #pool: ClientPool;
  readonly #statements: readonly CompiledStatement[];
  readonly #prepared: boolean;
  readonly #transaction: boolean;
  readonly #begin: ReturnType<typeof control>;
  readonly #free: ScriptCall[] = [];

  constructor(
    pool: ClientPool,
    statements: readonly CompiledStatement[],
    options: { prepared: boolean; transaction: boolean; isolation: string | undefined },
  ) {
    this.#pool = pool;
    this.#statements = statements;
    this.#prepared = options.prepared;
    this.#transaction = options.transaction;
    this.#begin = control(
      options.isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}`,
    );
  }

  execute(cycle: number, slot: OpCompletion): void {
    this.#pool.acquire(this, cycle, slot);
  }

  run(client: PooledClient, cycle: number, slot: OpCompletion): void {
    const call = this.#free.pop() ?? new ScriptCall(this, this.#statements);
    call.client = client;
    call.slot = slot;
    call.error = null;
    try {
      // All values are drawn up front: a template's values depend only on the cycle.
      for (let i = 0; i < this.#statements.length; i++) {
        const values = call.values[i];
        if (values !== undefined) this.#statements[i]!.fill(cycle, values);
      }
      if (this.#transaction) {
        call.step = 0;
        client.query(this.#begin, undefined, call.callback);
      } else {
        call.step = 1;
        this.#send(call, client);
      }
    } catch (err) {
      this.#finish(call, err);
    }
  }

  #send(call: ScriptCall, client: PooledClient): void {
    const index = call.step - 1;
    const statement = this.#statements[index]!;
    client.query(
      client.config(statement.index, statement.text, this.#prepared),
      call.values[index],
      call.callback,
    );
  }

  advance(call: ScriptCall, err: Error | null): void {
    const client = call.client!;
    const last = this.#statements.length;
    try {
      if (err !== null) {
        if (call.error === null) call.error = err;
        // A statement failed inside the transaction: roll it back before the connection is reused.
        if (this.#transaction && call.step >= 1 && call.step <= last && client.alive) {
          call.step = last + 2;
          client.query(ROLLBACK, undefined, call.callback);
          return;
        }
        this.#finish(call, call.error);
        return;
      }
      if (call.step === last + 2 || call.step === last + 1 || (!this.#transaction && call.step === last)) {
        this.#finish(call, call.error);
        return;
      }
      call.step++;
      if (call.step === last + 1) client.query(COMMIT, undefined, call.callback);
      else this.#send(call, client);
    } catch (thrown) {
      this.#finish(call, call.error ?? thrown);
    }
  }

  #finish(call: ScriptCall, err: unknown): void {
    const client = call.client!;
    const slot = call.slot!;
    call.client = undefined;
    call.slot = undefined;
    call.error = null;
    this.#free.push(call);
    this.#pool.release(client);
    report(this.#pool, slot, err);
  }
}
