/**
 * PLACEHOLDER owned by the bindings work: the schema of one binding (a named data generator).
 * Replaced by a discriminated union on `type` (sequence, uniform, zipf, normal, choice, uuid, words,
 * timestamp, template, ...).
 */
import { z } from 'zod';

export const bindingSpecSchema = z.looseObject({ type: z.string() });
export type BindingSpec = z.infer<typeof bindingSpecSchema>;
