/**
 * Checks that span fields, run on the raw data so they report alongside schema problems:
 * every {placeholder} names a declared binding, thresholds name ops of their phase, and
 * secrets come only from ${ENV}.
 */
import type { DriverPlugin } from '../engine/driver.js';
import { findPlaceholders } from '../engine/template.js';
import type { SpecIssue } from '../protocol/errors.js';
import { parseThreshold } from '../protocol/thresholds.js';
import { type IssueContext, locate } from './issues.js';
import { type FieldPath, formatPath, getAt, isPlainObject, pathKey } from './paths.js';
import { didYouMean } from './suggest.js';

export function checkPlaceholders(ctx: IssueContext): SpecIssue[] {
  const data = ctx.data;
  if (!isPlainObject(data) || !Array.isArray(data['phases'])) return [];
  const bindings = isPlainObject(data['bindings']) ? Object.keys(data['bindings']) : [];
  const issues: SpecIssue[] = [];
  data['phases'].forEach((phase, index) => {
    if (!isPlainObject(phase) || !isPlainObject(phase['ops'])) return;
    forEachString(phase['ops'], ['phases', index, 'ops'], (text, path) => {
      const unknown = new Set<string>();
      for (const name of findPlaceholders(text)) {
        if (!bindings.includes(name)) unknown.add(name);
      }
      for (const name of unknown) {
        const hint =
          bindings.length === 0
            ? ', but the workload declares no bindings (add it under bindings:)'
            : ` (bindings: ${bindings.join(', ')})`;
        issues.push({
          code: 'BP_SPEC_UNKNOWN_BINDING',
          ...locate(ctx, path, 'value'),
          path: formatPath(path),
          message: `uses {${name}}, which is not a declared binding${didYouMean(name, bindings) || hint}`,
        });
      }
    });
  });
  return issues;
}

function forEachString(
  value: unknown,
  path: FieldPath,
  visit: (text: string, path: FieldPath) => void,
): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) forEachString(value[index], [...path, index], visit);
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) forEachString(item, [...path, key], visit);
  }
}

/** A threshold on one op must name an op of its phase. */
export function checkThresholdOps(ctx: IssueContext): SpecIssue[] {
  const data = ctx.data;
  if (!isPlainObject(data) || !Array.isArray(data['phases'])) return [];
  const issues: SpecIssue[] = [];
  data['phases'].forEach((phase, index) => {
    if (!isPlainObject(phase) || !isPlainObject(phase['ops']) || !Array.isArray(phase['thresholds'])) return;
    const ops = Object.keys(phase['ops']);
    phase['thresholds'].forEach((text, item) => {
      if (typeof text !== 'string') return;
      const parsed = parseThreshold(text);
      if ('error' in parsed || parsed.op === null || ops.includes(parsed.op)) return;
      const path = ['phases', index, 'thresholds', item];
      issues.push({
        code: 'BP_SPEC_BAD_THRESHOLD',
        ...locate(ctx, path, 'value'),
        path: formatPath(path),
        message: `names op ${parsed.op}, which is not in this phase (ops: ${ops.join(', ')})${didYouMean(parsed.op, ops)}`,
      });
    });
  });
  return issues;
}

/**
 * Each secret field of the driver (`plugin.secretFields`, paths inside target; `*` matches any
 * key) must be exactly `${NAME}` in the file: not a literal, not a default, not from --set.
 */
export function checkSecrets(ctx: IssueContext, plugin: DriverPlugin): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const path of secretPaths(ctx.data, plugin)) {
    {
      const value = getAt(ctx.data, path);
      if (value === undefined) continue;
      const variable = envName(path);
      const where = locate(ctx, path, 'value');
      const shown = formatPath(path);
      if (where.line === 0) {
        issues.push({
          code: 'BP_SPEC_SECRET_LITERAL',
          ...where,
          path: shown,
          message: `is a secret and may not be given on the command line; write \${${variable}} in the file and set ${variable} in the environment`,
        });
        continue;
      }
      const form = ctx.source.forms.get(pathKey(path));
      if (form === 'env') continue;
      const how =
        form === 'env-default' ? 'has a default value in the file' : 'is written as a literal value';
      issues.push({
        code: 'BP_SPEC_SECRET_LITERAL',
        ...where,
        path: shown,
        message: `is a secret but ${how}; write \${${variable}} and set ${variable} in the environment`,
      });
    }
  }
  return issues;
}

/** The paths in `data` that hold secrets of this driver. */
export function secretPaths(data: unknown, plugin: DriverPlugin): FieldPath[] {
  return plugin.secretFields.flatMap((field) => expand(data, ['target', ...field.split('.')]));
}

/** Paths in `data` matching a pattern whose `*` segments match any key. */
function expand(data: unknown, pattern: readonly string[]): FieldPath[] {
  const star = pattern.indexOf('*');
  if (star < 0) return [pattern];
  const parent = getAt(data, pattern.slice(0, star));
  if (!isPlainObject(parent)) return [];
  return Object.keys(parent).flatMap((key) =>
    expand(data, [...pattern.slice(0, star), key, ...pattern.slice(star + 1)]),
  );
}

function envName(path: FieldPath): string {
  const last = String(path[path.length - 1] ?? 'SECRET');
  return (
    last
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .toUpperCase() || 'SECRET'
  );
}
