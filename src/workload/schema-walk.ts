/**
 * Walks a zod schema along a field path (guided by the data, so a discriminated union picks the
 * branch the data names). Used for "did you mean" (the keys known at a path) and to type values
 * that arrive as text (${ENV} substitutions, --set values).
 */
import type { z } from 'zod';
import { type FieldPath, getAt, isPlainObject } from './paths.js';

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
  readonly values?: readonly unknown[];
  readonly entries?: Record<string, unknown>;
}

interface Internals {
  readonly def: Def;
  readonly propValues?: Record<string, Set<unknown>>;
}

const internals = (schema: z.ZodType): Internals => (schema as unknown as { _zod: Internals })._zod;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** The concrete schemas a value must match (wrappers, pipes and unions expanded). */
export function unwrap(schema: z.ZodType, data: unknown): z.ZodType[] {
  const { def } = internals(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return unwrap(def.innerType, data);
  if (def.type === 'pipe' && def.in) return unwrap(def.in, data);
  if (def.type === 'lazy' && def.getter) return unwrap(def.getter(), data);
  if (def.type === 'intersection' && def.left && def.right) {
    return [...unwrap(def.left, data), ...unwrap(def.right, data)];
  }
  if (def.type === 'union' && def.options) {
    let options = def.options;
    const discriminator = def.discriminator;
    if (discriminator !== undefined && isPlainObject(data) && data[discriminator] !== undefined) {
      const matching = options.filter((option) =>
        internals(option).propValues?.[discriminator]?.has(data[discriminator]),
      );
      if (matching.length > 0) options = matching;
    }
    return options.flatMap((option) => unwrap(option, data));
  }
  return [schema];
}

/** Schemas found at `path` below `root` (several when a union leaves it open). */
export function schemasAt(root: z.ZodType, path: FieldPath, rootData: unknown): z.ZodType[] {
  let current: z.ZodType[] = [root];
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth]!;
    const dataHere = getAt(rootData, path.slice(0, depth));
    const next: z.ZodType[] = [];
    for (const schema of current) {
      for (const base of unwrap(schema, dataHere)) {
        const child = childSchema(base, segment);
        if (child) next.push(child);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

function childSchema(base: z.ZodType, segment: string | number): z.ZodType | undefined {
  const { def } = internals(base);
  switch (def.type) {
    case 'object': {
      if (typeof segment === 'string' && def.shape && Object.hasOwn(def.shape, segment))
        return def.shape[segment];
      const catchall = def.catchall;
      return catchall && internals(catchall).def.type !== 'never' ? catchall : undefined;
    }
    case 'record':
      return typeof segment === 'string' ? def.valueType : undefined;
    case 'array':
      return typeof segment === 'number' ? def.element : undefined;
    case 'tuple':
      return typeof segment === 'number' ? (def.items?.[segment] ?? def.rest ?? undefined) : undefined;
    case 'any':
    case 'unknown':
      return base;
    default:
      return undefined;
  }
}

/**
 * Field names an object at `path` may have, or undefined when any name goes (a record, a
 * loose object, or no object schema there).
 */
export function knownKeys(root: z.ZodType, path: FieldPath, rootData: unknown): string[] | undefined {
  const keys = new Set<string>();
  const dataHere = getAt(rootData, path);
  for (const schema of schemasAt(root, path, rootData)) {
    for (const base of unwrap(schema, dataHere)) {
      const { def } = internals(base);
      if (def.type !== 'object' || !def.shape) continue;
      for (const key of Object.keys(def.shape)) keys.add(key);
    }
  }
  return keys.size > 0 ? [...keys] : undefined;
}

export type ScalarKind = 'string' | 'number' | 'boolean' | 'null';

/** Which kinds of scalar the schema at `path` accepts (all kinds when it cannot tell). */
export function acceptedScalars(root: z.ZodType, path: FieldPath, rootData: unknown): Set<ScalarKind> {
  const all = new Set<ScalarKind>(['string', 'number', 'boolean', 'null']);
  const kinds = new Set<ScalarKind>();
  const schemas = schemasAt(root, path, rootData);
  if (schemas.length === 0) return all;
  for (const schema of schemas) {
    if (internals(schema).def.type === 'nullable') kinds.add('null');
    for (const base of unwrap(schema, undefined)) {
      const { def } = internals(base);
      switch (def.type) {
        case 'string':
        case 'template_literal':
          kinds.add('string');
          break;
        case 'number':
        case 'int':
          kinds.add('number');
          break;
        case 'boolean':
          kinds.add('boolean');
          break;
        case 'null':
          kinds.add('null');
          break;
        case 'enum':
          for (const value of Object.values(def.entries ?? {})) kinds.add(kindOf(value));
          break;
        case 'literal':
          for (const value of def.values ?? []) kinds.add(kindOf(value));
          break;
        case 'object':
        case 'array':
        case 'record':
        case 'tuple':
          break;
        default:
          return all;
      }
    }
  }
  return kinds;
}

function kindOf(value: unknown): ScalarKind {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}
