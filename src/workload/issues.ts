/**
 * Turns zod issues and path-only issues into SpecIssues: a code, the file:line:col of the
 * field (or the command-line flag that set it), the field path, and what was expected.
 */
import type { z } from 'zod';
import type { ErrorCode, PathIssue, SpecIssue } from '../protocol/errors.js';
import type { Overridden } from './overrides.js';
import { type FieldPath, formatPath, getAt, isPlainObject, pathKey, startsWith } from './paths.js';
import { knownKeys } from './schema-walk.js';
import type { Place, SourceFile } from './source.js';
import { didYouMean } from './suggest.js';

export interface IssueContext {
  readonly source: SourceFile;
  readonly schema: z.ZodType;
  readonly data: unknown;
  readonly overridden: readonly Overridden[];
}

type Where = Pick<SpecIssue, 'file' | 'line' | 'col'>;

/** Where a field is: a flag when the command line set it (or a map above it), else the file. */
export function locate(ctx: IssueContext, path: FieldPath, at: 'value' | 'key' | 'parent'): Where {
  const target = at === 'parent' ? path.slice(0, -1) : path;
  let flag: Overridden | undefined;
  for (const entry of ctx.overridden) {
    if (startsWith(target, entry.path) && (!flag || entry.path.length > flag.path.length)) flag = entry;
  }
  if (flag) return { file: flag.source, line: 0, col: 0 };
  const place: Place | undefined = at === 'key' ? ctx.source.keys.get(pathKey(path)) : undefined;
  return { file: ctx.source.fileName, ...(place ?? nearestValue(ctx.source, target)) };
}

function nearestValue(source: SourceFile, path: FieldPath): Place {
  for (let length = path.length; length >= 0; length--) {
    const place = source.values.get(pathKey(path.slice(0, length)));
    if (place) return place;
  }
  return { line: 1, col: 1 };
}

export function pathIssueToSpec(
  ctx: IssueContext,
  issue: PathIssue,
  at: 'value' | 'key' = 'value',
): SpecIssue {
  return {
    code: issue.code,
    ...locate(ctx, issue.path, at),
    path: formatPath(issue.path),
    message: issue.message,
  };
}

/** Loose view of a zod issue (the fields we read vary by code). */
interface ZodIssueView {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: string;
  readonly keys?: readonly string[];
  readonly values?: readonly unknown[];
  readonly options?: readonly unknown[];
  readonly note?: string;
  readonly errors?: readonly (readonly ZodIssueView[])[];
  readonly issues?: readonly ZodIssueView[];
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly format?: string;
  readonly pattern?: string;
  readonly divisor?: number;
  readonly params?: { readonly bpCode?: ErrorCode };
}

/** Zod's own English messages; anything else was written in our schemas and is used as is. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized key|Expected|Input not instance)/;

export function zodIssuesToSpec(ctx: IssueContext, issues: readonly z.core.$ZodIssue[]): SpecIssue[] {
  return (issues as unknown as readonly ZodIssueView[]).flatMap((issue) => mapIssue(ctx, issue, []));
}

function mapIssue(ctx: IssueContext, issue: ZodIssueView, prefix: FieldPath): SpecIssue[] {
  const path: FieldPath = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'unrecognized_keys') return unknownFields(ctx, path, issue.keys ?? []);
  if (issue.code === 'invalid_union' && issue.note === undefined && !isCustom(issue.message)) {
    const branches = issue.errors ?? [];
    const combined = combinedTypes(branches);
    if (combined === undefined && branches.length > 0) {
      const best = [...branches].sort((a, b) => a.length - b.length)[0]!;
      return best.flatMap((inner) => mapIssue(ctx, inner, path));
    }
  }
  const expectation = expected(issue);
  const value = getAt(ctx.data, path);
  if (isMissing(ctx.data, path)) {
    return [
      {
        code: 'BP_SPEC_MISSING_FIELD',
        ...locate(ctx, path, 'parent'),
        path: formatPath(path),
        message: expectation.startsWith('expected ')
          ? `is required: ${expectation}`
          : `is required (${expectation})`,
      },
    ];
  }
  const code: ErrorCode = issue.params?.bpCode ?? 'BP_SPEC_INVALID_VALUE';
  if (issue.code === 'invalid_key') {
    return [
      {
        code,
        ...locate(ctx, path, 'key'),
        path: formatPath(path),
        message: `is not a valid name: ${expectation}`,
      },
    ];
  }
  let message = expectation;
  if (expectation.startsWith('expected ') && !/\bgot\b/.test(expectation)) {
    message += `, got ${describeValue(value)}`;
    if (issue.code === 'invalid_value' || issue.note !== undefined) {
      const allowed = (issue.values ?? issue.options ?? []).map(String);
      if (typeof value === 'string') message += didYouMean(value, allowed);
    }
  }
  return [{ code, ...locate(ctx, path, 'value'), path: formatPath(path), message }];
}

function unknownFields(ctx: IssueContext, parent: FieldPath, keys: readonly string[]): SpecIssue[] {
  const known = knownKeys(ctx.schema, parent, ctx.data) ?? [];
  return keys.map((key) => {
    const path = [...parent, key];
    const where = locate(ctx, path, 'key');
    const hint = didYouMean(key, known) || (known.length > 0 ? ` (fields here: ${known.join(', ')})` : '');
    const code: ErrorCode =
      where.line === 0 && where.file === '--set' ? 'BP_SPEC_BAD_OVERRIDE' : 'BP_SPEC_UNKNOWN_FIELD';
    return { code, ...where, path: formatPath(path), message: `is not a field${hint}` };
  });
}

function isCustom(message: string): boolean {
  return !isZodWording(message);
}

/** True for zod's generic English messages ("Invalid input: ..."), which we replace. */
export function isZodWording(message: string): boolean {
  return ZOD_DEFAULT_MESSAGE.test(message);
}

/** A field is missing when its parent is a map without it. */
function isMissing(data: unknown, path: FieldPath): boolean {
  if (path.length === 0) return data === undefined;
  const parent = getAt(data, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (isPlainObject(parent)) return parent[String(last)] === undefined;
  return false;
}

/** What the schema expected, as `expected …` (or our schema's own message). */
function expected(issue: ZodIssueView): string {
  if (isCustom(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeName(issue.expected)}`;
    case 'invalid_value':
      return `expected ${oneOf(issue.values ?? [])}`;
    case 'invalid_union':
      if (issue.note !== undefined) return `expected ${oneOf(issue.options ?? [])}`;
      return `expected ${combinedTypes(issue.errors ?? []) ?? 'a different value'}`;
    case 'too_small':
      return `expected ${bound(issue, 'small')}`;
    case 'too_big':
      return `expected ${bound(issue, 'big')}`;
    case 'invalid_format':
      return `expected ${formatName(issue)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'invalid_key': {
      const inner = issue.issues?.[0];
      return inner ? expected(inner) : 'expected a valid name';
    }
    default:
      return `expected a different value (${issue.message})`;
  }
}

function combinedTypes(branches: readonly (readonly ZodIssueView[])[]): string | undefined {
  if (branches.length === 0) return undefined;
  const names: string[] = [];
  for (const branch of branches) {
    const only = branch.length === 1 ? branch[0] : undefined;
    if (only?.code !== 'invalid_type' || only.path.length > 0) return undefined;
    const name = typeName(only.expected);
    if (!names.includes(name)) names.push(name);
  }
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function typeName(type: string | undefined): string {
  switch (type) {
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
    case 'map':
      return 'a map';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'null':
      return 'nothing';
    default:
      return type ?? 'a value';
  }
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return shown.length === 1 ? `${shown[0]}` : `one of ${shown.join(', ')}`;
}

function bound(issue: ZodIssueView, side: 'small' | 'big'): string {
  const limit = Number(side === 'small' ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case 'array':
    case 'set':
      return side === 'small' ? `at least ${limit} item(s)` : `at most ${limit} item(s)`;
    case 'string':
      return side === 'small' ? `at least ${limit} character(s)` : `at most ${limit} character(s)`;
    default: {
      const comparator = side === 'small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `a number ${comparator} ${limit}`;
    }
  }
}

function formatName(issue: ZodIssueView): string {
  switch (issue.format) {
    case 'regex':
      return `text matching ${issue.pattern}`;
    case 'url':
      return 'a URL';
    case 'email':
      return 'an email address';
    case 'uuid':
      return 'a UUID';
    default:
      return `a valid ${issue.format ?? 'value'}`;
  }
}

/** A value as a user would recognise it: `'abc'`, `42`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty map' : 'a map';
  return String(value);
}
