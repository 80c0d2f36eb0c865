/**
 * compileBindings: specs -> a BindingSet of generators, each a pure function of the cycle.
 * Each random binding gets its own stream keyed by (workload seed, binding name) or
 * (workload seed, its `seed`), so adding or reordering bindings never changes another's values.
 */
import type { BindingSpec, BindingSpecInput } from '../../protocol/bindings.js';
import { BenchpilotError, type PathIssue, type SpecIssue } from '../../protocol/errors.js';
import { compileTemplate, findPlaceholders } from '../template.js';
import { checkAndParseBindings } from './check.js';
import { deriveStreamKey, Stream } from './hash.js';
import { normalGenerator, sequenceGenerator, uniformGenerator, zipfGenerator } from './numeric.js';
import { choiceGenerator, uuidGenerator, wordsGenerator } from './text.js';
import { timestampGenerator } from './timestamp.js';
import type { BindingSet, Generator } from './types.js';

export interface CompileBindingsOptions {
  /** The workload seed (any safe integer). */
  readonly seed: number;
}

/** The label mixed with the workload seed to key a binding's random stream. */
export function streamLabel(name: string, spec: { seed?: number | undefined }): string {
  return spec.seed === undefined ? `name:${name}` : `seed:${spec.seed}`;
}

/** A generator for one non-template binding. */
export function compileGenerator(name: string, spec: BindingSpec, workloadSeed: number): Generator {
  const stream = (seed: number | undefined) =>
    new Stream(deriveStreamKey(workloadSeed, streamLabel(name, { seed })));
  switch (spec.type) {
    case 'sequence':
      return sequenceGenerator(spec);
    case 'uniform':
      return uniformGenerator(spec, stream(spec.seed));
    case 'zipf':
      return zipfGenerator(spec, stream(spec.seed));
    case 'normal':
      return normalGenerator(spec, stream(spec.seed));
    case 'choice':
      return choiceGenerator(spec, stream(spec.seed));
    case 'uuid':
      return uuidGenerator(stream(spec.seed));
    case 'words':
      return wordsGenerator(spec, stream(spec.seed));
    case 'timestamp':
      return timestampGenerator(spec);
    case 'template':
      throw new BenchpilotError('BP_INTERNAL', `template binding ${name} needs the other bindings`);
  }
}

function withMod(generator: Generator, mod: number | undefined): Generator {
  if (mod === undefined) return generator;
  return (cycle) => generator(cycle % mod);
}

class CompiledBindings implements BindingSet {
  readonly #generators = new Map<string, Generator>();
  readonly #names: readonly string[];

  constructor(names: readonly string[]) {
    this.#names = Object.freeze([...names]);
  }

  set(name: string, generator: Generator): void {
    this.#generators.set(name, generator);
  }

  has(name: string): boolean {
    return this.#generators.has(name);
  }

  get(name: string): Generator {
    const generator = this.#generators.get(name);
    if (generator === undefined) {
      throw new BenchpilotError('BP_SPEC_UNKNOWN_BINDING', `{${name}} is not declared under bindings`);
    }
    return generator;
  }

  names(): readonly string[] {
    return this.#names;
  }
}

export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  return out;
}

/** A PathIssue as a SpecIssue without a file position (for callers that have no file). */
export function pathIssueToSpecIssue(issue: PathIssue, file = '<bindings>'): SpecIssue {
  return { code: issue.code, file, line: 0, col: 0, path: formatPath(issue.path), message: issue.message };
}

/**
 * Throws BenchpilotError (code of the first problem, every problem in `issues`) when the specs
 * are invalid; use checkBindings first to report problems with file positions.
 */
export function compileBindings(
  specs: Readonly<Record<string, BindingSpecInput>>,
  options: CompileBindingsOptions,
): BindingSet {
  const { issues, specs: parsed } = checkAndParseBindings(specs);
  if (issues.length > 0) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    throw new BenchpilotError(issues[0]!.code, `${count} in bindings`, {
      issues: issues.map((issue) => pathIssueToSpecIssue(issue)),
    });
  }
  const bindings = new CompiledBindings([...parsed.keys()]);
  for (const [name, spec] of parsed) {
    if (spec.type !== 'template')
      bindings.set(name, withMod(compileGenerator(name, spec, options.seed), spec.mod));
  }
  // templates after their references (checkBindings has ruled out cycles)
  const compileTemplateBinding = (name: string): void => {
    const spec = parsed.get(name)!;
    if (spec.type !== 'template' || bindings.has(name)) return;
    for (const ref of findPlaceholders(spec.template)) compileTemplateBinding(ref);
    bindings.set(name, withMod(compileTemplate(spec.template, bindings).render, spec.mod));
  };
  for (const name of parsed.keys()) compileTemplateBinding(name);
  return bindings;
}
