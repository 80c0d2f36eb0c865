/**
 * The schema of one binding: a named, deterministic data generator declared under `bindings:`
 * in a workload and used as `{name}` in op templates. Every generator is a pure function of the
 * cycle number, so the same cycle gives the same value in any process or worker.
 * Semantic checks that span fields or bindings (min <= max, template references, cycles) live in
 * engine/bindings/check.ts and report PathIssues; this schema stays transform-free so a parsed
 * spec is also a valid input.
 */
import { z } from 'zod';
import { parseDuration } from './units.js';

/** `YYYY-MM-DD` or a date-time with an explicit `Z` / `±hh:mm` offset (never local time). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function isIsoInstant(text: string): boolean {
  return ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text));
}

const seed = z
  .number()
  .int()
  .optional()
  .meta({
    description:
      'Random stream of this binding: by default it is derived from the workload seed and the binding name; ' +
      'with seed set, from the workload seed and this number instead (bindings with the same seed and ' +
      'parameters give equal values, and renaming the binding keeps its data)',
  });

const mod = z
  .number()
  .int()
  .positive()
  .optional()
  .meta({
    description:
      'Wrap the cycle: the generator sees cycle % mod, so values repeat every mod cycles ' +
      '(e.g. read back keys written by a rampup of mod cycles)',
  });

const scalar = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected a string, number or boolean',
});

export const sequenceBindingSchema = z
  .strictObject({
    type: z.literal('sequence'),
    start: z.number().default(0).meta({ description: 'Value at cycle 0' }),
    step: z.number().default(1).meta({ description: 'Added per cycle: value = start + cycle * step' }),
    mod,
  })
  .meta({ description: 'Arithmetic sequence: start + cycle * step' });

export const uniformBindingSchema = z
  .strictObject({
    type: z.literal('uniform'),
    min: z.number().meta({ description: 'Smallest value (an integer unless float is true)' }),
    max: z.number().meta({
      description: 'Largest value: included for integers; excluded for floats (before rounding)',
    }),
    float: z
      .boolean()
      .default(false)
      .meta({ description: 'Draw a real number in [min, max) instead of an integer' }),
    decimals: z
      .number()
      .int()
      .min(0)
      .max(15)
      .optional()
      .meta({ description: 'Floats only: round to this many decimal places' }),
    seed,
    mod,
  })
  .meta({ description: 'Uniformly distributed number in [min, max]' });

export const zipfBindingSchema = z
  .strictObject({
    type: z.literal('zipf'),
    n: z
      .number()
      .int()
      .positive()
      .meta({ description: 'Number of distinct ranks (any size: no table is built)' }),
    exponent: z
      .number()
      .positive()
      .default(1)
      .meta({ description: 'Skew s: P(rank k) is proportional to 1 / k^s (1.0 is classic Zipf)' }),
    offset: z
      .number()
      .int()
      .default(1)
      .meta({ description: 'Added to the 0-based rank: the default 1 gives values 1..n, 0 gives 0..n-1' }),
    seed,
    mod,
  })
  .meta({ description: 'Zipf-distributed rank: a few values are hot, most are rare' });

export const normalBindingSchema = z
  .strictObject({
    type: z.literal('normal'),
    mean: z.number().meta({ description: 'Mean of the distribution' }),
    stddev: z.number().nonnegative().meta({ description: 'Standard deviation' }),
    min: z.number().optional().meta({ description: 'Clamp: values below become min' }),
    max: z.number().optional().meta({ description: 'Clamp: values above become max' }),
    integer: z
      .boolean()
      .default(false)
      .meta({ description: 'Round to the nearest integer (before clamping)' }),
    seed,
    mod,
  })
  .meta({ description: 'Normally distributed number (Box-Muller), optionally clamped and rounded' });

export const choiceBindingSchema = z
  .strictObject({
    type: z.literal('choice'),
    values: z
      .array(scalar)
      .min(1)
      .meta({ description: 'Values to pick from (strings, numbers or booleans)' }),
    weights: z
      .array(z.number().nonnegative())
      .optional()
      .meta({ description: 'Relative weight of each value, same length as values (default: all equal)' }),
    seed,
    mod,
  })
  .meta({ description: 'Weighted pick of one of the listed values' });

export const uuidBindingSchema = z
  .strictObject({ type: z.literal('uuid'), seed, mod })
  .meta({ description: 'RFC 4122 version-4-shaped UUID string derived from the cycle' });

export const wordsBindingSchema = z
  .strictObject({
    type: z.literal('words'),
    count: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .meta({ description: 'Exact number of words (default 1 when neither count nor min/max is set)' }),
    min: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .meta({ description: 'Fewest words, with max (count drawn uniformly in [min, max])' }),
    max: z.number().int().nonnegative().optional().meta({ description: 'Most words, with min' }),
    separator: z.string().default(' ').meta({ description: 'Text between words' }),
    seed,
    mod,
  })
  .meta({ description: 'Words from a built-in list of common English words' });

export const timestampBindingSchema = z
  .strictObject({
    type: z.literal('timestamp'),
    start: z
      .string()
      .refine(isIsoInstant, 'expected an ISO-8601 date (2026-01-01) or date-time with Z or an offset')
      .default('2026-01-01T00:00:00Z')
      .meta({ description: 'Instant at cycle 0: ISO-8601 date, or date-time with Z / ±hh:mm' }),
    step: z
      .union([z.number().nonnegative(), z.string()])
      .refine((v) => parseDuration(v) !== undefined, 'expected a duration such as 500ms, 15s, 5m or seconds')
      .default('1s')
      .meta({ description: 'Added per cycle: 500ms, 15s, 5m, 1h30m, or a number of seconds' }),
    format: z.enum(['iso', 'epochMillis', 'epochSeconds']).default('iso').meta({
      description:
        'iso: 2026-01-01T00:00:00.000Z; epochMillis / epochSeconds: integer numbers (rounded down)',
    }),
    mod,
  })
  .meta({ description: 'Instant start + cycle * step' });

export const templateBindingSchema = z
  .strictObject({
    type: z.literal('template'),
    template: z.string().meta({
      description: 'Text with {name} placeholders naming other bindings, e.g. user-{id}@{domain}',
    }),
    mod,
  })
  .meta({ description: 'String built from other bindings at the same cycle' });

export const bindingSpecSchema = z
  .discriminatedUnion('type', [
    sequenceBindingSchema,
    uniformBindingSchema,
    zipfBindingSchema,
    normalBindingSchema,
    choiceBindingSchema,
    uuidBindingSchema,
    wordsBindingSchema,
    timestampBindingSchema,
    templateBindingSchema,
  ])
  .meta({ description: 'A deterministic data generator: a pure function of the cycle number' });

export type BindingSpec = z.output<typeof bindingSpecSchema>;
/** What a user may write (defaults not yet applied). A parsed BindingSpec is also a valid input. */
export type BindingSpecInput = z.input<typeof bindingSpecSchema>;
export type BindingType = BindingSpec['type'];
export type BindingSpecOf<T extends BindingType> = Extract<BindingSpec, { type: T }>;
