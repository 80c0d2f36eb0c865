/**
 * The workload spec (YAML). One generic shape; each driver contributes the schema of `target`
 * and of one op (see engine/driver.ts), and src/runner/registry.ts composes them.
 * JSON Schema in schemas/workload.schema.json is generated from here (npm run gen).
 */
import { z } from 'zod';
import { bindingSpecSchema } from './bindings.js';
import { parseThreshold } from './thresholds.js';
import { parseDuration } from './units.js';

const NAME = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;

const DURATION_EXPECTED = 'expected a duration such as 500ms, 30s, 5m, 1h30m or a number of seconds';

// Messages in these schemas start with "expected": the workload loader adds ", got <value>".
export const durationSchema = z
  .union([z.number().nonnegative(DURATION_EXPECTED), z.string()], { error: DURATION_EXPECTED })
  .refine((v) => parseDuration(v) !== undefined, {
    message: DURATION_EXPECTED,
  })
  .transform((v) => parseDuration(v)!)
  .meta({ description: 'A duration: 500ms, 30s, 5m, 1h30m, or a number of seconds' });

export const nameSchema = z
  .string()
  .regex(NAME, 'expected lower-case letters, digits, - or _ (at most 63, starting and ending alphanumeric)');

/** A threshold expression (grammar in protocol/thresholds.ts); a bad one is BP_SPEC_BAD_THRESHOLD. */
export const thresholdSchema = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseThreshold(text);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error, params: { bpCode: 'BP_SPEC_BAD_THRESHOLD' } });
    }
  })
  .meta({
    description: 'metric[(op)] comparator value, e.g. "p99(read) < 20ms", "errors < 1%", "rate > 900"',
  });

const OP_NAME_EXPECTED = 'expected an op name: letters, digits, _ or -, starting with a letter or _';
const BINDING_NAME_EXPECTED = 'expected a binding name: letters, digits or _, starting with a letter or _';

export const opCommonShape = {
  ratio: z
    .number()
    .int()
    .min(0)
    .default(1)
    .meta({ description: 'Relative weight of this op in the phase mix (0 disables it)' }),
};

export function makePhaseSchema(opSchema: z.ZodObject) {
  const op = opSchema.extend(opCommonShape).strict();
  return z
    .strictObject({
      name: nameSchema.meta({ description: 'Phase name, e.g. drop, schema, rampup, main' }),
      description: z.string().optional(),
      ops: z
        .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, OP_NAME_EXPECTED), op)
        .refine((ops) => Object.keys(ops).length > 0, 'expected at least one op')
        .meta({ description: 'The ops of this phase by name, mixed by ratio' }),
      cycles: z
        .number()
        .int()
        .positive()
        .optional()
        .meta({ description: 'Total operations to run (all workers)' }),
      duration: durationSchema.optional().meta({ description: 'How long the phase runs (after warmup)' }),
      rate: z
        .number()
        .positive()
        .optional()
        .meta({ description: 'Open model: target operations per second' }),
      arrival: z
        .enum(['constant', 'poisson'])
        .default('constant')
        .meta({ description: 'Open model: evenly spaced or Poisson (exponential gaps) intended starts' }),
      concurrency: z
        .number()
        .int()
        .positive()
        .optional()
        .meta({ description: 'Closed model: number of loops' }),
      maxInFlight: z.number().int().positive().optional().meta({
        description: 'Open model: cap of concurrently executing ops (default 1000); later ops wait',
      }),
      warmup: durationSchema.optional().meta({ description: 'Time at the start not counted in results' }),
      stopTimeout: durationSchema
        .default(5)
        .meta({ description: 'On stop, how long in-flight ops may drain before they are cancelled' }),
      thresholds: z
        .array(thresholdSchema)
        .default([])
        .meta({ description: 'Pass/fail checks, e.g. "p99(read) < 20ms", "errors < 1%", "rate > 900"' }),
    })
    .refine((p) => !(p.rate !== undefined && p.concurrency !== undefined), {
      message: 'and concurrency are both set; use rate (open model) or concurrency (closed model), not both',
      path: ['rate'],
      // Also when other fields of the phase are wrong: every problem is reported at once.
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    });
}

export function makeWorkloadSchema(targetSchema: z.ZodType, opSchema: z.ZodObject) {
  return z.strictObject({
    name: nameSchema.meta({ description: 'Workload name' }),
    description: z.string().optional(),
    seed: z
      .number()
      .int()
      .default(0)
      .meta({ description: 'Seed mixed into every binding (same seed, same data)' }),
    target: targetSchema,
    bindings: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, BINDING_NAME_EXPECTED), bindingSpecSchema)
      .default({})
      .meta({ description: 'Named data generators used as {name} in op templates (docs/bindings.md)' }),
    phases: z.array(makePhaseSchema(opSchema)).min(1, 'expected at least one phase'),
  });
}

export type PhaseSpec = z.output<ReturnType<typeof makePhaseSchema>> & {
  ops: Record<string, { ratio: number } & Record<string, unknown>>;
};

export interface WorkloadSpec {
  name: string;
  description?: string | undefined;
  seed: number;
  target: { driver: string } & Record<string, unknown>;
  bindings: Record<string, z.output<typeof bindingSpecSchema>>;
  phases: PhaseSpec[];
}
