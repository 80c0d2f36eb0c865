/**
 * checkBindings: every problem in a `bindings:` map at once, each with its field path
 * (['bindings', name, field, ...]) so the workload loader can point at file:line:col.
 * Runs the schema (harmless on already parsed specs) and the checks that span fields or bindings.
 */
import type { z } from 'zod';
import { type BindingSpec, type BindingSpecInput, bindingSpecSchema } from '../../protocol/bindings.js';
import type { ErrorCode, PathIssue } from '../../protocol/errors.js';
import { parseTemplate } from '../template.js';
import { closestName } from './suggest.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_INTEGER_SPAN = 2 ** 53;

type Path = (string | number)[];

const FIELDS_BY_TYPE = new Map<string, string[]>(
  bindingSpecSchema.options.map((option) => [option.shape.type.value, Object.keys(option.shape)]),
);

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function schemaIssues(base: Path, input: unknown, issues: readonly z.core.$ZodIssue[]): PathIssue[] {
  const type = valueAt(input, ['type']);
  const fields = typeof type === 'string' ? (FIELDS_BY_TYPE.get(type) ?? []) : [];
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = closestName(key, fields);
        out.push({
          code: 'BP_SPEC_UNKNOWN_FIELD',
          path: [...path, key],
          message: `is not a field of a ${String(type)} binding${hint ? `; did you mean ${hint}?` : ''}`,
        });
      }
    } else if (issue.code === 'invalid_union' && issue.path.length === 1 && issue.path[0] === 'type') {
      const types = [...FIELDS_BY_TYPE.keys()];
      const hint = typeof type === 'string' ? closestName(type, types) : undefined;
      const expected = `expected one of ${types.join(', ')}`;
      out.push(
        type === undefined
          ? { code: 'BP_SPEC_MISSING_FIELD', path, message: `is required; ${expected}` }
          : {
              code: 'BP_SPEC_INVALID_VALUE',
              path,
              message: `is not a binding type${hint ? `; did you mean ${hint}?` : ''} (${expected})`,
            },
      );
    } else if (issue.path.length === 0 && (input === null || typeof input !== 'object')) {
      out.push({ code: 'BP_SPEC_INVALID_VALUE', path, message: 'expected a binding such as { type: uuid }' });
    } else if (valueAt(input, issue.path) === undefined) {
      out.push({ code: 'BP_SPEC_MISSING_FIELD', path, message: 'is required' });
    } else {
      out.push({ code: 'BP_SPEC_INVALID_VALUE', path, message: issue.message });
    }
  }
  return out;
}

class IssueList {
  readonly items: PathIssue[] = [];
  add(code: ErrorCode, path: Path, message: string): void {
    this.items.push({ code, path, message });
  }
}

function checkFields(base: Path, spec: BindingSpec, issues: IssueList): void {
  const invalid = (field: string, message: string) =>
    issues.add('BP_SPEC_INVALID_VALUE', [...base, field], message);
  switch (spec.type) {
    case 'uniform':
      if (!spec.float) {
        if (!Number.isSafeInteger(spec.min)) invalid('min', 'must be an integer (or set float: true)');
        if (!Number.isSafeInteger(spec.max)) invalid('max', 'must be an integer (or set float: true)');
        if (spec.max - spec.min + 1 > MAX_INTEGER_SPAN) invalid('max', 'max - min must be below 2^53');
        if (spec.decimals !== undefined) invalid('decimals', 'applies to floats only; set float: true');
      }
      if (spec.min > spec.max) invalid('max', `must be at least min (${spec.min})`);
      break;
    case 'normal':
      if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
        invalid('max', `must be at least min (${spec.min})`);
      }
      break;
    case 'choice':
      if (spec.weights !== undefined) {
        if (spec.weights.length !== spec.values.length) {
          invalid(
            'weights',
            `has ${spec.weights.length} entries; expected one per value (${spec.values.length})`,
          );
        } else if (!spec.weights.some((weight) => weight > 0)) {
          invalid('weights', 'must contain at least one positive weight');
        }
      }
      break;
    case 'words':
      if (spec.count !== undefined && (spec.min !== undefined || spec.max !== undefined)) {
        invalid('count', 'set either count or min and max, not both');
      } else if ((spec.min === undefined) !== (spec.max === undefined)) {
        const missing = spec.min === undefined ? 'min' : 'max';
        issues.add(
          'BP_SPEC_MISSING_FIELD',
          [...base, missing],
          `is required with ${missing === 'min' ? 'max' : 'min'}`,
        );
      } else if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
        invalid('max', `must be at least min (${spec.min})`);
      }
      break;
    default:
      break;
  }
}

/** Unknown references and cycles between template bindings. */
function checkTemplates(
  base: Path,
  declared: readonly string[],
  specs: ReadonlyMap<string, BindingSpec>,
  issues: IssueList,
): void {
  const references = new Map<string, string[]>();
  for (const [name, spec] of specs) {
    if (spec.type !== 'template') continue;
    const refs = [...new Set(parseTemplate(spec.template).refs)];
    references.set(name, refs);
    for (const ref of refs) {
      if (declared.includes(ref)) continue;
      const hint = closestName(ref, declared);
      issues.add(
        'BP_SPEC_UNKNOWN_BINDING',
        [...base, name, 'template'],
        `{${ref}} is not a binding${hint ? `; did you mean {${hint}}?` : ''}`,
      );
    }
  }
  // depth-first search; a reference back to a binding on the stack closes a cycle
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const ref of references.get(name) ?? []) {
      if (state.get(ref) === 'visiting') {
        const loop = [...stack.slice(stack.indexOf(ref)), ref];
        issues.add(
          'BP_SPEC_INVALID_VALUE',
          [...base, ref, 'template'],
          `template bindings form a cycle: ${loop.join(' -> ')}`,
        );
      } else if (!state.has(ref) && references.has(ref)) {
        visit(ref);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of references.keys()) if (!state.has(name)) visit(name);
}

export interface CheckedBindings {
  readonly issues: PathIssue[];
  /** Parsed specs (defaults applied) of the bindings whose schema passed. */
  readonly specs: ReadonlyMap<string, BindingSpec>;
}

export function checkAndParseBindings(
  input: Readonly<Record<string, BindingSpecInput>>,
  basePath: readonly (string | number)[] = ['bindings'],
): CheckedBindings {
  const issues = new IssueList();
  const specs = new Map<string, BindingSpec>();
  for (const [name, raw] of Object.entries(input)) {
    const base = [...basePath, name];
    if (!IDENTIFIER.test(name)) {
      issues.add('BP_SPEC_INVALID_VALUE', base, 'binding names must match [A-Za-z_][A-Za-z0-9_]*');
    }
    const parsed = bindingSpecSchema.safeParse(raw);
    if (!parsed.success) {
      issues.items.push(...schemaIssues(base, raw, parsed.error.issues));
      continue;
    }
    checkFields(base, parsed.data, issues);
    specs.set(name, parsed.data);
  }
  checkTemplates([...basePath], Object.keys(input), specs, issues);
  return { issues: issues.items, specs };
}

/** Every problem in the bindings, with paths such as ['bindings', 'email', 'template']; [] when valid. */
export function checkBindings(specs: Readonly<Record<string, BindingSpecInput>>): PathIssue[] {
  return checkAndParseBindings(specs).issues;
}
