/**
 * Command-line changes to a workload before it is validated: `--set path=value` (any field) and
 * the run overrides (--phase, --rate, --concurrency, --duration). Values given here are
 * reported as coming from the flag, not from the file.
 */
import type { SpecIssue } from '../protocol/errors.js';
import { type FieldPath, formatPath, isPlainObject } from './paths.js';
import { didYouMean } from './suggest.js';

export interface RunOverrides {
  /** Phase the other overrides apply to (default: the last phase). */
  readonly phase?: string;
  readonly rate?: number;
  readonly concurrency?: number;
  /** Seconds. */
  readonly duration?: number;
  /** Remove the phase's cycles and duration: it runs until stopped (long-running benchmarks). */
  readonly untilStopped?: boolean;
}

/** A path whose value came from the command line, and from which flag. */
export interface Overridden {
  readonly path: FieldPath;
  readonly source: string;
  /** The text given (--set), typed later against the schema. */
  readonly raw?: string;
}

export interface OverrideResult {
  readonly applied: Overridden[];
  readonly issues: SpecIssue[];
}

const SET = '--set';
const SEGMENT = /^(?:\.?([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*"|'[^']*')\])/;

/** Splits `phases.main.rate`, `phases[2].rate`, `target.headers["X-Key"]` into segments. */
export function parseSetPath(text: string): (string | number)[] | undefined {
  const segments: (string | number)[] = [];
  let rest = text.trim();
  if (rest === '' || rest.startsWith('.')) return undefined;
  while (rest !== '') {
    const match = SEGMENT.exec(rest);
    if (!match) return undefined;
    if (match[1] !== undefined) segments.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else {
      const quoted = match[3]!;
      segments.push(quoted.startsWith('"') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1));
    }
    rest = rest.slice(match[0].length);
  }
  return segments;
}

/** Applies each `path=value` to `data` (in place). */
export function applySets(data: unknown, sets: readonly string[]): OverrideResult {
  const applied: Overridden[] = [];
  const issues: SpecIssue[] = [];
  const bad = (path: string, message: string) =>
    issues.push({ code: 'BP_SPEC_BAD_OVERRIDE', file: SET, line: 0, col: 0, path, message });
  for (const assignment of sets) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) {
      bad('', `expected path=value (e.g. phases.main.rate=500), got '${assignment}'`);
      continue;
    }
    const pathText = assignment.slice(0, equals).trim();
    const raw = assignment.slice(equals + 1);
    const segments = parseSetPath(pathText);
    if (!segments) {
      bad(pathText, 'is not a field path: expected names and indexes such as target.url or phases[0].rate');
      continue;
    }
    const resolved = resolve(data, segments);
    if ('error' in resolved) {
      bad(pathText, resolved.error);
      continue;
    }
    setAt(data, resolved.path, raw);
    applied.push({ path: resolved.path, source: SET, raw });
  }
  return { applied, issues };
}

/** Turns names into indexes (a list of named items is addressed by name), creating missing maps. */
function resolve(
  data: unknown,
  segments: readonly (string | number)[],
): { path: FieldPath } | { error: string } {
  const path: (string | number)[] = [];
  let current = data;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    const isLast = index === segments.length - 1;
    if (Array.isArray(current)) {
      const position = arrayIndex(current, segment, path);
      if (typeof position === 'string') return { error: position };
      path.push(position);
      current = current[position];
    } else if (isPlainObject(current)) {
      const key = String(segment);
      path.push(key);
      if (!isLast && current[key] === undefined) current[key] = {};
      current = current[key];
    } else {
      const where = path.length === 0 ? 'the file' : formatPath(path);
      return { error: `cannot be set: ${where} is ${describeKind(current)}, not a map or a list` };
    }
  }
  return { path };
}

function arrayIndex(list: unknown[], segment: string | number, path: FieldPath): number | string {
  const where = formatPath(path);
  if (typeof segment === 'number') {
    if (segment < list.length) return segment;
    return `cannot be set: ${where} has ${list.length} item(s), so the index is 0 to ${list.length - 1}`;
  }
  const names = list
    .map((item) => (isPlainObject(item) ? item['name'] : undefined))
    .filter((n) => n !== undefined);
  const found = list.findIndex((item) => isPlainObject(item) && item['name'] === segment);
  if (found >= 0) return found;
  const known = names.map(String);
  return `cannot be set: ${where} has no item named ${segment} (names: ${known.join(', ') || 'none'})${didYouMean(segment, known)}`;
}

function setAt(data: unknown, path: FieldPath, value: unknown): void {
  let current = data as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) current = current[segment] as Record<string | number, unknown>;
  current[path[path.length - 1]!] = value;
}

function describeKind(value: unknown): string {
  if (value === undefined) return 'empty';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/**
 * Applies --rate / --concurrency / --duration to one phase (by name, default the last).
 * A rate replaces the phase's concurrency and vice versa: the flag chooses the model.
 */
export function applyRunOverrides(data: unknown, overrides: RunOverrides): OverrideResult {
  const applied: Overridden[] = [];
  const issues: SpecIssue[] = [];
  const phases = isPlainObject(data) ? data['phases'] : undefined;
  if (!Array.isArray(phases) || phases.length === 0) return { applied, issues };
  let index = phases.length - 1;
  if (overrides.phase !== undefined) {
    index = phases.findIndex((phase) => isPlainObject(phase) && phase['name'] === overrides.phase);
    if (index < 0) {
      const names = phases.map((phase) => (isPlainObject(phase) ? String(phase['name']) : '?'));
      issues.push({
        code: 'BP_SPEC_UNKNOWN_PHASE',
        file: '--phase',
        line: 0,
        col: 0,
        path: '',
        message: `${overrides.phase} is not a phase of this workload (phases: ${names.join(', ')})${didYouMean(overrides.phase, names)}`,
      });
      return { applied, issues };
    }
  }
  const phase = phases[index];
  if (!isPlainObject(phase)) return { applied, issues };
  const put = (field: string, flag: string, value: number) => {
    phase[field] = value;
    applied.push({ path: ['phases', index, field], source: flag });
  };
  // Both flags at once are left for validation to report (a phase has one model).
  const both = overrides.rate !== undefined && overrides.concurrency !== undefined;
  if (overrides.rate !== undefined) {
    if (!both) delete phase['concurrency'];
    put('rate', '--rate', overrides.rate);
  }
  if (overrides.concurrency !== undefined) {
    if (!both) delete phase['rate'];
    put('concurrency', '--concurrency', overrides.concurrency);
  }
  if (overrides.duration !== undefined) put('duration', '--duration', overrides.duration);
  else if (overrides.untilStopped) {
    delete phase['duration'];
    delete phase['cycles'];
  }
  return { applied, issues };
}
