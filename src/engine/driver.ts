/**
 * The driver contract: the one seam between the engine and a protocol client.
 * A driver is a plugin (see src/drivers/<name>/index.ts); only src/runner/registry.ts
 * imports concrete drivers.
 *
 * Hot path: `PreparedOp.execute` is called once per operation. It takes the cycle number
 * (the op derives its bound values from it through the templates it compiled in `prepare`)
 * and a reusable completion slot; it must not throw, and must call `slot.done` exactly once.
 */
import type { z } from 'zod';
import type { BindingSet } from './bindings/types.js';

/** Error classes every driver may report; drivers add their own (declared in `errorClasses`). */
export const COMMON_ERROR_CLASSES = ['timeout', 'connection', 'server', 'client', 'cancelled'] as const;

export interface OpCompletion {
  /**
   * Called exactly once per execute. `errorClass` null means success; otherwise one of
   * COMMON_ERROR_CLASSES or the driver's declared classes. `message` is kept (first few per
   * class) for the summary; pass a constant or the server's message, never credentials.
   */
  done(errorClass: string | null, message?: string): void;
}

export interface PreparedOp {
  execute(cycle: number, slot: OpCompletion): void;
}

export interface PrepareContext {
  /** The op's name in the workload (key under `ops`). */
  readonly opName: string;
  readonly bindings: BindingSet;
}

export interface Driver<TOp = unknown> {
  /** Open connections; throws BenchpilotError BP_TARGET_UNREACHABLE / BP_TARGET_AUTH when it cannot. */
  connect(): Promise<void>;
  /** Compile an op template once (parse, prepare statements); throws BP_DRIVER_PREPARE / BP_SPEC_* when invalid. */
  prepare(op: TOp, ctx: PrepareContext): Promise<PreparedOp>;
  /** Close connections; in-flight operations may be cancelled. */
  close(): Promise<void>;
}

export interface DriverCreateContext {
  /** Upper bound of concurrently executing ops this driver will see (pool sizing). */
  readonly maxInFlight: number;
  /** Name of the workload file, for error messages. */
  readonly workloadName: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds plugins of every option type
export interface DriverPlugin<TTarget = any, TOp = any> {
  readonly name: string;
  /** One line for `benchpilot drivers` and the docs. */
  readonly description: string;
  /** Strict schema of `target:` for this driver, including `driver: z.literal(name)`. */
  readonly targetSchema: z.ZodType<TTarget>;
  /** Strict schema of one op's driver fields (the engine adds `ratio`). */
  readonly opSchema: z.ZodObject;
  /** Dotted paths inside `target` that hold secrets: they may only come from ${ENV}. */
  readonly secretFields: readonly string[];
  /** Error classes beyond COMMON_ERROR_CLASSES. */
  readonly errorClasses: readonly string[];
  create(target: TTarget, ctx: DriverCreateContext): Driver<TOp>;
}
