/**
 * Loading a workload file: YAML with positions -> ${ENV} -> --set -> run overrides -> the
 * driver's schema -> semantic checks. Every problem in the file is reported at once, sorted by
 * line, as one BenchpilotError whose issues say file:line:col, field path and what was expected.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { checkBindings } from '../engine/bindings/index.js';
import type { DriverPlugin } from '../engine/driver.js';
import { BenchpilotError, type SpecIssue } from '../protocol/errors.js';
import { type ParsedThreshold, parseThreshold } from '../protocol/thresholds.js';
import { makeWorkloadSchema, type WorkloadSpec } from '../protocol/workload.js';
import { type IssueContext, isZodWording, locate, pathIssueToSpec, zodIssuesToSpec } from './issues.js';
import { applyRunOverrides, applySets, type Overridden, type RunOverrides } from './overrides.js';
import { type FieldPath, formatPath, getAt, isPlainObject, pathKey, startsWith } from './paths.js';
import { acceptedScalars, knownKeys } from './schema-walk.js';
import { checkPlaceholders, checkSecrets, checkThresholdOps, secretPaths } from './semantic.js';
import { readSource, type SourceFile } from './source.js';
import { didYouMean } from './suggest.js';

export interface LoadOptions {
  readonly drivers: ReadonlyMap<string, DriverPlugin>;
  /** Variables for ${VAR}; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `path=value` changes, e.g. `target.url=http://localhost:8080`, `phases.main.rate=500`. */
  readonly sets?: readonly string[];
  readonly overrides?: RunOverrides;
}

export interface LoadedWorkload {
  readonly file: string;
  /** Validated, defaults applied, durations in seconds. */
  readonly spec: WorkloadSpec;
  readonly plugin: DriverPlugin;
  /** Parsed thresholds by phase name. */
  readonly thresholds: Map<string, ParsedThreshold[]>;
}

export async function loadWorkload(file: string, options: LoadOptions): Promise<LoadedWorkload> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileError(file, error);
  }
  return loadWorkloadText(text, file, options);
}

function fileError(file: string, error: unknown): BenchpilotError {
  const code = (error as NodeJS.ErrnoException).code;
  const [errorCode, message] =
    code === 'ENOENT'
      ? (['BP_FILE_NOT_FOUND', `does not exist; check the path (relative to ${process.cwd()})`] as const)
      : code === 'EISDIR'
        ? (['BP_USAGE', 'is a directory; expected a workload file (.yaml)'] as const)
        : (['BP_USAGE', `cannot be read: ${(error as Error).message}`] as const);
  const issue: SpecIssue = { code: errorCode, file, line: 0, col: 0, path: '', message };
  return new BenchpilotError(errorCode, `${file} ${message}`, { issues: [issue], cause: error });
}

export function loadWorkloadText(text: string, fileName: string, options: LoadOptions): LoadedWorkload {
  const source = readSource(text, fileName, options.env ?? process.env);
  if ('yamlIssues' in source) throw specError(fileName, source.yamlIssues);
  const data = source.data;
  if (data === undefined) {
    const message = 'is empty: expected a workload with name, target and phases (see docs/workload.md)';
    throw specError(fileName, [
      { code: 'BP_SPEC_MISSING_FIELD', file: fileName, line: 1, col: 1, path: '', message },
    ]);
  }
  const issues: SpecIssue[] = [];

  const sets = applySets(data, options.sets ?? []);
  const run = applyRunOverrides(data, options.overrides ?? {});
  issues.push(...sets.issues, ...run.issues);
  const overridden = [...sets.applied, ...run.applied];

  const driver = pickDriver(data, options.drivers);
  const schema = driver.plugin ? schemaFor(driver.plugin) : FALLBACK_SCHEMA;
  const ctx: IssueContext = { source, schema, data, overridden };
  issues.push(...(driver.plugin ? quietSecretDefaults(source.issues, data, driver.plugin) : source.issues));
  if (driver.issue) issues.push(driver.issue(ctx));
  typeTextValues(ctx, source, overridden);

  const parsed = schema.safeParse(data, { reportInput: true });
  const schemaIssues = parsed.success
    ? []
    : zodIssuesToSpec(ctx, parsed.error.issues.filter(keep(!!driver.plugin)));
  const insideBindings = (issue: SpecIssue) =>
    /^bindings[.[]/.test(issue.path) && isPlainObject(getAt(data, ['bindings']));
  issues.push(...schemaIssues.filter((issue) => !insideBindings(issue)));
  issues.push(...bindingIssues(ctx, schemaIssues.filter(insideBindings)));
  issues.push(...checkPlaceholders(ctx), ...checkThresholdOps(ctx));
  if (driver.plugin) issues.push(...checkSecrets(ctx, driver.plugin));

  if (issues.length > 0 || !parsed.success || !driver.plugin) throw specError(fileName, issues);
  const spec = parsed.data as WorkloadSpec;
  return { file: fileName, spec, plugin: driver.plugin, thresholds: parseThresholds(spec) };
}

/** A missing secret variable gets no "or write a default" advice: secrets have no defaults. */
function quietSecretDefaults(issues: readonly SpecIssue[], data: unknown, plugin: DriverPlugin): SpecIssue[] {
  const secrets = new Set(secretPaths(data, plugin).map(formatPath));
  return issues.map((issue) =>
    issue.code === 'BP_SPEC_ENV_MISSING' && secrets.has(issue.path)
      ? { ...issue, message: issue.message.replace(/ or write \$\{.*$/, ' (a secret has no default)') }
      : issue,
  );
}

const SCHEMAS = new WeakMap<DriverPlugin, z.ZodType>();

/** The workload schema of one driver, built once per plugin. */
export function schemaFor(plugin: DriverPlugin): z.ZodType {
  let schema = SCHEMAS.get(plugin);
  if (!schema) {
    schema = makeWorkloadSchema(plugin.targetSchema, plugin.opSchema);
    SCHEMAS.set(plugin, schema);
  }
  return schema;
}

/** Without a known driver the rest of the file is still checked; op fields are then unknown. */
const FALLBACK_SCHEMA = makeWorkloadSchema(z.unknown().optional(), z.looseObject({}));

function keep(driverKnown: boolean) {
  return (issue: z.core.$ZodIssue): boolean => {
    const path = issue.path;
    if (!driverKnown && path[0] === 'phases' && path[2] === 'ops' && issue.code === 'unrecognized_keys') {
      return path.length < 4;
    }
    return true;
  };
}

interface DriverChoice {
  readonly plugin?: DriverPlugin;
  readonly issue?: (ctx: IssueContext) => SpecIssue;
}

function pickDriver(data: unknown, drivers: ReadonlyMap<string, DriverPlugin>): DriverChoice {
  const names = [...drivers.keys()];
  const known = names.length > 0 ? names.join(', ') : 'none';
  const target = isPlainObject(data) ? data['target'] : undefined;
  if (!isPlainObject(data)) return {};
  if (target === undefined) {
    return {
      issue: (ctx) => missing(ctx, ['target'], `is required: expected a map with driver: (${known})`),
    };
  }
  if (!isPlainObject(target)) {
    return { issue: (ctx) => invalid(ctx, ['target'], `expected a map with driver: (${known})`) };
  }
  const name = target['driver'];
  if (name === undefined) {
    return { issue: (ctx) => missing(ctx, ['target', 'driver'], `is required: expected one of ${known}`) };
  }
  const plugin = typeof name === 'string' ? drivers.get(name) : undefined;
  if (plugin) return { plugin };
  return {
    issue: (ctx) => ({
      code: 'BP_SPEC_UNKNOWN_DRIVER',
      ...locate(ctx, ['target', 'driver'], 'value'),
      path: 'target.driver',
      message: `${String(name)} is not a driver (drivers: ${known})${didYouMean(String(name), names)}`,
    }),
  };
}

function missing(ctx: IssueContext, path: FieldPath, message: string): SpecIssue {
  return { code: 'BP_SPEC_MISSING_FIELD', ...locate(ctx, path, 'parent'), path: formatPath(path), message };
}

function invalid(ctx: IssueContext, path: FieldPath, message: string): SpecIssue {
  return { code: 'BP_SPEC_INVALID_VALUE', ...locate(ctx, path, 'value'), path: formatPath(path), message };
}

/**
 * Text from ${ENV} (unquoted) and --set is typed by what the schema wants there: `5432` becomes
 * a number for a port but stays text for a password.
 */
function typeTextValues(ctx: IssueContext, source: SourceFile, overridden: readonly Overridden[]): void {
  const fromSet = new Set(overridden.map((entry) => pathKey(entry.path)));
  const pending: { path: FieldPath; raw: string; collections: boolean }[] = [];
  for (const path of source.typedLater) {
    const value = getAt(ctx.data, path);
    if (typeof value !== 'string' || overridden.some((entry) => startsWith(path, entry.path))) continue;
    pending.push({ path, raw: value, collections: false });
  }
  for (const entry of overridden) {
    if (entry.raw !== undefined && fromSet.has(pathKey(entry.path))) {
      pending.push({ path: entry.path, raw: entry.raw, collections: true });
    }
  }
  for (const { path, raw, collections } of pending) {
    const accepted = acceptedScalars(ctx.schema, path, ctx.data);
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    if (value === undefined) value = null;
    const kind = value === null ? 'null' : typeof value;
    if (typeof value === 'object' && value !== null) {
      if (!collections) value = raw;
    } else if (kind !== 'string' && !accepted.has(kind as 'number') && accepted.has('string')) {
      value = raw;
    }
    setAt(ctx.data, path, value);
  }
}

function setAt(data: unknown, path: FieldPath, value: unknown): void {
  const parent = getAt(data, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
}

/**
 * Inside `bindings`, checkBindings is the authority (it also checks across fields and bindings);
 * where it passes on zod's own wording, the schema issue at the same path says it better.
 */
function bindingIssues(ctx: IssueContext, schemaIssues: readonly SpecIssue[]): SpecIssue[] {
  const bindings = isPlainObject(ctx.data) ? ctx.data['bindings'] : undefined;
  if (!isPlainObject(bindings)) return [];
  const byPath = new Map(schemaIssues.map((issue) => [issue.path, issue]));
  return checkBindings(bindings as Parameters<typeof checkBindings>[0]).map((issue) => {
    const ours = byPath.get(formatPath(issue.path));
    if (ours && isZodWording(issue.message)) return ours;
    if (issue.code === 'BP_SPEC_MISSING_FIELD') {
      return { ...pathIssueToSpec(ctx, issue), ...locate(ctx, issue.path, 'parent') };
    }
    const at = issue.path.length <= 2 || issue.code === 'BP_SPEC_UNKNOWN_FIELD' ? 'key' : 'value';
    const spec = pathIssueToSpec(ctx, issue, at);
    if (issue.code !== 'BP_SPEC_UNKNOWN_FIELD' || spec.message.includes('did you mean')) return spec;
    const known = knownKeys(ctx.schema, issue.path.slice(0, -1), ctx.data) ?? [];
    return { ...spec, message: spec.message + didYouMean(String(issue.path[issue.path.length - 1]), known) };
  });
}

function parseThresholds(spec: WorkloadSpec): Map<string, ParsedThreshold[]> {
  const byPhase = new Map<string, ParsedThreshold[]>();
  for (const phase of spec.phases) {
    const parsed = phase.thresholds.map(parseThreshold).filter((t): t is ParsedThreshold => !('error' in t));
    byPhase.set(phase.name, parsed);
  }
  return byPhase;
}

/** One error for the whole file: every issue, sorted by line (command-line issues first). */
function specError(fileName: string, issues: readonly SpecIssue[]): BenchpilotError {
  const unique = new Map<string, SpecIssue>();
  for (const issue of issues) {
    const key = `${issue.code}|${issue.file}|${issue.line}|${issue.col}|${issue.path}|${issue.message}`;
    if (!unique.has(key)) unique.set(key, issue);
  }
  const sorted = [...unique.values()].sort((a, b) => a.line - b.line || a.col - b.col);
  const first = sorted[0];
  if (!first) return new BenchpilotError('BP_INTERNAL', `${fileName}: validation failed without an issue`);
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new BenchpilotError(first.code, `${fileName} is not a valid workload (${count}):`, {
    issues: sorted,
  });
}
