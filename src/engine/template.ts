/**
 * Op templates: text with `{name}` placeholders naming bindings. A placeholder is `{` + an
 * identifier ([A-Za-z_][A-Za-z0-9_]*) + `}`; anything else, such as JSON's `{"a":1}`, is literal.
 * Templates are compiled once into literal parts and generator references, so rendering on the
 * hot path is a loop of concatenations with no regex and no per-call allocation but the result.
 */
import { BenchpilotError } from '../protocol/errors.js';
import { closestName } from './bindings/suggest.js';
import type { BindingSet, BindingValue, Generator } from './bindings/types.js';

export interface ParsedTemplate {
  /** Literal text around the placeholders: always `refs.length + 1` entries (maybe empty). */
  readonly literals: readonly string[];
  /** Placeholder names in order of appearance, repeats included. */
  readonly refs: readonly string[];
}

function isIdentStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || (code >= 48 && code <= 57);
}

export function parseTemplate(text: string): ParsedTemplate {
  const literals: string[] = [];
  const refs: string[] = [];
  let literalStart = 0;
  let index = text.indexOf('{');
  while (index !== -1) {
    let end = index + 1;
    if (end < text.length && isIdentStart(text.charCodeAt(end))) {
      end++;
      while (end < text.length && isIdentPart(text.charCodeAt(end))) end++;
      if (end < text.length && text.charCodeAt(end) === 125 /* } */) {
        literals.push(text.slice(literalStart, index));
        refs.push(text.slice(index + 1, end));
        literalStart = end + 1;
        index = text.indexOf('{', literalStart);
        continue;
      }
    }
    index = text.indexOf('{', index + 1);
  }
  literals.push(text.slice(literalStart));
  return { literals, refs };
}

/** Distinct placeholder names, in order of first appearance. */
export function findPlaceholders(text: string): string[] {
  return [...new Set(parseTemplate(text).refs)];
}

function resolveGenerators(names: readonly string[], bindings: BindingSet): Generator[] {
  const missing = names.filter((name) => !bindings.has(name));
  if (missing.length > 0) {
    const known = bindings.names();
    const details = [...new Set(missing)].map((name) => {
      const hint = closestName(name, known);
      return hint === undefined ? `{${name}}` : `{${name}} (did you mean {${hint}}?)`;
    });
    throw new BenchpilotError(
      'BP_SPEC_UNKNOWN_BINDING',
      `template uses ${details.join(', ')}, not declared under bindings`,
    );
  }
  return names.map((name) => bindings.get(name));
}

function asText(value: BindingValue): string {
  return value === null ? '' : typeof value === 'string' ? value : String(value);
}

export interface CompiledTemplate {
  /** Distinct binding names used, in order of first appearance. */
  readonly names: readonly string[];
  render(cycle: number): string;
}

/** Throws BP_SPEC_UNKNOWN_BINDING when a placeholder names no binding. */
export function compileTemplate(text: string, bindings: BindingSet): CompiledTemplate {
  const { literals, refs } = parseTemplate(text);
  const generators = resolveGenerators(refs, bindings);
  const names = Object.freeze([...new Set(refs)]);
  const count = generators.length;
  const head = literals[0]!;
  if (count === 0) return { names, render: () => head };
  if (count === 1) {
    const generator = generators[0]!;
    const tail = literals[1]!;
    return { names, render: (cycle) => head + asText(generator(cycle)) + tail };
  }
  const tails = literals.slice(1);
  return {
    names,
    render(cycle: number): string {
      let out = head;
      for (let i = 0; i < count; i++) out += asText(generators[i]!(cycle)) + tails[i]!;
      return out;
    },
  };
}

export interface ParameterizedTemplate {
  /** The text with each placeholder replaced by `placeholder(index of its name)`. */
  readonly text: string;
  /** Distinct binding names; names[i] fills parameter i. */
  readonly names: readonly string[];
  /** Writes the value of names[i] at this cycle into out[i] (out is reused by the caller). */
  fill(cycle: number, out: unknown[]): void;
}

/**
 * For drivers with bind parameters (SQL): `id = {id} AND x = {id}` with `(i) => '$' + (i + 1)`
 * becomes `id = $1 AND x = $1`; a name used twice is one parameter.
 * Placeholders are replaced wherever they appear, inside SQL string literals too.
 */
export function compileParameterized(
  text: string,
  bindings: BindingSet,
  placeholder: (index: number) => string,
): ParameterizedTemplate {
  const { literals, refs } = parseTemplate(text);
  const names = Object.freeze([...new Set(refs)]);
  const generators = resolveGenerators(names, bindings);
  let sql = literals[0]!;
  for (let i = 0; i < refs.length; i++) sql += placeholder(names.indexOf(refs[i]!)) + literals[i + 1]!;
  const count = generators.length;
  return {
    text: sql,
    names,
    fill(cycle: number, out: unknown[]): void {
      for (let i = 0; i < count; i++) out[i] = generators[i]!(cycle);
    },
  };
}
